"""The gateway's event log: contract-1 events as JSON Lines, rotated.

Events go to a hidden file (``.events-….jsonl.open``) that scans skip; at rotation
(``online.log_rotate_mib`` or ``online.log_rotate_minutes``, and on shutdown) it is
renamed to ``events-<start>-<sequence>.jsonl``, so ``distillguard scan LOGDIR`` never
reads a half-written file. Lines are handed to the operating system at least every
``flush_seconds`` (0: at once); a crash of the process loses at most that much, and the
open file a killed process leaves behind is renamed by the next log started in the same
folder. This log is the provider's own record and the only place the gateway keeps raw
client IPs.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import os
import re
import signal
import threading
import time
from collections import deque
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

_OPEN_NAME = re.compile(r"\.events-\d{8}T\d{6}-(?P<pid>\d+)-\d+\.jsonl\.open")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


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
        self._adopt_orphans()

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

    def rotate_if_due(self) -> None:
        """Rotate a file with lines that is older than ``rotate_seconds`` (an idle log's
        last lines become visible to scans without waiting for the next write)."""
        if self._file is not None and self._written and (
            time.monotonic() - self._opened >= self.rotate_seconds
        ):
            self._close_current()

    async def maintain(self, interval: float = 0.5) -> None:
        """Flush (and rotate when due) every ``interval`` seconds, for a log kept by code
        with no timer of its own (a LiteLLM callback)."""
        while True:
            await asyncio.sleep(interval)
            self.flush()
            self.rotate_if_due()

    def close_on_exit(self) -> None:
        """Close (rename the last file for scans) when the process ends, for code with
        no shutdown hook of its own (a LiteLLM callback in a uvicorn worker).

        ``atexit`` covers a plain exit. A uvicorn worker re-raises the SIGTERM it was
        stopped with once it has drained, which kills it before any exit handler: so the
        handler in place now (uvicorn's, when called from inside the server) is wrapped
        to close the log first. Call it from the server's event loop. What a killed
        process leaves open is taken over by the next log started in the folder.
        """
        atexit.register(self.close)
        if threading.current_thread() is not threading.main_thread():
            return
        previous = signal.getsignal(signal.SIGTERM)
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            loop = None

        def closing(signum: int, frame: Any) -> None:
            if loop is not None and loop.is_running():
                loop.call_soon_threadsafe(self.close)  # not in the middle of a write
            else:
                self.close()
            if callable(previous):
                previous(signum, frame)
            elif previous == signal.SIG_DFL:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.raise_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, closing)

    def _adopt_orphans(self) -> None:
        """Make visible the open files of logs whose process has died (killed before it
        could close them); a live process's files are left alone."""
        for path in self.directory.glob(".events-*.jsonl.open"):
            match = _OPEN_NAME.fullmatch(path.name)
            if match is None or _alive(int(match["pid"])):
                continue
            final = self.directory / path.name[1:-len(".open")]
            if path.stat().st_size and not final.exists():
                path.replace(final)
                self.closed_files.append(final)

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
