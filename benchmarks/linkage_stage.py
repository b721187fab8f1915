"""Time the account-level stages alone: ``scan.analyse()`` on an existing workspace.

``benchmarks/scan.py`` measures a scan end to end; this narrower harness reuses a
workspace that already holds the events (ingested once, on first use) and runs only
what comes after ingest: profiles and signals, linkage, campaigns. It prints seconds
per stage, peak RSS per stage and for the whole process, and the load average, and can
write ``accounts.parquet`` and ``campaigns.json`` to compare two versions' outputs. CPU
seconds per stage are printed too: on a shared machine they vary less than wall time::

    .venv/bin/python benchmarks/linkage_stage.py \\
        --events /tmp/distillguard-scan-bench/1m-seed7/sim/events.parquet \\
        --workspace /tmp/dg-link/1m.duckdb --out /tmp/dg-link/out-1m

The DuckDB memory limit is the configured ``workspace.memory_limit`` (as in a scan).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from pathlib import Path
from typing import Any

from scan import StageMemory  # this folder is on the path when run as a script


def _cpu_seconds() -> float:
    """CPU time of this process, every thread (DuckDB's included)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def ensure_workspace(events: Path, workspace: Path) -> float:
    """Ingest ``events`` into ``workspace`` unless it is there already; seconds spent."""
    from distillguard.config import default_config
    from distillguard.engines.embedded import EmbeddedWorkspace

    started = time.perf_counter()
    with EmbeddedWorkspace(workspace) as ws:
        ws.ingest([events], default_config())
    return time.perf_counter() - started


def run_analyse(workspace: Path, out: Path | None, profile: Path | None) -> dict[str, Any]:
    """``analyse()`` on ``workspace``, timed per stage; outputs written to ``out``."""
    import pyarrow.parquet as pq

    from distillguard.config import default_config
    from distillguard.scan import analyse
    from distillguard.store.workspace import Workspace

    config = default_config()
    profiler = None
    if profile is not None:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.005)
        profiler.start()
    marks: list[tuple[str, float, float]] = []
    peaks = StageMemory()

    def on_stage(name: str) -> None:
        marks.append((name, time.perf_counter(), _cpu_seconds()))
        peaks.stage = name

    with Workspace(workspace) as ws:
        ws.apply_settings(config.workspace)
        on_stage("profile")
        accounts, campaigns, _ = analyse(ws, config, stage=on_stage)
        on_stage("end")
    memory = {stage: round(mib, 1) for stage, mib in peaks.stop().items()}
    if profiler is not None and profile is not None:
        profiler.stop()
        profile.write_text(profiler.output_text(unicode=True, color=False))
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        pq.write_table(accounts, out / "accounts.parquet")
        (out / "campaigns.json").write_text(
            json.dumps([c.to_dict() for c in campaigns], indent=2, default=str) + "\n")
    seconds = {name: round(marks[i + 1][1] - began, 3)
               for i, (name, began, _) in enumerate(marks[:-1])}
    cpu = {name: round(marks[i + 1][2] - began, 3)
           for i, (name, _, began) in enumerate(marks[:-1])}
    return {
        "accounts": accounts.num_rows,
        "campaigns": len(campaigns),
        "seconds": seconds,
        "cpu_seconds": cpu,
        "total_seconds": round(marks[-1][1] - marks[0][1], 3),
        "stage_peak_rss_mib": memory,
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=Path, help="events Parquet to ingest on first use")
    parser.add_argument("--workspace", type=Path, required=True, help="DuckDB workspace file")
    parser.add_argument("--out", type=Path, help="write accounts.parquet, campaigns.json here")
    parser.add_argument("--profile", type=Path, help="write a pyinstrument profile here")
    args = parser.parse_args()
    if args.events is not None and not args.workspace.exists():
        print(f"ingested {args.events} in {ensure_workspace(args.events, args.workspace):.1f} s",
              flush=True)
    print(json.dumps(run_analyse(args.workspace, args.out, args.profile)), flush=True)


if __name__ == "__main__":
    main()
