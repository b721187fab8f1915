"""Nightjar: nine days of one provider's API traffic with a model released mid-window,
written without knowledge of the detector (see NIGHTJAR.md).

``python -m distillguard.simulate.independent.nightjar OUT [SEED] [SCALE] [CORPUS]``
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from distillguard.schema import CUSTOMER_SCHEMA, EVENT_SCHEMA, LABEL_SCHEMA
from distillguard.simulate.independent import command_line

from .nightjar_kit import DAY, END, START, World, sub_rng
from .nightjar_legit import all_legitimate
from .nightjar_ops import all_campaigns

#: Event columns taken from the account unless the event carries its own value.
_FROM_ACCOUNT = {"org_id": "org_id", "payment_fingerprint": "payment", "email": "email",
                 "account_created_at": "created", "access_path": "access_path",
                 "country": "country"}


def generate(out_dir: str | Path, *, seed: int, scale: float = 1.0,
             corpus: Path | None = None) -> dict[str, Any]:
    """Write ``events.parquet``, ``labels.parquet`` and ``customers.parquet`` into
    ``out_dir``; return the counts."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    w = World(seed, scale, Path(corpus) if corpus else None)
    all_legitimate(w, seed)
    all_campaigns(w, seed)

    ev = {name: np.concatenate([c[name] for c in w.chunks]) for name in w.chunks[0]}
    acct = ev["acct"]
    created = np.asarray(w.acc["created"], np.int64)
    ts = ev["timestamp"]
    keep = (ts > created[acct]) & (ts >= START) & (ts < END)
    ev = {name: col[keep] for name, col in ev.items()}
    order = np.argsort(ev["timestamp"], kind="stable")
    ev = {name: col[order] for name, col in ev.items()}
    acct = ev["acct"]
    n = len(acct)

    acc = {name: np.asarray(values, dtype=object) for name, values in w.acc.items()
           if name != "keys"}
    cols: dict[str, Any] = {
        "request_id": _request_ids(seed, n),
        "timestamp": ev["timestamp"],
        "account_id": acc["account_id"][acct],
        "api_key_id": ev["key"],
        "ip": ev["ip"],
        "user_agent": np.where(ev["ua_ev"] == None, acc["ua"][acct], ev["ua_ev"]),  # noqa: E711
        "tls_fingerprint": np.where(ev["tls_ev"] == None, acc["tls"][acct],  # noqa: E711
                                    ev["tls_ev"]),
        "max_tokens": np.asarray([None if (m is None or m == 0) else int(m)
                                  for m in ev["max_tokens"].tolist()], object),
    }
    for col, field in _FROM_ACCOUNT.items():
        cols[col] = created[acct] if field == "created" else acc[field][acct]
    for name in ("prompt", "model", "system_prompt", "conversation_id", "turn", "response",
                 "prompt_tokens", "completion_tokens", "temperature", "n", "logprobs",
                 "tool_count", "status"):
        cols[name] = ev[name]
    arrays: list[pa.Array] = []
    for f in EVENT_SCHEMA:
        values = cols.pop(f.name)
        if f.name in ("timestamp", "account_created_at"):
            arrays.append(pa.array(np.asarray(values, np.int64)).cast(f.type))
        elif isinstance(values, np.ndarray) and values.dtype != object:
            arrays.append(pa.array(values).cast(f.type))
        else:
            arrays.append(pa.array(list(values), f.type))
    events = pa.Table.from_arrays(arrays, schema=EVENT_SCHEMA)
    pq.write_table(events, out / "events.parquet", compression="zstd")

    seen = np.zeros(len(created), bool)
    seen[np.unique(acct)] = True
    idx = np.flatnonzero(seen)
    labels = pa.table({"account_id": acc["account_id"][idx].tolist(),
                       "archetype": acc["archetype"][idx].tolist(),
                       "campaign_id": acc["campaign_id"][idx].tolist()}, schema=LABEL_SCHEMA)
    pq.write_table(labels, out / "labels.parquet", compression="zstd")
    pq.write_table(_customers(seed, w, idx), out / "customers.parquet", compression="zstd")
    camp = [c for c in acc["campaign_id"][idx].tolist() if c is not None]
    return {"events": n, "accounts": len(idx), "campaigns": len(set(camp)),
            "campaign_accounts": len(camp)}


def _request_ids(seed: int, n: int) -> list[str]:
    rng = sub_rng(seed, "request-ids")
    while True:
        raw = rng.integers(0, 2**63 - 1, size=n, dtype=np.int64)
        if len(np.unique(raw)) == n:
            return [f"req_{v:016x}" for v in raw.tolist()]


def _customers(seed: int, w: World, idx: np.ndarray) -> pa.Table:
    """The provider's customer table as it is: accounts created in the last two days mostly
    missing (the CRM sync lags), some education and startup-programme accounts missing
    (provisioned by partner portals), tiers sometimes stale, declarations sometimes lost."""
    rng = sub_rng(seed, "customers")
    a = w.acc
    rows: dict[str, list[Any]] = {f.name: [] for f in CUSTOMER_SCHEMA}
    for i in idx.tolist():
        if a["created"][i] > END - 2 * DAY and rng.random() < 0.8:
            continue
        if a["access_path"][i] in ("education", "startup") and rng.random() < 0.3:
            continue
        if rng.random() < 0.05:
            continue
        tier = a["tier"][i]
        if tier == "free" and a["payment"][i] is not None and rng.random() < 0.5:
            tier = "pay_as_you_go"
        elif tier == "pay_as_you_go" and rng.random() < 0.08:
            tier = "free"  # upgraded since the last sync
        declared = a["declared_use"][i] if rng.random() < 0.85 else None
        rows["account_id"].append(a["account_id"][i])
        rows["org_id"].append(a["org_id"][i] if rng.random() < 0.8 else None)
        rows["tier"].append(tier)
        rows["verified"].append(bool(a["verified"][i]))
        rows["declared_use"].append(declared)
        rows["contract"].append(bool(a["contract"][i]) and declared is not None)
    return pa.table(rows, schema=CUSTOMER_SCHEMA)


def main(argv: list[str] | None = None) -> int:
    return command_line(generate, "nightjar", argv)


if __name__ == "__main__":
    raise SystemExit(main())
