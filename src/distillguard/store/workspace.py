"""The workspace: one DuckDB file for quarantine, labels and bookkeeping, plus the
ingested events as Parquet segments in a folder beside it.

This module stores; it does not ingest. The engines fill a workspace
(:class:`distillguard.engines.embedded.EmbeddedWorkspace`, or Spark's): each input
file once, in one transaction, remembered by a digest of its content (:func:`file_digest`),
so a rerun is idempotent and new files are incremental.

Why Parquet segments: copying events into DuckDB's own storage (compressing them at
commit) cost ~10x the time of reading them; writing a zstd Parquet segment costs ~4x less
and DuckDB reads it as fast. Every file's valid rows become one segment,
``<workspace>.events/<digest>-run<N>.parquet``, written under a temporary name
(:class:`SegmentWriter`) and listed in the ``segments`` table in the file's transaction,
so a crash leaves at most an unlisted file that the next writable open removes.
``events`` is a view over the listed segments (and ``stored_events``, where a workspace
of schema version 1 kept its events).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from distillguard.config import WorkspaceConfig
from distillguard.errors import ConfigError, InputFileError, WorkspaceError
from distillguard.schema import (
    EVENT_COLUMNS,
    EVENT_FIELDS,
    FEATURE_FIELDS,
    LABEL_SCHEMA,
    QUARANTINE_SCHEMA,
)

#: Version 2 keeps events in Parquet segments; a version-1 workspace is migrated on open.
SCHEMA_VERSION = "2"
SEGMENTS_SUFFIX = ".events"
_SEGMENT_COMPRESSION = "zstd"
_TRACKING_FIELDS = (
    pa.field("source_file", pa.string()),
    pa.field("source_row", pa.int64()),
    pa.field("run_id", pa.int64()),
)
STORED_EVENT_SCHEMA = pa.schema([*EVENT_FIELDS, *FEATURE_FIELDS, *_TRACKING_FIELDS])
#: Columns of (nearly) distinct values: a dictionary would not pay for itself (building it
#: costs more than it saves, and the writer gives up on it after its first megabyte).
_NO_DICTIONARY = frozenset(
    {"request_id", "timestamp", "prompt", "conversation_id", "skeleton", "source_row"}
)
#: Long free text: nobody filters on its minimum and maximum, which cost time to find.
_NO_STATISTICS = frozenset({"prompt", "response", "system_prompt", "skeleton", "user_agent"})
STORED_QUARANTINE_SCHEMA = QUARANTINE_SCHEMA.append(pa.field("run_id", pa.int64()))

#: Called as rows are read: (file, rows read so far in that file).
ProgressCallback = Callable[[str, int], None]


@dataclass
class FileReport:
    path: str
    rows_read: int = 0
    rows_valid: int = 0
    rows_quarantined: int = 0
    duplicates: int = 0
    skipped: bool = False
    #: Rows whose id repeated with other content: kept under ``<id>#<digest>``.
    id_fallbacks: int = 0
    #: A skipped file: (path, run) under which an earlier run ingested it.
    earlier: tuple[str, int] | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {key: value for key, value in self.__dict__.items() if key != "earlier"}


@dataclass
class IngestReport:
    run_id: int
    files: list[FileReport] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def rows_valid(self) -> int:
        return sum(f.rows_valid for f in self.files)

    @property
    def rows_quarantined(self) -> int:
        return sum(f.rows_quarantined for f in self.files)

    @property
    def duplicates(self) -> int:
        return sum(f.duplicates for f in self.files)


def file_digest(path: Path) -> str:
    """BLAKE2b of the file's bytes: the identity of an input for idempotent reruns."""
    digest = hashlib.blake2b(digest_size=20)
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise InputFileError(str(path), exc.strerror or str(exc)) from None
    return digest.hexdigest()


def segments_folder(workspace_path: Path) -> Path:
    """Where a workspace file keeps its event segments: ``<file name>.events`` beside it."""
    return workspace_path.parent / f"{workspace_path.name}{SEGMENTS_SUFFIX}"


def sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    row = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND NOT temporary", [name]
    ).fetchone()
    return bool(row and row[0])


def _segment_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    if not _has_table(con, "segments"):
        return []
    rows = con.execute("SELECT segment FROM segments ORDER BY position").fetchall()
    return [str(name) for (name,) in rows]


def events_view_sql(con: duckdb.DuckDBPyConnection, folder: Path) -> str:
    """The query behind the ``events`` view: ``stored_events`` (rows of a version-1
    workspace, or put there by other tools; usually empty) and the listed segments,
    read from ``folder``."""
    sql = f"SELECT {_stored_columns(con, 'stored_events')} FROM stored_events"
    names = _segment_names(con)
    if names:
        files = ", ".join(sql_string(str(folder.absolute() / name)) for name in names)
        # union_by_name: segments written before a column was added lack it.
        source = f"read_parquet([{files}], union_by_name = true)"
        sql += f" UNION ALL SELECT {_stored_columns(con, source)} FROM {source}"
    return sql


def _stored_columns(con: duckdb.DuckDBPyConnection, source: str) -> str:
    """The stored event columns of ``source``, a column added since it was written as
    null."""
    held = {str(column[0]) for column in
            con.execute(f"SELECT * FROM {source} LIMIT 0").description or ()}
    return ", ".join(
        f'"{name}"' if name in held
        else f'CAST(NULL AS {_duckdb_type(STORED_EVENT_SCHEMA.field(name))}) AS "{name}"'
        for name in STORED_EVENT_SCHEMA.names)


def _duckdb_type(field: pa.Field) -> str:
    """The DuckDB type of an added event column."""
    return {pa.string(): "VARCHAR", pa.bool_(): "BOOLEAN", pa.int64(): "BIGINT",
            pa.float64(): "DOUBLE"}[field.type]


def attach_events(con: duckdb.DuckDBPyConnection, workspace_path: str | Path) -> None:
    """Point ``events`` at the segments where the workspace file is now.

    For connections opened outside :class:`Workspace` (read-only ones included): the
    stored view names absolute paths, which a moved or copied workspace no longer has.
    A workspace without segments (empty, version 1, or a Spark scan's) is left as it is.
    """
    if _segment_names(con):
        sql = events_view_sql(con, segments_folder(Path(workspace_path)))
        con.execute(f"CREATE OR REPLACE TEMP VIEW events AS {sql}")


def embedded_event_count(con: duckdb.DuckDBPyConnection) -> int:
    """Events the embedded engine ingested into this workspace (segments and version 1)."""
    held = 0
    if _has_table(con, "segments"):
        row = con.execute("SELECT coalesce(sum(rows), 0) FROM segments").fetchone()
        held += int(row[0]) if row else 0
    for table in ("stored_events", "events"):  # a version-1 workspace: a table "events"
        if _has_table(con, table):
            row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
            held += int(row[0]) if row else 0
    return held


class SegmentWriter:
    """One input file's valid rows as one Parquet segment, under a temporary name until
    :meth:`publish`; :meth:`discard` removes whatever was written."""

    def __init__(self, folder: Path, name: str) -> None:
        self.final = folder / name
        self.path = folder / f"{name}.partial"
        self.rows = 0
        self._writer: pq.ParquetWriter | None = None

    def write(self, table: pa.Table) -> None:
        if table.num_rows == 0:
            return
        if self._writer is None:
            names = STORED_EVENT_SCHEMA.names
            self._writer = pq.ParquetWriter(
                self.path,
                STORED_EVENT_SCHEMA,
                compression=_SEGMENT_COMPRESSION,
                use_dictionary=[n for n in names if n not in _NO_DICTIONARY],
                write_statistics=[n for n in names if n not in _NO_STATISTICS],
            )
        self._writer.write_table(table)
        self.rows += table.num_rows

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def publish(self) -> None:
        self.close()
        os.replace(self.path, self.final)

    def discard(self) -> None:
        self.close()
        for path in (self.path, self.final):
            path.unlink(missing_ok=True)


class Workspace:
    """A DuckDB workspace file (or in-memory when ``path`` is None, with its segments in
    a temporary folder removed on :meth:`close`)."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else None
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.con = duckdb.connect(str(self.path) if self.path else ":memory:")
        except duckdb.Error as exc:
            raise WorkspaceError(f"cannot open workspace {self.path}: {exc}") from None
        self._temporary_folder = self.path is None
        self.segments = (
            segments_folder(self.path) if self.path is not None
            else Path(tempfile.mkdtemp(prefix="distillguard-events-"))
        )
        self._ensure_schema()
        self._remove_unlisted_segments()
        if _segment_names(self.con) or not self._has_events():
            self.refresh_events_view()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.con.close()
        if self._temporary_folder:
            shutil.rmtree(self.segments, ignore_errors=True)

    def _has_events(self) -> bool:
        row = self.con.execute(
            "SELECT count(*) FROM duckdb_views() WHERE view_name = 'events' AND NOT temporary"
        ).fetchone()
        return bool(row and row[0]) or _has_table(self.con, "events")

    def refresh_events_view(self) -> None:
        self.con.execute(
            f"CREATE OR REPLACE VIEW events AS {events_view_sql(self.con, self.segments)}"
        )

    def _remove_unlisted_segments(self) -> None:
        """Files a crashed ingest left behind: written, never listed in ``segments``."""
        if not self.segments.is_dir():
            return
        listed = set(_segment_names(self.con))
        for path in self.segments.iterdir():
            if path.name not in listed and path.suffix in (".parquet", ".partial"):
                path.unlink(missing_ok=True)

    def _create_from_schema(self, name: str, schema: pa.Schema) -> None:
        self.con.register("_empty_schema", schema.empty_table())
        self.con.execute(f"CREATE TABLE IF NOT EXISTS {name} AS SELECT * FROM _empty_schema")
        self.con.unregister("_empty_schema")

    def _ensure_schema(self) -> None:
        self.con.execute("CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
        row = self.con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if row is None:
            self.con.execute("INSERT INTO meta VALUES ('schema_version', ?)", [SCHEMA_VERSION])
        elif row[0] == "1":
            # Version 1 kept events in a table: it stays, renamed, under the view (a Spark
            # scan's version-1 workspace has a view there instead, which stays as it is).
            if _has_table(self.con, "events"):
                self.con.execute("ALTER TABLE events RENAME TO stored_events")
            self.con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'",
                             [SCHEMA_VERSION])
        elif row[0] != SCHEMA_VERSION:
            raise WorkspaceError(
                f"workspace {self.path} has schema version {row[0]}, this distillguard "
                f"needs {SCHEMA_VERSION}; scan into a new workspace"
            )
        self._create_from_schema("stored_events", STORED_EVENT_SCHEMA)
        self.con.execute(
            "CREATE TABLE IF NOT EXISTS segments (segment VARCHAR PRIMARY KEY, "
            "digest VARCHAR, run_id BIGINT, rows BIGINT, position BIGINT)"
        )
        self._create_from_schema("quarantine", STORED_QUARANTINE_SCHEMA)
        self._create_from_schema("labels", LABEL_SCHEMA)
        self.con.execute(
            "CREATE TABLE IF NOT EXISTS files (digest VARCHAR PRIMARY KEY, path VARCHAR, "
            "rows_read BIGINT, rows_valid BIGINT, rows_quarantined BIGINT, duplicates BIGINT, "
            "run_id BIGINT, ingested_at TIMESTAMPTZ)"
        )
        self.con.execute(
            "CREATE TABLE IF NOT EXISTS runs (run_id BIGINT PRIMARY KEY, started_at TIMESTAMPTZ)"
        )
        # Non-null values per event column of each ingested file, so that which columns
        # a workspace has is known without scanning every event.
        self.con.execute(
            "CREATE TABLE IF NOT EXISTS file_columns (digest VARCHAR, column_name VARCHAR, "
            "non_null BIGINT)"
        )

    def apply_settings(self, settings: WorkspaceConfig) -> None:
        """Apply the ``workspace`` settings (DuckDB's memory limit) to this connection."""
        if settings.memory_limit:
            value = settings.memory_limit.replace("'", "''")
            try:
                self.con.execute(f"SET memory_limit = '{value}'")
            except duckdb.Error as exc:
                raise ConfigError(
                    f"setting 'workspace.memory_limit' is not a size DuckDB reads "
                    f"({settings.memory_limit!r}): {str(exc).splitlines()[0]}"
                ) from None

    def new_run(self) -> int:
        row = self.con.execute("SELECT coalesce(max(run_id), 0) + 1 FROM runs").fetchone()
        run_id = int(row[0]) if row else 1
        self.con.execute("INSERT INTO runs VALUES (?, ?)", [run_id, datetime.now(UTC)])
        return run_id

    # -- reading -----------------------------------------------------------------------
    def available_columns(self, source: str = "events") -> set[str]:
        """Event columns with at least one non-null value.

        For all of ``events``, from the counts kept at ingest (no scan), when they cover
        every event (not so in an older workspace, or one whose events came from elsewhere).
        """
        if source == "events":
            row = self.con.execute(
                "SELECT (SELECT count(*) FROM files "
                "        WHERE digest NOT IN (SELECT digest FROM file_columns)) = 0 "
                "   AND (SELECT coalesce(sum(rows_valid), 0) FROM files) "
                "       = (SELECT count(*) FROM events)"
            ).fetchone()
            if row is not None and row[0]:
                held = self.con.execute(
                    "SELECT column_name FROM file_columns GROUP BY column_name "
                    "HAVING sum(non_null) > 0"
                ).fetchall()
                return {name for (name,) in held} & set(EVENT_COLUMNS)
        counts = ", ".join(f"count({c}) AS {c}" for c in EVENT_COLUMNS)
        row = self.con.execute(f"SELECT {counts} FROM {source}").fetchone()
        return {c for c, n in zip(EVENT_COLUMNS, row or (), strict=False) if n}

    def quarantine_rows(self, run_id: int | None = None) -> pa.Table:
        where = f"WHERE run_id = {int(run_id)}" if run_id is not None else ""
        return self.con.execute(
            f"SELECT source_file, source_row, reason, raw FROM quarantine {where} "
            "ORDER BY source_file, source_row"
        ).to_arrow_table()

    def inputs_quarantine(self, report: IngestReport) -> pa.Table:
        """The rejected rows of a run's inputs: those it read, and those of the inputs it
        skipped (as the earlier run that read them rejected them)."""
        earlier = [f.earlier for f in report.files if f.skipped and f.earlier is not None]
        if not earlier:
            return self.quarantine_rows(report.run_id)
        self.con.register("_earlier", pa.table({
            "path": pa.array([path for path, _ in earlier], pa.string()),
            "run": pa.array([run for _, run in earlier], pa.int64()),
        }))
        try:
            return self.con.execute(
                "SELECT source_file, source_row, reason, raw FROM quarantine "
                "WHERE run_id = ? OR EXISTS (SELECT 1 FROM _earlier e "
                "WHERE e.path = source_file AND e.run = run_id) "
                "ORDER BY source_file, source_row", [int(report.run_id)]
            ).to_arrow_table()
        finally:
            self.con.unregister("_earlier")

    def labels(self) -> pa.Table:
        return self.con.execute("SELECT * FROM labels ORDER BY account_id").to_arrow_table()

    def iter_event_batches(self, batch_rows: int = 1 << 17) -> Iterator[pa.RecordBatch]:
        reader = self.con.execute("SELECT * FROM events").to_arrow_reader(batch_rows)
        yield from reader
