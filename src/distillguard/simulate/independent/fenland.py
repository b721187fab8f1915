"""Fenland: an independent six-day scenario of one LLM provider's API traffic.

``generate(out_dir, seed=0, scale=1.0, corpus=None)`` writes ``events.parquet`` (contract 1),
``labels.parquet`` (contract 3) and ``customers.parquet`` (the customer table). See
``FENLAND.md`` next to this file for what is in it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from distillguard.schema import CUSTOMER_SCHEMA, EVENT_SCHEMA, LABEL_SCHEMA
from distillguard.simulate.independent import command_line
from distillguard.simulate.independent.fenland_campaigns import CAMPAIGNS
from distillguard.simulate.independent.fenland_kit import World, hexids, load_bank, responses
from distillguard.simulate.independent.fenland_legit import LEGIT

#: Share of successful requests whose response text the provider's log keeps.
RESPONSE_LOG_RATE = 0.3


def generate(out_dir: str | Path, *, seed: int = 0, scale: float = 1.0,
             corpus: str | Path | None = None) -> dict[str, int]:
    """Write out_dir/events.parquet, labels.parquet and customers.parquet; return counts.
    Same seed and scale give byte-identical files."""
    if not scale > 0:
        raise ValueError("scale must be positive")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng([seed, 0xFE17A4D])
    w = World(rng=rng, scale=scale, bank=load_bank(corpus))
    for build in (*LEGIT, *CAMPAIGNS):
        build(w)
    events = _events(w)
    pq.write_table(events, out / "events.parquet", compression="zstd")
    labels = _labels(w)
    pq.write_table(labels, out / "labels.parquet", compression="zstd")
    pq.write_table(_customers(w), out / "customers.parquet", compression="zstd")
    campaigns = len({c for c in labels.column("campaign_id").to_pylist() if c is not None})
    return {"events": events.num_rows, "accounts": labels.num_rows, "campaigns": campaigns}


def _cat(w: World, name: str) -> np.ndarray:
    return np.concatenate(w.ev[name])


def _events(w: World) -> pa.Table:
    rng = w.rng
    t_us = _cat(w, "t_us")
    order = np.argsort(t_us, kind="stable")
    m = len(t_us)
    status = _cat(w, "status")[order]
    logged = (rng.random(m) < RESPONSE_LOG_RATE) & (status != "error")
    prompt = _cat(w, "prompt")[order]
    logged &= np.array([p is not None for p in prompt]) if m else logged
    text, tokens = responses(rng, w.bank, _cat(w, "_style")[order],
                             _cat(w, "completion_tokens")[order].astype(np.int64),
                             _cat(w, "_cpt")[order], _cat(w, "_answer")[order], logged)
    max_t = _cat(w, "max_tokens")[order]
    tokens = np.where(np.isnan(max_t), tokens, np.minimum(tokens, np.nan_to_num(max_t))) \
        .astype(np.int64)
    tokens = np.where(status == "error", 0, tokens)
    cols: dict[str, pa.Array] = {
        "request_id": pa.array(hexids(rng, m, "req_", 10), type=pa.string()),
        "timestamp": pa.array(t_us[order], type=pa.timestamp("us", tz="UTC")),
        "prompt": pa.array(prompt, type=pa.string()),
        "response": text,
        "account_created_at": pa.array(_cat(w, "account_created_at")[order].astype(np.int64),
                                       type=pa.timestamp("us", tz="UTC")),
        "completion_tokens": pa.array(tokens, type=pa.int64()),
        "status": pa.array(status, type=pa.string()),
    }
    for name in ("account_id", "org_id", "api_key_id", "ip", "user_agent", "tls_fingerprint",
                 "payment_fingerprint", "email", "access_path", "country", "model",
                 "system_prompt", "conversation_id"):
        cols[name] = pa.array(_cat(w, name)[order], type=pa.string())
    for name, typ in (("prompt_tokens", pa.int64()), ("max_tokens", pa.int64()),
                      ("n", pa.int32()), ("tool_count", pa.int32())):
        cols[name] = pa.array(_cat(w, name)[order], from_pandas=True).cast(typ)
    cols["turn"] = pa.array(_cat(w, "turn")[order], type=pa.int32())
    cols["temperature"] = pa.array(_cat(w, "temperature")[order], from_pandas=True,
                                   type=pa.float64())
    cols["logprobs"] = pa.array(_cat(w, "logprobs")[order], type=pa.bool_())
    return pa.table([cols[f.name] for f in EVENT_SCHEMA], schema=EVENT_SCHEMA)


def _labels(w: World) -> pa.Table:
    ids = np.concatenate([x[0] for x in w.labels])
    arch = np.concatenate([x[1] for x in w.labels])
    camp = np.concatenate([x[2] for x in w.labels])
    return pa.table([pa.array(ids, type=pa.string()), pa.array(arch, type=pa.string()),
                     pa.array(camp, type=pa.string())], schema=LABEL_SCHEMA)


def _customers(w: World) -> pa.Table:
    cols = {k: np.concatenate([c[k] for c in w.customers]) for k in w.customers[0]}
    keep = cols.pop("_listed").astype(bool)
    return pa.table([pa.array(cols[f.name][keep], type=f.type) for f in CUSTOMER_SCHEMA],
                    schema=CUSTOMER_SCHEMA)


def main(argv: list[str] | None = None) -> int:
    return command_line(generate, "fenland", argv)


if __name__ == "__main__":
    raise SystemExit(main())
