"""LiteLLM's requests, keys and log records as contract-1 events (imports no LiteLLM).

LiteLLM's proxy puts what it knows about the caller into the request's ``metadata``
(``user_api_key_user_id``, ``user_api_key_hash``, team, organisation, end user, e-mail,
the key's own metadata, ``requester_ip_address``, ``user_agent``, the headers) and logs
the same keys in every ``StandardLoggingPayload``. So one function reads the identity
from either (:func:`identity`), and the guardrail's events (:func:`event_from_request`,
before the answer) and the logging callback's (:func:`event_from_payload`, after it)
agree on the account, key and organisation of a request.

Which LiteLLM entity is the *account* (contract 1: the billing account) is the
operator's choice, ``account_from``:

- ``user`` (default): the internal user that owns the key, else the key;
- ``key``: the virtual key (its SHA-256, as LiteLLM stores it);
- ``team`` / ``org``: the key's team / organisation, else the user, else the key;
- ``end_user``: the customer's end user (OpenAI's ``user`` parameter), else the user,
  else the key (for a reseller who forwards its customers' ids).

Account columns LiteLLM does not have (``payment_fingerprint``, ``account_created_at``,
``access_path``, ``country``, ``email``) come from the key's, the team's or the
organisation's metadata when it holds them under those names, and from an
:class:`~distillguard.integrations.litellm.accounts.AccountDirectory`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from distillguard.errors import ConfigError
from distillguard.online.chat import as_int, request_fields

ACCOUNT_SOURCES: tuple[str, ...] = ("user", "key", "team", "org", "end_user")
#: Account columns read from key, team and organisation metadata when present there.
METADATA_FIELDS: tuple[str, ...] = (
    "payment_fingerprint", "account_created_at", "access_path", "country", "email",
)
#: LiteLLM call types that are chat or text completions (the others are not decided).
COMPLETION_CALLS: frozenset[str] = frozenset(
    {"completion", "acompletion", "text_completion", "atext_completion"})
#: LiteLLM's placeholder user of the master key: not an account.
_DEFAULT_USER = "default_user_id"


def check_account_from(account_from: str) -> str:
    if account_from not in ACCOUNT_SOURCES:
        raise ConfigError(f"account_from must be one of {', '.join(ACCOUNT_SOURCES)}, "
                          f"got {account_from!r}")
    return account_from


def proxy_metadata(data: Mapping[str, Any]) -> dict[str, Any]:
    """The proxy's metadata of a request (``metadata`` and ``litellm_metadata`` merged)."""
    merged: dict[str, Any] = {}
    for bucket in ("metadata", "litellm_metadata"):
        value = data.get(bucket)
        if isinstance(value, Mapping):
            merged.update(value)
    return merged


def identity(meta: Mapping[str, Any], account_from: str, end_user: Any = None
             ) -> tuple[str | None, dict[str, str]]:
    """(account id, account columns) from proxy or logging metadata; no account: None."""
    user = _text(meta.get("user_api_key_user_id"))
    user = None if user == _DEFAULT_USER else user
    key = _text(meta.get("user_api_key_hash"))
    team = _text(meta.get("user_api_key_team_id")) or _text(meta.get("team_id"))
    org = _text(meta.get("user_api_key_org_id"))
    end = _text(end_user) or _text(meta.get("user_api_key_end_user_id"))
    chain = {"user": (user, key), "key": (key,), "team": (team, user, key),
             "org": (org, team, user, key), "end_user": (end, user, key)}[account_from]
    account = next((value for value in chain if value), None)
    fields: dict[str, str] = {}
    if org or team:
        fields["org_id"] = str(org or team)
    if key:
        fields["api_key_id"] = key
    email = _text(meta.get("user_api_key_user_email"))
    if email:
        fields["email"] = email
    for layer in ("user_api_key_auth_metadata", "user_api_key_metadata",
                  "user_api_key_team_metadata", "user_api_key_org_metadata"):
        extra = meta.get(layer)
        if isinstance(extra, Mapping):
            for name in METADATA_FIELDS:
                value = _text(extra.get(name))
                if value and name not in fields:
                    fields[name] = value
    return account, fields


def event_from_request(data: Mapping[str, Any], account_from: str = "user", *,
                       client_ip_header: str | None = None,
                       tls_fingerprint_header: str | None = None) -> dict[str, Any] | None:
    """The contract-1 event of a request LiteLLM is about to serve (None: no account).

    ``model`` is the model the client asked for (LiteLLM's model group), not the
    deployment that will answer.
    """
    meta = proxy_metadata(data)
    account, fields = identity(meta, account_from, data.get("user"))
    if account is None:
        return None
    found = meta.get("headers")
    headers: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    ip = _text(meta.get("requester_ip_address"))
    if client_ip_header:
        forwarded = _text(headers.get(client_ip_header.lower()))
        if forwarded:
            ip = forwarded.split(",")[0].strip()
    body = request_fields(data)
    return {
        "request_id": _text(data.get("litellm_call_id")) or f"req_{uuid.uuid4().hex}",
        "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "account_id": account,
        **fields,
        "prompt": body.pop("prompt"),
        "system_prompt": body.pop("system_prompt"),
        "ip": ip,
        "user_agent": _text(meta.get("user_agent")) or _text(headers.get("user-agent")),
        "tls_fingerprint": (_text(headers.get(tls_fingerprint_header.lower()))
                            if tls_fingerprint_header else None),
        "model": body.pop("model"),
        "conversation_id": _text(data.get("litellm_session_id"))
        or _text(meta.get("session_id")),
        **body,
    }


def event_from_payload(payload: Mapping[str, Any], account_from: str = "user", *,
                       log_responses: bool = False) -> dict[str, Any] | None:
    """The contract-1 event of one LiteLLM ``StandardLoggingPayload`` (None: no account).

    ``model`` is ``model_group`` (what the client asked for), else ``model``; the
    status is ``ok`` for a success, ``refused`` when a guardrail stopped the request,
    else ``error``. Without messages (a proxy that does not log prompts) the event is
    metadata-only (``prompt`` null).
    """
    found = payload.get("metadata")
    meta: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    account, fields = identity(meta, account_from, payload.get("end_user"))
    if account is None:
        return None
    params = payload.get("model_parameters")
    body: dict[str, Any] = dict(params) if isinstance(params, Mapping) else {}
    messages = payload.get("messages")
    body["messages"] = messages if isinstance(messages, list) else []
    body["model"] = _text(payload.get("model_group")) or _text(payload.get("model"))
    request = request_fields(body)
    started = payload.get("startTime")
    when = (datetime.fromtimestamp(float(started), UTC) if isinstance(started, int | float)
            else datetime.now(UTC))
    event: dict[str, Any] = {
        "request_id": _text(payload.get("litellm_call_id")) or _text(payload.get("id"))
        or f"req_{uuid.uuid4().hex}",
        "timestamp": when.isoformat().replace("+00:00", "Z"),
        "account_id": account,
        **fields,
        "prompt": request.pop("prompt"),
        "system_prompt": request.pop("system_prompt"),
        "ip": _text(payload.get("requester_ip_address"))
        or _text(meta.get("requester_ip_address")),
        "user_agent": _text(payload.get("user_agent"))
        or _text(meta.get("user_agent")),
        "model": request.pop("model"),
        "conversation_id": _text(payload.get("session_id")),
        **request,
        "prompt_tokens": as_int(payload.get("prompt_tokens")),
        "completion_tokens": as_int(payload.get("completion_tokens")),
        "status": payload_status(payload),
    }
    if log_responses and event["status"] == "ok":
        event["response"] = response_text(payload.get("response"))
    return event


def payload_status(payload: Mapping[str, Any]) -> str:
    """``ok``, ``refused`` (a guardrail intervened) or ``error`` for a logging payload."""
    if payload.get("status") == "success":
        return "ok"
    fields = payload.get("status_fields")
    guardrail = fields.get("guardrail_status") if isinstance(fields, Mapping) else None
    if guardrail == "guardrail_intervened":
        return "refused"
    return "error"


def response_text(response: Any) -> str | None:
    """The first choice's text of a logged chat completion."""
    if not isinstance(response, Mapping):
        return None
    choices = response.get("choices")
    if isinstance(choices, list) and choices and isinstance(choices[0], Mapping):
        message = choices[0].get("message")
        if isinstance(message, Mapping) and isinstance(message.get("content"), str):
            return str(message["content"])
    return None


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, Mapping | list | bool):
        return None
    text = str(value).strip()
    return text or None
