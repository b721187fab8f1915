"""The Spark engine: event-level work on a cluster, account-level work on the driver.

``scan --engine spark`` runs, in Spark:

1. read the Parquet inputs (local paths or any URI Spark reads), each row with its file
   and 1-based row number;
2. ``mapInArrow`` of :class:`~distillguard.engines.batches.BatchIngest`: the embedded
   engine's validation, features and pseudonymisation, batch by batch; valid and
   quarantined rows are written in one pass to a *stage* folder of Parquet;
3. duplicate ``request_id`` s (the first copy, by file and row, stays) move to quarantine;
4. the per-account aggregation queries — the profile (``profiles.profile_sql``) and the
   linkage indicators (``linkage.indicators_sql``) — translated from DuckDB SQL to Spark
   SQL (:mod:`~distillguard.engines.sql_dialect`), and which event columns hold values.

The driver then gets a :class:`SparkWorkspace`: a DuckDB workspace whose ``events`` is a
view over the staged Parquet, holding the profile and indicators Spark computed. The
account-level stages (signals, linkage graph, campaigns, decisions, evidence, outputs)
run on it with the embedded engine's code; only the small queries they make of events
(lockstep buckets of suspicious accounts, evidence of campaign members) read the stage.
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from distillguard.config import Config
from distillguard.detect.linkage import indicators_sql
from distillguard.detect.profiles import build_profiles, profile_sql
from distillguard.engines.batches import (
    DUPLICATE_REASON,
    EVENT_PART,
    FILE_COLUMN,
    PART_COLUMN,
    QUARANTINE_PART,
    ROW_COLUMN,
    STAGE_SCHEMA,
    STAGED_EVENT_COLUMNS,
    BatchIngest,
    DuplicateRule,
)
from distillguard.engines.sql_dialect import to_spark_sql
from distillguard.errors import (
    ConfigError,
    DistillguardError,
    InputFileError,
    WorkspaceError,
    require_extra,
)
from distillguard.ingest import list_input_files
from distillguard.ingest.adapters import EVENTS
from distillguard.ingest.files import one_line
from distillguard.ingest.rules import Limits
from distillguard.privacy import check_workspace_key, ingest_key
from distillguard.schema import EVENT_COLUMNS, QUARANTINE_SCHEMA, REQUIRED_COLUMNS
from distillguard.store.workspace import (
    FileReport,
    IngestReport,
    ProgressCallback,
    Workspace,
    embedded_event_count,
)

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

#: Settings for a local session this engine starts (a cluster's come from spark-submit).
LOCAL_SETTINGS: dict[str, str] = {
    "spark.ui.enabled": "false",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.driver.host": "127.0.0.1",
    "spark.ui.showConsoleProgress": "false",
}
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_FEATURED = "featured"
_DEDUPLICATED = "events"


class SparkJobError(DistillguardError):
    """A Spark job of the scan failed (the cause is Spark's first line)."""


def require_pyspark() -> None:
    """Raise a one-line :class:`MissingExtraError` naming the extra when PySpark is missing."""
    # pandas: PySpark's mapInArrow needs it.
    require_extra("spark", "the Spark engine", "pandas", "pyspark")


def is_uri(path: str | Path) -> bool:
    """Whether ``path`` is a URI (``s3a://``, ``gs://``, ``hdfs://``, ``file://``...)."""
    return bool(_URI.match(str(path)))


# -- the session ----------------------------------------------------------------------


def spark_session(master: str | None = None) -> tuple[SparkSession, bool]:
    """The active Spark session, or a new one; and whether this call started it.

    Under ``spark-submit`` (or in a notebook with a session) the active session is used
    as configured there. Otherwise a session is started on ``master`` (default
    ``local[*]``), bound to the loopback interface with the UI off, and its Python
    workers run this interpreter (so they import this installation of distillguard).
    """
    require_pyspark()
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active, False
    submitted = "PYSPARK_GATEWAY_PORT" in os.environ  # launched by spark-submit
    builder = SparkSession.builder.appName("distillguard-scan")
    if master is None and not submitted:
        master = "local[*]"
    if master is not None:
        builder = builder.master(master)
    if master is not None and master.startswith("local"):
        for key, value in LOCAL_SETTINGS.items():
            builder = builder.config(key, value)
        builder = builder.config("spark.sql.shuffle.partitions", str(_local_partitions(master)))
        # PySpark starts its Python workers with $PYSPARK_PYTHON (default: python3 on
        # PATH, which may lack distillguard); locally, this interpreter is the right one.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # the JVM did not start: no Java, bad master URL, ...
        raise ConfigError(
            f"Spark did not start ({one_line(str(exc), 160)}); it needs Java 17+ (JAVA_HOME)"
        ) from None
    spark.sparkContext.setLogLevel("ERROR")
    return spark, True


def _local_partitions(master: str) -> int:
    """Shuffle partitions for ``local[N]``: a few per core, not Spark's 200."""
    inside = master[master.find("[") + 1 : master.find("]")] if "[" in master else "1"
    threads = inside.split(",")[0].strip()
    cores = (os.cpu_count() or 2) if threads == "*" else int(threads or 1)
    return max(4, 2 * cores)


@contextmanager
def _session_settings(spark: SparkSession, settings: Mapping[str, str]) -> Iterator[None]:
    """Set runtime SQL settings for the scan; restore the session's own afterwards."""
    previous: dict[str, str | None] = {key: spark.conf.get(key, None) for key in settings}
    for key, value in settings.items():
        spark.conf.set(key, value)
    try:
        yield
    finally:
        for key, old in previous.items():
            if old is None:
                spark.conf.unset(key)
            else:
                spark.conf.set(key, old)


def scan_settings(config: Config, time_zone: str) -> dict[str, str]:
    """Runtime settings that make Spark SQL agree with the embedded engine."""
    return {
        # hour() and date_trunc() in the profile see the same clock as DuckDB's.
        "spark.sql.session.timeZone": time_zone,
        "spark.sql.caseSensitive": "true",  # column names as DuckDB matches them
        "spark.sql.ansi.enabled": "true",  # overflow and bad casts fail, never go null
        "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
        "spark.sql.execution.arrow.maxRecordsPerBatch": str(max(1, config.ingest.batch_rows)),
        # Valid and quarantined rows are written by two concurrent writers per task,
        # not sorted by part first.
        "spark.sql.maxConcurrentOutputFileWriters": "2",
    }


# -- the Spark part of a scan -----------------------------------------------------------


@dataclass(frozen=True)
class Aggregates:
    """What the driver's account-level stages need from the events, computed by Spark."""

    #: One row per account (``profiles.PROFILE_SQL``), typed as DuckDB types it.
    profile: pa.Table
    #: ``account_indicators(account_id, kind, value)`` (``linkage.indicators_sql``).
    indicators: pa.Table
    #: Event columns with at least one non-null value.
    available_columns: frozenset[str]


@dataclass
class SparkStage:
    """The outcome of the Spark part: counts, where the events are, the aggregates."""

    files: list[FileReport]
    #: Folder of the valid, de-duplicated events (Parquet); None when there are none.
    events_uri: str | None
    quarantine: pa.Table
    profile: pa.Table
    indicators: pa.Table
    available_columns: frozenset[str]
    seconds: dict[str, float] = field(default_factory=dict)


def run_spark_stage(
    spark: SparkSession,
    inputs: Sequence[str | Path],
    config: Config,
    stage_uri: str,
    *,
    now: datetime | None = None,
    until: datetime | None = None,
    pii_key: bytes | None = None,
    time_zone: str = "UTC",
) -> SparkStage:
    """Validate, featurise, de-duplicate and aggregate ``inputs`` with Spark.

    Parameters
    ----------
    inputs:
        Parquet files or folders (local paths, expanded like the embedded engine's), or
        URIs Spark reads (``s3a://bucket/logs/``, ``gs://...``, ``hdfs://...``).
    stage_uri:
        Folder the executors write the featured events and quarantine to (replaced).
    until:
        Aggregate only events at or before this instant.
    """
    from pyspark.sql import functions as F

    timer = _Timer()
    paths, names = input_paths(inputs)
    if not paths:
        return _empty_stage()
    limits = Limits.from_config(config.ingest, now if now is not None else datetime.now(UTC))
    ingest_batches = BatchIngest(limits, config.features, config.privacy, pii_key, names)
    featured_uri = _join(stage_uri, _FEATURED)
    with _session_settings(spark, scan_settings(config, time_zone)):
        from pyspark.sql.pandas.types import from_arrow_schema

        raw = read_parquet_events(spark, paths)
        featured = raw.mapInArrow(ingest_batches, from_arrow_schema(STAGE_SCHEMA))
        featured.write.mode("overwrite").partitionBy(PART_COLUMN).parquet(featured_uri)
        timer.lap("validate_features")
        staged = spark.read.parquet(featured_uri)
        counts = staged.groupBy("source_file", PART_COLUMN).count().toArrow().to_pylist()
        events_uri: str | None = None
        duplicates = QUARANTINE_SCHEMA.empty_table()
        if any(row[PART_COLUMN] == EVENT_PART for row in counts):
            events_uri = _join(featured_uri, f"{PART_COLUMN}={EVENT_PART}")
            duplicates, deduplicated = _duplicates(spark, events_uri, config)
            if deduplicated is not None:
                events_uri = _join(stage_uri, _DEDUPLICATED)
                deduplicated.write.mode("overwrite").parquet(events_uri)
        quarantine = _quarantine(staged, duplicates)
        timer.lap("deduplicate")
        files = _file_reports(paths, names, counts, duplicates)
        if events_uri is None:
            return SparkStage(files, None, quarantine, pa.table({}), _no_indicators(),
                              frozenset(), timer.seconds)
        events = spark.read.parquet(events_uri)
        if until is not None:
            events = events.where(F.col("timestamp") <= F.lit(until.astimezone(UTC)))
        view = "distillguard_events"
        events.createOrReplaceTempView(view)
        try:
            profile = spark.sql(to_spark_sql(profile_sql(config, view))).toArrow()
            indicators = spark.sql(to_spark_sql(indicators_sql(config.linkage, view))).toArrow()
            available = _available_columns(spark, view)
        finally:
            spark.catalog.dropTempView(view)
        timer.lap("aggregate")
    return SparkStage(
        files, events_uri, quarantine, profile, indicators, available, timer.seconds
    )


def input_paths(inputs: Sequence[str | Path]) -> tuple[list[str], dict[str, str]]:
    """What Spark reads, and how each local file is named in outputs.

    Local paths are expanded and checked as the embedded engine does (folders give their
    files, sorted; a file that is not contract-1 Parquet is an :class:`InputFileError`),
    and each file keeps the name the embedded engine gives it. URIs go to Spark as given.
    """
    from distillguard.ingest import _plan  # the embedded engine's per-file checks

    paths: list[str] = []
    names: dict[str, str] = {}
    local = [p for p in inputs if not is_uri(p)]
    for path in list_input_files(local):
        plan = _plan(path, "auto")
        if plan.source.container != "parquet":
            raise InputFileError(
                str(path), "the Spark engine reads Parquet; use --engine duckdb for "
                f"{plan.source.container} files")
        if plan.adapter is not EVENTS:
            raise InputFileError(
                str(path), f"the Spark engine reads the events format, not {plan.adapter.name}")
        absolute = os.path.abspath(path)
        paths.append(absolute)
        names[absolute] = str(path)
    paths.extend(str(p) for p in inputs if is_uri(p))
    return paths, names


def read_parquet_events(spark: SparkSession, paths: Sequence[str]) -> DataFrame:
    """The contract-1 columns the files have, plus each row's file and 1-based row.

    Files with different columns are read with Spark's schema merging (a column a file
    lacks is null there); local files of one schema skip that pass. Local footers are
    read on the driver (schema, row groups); URIs are left to Spark.
    """
    from pyspark.sql import functions as F
    from pyspark.sql.utils import AnalysisException

    local = [pq.ParquetFile(p) for p in paths if not is_uri(p)]
    merge = len({str(f.schema_arrow) for f in local}) > 1 or len(local) < len(paths)
    try:
        frame = spark.read.option("mergeSchema", str(merge).lower()).parquet(*paths)
    except AnalysisException as exc:
        raise InputFileError(", ".join(paths)[:200], one_line(str(exc), 200)) from None
    present = [name for name in EVENT_COLUMNS if name in frame.columns]
    missing = [name for name in REQUIRED_COLUMNS if name not in present]
    if missing:
        raise InputFileError(", ".join(paths)[:200], f"missing required column '{missing[0]}'")
    frame = frame.select(
        *present,
        F.col("_metadata.file_path").alias(FILE_COLUMN),
        (F.col("_metadata.row_index") + 1).alias(ROW_COLUMN),
    )
    # Spark splits a Parquet file by row groups: a small input in fewer row groups than
    # cores would be validated by one task while the others wait.
    parallelism = spark.sparkContext.defaultParallelism
    if len(local) == len(paths) and sum(f.metadata.num_row_groups for f in local) < parallelism:
        frame = frame.repartition(parallelism)
    return frame


def _duplicates(
    spark: SparkSession, events_uri: str, config: Config
) -> tuple[pa.Table, DataFrame | None]:
    """Quarantine rows for repeated ``request_id`` s, and the events without them.

    The first copy by (file, row) stays, as in the embedded engine. One pass counts ids
    and distinct ids; only when they differ are the repeated ids' rows ranked.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    events = spark.read.parquet(events_uri)
    totals = events.agg(F.count("*").alias("n"), F.count_distinct("request_id").alias("d"))
    row = totals.collect()[0]
    if row["n"] == row["d"]:
        return QUARANTINE_SCHEMA.empty_table(), None
    repeated = events.groupBy("request_id").count().where("count > 1").select("request_id")
    order = Window.partitionBy("request_id").orderBy("source_file", "source_row")
    extra = (
        events.join(repeated, "request_id", "left_semi")
        .withColumn("copy", F.row_number().over(order))
        .where("copy > 1")
    )
    raw = F.expr(DuplicateRule.from_config(config).raw_sql(EVENT_COLUMNS, "spark"))
    rows = extra.select(
        "source_file", "source_row", F.lit(DUPLICATE_REASON).alias("reason"), raw.alias("raw")
    ).toArrow()
    kept = events.join(
        extra.select("source_file", "source_row"), ["source_file", "source_row"], "left_anti"
    )
    return _as_quarantine(rows), kept


def _quarantine(staged: DataFrame, duplicates: pa.Table) -> pa.Table:
    rejected = (
        staged.where(staged[PART_COLUMN] == QUARANTINE_PART)
        .select("source_file", "source_row", "reason", "raw")
        .toArrow()
    )
    table = pa.concat_tables([_as_quarantine(rejected), duplicates])
    return table.sort_by([("source_file", "ascending"), ("source_row", "ascending")])


def _as_quarantine(table: pa.Table) -> pa.Table:
    return pa.Table.from_arrays(
        [table.column(f.name).cast(f.type) for f in QUARANTINE_SCHEMA], schema=QUARANTINE_SCHEMA
    )


def _available_columns(spark: SparkSession, view: str) -> frozenset[str]:
    counts = ", ".join(f"count(`{name}`) AS `{name}`" for name in EVENT_COLUMNS)
    row = spark.sql(f"SELECT {counts} FROM {view}").collect()[0]
    return frozenset(name for name in EVENT_COLUMNS if row[name])


def _file_reports(
    paths: Sequence[str],
    names: Mapping[str, str],
    counts: list[dict[str, Any]],
    duplicates: pa.Table,
) -> list[FileReport]:
    """Per input file: rows read = valid + quarantined (duplicates included)."""
    reports: dict[str, FileReport] = {
        names[p]: FileReport(path=names[p]) for p in paths if p in names
    }
    for row in counts:  # per (file, part): a handful of rows
        report = reports.setdefault(row["source_file"], FileReport(path=row["source_file"]))
        report.rows_read += int(row["count"])
        if row[PART_COLUMN] == QUARANTINE_PART:
            report.rows_quarantined += int(row["count"])
    if duplicates.num_rows:
        per_file = duplicates.group_by("source_file").aggregate([("source_row", "count")])
        for name, count in zip(
            per_file.column("source_file").to_pylist(),
            per_file.column("source_row_count").to_pylist(),
            strict=True,
        ):
            reports[name].duplicates = int(count)
            reports[name].rows_quarantined += int(count)
    for report in reports.values():
        report.rows_valid = report.rows_read - report.rows_quarantined
    return list(reports.values())


def _no_indicators() -> pa.Table:
    return pa.table({name: pa.array([], pa.string()) for name in ("account_id", "kind", "value")})


def _empty_stage() -> SparkStage:
    return SparkStage([], None, QUARANTINE_SCHEMA.empty_table(), pa.table({}),
                      _no_indicators(), frozenset())


def _join(base: str, name: str) -> str:
    return base.rstrip("/") + "/" + name


class _Timer:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.seconds[name] = round(now - self._last, 3)
        self._last = now


# -- the driver's workspace ------------------------------------------------------------


class SparkWorkspace(Workspace):
    """A DuckDB workspace on the driver whose ``events`` are Spark's staged Parquet.

    :meth:`ingest` runs the Spark part (:func:`run_spark_stage`); afterwards ``events``
    is a view over the stage, ``quarantine`` holds the rejected rows, and
    :attr:`aggregates` the per-account tables the account-level stages start from. The
    file stays usable by ``distillguard ui``, ``eval --timeline`` and ``intel`` as long
    as the stage folder exists. The Spark engine re-reads every input on each scan: it
    has no incremental ingest, and replaces a workspace it wrote before.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        master: str | None = None,
        stage: str | None = None,
        until: datetime | None = None,
    ) -> None:
        path = Path(path)
        _clear_previous(path)
        super().__init__(path)
        self.master = master
        self.stage_uri = stage or str((path.parent / "spark-stage").absolute())
        self.until = until
        self.aggregates: Aggregates | None = None
        self.stage_seconds: dict[str, float] = {}
        self._source = "events_until" if until is not None else "events"

    def ingest(
        self,
        inputs: Sequence[str | Path],
        config: Config,
        *,
        fmt: str = "auto",
        now: datetime | None = None,
        progress: ProgressCallback | None = None,
    ) -> IngestReport:
        """Run the Spark part of the scan over ``inputs`` (Parquet, events format)."""
        if fmt not in ("auto", "events"):
            raise ConfigError(f"the Spark engine reads the events format, not {fmt!r}")
        # Records the pseudonymisation key's id in the workspace, as the embedded ingest does.
        check_workspace_key(self.con, config.privacy)
        key = ingest_key(config.privacy) if config.privacy.pseudonymise_at_ingest else None
        row = self.con.execute("SELECT current_setting('TimeZone')").fetchone()
        input_paths(inputs)  # a bad local file fails here, before Spark starts
        spark, started = spark_session(self.master)
        try:
            stage = run_spark_stage(
                spark, inputs, config, self.stage_uri, now=now, until=self.until,
                pii_key=key, time_zone=str(row[0]) if row else "UTC",
            )
        except DistillguardError:
            raise
        except Exception as exc:  # a Spark job failed: one line, not a JVM stack trace
            if not type(exc).__module__.startswith(("pyspark", "py4j")):
                raise
            first = next((line for line in str(exc).splitlines() if line.strip()), "")
            raise SparkJobError(f"the Spark job failed: {one_line(first, 300)}") from None
        finally:
            if started:
                spark.stop()
        report = IngestReport(run_id=self.new_run(), files=stage.files)
        self._attach(stage, config, report.run_id)
        self.stage_seconds = stage.seconds
        if progress is not None:
            for file_report in report.files:
                progress(file_report.path, file_report.rows_read)
        return report

    def _attach(self, stage: SparkStage, config: Config, run_id: int) -> None:
        if stage.events_uri is not None:
            glob = _quote(_duckdb_uri(stage.events_uri) + "/*.parquet")
            columns = ", ".join(f'"{name}"' for name in STAGED_EVENT_COLUMNS)
            self.con.execute("DROP VIEW IF EXISTS events")
            self.con.execute(
                f"CREATE VIEW events AS SELECT {columns}, CAST({int(run_id)} AS BIGINT) AS run_id "
                f"FROM read_parquet({glob}, hive_partitioning = false)"
            )
        if stage.quarantine.num_rows:
            rows = stage.quarantine.append_column(
                "run_id", pa.repeat(pa.scalar(run_id, pa.int64()), stage.quarantine.num_rows)
            )
            self.con.register("_quarantine", rows)
            self.con.execute("INSERT INTO quarantine SELECT * FROM _quarantine")
            self.con.unregister("_quarantine")
        if stage.events_uri is None:
            return
        self.con.execute("CREATE OR REPLACE TEMP VIEW no_events AS SELECT * FROM events LIMIT 0")
        expected = build_profiles(self.con, config, source="no_events").schema
        if stage.profile.column_names != expected.names:
            raise WorkspaceError(
                "the Spark profile's columns differ from the embedded engine's: "
                f"{stage.profile.column_names} vs {expected.names}"
            )
        self.aggregates = Aggregates(
            profile=stage.profile.cast(expected),
            indicators=stage.indicators.select(["account_id", "kind", "value"]).cast(
                pa.schema([(n, pa.string()) for n in ("account_id", "kind", "value")])
            ),
            available_columns=stage.available_columns,
        )

    def available_columns(self, source: str = "events") -> set[str]:
        """Spark's count for the analysed events; DuckDB's for any other source."""
        if self.aggregates is not None and source == self._source:
            return set(self.aggregates.available_columns)
        return super().available_columns(source)


def _clear_previous(path: Path) -> None:
    """Remove a workspace an earlier Spark scan wrote; refuse to touch any other."""
    if not path.exists():
        return
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        raise WorkspaceError(f"cannot open workspace {path}: {exc}") from None
    try:
        held = embedded_event_count(con)
    finally:
        con.close()
    if held:
        raise WorkspaceError(
            f"workspace {path} holds events ingested by the duckdb engine; the Spark "
            "engine writes its own: scan into another --out or --workspace"
        )
    path.unlink()
    wal = path.with_name(path.name + ".wal")
    if wal.exists():
        wal.unlink()


def _duckdb_uri(uri: str) -> str:
    """How DuckDB names a stage folder Spark wrote (``s3a://`` is ``s3://`` to DuckDB)."""
    if uri.startswith("file:"):
        from distillguard.engines.batches import local_name

        return local_name(uri)
    if uri.startswith(("s3a://", "s3n://")):
        return "s3://" + uri.split("://", 1)[1]
    return uri


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
