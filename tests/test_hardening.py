"""Hostile input and output: ingest survives what attackers send, invisible characters do not
evade the text features, outputs cannot carry terminal escapes or spreadsheet formulas,
and a scan killed mid-ingest resumes to the same result."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from distillguard.cli import app
from distillguard.config import default_config
from distillguard.detect.features import event_features
from distillguard.scan import scan
from distillguard.simulate import Scenario, simulate
from distillguard.store.workspace import Workspace
from distillguard.textsafe import csv_safe_cell, matchable_text

runner = CliRunner()
TS = '"timestamp": "2026-02-01T10:00:00Z"'
#: Terminal control: CSI, OSC (set the window title), a C1 CSI, BEL.
ESCAPES = ("\x1b[2J", "\x1b]0;pwned\x07", "\x9b31m")


def _line(request_id: str, extra: str = "") -> bytes:
    return f'{{"request_id": "{request_id}", {TS}, "account_id": "acc"{extra}}}'.encode()


HOSTILE_LINES: list[tuple[bytes, str | None]] = [
    (_line("ok"), None),
    (_line("utf8", ', "prompt": "bad ') + b"\xff\xfe" + b' bytes"}', "invalid UTF-8"),
    (_line("big", ', "prompt": "' + "x" * 10_000_000 + '"'), "prompt too long"),
    (_line("deep", ', "prompt": ' + "[" * 5000 + "]" * 5000), "JSON nested too deep"),
    (_line("deep2", ', "prompt": ' + "[" * 100 + "]" * 100), "wrong type for prompt"),
    (_line("wide", ', "x_unknown": "' + "y" * 5_000_000 + '"'), None),  # extra column: ignored
    (_line("nested", ', "x_meta": ' + '{"a": ' * 3000 + "1" + "}" * 3000),
     "JSON nested too deep"),  # even in a column nobody reads: the bound is the record's
    (_line("nested2", ', "x_meta": ' + '{"a": ' * 100 + "1" + "}" * 100), None),
    (_line("nul", ', "prompt": "a\\u0000b"'), "NUL byte in prompt"),
    (b'{"request_id": "type", "timestamp": {"a": 1}, "account_id": "acc"}',
     "unparseable timestamp"),
    (_line("n", ', "n": "many"'), "wrong type for n"),
    (b'{"request_id": "past", "timestamp": "1970-01-01T00:00:00Z", "account_id": "acc"}',
     "timestamp out of range"),
    (b'{"request_id": "future", "timestamp": "2999-01-01T00:00:00Z", "account_id": "acc"}',
     "timestamp out of range"),
    (b'{"request_id": "inf", "timestamp": 1e300, "account_id": "acc"}', "timestamp out of range"),
    (_line("ok"), "duplicate request_id"),
    (b"[1, 2, 3]", "not a JSON object"),
    (json.dumps({"request_id": "zw", "timestamp": "2026-02-01T10:00:00Z", "account_id": "acc",
                 "prompt": "st\u200bep b\u00ady st\u200dep"}, ensure_ascii=False).encode(), None),
    (json.dumps({"request_id": "conf", "timestamp": "2026-02-01T10:00:00Z",
                 "account_id": "\u0430cc", "prompt": "\u0455t\u0435p by \u0455t\u0435p"},
                ensure_ascii=False).encode(), None),
]


def test_when_ingest_meets_hostile_lines_then_each_has_a_clear_outcome_and_counts_add_up(
    tmp_path: Path,
) -> None:
    path = tmp_path / "hostile.jsonl"
    path.write_bytes(b"\n".join(line for line, _ in HOSTILE_LINES) + b"\n")
    result = scan([path], tmp_path / "out", write_report=False)
    summary = result.summary
    assert summary["rows_read"] == len(HOSTILE_LINES)
    assert summary["rows_read"] == summary["rows_valid"] + summary["rows_quarantined"]
    quarantine = pq.read_table(tmp_path / "out" / "quarantine.parquet").to_pylist()
    reasons = {row["source_row"]: row["reason"] for row in quarantine}
    for number, (_, expected) in enumerate(HOSTILE_LINES, start=1):
        if expected is None:
            assert number not in reasons, (number, reasons.get(number))
        else:
            assert expected in reasons[number], (number, reasons[number])
    with Workspace(tmp_path / "out" / "workspace.duckdb") as ws:
        rows = dict(ws.con.execute("SELECT request_id, cot FROM events").fetchall())
    # Zero-width characters and look-alike letters are data, kept, and do not hide the ask.
    assert rows["zw"] is True and rows["conf"] is True


def test_when_csv_cells_are_formulas_then_they_are_data_and_neutralised_in_csv_output(
    tmp_path: Path,
) -> None:
    formulas = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(1,2)", "=HYPERLINK(\"http://x\")"]
    table = pa.table({
        "request_id": [f"r{i}" for i in range(len(formulas))],
        "timestamp": ["2026-02-01T10:00:00Z"] * len(formulas),
        "account_id": formulas, "prompt": formulas,
    })
    import pyarrow.csv as pacsv

    pacsv.write_csv(table, tmp_path / "formulas.csv")
    result = scan([tmp_path / "formulas.csv"], tmp_path / "out", write_report=False)
    assert result.summary["rows_valid"] == len(formulas)  # data, stored as written
    assert sorted(result.accounts.column("account_id").to_pylist()) == sorted(formulas)
    assert [csv_safe_cell(f) for f in formulas] == ["'" + f for f in formulas]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"), ("+cmd", "'+cmd"), ("-x", "'-x"), ("@x", "'@x"), ("\tx", "'\tx"),
        ("\r=1", "'=1"), ("\uff1d1+1", "'\uff1d1+1"), ("plain", "plain"), ("a=1", "a=1"),
        (None, ""), (-1.5, "-1.5"), (3, "3"), ("a\x1bb", "ab"),
    ],
)
def test_csv_safe_cell(value: object, expected: str) -> None:
    assert csv_safe_cell(value) == expected


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=50))
def test_csv_safe_cell_never_starts_a_formula(value: str) -> None:
    assert not csv_safe_cell(value).startswith(("=", "+", "-", "@", "\t", "\r", "\n"))


# -- invisible characters do not evade the text features ------------------------------

EVASIONS = [
    "think step by step",
    "think st\u200bep by st\u200cep",  # zero-width space and non-joiner
    "think s\u00adtep\u2060 by step",  # soft hyphen, word joiner
    "think \uff53\uff54\uff45\uff50 by step",  # full-width letters
    "think \U0001d42c\U0001d42d\U0001d41e\U0001d429 by step",  # mathematical bold
    "think \u0455t\u0435\u0440 by \u0455t\u0435\u0440",  # Cyrillic look-alikes
    "think \ufeffstep by step\u202e",  # BOM, bidi override
]


@pytest.mark.parametrize("prompt", EVASIONS)
def test_when_prompt_hides_its_ask_with_invisible_or_lookalike_characters_then_cot_is_found(
    prompt: str,
) -> None:
    table = pa.table({"request_id": ["a", "b"], "prompt": [prompt + " 12", "think step by step 7"]})
    rows = event_features(table, default_config().features).to_pylist()
    assert rows[0]["cot"] is True
    assert rows[0]["skeleton"] == rows[1]["skeleton"]  # the same template
    assert rows[0]["prompt_chars"] == len(prompt) + 3  # the stored prompt is unchanged


def test_when_text_is_pure_cyrillic_then_it_is_not_folded() -> None:
    text = pa.array(["Реши задачу шаг за шагом", "plain ascii", None])
    assert matchable_text(text).to_pylist() == text.to_pylist()
    rows = event_features(pa.table({"request_id": ["r"], "prompt": [text[0].as_py()]}),
                          default_config().features).to_pylist()
    assert rows[0]["cot"] is True


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=60)), max_size=20))
def test_matchable_text_keeps_length_nulls_and_ascii(values: list[str | None]) -> None:
    result = matchable_text(pa.array(values, pa.string())).to_pylist()
    assert len(result) == len(values)
    for before, after in zip(values, result, strict=True):
        assert (before is None) == (after is None)
        if before is not None and before.isascii():
            assert after == before


# -- terminal output ----------------------------------------------------------------


def test_when_attacker_text_reaches_the_terminal_then_no_escape_sequence_is_printed(
    tmp_path: Path,
) -> None:
    evil = "".join(ESCAPES)
    lines = [
        {"account_id": f"acct{evil}{k % 4}", "timestamp": f"2026-02-01T10:{k % 60:02d}:00Z",
         "prompt": f"{evil} think step by step {k}", "campaign_label": f"camp{evil}",
         "client_ip": "203.0.113.7", "token_count": 10}
        for k in range(60)
    ]
    path = tmp_path / "gw.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    result = runner.invoke(app, ["scan", str(path), "--out", str(tmp_path / "o"), "--no-report"])
    assert result.exit_code == 0, result.output
    assert "camp" in result.output  # the labelled campaign is listed ...
    missing = runner.invoke(app, ["ingest", str(tmp_path / f"no{evil}.jsonl"), "--workspace",
                                  str(tmp_path / "ws.duckdb")])
    assert missing.exit_code == 2
    for output in (result.output, missing.output):
        assert not any(c in output for c in ("\x1b", "\x9b", "\x07"))  # ... without escapes


def test_when_input_values_look_like_paths_then_nothing_is_written_there(tmp_path: Path) -> None:
    target = tmp_path / "victim"
    rows = [{"request_id": str(target / "r1"), "timestamp": "2026-02-01T10:00:00Z",
             "account_id": f"../../{target.name}/x", "prompt": str(target),
             "conversation_id": str(target / "c")}]
    path = tmp_path / "paths.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    scan([path], tmp_path / "out")
    assert not target.exists()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "accounts.parquet", "campaigns.json", "quarantine.parquet", "report.html",
        "summary.json", "workspace.duckdb", "workspace.duckdb.events",
    ]
    segments = list((tmp_path / "out" / "workspace.duckdb.events").iterdir())
    assert len(segments) == 1 and segments[0].suffix == ".parquet"  # named by digest


# -- a scan killed with SIGKILL mid-ingest --------------------------------------------

_KILLABLE_SCAN = """
import sys, time, pathlib
import distillguard.scan as pipeline

marker, second = pathlib.Path(sys.argv[1]), sys.argv[2]
original = pipeline.scan

def scan(*args, on_rows=None, **kwargs):
    def hook(path, done):
        if on_rows is not None:
            on_rows(path, done)
        if path.endswith(second):  # inside the second file's transaction
            marker.write_text(path)
            time.sleep(300)
    return original(*args, on_rows=hook, **kwargs)

pipeline.scan = scan
from distillguard.cli import app
app(sys.argv[3:])
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_when_scan_is_killed_mid_ingest_then_rerun_gives_the_uninterrupted_result(
    tmp_path: Path,
) -> None:
    simulate(Scenario(accounts=200, hours=12, seed=4), tmp_path / "sim")
    events = pq.read_table(tmp_path / "sim" / "events.parquet")
    third = events.num_rows // 3
    (tmp_path / "in").mkdir()
    for k, name in enumerate(("a.parquet", "b.parquet", "c.parquet")):
        part = events.slice(k * third, third if k < 2 else None)
        pq.write_table(part, tmp_path / "in" / name, row_group_size=2000)
    marker = tmp_path / "in-second-file"
    command = [sys.executable, "-c", _KILLABLE_SCAN, str(marker), "b.parquet",
               "scan", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--no-report"]
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert child.poll() is None, child.stderr.read() if child.stderr else ""
            assert time.monotonic() < deadline, "the scan never reached the second file"
            time.sleep(0.05)
        child.send_signal(signal.SIGKILL)
        assert child.wait(30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        if child.stderr:
            child.stderr.close()
    cli = [sys.executable, "-m", "distillguard.cli"]
    rerun = subprocess.run([*cli, "scan", str(tmp_path / "in"), "--out", str(tmp_path / "out"),
                            "--no-report"], capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    # a.parquet committed before the kill; b.parquet was rolled back and is redone
    assert [f["skipped"] for f in summary["files"]] == [True, False, False]
    clean = scan([tmp_path / "in"], tmp_path / "clean", write_report=False)
    assert summary["workspace"]["events"] == clean.summary["workspace"]["events"] == (
        events.num_rows)
    cols = ["account_id", "risk", "decision", "campaign_id"]
    resumed = pq.read_table(tmp_path / "out" / "accounts.parquet").select(cols)
    assert resumed.equals(clean.accounts.select(cols))
    campaigns = json.loads((tmp_path / "out" / "campaigns.json").read_text())
    assert [c["accounts"] for c in campaigns] == [c["accounts"] for c in clean.campaigns]
