"""Validation's fast path: the rows that plainly pass every check, found with Arrow alone.

Most batches from a typed source (Parquet, Spark) are clean: every value already has its
contract-1 type and lies within its limits, so the DuckDB validation query
(:mod:`distillguard.ingest.validate`) would only hand the same values back, at a cost of
about 2 CPU-seconds per million events. :func:`screen` clears rows with vectorised Arrow
and NumPy tests instead, and gives their canonical columns directly.

The tests are conservative: a row is cleared only when no check can fail on it and each
of its canonical values is its staged value (a cast between types that loses nothing).
Anything else (a leading blank in an identifier, a status to normalise, a timestamp out
of range, an invalid ip) leaves the row to the query, which then finds its exact
reason or canonical value as before. The whole batch is declined where a canonical
value is more than a plain cast of the staged one: numbers or times as text (JSON Lines,
CSV), timestamps in another unit or time zone, synthesised request ids, adapter labels.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from distillguard.ingest.rules import (
    BOOL_COLUMNS,
    EMPTY_IS_NULL,
    TEXT_COLUMNS,
    TIME_COLUMNS,
    Limits,
    ValidationPolicy,
)
from distillguard.schema import EVENT_SCHEMA

#: Statuses already in canonical form (lower case, no surrounding blanks).
_STATUSES = pa.array(["ok", "refused", "error"], pa.string())
#: By byte value: whether ``dg_present`` trims it (a value starting with one may be blank).
_BLANK_BYTE = np.isin(np.arange(256), [9, 10, 13, 32])
#: Timestamps beyond this many microseconds from the epoch (about 146,000 years) may be
#: DuckDB's infinities, which the query turns into null.
_FINITE_MICROS = 2**62
_REQUIRED = ("request_id", "account_id")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Screened:
    """The rows of a staged batch that plainly pass, with their canonical columns."""

    #: Per staged row: True where the row passes every check (NumPy bool array).
    clean: np.ndarray
    #: The clean rows, exactly ``EVENT_SCHEMA``, in staged order.
    valid: pa.Table
    #: The ``__row`` of each clean row (int64).
    rows: pa.Array


def screen(
    staged: pa.Table, kinds: Mapping[str, str], limits: Limits, policy: ValidationPolicy
) -> Screened | None:
    """The rows of ``staged`` that plainly pass every check, or None to decline the batch.

    ``kinds`` are the staged columns that hold values, as the query sees them
    (:func:`distillguard.ingest.validate.present_kinds`); ``staged`` has ``__ip``
    when it has ``ip``.
    """
    if not _accepts(staged, kinds, limits, policy):
        return None
    suspect = np.zeros(staged.num_rows, dtype=bool)
    for name in ("__pre", "__type"):
        if name in staged.schema.names:
            suspect |= _valid_mask(_array(staged, name))
    values: dict[str, pa.Array] = {}
    for name in kinds:
        column = _array(staged, name)
        if name in TEXT_COLUMNS:
            values[name] = _text(name, column, staged, limits, suspect)
        elif name in TIME_COLUMNS:
            values[name] = _time(name, column, limits, suspect)
        elif name in limits.int_bounds:
            low, high = limits.int_bounds[name]
            values[name] = _number(column, low, high, pa.int64(), suspect)
        elif name in limits.float_bounds:
            low_f, high_f = limits.float_bounds[name]
            values[name] = _number(column, low_f, high_f, pa.float64(), suspect)
        else:  # a boolean, already one (see _accepts)
            values[name] = column
    clean = ~suspect
    if not clean.any():
        return None
    rows = _array(staged, "__row").cast(pa.int64())
    # Integers unchecked: a value that does not fit is out of range, its row not clean.
    columns = [
        values[f.name].cast(f.type, safe=not pa.types.is_integer(f.type)) if f.name in values
        else pa.nulls(staged.num_rows, f.type)
        for f in EVENT_SCHEMA
    ]  # fmt: skip
    valid = pa.Table.from_arrays(columns, schema=EVENT_SCHEMA)
    if not clean.all():
        keep = pa.array(clean)
        valid, rows = valid.filter(keep), rows.filter(keep)
    return Screened(clean=clean, valid=valid, rows=rows)


def _accepts(
    staged: pa.Table, kinds: Mapping[str, str], limits: Limits, policy: ValidationPolicy
) -> bool:
    """Whether every canonical value of the batch would be a plain cast of a staged one."""
    if policy.request_id_prefix is not None or "__label" in staged.schema.names:
        return False
    if any(name not in kinds for name in (*_REQUIRED, "timestamp")):
        return False  # every row misses a required field
    for name, kind in kinds.items():
        data_type = staged.schema.field(name).type
        if name in TEXT_COLUMNS:
            ok = pa.types.is_string(data_type) or pa.types.is_large_string(data_type)
        elif name in TIME_COLUMNS:
            ok = (
                pa.types.is_timestamp(data_type)
                and data_type.unit == "us"
                and data_type.tz in (None, "UTC")
            )
        elif name in BOOL_COLUMNS:
            ok = kind == "bool"
        elif name in limits.float_bounds:
            ok = data_type in (pa.float32(), pa.float64()) or _is_exact_integer(data_type)
        else:
            ok = _is_exact_integer(data_type)
        if not ok:
            return False
    return True


def _is_exact_integer(data_type: pa.DataType) -> bool:
    """An integer type whose every value is an int64 (so not uint64)."""
    return bool(pa.types.is_integer(data_type) and data_type != pa.uint64())


def _array(table: pa.Table, name: str) -> pa.Array:
    column = table.column(name)
    if column.num_chunks == 1:
        return column.chunk(0)
    return column.combine_chunks()


def _valid_mask(array: pa.Array) -> np.ndarray:
    if array.null_count == 0:
        return np.ones(len(array), dtype=bool)
    if array.null_count == len(array):
        return np.zeros(len(array), dtype=bool)
    return np.asarray(array.is_valid().to_numpy(zero_copy_only=False), dtype=bool)


def _true(mask: pa.Array) -> np.ndarray:
    """A boolean Arrow array as NumPy, null counting as False."""
    return np.asarray(pc.fill_null(mask, False).to_numpy(zero_copy_only=False), dtype=bool)


def _text(
    name: str, column: pa.Array, staged: pa.Table, limits: Limits, suspect: np.ndarray
) -> pa.Array:
    offsets, data = _offsets_and_bytes(column)
    lengths = np.diff(offsets)
    cap = limits.max_prompt_chars if name == "prompt" else limits.max_text_chars
    if len(lengths) and lengths.max() > cap:  # bytes >= characters: maybe too long
        suspect |= _valid_mask(column) & (lengths > cap)
    if data is not None and np.count_nonzero(data) < len(data):  # a NUL somewhere
        suspect |= _true(pc.match_substring(column, "\x00"))
    if name in _REQUIRED or name in EMPTY_IS_NULL:
        present = _valid_mask(column)
        empty = present & (lengths == 0)
        starts_blank = present & _starts_blank(offsets, data, lengths)
        if name in _REQUIRED:
            suspect |= ~present | empty | starts_blank
        else:
            suspect |= starts_blank  # blank or not: the query decides
            if empty.any():  # an empty string means absent
                return pc.if_else(pa.array(empty), pa.scalar(None, column.type), column)
    elif name == "status":
        allowed = _STATUSES.cast(column.type)
        suspect |= _valid_mask(column) & ~_true(pc.is_in(column, value_set=allowed))
    elif name == "ip":
        canonical = _array(staged, "__ip")
        suspect |= _valid_mask(column) & ~_valid_mask(canonical)
        return canonical
    return column


def _offsets_and_bytes(column: pa.Array) -> tuple[np.ndarray, np.ndarray | None]:
    """A string array's offsets (``len + 1``, from its first value's start) and the
    bytes its values span (None when there are none). Null values may span bytes too."""
    offset_type = np.int64 if pa.types.is_large_string(column.type) else np.int32
    _, offsets_buffer, data_buffer = column.buffers()
    if offsets_buffer is None or len(column) == 0:  # no values at all
        return np.zeros(len(column) + 1, dtype=offset_type), None
    offsets = np.frombuffer(offsets_buffer, dtype=offset_type)
    offsets = offsets[column.offset : column.offset + len(column) + 1]
    start, end = int(offsets[0]), int(offsets[-1])
    if start:
        offsets = offsets - start
    if data_buffer is None or end == start:
        return offsets, None
    return offsets, np.frombuffer(data_buffer, dtype=np.uint8)[start:end]


def _starts_blank(offsets: np.ndarray, data: np.ndarray | None, lengths: np.ndarray) -> np.ndarray:
    """Per value: whether its first byte is one ``dg_present`` trims (empty: False)."""
    if data is None:
        return np.zeros(len(lengths), dtype=bool)
    first = data[np.minimum(offsets[:-1], len(data) - 1)]
    return _BLANK_BYTE[first] & (lengths > 0)


def _time(name: str, column: pa.Array, limits: Limits, suspect: np.ndarray) -> pa.Array:
    micros = column.view(pa.int64())
    if name == "timestamp":
        low, high = _epoch_micros(limits.timestamp_min), _epoch_micros(limits.timestamp_max)
        suspect |= ~_true(pc.and_(pc.greater_equal(micros, low), pc.less_equal(micros, high)))
    else:
        outside = pc.or_(
            pc.less_equal(micros, -_FINITE_MICROS), pc.greater_equal(micros, _FINITE_MICROS)
        )
        suspect |= _true(outside)
    return column


def _epoch_micros(moment: datetime) -> int:
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _number(
    column: pa.Array, low: float, high: float, target: pa.DataType, suspect: np.ndarray
) -> pa.Array:
    values = column.cast(target, safe=False)  # a value the cast changes is out of range
    inside = pc.and_(pc.greater_equal(values, low), pc.less_equal(values, high))
    # Null is absent (no check); NaN compares false, so it stays with the query.
    suspect |= _valid_mask(column) & ~_true(inside)
    return values
