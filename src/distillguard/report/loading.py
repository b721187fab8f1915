"""Read a scan directory (contract 2) for the report, defensively.

The report is the last thing to run and the first thing a person reads, so it accepts
what a scan wrote even when additive keys are absent (a missing key shows as "—"), and
reads only what it shows: from ``quarantine.parquet`` the ``reason`` column and never
``raw``, which may hold personal data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from distillguard.errors import InputFileError

#: Columns of ``accounts.parquet`` the report needs, and those it shows when present.
REQUIRED_ACCOUNT_COLUMNS = ("account_id", "risk", "decision", "campaign_id", "reasons")
OPTIONAL_ACCOUNT_COLUMNS = ("own_risk", "events")


@dataclass(frozen=True)
class ScanOutputs:
    """What the report reads from a scan directory."""

    accounts: pa.Table
    campaigns: list[dict[str, Any]]
    summary: dict[str, Any]
    #: ``(reason, rows)`` pairs, most frequent first; empty without a quarantine file.
    quarantine_reasons: list[tuple[str, int]]
    quarantine_file_present: bool


def _read_json(path: Path, expected: type) -> Any:
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise InputFileError(str(path), "file not found (is this a scan directory?)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(str(path), f"unreadable ({exc})") from None
    except json.JSONDecodeError as exc:
        raise InputFileError(str(path), f"not valid JSON ({exc})") from None
    if not isinstance(data, expected):
        raise InputFileError(str(path), f"expected a JSON {expected.__name__}")
    return data


def _read_accounts(path: Path) -> pa.Table:
    try:
        names = pq.read_schema(path).names
    except FileNotFoundError:
        raise InputFileError(str(path), "file not found (is this a scan directory?)") from None
    except (OSError, pa.ArrowException) as exc:
        raise InputFileError(str(path), f"not a readable Parquet file ({exc})") from None
    missing = [name for name in REQUIRED_ACCOUNT_COLUMNS if name not in names]
    if missing:
        raise InputFileError(str(path), f"lacks column(s) {', '.join(missing)}")
    columns = [*REQUIRED_ACCOUNT_COLUMNS, *(c for c in OPTIONAL_ACCOUNT_COLUMNS if c in names)]
    try:
        table = pq.read_table(path, columns=columns)
        return table.set_column(
            table.column_names.index("risk"),
            "risk",
            pc.fill_null(table["risk"].cast(pa.float64()), 0.0),
        )
    except (OSError, pa.ArrowException) as exc:
        raise InputFileError(str(path), f"not a readable Parquet file ({exc})") from None


def _read_quarantine_reasons(path: Path) -> tuple[list[tuple[str, int]], bool]:
    if not path.exists():
        return [], False
    try:
        # Only the reason column: the raw rows may contain IPs, e-mails, prompts.
        table = pq.read_table(path, columns=["reason"])
    except (OSError, pa.ArrowException, KeyError) as exc:
        raise InputFileError(str(path), f"cannot read the reason column ({exc})") from None
    if table.num_rows == 0:
        return [], True
    reasons = pc.fill_null(table["reason"].cast(pa.string()), "(no reason given)")
    counts = pa.table({"reason": reasons}).group_by("reason").aggregate([("reason", "count")])
    ordered = counts.sort_by([("reason_count", "descending"), ("reason", "ascending")])
    pairs = zip(ordered["reason"].to_pylist(), ordered["reason_count"].to_pylist(), strict=True)
    return [(str(reason), int(count)) for reason, count in pairs], True


def load_scan_outputs(scan_dir: str | Path) -> ScanOutputs:
    """Read ``accounts.parquet``, ``campaigns.json``, ``summary.json`` and the quarantine
    reasons from ``scan_dir``.

    Raises
    ------
    InputFileError
        A required file is missing or malformed (``quarantine.parquet`` is optional).
    """
    directory = Path(scan_dir)
    campaigns = _read_json(directory / "campaigns.json", list)
    reasons, present = _read_quarantine_reasons(directory / "quarantine.parquet")
    return ScanOutputs(
        accounts=_read_accounts(directory / "accounts.parquet"),
        campaigns=[c for c in campaigns if isinstance(c, dict)],
        summary=_read_json(directory / "summary.json", dict),
        quarantine_reasons=reasons,
        quarantine_file_present=present,
    )
