"""Time ingest alone: one input file into a fresh workspace, in a child process per run.

``benchmarks/scan.py`` measures a scan end to end; this narrower harness runs only
``Workspace.ingest`` and prints, per run, the wall seconds, the CPU seconds of the whole
process (every thread) and the CPU seconds of each part on the thread that runs it: read
and decode, validate, features, segment write, duplicate check, file digest. On a shared
machine CPU seconds vary less than wall seconds; the load average is printed with each run.

``--baseline-src`` runs another checkout's package (its ``src`` folder, e.g. from
``git archive HEAD src | tar -x -C /tmp/base``) alternately with this one, so both see the
same load::

    .venv/bin/python benchmarks/ingest_stage.py \\
        --events /tmp/distillguard-scan-bench/1m-seed7/sim/events.parquet --runs 3
    .venv/bin/python benchmarks/ingest_stage.py --events ... --baseline-src /tmp/base/src

The simulated data sets are the ones ``benchmarks/scan.py`` generates and caches.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

#: A fixed "now" for validation, so every run sees the same time window.
NOW = datetime(2031, 1, 1, tzinfo=UTC)
PARTS = ("read", "validate", "features", "write", "duplicates", "digest")


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class PartTimer:
    """CPU seconds per part: the thread time of each call of a wrapped function."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self._lock = threading.Lock()

    def add(self, part: str, seconds: float) -> None:
        with self._lock:
            self.seconds[part] += seconds

    def wrap(self, owner: Any, name: str, part: str) -> None:
        """Time ``owner.name`` (skipped where a version of the code has no such name)."""
        function = getattr(owner, name, None)
        if function is None:
            return

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.thread_time()
            try:
                return function(*args, **kwargs)
            finally:
                self.add(part, time.thread_time() - started)

        setattr(owner, name, timed)

    def wrap_iterator(self, owner: Any, name: str, part: str) -> None:
        """Time each step of the iterators ``owner.name`` returns."""
        function = getattr(owner, name, None)
        if function is None:
            return

        def timed(*args: Any, **kwargs: Any) -> Any:
            items = function(*args, **kwargs)
            while True:
                started = time.thread_time()
                try:
                    item = next(items)
                except StopIteration:
                    return
                finally:
                    self.add(part, time.thread_time() - started)
                yield item

        setattr(owner, name, timed)


def child(events: str) -> dict[str, Any]:
    """One ingest into a fresh workspace, timed per part."""
    import distillguard.engines.batches as batches
    import distillguard.engines.embedded as embedded
    import distillguard.ingest as ingest
    import distillguard.store.workspace as workspace
    from distillguard.config import default_config

    parts = PartTimer()
    wrap: Callable[[Any, str, str], None] = parts.wrap
    wrap(batches, "event_features", "features")
    wrap(ingest, "validate_staged", "validate")
    wrap(workspace.SegmentWriter, "write", "write")
    wrap(workspace.SegmentWriter, "close", "write")
    wrap(embedded.EmbeddedWorkspace, "_quarantine_duplicates", "duplicates")
    wrap(embedded, "file_digest", "digest")
    parts.wrap_iterator(ingest, "_staged_batches", "read")
    config = default_config()
    with tempfile.TemporaryDirectory(prefix="dg-ingest-bench-") as folder:
        ws = embedded.EmbeddedWorkspace(Path(folder) / "ws.duckdb")
        cpu, started = _cpu_seconds(), time.perf_counter()
        report = ws.ingest([events], config, now=NOW)
        seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
        ws.close()
    return {
        "rows": report.rows_read,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "parts": dict(parts.seconds),
        "load_average": os.getloadavg()[0],
    }


def run_child(events: Path, src: Path | None) -> dict[str, Any]:
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    done = subprocess.run([sys.executable, __file__, "--child", str(events)], env=env,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"child failed with exit code {done.returncode}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def print_run(label: str, run: dict[str, Any]) -> None:
    parts = "  ".join(f"{p} {run['parts'].get(p, 0.0):5.2f}" for p in PARTS)
    print(f"  {label:<9} wall {run['seconds']:6.2f} s  CPU {run['cpu_seconds']:6.2f} s  "
          f"{run['rows'] / run['seconds']:>9,.0f} events/s  load {run['load_average']:4.1f}"
          f"  | CPU by part: {parts}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=Path, help="input file to ingest")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline-src", type=Path,
                        help="another checkout's src folder, run alternately with this one")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child)))
        return
    if args.events is None:
        parser.error("--events is required")
    print(f"ingest of {args.events} ({os.cpu_count()} cores); load average at start: "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    runs: dict[str, list[dict[str, Any]]] = {"this": [], "baseline": []}
    for _ in range(args.runs):
        if args.baseline_src is not None:
            runs["baseline"].append(run_child(args.events, args.baseline_src))
            print_run("baseline", runs["baseline"][-1])
        runs["this"].append(run_child(args.events, None))
        print_run("this", runs["this"][-1])
    for label, done in runs.items():
        if done:
            print(f"  {label:<9} best wall {min(r['seconds'] for r in done):6.2f} s, "
                  f"best CPU {min(r['cpu_seconds'] for r in done):6.2f} s")


if __name__ == "__main__":
    main()
