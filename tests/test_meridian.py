"""Meridian, the independent scenario: determinism, contracts 1 and 3, and its own invariants."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from distillguard.ingest import read_events
from distillguard.schema import EVENT_SCHEMA, LABEL_SCHEMA
from distillguard.simulate.independent.meridian import generate

FILES = ("events", "labels", "customers")
SEED, SCALE = 1, 0.05


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict]:
    first, second = tmp_path_factory.mktemp("meridian-a"), tmp_path_factory.mktemp("meridian-b")
    counts = generate(first, seed=SEED, scale=SCALE)
    generate(second, seed=SEED, scale=SCALE)
    return first, second, counts


def _read(out: Path, name: str) -> pa.Table:
    return pq.read_table(out / f"{name}.parquet")


def test_same_seed_and_scale_give_byte_identical_files(runs: tuple[Path, Path, dict]) -> None:
    first, second, _ = runs
    for name in FILES:
        assert (first / f"{name}.parquet").read_bytes() == (second / f"{name}.parquet").read_bytes()


def test_counts_match_the_files(runs: tuple[Path, Path, dict]) -> None:
    out, _, counts = runs
    labels = _read(out, "labels")
    assert counts["events"] == _read(out, "events").num_rows > 1000
    assert counts["accounts"] == labels.num_rows
    assert counts["campaigns"] == 5 == len(pc.unique(labels["campaign_id"].drop_null()))


def test_one_label_and_one_customer_row_per_account_with_traffic(
    runs: tuple[Path, Path, dict],
) -> None:
    out, _, _ = runs
    events, labels, customers = (_read(out, name) for name in FILES)
    in_events = set(pc.unique(events["account_id"]).to_pylist())
    assert labels.num_rows == len(set(labels["account_id"].to_pylist())) == len(in_events)
    assert set(labels["account_id"].to_pylist()) == in_events
    assert customers["account_id"].to_pylist() == labels["account_id"].to_pylist()


def test_campaign_id_is_set_exactly_on_campaign_archetypes(runs: tuple[Path, Path, dict]) -> None:
    labels = _read(runs[0], "labels")
    assert labels.schema.names == LABEL_SCHEMA.names
    assert labels.schema.field("campaign_id").type == pa.string()
    rows = labels.to_pylist()
    assert any(r["campaign_id"] is None for r in rows)
    for r in rows:
        assert (r["campaign_id"] is not None) == r["archetype"].startswith("campaign_"), r


def test_request_ids_are_unique(runs: tuple[Path, Path, dict]) -> None:
    events = _read(runs[0], "events")
    assert len(pc.unique(events["request_id"])) == events.num_rows


def test_events_have_every_contract_1_column_and_pass_ingest(
    runs: tuple[Path, Path, dict],
) -> None:
    path = runs[0] / "events.parquet"
    events = pq.read_table(path)
    assert events.schema.names == EVENT_SCHEMA.names
    for field in EVENT_SCHEMA:
        got = events.schema.field(field.name).type
        if pa.types.is_timestamp(field.type):
            assert pa.types.is_timestamp(got) and got.tz == "UTC", field.name
        elif pa.types.is_integer(field.type):
            assert pa.types.is_integer(got), field.name
        else:
            assert got == field.type, field.name
    chunks = list(read_events([path], now=datetime(2026, 4, 1, tzinfo=UTC)))
    assert sum(c.quarantine.num_rows for c in chunks) == 0, chunks[0].quarantine.to_pylist()[:3]
    assert sum(c.valid.num_rows for c in chunks) == events.num_rows
