"""Where the guard keeps its state: in process (default) or shared (Redis).

The guard talks to a :class:`StateStore`; :class:`MemoryStore` keeps plain Python
objects in this process, :class:`~distillguard.online.redis_store.RedisStore` keeps the
same records in Redis so several gateway workers share them and a restarted worker
continues where it stopped. A store that cannot be reached raises
:class:`StateUnavailable`; the guard then fails open or closed as configured.

Records:

- account state (:class:`~distillguard.online.profile.AccountState`), updated by a
  read-modify-write that the Redis store makes atomic (compare-and-set, retried);
- the account's last score (``own`` risk, events at scoring, reasons, seed flag);
- population counters (accounts, events per account histogram, columns seen);
- the indicator index (indicator value → count of accounts, first accounts);
- campaign groups: a union-find of suspicious accounts with additive aggregates per
  root (members, summed own risk, seeds, members with each kind of shared link).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from distillguard.errors import DistillguardError
from distillguard.online.profile import AccountState, ProfileSettings

T = TypeVar("T")


class StateUnavailable(DistillguardError):
    """The shared state cannot be read or written (Redis down, timeout)."""


#: Fields of a group record that add up when groups merge.
GROUP_SUM_FIELDS: tuple[str, ...] = ("size", "risk_sum", "seeds")


@dataclass(frozen=True)
class PopulationCounts:
    """What the guard knows about all accounts together."""

    accounts: int
    #: Events per account (bucketed, see :func:`events_bucket`) → number of accounts.
    events_histogram: dict[int, int]
    #: The first request, and each model's first request, in epoch seconds.
    start: float | None
    releases: dict[str, float]


class StateStore(Protocol):
    """What the guard needs from its state, whatever keeps it."""

    def update_account(
        self, account_id: str, apply: Callable[[AccountState], T]
    ) -> tuple[AccountState, bool, T]:
        """Atomically load (or create) an account, apply ``apply``, store it.

        Returns the state after the update, whether it was created, and what ``apply``
        returned. ``apply`` may run more than once (Redis retries on a conflict), so it
        must only change the state it is given.
        """
        ...

    def accounts(self, account_ids: list[str]) -> list[AccountState | None]: ...

    def account_ids(self) -> list[str]:
        """Every account with state (for a full re-score; may be slow on a large store)."""
        ...

    def scores(self, account_ids: list[str]) -> list[dict[str, Any] | None]: ...

    def put_scores(self, scores: Mapping[str, dict[str, Any]]) -> None: ...

    def record_event(
        self, account_id: str, new_account: bool, events_before: int, ts: float
    ) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """Count one event (at ``ts``) in the population (the account had ``events_before``
        events) and return the account's last score and its group's record (one round
        trip)."""
        ...

    def note_model(self, model: str, ts: float) -> None:
        """A model was used at ``ts``; its release is its earliest use."""
        ...

    def context(self, account_id: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """The account's last score and its group's record, without counting an event."""
        ...

    def population(self) -> PopulationCounts: ...

    def mark_columns(self, names: Iterable[str]) -> None: ...

    def seen_columns(self) -> set[str]: ...

    def index_add(self, key: str, account_id: str, cap: int) -> None: ...

    def index_add_all(self, keys: list[str], account_id: str, cap: int) -> None:
        """:meth:`index_add` for several keys (one round trip)."""
        ...

    def index_get(self, keys: list[str]) -> list[tuple[int, list[str]]]: ...

    def set_org(self, account_id: str, org_id: str) -> None: ...

    def orgs(self, account_ids: list[str]) -> list[str | None]: ...

    def member_of(self, account_ids: list[str]) -> list[str | None]:
        """Each account's node in the group structure (itself for seeds), if any."""
        ...

    def set_member_of(self, account_id: str, node: str | None) -> None: ...

    def find(self, node: str) -> str: ...

    def union(self, a: str, b: str) -> str: ...

    def group_add(self, root: str, delta: Mapping[str, float]) -> None: ...

    def groups(self, roots: list[str]) -> list[dict[str, Any]]: ...

    def set_group(self, root: str, fields: Mapping[str, Any]) -> None: ...

    def next_campaign_number(self) -> int: ...

    def campaign_count(self) -> int:
        """Campaign numbers given out so far."""
        ...

    def close(self) -> None: ...


class MemoryStore:
    """State in this process: plain dictionaries, no serialisation (the fast default).

    With ``max_accounts``, the state is bounded: when a new account would make more
    than that, the account idle longest (least recently updated) is forgotten: its
    state, score and organisation, its place in the population counts and in the
    indicator index (so the index shrinks with it). Accounts in a campaign group are
    kept (the group's aggregates count them); if only such accounts are left to evict,
    the store stays over the bound until one is not. An account that comes back after
    being forgotten starts again from nothing.
    """

    #: Accounts in a group skipped per eviction before giving up for this time.
    _EVICTION_TRIES = 16

    def __init__(self, settings: ProfileSettings, *, max_accounts: int = 0) -> None:
        self.settings = settings
        self.max_accounts = max_accounts
        #: Accounts forgotten so far (monitoring).
        self.evicted = 0
        # Least recently updated first: the eviction order.
        self._accounts: OrderedDict[str, AccountState] = OrderedDict()
        self._scores: dict[str, dict[str, Any]] = {}
        self._n_accounts = 0
        self._events_hist: dict[int, int] = {}
        self._columns: set[str] = set()
        self._index: dict[str, list[Any]] = {}
        self._orgs: dict[str, str] = {}
        self._member_of: dict[str, str] = {}
        self._parent: dict[str, str] = {}
        self._groups: dict[str, dict[str, Any]] = {}
        self._campaigns = 0
        self._start: float | None = None
        self._releases: dict[str, float] = {}

    def update_account(
        self, account_id: str, apply: Callable[[AccountState], T]
    ) -> tuple[AccountState, bool, T]:
        state = self._accounts.get(account_id)
        created = state is None
        if state is None:
            state = self._accounts[account_id] = AccountState(account_id, self.settings)
            if self.max_accounts and len(self._accounts) > self.max_accounts:
                self._evict_idle()
        else:
            self._accounts.move_to_end(account_id)
        return state, created, apply(state)

    def _evict_idle(self) -> None:
        """Forget the least recently updated account that is in no group."""
        for _ in range(min(self._EVICTION_TRIES, len(self._accounts) - 1)):
            account_id, state = next(iter(self._accounts.items()))
            if account_id in self._member_of:
                self._accounts.move_to_end(account_id)
                continue
            del self._accounts[account_id]
            self._forget(state)
            return

    def _forget(self, state: AccountState) -> None:
        account_id = state.account_id
        self.evicted += 1
        self._scores.pop(account_id, None)
        self._orgs.pop(account_id, None)
        self._n_accounts -= 1
        bucket = events_bucket(state.events)
        left = self._events_hist.get(bucket, 0) - 1
        if left > 0:
            self._events_hist[bucket] = left
        else:
            self._events_hist.pop(bucket, None)
        for held in state.indicators.values():
            for key in held:
                entry = self._index.get(key)
                if entry is None:
                    continue
                entry[0] -= 1
                if entry[0] <= 0:
                    del self._index[key]
                elif account_id in entry[1]:
                    entry[1].remove(account_id)

    def accounts(self, account_ids: list[str]) -> list[AccountState | None]:
        return [self._accounts.get(a) for a in account_ids]

    def account_ids(self) -> list[str]:
        return list(self._accounts)

    def scores(self, account_ids: list[str]) -> list[dict[str, Any] | None]:
        return [self._scores.get(a) for a in account_ids]

    def put_scores(self, scores: Mapping[str, dict[str, Any]]) -> None:
        self._scores.update(scores)

    def record_event(
        self, account_id: str, new_account: bool, events_before: int, ts: float
    ) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        if self._start is None or ts < self._start:
            self._start = ts
        hist = self._events_hist
        if new_account:
            self._n_accounts += 1
        old, new = events_bucket(events_before), events_bucket(events_before + 1)
        if old != new or new_account:
            if not new_account:
                left = hist[old] - 1
                if left:
                    hist[old] = left
                else:
                    del hist[old]
            hist[new] = hist.get(new, 0) + 1
        return self.context(account_id)

    def context(self, account_id: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        node = self._member_of.get(account_id)
        group = self._groups.get(self.find(node)) if node is not None else None
        return self._scores.get(account_id), group

    def note_model(self, model: str, ts: float) -> None:
        if ts < self._releases.get(model, float("inf")):
            self._releases[model] = ts

    def population(self) -> PopulationCounts:
        return PopulationCounts(self._n_accounts, dict(self._events_hist), self._start,
                                dict(self._releases))

    def mark_columns(self, names: Iterable[str]) -> None:
        self._columns.update(names)

    def seen_columns(self) -> set[str]:
        return set(self._columns)

    def index_add(self, key: str, account_id: str, cap: int) -> None:
        entry = self._index.get(key)
        if entry is None:
            self._index[key] = [1, [account_id]]
            return
        entry[0] += 1
        if len(entry[1]) < cap:
            entry[1].append(account_id)

    def index_add_all(self, keys: list[str], account_id: str, cap: int) -> None:
        for key in keys:
            self.index_add(key, account_id, cap)

    def index_get(self, keys: list[str]) -> list[tuple[int, list[str]]]:
        return [
            (int(e[0]), list(e[1])) if (e := self._index.get(k)) is not None else (0, [])
            for k in keys
        ]

    def set_org(self, account_id: str, org_id: str) -> None:
        self._orgs[account_id] = org_id

    def orgs(self, account_ids: list[str]) -> list[str | None]:
        return [self._orgs.get(a) for a in account_ids]

    def member_of(self, account_ids: list[str]) -> list[str | None]:
        return [self._member_of.get(a) for a in account_ids]

    def set_member_of(self, account_id: str, node: str | None) -> None:
        if node is None:
            self._member_of.pop(account_id, None)
        else:
            self._member_of[account_id] = node

    def find(self, node: str) -> str:
        parent = self._parent
        root = node
        while parent.get(root, root) != root:
            root = parent[root]
        while node != root:  # path compression
            parent[node], node = root, parent[node]
        return root

    def union(self, a: str, b: str) -> str:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return ra
        ga, gb = self._groups.get(ra, {}), self._groups.get(rb, {})
        if ga.get("size", 0) < gb.get("size", 0):
            ra, rb, ga, gb = rb, ra, gb, ga
        self._parent[rb] = ra
        merged = merge_groups(ga, gb)
        self._groups[ra] = merged
        self._groups.pop(rb, None)
        return ra

    def group_add(self, root: str, delta: Mapping[str, float]) -> None:
        group = self._groups.setdefault(root, {})
        for key, value in delta.items():
            group[key] = group.get(key, 0.0) + value

    def groups(self, roots: list[str]) -> list[dict[str, Any]]:
        return [dict(self._groups.get(r, {})) for r in roots]

    def set_group(self, root: str, fields: Mapping[str, Any]) -> None:
        self._groups.setdefault(root, {}).update(fields)

    def next_campaign_number(self) -> int:
        self._campaigns += 1
        return self._campaigns

    def campaign_count(self) -> int:
        return self._campaigns

    def close(self) -> None:
        pass


def events_bucket(events: int) -> int:
    """Events per account as kept in the population histogram: exact below 1,024, then
    rounded to 1/64 of a doubling (about 1 %), so the histogram stays small."""
    if events < 1024:
        return events
    return round(2 ** (round(math.log2(events) * 64) / 64))


def merge_groups(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    """Two group records as one: additive fields summed, the older campaign id kept."""
    merged: dict[str, Any] = {}
    for key in set(a) | set(b):
        if key == "campaign":
            numbers = [int(x[key]) for x in (a, b) if x.get(key)]
            if numbers:
                merged[key] = min(numbers)
        elif key in ("risk", "candidate"):
            continue  # recomputed by the guard
        else:
            merged[key] = float(a.get(key, 0.0)) + float(b.get(key, 0.0))
    return merged
