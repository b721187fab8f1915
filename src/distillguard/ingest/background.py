"""Run an iterator in a background thread, a few items ahead of its consumer, and map a
function over items in a few threads at once, in order.

Ingest is a pipeline: reading and validating the next batches (:func:`ahead`), computing
the features of two batches at a time (:func:`ordered_map`) and writing the current one
into the workspace all overlap (Arrow and DuckDB kernels release the GIL). Items arrive
in order; an exception raised by the iterator or the function is raised in the consumer
at the point where that item would have arrived; when the consumer stops early (an error
of its own, an interrupt, ``close()``), the background thread stops at its next item and
closes the iterator, so its resources (a DuckDB connection, an open file) are released
by the thread that used them.
"""

from __future__ import annotations

import queue
import threading
from collections import deque
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

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


def ordered_map(
    function: Callable[[T], R],
    items: Iterator[T],
    workers: int = 2,
    *,
    name: str = "distillguard-map",
) -> Generator[R, None, None]:
    """Yield ``function(item)`` for each item, in order, computed by ``workers`` threads.

    The consumer's thread takes the items (from a fast iterator, such as one running
    :func:`ahead`) and hands them to the threads; at most ``workers`` results are
    computed ahead of the one the consumer has.
    """
    pending: deque[Future[R]] = deque()
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix=name) as pool:
        try:
            for item in items:
                pending.append(pool.submit(function, item))
                if len(pending) > workers:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:  # stopped early: what has not started never will
            for future in pending:
                future.cancel()
