"""The Spark engine: the SQL dialect rules, the per-batch ingest, and parity with DuckDB.

The first tests need no JVM: dialect rules as (DuckDB, Spark) text pairs, and the batch
function Spark runs in ``mapInArrow`` checked row for row against the embedded ingest.
The ``spark`` tests start PySpark in local mode and assert that a scan with
``--engine spark`` reaches the same decisions and campaigns as the embedded engine, and
that every translation rule computes in Spark what the DuckDB expression computes.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from distillguard.cli import app
from distillguard.config import default_config
from distillguard.detect.features import event_features
from distillguard.detect.linkage import indicators_sql
from distillguard.detect.profiles import profile_sql
from distillguard.engines import open_workspace
from distillguard.engines.batches import (
    EVENT_PART,
    FILE_COLUMN,
    PART_COLUMN,
    QUARANTINE_PART,
    ROW_COLUMN,
    STAGE_SCHEMA,
    BatchIngest,
)
from distillguard.engines.spark import SparkWorkspace, input_paths
from distillguard.engines.sql_dialect import SqlTranslationError, to_spark_sql
from distillguard.errors import ConfigError, InputFileError, WorkspaceError
from distillguard.ingest import read_events
from distillguard.ingest.validate import Limits
from distillguard.scan import scan
from distillguard.schema import EVENT_COLUMNS, FEATURE_COLUMNS
from distillguard.simulate import Scenario, simulate

NOW = datetime(2026, 3, 1, tzinfo=UTC)
runner = CliRunner()


# -- the dialect, as text -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("duck", "spark"),
    [
        ("epoch(timestamp)", "(unix_micros(timestamp) / 1e6)"),
        ("EPOCH(b.last_seen) - epoch(b.first_seen)",
         "(unix_micros(b.last_seen) / 1e6) - (unix_micros(b.first_seen) / 1e6)"),
        ("epoch_us(t)", "unix_micros(t)"),
        ("epoch_ms(t)", "unix_millis(t)"),
        ("to_timestamp(floor(s / 1800) * 1800)", "timestamp_seconds(floor(s / 1800) * 1800)"),
        ("quantile_cont(gap, 0.5)", "percentile(gap, 0.5)"),
        ("median(x)", "percentile(x, 0.5)"),
        ("arg_max(capability, c)", "max_by(capability, c)"),
        ("arg_min(capability, c)", "min_by(capability, c)"),
        ("arg_max(capability, row(c, capability))", "max_by(capability, struct(c, capability))"),
        ("count(DISTINCT hash(prompt))", "count(DISTINCT xxhash64(prompt))"),
        ("strlen(x)", "octet_length(x)"),
        ("log(x)", "log10(x)"),
        ("log(2, x)", "log(2, x)"),
        ("list(kind ORDER BY kind)", "array_sort(collect_list(kind))"),
        ("flatten(list(kinds))", "flatten(collect_list(kinds))"),
        ("CAST(x AS VARCHAR)", "CAST(x AS STRING)"),
        ("TIMESTAMPTZ '2026-01-01 00:00:00+00:00'", "TIMESTAMP '2026-01-01 00:00:00+00:00'"),
        ("CAST(x AS HUGEINT)", "CAST(x AS DECIMAL(38, 0))"),
        ('SELECT "odd name" FROM t', "SELECT `odd name` FROM t"),
        ("a SEMI JOIN b USING (k)", "a LEFT SEMI JOIN b USING (k)"),
        ("a LEFT ANTI JOIN b USING (k)", "a LEFT ANTI JOIN b USING (k)"),
        ("a // b", "a  div  b"),
        # Shared by both dialects: unchanged.
        ("count(*) FILTER (WHERE capability <> 'general')",
         "count(*) FILTER (WHERE capability <> 'general')"),
        ("SELECT account_id, count(*) FROM e GROUP BY ALL",
         "SELECT account_id, count(*) FROM e GROUP BY ALL"),
        ("mode(org_id)", "mode(org_id)"),
        ("md5(system_prompt)", "md5(system_prompt)"),
        ("row_number() OVER (PARTITION BY a ORDER BY b)",
         "row_number() OVER (PARTITION BY a ORDER BY b)"),
        # Literals, comments and qualified columns are never rewritten.
        ("'epoch(x) and hash(y)'", "'epoch(x) and hash(y)'"),
        ("'it''s epoch(x)'", "'it''s epoch(x)'"),
        ("-- epoch(x) in a comment\nepoch(x)", "-- epoch(x) in a comment\n(unix_micros(x) / 1e6)"),
        ("t.hash", "t.hash"),
        ("epoch(coalesce(a, epoch_us(b)))", "(unix_micros(coalesce(a, unix_micros(b))) / 1e6)"),
        ("quantile_cont(x, 0.5) FILTER (WHERE y = ',')",
         "percentile(x, 0.5) FILTER (WHERE y = ',')"),
    ],
)
def test_when_duckdb_construct_then_spark_text(duck: str, spark: str) -> None:
    assert to_spark_sql(duck) == spark


@pytest.mark.parametrize(
    ("duck", "message"),
    [
        ("x::VARCHAR", "'::' cast"),
        ("struct_pack(a := 1)", "struct_pack"),
        ("regexp_matches(prompt, 'a+')", "regular expressions differ"),
        ("strftime(timestamp, '%Y')", "format patterns"),
        ("SELECT * FROM t QUALIFY row_number() OVER () = 1", "QUALIFY"),
        ("list(kind ORDER BY weight)", "only when y is x"),
        ("list(DISTINCT kind)", "DISTINCT"),
        ("quantile_cont(x)", "quantile_cont\\(\\) with 1 arguments"),
        ("epoch(x", "unbalanced"),
        ("'open", "unterminated"),
    ],
)
def test_when_duckdb_only_construct_then_translation_error(duck: str, message: str) -> None:
    with pytest.raises(SqlTranslationError, match=message):
        to_spark_sql(duck)


def test_the_profile_and_indicator_queries_translate_without_duckdb_only_functions() -> None:
    config = default_config()
    for sql in (profile_sql(config, "ev"), indicators_sql(config.linkage, "ev")):
        spark = to_spark_sql(sql)
        lowered = spark.lower()
        for duckdb_only in ("epoch(", "quantile_cont(", "arg_max(", "hash(", " varchar"):
            assert f"{duckdb_only}" not in lowered.replace("xxhash64(", "").replace(
                "unix_micros(", ""
            ), duckdb_only


# -- the batch function, against the embedded ingest ---------------------------------------


def _mixed_rows_file(path: Path) -> Path:
    """Parquet with text-typed columns: valid rows and one row per kind of problem."""
    rows: list[dict[str, Any]] = [
        {"request_id": "r1", "timestamp": "2026-02-01T00:00:00Z", "account_id": "a1",
         "prompt": "Explain step by step: what is 2+2?", "ip": "10.0.0.1",
         "email": "user8231@mail.example", "max_tokens": "9000", "status": "ok"},
        {"request_id": "r2", "timestamp": "1769904001000", "account_id": "a2",
         "prompt": "Write a Python function that sorts a list", "ip": "2001:db8::1",
         "prompt_tokens": "12", "status": "OK"},
        {"request_id": "r3", "timestamp": "2026-02-01T00:00:02Z", "account_id": None},
        {"request_id": "r4", "timestamp": "not a time", "account_id": "a3"},
        {"request_id": "r5", "timestamp": "2026-02-01T00:00:03Z", "account_id": "a3",
         "ip": "999.1.1.1"},
        {"request_id": "r6", "timestamp": "2026-02-01T00:00:04Z", "account_id": "a3",
         "prompt_tokens": "-5"},
        {"request_id": "r7", "timestamp": "2026-02-01T00:00:05Z", "account_id": "a3",
         "status": "weird"},
        {"request_id": "r8", "timestamp": "2126-02-01T00:00:05Z", "account_id": "a4"},
        {"request_id": "r9", "timestamp": "2026-02-01T00:00:06Z", "account_id": "a4",
         "prompt": "Grade this answer with a rubric from 1 to 10", "system_prompt": "be terse"},
    ]
    columns = ("request_id", "timestamp", "account_id", "prompt", "ip", "email", "max_tokens",
               "prompt_tokens", "status", "system_prompt")
    table = pa.table({c: pa.array([r.get(c) for r in rows], pa.string()) for c in columns})
    pq.write_table(table, path)
    return path


def _spark_like_batches(path: Path, uri: str, chunk: int) -> Iterator[pa.RecordBatch]:
    """The file as Spark hands it to mapInArrow: its columns plus file and 1-based row."""
    table = pq.read_table(path)
    table = table.append_column(FILE_COLUMN, pa.repeat(pa.scalar(uri), table.num_rows))
    table = table.append_column(ROW_COLUMN, pa.array(np.arange(1, table.num_rows + 1)))
    yield from table.to_batches(max_chunksize=chunk)


def _batch_ingest(path: Path) -> BatchIngest:
    config = default_config()
    return BatchIngest(
        Limits.from_config(config.ingest, NOW), config.features, config.privacy, None,
        {str(path.absolute()): "logs/mixed.parquet"},
    )


@pytest.mark.parametrize("chunk", [4, 100])
def test_batch_ingest_matches_the_embedded_ingest_row_for_row(tmp_path: Path, chunk: int) -> None:
    path = _mixed_rows_file(tmp_path / "mixed.parquet")
    config = default_config()
    chunks = list(read_events([path], config=config.ingest, now=NOW))
    valid = pa.concat_tables([c.valid for c in chunks])
    quarantine = pa.concat_tables([c.quarantine for c in chunks])
    expected = event_features(valid, config.features)

    uri = "file://" + str(path.absolute())
    out = pa.Table.from_batches(
        list(_batch_ingest(path)(_spark_like_batches(path, uri, chunk))), schema=STAGE_SCHEMA
    )
    events = out.filter(pc.equal(out.column(PART_COLUMN), EVENT_PART))
    rejected = out.filter(pc.equal(out.column(PART_COLUMN), QUARANTINE_PART))

    assert events.num_rows + rejected.num_rows == 9  # rows read = valid + quarantined
    assert events.num_rows == valid.num_rows == 3
    for name in (*EVENT_COLUMNS, *FEATURE_COLUMNS):
        assert events.column(name).to_pylist() == expected.column(name).to_pylist(), name
    assert events.column("source_row").to_pylist() == [1, 2, 9]
    assert set(out.column("source_file").to_pylist()) == {"logs/mixed.parquet"}
    # A row's raw JSON lists the columns its batch has, so it is compared for one batch.
    compared = ["source_row", "reason", "raw"] if chunk >= 9 else ["source_row", "reason"]
    assert rejected.select(compared).to_pylist() == quarantine.select(compared).to_pylist()


def test_batch_spanning_two_files_is_validated_per_file(tmp_path: Path) -> None:
    path = _mixed_rows_file(tmp_path / "mixed.parquet")
    one = pa.Table.from_batches(list(_spark_like_batches(path, "s3a://b/one.parquet", 99)))
    two = pa.Table.from_batches(list(_spark_like_batches(path, "s3a://b/two.parquet", 99)))
    both = pa.concat_tables([one, two]).combine_chunks().to_batches()
    out = pa.Table.from_batches(list(_batch_ingest(path)(iter(both))), schema=STAGE_SCHEMA)
    per_file = out.group_by(["source_file", PART_COLUMN]).aggregate([("source_row", "count")])
    counts = {(r["source_file"], r[PART_COLUMN]): r["source_row_count"]
              for r in per_file.to_pylist()}
    assert counts == {
        ("s3a://b/one.parquet", EVENT_PART): 3, ("s3a://b/one.parquet", QUARANTINE_PART): 6,
        ("s3a://b/two.parquet", EVENT_PART): 3, ("s3a://b/two.parquet", QUARANTINE_PART): 6,
    }


# -- choosing the engine --------------------------------------------------------------------


def test_unknown_engine_and_spark_options_without_spark_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown engine 'flink'"):
        open_workspace("flink", tmp_path / "w.duckdb")
    with pytest.raises(ConfigError, match="need --engine spark"):
        open_workspace("duckdb", tmp_path / "w.duckdb", spark_master="local[2]")


def test_when_pyspark_is_missing_then_scan_engine_spark_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pyspark", None)  # import pyspark → ImportError
    result = runner.invoke(
        app, ["scan", str(tmp_path / "x.parquet"), "--out", str(tmp_path / "out"),
              "--engine", "spark"]
    )
    assert result.exit_code == 2
    assert "'spark' extra" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_local_inputs_are_expanded_and_checked_like_the_embedded_engine(tmp_path: Path) -> None:
    folder = tmp_path / "logs"
    folder.mkdir()
    _mixed_rows_file(folder / "b.parquet")
    _mixed_rows_file(folder / "a.parquet")
    (folder / ".hidden.parquet").write_bytes(b"ignored")
    paths, names = input_paths([str(folder), "s3a://bucket/more/"])
    assert paths == [str((folder / "a.parquet").absolute()), str((folder / "b.parquet").absolute()),
                     "s3a://bucket/more/"]
    assert names[paths[0]] == str(folder / "a.parquet")

    (tmp_path / "events.jsonl").write_text(
        '{"request_id": "r1", "timestamp": "2026-02-01T00:00:00Z", "account_id": "a1"}\n'
    )
    with pytest.raises(InputFileError, match="reads Parquet"):
        input_paths([tmp_path / "events.jsonl"])
    pq.write_table(pa.table({"request_id": ["r1"], "timestamp": ["2026-02-01"]}),
                   tmp_path / "no_account.parquet")
    with pytest.raises(InputFileError, match="missing required column 'account_id'"):
        input_paths([tmp_path / "no_account.parquet"])


def test_spark_workspace_replaces_its_own_but_never_an_embedded_workspace(
    tmp_path: Path,
) -> None:
    own = tmp_path / "own.duckdb"
    con = duckdb.connect(str(own))
    con.execute("CREATE VIEW events AS SELECT 1 AS x")  # what a Spark scan leaves
    con.close()
    with SparkWorkspace(own) as ws:
        assert ws.con.execute("SELECT count(*) FROM events").fetchone() == (0,)

    embedded = tmp_path / "embedded"
    scan([_mixed_rows_file(tmp_path / "mixed.parquet")], embedded, write_report=False)
    with pytest.raises(WorkspaceError, match="ingested by the duckdb engine"):
        SparkWorkspace(embedded / "workspace.duckdb")


# -- Spark in local mode ---------------------------------------------------------------------


def _spark_missing() -> str | None:
    try:
        import pandas  # noqa: F401
        import pyspark  # noqa: F401
    except ImportError as exc:
        return f"the spark extra is not installed ({exc.name} missing)"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "Spark needs Java 17+ (no java on PATH, no JAVA_HOME)"
    return None


needs_spark = pytest.mark.skipif(_spark_missing() is not None, reason=str(_spark_missing()))


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from pyspark.sql import SparkSession

    previous = os.environ.get("PYSPARK_PYTHON")
    os.environ["PYSPARK_PYTHON"] = sys.executable  # workers import this distillguard
    scratch = tmp_path_factory.mktemp("spark")
    session = (
        SparkSession.builder.master("local[2]")
        .appName("distillguard-tests")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.sql.warehouse.dir", str(scratch / "warehouse"))
        .config("spark.local.dir", str(scratch / "local"))
        .config("spark.driver.extraJavaOptions", f"-Djava.io.tmpdir={scratch}")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
    if previous is None:
        os.environ.pop("PYSPARK_PYTHON", None)
    else:
        os.environ["PYSPARK_PYTHON"] = previous


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """A simulated day with campaigns, and a second file of bad rows and duplicates."""
    folder = tmp_path_factory.mktemp("sim")
    result = simulate(Scenario(accounts=360, hours=24, seed=5), folder)
    events = pq.read_table(result.events_path)
    repeats = events.slice(100, 3)  # the same request ids again: duplicates
    extra = pa.concat_tables([repeats, events.slice(200, 2)]).to_pylist()
    extra[3]["request_id"] = "extra-1"
    extra[3]["ip"] = "not an ip"
    extra[4]["request_id"] = "extra-2"
    extra[4]["prompt_tokens"] = -1
    pq.write_table(pa.Table.from_pylist(extra, schema=events.schema), folder / "late.parquet")
    return [Path(result.events_path), folder / "late.parquet"]


@pytest.fixture(scope="module")
def both_scans(
    spark: Any, inputs: list[Path], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path]:
    embedded = tmp_path_factory.mktemp("duckdb")
    scan(inputs, embedded, write_report=False)
    distributed = tmp_path_factory.mktemp("spark") / "out"
    result = runner.invoke(
        app,
        ["scan", *map(str, inputs), "--out", str(distributed), "--engine", "spark",
         "--spark-master", "local[2]", "--no-report"],
    )
    assert result.exit_code == 0, result.output
    return embedded, distributed


def _decisions(out: Path) -> dict[str, str]:
    table = pq.read_table(out / "accounts.parquet", columns=["account_id", "decision"])
    return dict(zip(table.column(0).to_pylist(), table.column(1).to_pylist(), strict=True))


@pytest.mark.spark
@needs_spark
def test_spark_scan_reaches_the_same_decisions_and_campaigns(
    both_scans: tuple[Path, Path],
) -> None:
    embedded, distributed = both_scans
    assert _decisions(distributed) == _decisions(embedded)
    assert any(d in ("review", "block") for d in _decisions(embedded).values())
    campaigns = [json.loads((out / "campaigns.json").read_text()) for out in both_scans]
    members = [{c["campaign_id"]: sorted(c["accounts"]) for c in found} for found in campaigns]
    assert members[0] and members[1] == members[0]
    # Everything else too: risk, reasons, exchanges, timeline, shared indicators' text.
    assert campaigns[1] == campaigns[0]


@pytest.mark.spark
@needs_spark
def test_spark_scan_counts_and_quarantines_like_the_embedded_engine(
    both_scans: tuple[Path, Path],
) -> None:
    summaries = [json.loads((out / "summary.json").read_text()) for out in both_scans]
    keys = ("rows_read", "rows_valid", "rows_quarantined", "duplicates", "accounts",
            "flagged_accounts", "campaigns", "decisions", "signals_unavailable")
    assert {k: summaries[1][k] for k in keys} == {k: summaries[0][k] for k in keys}
    assert summaries[0]["duplicates"] == 3 and summaries[0]["rows_quarantined"] == 5
    quarantines = [
        pq.read_table(out / "quarantine.parquet", columns=["source_file", "source_row", "reason"])
        .to_pylist() for out in both_scans
    ]
    assert quarantines[1] == quarantines[0]


#: Chosen by arg_max among equal counts: either engine may pick either (see the report).
TIE_AMBIGUOUS: set[str] = set()  # arg_max breaks ties by value in both engines


@pytest.mark.spark
@needs_spark
def test_spark_profile_columns_equal_duckdb_ones(both_scans: tuple[Path, Path]) -> None:
    tables = [pq.read_table(out / "accounts.parquet") for out in both_scans]
    assert tables[1].column_names == tables[0].column_names
    for name in tables[0].column_names:
        if name in TIE_AMBIGUOUS or name == "reasons":
            continue
        left, right = tables[0].column(name), tables[1].column(name)
        if pa.types.is_floating(left.type):
            a = left.to_numpy(zero_copy_only=False).astype(float)
            b = right.to_numpy(zero_copy_only=False).astype(float)
            # Epoch seconds near 1.7e9 carry ~2e-7 s of rounding in either engine.
            assert np.allclose(a, b, rtol=1e-6, atol=1e-5, equal_nan=True), name
        else:
            assert left.to_pylist() == right.to_pylist(), name


@pytest.mark.spark
@needs_spark
def test_every_dialect_rule_computes_in_spark_what_duckdb_computes(spark: Any) -> None:
    """Each rule's DuckDB expression and its translation, over the same small table."""
    rows = pa.table({
        "k": ["a", "a", "a", "b", "b"],
        "ts": pa.array([datetime(2026, 2, 1, 0, 0, s, 200000 * s, tzinfo=UTC) for s in range(5)],
                       pa.timestamp("us", tz="UTC")),
        "x": [1.0, 2.0, 4.0, 8.0, 16.0],
        "cap": ["coding", "reasoning", "coding", "general", "agentic"],
        "c": [2, 2, 1, 1, 1],
        "p": ["same", None, "same", "ü", "ü"],
    })
    query = """
        SELECT k,
            sum(epoch(ts)) AS epoch_sum, max(epoch_us(ts)) AS us, max(epoch_ms(ts)) AS ms,
            quantile_cont(x, 0.3) AS q, median(x) AS med,
            arg_max(cap, row(c, cap)) AS top, arg_min(cap, row(c, cap)) AS low,
            count(DISTINCT hash(p)) AS distinct_p, max(strlen(p)) AS bytes,
            max(log(x)) AS lg, list(cap ORDER BY cap) AS caps,
            count(*) FILTER (WHERE cap <> 'general') AS not_general, mode(p) AS common,
            max(CAST(c AS VARCHAR)) AS text, max(c // 2) AS halves,
            count(*) FILTER (WHERE ts <= TIMESTAMPTZ '2026-02-01 00:00:02+00:00') AS early,
            max(CAST(CAST(to_timestamp(floor(epoch(ts) / 2) * 2) AS TIMESTAMP) AS VARCHAR))
                AS time_text
        FROM rows GROUP BY ALL ORDER BY k
    """
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.register("rows", rows)
    expected = con.execute(query).to_arrow_table().to_pylist()
    spark.createDataFrame(rows).createOrReplaceTempView("rows")
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    got = spark.sql(to_spark_sql(query)).toArrow().to_pylist()
    assert len(got) == len(expected) == 2
    for mine, theirs in zip(got, expected, strict=True):
        for key, value in theirs.items():
            if isinstance(value, float):
                assert mine[key] == pytest.approx(value, rel=1e-12), key
            else:
                assert mine[key] == value, key
