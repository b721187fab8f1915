"""Incremental per-account state that yields the batch profile's columns by name.

:class:`AccountState` folds one event at a time into bounded accumulators (counters,
shares, Welford gaps, 24 hour-of-day counters, capped template counts, distinct-count
sketches). :data:`PROFILE_COLUMNS` maps each column name of the batch profile
(``profiles.PROFILE_SQL``) to how the online state computes it. A batch column with no
entry here is *unavailable* online (:func:`unavailable_columns` names them), so a column
added to the batch profile later is reported, never silently wrong.

Where the online value is an estimate: distinct counts are exact up to
``online.distinct_sketch_size`` values, then HyperLogLog estimates; the top
template's count is exact while an account has used fewer than ``online.max_templates``
skeletons; the median gap is read from a log histogram (within about 4 %). Events are
assumed to arrive roughly in time order: a late event's gap counts as zero.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from distillguard.config import Config
from distillguard.detect.rules import TARGET_CAPABILITIES
from distillguard.online.sketches import (
    DistinctSketch,
    MedianSketch,
    TopCounts,
    Welford,
    short_hash,
)

_LN24 = math.log(24)
_MODE_CAPACITY = 8
_MAX_MODELS = 32
#: Address blocks counted per account: a proxy pool's spread is plain long before this.
_BLOCK_CAPACITY = 64


@dataclass(frozen=True)
class ProfileSettings:
    """What the accumulators need from the configuration."""

    distinct_k: int
    max_templates: int
    very_long_max_tokens: float | None
    long_output_tokens: float = 800.0

    @classmethod
    def from_config(cls, config: Config) -> ProfileSettings:
        very_long = config.scoring.signal_params.get("very_long_max_tokens")
        return cls(
            distinct_k=int(config.online.distinct_sketch_size),
            max_templates=int(config.online.max_templates),
            very_long_max_tokens=None if very_long is None else float(very_long),
            long_output_tokens=float(config.scoring.signal_params["long_output_tokens"]),
        )


def _gt(value: Any, bound: float) -> bool | None:
    return None if value is None else value > bound


#: Boolean shares (``avg(CAST(x AS DOUBLE))`` in SQL: true over non-null), by column.
SHARE_RULES: dict[str, Callable[[Mapping[str, Any], Mapping[str, Any], ProfileSettings],
                                bool | None]] = {
    "cot_share": lambda e, f, s: f["cot"],
    "rubric_share": lambda e, f, s: f["rubric"],
    "long_max_tokens_share": lambda e, f, s: f["long_output"],
    "very_long_max_tokens_share": lambda e, f, s: (
        None if s.very_long_max_tokens is None or e.get("max_tokens") is None
        else e["max_tokens"] >= s.very_long_max_tokens
    ),
    "zero_temperature_share": lambda e, f, s: (
        None if e.get("temperature") is None else e["temperature"] == 0
    ),
    "multi_n_share": lambda e, f, s: _gt(e.get("n"), 1),
    "logprobs_share": lambda e, f, s: (
        None if e.get("logprobs") is None else bool(e["logprobs"])
    ),
    "tool_share": lambda e, f, s: _gt(e.get("tool_count"), 0),
    "followup_share": lambda e, f, s: _gt(e.get("turn"), 0),
    "long_output_share": lambda e, f, s: (
        None if e.get("completion_tokens") is None
        else e["completion_tokens"] >= s.long_output_tokens
    ),
}
#: Means over non-null values, by column: (source, event or feature).
MEAN_RULES: dict[str, tuple[str, str]] = {
    "mean_prompt_chars": ("prompt_chars", "feature"),
    "mean_completion_tokens": ("completion_tokens", "event"),
    "mean_temperature": ("temperature", "event"),
}
#: Distinct counts, by column: the event or feature column counted.
DISTINCT_RULES: dict[str, tuple[str, str]] = {
    "distinct_temperatures": ("temperature", "event"),
    "models": ("model", "event"),
    "distinct_ips": ("ip", "event"),
    "distinct_networks": ("ip_prefix", "feature"),
    "distinct_blocks": ("ip_block", "feature"),
    "distinct_user_agents": ("user_agent", "event"),
    "conversations": ("conversation_id", "event"),
    "distinct_prompts": ("prompt", "event"),
    "distinct_templates": ("skeleton", "feature"),
}
_SUMS = ("prompt_tokens", "completion_tokens")
#: Modes of event columns, and of feature columns.
_MODES = ("org_id", "access_path", "country")
_FEATURE_MODES = ("email_domain",)


class AccountState:
    """Everything the guard keeps about one account (bounded in size).

    ``observe`` folds in one event; ``column(name)`` gives a profile column;
    ``to_data`` / ``from_data`` serialise it (for Redis). Fields under ``risk`` and
    ``campaign`` are written by the guard, not by ``observe``.
    """

    def __init__(self, account_id: str, settings: ProfileSettings) -> None:
        self.account_id = account_id
        self.events = 0
        self.prompts = 0
        self.first_ts: float | None = None
        self.last_ts: float | None = None
        self.created_ts: float | None = None
        self.sums = dict.fromkeys((*_SUMS, "harvest_tokens"), 0)
        self._long_output = settings.long_output_tokens
        self.shares: dict[str, list[int]] = {name: [0, 0] for name in SHARE_RULES}
        self.means: dict[str, list[float]] = {name: [0.0, 0] for name in MEAN_RULES}
        self.distinct = {name: DistinctSketch(settings.distinct_k) for name in DISTINCT_RULES}
        self.modes = {name: TopCounts(_MODE_CAPACITY) for name in (*_MODES, *_FEATURE_MODES)}
        self.gaps = Welford()
        self.gap_median = MedianSketch()
        self.hours = [0] * 24
        self.templates = TopCounts(settings.max_templates)
        self.blocks = TopCounts(_BLOCK_CAPACITY)
        self.capabilities: dict[str, int] = {}
        self.minute = -1
        self.minute_count = 0
        self.max_per_minute = 0
        self.model_first: dict[str, float] = {}  # first use of each model (capped)
        # Written by the guard: indicator values seen (hashed), scores, campaign links.
        self.indicators: dict[str, list[str]] = {}
        self.risk: dict[str, Any] = {"own": 0.0, "scored_events": 0, "reasons": []}
        self.campaign: dict[str, Any] = {}

    # -- folding events in ---------------------------------------------------------

    def observe(self, event: Mapping[str, Any], ts: float, features: Mapping[str, Any],
                settings: ProfileSettings) -> bool:
        """Fold one event (contract-1 fields, its timestamp in epoch seconds, features).

        Returns whether the account used its model for the first time.
        """
        self.events += 1
        if event.get("prompt") is not None:
            self.prompts += 1
        if self.last_ts is not None:
            gap = max(ts - self.last_ts, 0.0)
            self.gaps.add(gap)
            self.gap_median.add(gap)
        self.first_ts = ts if self.first_ts is None else min(self.first_ts, ts)
        self.last_ts = ts if self.last_ts is None else max(self.last_ts, ts)
        created = event.get("account_created_at")
        if created is not None:
            created_ts = to_epoch_seconds(created)
            if self.created_ts is None or created_ts < self.created_ts:
                self.created_ts = created_ts
        for name in _SUMS:
            value = event.get(name)
            if value is not None:
                self.sums[name] += int(value)
        completion = event.get("completion_tokens")
        if completion is not None and completion >= self._long_output:
            self.sums["harvest_tokens"] += int(completion)
        for name, rule in SHARE_RULES.items():
            flag = rule(event, features, settings)
            if flag is not None:
                counts = self.shares[name]
                counts[0] += int(flag)
                counts[1] += 1
        for name, (source, where) in MEAN_RULES.items():
            value = (features if where == "feature" else event).get(source)
            if value is not None:
                acc = self.means[name]
                acc[0] += float(value)
                acc[1] += 1
        for name, (source, where) in DISTINCT_RULES.items():
            value = (features if where == "feature" else event).get(source)
            if value is not None:
                self.distinct[name].add(repr(float(value)) if name == "distinct_temperatures"
                                        else str(value))
        for name in _MODES:
            value = event.get(name)
            if value is not None:
                self.modes[name].add(str(value))
        for name in _FEATURE_MODES:
            value = features.get(name)
            if value is not None:
                self.modes[name].add(str(value))
        self.hours[int(ts // 3600) % 24] += 1
        skeleton = features.get("skeleton")
        if skeleton is not None:
            self.templates.add(template_key(skeleton))
        block = features.get("ip_block")
        if block is not None:
            self.blocks.add(str(block))
        capability = features.get("capability")
        if capability is not None:
            self.capabilities[capability] = self.capabilities.get(capability, 0) + 1
        minute = int(ts // 60)
        if minute == self.minute:
            self.minute_count += 1
        elif minute > self.minute:
            self.minute, self.minute_count = minute, 1
        self.max_per_minute = max(self.max_per_minute, self.minute_count)
        model = event.get("model")
        if model is not None:
            first = self.model_first.get(model)
            if first is None:
                if len(self.model_first) < _MAX_MODELS:
                    self.model_first[model] = ts
                    return True
            elif ts < first:
                self.model_first[model] = ts
        return False

    def observe_outcome(self, completion_tokens: int) -> None:
        """Fold in the size of an answer the account already had its request counted for
        (the gateway learns it after deciding)."""
        self.sums["completion_tokens"] += int(completion_tokens)
        acc = self.means["mean_completion_tokens"]
        acc[0] += float(completion_tokens)
        acc[1] += 1
        long = completion_tokens >= self._long_output
        counts = self.shares["long_output_share"]
        counts[0] += int(long)
        counts[1] += 1
        if long:
            self.sums["harvest_tokens"] += int(completion_tokens)

    # -- profile columns -----------------------------------------------------------

    def column(self, name: str, population: Population | None = None) -> Any:
        """The value of a batch profile column (``None`` where batch gives null).

        Columns that compare the account with the population (``POPULATION_COLUMNS``)
        need ``population``; without it they are ``None``.
        """
        if name in POPULATION_COLUMNS:
            return None if population is None else POPULATION_COLUMNS[name](self, population)
        return PROFILE_COLUMNS[name](self)

    def share(self, name: str) -> float | None:
        hits, total = self.shares[name]
        return hits / total if total else None

    def mean(self, name: str) -> float | None:
        total, count = self.means[name]
        return total / count if count else None

    def hour_entropy(self) -> float | None:
        total = sum(self.hours)
        if not total:
            return None
        return -sum((c / total) * math.log(c / total) for c in self.hours if c) / _LN24

    def block_spread(self) -> float | None:
        """The effective number of address blocks of the requests (exact while fewer than
        ``_BLOCK_CAPACITY`` blocks were seen)."""
        counts = [self.blocks.guaranteed(k) for k in self.blocks.counts]
        total = sum(c for c in counts if c > 0)
        if not total:
            return None
        return math.exp(-sum((c / total) * math.log(c / total) for c in counts if c > 0))

    def per_prompt(self, count: float | None) -> float | None:
        return None if count is None or not self.prompts else count / self.prompts

    # -- serialisation -------------------------------------------------------------

    def to_data(self) -> dict[str, Any]:
        return {
            "account_id": self.account_id, "events": self.events, "prompts": self.prompts,
            "first_ts": self.first_ts, "last_ts": self.last_ts, "created_ts": self.created_ts,
            "sums": self.sums, "shares": self.shares, "means": self.means,
            "distinct": {k: v.to_data() for k, v in self.distinct.items()},
            "modes": {k: v.to_data() for k, v in self.modes.items()},
            "gaps": self.gaps.to_data(), "gap_median": self.gap_median.to_data(),
            "hours": self.hours, "templates": self.templates.to_data(),
            "blocks": self.blocks.to_data(),
            "capabilities": self.capabilities, "minute": self.minute,
            "minute_count": self.minute_count, "max_per_minute": self.max_per_minute,
            "model_first": self.model_first,
            "indicators": self.indicators, "risk": self.risk, "campaign": self.campaign,
            "template_keys": "hash",
        }

    @classmethod
    def from_data(cls, data: Mapping[str, Any], settings: ProfileSettings) -> AccountState:
        state = cls(str(data["account_id"]), settings)
        for name in ("events", "prompts", "first_ts", "last_ts", "created_ts", "minute",
                     "minute_count", "max_per_minute", "hours", "capabilities",
                     "indicators", "risk", "campaign"):
            setattr(state, name, data[name])
        state.model_first = dict(data.get("model_first", {}))
        # Rules added since the state was written start empty.
        state.sums.update(data["sums"])
        state.shares.update({k: v for k, v in data["shares"].items() if k in state.shares})
        state.means.update({k: v for k, v in data["means"].items() if k in state.means})
        for k, v in data["distinct"].items():
            if k in state.distinct:
                state.distinct[k] = DistinctSketch.from_data(v)
        state.modes.update({k: TopCounts.from_data(v) for k, v in data["modes"].items()})
        state.gaps = Welford.from_data(data["gaps"])
        state.gap_median = MedianSketch.from_data(data["gap_median"])
        state.templates = TopCounts.from_data(data["templates"])
        if "blocks" in data:  # written before blocks were counted: from here on
            state.blocks = TopCounts.from_data(data["blocks"])
        if data.get("template_keys") != "hash":  # written before keys were hashed
            state.templates = _rekeyed(state.templates)
        return state


def template_key(skeleton: str) -> str:
    """How an account's template counts are keyed: a 16-hex-digit hash of the skeleton
    (a skeleton is up to ``features.skeleton_chars`` characters, and an account counts up
    to ``online.max_templates`` of them)."""
    return short_hash(skeleton)


def _is_template_key(key: str) -> bool:
    return len(key) == 16 and all(c in "0123456789abcdef" for c in key)


def _rekeyed(top: TopCounts) -> TopCounts:
    fresh = TopCounts(top.capacity)
    for key, count in top.counts.items():
        new = key if _is_template_key(key) else template_key(key)
        fresh.counts[new] = fresh.counts.get(new, 0) + count
        if key in top.errors:
            fresh.errors[new] = fresh.errors.get(new, 0) + top.errors[key]
    return fresh


def to_epoch_seconds(value: Any) -> float:
    """A contract-1 timestamp (datetime, ISO-8601 text or epoch milliseconds) in seconds."""
    if isinstance(value, datetime):
        return value.timestamp() if value.tzinfo else value.replace(
            tzinfo=UTC).timestamp()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value) / 1000.0
    if isinstance(value, str):
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        return parsed.timestamp() if parsed.tzinfo else parsed.replace(tzinfo=UTC).timestamp()
    raise ValueError(f"not a timestamp: {type(value).__name__}")


def _span_hours(s: AccountState) -> float | None:
    if s.first_ts is None or s.last_ts is None:
        return None
    return (s.last_ts - s.first_ts) / 3600.0


def _age_hours(s: AccountState) -> float | None:
    if s.first_ts is None or s.created_ts is None:
        return None
    return (s.first_ts - s.created_ts) / 3600.0


def _timestamp(ts: float | None) -> datetime | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC)


def _gap_cv(s: AccountState) -> float | None:
    sd = s.gaps.sd()
    return sd / s.gaps.mean if sd is not None and s.gaps.mean > 0 else None


def _targeted(s: AccountState) -> float | None:
    return s.per_prompt(sum(c for k, c in s.capabilities.items() if k in TARGET_CAPABILITIES))


def _top_capability(s: AccountState) -> tuple[str | None, int]:
    if not s.capabilities:
        return None, 0
    name = max(s.capabilities, key=s.capabilities.__getitem__)
    return name, s.capabilities[name]


def _distinct(name: str) -> Callable[[AccountState], float | None]:
    def count(s: AccountState) -> float | None:
        return s.distinct[name].count()
    return count


def _repeated_prompts(s: AccountState) -> float | None:
    distinct = s.distinct["distinct_prompts"].count()
    return None if not s.prompts else max(0.0, 1.0 - distinct / s.prompts)


def _template_reuse(s: AccountState) -> float | None:
    if not s.prompts or not s.templates.counts:
        return None
    return max(0.0, 1.0 - s.distinct["distinct_templates"].count() / s.prompts)


#: How each batch profile column is computed online, by name.
PROFILE_COLUMNS: dict[str, Callable[[AccountState], Any]] = {
    "events": lambda s: s.events,
    "first_seen": lambda s: _timestamp(s.first_ts),
    "last_seen": lambda s: _timestamp(s.last_ts),
    "prompts": lambda s: s.prompts,
    "prompt_tokens": lambda s: s.sums["prompt_tokens"],
    "completion_tokens": lambda s: s.sums["completion_tokens"],
    "harvest_tokens": lambda s: s.sums["harvest_tokens"],
    "email_domain": lambda s: s.modes["email_domain"].top()[0],
    **{name: (lambda n: lambda s: s.share(n))(name) for name in SHARE_RULES},
    **{name: (lambda n: lambda s: s.mean(n))(name) for name in MEAN_RULES},
    **{name: _distinct(name) for name in DISTINCT_RULES},
    "account_created_at": lambda s: _timestamp(s.created_ts),
    "org_id": lambda s: s.modes["org_id"].top()[0],
    "access_path": lambda s: s.modes["access_path"].top()[0],
    "country": lambda s: s.modes["country"].top()[0],
    "active_span_hours": _span_hours,
    "account_age_hours": _age_hours,
    "repeated_prompt_share": _repeated_prompts,
    "ip_churn": lambda s: s.distinct["distinct_ips"].count() / s.events if s.events else None,
    "gap_mean": lambda s: s.gaps.mean if s.gaps.n else None,
    "gap_median": lambda s: s.gap_median.median(),
    "gap_cv": _gap_cv,
    "hour_entropy": lambda s: s.hour_entropy(),
    "block_spread": lambda s: s.block_spread(),
    "top_template_count": lambda s: s.templates.top()[1] if s.templates.counts else None,
    "distinct_templates": lambda s: (
        s.distinct["distinct_templates"].count() if s.templates.counts else None
    ),
    "top_template_share": lambda s: (
        s.per_prompt(s.templates.top()[1]) if s.templates.counts else None
    ),
    "template_reuse": _template_reuse,
    "top_capability": lambda s: _top_capability(s)[0],
    "top_capability_share": lambda s: s.per_prompt(_top_capability(s)[1]),
    "target_capability_share": _targeted,
    "capabilities_used": lambda s: (
        sum(1 for k in s.capabilities if k != "general") if s.capabilities else None
    ),
    "max_per_minute": lambda s: s.max_per_minute,
}


@dataclass(frozen=True)
class Population:
    """What the population-relative columns need to know about all accounts."""

    #: The first request of the traffic, in epoch seconds.
    start: float | None
    #: Each model's first request in the traffic (its release), in epoch seconds.
    releases: Mapping[str, float]

    def newest_model(self) -> tuple[str, float] | None:
        """The most recently released model, released after the traffic started."""
        released = [(ts, m) for m, ts in self.releases.items()
                    if self.start is not None and ts > self.start]
        if not released:
            return None
        ts, model = min(released, key=lambda item: (-item[0], item[1]))  # as the SQL orders
        return model, ts


def _new_model_hours(s: AccountState, population: Population) -> float | None:
    newest = population.newest_model()
    if newest is None or newest[0] not in s.model_first:
        return None
    return (s.model_first[newest[0]] - newest[1]) / 3600.0


#: Columns that compare an account with the population, by name.
POPULATION_COLUMNS: dict[str, Callable[[AccountState, Population], Any]] = {
    "new_model_hours": _new_model_hours,
}


def unavailable_columns(batch_columns: list[str]) -> list[str]:
    """Batch profile columns the online state cannot compute (besides the key)."""
    return [
        c for c in batch_columns
        if c != "account_id" and c not in PROFILE_COLUMNS and c not in POPULATION_COLUMNS
    ]


def available(name: str) -> bool:
    """Whether the online state computes a profile column."""
    return name in PROFILE_COLUMNS or name in POPULATION_COLUMNS
