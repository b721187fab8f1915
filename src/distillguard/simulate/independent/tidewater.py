"""Tidewater: an independent four-day scenario of an LLM provider's traffic (see TIDEWATER.md).

Written by someone who had read neither the detection code nor the other independent
generator. ``generate(out_dir, seed=, scale=, corpus=)`` writes ``events.parquet``
(contract 1), ``labels.parquet`` (contract 3) and ``customers.parquet``.

    python -m distillguard.simulate.independent.tidewater OUT [SEED] [SCALE] [CORPUS]
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from distillguard.schema import CUSTOMER_SCHEMA, EVENT_SCHEMA, LABEL_SCHEMA
from distillguard.simulate.independent import tidewater_campaigns as campaigns
from distillguard.simulate.independent import tidewater_people as people
from distillguard.simulate.independent import tidewater_services as services
from distillguard.simulate.independent.tidewater_block import Block, block_table
from distillguard.simulate.independent.tidewater_cohort import Ctx
from distillguard.simulate.independent.tidewater_text import Texts, load_bank
from distillguard.simulate.independent.tidewater_world import Accounts, hex_strings, rng_for

COHORTS: tuple[Callable[[Ctx], list[Block]], ...] = (
    people.casual, lambda ctx: people.casual(ctx, mobile=True), people.developers,
    people.coding_agents, people.enterprise_batch, people.benchmark_runners,
    services.university_classes, services.hackathon, services.cron_jobs, services.translation,
    services.synthetic_vendor, services.resellers, services.support_bots,
    campaigns.consumer_mimic, campaigns.hydra_reseller, campaigns.low_and_slow,
    campaigns.model_pivot, campaigns.multilingual, campaigns.rubric_grader,
)


def _write(table: pa.Table, path: Path) -> None:
    pq.write_table(table, path, compression="zstd", row_group_size=131_072,
                   write_statistics=True)


def generate(out_dir: str | Path, *, seed: int = 0, scale: float = 1.0,
             corpus: str | Path | None = None) -> dict[str, int]:
    """Write the scenario into ``out_dir``; the same seed and scale give identical bytes."""
    if scale <= 0:
        raise ValueError(f"scale must be positive, not {scale}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    accounts = Accounts()
    ctx = Ctx(seed=seed, scale=scale, bank=load_bank(),
              texts=Texts(load_bank(), Path(corpus) if corpus else None), accounts=accounts)
    blocks = [block for cohort in COHORTS for block in cohort(ctx)]
    rng = rng_for(seed, "assembly")
    tables = [block_table(b, accounts, ctx.texts, rng) for b in blocks]
    events = pa.concat_tables(tables)
    order = pc.sort_indices(events, sort_keys=[("timestamp", "ascending"),
                                               ("account_id", "ascending")])
    events = events.take(order)
    ids = [f"req_{i:07x}{h}" for i, h in enumerate(hex_strings(rng, events.num_rows, 6))]
    events = events.add_column(0, "request_id", pa.array(ids, pa.string()))
    events = events.select(EVENT_SCHEMA.names).cast(EVENT_SCHEMA)
    seen = np.unique(events.column("account_id").to_numpy(zero_copy_only=False))
    present = np.isin(np.asarray(accounts.ids, dtype=object), seen)
    labels = pa.table({
        "account_id": pa.array([a for a, p in zip(accounts.ids, present, strict=True) if p]),
        "archetype": pa.array([a for a, p in zip(accounts.archetype, present, strict=True)
                               if p]),
        "campaign_id": pa.array([c for c, p in zip(accounts.campaign, present, strict=True)
                                 if p], pa.string()),
    }).cast(LABEL_SCHEMA)
    labels = labels.take(pc.sort_indices(labels, sort_keys=[("account_id", "ascending")]))
    rows = [(a, c) for a, c, p in zip(accounts.ids, accounts.customer, present, strict=True)
            if p and c is not None]
    customers = pa.table({
        "account_id": [a for a, _ in rows], "org_id": [c[4] for _, c in rows],
        "tier": [c[0] for _, c in rows], "verified": [c[1] for _, c in rows],
        "declared_use": pa.array([c[2] for _, c in rows], pa.string()),
        "contract": [c[3] for _, c in rows]}).cast(CUSTOMER_SCHEMA)
    customers = customers.take(pc.sort_indices(customers,
                                               sort_keys=[("account_id", "ascending")]))
    _write(events, out / "events.parquet")
    _write(labels, out / "labels.parquet")
    _write(customers, out / "customers.parquet")
    n_campaigns = len({c for c in labels.column("campaign_id").to_pylist() if c})
    return {"events": events.num_rows, "accounts": labels.num_rows, "campaigns": n_campaigns}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not 1 <= len(args) <= 4:
        print(__doc__, file=sys.stderr)
        return 2
    seed = int(args[1]) if len(args) > 1 else 0
    scale = float(args[2]) if len(args) > 2 else 1.0
    corpus = args[3] if len(args) > 3 else None
    print(generate(args[0], seed=seed, scale=scale, corpus=corpus))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
