"""Ingest: reading every container into EVENT_SCHEMA, quarantining bad rows, file errors."""

from __future__ import annotations

import dataclasses
import gzip
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from distillguard.config import IngestConfig, default_config
from distillguard.errors import InputFileError
from distillguard.ingest import (
    FORMATS,
    IngestChunk,
    detect_format,
    list_input_files,
    read_events,
)
from distillguard.ingest.records import iter_record_blocks
from distillguard.schema import EVENT_SCHEMA, QUARANTINE_SCHEMA

NOW = datetime(2026, 3, 1, tzinfo=UTC)
TS = "2026-02-27T20:08:29Z"
TS_VALUE = datetime(2026, 2, 27, 20, 8, 29, tzinfo=UTC)

ROWS: list[dict[str, Any]] = [
    {
        "request_id": "r1", "timestamp": TS, "account_id": "a1", "prompt": "Explain, step by step",
        "ip": "10.0.0.1", "model": "gpt-4o", "prompt_tokens": 12, "max_tokens": 1024,
        "temperature": 0.7, "n": 1, "logprobs": True, "status": "ok", "tool_count": 2,
        "turn": 0, "email": "x@example.com",
    },
    {
        "request_id": "r2", "timestamp": TS, "account_id": "a2", "prompt": 'quote " and\nnewline',
        "ip": "2001:db8::1", "completion_tokens": 5,
    },
    {"request_id": "r3", "timestamp": TS, "account_id": "a1"},
]  # fmt: skip


# -- helpers ----------------------------------------------------------------------


def read_all(
    paths: list[Path] | Path, **kwargs: Any
) -> tuple[pa.Table, pa.Table, list[IngestChunk]]:
    """Every chunk of the given inputs, checked for the count invariant."""
    given = paths if isinstance(paths, list) else [paths]
    kwargs.setdefault("now", NOW)
    chunks = list(read_events(given, **kwargs))
    for chunk in chunks:
        assert chunk.valid.schema == EVENT_SCHEMA
        assert chunk.quarantine.schema == QUARANTINE_SCHEMA
        assert chunk.rows_read == chunk.valid.num_rows + chunk.quarantine.num_rows
        assert chunk.valid_rows is not None and len(chunk.valid_rows) == chunk.valid.num_rows
    valid = pa.concat_tables([c.valid for c in chunks])
    quarantine = pa.concat_tables([c.quarantine for c in chunks])
    return valid, quarantine, chunks


def write_jsonl(path: Path, rows: list[Any], opener: Any = open) -> Path:
    with opener(path, "wt", encoding="utf-8") as handle:
        for row in rows:
            handle.write(row if isinstance(row, str) else json.dumps(row))
            handle.write("\n")
    return path


def write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    names = sorted({k for row in rows for k in row})
    columns = {n: [None if r.get(n) is None else str(r[n]) for r in rows] for n in names}
    pacsv.write_csv(pa.table(columns), path)
    return path


def valid_rows(chunks: list[IngestChunk]) -> list[int]:
    """The source rows of all valid rows, in order."""
    return [r for c in chunks if c.valid_rows is not None for r in c.valid_rows.to_pylist()]


def one_row(tmp_path: Path, row: dict[str, Any], **kwargs: Any) -> tuple[pa.Table, pa.Table]:
    valid, quarantine, _ = read_all(write_jsonl(tmp_path / "one.jsonl", [row]), **kwargs)
    return valid, quarantine


def small_config(**changes: Any) -> IngestConfig:
    return dataclasses.replace(default_config().ingest, **changes)


def assert_round_trip(valid: pa.Table) -> None:
    got = {row["request_id"]: row for row in valid.to_pylist()}
    assert sorted(got) == ["r1", "r2", "r3"]
    assert got["r1"]["timestamp"] == TS_VALUE
    assert got["r1"]["prompt"] == "Explain, step by step"
    assert got["r1"]["prompt_tokens"] == 12
    assert got["r1"]["temperature"] == pytest.approx(0.7)
    assert got["r1"]["logprobs"] is True
    assert got["r1"]["turn"] == 0
    assert got["r2"]["prompt"] == 'quote " and\nnewline'
    assert got["r2"]["ip"] == "2001:db8::1"
    assert got["r2"]["completion_tokens"] == 5
    assert got["r3"]["prompt"] is None and got["r3"]["model"] is None


# -- every container round-trips ------------------------------------------------------


def test_when_jsonl_then_rows_round_trip_to_event_schema(tmp_path: Path) -> None:
    valid, quarantine, _ = read_all(write_jsonl(tmp_path / "e.jsonl", ROWS))
    assert quarantine.num_rows == 0
    assert_round_trip(valid)


def test_when_csv_then_rows_round_trip_to_event_schema(tmp_path: Path) -> None:
    valid, quarantine, _ = read_all(write_csv(tmp_path / "e.csv", ROWS))
    assert quarantine.num_rows == 0
    assert_round_trip(valid)


def test_when_parquet_then_typed_columns_round_trip(tmp_path: Path) -> None:
    names = {key for row in ROWS for key in row}
    typed = pa.Table.from_pylist(
        [{**dict.fromkeys(names), **row, "timestamp": TS_VALUE.replace(tzinfo=None)}
         for row in ROWS]
    )
    pq.write_table(typed, tmp_path / "e.parquet")
    valid, quarantine, _ = read_all(tmp_path / "e.parquet")
    assert quarantine.num_rows == 0
    assert_round_trip(valid)


@pytest.mark.parametrize("suffix", [".jsonl.gz", ".json.gz", ".ndjson.zst", ".jsonl.zst"])
def test_when_compressed_jsonl_then_rows_round_trip(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"e{suffix}"
    text = "".join(json.dumps(row) + "\n" for row in ROWS).encode()
    compression = "gzip" if suffix.endswith(".gz") else "zstd"
    with pa.output_stream(str(path), compression=compression) as out:
        out.write(text)
    valid, quarantine, _ = read_all(path)
    assert quarantine.num_rows == 0
    assert_round_trip(valid)


def test_when_csv_is_gzipped_then_rows_round_trip(tmp_path: Path) -> None:
    plain = write_csv(tmp_path / "e.csv", ROWS)
    packed = tmp_path / "e.csv.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    valid, quarantine, _ = read_all(packed)
    assert quarantine.num_rows == 0
    assert_round_trip(valid)


def test_when_folder_then_supported_files_are_read_recursively(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    write_jsonl(tmp_path / "b.jsonl", ROWS[:1])
    write_csv(tmp_path / "sub" / "a.csv", ROWS[1:2])
    write_jsonl(tmp_path / "c.json", ROWS[2:])
    (tmp_path / "notes.txt").write_text("not an input")
    (tmp_path / ".hidden.jsonl").write_text("{}\n")
    files = list_input_files([tmp_path])
    assert [p.relative_to(tmp_path).as_posix() for p in files] == [
        "b.jsonl", "c.json", "sub/a.csv",
    ]  # fmt: skip
    valid, _, chunks = read_all(tmp_path)
    assert [Path(c.source_file).name for c in chunks] == ["b.jsonl", "c.json", "a.csv"]
    assert_round_trip(valid)


def test_when_file_named_twice_then_listed_once(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "e.jsonl", ROWS)
    assert list_input_files([path, str(path), tmp_path]) == [path]


# -- mixed good and bad rows ------------------------------------------------------------


def test_when_file_mixes_bad_rows_then_good_rows_load_and_bad_rows_are_quarantined(
    tmp_path: Path,
) -> None:
    lines = [
        json.dumps(ROWS[0]),
        "this is not json",
        json.dumps({"request_id": "x1", "timestamp": TS}),
        "",
        json.dumps({"request_id": "x2", "timestamp": "2026-13-45", "account_id": "a"}),
        json.dumps(ROWS[1]),
        "[1, 2]",
        json.dumps(ROWS[2]),
    ]
    valid, quarantine, chunks = read_all(write_jsonl(tmp_path / "mixed.jsonl", lines))
    assert sorted(valid.column("request_id").to_pylist()) == ["r1", "r2", "r3"]
    got = {row["source_row"]: row["reason"] for row in quarantine.to_pylist()}
    assert got == {
        2: "invalid JSON: Expecting value at column 1",
        3: "missing required field 'account_id'",
        5: "unparseable timestamp '2026-13-45'",
        7: "not a JSON object (an array)",
    }
    assert sum(c.rows_read for c in chunks) == 7  # the blank line is not a row
    assert valid_rows(chunks) == [1, 6, 8]
    raw = {row["source_row"]: row["raw"] for row in quarantine.to_pylist()}
    assert raw[2] == "this is not json"
    assert set(quarantine.column("source_file").to_pylist()) == {str(tmp_path / "mixed.jsonl")}


def test_when_batch_rows_is_small_then_chunks_stream_and_counts_add_up(tmp_path: Path) -> None:
    rows = [{"request_id": f"r{i}", "timestamp": TS, "account_id": "a"} for i in range(10)]
    rows[4]["account_id"] = ""
    path = write_jsonl(tmp_path / "e.jsonl", rows)
    _, quarantine, chunks = read_all(path, config=small_config(batch_rows=3))
    assert [c.rows_read for c in chunks] == [3, 3, 3, 1]
    assert quarantine.column("source_row").to_pylist() == [5]
    assert valid_rows(chunks) == [1, 2, 3, 4, 6, 7, 8, 9, 10]


def test_when_csv_has_malformed_and_multiline_rows_then_row_numbers_are_lines(
    tmp_path: Path,
) -> None:
    path = tmp_path / "m.csv"
    path.write_bytes(
        b"request_id,timestamp,account_id,prompt\r\n"
        b'r1,2026-02-27T20:08:29Z,a,"two\nlines"\n'
        b"r2,2026-02-27T20:08:29Z,a,x,EXTRA\n"
        b"\n"
        b"r3,not-a-time,a,p\n"
        b"r4,2026-02-27T20:08:29Z,a,\xff\xfe\n"
        b"r5,1772222909000,a,last"
    )
    valid, quarantine, _ = read_all(path)
    assert valid.column("request_id").to_pylist() == ["r1", "r5"]
    assert valid.column("prompt").to_pylist() == ["two\nlines", "last"]
    got = {row["source_row"]: row["reason"] for row in quarantine.to_pylist()}
    assert got == {
        4: "malformed CSV row (expected 4 fields, got 5)",
        6: "unparseable timestamp 'not-a-time'",
        7: "invalid UTF-8",
    }
    raw = {row["source_row"]: row["raw"] for row in quarantine.to_pylist()}
    assert raw[4] == "r2,2026-02-27T20:08:29Z,a,x,EXTRA"
    assert json.loads(raw[6])["timestamp"] == "not-a-time"


def test_when_lines_have_crlf_bom_and_blank_lines_then_they_read_cleanly(tmp_path: Path) -> None:
    body = "\r\n".join(json.dumps(r) for r in ROWS) + "\r\n\r\n   \r\n"
    path = tmp_path / "crlf.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + body.encode())
    valid, quarantine, _ = read_all(path)
    assert quarantine.num_rows == 0
    assert_round_trip(valid)


def test_when_line_is_invalid_utf8_then_only_that_line_is_quarantined(tmp_path: Path) -> None:
    path = tmp_path / "u.jsonl"
    good = json.dumps(ROWS[2]).encode()
    path.write_bytes(good + b"\n" + b'{"request_id": "\xff\xfe"}\n' + good + b"\n")
    valid, quarantine, _ = read_all(path)
    assert valid.num_rows == 2
    assert quarantine.to_pylist()[0]["reason"] == "invalid UTF-8"
    assert quarantine.to_pylist()[0]["source_row"] == 2


def test_when_record_exceeds_the_byte_cap_then_it_is_skipped_without_loading() -> None:
    data = b'{"a": 1}\n' + b"x" * 5000 + b'\n{"b": 2}\n'
    blocks = list(
        iter_record_blocks(
            Path("x"), pa.BufferReader(data), csv=False, max_records=10, block_bytes=64,
            max_record_bytes=1000,
        )
    )  # fmt: skip
    texts = [t for b in blocks for t in b.text.to_pylist()]
    problems = [p for b in blocks for p in b.problems.to_pylist()]
    lines = [n for b in blocks for n in b.line_numbers.to_pylist()]
    assert lines == [1, 2, 3]
    assert problems == [None, "record too long (5000 bytes > 1000)", None]
    assert texts[2] == '{"b": 2}\n'


def test_when_quarantined_row_is_long_then_raw_is_truncated(tmp_path: Path) -> None:
    row = {"request_id": "r", "timestamp": "garbage", "account_id": "a", "prompt": "p" * 500}
    _, quarantine = one_row(tmp_path, row, config=small_config(max_quarantine_row_chars=50))
    assert len(quarantine.column("raw")[0].as_py()) == 50


def test_when_prompt_is_ten_megabytes_then_reason_gives_its_size(tmp_path: Path) -> None:
    row = {"request_id": "r", "timestamp": TS, "account_id": "a", "prompt": "x" * 10_485_760}
    valid, quarantine = one_row(tmp_path, row)
    assert valid.num_rows == 0
    assert quarantine.column("reason")[0].as_py() == "prompt too long (10485760 chars > 200000)"


# -- one test per quarantine reason -----------------------------------------------------

BASE = {"request_id": "r", "timestamp": TS, "account_id": "a"}

REASONS: list[tuple[str, dict[str, Any], str]] = [
    ("missing_request_id", {"request_id": None}, "missing required field 'request_id'"),
    ("blank_request_id", {"request_id": "  "}, "missing required field 'request_id'"),
    ("missing_timestamp", {"timestamp": None}, "missing required field 'timestamp'"),
    ("missing_account", {"account_id": ""}, "missing required field 'account_id'"),
    ("bad_timestamp", {"timestamp": "2026-13-45"}, "unparseable timestamp '2026-13-45'"),
    ("long_bad_timestamp", {"timestamp": "y" * 100}, f"unparseable timestamp '{'y' * 57}...'"),
    ("old_timestamp", {"timestamp": "2010-01-01T00:00:00Z"},
     "timestamp out of range ('2010-01-01T00:00:00Z' is before 2015-01-01T00:00:00Z)"),
    ("future_timestamp", {"timestamp": "2026-03-05T00:00:00Z"},
     "timestamp out of range ('2026-03-05T00:00:00Z' is after 2026-03-03T00:00:00Z)"),
    ("epoch_seconds_as_ms", {"timestamp": 1772222909},
     "timestamp out of range ('1772222909' is before 2015-01-01T00:00:00Z)"),
    ("huge_epoch", {"timestamp": 1e300}, "timestamp out of range ('1e+300')"),
    ("infinite_timestamp", {"timestamp": "infinity"}, "unparseable timestamp 'infinity'"),
    ("epoch_keyword", {"timestamp": "epoch"},
     "timestamp out of range ('epoch' is before 2015-01-01T00:00:00Z)"),
    ("bad_ip", {"ip": "999.1.1.1"}, "invalid ip '999.1.1.1'"),
    ("ip_with_leading_zero", {"ip": "01.2.3.4"}, "invalid ip '01.2.3.4'"),
    ("negative_tokens", {"prompt_tokens": -5}, "prompt_tokens out of range (-5)"),
    ("too_many_tokens", {"max_tokens": 10_000_001}, "max_tokens out of range (10000001)"),
    ("text_tokens", {"prompt_tokens": "abc"}, "wrong type for prompt_tokens ('abc')"),
    ("fractional_tokens", {"completion_tokens": 1.5}, "wrong type for completion_tokens ('1.5')"),
    ("hot_temperature", {"temperature": "hot"}, "wrong type for temperature ('hot')"),
    ("high_temperature", {"temperature": 7}, "temperature out of range (7)"),
    ("zero_n", {"n": 0}, "n out of range (0)"),
    ("many_tools", {"tool_count": 5000}, "tool_count out of range (5000)"),
    ("negative_turn", {"turn": -1}, "turn out of range (-1)"),
    ("bad_logprobs", {"logprobs": "maybe"}, "wrong type for logprobs ('maybe')"),
    ("bad_status", {"status": "weird"}, "invalid status 'weird'"),
    ("object_prompt", {"prompt": {"text": "hi"}}, "wrong type for prompt (object)"),
    ("array_account", {"account_id": ["a", "b"]}, "wrong type for account_id (array)"),
    ("nul_in_prompt", {"prompt": "a\u0000b"}, "NUL byte in prompt"),
    ("nul_in_model", {"model": "gpt\u0000"}, "NUL byte in model"),
    ("long_system_prompt", {"system_prompt": "s" * 400_001},
     "system_prompt too long (400001 chars > 400000)"),
    ("bad_account_created_at", {"account_created_at": "yesterday"},
     "unparseable account_created_at 'yesterday'"),
    ("control_chars_in_value", {"ip": "1.2.3.4\nx"}, "invalid ip '1.2.3.4 x'"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("change", "reason"), [(c, r) for _, c, r in REASONS], ids=[n for n, _, _ in REASONS]
)
def test_when_field_is_bad_then_row_is_quarantined_with_specific_reason(
    tmp_path: Path, change: dict[str, Any], reason: str
) -> None:
    row = {**BASE, **change}
    valid, quarantine = one_row(tmp_path, row)  # None is written as JSON null
    assert valid.num_rows == 0
    assert quarantine.column("reason").to_pylist() == [reason]


ACCEPTED: list[tuple[str, dict[str, Any], str, Any]] = [
    ("iso_with_offset", {"timestamp": "2026-02-27T21:08:29+01:00"}, "timestamp", TS_VALUE),
    ("iso_naive_is_utc", {"timestamp": "2026-02-27 20:08:29"}, "timestamp", TS_VALUE),
    ("epoch_ms_int", {"timestamp": 1772222909000}, "timestamp", TS_VALUE),
    ("epoch_ms_string", {"timestamp": " 1772222909000 "}, "timestamp", TS_VALUE),
    ("ipv6_compressed", {"ip": "2001:0DB8:0000::0001"}, "ip", "2001:db8::1"),
    ("ip_trimmed", {"ip": " 10.1.2.3 "}, "ip", "10.1.2.3"),
    ("status_case", {"status": " Refused "}, "status", "refused"),
    ("logprobs_string", {"logprobs": "yes"}, "logprobs", True),
    ("logprobs_zero", {"logprobs": 0}, "logprobs", False),
    ("tokens_string", {"prompt_tokens": "42"}, "prompt_tokens", 42),
    ("tokens_integral_float", {"prompt_tokens": 42.0}, "prompt_tokens", 42),
    ("empty_model_is_null", {"model": "  "}, "model", None),
    ("empty_tokens_is_null", {"prompt_tokens": ""}, "prompt_tokens", None),
    ("prompt_at_cap", {"prompt": "p" * 200_000}, "prompt", "p" * 200_000),
    ("multibyte_prompt", {"prompt": "é" * 200_000}, "prompt", "é" * 200_000),
    ("numeric_request_id", {"request_id": 17}, "request_id", "17"),
    ("account_created_iso", {"account_created_at": "2025-01-01"}, "account_created_at",
     datetime(2025, 1, 1, tzinfo=UTC)),
]  # fmt: skip


@pytest.mark.parametrize(
    ("change", "column", "expected"),
    [(c, k, v) for _, c, k, v in ACCEPTED],
    ids=[n for n, _, _, _ in ACCEPTED],
)
def test_when_value_is_an_accepted_form_then_it_is_normalised(
    tmp_path: Path, change: dict[str, Any], column: str, expected: Any
) -> None:
    valid, quarantine = one_row(tmp_path, {**BASE, **change})
    assert quarantine.column("reason").to_pylist() == []
    assert valid.column(column).to_pylist() == [expected]


def test_when_row_has_several_problems_then_the_first_in_check_order_wins(
    tmp_path: Path,
) -> None:
    rows = [
        {"request_id": "r1", "timestamp": "bad", "ip": "bad"},  # missing account first
        {**BASE, "timestamp": "bad", "ip": "bad", "prompt_tokens": "x"},  # wrong type first
        {**BASE, "timestamp": "bad", "ip": "bad"},  # then the timestamp
        {**BASE, "ip": "bad", "status": "odd", "n": 0},  # number range before status, ip
        {**BASE, "ip": "bad", "status": "odd"},  # status before ip
    ]
    _, quarantine, _ = read_all(write_jsonl(tmp_path / "order.jsonl", rows))
    assert quarantine.column("reason").to_pylist() == [
        "missing required field 'account_id'",
        "wrong type for prompt_tokens ('x')",
        "unparseable timestamp 'bad'",
        "n out of range (0)",
        "invalid status 'odd'",
    ]


def test_when_unknown_columns_are_present_then_they_are_ignored(tmp_path: Path) -> None:
    valid, quarantine = one_row(tmp_path, {**BASE, "colour": "blue", "nested": {"a": [1]}})
    assert quarantine.num_rows == 0
    assert valid.schema == EVENT_SCHEMA
    path = tmp_path / "extra.csv"
    path.write_text(f"request_id,x,timestamp,x,account_id,\nr1,1,{TS},2,a,\n")
    valid, quarantine, _ = read_all(path)
    assert valid.column("request_id").to_pylist() == ["r1"] and quarantine.num_rows == 0


def test_when_now_is_given_then_future_limit_follows_it(tmp_path: Path) -> None:
    row = {**BASE, "timestamp": "2030-01-01T00:00:00Z"}
    valid, _ = one_row(tmp_path, row, now=datetime(2029, 12, 31, tzinfo=UTC))
    assert valid.num_rows == 1
    valid, _ = one_row(tmp_path, row, now=datetime(2029, 12, 29, tzinfo=UTC))
    assert valid.num_rows == 0


def test_when_parquet_has_typed_edge_values_then_they_are_checked(tmp_path: Path) -> None:
    table = pa.table(
        {
            "request_id": ["p1", "p2", "p3", "p4"],
            "timestamp": pa.array(
                [TS_VALUE, TS_VALUE, TS_VALUE - timedelta(days=5000), None],
                pa.timestamp("ms", tz="Asia/Tokyo"),
            ),
            "account_id": pa.array(["a", "b", "c", "d"]).dictionary_encode(),
            "email": pa.array([b"x@y", b"\xff", None, None], pa.binary()),
            "n": pa.array([1, 200, None, None], pa.int16()),
            "temperature": pa.array([0.5, None, None, None], pa.float32()),
            "ignored": pa.array([[1], [2], [3], [4]]),
        }
    )
    pq.write_table(table, tmp_path / "typed.parquet")
    valid, quarantine, _ = read_all(tmp_path / "typed.parquet")
    assert valid.to_pylist()[0]["timestamp"] == TS_VALUE
    assert valid.to_pylist()[0]["email"] == "x@y"
    assert quarantine.column("reason").to_pylist() == [
        "invalid UTF-8 in column 'email'",
        "timestamp out of range ('2012-06-20 20:08:29+00' is before 2015-01-01T00:00:00Z)",
        "missing required field 'timestamp'",
    ]
    assert quarantine.column("source_row").to_pylist() == [2, 3, 4]
    assert json.loads(quarantine.column("raw")[0].as_py())["n"] == 200


# -- file-level errors --------------------------------------------------------------------


def _error_cases(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    cases: dict[str, tuple[Path, str]] = {}
    cases["missing"] = (tmp_path / "nope.jsonl", "no such file or directory")
    fake = tmp_path / "fake.parquet"
    fake.write_text(json.dumps(ROWS[0]))
    cases["not_parquet"] = (fake, "not a Parquet file")
    bad_gzip = tmp_path / "bad.jsonl.gz"
    bad_gzip.write_bytes(b"\x1f\x8bthis is no gzip stream at all")
    cases["corrupt_gzip"] = (bad_gzip, "cannot decompress or read")
    not_gzip = tmp_path / "plain.jsonl.gz"
    not_gzip.write_text(json.dumps(ROWS[0]))
    cases["gz_name_without_gzip"] = (not_gzip, "not gzip-compressed")
    array = tmp_path / "array.json"
    array.write_text(json.dumps(ROWS))
    cases["json_array"] = (array, "a JSON document, not JSON Lines")
    pretty = tmp_path / "pretty.json"
    pretty.write_text(json.dumps(ROWS[0], indent=2))
    cases["pretty_json"] = (pretty, "a JSON document, not JSON Lines")
    empty_array = tmp_path / "empty.json"
    empty_array.write_text("[]")
    cases["empty_json_array"] = (empty_array, "a JSON document, not JSON Lines")
    no_account = tmp_path / "no_account.csv"
    no_account.write_text("request_id,timestamp\nr1,2026-02-27T20:08:29Z\n")
    cases["csv_missing_column"] = (no_account, "missing required column 'account_id'")
    empty_csv = tmp_path / "empty.csv"
    empty_csv.write_text("")
    cases["csv_empty"] = (empty_csv, "empty CSV file")
    dup = tmp_path / "dup.csv"
    dup.write_text("request_id,timestamp,account_id,account_id\n")
    cases["csv_duplicate_column"] = (dup, "duplicate column 'account_id'")
    jsonl = write_jsonl(tmp_path / "no_ts.jsonl", [{"request_id": "r", "account_id": "a"}])
    cases["jsonl_missing_column"] = (jsonl, "missing required column 'timestamp'")
    parquet = tmp_path / "no_id.parquet"
    pq.write_table(pa.table({"timestamp": [TS], "account_id": ["a"]}), parquet)
    cases["parquet_missing_column"] = (parquet, "missing required column 'request_id'")
    nested = tmp_path / "nested.parquet"
    pq.write_table(
        pa.table({"request_id": ["r"], "timestamp": [TS], "account_id": [["a"]]}), nested
    )
    cases["parquet_nested_type"] = (nested, "column 'account_id' has unsupported type")
    return cases


ERROR_NAMES = [
    "missing", "not_parquet", "corrupt_gzip", "gz_name_without_gzip", "json_array",
    "pretty_json", "empty_json_array", "csv_missing_column", "csv_empty",
    "csv_duplicate_column", "jsonl_missing_column", "parquet_missing_column",
    "parquet_nested_type",
]  # fmt: skip


@pytest.mark.parametrize("name", ERROR_NAMES)
def test_when_file_cannot_be_read_then_input_file_error_names_it(
    tmp_path: Path, name: str
) -> None:
    path, cause = _error_cases(tmp_path)[name]
    with pytest.raises(InputFileError, match=re.escape(cause)) as caught:
        list(read_events([path], now=NOW))
    assert caught.value.path == str(path)
    assert str(path) in str(caught.value)
    assert "\n" not in str(caught.value)


def test_when_a_later_file_is_bad_then_nothing_is_yielded(tmp_path: Path) -> None:
    good = write_jsonl(tmp_path / "good.jsonl", ROWS)
    bad = tmp_path / "bad.parquet"
    bad.write_text("nope")
    events = read_events([good, bad], now=NOW)
    with pytest.raises(InputFileError, match=re.escape(str(bad))):
        next(events)


def test_when_format_is_unknown_then_value_error() -> None:
    with pytest.raises(ValueError, match="unknown format"):
        next(read_events([], fmt="nope"))


def test_when_file_is_empty_then_one_empty_chunk(tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text("\n\n")
    _, _, chunks = read_all(path)
    assert [c.rows_read for c in chunks] == [0]


def test_when_gzip_file_lacks_suffix_then_it_is_still_read(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    with gzip.open(path, "wt") as handle:
        handle.write("".join(json.dumps(row) + "\n" for row in ROWS))
    valid, _, _ = read_all(path)
    assert_round_trip(valid)


def test_formats_are_the_documented_ones() -> None:
    assert FORMATS == ("events", "glasswally", "openai_log")


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        (["request_id", "timestamp", "account_id", "messages"], "events"),
        (["account_id", "timestamp", "client_ip", "token_count"], "glasswally"),
        (["id", "startTime", "messages", "user"], "openai_log"),
        (["request_id", "timestamp"], "events"),
    ],
)
def test_when_keys_are_sniffed_then_format_is_detected(
    tmp_path: Path, keys: list[str], expected: str
) -> None:
    path = write_jsonl(tmp_path / "d.jsonl", [dict.fromkeys(keys, "x")])
    assert detect_format(path) == expected
    csv_path = tmp_path / "d.csv"
    csv_path.write_text(",".join(keys) + "\n")
    assert detect_format(csv_path) == expected
