"""Simulate a large scenario and report events, seconds and peak memory.

    .venv/bin/python benchmarks/simulate_scale.py --accounts 110000 --hours 48

The simulation runs in a child process so its peak resident memory is measured alone.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=110_000)
    parser.add_argument("--hours", type=float, default=48.0)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        code = (
            "from distillguard.simulate import Scenario, simulate;"
            f"r = simulate(Scenario(accounts={args.accounts}, hours={args.hours}, "
            f"seed={args.seed}), {str(Path(tmp) / 'sim')!r});"
            "print(r.events)"
        )
        start = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True)
        seconds = time.perf_counter() - start
        size = (Path(tmp) / "sim" / "events.parquet").stat().st_size
    events = int(out.stdout.strip().splitlines()[-1])
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"accounts: {args.accounts:,}  hours: {args.hours:g}  events: {events:,}")
    print(f"seconds: {seconds:.1f}  ({events / seconds:,.0f} events/s)")
    print(f"events.parquet: {size / 2**20:,.0f} MiB")
    print(f"peak RSS of the simulation: {peak:,.0f} MiB")


if __name__ == "__main__":
    main()
