"""Detection over time: when was each campaign first flagged, and what had leaked by then.

A batch scan sees everything at once. To know how early a campaign would have been
caught, the workspace is re-analysed at increasing cut-offs (every ``step_hours``), each
time as if the scan ran then (:func:`distillguard.scan.analyse` with ``until``).
A campaign is **detected** at the first cut-off where one of its accounts is flagged;
its **leakage** is the share of its exchanges served up to that cut-off (so leakage is
measured to within one step: a finer step gives a tighter figure at a higher cost).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa

from distillguard.config import Config
from distillguard.evaluation.evaluate import load_labels
from distillguard.schema import FLAGGED_DECISIONS
from distillguard.store.workspace import Workspace


@dataclass(frozen=True)
class CampaignTimeline:
    campaign_id: str
    archetype: str
    accounts: int
    exchanges: int
    first_seen: str
    detected_at: str | None
    hours_to_detection: float | None
    leaked_exchanges: int
    leakage: float


@dataclass(frozen=True)
class DetectionTimeline:
    step_hours: float
    cutoffs: int
    campaigns: list[CampaignTimeline]
    #: Leaked exchanges over all campaign exchanges (an undetected campaign leaks all).
    leakage: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "step_hours": self.step_hours,
            "cutoffs": self.cutoffs,
            "leakage": self.leakage,
            "campaigns": [asdict(c) for c in self.campaigns],
        }


def detection_over_time(
    workspace: Workspace,
    labels: str | Path | pa.Table,
    config: Config,
    *,
    step_hours: float = 4.0,
    progress: Callable[[int, int], None] | None = None,
) -> DetectionTimeline:
    """Re-analyse ``workspace`` every ``step_hours`` and time each true campaign's detection."""
    from distillguard.scan import analyse  # the pipeline imports this module's users

    con = workspace.con
    con.register("timeline_labels", load_labels(labels))
    # Timestamps travel through Arrow: DuckDB's own conversion of time zones needs pytz.
    bounds = con.execute(
        "SELECT min(timestamp) AS lo, max(timestamp) AS hi FROM events"
    ).to_arrow_table().to_pylist()[0]
    if bounds["lo"] is None:
        con.unregister("timeline_labels")
        return DetectionTimeline(step_hours, 0, [], None)
    start, end = bounds["lo"], bounds["hi"]
    cutoffs: list[datetime] = []
    t = start
    while t < end:
        t = min(t + timedelta(hours=step_hours), end)
        cutoffs.append(t)
    detected: dict[str, datetime] = {}
    campaign_of = dict(con.execute(
        "SELECT account_id, campaign_id FROM timeline_labels WHERE campaign_id IS NOT NULL"
    ).fetchall())
    for k, cutoff in enumerate(cutoffs):  # per cut-off, not per event
        accounts, _, _ = analyse(workspace, config, until=cutoff)
        flagged = [
            acc for acc, decision in zip(
                accounts.column("account_id").to_pylist(),
                accounts.column("decision").to_pylist(), strict=True,
            )
            if decision in FLAGGED_DECISIONS and acc in campaign_of
        ]
        for acc in flagged:
            detected.setdefault(campaign_of[acc], cutoff)
        if progress is not None:
            progress(k + 1, len(cutoffs))
        if len(detected) == len(set(campaign_of.values())):
            break
    con.register("timeline_detected", pa.table({
        "campaign_id": list(detected), "detected_at": list(detected.values()),
    }))
    rows = con.execute(
        """
        SELECT l.campaign_id AS cid, mode(l.archetype) AS archetype,
               count(DISTINCT e.account_id) AS accounts, count(*) AS exchanges,
               min(e.timestamp) AS first_seen, any_value(d.detected_at) AS detected_at,
               count(*) FILTER (WHERE d.detected_at IS NULL OR e.timestamp <= d.detected_at)
                   AS leaked
        FROM events e
        JOIN timeline_labels l USING (account_id)
        LEFT JOIN timeline_detected d USING (campaign_id)
        WHERE l.campaign_id IS NOT NULL
        GROUP BY l.campaign_id ORDER BY l.campaign_id
        """
    ).to_arrow_table().to_pylist()
    con.unregister("timeline_labels")
    con.unregister("timeline_detected")
    campaigns = [
        CampaignTimeline(
            campaign_id=r["cid"], archetype=r["archetype"], accounts=int(r["accounts"]),
            exchanges=int(r["exchanges"]), first_seen=r["first_seen"].isoformat(),
            detected_at=r["detected_at"].isoformat() if r["detected_at"] else None,
            hours_to_detection=(
                round((r["detected_at"] - r["first_seen"]).total_seconds() / 3600, 3)
                if r["detected_at"] else None
            ),
            leaked_exchanges=int(r["leaked"]), leakage=round(r["leaked"] / r["exchanges"], 6),
        )
        for r in rows
    ]
    total = sum(c.exchanges for c in campaigns)
    leakage = sum(c.leaked_exchanges for c in campaigns) / total if total else None
    return DetectionTimeline(step_hours, len(cutoffs), campaigns, leakage)
