"""Where the gateway's memory and CPU go: a gateway under load, observed from inside.

The mock upstream and the gateway run as separate processes, the load comes from a
third (``benchmarks/online.py loadgen``). The gateway runs in this script's ``serve``
mode: the same app as ``distillguard gateway`` (one worker, state in process), and

- ``memory``: ``tracemalloc`` started before anything is built and a thread that, every
  ``--every`` seconds, writes a snapshot, the resident memory, the garbage collector's
  counts and the number of live objects by type (objgraph-style). At the end the
  snapshots are compared: the lines of code whose allocations grew most between the first
  and the last snapshot (and between the middle one and the last), and the types whose
  counts grew. (Taking a snapshot itself raises the resident memory: read ``traced_mib``.)
- ``cpu``: pyinstrument samples the gateway's event-loop thread for the whole run and
  prints where its time went (the request path, per call site).

    .venv/bin/python benchmarks/online_profile.py memory --rate 50 --seconds 300 --every 60
    .venv/bin/python benchmarks/online_profile.py memory --requests 2000  # cycled: plateau
    .venv/bin/python benchmarks/online_profile.py cpu --rate 300 --seconds 30
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _type_counts() -> dict[str, int]:
    counts: Counter[str] = Counter(type(o).__name__ for o in gc.get_objects())
    return dict(counts)


def _watch(out: Path, every: float) -> None:
    started = time.monotonic()
    number = 0
    while True:
        time.sleep(every)
        number += 1
        elapsed = round(time.monotonic() - started, 1)
        tracemalloc.take_snapshot().dump(str(out / f"snap-{number:03d}.tracemalloc"))
        current = tracemalloc.get_traced_memory()[0]
        record = {"n": number, "t": elapsed, "rss_mib": round(_rss_mib(), 1),
                  "traced_mib": round(current / 2**20, 2), "gc_counts": gc.get_count(),
                  "gc_stats": [s["collections"] for s in gc.get_stats()],
                  "types": _type_counts()}
        (out / f"meta-{number:03d}.json").write_text(json.dumps(record))


def serve(args: argparse.Namespace) -> None:
    profiler = None
    if args.cpu_profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005, async_mode="disabled")
    else:
        tracemalloc.start(args.frames)
    from distillguard.config import default_config
    from distillguard.online.gateway import create_app
    from distillguard.online.gateway import serve as run_server
    from distillguard.online.guard import Guard
    from distillguard.online.keys import KeyRing

    guard = Guard(default_config())
    app = create_app(guard, args.upstream, keys=KeyRing.load(args.keys),
                     log_dir=str(args.log_dir))
    if profiler is not None:
        # uvicorn re-raises SIGTERM once it has shut down, so the profile is written
        # when the app is told to shut down (in the event loop's thread, the profiled one).
        async def profiled(scope: Any, receive: Any, send: Any) -> None:
            async def shutdown_aware() -> Any:
                message = await receive()
                if message["type"] == "lifespan.shutdown" and profiler.is_running:
                    profiler.stop()
                    args.cpu_profile.write_text(profiler.output_text(
                        unicode=False, color=False, show_all=args.show_all))
                return message

            await app(scope, shutdown_aware if scope["type"] == "lifespan" else receive,
                      send)

        import uvicorn

        profiler.start()
        uvicorn.run(profiled, host="127.0.0.1", port=args.port, log_level="warning",
                    access_log=False)  # as gateway.serve does
        return
    args.snapshots.mkdir(parents=True, exist_ok=True)
    threading.Thread(target=_watch, args=(args.snapshots, args.every),
                     daemon=True).start()
    run_server(app, "127.0.0.1", args.port)


def compare(snapshots: Path, top: int) -> dict[str, Any]:
    files = sorted(snapshots.glob("snap-*.tracemalloc"))
    metas = [json.loads(p.read_text()) for p in sorted(snapshots.glob("meta-*.json"))]
    report: dict[str, Any] = {"samples": [
        {k: m[k] for k in ("t", "rss_mib", "traced_mib", "gc_stats")} for m in metas]}
    if len(files) < 2:
        return report
    first, middle, last = (tracemalloc.Snapshot.load(str(files[i]))
                           for i in (0, len(files) // 2, -1))
    skip = [tracemalloc.Filter(False, tracemalloc.__file__),
            tracemalloc.Filter(False, "<frozen importlib._bootstrap*>")]
    first, middle, last = (s.filter_traces(skip) for s in (first, middle, last))

    def grown(old: tracemalloc.Snapshot, new: tracemalloc.Snapshot, key: str
              ) -> list[dict[str, Any]]:
        rows = []
        for stat in new.compare_to(old, key)[:top]:
            frames = [f"{f.filename.replace(str(ROOT) + '/', '')}:{f.lineno}"
                      for f in stat.traceback[:6]]
            rows.append({"kib": round(stat.size_diff / 1024, 1),
                         "count": stat.count_diff, "where": frames})
        return rows

    report["first_to_last_by_line"] = grown(first, last, "lineno")
    report["middle_to_last_by_line"] = grown(middle, last, "lineno")
    report["middle_to_last_by_traceback"] = grown(middle, last, "traceback")[: top // 2]
    old_types, new_types = metas[0]["types"], metas[-1]["types"]
    mid_types = metas[len(metas) // 2]["types"]
    report["types_first_to_last"] = sorted(
        ((t, n - old_types.get(t, 0)) for t, n in new_types.items()),
        key=lambda item: -item[1])[:top]
    report["types_middle_to_last"] = sorted(
        ((t, n - mid_types.get(t, 0)) for t, n in new_types.items()),
        key=lambda item: -item[1])[:top]
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("part", choices=("memory", "cpu", "serve"))
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--hours", type=float, default=24.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--seconds", type=float, default=300.0)
    parser.add_argument("--every", type=float, default=60.0)
    parser.add_argument("--requests", type=int, default=50_000,
                        help="distinct simulated requests, cycled")
    parser.add_argument("--frames", type=int, default=1,
                        help="frames kept per allocation (more: slower, and tracebacks)")
    parser.add_argument("--top", type=int, default=20)
    parser.add_argument("--json", type=Path, default=None)
    # serve (internal)
    parser.add_argument("--upstream")
    parser.add_argument("--port", type=int)
    parser.add_argument("--keys", type=Path)
    parser.add_argument("--log-dir", type=Path)
    parser.add_argument("--snapshots", type=Path)
    parser.add_argument("--cpu-profile", type=Path)
    parser.add_argument("--show-all", action="store_true",
                        help="cpu: keep library frames in the profile")
    args = parser.parse_args()
    if args.part == "serve":
        serve(args)
        return

    import online as bench  # benchmarks/online.py: simulation, requests, load generator

    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        table = bench.simulated_events(args, tmp)
        requests_file, keys_file = tmp / "requests.jsonl", tmp / "keys.yaml"
        bench.write_requests(table, requests_file, keys_file, args.requests)
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        up_port, gw_port = bench.free_port(), bench.free_port()
        upstream = subprocess.Popen([sys.executable, "-m", "distillguard.online.mock_upstream",
                                     "--port", str(up_port)], env=env)
        gateway = subprocess.Popen([
            sys.executable, __file__, "serve", "--upstream", f"http://127.0.0.1:{up_port}",
            "--port", str(gw_port), "--keys", str(keys_file), "--log-dir",
            str(tmp / "log"), "--snapshots", str(tmp / "snaps"), "--every", str(args.every),
            "--frames", str(args.frames),
            *(["--cpu-profile", str(tmp / "cpu.txt")] if args.part == "cpu" else []),
            *(["--show-all"] if args.show_all else [])],
            env=env)
        try:
            bench.wait_ready(f"http://127.0.0.1:{up_port}")
            bench.wait_ready(f"http://127.0.0.1:{gw_port}")
            load = bench.run_load(f"http://127.0.0.1:{gw_port}", requests_file, args.rate,
                                  args.seconds, tmp, watch_pid=gateway.pid)
            expected = int(args.seconds // args.every) if args.part == "memory" else 0
            deadline = time.monotonic() + args.every + 120
            while len(list((tmp / "snaps").glob("meta-*.json"))) < expected and \
                    time.monotonic() < deadline:
                time.sleep(1.0)
        finally:
            bench.stop_processes(gateway, upstream)
        report = {"load_average": os.getloadavg(), "rate": args.rate,
                  "seconds": args.seconds, "distinct_requests": args.requests,
                  "statuses": load["statuses"], "latency_ms": load["latency_ms"],
                  "rss_mib": load.get("rss_mib")}
        if args.part == "cpu":
            print((tmp / "cpu.txt").read_text())
        else:
            report.update(compare(tmp / "snaps", args.top))
    text = json.dumps(report, indent=1)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")


if __name__ == "__main__":
    main()
