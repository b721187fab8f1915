"""Kestrel: eight days of one provider's API traffic with a new model released mid-window,
written without knowledge of the detector (see KESTREL.md).

``python -m distillguard.simulate.independent.kestrel OUT [SEED] [SCALE] [CORPUS]``
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from distillguard.schema import CUSTOMER_SCHEMA, EVENT_SCHEMA, LABEL_SCHEMA
from distillguard.simulate.independent import command_line

from .kestrel_kit import DAY, END, Acct, World, sub_rng
from .kestrel_legit import all_legitimate
from .kestrel_ops import all_campaigns

_TIMES = ("timestamp", "account_created_at")


def generate(out_dir: str | Path, *, seed: int, scale: float = 1.0,
             corpus: Path | None = None) -> dict[str, Any]:
    """Write ``events.parquet``, ``labels.parquet`` and ``customers.parquet`` into
    ``out_dir``; return the counts."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    w = World(seed, scale, Path(corpus) if corpus else None)
    all_legitimate(w)
    all_campaigns(w)

    sizes = [len(c["timestamp"]) for c in w.chunks]
    n = int(sum(sizes))
    ts = np.concatenate([c["timestamp"] for c in w.chunks]).astype(np.int64)
    order = np.argsort(ts, kind="stable")
    take = pa.array(order)
    arrays: list[pa.Array] = []
    for f in EVENT_SCHEMA:
        if f.name == "request_id":
            arrays.append(pa.array(_request_ids(seed, n), pa.string()))
        elif f.name == "timestamp":
            arrays.append(pa.array(ts[order]).cast(f.type))
        else:
            col = _column(w.chunks, sizes, f.name)
            if f.name in _TIMES:
                arrays.append(pa.array(col.astype(np.int64)[order]).cast(f.type))
            else:
                arrays.append(pa.array(col, f.type).take(take))
    events = pa.Table.from_arrays(arrays, schema=EVENT_SCHEMA)
    pq.write_table(events, out / "events.parquet", compression="zstd")

    seen = {c["account_id"] for c in w.chunks}
    accounts = [a for a in w.accounts if a.account_id in seen]
    labels = pa.table({"account_id": [a.account_id for a in accounts],
                       "archetype": [a.archetype for a in accounts],
                       "campaign_id": [a.campaign_id for a in accounts]}, schema=LABEL_SCHEMA)
    pq.write_table(labels, out / "labels.parquet", compression="zstd")
    pq.write_table(_customers(seed, accounts), out / "customers.parquet", compression="zstd")
    return {"events": n, "accounts": len(accounts),
            "campaigns": len({a.campaign_id for a in accounts if a.campaign_id}),
            "campaign_accounts": sum(1 for a in accounts if a.campaign_id)}


def _column(chunks: list[dict[str, Any]], sizes: list[int], name: str) -> np.ndarray:
    parts: list[np.ndarray] = []
    for c, k in zip(chunks, sizes, strict=True):
        v = c.get(name)
        if isinstance(v, np.ndarray):
            parts.append(v if v.dtype == object or name in _TIMES else v.astype(object))
        else:
            if isinstance(v, np.generic):
                v = v.item()
            p = np.empty(k, dtype=np.int64 if name in _TIMES else object)
            p[:] = v
            parts.append(p)
    if name in _TIMES:
        return np.concatenate(parts)
    return np.concatenate(parts).astype(object)


def _request_ids(seed: int, n: int) -> list[str]:
    rng = sub_rng(seed, "request-ids")
    while True:
        raw = rng.integers(0, 2**63 - 1, size=n, dtype=np.int64)
        if len(np.unique(raw)) == n:
            return [f"req_{v:016x}" for v in raw.tolist()]


def _customers(seed: int, accounts: list[Acct]) -> pa.Table:
    """The customer table as the provider's CRM has it: partner-provisioned accounts and
    accounts created in the last days are missing, a few records are stale."""
    rng = sub_rng(seed, "customers")
    rows: dict[str, list[Any]] = {f.name: [] for f in CUSTOMER_SCHEMA}
    for a in accounts:
        if a.created > END - 2 * DAY and rng.random() < 0.7:
            continue  # the nightly CRM sync lags behind sign-ups
        if a.access_path == "education" and rng.random() < 0.3:
            continue  # provisioned through the education programme's portal
        if rng.random() < 0.06:
            continue
        tier = a.tier
        if tier == "pay_as_you_go" and rng.random() < 0.08:
            tier = "free"  # upgraded since the last sync
        declared = a.declared_use if rng.random() < 0.85 else None
        rows["account_id"].append(a.account_id)
        rows["org_id"].append(a.org_id if rng.random() < 0.8 else None)
        rows["tier"].append(tier)
        rows["verified"].append(bool(a.verified and rng.random() < 0.97))
        rows["declared_use"].append(declared)
        rows["contract"].append(bool(a.contract and declared is not None))
    return pa.table(rows, schema=CUSTOMER_SCHEMA)


def main(argv: list[str] | None = None) -> int:
    return command_line(generate, "kestrel", argv)


if __name__ == "__main__":
    raise SystemExit(main())
