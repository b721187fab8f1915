"""Guard state in a real Redis: shared by guards, kept across restarts, and failure modes.

Each test starts its own ``redis-server`` on a free loopback port and stops it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from distillguard.config import Config, default_config, load_config
from distillguard.online.guard import STATE_UNAVAILABLE, Guard
from distillguard.online.mock_upstream import MockUpstream
from distillguard.online.profile import ProfileSettings
from tests.test_online_gateway import KEYS, auth, free_port, serving

pytest.importorskip("redis")
from distillguard.online.redis_store import RedisStore

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None,
                                reason="redis-server is not installed")
T0 = datetime(2026, 2, 1, tzinfo=UTC)


def _metric(text: str, name: str) -> float:
    """The value of one sample line (``name`` with its labels) of Prometheus text."""
    match = re.search(rf"^{re.escape(name)} ([0-9.e+-]+)$", text, re.MULTILINE)
    assert match, f"{name} not in the metrics"
    return float(match.group(1))


class RedisServer:
    """A redis-server process on loopback (in-memory, or persistent in ``data_dir``)."""

    def __init__(self, data_dir: Path | None = None) -> None:
        self.port = free_port()
        self.data_dir = data_dir
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        args = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                "--save", ""]
        if self.data_dir is None:
            args += ["--appendonly", "no"]
        else:
            args += ["--appendonly", "yes", "--appendfsync", "always",
                     "--dir", str(self.data_dir)]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def redis_guard(url: str, config: Config | None = None) -> Guard:
    config = config or default_config()
    store = RedisStore(url, ProfileSettings.from_config(config),
                       prefix=config.online.redis_key_prefix,
                       timeout_ms=config.online.redis_timeout_ms)
    return Guard(config, store=store)


def traffic(count: int, start: int = 0) -> list[dict[str, Any]]:
    """Two linked harvesters and some ordinary accounts, one request a minute each."""
    events = []
    for i in range(start, start + count):
        for k, account in enumerate(("h1", "h2", "h3")):
            events.append({
                "request_id": f"{account}-{i}", "account_id": account,
                "timestamp": T0 + timedelta(minutes=i, seconds=k),
                "prompt": f"Task {i}: explain your complete reasoning step by step.",
                "max_tokens": 16000, "payment_fingerprint": "card-x", "model": "m1",
            })
        events.append({"request_id": f"o-{i}", "account_id": f"o{i % 25}",
                       "timestamp": T0 + timedelta(minutes=i, seconds=30),
                       "prompt": "what is a good name for a cat?",
                       "payment_fingerprint": f"card-{i % 25}", "model": "m1"})
    return events


def test_when_state_is_in_redis_then_decisions_equal_the_in_process_guard(
        redis_server, tmp_path):
    # Re-score on a fixed schedule (every 8 events), not on the clock, so both agree.
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump({"online": {"rescore_events": 8,
                                               "rescore_interval_ms": 10**9}}))
    config = load_config(path)
    shared, local = redis_guard(redis_server.url, config), Guard(config)
    for event in traffic(120):
        a, b = shared.observe(event), local.observe(event)
        assert (a.action, a.risk, a.campaign_id) == (b.action, b.risk, b.campaign_id)
    shared.flush(everything=True)
    local.flush(everything=True)
    assert shared.assess("h1") == local.assess("h1")
    assert shared.assess("h1").campaign_id is not None
    assert shared.profile("o3") == local.profile("o3")
    shared.close()


def test_when_a_worker_restarts_then_the_new_guard_sees_the_old_state(redis_server):
    first = redis_guard(redis_server.url)
    for event in traffic(150):
        first.observe(event)
    first.flush()
    before = first.assess("h1")
    events_before = first.profile("h1")["events"]
    first.close()
    second = redis_guard(redis_server.url)  # a restarted worker: nothing in process
    assert second.profile("h1")["events"] == events_before == 150
    assert second.assess("h1") == before
    decision = second.observe(traffic(1, start=150)[0])
    assert decision.action == before.action and second.profile("h1")["events"] == 151


def test_when_two_workers_share_redis_then_counts_add_up(redis_server):
    workers = [redis_guard(redis_server.url), redis_guard(redis_server.url)]
    for i, event in enumerate(traffic(60)):
        workers[i % 2].observe(event)
    assert workers[0].profile("h2")["events"] == workers[1].profile("h2")["events"] == 60


def test_when_redis_restarts_with_persistence_then_state_survives(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    try:
        guard = redis_guard(server.url)
        for event in traffic(40):
            guard.observe(event)
        guard.flush()
        own = guard.assess("h1").own_risk
        guard.close()
        server.stop()
        server.start()
        again = redis_guard(server.url)
        assert again.profile("h1")["events"] == 40
        assert again.assess("h1").own_risk == own
    finally:
        server.stop()


@pytest.mark.parametrize(("policy", "action"), [("fail_open", "allow"),
                                                ("fail_closed", "block")])
def test_when_redis_is_killed_mid_run_then_fail_open_or_closed(tmp_path, policy, action):
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump({"online": {"on_state_error": policy,
                                               "redis_timeout_ms": 200}}))
    server = RedisServer()
    server.start()
    try:
        guard = redis_guard(server.url, load_config(path))
        events = traffic(30)
        before = [guard.observe(event) for event in events[:60]]
        assert not any(STATE_UNAVAILABLE in " ".join(d.reasons) for d in before)
        server.process.kill()  # type: ignore[union-attr]
        server.process.wait()  # type: ignore[union-attr]
        server.process = None
        started = time.monotonic()
        decisions = [guard.observe(event) for event in events[60:70]]
        elapsed = time.monotonic() - started
        assert {d.action for d in decisions} == {action}
        assert all(d.reasons[0].startswith(STATE_UNAVAILABLE) for d in decisions)
        assert guard.stats.state_errors == 10
        assert elapsed < 10 * 0.5  # each decision waits at most about the timeout
    finally:
        server.stop()


def test_when_the_gateway_runs_several_workers_then_they_share_one_state(redis_server,
                                                                         tmp_path):
    keys = tmp_path / "keys.yaml"
    keys.write_text(yaml.safe_dump(KEYS))
    port = free_port()
    with serving(MockUpstream()) as upstream:
        process = subprocess.Popen(
            [sys.executable, "-m", "distillguard.cli", "gateway", "--upstream", upstream,
             "--port", str(port), "--keys", str(keys), "--log-dir", str(tmp_path / "log"),
             "--redis", redis_server.url, "--workers", "2"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env={**os.environ, "PYTHONUNBUFFERED": "1"})
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                try:
                    if httpx.get(url + "/healthz").status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
            scrapes = []
            for i in range(30):  # a new connection each time: either worker may answer
                answer = httpx.post(url + "/v1/chat/completions", headers=auth("sk-alice"),
                                    json={"model": "m", "messages": [
                                        {"role": "user", "content": f"question {i}"}]})
                assert answer.status_code == 200
                if i % 10 == 9:
                    scrapes += [httpx.get(url + "/metrics").text for _ in range(4)]
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=60)
    assert redis_guard(redis_server.url).profile("alice")["events"] == 30
    # every scrape, whichever worker answers it, counts the requests of both workers
    served = [_metric(text, 'distillguard_requests_total{action="allow"}') for text in scrapes]
    assert served == [10.0] * 4 + [20.0] * 4 + [30.0] * 4
    last = scrapes[-1]
    assert _metric(last, "distillguard_upstream_seconds_count") == 30.0
    assert _metric(last, "distillguard_overhead_seconds_count") == 30.0
    assert _metric(last, "distillguard_tracked_accounts") == 1.0
    assert _metric(last, "distillguard_campaigns") == 0.0
    assert re.search(r'distillguard_build_info\{python="[0-9.]+",version="[^"]+"\} 1\.0', last)
    pids = set(re.findall(r'distillguard_worker_resident_memory_bytes\{pid="(\d+)"\}', last))
    assert len(pids) == 2  # both workers report their own memory
    logged = [json.loads(line) for f in (tmp_path / "log").glob("events-*.jsonl")
              for line in f.read_text().splitlines()]
    assert len(logged) == 30
