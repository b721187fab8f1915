"""Analyst labels: append-only history, latest wins, campaign expansion, allow-list, export."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow.csv as pacsv
import pytest
from hypothesis import given
from hypothesis import strategies as st

from distillguard.errors import ConfigError, WorkspaceError
from distillguard.evaluation.evaluate import load_labels
from distillguard.store.labels import (
    TABLE,
    account_labels,
    allowlisted_accounts,
    connect_workspace,
    export_labels,
    label_history,
    neutralise_formulas,
    record_label,
)

T0 = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)


def label(con: duckdb.DuckDBPyConnection, kind: str, target: str, verdict: str, *,
          hours: float = 0, **extra: object) -> None:
    record_label(con, target_kind=kind, target_id=target, verdict=verdict,
                 note=f"{verdict} {target}", analyst="ana", now=T0 + timedelta(hours=hours),
                 **extra)  # type: ignore[arg-type]


def by_account(con: duckdb.DuckDBPyConnection, campaigns: list[dict] | None = None) -> dict:
    return {r["account_id"]: r for r in account_labels(con, campaigns).to_pylist()}


@pytest.fixture()
def con() -> duckdb.DuckDBPyConnection:
    return duckdb.connect()


def test_when_nothing_is_labelled_then_every_reader_is_empty(con) -> None:
    assert account_labels(con).num_rows == 0
    assert label_history(con) == []
    assert allowlisted_accounts(con, T0) == set()


def test_when_a_target_is_relabelled_then_history_keeps_both_and_the_latest_wins(con) -> None:
    label(con, "account", "a1", "confirm")
    label(con, "account", "a1", "dismiss", hours=1)
    assert con.execute(f"SELECT count(*) FROM {TABLE}").fetchone() == (2,)
    history = label_history(con, target_id="a1")
    assert [h["verdict"] for h in history] == ["dismissed", "confirmed"]  # newest first
    assert label_history(con, latest_only=True)[0]["verdict"] == "dismissed"
    row = by_account(con)["a1"]
    assert (row["archetype"], row["is_campaign"], row["campaign_id"]) == (
        "analyst_dismissed", False, None)


def test_when_labelled_at_the_same_instant_then_the_later_row_wins(con) -> None:
    label(con, "account", "a1", "dismiss")
    label(con, "account", "a1", "confirm")
    assert by_account(con)["a1"]["verdict"] == "confirmed"


def test_when_a_campaign_is_confirmed_then_its_stored_members_are_campaign_accounts(con) -> None:
    label(con, "campaign", "C0001", "confirm", members=["a1", "a2", "a1"])
    rows = by_account(con)
    assert sorted(rows) == ["a1", "a2"]
    assert {(r["archetype"], r["campaign_id"], r["is_campaign"], r["source"])
            for r in rows.values()} == {("analyst_confirmed", "C0001", True, "campaign")}


def test_when_a_campaign_label_has_no_members_then_the_given_campaigns_expand_it(con) -> None:
    label(con, "campaign", "C0002", "confirm")
    assert account_labels(con).num_rows == 0
    rows = by_account(con, [{"campaign_id": "C0002", "accounts": ["b1", "b2"]}])
    assert sorted(rows) == ["b1", "b2"]


def test_when_members_were_stored_then_they_win_over_todays_campaign_of_that_id(con) -> None:
    # Campaign ids are ranks within one scan: today's C0001 may be another group.
    label(con, "campaign", "C0001", "confirm", members=["old1", "old2"])
    rows = by_account(con, [{"campaign_id": "C0001", "accounts": ["new1"]}])
    assert sorted(rows) == ["old1", "old2"]


def test_when_an_account_has_its_own_label_then_it_overrides_the_campaign_label(con) -> None:
    label(con, "account", "a2", "dismiss")  # earlier than the campaign label, still wins
    label(con, "campaign", "C0001", "confirm", hours=2, members=["a1", "a2"])
    rows = by_account(con)
    assert rows["a1"]["verdict"] == "confirmed"
    assert (rows["a2"]["verdict"], rows["a2"]["source"]) == ("dismissed", "account")


def test_when_an_account_is_confirmed_alone_then_it_gets_its_campaign_or_its_own(con) -> None:
    label(con, "account", "a1", "confirm")
    label(con, "account", "z9", "confirm")
    rows = by_account(con, [{"campaign_id": "C0007", "accounts": ["a1"]}])
    assert rows["a1"]["campaign_id"] == "C0007"
    assert rows["z9"]["campaign_id"] == "analyst:z9"


def test_when_a_verdict_is_cleared_then_the_account_falls_back_to_its_campaign(con) -> None:
    label(con, "campaign", "C0001", "confirm", members=["a1"])
    label(con, "account", "a1", "dismiss", hours=1)
    label(con, "account", "a1", "clear", hours=2)
    assert by_account(con)["a1"]["verdict"] == "confirmed"
    label(con, "campaign", "C0001", "clear", hours=3)
    assert account_labels(con).num_rows == 0


def test_when_dismissed_then_allowlisted_until_the_entry_expires(con) -> None:
    label(con, "campaign", "C0003", "dismiss", members=["c1", "c2"], allow_days=30)
    label(con, "account", "d1", "dismiss", allow_days=2)
    label(con, "account", "e1", "dismiss", allow_days=0)  # dismissed, never allow-listed
    label(con, "account", "c2", "confirm", hours=1)  # a later confirmation ends it
    assert allowlisted_accounts(con, T0 + timedelta(days=1)) == {"c1", "d1"}
    assert allowlisted_accounts(con, T0 + timedelta(days=3)) == {"c1"}
    assert allowlisted_accounts(con, T0 + timedelta(days=31)) == set()
    expires = by_account(con)["c1"]["expires_at"]
    assert expires == T0 + timedelta(days=30)


def test_when_allow_days_is_not_given_then_the_configured_default_applies(con) -> None:
    from distillguard.config import default_config

    label(con, "account", "a1", "dismiss")
    days = default_config().labels.allowlist_days
    assert by_account(con)["a1"]["expires_at"] == T0 + timedelta(days=days)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("target_kind", "org", "target_kind"),
    ("verdict", "maybe", "verdict"),
    ("analyst", "  ", "analyst is required"),
    ("target_id", "", "target_id"),
    ("target_id", "a\x1b[31m", "target_id"),
])
def test_when_a_label_is_malformed_then_config_error_names_it(con, field, value, message) -> None:
    fields = {"target_kind": "account", "target_id": "a1", "verdict": "confirmed",
              "note": "", "analyst": "ana"}
    fields[field] = value
    with pytest.raises(ConfigError, match=message):
        record_label(con, **fields)  # type: ignore[arg-type]


def test_when_notes_are_huge_or_hostile_then_they_are_cleaned_and_cut(con) -> None:
    record_label(con, target_kind="account", target_id="a1", verdict="confirmed",
                 note="x\x00\x1b" + "y" * 10_000, analyst="ana\u202e")
    row = label_history(con)[0]
    assert len(row["note"]) == 4000 and "\x00" not in row["note"] and "\x1b" not in row["note"]
    assert row["analyst"] == "ana"


def test_when_exported_as_parquet_then_eval_reads_contract_3(con, tmp_path: Path) -> None:
    label(con, "campaign", "C0001", "confirm", members=["a1", "a2"])
    label(con, "account", "b1", "dismiss")
    count = export_labels(con, tmp_path / "labels.parquet")
    assert count == 3
    labels = load_labels(tmp_path / "labels.parquet")
    assert labels.column_names == ["account_id", "archetype", "campaign_id"]
    assert labels.to_pylist() == [
        {"account_id": "a1", "archetype": "analyst_confirmed", "campaign_id": "C0001"},
        {"account_id": "a2", "archetype": "analyst_confirmed", "campaign_id": "C0001"},
        {"account_id": "b1", "archetype": "analyst_dismissed", "campaign_id": None},
    ]


def test_when_exported_as_csv_then_formula_cells_are_neutralised(con, tmp_path: Path) -> None:
    record_label(con, target_kind="account", target_id="=HYPERLINK(\"x\")", verdict="confirmed",
                 note="=cmd|' /c calc'!A1", analyst="@ana", now=T0)
    out = tmp_path / "labels.csv"
    assert export_labels(con, out) == 1
    row = pacsv.read_csv(out).to_pylist()[0]
    assert row["note"] == "'=cmd|' /c calc'!A1"
    assert row["analyst"] == "'@ana"
    assert row["account_id"] == "'=HYPERLINK(\"x\")"
    assert ",\"2026-02-01T12:00:00Z\"," in out.read_text()  # ISO-8601 UTC text


def test_when_the_export_suffix_is_unknown_then_config_error(con, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"\.parquet or \.csv"):
        export_labels(con, tmp_path / "labels.xlsx")


@given(st.text(max_size=30))
def test_neutralised_cells_never_start_a_formula(value: str) -> None:
    import pyarrow as pa

    cell = neutralise_formulas(pa.array([value])).to_pylist()[0]
    assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
    assert cell in (value, "'" + value)


def test_when_the_workspace_is_read_only_then_recording_says_so(tmp_path: Path) -> None:
    path = tmp_path / "ws.duckdb"
    duckdb.connect(str(path)).close()
    with connect_workspace(path, read_only=True) as ro, pytest.raises(WorkspaceError,
                                                                    match="read-only"):
        record_label(ro, target_kind="account", target_id="a1", verdict="confirmed",
                     note="", analyst="ana")


def test_when_another_process_writes_the_workspace_then_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "ws.duckdb"
    duckdb.connect(str(path)).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
         "print('ready', flush=True); time.sleep(60)", str(path)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        with pytest.raises(WorkspaceError, match="in use by another process"), \
                connect_workspace(path, read_only=False):
            pass
    finally:
        holder.kill()
        holder.wait()
    with connect_workspace(path, read_only=False) as con:  # free again once it has gone
        assert con.execute("SELECT 1").fetchone() == (1,)


def test_when_the_workspace_is_missing_then_workspace_error(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="no workspace"), \
            connect_workspace(tmp_path / "nope.duckdb", read_only=True):
        pass
