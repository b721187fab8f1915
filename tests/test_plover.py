"""Plover's own facts: its window, models and release, its campaigns and legitimate groups,
labels that agree with the events, sizes, and a few marks of the tactics it describes."""

from __future__ import annotations

import importlib
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq

from tests.conftest import SmallRun

#: Campaign -> (archetype, accounts at scale 1 low, high, the minimum at any scale).
CAMPAIGNS = {
    "plv-swarm": ("campaign_hydra_swarm", 700, 950, 14),
    "plv-relay": ("campaign_reseller_routing", 10, 14, 3),
    "plv-pivot": ("campaign_release_pivot", 150, 260, 11),
    "plv-trace": ("campaign_cot_harvest", 40, 70, 5),
    "plv-mimic": ("campaign_consumer_mimicry", 140, 220, 8),
    "plv-drip": ("campaign_low_and_slow", 280, 420, 12),
    "plv-agentic": ("campaign_agent_trace", 60, 110, 5),
    "plv-stitch": ("campaign_split_chain", 30, 55, 6),
    "plv-launder": ("campaign_paraphrase_laundering", 24, 40, 5),
    "plv-softlabel": ("campaign_logprob_soft_labels", 10, 16, 3),
}
LEGITIMATE = {"casual", "mobile_casual", "privacy_vpn", "household", "release_tourist",
              "developer", "coding_agent", "classroom", "hackathon", "company_staff",
              "enterprise_batch", "cron", "synthetic_data_vendor", "declared_reseller",
              "research_lab", "support_bot", "translation_service", "rag_startup", "benchmark",
              "agent_platform"}
COLUMNS = ["timestamp", "account_id", "model", "ip", "prompt", "response", "logprobs",
           "account_created_at", "email", "payment_fingerprint"]


def _run(independent_small: Callable[[str], SmallRun]) -> SmallRun:
    return independent_small("plover")


def test_window_release_and_models(independent_small: Callable[[str], SmallRun]) -> None:
    out, _, _ = _run(independent_small)
    events = pq.read_table(out / "events.parquet", columns=["timestamp", "model"])
    ts = events.column("timestamp")
    assert pc.min(ts).as_py() >= datetime(2026, 11, 16, tzinfo=UTC)
    assert pc.max(ts).as_py() < datetime(2026, 11, 25, tzinfo=UTC)
    assert set(events.column("model").to_pylist()) == {"tern-2", "tern-2-lite", "tern-3"}
    new = events.filter(pc.equal(events.column("model"), "tern-3"))
    first = pc.min(new.column("timestamp")).as_py()
    assert datetime(2026, 11, 19, 16, tzinfo=UTC) <= first < datetime(2026, 11, 19, 21, tzinfo=UTC)


def test_campaigns_and_legitimate_groups(independent_small: Callable[[str], SmallRun]) -> None:
    out, counts, _ = _run(independent_small)
    labels = pq.read_table(out / "labels.parquet").to_pylist()
    by_campaign: dict[str, set[str]] = defaultdict(set)
    sizes: dict[str, int] = defaultdict(int)
    legit = set()
    for row in labels:
        if row["campaign_id"] is None:
            legit.add(row["archetype"])
        else:
            by_campaign[row["campaign_id"]].add(row["archetype"])
            sizes[row["campaign_id"]] += 1
    assert set(by_campaign) == set(CAMPAIGNS)
    for cid, (archetype, lo, hi, minimum) in CAMPAIGNS.items():
        assert by_campaign[cid] == {archetype}
        # scale 0.05: the minimum, or five per cent of the scale-1 range
        assert minimum - 1 <= sizes[cid] <= max(minimum, round(hi * 0.05)) + 1, cid
        assert lo >= 10 and hi <= 1000
    assert legit == LEGITIMATE
    assert counts["campaign_accounts"] == sum(sizes.values())


def test_labels_agree_with_events(independent_small: Callable[[str], SmallRun]) -> None:
    out, _, _ = _run(independent_small)
    events = pq.read_table(out / "events.parquet", columns=["account_id", "account_created_at",
                                                             "email", "payment_fingerprint"])
    labels = pq.read_table(out / "labels.parquet")
    assert set(events.column("account_id").to_pylist()) == set(
        labels.column("account_id").to_pylist())
    per_account: dict[str, set[tuple[object, ...]]] = defaultdict(set)
    for row in events.to_pylist():
        per_account[row["account_id"]].add((row["account_created_at"], row["email"],
                                            row["payment_fingerprint"]))
    assert all(len(v) == 1 for v in per_account.values())  # an account's identity is stable


def test_tactics_leave_their_marks(independent_small: Callable[[str], SmallRun]) -> None:
    out, _, _ = _run(independent_small)
    events = pq.read_table(out / "events.parquet", columns=COLUMNS).to_pylist()
    campaign = {row["account_id"]: row["campaign_id"]
                for row in pq.read_table(out / "labels.parquet").to_pylist()}
    rows: dict[str, list[dict[str, object]]] = defaultdict(list)
    for row in events:
        rows[campaign[str(row["account_id"])] or "legit"].append(row)
    # the hydra's requests leave through many residential exits
    swarm = rows["plv-swarm"]
    assert len({r["ip"] for r in swarm}) > 0.6 * len(swarm)
    # every soft-label request asks for log-probabilities
    assert all(r["logprobs"] is True for r in rows["plv-softlabel"])
    # the launderer sends the cheap model's paraphrase to the flagship
    launder = rows["plv-launder"]
    answers = {r["response"] for r in launder if r["model"] == "tern-2-lite"}
    assert sum(1 for r in launder if r["model"] != "tern-2-lite" and r["prompt"] in answers) > 10
    # a stitched chain quotes, in one account's prompt, what another account was answered
    stitch = rows["plv-stitch"]
    by_response = defaultdict(set)
    for r in stitch:
        by_response[r["response"]].add(r["account_id"])
    quoted = 0
    for r in stitch:
        for resp, owners in by_response.items():
            if resp and str(resp) in str(r["prompt"]) and r["account_id"] not in owners:
                quoted += 1
                break
    assert quoted > 10
    # the pivot moves most of its traffic to the new model after the release
    release = min(r["timestamp"] for r in events if r["model"] == "tern-3")
    after = [r for r in rows["plv-pivot"] if r["timestamp"] > release]
    assert sum(r["model"] == "tern-3" for r in after) > 0.4 * len(after)


def test_deterministic_without_a_corpus(tmp_path: Path) -> None:
    generate = importlib.import_module("distillguard.simulate.independent.plover").generate
    a = generate(tmp_path / "a", seed=11, scale=0.02)
    b = generate(tmp_path / "b", seed=11, scale=0.02)
    assert a == b and a["campaigns"] == 10
    for name in ("events.parquet", "labels.parquet", "customers.parquet"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
