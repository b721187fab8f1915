"""LiteLLM's proxy with and without distillguard's guardrail: overhead and parity.

Starts the mock upstream, distillguard's gateway, and two LiteLLM proxies on loopback
(one worker each, in-process guard state): ``plain`` (no guardrail) and ``guarded``
(``DistillguardGuardrail`` with the default settings). Then:

- **parity**: the first ``--events`` simulated events (``--accounts``, ``--hours``,
  ``--seed``), in time order, one request at a time, through the gateway and through
  the guarded proxy (``online.replay`` in gateway mode: the outcome is read from the
  status, served / throttled 429 / blocked 403), and through an in-process guard; the
  share of requests with the same outcome, and of accounts with the same final one.
- **overhead**: ``--rounds`` interleaved rounds of ``--per-round`` requests of casual
  accounts (never refused), round-robin over the two proxies in alternating order,
  sequential; latency per request on the client, and CPU per request of each proxy
  (its process tree, from /proc). The added latency and CPU are differences and
  ratios of the same rounds, so load from other jobs on the machine falls on both.

    .venv/bin/python benchmarks/litellm_guardrail.py --events 6000 --rounds 10

Needs the ``litellm`` and ``server`` extras. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from online import (  # benchmarks/online.py: shared helpers
    ROOT,
    cpu_seconds,
    free_port,
    simulated_events,
    stop_processes,
    wait_ready,
)

OFFLINE = {"LITELLM_LOCAL_MODEL_COST_MAP": "True", "LITELLM_TELEMETRY": "False"}
MASTER_KEY = "sk-bench-master-3b9d0f6e2a4c8e1f5a7b"
AUTH = '''
import json
from litellm.proxy._types import UserAPIKeyAuth
USERS = json.load(open({path!r}))
async def user_api_key_auth(request, api_key):
    user = USERS.get(api_key)
    if user is None:
        raise Exception("unknown key")
    return UserAPIKeyAuth(api_key=api_key, user_id=user)
'''
ACCOUNT_COLUMNS = ("payment_fingerprint", "email", "account_created_at", "access_path",
                   "country", "org_id")


def write_accounts(events: list[dict[str, Any]], tmp: Path) -> dict[str, str]:
    """Keys for every account: the gateway's keys file, LiteLLM's auth and accounts
    table (the same account columns for both)."""
    accounts: dict[str, dict[str, Any]] = {}
    for event in events:
        accounts.setdefault(event["account_id"], {
            c: (str(event[c]) if event.get(c) is not None else None) for c in ACCOUNT_COLUMNS})
    keys = {a: f"sk-bench-{i:06d}" for i, a in enumerate(sorted(accounts))}
    (tmp / "keys.yaml").write_text(yaml.safe_dump({"keys": {
        keys[a]: {"account_id": a, **{k: v for k, v in cols.items() if v is not None}}
        for a, cols in accounts.items()}}))
    (tmp / "users.json").write_text(json.dumps({k: a for a, k in keys.items()}))
    (tmp / "bench_auth.py").write_text(AUTH.format(path=str(tmp / "users.json")))
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pylist(
        [{"account_id": a, **cols} for a, cols in accounts.items()]), tmp / "accounts.parquet")
    return keys


def start_litellm(tmp: Path, name: str, upstream: str, guarded: bool
                  ) -> tuple[subprocess.Popen[bytes], str]:
    config: dict[str, Any] = {
        "model_list": [{"model_name": "*", "litellm_params": {
            "model": "openai/*", "api_base": upstream + "/v1", "api_key": "sk-upstream"}}],
        "general_settings": {"master_key": MASTER_KEY,
                             "custom_auth": "bench_auth.user_api_key_auth"},
    }
    if guarded:
        config["guardrails"] = [{"guardrail_name": "usage-policy", "litellm_params": {
            "guardrail": "distillguard.integrations.litellm.DistillguardGuardrail",
            "mode": "pre_call", "default_on": True,
            "accounts": str(tmp / "accounts.parquet")}}]
    (tmp / f"{name}.yaml").write_text(yaml.safe_dump(config))
    port = free_port()
    env = {**os.environ, **OFFLINE, "PYTHONPATH": os.pathsep.join(
        [str(tmp), str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("litellm")), "--config", str(tmp / f"{name}.yaml"),
         "--host", "127.0.0.1", "--port", str(port)], cwd=tmp, env=env,
        stdout=(tmp / f"{name}.log").open("wb"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    import httpx

    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/health/liveliness", timeout=2).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.5)
    raise RuntimeError(f"litellm ({name}) did not start: see {tmp / (name + '.log')}")


def parity(events_file: Path, tmp: Path, gateway: str, guarded: str) -> dict[str, Any]:
    from distillguard.online.replay import replay

    results = {}
    for name, url in (("gateway", gateway), ("litellm_guardrail", guarded)):
        started = time.monotonic()
        out = replay([events_file], gateway=url, keys_file=tmp / "keys.yaml", concurrency=1)
        results[name] = (out.decisions.column("action").to_pylist(),
                         out.decisions.column("account_id").to_pylist(),
                         time.monotonic() - started)
    in_process = replay([events_file], concurrency=1)
    refused = {"throttle", "block"}
    guard_actions = [a if a in refused else "served"
                     for a in in_process.decisions.column("action").to_pylist()]
    a, accounts, _ = results["gateway"]
    b = results["litellm_guardrail"][0]

    def final(actions: list[str]) -> dict[str, str]:
        return dict(zip(accounts, actions, strict=True))

    def same(x: list[str], y: list[str]) -> float:
        return round(float(np.mean([p == q for p, q in zip(x, y, strict=True)])), 5)

    fa, fb, fg = final(a), final(b), final(guard_actions)
    counts = {name: {k: v[0].count(k) for k in ("served", "throttle", "block")}
              for name, v in results.items()}
    counts["in_process_guard"] = {k: guard_actions.count(k)
                                  for k in ("served", "throttle", "block")}
    return {
        "events": len(a), "accounts": len(fa), "outcomes": counts,
        "same_outcome_gateway_vs_guardrail": same(a, b),
        "same_outcome_guard_vs_guardrail": same(guard_actions, b),
        "same_final_outcome_per_account_gateway_vs_guardrail": round(
            float(np.mean([fa[k] == fb[k] for k in fa])), 5),
        "same_final_outcome_per_account_guard_vs_guardrail": round(
            float(np.mean([fg[k] == fb[k] for k in fg])), 5),
        "seconds": {name: round(v[2], 1) for name, v in results.items()},
    }


def overhead(urls: dict[str, str], pids: dict[str, int], keys: list[str], rounds: int,
             per_round: int) -> dict[str, Any]:
    import httpx

    latency: dict[str, list[float]] = {n: [] for n in urls}
    cpu: dict[str, float] = dict.fromkeys(urls, 0.0)
    body = {"model": "frontier-1", "max_tokens": 200,
            "messages": [{"role": "user", "content": "What is a good name for a cat?"}]}
    with httpx.Client(timeout=60) as client:
        for url in urls.values():  # warm both up (imports, connection pools)
            for i in range(20):
                client.post(url + "/v1/chat/completions", json=body,
                            headers={"authorization": f"Bearer {keys[i % len(keys)]}"})
        for r in range(rounds):
            order = list(urls) if r % 2 == 0 else list(reversed(urls))
            for name in order:
                before = cpu_seconds(pids[name])
                for i in range(per_round):
                    key = keys[(r * per_round + i) % len(keys)]
                    started = time.perf_counter()
                    answer = client.post(urls[name] + "/v1/chat/completions", json=body,
                                         headers={"authorization": f"Bearer {key}"})
                    latency[name].append(time.perf_counter() - started)
                    assert answer.status_code == 200, answer.text
                cpu[name] += cpu_seconds(pids[name]) - before
    n = rounds * per_round
    report: dict[str, Any] = {"requests_each": n}
    for name in urls:
        ms = np.asarray(latency[name]) * 1e3
        report[name] = {"p50_ms": round(float(np.percentile(ms, 50)), 3),
                        "p99_ms": round(float(np.percentile(ms, 99)), 3),
                        "cpu_ms_per_request": round(cpu[name] / n * 1e3, 3)}
    plain, guarded = report["plain"], report["guarded"]
    report["added"] = {
        "p50_ms": round(guarded["p50_ms"] - plain["p50_ms"], 3),
        "p99_ms": round(guarded["p99_ms"] - plain["p99_ms"], 3),
        "cpu_ms_per_request": round(guarded["cpu_ms_per_request"]
                                    - plain["cpu_ms_per_request"], 3),
        "p50_ratio": round(guarded["p50_ms"] / plain["p50_ms"], 3),
        "p99_ratio": round(guarded["p99_ms"] / plain["p99_ms"], 3),
        "cpu_ratio": round(guarded["cpu_ms_per_request"] / plain["cpu_ms_per_request"], 3),
    }
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=300)
    parser.add_argument("--hours", type=float, default=12)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--events", type=int, default=6000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--per-round", type=int, default=100)
    parser.add_argument("--skip-parity", action="store_true")
    args = parser.parse_args()
    import pyarrow.parquet as pq

    with tempfile.TemporaryDirectory(prefix="dg-litellm-bench-") as name:
        tmp = Path(name)
        table = simulated_events(args, tmp).slice(0, args.events)
        pq.write_table(table, tmp / "events.parquet")
        events = table.to_pylist()
        keys = write_accounts(events, tmp)
        labels = pq.read_table(tmp / "sim" / "labels.parquet").to_pylist()
        casual = [keys[r["account_id"]] for r in labels
                  if r["archetype"] == "casual" and r["account_id"] in keys][:50]
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        up_port, gw_port = free_port(), free_port()
        upstream = f"http://127.0.0.1:{up_port}"
        processes = [subprocess.Popen(
            [sys.executable, "-m", "distillguard.online.mock_upstream", "--port",
             str(up_port)], env=env)]
        try:
            wait_ready(upstream)
            processes.append(subprocess.Popen(
                [sys.executable, "-m", "distillguard.cli", "gateway", "--upstream", upstream,
                 "--port", str(gw_port), "--keys", str(tmp / "keys.yaml")], env=env,
                stderr=subprocess.DEVNULL))
            gateway = f"http://127.0.0.1:{gw_port}"
            wait_ready(gateway)
            plain, plain_url = start_litellm(tmp, "plain", upstream, guarded=False)
            processes.append(plain)
            guarded, guarded_url = start_litellm(tmp, "guarded", upstream, guarded=True)
            processes.append(guarded)
            report: dict[str, Any] = {
                "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
                "machine": f"{os.cpu_count()} cores, {platform.python_version()}",
                "load_average_1min_before": round(os.getloadavg()[0], 2),
                "command": " ".join(["benchmarks/litellm_guardrail.py", *sys.argv[1:]]),
            }
            from importlib.metadata import version

            report["litellm"] = version("litellm")
            report["overhead"] = overhead({"plain": plain_url, "guarded": guarded_url},
                                          {"plain": plain.pid, "guarded": guarded.pid},
                                          casual, args.rounds, args.per_round)
            if not args.skip_parity:
                # fresh proxies for parity: the overhead phase put casual traffic in state
                stop_processes(guarded, processes[1])
                processes.remove(guarded)
                processes.remove(processes[1])
                gw_port = free_port()
                processes.append(subprocess.Popen(
                    [sys.executable, "-m", "distillguard.cli", "gateway", "--upstream",
                     upstream, "--port", str(gw_port), "--keys", str(tmp / "keys.yaml")],
                    env=env, stderr=subprocess.DEVNULL))
                gateway = f"http://127.0.0.1:{gw_port}"
                wait_ready(gateway)
                guarded, guarded_url = start_litellm(tmp, "guarded2", upstream, guarded=True)
                processes.append(guarded)
                report["parity"] = parity(tmp / "events.parquet", tmp, gateway, guarded_url)
            report["load_average_1min_after"] = round(os.getloadavg()[0], 2)
        finally:
            stop_processes(*processes)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
