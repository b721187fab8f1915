"""A hostile-file corpus, generated at run time: every input has a clear outcome.

Row-level problems go to quarantine with a reason and the counts add up; whole-file
problems are one :class:`InputFileError` naming the file and the cause (and, in a run of
several files, what became of the others). Nothing raises anything else.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from distillguard.config import IngestConfig, default_config
from distillguard.engines.embedded import EmbeddedWorkspace
from distillguard.errors import InputFileError, NoValidRowsError
from distillguard.ingest import check_inputs, read_events
from distillguard.scan import scan
from distillguard.schema import EVENT_SCHEMA, QUARANTINE_SCHEMA

NOW = datetime(2026, 3, 1, tzinfo=UTC)
TS = "2026-02-27T20:08:29Z"


def row(request_id: str, **extra: Any) -> dict[str, Any]:
    return {"request_id": request_id, "timestamp": TS, "account_id": "acct", **extra}


def line(request_id: str, tail: str = "") -> bytes:
    """A JSON Lines record whose end (``tail``, after a comma) is written by hand."""
    head = json.dumps(row(request_id))[:-1]
    return (head + (", " + tail if tail else "") + "}").encode()


def ingest_config(**changes: Any) -> IngestConfig:
    return dataclasses.replace(default_config().ingest, **changes)


def read(paths: list[Path], **kwargs: Any) -> tuple[pa.Table, pa.Table, int]:
    """Valid rows, quarantined rows and rows read; the invariant checked per chunk."""
    valid, quarantine, rows = [], [], 0
    for chunk in read_events(paths, now=NOW, **kwargs):
        assert chunk.valid.schema == EVENT_SCHEMA
        assert chunk.quarantine.schema == QUARANTINE_SCHEMA
        assert chunk.rows_read == chunk.valid.num_rows + chunk.quarantine.num_rows
        valid.append(chunk.valid)
        quarantine.append(chunk.quarantine)
        rows += chunk.rows_read
    return pa.concat_tables(valid), pa.concat_tables(quarantine), rows


def reasons_by_row(quarantine: pa.Table) -> dict[int, str]:
    return dict(zip(quarantine.column("source_row").to_pylist(),
                    quarantine.column("reason").to_pylist(), strict=True))


# -- row-level: one file, each line its own outcome ------------------------------------

HOSTILE_LINES: list[tuple[str, bytes, str | None]] = [
    ("ok", line("ok"), None),
    ("deep_brackets", b"[" * 100_000, "JSON nested too deep"),  # the RecursionError repro
    ("deep_field", line("deep", '"prompt": ' + "[" * 200 + "]" * 200), "JSON nested too deep"),
    ("deep_object", line("deepobj", '"x": ' + '{"a": ' * 300 + "1" + "}" * 300),
     "JSON nested too deep"),
    ("brackets_in_text", line("text", '"prompt": "' + "[" * 5000 + '"'), None),
    ("escaped_quote_brackets", line("esc", '"prompt": "\\"' + "{" * 500 + '"'), None),
    ("invalid_utf8", line("utf8", '"prompt": "a') + b"\xff\xfe\"}", "invalid UTF-8"),
    ("overlong_utf8", line("overlong", '"prompt": "') + b"\xc0\xaf\"}", "invalid UTF-8"),
    ("raw_nul", line("rawnul", '"prompt": "a') + b"\x00b\"}", "invalid JSON"),
    ("escaped_nul", line("nul", '"prompt": "a\\u0000b"'), "NUL byte in prompt"),
    ("nul_in_account", b'{"request_id": "nulacct", "timestamp": "' + TS.encode()
     + b'", "account_id": "a\\u0000"}', "NUL byte in account_id"),
    ("timestamp_object", b'{"request_id": "t1", "timestamp": {"a": 1}, "account_id": "x"}',
     "unparseable timestamp"),
    ("timestamp_array", b'{"request_id": "t2", "timestamp": [1], "account_id": "x"}',
     "unparseable timestamp"),
    ("timestamp_bool", b'{"request_id": "t3", "timestamp": true, "account_id": "x"}',
     "unparseable timestamp"),
    ("timestamp_nan_text", b'{"request_id": "t4", "timestamp": "NaN", "account_id": "x"}',
     "timestamp"),
    ("timestamp_nan_literal", b'{"request_id": "t5", "timestamp": NaN, "account_id": "x"}',
     "unparseable timestamp"),  # DuckDB's JSON reads NaN; it is no time
    ("timestamp_infinity", b'{"request_id": "t6", "timestamp": "-Infinity", "account_id": "x"}',
     "timestamp"),
    ("timestamp_huge_number", b'{"request_id": "t7", "timestamp": 1e308, "account_id": "x"}',
     "timestamp out of range"),
    ("timestamp_far_future", b'{"request_id": "t8", "timestamp": "9999-12-31T23:59:59Z", '
     b'"account_id": "x"}', "timestamp out of range"),
    ("timestamp_year_294247", b'{"request_id": "t9", "timestamp": "294247-01-10T04:00:54Z", '
     b'"account_id": "x"}', "timestamp"),
    ("timestamp_epoch_far_future", b'{"request_id": "t10", "timestamp": 99999999999999, '
     b'"account_id": "x"}', "timestamp out of range"),
    ("timestamp_next_week", b'{"request_id": "t11", "timestamp": "2026-03-08T00:00:00Z", '
     b'"account_id": "x"}', "timestamp out of range"),
    ("account_object", b'{"request_id": "w1", "timestamp": "' + TS.encode()
     + b'", "account_id": {"id": 1}}', "wrong type for account_id"),
    ("prompt_array", line("w2", '"prompt": ["a", "b"]'), "wrong type for prompt"),
    ("n_text", line("w3", '"n": "many"'), "wrong type for n"),
    ("tokens_negative", line("w4", '"prompt_tokens": -5'), "prompt_tokens out of range"),
    ("temperature_nan", line("w5", '"temperature": "nan"'), "temperature"),
    ("logprobs_object", line("w6", '"logprobs": {}'), "logprobs"),
    ("number_as_account", b'{"request_id": "w7", "timestamp": "' + TS.encode()
     + b'", "account_id": 12345}', None),  # a number is an id's text
    ("not_an_object", b'"just a string"', "not a JSON object"),
    ("truncated_object", b'{"request_id": "cut", "timestamp": ', "invalid JSON"),
    ("duplicate_same", line("ok"), "duplicate request_id"),
    ("duplicate_other_content", line("ok", '"prompt": "something else"'),
     "duplicate request_id"),
]


@pytest.fixture(scope="module")
def hostile_jsonl(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("corpus") / "hostile.jsonl"
    path.write_bytes(b"\n".join(data for _, data, _ in HOSTILE_LINES) + b"\n")
    return path


@pytest.fixture(scope="module")
def hostile_scan(hostile_jsonl: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("scan")
    scan([hostile_jsonl], out, write_report=False, now=NOW)
    return out


@pytest.mark.parametrize(("name", "expected"), [(n, e) for n, _, e in HOSTILE_LINES])
def test_when_a_hostile_line_is_read_then_it_has_its_own_clear_outcome(
    hostile_scan: Path, name: str, expected: str | None
) -> None:
    number = [n for n, _, _ in HOSTILE_LINES].index(name) + 1
    reasons = reasons_by_row(pq.read_table(hostile_scan / "quarantine.parquet"))
    if expected is None:
        assert number not in reasons, reasons.get(number)
    else:
        assert expected in reasons[number], reasons[number]


def test_when_hostile_lines_are_scanned_then_counts_add_up_and_nothing_is_lost(
    hostile_scan: Path,
) -> None:
    summary = json.loads((hostile_scan / "summary.json").read_text())
    assert summary["rows_read"] == len(HOSTILE_LINES)
    assert summary["rows_read"] == summary["rows_valid"] + summary["rows_quarantined"]
    quarantine = pq.read_table(hostile_scan / "quarantine.parquet")
    assert summary["rows_quarantined"] == quarantine.num_rows
    assert all(quarantine.column("reason").to_pylist())
    assert summary["rows_valid"] == sum(e is None for _, _, e in HOSTILE_LINES)


def test_when_a_line_is_50_mb_then_it_is_quarantined_and_the_next_line_is_read(
    tmp_path: Path,
) -> None:
    path = tmp_path / "big.jsonl"
    with path.open("wb") as handle:
        handle.write(line("big", '"prompt": "' + "x" * (50 << 20) + '"') + b"\n")
        handle.write(line("after") + b"\n")
    valid, quarantine, rows = read([path])
    assert rows == 2 and valid.column("request_id").to_pylist() == ["after"]
    assert "prompt too long" in quarantine.column("reason")[0].as_py()
    # With a lower record bound the line is skipped unread.
    valid, quarantine, rows = read([path], config=ingest_config(max_record_bytes=1 << 20))
    assert rows == 2 and valid.column("request_id").to_pylist() == ["after"]
    assert quarantine.column("reason")[0].as_py().startswith("record too long")
    assert len(quarantine.column("raw")[0].as_py()) <= 4000  # kept as an excerpt


def test_when_json_depth_bound_is_off_then_python_parsing_still_cannot_recurse(
    tmp_path: Path,
) -> None:
    path = tmp_path / "deep.jsonl"
    path.write_bytes(line("ok") + b"\n" + b"[" * 100_000 + b"\n")
    valid, quarantine, rows = read([path], config=ingest_config(max_json_depth=0))
    assert rows == 2 and valid.num_rows == 1
    assert "invalid JSON" in quarantine.column("reason")[0].as_py()


def test_when_the_first_line_is_deep_then_it_is_quarantined_not_a_file_error(
    tmp_path: Path,
) -> None:
    path = tmp_path / "deep_first.jsonl"
    path.write_bytes(b"[" * 100_000 + b"\n" + line("ok") + b"\n")
    valid, quarantine, rows = read([path])
    assert rows == 2 and valid.column("request_id").to_pylist() == ["ok"]
    assert "JSON nested too deep" in quarantine.column("reason")[0].as_py()


def test_when_csv_fields_are_hostile_then_rows_are_quarantined_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "hostile.csv"
    big = "y" * 150_000  # longer than Python's csv field limit (128 KiB), under the prompt cap
    path.write_text(
        "request_id,timestamp,account_id,prompt\n"
        f"c1,{TS},acct,hello\n"
        f'c2,{TS},acct,"{big}"\n'
        f'c3,{TS},acct,"a ""quoted"" one","extra"\n'
        f"c4,{TS},acct,\x00nul\n"
        f'c5,{TS},acct,"{"z" * 300_000}"\n'
        f'c6,{TS},acct,"never closed\n'
    )
    valid, quarantine, rows = read([path])
    assert rows == 6
    assert valid.column("request_id").to_pylist() == ["c1", "c2"]
    assert valid.column("prompt")[1].as_py() == big
    reasons = reasons_by_row(quarantine)
    assert "malformed CSV row" in reasons[4]
    assert "NUL byte in prompt" in reasons[5]
    assert "prompt too long" in reasons[6]
    assert "a quoted value never closes" in reasons[7]


def test_when_a_csv_header_is_huge_then_it_is_read_or_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "header.csv"
    path.write_text("request_id,timestamp,account_id,\"" + "z" * 200_000 + "\"\n"
                    f"h1,{TS},acct,x\n")
    valid, _, rows = read([path])  # a 200 KB column name is odd, not fatal
    assert rows == valid.num_rows == 1
    with pytest.raises(InputFileError, match=r"header\.csv: bad CSV header \(record too long"):
        read([path], config=ingest_config(max_record_bytes=64 << 10))


# -- compressed inputs ---------------------------------------------------------------------


def test_when_a_gzip_bomb_is_read_then_the_file_is_refused_whole(tmp_path: Path) -> None:
    path = tmp_path / "bomb.jsonl.gz"
    with gzip.open(path, "wb", compresslevel=9) as handle:
        handle.write(line("first") + b"\n")
        for _ in range(64):
            handle.write(b" " * (1 << 20))  # 64 MiB that compress ~1000x
    config = ingest_config(decompression_floor_bytes=4 << 20)
    with pytest.raises(InputFileError, match=r"bomb\.jsonl\.gz.*decompresses to more than"):
        read([path], config=config)


def test_when_a_zstd_bomb_is_read_then_the_file_is_refused_whole(tmp_path: Path) -> None:
    path = tmp_path / "bomb.jsonl.zst"
    with pa.output_stream(str(path), compression="zstd") as handle:
        handle.write(line("first") + b"\n" + b"\n" * (16 << 20))
    config = ingest_config(decompression_floor_bytes=1 << 20)
    with pytest.raises(InputFileError, match="decompresses to more than"):
        check_inputs([path], config=config) and read([path], config=config)


def test_when_compressed_logs_are_ordinary_then_the_bound_does_not_bite(tmp_path: Path) -> None:
    path = tmp_path / "ok.jsonl.gz"
    with gzip.open(path, "wb") as handle:
        handle.write(b"".join(line(f"r{i}") + b"\n" for i in range(2000)))
    config = ingest_config(decompression_floor_bytes=0)  # only the ratio counts
    valid, _, rows = read([path], config=config)
    assert rows == valid.num_rows == 2000


def test_when_a_parquet_page_bomb_is_read_then_the_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.parquet"
    table = pa.table({"request_id": ["r"] * 20_000, "timestamp": [TS] * 20_000,
                      "account_id": ["a" * 500] * 20_000})
    pq.write_table(table, path, compression="zstd", use_dictionary=False)
    config = ingest_config(decompression_floor_bytes=1 << 20)
    with pytest.raises(InputFileError, match=r"bomb\.parquet.*Parquet pages decompress"):
        check_inputs([path], config=config)


# -- whole-file problems -------------------------------------------------------------------


def _corrupt_footer(path: Path) -> None:
    pq.write_table(pa.table({"request_id": ["r"], "timestamp": [TS], "account_id": ["a"]}), path)
    data = bytearray(path.read_bytes())
    data[-12:-4] = b"\xff" * 8  # the footer length and metadata, not the magic
    path.write_bytes(bytes(data))


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _empty_dir(path: Path) -> None:
    path.mkdir()


def _truncated_gzip(path: Path) -> None:
    data = gzip.compress(b"".join(line(f"r{i}") + b"\n" for i in range(100)))
    path.write_bytes(data[: len(data) // 2])


def _garbage_parquet(path: Path) -> None:
    path.write_bytes(b"PAR1" + b"\x00" * 100 + b"PAR1")


def _json_document(path: Path) -> None:
    path.write_text(json.dumps([row("a")]))


def _binary_csv(path: Path) -> None:
    path.write_bytes(b"\x00\x01\x02" * 10)


FILE_CASES = [
    ("corrupt_footer.parquet", _corrupt_footer, "Parquet"),
    ("garbage.parquet", _garbage_parquet, "Parquet"),
    ("pipe.jsonl", _fifo, "named pipe"),
    ("folder", _empty_dir, "no input files"),
    ("truncated.jsonl.gz", _truncated_gzip, "decompress"),
    ("document.json", _json_document, "not JSON Lines"),
]


@pytest.mark.skipif(sys.platform == "win32", reason="FIFOs are POSIX")
@pytest.mark.parametrize(("name", "make", "cause"), FILE_CASES)
def test_when_a_file_cannot_be_read_then_one_error_names_it_and_its_cause(
    tmp_path: Path, name: str, make: Any, cause: str
) -> None:
    path = tmp_path / name
    make(path)
    with pytest.raises(InputFileError) as caught:
        check_inputs([path])
        read([path])
    message = str(caught.value)
    assert str(path) in message and cause in message
    assert "\n" not in message


def test_when_a_file_is_unreadable_then_the_error_says_permission_denied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "secret.jsonl"
    path.write_bytes(line("r") + b"\n")
    if os.geteuid() != 0:  # root reads anything: simulate the refusal instead
        path.chmod(0)
    else:
        real_open = Path.open

        def refuse(self: Path, *args: Any, **kwargs: Any) -> Any:
            if self == path:
                raise PermissionError(13, "Permission denied", str(self))
            return real_open(self, *args, **kwargs)

        monkeypatch.setattr(Path, "open", refuse)
    with pytest.raises(InputFileError, match=r"secret\.jsonl: permission denied"):
        check_inputs([path])


def test_when_one_of_several_inputs_is_bad_then_nothing_is_ingested_and_the_error_says_so(
    tmp_path: Path,
) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.jsonl").write_bytes(line("a") + b"\n")
    _corrupt_footer(tmp_path / "in" / "b.parquet")
    (tmp_path / "in" / "c.jsonl").write_bytes(line("c") + b"\n")
    with EmbeddedWorkspace(tmp_path / "ws.duckdb") as ws:
        with pytest.raises(InputFileError) as caught:
            ws.ingest([tmp_path / "in"], default_config())
        assert ws.con.execute("SELECT count(*) FROM files").fetchone() == (0,)
    message = str(caught.value)
    assert "b.parquet" in message and "nothing was ingested" in message


def test_when_a_file_breaks_mid_read_then_the_error_says_what_became_of_the_others(
    tmp_path: Path,
) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.jsonl").write_bytes(line("a") + b"\n")
    # Past the first MiB (what the check before reading looks at) the gzip stream ends.
    body = b"".join(line(f"b{i}", '"prompt": "' + f"{i:08d}" * 40 + '"') + b"\n"
                    for i in range(12_000))
    data = gzip.compress(body)
    (tmp_path / "in" / "b.jsonl.gz").write_bytes(data[: len(data) * 3 // 4])
    (tmp_path / "in" / "c.jsonl").write_bytes(line("c") + b"\n")
    with EmbeddedWorkspace(tmp_path / "ws.duckdb") as ws:
        with pytest.raises(InputFileError) as caught:
            ws.ingest([tmp_path / "in"], default_config(), now=NOW)
        ingested = ws.con.execute("SELECT path FROM files").fetchall()
        events = ws.con.execute("SELECT request_id FROM events").fetchall()
    assert [Path(p).name for (p,) in ingested] == ["a.jsonl"]
    assert events == [("a",)]  # nothing of b.jsonl.gz stays
    message = str(caught.value)
    assert "b.jsonl.gz" in message
    assert "1 earlier input ingested and kept, 1 later input not read" in message


def test_when_every_row_is_invalid_then_the_scan_fails_after_writing_the_quarantine(
    tmp_path: Path,
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"request_id": "a", "timestamp": "nope", "account_id": "x"}\n' * 3)
    with pytest.raises(NoValidRowsError, match=r"all 3 rows were quarantined.*unparseable"):
        scan([path], tmp_path / "out", write_report=False, now=NOW)
    assert pq.read_table(tmp_path / "out" / "quarantine.parquet").num_rows == 3
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["warnings"] and "all 3 rows quarantined" in summary["warnings"][0]


def test_when_one_file_is_empty_among_others_then_a_warning_not_an_error(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.jsonl").write_bytes(line("a") + b"\n")
    (tmp_path / "in" / "b.jsonl").write_bytes(b"")
    result = scan([tmp_path / "in"], tmp_path / "out", write_report=False, now=NOW)
    assert result.summary["rows_valid"] == 1
    assert any("b.jsonl: no rows" in w for w in result.summary["warnings"])
    with pytest.raises(NoValidRowsError, match="holds no rows"):
        scan([tmp_path / "in" / "b.jsonl"], tmp_path / "out2", write_report=False, now=NOW)


def test_when_a_parquet_file_has_hostile_values_then_they_are_quarantined(tmp_path: Path) -> None:
    path = tmp_path / "typed.parquet"
    table = pa.table({
        "request_id": ["p1", "p2", "p3", "p4", "p1"],
        "timestamp": pa.array([1.77e12, float("nan"), float("inf"), 1e18, 1.77e12]),
        "account_id": pa.array([1, 2, 3, 4, 5], pa.int64()),
        "prompt": pa.array([b"ok", b"x", b"x", b"y", b"\xff"], pa.binary()),
        "temperature": [0.5, 0.5, float("nan"), 0.5, 0.5],
    })
    pq.write_table(table, path)
    valid, quarantine, rows = read([path])
    assert rows == 5
    assert valid.column("request_id").to_pylist() == ["p1"]
    assert valid.column("account_id").to_pylist() == ["1"]  # an integer id is its text
    reasons = reasons_by_row(quarantine)
    assert "timestamp" in reasons[2]
    assert "temperature" in reasons[3]  # wrong types are reported before ranges
    assert "timestamp out of range" in reasons[4]
    assert "invalid UTF-8 in column 'prompt'" in reasons[5]
