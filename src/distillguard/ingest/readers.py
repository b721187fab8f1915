"""Readers: from a file to *staged* batches (canonical columns + bookkeeping).

Each reader first *sniffs* a file (header, Parquet schema, or the keys of the first
JSON records) so that format detection and file-level errors happen before any row
is read, then streams staged batches of at most ``batch_rows`` rows. The staged
columns are described in :mod:`distillguard.ingest.validate`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from distillguard.errors import InputFileError
from distillguard.ingest.adapters import Adapter, json_stage_sql
from distillguard.ingest.files import InputFile, ReadLimits, one_line, open_stream
from distillguard.ingest.records import RecordBlock, iter_record_blocks
from distillguard.ingest.validate import kind_of

#: JSON Lines records looked at to detect the format and the columns.
SNIFF_RECORDS = 1000
_SNIFF_BYTES = 1 << 20


@dataclass(frozen=True)
class Sniffed:
    """What a file's beginning says: its top-level keys / column names."""

    source: InputFile
    keys: tuple[str, ...]
    #: JSON Lines: whether any record was a JSON object (else no key check is possible).
    has_records: bool


def sniff(source: InputFile, limits: ReadLimits | None = None) -> Sniffed:
    """Read a file's header (or first JSON records) without reading its rows."""
    limits = limits if limits is not None else ReadLimits()
    if source.container == "parquet":
        parquet = _parquet_file(source)
        check_parquet_expansion(source, parquet, limits)
        return Sniffed(source, tuple(parquet.schema_arrow.names), True)
    if source.container == "csv":
        return Sniffed(source, tuple(_csv_header(source, limits)), True)
    return _sniff_jsonl(source, limits)


def _parquet_file(source: InputFile) -> pq.ParquetFile:
    try:
        return pq.ParquetFile(str(source.path))
    except OSError as exc:
        cause = one_line(f"not a readable Parquet file: {exc}")
        raise InputFileError(str(source.path), cause) from None
    except pa.ArrowException as exc:
        raise InputFileError(str(source.path), one_line(f"corrupt Parquet file: {exc}")) from None


def check_parquet_expansion(
    source: InputFile, parquet: pq.ParquetFile, limits: ReadLimits
) -> None:
    """Refuse a Parquet file whose pages decompress to more than the limits allow."""
    metadata = parquet.metadata
    compressed = uncompressed = 0
    for group in range(metadata.num_row_groups):
        row_group = metadata.row_group(group)
        for column in range(row_group.num_columns):
            chunk = row_group.column(column)
            compressed += chunk.total_compressed_size
            uncompressed += chunk.total_uncompressed_size
    budget = limits.decompressed_budget(compressed)
    if budget is not None and uncompressed > budget:
        raise InputFileError(
            str(source.path),
            f"Parquet pages decompress to {uncompressed:,} bytes, more than the limit "
            f"{budget:,} (a compression bomb?); raise ingest.max_decompression_ratio or "
            "ingest.decompression_floor_bytes if the file is genuine",
        )


def _first_records(source: InputFile, count: int, limits: ReadLimits) -> RecordBlock | None:
    with open_stream(source) as stream:
        blocks = iter_record_blocks(
            source.path,
            stream,
            csv=source.container == "csv",
            max_records=count,
            block_bytes=_SNIFF_BYTES,
            max_record_bytes=limits.max_record_bytes,
            max_json_depth=limits.max_json_depth,
        )
        return next(blocks, None)


def _csv_header(source: InputFile, limits: ReadLimits) -> list[str]:
    block = _first_records(source, 1, limits)
    if block is None:
        raise InputFileError(str(source.path), "empty CSV file (no header row)")
    if block.problems[0].is_valid:
        raise InputFileError(str(source.path), f"bad CSV header ({block.problems[0].as_py()})")
    text = block.text[0].as_py()
    try:
        with _csv_field_limit(limits.max_record_bytes):
            fields = next(csv.reader(io.StringIO(text)), [])
    except csv.Error as exc:
        raise InputFileError(str(source.path), one_line(f"bad CSV header ({exc})")) from None
    return [name.strip() for name in fields]


@contextmanager
def _csv_field_limit(size: int) -> Iterator[None]:
    """Let Python's csv module read fields as long as a record may be (it stops at 128 KiB)."""
    previous = csv.field_size_limit()
    csv.field_size_limit(max(previous, min(size, 2**31 - 1)))
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def _loads(text: str) -> object:
    """``json.loads`` for a record already within the depth bound; a failure is ValueError."""
    try:
        return json.loads(text)
    except RecursionError:  # only where the bound is off (max_json_depth: 0)
        raise ValueError("nested too deep") from None


def _sniff_jsonl(source: InputFile, limits: ReadLimits) -> Sniffed:
    block = _first_records(source, SNIFF_RECORDS, limits)
    if block is None:
        return Sniffed(source, (), False)
    texts = block.text.to_pylist()
    problems = block.problems.to_pylist()
    first = texts[0].strip() if problems[0] is None else ""
    if first.startswith("[") or first == "{":
        raise InputFileError(
            str(source.path),
            "a JSON document, not JSON Lines (expected one JSON object per line)",
        )
    keys: dict[str, None] = {}
    has_records = False
    for text, problem in zip(texts, problems, strict=True):  # a bounded sample
        if problem is not None:
            continue
        try:
            record = _loads(text)
        except ValueError:
            continue
        if isinstance(record, dict):
            has_records = True
            keys.update(dict.fromkeys(record))
    return Sniffed(source, tuple(keys), has_records)


# -- JSON Lines -------------------------------------------------------------------


def iter_jsonl(
    con: duckdb.DuckDBPyConnection,
    source: InputFile,
    adapter: Adapter,
    batch_rows: int,
    limits: ReadLimits | None = None,
) -> Iterator[pa.Table]:
    """Staged batches of a JSON Lines file (or any text stream of JSON objects)."""
    limits = limits if limits is not None else ReadLimits()
    sql = json_stage_sql(adapter)
    with open_stream(source) as stream:
        blocks = iter_record_blocks(
            source.path, stream, csv=False, max_records=batch_rows,
            max_record_bytes=limits.max_record_bytes, max_json_depth=limits.max_json_depth,
        )
        for block in blocks:
            yield stage_json_lines(con, sql, block.text, block.problems, block.line_numbers)


def stage_json_lines(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    lines: pa.Array,
    problems: pa.Array,
    rows: pa.Array,
    raw: pa.Array | None = None,
) -> pa.Table:
    """Run the format's JSON query over lines; attach row numbers and raw text."""
    con.register("__lines", pa.table({"line": lines, "__pre": problems}))
    try:
        staged = con.execute(sql).to_arrow_table()
    finally:
        con.unregister("__lines")
    staged = _explain_invalid_json(staged, lines)
    staged = staged.append_column("__row", rows)
    return staged.append_column("__raw", raw if raw is not None else lines)


def _explain_invalid_json(staged: pa.Table, lines: pa.Array) -> pa.Table:
    """Give 'invalid JSON' a parser message (Python's, on the bad lines only)."""
    pre = staged.column("__pre")
    bad = pc.equal(pre, "invalid JSON")
    if not pc.any(bad).as_py():
        return staged
    indices = np.flatnonzero(bad.to_numpy(zero_copy_only=False))
    messages = []
    for index in indices:  # only lines already known to be invalid
        text = lines[int(index)].as_py()
        try:
            _loads(text)
            messages.append("invalid JSON")
        except ValueError as exc:
            detail = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
            column = exc.colno if isinstance(exc, json.JSONDecodeError) else None
            where = f" at column {column}" if column else ""
            messages.append(one_line(f"invalid JSON: {detail}{where}", 120))
    mask = np.zeros(staged.num_rows, dtype=bool)
    mask[indices] = True
    fixed = pc.replace_with_mask(
        pre.combine_chunks().cast(pa.string()), pa.array(mask), pa.array(messages, pa.string())
    )
    return staged.set_column(staged.schema.get_field_index("__pre"), "__pre", fixed)


# -- CSV --------------------------------------------------------------------------


def iter_csv(
    con: duckdb.DuckDBPyConnection,
    sniffed: Sniffed,
    adapter: Adapter,
    batch_rows: int,
    limits: ReadLimits | None = None,
) -> Iterator[pa.Table]:
    """Staged batches of a CSV file: every value read as text."""
    limits = limits if limits is not None else ReadLimits()
    source, header = sniffed.source, list(sniffed.keys)
    wanted = [key for key in adapter.source_keys() if key in header]
    json_sql = json_stage_sql(adapter) if adapter.renames is None else None
    if json_sql is not None:
        wanted = [name for name in header if name]
    with open_stream(source) as stream:
        blocks = iter_record_blocks(source.path, stream, csv=True, max_records=batch_rows,
                                    max_record_bytes=limits.max_record_bytes)
        first = True
        for block in blocks:
            if first:
                first = False
                block = block.slice(1, block.num_records)  # the header
                if not block.num_records:
                    continue
            table, problems, raw = _parse_csv_block(block, header, wanted)
            if json_sql is not None:
                lines = _rows_as_json(con, table)
                yield stage_json_lines(con, json_sql, lines, problems, block.line_numbers, raw)
            else:
                yield _staged_flat(table, adapter, problems, raw, block.line_numbers)


def _parse_csv_block(
    block: RecordBlock, header: list[str], wanted: list[str]
) -> tuple[pa.Table, pa.Array, pa.Array]:
    """Parse a block's records; malformed ones become problems with their raw text."""
    expected = len(header)
    assert block.field_counts is not None
    counts = block.field_counts
    wrong = (counts != expected) & block.problems.is_null().to_numpy(zero_copy_only=False)
    problems = block.problems
    if wrong.any():
        messages = pa.array(
            [f"malformed CSV row (expected {expected} fields, got {n})" for n in counts[wrong]],
            pa.string(),
        )
        problems = pc.replace_with_mask(problems, pa.array(wrong), messages)
    good = problems.is_null().to_numpy(zero_copy_only=False)
    texts = block.text if good.all() else block.text.filter(pa.array(good))
    parsed = _read_csv_records(texts, header, wanted)
    if parsed is None:  # our record split and the CSV parser disagree: per record
        parsed, problems = _parse_csv_records_slowly(block, header, wanted, problems)
        good = problems.is_null().to_numpy(zero_copy_only=False)
    table = _spread(parsed, good, wanted)
    raw = pc.if_else(pa.array(good), pa.nulls(len(good), pa.large_string()), block.text)
    return table, problems, raw


def _read_csv_records(
    texts: pa.LargeStringArray, header: list[str], wanted: list[str]
) -> pa.Table | None:
    """Parse whole records with Arrow's CSV reader; None if it sees other rows than we do."""
    if len(texts) == 0:
        return pa.table({name: pa.array([], pa.string()) for name in wanted})
    offsets = np.frombuffer(texts.buffers()[1], dtype=np.int64)[
        texts.offset : texts.offset + len(texts) + 1
    ]
    data = texts.buffers()[2].slice(int(offsets[0]), int(offsets[-1] - offsets[0]))
    rejected: list[object] = []

    def reject(row: object) -> str:
        rejected.append(row)
        return "skip"

    try:
        table = pacsv.read_csv(
            pa.BufferReader(data),
            read_options=pacsv.ReadOptions(
                column_names=header, block_size=max(1 << 20, min(data.size + 1, 1 << 30))
            ),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=reject),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in wanted},
                include_columns=wanted,
                strings_can_be_null=True,
                null_values=[""],
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid:
        return None
    if rejected or table.num_rows != len(texts):
        return None
    return table


def _parse_csv_records_slowly(
    block: RecordBlock, header: list[str], wanted: list[str], problems: pa.Array
) -> tuple[pa.Table, pa.Array]:
    """Fallback for a block known to be odd: Python's csv module, one record at a time."""
    positions = [header.index(name) for name in wanted]
    values: list[list[str | None]] = [[] for _ in wanted]
    reasons = problems.to_pylist()
    for index, text in enumerate(block.text.to_pylist()):
        if reasons[index] is not None:
            continue
        try:
            with _csv_field_limit(len(text)):
                rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
        except csv.Error as exc:
            reasons[index] = one_line(f"malformed CSV row ({exc})", 120)
            continue
        fields = rows[0] if len(rows) == 1 else None
        if fields is None or len(fields) != len(header):
            got = "stray line break" if fields is None else f"got {len(fields)}"
            reasons[index] = f"malformed CSV row (expected {len(header)} fields, {got})"
            continue
        for column, position in enumerate(positions):
            values[column].append(fields[position] if fields[position] != "" else None)
    columns = zip(wanted, values, strict=True)
    table = pa.table({name: pa.array(column, pa.string()) for name, column in columns})
    return table, pa.array(reasons, pa.string())


def _spread(parsed: pa.Table, good: np.ndarray, wanted: list[str]) -> pa.Table:
    """Put parsed rows back at their record positions (nulls where a record was bad)."""
    if good.all():
        return parsed
    index = np.full(len(good), -1, dtype=np.int64)
    index[good] = np.arange(int(good.sum()))
    take = pa.array(index, mask=~good)
    return pa.table({name: parsed.column(name).take(take) for name in wanted})


def _rows_as_json(con: duckdb.DuckDBPyConnection, table: pa.Table) -> pa.Array:
    """Each row as a JSON object text (for formats read as JSON: openai_log)."""
    con.register("__rows", table)
    try:
        result = con.execute(
            "SELECT CAST(to_json(__rows) AS VARCHAR) AS line FROM __rows"
        ).to_arrow_table()
    finally:
        con.unregister("__rows")
    return result.column("line").combine_chunks()


def _staged_flat(
    table: pa.Table, adapter: Adapter, problems: pa.Array, raw: pa.Array | None, rows: pa.Array
) -> pa.Table:
    """Rename a flat format's columns to canonical ones and add bookkeeping columns."""
    assert adapter.renames is not None
    columns: dict[str, pa.Array | pa.ChunkedArray] = {}
    for key, name in adapter.renames.items():
        if key in table.schema.names:
            columns[name] = table.column(key)
    if adapter.label_key and adapter.label_key in table.schema.names:
        columns["__label"] = table.column(adapter.label_key).cast(pa.string())
    elif adapter.label_key:
        columns["__label"] = pa.nulls(table.num_rows, pa.string())
    columns["__pre"] = problems
    columns["__row"] = rows
    if raw is not None:
        columns["__raw"] = raw
    return pa.table(columns)


# -- Parquet ----------------------------------------------------------------------


def check_parquet_types(sniffed: Sniffed, adapter: Adapter) -> None:
    """Reject a Parquet file whose known columns have types we cannot read."""
    schema = _parquet_file(sniffed.source).schema_arrow
    keys = adapter.source_keys() if adapter.renames is not None else ()
    for key in keys:
        if key not in schema.names:
            continue
        data_type = schema.field(key).type
        if kind_of(data_type) == "unsupported" and not _is_binary(data_type):
            raise InputFileError(
                str(sniffed.source.path), f"column '{key}' has unsupported type {data_type}"
            )


def _is_binary(data_type: pa.DataType) -> bool:
    return bool(
        pa.types.is_binary(data_type)
        or pa.types.is_large_binary(data_type)
        or pa.types.is_fixed_size_binary(data_type)
        or pa.types.is_binary_view(data_type)
    )


def iter_parquet(
    con: duckdb.DuckDBPyConnection, sniffed: Sniffed, adapter: Adapter, batch_rows: int
) -> Iterator[pa.Table]:
    """Staged batches of a Parquet file, reading only the columns the format uses."""
    parquet = _parquet_file(sniffed.source)
    names = parquet.schema_arrow.names
    json_sql = json_stage_sql(adapter) if adapter.renames is None else None
    wanted = names if json_sql is not None else [k for k in adapter.source_keys() if k in names]
    first_row = 1
    # Decoded on this (reader) thread: Arrow's pool would double the CPU time spent,
    # and ingest already keeps both cores busy with its own threads.
    batches = parquet.iter_batches(batch_size=batch_rows, columns=wanted, use_threads=False)
    for batch in batches:
        table, problems = _decode_binary(pa.Table.from_batches([batch]))
        rows = pa.array(np.arange(first_row, first_row + table.num_rows, dtype=np.int64))
        first_row += table.num_rows
        if json_sql is not None:
            lines = _rows_as_json(con, table)
            yield stage_json_lines(con, json_sql, lines, problems, rows)
        else:
            yield _staged_flat(table, adapter, problems, None, rows)


def _decode_binary(table: pa.Table) -> tuple[pa.Table, pa.Array]:
    """Binary columns to text and dictionaries decoded; invalid UTF-8 becomes a problem."""
    problems: pa.Array = pa.nulls(table.num_rows, pa.string())
    for index, field in enumerate(table.schema):
        column = table.column(index)
        if pa.types.is_dictionary(field.type):
            column = column.cast(field.type.value_type)
        if _is_binary(column.type):
            column, bad = _binary_to_text(column.combine_chunks())
            if bad is not None:
                message = f"invalid UTF-8 in column '{field.name}'"
                problems = pc.if_else(pc.and_(bad, problems.is_null()), message, problems)
        table = table.set_column(index, field.name, column)
    return table, problems


def _binary_to_text(column: pa.Array) -> tuple[pa.Array, pa.Array | None]:
    """Cast to string; on failure (a known-bad batch) check the values one by one."""
    try:
        return column.cast(pa.string()), None
    except pa.ArrowInvalid:
        pass
    values: list[str | None] = []
    bad: list[bool] = []
    for value in column.to_pylist():
        try:
            values.append(None if value is None else bytes(value).decode("utf-8"))
            bad.append(False)
        except UnicodeDecodeError:
            values.append(None)
            bad.append(True)
    return pa.array(values, pa.string()), pa.array(bad)
