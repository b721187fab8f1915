"""Tidewater, the independent 96-hour scenario: determinism, schemas, labels, speed."""

from __future__ import annotations

import time
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from distillguard.schema import CUSTOMER_SCHEMA, EVENT_SCHEMA, LABEL_SCHEMA
from distillguard.simulate.independent.tidewater import generate, main

FILES = ("events.parquet", "labels.parquet", "customers.parquet")


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int], float]:
    out = tmp_path_factory.mktemp("tidewater")
    began = time.perf_counter()
    counts = generate(out, seed=3, scale=0.05)
    return out, counts, time.perf_counter() - began


def test_small_scale_is_fast_and_counts_match(small: tuple[Path, dict[str, int], float]) -> None:
    out, counts, seconds = small
    assert seconds < 10
    assert counts["events"] == pq.read_metadata(out / "events.parquet").num_rows > 1000
    assert counts["accounts"] == pq.read_metadata(out / "labels.parquet").num_rows > 50
    assert counts["campaigns"] == 6


def test_files_follow_the_schemas(small: tuple[Path, dict[str, int], float]) -> None:
    out, _, _ = small
    for name, schema in zip(FILES, (EVENT_SCHEMA, LABEL_SCHEMA, CUSTOMER_SCHEMA), strict=True):
        table = pq.read_table(out / name)
        assert table.schema.remove_metadata().equals(schema), name
    events = pq.read_table(out / "events.parquet")
    assert pc.count_distinct(events.column("request_id")).as_py() == events.num_rows
    assert set(events.column("status").unique().to_pylist()) <= {"ok", "refused", "error"}
    assert "aurora-4" in events.column("model").unique().to_pylist()


def test_every_account_has_one_label_and_campaigns_have_ids(
        small: tuple[Path, dict[str, int], float]) -> None:
    out, _, _ = small
    events = pq.read_table(out / "events.parquet", columns=["account_id"])
    labels = pq.read_table(out / "labels.parquet").to_pylist()
    ids = [row["account_id"] for row in labels]
    assert len(ids) == len(set(ids))
    assert set(ids) == set(events.column("account_id").unique().to_pylist())
    campaign = [row for row in labels if row["campaign_id"] is not None]
    legit = [row for row in labels if row["campaign_id"] is None]
    assert len(campaign) + len(legit) == len(labels)
    assert all(row["archetype"].startswith("campaign_") for row in campaign)
    assert not any(row["archetype"].startswith("campaign_") for row in legit)
    assert len({row["campaign_id"] for row in campaign}) == 6
    customers = pq.read_table(out / "customers.parquet").column("account_id").to_pylist()
    assert set(customers) < set(ids)  # some legitimate customers have no entry


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path,
                                                     small: tuple[Path, dict[str, int], float]
                                                     ) -> None:
    out, _, _ = small
    generate(tmp_path / "a", seed=3, scale=0.05)
    generate(tmp_path / "b", seed=4, scale=0.05)
    for name in FILES:
        assert (tmp_path / "a" / name).read_bytes() == (out / name).read_bytes()
    assert (tmp_path / "b" / "events.parquet").read_bytes() != (
        out / "events.parquet").read_bytes()


def test_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert main([str(tmp_path), "1", "0.02"]) == 0
    assert "'campaigns': 6" in capsys.readouterr().out


def test_every_event_passes_ingest_validation(small: tuple[Path, dict[str, int], float]) -> None:
    # Found on the first blind run: a three-hextet IPv6 prefix gave nine-hextet addresses,
    # and ingest rightly quarantined a whole campaign's events.
    from distillguard.ingest import read_events

    out, counts, _ = small
    chunks = list(read_events([out / "events.parquet"]))
    reasons = {r for c in chunks for r in c.quarantine.column("reason").to_pylist()}
    assert reasons == set()
    assert sum(c.valid.num_rows for c in chunks) == counts["events"]


def test_ipv6_addresses_have_eight_hextets_whatever_the_prefix() -> None:
    import ipaddress

    import numpy as np

    from distillguard.simulate.independent.tidewater_world import ipv6

    for prefix in ("2a0e:97c0:3e1", "2600:1700"):
        for address in ipv6(np.random.default_rng(0), prefix, 50):
            assert ipaddress.IPv6Address(address).exploded.count(":") == 7
            assert address.startswith(prefix + ":")
