"""Ironbridge, an independent scenario: what is its own (the contract every independent
generator keeps is tested in test_independent_contract.py)."""

from __future__ import annotations

from collections.abc import Callable

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from tests.conftest import SmallRun


@pytest.fixture(scope="module")
def small(independent_small: Callable[[str], SmallRun]) -> SmallRun:
    return independent_small("ironbridge")


def test_campaign_ids_and_sizes(small: SmallRun) -> None:
    out, _, _ = small
    labels = pq.read_table(out / "labels.parquet")
    camp = [c for c in labels.column("campaign_id").to_pylist() if c is not None]
    assert all(c.startswith("irb-") for c in camp)
    assert len(camp) < labels.num_rows / 3  # legitimate traffic is the majority of accounts


def test_events_sorted_and_models_include_the_release(
    small: SmallRun,
) -> None:
    out, _, _ = small
    events = pq.read_table(out / "events.parquet", columns=["timestamp", "model", "request_id"])
    ts = pc.cast(events.column("timestamp"), "int64").to_numpy()
    assert (ts[1:] >= ts[:-1]).all()
    ids = events.column("request_id").to_pylist()
    assert len(set(ids)) == len(ids)
    models = set(events.column("model").to_pylist())
    assert {"ib-lattice-3", "ib-lattice-3.5"} <= models
