"""Do two versions of distillguard scan the same scenarios to the same outputs?

For a refactoring (a move, not a rewrite): scan a fixed set of scenarios with one source
tree, then with another, and compare ``campaigns.json`` byte for byte (after dropping
nothing: it has no timing field), ``accounts.parquet`` column for column (floats equal to
the last bits, i.e. within 1e-12 relative), ``quarantine.parquet`` and the counts of
``summary.json`` (its timings, start time and workspace path left out), and the JSON of
``eval --timeline`` (re-analysis in time order).

    # inputs, once (any version: the simulator is not under test here)
    distillguard simulate --accounts 3000 --hours 48 --seed 7 --out /tmp/id/sim
    distillguard simulate --accounts 3000 --hours 48 --seed 9 --evasion strong \\
        --out /tmp/id/sim-strong
    # scan with each source tree (PYTHONPATH picks the tree)
    python benchmarks/scan_identity.py run /tmp/id/sim /tmp/id/sim-strong \\
        --peer ../shared/peers/glasswally_labeled_5k.jsonl --src /work/main/src --out /tmp/id/old
    python benchmarks/scan_identity.py run ... --src src --out /tmp/id/new
    python benchmarks/scan_identity.py compare /tmp/id/old /tmp/id/new

Scenarios: ``demo`` (the default mix), ``metadata_only`` (the demo without prompt, system
prompt and response), ``strong`` (strong evasion), ``pseudonymised`` (the demo with
keyed hashes at ingest), ``until`` (the demo as if scanned at hour 24) and ``peer`` (the
Glasswally file, read by its adapter), when given; with ``--replay SIM``, the online
guard's ``replay`` of that simulation (``decisions.parquet`` column for column and
``replay.json`` without its timings).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

TEXT_COLUMNS = ("prompt", "system_prompt", "response")
#: summary.json keys that differ from run to run by nature.
VOLATILE_SUMMARY = {"seconds", "started_at", "workspace", "files", "version"}
PII_KEY = "scan-identity-fixed-key-0123456789abcdef"


def _env(src: Path) -> dict[str, str]:
    # A fixed hash seed: the online guard's re-scoring order follows set iteration, which
    # changes with Python's string hashing from run to run (replays of the same code
    # differ in a few decisions otherwise).
    return {**os.environ, "PYTHONPATH": str(src.resolve()), "PYTHONHASHSEED": "0"}


def _cli(src: Path, args: list[str], log: Path) -> float:
    env = _env(src)
    code = "from distillguard.cli import main; main()"
    started = time.perf_counter()
    with log.open("a") as out:
        out.write(f"$ distillguard {' '.join(args)}\n")
        out.flush()
        subprocess.run([sys.executable, "-c", code, *args], env=env, check=True,
                       stdout=out, stderr=subprocess.STDOUT)
    return time.perf_counter() - started


def run(sims: list[Path], peer: Path | None, src: Path, out: Path,
        replay: Path | None = None) -> None:
    out.mkdir(parents=True, exist_ok=True)
    log = out / "run.log"
    demo, strong = sims[0], sims[1] if len(sims) > 1 else None
    metadata = out / "inputs" / "events_metadata_only.parquet"
    metadata.parent.mkdir(parents=True, exist_ok=True)
    table = pq.read_table(demo / "events.parquet")
    pq.write_table(table.drop_columns([c for c in TEXT_COLUMNS if c in table.column_names]),
                   metadata)
    key_file = out / "inputs" / "pii.key"
    key_file.write_text(PII_KEY)
    labels = str(demo / "labels.parquet")
    scans: dict[str, list[str]] = {
        "demo": [str(demo / "events.parquet"), "--labels", labels],
        "metadata_only": [str(metadata), "--labels", labels],
        "pseudonymised": [str(demo / "events.parquet"), "--pseudonymise",
                          "--pii-key-file", str(key_file)],
        "until": [str(demo / "events.parquet"), "--until", "2026-02-02T00:00:00"],
    }
    if strong is not None:
        scans["strong"] = [str(strong / "events.parquet"), "--labels",
                           str(strong / "labels.parquet")]
    if peer is not None:
        scans["peer"] = [str(peer)]
    seconds: dict[str, float] = {}
    for name, args in scans.items():
        target = out / name
        seconds[name] = _cli(src, ["scan", *args, "--out", str(target), "--no-report"], log)
        print(f"{name}: {seconds[name]:.1f} s", flush=True)
    timeline = out / "demo" / "timeline.json"
    with timeline.open("w") as handle:
        subprocess.run(
            [sys.executable, "-c", "from distillguard.cli import main; main()", "eval",
             "--labels", labels, "--scan", str(out / "demo"), "--timeline", "--json",
             "--step-hours", "6"],
            env=_env(src), check=True, stdout=handle,
        )
    if replay is not None:  # the online guard, event by event
        # Rounds of re-scoring every N events only: the wall-clock trigger (every
        # online.rescore_interval_ms) makes two replays of the same events differ.
        by_count = out / "inputs" / "replay-config.yaml"
        by_count.write_text("online:\n  rescore_interval_ms: 1000000000\n")
        seconds["replay"] = _cli(src, ["replay", str(replay / "events.parquet"), "--labels",
                                       str(replay / "labels.parquet"), "--out",
                                       str(out / "replay"), "--config", str(by_count)], log)
        print(f"replay: {seconds['replay']:.1f} s", flush=True)
    (out / "seconds.json").write_text(json.dumps(seconds, indent=2) + "\n")


def _close(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) and math.isnan(b):
            return True
        return a == b or math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-15)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    return a == b


def compare_tables(old: pa.Table, new: pa.Table) -> list[str]:
    """Differences between two tables, column by column (floats to the last bits)."""
    problems = []
    if old.column_names != new.column_names:
        problems.append(f"columns differ: {old.column_names} vs {new.column_names}")
    if old.num_rows != new.num_rows:
        problems.append(f"rows differ: {old.num_rows} vs {new.num_rows}")
        return problems
    for name in old.column_names:
        if name not in new.column_names:
            continue
        a, b = old.column(name), new.column(name)
        if a.type != b.type:
            problems.append(f"{name}: type {a.type} vs {b.type}")
            continue
        if a.equals(b):
            continue
        left, right = a.to_pylist(), b.to_pylist()
        bad = [i for i, (x, y) in enumerate(zip(left, right, strict=True)) if not _close(x, y)]
        if bad:
            i = bad[0]
            problems.append(f"{name}: {len(bad)} rows differ, first row {i}: "
                            f"{left[i]!r} vs {right[i]!r}")
    return problems


def compare(old: Path, new: Path) -> int:
    failed = 0
    names = sorted(p.name for p in old.iterdir() if (p / "summary.json").exists())
    for name in names:
        a, b = old / name, new / name
        problems: list[str] = []
        if not (b / "summary.json").exists():
            problems.append("missing in the new run")
        else:
            if (a / "campaigns.json").read_bytes() != (b / "campaigns.json").read_bytes():
                problems.append("campaigns.json differs (bytes)")
            for parquet in ("accounts.parquet", "quarantine.parquet"):
                problems += [f"{parquet}: {p}" for p in compare_tables(
                    pq.read_table(a / parquet), pq.read_table(b / parquet))]
            sa, sb = (json.loads((d / "summary.json").read_text()) for d in (a, b))
            for key in sorted((sa.keys() | sb.keys()) - VOLATILE_SUMMARY):
                if not _close(sa.get(key), sb.get(key)):
                    problems.append(f"summary.json {key}: {sa.get(key)!r} vs {sb.get(key)!r}")
            if (a / "timeline.json").exists() and (
                json.loads((a / "timeline.json").read_text())
                != json.loads((b / "timeline.json").read_text())
            ):
                problems.append("eval --timeline --json differs")
        accounts = pq.read_metadata(a / "accounts.parquet")
        status = "identical" if not problems else "DIFFERENT"
        print(f"{name}: {status} ({accounts.num_rows} accounts, "
              f"{accounts.num_columns} columns)")
        for problem in problems:
            print(f"  {problem}")
        failed += bool(problems)
    if (old / "replay").is_dir():
        problems = compare_tables(pq.read_table(old / "replay" / "decisions.parquet"),
                                  pq.read_table(new / "replay" / "decisions.parquet"))
        summaries = [json.loads((d / "replay" / "replay.json").read_text()) for d in (old, new)]
        for summary in summaries:
            summary.get("summary", {}).pop("seconds", None)
            summary.get("summary", {}).pop("events_per_second", None)
            summary.get("summary", {}).pop("latency_ms", None)
        if not _close(*summaries):
            problems.append("replay.json differs")
        rows = pq.read_metadata(old / "replay" / "decisions.parquet").num_rows
        print(f"replay: {'identical' if not problems else 'DIFFERENT'} ({rows} decisions)")
        for problem in problems:
            print(f"  {problem}")
        failed += bool(problems)
    return 1 if failed else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="scan the scenarios with one source tree")
    r.add_argument("sims", nargs="+", type=Path, help="simulator folders: default, strong")
    r.add_argument("--peer", type=Path, help="the Glasswally peer file")
    r.add_argument("--replay", type=Path, help="a (small) simulator folder to replay")
    r.add_argument("--src", type=Path, required=True, help="the source tree (PYTHONPATH)")
    r.add_argument("--out", type=Path, required=True)
    c = sub.add_parser("compare", help="compare two runs")
    c.add_argument("old", type=Path)
    c.add_argument("new", type=Path)
    args = parser.parse_args()
    if args.command == "run":
        run(args.sims, args.peer, args.src, args.out, args.replay)
    else:
        sys.exit(compare(args.old, args.new))


if __name__ == "__main__":
    main()
