"""Per-event features: table-driven cases on hand-made prompts."""

from __future__ import annotations

import pyarrow as pa
import pytest

from distillguard.config import default_config
from distillguard.detect.features import event_features
from distillguard.schema import FEATURE_COLUMNS

CFG = default_config().features


def features_of(**columns: list[object]) -> list[dict[str, object]]:
    n = len(next(iter(columns.values())))
    base: dict[str, list[object]] = {"request_id": [str(i) for i in range(n)]}
    table = pa.table({**base, **columns})
    return event_features(table, CFG).select(list(FEATURE_COLUMNS)).to_pylist()


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("Solve this and think step by step.", True),
        ("Please show your work.", True),
        ("Provide complete and transparent reasoning for each answer.", True),
        ("Explain your full reasoning before answering.", True),
        ("请一步一步地推理这个问题", True),
        ("Erkläre es Schritt für Schritt", True),
        ("Résous ce problème étape par étape", True),
        ("Resuelve paso a paso", True),
        ("Реши задачу шаг за шагом", True),
        ("What is the capital of France?", False),
        ("Write me a short poem about rain.", False),
    ],
)
def test_when_prompt_asks_for_reasoning_then_cot_is_set(prompt: str, expected: bool) -> None:
    assert features_of(prompt=[prompt])[0]["cot"] is expected


def test_when_only_system_prompt_asks_for_reasoning_then_cot_is_set() -> None:
    row = features_of(prompt=["What is 2+2?"], system_prompt=["Always reason step by step."])[0]
    assert row["cot"] is True


def test_when_prompt_is_missing_then_text_features_are_null() -> None:
    row = features_of(prompt=pa.array([None], pa.string()))[0]
    assert row["cot"] is None and row["capability"] is None and row["skeleton"] is None


@pytest.mark.parametrize(
    ("prompt", "capability"),
    [
        ("Write a Python function that parses a CSV header", "coding"),
        ("Call the search tool and then browse the result", "agentic"),
        ("Prove that the square root of 2 is irrational", "reasoning"),
        ("Run a regression on this dataset and report correlation", "data_analysis"),
        ("Write a haiku about autumn", "creative"),
        ("How was your weekend?", "general"),
    ],
)
def test_when_prompt_has_topic_then_capability_is_first_match(prompt: str, capability: str) -> None:
    assert features_of(prompt=[prompt])[0]["capability"] == capability


def test_when_prompts_differ_only_in_numbers_and_quotes_then_skeletons_match() -> None:
    rows = features_of(prompt=[
        'Analyse "ACME Corp" sales of 2023: revenue 1,204.5 and margin 12%',
        'Analyse "Globex" sales of 2021: revenue 88 and margin 7%',
        "Analyse the weather of Paris",
    ])
    assert rows[0]["skeleton"] == rows[1]["skeleton"]
    assert rows[0]["skeleton"] != rows[2]["skeleton"]
    assert rows[0]["skeleton"] == "analyse <q> sales of 0: revenue 0 and margin 0%"


def test_when_skeleton_is_long_then_it_is_cut() -> None:
    row = features_of(prompt=["word " * 1000])[0]
    assert isinstance(row["skeleton"], str) and len(row["skeleton"]) == CFG.skeleton_chars


@pytest.mark.parametrize(
    ("ip", "prefix"),
    [
        ("203.0.113.77", "203.0.113.0/24"),
        ("2001:db8:abcd:12::1", "2001:db8:abcd::/48"),
        (None, None),
    ],
)
def test_when_ip_given_then_network_prefix_is_derived(ip: str | None, prefix: str | None) -> None:
    assert features_of(ip=pa.array([ip], pa.string()))[0]["ip_prefix"] == prefix


def test_when_email_given_then_domain_and_shape_are_derived_without_the_address() -> None:
    rows = features_of(email=["John.Smith42@Example.COM", "user8231@mail.xyz", "user17@mail.xyz"])
    assert rows[0]["email_domain"] == "example.com"
    assert rows[0]["email_pattern"] == "a.a0@example.com"
    assert rows[1]["email_pattern"] == rows[2]["email_pattern"] == "a0@mail.xyz"


def test_when_rubric_prompt_then_rubric_is_set() -> None:
    rows = features_of(prompt=[
        "Grade the following response on a scale of 1 to 10",
        "Which answer is better, A or B? Explain.",
        "Which restaurant is better for kids?",
        "Tell me a joke",
    ])
    assert [r["rubric"] for r in rows] == [True, True, False, False]


def test_when_max_tokens_is_large_then_long_output_is_set() -> None:
    rows = features_of(max_tokens=pa.array([8192, 256, None], pa.int64()))
    assert [r["long_output"] for r in rows] == [True, False, None]
