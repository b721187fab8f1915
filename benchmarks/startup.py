"""Command-line start-up and a small scan, two source trees side by side.

Each command runs ``--runs`` times per tree, the trees alternating run by run so that a
busy machine slows both alike; medians and the ratio new/old are printed (on a shared,
noisy machine, the ratio is the figure to quote).

    python benchmarks/startup.py --old /work/main/src --new src \\
        --events sim-small/events.parquet --runs 9

Commands: ``import distillguard.cli`` (what ``distillguard`` loads before parsing its
arguments), ``distillguard --help``, ``distillguard scan --help``, and, with
``--events``, ``distillguard scan EVENTS --out TMP --no-report`` (a fresh output folder
each run).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CLI = "from distillguard.cli import main; main()"


def _seconds(src: Path, args: list[str]) -> float:
    env = {**os.environ, "PYTHONPATH": str(src.resolve())}
    started = time.perf_counter()
    subprocess.run([sys.executable, *args], env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", type=Path, required=True, help="the old source tree")
    parser.add_argument("--new", type=Path, required=True, help="the new source tree")
    parser.add_argument("--events", type=Path, help="a small events file to scan")
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    commands: dict[str, list[str]] = {
        "import distillguard.cli": ["-c", "import distillguard.cli"],
        "distillguard --help": ["-c", CLI, "--help"],
        "distillguard scan --help": ["-c", CLI, "scan", "--help"],
    }
    scratch = Path(tempfile.mkdtemp(prefix="dg-startup-"))
    if args.events is not None:
        commands["distillguard scan (small)"] = [
            "-c", CLI, "scan", str(args.events), "--out", str(scratch / "out"), "--no-report"]
    try:
        print(f"| command | old s (median of {args.runs}) | new s | new/old |")
        print("| --- | ---: | ---: | ---: |")
        for name, command in commands.items():
            times: dict[str, list[float]] = {"old": [], "new": []}
            for _ in range(args.runs):
                for tree, src in (("old", args.old), ("new", args.new)):
                    shutil.rmtree(scratch / "out", ignore_errors=True)
                    times[tree].append(_seconds(src, command))
            old, new = (statistics.median(times[t]) for t in ("old", "new"))
            print(f"| `{name}` | {old:.3f} | {new:.3f} | {new / old:.2f} |", flush=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
