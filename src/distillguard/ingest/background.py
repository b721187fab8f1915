"""Run an iterator in a background thread, a few items ahead of its consumer.

Ingest is a two-stage pipeline: reading, validating and computing features for the next
batch (Arrow and DuckDB kernels, which release the GIL) overlaps with writing the
current batch into the workspace. Items arrive in order; an exception raised by the
iterator is raised in the consumer at the point where that item would have arrived;
when the consumer stops early (an error of its own, an interrupt, ``close()``), the
background thread stops at its next item and closes the iterator, so its resources (a
DuckDB connection, an open file) are released by the thread that used them.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Generator, Iterator
from typing import TypeVar

T = TypeVar("T")

#: How long a blocked producer waits before looking again whether it should stop.
_POLL_SECONDS = 0.1


class _Done:
    """Marks the end of the items (with the exception that ended them, if any)."""

    def __init__(self, error: BaseException | None) -> None:
        self.error = error


def ahead(
    items: Iterator[T], depth: int = 2, *, name: str = "distillguard-ingest"
) -> Generator[T, None, None]:
    """Yield ``items`` while a thread computes up to ``depth`` of them in advance.

    Parameters
    ----------
    items:
        Any iterator; it is advanced only by the background thread.
    depth:
        Items computed ahead of the consumer (bounds the memory held: ``depth`` + 2
        items at most, counting the one being produced and the one being consumed).
    """
    slots: queue.Queue[T | _Done] = queue.Queue(maxsize=max(1, depth))
    stop = threading.Event()

    def offer(item: T | _Done) -> bool:
        while not stop.is_set():
            try:
                slots.put(item, timeout=_POLL_SECONDS)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        error: BaseException | None = None
        try:
            for item in items:
                if not offer(item):
                    break
        except BaseException as exc:  # handed to the consumer, raised there
            error = exc
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()
        offer(_Done(error))

    worker = threading.Thread(target=produce, name=name, daemon=True)
    worker.start()
    try:
        while True:
            item = slots.get()
            if isinstance(item, _Done):
                if item.error is not None:
                    raise item.error
                return
            yield item
    finally:
        stop.set()
        worker.join()
