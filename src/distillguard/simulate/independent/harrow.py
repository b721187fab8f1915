"""Harrow: seven days of one provider's API traffic with a model released mid-window,
written without knowledge of the detector (see HARROW.md).

``python -m distillguard.simulate.independent.harrow OUT [SEED] [SCALE] [CORPUS]``
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from distillguard.schema import CUSTOMER_SCHEMA, EVENT_SCHEMA, LABEL_SCHEMA
from distillguard.simulate.independent import command_line

from .harrow_campaigns import all_campaigns
from .harrow_kit import DAY, END, Acct, World, cloud_ip, payment, sub_rng
from .harrow_legit import all_legitimate


def generate(out_dir: str | Path, *, seed: int, scale: float = 1.0,
             corpus: Path | None = None) -> dict[str, Any]:
    """Write ``events.parquet``, ``labels.parquet`` and ``customers.parquet`` into
    ``out_dir``; return the counts."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    w = World(seed, scale, Path(corpus) if corpus else None)
    brng = sub_rng(seed, "apibridge")
    bridge: dict[str, object] = {"org": w.new_id("org_", 10), "payment": payment(brng),
                                 "ips": [cloud_ip(brng, "vps") for _ in range(6)]}
    all_legitimate(w, seed, bridge)
    all_campaigns(w, seed, bridge)

    cols = w.cols
    seen = set(cols["account_id"])
    ts = np.asarray(cols["timestamp"], dtype=np.int64)
    order = np.argsort(ts, kind="stable")
    n = len(ts)
    ids = _request_ids(seed, n)
    arrays: list[pa.Array] = []
    for f in EVENT_SCHEMA:
        if f.name == "request_id":
            arrays.append(pa.array(ids, pa.string()))
            continue
        values = cols.pop(f.name)  # free each list once it is an Arrow array
        if f.name in ("timestamp", "account_created_at"):
            arrays.append(pa.array(np.asarray(values, dtype=np.int64)[order]).cast(f.type))
        else:
            arrays.append(pa.array(values, f.type).take(pa.array(order)))
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
        raw = rng.integers(0, 2**63 - 1, size=n, dtype=np.int64)
        if len(np.unique(raw)) == n:
            return [f"req_{v:016x}" for v in raw.tolist()]


def _customers(seed: int, accounts: list[Acct]) -> pa.Table:
    """The provider's customer table as it really is: rows missing for accounts provisioned
    through a partner or created in the last days (the nightly sync lags), stale tiers and
    organisations, and declarations nobody checked."""
    rng = sub_rng(seed, "customers")
    rows: dict[str, list[Any]] = {f.name: [] for f in CUSTOMER_SCHEMA}
    for a in accounts:
        if a.access_path == "reseller" and rng.random() < 0.85:
            continue  # partner-provisioned accounts never reach the CRM
        if a.created > END - 2 * DAY and rng.random() < 0.8:
            continue  # the CRM sync runs behind
        if a.access_path == "promo" and rng.random() < 0.5:
            continue
        if rng.random() < 0.07:
            continue
        tier = a.tier
        if tier == "pay_as_you_go" and rng.random() < 0.1:
            tier = "free"  # upgraded since the last sync
        org = a.org_id if rng.random() < 0.75 else None
        declared = a.declared_use if rng.random() < 0.8 else None
        if declared is None and rng.random() < 0.03:
            declared = rng.choice(["research", "startup", "agent", "personal"])
        rows["account_id"].append(a.account_id)
        rows["org_id"].append(org)
        rows["tier"].append(tier)
        rows["verified"].append(a.verified and rng.random() < 0.95)
        rows["declared_use"].append(declared)
        rows["contract"].append(a.contract and declared is not None)
    return pa.table(rows, schema=CUSTOMER_SCHEMA)


def main(argv: list[str] | None = None) -> int:
    return command_line(generate, "harrow", argv)


if __name__ == "__main__":
    raise SystemExit(main())
