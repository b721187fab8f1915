"""Harrow, an independent scenario: what is its own (the contract every independent
generator keeps is tested in test_independent_contract.py)."""

from __future__ import annotations

from collections.abc import Callable

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from tests.conftest import SmallRun


@pytest.fixture(scope="module")
def small(independent_small: Callable[[str], SmallRun]) -> SmallRun:
    return independent_small("harrow")


def test_campaigns_models_and_window(small: SmallRun) -> None:
    out, _, _ = small
    labels = pq.read_table(out / "labels.parquet").to_pylist()
    ids = {row["campaign_id"] for row in labels if row["campaign_id"]}
    assert all(i.startswith("har-") for i in ids)
    assert {row["archetype"] for row in labels} >= {"consumer", "coding_agent", "classroom",
                                                    "enterprise_batch", "cron_job"}
    events = pq.read_table(out / "events.parquet", columns=["timestamp", "model"])
    seen = pc.cast(events.column("timestamp"), "int64").to_numpy()
    assert (seen[1:] >= seen[:-1]).all()  # sorted by time
    new = pc.equal(events.column("model"), "lumen-3").to_numpy(zero_copy_only=False)
    release = 1_792_688_400_000_000  # 2026-10-22T17:00:00Z in microseconds
    assert new.any() and (seen[new] >= release).all()
