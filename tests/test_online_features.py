"""The online guard's per-event features equal the batch engine's (one rule, two engines)."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from distillguard.config import default_config
from distillguard.detect.features import event_features
from distillguard.errors import ConfigError
from distillguard.online.features import EventFeatureExtractor, matchable, simple_lower
from distillguard.online.textmatch import (
    Matcher,
    Text,
    can_match_ascii,
    split_alternatives,
    to_python_regex,
)
from distillguard.schema import FEATURE_COLUMNS
from distillguard.simulate import Scenario, simulate
from tests.helpers import events_table

CONFIG = default_config()
EXTRACTOR = EventFeatureExtractor(CONFIG.features)


def batch_and_online(rows: list[dict[str, object]]) -> tuple[list[dict], list[dict]]:
    table = events_table(rows)
    batch = event_features(table, CONFIG.features).select(list(FEATURE_COLUMNS)).to_pylist()
    online = [EXTRACTOR.extract(row) for row in table.to_pylist()]
    return batch, online


def test_when_simulated_traffic_then_online_features_equal_batch_features(tmp_path):
    simulate(Scenario(accounts=150, hours=6, seed=5), tmp_path)
    table = pq.read_table(tmp_path / "events.parquet")
    batch = event_features(table, CONFIG.features)
    online = [EXTRACTOR.extract(row) for row in table.to_pylist()]
    assert table.num_rows > 2000
    for column in FEATURE_COLUMNS:
        expected = batch.column(column).to_pylist()
        got = [row[column] for row in online]
        mismatches = [(e, g) for e, g in zip(expected, got, strict=True) if e != g]
        assert not mismatches, f"{column}: {len(mismatches)} differ, e.g. {mismatches[:3]}"


# Pieces that exercise what differs between RE2 and Python's re: Unicode word characters
# next to \b, Unicode digits and spaces, look-alike letters, full-width forms, invisible
# format characters, dotted capital I, final sigma, long s, Kelvin sign.
FRAGMENTS = [
    "step by step", "Step-By-Step", "ＳＴＥＰ by step", "ѕtер bу ѕtер", "s\u200btep by step",
    "explain your reasoning", "show your work", "chain of thought", "Rubric", "rubric:",
    "grade the response", "on a scale of 1 to 10", "python", "épython", "_python",
    "Python3", "éclass", "tools", "agentic", "theorem", "dataset", "image", "poem",
    "Schritt für Schritt", "SCHRITT FÜR SCHRITT", "étape par étape", "paso a paso",
    "шаг за шагом", "一步一步", "详细推理", "ステップバイステップ", "단계별로",
    " ", "\t", "\n", "\u00a0", "\u2003", "\v", "\u3000", "12", "٣", "3.5", "1,000",
    "\"quoted text\"", "user@example.com", "https://x.io/a?b=1", "İstanbul", "ΟΔΟΣ",
    "ſtep by ſtep", "\u212aelvin", "ﬁle", "x²", "\u00ad", "\ufeff", "Ω", "a" * 40,
]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=8)
                .map(" ".join), min_size=1, max_size=12))
def test_when_text_mixes_scripts_and_spaces_then_both_engines_agree(prompts):
    rows = [{"prompt": p, "system_prompt": p[::-1] if i % 3 == 0 else None}
            for i, p in enumerate(prompts)]
    batch, online = batch_and_online(rows)
    assert online == batch


@pytest.mark.parametrize(("email", "domain", "pattern"), [
    ("John.Smith42@Example.com", "example.com", "a.a0@example.com"),
    ("  user8231@mail.io ", "mail.io", "a0@mail.io"),
    ("no-at-sign", None, None),
    ("ÉLODIE@x.fr", "x.fr", "?a@x.fr"),
])
def test_when_email_then_domain_and_shape_as_batch(email, domain, pattern):
    assert EventFeatureExtractor.email_parts(email) == (domain, pattern)
    batch, online = batch_and_online([{"email": email}])
    assert (batch[0]["email_domain"], batch[0]["email_pattern"]) == (domain, pattern)
    assert (online[0]["email_domain"], online[0]["email_pattern"]) == (domain, pattern)


def test_when_nothing_but_metadata_then_text_features_are_null():
    batch, online = batch_and_online([{"ip": "10.1.2.3", "max_tokens": 9000}])
    assert online == batch
    assert online[0]["cot"] is None and online[0]["skeleton"] is None
    assert online[0]["ip_prefix"] == "10.1.2.0/24" and online[0]["long_output"] is True


@pytest.mark.parametrize(("pattern", "expected"), [
    (r"\bcode\b", r"(?:(?<=[0-9A-Za-z_])(?![0-9A-Za-z_])|(?<![0-9A-Za-z_])(?=[0-9A-Za-z_]))"
                  r"code(?:(?<=[0-9A-Za-z_])(?![0-9A-Za-z_])|(?<![0-9A-Za-z_])(?=[0-9A-Za-z_]))"),
    (r"\s+", r"[\t\n\f\r ]+"),
    (r"[^\s\d]x", r"[^\t\n\f\r 0-9]x"),
    (r"[]\w]", r"[\]0-9A-Za-z_]"),
    (r"a\.b", r"a\.b"),
])
def test_when_re2_perl_classes_then_rewritten_as_ascii_classes(pattern, expected):
    assert to_python_regex(pattern) == expected


def test_when_negated_class_inside_brackets_then_config_error():
    with pytest.raises(ConfigError, match="inside a character class"):
        to_python_regex(r"[\S]")


def test_when_alternatives_are_grouped_then_split_flattens_them():
    assert split_alternatives("(?:a|b)|(?:c(?:d|e))|[|]|f\\|g") == [
        "a", "b", "c(?:d|e)", "[|]", "f\\|g"]


@pytest.mark.parametrize(("pattern", "ascii_possible"), [
    ("一步一步|逐步", False), ("schritt für schritt|denkweise", True), ("(?:für)?x", True),
    ("[ü]", False), ("[^ü]", True), ("ü+", False), ("ü*", True),
])
def test_when_pattern_needs_non_ascii_then_fast_path_drops_it(pattern, ascii_possible):
    assert can_match_ascii(pattern) is ascii_possible


def test_when_pattern_is_invalid_then_config_error_names_it():
    with pytest.raises(ConfigError, match="not a valid regular expression"):
        Matcher("(unclosed")


def test_when_ascii_text_then_fast_path_matches_case_insensitively():
    matcher = Matcher("step by step|шаг")
    assert matcher.search(Text.of("Please go STEP BY STEP"))
    assert not matcher.search(Text.of("no steps here"))
    assert matcher.search(Text.of("Покажи ШАГ"))


def test_when_special_lowercase_then_one_character_each():
    assert simple_lower("İSTANBUL ΟΔΟΣ") == "istanbul οδοσ"
    assert matchable("ｓｔｅｐ") == "step"
    assert matchable("ѕtер") == "step"  # mixed Latin and Cyrillic: look-alikes folded
    assert matchable("шаг") == "шаг"  # pure Cyrillic stays


def test_when_prompt_is_long_then_only_max_scan_chars_are_read():
    extractor = EventFeatureExtractor(CONFIG.features, max_scan_chars=50)
    event = {"prompt": "x " * 100 + "step by step"}
    assert extractor.extract(event)["cot"] is False
    assert EXTRACTOR.extract(event)["cot"] is True
    assert extractor.extract(event)["prompt_chars"] == len(event["prompt"])

