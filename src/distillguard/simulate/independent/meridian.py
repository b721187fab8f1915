"""Meridian: an independent, seeded 72-hour slice of an LLM API provider's traffic.

A legitimate majority (with the look-alikes that resemble distillation) and five distillation
campaigns run by different operators, written from the public record in DESIGN.md and without
knowledge of how the detector decides. ``generate`` writes ``events.parquet`` (contract 1),
``labels.parquet`` (contract 3) and ``customers.parquet`` (what the provider knows about each
account). Standard library, numpy and pyarrow only. MERIDIAN.md describes every archetype.
"""

from __future__ import annotations

import pathlib

import pyarrow.compute as pc
import pyarrow.parquet as pq

from distillguard.simulate.independent import meridian_campaigns as c
from distillguard.simulate.independent import meridian_people as p
from distillguard.simulate.independent import meridian_services as s
from distillguard.simulate.independent.meridian_world import World

#: Every group in the order it draws from the scenario's generators (the order is part of the seed).
GROUPS = [
    p.g_casual,
    p.g_developer,
    p.g_company,
    s.g_product,
    p.g_agent,
    s.g_batch,
    s.g_eval,
    s.g_cron,
    s.g_router,
    p.g_university,
    p.g_hackathon,
    s.g_saas,
    s.g_vendor,
    s.g_redteam,
    s.g_edtech,
    c.c_lattice,
    c.c_kestrel,
    c.c_cascade,
    c.c_mirage,
    c.c_quill,
]


def generate(
    out_dir: str | pathlib.Path,
    *,
    seed: int = 0,
    scale: float = 1.0,
    corpus: str | pathlib.Path | None = None,
) -> dict:
    """Write out_dir/events.parquet (contract 1) and out_dir/labels.parquet (contract 3);
    return counts {events, accounts, campaigns}.

    Also writes out_dir/customers.parquet: what the provider knows about each account.
    The same seed and scale give byte-identical files."""
    w = World(seed, scale, corpus)
    for group in GROUPS:
        group(w)
    events, labels, customers = w.tables()
    out = pathlib.Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name, table in (("events", events), ("labels", labels), ("customers", customers)):
        pq.write_table(
            table,
            out / f"{name}.parquet",
            compression="zstd",
            compression_level=3,
            row_group_size=65536,
            use_dictionary=True,
            write_statistics=True,
        )
    return {
        "events": events.num_rows,
        "accounts": labels.num_rows,
        "campaigns": len(pc.unique(labels["campaign_id"].drop_null())),
    }


# python -m distillguard.simulate.independent.meridian OUT [SEED] [SCALE] [CORPUS]
if __name__ == "__main__":
    import sys

    args = sys.argv[1:]
    print(
        generate(
            args[0],
            seed=int(args[1]) if len(args) > 1 else 0,
            scale=float(args[2]) if len(args) > 2 else 1.0,
            corpus=args[3] if len(args) > 3 else None,
        )
    )
