"""Kestrel, an independent scenario: determinism, schemas, validity and counts."""

from __future__ import annotations

import time
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from distillguard.ingest import read_events
from distillguard.schema import CUSTOMER_SCHEMA, EVENT_SCHEMA, LABEL_SCHEMA
from distillguard.simulate.independent.kestrel import generate, main

FILES = ("events.parquet", "labels.parquet", "customers.parquet")


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int], float]:
    out = tmp_path_factory.mktemp("kes") / "a"
    start = time.perf_counter()
    counts = generate(out, seed=3, scale=0.05)
    return out, counts, time.perf_counter() - start


def test_small_scale_is_fast_and_has_campaigns(small: tuple[Path, dict[str, int], float]) -> None:
    _out, counts, took = small
    assert took < 10
    assert counts["events"] > 1000 and counts["accounts"] > 100
    assert counts["campaigns"] == 8


def test_same_seed_same_bytes_other_seed_differs(
    small: tuple[Path, dict[str, int], float], tmp_path: Path
) -> None:
    out, _, _ = small
    generate(tmp_path / "b", seed=3, scale=0.05)
    generate(tmp_path / "c", seed=4, scale=0.05)
    for name in FILES:
        assert (out / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert (out / "events.parquet").read_bytes() != (tmp_path / "c" / "events.parquet").read_bytes()


def test_schemas_and_labels(small: tuple[Path, dict[str, int], float]) -> None:
    out, counts, _ = small
    events = pq.read_table(out / "events.parquet")
    labels = pq.read_table(out / "labels.parquet")
    customers = pq.read_table(out / "customers.parquet")
    assert events.schema.equals(EVENT_SCHEMA)
    assert labels.schema.equals(LABEL_SCHEMA)
    assert customers.schema.equals(CUSTOMER_SCHEMA)
    assert events.num_rows == counts["events"] and labels.num_rows == counts["accounts"]
    ids = labels.column("account_id").to_pylist()
    assert len(set(ids)) == len(ids)
    assert set(events.column("account_id").to_pylist()) <= set(ids)
    camp = labels.filter(pc.is_valid(labels.column("campaign_id")))
    assert all(a.startswith("campaign_") for a in camp.column("archetype").to_pylist())
    legit = labels.filter(pc.is_null(labels.column("campaign_id")))
    assert not any(a.startswith("campaign_") for a in legit.column("archetype").to_pylist())
    assert len(set(camp.column("campaign_id").to_pylist())) == counts["campaigns"]
    assert set(customers.column("account_id").to_pylist()) <= set(ids)
    assert 0 < customers.num_rows < labels.num_rows  # the table is incomplete
    created = pc.cast(events.column("account_created_at"), "int64").to_numpy()
    seen = pc.cast(events.column("timestamp"), "int64").to_numpy()
    assert (created < seen).all()


def test_every_event_passes_validation(small: tuple[Path, dict[str, int], float]) -> None:
    out, counts, _ = small
    valid = 0
    for chunk in read_events([out / "events.parquet"]):
        assert chunk.quarantine.num_rows == 0
        valid += chunk.valid.num_rows
    assert valid == counts["events"]


def test_entry_point(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert main([str(tmp_path / "x"), "1", "0.02"]) == 0
    assert "'campaigns': 8" in capsys.readouterr().out


def test_campaign_ids_and_sizes(small: tuple[Path, dict[str, int], float]) -> None:
    out, _, _ = small
    labels = pq.read_table(out / "labels.parquet")
    camp = [c for c in labels.column("campaign_id").to_pylist() if c is not None]
    assert all(c.startswith("kes-") for c in camp)
    assert len(camp) < labels.num_rows / 3  # legitimate traffic is the majority of accounts


def test_events_sorted_and_models_include_the_release(
    small: tuple[Path, dict[str, int], float],
) -> None:
    out, _, _ = small
    events = pq.read_table(out / "events.parquet", columns=["timestamp", "model", "request_id"])
    ts = pc.cast(events.column("timestamp"), "int64").to_numpy()
    assert (ts[1:] >= ts[:-1]).all()
    ids = events.column("request_id").to_pylist()
    assert len(set(ids)) == len(ids)
    models = set(events.column("model").to_pylist())
    assert {"aerie-3", "aerie-3-mini", "aerie-4"} <= models


def test_campaign_archetypes_and_account_creation(
    small: tuple[Path, dict[str, int], float],
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
