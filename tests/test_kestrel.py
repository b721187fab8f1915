"""Kestrel, an independent scenario: what is its own (the contract every independent
generator keeps is tested in test_independent_contract.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from distillguard.simulate.independent.kestrel import generate
from tests.conftest import SmallRun


@pytest.fixture(scope="module")
def small(independent_small: Callable[[str], SmallRun]) -> SmallRun:
    return independent_small("kestrel")


def test_campaign_archetypes_and_account_creation(
    small: SmallRun,
) -> None:
    out, counts, _ = small
    labels = pq.read_table(out / "labels.parquet").to_pylist()
    by_campaign: dict[str, set[str]] = {}
    for row in labels:
        if row["campaign_id"] is not None:
            by_campaign.setdefault(row["campaign_id"], set()).add(row["archetype"])
    assert len(by_campaign) == 8 and all(len(v) == 1 for v in by_campaign.values())
    legit = {row["archetype"] for row in labels if row["campaign_id"] is None}
    assert len(legit) >= 15
    assert counts["campaign_accounts"] == sum(1 for row in labels if row["campaign_id"])


def test_corpus_is_optional_and_used_when_given(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus" / "reasoning"
    corpus.mkdir(parents=True)
    (corpus / "gsm8k_test.jsonl").write_text(
        '{"question": "A KESTREL-TEST problem: what is 2 + 2?", "answer": "4"}\n', encoding="utf-8")
    generate(tmp_path / "with", seed=1, scale=0.02, corpus=tmp_path / "corpus")
    prompts = pq.read_table(tmp_path / "with" / "events.parquet", columns=["prompt"])
    assert any("KESTREL-TEST" in (p or "") for p in prompts.column("prompt").to_pylist())
