"""What the two front ends share about OpenAI chat completions: request fields, refusals.

The gateway (:mod:`.gateway`) and the LiteLLM guardrail
(:mod:`distillguard.integrations.litellm`) both turn an OpenAI-style request body into
the request's part of an event with :func:`request_fields` (who sent it, account, key,
IP, is theirs to add), and refuse with the same fixed texts (:data:`REFUSALS`), which
never say why or who decided. Needs only the core install.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: The fixed refusal bodies (OpenAI's error shape) by action: status and body.
REFUSALS: dict[str, tuple[int, dict[str, Any]]] = {
    "throttle": (429, {"error": {
        "message": "Rate limit reached for this account. Retry after the time in the "
                   "Retry-After header.",
        "type": "rate_limit_error", "param": None, "code": "rate_limit_exceeded"}}),
    "block": (403, {"error": {
        "message": "This request was refused under the provider's usage policies.",
        "type": "permission_error", "param": None, "code": "usage_policy_refusal"}}),
}


def last_user_text(messages: list[Any]) -> tuple[str | None, str | None, int]:
    """(last user message text, system prompt text, turn) of a chat request.

    ``turn`` counts the assistant messages before the last user message (0 = first).
    Content given as a list of parts contributes its text parts.
    """
    prompt = None
    last_index = -1
    for i, message in enumerate(messages):
        if isinstance(message, dict) and message.get("role") == "user":
            prompt, last_index = content_text(message.get("content")), i
    systems = [
        t for m in messages if isinstance(m, dict) and m.get("role") in ("system", "developer")
        and (t := content_text(m.get("content"))) is not None
    ]
    turn = sum(
        1 for m in messages[: max(last_index, 0)]
        if isinstance(m, dict) and m.get("role") == "assistant"
    )
    return prompt, ("\n".join(systems) if systems else None), turn


def content_text(content: Any) -> str | None:
    """The text of a message's content: a string, or the text parts of a list of parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [p.get("text") for p in content if isinstance(p, dict)]
        joined = "\n".join(p for p in parts if isinstance(p, str))
        return joined or None
    return None


def request_fields(body: Mapping[str, Any]) -> dict[str, Any]:
    """The event columns read from a chat request body (prompt, sampling parameters...)."""
    messages = body.get("messages") if isinstance(body.get("messages"), list) else []
    prompt, system_prompt, turn = last_user_text(messages or [])
    max_tokens = body.get("max_completion_tokens", body.get("max_tokens"))
    tools = body.get("tools")
    return {
        "prompt": prompt,
        "system_prompt": system_prompt,
        "model": body.get("model") if isinstance(body.get("model"), str) else None,
        "turn": turn,
        "max_tokens": as_int(max_tokens),
        "temperature": as_float(body.get("temperature")),
        "n": as_int(body.get("n")),
        "logprobs": bool(body["logprobs"]) if isinstance(body.get("logprobs"), bool) else None,
        "tool_count": len(tools) if isinstance(tools, list) else 0,
    }


def as_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def as_float(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None
