"""The embedded engine: ingest into a workspace on this machine (DuckDB, Arrow).

:class:`EmbeddedWorkspace` is a :class:`~distillguard.store.workspace.Workspace` that
ingests. Each input file is ingested once, in one transaction, and remembered by a digest
of its content: scanning the same files again ingests nothing (idempotent), scanning new
files adds only them (incremental), and a crash mid-file leaves nothing of that file
behind, so a rerun completes it. Every chunk of a file is validated
(:mod:`distillguard.ingest`) and prepared by the one ingest recipe
(:class:`~distillguard.engines.batches.IngestRecipe`); duplicate ``request_id`` s
(within a file or against the workspace) go to quarantine by the one
:class:`~distillguard.engines.batches.DuplicateRule` (where a format's ids may not be the
request's own, as in gateway logs, only a repeat with the same content is a duplicate: one
with other content is kept under a digest id, :mod:`distillguard.ingest.duplicates`);
``rows_read = rows_valid + rows_quarantined`` holds for every file. Every input is
checked before any is read, and a file skipped as already ingested reports the counts
its earlier ingest recorded. Crash points (:mod:`distillguard.crashpoints`) sit in each
file's transaction.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Sequence
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa

from distillguard.config import Config
from distillguard.crashpoints import crash_point
from distillguard.engines.batches import DUPLICATE_REASON, DuplicateRule, IngestRecipe
from distillguard.errors import InputFileError, describe_others
from distillguard.ingest import IngestChunk, check_inputs, read_events
from distillguard.ingest.background import ahead, ordered_map
from distillguard.ingest.duplicates import (
    DROPPED_TABLE,
    RENAMED_TABLE,
    drop_tables,
    find_duplicates,
)
from distillguard.privacy import check_workspace_key
from distillguard.schema import EVENT_COLUMNS
from distillguard.store.workspace import (
    STORED_EVENT_SCHEMA,
    FileReport,
    IngestReport,
    ProgressCallback,
    SegmentWriter,
    Workspace,
    file_digest,
    sql_string,
)

#: Threads computing features, each on its own chunk (the costliest stage of ingest).
_FEATURE_WORKERS = 2


def _prepared_chunks(
    path: Path, config: Config, fmt: str, now: datetime | None, recipe: IngestRecipe
) -> Generator[tuple[IngestChunk, pa.Table], None, None]:
    """Each validated chunk of one file with its valid rows as the recipe stores them
    (features, pseudonyms when configured; a pure stage).

    Reading and validating the next chunks runs in its own thread, and the features of
    two chunks at a time are computed in two more (features cost about as much as all the
    rest of ingest together); all mostly in DuckDB and Arrow kernels, which release the GIL.
    """
    def prepared(chunk: IngestChunk) -> tuple[IngestChunk, pa.Table]:
        return chunk, recipe.events(chunk.valid)

    # One chunk read ahead is enough (reading is fast) and bounds memory, with up to three
    # more held by the feature threads and one being written.
    chunks = ahead(read_events([path], fmt=fmt, config=config.ingest, now=now), depth=1,
                   name="distillguard-read")
    with closing(chunks):
        yield from ordered_map(prepared, chunks, _FEATURE_WORKERS, name="distillguard-features")


class EmbeddedWorkspace(Workspace):
    """A workspace the embedded engine ingests into (see the module's doc)."""

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

        Every input is opened and checked before any is read (:func:`check_inputs`).
        Raises :class:`InputFileError` for a file that cannot be read at all, saying what
        became of the other inputs; files ingested before it stay ingested (each file is
        its own transaction). The ``workspace`` settings apply to this connection from
        here on.
        """
        self.apply_settings(config.workspace)
        files = check_inputs(inputs, fmt=fmt, config=config.ingest)
        report = IngestReport(run_id=self.new_run())
        for index, path in enumerate(files):
            try:
                report.files.append(
                    self._ingest_file(path, config, fmt, now, report.run_id, progress))
            except InputFileError as exc:  # say what became of the other inputs
                done, pending = files[:index], files[index + 1:]
                raise exc.with_context(describe_others(
                    [str(p) for p in done], [str(p) for p in pending])) from None
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
        if self._skip_known(digest, file_report):
            return file_report
        con = self.con
        non_null = dict.fromkeys(EVENT_COLUMNS, 0)
        self.segments.mkdir(parents=True, exist_ok=True)
        segment = SegmentWriter(self.segments, f"{digest[:20]}-run{run_id}.parquet")
        con.execute("BEGIN TRANSACTION")
        crash_point("ingest.file_begun")
        ids_identify_requests = True
        try:
            recipe = IngestRecipe.from_config(config)
            prepared = _prepared_chunks(path, config, fmt, now, recipe)
            with closing(prepared):  # closing stops the threads
                for chunk, valid in prepared:
                    ids_identify_requests = chunk.ids_identify_requests
                    stored = self._stage_chunk(chunk, valid, recipe, config, run_id)
                    segment.write(stored)
                    for name in EVENT_COLUMNS:
                        non_null[name] += stored.num_rows - stored.column(name).null_count
                    file_report.rows_read += chunk.rows_read
                    file_report.rows_quarantined += chunk.quarantine.num_rows
                    crash_point("ingest.chunk_written")
                    if progress is not None:
                        progress(str(path), file_report.rows_read)
            segment.close()
            crash_point("ingest.segment_closed")
            if segment.rows:
                file_report.duplicates = self._quarantine_duplicates(
                    segment, config, non_null, file_report, ids_identify_requests
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
            if not segment.rows:  # nothing valid, or every row a duplicate
                segment.discard()
            else:
                segment.publish()
                con.execute(
                    "INSERT INTO segments SELECT ?, ?, ?, ?, "
                    "coalesce(max(position), 0) + 1 FROM segments",
                    [segment.final.name, digest, run_id, segment.rows],
                )
                self.refresh_events_view()
            crash_point("ingest.before_commit")
            con.execute("COMMIT")
            crash_point("ingest.committed")
        except BaseException:
            con.execute("ROLLBACK")
            segment.discard()
            raise
        return file_report

    def _skip_known(self, digest: str, file_report: FileReport) -> bool:
        """Whether a file with this content is in the workspace already; if so, its counts
        as that ingest recorded them go into ``file_report`` (marked skipped)."""
        row = self.con.execute(
            "SELECT rows_read, rows_valid, rows_quarantined, duplicates, path, run_id "
            "FROM files WHERE digest = ?", [digest]
        ).fetchone()
        if row is None:
            return False
        file_report.skipped = True
        (file_report.rows_read, file_report.rows_valid, file_report.rows_quarantined,
         file_report.duplicates) = (int(value or 0) for value in row[:4])
        file_report.earlier = (str(row[4]), int(row[5]))
        return True

    def _stage_chunk(
        self, chunk: IngestChunk, valid: pa.Table, recipe: IngestRecipe, config: Config,
        run_id: int,
    ) -> pa.Table:
        """One chunk's valid rows (as the recipe stores them, and where they came from), to
        be written to the file's segment; its rejected rows go to ``quarantine`` and any
        labels to ``labels`` in the caller's transaction."""
        check_workspace_key(self.con, config.privacy)  # raw and pseudonyms never mix
        rows = chunk.valid_rows
        n = valid.num_rows
        valid = valid.append_column(
            "source_file", pa.repeat(pa.scalar(chunk.source_file, pa.string()), n)
        )
        valid = valid.append_column(
            "source_row", rows if rows is not None else pa.nulls(n, pa.int64())
        )
        valid = valid.append_column("run_id", pa.repeat(pa.scalar(run_id, pa.int64()), n))
        if valid.schema != STORED_EVENT_SCHEMA:
            valid = valid.select(STORED_EVENT_SCHEMA.names).cast(STORED_EVENT_SCHEMA)
        if chunk.quarantine.num_rows:
            quarantined = recipe.quarantine(chunk.quarantine)
            quarantined = quarantined.append_column(
                "run_id", pa.repeat(pa.scalar(run_id, pa.int64()), chunk.quarantine.num_rows)
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
        self, segment: SegmentWriter, config: Config, non_null: dict[str, int],
        file_report: FileReport, ids_identify_requests: bool = True,
    ) -> int:
        """Move the new segment's duplicate rows to quarantine; return their count.

        A row that repeats a ``request_id`` already in the workspace, or seen earlier in
        the same file, is a duplicate: the first copy stays (:class:`DuplicateRule`).
        Where the format's ids may not identify requests, only a repeat with the same
        content is; one with other content is kept under a digest id
        (:mod:`distillguard.ingest.duplicates`), counted in ``file_report.id_fallbacks``.
        The segment is rewritten without the duplicates (rare: only when there are any).
        ``non_null`` (values per column of the file's stored rows) loses what they held.
        """
        rule = DuplicateRule.from_config(config)
        new_rows = f"read_parquet({sql_string(str(segment.path))}, file_row_number = true)"
        found = find_duplicates(self.con, new_rows, "events", EVENT_COLUMNS,
                                ids_identify_requests=ids_identify_requests)
        file_report.id_fallbacks = found.renamed
        duplicates = found.dropped
        dropped = f"file_row_number IN (SELECT rid FROM {DROPPED_TABLE})"
        if duplicates:
            self.con.execute(
                f"""
                INSERT INTO quarantine
                SELECT source_file, coalesce(source_row, -1), '{DUPLICATE_REASON}',
                       {rule.raw_sql(EVENT_COLUMNS, "duckdb")}, run_id
                FROM {new_rows} WHERE {dropped}
                ORDER BY source_row
                """
            )
            counts = ", ".join(f"count({name})" for name in EVENT_COLUMNS)
            removed = self.con.execute(
                f"SELECT {counts} FROM {new_rows} WHERE {dropped}"
            ).fetchone() or ()
            for name, count in zip(EVENT_COLUMNS, removed, strict=True):
                non_null[name] -= int(count)
        if duplicates or found.renamed:
            self._rewrite_without(segment, dropped,
                                  renamed=RENAMED_TABLE if found.renamed else None)
        drop_tables(self.con)
        return duplicates

    def _rewrite_without(
        self, segment: SegmentWriter, dropped: str, renamed: str | None = None
    ) -> None:
        """Rewrite the segment without the rows ``dropped`` selects, in its row order;
        rows listed in the table ``renamed`` (rid, request_id) take their new id."""
        source = f"read_parquet({sql_string(str(segment.path))}, file_row_number = true)"
        select = "SELECT * EXCLUDE (file_row_number)"
        if renamed is not None:
            source += f" s LEFT JOIN {renamed} r ON r.rid = s.file_row_number"
            select = ("SELECT s.* EXCLUDE (file_row_number) "
                      "REPLACE (coalesce(r.request_id, s.request_id) AS request_id)")
        reader = self.con.execute(
            f"{select} FROM {source} WHERE NOT ({dropped}) ORDER BY file_row_number"
        ).to_arrow_reader(1 << 16)
        rewritten = SegmentWriter(self.segments, segment.path.name + ".dedup")
        try:
            for batch in reader:
                rewritten.write(pa.Table.from_batches([batch]).cast(STORED_EVENT_SCHEMA))
            rewritten.close()
        except BaseException:
            rewritten.discard()
            raise
        if rewritten.rows:
            os.replace(rewritten.path, segment.path)
        else:
            segment.path.unlink(missing_ok=True)
        segment.rows = rewritten.rows
