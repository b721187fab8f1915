"""Write events sorted by ``(timestamp, request_id)`` without holding them all in memory.

Blocks arrive in generation order (archetype by archetype). Each block is cut into
time windows and spilled to an Arrow IPC file, one record batch per window. At the end
the windows are merged in time order: read every spilled batch of one window, sort it,
append it to the Parquet file. Peak memory is one window of events (about an hour of
traffic), whatever the total. Because the sort key is unique (request ids are random
and unique), the output does not depend on the order blocks arrived in.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from types import TracebackType

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

from distillguard.schema import EVENT_SCHEMA

#: Fixed Parquet settings: the same data always gives the same bytes.
PARQUET_OPTIONS: dict[str, object] = {
    "compression": "zstd",
    "compression_level": 3,
    "use_dictionary": True,
    "write_statistics": True,
    "data_page_size": 1 << 20,
    "version": "2.6",
}
ROW_GROUP_ROWS = 131_072
#: Spilled blocks are written and read once. Small runs spill plain (fast); past this
#: many rows, blocks are compressed so that big runs do not fill the disk.
COMPRESS_SPILLS_AFTER_ROWS = 1_000_000
PLAIN_SPILL = ipc.IpcWriteOptions()
COMPRESSED_SPILL = ipc.IpcWriteOptions(compression="lz4")
SORT_KEYS = [("timestamp", "ascending"), ("request_id", "ascending")]


def write_table(table: pa.Table, path: Path) -> None:
    """Write a small table in one go with the fixed options."""
    with pq.ParquetWriter(path, table.schema, **PARQUET_OPTIONS) as writer:
        writer.write_table(table, row_group_size=ROW_GROUP_ROWS)


class SortedEventWriter:
    """Collect event blocks, then write one Parquet file sorted by time and request id."""

    def __init__(self, path: Path, start_us: int, window_us: int,
                 schema: pa.Schema = EVENT_SCHEMA) -> None:
        self.path = path
        self.schema = schema
        self.start_us = start_us
        self.window_us = window_us
        self.rows = 0
        self._spill_dir = Path(tempfile.mkdtemp(prefix=".simulate-", dir=path.parent))
        self._spills: list[Path] = []
        #: window -> [(spill index, batch index)]
        self._index: dict[int, list[tuple[int, int]]] = {}

    def __enter__(self) -> SortedEventWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 trace: TracebackType | None) -> None:
        shutil.rmtree(self._spill_dir, ignore_errors=True)

    def add(self, table: pa.Table) -> None:
        """Spill one block, cut into windows."""
        if table.num_rows == 0:
            return
        times = pc.cast(table.column("timestamp"), pa.int64()).to_numpy()
        window = (times - self.start_us) // self.window_us
        order = np.argsort(window, kind="stable")
        table = table.take(order)
        window = window[order]
        bounds = np.flatnonzero(np.diff(window)) + 1
        starts = np.concatenate([[0], bounds])
        ends = np.concatenate([bounds, [len(window)]])
        spill_no = len(self._spills)
        path = self._spill_dir / f"block-{spill_no:06d}.arrow"
        options = COMPRESSED_SPILL if self.rows > COMPRESS_SPILLS_AFTER_ROWS else PLAIN_SPILL
        with pa.OSFile(str(path), "wb") as sink, ipc.new_file(
                sink, self.schema, options=options) as spill:
            batch_no = 0
            for begin, end in zip(starts, ends, strict=True):
                entries = self._index.setdefault(int(window[begin]), [])
                for batch in table.slice(begin, end - begin).combine_chunks().to_batches():
                    spill.write_batch(batch)
                    entries.append((spill_no, batch_no))
                    batch_no += 1
        self._spills.append(path)
        self.rows += table.num_rows

    def finish(self) -> int:
        """Merge the windows in time order into the Parquet file; returns the row count."""
        # Plain reads, not memory maps: each window's batches are decompressed into
        # ordinary memory and released once written, so memory stays flat.
        readers = [ipc.open_file(pa.OSFile(str(path))) for path in self._spills]
        with pq.ParquetWriter(self.path, self.schema, **PARQUET_OPTIONS) as writer:
            pending: list[pa.Table] = []
            pending_rows = 0
            for window in sorted(self._index):
                batches = [readers[spill].get_batch(batch) for spill, batch in self._index[window]]
                pending.append(pa.Table.from_batches(batches, self.schema).sort_by(SORT_KEYS))
                pending_rows += pending[-1].num_rows
                # Windows are small; gather them into full row groups before writing.
                if pending_rows >= ROW_GROUP_ROWS:
                    writer.write_table(pa.concat_tables(pending), row_group_size=ROW_GROUP_ROWS)
                    pending, pending_rows = [], 0
            if pending or not self._index:
                table = pa.concat_tables(pending) if pending else self.schema.empty_table()
                writer.write_table(table, row_group_size=ROW_GROUP_ROWS)
        return self.rows
