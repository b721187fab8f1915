"""Larkspur's own facts: its window, its models and the release, its campaign ids."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pyarrow.compute as pc
import pyarrow.parquet as pq

from tests.conftest import SmallRun

CAMPAIGN_IDS = {"lar-hydra", "lar-vintage", "lar-trickle", "lar-lattice", "lar-toolsmith",
                "lar-shellco", "lar-pivot", "lar-echo", "lar-sieve", "lar-mosaic"}


def test_window_release_and_campaigns(independent_small: Callable[[str], SmallRun]) -> None:
    out, _, _ = independent_small("larkspur")
    events = pq.read_table(out / "events.parquet", columns=["timestamp", "model"])
    ts = events.column("timestamp")
    assert pc.min(ts).as_py() >= datetime(2026, 11, 4, tzinfo=UTC)
    assert pc.max(ts).as_py() < datetime(2026, 11, 13, tzinfo=UTC)
    new = events.filter(pc.equal(events.column("model"), "lumen-3"))
    first = pc.min(new.column("timestamp")).as_py()
    assert datetime(2026, 11, 9, 15, tzinfo=UTC) <= first < datetime(2026, 11, 9, 21, tzinfo=UTC)
    labels = pq.read_table(out / "labels.parquet")
    ids = {c for c in labels.column("campaign_id").to_pylist() if c is not None}
    assert ids == CAMPAIGN_IDS
