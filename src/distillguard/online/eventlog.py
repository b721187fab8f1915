"""The gateway's event log: contract-1 events as JSON Lines, rotated.

Events go to a hidden file (``.events-….jsonl.open``) that scans skip; at rotation
(``online.log_rotate_mib`` or ``online.log_rotate_minutes``, and on shutdown) it is
renamed to ``events-<start>-<sequence>.jsonl``, so ``distillguard scan LOGDIR`` never
reads a half-written file. Lines are handed to the operating system at least every
``flush_seconds`` (0: at once); a crash of the process loses at most that much. This
log is the provider's own record and the only place the gateway keeps raw client IPs.
"""

from __future__ import annotations

import json
import os
import time
from collections import deque
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any


class EventLog:
    """Append events to ``directory``, rotating by size and age."""

    def __init__(self, directory: str | Path, *, rotate_bytes: int, rotate_seconds: float,
                 flush_seconds: float = 0.0) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.rotate_bytes = rotate_bytes
        self.rotate_seconds = rotate_seconds
        self._file: IO[str] | None = None
        self._path: Path | None = None
        self._final: Path | None = None
        self._opened = 0.0
        self._written = 0
        self._sequence = 0
        self.flush_seconds = flush_seconds
        self._flushed = 0.0
        #: The most recent files closed (bounded: a gateway runs for months).
        self.closed_files: deque[Path] = deque(maxlen=64)

    def write(self, event: dict[str, Any]) -> None:
        line = json.dumps(event, ensure_ascii=False, separators=(",", ":"), default=str) + "\n"
        if self._file is None or self._written >= self.rotate_bytes or (
            time.monotonic() - self._opened >= self.rotate_seconds
        ):
            self.rotate()
        assert self._file is not None
        self._file.write(line)
        now = time.monotonic()
        if now - self._flushed >= self.flush_seconds:
            self._file.flush()
            self._flushed = now
        self._written += len(line.encode("utf-8"))

    def flush(self) -> None:
        """Push buffered lines to the file (the gateway calls this on a timer)."""
        if self._file is not None:
            self._file.flush()
            self._flushed = time.monotonic()

    def rotate(self) -> None:
        """Close the current file (making it visible to scans) and start a new one."""
        self._close_current()
        self._sequence += 1
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        name = f"events-{stamp}-{os.getpid()}-{self._sequence:04d}.jsonl"
        self._final = self.directory / name
        self._path = self.directory / f".{name}.open"
        self._file = self._path.open("a", encoding="utf-8")
        self._opened = time.monotonic()
        self._written = 0

    def _close_current(self) -> None:
        if self._file is None or self._path is None or self._final is None:
            return
        self._file.close()
        self._file = None
        if self._written:
            self._path.replace(self._final)
            self.closed_files.append(self._final)
        else:
            self._path.unlink(missing_ok=True)

    def close(self) -> None:
        self._close_current()
