"""Validation's Arrow fast path (``ingest.screen``) gives exactly what the query gives."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import duckdb
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from distillguard.config import default_config
from distillguard.ingest.screen import screen
from distillguard.ingest.validate import (
    CHECK_ORDER,
    Limits,
    Validated,
    ValidationPolicy,
    canonical_ips,
    prepare_connection,
    present_kinds,
    validate_staged,
)
from distillguard.schema import EVENT_SCHEMA

NOW = datetime(2026, 3, 1, tzinfo=UTC)
CONFIG = dataclasses.replace(default_config().ingest, max_prompt_chars=12, max_text_chars=20)
LIMITS = Limits.from_config(CONFIG, NOW)
POLICY = ValidationPolicy()
SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])

MICROS = 1_000_000
MILLIS = pa.timestamp("ms", tz="UTC")
LOW_US = int(LIMITS.timestamp_min.timestamp()) * MICROS
HIGH_US = int(LIMITS.timestamp_max.timestamp()) * MICROS
IN_RANGE_US = int(datetime(2026, 2, 1, tzinfo=UTC).timestamp()) * MICROS
#: Values on and around every limit, and the awkward ones (blanks, NUL, infinities).
TIMES = [None, IN_RANGE_US, LOW_US, HIGH_US, 0, LOW_US - 1, HIGH_US + 1, 2**62, 2**63 - 1,
         -(2**63) + 1]  # fmt: skip
IDS = [None, "a1", "é", "", " ", " c", "\tx", "d\x00", "e" * 25]
TEXTS = [None, "hello", "", "ünï", "  ", " lead", "x\x00y", "long " * 5, "\r\n"]
STATUSES = [None, "ok", "refused", "error", "OK", " ok", "", "weird"]
IPS = [None, "10.0.0.1", "::1", "2001:db8::0:1", "", "01.2.3.4", " ", "x", "300.1.1.1"]
TEMPERATURES = [None, 0.0, -0.0, 0.7, 5.0, 5.5, -0.1, float("nan"), float("inf")]


def _ints(low: int, high: int) -> list[int | None]:
    return [None, (low + high) // 2, low, high, low - 1, high + 1, -(2**40)]


#: Per column kind: the pool of values and how many at its start pass every check.
def _pool(name: str) -> tuple[list[Any], int]:
    if name == "timestamp":
        return [v for v in TIMES if v is not None] + [None], 3
    if name == "account_created_at":
        return TIMES, 5
    if name == "temperature":
        return TEMPERATURES, 5
    if name in LIMITS.int_bounds:
        return _ints(*LIMITS.int_bounds[name]), 4
    if name == "logprobs":
        return [None, True, False], 3
    if name in ("request_id", "account_id"):
        return [*IDS[1:], None], 2
    return {"status": (STATUSES, 4), "ip": (IPS, 4), "prompt": (TEXTS, 4),
            "response": (TEXTS, 4), "system_prompt": (TEXTS, 4)}.get(name, (IDS, 4))  # fmt: skip


def _column(draw: Any, name: str, rows: int) -> pa.Array | None:
    """A column in a type a typed source would give, mostly clean, sometimes not at all."""
    field = EVENT_SCHEMA.field(name)
    if draw(st.integers(0, 11)) == 0:
        return None  # the column is absent
    pool, clean = _pool(name)
    dirty = draw(st.integers(0, 19)) == 0
    choices = pool if dirty else pool[:clean]
    values = draw(st.lists(st.sampled_from(choices), min_size=rows, max_size=rows))
    if name in ("timestamp", "account_created_at"):
        tz = draw(st.sampled_from([None, "UTC"]))
        return pa.array(values, pa.int64()).view(pa.timestamp("us", tz=tz))
    if name == "temperature":
        return pa.array(values, draw(st.sampled_from([pa.float64(), pa.float32()])))
    if name in LIMITS.int_bounds:
        fits = all(v is None or abs(v) < 2**31 - 1 for v in values)
        return pa.array(values, draw(st.sampled_from([pa.int64(), pa.int32()])) if fits
                        else pa.int64())  # fmt: skip
    if name == "logprobs":
        return pa.array(values, pa.bool_())
    return pa.array(values, draw(st.sampled_from([field.type, pa.large_string()])))


@st.composite
def staged_batches(draw: Any) -> pa.Table:
    rows = draw(st.integers(1, 12))
    columns: dict[str, pa.Array] = {}
    for name in EVENT_SCHEMA.names:
        column = _column(draw, name, rows)
        if column is not None:
            columns[name] = column
    columns["__row"] = pa.array(range(1, rows + 1), pa.int64())
    problems = draw(st.sampled_from([[None], [None, None, "invalid UTF-8"]]))
    pre = draw(st.lists(st.sampled_from(problems), min_size=rows, max_size=rows))
    columns["__pre"] = pa.array(pre, pa.string())
    return pa.table(columns)


@pytest.fixture(scope="module")
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(":memory:")
    prepare_connection(connection)
    yield connection
    connection.close()


def _validate(con: duckdb.DuckDBPyConnection, staged: pa.Table, screen_rows: bool) -> Validated:
    return validate_staged(
        con, staged, source_file="f", limits=LIMITS, policy=POLICY, screen_rows=screen_rows
    )


def _assert_same(fast: Validated, query: Validated) -> None:
    assert fast.valid.schema == query.valid.schema == EVENT_SCHEMA
    # Arrow equality: also for timestamps that Python cannot represent.
    assert fast.valid.equals(query.valid), (fast.valid, query.valid)
    assert fast.valid_rows.equals(query.valid_rows)
    assert fast.quarantine.equals(query.quarantine), (fast.quarantine, query.quarantine)


@SETTINGS
@given(staged=staged_batches())
def test_fast_path_gives_what_the_query_gives(
    con: duckdb.DuckDBPyConnection, staged: pa.Table
) -> None:
    _assert_same(_validate(con, staged, True), _validate(con, staged, False))


def _clean_batch(rows: int = 6) -> pa.Table:
    return pa.table({
        "request_id": pa.array([f"r{i}" for i in range(rows)]),
        "timestamp": pa.array([IN_RANGE_US + i for i in range(rows)], pa.int64()).view(
            pa.timestamp("us", tz="UTC")),
        "account_id": pa.array(["acct"] * rows),
        "ip": pa.array(["10.0.0.1"] * rows),
        "status": pa.array(["ok"] * rows),
        "org_id": pa.array([""] * rows),
        "turn": pa.array([1] * rows, pa.int32()),
        "__row": pa.array(range(1, rows + 1), pa.int64()),
    })  # fmt: skip


def _screen(staged: pa.Table, policy: ValidationPolicy = POLICY) -> Any:
    staged = staged.append_column("__ip", canonical_ips(staged.column("ip").combine_chunks()))
    return screen(staged, present_kinds(staged), LIMITS, policy)


def test_a_clean_typed_batch_is_cleared_whole() -> None:
    screened = _screen(_clean_batch())
    assert screened is not None and screened.clean.all()
    assert screened.valid.column("org_id").null_count == 6  # empty means absent
    assert screened.valid.column("turn").type == pa.int32()


def test_only_the_doubtful_rows_are_left_to_the_query() -> None:
    staged = _clean_batch()
    staged = staged.set_column(4, "status", pa.array(["ok", " OK", "ok", "bad", "ok", None]))
    screened = _screen(staged)
    assert screened is not None
    assert screened.clean.tolist() == [True, False, True, False, True, True]
    assert screened.rows.to_pylist() == [1, 3, 5, 6]


@pytest.mark.parametrize(
    "change",
    [
        lambda t: t.set_column(6, "turn", pa.array(["1"] * 6)),  # numbers as text
        lambda t: t.set_column(1, "timestamp", t.column(1).cast(MILLIS, safe=False)),
        lambda t: t.append_column("__label", pa.array(["c"] * 6)),  # adapter labels
        lambda t: t.drop_columns(["account_id"]),  # every row misses a required field
    ],
)
def test_batches_whose_values_need_parsing_are_declined(change: Any) -> None:
    assert _screen(change(_clean_batch())) is None


def test_synthesised_request_ids_are_declined() -> None:
    assert _screen(_clean_batch(), ValidationPolicy(request_id_prefix="gw-")) is None


def test_interleaved_rows_keep_staged_order(con: duckdb.DuckDBPyConnection) -> None:
    staged = _clean_batch()
    staged = staged.set_column(4, "status", pa.array([" OK", "ok", "bad", "ok", "Refused ", None]))
    result = _validate(con, staged, True)
    assert result.valid_rows.to_pylist() == [1, 2, 4, 5, 6]
    assert result.valid.column("status").to_pylist() == ["ok", "ok", "ok", "refused", None]
    assert result.quarantine.column("source_row").to_pylist() == [3]
    _assert_same(result, _validate(con, staged, False))


#: The query's checks as they were when ``ingest/screen.py`` was written to mirror them
#: (every line problem is one ``__pre`` value, which the screen leaves to the query).
MIRRORED_CHECKS = (
    "line problems: invalid UTF-8, record too long, JSON nested too deep, invalid JSON, "
    "not a JSON object, malformed CSV row",
    "missing required field (request_id, timestamp, account_id)",
    "wrong type (JSON object/array where text is expected, then numbers and booleans)",
    "unparseable timestamp, then unparseable account_created_at",
    "timestamp out of range",
    "text too long (prompt, then the other text columns)",
    "NUL byte in text",
    "number out of range",
    "invalid status",
    "invalid ip",
)


def test_every_check_of_the_query_is_mirrored_by_the_screen() -> None:
    """A check added to the validation query must be mirrored in ``ingest/screen.py`` (or
    make the screen decline the batches it could fail on), or the screen would clear rows
    the query rejects; update ``MIRRORED_CHECKS`` once it is."""
    assert CHECK_ORDER == MIRRORED_CHECKS
