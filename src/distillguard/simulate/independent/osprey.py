"""Osprey: nine days of one provider's API traffic (3-12 September 2026) with a model
released on day six, written without knowledge of the detector (see OSPREY.md).

``python -m distillguard.simulate.independent.osprey OUT [SEED] [SCALE] [CORPUS]``
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from distillguard.schema import CUSTOMER_SCHEMA, EVENT_SCHEMA, LABEL_SCHEMA, TIMESTAMP
from distillguard.simulate.independent import command_line

from . import osprey_legit, osprey_ops, osprey_orgs, osprey_schemes, osprey_trades
from .osprey_kit import DAY, END, World, sub_rng

#: Every group of the scenario, legitimate first, in the order they are generated.
BUILDERS = (*osprey_legit.ALL, *osprey_orgs.ALL, *osprey_trades.ALL, *osprey_ops.ALL,
            *osprey_schemes.ALL)


def generate(out_dir: str | Path, *, seed: int, scale: float = 1.0,
             corpus: Path | None = None) -> dict[str, Any]:
    """Write ``events.parquet``, ``labels.parquet`` and ``customers.parquet`` into
    ``out_dir``; return the counts."""
    if not scale > 0:
        raise ValueError("scale must be positive")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    w = World(seed, scale, Path(corpus) if corpus else None)
    for build in BUILDERS:
        build(w)

    events = pa.concat_tables(w.tables)
    w.tables.clear()
    ts = events.column("timestamp").to_numpy()
    events = events.take(pa.array(np.argsort(ts, kind="stable")))
    columns = []
    for f in EVENT_SCHEMA:
        if f.name == "request_id":
            columns.append(_request_ids(seed, events.num_rows))
        elif f.type == TIMESTAMP:
            columns.append(pc.cast(events.column(f.name), pa.int64()).cast(TIMESTAMP))
        else:
            columns.append(events.column(f.name).cast(f.type))
    events = pa.Table.from_arrays(columns, schema=EVENT_SCHEMA)
    pq.write_table(events, out / "events.parquet", compression="zstd")

    seen = set(pc.unique(events.column("account_id")).to_pylist())
    rows: dict[str, list[Any]] = {"account_id": [], "archetype": [], "campaign_id": []}
    for g in w.groups:
        for account in g.ids.tolist():
            if account in seen:
                rows["account_id"].append(account)
                rows["archetype"].append(g.archetype)
                rows["campaign_id"].append(g.campaign)
    labels = pa.table(rows, schema=LABEL_SCHEMA)
    pq.write_table(labels, out / "labels.parquet", compression="zstd")
    pq.write_table(_customers(w, seed, seen), out / "customers.parquet", compression="zstd")
    campaign_accounts = sum(1 for c in rows["campaign_id"] if c)
    return {"events": events.num_rows, "accounts": labels.num_rows,
            "campaigns": len({c for c in rows["campaign_id"] if c}),
            "campaign_accounts": campaign_accounts}


def _request_ids(seed: int, n: int) -> pa.Array:
    rng = sub_rng(seed, "request-ids")
    while True:
        raw = rng.integers(0, 2**63 - 1, size=n, dtype=np.int64)
        if len(np.unique(raw)) == n:
            return pa.array(np.char.mod("req_%016x", raw).astype(object), pa.string())


def _customers(w: World, seed: int, seen: set[str]) -> pa.Table:
    """The provider's customer records as they are: accounts bought through a cloud
    marketplace are billed there and mostly absent, accounts provisioned by the education
    portal partly absent, the last two days' sign-ups mostly not synced yet; tiers and
    organisations sometimes stale, declared uses often unrecorded."""
    rng = sub_rng(seed, "customers")
    rows: dict[str, list[Any]] = {f.name: [] for f in CUSTOMER_SCHEMA}
    for g in w.groups:
        for i, account in enumerate(g.ids.tolist()):
            if account not in seen:
                continue
            path, r = g.path[i], rng.random()
            if (path == "cloud" and r < 0.8) or (path == "education" and r < 0.4):
                continue
            if g.created[i] > END - 2 * DAY and rng.random() < 0.75:
                continue
            if rng.random() < 0.05:
                continue
            tier = str(g.tier[i])
            if tier == "pay_as_you_go" and rng.random() < 0.08:
                tier = "free"
            declared = g.declared[i] if rng.random() < 0.75 else None
            rows["account_id"].append(account)
            rows["org_id"].append(g.org[i] if rng.random() < 0.8 else None)
            rows["tier"].append(tier)
            rows["verified"].append(bool(g.verified[i]) and rng.random() < 0.97)
            rows["declared_use"].append(declared)
            rows["contract"].append(bool(g.contract[i]) and declared is not None)
    return pa.table(rows, schema=CUSTOMER_SCHEMA)


def main(argv: list[str] | None = None) -> int:
    return command_line(generate, "osprey", argv)


if __name__ == "__main__":
    raise SystemExit(main())
