"""The online guard: a decision for every request, from the batch engine's own rules.

:class:`Guard` folds each event into per-account state (:mod:`.profile`), re-scores
accounts with the batch signals (``scoring.SIGNALS`` / ``score_accounts``) on the same
profile columns, links accounts through an index of rare indicator values and keeps
campaign groups (:mod:`.linking`), and answers with a :class:`Decision`:
``allow``, ``monitor``, ``review``, ``throttle`` (online only) or ``block``.

Scoring is vectorised, and scoring tens of accounts costs little more than one, so
accounts whose state grew are re-scored in rounds (every ``online.rescore_events`` events
or ``online.rescore_interval_ms`` milliseconds), ``online.rescore_chunk`` accounts per
step and one step per event; a decision in between uses the account's last score. The
guard is not thread-safe: give each thread (or gateway worker) its own, sharing state
through Redis if needed.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from distillguard.config import Config, default_config
from distillguard.detect.features import validate_patterns
from distillguard.detect.profiles import build_profiles
from distillguard.detect.scoring import (
    OUTSIDE_COLUMNS,
    REASON_MIN_CONTRIBUTION,
    account_reasons,
    campaign_reason,
    decide,
    final_risk,
    novel_harvest_tokens,
    open_lone_accounts,
    score_accounts,
)
from distillguard.detect.scoring import PROFILE_COLUMNS as SIGNAL_COLUMNS
from distillguard.errors import ConfigError, DistillguardError, missing_extra
from distillguard.online.features import EventFeatureExtractor
from distillguard.online.linking import (
    IndicatorKeys,
    Linker,
    campaign_of_group,
    new_indicators,
)
from distillguard.online.profile import (
    AccountState,
    Population,
    ProfileSettings,
    available,
    to_epoch_seconds,
    unavailable_columns,
)
from distillguard.online.store import MemoryStore, StateStore, StateUnavailable
from distillguard.privacy import KEY_ENV
from distillguard.schema import EVENT_FIELDS, FEATURE_FIELDS, Reason

#: Online actions, mildest first. ``throttle`` exists only online.
ACTIONS: tuple[str, ...] = ("allow", "monitor", "review", "throttle", "block")
#: Actions under which the request is not served.
REFUSED_ACTIONS: frozenset[str] = frozenset({"throttle", "block"})
#: Actions that count as flagging the account (the batch's review/block, plus throttle).
FLAGGED_ACTIONS: frozenset[str] = frozenset({"review", "throttle", "block"})
STATE_UNAVAILABLE = "state unavailable"
#: Flags a decision carries (the ``signal`` of the guard's own reasons): what the gateway
#: and monitoring act on, never the reasons' prose.
FLAG_STATE_UNAVAILABLE = "state_unavailable"
FLAG_THROTTLE_BAND = "throttle"
FLAG_LONE_ACCOUNT = "lone_account"
FLAG_RATE_LIMIT = "rate_limit"
FLAG_CAMPAIGN = "campaign"
_EVENT_COLUMNS = tuple(f.name for f in EVENT_FIELDS)


class OnlineEventError(DistillguardError):
    """An event the guard cannot read (no account id, no usable timestamp)."""


@dataclass(frozen=True)
class Decision:
    """What to do with one request, and why.

    ``risk`` is the account's risk in 0..1 (own risk, raised towards its campaign's risk
    when it belongs to one, as in the batch scan); ``reasons`` are sentences for a
    person, most important first. Never show them to the client: they tell an attacker
    which signal fired. ``flags`` say what shaped the action besides the thresholds
    (``FLAG_*``: the state was unavailable, the throttle band, a lone account capped at
    monitor, the rate limit, a campaign member); code acts on them, not on the prose.
    """

    action: str
    risk: float
    reasons: list[str]
    account_id: str
    campaign_id: str | None
    request_id: str | None = None
    own_risk: float = 0.0
    flags: tuple[str, ...] = ()

    @property
    def served(self) -> bool:
        return self.action not in REFUSED_ACTIONS

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class GuardStats:
    """Counters for monitoring (no account data)."""

    events: int = 0
    rescored: int = 0
    flushes: int = 0
    state_errors: int = 0
    actions: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ACTIONS, 0))


def batch_profile_columns(config: Config) -> list[str]:
    """The columns the batch profile has today (one query over an empty events table)."""
    schema = pa.schema([*EVENT_FIELDS, *FEATURE_FIELDS])
    con = duckdb.connect()
    try:
        con.register("_empty", schema.empty_table())
        con.execute("CREATE TABLE events AS SELECT * FROM _empty")
        return list(build_profiles(con, config).column_names)
    finally:
        con.close()


def _check(config: Config) -> None:
    online = config.online
    if online.on_state_error not in ("fail_open", "fail_closed"):
        raise ConfigError(
            f"online.on_state_error must be fail_open or fail_closed, "
            f"got {online.on_state_error!r}"
        )
    thresholds = config.scoring.thresholds
    if not thresholds["review"] <= online.throttle_risk:
        raise ConfigError("online.throttle_risk must be at least scoring.thresholds.review")
    if online.lone_min_events < 0:
        raise ConfigError("online.lone_min_events must be 0 or more")
    if online.max_accounts < 0:
        raise ConfigError("online.max_accounts must be 0 (no bound) or more")
    for name in ("rescore_events", "rescore_interval_ms", "rescore_chunk",
                 "max_indicator_values",
                 "max_index_members", "max_link_candidates", "max_templates",
                 "distinct_sketch_size", "max_scan_chars"):
        if getattr(online, name) < 1:
            raise ConfigError(f"online.{name} must be at least 1")


class Guard:
    """Per-request decisions with incremental state.

    Parameters
    ----------
    config:
        The configuration (``online`` section and everything the batch scan uses).
    store:
        Where state lives: in process by default, or a
        :class:`~distillguard.online.redis_store.RedisStore` shared by workers.

    Examples
    --------
    >>> guard = Guard()
    >>> d = guard.observe({"request_id": "r1", "account_id": "acct-1",
    ...                    "timestamp": "2026-02-01T00:00:00Z", "prompt": "hello"})
    >>> d.action
    'allow'
    """

    def __init__(self, config: Config | None = None, *, store: StateStore | None = None
                 ) -> None:
        self.config = config or default_config()
        _check(self.config)
        validate_patterns(self.config.features)
        online = self.config.online
        self.settings = ProfileSettings.from_config(self.config)
        self.store: StateStore = store if store is not None else MemoryStore(
            self.settings, max_accounts=online.max_accounts)
        self.features = EventFeatureExtractor(
            self.config.features, max_scan_chars=online.max_scan_chars
        )
        self.indicator_keys = IndicatorKeys(os.environ.get(KEY_ENV, "").encode("utf-8"))
        self.linker = Linker(self.config, self.store)
        self.batch_columns = batch_profile_columns(self.config)
        #: Batch profile columns the online state cannot compute (reported, never faked).
        self.unavailable_columns = unavailable_columns(self.batch_columns)
        self._score_columns = list(SIGNAL_COLUMNS)
        self._thresholds = dict(self.config.scoring.thresholds)
        self._growth = float(online.rescore_growth)
        self._pending: dict[str, None] = {}
        self._round: list[str] = []
        self._relink: set[str] = set()
        self._since_flush = 0
        self._last_flush = time.monotonic()
        self._columns_seen: set[str] = set()
        self.stats = GuardStats()

    # -- the per-request path ---------------------------------------------------------

    def observe(self, event: Mapping[str, Any], *, rescore: bool = True) -> Decision:
        """Fold one event (contract 1) into the state and decide what to do with it.

        With ``rescore`` (the default) the event also does one step of re-scoring when a
        round is due; without it the caller runs :meth:`rescore_step` itself, e.g. the
        gateway after it has answered, so no request waits for a step.

        Raises
        ------
        OnlineEventError
            The event has no ``account_id`` or no readable ``timestamp``.
        """
        account_id, ts = _identity(event)
        self.stats.events += 1
        try:
            decision = self._observe(event, account_id, ts, rescore)
        except StateUnavailable as exc:
            self.stats.state_errors += 1
            decision = self._unavailable(event, account_id, exc)
        self.stats.actions[decision.action] += 1
        return decision

    def _observe(self, event: Mapping[str, Any], account_id: str, ts: float,
                 rescore: bool) -> Decision:
        features = self.features.extract(event)
        kinds = self.config.linkage.indicators

        def fold(state: AccountState) -> tuple[int, bool, list[str]]:
            before = state.events
            new_model = state.observe(event, ts, features, self.settings)
            return before, new_model, new_indicators(
                state, event, features, kinds, self.indicator_keys, self.config
            )

        state, created, (before, new_model, indicators) = self.store.update_account(
            account_id, fold)
        score, group = self.store.record_event(account_id, created, before, ts)
        if new_model:
            self.store.note_model(str(event["model"]), ts)
        if indicators:
            self.store.index_add_all(indicators, account_id,
                                     self.config.online.max_index_members)
        fresh = [
            name for name in _EVENT_COLUMNS
            if name not in self._columns_seen and event.get(name) is not None
        ]
        if fresh:
            self._columns_seen.update(fresh)
            self.store.mark_columns(fresh)
        scored_events = int(score["events"]) if score else 0
        if state.events - scored_events >= max(1.0, self._growth * scored_events):
            self._pending[account_id] = None
        self._since_flush += 1
        if rescore and self._step():
            score, group = self.store.context(account_id)
        return self._decide(event, state, score, group)

    def rescore_step(self) -> int:
        """One step of re-scoring if a round is due or under way (see :meth:`observe`);
        the number of accounts scored. A state error is counted and otherwise ignored."""
        try:
            return self._step()
        except StateUnavailable:
            self.stats.state_errors += 1
            return 0

    def _step(self) -> int:
        if not self._round and (self._since_flush >= self.config.online.rescore_events or (
            time.monotonic() - self._last_flush
        ) * 1000 >= self.config.online.rescore_interval_ms):
            self._start_round()
        if self._round:  # one step of the round per event: no request pays for all of it
            return self._rescore(self._next_chunk())
        return 0

    def record_outcome(self, account_id: str, completion_tokens: int) -> None:
        """Fold in the completion tokens of a request already observed (from the upstream's
        answer); a state error here is counted and otherwise ignored."""
        try:
            self.store.update_account(account_id,
                                      lambda state: state.observe_outcome(completion_tokens))
            if "completion_tokens" not in self._columns_seen:
                self._columns_seen.add("completion_tokens")
                self.store.mark_columns(["completion_tokens"])
        except StateUnavailable:
            self.stats.state_errors += 1

    def _decide(self, event: Mapping[str, Any], state: AccountState,
                score: Mapping[str, Any] | None, group: Mapping[str, Any] | None
                ) -> Decision:
        own = float(score["own"]) if score else 0.0
        campaign_id, campaign_risk = campaign_of_group(group)
        risk = float(final_risk(own, campaign_risk, campaign_id is not None,
                                self.config.scoring,
                                open_lone=bool(score.get("open")) if score else False))
        action, why = self._action(risk, state, lone=campaign_id is None)
        own_reasons = [why] if why else []
        if campaign_id is not None:
            own_reasons.append(campaign_reason(campaign_id, campaign_risk))
        reasons = [reason.text for reason in own_reasons]
        if score:
            reasons.extend(score.get("reasons") or [])  # texts, as the state keeps them
        return Decision(action, round(risk, 6), reasons, state.account_id, campaign_id,
                        _text(event.get("request_id")), round(own, 6),
                        tuple(reason.signal for reason in own_reasons))

    def _action(self, risk: float, state: AccountState, *, lone: bool
                ) -> tuple[str, Reason | None]:
        """The action for a risk, and the reason when it is not the plain threshold's
        (see docs/online.md: throttle band, lone accounts, rate limit)."""
        t, online = self._thresholds, self.config.online
        action = str(decide(risk, t))  # the batch decision, then online's own rules
        why: Reason | None = None
        if action != "block" and risk >= online.throttle_risk:
            action, why = "throttle", Reason(FLAG_THROTTLE_BAND, (
                f"throttled: risk {risk:.2f} is between {online.throttle_risk:g} and the "
                f"block threshold {t['block']:g}"), value=risk)
        if lone and action in FLAGGED_ACTIONS and state.events < online.lone_min_events:
            action, why = "monitor", Reason(FLAG_LONE_ACCOUNT, (
                f"under watch, not flagged yet: risk {risk:.2f} after only {state.events} "
                f"requests (a lone account is flagged from {online.lone_min_events})"),
                value=float(state.events))
        limit = online.rate_limit_per_minute
        if limit and action in ("monitor", "review") and state.minute_count > limit:
            action, why = "throttle", Reason(FLAG_RATE_LIMIT, (
                f"throttled: {state.minute_count} requests this minute, over the limit of "
                f"{limit} for accounts under watch"), value=float(state.minute_count))
        return action, why

    def _unavailable(self, event: Mapping[str, Any], account_id: str,
                     exc: StateUnavailable) -> Decision:
        closed = self.config.online.on_state_error == "fail_closed"
        return Decision(
            "block" if closed else "allow", 0.0,
            [f"{STATE_UNAVAILABLE}: {exc}; failing {'closed' if closed else 'open'}"],
            account_id, None, _text(event.get("request_id")),
            flags=(FLAG_STATE_UNAVAILABLE,),
        )

    # -- re-scoring -------------------------------------------------------------------

    def flush(self, *, everything: bool = False) -> int:
        """Re-score now every account whose state grew (every known one with
        ``everything``), and the accounts that must be relinked after them.

        Returns the number of accounts scored. :meth:`observe` re-scores on its own
        schedule, a chunk at a time; call this before reading final risks (the end of a
        replay, a shutdown).
        """
        total = 0
        for attempt in range(3):  # re-scoring may queue neighbours to relink: follow up
            self._start_round(everything=everything and attempt == 0)
            if not self._round:
                break
            while self._round:
                total += self._rescore(self._next_chunk())
        return total

    def _start_round(self, *, everything: bool = False) -> None:
        """Begin a re-scoring round with the accounts pending now."""
        self._since_flush = 0
        self._last_flush = time.monotonic()
        ids = list(self._pending)
        self._pending.clear()
        if everything:
            ids = sorted(set(ids) | set(self.known_accounts()))
        self._round = ids

    def _next_chunk(self) -> list[str]:
        size = self.config.online.rescore_chunk
        chunk, self._round = self._round[:size], self._round[size:]
        return chunk

    def _rescore(self, ids: list[str]) -> int:
        """Score ``ids`` together, update their links and groups, store their scores."""
        states = [s for s in self.store.accounts(ids) if s is not None]
        if not states:
            return 0
        previous = self.store.scores([s.account_id for s in states])
        counts = self.store.population()
        population = Population(counts.start, counts.releases)
        own, reasons, evidence = self._score(states, _median(counts.events_histogram),
                                             population)
        groups, relink = self.linker.update(states, own, previous, counts.accounts,
                                            self._relink, evidence)
        self._relink = (self._relink - set(ids)) | relink
        self._pending.update(dict.fromkeys(relink))
        threshold = float(self.config.scoring.min_campaign_member_risk)
        self.store.put_scores({
            s.account_id: {
                "own": float(r), "events": s.events, "reasons": why,
                "seed": bool(r >= threshold), "open": bool(hides_nothing), **group,
            }
            for s, r, why, group, hides_nothing in zip(states, own, reasons, groups,
                                                       evidence["open"], strict=True)
        })
        self.stats.flushes += 1
        self.stats.rescored += len(states)
        return len(states)

    def _score(self, states: list[AccountState], median_events: float,
               population: Population
               ) -> tuple[np.ndarray, list[list[str]], dict[str, np.ndarray]]:
        """Own risk, reasons and group evidence of ``states`` with the batch signals.

        The evidence is what each account brings to a group (its harvest, automation
        factor, tokens of long answers to new prompts, whether it is young) and whether
        it hides nothing (``open``: the batch's open-lone cap applies).

        The profile gets ``len(states) + 1`` reference rows whose ``events`` is the
        population's median (every other column null): a signal comparing an account
        with the population's median (``high_volume``) then sees the median of all
        accounts, not of the few re-scored now. Reference rows are dropped after.
        """
        n = len(states)
        pad = n + 1
        columns: dict[str, np.ndarray] = {}
        for name in self._score_columns:
            values = np.full(n + pad, np.nan)
            if name in OUTSIDE_COLUMNS and not available(name):
                values[:] = 0.0  # evidence from outside the traffic: none online
            elif available(name):
                values[:n] = [_number(s.column(name, population)) for s in states]
                if name == "events":
                    values[n:] = median_events
            columns[name] = values  # NaN where the batch would have null
        sc = self.config.scoring
        scores = score_accounts(columns, sc, self.store.seen_columns())
        own = np.asarray(scores.own_risk[:n], dtype=np.float64)
        young_hours = 24.0 * float(sc.signal_params["young_account_days"])
        with np.errstate(invalid="ignore"):
            evidence = {
                "harvest": scores.harvest[:n], "amplifier": scores.amplifier[:n],
                "tokens": novel_harvest_tokens({k: v[:n] for k, v in columns.items()}),
                "young": columns["account_age_hours"][:n] < young_hours,
                "open": open_lone_accounts(scores, sc)[:n],
            }
        contributions = {k: v[:n] for k, v in scores.contributions.items()}
        if not any((np.abs(v) >= REASON_MIN_CONTRIBUTION).any() for v in contributions.values()):
            return own, [[] for _ in range(n)], evidence  # nothing fired: no sentences
        head = dataclasses.replace(
            scores,
            strengths={k: v[:n] for k, v in scores.strengths.items()},
            contributions=contributions,
            own_risk=own,
        )
        own_rows = {name: values[:n] for name, values in columns.items()}
        reasons = account_reasons(own_rows, head, min_contribution=REASON_MIN_CONTRIBUTION)
        return own, [[reason.text for reason in rs] for rs in reasons], evidence

    # -- reading the state ------------------------------------------------------------

    def known_accounts(self) -> list[str]:
        """Accounts the guard has state for."""
        return self.store.account_ids()

    def profile(self, account_id: str) -> dict[str, Any] | None:
        """The account's profile by batch column name (unavailable columns omitted)."""
        state = self.store.accounts([account_id])[0]
        if state is None:
            return None
        counts = self.store.population()
        population = Population(counts.start, counts.releases)
        row: dict[str, Any] = {"account_id": account_id}
        row.update({c: state.column(c, population) for c in self.batch_columns if available(c)})
        return row

    def assess(self, account_id: str) -> Decision | None:
        """The current decision for an account without observing an event."""
        state = self.store.accounts([account_id])[0]
        if state is None:
            return None
        score, group = self.store.context(account_id)
        return self._decide({}, state, score, group)

    def close(self) -> None:
        self.store.close()


def _identity(event: Mapping[str, Any]) -> tuple[str, float]:
    account = event.get("account_id")
    if account is None or str(account) == "":
        raise OnlineEventError("event has no account_id")
    raw = event.get("timestamp")
    if raw is None:
        raise OnlineEventError("event has no timestamp")
    try:
        ts = to_epoch_seconds(raw)
    except (ValueError, TypeError, OverflowError) as exc:
        raise OnlineEventError(f"unreadable timestamp: {exc}") from None
    return str(account), ts


def _number(value: Any) -> float:
    return np.nan if value is None else float(value)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _median(histogram: Mapping[int, int]) -> float:
    """Median of a histogram {value: count} (as ``numpy.median``: middle two averaged)."""
    total = sum(histogram.values())
    if not total:
        return 1.0
    low_rank, high_rank = (total - 1) // 2, total // 2
    seen = 0
    low = high = None
    for value in sorted(histogram):
        seen += histogram[value]
        if low is None and seen > low_rank:
            low = value
        if seen > high_rank:
            high = value
            break
    assert low is not None and high is not None
    return (low + high) / 2.0


def guard_with_state(config: Config | None = None, redis_url: str | None = None) -> Guard:
    """A guard with its state in process, or in Redis when ``redis_url`` is given."""
    config = config or default_config()
    if redis_url is None:
        return Guard(config)
    try:
        from distillguard.online.redis_store import RedisStore
    except ImportError as exc:
        raise missing_extra("server", "Redis state", exc) from None
    store = RedisStore(redis_url, ProfileSettings.from_config(config),
                       prefix=config.online.redis_key_prefix,
                       timeout_ms=config.online.redis_timeout_ms)
    return Guard(config, store=store)
