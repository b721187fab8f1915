"""Cutting a text stream (JSON Lines or CSV) into records, vectorised.

The decompressed stream is read in large blocks. NumPy finds the record boundaries
(every newline for JSON Lines; for CSV a newline outside double quotes, found from the
parity of the quote count, which RFC 4180's doubled quotes do not disturb). Each block
becomes one Arrow string array over the block's own bytes (no copy), checked for
UTF-8 in one call. Only a block already known to be bad (invalid UTF-8) falls back to
a per-record look to find which records are at fault.

Blank lines are not records: they are skipped and not counted, but line numbers stay
physical, so ``source_row`` always points at the record's first line in the file.

Two bounds make a record a problem before anything parses it: its length
(``max_record_bytes``: read through, never held) and, for JSON, its nesting depth
(``max_json_depth``). The depth is found without parsing: a record with no more
opening brackets than the bound cannot exceed it (one comparison pass per block); only
the records with more are measured exactly, still vectorised (brackets outside strings,
escaped quotes told apart by the length of the backslash run before them).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from distillguard.ingest.files import ByteStream, read_into, read_stream

#: Bytes read from the (decompressed) stream at a time (the first reads are smaller).
BLOCK_BYTES = 32 << 20
_FIRST_READ_BYTES = 256 << 10
#: A record longer than this is quarantined unread ("record too long"), so one huge
#: line cannot exhaust memory (``ingest.max_record_bytes`` sets it for a scan).
MAX_RECORD_BYTES = 64 << 20
#: How much of an unreadable record is kept for the quarantine's ``raw`` column.
RAW_EXCERPT_BYTES = 16 << 10

_NEWLINE, _QUOTE, _COMMA, _BACKSLASH = 10, 34, 44, 92
_OPEN_BRACKETS = (91, 123)  # [ {
_CLOSE_BRACKETS = (93, 125)  # ] }
_BOM = b"\xef\xbb\xbf"
_BLANK_START = np.array([9, 11, 12, 13, 32], dtype=np.uint8)


@dataclass(frozen=True)
class RecordBlock:
    """Consecutive records of one file.

    ``text`` holds each record as a string including its line ending (JSON parsers
    and CSV readers ignore it). For a record with a ``problem`` (invalid UTF-8, too
    long) ``text`` is a readable excerpt instead, kept for the quarantine.
    """

    text: pa.LargeStringArray
    line_numbers: pa.Int64Array
    problems: pa.StringArray
    #: CSV only: fields in each record (delimiters outside quotes + 1), else None.
    field_counts: np.ndarray | None

    @property
    def num_records(self) -> int:
        return len(self.text)

    def slice(self, start: int, stop: int) -> RecordBlock:
        counts = None if self.field_counts is None else self.field_counts[start:stop]
        return RecordBlock(
            self.text.slice(start, stop - start),
            self.line_numbers.slice(start, stop - start),
            self.problems.slice(start, stop - start),
            counts,
        )


def iter_record_blocks(
    path: Path,
    stream: ByteStream,
    *,
    csv: bool,
    max_records: int,
    block_bytes: int = BLOCK_BYTES,
    max_record_bytes: int = MAX_RECORD_BYTES,
    max_json_depth: int = 0,
) -> Iterator[RecordBlock]:
    """Yield the stream's records in blocks of at most ``max_records``.

    Parameters
    ----------
    path:
        For error messages only.
    stream:
        The decompressed byte stream.
    csv:
        Cut CSV records (newlines inside quotes do not end a record) and count fields.
    max_records:
        The most records per yielded block.
    max_record_bytes:
        A longer record is skipped unread, with the problem "record too long".
    max_json_depth:
        JSON only (not ``csv``): a record nested deeper gets the problem "JSON nested too
        deep" (0: no bound).
    """
    reader = _RecordReader(path, stream, csv, block_bytes, max_record_bytes)
    reader.max_depth = 0 if csv else max(0, max_json_depth)
    for block in reader.blocks():
        for start in range(0, block.num_records, max_records):
            yield block.slice(start, min(start + max_records, block.num_records))


class _RecordReader:
    def __init__(
        self, path: Path, stream: ByteStream, csv: bool, block_bytes: int, max_record: int
    ) -> None:
        self.path = path
        self.stream = stream
        self.csv = csv
        self.block_bytes = block_bytes
        self.max_record = max_record
        self.max_depth = 0
        self.lines_before = 0  # physical newlines before the data being cut

    def blocks(self) -> Iterator[RecordBlock]:
        carry = b""
        first = True
        # Start small (tiny files are common in tests and folders), grow to block_bytes.
        size = min(self.block_bytes, _FIRST_READ_BYTES)
        while True:
            # Read straight behind the carried partial record: no copy of the block.
            buffer = bytearray(len(carry) + size)
            buffer[: len(carry)] = carry
            got = read_into(self.path, self.stream, memoryview(buffer)[len(carry) :])
            del buffer[len(carry) + got :]
            if first and buffer:
                first = False
                if buffer.startswith(_BOM):
                    del buffer[: len(_BOM)]
            data = buffer  # Arrow arrays below share it: it is never resized again
            buf = np.frombuffer(data, dtype=np.uint8)
            quotes = self._quotes(buf)
            ends = self._boundaries(buf, quotes)
            if got == 0:
                if len(data):
                    # CSV: an odd number of quotes in all means the last record never
                    # closed its quoted value (a truncated file).
                    unclosed = quotes is not None and len(quotes) % 2 == 1
                    yield from self._cut(data, buf, quotes, ends, len(data), unclosed)
                return
            if got == size:
                size = min(self.block_bytes, size * 2)
            cut = int(ends[-1]) + 1 if len(ends) else 0
            if cut:
                yield from self._cut(data, buf, quotes, ends, cut)
            carry = bytes(data[cut:])
            if len(carry) > self.max_record:
                yield self._skip_oversized(carry)
                carry = b""
            # A long record: read at least as much again, so that it is copied and
            # scanned a few times in all, not once per block (quadratic in its length).
            size = max(size, min(len(carry), self.max_record + 1 - len(carry)))

    def _quotes(self, buf: np.ndarray) -> np.ndarray | None:
        """CSV: positions of the double quotes (None for JSON Lines).

        A byte is outside quotes when an even number of quotes precedes it; doubled
        quotes inside a quoted value (RFC 4180) keep that parity intact.
        """
        return np.flatnonzero(buf == _QUOTE) if self.csv else None

    @staticmethod
    def _unquoted(positions: np.ndarray, quotes: np.ndarray | None) -> np.ndarray:
        """The positions that lie outside double quotes."""
        if quotes is None or not len(quotes):
            return positions
        return positions[(np.searchsorted(quotes, positions) & 1) == 0]

    def _boundaries(self, buf: np.ndarray, quotes: np.ndarray | None) -> np.ndarray:
        """Positions of the newlines that end records."""
        return self._unquoted(np.flatnonzero(buf == _NEWLINE), quotes)

    def _cut(
        self,
        data: bytes | bytearray,
        buf: np.ndarray,
        quotes: np.ndarray | None,
        ends: np.ndarray,
        cut: int,
        unclosed: bool = False,
    ) -> Iterator[RecordBlock]:
        """Records in ``data[:cut]``; ``ends`` are the boundary newlines (all < cut).

        ``unclosed``: the last record ends inside a quoted value (CSV).
        """
        starts = np.concatenate(([0], ends + 1)).astype(np.int64)
        if starts[-1] >= cut:
            starts = starts[:-1]  # ends with a newline: no trailing partial record
        offsets = np.append(starts, cut).astype(np.int64)
        head = buf[:cut]
        all_newlines = np.flatnonzero(head == _NEWLINE) if self.csv else ends
        line_numbers = self.lines_before + np.searchsorted(all_newlines, starts) + 1
        self.lines_before += len(all_newlines)
        field_counts = None
        if self.csv:
            delimiters = self._unquoted(np.flatnonzero(head == _COMMA), quotes)
            owner = np.searchsorted(offsets, delimiters, side="right") - 1
            field_counts = np.bincount(owner, minlength=len(starts)).astype(np.int64) + 1
        keep = self._non_blank(data, head, offsets)
        text = pa.LargeStringArray.from_buffers(
            len(starts), pa.py_buffer(offsets), pa.py_buffer(data)
        )
        problems: pa.Array = pa.nulls(len(starts), pa.string())
        try:
            text.validate(full=True)
        except pa.ArrowInvalid:
            text, problems = _mark_invalid_utf8(data, offsets)
        if self.max_depth:
            deep = too_deep(head, offsets, self.max_depth)
            if deep is not None:
                message = pa.scalar(f"JSON nested too deep (more than {self.max_depth} levels)")
                problems = pc.if_else(pc.and_(pa.array(deep), problems.is_null()), message,
                                      problems)
        lengths = np.diff(offsets)
        if len(lengths) and lengths.max() > self.max_record:  # whole, but still too long
            long = pa.array(lengths > self.max_record)
            sizes = pa.array(lengths).cast(pa.string())
            message = pc.binary_join_element_wise(
                "record too long (", sizes, f" bytes > {self.max_record})", "")
            problems = pc.if_else(pc.and_(long, problems.is_null()), message, problems)
        if unclosed and len(starts):
            last = np.zeros(len(starts), dtype=bool)
            last[-1] = True
            problems = pc.if_else(pc.and_(pa.array(last), problems.is_null()),
                                  pa.scalar("malformed CSV row (a quoted value never closes)"),
                                  problems)
        block = RecordBlock(text, pa.array(line_numbers, pa.int64()), problems, field_counts)
        if not keep.all():
            block = _take(block, np.flatnonzero(keep))
        if block.num_records:
            yield block

    @staticmethod
    def _non_blank(data: bytes | bytearray, buf: np.ndarray, offsets: np.ndarray) -> np.ndarray:
        """Mask of records that are not blank (blank: only whitespace and the line end)."""
        lengths = np.diff(offsets)
        keep = np.ones(len(lengths), dtype=bool)
        if not len(lengths):
            return keep
        first = buf[np.minimum(offsets[:-1], len(buf) - 1)]
        maybe_blank = (lengths <= 1) | np.isin(first, _BLANK_START)
        for index in np.flatnonzero(maybe_blank):  # rare: lines that start with a space
            if not data[offsets[index] : offsets[index + 1]].strip():
                keep[index] = False
        return keep

    def _skip_oversized(self, head: bytes) -> RecordBlock:
        """Consume one record longer than the limit, holding at most the limit in memory."""
        line = self.lines_before + 1
        size = len(head)
        self.lines_before += head.count(b"\n")
        excerpt = head[:RAW_EXCERPT_BYTES]
        rest = b""
        while True:
            chunk = read_stream(self.path, self.stream, self.block_bytes)
            if not chunk:
                break
            position = chunk.find(b"\n")
            if position >= 0:
                size += position
                rest = chunk[position + 1 :]
                self.lines_before += 1
                break
            size += len(chunk)
        if rest:  # the bytes after the oversized record go back in front of the stream
            self.stream = _Prefixed(rest, self.stream)
        text = excerpt.decode("utf-8", errors="replace")
        reason = f"record too long ({size} bytes > {self.max_record})"
        return RecordBlock(
            pa.array([text], pa.large_string()),
            pa.array([line], pa.int64()),
            pa.array([reason], pa.string()),
            np.zeros(1, dtype=np.int64) if self.csv else None,
        )


def too_deep(buf: np.ndarray, offsets: np.ndarray, limit: int) -> np.ndarray | None:
    """Per record of ``buf`` (records at ``offsets``): nested deeper than ``limit``?

    None when no record can be (the common case, found with one comparison pass).
    """
    # '[' (0x5b) and '{' (0x7b) differ in one bit: one OR and one comparison find both.
    opens = np.flatnonzero(np.bitwise_or(buf, 0x20) == _OPEN_BRACKETS[1])
    if len(opens) <= limit:
        return None
    counts = np.diff(np.searchsorted(opens, offsets))
    candidates = np.flatnonzero(counts > limit)
    if not len(candidates):
        return None
    deep = np.zeros(len(offsets) - 1, dtype=bool)
    depths = nesting_depths(buf, offsets[candidates], offsets[candidates + 1])
    deep[candidates] = depths > limit
    return deep if deep.any() else None


def nesting_depths(buf: np.ndarray, starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
    """The JSON nesting depth of each record ``buf[starts[i]:stops[i]]``, vectorised.

    Brackets inside strings do not count; a quote preceded by an odd run of backslashes
    is inside a string. For invalid JSON the figure is what a parser would meet before
    its first error, or more.
    """
    lengths = (stops - starts).astype(np.int64)
    count = len(lengths)
    if not count or not lengths.sum():
        return np.zeros(count, dtype=np.int64)
    # The records' bytes one after the other, with each byte's record.
    record = np.repeat(np.arange(count), lengths)
    local_start = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    index = np.arange(int(lengths.sum())) - np.repeat(local_start, lengths) + np.repeat(
        starts.astype(np.int64), lengths)
    sub = buf[index]
    # Quotes that open or close strings: not escaped by an odd run of backslashes.
    quotes = np.flatnonzero(sub == _QUOTE)
    not_backslash = np.where(sub != _BACKSLASH, np.arange(len(sub)), -1)
    last_plain = np.maximum.accumulate(not_backslash)
    before = np.maximum(quotes - 1, 0)
    run = np.where(quotes > 0, before - last_plain[before], 0)
    real = quotes[run % 2 == 0]
    # Brackets outside strings: an even number of real quotes before them in the record.
    is_open = (sub == _OPEN_BRACKETS[0]) | (sub == _OPEN_BRACKETS[1])
    brackets = np.flatnonzero(is_open | (sub == _CLOSE_BRACKETS[0]) | (sub == _CLOSE_BRACKETS[1]))
    owner = record[brackets]
    inside = (np.searchsorted(real, brackets) - np.searchsorted(real, local_start[owner])) & 1
    brackets, owner = brackets[inside == 0], owner[inside == 0]
    depths = np.zeros(count, dtype=np.int64)
    if not len(brackets):
        return depths
    level = np.cumsum(np.where(is_open[brackets], 1, -1))
    first = np.searchsorted(owner, np.arange(count))
    has = first < np.append(first[1:], len(owner))
    base = np.where(first > 0, level[np.maximum(first - 1, 0)], 0)
    relative = level - base[owner]
    depths[has] = np.maximum.reduceat(relative, first[has])
    return np.maximum(depths, 0)


class _Prefixed:
    """A stream that first returns some bytes already read, then the rest."""

    def __init__(self, prefix: bytes, stream: ByteStream) -> None:
        self.prefix = prefix
        self.stream = stream

    def read(self, size: int) -> bytes:
        if self.prefix:
            out, self.prefix = self.prefix[:size], self.prefix[size:]
            return out
        return bytes(self.stream.read(size))

    def readinto(self, view: memoryview) -> int:
        if self.prefix:
            size = min(len(view), len(self.prefix))
            view[:size] = self.prefix[:size]
            self.prefix = self.prefix[size:]
            return size
        return int(self.stream.readinto(view))


def _mark_invalid_utf8(
    data: bytes | bytearray, offsets: np.ndarray
) -> tuple[pa.LargeStringArray, pa.Array]:
    """Per-record fallback for a block that failed the UTF-8 check."""
    count = len(offsets) - 1
    binary = pa.Array.from_buffers(
        pa.large_binary(), count, [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    )
    bad: list[int] = []
    excerpts: list[bytes] = []
    for index in range(count):
        piece = bytes(data[offsets[index] : offsets[index + 1]])
        try:
            piece.decode("utf-8")
        except UnicodeDecodeError:
            bad.append(index)
            cut = piece[:RAW_EXCERPT_BYTES].decode("utf-8", errors="replace")
            excerpts.append(cut.encode("utf-8"))
    mask = np.zeros(count, dtype=bool)
    mask[bad] = True
    fixed = pc.replace_with_mask(
        binary, pa.array(mask), pa.array(excerpts, pa.large_binary())
    ).cast(pa.large_string())
    problems = pc.if_else(pa.array(mask), pa.scalar("invalid UTF-8"), pa.nulls(count, pa.string()))
    return fixed, problems


def _take(block: RecordBlock, indices: np.ndarray) -> RecordBlock:
    chosen = pa.array(indices, pa.int64())
    counts = None if block.field_counts is None else block.field_counts[indices]
    return RecordBlock(
        block.text.take(chosen),
        block.line_numbers.take(chosen),
        block.problems.take(chosen),
        counts,
    )
