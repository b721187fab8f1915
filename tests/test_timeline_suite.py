"""Time to detection, leakage, scanning up to a time, and the evaluation suite."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from distillguard.config import default_config
from distillguard.evaluation.suite import SCENARIOS, run_suite
from distillguard.evaluation.timeline import detection_over_time
from distillguard.scan import scan
from distillguard.simulate import Scenario, simulate
from distillguard.store.workspace import Workspace


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("tl")
    simulate(Scenario(accounts=400, hours=12, seed=5), root / "sim")
    scan([root / "sim" / "events.parquet"], root / "scan", write_report=False)
    return root / "sim", root / "scan"


def test_leakage_is_the_share_of_campaign_exchanges_served_before_detection(
    scanned: tuple[Path, Path],
) -> None:
    sim, scan_dir = scanned
    with Workspace(scan_dir / "workspace.duckdb") as ws:
        timeline = detection_over_time(ws, sim / "labels.parquet", default_config(),
                                       step_hours=3)
    events = pq.read_table(sim / "events.parquet", columns=["account_id", "timestamp"])
    labels = pq.read_table(sim / "labels.parquet")
    assert timeline.campaigns and all(c.detected_at for c in timeline.campaigns)
    for campaign in timeline.campaigns:
        members = pc.filter(labels.column("account_id"),
                            pc.equal(labels.column("campaign_id"), campaign.campaign_id))
        mine = events.filter(pc.is_in(events.column("account_id"), members))
        detected = datetime.fromisoformat(campaign.detected_at or "")
        before = pc.sum(pc.less_equal(mine.column("timestamp"),
                                      pa.scalar(detected, pa.timestamp("us", "UTC")))).as_py()
        assert campaign.exchanges == mine.num_rows
        assert campaign.leaked_exchanges == before
        assert 0 <= campaign.hours_to_detection <= 12  # type: ignore[operator]
    total = sum(c.exchanges for c in timeline.campaigns)
    assert timeline.leakage == pytest.approx(
        sum(c.leaked_exchanges for c in timeline.campaigns) / total)


def test_when_a_campaign_is_never_flagged_then_it_leaks_everything(
    scanned: tuple[Path, Path],
) -> None:
    sim, scan_dir = scanned
    labels = pq.read_table(sim / "labels.parquet")
    # Label a handful of ordinary casual users as a "campaign" the engine cannot see.
    casual = pc.filter(labels.column("account_id"),
                       pc.equal(labels.column("archetype"), "casual"))[:5].to_pylist()
    fake = pa.table({"account_id": casual, "archetype": ["campaign_fake"] * 5,
                     "campaign_id": ["fake-1"] * 5})
    with Workspace(scan_dir / "workspace.duckdb") as ws:
        timeline = detection_over_time(ws, fake, default_config(), step_hours=6)
    (campaign,) = timeline.campaigns
    assert campaign.detected_at is None and campaign.hours_to_detection is None
    assert campaign.leakage == 1.0 and timeline.leakage == 1.0


def test_scan_until_sees_only_the_past(scanned: tuple[Path, Path], tmp_path: Path) -> None:
    sim, _ = scanned
    events = pq.read_table(sim / "events.parquet", columns=["account_id", "timestamp"])
    start = pc.min(events.column("timestamp")).as_py()
    until = start.replace(hour=start.hour + 2)
    early = scan([sim / "events.parquet"], tmp_path, until=until, write_report=False)
    expected = pc.count_distinct(events.filter(
        pc.less_equal(events.column("timestamp"), pa.scalar(until, pa.timestamp("us", "UTC")))
    ).column("account_id")).as_py()
    assert early.accounts.num_rows == expected
    assert early.summary["until"] == until.isoformat()
    assert early.summary["rows_read"] == events.num_rows  # everything is still ingested


def test_suite_writes_one_table_for_its_scenarios(tmp_path: Path) -> None:
    chosen = tuple(s for s in SCENARIOS if s.name in ("default", "metadata_only", "real_prompts"))
    result = run_suite(tmp_path, accounts=300, hours=6, seed=2, step_hours=3,
                       text_protocol=False, scenarios=chosen)
    by_name = {row["scenario"]: row for row in result.rows}
    assert by_name["real_prompts"]["skipped"] == "no --corpus given"
    assert by_name["default"]["campaigns_total"] >= 2
    assert "cot_elicitation" in by_name["metadata_only"]["signals_unavailable"]
    assert "cot_elicitation" not in by_name["default"]["signals_unavailable"]
    saved = json.loads((tmp_path / "suite.json").read_text())
    assert [r["scenario"] for r in saved["scenarios"]] == ["default", "metadata_only",
                                                          "real_prompts"]
    table = (tmp_path / "suite.md").read_text()
    assert "| default |" in table and "| metadata_only |" in table
