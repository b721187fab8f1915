"""The scan end to end: contract 2 outputs, counts, idempotent and incremental reruns."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from distillguard.config import default_config
from distillguard.scan import scan
from distillguard.schema import DECISIONS, FLAGGED_DECISIONS
from distillguard.simulate import Scenario, simulate


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sim")
    simulate(Scenario(accounts=400, hours=24, seed=11), out)
    return out


@pytest.fixture(scope="module")
def scanned(sim: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("scan")
    scan([sim / "events.parquet"], out)
    return out


def test_scan_writes_every_contract_file(scanned: Path) -> None:
    for name in ("accounts.parquet", "campaigns.json", "summary.json", "quarantine.parquet",
                 "report.html"):
        assert (scanned / name).is_file(), name


def test_accounts_parquet_has_contract_columns_and_one_row_per_account(
    scanned: Path, sim: Path
) -> None:
    accounts = pq.read_table(scanned / "accounts.parquet")
    assert accounts.column_names[:5] == ["account_id", "risk", "decision", "campaign_id", "reasons"]
    assert accounts.schema.field("reasons").type == pa.list_(pa.string())
    events = pq.read_table(sim / "events.parquet", columns=["account_id"])
    assert set(accounts.column("account_id").to_pylist()) == set(
        pc.unique(events.column("account_id")).to_pylist()
    )
    assert accounts.num_rows == len(set(accounts.column("account_id").to_pylist()))
    assert set(accounts.column("decision").to_pylist()) <= set(DECISIONS)
    risk = accounts.column("risk").to_numpy()
    assert ((risk >= 0) & (risk <= 1)).all()


def test_flagged_accounts_explain_themselves(scanned: Path) -> None:
    rows = pq.read_table(scanned / "accounts.parquet").to_pylist()
    flagged = [r for r in rows if r["decision"] in FLAGGED_DECISIONS]
    assert flagged, "the simulated campaigns must be flagged"
    assert all(r["reasons"] for r in flagged)


def test_campaigns_json_and_summary_agree(scanned: Path) -> None:
    campaigns = json.loads((scanned / "campaigns.json").read_text())
    summary = json.loads((scanned / "summary.json").read_text())
    accounts = pq.read_table(scanned / "accounts.parquet").to_pylist()
    assert summary["campaigns"] == len(campaigns) >= 1
    assert summary["rows_read"] == summary["rows_valid"] + summary["rows_quarantined"]
    assert summary["accounts"] == len(accounts)
    assert summary["flagged_accounts"] == sum(r["decision"] in FLAGGED_DECISIONS for r in accounts)
    members = {a["account_id"]: a["campaign_id"] for a in accounts if a["campaign_id"]}
    for campaign in campaigns:
        for key in ("campaign_id", "accounts", "risk", "first_seen", "last_seen", "exchanges",
                    "evidence"):
            assert key in campaign
        assert all(members[acc] == campaign["campaign_id"] for acc in campaign["accounts"])
        assert campaign["exchanges"] == sum(t["requests"] for t in campaign["evidence"]["timeline"])


def test_rerun_over_the_same_files_is_idempotent(sim: Path, tmp_path: Path) -> None:
    first = scan([sim / "events.parquet"], tmp_path, write_report=False)
    second = scan([sim / "events.parquet"], tmp_path, write_report=False)
    assert second.summary["files"][0]["skipped"] is True
    # A skipped file is not read again; its counts are those its ingest recorded.
    for key in ("rows_read", "rows_valid", "rows_quarantined", "duplicates"):
        assert second.summary[key] == first.summary[key]
    assert second.accounts.select(["account_id", "risk", "decision"]).equals(
        first.accounts.select(["account_id", "risk", "decision"])
    )
    assert second.summary["workspace"]["events"] == first.summary["workspace"]["events"]


def test_scanning_day_two_into_day_one_equals_scanning_both(sim: Path, tmp_path: Path) -> None:
    events = pq.read_table(sim / "events.parquet")
    cut = pc.min_max(events.column("timestamp"))["min"].value + 12 * 3600 * 10**6
    early = pc.less(pc.cast(events.column("timestamp"), pa.int64()), cut)
    (tmp_path / "days").mkdir()
    pq.write_table(events.filter(early), tmp_path / "days" / "day1.parquet")
    pq.write_table(events.filter(pc.invert(early)), tmp_path / "days" / "day2.parquet")
    ws = tmp_path / "ws.duckdb"
    scan([tmp_path / "days" / "day1.parquet"], tmp_path / "a", workspace=ws, write_report=False)
    incremental = scan([tmp_path / "days"], tmp_path / "b", workspace=ws, write_report=False)
    assert [f["skipped"] for f in incremental.summary["files"]] == [True, False]
    whole = scan([sim / "events.parquet"], tmp_path / "c", write_report=False)
    cols = ["account_id", "risk", "decision", "campaign_id"]
    assert incremental.accounts.select(cols).equals(whole.accounts.select(cols))


def test_when_a_scan_dies_mid_ingest_then_rerun_gives_the_same_result(
    sim: Path, tmp_path: Path
) -> None:
    events = pq.read_table(sim / "events.parquet")
    half = events.num_rows // 2
    (tmp_path / "in").mkdir()
    pq.write_table(events.slice(0, half), tmp_path / "in" / "a.parquet", row_group_size=5000)
    pq.write_table(events.slice(half), tmp_path / "in" / "b.parquet", row_group_size=5000)

    def die_in_second_file(path: str, done: int) -> None:
        if path.endswith("b.parquet"):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        scan([tmp_path / "in"], tmp_path / "out", on_rows=die_in_second_file, write_report=False)
    resumed = scan([tmp_path / "in"], tmp_path / "out", write_report=False)
    # a.parquet was committed before the crash; b.parquet was rolled back and is redone
    assert [f["skipped"] for f in resumed.summary["files"]] == [True, False]
    clean = scan([tmp_path / "in"], tmp_path / "clean", write_report=False)
    assert resumed.summary["workspace"]["events"] == clean.summary["workspace"]["events"]
    cols = ["account_id", "risk", "decision", "campaign_id"]
    assert resumed.accounts.select(cols).equals(clean.accounts.select(cols))


def test_when_rows_are_bad_then_good_rows_scanned_and_bad_quarantined(tmp_path: Path) -> None:
    ts = '"timestamp": "2026-02-01T10:00:00Z"'
    lines = [
        f'{{"request_id": "a1", {ts}, "account_id": "acc1", "prompt": "hi"}}',
        '{"request_id": "a2", "timestamp": 1769940000000, "account_id": "acc2", "prompt": "yo"}',
        "this is not json",
        f'{{"request_id": "a3", {ts}, "prompt": "no account"}}',
        '{"request_id": "a4", "timestamp": "yesterday-ish", "account_id": "acc1"}',
        f'{{"request_id": "a1", {ts}, "account_id": "acc1"}}',
        f'{{"request_id": "a5", {ts}, "account_id": "acc3", "ip": "999.1.1.1"}}',
    ]
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(lines) + "\n")
    result = scan([path], tmp_path / "out", write_report=False)
    summary = result.summary
    assert summary["rows_read"] == 7
    assert summary["rows_valid"] == 2
    assert summary["rows_quarantined"] == 5
    assert summary["duplicates"] == 1
    quarantine = pq.read_table(tmp_path / "out" / "quarantine.parquet").to_pylist()
    reasons = {q["source_row"]: q["reason"] for q in quarantine}
    assert set(reasons) == {3, 4, 5, 6, 7}
    assert "JSON" in reasons[3]
    assert "account_id" in reasons[4]
    assert "timestamp" in reasons[5]
    assert reasons[6] == "duplicate request_id"
    assert "ip" in reasons[7]
    assert sorted(result.accounts.column("account_id").to_pylist()) == ["acc1", "acc2"]


def test_an_account_an_analyst_dismissed_is_not_flagged_again(sim: Path, tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from distillguard.scan import analyse
    from distillguard.store.labels import record_label
    from distillguard.store.workspace import Workspace

    first = scan([sim / "events.parquet"], tmp_path, write_report=False)
    flagged = [r["account_id"] for r in first.accounts.to_pylist()
               if r["decision"] in FLAGGED_DECISIONS]
    with Workspace(tmp_path / "workspace.duckdb") as ws:
        record_label(ws.con, target_kind="account", target_id=flagged[0], verdict="dismissed",
                     note="known evaluation partner", analyst="ana",
                     now=datetime.now(UTC), allow_days=30)
        accounts, _, _ = analyse(ws, default_config())
    rows = {r["account_id"]: r for r in accounts.to_pylist()}
    assert rows[flagged[0]]["decision"] == "monitor"
    assert rows[flagged[0]]["reasons"][0].startswith("allow-listed")
    assert all(rows[a]["decision"] in FLAGGED_DECISIONS for a in flagged[1:])
