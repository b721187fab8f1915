"""The contract every independent family's generator keeps (``IndependentFamily``):
fast at small scale, byte-identical per seed, the three tables in their schemas, labels
that cover every account, events that all pass validation, and a command-line entry
point. Each family's own file tests what is its own (its window, models, campaign ids)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from distillguard.ingest import read_events
from distillguard.schema import CUSTOMER_SCHEMA, EVENT_SCHEMA, LABEL_SCHEMA
from tests.conftest import SmallRun

FILES = ("events.parquet", "labels.parquet", "customers.parquet")
#: Family → its number of campaigns (every one exists at any scale).
CAMPAIGNS = {"fenland": 6, "harrow": 9, "ironbridge": 8, "kestrel": 8, "larkspur": 10,
             "nightjar": 10, "osprey": 10, "plover": 10}
#: Family → the prefix of its campaign ids and the models it serves, the new one included.
CAMPAIGN_PREFIX = {"fenland": "fen-", "harrow": "har-", "ironbridge": "irb-", "kestrel": "kes-",
                   "larkspur": "lar-", "nightjar": "nij-", "osprey": "osp-", "plover": "plv-"}
MODELS = {"fenland": {"ouse-3", "ouse-4"}, "harrow": {"lumen-2", "lumen-3"},
          "ironbridge": {"ib-lattice-3", "ib-lattice-3.5"},
          "kestrel": {"aerie-3", "aerie-3-mini", "aerie-4"},
          "larkspur": {"lumen-2", "lumen-2-flash", "lumen-3"},
          "nightjar": {"corvid-5", "corvid-5-mini", "corvid-6"},
          "osprey": {"strix-4", "strix-4-nano", "strix-5"},
          "plover": {"tern-2", "tern-2-lite", "tern-3"}}


def _module(name: str) -> object:
    return importlib.import_module(f"distillguard.simulate.independent.{name}")


@pytest.fixture(params=sorted(CAMPAIGNS))
def family(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def small(family: str, independent_small: Callable[[str], SmallRun]) -> SmallRun:
    return independent_small(family)


def test_small_scale_is_fast_and_has_campaigns(family: str, small: SmallRun) -> None:
    _out, counts, took = small
    assert took < 10
    assert counts["events"] > 1000 and counts["accounts"] > 100
    assert counts["campaigns"] == CAMPAIGNS[family]


def test_same_seed_same_bytes_other_seed_differs(family: str, small: SmallRun,
                                                  tmp_path: Path) -> None:
    out, _, _ = small
    generate = _module(family).generate
    generate(tmp_path / "b", seed=3, scale=0.05)
    generate(tmp_path / "c", seed=4, scale=0.05)
    for name in FILES:
        assert (out / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert (out / "events.parquet").read_bytes() != (tmp_path / "c" / "events.parquet").read_bytes()


def test_schemas_and_labels(small: SmallRun) -> None:
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


def test_every_event_passes_validation(small: SmallRun) -> None:
    out, counts, _ = small
    valid = 0
    for chunk in read_events([out / "events.parquet"]):
        assert chunk.quarantine.num_rows == 0
        valid += chunk.valid.num_rows
    assert valid == counts["events"]


def test_entry_point(family: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main = _module(family).main
    assert main([]) == 2
    assert main([str(tmp_path / "x"), "1", "0.02"]) == 0
    assert f"'campaigns': {CAMPAIGNS[family]}" in capsys.readouterr().out


def test_campaign_ids_and_sizes(family: str, small: SmallRun) -> None:
    out, _, _ = small
    labels = pq.read_table(out / "labels.parquet")
    camp = [c for c in labels.column("campaign_id").to_pylist() if c is not None]
    assert all(c.startswith(CAMPAIGN_PREFIX[family]) for c in camp)
    assert len(camp) < labels.num_rows / 3  # legitimate traffic is the majority of accounts


def test_events_sorted_and_models_include_the_release(family: str, small: SmallRun) -> None:
    out, _, _ = small
    events = pq.read_table(out / "events.parquet", columns=["timestamp", "model", "request_id"])
    ts = pc.cast(events.column("timestamp"), "int64").to_numpy()
    assert (ts[1:] >= ts[:-1]).all()
    ids = events.column("request_id").to_pylist()
    assert len(set(ids)) == len(ids)
    assert MODELS[family] <= set(events.column("model").to_pylist())


def test_each_family_runs_from_the_command_line_with_its_arguments(
        capsys: pytest.CaptureFixture[str]) -> None:
    from distillguard.simulate.independent import command_line

    calls: list[tuple[object, ...]] = []

    def generate(out: object, *, seed: int, scale: float, corpus: object) -> dict[str, int]:
        calls.append((out, seed, scale, corpus))
        return {"events": 7}

    assert command_line(generate, "plover", ["out", "9", "0.5", "corpus"]) == 0
    assert calls == [(Path("out"), 9, 0.5, Path("corpus"))]
    assert "{'events': 7}" in capsys.readouterr().out
    assert command_line(generate, "plover", ["out"]) == 0 and calls[-1] == (Path("out"), 0, 1.0,
                                                                            None)
    assert command_line(generate, "plover", []) == 2
    assert "independent.plover OUT [SEED]" in capsys.readouterr().err
