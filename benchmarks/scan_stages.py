"""Time each stage of a scan on simulated traffic, and the cost of just reading the data.

Prints events/s end to end, seconds per stage, peak RSS, and the ratio of the scan's time
to a plain DuckDB query that reads the same Parquet and groups it by account (the floor),
measured side by side in one run.

    .venv/bin/python benchmarks/scan_stages.py --accounts 3000 --hours 48
"""

from __future__ import annotations

import argparse
import platform
import resource
import tempfile
import time
from pathlib import Path

import duckdb

from distillguard.pipeline import scan
from distillguard.simulate import Scenario, simulate


def read_floor(path: Path) -> float:
    start = time.perf_counter()
    duckdb.connect().execute(
        f"SELECT account_id, count(*), sum(length(prompt)) FROM '{path}' GROUP BY account_id"
    ).fetchall()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=3000)
    parser.add_argument("--hours", type=float, default=48.0)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sim = Path(tmp) / "sim"
        t0 = time.perf_counter()
        result = simulate(Scenario(accounts=args.accounts, hours=args.hours, seed=args.seed), sim)
        simulated = time.perf_counter() - t0
        floor = read_floor(result.events_path)
        marks: list[tuple[str, float]] = []
        start = time.perf_counter()
        scan([result.events_path], Path(tmp) / "scan", write_report=False,
             on_stage=lambda name: marks.append((name, time.perf_counter())))
        total = time.perf_counter() - start
    machine = platform.processor() or platform.machine()
    print(f"machine: {machine}, python {platform.python_version()}")
    print(f"events: {result.events:,}  accounts: {result.accounts:,}  simulate: {simulated:.1f} s")
    ends = [t for _, t in marks[1:]] + [start + total]
    for (name, began), ended in zip(marks, ends, strict=True):
        print(f"  {name:<10} {ended - began:6.2f} s")
    print(f"scan total: {total:.2f} s = {result.events / total:,.0f} events/s")
    print(f"read floor (DuckDB group-by over the Parquet): {floor:.2f} s; "
          f"scan/floor = {total / floor:.0f}x")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
