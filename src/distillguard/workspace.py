"""The workspace: one DuckDB file holding ingested events, quarantine and scan results.

Each input file is ingested once, in one transaction, and remembered by a digest of its
content: scanning the same files again ingests nothing (idempotent), scanning new files
adds only them (incremental), and a crash mid-file leaves nothing of that file behind, so
a rerun completes it. Duplicate ``request_id``s (within a file or against the workspace)
go to quarantine with the reason ``duplicate request_id``; ``rows_read = rows_valid +
rows_quarantined`` holds for every file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from distillguard.config import Config, WorkspaceConfig
from distillguard.errors import ConfigError, InputFileError, WorkspaceError
from distillguard.features import FEATURE_FIELDS, event_features
from distillguard.ingest import IngestChunk, list_input_files, read_events
from distillguard.ingest.background import ahead
from distillguard.privacy import pseudonymise_at_ingest, withhold_personal_quarantine
from distillguard.schema import EVENT_COLUMNS, EVENT_FIELDS, LABEL_SCHEMA, QUARANTINE_SCHEMA

SCHEMA_VERSION = "1"
_TRACKING_FIELDS = (
    pa.field("source_file", pa.string()),
    pa.field("source_row", pa.int64()),
    pa.field("run_id", pa.int64()),
)
STORED_EVENT_SCHEMA = pa.schema([*EVENT_FIELDS, *FEATURE_FIELDS, *_TRACKING_FIELDS])
STORED_QUARANTINE_SCHEMA = QUARANTINE_SCHEMA.append(pa.field("run_id", pa.int64()))
DUPLICATE_REASON = "duplicate request_id"

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

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


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


def _featured_chunks(
    path: Path, config: Config, fmt: str, now: datetime | None
) -> Iterator[tuple[IngestChunk, pa.Table]]:
    """Each validated chunk of one file with its valid rows' features (a pure stage)."""
    for chunk in read_events([path], fmt=fmt, config=config.ingest, now=now):
        yield chunk, event_features(chunk.valid, config.features)


@contextmanager
def _single_threaded(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Inserts run on one DuckDB thread: with several, each batch is spread over partial
    row groups that compress worse and are merged at commit (measured 2-4x slower)."""
    row = con.execute("SELECT current_setting('threads')").fetchone()
    threads = int(row[0]) if row else 1
    con.execute("SET threads = 1")
    try:
        yield
    finally:
        con.execute(f"SET threads = {threads}")


class Workspace:
    """A DuckDB workspace file (or in-memory when ``path`` is None)."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else None
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.con = duckdb.connect(str(self.path) if self.path else ":memory:")
        except duckdb.Error as exc:
            raise WorkspaceError(f"cannot open workspace {self.path}: {exc}") from None
        self._ensure_schema()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.con.close()

    def _create_from_schema(self, name: str, schema: pa.Schema) -> None:
        self.con.register("_empty_schema", schema.empty_table())
        self.con.execute(f"CREATE TABLE IF NOT EXISTS {name} AS SELECT * FROM _empty_schema")
        self.con.unregister("_empty_schema")

    def _ensure_schema(self) -> None:
        self.con.execute("CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
        row = self.con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if row is None:
            self.con.execute("INSERT INTO meta VALUES ('schema_version', ?)", [SCHEMA_VERSION])
        elif row[0] != SCHEMA_VERSION:
            raise WorkspaceError(
                f"workspace {self.path} has schema version {row[0]}, this distillguard "
                f"needs {SCHEMA_VERSION}; scan into a new workspace"
            )
        self._create_from_schema("events", STORED_EVENT_SCHEMA)
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

    def _new_run(self) -> int:
        row = self.con.execute("SELECT coalesce(max(run_id), 0) + 1 FROM runs").fetchone()
        run_id = int(row[0]) if row else 1
        self.con.execute("INSERT INTO runs VALUES (?, ?)", [run_id, datetime.now(UTC)])
        return run_id

    def ingest(
        self,
        inputs: Sequence[str | Path],
        config: Config,
        *,
        fmt: str = "auto",
        now: datetime | None = None,
        progress: ProgressCallback | None = None,
    ) -> IngestReport:
        """Ingest every input file not already in the workspace.

        Raises :class:`InputFileError` for a file that cannot be read at all; files
        ingested before it stay ingested (each file is its own transaction). The
        ``workspace`` settings apply to this connection from here on.
        """
        self.apply_settings(config.workspace)
        files = list_input_files(inputs)
        report = IngestReport(run_id=self._new_run())
        for path in files:
            report.files.append(self._ingest_file(path, config, fmt, now, report.run_id, progress))
        return report

    def _ingest_file(
        self,
        path: Path,
        config: Config,
        fmt: str,
        now: datetime | None,
        run_id: int,
        progress: ProgressCallback | None,
    ) -> FileReport:
        digest = file_digest(path)
        file_report = FileReport(path=str(path))
        if self.con.execute("SELECT 1 FROM files WHERE digest = ?", [digest]).fetchone():
            file_report.skipped = True
            return file_report
        con = self.con
        non_null = dict.fromkeys(EVENT_COLUMNS, 0)
        con.execute("BEGIN TRANSACTION")
        try:
            # Rows go straight into ``events``; duplicates are taken out again at the end
            # of the file (rare), so every row is written once.
            prepared = ahead(_featured_chunks(path, config, fmt, now))
            with _single_threaded(con), closing(prepared):  # closing stops the thread
                for chunk, featured in prepared:
                    stored = self._stage_chunk(chunk, featured, config, run_id)
                    for name in EVENT_COLUMNS:
                        non_null[name] += stored.num_rows - stored.column(name).null_count
                    file_report.rows_read += chunk.rows_read
                    file_report.rows_quarantined += chunk.quarantine.num_rows
                    if progress is not None:
                        progress(str(path), file_report.rows_read)
            file_report.duplicates = self._quarantine_duplicates(
                str(path), run_id, config, non_null
            )
            file_report.rows_quarantined += file_report.duplicates
            file_report.rows_valid = file_report.rows_read - file_report.rows_quarantined
            con.execute(
                "INSERT INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [digest, str(path), file_report.rows_read, file_report.rows_valid,
                 file_report.rows_quarantined, file_report.duplicates, run_id, datetime.now(UTC)],
            )
            con.executemany(
                "INSERT INTO file_columns VALUES (?, ?, ?)",
                [[digest, name, count] for name, count in non_null.items()],
            )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        return file_report

    def _stage_chunk(
        self, chunk: IngestChunk, featured: pa.Table, config: Config, run_id: int
    ) -> pa.Table:
        """Insert one chunk's valid rows (with features) into ``events``, the rest into
        ``quarantine``, and any labels; the caller's transaction holds it all. Returns
        the rows inserted into ``events``."""
        valid = featured
        valid = pseudonymise_at_ingest(self.con, valid, config.privacy)  # no-op unless enabled
        rows = chunk.valid_rows
        n = valid.num_rows
        valid = valid.append_column("source_file", pa.array([chunk.source_file] * n, pa.string()))
        valid = valid.append_column(
            "source_row", rows if rows is not None else pa.nulls(n, pa.int64())
        )
        valid = valid.append_column("run_id", pa.array([run_id] * n, pa.int64()))
        # Not ``register``: a registered table stays alive until the transaction ends,
        # which would hold every batch of the file in memory (measured: ~0.7 GB/M rows).
        self.con.from_arrow(valid).insert_into("events")
        if chunk.quarantine.num_rows:
            quarantined = withhold_personal_quarantine(chunk.quarantine, config.privacy)
            quarantined = quarantined.append_column(
                "run_id", pa.array([run_id] * chunk.quarantine.num_rows, pa.int64())
            )
            self.con.from_arrow(quarantined).insert_into("quarantine")
        if chunk.labels is not None and chunk.labels.num_rows:
            self.con.register("_labels", chunk.labels)
            self.con.execute(
                "INSERT INTO labels SELECT * FROM _labels "
                "WHERE account_id NOT IN (SELECT account_id FROM labels)"
            )
            self.con.unregister("_labels")
        return valid

    def _quarantine_duplicates(
        self, source_file: str, run_id: int, config: Config, non_null: dict[str, int]
    ) -> int:
        """Move this file's duplicate rows from ``events`` to quarantine; return their count.

        A ``request_id`` already in the workspace, or seen earlier in the same file, is a
        duplicate: the first copy stays. Only the new rows' ids are grouped, and the old
        rows are read for their ``request_id`` alone. ``non_null`` (values per column of
        the file's stored rows) loses what the duplicates held.
        """
        cut = int(config.ingest.max_quarantine_row_chars)
        canonical = ", ".join(EVENT_COLUMNS)
        this_file = "run_id = $run AND source_file = $file"
        params = {"run": run_id, "file": source_file}
        self.con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE ingest_duplicates AS
            WITH new AS (SELECT rowid AS rid, request_id, source_row FROM events WHERE {this_file}),
            repeated AS (SELECT request_id FROM new GROUP BY request_id HAVING count(*) > 1)
            SELECT rid FROM (
                SELECT rid, row_number() OVER (
                    PARTITION BY request_id ORDER BY source_row NULLS LAST, rid) AS rn
                FROM new SEMI JOIN repeated USING (request_id)
            ) WHERE rn > 1
            UNION
            SELECT n.rid FROM new n
            SEMI JOIN (SELECT request_id FROM events WHERE NOT ({this_file})) USING (request_id)
            """,
            params,
        )
        row = self.con.execute("SELECT count(*) FROM ingest_duplicates").fetchone()
        duplicates = int(row[0]) if row else 0
        if duplicates:
            self.con.execute(
                f"""
                INSERT INTO quarantine
                SELECT source_file, coalesce(source_row, -1), '{DUPLICATE_REASON}',
                       left(CAST(to_json(struct_pack({canonical})) AS VARCHAR), {cut}), run_id
                FROM events WHERE rowid IN (SELECT rid FROM ingest_duplicates)
                ORDER BY source_row
                """
            )
            counts = ", ".join(f"count({name})" for name in EVENT_COLUMNS)
            removed = self.con.execute(
                f"SELECT {counts} FROM events WHERE rowid IN (SELECT rid FROM ingest_duplicates)"
            ).fetchone() or ()
            for name, count in zip(EVENT_COLUMNS, removed, strict=True):
                non_null[name] -= int(count)
            self.con.execute(
                "DELETE FROM events WHERE rowid IN (SELECT rid FROM ingest_duplicates)"
            )
        self.con.execute("DROP TABLE ingest_duplicates")
        return duplicates

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

    def labels(self) -> pa.Table:
        return self.con.execute("SELECT * FROM labels ORDER BY account_id").to_arrow_table()

    def iter_event_batches(self, batch_rows: int = 1 << 17) -> Iterator[pa.RecordBatch]:
        reader = self.con.execute("SELECT * FROM events").to_arrow_reader(batch_rows)
        yield from reader
