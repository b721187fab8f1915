"""Score a scan against simulator labels (contract 3): how well were campaigns found?

``distillguard eval --labels labels.parquet --scan DIR`` calls :func:`evaluate` and prints
:func:`format_eval`. Only the files a scan writes are read (contract 2), so any scan,
from any engine, is evaluated the same way.

Definitions (also in :class:`EvalResult`):

- An account is **positive** when its label has a ``campaign_id``; it is **flagged** when
  the scan's decision is ``review`` or ``block``.
- Only labelled accounts are scored. Accounts the scan saw but the labels do not know are
  excluded and counted in ``unlabelled_accounts``. Labelled accounts missing from the scan
  count as not flagged, with risk 0 (the lowest), and are counted in ``missing_from_scan``.
- A ratio whose denominator is zero is undefined and reported as ``None`` (``null`` in
  JSON), never silently as 0 or 1: ``precision`` when nothing was flagged, ``recall``
  when there are no campaign accounts, ``false_positive_rate`` when there are no
  legitimate accounts, ``f1`` when both of the first two are undefined.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from rich.console import RenderableType
from rich.table import Table
from sklearn.metrics import adjusted_rand_score, average_precision_score, roc_auc_score

from distillguard.detect.calibration import measured_fpr
from distillguard.errors import InputFileError
from distillguard.schema import FLAGGED_DECISIONS
from distillguard.textsafe import terminal_safe

#: A true campaign counts as detected when at least this share of its accounts is flagged.
DETECTED_SHARE = 0.5

_LABEL_COLUMNS = ("account_id", "archetype", "campaign_id")
_SCAN_COLUMNS = ("account_id", "risk", "decision", "campaign_id")
# Prefix of the per-account cluster label given to accounts outside any campaign when
# computing the adjusted Rand index; no real campaign id starts with a NUL character.
_SINGLETON_PREFIX = "\x00single:"


@dataclass(frozen=True)
class EvalResult:
    """How a scan compares with the labels.

    Attributes
    ----------
    accounts:
        Labelled accounts scored (every row of the labels).
    positives:
        Of those, accounts in a true campaign.
    flagged:
        Of those, accounts the scan flagged (``review`` or ``block``).
    true_positives, false_positives:
        Flagged campaign accounts; flagged legitimate accounts.
    precision:
        ``true_positives / flagged``; ``None`` when nothing was flagged.
    recall:
        ``true_positives / positives``; ``None`` when there are no campaign accounts.
    f1:
        ``2·TP / (2·TP + FP + FN)`` (the harmonic mean of precision and recall where both
        exist, 0 when nothing right was flagged); ``None`` when nothing was flagged and
        there are no campaign accounts.
    auroc, auprc:
        Area under the ROC and precision-recall curves of ``risk`` (missing accounts
        score 0); ``None`` when the labels hold one class only.
    false_positive_rate:
        ``false_positives`` over all legitimate accounts; ``None`` when there are none.
    fpr_by_archetype:
        Legitimate archetype → ``{"accounts", "flagged", "fpr"}``.
    recall_by_archetype:
        Campaign archetype → ``{"accounts", "flagged", "recall"}``.
    campaigns:
        Per true campaign, highest ``flagged_share`` first: ``campaign_id``,
        ``archetype`` (the most common among its accounts), ``accounts``, ``flagged``,
        ``flagged_share``, ``detected`` (``flagged_share >= 0.5``) and ``found_as``
        (the scan's campaign ids among its accounts, sorted).
    campaigns_detected, campaigns_total:
        Detected true campaigns, and all true campaigns.
    adjusted_rand_index:
        Agreement of true and found grouping over the flagged accounts, where an
        account outside any campaign (true or found) is its own singleton group;
        ``None`` with fewer than two flagged accounts.
    missing_from_scan:
        Labelled accounts the scan did not report (scored as not flagged, risk 0).
    unlabelled_accounts:
        Accounts in the scan but not in the labels (excluded from every number above).
    calibration:
        Per decision threshold of the scan (from its ``summary.json``): ``decision``,
        ``risk``, the ``stated_fpr`` the scan estimated without labels, and the
        ``measured_fpr`` on the labelled legitimate accounts.
    """

    accounts: int
    positives: int
    flagged: int
    true_positives: int
    false_positives: int
    precision: float | None
    recall: float | None
    f1: float | None
    auroc: float | None
    auprc: float | None
    false_positive_rate: float | None
    fpr_by_archetype: dict[str, dict[str, float | int]]
    recall_by_archetype: dict[str, dict[str, float | int]]
    campaigns: list[dict[str, Any]]
    campaigns_detected: int
    campaigns_total: int
    adjusted_rand_index: float | None
    missing_from_scan: int
    unlabelled_accounts: int
    calibration: list[dict[str, Any]] = dataclasses.field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (undefined ratios are ``None``)."""
        return dataclasses.asdict(self)


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def _read_parquet(path: Path, columns: tuple[str, ...], what: str) -> pa.Table:
    try:
        schema = pq.read_schema(path)
    except FileNotFoundError:
        raise InputFileError(str(path), f"{what} not found") from None
    except (OSError, pa.ArrowException) as exc:
        raise InputFileError(str(path), f"not a readable Parquet file ({exc})") from None
    missing = [name for name in columns if name not in schema.names]
    if missing:
        raise InputFileError(str(path), f"{what} lacks column(s) {', '.join(missing)}")
    try:
        return pq.read_table(path, columns=list(columns))
    except (OSError, pa.ArrowException) as exc:
        raise InputFileError(str(path), f"not a readable Parquet file ({exc})") from None


def _check_unique(table: pa.Table, source: str) -> None:
    ids = table["account_id"]
    if ids.null_count:
        raise InputFileError(source, "account_id has null values")
    if pc.count_distinct(ids).as_py() != table.num_rows:
        counts = table.group_by("account_id").aggregate([("account_id", "count")])
        repeated = counts.filter(pc.greater(counts["account_id_count"], 1))
        example = repeated["account_id"][0].as_py()
        raise InputFileError(source, f"account_id {example!r} appears more than once")


def load_labels(labels: str | Path | pa.Table) -> pa.Table:
    """Labels (contract 3) from a file or table, validated: string columns, unique ids."""
    if isinstance(labels, pa.Table):
        source = "labels table"
        missing = [name for name in _LABEL_COLUMNS if name not in labels.column_names]
        if missing:
            raise InputFileError(source, f"labels lack column(s) {', '.join(missing)}")
        table = labels.select(list(_LABEL_COLUMNS))
    else:
        source = str(labels)
        table = _read_parquet(Path(labels), _LABEL_COLUMNS, "labels file")
    try:
        table = table.cast(pa.schema([(name, pa.string()) for name in _LABEL_COLUMNS]), safe=True)
    except (pa.ArrowException, ValueError) as exc:
        raise InputFileError(source, f"label columns must be strings ({exc})") from None
    _check_unique(table, source)
    if table["archetype"].null_count:
        raise InputFileError(source, "archetype has null values")
    return table


def _load_scan(scan_dir: str | Path) -> pa.Table:
    path = Path(scan_dir) / "accounts.parquet"
    table = _read_parquet(path, _SCAN_COLUMNS, "scan accounts file")
    try:
        table = table.cast(
            pa.schema(
                [
                    ("account_id", pa.string()),
                    ("risk", pa.float64()),
                    ("decision", pa.string()),
                    ("campaign_id", pa.string()),
                ]
            )
        )
    except (pa.ArrowException, ValueError) as exc:
        raise InputFileError(str(path), f"unexpected column types ({exc})") from None
    _check_unique(table, str(path))
    return table.rename_columns(["account_id", "risk", "decision", "found_campaign_id"])


def _joined(labels: pa.Table, scan: pa.Table) -> pa.Table:
    """Labels left-joined with the scan, plus boolean ``positive`` and ``flagged``."""
    joined = labels.join(scan, keys="account_id", join_type="left outer")
    # Joins do not keep row order; sorting makes every number below reproducible.
    joined = joined.sort_by("account_id")
    flagged = pc.fill_null(
        pc.is_in(joined["decision"], value_set=pa.array(FLAGGED_DECISIONS)), False
    )
    return joined.append_column("positive", pc.is_valid(joined["campaign_id"])).append_column(
        "flagged", flagged
    )


def _group_rates(table: pa.Table, rate_name: str) -> dict[str, dict[str, float | int]]:
    """Per archetype: accounts, flagged, and flagged/accounts under ``rate_name``."""
    if table.num_rows == 0:
        return {}
    grouped = (
        table.group_by("archetype")
        .aggregate([("flagged", "count"), ("flagged", "sum")])
        .sort_by("archetype")
    )
    result: dict[str, dict[str, float | int]] = {}
    for row in grouped.to_pylist():
        accounts, flagged = int(row["flagged_count"]), int(row["flagged_sum"] or 0)
        result[row["archetype"]] = {
            "accounts": accounts,
            "flagged": flagged,
            rate_name: flagged / accounts,
        }
    return result


def _campaign_rows(campaign_accounts: pa.Table) -> list[dict[str, Any]]:
    if campaign_accounts.num_rows == 0:
        return []
    totals = campaign_accounts.group_by("campaign_id").aggregate(
        [
            ("flagged", "count"),
            ("flagged", "sum"),
            ("found_campaign_id", "distinct", pc.CountOptions(mode="only_valid")),
        ]
    )
    by_archetype = campaign_accounts.group_by(["campaign_id", "archetype"]).aggregate(
        [("account_id", "count")]
    )
    # Most common archetype per campaign; ties go to the alphabetically first name.
    main_archetype: dict[str, str] = {}
    best_count: dict[str, int] = {}
    for row in by_archetype.sort_by("archetype").to_pylist():
        campaign, count = row["campaign_id"], int(row["account_id_count"])
        if count > best_count.get(campaign, 0):
            best_count[campaign], main_archetype[campaign] = count, row["archetype"]
    rows: list[dict[str, Any]] = []
    for row in totals.to_pylist():
        accounts, flagged = int(row["flagged_count"]), int(row["flagged_sum"] or 0)
        share = flagged / accounts
        found = sorted(v for v in row["found_campaign_id_distinct"] if v is not None)
        rows.append(
            {
                "campaign_id": row["campaign_id"],
                "archetype": main_archetype[row["campaign_id"]],
                "accounts": accounts,
                "flagged": flagged,
                "flagged_share": share,
                "detected": share >= DETECTED_SHARE,
                "found_as": found,
            }
        )
    rows.sort(key=lambda item: (-item["flagged_share"], item["campaign_id"]))
    return rows


def _adjusted_rand(joined: pa.Table) -> float | None:
    flagged = joined.filter(joined["flagged"])
    if flagged.num_rows < 2:
        return None
    singleton = pc.binary_join_element_wise(_SINGLETON_PREFIX, flagged["account_id"], "")
    true_groups = pc.coalesce(flagged["campaign_id"], singleton)
    found_groups = pc.coalesce(flagged["found_campaign_id"], singleton)
    return float(adjusted_rand_score(true_groups.to_pylist(), found_groups.to_pylist()))


def evaluate(labels: str | Path | pa.Table, scan_dir: str | Path) -> EvalResult:
    """Compare a scan directory with simulator labels.

    Parameters
    ----------
    labels:
        ``labels.parquet`` (contract 3) or an Arrow table with ``account_id``,
        ``archetype`` and ``campaign_id`` (null for legitimate accounts).
    scan_dir:
        A directory written by ``distillguard scan`` (its ``accounts.parquet`` is read).

    Returns
    -------
    EvalResult
        See its docstring for every definition; undefined ratios are ``None``.

    Raises
    ------
    InputFileError
        A file is missing or unreadable, lacks a column, or repeats an ``account_id``.
    """
    label_table = load_labels(labels)
    scan = _load_scan(scan_dir)
    joined = _joined(label_table, scan)

    positive = joined["positive"].to_numpy(zero_copy_only=False).astype(bool)
    flagged = joined["flagged"].to_numpy(zero_copy_only=False).astype(bool)
    risk = pc.fill_null(joined["risk"], 0.0).to_numpy(zero_copy_only=False)
    accounts = len(positive)
    positives = int(positive.sum())
    legitimate = accounts - positives
    flagged_count = int(flagged.sum())
    true_positives = int((flagged & positive).sum())
    false_positives = flagged_count - true_positives
    false_negatives = positives - true_positives

    two_classes = 0 < positives < accounts
    auroc = float(roc_auc_score(positive, risk)) if two_classes else None
    auprc = float(average_precision_score(positive, risk)) if two_classes else None

    campaign_accounts = joined.filter(joined["positive"])
    legit_accounts = joined.filter(pc.invert(joined["positive"]))
    campaigns = _campaign_rows(campaign_accounts)
    unlabelled = int(
        pc.sum(pc.invert(pc.is_in(scan["account_id"], value_set=label_table["account_id"]))).as_py()
        or 0
    )
    return EvalResult(
        accounts=accounts,
        positives=positives,
        flagged=flagged_count,
        true_positives=true_positives,
        false_positives=false_positives,
        precision=_ratio(true_positives, flagged_count),
        recall=_ratio(true_positives, positives),
        f1=_ratio(2 * true_positives, 2 * true_positives + false_positives + false_negatives),
        auroc=auroc,
        auprc=auprc,
        false_positive_rate=_ratio(false_positives, legitimate),
        fpr_by_archetype=_group_rates(legit_accounts, "fpr"),
        recall_by_archetype=_group_rates(campaign_accounts, "recall"),
        campaigns=campaigns,
        campaigns_detected=sum(1 for row in campaigns if row["detected"]),
        campaigns_total=len(campaigns),
        adjusted_rand_index=_adjusted_rand(joined),
        missing_from_scan=int(joined["decision"].null_count),
        unlabelled_accounts=unlabelled,
        calibration=_calibration_check(scan_dir, risk, ~positive),
    )


def _calibration_check(
    scan_dir: str | Path, risk: np.ndarray, legitimate: np.ndarray
) -> list[dict[str, Any]]:
    """The scan's stated false-positive rate per threshold next to the measured one."""
    try:
        summary = json.loads((Path(scan_dir) / "summary.json").read_text())
        stated = summary["calibration"]["thresholds"]
    except (OSError, ValueError, KeyError, TypeError):
        return []  # an older scan, or one without calibration
    rows = []
    for name, row in stated.items():
        if not isinstance(row, dict) or "risk" not in row:
            continue
        cut = float(row["risk"])
        rows.append({
            "decision": str(name),
            "risk": cut,
            "stated_fpr": row.get("estimated_fpr"),
            "measured_fpr": measured_fpr(risk, legitimate, cut),
        })
    return rows


# --- terminal view -----------------------------------------------------------------

_UNDEFINED = "n/a"


def _fmt(value: float | None, digits: int = 3) -> str:
    return _UNDEFINED if value is None else f"{value:.{digits}f}"


def _pct(value: float | int | None) -> str:
    return _UNDEFINED if value is None else f"{float(value):.1%}"


def format_eval(result: EvalResult, *, max_campaigns: int = 50) -> list[RenderableType]:
    """Rich tables for ``distillguard eval``: metrics, per-archetype rates, campaigns.

    Label values (archetypes, campaign ids) are made terminal-safe; ``n/a`` marks an
    undefined ratio (zero denominator). At most ``max_campaigns`` campaigns are listed.
    """
    metrics = Table(title="Evaluation against labels", show_header=True)
    metrics.add_column("metric")
    metrics.add_column("value", justify="right")
    metric_rows = [
        ("labelled accounts", f"{result.accounts:,}"),
        ("campaign accounts", f"{result.positives:,}"),
        ("flagged (review/block)", f"{result.flagged:,}"),
        ("precision", _fmt(result.precision)),
        ("recall", _fmt(result.recall)),
        ("F1", _fmt(result.f1)),
        ("AUROC (risk)", _fmt(result.auroc)),
        ("AUPRC (risk)", _fmt(result.auprc)),
        ("false-positive rate", _pct(result.false_positive_rate)),
        ("campaigns detected", f"{result.campaigns_detected} / {result.campaigns_total}"),
        ("adjusted Rand index", _fmt(result.adjusted_rand_index)),
        ("missing from scan", f"{result.missing_from_scan:,}"),
        ("in scan, not labelled (excluded)", f"{result.unlabelled_accounts:,}"),
    ]
    for name, value in metric_rows:
        metrics.add_row(name, value)

    renderables: list[RenderableType] = [metrics]
    if result.calibration:
        calibration = Table(title="Calibration: false-positive rate at each threshold")
        for column in ("decision at", "risk", "stated (no labels)", "measured (labels)"):
            calibration.add_column(column, justify="left" if column == "decision at" else "right")
        for row in result.calibration:
            stated = row["stated_fpr"]
            calibration.add_row(
                terminal_safe(row["decision"], 20), f"{row['risk']:.2f}",
                _pct(stated if isinstance(stated, int | float) else None),
                _pct(row["measured_fpr"]),
            )
        renderables.append(calibration)
    for title, rates, rate_name in (
        ("False positives by legitimate archetype", result.fpr_by_archetype, "fpr"),
        ("Recall by campaign archetype", result.recall_by_archetype, "recall"),
    ):
        table = Table(title=title)
        for column in ("archetype", "accounts", "flagged", rate_name):
            table.add_column(column, justify="left" if column == "archetype" else "right")
        for archetype, counts in rates.items():
            table.add_row(
                terminal_safe(archetype, 60),
                f"{int(counts['accounts']):,}",
                f"{int(counts['flagged']):,}",
                _pct(counts[rate_name]),
            )
        renderables.append(table)

    campaigns = Table(title="True campaigns")
    for column in ("campaign", "archetype", "accounts", "flagged", "share", "detected"):
        campaigns.add_column(
            column, justify="left" if column in ("campaign", "archetype") else "right"
        )
    campaigns.add_column("found as")
    for row in result.campaigns[:max_campaigns]:
        found = ", ".join(row["found_as"][:5]) + (" …" if len(row["found_as"]) > 5 else "")
        campaigns.add_row(
            terminal_safe(row["campaign_id"], 60),
            terminal_safe(row["archetype"], 60),
            f"{row['accounts']:,}",
            f"{row['flagged']:,}",
            _pct(row["flagged_share"]),
            "yes" if row["detected"] else "no",
            terminal_safe(found or "-", 120),
        )
    renderables.append(campaigns)
    if len(result.campaigns) > max_campaigns:
        renderables.append(f"… and {len(result.campaigns) - max_campaigns} more campaigns")
    if None in (result.precision, result.recall, result.f1, result.false_positive_rate):
        renderables.append("n/a: undefined (the ratio's denominator is zero).")
    return renderables


__all__ = ["DETECTED_SHARE", "EvalResult", "evaluate", "format_eval"]
