"""Online detection against simulator labels: time to detection, leakage, false positives.

:func:`online_detection` reads the decisions of a replay (``decisions.parquet``: one row
per request, in replay order) and the labels (contract 3). Definitions, following
``evaluation/timeline.py`` (batch) where they overlap:

- A campaign is **detected** at the first request of any of its accounts whose action
  flags it (``review``, ``throttle`` or ``block``); ``hours_to_detection`` runs from
  the campaign's first request.
- **Leakage** of a campaign: the share of its exchanges that came before it was detected
  (all of them when it never was). The batch timeline counts the exchanges up to its
  detecting cut-off, so online leakage is the same quantity measured per request
  instead of per step.
- **Account leakage**: the share of a campaign's exchanges sent by each of its accounts
  before *that account* was first flagged (stricter: other accounts of a detected
  campaign may still be served).
- **Served after detection**: campaign exchanges served (not throttled or blocked)
  after the campaign was detected. Review serves and flags; throttle and block refuse.
- **False-positive rate** per legitimate archetype: the share of its accounts flagged at
  least once during the replay (``fpr``), and flagged at their last request
  (``fpr_final``, what a batch scan at the end would compare with).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from distillguard.evaluation.evaluate import load_labels

FLAGGED = ("review", "throttle", "block")
REFUSED = ("throttle", "block")


def online_detection(decisions: pa.Table, labels: pa.Table) -> dict[str, Any]:
    """Detection, leakage and false positives of an online replay (see the module doc).

    Parameters
    ----------
    decisions:
        ``request_id``, ``account_id``, ``timestamp``, ``action`` (rows in replay order).
    labels:
        Contract 3: ``account_id``, ``archetype``, ``campaign_id`` (null = legitimate).

    Returns
    -------
    ``{"campaigns": [...], "campaigns_detected", "campaigns_total", "leakage",
    "account_leakage", "served_after_detection", "false_positive_rate",
    "false_positive_rate_final", "fpr_by_archetype": {...}, "recall"}``; ratios with a
    zero denominator are ``None``.
    """
    labels = load_labels(labels)
    n = decisions.num_rows
    accounts = decisions.column("account_id").to_pylist()
    actions = decisions.column("action").to_pylist()
    times = decisions.column("timestamp").to_pylist()
    campaign_of = dict(zip(labels["account_id"].to_pylist(), labels["campaign_id"].to_pylist(),
                           strict=True))
    archetype_of = dict(zip(labels["account_id"].to_pylist(),
                            labels["archetype"].to_pylist(), strict=True))
    flagged = np.isin(np.asarray(actions, dtype=object), FLAGGED)
    refused = np.isin(np.asarray(actions, dtype=object), REFUSED)
    # First flagged row per account and per campaign (rows are in replay order).
    account_first: dict[str, int] = {}
    for i in np.flatnonzero(flagged):  # flagged rows only
        account_first.setdefault(accounts[i], int(i))
    campaign_rows: dict[str, list[int]] = {}
    for i, account in enumerate(accounts):  # one pass over the decisions
        campaign = campaign_of.get(account)
        if campaign is not None:
            campaign_rows.setdefault(campaign, []).append(i)
    rows: list[dict[str, Any]] = []
    total = leaked_total = account_leaked_total = served_after_total = 0
    for campaign in sorted(campaign_rows):
        idx = np.asarray(campaign_rows[campaign])
        members = {accounts[i] for i in idx}
        firsts = [account_first[a] for a in members if a in account_first]
        detected = min(firsts) if firsts else None
        leaked = int((idx < detected).sum()) if detected is not None else len(idx)
        own_first = np.array([account_first.get(accounts[i], n) for i in idx])
        account_leaked = int((idx < own_first).sum())
        served_after = int(((idx >= detected) & ~refused[idx]).sum()) if detected is not None \
            else 0
        archetypes = sorted(archetype_of.get(a, "?") for a in members)
        start = times[int(idx[0])]
        rows.append({
            "campaign_id": campaign,
            "archetype": max(set(archetypes), key=archetypes.count),
            "accounts": len(members),
            "accounts_flagged": sum(1 for a in members if a in account_first),
            "exchanges": len(idx),
            "first_seen": _iso(start),
            "detected_at": _iso(times[detected]) if detected is not None else None,
            "hours_to_detection": (
                round((times[detected] - start).total_seconds() / 3600, 3)
                if detected is not None else None
            ),
            "leaked_exchanges": leaked,
            "leakage": round(leaked / len(idx), 6),
            "account_leakage": round(account_leaked / len(idx), 6),
            "served_after_detection": served_after,
        })
        total += len(idx)
        leaked_total += leaked
        account_leaked_total += account_leaked
        served_after_total += served_after
    legit = labels.filter(pc.is_null(labels["campaign_id"]))
    by_archetype: dict[str, dict[str, Any]] = {}
    last_action: dict[str, str] = dict(zip(accounts, actions, strict=True))  # last one wins
    for account, archetype in zip(legit["account_id"].to_pylist(),
                                  legit["archetype"].to_pylist(), strict=True):
        if account not in last_action:
            continue  # never sent a request in the replay
        entry = by_archetype.setdefault(archetype, {"accounts": 0, "flagged": 0,
                                                    "flagged_final": 0})
        entry["accounts"] += 1
        entry["flagged"] += account in account_first
        entry["flagged_final"] += last_action[account] in FLAGGED
    for entry in by_archetype.values():
        entry["fpr"] = entry["flagged"] / entry["accounts"]
        entry["fpr_final"] = entry["flagged_final"] / entry["accounts"]
    legit_accounts = sum(e["accounts"] for e in by_archetype.values())
    campaign_accounts = [a for a in set(accounts) if campaign_of.get(a) is not None]
    return {
        "campaigns": rows,
        "campaigns_detected": sum(1 for r in rows if r["detected_at"] is not None),
        "campaigns_total": len(rows),
        "leakage": _ratio(leaked_total, total),
        "account_leakage": _ratio(account_leaked_total, total),
        "served_after_detection": _ratio(served_after_total, total),
        "recall": _ratio(sum(1 for a in campaign_accounts if a in account_first),
                         len(campaign_accounts)),
        "false_positive_rate": _ratio(sum(e["flagged"] for e in by_archetype.values()),
                                      legit_accounts),
        "false_positive_rate_final": _ratio(
            sum(e["flagged_final"] for e in by_archetype.values()), legit_accounts),
        "fpr_by_archetype": dict(sorted(by_archetype.items())),
    }


def _ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 6) if denominator else None


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat()
