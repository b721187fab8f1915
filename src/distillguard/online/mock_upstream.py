"""A tiny deterministic stand-in for a model server (OpenAI chat completions).

Used by the tests and the benchmark as the gateway's upstream. ``POST
/v1/chat/completions`` answers with a reply derived only from the request (the same
request, the same bytes), as one JSON object or, with ``"stream": true``, as server-sent
events ending in ``data: [DONE]``. ``"model": "fail-500"`` answers a 500 error, to test
upstream error handling. It is a plain ASGI app (no framework), so it costs the
measurements as little as possible::

    python -m distillguard.online.mock_upstream --port 9001 [--delay-ms 0]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


def reply_text(body: dict[str, Any]) -> str:
    """The deterministic reply to a request: an echo of the last message and a digest."""
    messages = body.get("messages") or []
    last = messages[-1].get("content", "") if messages and isinstance(messages[-1], dict) else ""
    if not isinstance(last, str):
        last = json.dumps(last, sort_keys=True)
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:12]
    words = last.split()[:24]
    return f"Answer {digest}: " + " ".join(words)


def completion(body: dict[str, Any]) -> dict[str, Any]:
    text = reply_text(body)
    prompt_tokens = sum(
        len(str(m.get("content", "")).split()) for m in body.get("messages") or []
        if isinstance(m, dict)
    )
    return {
        "id": "chatcmpl-" + hashlib.sha256(text.encode()).hexdigest()[:16],
        "object": "chat.completion",
        "created": 1767225600,
        "model": body.get("model", "mock"),
        "choices": [{"index": i, "message": {"role": "assistant", "content": text},
                     "finish_reason": "stop"} for i in range(int(body.get("n") or 1))],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": len(text.split()),
                  "total_tokens": prompt_tokens + len(text.split())},
    }


def stream_chunks(body: dict[str, Any]) -> list[bytes]:
    """The SSE events of a streamed reply: one per word, then ``[DONE]``."""
    text = reply_text(body)
    base = {"id": "chatcmpl-" + hashlib.sha256(text.encode()).hexdigest()[:16],
            "object": "chat.completion.chunk", "created": 1767225600,
            "model": body.get("model", "mock")}
    events = []
    for i, word in enumerate(text.split(" ")):
        delta = {"content": word if i == 0 else " " + word}
        chunk = {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}
        events.append(b"data: " + json.dumps(chunk).encode() + b"\n\n")
    final = {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
    events.append(b"data: " + json.dumps(final).encode() + b"\n\n")
    events.append(b"data: [DONE]\n\n")
    return events


class MockUpstream:
    """The ASGI app. ``delay_ms`` waits that long before answering (a model's latency)."""

    def __init__(self, delay_ms: float = 0.0) -> None:
        self.delay = delay_ms / 1000.0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        if scope["path"] == "/healthz":
            await _respond(send, 200, b'{"ok":true}')
            return
        if scope["method"] != "POST" or scope["path"] != "/v1/chat/completions":
            await _respond(send, 404, b'{"error":{"message":"not found","type":"not_found"}}')
            return
        try:
            request = json.loads(body)
            assert isinstance(request, dict)
        except (ValueError, AssertionError):
            await _respond(send, 400, b'{"error":{"message":"bad json","type":"invalid"}}')
            return
        if self.delay:
            await asyncio.sleep(self.delay)
        if request.get("model") == "fail-500":
            await _respond(send, 500, b'{"error":{"message":"upstream failure","type":"server"}}')
            return
        if request.get("stream"):
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"text/event-stream")]})
            for chunk in stream_chunks(request):
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
            return
        await _respond(send, 200, json.dumps(completion(request)).encode())


async def _respond(send: Send, status: int, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


app = MockUpstream()


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description="Deterministic mock chat-completions server.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--delay-ms", type=float, default=0.0)
    args = parser.parse_args()
    uvicorn.run(MockUpstream(args.delay_ms), host=args.host, port=args.port,
                log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
