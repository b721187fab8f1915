"""Fuzzing every reader and adapter: whatever the bytes or the structure, nothing but a
:class:`DistillguardError` escapes, the counts add up and every rejected row says why.

Hypothesis runs derandomised (``tests/conftest.py``) with modest example counts, so the
suite stays fast and repeatable; ``pytest --hypothesis-profile=explore`` searches wider.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from distillguard.config import default_config
from distillguard.engines.embedded import EmbeddedWorkspace
from distillguard.errors import DistillguardError
from distillguard.ingest import FORMATS, read_events
from distillguard.ingest.records import nesting_depths
from distillguard.schema import EVENT_COLUMNS, EVENT_SCHEMA, QUARANTINE_SCHEMA

NOW = datetime(2026, 3, 1, tzinfo=UTC)
CONFIG = dataclasses.replace(default_config().ingest, batch_rows=16, max_json_depth=8,
                             max_record_bytes=4096, decompression_floor_bytes=1 << 16,
                             max_decompression_ratio=20.0)
FUZZ = settings(max_examples=25, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
#: Through a whole workspace (about 0.15 s an example).
FUZZ_WORKSPACE = settings(FUZZ, max_examples=12)

#: Keys that mean something to one of the formats (canonical, Glasswally, OpenAI-style).
KEYS = sorted({
    *EVENT_COLUMNS, "client_ip", "token_count", "h2_settings_fp", "campaign_label",
    "messages", "startTime", "user", "id", "litellm_call_id", "response", "usage",
    "metadata", "model_parameters", "proxy_server_request", "tools", "call_type", "error",
    "created", "end_user", "api_key", "session_id",
})
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**66), max_value=2**66),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20),
    st.sampled_from(["2026-02-27T20:08:29Z", "1772222909", "{}", "[]", "user", "10.0.0.1",
                     "chatcmpl-1", "\x00", "ok", "NaN"]),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["role", "content", "text", "type", "id", "choices",
                                         "message", "body", "messages", "user_api_key_hash"]),
                        inner, max_size=3),
    ),
    max_leaves=12,
)
records = st.dictionaries(st.sampled_from(KEYS), json_values, max_size=10)
message = st.fixed_dictionaries({"role": st.sampled_from(["user", "system", "assistant"]),
                                 "content": st.one_of(st.text(max_size=15), json_values)})
openai_records = st.fixed_dictionaries(
    {"startTime": st.sampled_from(["2026-02-27T20:08:29Z", "1772222909", "x"]),
     "user": st.sampled_from(["u1", "u2", "", "u3"]),
     "messages": st.one_of(st.lists(message, max_size=4), st.sampled_from(["{}", "[]", "", "hi"]))},
    optional={"request_id": st.sampled_from(["chatcmpl-same", "r1", "r2"]),
              "response": json_values, "usage": json_values, "metadata": json_values},
)


def check_read(path: Path, fmt: str = "auto") -> tuple[int, int]:
    """(rows read, rows valid); the invariants checked; a file error is allowed."""
    read = valid = 0
    try:
        for chunk in read_events([path], fmt=fmt, config=CONFIG, now=NOW):
            assert chunk.valid.schema == EVENT_SCHEMA
            assert chunk.quarantine.schema == QUARANTINE_SCHEMA
            assert chunk.rows_read == chunk.valid.num_rows + chunk.quarantine.num_rows
            assert all(chunk.quarantine.column("reason").to_pylist())
            assert chunk.valid.column("request_id").null_count == 0
            read += chunk.rows_read
            valid += chunk.valid.num_rows
    except DistillguardError as exc:
        assert str(path) in str(exc) and "\n" not in str(exc)
        return -1, -1
    return read, valid


def in_file(data: bytes, name: str, check: Callable[[Path], Any]) -> Any:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        return check(path)


# -- raw bytes under every name ----------------------------------------------------------


@FUZZ
@given(st.binary(max_size=600), st.sampled_from(
    ["x.jsonl", "x.csv", "x.json", "x.parquet", "x.jsonl.gz", "x.csv.zst", "noname"]))
def test_when_a_file_is_arbitrary_bytes_then_rows_or_one_file_error(data: bytes,
                                                                      name: str) -> None:
    in_file(data, name, check_read)


@FUZZ
@given(st.binary(max_size=400), st.sampled_from(["gzip", "zstd"]))
def test_when_compressed_bytes_are_arbitrary_then_rows_or_one_file_error(data: bytes,
                                                                          codec: str) -> None:
    packed = gzip.compress(data) if codec == "gzip" else _zstd(data)
    in_file(packed, "x.jsonl.gz" if codec == "gzip" else "x.jsonl.zst", check_read)


@FUZZ
@given(st.binary(min_size=1, max_size=300), st.integers(min_value=0, max_value=2000))
def test_when_a_compressed_file_is_cut_or_flipped_then_one_file_error_at_most(
    data: bytes, where: int
) -> None:
    packed = bytearray(gzip.compress(b"".join(
        json.dumps({"request_id": f"r{i}", "timestamp": "2026-02-27T20:08:29Z",
                    "account_id": "a", "prompt": data.hex()}).encode() + b"\n"
        for i in range(20))))
    packed[where % len(packed)] ^= 0xFF
    in_file(bytes(packed[: max(2, where)]), "x.jsonl.gz", check_read)


def _zstd(data: bytes) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.CompressedOutputStream(sink, "zstd") as out:
        out.write(data)
    return bytes(sink.getvalue().to_pybytes())


# -- structured records through every adapter -------------------------------------------


@FUZZ
@given(st.lists(records, min_size=1, max_size=12), st.sampled_from(["auto", *FORMATS]),
       st.sampled_from(["x.jsonl", "x.csv"]))
def test_when_records_are_arbitrary_then_every_adapter_accounts_for_each(
    rows: list[dict[str, Any]], fmt: str, name: str
) -> None:
    if name.endswith(".csv"):
        keys = sorted({k for r in rows for k in r}) or ["request_id"]
        lines = [",".join(keys)] + [",".join(_csv_cell(r.get(k)) for k in keys) for r in rows]
        data = ("\n".join(lines) + "\n").encode()
    else:
        data = b"".join(json.dumps(r).encode() + b"\n" for r in rows)
    read, _ = in_file(data, name, lambda p: check_read(p, fmt))
    assert read in (-1, len(rows))


def _csv_cell(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    return '"' + text.replace('"', '""') + '"'


@FUZZ_WORKSPACE
@given(st.lists(openai_records, min_size=1, max_size=10))
def test_when_gateway_logs_repeat_ids_then_the_workspace_keeps_every_request(
    rows: list[dict[str, Any]],
) -> None:
    data = b"".join(json.dumps(r).encode() + b"\n" for r in rows)
    config = dataclasses.replace(default_config(), ingest=CONFIG)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "litellm.jsonl"
        path.write_bytes(data)
        with EmbeddedWorkspace(Path(folder) / "ws.duckdb") as ws:
            report = ws.ingest([path], config, fmt="openai_log", now=NOW)
            stored = ws.con.execute(
                "SELECT count(*), count(DISTINCT request_id), count(prompt) FILTER "
                "(WHERE prompt IN ('{}', '[]')) FROM events").fetchone()
            quarantined = ws.con.execute("SELECT count(*) FROM quarantine").fetchone()
    f = report.files[0]
    assert f.rows_read == len(rows) == f.rows_valid + f.rows_quarantined
    assert stored is not None and quarantined is not None
    assert stored[0] == stored[1] == f.rows_valid  # ids unique after the fallback
    assert stored[2] == 0  # "{}" messages are no prompt
    assert quarantined[0] == f.rows_quarantined


@FUZZ_WORKSPACE
@given(st.lists(st.fixed_dictionaries({
    "request_id": st.sampled_from(["a", "b", " ", "c"]),
    "account_id": st.sampled_from(["x", "y"]),
    "prompt": st.sampled_from(["p", "q", None]),
}), min_size=1, max_size=12), st.sampled_from(FORMATS))
def test_when_ids_repeat_then_duplicates_plus_kept_rows_add_up_in_every_format(
    rows: list[dict[str, Any]], fmt: str
) -> None:
    data = b"".join(json.dumps({**r, "timestamp": "2026-02-27T20:08:29Z"}).encode() + b"\n"
                    for r in rows)
    config = dataclasses.replace(default_config(), ingest=CONFIG)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.jsonl"
        path.write_bytes(data)
        with EmbeddedWorkspace(Path(folder) / "ws.duckdb") as ws:
            report = ws.ingest([path], config, fmt=fmt, now=NOW)
            ids = ws.con.execute("SELECT count(*), count(DISTINCT request_id) FROM events"
                                 ).fetchone()
    f = report.files[0]
    assert f.rows_read == len(rows) == f.rows_valid + f.rows_quarantined
    assert ids is not None and ids[0] == ids[1] == f.rows_valid


# -- Parquet with arbitrary column types and values -------------------------------------

parquet_columns = st.dictionaries(
    st.sampled_from([*EVENT_COLUMNS, "client_ip", "messages"]),
    st.sampled_from(["string", "int64", "float64", "bool", "timestamp", "binary", "list"]),
    min_size=1, max_size=8,
)


@FUZZ
@given(parquet_columns, st.integers(min_value=0, max_value=20), st.randoms(use_true_random=False))
def test_when_parquet_columns_have_arbitrary_types_then_rows_or_one_file_error(
    columns: dict[str, str], rows: int, rng: Any
) -> None:
    table = pa.table({name: _column(kind, rows, rng) for name, kind in columns.items()})
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.parquet"
        pq.write_table(table, path)
        read, _ = check_read(path)
    assert read in (-1, rows)


def _column(kind: str, rows: int, rng: Any) -> pa.Array:
    pick = [rng.random() for _ in range(rows)]
    if kind == "string":
        return pa.array([None if p < 0.1 else rng.choice(["a", " ", "", "2026-02-27T20:08:29Z",
                                                         "\x00", "x" * 3000]) for p in pick])
    if kind == "int64":
        return pa.array([rng.choice([0, -1, 2**62, 1772222909000]) for _ in pick], pa.int64())
    if kind == "float64":
        return pa.array([rng.choice([0.5, float("nan"), float("inf"), -1e300]) for _ in pick])
    if kind == "bool":
        return pa.array([p < 0.5 for p in pick])
    if kind == "timestamp":
        return pa.array([rng.choice([0, 2**62, -(2**62), 1772222909000000]) for _ in pick],
                        pa.timestamp("us", "UTC"))
    if kind == "binary":
        return pa.array([rng.choice([b"ok", b"\xff\xfe", b""]) for _ in pick], pa.binary())
    return pa.array([[1, 2]] * rows, pa.list_(pa.int64()))


# -- the nesting bound ----------------------------------------------------------------------

valid_json = st.recursive(
    st.one_of(st.none(), st.integers(), st.text(alphabet='ab[]{}"\\', max_size=6)),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.text(alphabet='k[{"\\', max_size=3), inner,
                                            max_size=3)),
    max_leaves=25,
)


def _depth(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    return 0


@settings(max_examples=60, deadline=None)
@given(st.lists(valid_json, min_size=1, max_size=8))
def test_nesting_depth_is_exact_for_valid_json_whatever_the_strings_hold(
    values: list[Any],
) -> None:
    texts = [json.dumps(v).encode() + b"\n" for v in values]
    offsets = np.concatenate(([0], np.cumsum([len(t) for t in texts])))
    buf = np.frombuffer(b"".join(texts), dtype=np.uint8)
    depths = nesting_depths(buf, offsets[:-1], offsets[1:])
    assert depths.tolist() == [_depth(v) for v in values]


@FUZZ
@given(st.lists(st.integers(min_value=0, max_value=14), min_size=1, max_size=10))
def test_when_records_nest_around_the_bound_then_exactly_the_deeper_ones_are_quarantined(
    depths: list[int],
) -> None:
    lines = [json.dumps({"request_id": f"r{i}", "timestamp": "2026-02-27T20:08:29Z",
                         "account_id": "a", "x": _nested(d)}) for i, d in enumerate(depths)]
    data = ("\n".join(lines) + "\n").encode()

    def deep_rows(path: Path) -> list[int]:
        chunks = list(read_events([path], config=CONFIG, now=NOW))
        quarantine = pa.concat_tables([c.quarantine for c in chunks])
        return [row for row, reason in zip(quarantine.column("source_row").to_pylist(),
                                           quarantine.column("reason").to_pylist(), strict=True)
                if "nested too deep" in reason]

    expected = [i + 1 for i, d in enumerate(depths) if d + 1 > CONFIG.max_json_depth]
    assert in_file(data, "x.jsonl", deep_rows) == expected


def _nested(depth: int) -> Any:
    value: Any = "[{"
    for level in range(depth):
        value = [value] if level % 2 else {"a": value}
    return value
