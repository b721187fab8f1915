"""Kill a large scan with SIGKILL at each crash point, resume it, compare with a clean scan.

The same check as ``tests/test_hostile_crash.py``, at scale: simulated traffic of
``--accounts`` accounts (20,000 by default) cut into four input files (three Parquet, one
JSON Lines), scanned once cleanly, then, per crash point, scanned by ``distillguard scan``
in a child process told to kill itself there (``DISTILLGUARD_CRASH_AT``, see
``src/distillguard/crashpoints.py``) and scanned again by the same command. The resumed
outputs must equal the clean ones (``crashpoints.scan_differences``: accounts.parquet,
campaigns.json, quarantine.parquet, the counts of summary.json). Prints per point how long
the scan ran before it died, how long the resume took, and what differed (nothing, we hope)::

    .venv/bin/python benchmarks/crash_resume.py                     # 20,000 accounts, 24 h
    .venv/bin/python benchmarks/crash_resume.py --accounts 2000 --points scan.analysed

Exits 1 when a resumed scan differs from the clean one or a child did not die as told.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scan import machine  # benchmarks/scan.py, beside this file

DEFAULT_DATA = Path(tempfile.gettempdir()) / "distillguard-crash-bench"
#: Where to kill, in the order a scan gets there: ``@N`` is the N-th time the point is
#: reached (the ``ingest.*`` points are reached per file or per chunk; two chunks a file).
DEFAULT_POINTS = (
    "ingest.file_begun@3",
    "ingest.chunk_written@5",
    "ingest.segment_closed@2",
    "ingest.before_commit@4",
    "ingest.committed@2",
    "scan.analysed",
    "scan.outputs_partial",
    "scan.outputs_written",
)


def inputs(data: Path, accounts: int, hours: float, seed: int) -> Path:
    """The simulated traffic cut into four files (made once, then reused); the JSON Lines
    one ends with an invalid line, a 100,000-deep one and a repeated row."""
    import duckdb
    import pyarrow.parquet as pq

    from distillguard.simulate import Scenario, simulate

    folder = data / f"{accounts}-{hours:g}h-seed{seed}"
    files = folder / "inputs"
    if (files / "done").exists():
        return files
    started = time.perf_counter()
    result = simulate(Scenario(accounts=accounts, hours=hours, seed=seed), folder / "sim")
    events = pq.read_table(result.events_path)
    files.mkdir(parents=True, exist_ok=True)
    quarter = events.num_rows // 4
    for index, name in enumerate(("a.parquet", "b.parquet", "c.jsonl", "d.parquet")):
        part = events.slice(index * quarter, quarter if index < 3 else None)
        if name.endswith(".parquet"):
            pq.write_table(part, files / name)
        else:
            con = duckdb.connect()
            con.register("part", part)
            con.execute(f"COPY part TO '{files / name}' (FORMAT json)")
            con.close()
            with (files / name).open("ab") as handle:  # rows for the quarantine
                first = (files / name).open("rb").readline()
                handle.write(b"{not json\n" + b"[" * 100_000 + b"\n" + first)
    (files / "done").write_text("")
    print(f"simulated {result.events:,} events of {accounts:,} accounts in "
          f"{time.perf_counter() - started:.0f} s; four input files in {files}", flush=True)
    return files


def run_scan(files: Path, out: Path, crash_at: str | None) -> tuple[int, float, str]:
    """``distillguard scan`` in a child: (exit code, seconds, last line of stderr)."""
    env = dict(os.environ)
    env.pop("DISTILLGUARD_CRASH_AT", None)
    if crash_at:
        env["DISTILLGUARD_CRASH_AT"] = crash_at
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "distillguard.cli", "scan", str(files), "--out", str(out),
         "--no-report"], env=env, capture_output=True, text=True, check=False,
    )
    last = next((line for line in reversed(done.stderr.splitlines()) if line.strip()), "")
    return done.returncode, time.perf_counter() - started, last


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--hours", type=float, default=24.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--points", default=",".join(DEFAULT_POINTS),
                        help="comma-separated crash points (NAME or NAME@N)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="folder where the simulated inputs are cached")
    args = parser.parse_args()

    from distillguard.crashpoints import scan_differences

    print(f"crash and resume, {machine()}; load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    files = inputs(args.data, args.accounts, args.hours, args.seed)
    failures = 0
    with tempfile.TemporaryDirectory(prefix="dg-crash-bench-") as tmp_name:
        tmp = Path(tmp_name)
        code, seconds, last = run_scan(files, tmp / "clean", None)
        if code != 0:
            raise SystemExit(f"the clean scan failed ({code}): {last}")
        summary = json.loads((tmp / "clean" / "summary.json").read_text())
        print(f"clean scan: {seconds:6.1f} s, {summary['rows_read']:,} rows "
              f"({summary['rows_quarantined']:,} quarantined), {summary['accounts']:,} accounts, "
              f"{summary['flagged_accounts']:,} flagged, {summary['campaigns']} campaigns",
              flush=True)
        for point in [p.strip() for p in args.points.split(",") if p.strip()]:
            out = tmp / point
            code, killed_after, last = run_scan(files, out, point)
            died = code == -signal.SIGKILL
            resumed, resume_seconds, resume_last = run_scan(files, out, None)
            differences = scan_differences(out, tmp / "clean") if resumed == 0 else [
                f"the resume failed ({resumed}): {resume_last}"]
            if not died:
                differences.insert(0, f"the scan did not die at the point (exit {code}: {last})")
            skipped = 0
            if resumed == 0:
                resumed_summary = json.loads((out / "summary.json").read_text())
                skipped = sum(f["skipped"] for f in resumed_summary["files"])
            verdict = "identical" if not differences else f"{len(differences)} DIFFERENCES"
            print(f"  {point:<26} killed after {killed_after:6.1f} s   resume "
                  f"{resume_seconds:6.1f} s   files skipped on resume {skipped}/4   {verdict}",
                  flush=True)
            for line in differences[:10]:
                print(f"      {line}")
            failures += bool(differences)
    outcome = "all resumed scans equal the clean one" if not failures else (
        f"{failures} points differ")
    print(f"{outcome}; load average at the end {os.getloadavg()[0]:.1f}")
    raise SystemExit(1 if failures else 0)


if __name__ == "__main__":
    main()
