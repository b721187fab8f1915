"""Saltmarsh: a five-day provider log (2026-03-09 to 2026-03-14, UTC) with a model release
mid-window, fourteen kinds of legitimate customers and six distillation operators.

See ``SALTMARSH.md`` beside this file for what is in the data and every parameter.

    python -m distillguard.simulate.independent.saltmarsh OUT [SEED] [SCALE] [CORPUS]
"""

from __future__ import annotations

import pathlib
import sys
from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from distillguard.schema import CUSTOMER_SCHEMA, EVENT_SCHEMA, LABEL_SCHEMA
from distillguard.simulate.independent.saltmarsh_campaigns import campaigns
from distillguard.simulate.independent.saltmarsh_kit import (
    CLIENT,
    CLIENT_NAMES,
    CLIENTS,
    END_US,
    MODELS,
    RESPONSE_STYLES,
    START_US,
    US,
    Events,
    Text,
    World,
    hex_column,
)
from distillguard.simulate.independent.saltmarsh_legit import LEGIT

#: Characters per token, by response style (CJK-heavy text packs fewer characters).
CHARS_PER_TOKEN = {"prose": 4.2, "code": 3.4, "reasoning": 4.0, "label": 3.5, "json": 2.8,
                   "intl": 1.4}
GRID = np.unique(np.round(np.geomspace(2, 60_000, 140)).astype(np.int64))
VARIANTS = 3


def _response_bank(text: Text) -> tuple[pa.Array, np.ndarray]:
    """Filler answers: for every style, ``VARIANTS`` texts at each length of ``GRID``."""
    bank = text.bank
    texts: list[str] = []
    for style in RESPONSE_STYLES:
        base = " ".join(bank["label"]) + " " if style == "label" else str(bank[style])
        long = base * (int(GRID[-1]) // len(base) + 3)
        for v in range(VARIANTS):
            off = (v * 97) % len(base)
            texts.extend(long[off:off + int(n)] for n in GRID)
    return pa.array(texts, type=pa.string()), np.tile(GRID, len(RESPONSE_STYLES) * VARIANTS)


def _col(parts: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(parts) if parts else np.empty(0)


def _assemble(w: World) -> tuple[pa.Table, pa.Table, pa.Table]:
    r = w.rng
    groups: list[Events] = w.groups
    acct = _col([g.acct for g in groups]).astype(np.int64)
    k = len(acct)

    def fill(name: str, default: float | int, dtype: type) -> np.ndarray:
        return np.concatenate([np.asarray(getattr(g, name)) if getattr(g, name) is not None
                               else np.full(len(g.acct), default) for g in groups]).astype(dtype)

    accounts = w.accounts
    created = np.array([x.created_us for x in accounts], dtype=np.int64)
    ts = _col([g.ts for g in groups]).astype(np.int64)
    # no request before the account exists, none outside the window
    ts = np.clip(np.maximum(ts, created[acct] + 30 * US + (acct % 97) * US), START_US,
                 END_US - 1)
    model = fill("model", 0, np.int64)
    style = fill("style", 0, np.int64)
    want = fill("resp_chars", 1, np.int64)
    max_tokens = fill("max_tokens", -1, np.int64)
    temperature = fill("temperature", np.nan, np.float64)
    n = fill("n", 1, np.int64)
    tool_count = fill("tool_count", -1, np.int64)
    status = fill("status", 0, np.int64)
    conv_local = fill("conv", -1, np.int64)
    turn = fill("turn", -1, np.int64)
    lp_parts = [g.logprobs if g.logprobs is not None else np.full(len(g.acct), -1)
                for g in groups]
    logprobs = np.concatenate([np.asarray(p).astype(np.int8) for p in lp_parts])
    prompt = pa.concat_arrays([g.prompt for g in groups])
    ip = pa.concat_arrays([g.ip.combine_chunks() if isinstance(g.ip, pa.ChunkedArray) else g.ip
                           for g in groups])
    system = pa.concat_arrays([g.system if g.system is not None
                               else pa.nulls(len(g.acct), pa.string()) for g in groups])
    tls_override = np.concatenate([np.full(len(g.acct), -1 if g.tls_client is None
                                           else g.tls_client) for g in groups])

    # responses: filler of the wanted length, cut short by max_tokens
    cpt = np.array([CHARS_PER_TOKEN[s] for s in RESPONSE_STYLES])[style]
    cap = np.where(max_tokens > 0, (max_tokens * cpt).astype(np.int64), 10**9)
    want = np.minimum(want, cap)
    pos = np.minimum(np.searchsorted(GRID, want), len(GRID) - 1)
    pos = np.where((pos > 0) & (GRID[pos] > cap), pos - 1, pos)
    variant = r.integers(0, VARIANTS, k)
    bank, lengths = _response_bank(w.text)
    ridx = (style * VARIANTS + variant) * len(GRID) + pos
    rlen = lengths[ridx]
    completion = np.ceil(rlen / cpt).astype(np.int64) + r.integers(0, 3, k)
    completion = np.where(max_tokens > 0, np.minimum(completion, max_tokens), completion)
    refusal = w.text.bank["refusal"]
    response = pc.if_else(pa.array(status == 1), pa.scalar(refusal),
                          bank.take(pa.array(ridx)))
    response = pc.if_else(pa.array(status == 2), pa.scalar(None, pa.string()), response)
    completion = np.where(status == 1, int(len(refusal) / 4.2) + 1, completion)
    completion = np.where(status == 2, 0, completion)

    p_chars = pc.fill_null(pc.utf8_length(prompt), 0).to_numpy(zero_copy_only=False)
    s_chars = pc.fill_null(pc.utf8_length(system), 0).to_numpy(zero_copy_only=False)
    p_cpt = np.where(style == RESPONSE_STYLES.index("intl"), 2.0, 3.9)
    context = np.where(turn > 0, turn * (350 + (acct % 7) * 40), 0)
    prompt_tokens = (np.ceil(p_chars / p_cpt + s_chars / 4.0) + 6
                     + np.maximum(tool_count, 0) * 96 + context).astype(np.int64)

    # account-level columns
    def acc(values: Sequence[str | None]) -> pa.Array:
        return pa.array(values, type=pa.string()).take(pa.array(acct))

    ua = [CLIENTS[x.client][0] for x in accounts]
    tls_names = np.array([CLIENT[x.client] for x in accounts])[acct]
    tls_names = np.where(tls_override >= 0, tls_override, tls_names)
    tls = pa.array([CLIENTS[c][1] for c in CLIENT_NAMES]).take(pa.array(tls_names))
    n_keys = np.array([x.n_keys for x in accounts], dtype=np.int64)
    key_start = np.concatenate([[0], np.cumsum(n_keys)[:-1]])
    keys = hex_column(r, int(n_keys.sum()), "key_")
    key = keys.take(pa.array(key_start[acct] + (r.random(k) * n_keys[acct]).astype(np.int64)))
    n_conv = int(conv_local.max()) + 1 if k else 0
    conv_ids = hex_column(r, max(n_conv, 1), "conv_")
    conv = conv_ids.take(pa.array(np.maximum(conv_local, 0), mask=conv_local < 0))

    def opt(x: np.ndarray, null: np.ndarray, typ: pa.DataType) -> pa.Array:
        return pa.array(x, type=typ, mask=null)

    cols = {
        "request_id": hex_column(r, k, "req_"),
        "timestamp": pa.array(ts, type=pa.timestamp("us", tz="UTC")),
        "account_id": acc([x.account_id for x in accounts]),
        "prompt": prompt,
        "org_id": acc([x.org_id for x in accounts]),
        "api_key_id": key,
        "ip": ip,
        "user_agent": acc(ua),
        "tls_fingerprint": tls,
        "payment_fingerprint": acc([x.payment for x in accounts]),
        "email": acc([x.email for x in accounts]),
        "account_created_at": pa.array(created[acct], type=pa.timestamp("us", tz="UTC")),
        "access_path": acc([x.access_path for x in accounts]),
        "country": acc([x.country for x in accounts]),
        "model": pa.array(list(MODELS)).take(pa.array(model)),
        "system_prompt": system,
        "conversation_id": conv,
        "turn": opt(np.maximum(turn, 0), turn < 0, pa.int32()),
        "response": response,
        "prompt_tokens": pa.array(prompt_tokens, type=pa.int64()),
        "completion_tokens": pa.array(completion, type=pa.int64()),
        "max_tokens": opt(np.maximum(max_tokens, 0), max_tokens < 0, pa.int64()),
        "temperature": opt(np.nan_to_num(temperature), np.isnan(temperature), pa.float64()),
        "n": pa.array(n, type=pa.int32()),
        "logprobs": opt(logprobs == 1, logprobs < 0, pa.bool_()),
        "tool_count": opt(np.maximum(tool_count, 0), tool_count < 0, pa.int32()),
        "status": pa.array(["ok", "refused", "error"]).take(pa.array(status)),
    }
    events = pa.table(cols, schema=EVENT_SCHEMA)
    order = np.lexsort((np.arange(k), ts))
    events = events.take(pa.array(order))

    seen = np.zeros(len(accounts), dtype=bool)
    seen[acct] = True
    live = [x for x, s in zip(accounts, seen, strict=True) if s]
    labels = pa.table({"account_id": [x.account_id for x in live],
                       "archetype": [x.archetype for x in live],
                       "campaign_id": pa.array([x.campaign_id for x in live], pa.string())},
                      schema=LABEL_SCHEMA)
    rows = [(x.account_id, *x.customer) for x in live if x.customer is not None]
    customers = pa.table({name: [row[i] for row in rows]
                          for i, name in enumerate(CUSTOMER_SCHEMA.names)},
                         schema=CUSTOMER_SCHEMA)
    return events, labels, customers


def generate(out_dir: str | pathlib.Path, *, seed: int = 0, scale: float = 1.0,
             corpus: str | pathlib.Path | None = None) -> dict[str, int]:
    """Write out_dir/events.parquet (contract 1), out_dir/labels.parquet (contract 3) and
    out_dir/customers.parquet (customer table); return {"events": n, "accounts": n,
    "campaigns": n}. Same seed and scale → byte-identical files."""
    if scale <= 0:
        raise ValueError("scale must be positive")
    out = pathlib.Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng([seed, 0x5A17])
    w = World(rng=rng, text=Text(rng, pathlib.Path(corpus) if corpus else None), scale=scale)
    for make in LEGIT:
        make(w)
    campaigns(w)
    events, labels, customers = _assemble(w)
    opts = {"compression": "zstd", "use_dictionary": True, "write_statistics": True}
    pq.write_table(events, out / "events.parquet", row_group_size=131_072, **opts)
    pq.write_table(labels, out / "labels.parquet", **opts)
    pq.write_table(customers, out / "customers.parquet", **opts)
    return {"events": events.num_rows, "accounts": labels.num_rows, "campaigns": w.campaigns}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or len(args) > 4 or args[0] in ("-h", "--help"):
        print(__doc__)
        return 0 if args and args[0] in ("-h", "--help") else 2
    seed = int(args[1]) if len(args) > 1 else 0
    scale = float(args[2]) if len(args) > 2 else 1.0
    corpus = args[3] if len(args) > 3 else None
    print(generate(args[0], seed=seed, scale=scale, corpus=corpus))
    return 0


__all__ = ["generate", "main"]

if __name__ == "__main__":
    raise SystemExit(main())
