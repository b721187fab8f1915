"""Per-event features for one event at a time, identical to :func:`features.event_features`.

The batch engine computes the features over Arrow batches with RE2 kernels; calling it
on a one-row table costs milliseconds (each kernel call compiles its pattern), far over
the online budget. :class:`EventFeatureExtractor` compiles the *same declared rules* —
the configured patterns (through the same pattern builders, ``rules.any_pattern`` and
``rules.with_folded``), the skeleton masks and e-mail shapes of
:mod:`distillguard.detect.rules` — once for Python's ``re`` (see
:mod:`distillguard.online.textmatch`) and applies them to one event. Only the text
normalisation of ``textsafe.matchable_text`` is mirrored here;
``tests/test_online_features.py`` asserts both engines give identical features on
simulated traffic and on generated text, so any drift fails a test.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from functools import cache
from typing import Any

from distillguard.config import FeatureConfig
from distillguard.detect.features import _network_prefix, network_block
from distillguard.detect.rules import (
    EMAIL_DOMAIN,
    EMAIL_DOMAIN_TAIL,
    EMAIL_SHAPES,
    SKELETON_MASKS,
    SKELETON_SCAN_CHARS,
    any_pattern,
    with_folded,
)
from distillguard.online.textmatch import Matcher, Text
from distillguard.textsafe import fold_lookalikes

_EMAIL_DOMAIN = re.compile(EMAIL_DOMAIN)
_EMAIL_DOMAIN_TAIL = re.compile(EMAIL_DOMAIN_TAIL)
_EMAIL_SHAPES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement) for pattern, replacement in EMAIL_SHAPES
)
_LATIN = re.compile(r"[A-Za-z]")
# Arrow lower-cases one character to one character (simple case mapping); Python's
# ``str.lower`` applies the two special rules of Unicode: dotted capital I becomes two
# characters and a final capital sigma becomes a final small sigma.
_SIMPLE_LOWER_EXCEPTIONS = {"İ": "i", "Σ": "σ"}
# Where Cyrillic and Greek letters live (the script test of ``textsafe.matchable_text``).
_SCRIPT_RANGES = ((0x0370, 0x052F), (0x1C80, 0x1C8F), (0x1D00, 0x1DBF), (0x1F00, 0x1FFF),
                  (0x2126, 0x2126), (0x2DE0, 0x2DFF), (0xA640, 0xA69F), (0xAB65, 0xAB65),
                  (0xFE2E, 0xFE2F), (0x10140, 0x101A0), (0x1D200, 0x1D245),
                  (0x1E030, 0x1E08F))


def simple_lower(text: str) -> str:
    """Lower-case one character to one character, as Arrow's ``utf8_lower`` does."""
    if text.isascii() or not any(c in text for c in _SIMPLE_LOWER_EXCEPTIONS):
        return text.lower()
    return "".join(_SIMPLE_LOWER_EXCEPTIONS.get(c) or c.lower() for c in text)


# Planes where Unicode assigns format characters (BMP, SMP, and tags in plane 14).
_FORMAT_PLANES = ((0x0000, 0x1FFFF), (0xE0000, 0xE0FFF))


@cache
def _format_chars() -> dict[int, None]:
    """A ``str.translate`` table deleting every Unicode format character (``Cf``)."""
    return {
        c: None for lo, hi in _FORMAT_PLANES for c in range(lo, hi + 1)
        if unicodedata.category(chr(c)) == "Cf"
    }


@cache
def _lookalike_script() -> re.Pattern[str]:
    chars = [
        chr(c) for lo, hi in _SCRIPT_RANGES for c in range(lo, hi + 1)
        if unicodedata.name(chr(c), "").startswith(("GREEK", "CYRILLIC"))
    ]
    return re.compile("[" + "".join(re.escape(c) for c in chars) + "]")


def matchable(text: str) -> str:
    """One string as ``textsafe.matchable_text`` prepares a column for matching.

    NFKC, format characters removed, look-alike letters folded to Latin in text that
    mixes Latin with Cyrillic or Greek. ASCII text is returned as it is.
    """
    if text.isascii():
        return text
    text = unicodedata.normalize("NFKC", text).translate(_format_chars())
    if _LATIN.search(text) and _lookalike_script().search(text):
        text = fold_lookalikes(text)
    return text


class EventFeatureExtractor:
    """The feature columns of :data:`distillguard.detect.features.FEATURE_COLUMNS` for one event.

    Parameters
    ----------
    config:
        The ``features`` section (patterns, skeleton length, long-output threshold).
    max_scan_chars:
        Text features read at most this many characters of a prompt, so the cost of an
        event is bounded (``online.max_scan_chars``).
    """

    def __init__(self, config: FeatureConfig, *, max_scan_chars: int = 20000) -> None:
        self.config = config
        self.max_scan_chars = max_scan_chars
        self._cot = Matcher(with_folded(any_pattern(config.cot_patterns)))
        self._rubric = Matcher(with_folded(any_pattern(config.rubric_patterns)))
        self._capabilities = [
            (name, Matcher(with_folded(pattern)))
            for name, pattern in config.capabilities.items()
        ]
        self._skeleton = [(Matcher(p, ignore_case=False), r) for p, r, _ in SKELETON_MASKS]
        _format_chars()  # built once here, not on the first non-ASCII request
        _lookalike_script()

    def skeleton(self, matchable_prompt: str) -> str:
        text = simple_lower(matchable_prompt[:SKELETON_SCAN_CHARS])
        for matcher, replacement in self._skeleton:
            text = matcher.sub(replacement, text)
        return text.strip()[: self.config.skeleton_chars]

    @staticmethod
    def email_parts(email: str | None) -> tuple[str | None, str | None]:
        """(domain, local-part shape ``@`` domain), as ``features.email_parts``."""
        if email is None:
            return None, None
        lowered = simple_lower(email.strip())
        found = _EMAIL_DOMAIN.search(lowered)
        if found is None:
            return None, None
        domain = found.group(1)
        shape = _EMAIL_DOMAIN_TAIL.sub("", lowered)
        for pattern, replacement in _EMAIL_SHAPES:
            shape = pattern.sub(replacement, shape)
        return domain, f"{shape}@{domain}"

    def extract(self, event: Mapping[str, Any]) -> dict[str, Any]:
        """The derived columns for one event (``None`` where batch gives null)."""
        raw_prompt: str | None = event.get("prompt")
        raw_system: str | None = event.get("system_prompt")
        cut = self.max_scan_chars
        prompt = None if raw_prompt is None else matchable(raw_prompt[:cut])
        text = None if prompt is None else Text.of(prompt)
        capability = None
        if text is not None:
            capability = next(
                (name for name, m in self._capabilities if m.search(text)), "general"
            )
        cot = None
        if text is not None or raw_system is not None:
            cot = (text is not None and self._cot.search(text)) or (
                raw_system is not None
                and self._cot.search(Text.of(matchable(raw_system[:cut])))
            )
        ip = event.get("ip")
        network = None if ip is None else _network_prefix(ip)
        domain, pattern = self.email_parts(event.get("email"))
        max_tokens = event.get("max_tokens")
        return {
            "prompt_chars": None if raw_prompt is None else len(raw_prompt),
            "cot": cot,
            "rubric": None if text is None else self._rubric.search(text),
            "capability": capability,
            "skeleton": None if prompt is None else self.skeleton(prompt),
            "ip_prefix": network,
            "email_domain": domain,
            "email_pattern": pattern,
            "long_output": None if max_tokens is None
            else int(max_tokens) >= self.config.long_max_tokens,
            "ip_block": None if network is None else network_block(network),
        }
