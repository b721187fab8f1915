"""An OpenAI-compatible gateway that asks the guard before serving each request.

``POST /v1/chat/completions`` (streaming and not): the API key is mapped to an account
(:mod:`.keys`; unknown key → 401), the request becomes a contract-1 event, the guard
decides, and the gateway then forwards it to the upstream (``allow``, ``monitor``,
``review``), answers 429 with ``Retry-After`` (``throttle``) or 403 (``block``). Every
request is appended to the event log (:mod:`.eventlog`) for later batch scans.
``GET /metrics`` is Prometheus text; ``GET /healthz`` says the gateway is up.

Errors use OpenAI's shape, ``{"error": {"message", "type", "param", "code"}}``; the
refusal bodies are fixed texts and never say which signal fired. The guard runs in the
event loop's thread (it is fast and not thread-safe); with Redis state each call waits
for a few round trips to Redis.

The app is FastAPI (``/metrics``, ``/healthz``, errors for unknown paths, the lifespan);
the one hot endpoint is answered in plain ASGI in front of it, because Starlette's
request and response objects cost more CPU per request than the guard itself (measured:
see ``docs/online.md``). The upstream is reached through
:class:`~distillguard.online.upstream.StreamTransport` directly (its ``exchange``: no
httpx request or response objects on the hot path).
"""

from __future__ import annotations

import asyncio
import ctypes
import gc
import json
import logging
import os
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, MutableMapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST

from distillguard.config import OnlineConfig
from distillguard.online.chat import REFUSALS, as_int, request_fields
from distillguard.online.eventlog import EventLog
from distillguard.online.guard import ACTIONS, FLAG_STATE_UNAVAILABLE, Decision, Guard
from distillguard.online.keys import KeyRecord, KeyRing, key_digest
from distillguard.online.metrics import Metrics, prepare_multiprocess, remove_multiprocess_dir
from distillguard.online.store import StateUnavailable
from distillguard.online.upstream import Origin, StreamTransport

UPSTREAM_KEY_ENV = "DISTILLGUARD_UPSTREAM_KEY"
DECISION_HEADER = "x-distillguard-action"
#: Logged events reach the file at least this often (one write per request would cost a
#: system call each).
_LOG_FLUSH_SECONDS = 0.5
#: Requests in a row that skip the re-scoring step because others are in flight; the
#: next one runs it anyway, so steady load cannot starve re-scoring.
_MAX_BUSY_SKIPS = 8
#: With several workers, each samples its CPU and memory this often for /metrics.
_PROCESS_SAMPLE_SECONDS = 5.0

#: The fixed error bodies (OpenAI's shape). Stable: clients and tests rely on them.
ERRORS: dict[str, tuple[int, dict[str, Any]]] = {
    "invalid_api_key": (401, {"error": {
        "message": "Incorrect API key provided.", "type": "invalid_request_error",
        "param": None, "code": "invalid_api_key"}}),
    "throttled": REFUSALS["throttle"],
    "blocked": REFUSALS["block"],
    "invalid_json": (400, {"error": {
        "message": "The request body must be a JSON object with a 'messages' list.",
        "type": "invalid_request_error", "param": None, "code": "invalid_request"}}),
    "upstream_error": (502, {"error": {
        "message": "The upstream model server could not be reached.",
        "type": "api_error", "param": None, "code": "upstream_unavailable"}}),
    "not_found": (404, {"error": {
        "message": "Unknown endpoint.", "type": "invalid_request_error", "param": None,
        "code": "unknown_url"}}),
    "internal_error": (500, {"error": {
        "message": "The gateway failed to handle the request.", "type": "api_error",
        "param": None, "code": "internal_error"}}),
}
CHAT_PATH = "/v1/chat/completions"
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
logger = logging.getLogger(__name__)


#: glibc ``mallopt`` parameters, and the values the gateway pins them to.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_MMAP_THRESHOLD_BYTES = 64 << 10
_TRIM_THRESHOLD_BYTES = 128 << 10


def pin_malloc_thresholds() -> bool:
    """Fix glibc's mmap and trim thresholds (64 and 128 KiB); False where not glibc.

    glibc raises its mmap threshold each time a large block is freed, after which the
    gateway's large per-request buffers (socket reads, bodies) come from the main heap,
    which fragments: a soak with a fixed set of requests, whose Python heap stayed flat
    (tracemalloc), grew 0.5 MiB a minute in resident memory; with the thresholds fixed it
    stayed flat (docs/benchmarks.md). Set explicitly, the threshold stops moving. The
    ``MALLOC_MMAP_THRESHOLD_`` and ``MALLOC_TRIM_THRESHOLD_`` variables, when set, win.
    """
    if sys.platform != "linux" or "MALLOC_MMAP_THRESHOLD_" in os.environ \
            or "MALLOC_TRIM_THRESHOLD_" in os.environ:
        return False
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):  # not glibc (musl, ...)
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD_BYTES)) and bool(
        mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD_BYTES))


def settle_process() -> None:
    """Prepare a gateway process for a long run, once its app is built.

    Everything built so far (modules, the configuration, compiled patterns) lives as
    long as the process: frozen out of the collector's sight, a full collection walks
    only what requests create, so its pauses stay short. Then the allocator's
    thresholds are pinned (:func:`pin_malloc_thresholds`). Called by :func:`serve` and
    in each worker, not by :func:`create_app` (an app embedded in another program, or
    a test, leaves that program's collector alone).
    """
    gc.collect()
    gc.freeze()
    pin_malloc_thresholds()


def error_response(name: str, headers: Mapping[str, str] | None = None) -> JSONResponse:
    status, body = ERRORS[name]
    return JSONResponse(body, status_code=status, headers=dict(headers or {}))


def build_event(body: Mapping[str, Any], record: KeyRecord, headers: Mapping[str, str],
                client_ip: str | None, config: OnlineConfig) -> dict[str, Any]:
    """The contract-1 event of one chat request (before the upstream has answered)."""
    ip = client_ip
    if config.client_ip_header:
        forwarded = headers.get(config.client_ip_header.lower())
        if forwarded:
            ip = forwarded.split(",")[0].strip()
    fields = request_fields(body)
    return {
        "request_id": headers.get("x-request-id") or f"req_{uuid.uuid4().hex}",
        "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "account_id": record.account_id,
        **record.fields,
        "prompt": fields.pop("prompt"),
        "system_prompt": fields.pop("system_prompt"),
        "ip": ip,
        "user_agent": headers.get("user-agent"),
        "tls_fingerprint": (headers.get(config.tls_fingerprint_header.lower())
                            if config.tls_fingerprint_header else None),
        "model": fields.pop("model"),
        "conversation_id": headers.get("x-conversation-id"),
        **fields,
    }


_int = as_int


async def _send_error(send: Send, name: str, extra: list[tuple[bytes, bytes]]) -> None:
    status, body = ERRORS[name]
    await _send_bytes(send, status, json.dumps(body).encode(), b"application/json", extra)


async def _send_bytes(send: Send, status: int, payload: bytes, media: bytes,
                      extra: list[tuple[bytes, bytes]]) -> None:
    headers = [(b"content-type", media), (b"content-length", str(len(payload)).encode()),
               *extra]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


class Gateway:
    """The gateway as an ASGI app (see the module doc); made by :func:`create_app`."""

    def __init__(self, guard: Guard, upstream: str, *, keys: KeyRing | None,
                 log_dir: str | None, expose_decision: bool, upstream_timeout: float) -> None:
        self.guard = guard
        self.config = guard.config.online
        self.keys = keys
        self.expose_decision = expose_decision
        self.metrics = Metrics()
        self._counted = {action: self.metrics.requests.labels(action=action)
                         for action in (*ACTIONS, "unauthorized")}
        self.target = upstream.rstrip("/") + CHAT_PATH
        self._origin = Origin.of(self.target)
        upstream_key = os.environ.get(UPSTREAM_KEY_ENV)
        # The upstream request's headers are the same every time: built once.
        self._upstream_headers: list[tuple[bytes, bytes]] = [
            (b"host", self._origin.host_header), (b"content-type", b"application/json"),
            *([(b"authorization", f"Bearer {upstream_key}".encode("latin-1"))]
              if upstream_key else []),
        ]
        self._timeouts = dict.fromkeys(("connect", "read", "write"), upstream_timeout)
        self.log = EventLog(log_dir, rotate_bytes=self.config.log_rotate_mib << 20,
                            rotate_seconds=self.config.log_rotate_minutes * 60.0,
                            flush_seconds=_LOG_FLUSH_SECONDS) if log_dir else None
        self._transport: StreamTransport | None = None
        self._in_flight = 0
        self._busy_skips = 0
        self.api = self._fastapi()
        self.state = self.api.state
        self.state.metrics = self.metrics
        self.state.event_log = self.log

    # -- the FastAPI side: lifespan, metrics, health, unknown paths --------------------

    def _fastapi(self) -> FastAPI:
        @asynccontextmanager
        async def lifespan(_: FastAPI) -> AsyncIterator[None]:
            self._transport = StreamTransport()
            flusher = asyncio.create_task(self._flush_log()) if self.log is not None else None
            sampler = asyncio.create_task(self._sample_process()) \
                if self.metrics.multiprocess else None
            try:
                yield
            finally:
                for task in (flusher, sampler):
                    if task is not None:
                        task.cancel()
                await self._transport.aclose()
                self.guard.flush()
                if self.log is not None:
                    self.log.close()

        api = FastAPI(title="distillguard gateway", lifespan=lifespan, docs_url=None,
                      redoc_url=None, openapi_url=None)

        @api.get("/healthz")
        async def healthz() -> dict[str, Any]:
            return {"ok": True}

        @api.get("/metrics")
        async def prometheus() -> Response:
            self._sample_state()
            return Response(self.metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

        @api.api_route("/{path:path}", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
        async def unknown(path: str) -> Response:
            del path
            return error_response("not_found")

        return api

    def _sample_state(self) -> None:
        """Accounts and campaigns the guard tracks (at a scrape; a state error skips)."""
        try:
            self.metrics.tracked_accounts.set(self.guard.store.population().accounts)
            self.metrics.campaigns.set(self.guard.store.campaign_count())
        except StateUnavailable:
            self.metrics.state_errors.inc()

    async def _sample_process(self) -> None:
        while True:  # with several workers, each records its own process figures
            self.metrics.sample_process()
            await asyncio.sleep(_PROCESS_SAMPLE_SECONDS)

    async def _flush_log(self) -> None:
        assert self.log is not None
        while True:
            await asyncio.sleep(_LOG_FLUSH_SECONDS)
            self.log.flush()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == CHAT_PATH and scope["method"] == "POST":
            await self._guarded(scope, receive, send)
        else:
            await self.api(scope, receive, send)

    # -- the hot path -----------------------------------------------------------------

    async def _guarded(self, scope: Scope, receive: Receive, send: Send) -> None:
        started: list[bool] = []
        self._in_flight += 1

        async def tracked(message: Message) -> None:
            if message["type"] == "http.response.start":
                started.append(True)
            await send(message)

        try:
            await self._chat(scope, receive, tracked)
        except Exception:  # a bug must cost one request, not the worker
            logger.exception("gateway: request failed")
            if not started:
                await _send_error(send, "internal_error", [])
        finally:
            self._in_flight -= 1
        # Re-scoring runs here, once the client has its answer, not inside the guard's
        # decision: a step scores a few dozen accounts (a millisecond or two) and no
        # request should wait for it. So it waits while other requests are in flight
        # (their answers would queue behind it), but not for ever under steady load.
        if self._in_flight and self._busy_skips < _MAX_BUSY_SKIPS:
            self._busy_skips += 1
            return
        self._busy_skips = 0
        stepped = time.perf_counter()
        if self.guard.rescore_step():
            self.metrics.rescore_seconds.observe(time.perf_counter() - stepped)

    def _identify(self, authorization: str) -> KeyRecord | None:
        scheme, _, key = authorization.partition(" ")
        key = key.strip()
        if scheme.lower() != "bearer" or not key:
            return None
        if self.keys is None:
            digest = key_digest(key)
            return KeyRecord(f"key-{digest[:16]}", {"api_key_id": digest[:12]})
        return self.keys.lookup(key)

    def _record(self, event: dict[str, Any], status: str,
                usage: Mapping[str, Any] | None = None, response: str | None = None) -> None:
        if self.log is None:
            return
        event["status"] = status
        if usage:
            event["prompt_tokens"] = _int(usage.get("prompt_tokens"))
            event["completion_tokens"] = _int(usage.get("completion_tokens"))
        if response is not None and self.config.log_responses:
            event["response"] = response
        self.log.write(event)

    async def _chat(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        who = self._identify(headers.get("authorization", ""))
        if who is None:
            self._counted["unauthorized"].inc()
            await _send_error(send, "invalid_api_key", [])
            return
        raw = await _read_body(receive)
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
            await _send_error(send, "invalid_json", [])
            return
        client = scope.get("client")
        event = build_event(body, who, headers, client[0] if client else None, self.config)
        decided = time.perf_counter()
        decision = self.guard.observe(event, rescore=False)
        self.metrics.guard_seconds.observe(time.perf_counter() - decided)
        self._counted[decision.action].inc()
        if FLAG_STATE_UNAVAILABLE in decision.flags:
            self.metrics.state_errors.inc()
        extra = [(DECISION_HEADER.encode(), decision.action.encode())] \
            if self.expose_decision else []
        if decision.action in ("throttle", "block"):
            self._record(event, "refused")
            if decision.action == "throttle":
                retry = str(self.config.throttle_retry_after_seconds).encode()
                await _send_error(send, "throttled", [(b"retry-after", retry), *extra])
            else:
                await _send_error(send, "blocked", extra)
            self.metrics.overhead_seconds.observe(time.perf_counter() - started)
            return
        await self._forward(send, raw, body, event, decision, started, extra)

    async def _forward(self, send: Send, raw: bytes, body: dict[str, Any],
                       event: dict[str, Any], decision: Decision, started: float,
                       extra: list[tuple[bytes, bytes]]) -> None:
        """Send the client's own bytes upstream; relay the answer (streamed or whole)."""
        assert self._transport is not None, "the gateway's lifespan has not started"
        origin = self._origin
        sent = time.perf_counter()
        try:
            status_code, answer_headers, answer = await self._transport.exchange(
                origin.key, b"POST", origin.target, self._upstream_headers, raw,
                self._timeouts)
        except httpx.HTTPError as exc:
            self.metrics.upstream_errors.labels(kind=type(exc).__name__).inc()
            self._record(event, "error")
            self.metrics.overhead_seconds.observe(sent - started)
            await _send_error(send, "upstream_error", extra)
            return
        received = time.perf_counter()
        self.metrics.upstream_seconds.observe(received - sent)
        if status_code >= 500:
            self.metrics.upstream_errors.labels(kind=f"http_{status_code}").inc()
        status = "ok" if status_code < 400 else "error"
        media = next((v for k, v in answer_headers if k == b"content-type"),
                     b"application/json")
        if body.get("stream"):
            await send({"type": "http.response.start", "status": status_code,
                        "headers": [(b"content-type", media), *extra]})
            self.metrics.overhead_seconds.observe(
                (sent - started) + (time.perf_counter() - received))
            try:
                async for chunk in answer:
                    await send({"type": "http.response.body", "body": chunk,
                                "more_body": True})
            except httpx.HTTPError as exc:  # the upstream broke off mid-stream
                self.metrics.upstream_errors.labels(kind=type(exc).__name__).inc()
                status = "error"
            finally:
                await answer.aclose()
                self._record(event, status)
            await send({"type": "http.response.body", "body": b""})
            return
        try:
            payload = await answer.read()
        except httpx.HTTPError as exc:
            self.metrics.upstream_errors.labels(kind=type(exc).__name__).inc()
            self._record(event, "error")
            await _send_error(send, "upstream_error", extra)
            return
        finally:
            await answer.aclose()
        read = time.perf_counter()
        usage, text = _usage_and_text(payload) if status == "ok" else (None, None)
        self._record(event, status, usage, text)
        if usage and _int(usage.get("completion_tokens")) is not None:
            self.guard.record_outcome(decision.account_id, int(usage["completion_tokens"]))
        await _send_bytes(send, status_code, payload, media, extra)
        self.metrics.overhead_seconds.observe((sent - started) + (time.perf_counter() - read))


def create_app(
    guard: Guard,
    upstream: str,
    *,
    keys: KeyRing | None = None,
    log_dir: str | None = None,
    expose_decision: bool = False,
    upstream_timeout: float = 600.0,
) -> Gateway:
    """The gateway as an ASGI app.

    Parameters
    ----------
    guard:
        Decides each request (its configuration's ``online`` section applies).
    upstream:
        Base URL of the model server (``http://host:port``); ``/v1/chat/completions`` is
        appended. ``DISTILLGUARD_UPSTREAM_KEY``, when set, is sent as its bearer key.
    keys:
        API keys → accounts. Without it every distinct key is its own account
        (``key-<hash>``), for trying the gateway out.
    log_dir:
        Where events are logged (JSON Lines, rotated); none when not given.
    expose_decision:
        Add an ``x-distillguard-action`` header to every answer (for replays and tests;
        never in production, it tells a client it is watched).
    upstream_timeout:
        Seconds to wait for the upstream (connect, write, each read).
    """
    return Gateway(guard, upstream, keys=keys, log_dir=log_dir,
                   expose_decision=expose_decision, upstream_timeout=upstream_timeout)


def _usage_and_text(payload: bytes) -> tuple[dict[str, Any] | None, str | None]:
    try:
        data = json.loads(payload)
    except ValueError:
        return None, None
    if not isinstance(data, dict):
        return None, None
    usage = data.get("usage") if isinstance(data.get("usage"), dict) else None
    choices = data.get("choices")
    text = None
    if isinstance(choices, list) and choices and isinstance(choices[0], dict):
        message = choices[0].get("message")
        if isinstance(message, dict) and isinstance(message.get("content"), str):
            text = message["content"]
    return usage, text


#: Worker processes read the gateway's settings from this variable (JSON).
SETTINGS_ENV = "DISTILLGUARD_GATEWAY_SETTINGS"


def app_from_environment() -> Gateway:
    """Build the gateway in a worker process from :data:`SETTINGS_ENV` (see :func:`serve`)."""
    from distillguard.config import load_config
    from distillguard.online.guard import guard_with_state

    settings = json.loads(os.environ[SETTINGS_ENV])
    guard = guard_with_state(load_config(settings["config"]), settings["redis"])
    keys = KeyRing.load(settings["keys"]) if settings["keys"] else None
    app = create_app(guard, settings["upstream"], keys=keys, log_dir=settings["log_dir"],
                     expose_decision=settings["expose_decision"])
    settle_process()
    return app


def serve(app: Gateway | dict[str, Any], host: str, port: int, *, workers: int = 1) -> None:
    """Run the gateway with uvicorn until interrupted.

    With one worker, ``app`` is the gateway itself. With several, ``app`` is the dict of
    settings each worker process builds its own gateway from (``upstream``, ``keys``,
    ``log_dir``, ``redis``, ``config``, ``expose_decision``); they share guard state
    through Redis, and each writes its own log files.
    """
    import uvicorn

    if workers <= 1:
        assert isinstance(app, Gateway)
        settle_process()
        uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
        return
    assert isinstance(app, dict)
    os.environ[SETTINGS_ENV] = json.dumps(app)
    made = prepare_multiprocess()  # /metrics sums every worker's values
    try:
        uvicorn.run("distillguard.online.gateway:app_from_environment", factory=True,
                    host=host, port=port, workers=workers, log_level="warning",
                    access_log=False)
    finally:
        remove_multiprocess_dir(made)
