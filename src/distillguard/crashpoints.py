"""Named points where a test makes the process die at once, to prove crash safety.

``DISTILLGUARD_CRASH_AT=NAME`` (or ``NAME@N``: the N-th time the point is reached) makes
the process send itself ``SIGKILL`` there: no ``finally``, no flush, no atexit, as a power
cut or the kernel's out-of-memory killer would. Unset (always, outside tests and
``benchmarks/crash_resume.py``), a point costs one look-up in the environment, and points
sit per file and per stage, never per row. :data:`POINTS` lists them in the order a scan
reaches them; :func:`scan_differences` compares a resumed scan's outputs with a clean one's.
"""

from __future__ import annotations

import json
import math
import os
import signal
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

ENVIRONMENT = "DISTILLGUARD_CRASH_AT"

#: Every point, in the order a scan reaches them (the ``ingest.*`` ones once per file).
POINTS: tuple[str, ...] = (
    "ingest.file_begun",  # the file's transaction has begun
    "ingest.chunk_written",  # a chunk's rows are in the segment and the quarantine
    "ingest.segment_closed",  # every row written, duplicates not yet looked for
    "ingest.before_commit",  # the segment published and listed, not yet committed
    "ingest.committed",  # the file is in the workspace
    "scan.analysed",  # every account scored, no output written
    "scan.outputs_partial",  # accounts.parquet written, the rest not
    "scan.outputs_written",  # every output but the report written
)

_hits: dict[str, int] = {}


def crash_point(name: str) -> None:
    """Die here (``SIGKILL``) when :data:`ENVIRONMENT` names this point (and hit)."""
    wanted = os.environ.get(ENVIRONMENT)
    if not wanted:
        return
    point, _, nth = wanted.partition("@")
    if point != name:
        return
    _hits[name] = _hits.get(name, 0) + 1
    if _hits[name] == (int(nth) if nth else 1):
        os.kill(os.getpid(), signal.SIGKILL)


#: Counts of ``summary.json`` that two scans of the same inputs share.
SUMMARY_COUNTS: tuple[str, ...] = (
    "rows_read", "rows_valid", "rows_quarantined", "duplicates", "accounts",
    "flagged_accounts", "campaigns", "decisions",
)  # fmt: skip


def scan_differences(left: str | Path, right: str | Path, rel_tol: float = 1e-9) -> list[str]:
    """How two scan output folders of the same inputs differ; empty when they agree.

    Compared: ``accounts.parquet`` (every column), ``campaigns.json``, the quarantined
    rows and the counts of ``summary.json`` (:data:`SUMMARY_COUNTS`, the workspace's
    events and quarantined rows). Floats may differ in their last bits (DuckDB sums in
    parallel), relatively by ``rel_tol``.
    """
    a, b = Path(left), Path(right)
    found: list[str] = []
    accounts = [pq.read_table(p / "accounts.parquet") for p in (a, b)]
    if accounts[0].column_names != accounts[1].column_names:
        found.append("accounts.parquet: other columns")
    else:
        for name in accounts[1].column_names:
            _differ(accounts[0].column(name).to_pylist(), accounts[1].column(name).to_pylist(),
                    f"accounts.parquet:{name}", rel_tol, found)
    campaigns = [json.loads((p / "campaigns.json").read_text()) for p in (a, b)]
    _differ(campaigns[0], campaigns[1], "campaigns.json", rel_tol, found)
    summaries = [json.loads((p / "summary.json").read_text()) for p in (a, b)]
    for key in SUMMARY_COUNTS:
        _differ(summaries[0].get(key), summaries[1].get(key), f"summary.{key}", rel_tol, found)
    for key in ("events", "quarantined"):
        _differ(summaries[0]["workspace"][key], summaries[1]["workspace"][key],
                f"summary.workspace.{key}", rel_tol, found)
    quarantine = [
        pq.read_table(p / "quarantine.parquet").select(["source_row", "reason", "raw"]).sort_by(
            [("source_row", "ascending"), ("reason", "ascending"), ("raw", "ascending")])
        for p in (a, b)
    ]
    if not quarantine[0].equals(quarantine[1]):
        found.append(f"quarantine.parquet: {quarantine[0].num_rows} rows against "
                     f"{quarantine[1].num_rows}, or other rows")
    return found


def _differ(left: Any, right: Any, where: str, rel_tol: float, found: list[str]) -> None:
    if len(found) >= 20:
        return
    if isinstance(left, float) and isinstance(right, float):
        if not (math.isclose(left, right, rel_tol=rel_tol, abs_tol=1e-12)
                or (math.isnan(left) and math.isnan(right))):
            found.append(f"{where}: {left!r} != {right!r}")
    elif isinstance(left, list) and isinstance(right, list):
        if len(left) != len(right):
            found.append(f"{where}: {len(left)} items != {len(right)}")
            return
        for index, (x, y) in enumerate(zip(left, right, strict=True)):  # per account/campaign
            _differ(x, y, f"{where}[{index}]", rel_tol, found)
    elif isinstance(left, dict) and isinstance(right, dict):
        if left.keys() != right.keys():
            found.append(f"{where}: other keys")
            return
        for key in right:
            _differ(left[key], right[key], f"{where}.{key}", rel_tol, found)
    elif left != right:
        found.append(f"{where}: {str(left)[:80]!r} != {str(right)[:80]!r}")
