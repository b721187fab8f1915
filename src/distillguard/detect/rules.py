"""Detection rules that are not settings, declared once for every engine.

The configurable rules (patterns, weights, thresholds) live in ``defaults.yaml``; the
fixed ones live here, as data. Each engine compiles them for itself (pySigma's idea: one
rule, several backends):

- the batch engine (:mod:`distillguard.detect.features`, Arrow's RE2 kernels; the
  profile and linkage SQL);
- the online guard (:mod:`distillguard.online.features`, Python's ``re`` through
  :mod:`distillguard.online.textmatch`; :mod:`distillguard.online.profile`).

``tests/test_online_features.py`` and ``tests/test_online_profile.py`` assert that both
engines give the same values from these declarations.
"""

from __future__ import annotations

from functools import lru_cache

from distillguard.textsafe import fold_lookalikes

#: Capability areas distillers target: ``target_capability_share`` counts prompts in
#: these, and the ``capability_focus`` signal reads it. Each must be an area of
#: ``features.capabilities``.
TARGET_CAPABILITIES: tuple[str, ...] = ("reasoning", "coding", "agentic", "data_analysis")

#: A prompt skeleton shorter than this (in characters) is too generic to be a template
#: that links accounts (linkage, the online index, intel export and matching, the UI).
MIN_TEMPLATE_CHARS = 20

#: Skeletons bound their work: only this many characters of a prompt are looked at.
SKELETON_SCAN_CHARS = 2000
#: The skeleton's masks, applied in order to the lower-cased prompt: (RE2 pattern,
#: replacement, hint). A hint is a pattern every string with a match also matches, much
#: cheaper to search for, or None where there is none (searching for ``\d`` costs what
#: searching for the number pattern does). Hints only spare work: an engine may ignore
#: them. Whitespace runs collapse to one space; a lone space is left alone, which is the
#: same as rewriting it (``\s{2,}|[\t\n\f\r]`` gives what ``\s+`` gives, with far fewer
#: matches to rewrite; RE2's ``\s`` is ``[\t\n\f\r ]``).
SKELETON_MASKS: tuple[tuple[str, str, str | None], ...] = (
    (r"https?://\S+", "<url>", r"https?://\S"),
    (r"\S+@\S+\.\S+", "<email>", "@"),
    (r"\"[^\"]{0,400}\"", "<q>", '"'),
    (r"\d+(?:[.,:/-]\d+)*", "0", None),
    (r"\s{2,}|[\t\n\f\r]", " ", None),
)

#: E-mail parts, on the trimmed, lower-cased address: the domain (group ``domain``), the
#: local part (the address without its ``@domain`` tail), and the shape rules that turn
#: the local part into its shape (``john.smith42`` → ``a.a0``), applied in order.
EMAIL_DOMAIN = r"@(?P<domain>[^@]+)$"
EMAIL_DOMAIN_TAIL = r"@[^@]*$"
EMAIL_SHAPES: tuple[tuple[str, str], ...] = (
    (r"[a-z]+", "a"),
    (r"[0-9]+", "0"),
    (r"[^a0._+-]+", "?"),
)


def any_pattern(patterns: list[str]) -> str:
    """One pattern matching where any of ``patterns`` matches."""
    return "|".join(f"(?:{p})" for p in patterns)


@lru_cache(maxsize=256)
def with_folded(pattern: str) -> str:
    """``pattern``, also matching its look-alike-folded spelling.

    Text that mixes scripts is matched with look-alike letters folded to Latin
    (:func:`distillguard.textsafe.matchable_text`); a pattern written in Cyrillic or
    Greek must match there too.
    """
    folded = fold_lookalikes(pattern)
    return pattern if folded == pattern else f"(?:{pattern})|(?:{folded})"
