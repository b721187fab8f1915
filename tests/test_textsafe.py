"""distillguard.textsafe: untrusted text made fit to display (HTML via Jinja, and Rich)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.text import Text

from distillguard.textsafe import safe_text, strip_controls, terminal_safe, truncate

_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")

# Plenty of control characters, the rest of Unicode, and lone surrogates.
untrusted_text = st.text(
    st.one_of(
        st.characters(max_codepoint=0xA0),
        st.characters(),
        st.characters(categories=["Cs"]),  # lone surrogates, which st.characters() omits
        st.sampled_from(["\x1b", "\x9b", "\u202e", "\r", "[", "]", "\\", "\n", "\t"]),
    ),
    max_size=300,
)


@pytest.mark.parametrize(
    ("value", "max_chars", "expected"),
    [
        (None, 10, ""),
        ("", 10, ""),
        ("plain", 10, "plain"),
        ("abcdef", 6, "abcdef"),
        ("abcdefg", 6, "abcde…"),
        ("a", 1, "a"),
        ("abcd", 1, "…"),
        ("abc", 0, ""),
        ("\x1b[31mred\x1b[0m", 20, "[31mred[0m"),
        ("line1\nline2\tx\r\n", 20, "line1\nline2\tx\n"),
        ("a\x00b\x7fc\x85d\x9be", 20, "abcde"),
        ("user\u202etxt.exe", 20, "usertxt.exe"),
        ("lone \ud800 surrogate", 30, "lone \ufffd surrogate"),
        ("<script>alert(1)</script>", 40, "<script>alert(1)</script>"),  # Jinja escapes
        (12345, 3, "12…"),
    ],
)
def test_when_value_given_then_safe_text_is_expected(
    value: object, max_chars: int, expected: str
) -> None:
    assert safe_text(value, max_chars) == expected  # type: ignore[arg-type]


def test_when_huge_text_then_result_is_cut_from_its_start() -> None:
    huge = "\x1b" * 10 + "x" * 500_000
    assert safe_text(huge, 8) == "xxxxxxx…"


def test_when_prefix_is_mostly_controls_then_later_text_is_still_shown() -> None:
    mostly_controls = "\x07" * 2_000 + "visible text"
    assert safe_text(mostly_controls, 40) == "visible text"


def test_when_rich_markup_then_terminal_safe_shows_it_literally() -> None:
    hostile = "[bold red]fake alert[/bold red] [link=https://evil.example]click[/link] end\\"
    rendered = Text.from_markup(f"[bold]{terminal_safe(hostile, 200)}[/bold]")
    assert rendered.plain == hostile
    assert [(span.start, span.end, span.style) for span in rendered.spans] == [
        (0, len(hostile), "bold")
    ]


def test_truncate_and_strip_controls_helpers() -> None:
    assert truncate("abcdef", 4) == "abc…"
    assert truncate("abc", 4) == "abc"
    assert strip_controls("a\x1bb\nc") == "ab\nc"


@settings(max_examples=300, deadline=None)
@given(value=untrusted_text, max_chars=st.integers(min_value=-2, max_value=120))
def test_safe_text_never_has_controls_and_never_exceeds_max(value: str, max_chars: int) -> None:
    result = safe_text(value, max_chars)
    assert len(result) <= max(0, max_chars)
    assert not _FORBIDDEN.search(result)
    result.encode("utf-8")  # always writable as UTF-8 (no lone surrogates)
    cleaned = strip_controls(value)
    if len(cleaned) <= max_chars:
        assert result == cleaned
    elif max_chars > 0:
        assert result.endswith("…")
        assert cleaned.startswith(result[:-1])


@settings(max_examples=200, deadline=None)
@given(value=untrusted_text, max_chars=st.integers(min_value=0, max_value=120))
def test_terminal_safe_displays_exactly_safe_text(value: str, max_chars: int) -> None:
    # Used inside markup, as the CLI does: the text shows exactly, and the closing tag
    # still closes (a trailing backslash cannot escape it).
    expected = safe_text(value, max_chars)
    rendered = Text.from_markup(f"[italic]{terminal_safe(value, max_chars)}[/italic]")
    assert rendered.plain == expected
    assert all(span.style == "italic" for span in rendered.spans)
