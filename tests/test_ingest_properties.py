"""Properties of ingest: arbitrary input never crashes it and rows are never lost."""

from __future__ import annotations

import dataclasses
import json
import math
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from distillguard.config import default_config
from distillguard.errors import InputFileError
from distillguard.ingest import read_events
from distillguard.schema import EVENT_COLUMNS, EVENT_SCHEMA

NOW = datetime(2026, 3, 1, tzinfo=UTC)
CONFIG = dataclasses.replace(default_config().ingest, batch_rows=8, max_prompt_chars=50)
SETTINGS = settings(
    max_examples=35, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["2026-02-27T20:08:29Z", "1772222909000", "10.0.0.1", "::1", "OK", "yes"]),
)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3), max_leaves=5)
records = st.dictionaries(
    st.sampled_from([*EVENT_COLUMNS, "extra", "messages"]), json_values, max_size=12
)


def read_bytes(data: bytes, suffix: str, fmt: str = "auto") -> tuple[int, int, int]:
    """(rows_read, valid, quarantined) over all chunks, checking each chunk's invariant."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(data)
        read = valid = quarantined = 0
        for chunk in read_events([path], fmt=fmt, config=CONFIG, now=NOW):
            assert chunk.valid.schema == EVENT_SCHEMA
            assert chunk.rows_read == chunk.valid.num_rows + chunk.quarantine.num_rows
            assert chunk.rows_read <= CONFIG.batch_rows
            _check_valid_rows(chunk.valid)
            assert all(r for r in chunk.quarantine.column("reason").to_pylist())
            read += chunk.rows_read
            valid += chunk.valid.num_rows
            quarantined += chunk.quarantine.num_rows
        return read, valid, quarantined


def _check_valid_rows(valid: pa.Table) -> None:
    """Whatever came in, what is called valid satisfies contract 1."""
    for row in valid.to_pylist():
        assert row["request_id"].strip() and row["account_id"].strip()
        assert row["timestamp"] is not None
        assert row["prompt"] is None or len(row["prompt"]) <= CONFIG.max_prompt_chars
        for name in ("prompt_tokens", "completion_tokens", "max_tokens"):
            assert row[name] is None or 0 <= row[name] <= CONFIG.max_token_count
        assert row["temperature"] is None or 0 <= row["temperature"] <= CONFIG.max_temperature
        assert row["temperature"] is None or math.isfinite(row["temperature"])
        assert row["n"] is None or 1 <= row["n"] <= CONFIG.max_n
        assert row["status"] in (None, "ok", "refused", "error")


def _non_blank_lines(data: bytes) -> int:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return sum(1 for line in data.split(b"\n") if line.strip())


@SETTINGS
@given(st.lists(st.binary(max_size=40), max_size=20))
def test_when_lines_are_arbitrary_bytes_then_every_line_is_counted(lines: list[bytes]) -> None:
    data = b"\n".join(line.replace(b"\n", b" ") for line in lines)
    try:
        read, valid, quarantined = read_bytes(data, ".jsonl", fmt="events")
    except InputFileError:
        return  # a file-level verdict (e.g. it looks like a JSON document) is allowed
    assert read == valid + quarantined == _non_blank_lines(data)


@SETTINGS
@given(st.lists(st.text(max_size=40), max_size=20))
def test_when_lines_are_arbitrary_text_then_every_line_is_counted(lines: list[str]) -> None:
    data = "\n".join(line.replace("\n", " ") for line in lines).encode("utf-8")
    try:
        read, valid, quarantined = read_bytes(data, ".jsonl", fmt="openai_log")
    except InputFileError:
        return
    assert read == valid + quarantined == _non_blank_lines(data)


@SETTINGS
@given(st.lists(records, min_size=1, max_size=15))
def test_when_field_values_are_arbitrary_then_no_crash_and_no_row_lost(
    rows: list[dict[str, Any]],
) -> None:
    anchor = {"request_id": "anchor", "timestamp": "2026-02-27T20:08:29Z", "account_id": "a"}
    data = "\n".join(json.dumps(row) for row in [anchor, *rows]).encode()
    read, valid, _ = read_bytes(data, ".jsonl", fmt="events")
    assert read == len(rows) + 1
    assert valid >= 1  # the anchor row is always valid


@SETTINGS
@given(st.lists(st.lists(st.text(max_size=12), min_size=1, max_size=6), max_size=12))
def test_when_csv_cells_are_arbitrary_then_every_record_is_counted(
    cells: list[list[str]],
) -> None:
    def quote(value: str) -> str:
        return '"' + value.replace('"', '""') + '"'

    header = "request_id,timestamp,account_id,prompt"
    body = [",".join(quote(v) for v in row) for row in cells]
    data = "\n".join([header, *body]).encode("utf-8")
    read, valid, quarantined = read_bytes(data, ".csv")
    assert read == valid + quarantined == len(cells)


@SETTINGS
@given(st.lists(records, max_size=5))
def test_when_the_same_rows_are_read_twice_then_results_are_identical(
    rows: list[dict[str, Any]],
) -> None:
    anchor = {"timestamp": "2026-02-27T20:08:29Z", "account_id": "a", "client_ip": "::1"}
    data = "\n".join(json.dumps(row) for row in [anchor, *rows]).encode()

    def tables() -> tuple[pa.Table, pa.Table]:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "gw.jsonl"
            path.write_bytes(data)
            chunks = list(read_events([path], fmt="glasswally", config=CONFIG, now=NOW))
            valid = pa.concat_tables([c.valid for c in chunks])
            quarantine = pa.concat_tables([c.quarantine for c in chunks])
            return valid, quarantine.drop_columns(["source_file"])

    first, second = tables(), tables()
    assert first[0].equals(second[0]) and first[1].equals(second[1])
    assert first[0].num_rows + first[1].num_rows == len(rows) + 1


@SETTINGS
@given(st.lists(st.text(alphabet=st.sampled_from('ab,"\n\r 1'), max_size=15), max_size=12))
def test_when_csv_quoting_is_broken_then_counts_still_add_up(lines: list[str]) -> None:
    data = "\n".join(["request_id,timestamp,account_id", *lines]).encode("utf-8")
    read, valid, quarantined = read_bytes(data, ".csv")
    assert read == valid + quarantined
