"""Nightjar's own facts: its window, its models and the release, its campaign ids."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pyarrow.compute as pc
import pyarrow.parquet as pq

from tests.conftest import SmallRun

CAMPAIGN_IDS = {"nij-hydra", "nij-pivot", "nij-drip", "nij-vintage", "nij-evalco", "nij-stitch",
                "nij-ferry", "nij-cuckoo", "nij-relay", "nij-judge"}


def test_window_release_and_campaigns(independent_small: Callable[[str], SmallRun]) -> None:
    out, _, _ = independent_small("nightjar")
    events = pq.read_table(out / "events.parquet", columns=["timestamp", "model"])
    ts = events.column("timestamp")
    assert pc.min(ts).as_py() >= datetime(2026, 11, 16, tzinfo=UTC)
    assert pc.max(ts).as_py() < datetime(2026, 11, 25, tzinfo=UTC)
    new = events.filter(pc.equal(events.column("model"), "corvid-6"))
    first = pc.min(new.column("timestamp")).as_py()
    assert datetime(2026, 11, 19, 16, tzinfo=UTC) <= first < datetime(2026, 11, 19, 21, tzinfo=UTC)
    labels = pq.read_table(out / "labels.parquet")
    ids = {c for c in labels.column("campaign_id").to_pylist() if c is not None}
    assert ids == CAMPAIGN_IDS


def test_every_group_keeps_accounts_at_small_scale(
        independent_small: Callable[[str], SmallRun]) -> None:
    out, _, _ = independent_small("nightjar")
    labels = pq.read_table(out / "labels.parquet")
    archetypes = set(labels.column("archetype").to_pylist())
    legit = {a for a in archetypes if not a.startswith("campaign_")}
    assert len(legit) >= 15
    customers = pq.read_table(out / "customers.parquet")
    assert set(customers.column("tier").to_pylist()) <= {"free", "pay_as_you_go", "enterprise"}
