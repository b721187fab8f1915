"""Plover: nine days of one provider's API traffic with a model released on day four,
written without knowledge of the detector (see PLOVER.md).

``python -m distillguard.simulate.independent.plover OUT [SEED] [SCALE] [CORPUS]``
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from distillguard.schema import CUSTOMER_SCHEMA, EVENT_SCHEMA, LABEL_SCHEMA
from distillguard.simulate.independent import command_line

from .plover_kit import DAY, END, HOUR, Acct, World, sub_rng
from .plover_legit import all_legitimate
from .plover_ops import all_campaigns


def generate(out_dir: str | Path, *, seed: int, scale: float = 1.0,
             corpus: Path | None = None) -> dict[str, Any]:
    """Write ``events.parquet``, ``labels.parquet`` and ``customers.parquet`` into
    ``out_dir``; return the counts."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    w = World(seed, scale, Path(corpus) if corpus else None)
    all_legitimate(w)
    all_campaigns(w)

    cols = w.cols
    ts = np.asarray(cols["timestamp"], dtype=np.int64)
    order = pa.array(np.argsort(ts, kind="stable"))
    n = len(ts)
    seen = set(cols["account_id"])
    arrays: list[pa.Array] = []
    for f in EVENT_SCHEMA:
        if f.name == "request_id":
            arrays.append(pa.array(_request_ids(seed, n), pa.string()))
            continue
        values = cols.pop(f.name)
        if f.name in ("timestamp", "account_created_at"):
            arrays.append(pa.array(np.asarray(values, dtype=np.int64)).cast(f.type).take(order))
        else:
            arrays.append(pa.array(values, f.type).take(order))
    events = pa.Table.from_arrays(arrays, schema=EVENT_SCHEMA)
    pq.write_table(events, out / "events.parquet", compression="zstd")

    accounts = [a for a in w.accounts if a.account_id in seen]
    labels = pa.table({"account_id": [a.account_id for a in accounts],
                       "archetype": [a.archetype for a in accounts],
                       "campaign_id": [a.campaign_id for a in accounts]}, schema=LABEL_SCHEMA)
    pq.write_table(labels, out / "labels.parquet", compression="zstd")
    pq.write_table(_customers(seed, accounts), out / "customers.parquet", compression="zstd")
    campaigns = len({a.campaign_id for a in accounts if a.campaign_id})
    return {"events": n, "accounts": len(accounts), "campaigns": campaigns,
            "campaign_accounts": sum(1 for a in accounts if a.campaign_id)}


def _request_ids(seed: int, n: int) -> list[str]:
    rng = np.random.default_rng(sub_rng(seed, "request-ids").getrandbits(64))
    while True:
        raw = rng.integers(0, 2**62, size=n, dtype=np.int64)
        if len(np.unique(raw)) == n:
            return [f"rq-{v:016x}" for v in raw.tolist()]


def _customers(seed: int, accounts: list[Acct]) -> pa.Table:
    """What the provider's CRM knows: education accounts provisioned by the programme's
    portal are often missing, so are accounts from the last day and a half (the sync runs
    behind) and a few others; tiers lag upgrades, organisations and declared uses are not
    always filled in."""
    r = sub_rng(seed, "customers")
    rows: dict[str, list[Any]] = {f.name: [] for f in CUSTOMER_SCHEMA}
    for a in accounts:
        if a.access_path == "education" and r.random() < 0.4:
            continue
        if a.created > END - 36 * HOUR and r.random() < 0.85:
            continue
        if r.random() < 0.06:
            continue
        tier = a.tier
        if tier == "pay_as_you_go" and a.created > END - 20 * DAY and r.random() < 0.15:
            tier = "free"
        declared = a.declared_use if r.random() < 0.85 else None
        rows["account_id"].append(a.account_id)
        rows["org_id"].append(a.org_id if r.random() < 0.8 else None)
        rows["tier"].append(tier)
        rows["verified"].append(a.verified and r.random() < 0.97)
        rows["declared_use"].append(declared)
        rows["contract"].append(a.contract and declared is not None)
    return pa.table(rows, schema=CUSTOMER_SCHEMA)


def main(argv: list[str] | None = None) -> int:
    return command_line(generate, "plover", argv)


if __name__ == "__main__":
    raise SystemExit(main())
