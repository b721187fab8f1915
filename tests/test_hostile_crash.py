"""A scan killed with SIGKILL at any of its crash points resumes to the uninterrupted result.

The scan runs in a child process told to kill itself (``DISTILLGUARD_CRASH_AT``,
:mod:`distillguard.crashpoints`) at a named point: inside a file's transaction, between
committed files, after the analysis, half-way through writing the outputs. The same scan
run again must give what a clean scan gives: ``accounts.parquet``, ``campaigns.json``,
``quarantine.parquet`` and the counts of ``summary.json``. ``benchmarks/crash_resume.py``
does the same at 20,000 accounts.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from distillguard.config import load_config
from distillguard.crashpoints import POINTS, scan_differences
from distillguard.scan import scan
from distillguard.simulate import Scenario, simulate

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")

@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Three input files (Parquet, JSON Lines with bad and repeated rows, Parquet) and a
    configuration with small batches, so that each file is several chunks."""
    root = tmp_path_factory.mktemp("crash")
    simulate(Scenario(accounts=60, hours=3, seed=11), root / "sim")
    events = pq.read_table(root / "sim" / "events.parquet")
    third = events.num_rows // 3
    folder = root / "in"
    folder.mkdir()
    pq.write_table(events.slice(0, third), folder / "a.parquet", row_group_size=100)
    middle = events.slice(third, third).to_pylist()
    lines = [json.dumps(row, default=str) for row in middle]
    lines[5] = "{not json"
    lines[9] = lines[8]  # a duplicate
    lines[12] = "[" * 10_000
    (folder / "b.jsonl").write_text("\n".join(lines) + "\n")
    pq.write_table(events.slice(2 * third), folder / "c.parquet", row_group_size=100)
    config = root / "config.yaml"
    config.write_text("ingest:\n  batch_rows: 150\n")
    return folder, config


@pytest.fixture(scope="module")
def clean(inputs: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder, config = inputs
    out = tmp_path_factory.mktemp("clean")
    scan([folder], out, config=load_config(config), write_report=False)
    return out


CASES = [
    "ingest.file_begun@2",  # b.jsonl's transaction has begun
    "ingest.chunk_written@3",  # mid-file: a.parquet's third chunk written
    "ingest.segment_closed@2",
    "ingest.before_commit@2",  # b.jsonl's segment published, the commit not made
    "ingest.committed@3",  # every file in, no analysis
    "scan.analysed",
    "scan.outputs_partial",  # a new accounts.parquet next to nothing else
]

#: Imports distillguard once, then per crash point forks a child that scans and is killed
#: there, and another that scans again (the resume): one import instead of fourteen.
#: python -c DRIVER FOLDER CONFIG OUT_ROOT POINT...; prints {point: [killed, resumed]}.
DRIVER = """
import json, os, sys
from pathlib import Path
import importlib
import duckdb
from distillguard.cli import app
from distillguard.crashpoints import ENVIRONMENT

# What a scan loads on first use, loaded once here rather than in every child: DuckDB's
# JSON extension (the connection's threads end with close) and lazily imported modules.
duckdb.connect().execute("SELECT json('{}')").close()
for name in ("pandas", "distillguard.scan", "distillguard.store.labels",
             "distillguard.intel.matching", "distillguard.engines.spark"):
    try:
        importlib.import_module(name)
    except ImportError:
        pass

folder, config, root, points = sys.argv[1], sys.argv[2], Path(sys.argv[3]), sys.argv[4:]

def run(out, point):
    pid = os.fork()
    if pid == 0:
        if point:
            os.environ[ENVIRONMENT] = point
        try:
            app(["scan", folder, "--out", str(out), "--no-report", "--config", config])
        except SystemExit as exc:
            os._exit(exc.code if isinstance(exc.code, int) else 1)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)

results = {}
for point in points:
    out = root / point
    results[point] = [run(out, point), run(out, None)]
print(json.dumps(results))
"""


@pytest.fixture(scope="module")
def crashed(inputs: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory
            ) -> tuple[Path, dict[str, list[int]]]:
    folder, config = inputs
    root = tmp_path_factory.mktemp("crashed")
    child = subprocess.run(
        [sys.executable, "-c", DRIVER, str(folder), str(config), str(root), *CASES],
        capture_output=True, text=True, timeout=600,
    )
    assert child.returncode == 0, child.stderr
    return root, json.loads(child.stdout.strip().splitlines()[-1])


def test_every_crash_point_is_exercised() -> None:
    assert {case.partition("@")[0] for case in CASES} | {"scan.outputs_written"} == set(POINTS)


@pytest.mark.parametrize("point", CASES)
def test_when_a_scan_is_killed_then_rerunning_it_gives_the_clean_result(
    crashed: tuple[Path, dict[str, list[int]]], clean: Path, point: str
) -> None:
    root, results = crashed
    killed, resumed = results[point]
    assert killed == -signal.SIGKILL  # it died at the point, without cleaning up
    assert resumed == 0
    assert scan_differences(root / point, clean) == []
    quarantine = pq.read_table(root / point / "quarantine.parquet")
    assert quarantine.num_rows >= 3  # the bad lines of b.jsonl, whoever read them


def test_when_outputs_differ_then_the_comparison_says_where(clean: Path, tmp_path: Path) -> None:
    for name in ("accounts.parquet", "campaigns.json", "summary.json", "quarantine.parquet"):
        shutil.copy(clean / name, tmp_path / name)
    assert scan_differences(tmp_path, clean) == []
    accounts = pq.read_table(tmp_path / "accounts.parquet")
    risk = accounts.column("risk").to_pylist()
    risk[0] += 1e-6
    accounts = accounts.set_column(accounts.column_names.index("risk"), "risk", pa.array(risk))
    pq.write_table(accounts, tmp_path / "accounts.parquet")
    summary = json.loads((tmp_path / "summary.json").read_text())
    summary["rows_valid"] += 1
    (tmp_path / "summary.json").write_text(json.dumps(summary))
    found = scan_differences(tmp_path, clean)
    assert any(line.startswith("accounts.parquet:risk[0]") for line in found)
    assert any(line.startswith("summary.rows_valid") for line in found)
