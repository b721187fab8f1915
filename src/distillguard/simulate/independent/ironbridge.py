"""Ironbridge: twelve days of one LLM provider's API traffic with a model release on day 9.

An independent scenario, written without reading the detector or the other independent
families. See ``IRONBRIDGE.md`` beside this file for what the data contains.

``python -m distillguard.simulate.independent.ironbridge OUT [SEED] [SCALE] [CORPUS]``
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from distillguard.schema import CUSTOMER_SCHEMA, EVENT_SCHEMA, LABEL_SCHEMA

from .ironbridge_kit import COLUMNS, World, stream
from .ironbridge_legit import LEGIT
from .ironbridge_ops import CAMPAIGNS

__all__ = ["generate", "main"]


def _events_table(w: World) -> pa.Table:
    cols = w.cols
    arrays = [pa.array(cols.pop(name), type=EVENT_SCHEMA.field(name).type) for name in COLUMNS[1:]]
    table = pa.Table.from_arrays(arrays, names=list(COLUMNS[1:]))
    del arrays
    order = pc.sort_indices(
        table, sort_keys=[("timestamp", "ascending"), ("account_id", "ascending")]
    )
    table = table.take(order)
    rng = np.random.default_rng(stream(w.seed, "request_ids").getrandbits(63))
    raw = rng.integers(0, 2**63 - 1, size=(table.num_rows, 2), dtype=np.int64)
    ids = pa.array([f"req_{a:016x}{b % (1 << 32):08x}" for a, b in raw.tolist()], pa.string())
    return pa.Table.from_arrays([ids, *table.columns], schema=EVENT_SCHEMA)


def generate(
    out_dir: Path | str, *, seed: int, scale: float = 1.0, corpus: Path | None = None
) -> dict[str, Any]:
    """Write ``events.parquet``, ``labels.parquet`` and ``customers.parquet`` into ``out_dir``.

    Returns the counts: ``events``, ``accounts``, ``campaigns`` (and per-campaign sizes).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    w = World(seed, scale, Path(corpus) if corpus is not None else None)
    for group in LEGIT:
        group(w)
    for op in CAMPAIGNS:
        op(w)

    seen = set(w.cols["account_id"])
    accounts = sorted((a for a in w.accounts if a.account_id in seen), key=lambda a: a.account_id)
    events = _events_table(w)
    pq.write_table(events, out / "events.parquet", compression="zstd")

    labels = pa.table(
        {
            "account_id": [a.account_id for a in accounts],
            "archetype": [a.archetype for a in accounts],
            "campaign_id": [a.campaign_id for a in accounts],
        },
        schema=LABEL_SCHEMA,
    )
    pq.write_table(labels, out / "labels.parquet", compression="zstd")

    rows = [(a.account_id, a.customer) for a in accounts if a.customer is not None]
    customers = pa.table(
        {
            "account_id": [r[0] for r in rows],
            "org_id": [c.org_id for _, c in rows],
            "tier": [c.tier for _, c in rows],
            "verified": [c.verified for _, c in rows],
            "declared_use": [c.declared_use for _, c in rows],
            "contract": [c.contract for _, c in rows],
        },
        schema=CUSTOMER_SCHEMA,
    )
    pq.write_table(customers, out / "customers.parquet", compression="zstd")

    campaign_ids = sorted({a.campaign_id for a in accounts if a.campaign_id})
    return {
        "events": events.num_rows,
        "accounts": labels.num_rows,
        "campaigns": len(campaign_ids),
        "customers": customers.num_rows,
        "campaign_accounts": {c: sum(a.campaign_id == c for a in accounts) for c in campaign_ids},
    }


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or len(args) > 4:
        print(
            "usage: python -m distillguard.simulate.independent.ironbridge "
            "OUT [SEED] [SCALE] [CORPUS]",
            file=sys.stderr,
        )
        return 2
    seed = int(args[1]) if len(args) > 1 else 0
    scale = float(args[2]) if len(args) > 2 else 1.0
    corpus = Path(args[3]) if len(args) > 3 else None
    counts = generate(Path(args[0]), seed=seed, scale=scale, corpus=corpus)
    print({k: v for k, v in counts.items() if k != "campaign_accounts"})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
