"""Make untrusted text safe to display: prompts, skeletons and ids are written by attackers.

Helpers per output (plus :func:`csv_safe_cell` for spreadsheets, and
:func:`matchable_text`, the normalised form of text that detection patterns see):

- :func:`safe_text` for HTML (the report) and plain text. It removes control characters
  and cuts the text; it does **not** HTML-escape, because Jinja's autoescape does that
  (escaping twice would show ``&amp;lt;`` to the reader).
- :func:`terminal_safe` for Rich output (the CLI): the same, plus Rich markup escaped, so
  a prompt such as ``[bold red]`` or ``[link=...]`` is shown, not interpreted.

Removed: C0 controls (U+0000–U+001F) except newline and tab, DEL (U+007F), C1 controls
(U+0080–U+009F; U+009B is a one-character ANSI escape introducer), and the bidirectional
overrides and isolates (U+202A–U+202E, U+2066–U+2069) that can make displayed text read
differently from what it is ("Trojan Source"). Lone UTF-16 surrogates, which a JSON file
may carry and which cannot be written as UTF-8, become U+FFFD.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.markup import escape as rich_escape

if TYPE_CHECKING:  # Arrow is imported by the functions over arrays, not by the CLI's start
    import pyarrow as pa

ELLIPSIS = "…"

_CONTROL_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_LONE_SURROGATES = re.compile("[\ud800-\udfff]")


def strip_controls(value: str) -> str:
    """Remove control characters (see the module docstring); keep ``\\n`` and ``\\t``."""
    cleaned = _CONTROL_CHARS.sub("", value)
    return _LONE_SURROGATES.sub("\ufffd", cleaned)


def truncate(value: str, max_chars: int) -> str:
    """Cut ``value`` to at most ``max_chars`` characters, ending with ``…`` when cut."""
    if max_chars <= 0:
        return ""
    if len(value) <= max_chars:
        return value
    return value[: max_chars - 1] + ELLIPSIS


def safe_text(value: str | None, max_chars: int) -> str:
    """Text fit to display: control characters removed, cut to ``max_chars``.

    Parameters
    ----------
    value:
        Untrusted text; ``None`` gives ``""``. Anything else is converted with ``str``.
    max_chars:
        Longest result, ellipsis included; ``0`` or less gives ``""``.

    Returns
    -------
    str
        Never longer than ``max_chars``; no C0/C1 control other than ``\\n`` and ``\\t``.
        Not HTML-escaped: render it through an autoescaping template.

    Examples
    --------
    >>> safe_text("\\x1b[31mred\\x1b[0m", 10)
    '[31mred[0m'
    >>> safe_text("abcdef", 4)
    'abc…'
    """
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if max_chars <= 0:
        return ""
    # Bound the work on huge inputs (a prompt may be 200,000 characters): clean a
    # prefix with a margin, and the whole text only when the prefix was mostly controls.
    prefix = text[: max_chars * 4 + 64]
    cleaned = strip_controls(prefix)
    if len(cleaned) <= max_chars and len(prefix) < len(text):
        cleaned = strip_controls(text)
    return truncate(cleaned, max_chars)


def terminal_safe(value: str | None, max_chars: int) -> str:
    """Like :func:`safe_text`, with Rich markup escaped, for ``console.print``.

    Meant to be placed inside markup, e.g. ``f"[bold]{terminal_safe(x, 80)}[/bold]"``:
    there the displayed text is exactly ``safe_text(value, max_chars)``. The returned
    string may be longer, because escaping adds backslashes (a trailing backslash is
    doubled so that it cannot escape a following tag; on its own it shows doubled).
    """
    return rich_escape(safe_text(value, max_chars))


# -- outputs other than HTML and the terminal ---------------------------------------------

#: A spreadsheet treats a cell starting with one of these as a formula (``=cmd|' /c calc'!A1``,
#: ``+1+1``, ``-2+3``, ``@SUM(...)``), and a leading tab or newline hides the sign.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def csv_safe_cell(value: object) -> str:
    """A value fit for a CSV cell that a spreadsheet will open: formulas neutralised.

    Control characters are removed as in :func:`strip_controls` (a carriage return too),
    then text starting with ``=``, ``+``, ``-``, ``@`` (or their full-width forms), a tab
    or a newline gets a leading apostrophe, the OWASP advice against CSV injection.
    ``None`` gives ``""``.
    Numbers pass through ``str`` unchanged (``-1.5`` is data, not a formula).

    Examples
    --------
    >>> csv_safe_cell("=cmd|' /c calc'!A1")
    "'=cmd|' /c calc'!A1"
    >>> csv_safe_cell(-1.5)
    '-1.5'
    """
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    text = strip_controls(value if isinstance(value, str) else str(value))
    if text.startswith(_FORMULA_START):
        text = "'" + text
    return text


# -- text prepared for pattern matching ---------------------------------------------------

#: Unicode format characters (zero-width space and joiners, soft hyphen, word joiner, BOM,
#: bidirectional marks, ...): invisible, so inserting them evades a pattern at no cost.
_FORMAT_CHARS = r"\p{Cf}"
_MIXED_SCRIPT_LATIN = r"[A-Za-z]"
_LOOKALIKE_SCRIPTS = r"[\p{Cyrillic}\p{Greek}]"
#: Cyrillic and Greek letters drawn like Latin ones (a subset of Unicode's confusables,
#: the letters that occur in practice), folded to Latin in mixed-script text.
LATIN_LOOKALIKES: dict[str, str] = {
    # Cyrillic, lower case then upper case
    "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s", "ԁ": "d",
    "ԛ": "q", "ԝ": "w", "һ": "h", "ӏ": "l", "ɡ": "g",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
    "С": "C", "Т": "T", "У": "Y", "Х": "X", "І": "I", "Ј": "J", "Ѕ": "S", "Ԛ": "Q",
    "Ԝ": "W", "Һ": "H", "Ӏ": "I",
    # Greek
    "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
    "τ": "t", "υ": "u", "χ": "x", "ϲ": "c", "ϳ": "j",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
    "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
}  # fmt: skip
_FOLD_TABLE = str.maketrans(LATIN_LOOKALIKES)


def fold_lookalikes(value: str) -> str:
    """Replace Cyrillic/Greek letters that look Latin by the Latin letters (one string).

    Used on *patterns* (a handful, cached), never per event: see :func:`matchable_text`.
    """
    return value.translate(_FOLD_TABLE)


def _replace_where(
    text: pa.ChunkedArray | pa.Array, mask: pa.Array, transform: Callable[[pa.Array], pa.Array]
) -> pa.Array:
    """``text`` with ``transform`` applied to the rows where ``mask`` is true only."""
    import pyarrow as pa
    import pyarrow.compute as pc

    array = text.combine_chunks() if isinstance(text, pa.ChunkedArray) else text
    mask = pc.fill_null(mask, False)
    if not pc.any(mask).as_py():
        return array
    changed = transform(pc.filter(array, mask))
    return pc.replace_with_mask(array, mask, changed.cast(array.type))


def matchable_text(text: pa.ChunkedArray | pa.Array) -> pa.Array:
    """Text prepared for pattern matching, so invisible tricks do not evade the patterns.

    NFKC normalisation (full-width ``ｓｔｅｐ`` and mathematical ``𝐬𝐭𝐞𝐩`` become ``step``),
    Unicode format characters removed (zero-width spaces and joiners, soft hyphens, bidi
    marks), and in text that mixes Latin with Cyrillic or Greek letters, the look-alike
    letters folded to Latin (``ѕtер`` → ``step``). Pure Cyrillic or Greek text is left
    alone; patterns are matched in both forms (:func:`fold_lookalikes` on the pattern).
    Only non-ASCII rows are touched (ASCII is already in this form), so ordinary traffic
    costs one ASCII check. The result is for matching only: the stored prompt is the
    original.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    array = text.combine_chunks() if isinstance(text, pa.ChunkedArray) else text
    return _replace_where(array, pc.invert(pc.string_is_ascii(array)), _normalise_non_ascii)


def _normalise_non_ascii(part: pa.Array) -> pa.Array:
    import pyarrow.compute as pc

    part = pc.replace_substring_regex(
        pc.utf8_normalize(part, form="NFKC"), pattern=_FORMAT_CHARS, replacement="")
    mixed = pc.and_(
        pc.match_substring_regex(part, pattern=_MIXED_SCRIPT_LATIN),
        pc.match_substring_regex(part, pattern=_LOOKALIKE_SCRIPTS),
    )
    return _replace_where(part, mixed, _fold_array)


def _fold_array(part: pa.Array) -> pa.Array:
    import pyarrow.compute as pc

    for lookalike, latin in LATIN_LOOKALIKES.items():
        part = pc.replace_substring(part, pattern=lookalike, replacement=latin)
    return part
