"""Larkspur: nine days of one provider's API traffic with a model released on day six,
written without knowledge of the detector (see LARKSPUR.md).

``python -m distillguard.simulate.independent.larkspur OUT [SEED] [SCALE] [CORPUS]``
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from distillguard.schema import CUSTOMER_SCHEMA, EVENT_SCHEMA, LABEL_SCHEMA
from distillguard.simulate.independent import command_line

from .larkspur_kit import DAY, END, Accounts, World, hexids, sub_rng
from .larkspur_legit import all_legitimate
from .larkspur_ops import all_campaigns

_NULLABLE_INT = ("max_tokens",)


def generate(
    out_dir: str | Path, *, seed: int, scale: float = 1.0, corpus: Path | None = None
) -> dict[str, Any]:
    """Write ``events.parquet``, ``labels.parquet`` and ``customers.parquet`` into
    ``out_dir``; return the counts."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    w = World(seed, scale, Path(corpus) if corpus else None)
    all_legitimate(w)
    all_campaigns(w)

    ts = np.concatenate([c["timestamp"] for c in w.chunks])
    order = np.argsort(ts, kind="stable")
    n = len(ts)
    arrays: list[pa.Array] = []
    for f in EVENT_SCHEMA:
        if f.name == "request_id":
            arrays.append(pa.array(_request_ids(seed, n), pa.string()))
            continue
        values = np.concatenate([c[f.name] for c in w.chunks])[order]
        if f.name in ("timestamp", "account_created_at"):
            arrays.append(pa.array(values.astype(np.int64)).cast(f.type))
        elif f.name in _NULLABLE_INT:
            arrays.append(pa.array(values.astype(np.int64), f.type, mask=values < 0))
        elif (
            pa.types.is_integer(f.type)
            or pa.types.is_floating(f.type)
            or pa.types.is_boolean(f.type)
        ):
            arrays.append(pa.array(values, f.type))
        else:
            arrays.append(pa.array(values, pa.string()))
    events = pa.Table.from_arrays(arrays, schema=EVENT_SCHEMA)
    pq.write_table(events, out / "events.parquet", compression="zstd")

    seen = set(np.unique(events.column("account_id").to_numpy(zero_copy_only=False)).tolist())
    ids: list[str] = []
    arche: list[str] = []
    camp: list[str | None] = []
    for g in w.groups:
        for i, a in enumerate(g.ids.tolist()):
            if a in seen:
                ids.append(a)
                arche.append(g.archetype)
                camp.append(g.campaign)
                del i
    labels = pa.table(
        {"account_id": ids, "archetype": arche, "campaign_id": camp}, schema=LABEL_SCHEMA
    )
    pq.write_table(labels, out / "labels.parquet", compression="zstd")
    pq.write_table(_customers(seed, w.groups, seen), out / "customers.parquet", compression="zstd")
    campaigns = len({c for c in camp if c})
    return {
        "events": n,
        "accounts": len(ids),
        "campaigns": campaigns,
        "campaign_accounts": sum(1 for c in camp if c),
    }


def _request_ids(seed: int, n: int) -> list[str]:
    rng = sub_rng(seed, "request-ids")
    while True:
        ids = hexids(rng, n, "req_", 16)
        if len(np.unique(ids)) == n:
            return list(ids)


def _customers(seed: int, groups: list[Accounts], seen: set[str]) -> pa.Table:
    """The customer table as the provider's CRM has it: partner-provisioned and recent
    accounts often missing, some education sign-ups missing, stale tiers, declarations
    not always recorded, organisations sometimes not linked."""
    rng = sub_rng(seed, "customers")
    rows: dict[str, list[Any]] = {f.name: [] for f in CUSTOMER_SCHEMA}
    for g in groups:
        for i in range(g.n):
            acct = str(g.ids[i])
            if acct not in seen:
                continue
            path = g.path[i]
            if path == "reseller" and rng.random() < 0.8:
                continue
            if g.created[i] > END - 2 * DAY and rng.random() < 0.75:
                continue
            if path == "education" and rng.random() < 0.4:
                continue
            if rng.random() < 0.06:
                continue
            tier = str(g.tier[i])
            if tier == "free" and rng.random() < 0.08:
                tier = "pay_as_you_go"  # upgraded but the sync still has the card pending
            declared = g.declared[i] if rng.random() < 0.85 else None
            rows["account_id"].append(acct)
            rows["org_id"].append(g.org[i] if rng.random() < 0.8 else None)
            rows["tier"].append(tier)
            rows["verified"].append(bool(g.verified[i]) and rng.random() < 0.96)
            rows["declared_use"].append(declared)
            rows["contract"].append(bool(g.contract[i]) and declared is not None)
    return pa.table(rows, schema=CUSTOMER_SCHEMA)


def main(argv: list[str] | None = None) -> int:
    return command_line(generate, "larkspur", argv)


if __name__ == "__main__":
    raise SystemExit(main())
