"""The scan: ingest → features → profiles → signals → linkage → campaigns → outputs.

``scan()`` is the one library call behind ``distillguard scan``; the CLI only parses
arguments and shows progress. Each stage is its own module, and data flows one way.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from distillguard import __version__
from distillguard.config import Config, ScoringConfig, default_config
from distillguard.crashpoints import crash_point
from distillguard.detect.calibration import calibrate_thresholds
from distillguard.detect.campaigns import (
    Campaigns,
    add_evidence,
    cap_declared,
    cohort_dimensions,
    find_campaigns,
    member_evidence,
)
from distillguard.detect.context import (
    anonymous_accounts,
    org_keys,
    read_customers,
    with_business_context,
)
from distillguard.detect.features import validate_patterns
from distillguard.detect.linkage import link_accounts
from distillguard.detect.profiles import build_profiles
from distillguard.detect.scoring import (
    SIGNALS,
    AccountScores,
    account_reasons,
    campaign_reason,
    decide,
    final_risk,
    open_lone_accounts,
    score_accounts,
)
from distillguard.engines import open_workspace, precomputed_aggregates
from distillguard.ingest.outcome import ingest_warnings, nothing_valid
from distillguard.schema import FLAGGED_DECISIONS, Campaign, Reason
from distillguard.store.workspace import IngestReport, ProgressCallback, Workspace

#: Called when a stage starts: (stage name).
StageCallback = Callable[[str], None]

WORKSPACE_NAME = "workspace.duckdb"


@dataclass
class ScanResult:
    out_dir: Path
    summary: dict[str, Any]
    accounts: pa.Table
    #: The records of ``campaigns.json`` (contract 2); ``campaign_records`` typed.
    campaigns: list[dict[str, Any]]
    campaign_records: list[Campaign]


def scan(
    inputs: Sequence[str | Path],
    out_dir: str | Path,
    *,
    workspace: str | Path | None = None,
    config: Config | None = None,
    fmt: str = "auto",
    show_pii: bool = False,
    write_report: bool = True,
    now: datetime | None = None,
    until: datetime | None = None,
    on_rows: ProgressCallback | None = None,
    on_stage: StageCallback | None = None,
    model: str | Path | None = None,
    engine: str = "duckdb",
    spark_master: str | None = None,
    spark_stage: str | None = None,
    customers: str | Path | None = None,
) -> ScanResult:
    """Ingest ``inputs`` into the workspace and write contract 2 into ``out_dir``.

    Parameters
    ----------
    inputs:
        Files or folders (Parquet, JSON Lines, CSV, compressed JSONL, adapters).
    out_dir:
        Where ``accounts.parquet``, ``campaigns.json``, ``summary.json``,
        ``quarantine.parquet`` and ``report.html`` go.
    workspace:
        DuckDB workspace file; defaults to ``out_dir/workspace.duckdb``. Files already in
        it are skipped, so a rerun is idempotent and new files are incremental.
    show_pii:
        Show raw IPs, e-mails and payment fingerprints instead of hashes.
    until:
        Analyse only events at or before this instant (all events are still ingested).
    model:
        A supervised model file (``distillguard train``) whose probability is blended
        into the risk (``scoring.supervised_weight``).
    engine:
        ``duckdb`` (embedded) or ``spark``: event-level work in Spark, on
        ``spark_master`` (default: the active session, else ``local[*]``), staged as
        Parquet in ``spark_stage`` (default ``out_dir/spark-stage``); see docs/scaling.md.
    customers:
        A customer table (business context: organisation, tier, verification, declared
        use, contract; :mod:`distillguard.detect.context`), joined at scan time.
    """
    started = time.perf_counter()
    started_at = datetime.now(UTC)
    config = config or default_config()
    validate_patterns(config.features)
    customer_table = read_customers(customers) if customers is not None else None
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stage = on_stage or (lambda _name: None)
    ws_path = Path(workspace) if workspace else out / WORKSPACE_NAME
    with open_workspace(engine, ws_path, spark_master=spark_master, spark_stage=spark_stage,
                        until=until) as ws:
        stage("ingest")
        ingest = ws.ingest(inputs, config, fmt=fmt, now=now, progress=on_rows)
        stage("profile")
        profile, indicators = precomputed_aggregates(ws)  # the Spark engine's
        accounts, records, unavailable = analyse(
            ws, config, show_pii=show_pii, until=until, stage=stage,
            profile=profile, indicators=indicators, customers=customer_table,
        )
        campaigns = [record.to_dict() for record in records]
        if model is not None:
            stage("supervised")
            accounts = apply_model(accounts, model, config.scoring)
        stage("write")
        crash_point("scan.analysed")
        summary = _summary(ingest, accounts, campaigns, unavailable, ws, started, started_at)
        summary["thresholds"] = dict(config.scoring.thresholds)
        summary["calibration"] = calibrate_thresholds(
            np.asarray(accounts.column("risk").to_numpy(zero_copy_only=False), dtype=float),
            config.scoring.thresholds,
        )
        summary["until"] = until.isoformat() if until else None
        quarantine = ws.inputs_quarantine(ingest)
        summary["warnings"] = ingest_warnings(ingest.files, quarantine, config.ingest,
                                              out / "quarantine.parquet")
        _write_outputs(out, accounts, campaigns, summary, quarantine)
        labels = ws.labels()
        if labels.num_rows:
            pq.write_table(labels, out / "labels.parquet")
    crash_point("scan.outputs_written")
    failure = nothing_valid(ingest.files, summary["workspace"]["events"], quarantine,
                            out / "quarantine.parquet")
    if failure is not None:  # raised once the outputs (the quarantine) are written
        raise failure
    if write_report:
        stage("report")
        from distillguard.report import render_report

        render_report(out, config=config.report)
    return ScanResult(out, summary, accounts, campaigns, records)


def analyse(
    ws: Workspace,
    config: Config,
    *,
    show_pii: bool = False,
    until: datetime | None = None,
    stage: StageCallback | None = None,
    profile: pa.Table | None = None,
    indicators: pa.Table | None = None,
    customers: pa.Table | None = None,
) -> tuple[pa.Table, list[Campaign], tuple[str, ...]]:
    """Everything after ingest: profiles, signals, linkage, campaigns, decisions.

    With ``until``, only events at or before that instant are analysed, as if the scan
    had run then (used to measure time to detection and leakage). ``profile`` and
    ``indicators`` (``account_indicators``) are the per-account aggregates when another
    engine computed them over the same events (Spark); by default they are built here.
    """
    stage = stage or (lambda _name: None)
    source = "events"
    if until is not None:
        bound = until.astimezone(UTC).isoformat()  # a datetime, never user text
        ws.con.execute(
            "CREATE OR REPLACE TEMP VIEW events_until AS "
            f"SELECT * FROM events WHERE timestamp <= TIMESTAMPTZ '{bound}'"
        )
        source = "events_until"
    if profile is None:
        profile = build_profiles(ws.con, config, source=source)
    if profile.num_rows == 0:
        return _empty_accounts(), [], tuple(SIGNALS)
    profile = with_business_context(profile, customers)
    profile, outside, intel_evidence = _with_outside_evidence(ws, profile, source, config)
    profile = profile.append_column(
        "org_key", org_keys(profile, list(config.privacy.public_email_domains)))
    scores = score_accounts(profile, config.scoring, ws.available_columns(source) | outside)
    account_ids = profile.column("account_id").combine_chunks()
    seeds = pc.filter(
        account_ids, pa.array(scores.own_risk >= config.scoring.min_campaign_member_risk)
    ).to_pylist()
    stage("link")
    links = link_accounts(ws.con, config.linkage, profile.num_rows, seeds, source=source,
                          indicators=indicators, accounts=profile,
                          cohort_accounts=cohort_dimensions(profile, scores, config),
                          public_email_domains=config.privacy.public_email_domains)
    stage("campaigns")
    members = member_evidence(profile, scores, config.scoring)
    campaigns = find_campaigns(account_ids, members, links, config.scoring)
    add_evidence(ws.con, campaigns, config, show_pii=show_pii, source=source)
    # Linked to a campaign here, or firmly to one another provider shared: not lone.
    member = ((campaigns.campaign_of != None)  # noqa: E711 (object array)
              | (scores.evidence >= config.scoring.lone_concealment_min))
    sweeping = _unnamed_sweeps(profile, links.places, config.scoring,
                               turns_logged="turn" in ws.available_columns(source))
    # A harvest organisation's name explains nothing (a front): its members are not open.
    open_lone = open_lone_accounts(scores, config.scoring, _stated_uses(profile))
    if campaigns.fronts is not None:
        open_lone &= ~campaigns.fronts
    risk = final_risk(scores.own_risk, campaigns.campaign_risk, member, config.scoring,
                      open_lone=open_lone & ~sweeping)
    decisions = decide(risk, config.scoring.thresholds)
    reasons = _reasons(profile, scores, campaigns)
    uncapped = open_lone & sweeping & ~member & (scores.own_risk
                                                  > config.scoring.lone_open_max_risk)
    for i in np.flatnonzero(uncapped):
        reasons[i] = [*reasons[i], Reason(
            "anonymous_sweep", "a new account nobody can name (unverified, in no "
            "organisation, at no shared network) sending independent questions: its harvest "
            "is not capped as an open customer's")]
    cap_declared(decisions, reasons, members.declared, profile)
    for i, account in enumerate(account_ids.to_pylist() if intel_evidence else []):
        if account in intel_evidence:  # per account that matched shared indicators
            reasons[i] = [*reasons[i], *(Reason("shared_intel", f"shared intel: {line}")
                                         for line in intel_evidence[account][:5])]
    _apply_allowlist(ws, account_ids, decisions, reasons, campaigns.records,
                     until or datetime.now(UTC))
    columns: dict[str, Any] = {
        "account_id": account_ids,
        "risk": pa.array(np.round(risk, 6)),
        "decision": pa.array(decisions.tolist(), pa.string()),
        "campaign_id": pa.array(campaigns.campaign_of.tolist(), pa.string()),
        "reasons": pa.array([[r.text for r in rs] for rs in reasons], pa.list_(pa.string())),
        "own_risk": pa.array(np.round(scores.own_risk, 6)),
        "campaign_risk": pa.array(np.round(campaigns.campaign_risk, 6)),
    }
    for name in profile.column_names:
        if name != "account_id":
            columns[name] = profile.column(name)
    for name, strength in scores.strengths.items():
        columns[f"signal_{name}"] = pa.array(np.round(strength, 6))
    return pa.table(columns), campaigns.records, scores.unavailable


def apply_model(accounts: pa.Table, model_path: str | Path, config: ScoringConfig) -> pa.Table:
    """Blend a supervised model's probability into risk; decisions and reasons follow."""
    from distillguard.detect import supervised

    model = supervised.load(model_path)
    if accounts.num_rows == 0:
        return accounts
    probability = supervised.predict(model, accounts)
    engine_risk = np.asarray(accounts.column("risk").to_numpy(zero_copy_only=False), float)
    risk = supervised.blend(engine_risk, probability, config.supervised_weight)
    note = model.describe()
    reasons = [
        [f"supervised: campaign probability {p:.2f} ({note})", *old]
        for p, old in zip(probability.tolist(), accounts.column("reasons").to_pylist(),
                          strict=True)
    ]
    replaced = {
        "risk": pa.array(np.round(risk, 6)),
        "decision": pa.array(decide(risk, config.thresholds).tolist(), pa.string()),
        "reasons": pa.array(reasons, pa.list_(pa.string())),
    }
    for name, column in replaced.items():
        accounts = accounts.set_column(accounts.column_names.index(name), name, column)
    return accounts.append_column("supervised_risk", pa.array(np.round(probability, 6)))


def _apply_allowlist(
    ws: Workspace, account_ids: pa.Array, decisions: np.ndarray, reasons: list[list[Reason]],
    campaigns: list[Campaign], now: datetime,
) -> None:
    """Accounts an analyst dismissed stay at most ``monitor`` until the entry expires.

    The risk is kept (so a look-alike that changes its ways still shows), only the
    decision is capped, and the reason says who allowed it. Dismissed look-alikes do not
    come back every morning.
    """
    try:
        from distillguard.store.labels import allowlisted_accounts
    except ImportError:  # the labels stage is not part of this build
        return
    allowed = allowlisted_accounts(ws.con, now, [c.to_dict() for c in campaigns])
    if not allowed:
        return
    flagged = set(FLAGGED_DECISIONS)
    for i, account in enumerate(account_ids.to_pylist()):  # per account, not per event
        if account in allowed and decisions[i] in flagged:
            decisions[i] = "monitor"
            reasons[i] = [Reason("allowlist",
                                 "allow-listed: an analyst dismissed this account or its "
                                 "campaign (decision capped at monitor until the entry "
                                 "expires)"), *reasons[i]]


def _with_outside_evidence(
    ws: Workspace, profile: pa.Table, source: str, config: Config
) -> tuple[pa.Table, set[str], dict[str, list[str]]]:
    """Join evidence from outside the traffic onto the profile.

    Indicators that other providers shared (``distillguard intel import``) become the
    ``intel_strength`` and ``intel_matches`` columns; the returned set names the outside
    sources that are present (``shared_intel``), so the signal is "unavailable", not
    "zero", when nothing was imported. The third value maps an account to the matched
    indicators, in words, for its reasons.
    """
    strength = np.zeros(profile.num_rows)
    matches = np.zeros(profile.num_rows)
    present: set[str] = set()
    try:
        from distillguard.intel.matching import account_intel
    except ImportError:  # the intel extra is not installed
        intel = None
    else:
        intel = account_intel(ws.con, source, config=config.intel)
    evidence: dict[str, list[str]] = {}
    if intel is not None:
        evidence = dict(zip(intel.column("account_id").to_pylist(),
                            intel.column("intel_evidence").to_pylist(), strict=True))
        present.add("shared_intel")
        position = {a: i for i, a in enumerate(profile.column("account_id").to_pylist())}
        ids = intel.column("account_id").to_pylist()
        rows = np.array([position.get(a, -1) for a in ids], dtype=np.int64)  # per matched account
        keep = rows >= 0
        strength[rows[keep]] = np.asarray(intel.column("intel_strength"), dtype=float)[keep]
        matches[rows[keep]] = np.asarray(intel.column("intel_matches"), dtype=float)[keep]
    profile = profile.append_column("intel_strength", pa.array(strength))
    profile = profile.append_column("intel_matches", pa.array(matches))
    return profile, present, evidence


def _reasons(
    profile: pa.Table, scores: AccountScores, campaigns: Campaigns
) -> list[list[Reason]]:
    """Per account: its campaign first (when in one), then its own signals."""
    own = account_reasons(profile, scores)
    by_id = {c.campaign_id: c for c in campaigns.records}
    result = []
    for i, reasons in enumerate(own):  # per account
        cid = campaigns.campaign_of[i]
        if cid is not None:
            record = by_id[cid]
            head = record.reasons[0].text if record.reasons else "linked accounts"
            reasons = [campaign_reason(cid, record.risk, len(record.accounts), head), *reasons]
        result.append(reasons)
    return result


def _unnamed_sweeps(profile: pa.Table, places: pa.Table | None, config: ScoringConfig,
                    *, turns_logged: bool) -> np.ndarray:
    """Accounts nobody can name (:func:`~distillguard.detect.context.anonymous_accounts`)
    that sweep independent questions (at most ``anonymous_sweep_followup_max`` of their
    requests follow up a conversation). Their harvest is under no name, so it is not
    capped as an open customer's; a new developer converses, and stays capped. Where the
    log has turns, an account none of whose requests carries one sent no conversation;
    where it has none at all, nobody is known to sweep."""
    anonymous = anonymous_accounts(
        profile, places, 24.0 * config.signal_params["young_account_days"])
    followups = np.nan_to_num(np.asarray(
        profile.column("followup_share").to_numpy(zero_copy_only=False), dtype=float),
        nan=0.0 if turns_logged else 1.0)
    return anonymous & (followups <= config.anonymous_sweep_followup_max)


def _stated_uses(profile: pa.Table) -> np.ndarray:
    """Per account, the use its customer record states (None for none), verified or not.

    :func:`open_lone_accounts` reads only the uses under which the harvest is someone
    else's (``harvest_review_uses``), and they only lift the cap on open accounts: an
    unverified reseller saying its traffic is its customers' has said that the harvest is
    not made under its own name, which a verification does not change (``ironbridge``'s
    grey reseller had none)."""
    return np.asarray(profile.column("declared_use").to_pylist(), dtype=object)


def _empty_accounts() -> pa.Table:
    return pa.table({
        "account_id": pa.array([], pa.string()),
        "risk": pa.array([], pa.float64()),
        "decision": pa.array([], pa.string()),
        "campaign_id": pa.array([], pa.string()),
        "reasons": pa.array([], pa.list_(pa.string())),
    })


def _summary(
    ingest: IngestReport,
    accounts: pa.Table,
    campaigns: list[dict[str, Any]],
    unavailable: tuple[str, ...],
    ws: Workspace,
    started: float,
    started_at: datetime,
) -> dict[str, Any]:
    decisions = accounts.column("decision").to_pylist()
    totals = ws.con.execute(
        "SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM quarantine)"
    ).fetchone() or (0, 0)
    return {
        "rows_read": ingest.rows_read,
        "rows_valid": ingest.rows_valid,
        "rows_quarantined": ingest.rows_quarantined,
        "duplicates": ingest.duplicates,
        "accounts": accounts.num_rows,
        "flagged_accounts": sum(d in FLAGGED_DECISIONS for d in decisions),
        "campaigns": len(campaigns),
        "decisions": {d: decisions.count(d) for d in ("allow", "monitor", "review", "block")},
        "files": [f.to_dict() for f in ingest.files],
        "signals_unavailable": list(unavailable),
        "workspace": {
            "path": str(ws.path) if ws.path else None,
            "events": int(totals[0]),
            "quarantined": int(totals[1]),
        },
        "seconds": round(time.perf_counter() - started, 3),
        "started_at": started_at.isoformat(),
        "version": __version__,
    }


def _write_outputs(
    out: Path,
    accounts: pa.Table,
    campaigns: list[dict[str, Any]],
    summary: dict[str, Any],
    quarantine: pa.Table,
) -> None:
    """Write each file to a temporary name, then rename: readers never see half a file."""
    def atomic(name: str, write: Callable[[Path], object]) -> None:
        tmp = out / f".{name}.tmp"
        write(tmp)
        tmp.replace(out / name)

    atomic("accounts.parquet", lambda p: pq.write_table(accounts, p))
    crash_point("scan.outputs_partial")
    atomic("quarantine.parquet", lambda p: pq.write_table(quarantine, p))
    atomic("campaigns.json", lambda p: p.write_text(json.dumps(campaigns, indent=2) + "\n"))
    atomic("summary.json", lambda p: p.write_text(json.dumps(summary, indent=2) + "\n"))
