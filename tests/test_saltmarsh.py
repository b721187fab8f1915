"""The saltmarsh independent scenario: deterministic, valid, labelled."""

from __future__ import annotations

import time
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from distillguard.ingest import read_events
from distillguard.schema import CUSTOMER_SCHEMA, EVENT_SCHEMA, LABEL_SCHEMA
from distillguard.simulate.families import INDEPENDENT
from distillguard.simulate.independent.saltmarsh import generate, main

SCALE = 0.05
FILES = ("events.parquet", "labels.parquet", "customers.parquet")


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int], float]:
    out = tmp_path_factory.mktemp("saltmarsh")
    t0 = time.perf_counter()
    counts = generate(out, seed=3, scale=SCALE)
    return out, counts, time.perf_counter() - t0


def test_small_scale_is_fast(small: tuple[Path, dict[str, int], float]) -> None:
    assert small[2] < 10.0


def test_same_seed_same_bytes_other_seed_differs(
        small: tuple[Path, dict[str, int], float], tmp_path: Path) -> None:
    out, counts, _ = small
    again = generate(tmp_path / "a", seed=3, scale=SCALE)
    assert again == counts
    for name in FILES:
        assert (out / name).read_bytes() == (tmp_path / "a" / name).read_bytes(), name
    generate(tmp_path / "b", seed=4, scale=SCALE)
    assert (out / "events.parquet").read_bytes() != (tmp_path / "b" / "events.parquet").read_bytes()


def test_schemas_match(small: tuple[Path, dict[str, int], float]) -> None:
    out = small[0]
    assert pq.read_schema(out / "events.parquet").remove_metadata() == EVENT_SCHEMA
    assert pq.read_schema(out / "labels.parquet").remove_metadata() == LABEL_SCHEMA
    assert pq.read_schema(out / "customers.parquet").remove_metadata() == CUSTOMER_SCHEMA


def test_every_event_passes_validation(small: tuple[Path, dict[str, int], float]) -> None:
    out, counts, _ = small
    valid = 0
    for chunk in read_events([out / "events.parquet"]):
        assert chunk.quarantine.num_rows == 0, chunk.quarantine.slice(0, 3).to_pylist()
        valid += chunk.valid.num_rows
    assert valid == counts["events"] > 0


def test_labels_cover_every_account_once(small: tuple[Path, dict[str, int], float]) -> None:
    out, counts, _ = small
    events = pq.read_table(out / "events.parquet", columns=["account_id", "timestamp",
                                                            "account_created_at"])
    labels = pq.read_table(out / "labels.parquet")
    ids = labels["account_id"].to_pylist()
    assert len(ids) == len(set(ids)) == counts["accounts"]
    assert set(ids) == set(pc.unique(events["account_id"]).to_pylist())
    campaign = labels.filter(pc.is_valid(labels["campaign_id"]))
    assert len(set(campaign["campaign_id"].to_pylist())) == counts["campaigns"] >= 4
    assert all(a.startswith("campaign_") for a in campaign["archetype"].to_pylist())
    legit = labels.filter(pc.is_null(labels["campaign_id"]))
    assert not any(a.startswith("campaign_") for a in legit["archetype"].to_pylist())
    assert len(set(legit["archetype"].to_pylist())) >= 12
    assert not pc.any(pc.less(events["timestamp"], events["account_created_at"])).as_py()
    customers = pq.read_table(out / "customers.parquet")
    assert 0 < customers.num_rows < labels.num_rows
    assert set(customers["account_id"].to_pylist()) <= set(ids)


def test_registered_and_entry_point(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    family = INDEPENDENT["saltmarsh"]
    assert family.generator == "distillguard.simulate.independent.saltmarsh.generate"
    assert main([str(tmp_path / "cli"), "1", "0.02"]) == 0
    assert "'campaigns'" in capsys.readouterr().out
    assert (tmp_path / "cli" / "events.parquet").exists()
