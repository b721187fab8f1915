"""Osprey's own facts: its window, models and release, its campaign ids, and a few
properties of its campaigns and legitimate groups that the scenario promises."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from tests.conftest import SmallRun

CAMPAIGN_IDS = {"osp-hydra", "osp-trickle", "osp-pivot", "osp-grader", "osp-campus",
                "osp-relay", "osp-frontapp", "osp-paraphrase", "osp-shifts", "osp-packer"}


def _joined(out: Path) -> pa.Table:
    events = pq.read_table(out / "events.parquet")
    labels = pq.read_table(out / "labels.parquet")
    return events.join(labels, "account_id")


def test_window_release_and_campaigns(independent_small: Callable[[str], SmallRun]) -> None:
    out, counts, _ = independent_small("osprey")
    events = pq.read_table(out / "events.parquet", columns=["timestamp", "model"])
    ts = events.column("timestamp")
    assert pc.min(ts).as_py() >= datetime(2026, 9, 3, tzinfo=UTC)
    assert pc.max(ts).as_py() < datetime(2026, 9, 12, tzinfo=UTC)
    new = events.filter(pc.equal(events.column("model"), "strix-5"))
    first = pc.min(new.column("timestamp")).as_py()
    assert datetime(2026, 9, 8, 15, tzinfo=UTC) <= first < datetime(2026, 9, 8, 21, tzinfo=UTC)
    labels = pq.read_table(out / "labels.parquet")
    ids = {c for c in labels.column("campaign_id").to_pylist() if c is not None}
    assert ids == CAMPAIGN_IDS
    assert counts["campaign_accounts"] == sum(c is not None for c in
                                              labels.column("campaign_id").to_pylist())
    legit = {a for a, c in zip(labels.column("archetype").to_pylist(),
                               labels.column("campaign_id").to_pylist(), strict=True) if c is None}
    assert len(legit) >= 15


def test_relayed_tasks_reach_several_workers(independent_small: Callable[[str], SmallRun]
                                             ) -> None:
    out, _, _ = independent_small("osprey")
    t = _joined(out)
    relay = t.filter(pc.and_(pc.equal(t["campaign_id"], "osp-relay"),
                             pc.equal(t["turn"], 0)))
    grouped = relay.group_by("prompt").aggregate([("account_id", "count_distinct")])
    assert pc.max(grouped.column("account_id_count_distinct")).as_py() >= 2


def test_shift_accounts_change_country_and_packer_outputs_are_huge(
        independent_small: Callable[[str], SmallRun]) -> None:
    out, _, _ = independent_small("osprey")
    t = _joined(out)
    shifts = t.filter(pc.equal(t["campaign_id"], "osp-shifts"))
    per = shifts.group_by("account_id").aggregate([("country", "count_distinct")])
    assert pc.min(per.column("country_count_distinct")).as_py() >= 2
    packer = t.filter(pc.equal(t["campaign_id"], "osp-packer"))
    ok = packer.filter(pc.equal(packer["status"], "ok"))
    assert np.median(ok.column("completion_tokens").to_numpy()) > 10_000


def test_customer_table_is_incomplete_and_hydra_rotates_exits(
        independent_small: Callable[[str], SmallRun]) -> None:
    out, _, _ = independent_small("osprey")
    customers = pq.read_table(out / "customers.parquet")
    labels = pq.read_table(out / "labels.parquet")
    assert 0.75 * labels.num_rows < customers.num_rows < labels.num_rows
    t = _joined(out)
    hydra = t.filter(pc.equal(t["campaign_id"], "osp-hydra"))
    assert len(pc.unique(hydra["ip"])) > hydra.num_rows / 3
    assert len(pc.unique(hydra["country"])) > 5
    assert len(pc.unique(hydra["tls_fingerprint"])) == 1
