"""Ingest: input files -> canonical, validated Arrow tables plus quarantined rows.

``read_events`` streams every input file, in batches of at most ``batch_rows`` rows,
as :class:`IngestChunk` objects: the valid rows in exactly ``EVENT_SCHEMA`` and the
rejected rows in ``QUARANTINE_SCHEMA``, each with a specific reason. For every chunk,
``rows_read == valid.num_rows + quarantine.num_rows``.

A file that cannot be read at all raises :class:`~distillguard.errors.InputFileError`
with a one-line cause. All files are opened and checked (format, header, required
columns) before the first row is returned, so a bad file named last fails fast.

Formats and validation rules are documented in ``docs/formats.md``. Unknown extra
columns are ignored. Duplicate ``request_id`` values are *not* handled here (the
workspace does that across files).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from distillguard.config import IngestConfig, default_config
from distillguard.errors import InputFileError
from distillguard.ingest.adapters import (
    ADAPTERS,
    FORMATS,
    JSON_MACROS,
    Adapter,
    detect,
    missing_required,
)
from distillguard.ingest.files import (
    InputFile,
    ReadLimits,
    list_input_files,
    one_line,
    resolve,
)
from distillguard.ingest.readers import (
    SNIFF_RECORDS,
    Sniffed,
    check_parquet_types,
    iter_csv,
    iter_jsonl,
    iter_parquet,
    sniff,
)
from distillguard.ingest.validate import (
    CHECK_ORDER,
    Limits,
    Validated,
    prepare_connection,
    validate_staged,
)
from distillguard.schema import EVENT_SCHEMA, LABEL_SCHEMA, QUARANTINE_SCHEMA

__all__ = [
    "CHECK_ORDER",
    "FORMATS",
    "IngestChunk",
    "check_inputs",
    "detect_format",
    "list_input_files",
    "read_events",
]


@dataclass(frozen=True)
class IngestChunk:
    """One batch of one input file, validated."""

    #: The path as given / expanded.
    source_file: str
    #: Valid rows, exactly ``EVENT_SCHEMA`` (absent optional columns are null).
    valid: pa.Table
    #: Rejected rows, exactly ``QUARANTINE_SCHEMA``.
    quarantine: pa.Table
    #: Rows read from the file for this chunk: ``valid.num_rows + quarantine.num_rows``.
    rows_read: int
    #: Labels an adapter found (``LABEL_SCHEMA``), e.g. Glasswally's campaign labels.
    labels: pa.Table | None
    #: The 1-based source row of each valid row (int64), aligned with ``valid``.
    valid_rows: pa.Array | None = None
    #: The file's format (one of :data:`FORMATS`).
    format: str = "events"

    @property
    def ids_identify_requests(self) -> bool:
        """Whether a repeated ``request_id`` is a duplicate whatever the rows hold."""
        return ADAPTERS[self.format].ids_identify_requests


@dataclass(frozen=True)
class _Plan:
    sniffed: Sniffed
    adapter: Adapter
    limits: ReadLimits

    @property
    def source(self) -> InputFile:
        return self.sniffed.source


def detect_format(path: Path) -> str:
    """The format of a file (one of :data:`FORMATS`), from its columns or first records.

    Raises
    ------
    InputFileError
        When the file cannot be opened or is not a readable Parquet/JSONL/CSV file.
    """
    return detect(sniff(resolve(Path(path))).keys)


def check_inputs(
    inputs: Sequence[str | Path], *, fmt: str = "auto", config: IngestConfig | None = None
) -> list[Path]:
    """The input files (:func:`list_input_files`), each opened and checked (format, header,
    columns) before any row is read.

    Raises
    ------
    InputFileError
        When the inputs name no file at all, and for the first input that cannot be read,
        saying that nothing was ingested and how many others cannot be read either.
    """
    paths = list_input_files(inputs)
    if not paths:
        where = ", ".join(str(p) for p in inputs) or "(none given)"
        raise InputFileError(where, "no input files (a folder contributes its .parquet, "
                             ".jsonl, .ndjson, .json and .csv files, also .gz or .zst)")
    limits = ReadLimits.from_config(config)
    failures: list[InputFileError] = []
    for path in paths:
        try:
            _plan(path, fmt, limits)
        except InputFileError as exc:
            failures.append(exc)
    if failures:
        more = len(failures) - 1
        context = "nothing was ingested"
        if len(paths) > 1:
            context += " (every input is checked before any is read)"
        if more:
            context += f"; {more} more input{'s' if more > 1 else ''} cannot be read either"
        raise failures[0].with_context(context)
    return paths


def _plan(path: Path, fmt: str, limits: ReadLimits | None = None) -> _Plan:
    limits = limits if limits is not None else ReadLimits()
    sniffed = sniff(resolve(path, limits), limits)
    name = detect(sniffed.keys) if fmt == "auto" else fmt
    adapter = ADAPTERS[name]
    checkable = sniffed.has_records
    missing = missing_required(adapter, sniffed.keys) if checkable else None
    if missing is not None:
        where = (
            f" (absent from the first {SNIFF_RECORDS} records)"
            if sniffed.source.container == "jsonl"
            else ""
        )
        raise InputFileError(str(path), f"missing required column '{missing}'{where}")
    used = set(adapter.source_keys()) if adapter.renames is not None else set(sniffed.keys)
    duplicates = sorted({k for k in sniffed.keys if k in used and sniffed.keys.count(k) > 1})
    if duplicates:
        raise InputFileError(str(path), f"duplicate column '{duplicates[0]}'")
    if sniffed.source.container == "parquet":
        check_parquet_types(sniffed, adapter)
    return _Plan(sniffed, adapter, limits)


def read_events(
    paths: Sequence[str | Path],
    *,
    fmt: str = "auto",
    config: IngestConfig | None = None,
    now: datetime | None = None,
) -> Iterator[IngestChunk]:
    """Stream validated chunks of events from files and folders.

    Parameters
    ----------
    paths:
        Files or folders (see :func:`list_input_files`).
    fmt:
        ``"auto"`` (detect per file) or one of :data:`FORMATS` to force a format.
    config:
        The ingest settings; the shipped defaults when None.
    now:
        The moment of ingest, for the "not in the future" check (default: now, UTC).

    Yields
    ------
    :class:`IngestChunk`, at most ``config.batch_rows`` rows each, file by file in
    the order of :func:`list_input_files`. A file without rows yields one empty chunk.

    Raises
    ------
    InputFileError
        For a file that cannot be read at all; every file is checked before the first
        chunk is yielded, but a file that breaks mid-way (truncated, corrupt) raises
        when it is reached.
    ValueError
        For an unknown ``fmt``.
    """
    if fmt != "auto" and fmt not in ADAPTERS:
        raise ValueError(f"unknown format {fmt!r}; expected 'auto' or one of {FORMATS}")
    settings = config if config is not None else default_config().ingest
    limits = Limits.from_config(settings, now if now is not None else datetime.now(UTC))
    batch_rows = max(1, int(settings.batch_rows))
    reading = ReadLimits.from_config(settings)
    plans = [_plan(path, fmt, reading) for path in list_input_files(paths)]
    con = duckdb.connect(":memory:")
    try:
        prepare_connection(con)
        con.execute(JSON_MACROS)
        for plan in plans:
            yield from _read_file(con, plan, limits, batch_rows)
    finally:
        con.close()


def _staged_batches(
    con: duckdb.DuckDBPyConnection, plan: _Plan, batch_rows: int
) -> Iterator[pa.Table]:
    container = plan.source.container
    if container == "parquet":
        return iter_parquet(con, plan.sniffed, plan.adapter, batch_rows)
    if container == "csv":
        return iter_csv(con, plan.sniffed, plan.adapter, batch_rows, plan.limits)
    return iter_jsonl(con, plan.source, plan.adapter, batch_rows, plan.limits)


def _read_file(
    con: duckdb.DuckDBPyConnection, plan: _Plan, limits: Limits, batch_rows: int
) -> Iterator[IngestChunk]:
    name = str(plan.source.path)
    has_labels = plan.adapter.label_key is not None
    produced = False
    batches = _staged_batches(con, plan, batch_rows)
    while True:
        try:
            staged = next(batches, None)
        except (OSError, pa.ArrowException) as exc:
            raise InputFileError(name, one_line(f"read failed: {exc}")) from None
        if staged is None:
            break
        result = validate_staged(
            con, staged, source_file=name, limits=limits, policy=plan.adapter.policy
        )
        produced = True
        yield _chunk(name, staged.num_rows, result, has_labels, plan.adapter.name)
    if not produced:
        yield _empty_chunk(name, has_labels, plan.adapter.name)


def _chunk(
    name: str, rows_read: int, result: Validated, has_labels: bool, fmt: str
) -> IngestChunk:
    if result.valid.num_rows + result.quarantine.num_rows != rows_read:
        raise AssertionError(f"{name}: row count invariant broken")  # a bug, never data
    return IngestChunk(
        source_file=name,
        valid=result.valid,
        quarantine=result.quarantine,
        rows_read=rows_read,
        labels=result.labels if has_labels else None,
        valid_rows=result.valid_rows,
        format=fmt,
    )


def _empty_chunk(name: str, has_labels: bool, fmt: str) -> IngestChunk:
    return IngestChunk(
        source_file=name,
        valid=EVENT_SCHEMA.empty_table(),
        quarantine=QUARANTINE_SCHEMA.empty_table(),
        rows_read=0,
        labels=LABEL_SCHEMA.empty_table() if has_labels else None,
        valid_rows=pa.array([], pa.int64()),
        format=fmt,
    )
