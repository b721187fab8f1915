"""The command line under clumsy and hostile use: one line per error, the right exit code,
no traceback without ``--debug``, and a missing extra named."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import distillguard.scan
from distillguard.cli import main

TS = "2026-02-27T20:08:29Z"
GOOD = json.dumps({"request_id": "r1", "timestamp": TS, "account_id": "a"}) + "\n"

#: Runs the command line with some modules made impossible to import (as when an optional
#: extra is not installed): python -c BLOCKER MODULES ARGS...
BLOCKER = """
import importlib.abc, sys
blocked = set(sys.argv[1].split(","))

class Missing(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in blocked:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, Missing())
sys.argv = ["distillguard", *sys.argv[2:]]
from distillguard.cli import main
main()
"""


def run_main(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
             *args: str) -> tuple[int, str, str]:
    """``distillguard ARGS`` in this process: (exit code, stdout, stderr)."""
    monkeypatch.setattr(sys, "argv", ["distillguard", *args])
    with pytest.raises(SystemExit) as done:
        main()
    out, err = capsys.readouterr()
    code = done.value.code
    return (code if isinstance(code, int) else 1), out, err


def one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ") and "Traceback" not in err
    return lines[0]


def test_when_the_first_line_is_100k_brackets_then_the_scan_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "deep.jsonl"
    path.write_text("[" * 100_000 + "\n" + GOOD)
    code, _, err = run_main(monkeypatch, capsys, "scan", str(path), "--out",
                            str(tmp_path / "out"), "--no-report")
    assert code == 0, err
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert (summary["rows_read"], summary["rows_valid"], summary["rows_quarantined"]) == (2, 1, 1)


@pytest.mark.parametrize("case", ["corrupt_parquet", "directory", "missing", "all_invalid",
                                  "empty", "fifo", "bad_config"])
def test_when_input_is_unusable_then_one_line_names_it_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    case: str,
) -> None:
    good = tmp_path / "good.jsonl"
    good.write_text(GOOD)
    extra: list[str] = []
    if case == "corrupt_parquet":
        target = tmp_path / "bad.parquet"
        target.write_bytes(b"PAR1" + os.urandom(64) + b"PAR1")
        inputs, cause = [good, target], "corrupt Parquet file"
    elif case == "directory":
        target = tmp_path / "nothing-here"
        target.mkdir()
        inputs, cause = [target], "no input files"
    elif case == "missing":
        target = tmp_path / "nope.jsonl"
        inputs, cause = [good, target], "no such file or directory"
    elif case == "all_invalid":
        target = tmp_path / "bad.jsonl"
        target.write_text('{"request_id": "a", "timestamp": "soon", "account_id": "x"}\n')
        inputs, cause = [target], "all 1 rows were quarantined"
    elif case == "empty":
        target = tmp_path / "empty.jsonl"
        target.write_text("")
        inputs, cause = [target], "holds no rows"
    elif case == "fifo":
        target = tmp_path / "pipe.jsonl"
        os.mkfifo(target)
        inputs, cause = [good, target], "named pipe"
    else:
        target = tmp_path / "config.yaml"
        target.write_text("ingest:\n  max_json_depth: deep\n")
        inputs, cause, extra = [good], "ingest.max_json_depth", ["--config", str(target)]
    code, _, err = run_main(monkeypatch, capsys, "scan", *map(str, inputs), "--out",
                            str(tmp_path / "out"), "--no-report", *extra)
    assert code == 2
    message = one_error_line(err)
    assert str(target) in message and cause in message, message
    if case == "all_invalid":
        assert str(tmp_path / "out" / "quarantine.parquet") in message


def test_when_a_file_is_bad_among_several_then_the_error_says_what_became_of_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.jsonl").write_text(GOOD)
    (tmp_path / "in" / "b.parquet").write_bytes(b"not parquet at all")
    code, _, err = run_main(monkeypatch, capsys, "ingest", str(tmp_path / "in"),
                            "--workspace", str(tmp_path / "ws.duckdb"))
    assert code == 2
    message = one_error_line(err)
    assert "b.parquet" in message and "nothing was ingested" in message


def test_when_a_log_repeats_one_upstream_id_then_rows_are_kept_and_a_warning_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "litellm.jsonl"
    rows = [{"request_id": "chatcmpl-constant", "startTime": f"2026-02-27T20:{i:02d}:00Z",
             "user": f"user{i % 3}", "model": "gpt", "call_type": "acompletion",
             "messages": [{"role": "user", "content": f"question {i}"}]} for i in range(20)]
    rows.append(dict(rows[0]))  # the same request logged twice: a real duplicate
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    code, _, err = run_main(monkeypatch, capsys, "scan", str(path), "--out",
                            str(tmp_path / "out"), "--no-report")
    assert code == 0, err
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert (summary["rows_valid"], summary["duplicates"]) == (20, 1)
    assert summary["files"][0]["id_fallbacks"] == 19
    assert any("19 rows repeat a request_id" in w for w in summary["warnings"])
    assert "warning:" in err and "19 rows repeat a request_id" in err


def test_when_most_rows_are_duplicates_then_the_scan_warns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "dups.jsonl"
    path.write_text(GOOD * 10 + GOOD.replace("r1", "r2"))
    code, _, err = run_main(monkeypatch, capsys, "scan", str(path), "--out",
                            str(tmp_path / "out"), "--no-report")
    assert code == 0
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["duplicates"] == 9
    assert "9 of 11 rows (82%) dropped as duplicate requests" in summary["warnings"][0]
    assert "ingest.max_duplicate_share" in err


def test_when_the_code_has_a_bug_then_one_line_unless_debug(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(distillguard.scan, "scan", broken)
    path = tmp_path / "good.jsonl"
    path.write_text(GOOD)
    args = ["scan", str(path), "--out", str(tmp_path / "out")]
    code, _, err = run_main(monkeypatch, capsys, *args)
    assert code == 1
    assert "internal error (RecursionError" in one_error_line(err)
    assert "--debug" in err
    monkeypatch.setattr(sys, "argv", ["distillguard", "--debug", *args])
    with pytest.raises(RecursionError):
        main()


def _blocked(modules: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", BLOCKER, modules, *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    ("modules", "args", "extra"),
    [
        ("stix2", ["intel", "export", "--scan", "scan", "--out", "bundle.json"], "intel"),
        ("stix2", ["intel", "import", "bundle.json", "--workspace", "ws.duckdb"], "intel"),
        ("torch,transformers", ["prove", "demo", "--out", "demo", "--quick"], "watermark"),
    ],
)
def test_when_an_extra_is_missing_then_the_error_names_it(
    tmp_path: Path, modules: str, args: list[str], extra: str
) -> None:
    (tmp_path / "bundle.json").write_text("{}")
    done = _blocked(modules, *args, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    message = one_error_line(done.stderr)
    assert f"pip install 'distillguard[{extra}]'" in message


def test_when_watermark_keys_gets_a_bad_file_then_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, text, cause in (("keys.json", "{not json", "not valid JSON"),
                              ("keys.csv", "a,b\n1,2\n", "CSV needs a header"),
                              ("keys.txt", None, "No such file")):
        if text is not None:
            (tmp_path / name).write_text(text)
        code, _, err = run_main(monkeypatch, capsys, "watermark", "keys", str(tmp_path / name))
        assert code == 2
        assert cause in one_error_line(err)


def test_when_an_output_cannot_be_written_then_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pq.write_table(pa.table({"request_id": ["r"], "timestamp": [TS], "account_id": ["a"]}),
                   tmp_path / "in.parquet")
    (tmp_path / "out").write_text("a file where the output folder should be")
    code, _, err = run_main(monkeypatch, capsys, "scan", str(tmp_path / "in.parquet"),
                            "--out", str(tmp_path / "out"))
    assert code == 2
    assert "out" in one_error_line(err)
