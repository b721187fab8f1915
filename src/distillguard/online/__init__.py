"""Online decisions per request: the guard, its state, the gateway and replays.

>>> from distillguard.online import Guard
>>> guard = Guard()  # doctest: +SKIP

``Guard`` and the in-process state need only the core install; the gateway
(:mod:`.gateway`), Redis state (:mod:`.redis_store`) and the mock upstream need the
``server`` extra. See ``docs/online.md``.
"""

from __future__ import annotations

from distillguard.online.guard import (
    ACTIONS,
    FLAGGED_ACTIONS,
    Decision,
    Guard,
    OnlineEventError,
    guard_with_state,
)
from distillguard.online.store import MemoryStore, StateStore, StateUnavailable

__all__ = [
    "ACTIONS",
    "FLAGGED_ACTIONS",
    "Decision",
    "Guard",
    "MemoryStore",
    "OnlineEventError",
    "StateStore",
    "StateUnavailable",
    "guard_with_state",
]
