"""Scan throughput at 100k, 1M and 10M simulated events, against the cost of just reading them.

For each size the script runs, each in its own child process (so peak memory is measured
for that run alone):

1. the read floor: one plain DuckDB query that reads the same Parquet file and groups it
   by account (``count(*)``, ``sum(length(prompt))``), the least any scan has to do;
2. the scan end to end, ``scan.scan(..., write_report=False)`` from the Parquet file
   to ``accounts.parquet``: events/s, seconds per stage, peak RSS, and scan/floor.

Then an incremental measurement at one size: day 1 scanned into a fresh workspace, then
day 2 into the same workspace; the ingest of day 2 should cost about what day 1's did.

Simulated data (``distillguard.simulate``, default scenario knobs, 48 hours, realistic
prompt lengths; accounts scale with events) is generated once per size and cached in
``--data`` (reused when present)::

    .venv/bin/python benchmarks/scan.py --sizes 100k,1m,10m
    .venv/bin/python benchmarks/scan.py --sizes 1m --profile 1m   # + a pyinstrument profile
    .venv/bin/python benchmarks/scan.py --sizes 1m --unique-prompts   # no repeated prompts

``--unique-prompts`` appends the request id to every prompt, so no two prompts are equal:
the worst case for the per-distinct-value feature work (simulated traffic repeats prompts).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

#: Simulated events per account over 48 hours with the default archetype mix (measured).
EVENTS_PER_ACCOUNT = 88
HOURS = 48.0
DEFAULT_DATA = Path(tempfile.gettempdir()) / "distillguard-scan-bench"


@dataclass(frozen=True)
class Dataset:
    label: str
    events_path: Path
    events: int
    accounts: int
    distinct_prompt_share: float


def parse_size(text: str) -> int:
    """``100k`` → 100,000; ``1m`` → 1,000,000; plain integers as they are."""
    text = text.strip().lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    number = text[:-1] if scale > 1 else text
    return int(float(number) * scale)


def dataset(data_dir: Path, label: str, seed: int, unique_prompts: bool) -> Dataset:
    """The cached simulated dataset of about ``label`` events (simulated on first use)."""
    import duckdb

    from distillguard.simulate import Scenario, simulate

    accounts = max(50, round(parse_size(label) / EVENTS_PER_ACCOUNT))
    folder = data_dir / f"{label}-seed{seed}"
    meta_path = folder / "meta.json"
    if not meta_path.exists():
        started = time.perf_counter()
        result = simulate(Scenario(accounts=accounts, hours=HOURS, seed=seed), folder / "sim")
        distinct = duckdb.connect().execute(
            "SELECT count(DISTINCT prompt) / count(prompt) FROM read_parquet(?)",
            [str(result.events_path)],
        ).fetchone()
        meta = {
            "events": result.events,
            "accounts": accounts,
            "distinct_prompt_share": float(distinct[0]) if distinct else 1.0,
            "simulate_seconds": round(time.perf_counter() - started, 1),
        }
        meta_path.write_text(json.dumps(meta, indent=2) + "\n")
        print(f"simulated {label}: {result.events:,} events, {accounts:,} accounts, "
              f"{meta['simulate_seconds']} s", flush=True)
    meta = json.loads(meta_path.read_text())
    path = folder / "sim" / "events.parquet"
    share = float(meta["distinct_prompt_share"])
    if unique_prompts:
        path, share = _unique_prompt_copy(folder, path), 1.0
    return Dataset(label, path, int(meta["events"]), int(meta["accounts"]), share)


def _unique_prompt_copy(folder: Path, path: Path) -> Path:
    import duckdb

    unique = folder / "events_unique_prompts.parquet"
    if not unique.exists():
        duckdb.connect().execute(
            f"COPY (SELECT * REPLACE (prompt || ' #' || request_id AS prompt) "
            f"FROM read_parquet('{path}')) TO '{unique}' (FORMAT parquet)"
        )
    return unique


def day_files(ds: Dataset, folder: Path) -> tuple[Path, Path]:
    """The dataset cut into its first and second 24 hours (cached next to it)."""
    import duckdb

    from distillguard.simulate import Scenario

    cut = Scenario().start + timedelta(hours=24)
    stem = ds.events_path.stem
    days = (folder / f"{stem}-day1.parquet", folder / f"{stem}-day2.parquet")
    if not all(p.exists() for p in days):
        con = duckdb.connect()
        con.execute("SET TimeZone = 'UTC'")
        for path, test in zip(days, ("<", ">="), strict=True):
            con.execute(
                f"COPY (SELECT * FROM read_parquet('{ds.events_path}') "
                f"WHERE timestamp {test} TIMESTAMPTZ '{cut.isoformat()}') "
                f"TO '{path}' (FORMAT parquet)"
            )
    return days


# -- child processes ------------------------------------------------------------------------


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child_floor(path: str) -> dict[str, Any]:
    """The read floor: DuckDB reads the Parquet and groups it by account."""
    import duckdb

    start = time.perf_counter()
    rows = duckdb.connect().execute(
        "SELECT account_id, count(*), sum(length(prompt)) FROM read_parquet(?) GROUP BY account_id",
        [path],
    ).fetchall()
    return {"seconds": time.perf_counter() - start, "accounts": len(rows),
            "peak_rss_mib": _peak_rss_mib()}


class StageMemory:
    """Peak resident memory per stage, sampled by a thread (``/proc/self/status``)."""

    def __init__(self) -> None:
        self.stage = "setup"
        self.peaks: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    @staticmethod
    def rss_mib() -> float:
        try:
            for line in Path("/proc/self/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
        return _peak_rss_mib()

    def _sample(self) -> None:
        while not self._stop.wait(0.1):
            self.peaks[self.stage] = max(self.peaks.get(self.stage, 0.0), self.rss_mib())

    def stop(self) -> dict[str, float]:
        self._stop.set()
        self._thread.join()
        return self.peaks


def child_scan(inputs: list[str], out: str, workspace: str | None, profile: str | None
               ) -> dict[str, Any]:
    """One scan end to end; stage boundaries from ``on_stage``. A scan that fails
    reports the stages it finished and the error."""
    from distillguard.scan import scan

    profiler = None
    if profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.005)
        profiler.start()
    marks: list[tuple[str, float]] = []
    memory = StageMemory()

    def on_stage(name: str) -> None:
        marks.append((name, time.perf_counter()))
        memory.stage = name

    cpu = _cpu_seconds()
    start = time.perf_counter()
    summary: dict[str, Any] = {}
    error = None
    try:
        summary = scan(inputs, out, workspace=workspace, write_report=False,
                       on_stage=on_stage).summary
    except Exception as exc:  # reported, with the stage it happened in
        error = f"{type(exc).__name__} in stage {memory.stage}: {str(exc).splitlines()[0]}"
    total = time.perf_counter() - start
    cpu = _cpu_seconds() - cpu
    peaks = memory.stop()
    if profiler is not None and profile:
        profiler.stop()
        Path(profile).write_text(profiler.output_text(unicode=True, color=False))
    ends = [t for _, t in marks[1:]] + [start + total]
    stages = {name: ended - began for (name, began), ended in zip(marks, ends, strict=True)}
    return {
        "seconds": total,
        "cpu_seconds": cpu,
        "load_average": os.getloadavg()[0],
        "stages": stages,
        "stage_peak_rss_mib": peaks,
        "error": error,
        "rows_read": summary.get("rows_read"),
        "rows_quarantined": summary.get("rows_quarantined"),
        "accounts": summary.get("accounts"),
        "flagged": summary.get("flagged_accounts"),
        "campaigns": summary.get("campaigns"),
        "peak_rss_mib": _peak_rss_mib(),
    }


def run_child(*args: str) -> dict[str, Any]:
    """Run this script as a child doing one measurement; its last line is JSON."""
    done = subprocess.run([sys.executable, __file__, "--child", *args],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"child {args[0]} failed with exit code {done.returncode}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# -- the parent -----------------------------------------------------------------------------


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        total_kib = next(int(line.split()[1]) for line in
                         Path("/proc/meminfo").read_text().splitlines()
                         if line.startswith("MemTotal"))
        ram = f"{total_kib / 2**20:.0f} GiB"
    except (OSError, StopIteration):
        ram = "? GiB"
    import duckdb
    import pyarrow

    return (f"{os.cpu_count()} × {cpu}, {ram}, Python {platform.python_version()}, "
            f"DuckDB {duckdb.__version__}, pyarrow {pyarrow.__version__}")


def print_scan(ds: Dataset, floor: dict[str, Any], scan: dict[str, Any]) -> None:
    events = scan["rows_read"] or ds.events
    print(f"\n{ds.label}: {events:,} events, {ds.accounts:,} accounts, distinct prompts "
          f"{ds.distinct_prompt_share:.0%}", end="")
    if scan["error"] is None:
        print(f"; flagged {scan['flagged']:,}, campaigns {scan['campaigns']}")
    else:
        print()
    peaks = scan["stage_peak_rss_mib"]
    for name, seconds in scan["stages"].items():
        print(f"  {name:<10} {seconds:7.2f} s  {events / max(seconds, 1e-9):>12,.0f} events/s"
              f"   peak RSS {peaks.get(name, 0.0):7,.0f} MiB")
    if scan["error"] is not None:
        print(f"  FAILED: {scan['error']}")
    print(f"  scan total {scan['seconds']:7.2f} s  {events / scan['seconds']:>12,.0f} events/s"
          f"   peak RSS {scan['peak_rss_mib']:7,.0f} MiB")
    print(f"  CPU time   {scan['cpu_seconds']:7.2f} s  (load average at the end "
          f"{scan['load_average']:.1f} on {os.cpu_count()} cores)")
    print(f"  read floor {floor['seconds']:7.2f} s   scan/floor = "
          f"{scan['seconds'] / floor['seconds']:.0f}x   "
          f"ingest/floor = {scan['stages'].get('ingest', 0) / floor['seconds']:.0f}x")


def incremental(ds: Dataset, tmp: Path) -> None:
    day1, day2 = day_files(ds, ds.events_path.parent)
    workspace = str(tmp / "incremental.duckdb")
    first = run_child("scan", workspace, str(tmp / "inc1"), "", str(day1))
    second = run_child("scan", workspace, str(tmp / "inc2"), "", str(day2))
    print(f"\nincremental ({ds.label} cut into two days, one workspace):")
    for name, run in (("day 1", first), ("day 2", second)):
        ingest = run["stages"].get("ingest", 0.0)
        print(f"  {name}: {run['rows_read']:,} events, ingest {ingest:.2f} s "
              f"({run['rows_read'] / max(ingest, 1e-9):,.0f} events/s), analysis of the "
              f"whole workspace {run['seconds'] - ingest:.2f} s, total {run['seconds']:.2f} s")
    ratio = (second["stages"].get("ingest", 0) / max(second["rows_read"], 1)) / (
        first["stages"].get("ingest", 0) / max(first["rows_read"], 1))
    print(f"  ingest cost per event, day 2 / day 1: {ratio:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100k,1m,10m",
                        help="comma-separated sizes in events (100k, 1m, 10m)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="folder where the simulated datasets are cached")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--incremental", default="1m",
                        help="size for the day 1 / day 2 measurement ('' to skip)")
    parser.add_argument("--profile", default="",
                        help="size to profile with pyinstrument (written next to the data)")
    parser.add_argument("--unique-prompts", action="store_true",
                        help="make every prompt distinct (worst case for per-distinct work)")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, rest = args.child[0], args.child[1:]
        if kind == "floor":
            print(json.dumps(child_floor(rest[0])))
        else:
            workspace, out, profile, *inputs = rest
            print(json.dumps(child_scan(inputs, out, workspace or None, profile or None)))
        return
    labels = [s.strip().lower() for s in args.sizes.split(",") if s.strip()]
    args.data.mkdir(parents=True, exist_ok=True)
    print(f"machine: {machine()}")
    print(f"load average at start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="dg-scan-bench-") as tmp_name:
        tmp = Path(tmp_name)
        for label in labels:
            ds = dataset(args.data, label, args.seed, args.unique_prompts)
            floor = run_child("floor", str(ds.events_path))
            profile = ""
            if args.profile.strip().lower() == label:
                profile = str(args.data / f"profile-{label}.txt")
            out = tmp / f"scan-{label}"
            scan = run_child("scan", "", str(out), profile, str(ds.events_path))
            print_scan(ds, floor, scan)
            if profile:
                print(f"  profile: {profile}")
        if args.incremental:
            label = args.incremental.strip().lower()
            incremental(dataset(args.data, label, args.seed, args.unique_prompts), tmp)
    print(f"\nload average at end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
