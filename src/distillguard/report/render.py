"""Render a scan directory into ``report.html``: one self-contained page for an analyst.

Safety, in layers:

1. Every value from the scan passes :func:`~distillguard.textsafe.safe_text` (controls
   stripped, cut) on its way into the page, and Jinja autoescapes it.
2. Charts get only filtered labels (:func:`~distillguard.report.charts.chart_label`).
3. The page declares a Content-Security-Policy that forbids every network fetch
   (``default-src 'none'``) and runs only the page's own scripts, allowed by SHA-256
   hash, so an injected ``<script>`` or ``onerror=`` would not run even if escaping failed.
4. No raw quarantine rows are read (they may hold personal data), and indicators are
   shown exactly as the scan wrote them (hashed unless it ran with ``--show-pii``).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import math
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from jinja2 import Environment, PackageLoader, StrictUndefined
from plotly.offline import get_plotlyjs

from distillguard import __version__
from distillguard.config import ReportConfig, default_config
from distillguard.report.charts import (
    Chart,
    capability_chart,
    decisions_chart,
    risk_histogram,
    timeline_chart,
)
from distillguard.report.loading import ScanOutputs, load_scan_outputs
from distillguard.schema import DECISIONS, FLAGGED_DECISIONS
from distillguard.textsafe import safe_text

if TYPE_CHECKING:  # the report shows an evaluation; it does not make one
    from distillguard.evaluation.evaluate import EvalResult

#: Flagged accounts listed in the "top flagged accounts" table.
TOP_FLAGGED_ACCOUNTS = 100
#: Caps per campaign section, so one huge campaign cannot make the page unreadable.
MAX_REASONS = 20
MAX_INDICATORS = 40
MAX_TEMPLATES = 10
MAX_MODELS = 15
MAX_CAPABILITIES = 15
MAX_ACCOUNT_REASONS = 3
MAX_QUARANTINE_REASONS = 50
MAX_FILES_LISTED = 50
#: Characters kept of ids, reasons and other short text.
ID_CHARS = 120
REASON_CHARS = 300


# --- small coercions: campaigns.json is additive, so keys may be missing or odd ----------


def _float(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _int(value: Any) -> int | None:
    number = _float(value)
    return int(number) if number is not None else None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any, max_chars: int = ID_CHARS) -> str:
    return "" if value is None else safe_text(str(value), max_chars)


def _utc_hour(value: Any) -> str | None:
    """An ISO-8601 instant as ``YYYY-MM-DD HH:MM`` in UTC (Plotly's date format), or None."""
    if not isinstance(value, str):
        return None
    try:
        instant = datetime.fromisoformat(value.strip()[:40])
    except ValueError:
        return None
    if instant.tzinfo is not None:
        instant = instant.astimezone(UTC)
    return instant.strftime("%Y-%m-%d %H:%M")


def _ranked_numbers(mapping: Any, name_chars: int) -> list[tuple[str, float]]:
    """``{name: number}`` as safe ``(name, number)`` pairs, largest first; odd values dropped."""
    pairs = []
    for name, raw in _dict(mapping).items():
        value = _float(raw)
        if value is not None:
            pairs.append((_text(name, name_chars), value))
    return sorted(pairs, key=lambda item: (-item[1], item[0]))


# --- view model --------------------------------------------------------------------------


def _member_rows(
    campaigns: list[dict[str, Any]], accounts: pa.Table, cap: int
) -> list[list[dict[str, Any]]]:
    """Per campaign, its highest-risk members (at most ``cap``), joined to accounts."""
    ranks: list[int] = []
    members: list[str] = []
    for rank, campaign in enumerate(campaigns):
        ids = [str(a) for a in _list(campaign.get("accounts")) if a is not None]
        ranks.extend([rank] * len(ids))
        members.extend(ids)
    result: list[list[dict[str, Any]]] = [[] for _ in campaigns]
    if not members or cap <= 0:
        return result
    wanted = pa.table({"rank": pa.array(ranks, pa.int64()), "account_id": members})
    known = accounts.select(["account_id", "risk", "decision"])
    joined = wanted.join(known, keys="account_id", join_type="left outer").sort_by(
        [("rank", "ascending"), ("risk", "descending"), ("account_id", "ascending")]
    )
    rank_array = joined["rank"].to_numpy()
    position = np.arange(len(rank_array)) - np.searchsorted(rank_array, rank_array, "left")
    kept = joined.filter(pa.array(position < cap))
    for row in kept.to_pylist():
        result[row["rank"]].append(
            {
                "account_id": _text(row["account_id"]),
                "risk": _float(row["risk"]),
                "decision": _text(row["decision"], 20) or "not in accounts.parquet",
            }
        )
    return result


def _campaign_view(
    campaign: dict[str, Any],
    rank: int,
    members: list[dict[str, Any]],
    config: ReportConfig,
    charts: list[Chart],
) -> dict[str, Any]:
    evidence = _dict(campaign.get("evidence"))
    accounts = _list(campaign.get("accounts"))
    indicators = [_dict(item) for item in _list(evidence.get("shared_indicators"))]
    templates = [_dict(item) for item in _list(evidence.get("templates"))]
    mix = _ranked_numbers(evidence.get("capability_mix"), 60)[:MAX_CAPABILITIES]
    models = [(name, int(count)) for name, count in _ranked_numbers(evidence.get("models"), 80)]
    timeline = [
        (hour, count)
        for point in map(_dict, _list(evidence.get("timeline")))
        if (hour := _utc_hour(point.get("hour"))) is not None
        and (count := _int(point.get("requests"))) is not None
    ]
    anchor = f"campaign-{rank}"
    capability = capability_chart(mix, f"{anchor}-capabilities") if mix else None
    hours = timeline_chart(timeline, f"{anchor}-timeline") if timeline else None
    charts.extend(chart for chart in (capability, hours) if chart is not None)
    reasons = [_text(r, REASON_CHARS) for r in _list(campaign.get("reasons"))]
    return {
        "anchor": anchor,
        "rank": rank,
        "campaign_id": _text(campaign.get("campaign_id")) or f"(unnamed #{rank})",
        "risk": _float(campaign.get("risk")),
        "account_count": len(accounts),
        "members": members,
        "members_more": max(0, len(accounts) - len(members)),
        "exchanges": _int(campaign.get("exchanges")),
        "first_seen": _text(campaign.get("first_seen"), 40),
        "last_seen": _text(campaign.get("last_seen"), 40),
        "reasons": reasons[:MAX_REASONS],
        "reasons_more": max(0, len(reasons) - MAX_REASONS),
        "indicators": [
            {
                "kind": _text(item.get("kind"), 40),
                "value": _text(item.get("value"), ID_CHARS),
                "accounts": _int(item.get("accounts")),
            }
            for item in indicators[:MAX_INDICATORS]
        ],
        "indicators_more": max(0, len(indicators) - MAX_INDICATORS),
        "templates": [
            {
                "skeleton": _text(item.get("skeleton"), config.max_prompt_chars),
                "requests": _int(item.get("requests")),
                "accounts": _int(item.get("accounts")),
            }
            for item in templates[:MAX_TEMPLATES]
        ],
        "templates_more": max(0, len(templates) - MAX_TEMPLATES),
        "example_prompts": [
            _text(prompt, config.max_prompt_chars)
            for prompt in _list(evidence.get("example_prompts"))[: config.example_prompts]
        ],
        "capability_mix": mix,
        "capability_chart": capability.div_id if capability else None,
        "models": models[:MAX_MODELS],
        "models_more": max(0, len(models) - MAX_MODELS),
        "timeline_chart": hours.div_id if hours else None,
        "timeline_total": sum(count for _, count in timeline),
        "signals": [
            {"name": name, "value": value, "width": round(100 * min(1.0, max(0.0, value)), 1)}
            for name, value in _ranked_numbers(evidence.get("signals"), 60)
        ],
    }


def _top_flagged(accounts: pa.Table, limit: int) -> tuple[list[dict[str, Any]], int]:
    flagged = accounts.filter(
        pc.fill_null(pc.is_in(accounts["decision"], pa.array(FLAGGED_DECISIONS)), False)
    )
    ordered = flagged.sort_by([("risk", "descending"), ("account_id", "ascending")])
    rows = []
    for row in ordered.slice(0, limit).to_pylist():
        reasons = [_text(r, REASON_CHARS) for r in (row["reasons"] or [])]
        rows.append(
            {
                "account_id": _text(row["account_id"]),
                "risk": _float(row["risk"]),
                "own_risk": _float(row.get("own_risk")),
                "events": _int(row.get("events")),
                "decision": _text(row["decision"], 20),
                "campaign_id": _text(row["campaign_id"]),
                "reasons": reasons[:MAX_ACCOUNT_REASONS],
                "reasons_more": max(0, len(reasons) - MAX_ACCOUNT_REASONS),
            }
        )
    return rows, flagged.num_rows


def _decision_counts(accounts: pa.Table) -> dict[str, int]:
    counts = pc.value_counts(pc.fill_null(accounts["decision"], "(none)"))
    return {str(item["values"]): int(item["counts"]) for item in counts.to_pylist()}


def _summary_view(summary: dict[str, Any]) -> dict[str, Any]:
    numbers = {
        key: _int(summary.get(key))
        for key in (
            "rows_read",
            "rows_valid",
            "rows_quarantined",
            "duplicates",
            "accounts",
            "flagged_accounts",
            "campaigns",
        )
    }
    files = [_dict(item) for item in _list(summary.get("files"))]
    return {
        **numbers,
        "seconds": _float(summary.get("seconds")),
        "started_at": _text(summary.get("started_at"), 40),
        "version": _text(summary.get("version"), 40),
        "signals_unavailable": [_text(s, 60) for s in _list(summary.get("signals_unavailable"))],
        "files": [
            {
                "path": _text(item.get("path"), 200),
                "rows_read": _int(item.get("rows_read")),
                "rows_valid": _int(item.get("rows_valid")),
                "rows_quarantined": _int(item.get("rows_quarantined")),
                "skipped": bool(item.get("skipped")),
            }
            for item in files[:MAX_FILES_LISTED]
        ],
        "files_more": max(0, len(files) - MAX_FILES_LISTED),
    }


def _eval_view(result: EvalResult | None) -> dict[str, Any] | None:
    if result is None:
        return None
    view = result.to_dict()
    view["fpr_by_archetype"] = [
        (_text(name, 60), counts) for name, counts in result.fpr_by_archetype.items()
    ]
    view["recall_by_archetype"] = [
        (_text(name, 60), counts) for name, counts in result.recall_by_archetype.items()
    ]
    view["campaigns"] = [
        {
            **row,
            "campaign_id": _text(row["campaign_id"]),
            "archetype": _text(row["archetype"]),
            "found_as": [_text(found) for found in row["found_as"]],
        }
        for row in result.campaigns
    ]
    return view


@functools.lru_cache(maxsize=256)  # the plotly.js bundle (4.8 MB) is hashed once
def _csp_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def content_security_policy(scripts: list[str]) -> str:
    """A policy that forbids every fetch and runs only ``scripts`` (by hash).

    ``'unsafe-eval'`` is kept because parts of plotly.js compile functions at run time;
    it lets only the allowed scripts evaluate code, it does not admit new scripts.
    """
    hashes = " ".join(dict.fromkeys(_csp_hash(script) for script in scripts))
    script_src = f"{hashes} 'unsafe-eval'" if hashes else "'none'"
    return (
        "default-src 'none'; "
        f"script-src {script_src}; "
        "style-src 'unsafe-inline'; "
        "img-src data: blob:; "
        "font-src data:; "
        "base-uri 'none'; form-action 'none'"
    )


@functools.cache
def _plotly_bundle() -> str:
    """The plotly.js bundle shipped inside the pinned ``plotly`` package (inlined once)."""
    return get_plotlyjs()


# --- rendering -------------------------------------------------------------------------


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("distillguard.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = lambda v: "—" if v is None else f"{int(v):,}"
    env.filters["fixed"] = lambda v, d=2: "—" if v is None else f"{float(v):.{d}f}"
    env.filters["pct"] = lambda v, d=1: "n/a" if v is None else f"{float(v):.{d}%}"
    return env


def build_context(
    outputs: ScanOutputs,
    config: ReportConfig,
    eval_result: EvalResult | None,
    title: str,
    top_accounts: int = TOP_FLAGGED_ACCOUNTS,
) -> dict[str, Any]:
    """Everything the template shows, already made safe (see the module docstring)."""
    charts: list[Chart] = []
    decisions = _decision_counts(outputs.accounts)
    thresholds = {
        name: value
        for name, raw in _dict(outputs.summary.get("thresholds")).items()
        if (value := _float(raw)) is not None
    }
    overview: list[str] = []
    if outputs.accounts.num_rows:
        charts.append(decisions_chart(decisions, "overview-decisions"))
        risk = outputs.accounts["risk"].to_numpy()
        charts.append(risk_histogram(risk, thresholds, "overview-risk"))
        overview = [chart.div_id for chart in charts]

    ranked = sorted(
        outputs.campaigns,
        key=lambda c: -(_float(c.get("risk")) or 0.0),
    )
    members = _member_rows(ranked, outputs.accounts, config.max_campaign_accounts_listed)
    campaigns = [
        _campaign_view(campaign, rank, members[rank - 1], config, charts)
        for rank, campaign in enumerate(ranked, start=1)
    ]
    flagged_rows, flagged_total = _top_flagged(outputs.accounts, top_accounts)
    quarantine = outputs.quarantine_reasons
    scripts = [chart.script for chart in charts]
    plotly_js = _plotly_bundle() if charts else ""
    return {
        "title": _text(title, 200),
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "report_version": __version__,
        "csp": content_security_policy([plotly_js, *scripts] if charts else []),
        "plotly_js": plotly_js,
        "charts": charts,
        "overview_charts": overview,
        "summary": _summary_view(outputs.summary),
        "decisions": [(name, decisions.get(name, 0)) for name in DECISIONS],
        "evaluation": _eval_view(eval_result),
        "campaigns": campaigns,
        "flagged_accounts": flagged_rows,
        "flagged_total": flagged_total,
        "quarantine_present": outputs.quarantine_file_present,
        "quarantine_reasons": [
            (_text(reason, REASON_CHARS), count)
            for reason, count in quarantine[:MAX_QUARANTINE_REASONS]
        ],
        "quarantine_other": sum(count for _, count in quarantine[MAX_QUARANTINE_REASONS:]),
        "quarantine_other_kinds": max(0, len(quarantine) - MAX_QUARANTINE_REASONS),
        "quarantine_total": sum(count for _, count in quarantine),
        "max_prompt_chars": config.max_prompt_chars,
    }


def render_report(
    scan_dir: str | Path,
    *,
    out_path: str | Path | None = None,
    config: ReportConfig | None = None,
    eval_result: EvalResult | None = None,
    title: str = "distillguard scan report",
    top_accounts: int = TOP_FLAGGED_ACCOUNTS,
) -> Path:
    """Write the HTML report of a scan directory.

    Parameters
    ----------
    scan_dir:
        A directory written by ``distillguard scan`` (contract 2).
    out_path:
        Where to write; default ``scan_dir/report.html``. Written atomically.
    config:
        The ``report`` section of the configuration; default the shipped defaults.
    eval_result:
        When given, an evaluation block (precision, recall, per-archetype rates) is shown.
    title:
        Page title.
    top_accounts:
        How many flagged accounts the "top flagged accounts" table lists.

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    InputFileError
        A scan file is missing or malformed.
    """
    report_config = config if config is not None else default_config().report
    outputs = load_scan_outputs(scan_dir)
    context = build_context(outputs, report_config, eval_result, title, top_accounts)
    html = _environment().get_template("report.html").render(**context)
    target = Path(out_path) if out_path is not None else Path(scan_dir) / "report.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    # Write next to the target, then rename: a reader never sees half a report.
    handle, temporary = tempfile.mkstemp(prefix=".report-", suffix=".html", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(html)
        os.chmod(temporary, 0o644)  # mkstemp makes it private; a report is meant to be read
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target
