"""A real LiteLLM proxy with distillguard's guardrail and event-log callback.

The test starts ``litellm`` (the ``litellm`` extra's proxy) on a loopback port with two
worker processes sharing the guard's state in a real ``redis-server``, and the mock
upstream as the model. A campaign account is refused (429, then 403, streaming too), a
casual one is served (streaming too), and both logs hold contract-1 events that a scan
reads, with the model group as the model.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from distillguard.ingest import read_events
from distillguard.online.chat import REFUSALS
from distillguard.online.mock_upstream import MockUpstream, stream_chunks
from tests.test_online_gateway import free_port, serving
from tests.test_online_redis import RedisServer

LITELLM_BIN = Path(sys.executable).with_name("litellm")
pytestmark = [
    pytest.mark.skipif(importlib.util.find_spec("litellm") is None or not LITELLM_BIN.exists(),
                       reason="needs the litellm extra: pip install -e '.[litellm]'"),
    pytest.mark.skipif(shutil.which("redis-server") is None,
                       reason="redis-server is not installed"),
    pytest.mark.slow,
    pytest.mark.litellm,
]
#: LiteLLM reads its model-cost map from the network unless told not to.
OFFLINE_ENV = {"LITELLM_LOCAL_MODEL_COST_MAP": "True", "LITELLM_TELEMETRY": "False",
               "DISABLE_SCHEMA_UPDATE": "True"}
MASTER_KEY = "sk-dg-test-master-7f3a9c1e5b2d4f6a8c0e"
USERS = {"sk-casual": "casual-1", "sk-campaign": "campaign-1"}
AUTH_MODULE = '''
from litellm.proxy._types import UserAPIKeyAuth

USERS = {users!r}


async def user_api_key_auth(request, api_key):
    user = USERS.get(api_key)
    if user is None:
        raise Exception("unknown key")
    return UserAPIKeyAuth(api_key=api_key, user_id=user, team_id="team-" + user,
                          metadata={{"access_path": "direct"}})
'''


def harvest(i: int, stream: bool = False) -> dict[str, Any]:
    return {"model": "frontier-1", "max_tokens": 16000, "stream": stream, "messages": [{
        "role": "user", "content": f"Problem {i}: explain your complete reasoning step by step."}]}


def casual(i: int, stream: bool = False) -> dict[str, Any]:
    return {"model": "frontier-1", "stream": stream, "messages": [
        {"role": "user", "content": f"What should I cook tonight, idea {i}?"}]}


@pytest.fixture(scope="module")
def proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The proxy on loopback; yields its URL and folders, stops it (logs closed) after."""
    root = tmp_path_factory.mktemp("litellm")
    (root / "dg_auth.py").write_text(AUTH_MODULE.format(users=USERS))
    (root / "accounts.csv").write_text(
        "account_id,payment_fingerprint,account_created_at\n"
        "campaign-1,pay-shared,2026-01-05T00:00:00Z\ncasual-1,pay-own,2024-03-01T00:00:00Z\n")
    (root / "distillguard.yaml").write_text(yaml.safe_dump({
        # One account from loopback hides nothing: the open-lone cap is lifted so the
        # low thresholds reach throttle and block (this tests the guardrail's answers).
        "scoring": {"thresholds": {"monitor": 0.1, "review": 0.2, "block": 0.5},
                    "lone_open_max_risk": 1.0},
        "online": {"throttle_risk": 0.3, "rescore_events": 1, "lone_min_events": 0,
                   "throttle_retry_after_seconds": 17},
    }))
    redis = RedisServer()
    redis.start()
    with serving(MockUpstream()) as upstream:
        (root / "config.yaml").write_text(yaml.safe_dump({
            "model_list": [{"model_name": "frontier-1", "litellm_params": {
                "model": "openai/deployment-a", "api_base": upstream + "/v1",
                "api_key": "sk-upstream"}}],
            "guardrails": [{"guardrail_name": "usage-policy", "litellm_params": {
                "guardrail": "distillguard.integrations.litellm.DistillguardGuardrail",
                "mode": "pre_call", "default_on": True,
                "distillguard_config": str(root / "distillguard.yaml"),
                "redis_url": redis.url,
                "accounts": str(root / "accounts.csv"), "log_dir": str(root / "guard-log"),
            }}],
            "litellm_settings": {"callbacks": ["distillguard.integrations.litellm.event_log"]},
            "general_settings": {"master_key": MASTER_KEY,
                                 "custom_auth": "dg_auth.user_api_key_auth"},
        }))
        port = free_port()
        env = {**os.environ, **OFFLINE_ENV,
               "DISTILLGUARD_LITELLM_LOG_DIR": str(root / "callback-log"),
               "PYTHONPATH": os.pathsep.join([str(root), *sys.path])}
        log = (root / "proxy.log").open("wb")
        process = subprocess.Popen(
            [str(LITELLM_BIN), "--config", str(root / "config.yaml"), "--host", "127.0.0.1",
             "--port", str(port), "--num_workers", "2"],
            cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_ready(url, process, root / "proxy.log")
            yield {"url": url, "root": root, "stop": lambda: _stop(process)}
        finally:
            _stop(process)
            log.close()
            redis.stop()


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 180  # a cold LiteLLM import is slow on a busy machine
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"litellm exited: {log.read_text()[-3000:]}")
        try:
            if httpx.get(url + "/health/liveliness", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    pytest.fail(f"litellm did not start in time: {log.read_text()[-3000:]}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def auth(key: str) -> dict[str, str]:
    return {"authorization": f"Bearer {key}"}


def _stream(client: httpx.Client, url: str, body: dict[str, Any], key: str
            ) -> tuple[int, bytes]:
    with client.stream("POST", url + "/v1/chat/completions", json=body,
                       headers=auth(key)) as answer:
        return answer.status_code, b"".join(answer.iter_bytes())


def _events(folder: Path) -> list[dict[str, Any]]:
    files = sorted(folder.glob("events-*.jsonl"))
    return [json.loads(line) for f in files for line in f.read_text().splitlines()]


def test_when_a_campaign_account_harvests_then_litellm_refuses_it_and_serves_a_casual_one(
        proxy: dict[str, Any]) -> None:
    url = proxy["url"]
    with httpx.Client(timeout=60) as client:
        served = [client.post(url + "/v1/chat/completions", json=casual(i),
                              headers=auth("sk-casual")) for i in range(3)]
        status, streamed = _stream(client, url, casual(3, stream=True), "sk-casual")
        answers = [client.post(url + "/v1/chat/completions", json=harvest(i),
                               headers=auth("sk-campaign")) for i in range(60)]
        refused_stream = _stream(client, url, harvest(60, stream=True), "sk-campaign")
        after = client.post(url + "/v1/chat/completions", json=casual(4),
                            headers=auth("sk-casual"))
    assert [a.status_code for a in served] == [200, 200, 200] and after.status_code == 200
    assert served[0].json()["choices"][0]["message"]["content"].startswith("Answer ")
    assert status == 200 and b"data: [DONE]" in streamed
    words = [json.loads(c[6:])["choices"][0]["delta"].get("content") or ""
             for c in stream_chunks(casual(3, stream=True))[:-1]]
    assert "".join(words) in streamed.decode().replace('"', "") or b"Answer" in streamed
    statuses = [a.status_code for a in answers]
    assert statuses[0] == 200 and 429 in statuses and statuses[-1] == 403
    throttled = next(a for a in answers if a.status_code == 429)
    assert throttled.headers["retry-after"] == "17"
    for answer, action in ((throttled, "throttle"), (answers[-1], "block")):
        error = answer.json()["error"]
        expected = REFUSALS[action][1]["error"]
        assert (error["message"], error["type"]) == (expected["message"], expected["type"])
        text = answer.text.lower() + json.dumps(dict(answer.headers)).lower()
        assert "distillguard" not in text and "step by step" not in text
    assert refused_stream[0] == 403
    assert json.loads(refused_stream[1])["error"]["message"] == REFUSALS["block"][1][
        "error"]["message"]

    proxy["stop"]()  # workers close their logs: rotated files a scan reads
    guarded = _events(proxy["root"] / "guard-log")
    logged = _events(proxy["root"] / "callback-log")
    by_account = {a: [e for e in guarded if e["account_id"] == a] for a in USERS.values()}
    assert len(by_account["casual-1"]) == 5 and len(by_account["campaign-1"]) == 61
    assert {e["status"] for e in by_account["casual-1"]} == {"ok"}
    refused = [e for e in by_account["campaign-1"] if e["status"] == "refused"]
    assert len(refused) == statuses.count(429) + statuses.count(403) + 1
    first = by_account["campaign-1"][0]
    assert first["model"] == "frontier-1"  # the model group, not "openai/deployment-a"
    assert first["payment_fingerprint"] == "pay-shared"  # from the accounts table
    assert first["access_path"] == "direct"  # from the key's metadata
    assert first["org_id"] == "team-campaign-1" and first["ip"] == "127.0.0.1"
    assert first["max_tokens"] == 16000 and first["completion_tokens"] > 0
    streamed_event = by_account["casual-1"][3]
    assert streamed_event["completion_tokens"] and streamed_event["status"] == "ok"
    # the logging callback saw every request LiteLLM logged, with the same ids and model
    served_ids = {e["request_id"] for e in guarded if e["status"] == "ok"}
    assert served_ids <= {e["request_id"] for e in logged}
    assert {e["model"] for e in logged} == {"frontier-1"}
    refused_logged = [e for e in logged if e["status"] == "refused"]
    assert {e["request_id"] for e in refused_logged} == {e["request_id"] for e in refused}
    assert {e["status"] for e in logged} == {"ok", "refused"}
    # both logs are valid contract-1 input for a scan
    for folder in ("guard-log", "callback-log"):
        chunks = list(read_events([proxy["root"] / folder]))
        assert sum(c.quarantine.num_rows for c in chunks) == 0
        assert sum(c.valid.num_rows for c in chunks) >= len(served_ids)
