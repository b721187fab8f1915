"""Online guard and gateway: latency at a target rate, memory over a soak, and detection.

Three parts (``all`` runs the first two):

- ``guard``: ``Guard.observe`` on simulated events, paced at ``--rate`` events/s on one
  core (the process is pinned to one CPU); per-event service time and response time
  (service plus any wait when the guard falls behind), p50/p99/p99.9/max, and the
  cost of the two per-event feature engines (Arrow on a one-row table vs Python ``re``).
- ``gateway``: the mock upstream and the gateway as separate server processes, load
  from a third process (an asyncio httpx load generator, open loop at ``--rate``
  requests/s). Direct-to-upstream first, then through the gateway, with the same
  requests; the added latency is the difference of the two distributions, and the
  gateway's own overhead histogram is read from ``/metrics``. The gateway's resident
  memory is sampled every 5 s; ``--soak-seconds`` runs the gateway phase that long.
- ``replay``: the default simulated scenario through the guard in process, with labels
  (time to detection, leakage, false positives), next to a batch scan of the same events
  evaluated against the same labels, and next to batch scans of the traffic as it
  arrives (``--prefix-hours``: a scan of the first 3, 6, 12, ... hours): the legitimate
  accounts a provider scanning every few hours would have flagged at some point, the
  like-for-like comparison for the online guard's "ever flagged".

    .venv/bin/python benchmarks/online.py guard --rate 5000
    .venv/bin/python benchmarks/online.py gateway --rate 500 --seconds 60
    .venv/bin/python benchmarks/online.py gateway --rate 500 --soak-seconds 600
    .venv/bin/python benchmarks/online.py replay --accounts 3000 --hours 48 --seed 7
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
if not (ROOT / "src" / "distillguard").is_dir():
    raise SystemExit("run from a distillguard checkout")
sys.path.insert(0, str(ROOT / "src"))

from distillguard.simulate import Scenario, simulate  # noqa: E402

PERCENTILES = (50, 90, 99, 99.9)


def describe(values_s: list[float] | np.ndarray) -> dict[str, float]:
    ms = np.asarray(values_s, dtype=float) * 1e3
    if not len(ms):
        return {}
    out = {f"p{p:g}": round(float(np.percentile(ms, p)), 4) for p in PERCENTILES}
    out["mean"] = round(float(ms.mean()), 4)
    out["max"] = round(float(ms.max()), 4)
    return out


def simulated_events(args: argparse.Namespace, tmp: Path) -> pa.Table:
    simulate(Scenario(accounts=args.accounts, hours=args.hours, seed=args.seed), tmp / "sim")
    table = pq.read_table(tmp / "sim" / "events.parquet")
    return table.sort_by([("timestamp", "ascending"), ("request_id", "ascending")])


# -- guard ----------------------------------------------------------------------------

def bench_guard(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    from distillguard.config import default_config
    from distillguard.detect.features import event_features
    from distillguard.online.features import EventFeatureExtractor
    from distillguard.online.guard import Guard

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[-1]})
    table = simulated_events(args, tmp).slice(0, args.events)
    events = table.to_pylist()
    config = default_config()
    # The two feature engines, per event.
    sample = table.slice(0, 300)
    extractor = EventFeatureExtractor(config.features)
    started = time.perf_counter()
    for i in range(sample.num_rows):
        event_features(sample.slice(i, 1), config.features)
    arrow_us = (time.perf_counter() - started) / sample.num_rows * 1e6
    rows = sample.to_pylist()
    started = time.perf_counter()
    for row in rows:
        extractor.extract(row)
    python_us = (time.perf_counter() - started) / len(rows) * 1e6

    guard = Guard(config)
    if args.gc_freeze:  # as the gateway does after start-up
        gc.collect()
        gc.freeze()
    service = np.empty(len(events))
    response = np.empty(len(events))
    collected = [g["collections"] for g in gc.get_stats()]
    interval = 1.0 / args.rate
    t0 = time.perf_counter() + 0.01
    for i, event in enumerate(events):  # one event at a time: the online path
        due = t0 + i * interval
        while time.perf_counter() < due:
            pass
        start = time.perf_counter()
        guard.observe(event)
        end = time.perf_counter()
        service[i] = end - start
        response[i] = end - due
    elapsed = time.perf_counter() - t0
    collections = [g["collections"] - c for g, c in zip(gc.get_stats(), collected,
                                                         strict=True)]
    # Flat out, for the ceiling.
    fresh = Guard(config)
    started = time.perf_counter()
    for event in events[: min(len(events), 50_000)]:
        fresh.observe(event)
    ceiling = min(len(events), 50_000) / (time.perf_counter() - started)
    return {
        "events": len(events), "target_rate": args.rate,
        "achieved_rate": round(len(events) / elapsed, 1),
        "service_ms": describe(service), "response_ms": describe(response),
        "gc_freeze": args.gc_freeze, "gc_collections_by_generation": collections,
        "flushes": guard.stats.flushes, "accounts_rescored": guard.stats.rescored,
        "max_rate_unpaced": round(ceiling, 1),
        "features_us": {"arrow_one_row_table": round(arrow_us, 1),
                        "python_re": round(python_us, 1)},
        "actions": guard.stats.actions,
        "rescore_step_ms": rescore_step_costs(events[: min(len(events), 20_000)], config),
    }


def rescore_step_costs(events: list[dict[str, Any]], config: Any) -> dict[str, float]:
    """Milliseconds per re-scoring step, by step size: every account the events made
    re-scored with ``Guard.flush(everything=True)``, total time over steps taken."""
    import dataclasses

    from distillguard.online.guard import Guard

    costs = {}
    for chunk in (4, 16, 32, 64):
        guard = Guard(dataclasses.replace(
            config, online=dataclasses.replace(config.online, rescore_chunk=chunk)))
        for event in events:
            guard.observe(event, rescore=False)
        guard.flush(everything=True)  # first scores (links, groups): not timed
        steps = guard.stats.flushes
        started = time.perf_counter()
        guard.flush(everything=True)
        seconds = time.perf_counter() - started
        costs[f"{chunk}_accounts"] = round(seconds / max(guard.stats.flushes - steps, 1) * 1e3,
                                           3)
    return costs


# -- gateway --------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(url: str, timeout: float = 60.0) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not start")


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def write_requests(table: pa.Table, path: Path, keys_path: Path, limit: int) -> None:
    """Requests (key + chat body) in event order, and the keys file for their accounts."""
    import yaml

    from distillguard.online.replay import chat_request

    events = table.slice(0, limit).to_pylist()
    accounts = sorted({e["account_id"] for e in events})
    keys = {a: f"sk-bench-{i:06d}" for i, a in enumerate(accounts)}
    keys_path.write_text(yaml.safe_dump({"keys": {k: {"account_id": a} for a, k in
                                                  keys.items()}}))
    with path.open("w") as out:
        for event in events:
            out.write(json.dumps({"key": keys[event["account_id"]],
                                  "body": chat_request(event)}) + "\n")


def loadgen(url: str, requests_file: Path, rate: float, seconds: float,
            out_file: Path, connections: int = 8) -> None:
    """Open-loop load: request i is sent at t0 + i / rate (run in its own process).

    Requests go round-robin over ``connections`` keep-alive pools (one connection each
    while the answers come quickly), so several gateway workers all get a share; the
    lean transport's ``exchange`` keeps the generator's own CPU per request low.
    """
    from distillguard.online.upstream import Origin, StreamTransport

    requests = [json.loads(line) for line in requests_file.read_text().splitlines()]
    bodies = [json.dumps(r["body"]).encode() for r in requests]
    origin = Origin.of(url + "/v1/chat/completions")
    base = [(b"host", origin.host_header), (b"content-type", b"application/json")]
    headers = [[*base, (b"authorization", f"Bearer {r['key']}".encode())] for r in requests]
    timeouts = dict.fromkeys(("connect", "read", "write"), 30.0)
    total = int(rate * seconds)

    async def run() -> list[tuple[float, float, int]]:
        import httpx

        results: list[tuple[float, float, int]] = []
        pools = [StreamTransport() for _ in range(connections)]

        async def one(i: int, due: float) -> None:
            k = i % len(requests)
            start = time.perf_counter()
            try:
                status, _, answer = await pools[i % connections].exchange(
                    origin.key, b"POST", origin.target, headers[k], bodies[k], timeouts)
                await answer.read()
            except httpx.HTTPError:
                status = -1
            results.append((time.perf_counter() - start, start - due, status))

        tasks = []
        t0 = time.perf_counter() + 0.05
        for i in range(total):
            due = t0 + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(i, due)))
        await asyncio.gather(*tasks)
        for pool in pools:
            await pool.aclose()
        return results

    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    results = asyncio.run(run())
    out_file.write_text(json.dumps({"results": results, "cpu_seconds": time.process_time()}))


def cpu_seconds(root: int) -> float:
    """CPU time (user + system) of a process and all its descendants, in seconds."""
    parents: dict[int, int] = {}
    ticks: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(stat.parent.name)
        parents[pid] = int(fields[1])
        ticks[pid] = int(fields[11]) + int(fields[12])
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [p for p, pp in parents.items() if pp == parent and p not in tree]
        tree.update(children)
        frontier.extend(children)
    return sum(ticks.get(p, 0) for p in tree) / os.sysconf("SC_CLK_TCK")


def run_load(url: str, requests_file: Path, rate: float, seconds: float, tmp: Path,
             watch_pid: int | None = None, cpu_pids: dict[str, int] | None = None
             ) -> dict[str, Any]:
    """One load phase; with ``cpu_pids`` ({name: pid}), the CPU each process tree used
    per request (ms), next to the load generator's own."""
    out = tmp / f"load-{time.monotonic_ns()}.json"
    load_before = os.getloadavg()[0]
    cpu_before = {n: cpu_seconds(p) for n, p in (cpu_pids or {}).items()}
    process = subprocess.Popen([sys.executable, __file__, "loadgen", "--url", url,
                                "--requests-file", str(requests_file), "--rate", str(rate),
                                "--seconds", str(seconds), "--out", str(out)])
    memory: list[tuple[float, float]] = []
    started = time.monotonic()
    while process.poll() is None:
        if watch_pid is not None:
            memory.append((round(time.monotonic() - started, 1), round(rss_mib(watch_pid), 1)))
        time.sleep(5.0)
    wall = time.monotonic() - started
    if process.returncode:
        raise RuntimeError("load generator failed")
    data = json.loads(out.read_text())
    results = data["results"]
    latency = [r[0] for r in results]
    late = [r[1] for r in results]
    statuses: dict[str, int] = {}
    for r in results:
        statuses[str(r[2])] = statuses.get(str(r[2]), 0) + 1
    errors = sum(n for s, n in statuses.items() if s not in ("200", "429", "403"))
    report: dict[str, Any] = {
        "requests": len(results), "achieved_rate": round(len(results) / seconds, 1),
        "latency_ms": describe(latency), "sender_lateness_ms": describe(late),
        "statuses": statuses, "errors": errors,
        "load_average_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }
    if cpu_pids:
        n = max(len(results), 1)
        report["cpu_ms_per_request"] = {
            name: round((cpu_seconds(pid) - cpu_before[name]) / n * 1e3, 3)
            for name, pid in cpu_pids.items()}
        report["cpu_ms_per_request"]["load_generator"] = round(data["cpu_seconds"] / n * 1e3,
                                                               3)
        report["wall_seconds"] = round(wall, 1)
    if memory:
        report["rss_mib"] = memory
    return report


def overhead_from_metrics(text: str) -> dict[str, Any]:
    """Bucket counts of the gateway's own overhead, guard and re-scoring histograms."""
    out: dict[str, Any] = {}
    for name in ("distillguard_overhead_seconds", "distillguard_guard_seconds",
                 "distillguard_rescore_seconds"):
        buckets = [(float(le), float(v)) for le, v in re.findall(
            name + r'_bucket\{le="([0-9.e+-]+)"\} ([0-9.e+]+)', text)]
        total = buckets[-1][1] if buckets else 0.0
        share = {f"<= {le * 1e3:g} ms": round(v / total, 5) for le, v in buckets if total}
        p99 = next((le for le, v in buckets if total and v / total >= 0.99), None)
        out[name] = {"count": total, "share_at_or_below": share,
                     "p99_bucket_ms": None if p99 is None else p99 * 1e3}
    return out


def start_redis(tmp: Path) -> tuple[subprocess.Popen[bytes], str]:
    """An in-memory redis-server on a free loopback port (no persistence)."""
    import redis

    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(tmp)], stdout=subprocess.DEVNULL)
    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            return process, f"redis://127.0.0.1:{port}/0"
        except redis.ConnectionError:
            time.sleep(0.05)
    raise RuntimeError("redis-server did not start")


def stop_processes(*processes: subprocess.Popen[bytes]) -> None:
    """Terminate the servers a benchmark started; kill any that do not stop in 30 s."""
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def per_minute(samples: list[tuple[float, float]]) -> list[float]:
    """The RSS sample closest to each whole minute of a soak (the first one at 0)."""
    out = []
    for minute in range(int(samples[-1][0] // 60) + 1):
        out.append(min(samples, key=lambda s: abs(s[0] - 60 * minute))[1])
    return out


def bench_gateway(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    import httpx

    table = simulated_events(args, tmp)
    requests_file, keys_file = tmp / "requests.jsonl", tmp / "keys.yaml"
    write_requests(table, requests_file, keys_file, args.requests)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep
           + os.environ.get("PYTHONPATH", "")}
    up_port, gw_port = free_port(), free_port()
    processes: list[subprocess.Popen[bytes]] = []
    redis_url = None
    if args.redis or args.workers > 1:
        redis_process, redis_url = start_redis(tmp)
        processes.append(redis_process)
    upstream = subprocess.Popen([sys.executable, "-m", "distillguard.online.mock_upstream",
                                 "--port", str(up_port)], env=env)
    gateway = subprocess.Popen([
        sys.executable, "-m", "distillguard.cli", "gateway",
        "--upstream", f"http://127.0.0.1:{up_port}", "--port", str(gw_port),
        "--keys", str(keys_file), "--log-dir", str(tmp / "gateway-log"),
        "--workers", str(args.workers), *(["--redis", redis_url] if redis_url else []),
        *(["--config", str(args.config)] if args.config else [])],
        env=env)
    processes = [gateway, upstream, *processes]
    try:
        up_url, gw_url = f"http://127.0.0.1:{up_port}", f"http://127.0.0.1:{gw_port}"
        wait_ready(up_url)
        wait_ready(gw_url)
        warm = min(5.0, args.seconds)
        run_load(gw_url, requests_file, args.rate, warm, tmp)  # warm both up
        direct = run_load(up_url, requests_file, args.rate, args.seconds, tmp,
                          cpu_pids={"upstream": upstream.pid})
        cpu_pids = {"gateway": gateway.pid, "upstream": upstream.pid}
        if redis_url:
            cpu_pids["redis"] = processes[-1].pid
        through = run_load(gw_url, requests_file, args.rate, args.seconds, tmp,
                           watch_pid=gateway.pid, cpu_pids=cpu_pids)
        metrics = httpx.get(gw_url + "/metrics").text
        report: dict[str, Any] = {
            "rate": args.rate, "seconds": args.seconds, "workers": args.workers,
            "state": "redis" if redis_url else "in process",
            "direct": direct, "gateway": through,
            "added_ms": {
                k: round(through["latency_ms"][k] - direct["latency_ms"][k], 4)
                for k in ("p50", "p90", "p99", "p99.9", "mean")
            },
            # With several workers this is the one worker that answered the scrape.
            "server_side": overhead_from_metrics(metrics),
        }
        if args.soak_seconds:
            soak = run_load(gw_url, requests_file, args.rate, args.soak_seconds, tmp,
                            watch_pid=gateway.pid, cpu_pids=cpu_pids)
            minutes = per_minute(soak.pop("rss_mib"))
            soak["rss_mib_each_minute"] = minutes
            half = len(minutes) // 2
            soak["rss_growth_first_half_mib"] = round(minutes[half] - minutes[0], 1)
            soak["rss_growth_second_half_mib"] = round(minutes[-1] - minutes[half], 1)
            report["soak"] = soak
        return report
    finally:
        stop_processes(*processes)


# -- replay ---------------------------------------------------------------------------

def bench_replay(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    from distillguard.evaluation.evaluate import evaluate
    from distillguard.online.replay import replay
    from distillguard.scan import scan

    simulate(Scenario(accounts=args.accounts, hours=args.hours, seed=args.seed), tmp / "sim")
    events, labels = tmp / "sim" / "events.parquet", tmp / "sim" / "labels.parquet"
    started = time.perf_counter()
    scan([events], tmp / "scan", write_report=False)
    scan_seconds = time.perf_counter() - started
    batch = evaluate(labels, tmp / "scan")
    online = replay([events], labels=labels, out_dir=tmp / "replay")
    detection = online.detection or {}
    prefixes = prefix_scans(events, labels, tmp / "prefixes", args.prefix_hours)
    return {
        "scenario": {"accounts": args.accounts, "hours": args.hours, "seed": args.seed},
        "events": online.summary["events"],
        "online": {
            "events_per_second": online.summary["events_per_second"],
            "latency_ms": online.summary["latency_ms"],
            **{k: detection.get(k) for k in (
                "campaigns_detected", "campaigns_total", "leakage", "account_leakage",
                "served_after_detection", "recall", "false_positive_rate",
                "false_positive_rate_final")},
            "campaigns": detection.get("campaigns"),
            "fpr_by_archetype": detection.get("fpr_by_archetype"),
        },
        "batch": {
            "seconds": round(scan_seconds, 2),
            "campaigns_detected": batch.campaigns_detected,
            "campaigns_total": batch.campaigns_total, "recall": batch.recall,
            "false_positive_rate": batch.false_positive_rate,
            "fpr_by_archetype": batch.fpr_by_archetype,
        },
        "batch_on_arriving_traffic": prefixes,
    }


def prefix_scans(events: Path, labels: Path, out: Path, hours: list[float]
                 ) -> dict[str, Any]:
    """Batch scans of the first ``h`` hours of traffic, for each ``h``: the legitimate
    accounts flagged (review or block) by each, and by any of them."""
    from datetime import timedelta

    import pyarrow.compute as pc

    from distillguard.scan import scan

    table = pq.read_table(events)
    truth = pq.read_table(labels)
    legit = set(truth.filter(pc.is_null(truth["campaign_id"]))["account_id"].to_pylist())
    start = pc.min(table["timestamp"]).as_py()
    ever: set[str] = set()
    present: set[str] = set()
    per_scan = []
    for h in hours:
        cut = table.filter(pc.less(table["timestamp"], start + timedelta(hours=h)))
        folder = out / f"h{h:g}"
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(cut, folder / "events.parquet")
        scan([folder / "events.parquet"], folder / "scan", write_report=False)
        accounts = pq.read_table(folder / "scan" / "accounts.parquet",
                                 columns=["account_id", "decision"])
        flagged = {a for a, d in zip(accounts["account_id"].to_pylist(),
                                     accounts["decision"].to_pylist(), strict=True)
                   if d in ("review", "block") and a in legit}
        present |= set(cut["account_id"].unique().to_pylist()) & legit
        ever |= flagged
        per_scan.append({"hours": h, "legit_flagged": len(flagged)})
    return {"scans": per_scan, "legit_accounts": len(present),
            "legit_ever_flagged": len(ever),
            "false_positive_rate_ever": round(len(ever) / max(len(present), 1), 6)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("part", choices=("guard", "gateway", "replay", "all", "loadgen"))
    parser.add_argument("--accounts", type=int, default=3000)
    parser.add_argument("--hours", type=float, default=48.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rate", type=float, default=None,
                        help="events/s (guard, default 5000) or requests/s (gateway, 500)")
    parser.add_argument("--events", type=int, default=150_000, help="guard: events paced")
    parser.add_argument("--seconds", type=float, default=60.0, help="gateway: per phase")
    parser.add_argument("--soak-seconds", type=float, default=0.0)
    parser.add_argument("--requests", type=int, default=50_000,
                        help="gateway: distinct simulated requests cycled through")
    parser.add_argument("--json", type=Path, default=None, help="also write results here")
    parser.add_argument("--workers", type=int, default=1,
                        help="gateway: worker processes (more than one: state in Redis)")
    parser.add_argument("--redis", action="store_true",
                        help="gateway: state in a redis-server started for the run")
    parser.add_argument("--gc-freeze", action="store_true",
                        help="guard: gc.freeze() after building the guard")
    parser.add_argument("--connections", type=int, default=8,
                        help="gateway: keep-alive connections the load is spread over")
    # loadgen (internal): the load generator's own process.
    parser.add_argument("--config", type=Path, default=None,
                        help="gateway: a configuration file for the gateway under test")
    parser.add_argument("--prefix-hours", type=lambda text: [float(h) for h in text.split(",")],
                        default=[3, 6, 12, 18, 24, 30, 36, 42, 48],
                        help="replay: batch scans of the first H hours (comma-separated)")
    parser.add_argument("--url")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--requests-file", type=Path)
    args = parser.parse_args()
    if args.part == "loadgen":
        loadgen(args.url, args.requests_file, args.rate, args.seconds, args.out,
                args.connections)
        return
    results: dict[str, Any] = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "processor": platform.processor() or platform.machine(),
                    "load_average": os.getloadavg()},
        "date": time.strftime("%Y-%m-%d"),
    }
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        if args.part in ("guard", "all"):
            args.rate = args.rate if args.part == "guard" and args.rate else 5000.0
            results["guard"] = bench_guard(args, tmp)
            print(json.dumps({"guard": results["guard"]}, indent=2), flush=True)
        if args.part in ("gateway", "all"):
            args.rate = args.rate if args.part == "gateway" and args.rate else 500.0
            results["gateway"] = bench_gateway(args, tmp)
            print(json.dumps({"gateway": results["gateway"]}, indent=2), flush=True)
        if args.part == "replay":
            results["replay"] = bench_replay(args, tmp)
            print(json.dumps({"replay": results["replay"]}, indent=2), flush=True)
    results["machine"]["load_average_after"] = os.getloadavg()
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
