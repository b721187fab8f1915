"""Turn an archetype's ``Accounts`` + ``Events`` into an Arrow table of contract 1."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from distillguard.schema import EVENT_SCHEMA
from distillguard.simulate.base import Accounts, Context, Events, api_keys
from distillguard.simulate.outputs import sized_responses
from distillguard.simulate.prompts import RESPONSE_OPENINGS
from distillguard.simulate.textgen import constant, pick, random_hex, text_scalar

#: Tokens of earlier turns re-sent with each follow-up (the conversation history).
HISTORY_TOKENS_PER_TURN = 320


def to_arrow(values: pa.Array | np.ndarray, kind: pa.DataType) -> pa.Array:
    """A column as the exact Arrow type of the schema."""
    if isinstance(values, pa.Array):
        return values if values.type == kind else values.cast(kind)
    if pa.types.is_timestamp(kind):
        return pa.array(np.asarray(values, dtype=np.int64), pa.int64()).cast(kind)
    return pa.array(values, kind)


def timestamps(values_us: np.ndarray) -> pa.Array:
    return to_arrow(values_us, EVENT_SCHEMA.field("timestamp").type)


def build_table(ctx: Context, accounts: Accounts, events: Events) -> pa.Table:
    """Expand account columns to events, fill defaults, and order columns as the schema."""
    n = len(events)
    rng = ctx.rng
    account = events.account.astype(np.int64)
    columns: dict[str, pa.Array] = {}
    for name, values in events.columns.items():
        columns[name] = to_arrow(values, EVENT_SCHEMA.field(name).type)
    for name, values in accounts.columns.items():
        if name not in columns:
            columns[name] = to_arrow(values, EVENT_SCHEMA.field(name).type).take(account)
    columns["request_id"] = random_hex(rng, n, 12, prefix="req_")
    columns["timestamp"] = timestamps(events.time_us)
    columns["account_id"] = accounts.ids.take(account)
    if "api_key_id" not in columns:
        columns["api_key_id"] = api_keys(rng, accounts.ids, account)
    if "status" not in columns:
        columns["status"] = constant("ok", n)
    _fill_sizes(rng, columns, n)
    if "response" not in columns:
        if ctx.scenario.responses == "sized":
            completion = columns["completion_tokens"].to_numpy(zero_copy_only=False)
            columns["response"] = sized_responses(rng, "prose", completion, columns["status"])
        else:
            columns["response"] = _responses(rng, columns["status"], n)
    arrays = [columns.get(f.name, pa.nulls(n, f.type)) for f in EVENT_SCHEMA]
    return pa.Table.from_arrays(arrays, schema=EVENT_SCHEMA)


def _fill_sizes(rng: np.random.Generator, columns: dict[str, pa.Array], n: int) -> None:
    """Token counts (≈ characters / 4), and defaults for the sampling parameters."""
    if "prompt_tokens" not in columns:
        chars = np.zeros(n, dtype=np.int64)
        for name in ("prompt", "system_prompt"):
            if name in columns:
                chars += pc.fill_null(pc.utf8_length(columns[name]), 0).to_numpy().astype(np.int64)
        turn = (pc.fill_null(columns["turn"], 0).to_numpy().astype(np.int64)
                if "turn" in columns else np.zeros(n, np.int64))
        columns["prompt_tokens"] = pa.array(
            np.maximum(1, -(-chars // 4)) + turn * HISTORY_TOKENS_PER_TURN, pa.int64())
    max_tokens = (columns["max_tokens"].to_numpy(zero_copy_only=False).astype(np.int64)
                  if "max_tokens" in columns else np.full(n, 4096, np.int64))
    if "max_tokens" not in columns:
        columns["max_tokens"] = pa.array(max_tokens, pa.int64())
    if "completion_tokens" not in columns:
        completion = rng.lognormal(np.log(250), 0.8, n).astype(np.int64)
        columns["completion_tokens"] = pa.array(completion, pa.int64())
    status = columns["status"]
    completion = columns["completion_tokens"].to_numpy(zero_copy_only=False).astype(np.int64)
    completion = np.clip(completion, 1, np.maximum(max_tokens, 1))
    refused = pc.equal(status, text_scalar("refused")).to_numpy(zero_copy_only=False)
    failed = pc.equal(status, text_scalar("error")).to_numpy(zero_copy_only=False)
    completion = np.where(refused, rng.integers(12, 60, n), completion)
    completion = np.where(failed, 0, completion)
    columns["completion_tokens"] = pa.array(completion, pa.int64())
    defaults: dict[str, tuple[object, pa.DataType]] = {
        "temperature": (1.0, pa.float64()), "n": (1, pa.int32()),
        "logprobs": (False, pa.bool_()), "tool_count": (0, pa.int32()), "turn": (0, pa.int32()),
    }
    for name, (value, kind) in defaults.items():
        if name not in columns:
            columns[name] = pa.array(np.full(n, value), kind)


def _responses(rng: np.random.Generator, status: pa.Array, n: int) -> pa.Array:
    """A short synthetic reply opening (null when the request failed)."""
    ok_text = pick(RESPONSE_OPENINGS["default"], rng, n)
    refused_text = pick(RESPONSE_OPENINGS["refused"], rng, n)
    text = pc.if_else(pc.equal(status, text_scalar("refused")), refused_text, ok_text)
    return pc.if_else(pc.equal(status, text_scalar("error")), pa.nulls(n, pa.string()), text)
