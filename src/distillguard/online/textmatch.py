"""Configured regular expressions compiled for Python's ``re`` with RE2's meaning.

The batch engine matches ``features.*_patterns`` with Arrow's RE2 kernels; the online
guard matches one event at a time, where Python's ``re`` is far cheaper than an Arrow
call on a one-row table. The patterns are declared once (in the configuration) and
compiled here for the second engine (pySigma's idea: one rule, several backends).

The dialects differ in two ways, both handled here:

- In RE2, ``\\b``, ``\\w``, ``\\d`` and ``\\s`` are ASCII-only (``\\s`` is
  ``[\\t\\n\\f\\r ]``); in Python they are Unicode. :func:`to_python_regex` rewrites them
  as explicit ASCII classes.
- Case-insensitive matching. For ASCII text (nearly all traffic) the fast path matches a
  pattern whose literals are lower-cased against the lower-cased text, with ``re.ASCII``;
  on ASCII text that is exactly RE2's case-insensitive match and two to three times
  cheaper than ``re.IGNORECASE``. Other text takes the exact path (``re.IGNORECASE``
  with the ASCII classes), where Unicode case folding agrees with RE2's.

``tests/test_online_features.py`` checks both engines agree on simulated traffic and on
generated text.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from typing import Any

from distillguard.errors import ConfigError

_WORD = "0-9A-Za-z_"
_SPACE = "\\t\\n\\f\\r "
_DIGIT = "0-9"
#: Outside a character class.
_OUTSIDE: dict[str, str] = {
    "w": f"[{_WORD}]",
    "W": f"[^{_WORD}]",
    "d": f"[{_DIGIT}]",
    "D": f"[^{_DIGIT}]",
    "s": f"[{_SPACE}]",
    "S": f"[^{_SPACE}]",
    "b": f"(?:(?<=[{_WORD}])(?![{_WORD}])|(?<![{_WORD}])(?=[{_WORD}]))",
    "B": f"(?:(?<=[{_WORD}])(?=[{_WORD}])|(?<![{_WORD}])(?![{_WORD}]))",
}
#: Inside a character class (only the positive classes can be spliced in).
_INSIDE: dict[str, str] = {"w": _WORD, "d": _DIGIT, "s": _SPACE}
#: Under ``re.ASCII`` Python's own ``\\b``, ``\\w``, ``\\d`` already mean RE2's; only
#: whitespace differs (Python's ASCII ``\\s`` includes ``\\v``).
_ASCII_OUTSIDE: dict[str, str] = {"s": f"[{_SPACE}]", "S": f"[^{_SPACE}]"}
#: Non-ASCII characters that case-fold onto ASCII letters (long s, Kelvin sign).
_FOLD_TO_ASCII = {"ſ": "s", "K": "k"}


def to_python_regex(pattern: str, *, ascii_mode: bool = False, lower: bool = False) -> str:
    """Rewrite an RE2 pattern so Python's ``re`` matches exactly what RE2 matches.

    Parameters
    ----------
    ascii_mode:
        The result is compiled with ``re.ASCII`` (Python's ``\\b \\w \\d`` kept).
    lower:
        Lower-case the literal characters (never an escape such as ``\\S``), for the
        fast path that matches lower-cased text case-sensitively.

    Raises
    ------
    ConfigError
        For a negated Perl class inside a character class (``[^\\S]``), which has no
        ASCII-only spelling in Python's syntax.
    """
    outside = _ASCII_OUTSIDE if ascii_mode else _OUTSIDE
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            if in_class and nxt in _INSIDE:
                out.append(_INSIDE[nxt])
            elif in_class and nxt in "WDSbB":
                raise ConfigError(
                    f"pattern {pattern!r}: \\{nxt} inside a character class is not supported"
                )
            elif not in_class and nxt in outside:
                out.append(outside[nxt])
            else:
                out.append(pattern[i : i + 2])
            i += 2
            continue
        if not in_class and char == "[":
            in_class = True
            out.append(char)
            # A ']' right after '[' or '[^' is a literal, not the end of the class.
            if pattern[i + 1 : i + 2] == "^":
                out.append("^")
                i += 1
            if pattern[i + 1 : i + 2] == "]":
                out.append("\\]")
                i += 1
        elif in_class and char == "]":
            in_class = False
            out.append(char)
        elif lower:
            out.append(_FOLD_TO_ASCII.get(char, char.lower()))
        else:
            out.append(char)
        i += 1
    return "".join(out)


@dataclass(frozen=True)
class Text:
    """A text prepared once for several patterns: as given, and lower-cased if ASCII."""

    raw: str
    lowered: str | None  # None unless the text is ASCII

    @classmethod
    def of(cls, text: str) -> Text:
        return cls(text, text.lower() if text.isascii() else None)


def split_alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of a pattern, with whole ``(?:...)`` groups opened.

    ``(?:a|b)|(?:c)`` gives ``["a", "b", "c"]``: the same language, as a flat list.
    """
    parts: list[str] = []
    depth = 0
    start = 0
    for i, char in _structural_chars(pattern):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
    parts.append(pattern[start:])
    flat: list[str] = []
    for part in parts:
        inner = part[3:-1] if part.startswith("(?:") and part.endswith(")") else None
        if inner is not None and _balanced(inner):
            flat.extend(split_alternatives(inner))
        else:
            flat.append(part)
    return flat


def _balanced(pattern: str) -> bool:
    """Whether the parentheses of ``pattern`` close within it (outside classes/escapes)."""
    depth = 0
    for _, char in _structural_chars(pattern):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def _structural_chars(pattern: str) -> list[tuple[int, str]]:
    """Positions and characters outside escapes and character classes (where ``(``,
    ``)`` and ``|`` are syntax, not literals)."""
    out: list[tuple[int, str]] = []
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            # A ']' right after '[' or '[^' is a literal.
            if pattern[i + 1 : i + 2] == "^":
                i += 1
            if pattern[i + 1 : i + 2] == "]":
                i += 1
        else:
            out.append((i, char))
        i += 1
    return out


def can_match_ascii(pattern: str, flags: int = 0) -> bool:
    """Whether a (Python) pattern could match some ASCII-only text; errs towards yes."""
    # Python's own regex parser (``re._parser``), used read-only.
    parser = importlib.import_module("re._parser")

    def ok(items: Any) -> bool:
        for op, arg in items:
            name = str(op)
            if name == "LITERAL" and arg >= 128:
                return False
            if name == "IN" and not any(
                str(o) in ("NEGATE", "CATEGORY")
                or (str(o) == "LITERAL" and a < 128)
                or (str(o) == "RANGE" and a[0] < 128)
                for o, a in arg
            ):
                return False
            if name == "BRANCH" and not any(ok(branch) for branch in arg[1]):
                return False
            if name == "SUBPATTERN" and not ok(arg[-1]):
                return False
            if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") and arg[0] > 0 \
                    and not ok(arg[2]):
                return False
        return True

    try:
        return ok(parser.parse(pattern, flags))
    except Exception:  # an unknown construct: keep the pattern
        return True


class Matcher:
    """One RE2 pattern compiled for both paths (fast ASCII, exact Unicode)."""

    def __init__(self, pattern: str, *, ignore_case: bool = True) -> None:
        self.ignore_case = ignore_case
        flags = re.IGNORECASE if ignore_case else 0
        try:
            self._exact = re.compile(to_python_regex(pattern), flags)
            self._fast = re.compile(self._ascii_pattern(pattern), re.ASCII)
        except re.error as exc:
            raise ConfigError(
                f"pattern {pattern!r} is not a valid regular expression: {exc}"
            ) from None

    def _ascii_pattern(self, pattern: str) -> str:
        """The pattern for ASCII text: alternatives that cannot match ASCII text dropped,
        duplicates (a pattern and its look-alike-folded copy) merged."""
        leaves: list[str] = []
        for leaf in split_alternatives(pattern):
            python = to_python_regex(leaf, ascii_mode=True, lower=self.ignore_case)
            if python not in leaves and can_match_ascii(python, re.ASCII):
                leaves.append(python)
        # Nothing can match: a pattern that never matches.
        return "|".join(f"(?:{leaf})" for leaf in leaves) if leaves else "(?!)"

    def search(self, text: Text) -> bool:
        if text.lowered is None:
            return self._exact.search(text.raw) is not None
        return self._fast.search(text.lowered if self.ignore_case else text.raw) is not None

    def sub(self, replacement: str, text: str) -> str:
        """Replace every match (case-sensitive patterns only, as the skeleton's masks)."""
        pattern = self._fast if text.isascii() else self._exact
        return pattern.sub(replacement, text)
