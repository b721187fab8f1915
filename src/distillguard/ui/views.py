"""Page contexts: scan rows and query results turned into what a template shows.

Every value from the data passes :func:`~distillguard.textsafe.safe_text` (control
characters removed, cut to a size) here, and the templates escape it; personal indicator
values pass :func:`~distillguard.privacy.display_value` (hashed unless ``--show-pii``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pyarrow as pa

from distillguard.privacy import display_value
from distillguard.schema import FLAGGED_DECISIONS
from distillguard.textsafe import safe_text
from distillguard.ui.data import ScanState, as_utc_text

ID_CHARS = 120
REASON_CHARS = 300
NOTE_CHARS = 1000
VALUE_CHARS = 160
MAX_REASONS = 20
MAX_CAPABILITIES_LISTED = 3
#: A campaign label applies to today's campaign of that id when the members stored with
#: it overlap today's members at least this much (Jaccard): campaign ids are per scan.
SAME_CAMPAIGN_OVERLAP = 0.5
#: Profile columns shown first on an account page, when present.
PROFILE_FIRST = ("events", "first_seen", "last_seen", "access_path", "org_id",
                 "account_age_hours", "active_span_hours", "prompts", "cot_share",
                 "rubric_share", "top_capability", "top_capability_share", "distinct_ips",
                 "models", "hour_entropy", "max_per_minute")
_CONTRACT_COLUMNS = {"account_id", "risk", "decision", "campaign_id", "reasons"}


def text(value: Any, max_chars: int = ID_CHARS) -> str:
    """Display-safe text (see :func:`safe_text`); ``None`` gives ``""``."""
    return "" if value is None else safe_text(str(value), max_chars)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(float(value)) else None


def when(value: Any) -> str:
    """An instant (datetime or ISO-8601 text) as ``YYYY-MM-DD HH:MM`` UTC."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip()[:40])
        except ValueError:
            return ""
    return as_utc_text(value) if isinstance(value, datetime) else ""


def shown_value(kind: str, value: Any, show_pii: bool) -> str:
    """An indicator value as shown: hashed when personal, templates cut."""
    raw = "" if value is None else str(value)
    return text(display_value(kind, raw, show_pii=show_pii), VALUE_CHARS)


@dataclass(frozen=True)
class LabelStatus:
    verdict: str
    analyst: str
    at: str
    note: str
    stale: bool = False  # the label was made on an earlier scan's campaign of that id


def label_status(
    row: dict[str, Any] | None, members: list[str] | None = None
) -> LabelStatus | None:
    """The current label of a target, for display; ``cleared`` shows as none."""
    if row is None or row.get("verdict") == "cleared":
        return None
    stale = False
    stored = row.get("members")
    if members is not None and stored:
        now_set, then_set = set(members), set(stored)
        overlap = len(now_set & then_set) / max(1, len(now_set | then_set))
        stale = overlap < SAME_CAMPAIGN_OVERLAP
    return LabelStatus(verdict=text(row.get("verdict"), 20), analyst=text(row.get("analyst"), 80),
                       at=when(row.get("labelled_at")), note=text(row.get("note"), NOTE_CHARS),
                       stale=stale)


def account_row(row: dict[str, Any], labels: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """One account of a table: id, risk, decision, campaign, top reason, label."""
    reasons = row.get("reasons") or []
    account_id = str(row.get("account_id"))
    label = labels.get(account_id)
    return {
        "account_id": account_id,
        "shown_id": text(account_id),
        "risk": number(row.get("risk")),
        "decision": text(row.get("decision"), 20),
        "campaign_id": text(row.get("campaign_id")),
        "events": row.get("events"),
        "reason": text(reasons[0], REASON_CHARS) if reasons else "",
        "label": text(label.get("verdict"), 20) if label else "",
        "label_source": text(label.get("source"), 20) if label else "",
    }


def paged(rows: pa.Table, page: int, size: int) -> tuple[pa.Table, dict[str, int]]:
    """One page of ``rows`` and the pager's numbers."""
    pages = max(1, math.ceil(rows.num_rows / size))
    page = min(max(1, page), pages)
    return rows.slice((page - 1) * size, size), {"page": page, "pages": pages,
                                                 "total": rows.num_rows, "size": size}


def campaign_rows(
    state: ScanState, campaign_labels: dict[str, dict[str, Any]],
    account_labels: dict[str, dict[str, Any]],
) -> list[dict[str, Any]]:
    """The campaign list, ranked by risk."""
    rows = []
    for rank, record in enumerate(state.campaigns, start=1):
        members = [str(a) for a in _list(record.get("accounts"))]
        mix = _dict(_dict(record.get("evidence")).get("capability_mix"))
        top = sorted(((text(k, 40), number(v) or 0.0) for k, v in mix.items()),
                     key=lambda item: -item[1])[:MAX_CAPABILITIES_LISTED]
        campaign_id = str(record.get("campaign_id"))
        labelled = [account_labels[m]["verdict"] for m in members if m in account_labels]
        rows.append({
            "rank": rank,
            "campaign_id": campaign_id,
            "shown_id": text(campaign_id),
            "risk": number(record.get("risk")),
            "accounts": len(members),
            "exchanges": record.get("exchanges"),
            "first_seen": when(record.get("first_seen")),
            "last_seen": when(record.get("last_seen")),
            "capabilities": top,
            "status": label_status(campaign_labels.get(campaign_id), members),
            "confirmed_members": labelled.count("confirmed"),
            "dismissed_members": labelled.count("dismissed"),
        })
    return rows


def campaign_header(record: dict[str, Any]) -> dict[str, Any]:
    """Numbers, reasons and models of one campaign record."""
    mix = _dict(_dict(record.get("evidence")).get("capability_mix"))
    reasons = _list(record.get("reasons"))
    return {
        "campaign_id": str(record.get("campaign_id")),
        "shown_id": text(record.get("campaign_id")),
        "risk": number(record.get("risk")),
        "accounts": len(_list(record.get("accounts"))),
        "exchanges": record.get("exchanges"),
        "first_seen": when(record.get("first_seen")),
        "last_seen": when(record.get("last_seen")),
        "reasons": [text(r, REASON_CHARS) for r in reasons[:MAX_REASONS]],
        "capabilities": sorted(((text(k, 40), number(v) or 0.0) for k, v in mix.items()),
                               key=lambda item: -item[1]),
    }


def indicator_rows(rows: list[dict[str, Any]], show_pii: bool) -> list[dict[str, Any]]:
    """Shared indicator values as shown (kind, value, members sharing, accounts in all)."""
    return [
        {"kind": text(row["kind"], 40), "value": shown_value(row["kind"], row["value"], show_pii),
         "members": row.get("members"), "accounts": row.get("accounts")}
        for row in rows
    ]


def template_rows(rows: list[dict[str, Any]], cut: int) -> list[dict[str, Any]]:
    return [
        {"skeleton": text(row["skeleton"], cut), "example": text(row["example"], cut),
         "requests": row["requests"], "accounts": row["accounts"]}
        for row in rows
    ]


def prompt_rows(rows: list[dict[str, Any]], cut: int) -> list[dict[str, Any]]:
    return [
        {"at": when(row["timestamp"]), "model": text(row.get("model"), 60),
         "capability": text(row.get("capability"), 40), "cot": bool(row.get("cot")),
         "prompt": text(row.get("prompt"), cut)}
        for row in rows
    ]


def model_rows(models: list[dict[str, Any]]) -> list[dict[str, Any]]:
    total = sum(int(row["requests"]) for row in models) or 1
    return [
        {"model": text(row["model"], 60), "requests": int(row["requests"]),
         "share": int(row["requests"]) / total, "first_seen": when(row["first_seen"]),
         "last_seen": when(row["last_seen"])}
        for row in models
    ]


def signal_rows(detail: dict[str, Any]) -> list[dict[str, Any]]:
    """The account's signal strengths (``signal_*`` columns), strongest first."""
    signals = [
        {"name": text(name.removeprefix("signal_"), 60), "strength": value}
        for name, raw in detail.items()
        if name.startswith("signal_") and (value := number(raw)) is not None
    ]
    return sorted(signals, key=lambda s: (-s["strength"], s["name"]))


def profile_rows(detail: dict[str, Any]) -> list[tuple[str, str]]:
    """The rest of the account's scan row (its profile), well-known columns first."""
    names = [n for n in PROFILE_FIRST if n in detail]
    names += sorted(n for n in detail if n not in names and n not in _CONTRACT_COLUMNS
                    and not n.startswith("signal_") and n not in ("own_risk", "campaign_risk"))
    rows = []
    for name in names:
        value = detail[name]
        if isinstance(value, datetime):
            shown = when(value)
        elif isinstance(value, float):
            shown = "" if not math.isfinite(value) else f"{value:,.3f}"
        elif value is None:
            shown = "—"
        else:
            shown = text(value, VALUE_CHARS)
        rows.append((text(name, 60), shown))
    return rows


def flagged(accounts: pa.Table) -> pa.Table:
    """Flagged accounts (review, block), highest risk first."""
    import pyarrow.compute as pc

    keep = pc.fill_null(pc.is_in(accounts["decision"], pa.array(FLAGGED_DECISIONS)), False)
    return accounts.filter(keep).sort_by([("risk", "descending"), ("account_id", "ascending")])


def summary_cards(summary: dict[str, Any], campaigns: int) -> list[tuple[str, str]]:
    cards = []
    for key, label in (("accounts", "accounts"), ("flagged_accounts", "flagged accounts"),
                       ("rows_valid", "events"), ("rows_quarantined", "quarantined rows")):
        value = number(summary.get(key))
        cards.append((f"{int(value):,}" if value is not None else "—", label))
    cards.insert(2, (f"{campaigns:,}", "campaigns"))
    started = when(summary.get("started_at"))
    cards.append((started or "—", "scan started (UTC)"))
    return cards
