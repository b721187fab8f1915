"""Make untrusted text safe to display: prompts, skeletons and ids are written by attackers.

Two helpers, one per output:

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

from rich.markup import escape as rich_escape

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
