"""The gateway as a real server in front of the mock upstream, both on loopback ports."""

from __future__ import annotations

import json
import os
import platform
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import httpx
import pyarrow.parquet as pq
import pytest
import uvicorn
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from distillguard.cli import app as cli_app
from distillguard.config import load_config
from distillguard.errors import ConfigError
from distillguard.online.chat import last_user_text
from distillguard.online.gateway import ERRORS, build_event, create_app
from distillguard.online.guard import Guard
from distillguard.online.keys import KeyRing, key_digest
from distillguard.online.mock_upstream import MockUpstream, completion, stream_chunks
from distillguard.scan import scan

KEYS = {"keys": {
    "sk-alice": {"account_id": "alice", "org_id": "org-a", "payment_fingerprint": "pay-a",
                 "email": "alice@example.com", "account_created_at": "2026-01-01T00:00:00Z",
                 "access_path": "direct", "country": "DE"},
    f"sha256:{key_digest('sk-bob')}": {"account_id": "bob"},
    "sk-mallory": {"account_id": "mallory"},
}}
CHAT = {"model": "frontier-1", "messages": [
    {"role": "system", "content": "You are terse."},
    {"role": "user", "content": "What is 2 + 2?"}], "max_tokens": 64, "temperature": 0}


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """Run an ASGI app with uvicorn in a thread on a free loopback port; stop it after."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False,
                                           lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture(scope="module")
def upstream() -> Iterator[str]:
    with serving(MockUpstream()) as url:
        yield url


def auth(key: str) -> dict[str, str]:
    return {"authorization": f"Bearer {key}"}


def test_when_allowed_then_the_answer_is_the_upstreams_and_the_event_is_logged(
        upstream, tmp_path):
    guard = Guard()
    app = create_app(guard, upstream, keys=KeyRing.from_mapping(KEYS), log_dir=str(tmp_path))
    with serving(app) as url:
        direct = httpx.post(upstream + "/v1/chat/completions", json=CHAT)
        answer = httpx.post(url + "/v1/chat/completions", json=CHAT,
                            headers={**auth("sk-alice"), "user-agent": "sdk/1.2",
                                     "x-request-id": "req-1"})
        assert answer.status_code == 200
        assert answer.json() == direct.json() == completion(CHAT)
        assert httpx.post(url + "/v1/chat/completions", json=CHAT,
                          headers=auth("sk-bob")).status_code == 200
    files = sorted(tmp_path.glob("events-*.jsonl"))
    assert len(files) == 1 and not list(tmp_path.glob(".*.open"))
    events = [json.loads(line) for line in files[0].read_text().splitlines()]
    first = events[0]
    assert first["request_id"] == "req-1" and first["account_id"] == "alice"
    assert first["prompt"] == "What is 2 + 2?" and first["system_prompt"] == "You are terse."
    assert first["ip"] == "127.0.0.1" and first["user_agent"] == "sdk/1.2"
    assert first["payment_fingerprint"] == "pay-a" and first["status"] == "ok"
    assert first["completion_tokens"] == completion(CHAT)["usage"]["completion_tokens"]
    assert first["api_key_id"] == key_digest("sk-alice")[:12]
    assert events[1]["account_id"] == "bob"
    assert guard.profile("alice")["completion_tokens"] == first["completion_tokens"]


def test_when_streaming_then_server_sent_events_pass_through_unchanged(upstream):
    body = {**CHAT, "stream": True}
    app = create_app(Guard(), upstream, keys=KeyRing.from_mapping(KEYS))
    with serving(app) as url, httpx.Client() as client, client.stream(
        "POST", url + "/v1/chat/completions", json=body, headers=auth("sk-alice")
    ) as answer:
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/event-stream")
        received = b"".join(answer.iter_raw())
    assert received == b"".join(stream_chunks(body))
    assert received.endswith(b"data: [DONE]\n\n")


@pytest.mark.parametrize("headers", [{}, {"authorization": "Bearer sk-unknown"},
                                     {"authorization": "Basic sk-alice"}])
def test_when_the_key_is_unknown_then_401_in_openai_shape(upstream, headers):
    app = create_app(Guard(), upstream, keys=KeyRing.from_mapping(KEYS))
    with serving(app) as url:
        answer = httpx.post(url + "/v1/chat/completions", json=CHAT, headers=headers)
        metrics = httpx.get(url + "/metrics").text
    assert answer.status_code == 401
    assert answer.json() == ERRORS["invalid_api_key"][1]
    assert 'distillguard_requests_total{action="unauthorized"} 1.0' in metrics


def harvest(i: int) -> dict[str, Any]:
    return {"model": "frontier-1", "max_tokens": 16000, "messages": [{
        "role": "user", "content": f"Problem {i}: explain your complete reasoning step by step."}]}


def test_when_the_guard_throttles_or_blocks_then_429_and_403_with_fixed_bodies(
        upstream, tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump({
        # One account from loopback hides nothing: the open-lone cap is lifted so the
        # low thresholds reach throttle and block (this tests the gateway's answers).
        "scoring": {"thresholds": {"monitor": 0.1, "review": 0.2, "block": 0.5},
                    "lone_open_max_risk": 1.0},
        "online": {"throttle_risk": 0.3, "rescore_events": 1, "throttle_retry_after_seconds": 17,
                   "lone_min_events": 0},
    }))
    app = create_app(Guard(load_config(path)), upstream, keys=KeyRing.from_mapping(KEYS),
                     log_dir=str(tmp_path / "log"), expose_decision=True)
    answers = []
    with serving(app) as url, httpx.Client() as client:
        for i in range(60):
            answers.append(client.post(url + "/v1/chat/completions", json=harvest(i),
                                       headers=auth("sk-mallory")))
        metrics = client.get(url + "/metrics").text
    statuses = [a.status_code for a in answers]
    assert statuses[0] == 200 and 429 in statuses and statuses[-1] == 403
    throttled = next(a for a in answers if a.status_code == 429)
    assert throttled.headers["retry-after"] == "17"
    assert throttled.headers["x-distillguard-action"] == "throttle"
    assert throttled.json() == ERRORS["throttled"][1]
    assert answers[-1].json() == ERRORS["blocked"][1]
    assert "step by step" not in answers[-1].text  # nothing about why
    assert re.search(r'distillguard_requests_total\{action="block"\} [1-9]', metrics)
    assert "distillguard_guard_seconds_bucket" in metrics
    assert "distillguard_overhead_seconds_count" in metrics
    served = statuses.count(200)
    assert f"distillguard_upstream_seconds_count {float(served)}" in metrics
    assert "distillguard_tracked_accounts 1.0" in metrics
    assert "distillguard_build_info{" in metrics and "process_cpu_seconds_total" in metrics
    # re-scoring ran after the answers (the guard decides with rescore=False)
    assert re.search(r"distillguard_rescore_seconds_count [1-9]", metrics)
    assert "127.0.0.1" not in metrics and "mallory" not in metrics
    app.state.event_log.close()
    logged = [json.loads(line) for f in sorted((tmp_path / "log").glob("events-*.jsonl"))
              for line in f.read_text().splitlines()]
    assert [e["status"] for e in logged].count("refused") == statuses.count(429) + \
        statuses.count(403)


def test_when_the_upstream_fails_then_errors_are_passed_on_and_counted(upstream):
    dead = socket.socket()
    dead.bind(("127.0.0.1", 0))
    dead_url = f"http://127.0.0.1:{dead.getsockname()[1]}"  # bound, never listening
    with serving(create_app(Guard(), upstream)) as url, \
            serving(create_app(Guard(), dead_url)) as broken:
        failing = httpx.post(url + "/v1/chat/completions", json={**CHAT, "model": "fail-500"},
                             headers=auth("any-key"))
        unreachable = httpx.post(broken + "/v1/chat/completions", json=CHAT,
                                 headers=auth("any-key"))
        metrics = httpx.get(url + "/metrics").text
        bad_json = httpx.post(url + "/v1/chat/completions", content=b"{oops",
                              headers=auth("any-key"))
        unknown = httpx.get(url + "/v1/models", headers=auth("any-key"))
    dead.close()
    assert failing.status_code == 500
    assert 'distillguard_upstream_errors_total{kind="http_500"} 1.0' in metrics
    assert unreachable.status_code == 502
    assert unreachable.json() == ERRORS["upstream_error"][1]
    assert bad_json.status_code == 400 and bad_json.json() == ERRORS["invalid_json"][1]
    assert unknown.status_code == 404 and unknown.json() == ERRORS["not_found"][1]


@pytest.mark.parametrize(("messages", "expected"), [
    ([{"role": "user", "content": "hi"}], ("hi", None, 0)),
    ([{"role": "system", "content": "s"}, {"role": "user", "content": "a"},
      {"role": "assistant", "content": "b"}, {"role": "user", "content": [
          {"type": "text", "text": "c"}, {"type": "image_url", "image_url": {}}]}],
     ("c", "s", 1)),
    ([{"role": "assistant", "content": "x"}], (None, None, 0)),
])
def test_when_chat_messages_then_prompt_system_and_turn(messages, expected):
    assert last_user_text(messages) == expected


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_when_the_gateway_command_runs_then_its_log_is_scanned(upstream, tmp_path):
    keys = tmp_path / "keys.yaml"
    keys.write_text(yaml.safe_dump(KEYS))
    port = free_port()
    command = [sys.executable, "-m", "distillguard.cli", "gateway", "--upstream", upstream,
               "--port", str(port), "--keys", str(keys), "--log-dir", str(tmp_path / "log")]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(url + "/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        for i in range(5):
            answer = httpx.post(url + "/v1/chat/completions", headers=auth("sk-alice"),
                                json={**CHAT, "messages": [{"role": "user",
                                                            "content": f"question {i}"}]})
            assert answer.status_code == 200
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    assert b"gateway http://127.0.0.1" in stderr
    result = scan([tmp_path / "log"], tmp_path / "scan", write_report=False,
                  now=datetime.now(UTC))
    assert result.summary["rows_valid"] == 5 and result.summary["rows_quarantined"] == 0
    accounts = pq.read_table(tmp_path / "scan" / "accounts.parquet").to_pylist()
    assert [a["account_id"] for a in accounts] == ["alice"]


@pytest.mark.parametrize(("content", "message"), [
    ({"keys": {"sk-1": {"account": "x"}}}, "entry 1: unknown field 'account'"),
    ({"keys": {"sk-1": {"account_id": "a"}, "sk-2": {"org_id": "o"}}},
     "entry 2: account_id is required"),
    ({"keys": {"sha256:abc": {"account_id": "a"}}},
     "entry 1: a sha256 entry needs 64 hex digits"),
    (["sk-1"], "expected a mapping with one entry, 'keys'"),
])
def test_when_keys_file_is_wrong_then_the_command_fails_in_one_line(tmp_path, content,
                                                                     message):
    keys = tmp_path / "keys.yaml"
    keys.write_text(yaml.safe_dump(content))
    done = CliRunner().invoke(cli_app, ["gateway", "--upstream", "http://x", "--port", "1",
                                        "--keys", str(keys)])
    assert done.exit_code == 2
    assert done.output.strip().replace("\n", " ") == f"error: {keys}: {message}"


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(["role", "content", "text", "type", "account_id",
                                       "keys", "org_id", "x"]), children, max_size=4),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(JSON)
def test_when_a_keys_file_holds_anything_then_it_loads_or_fails_with_config_error(data):
    try:
        ring = KeyRing.from_mapping(data)
    except ConfigError:
        return
    assert isinstance(ring, KeyRing)


@settings(max_examples=150, deadline=None)
@given(st.lists(JSON, max_size=6), JSON)
def test_when_a_request_body_holds_anything_then_the_event_is_still_built(messages, extra):
    body = {"messages": messages, "model": extra, "max_tokens": extra, "temperature": extra,
            "n": extra, "logprobs": extra, "tools": extra}
    event = build_event(body, KeyRing.from_mapping(KEYS).lookup("sk-alice"), {}, None,
                        load_config().online)
    assert event["account_id"] == "alice"
    assert event["prompt"] is None or isinstance(event["prompt"], str)
    assert isinstance(event["turn"], int) and isinstance(event["tool_count"], int)


def test_when_the_allocator_is_glibc_then_its_thresholds_are_pinned_unless_set_by_env(
        monkeypatch):
    from distillguard.online.gateway import pin_malloc_thresholds

    monkeypatch.setenv("MALLOC_MMAP_THRESHOLD_", "131072")
    assert pin_malloc_thresholds() is False  # the operator's own setting wins
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_")
    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    expected = sys.platform == "linux" and platform.libc_ver()[0] == "glibc"
    assert pin_malloc_thresholds() is expected
