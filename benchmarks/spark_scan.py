"""The Spark engine against the embedded one, and how the driver's stages grow.

For each size the script scans the same simulated Parquet file twice:

1. embedded: ``scan.scan(..., engine="duckdb", write_report=False)``;
2. Spark (``--master``, default ``local[2]``): the Spark part (``SparkWorkspace.ingest``:
   read, ``mapInArrow`` validation + features, write the stage, de-duplicate, profile and
   indicator SQL) and then the driver's account-level stages (``scan.analyse`` with
   Spark's aggregates: signals, linkage, lockstep, campaigns, evidence, decisions),
   each timed, and whether both engines reached the same decisions.

The driver's stages are timed per sub-stage (score, link, campaigns+evidence) so that
their growth with the number of accounts can be read off several sizes. Spark's start-up
(JVM, session) is measured once and reported apart. Data is simulated once per size
(48 hours, default scenario, accounts = events / 88) and cached in ``--data`` in the
layout ``benchmarks/scan.py`` uses, so the two scripts share it. The driver's stages run
``--driver-repeats`` times (default 3) and the fastest run is reported::

    .venv/bin/python benchmarks/spark_scan.py --sizes 100k,300k,1m
    .venv/bin/python benchmarks/spark_scan.py --sizes 1m --master 'local[2]' --json out.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

EVENTS_PER_ACCOUNT = 88
HOURS = 48.0
DEFAULT_DATA = Path(tempfile.gettempdir()) / "distillguard-scan-bench"


def parse_size(text: str) -> int:
    """``100k`` → 100,000; ``1m`` → 1,000,000; plain integers as they are."""
    text = text.strip().lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text[:-1] if scale > 1 else text) * scale)


def events_file(data: Path, label: str, seed: int) -> Path:
    """The cached simulated events of about ``label`` events (simulated on first use)."""
    from distillguard.simulate import Scenario, simulate

    path = data / f"{label}-seed{seed}" / "sim" / "events.parquet"
    if not path.exists():
        accounts = max(50, round(parse_size(label) / EVENTS_PER_ACCOUNT))
        simulate(Scenario(accounts=accounts, hours=HOURS, seed=seed), path.parent)
    return path


class StageClock:
    """Seconds per stage name, from ``on_stage`` callbacks."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._name: str | None = None
        self._since = time.perf_counter()

    def __call__(self, name: str | None) -> None:
        now = time.perf_counter()
        if self._name is not None:
            self.seconds[self._name] = round(now - self._since, 3)
        self._name, self._since = name, now


def embedded_run(events: Path, out: Path) -> dict[str, Any]:
    from distillguard.scan import scan

    clock = StageClock()
    started = time.perf_counter()
    result = scan([events], out, write_report=False, on_stage=clock)
    clock(None)
    return {
        "seconds": round(time.perf_counter() - started, 3),
        "stages": clock.seconds,
        "accounts": result.summary["accounts"],
        "events": result.summary["rows_valid"],
        "decisions": dict(zip(result.accounts.column("account_id").to_pylist(),
                              result.accounts.column("decision").to_pylist(), strict=True)),
    }


def spark_run(events: Path, out: Path, driver_repeats: int) -> dict[str, Any]:
    from distillguard.config import default_config
    from distillguard.engines import precomputed_aggregates
    from distillguard.engines.spark import SparkWorkspace
    from distillguard.scan import analyse

    config = default_config()
    out.mkdir(parents=True, exist_ok=True)
    ws = SparkWorkspace(out / "workspace.duckdb")
    try:
        started = time.perf_counter()
        report = ws.ingest([events], config)
        spark_seconds = time.perf_counter() - started
        profile, indicators = precomputed_aggregates(ws)
        driver_seconds = float("inf")
        driver_stages: dict[str, float] = {}
        for _ in range(max(1, driver_repeats)):  # the fastest of a few: the box is noisy
            clock = StageClock()
            clock("score")
            driver_started = time.perf_counter()
            accounts, _, _ = analyse(ws, config, stage=clock, profile=profile,
                                     indicators=indicators)
            clock(None)
            driver_seconds = min(driver_seconds, time.perf_counter() - driver_started)
            for name, seconds in clock.seconds.items():
                driver_stages[name] = min(driver_stages.get(name, seconds), seconds)
        return {
            "spark_seconds": round(spark_seconds, 3),
            "spark_stages": ws.stage_seconds,
            "driver_seconds": round(driver_seconds, 3),
            "driver_stages": driver_stages,
            "events": report.rows_valid,
            "decisions": dict(zip(accounts.column("account_id").to_pylist(),
                                  accounts.column("decision").to_pylist(), strict=True)),
        }
    finally:
        ws.close()


def start_spark(master: str, driver_memory: str, scratch: Path) -> tuple[Any, float]:
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    started = time.perf_counter()
    spark = (
        SparkSession.builder.master(master)
        .appName("distillguard-bench")
        .config("spark.driver.memory", driver_memory)
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.local.dir", str(scratch))
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    return spark, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100k,1m", help="comma-separated event counts")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--driver-memory", default="4g")
    parser.add_argument("--driver-repeats", type=int, default=3,
                        help="run the driver's stages this many times; report the fastest")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="dg-spark-bench-"))
    spark, startup = start_spark(args.master, args.driver_memory, scratch)
    results: dict[str, Any] = {
        "date": datetime.now(UTC).date().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
                   f"{platform.python_version()}, Spark {spark.version} ({args.master})",
        "spark_startup_seconds": round(startup, 1),
        "sizes": {},
    }
    print(f"Spark session ({args.master}) started in {startup:.1f} s", flush=True)
    header = (f"{'size':>6} {'events':>9} {'accounts':>8} {'embedded s':>10} "
              f"{'spark s':>8} {'driver s':>8} {'same':>5}")
    print(header, flush=True)
    for label in args.sizes.split(","):
        events = events_file(args.data, label, args.seed)
        embedded = embedded_run(events, scratch / f"{label}-duckdb")
        distributed = spark_run(events, scratch / f"{label}-spark", args.driver_repeats)
        same = embedded.pop("decisions") == distributed.pop("decisions")
        results["sizes"][label] = {"embedded": embedded, "spark": distributed,
                                   "same_decisions": same}
        print(f"{label:>6} {embedded['events']:>9,} {embedded['accounts']:>8,} "
              f"{embedded['seconds']:>10.1f} {distributed['spark_seconds']:>8.1f} "
              f"{distributed['driver_seconds']:>8.2f} {same!s:>5}", flush=True)
        print(f"       spark stages {distributed['spark_stages']}", flush=True)
        print(f"       driver stages {distributed['driver_stages']}", flush=True)
        print(f"       embedded stages {embedded['stages']}", flush=True)
    spark.stop()
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
