"""Tidewater's event blocks: one cohort's requests as arrays, merged into contract-1 events."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from distillguard.simulate.independent.tidewater_text import (
    RESPONSE_LOG_SHARE,
    Texts,
)
from distillguard.simulate.independent.tidewater_world import (
    END,
    MODELS,
    START,
    Accounts,
    IntArray,
    Rng,
)

#: (pool, index per event); index -1 is null.
Col = tuple[list[str], IntArray]
TIMESTAMP = pa.timestamp("us", tz="UTC")
STATUSES = ("ok", "refused", "error")


def col(pool: list[str] | list[str | None], idx: Any) -> Col:
    return [p if p is not None else "" for p in pool], np.asarray(idx, dtype=np.int64)


def const(value: str | None, n: int) -> Col:
    if value is None:
        return [""], np.full(n, -1, dtype=np.int64)
    return [value], np.zeros(n, dtype=np.int64)


def per_account(values: list[str] | list[str | None], local: IntArray) -> Col:
    """A per-account value (index ``local`` into ``values``); None stays null."""
    idx = np.asarray(local, dtype=np.int64)
    missing = np.array([v is None for v in values], dtype=bool)
    if missing.any():
        idx = np.where(missing[idx], -1, idx)
    return col(values, idx)


def statuses(rng: Rng, n: int, refused: float, error: float) -> IntArray:
    u = rng.random(n)
    return np.where(u < refused, 1, np.where(u < refused + error, 2, 0)).astype(np.int64)


@dataclass
class Block:
    """The requests of one cohort (or one behaviour of it)."""

    acct: IntArray
    ts: IntArray
    prompt: Col
    ip: Col
    ua: Col
    tls: Col
    key: Col
    country: Col
    model: IntArray
    completion: IntArray
    style: str
    system: Col | None = None
    conv: Col | None = None
    turn: IntArray | None = None
    max_tokens: IntArray | None = None
    temperature: np.ndarray | None = None
    n: IntArray | None = None
    logprobs: np.ndarray | None = None
    tools: IntArray | None = None
    status: IntArray | None = None
    history: IntArray | None = None
    access: Col | None = None
    chars_per_token: float = 4.0
    extra: dict[str, Any] = field(default_factory=dict)


def _take(c: Col) -> pa.Array:
    pool, idx = c
    arr = pa.array(pool, pa.string())
    return arr.take(pa.array(idx, type=pa.int64(), mask=idx < 0))


def _nullable_int(values: IntArray | None, n: int, typ: pa.DataType) -> pa.Array:
    if values is None:
        return pa.nulls(n, typ)
    v = np.asarray(values, dtype=np.int64)
    return pa.array(v, type=pa.int64(), mask=v < 0).cast(typ)


def _tokens(lengths: pa.Array, cpt: float) -> np.ndarray:
    chars = np.asarray(pc.fill_null(lengths, 0).to_numpy(zero_copy_only=False), dtype=float)
    return np.ceil(chars / cpt).astype(np.int64)


def block_table(b: Block, accounts: Accounts, texts: Texts, rng: Rng) -> pa.Table:
    keep = (b.ts >= START) & (b.ts < END)
    if not keep.all():
        b = _subset(b, keep)
    n = len(b.ts)
    acct = b.acct
    status = b.status if b.status is not None else np.zeros(n, dtype=np.int64)
    prompt = _take(b.prompt)
    system = _take(b.system) if b.system is not None else pa.nulls(n, pa.string())
    tools = b.tools if b.tools is not None else np.zeros(n, dtype=np.int64)
    history = b.history if b.history is not None else np.zeros(n, dtype=np.int64)
    prompt_tokens = (_tokens(pc.utf8_length(prompt), b.chars_per_token)
                     + _tokens(pc.utf8_length(system), b.chars_per_token)
                     + history + tools * 85 + 4)
    max_tokens = b.max_tokens
    completion = np.maximum(np.asarray(b.completion, dtype=np.int64), 1)
    if max_tokens is not None:
        completion = np.where(max_tokens > 0, np.minimum(completion, max_tokens), completion)
    # Responses: a logged sample; text length follows the completion size.
    logged = rng.random(n) < RESPONSE_LOG_SHARE
    ladder, flat = texts.response_pool(b.style)
    chars = (completion * b.chars_per_token).astype(np.int64)
    step = np.clip(np.searchsorted(ladder, chars), 0, len(ladder) - 1)
    ridx = step * 3 + rng.integers(0, 3, n)
    text_len = ladder[step]
    measured = np.maximum(1, np.round(text_len / b.chars_per_token
                                      * rng.uniform(0.96, 1.04, n))).astype(np.int64)
    completion = np.where(logged, measured, completion)
    if max_tokens is not None:
        completion = np.where(max_tokens > 0, np.minimum(completion, max_tokens), completion)
    refusals = texts.d["refusals"]
    ref_idx = rng.integers(0, len(refusals), n)
    completion = np.where(status == 1, 12 + ref_idx * 9, completion)
    completion = np.where(status == 2, 0, completion)
    pool = flat + refusals
    ridx = np.where(status == 1, len(flat) + ref_idx, ridx)
    ridx = np.where(logged & (status != 2), ridx, -1)
    response = _take((pool, ridx))
    temperature = b.temperature
    cols: dict[str, pa.Array] = {
        "timestamp": pa.array(b.ts, type=pa.int64()).cast(TIMESTAMP),
        "account_id": _take((accounts.ids, acct)),
        "prompt": prompt,
        "org_id": _take(per_account(accounts.org, acct)),
        "api_key_id": _take(b.key),
        "ip": _take(b.ip),
        "user_agent": _take(b.ua),
        "tls_fingerprint": _take(b.tls),
        "payment_fingerprint": _take(per_account(accounts.payment, acct)),
        "email": _take(per_account(accounts.email, acct)),
        "account_created_at": pa.array(np.asarray(accounts.created, dtype=np.int64)[acct],
                                       type=pa.int64()).cast(TIMESTAMP),
        "access_path": _take(b.access if b.access is not None
                             else per_account(accounts.access, acct)),
        "country": _take(b.country),
        "model": _take((list(MODELS), b.model)),
        "system_prompt": system,
        "conversation_id": _take(b.conv) if b.conv is not None else pa.nulls(n, pa.string()),
        "turn": _nullable_int(b.turn, n, pa.int32()),
        "response": response,
        "prompt_tokens": pa.array(prompt_tokens, type=pa.int64()),
        "completion_tokens": pa.array(completion, type=pa.int64()),
        "max_tokens": _nullable_int(max_tokens, n, pa.int64()),
        "temperature": (pa.nulls(n, pa.float64()) if temperature is None else
                        pa.array(temperature, type=pa.float64(), mask=np.isnan(temperature))),
        "n": _nullable_int(b.n if b.n is not None else np.ones(n, dtype=np.int64), n,
                           pa.int32()),
        "logprobs": pa.array(b.logprobs if b.logprobs is not None else np.zeros(n, bool),
                             type=pa.bool_()),
        "tool_count": pa.array(tools, type=pa.int64()).cast(pa.int32()),
        "status": _take((list(STATUSES), status)),
    }
    return pa.table(cols)


def _subset(b: Block, keep: np.ndarray) -> Block:
    def sub(value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, tuple):
            return (value[0], value[1][keep])
        return value[keep]

    return Block(acct=b.acct[keep], ts=b.ts[keep], prompt=sub(b.prompt), ip=sub(b.ip),
                 ua=sub(b.ua), tls=sub(b.tls), key=sub(b.key), country=sub(b.country),
                 model=b.model[keep], completion=b.completion[keep], style=b.style,
                 system=sub(b.system), conv=sub(b.conv), turn=sub(b.turn),
                 max_tokens=sub(b.max_tokens), temperature=sub(b.temperature), n=sub(b.n),
                 logprobs=sub(b.logprobs), tools=sub(b.tools), status=sub(b.status),
                 history=sub(b.history), access=sub(b.access),
                 chars_per_token=b.chars_per_token)


def lognormal_counts(rng: Rng, n: int, mean: float, sigma: float, low: int = 1,
                     high: int | None = None) -> IntArray:
    """Counts with a long tail: a lognormal with the given mean, at least ``low``."""
    mu = math.log(mean) - sigma * sigma / 2
    counts = np.maximum(low, np.round(rng.lognormal(mu, sigma, n))).astype(np.int64)
    if high is not None:
        counts = np.minimum(counts, high)
    return counts
