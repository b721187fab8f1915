"""What a run of ingest should tell its user beyond the counts: warnings, and failure
when nothing valid was read.

Nothing is lost silently: a file whose rows were all quarantined, a file without rows,
a file that lost more than ``ingest.max_duplicate_share`` of its rows as duplicates and
a file whose ids did not identify its requests (:mod:`distillguard.ingest.duplicates`)
each get one warning line, printed on stderr and kept in ``summary.json`` (``warnings``).
A run after which the workspace holds no valid event at all is an error
(:class:`~distillguard.errors.NoValidRowsError`), raised by the caller once its outputs
(the quarantine above all) are written.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from distillguard.config import IngestConfig
from distillguard.errors import NoValidRowsError

_REASON_CHARS = 120


class FileOutcome(Protocol):
    """The counts ingest keeps per input file (``workspace.FileReport``)."""

    path: str
    rows_read: int
    rows_valid: int
    rows_quarantined: int
    duplicates: int
    skipped: bool
    id_fallbacks: int


def first_reasons(quarantine: pa.Table) -> dict[str, str]:
    """Per source file, the reason of its first quarantined row (by source row)."""
    if quarantine.num_rows == 0:
        return {}
    ordered = quarantine.select(["source_file", "source_row", "reason"]).sort_by(
        [("source_file", "ascending"), ("source_row", "ascending")]
    )
    files = ordered.column("source_file").combine_chunks()
    changes = pc.not_equal(files.slice(1), files.slice(0, len(files) - 1))
    starts = np.concatenate(([0], np.flatnonzero(
        changes.to_numpy(zero_copy_only=False)) + 1)).tolist()
    reasons = ordered.column("reason")
    rows = ordered.column("source_row")
    result = {}
    for start in starts:  # one per file
        reason = str(reasons[start].as_py())
        if len(reason) > _REASON_CHARS:
            reason = reason[: _REASON_CHARS - 1] + "…"
        result[str(files[start].as_py())] = f"row {rows[start].as_py()}: {reason}"
    return result


def ingest_warnings(
    files: Sequence[FileOutcome],
    quarantine: pa.Table,
    config: IngestConfig,
    quarantine_path: str | Path = "quarantine.parquet",
) -> list[str]:
    """One line per file that lost rows in a way its user must hear about.

    ``quarantine`` holds the run's rejected rows (``QUARANTINE_SCHEMA``), for the first
    reason of a file whose rows were all rejected.
    """
    reasons = first_reasons(quarantine)
    lines = []
    for f in files:
        if f.rows_read == 0:
            lines.append(f"{f.path}: no rows (an empty file)")
            continue
        if f.rows_valid == 0:
            first = reasons.get(f.path, "")
            lines.append(
                f"{f.path}: all {f.rows_read:,} rows quarantined"
                + (f" (first: {first})" if first else "") + f"; see {quarantine_path}"
            )
            continue
        share = f.duplicates / f.rows_read
        if f.duplicates and share > config.max_duplicate_share:
            lines.append(
                f"{f.path}: {f.duplicates:,} of {f.rows_read:,} rows ({share:.0%}) dropped as "
                f"duplicate requests, more than ingest.max_duplicate_share "
                f"({config.max_duplicate_share:.0%}); see {quarantine_path}"
            )
        if f.id_fallbacks:
            lines.append(
                f"{f.path}: {f.id_fallbacks:,} rows repeat a request_id with other content "
                "(the log's ids do not identify requests, e.g. upstream response ids); "
                "they were kept under '<id>#<digest of the row>'"
            )
    return lines


def nothing_valid(
    files: Sequence[FileOutcome],
    stored_events: int,
    quarantine: pa.Table | None = None,
    quarantine_path: str | Path = "quarantine.parquet",
) -> NoValidRowsError | None:
    """The error for a run after which the workspace holds no valid event, else None."""
    if stored_events > 0:
        return None
    read = [f for f in files if not f.skipped]
    rows = sum(f.rows_read for f in read)
    names = ", ".join(f.path for f in read[:3]) + (f" and {len(read) - 3} more" if len(read) > 3
                                                   else "")
    if rows == 0:
        return NoValidRowsError(f"nothing to scan: {names or 'the inputs'} "
                                f"{'holds' if len(read) == 1 else 'hold'} no rows")
    reasons = first_reasons(quarantine) if quarantine is not None else {}
    first = next((reasons[f.path] for f in read if f.path in reasons), None)
    return NoValidRowsError(
        f"no valid rows in {names}: all {rows:,} rows were quarantined"
        + (f" (first: {first})" if first else "") + f"; the reasons are in {quarantine_path}"
    )
