"""The CLI: help on every verb, clean errors, and the demo path end to end."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from distillguard.cli import app

runner = CliRunner()


def _commands() -> list[list[str]]:
    import typer.main

    group = typer.main.get_command(app)
    names: list[list[str]] = []
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        names.append([name])
        for sub in getattr(command, "commands", {}):
            names.append([name, sub])
    return names


@pytest.mark.parametrize("command", _commands(), ids=lambda c: " ".join(c))
def test_every_command_has_help(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_when_the_cli_starts_then_the_heavy_libraries_are_not_loaded() -> None:
    heavy = ("scipy", "sklearn", "pandas", "pyarrow", "duckdb", "networkx", "sknetwork", "torch")
    code = ("import sys, distillguard.cli; "
            f"print(','.join(m for m in {heavy!r} if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert proc.stdout.strip() == ""  # each command imports what it needs when it runs


def test_when_input_file_is_missing_then_one_line_error_and_exit_2(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "distillguard.cli", "scan", str(tmp_path / "nope.jsonl"),
         "--out", str(tmp_path / "out")],
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "nope.jsonl" in lines[0], proc.stderr


def test_when_file_is_not_parquet_then_one_line_error_naming_it(tmp_path: Path) -> None:
    bad = tmp_path / "broken.parquet"
    bad.write_bytes(b"definitely not parquet")
    result = runner.invoke(app, ["scan", str(bad), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "broken.parquet" in result.output


def test_when_config_has_unknown_key_then_error_names_it(tmp_path: Path) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text("scoring:\n  wieghts: {}\n")
    result = runner.invoke(app, ["config", "check", str(cfg)])
    assert result.exit_code == 2
    assert "scoring.wieghts" in result.output


def test_config_show_prints_the_documented_defaults() -> None:
    result = runner.invoke(app, ["config", "show"])
    assert result.exit_code == 0
    assert "cot_patterns:" in result.output and "thresholds:" in result.output


def test_simulate_scan_eval_from_the_command_line(tmp_path: Path) -> None:
    sim, out = tmp_path / "sim", tmp_path / "scan"
    result = runner.invoke(app, ["simulate", "--accounts", "300", "--hours", "12", "--seed", "3",
                                 "--out", str(sim)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["scan", str(sim / "events.parquet"), "--out", str(out),
                                 "--labels", str(sim / "labels.parquet")])
    assert result.exit_code == 0, result.output
    assert "flagged_accounts" in result.output and "report.html" in result.output
    result = runner.invoke(app, ["eval", "--labels", str(sim / "labels.parquet"), "--scan",
                                 str(out), "--json"])
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.output)
    assert 0.0 <= metrics["recall"] <= 1.0
    assert metrics["campaigns_total"] >= 2


def test_simulate_reads_a_scenario_file_and_flags_override_it(tmp_path: Path) -> None:
    scenario = tmp_path / "mix.yaml"
    scenario.write_text(
        "accounts: 200\nhours: 4\nseed: 5\ncampaigns:\n"
        "  - archetype: campaign_reasoning\n    accounts: 6\n"
    )
    out = tmp_path / "sim"
    result = runner.invoke(app, ["simulate", "--scenario", str(scenario), "--accounts", "150",
                                 "--evasion-switch", "distinct_payments=true", "--out", str(out)])
    assert result.exit_code == 0, result.output
    import pyarrow.parquet as pq

    labels = pq.read_table(out / "labels.parquet").to_pylist()
    assert len(labels) == 150
    campaign = [r for r in labels if r["campaign_id"]]
    assert {r["archetype"] for r in campaign} == {"campaign_reasoning"} and len(campaign) == 6
    events = pq.read_table(out / "events.parquet", columns=["account_id", "payment_fingerprint"])
    cards = {r["payment_fingerprint"] for r in events.to_pylist()
             if r["account_id"] in {c["account_id"] for c in campaign}}
    assert len(cards) == 6  # distinct_payments: one card per account


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--evasion-switch", "bogus=1"], "unknown evasion switch 'bogus'"),
        (["--evasion-switch", "ip_rotation=lots"], "takes a number"),
        (["--evasion", "extreme"], "evasion must be one of"),
    ],
)
def test_when_simulate_arguments_are_wrong_then_clear_error(
    tmp_path: Path, args: list[str], message: str
) -> None:
    result = runner.invoke(app, ["simulate", "--accounts", "20", "--out", str(tmp_path), *args])
    assert result.exit_code == 2
    assert message in result.output


def test_when_scenario_file_has_unknown_key_then_error_names_it(tmp_path: Path) -> None:
    scenario = tmp_path / "mix.toml"
    scenario.write_text("acounts = 10\n")
    result = runner.invoke(app, ["simulate", "--scenario", str(scenario), "--out",
                                 str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "unknown scenario setting 'acounts'" in result.output


def test_eval_without_labels_or_suite_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["eval", "--scan", str(tmp_path)])
    assert result.exit_code == 2
    assert "--labels and --scan" in result.output


def test_eval_online_reports_detection_and_leakage_of_a_replay(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    import pyarrow as pa
    import pyarrow.parquet as pq

    t0 = datetime(2026, 2, 1, tzinfo=UTC)
    # Campaign account c1 is served 3 times, then blocked; the ordinary u1 is never flagged.
    pq.write_table(pa.table({
        "request_id": [f"r{i}" for i in range(8)],
        "account_id": ["c1", "c1", "c1", "c1", "c1", "u1", "u1", "u1"],
        "timestamp": [t0 + timedelta(minutes=i) for i in range(8)],
        "action": ["allow", "allow", "allow", "block", "block", "allow", "allow", "allow"],
    }), tmp_path / "decisions.parquet")
    pq.write_table(pa.table({
        "account_id": ["c1", "u1"], "archetype": ["campaign_x", "casual"],
        "campaign_id": pa.array(["camp-1", None], pa.string()),
    }), tmp_path / "labels.parquet")
    result = runner.invoke(app, ["eval", "--online", str(tmp_path / "decisions.parquet"),
                                 "--labels", str(tmp_path / "labels.parquet"), "--json"])
    assert result.exit_code == 0, result.output
    detection = json.loads(result.output)
    assert detection["campaigns_detected"] == 1
    assert detection["leakage"] == pytest.approx(3 / 5)
    assert detection["false_positive_rate"] == 0.0
    missing = runner.invoke(app, ["eval", "--online", str(tmp_path / "nope.parquet"),
                                  "--labels", str(tmp_path / "labels.parquet")])
    assert missing.exit_code == 2 and "not found" in missing.output
