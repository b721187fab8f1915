"""Replay recorded events through the guard, in timestamp order, as if they were live.

``replay`` reads events with the ingest readers (Parquet, JSON Lines, CSV, adapters;
invalid rows are counted, not replayed), sorts them by time, and sends each one through
a :class:`~distillguard.online.guard.Guard` in this process, or as a chat request to a
running gateway. ``speed`` scales time: 1 replays in real time, 60 an hour per minute,
0 as fast as possible. Decisions go to ``decisions.parquet`` (``request_id``,
``account_id``, ``timestamp``, ``action``, ``risk``, ``campaign_id``) in replay order;
with labels, :func:`distillguard.online.evaluate.online_detection` scores them.

Through a gateway, the account comes from the API key (the keys file must hold the raw
keys) and the time is the gateway's own clock; decisions are read from the
``x-distillguard-action`` header (start the gateway with ``--expose-decision``), or else
from the status code (429 throttle, 403 block, other: ``served``). Use the in-process
replay to evaluate detection and the gateway replay to exercise a deployment.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from distillguard.config import Config, default_config
from distillguard.errors import ConfigError
from distillguard.ingest import read_events
from distillguard.online.guard import ACTIONS, Guard
from distillguard.online.profile import to_epoch_seconds
from distillguard.schema import TIMESTAMP

#: (done, total) after every batch of replayed events.
ReplayProgress = Callable[[int, int], None]

DECISION_SCHEMA = pa.schema([
    pa.field("request_id", pa.string()),
    pa.field("account_id", pa.string()),
    pa.field("timestamp", TIMESTAMP),
    pa.field("action", pa.string()),
    pa.field("risk", pa.float64()),
    pa.field("campaign_id", pa.string()),
])
_BATCH = 4096


@dataclass
class ReplayResult:
    """What a replay did: decisions (in replay order) and a summary."""

    decisions: pa.Table
    summary: dict[str, Any]
    detection: dict[str, Any] | None = None
    files: list[Path] = field(default_factory=list)


def load_sorted_events(paths: Sequence[str | Path], config: Config, fmt: str = "auto"
                       ) -> tuple[pa.Table, int]:
    """Valid events of ``paths`` sorted by (timestamp, request_id); and rows rejected."""
    valid: list[pa.Table] = []
    rejected = 0
    for chunk in read_events(paths, fmt=fmt, config=config.ingest):
        valid.append(chunk.valid)
        rejected += chunk.quarantine.num_rows
    table = pa.concat_tables(valid) if valid else pa.table({})
    if table.num_rows:
        table = table.sort_by([("timestamp", "ascending"), ("request_id", "ascending")])
    return table, rejected


def _rows(table: pa.Table) -> Iterator[dict[str, Any]]:
    for batch in table.to_batches(_BATCH):
        yield from batch.to_pylist()


class _Pacer:
    """Sleeps so that event time advances ``speed`` times faster than wall time."""

    def __init__(self, speed: float) -> None:
        self.speed = speed
        self.start_wall: float | None = None
        self.start_event = 0.0

    def delay(self, event_ts: float) -> float:
        if self.speed <= 0:
            return 0.0
        now = time.monotonic()
        if self.start_wall is None:
            self.start_wall, self.start_event = now, event_ts
            return 0.0
        due = self.start_wall + (event_ts - self.start_event) / self.speed
        return max(0.0, due - now)


def replay(
    events: Sequence[str | Path],
    *,
    speed: float = 0.0,
    config: Config | None = None,
    guard: Guard | None = None,
    gateway: str | None = None,
    keys_file: str | Path | None = None,
    labels: str | Path | pa.Table | None = None,
    out_dir: str | Path | None = None,
    fmt: str = "auto",
    concurrency: int = 32,
    progress: ReplayProgress | None = None,
) -> ReplayResult:
    """Replay ``events`` through a guard (or a gateway) and report what it decided.

    Parameters
    ----------
    events:
        Event files or folders (any format ``scan`` reads).
    speed:
        Event time per wall time; 0 = as fast as possible.
    guard:
        The guard to use in process (a fresh in-memory one by default).
    gateway, keys_file:
        Send requests to this gateway instead, with keys from this keys file.
    labels:
        Simulator labels: adds time to detection, leakage and false positives.
    out_dir:
        Where ``decisions.parquet`` and ``replay.json`` go.
    """
    config = config or (guard.config if guard is not None else default_config())
    if speed < 0:
        raise ConfigError("--speed must be 0 (as fast as possible) or more")
    table, rejected = load_sorted_events(events, config, fmt)
    started = time.perf_counter()
    if gateway is not None:
        if keys_file is None:
            raise ConfigError("replaying through a gateway needs --keys (the raw API keys)")
        decisions, latencies = asyncio.run(_replay_gateway(
            table, gateway, account_keys(keys_file), speed, concurrency, progress))
    else:
        guard = guard or Guard(config)
        decisions, latencies = _replay_guard(table, guard, speed, progress)
        guard.flush()
    seconds = time.perf_counter() - started
    actions = decisions.column("action").to_pylist()
    lat = np.asarray(latencies) * 1e3
    summary: dict[str, Any] = {
        "events": decisions.num_rows,
        "rows_rejected": rejected,
        "accounts": len(set(decisions.column("account_id").to_pylist())),
        "actions": {a: actions.count(a) for a in (*ACTIONS, "served") if actions.count(a)},
        "seconds": round(seconds, 3),
        "events_per_second": round(decisions.num_rows / seconds, 1) if seconds else None,
        "latency_ms": {
            "mean": round(float(lat.mean()), 4), "p50": round(float(np.percentile(lat, 50)), 4),
            "p99": round(float(np.percentile(lat, 99)), 4),
            "max": round(float(lat.max()), 4),
        } if len(lat) else None,
        "mode": "gateway" if gateway else "in-process",
        "speed": speed,
    }
    detection = None
    if labels is not None:
        from distillguard.evaluation.evaluate import load_labels
        from distillguard.online.evaluate import online_detection

        detection = online_detection(decisions, load_labels(labels))
    result = ReplayResult(decisions, summary, detection)
    if out_dir is not None:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        pq.write_table(decisions, out / "decisions.parquet")
        report = {"summary": summary, "detection": detection}
        (out / "replay.json").write_text(json.dumps(report, indent=2, default=str) + "\n")
        result.files = [out / "decisions.parquet", out / "replay.json"]
    return result


def _replay_guard(table: pa.Table, guard: Guard, speed: float,
                  progress: ReplayProgress | None) -> tuple[pa.Table, list[float]]:
    columns: dict[str, list[Any]] = {name: [] for name in DECISION_SCHEMA.names}
    latencies: list[float] = []
    pacer = _Pacer(speed)
    for i, event in enumerate(_rows(table)):  # online: one event at a time, by design
        wait = pacer.delay(to_epoch_seconds(event["timestamp"]))
        if wait:
            time.sleep(wait)
        started = time.perf_counter()
        decision = guard.observe(event)
        latencies.append(time.perf_counter() - started)
        columns["request_id"].append(event["request_id"])
        columns["account_id"].append(decision.account_id)
        columns["timestamp"].append(event["timestamp"])
        columns["action"].append(decision.action)
        columns["risk"].append(decision.risk)
        columns["campaign_id"].append(decision.campaign_id)
        if progress is not None and (i + 1) % _BATCH == 0:
            progress(i + 1, table.num_rows)
    if progress is not None:
        progress(table.num_rows, table.num_rows)
    return pa.table(columns, schema=DECISION_SCHEMA), latencies


def account_keys(path: str | Path) -> dict[str, str]:
    """account → raw API key, from a keys file (entries written as ``sha256:`` skipped)."""
    import yaml

    text = Path(path).read_text("utf-8")
    data = json.loads(text) if str(path).endswith(".json") else yaml.safe_load(text)
    from distillguard.online.keys import KeyRing

    KeyRing.from_mapping(data, str(path))  # validates
    return {
        str(entry["account_id"]): str(key) for key, entry in data["keys"].items()
        if not str(key).startswith("sha256:")
    }


def chat_request(event: dict[str, Any]) -> dict[str, Any]:
    """The chat-completions body that would have produced an event."""
    messages: list[dict[str, Any]] = []
    if event.get("system_prompt") is not None:
        messages.append({"role": "system", "content": event["system_prompt"]})
    for _ in range(int(event.get("turn") or 0)):
        messages += [{"role": "user", "content": "(earlier turn)"},
                     {"role": "assistant", "content": "(earlier answer)"}]
    messages.append({"role": "user", "content": event.get("prompt") or ""})
    body: dict[str, Any] = {"model": event.get("model") or "default", "messages": messages}
    for name in ("max_tokens", "temperature", "n", "logprobs"):
        if event.get(name) is not None:
            body[name] = event[name]
    if event.get("tool_count"):
        body["tools"] = [
            {"type": "function", "function": {"name": f"tool_{i}", "parameters": {}}}
            for i in range(int(event["tool_count"]))
        ]
    return body


async def _replay_gateway(
    table: pa.Table, url: str, keys: dict[str, str], speed: float, concurrency: int,
    progress: ReplayProgress | None,
) -> tuple[pa.Table, list[float]]:
    import httpx

    target = url.rstrip("/") + "/v1/chat/completions"
    rows = list(_rows(table))
    missing = sorted({r["account_id"] for r in rows} - set(keys))
    if missing:
        raise ConfigError(f"the keys file has no raw key for account {missing[0]!r} "
                          f"(and {len(missing) - 1} more)")
    results: list[tuple[str, float]] = [("", 0.0)] * len(rows)
    pacer = _Pacer(speed)
    window = asyncio.Semaphore(concurrency)
    done = 0

    async def send(i: int, event: dict[str, Any], client: httpx.AsyncClient) -> None:
        nonlocal done
        headers = {"authorization": f"Bearer {keys[event['account_id']]}",
                   "x-request-id": str(event["request_id"])}
        if event.get("user_agent"):
            headers["user-agent"] = str(event["user_agent"])
        if event.get("conversation_id"):
            headers["x-conversation-id"] = str(event["conversation_id"])
        started = time.perf_counter()
        try:
            answer = await client.post(target, json=chat_request(event), headers=headers)
            action = answer.headers.get("x-distillguard-action") or {
                429: "throttle", 403: "block"}.get(answer.status_code, "served")
        except httpx.HTTPError:
            action = "error"
        finally:
            window.release()
        results[i] = (action, time.perf_counter() - started)
        done += 1
        if progress is not None and done % 256 == 0:
            progress(done, len(rows))

    async with httpx.AsyncClient(timeout=60.0) as client:
        tasks = []
        for i, event in enumerate(rows):  # one request per event, by design
            wait = pacer.delay(to_epoch_seconds(event["timestamp"]))
            if wait:
                await asyncio.sleep(wait)
            await window.acquire()
            tasks.append(asyncio.create_task(send(i, event, client)))
        await asyncio.gather(*tasks)
    if progress is not None:
        progress(len(rows), len(rows))
    decisions = pa.table({
        "request_id": [r["request_id"] for r in rows],
        "account_id": [r["account_id"] for r in rows],
        "timestamp": [r["timestamp"] for r in rows],
        "action": [a for a, _ in results],
        "risk": pa.nulls(len(rows), pa.float64()),
        "campaign_id": pa.nulls(len(rows), pa.string()),
    }, schema=DECISION_SCHEMA)
    return decisions, [s for _, s in results]
