"""When an operator's (or a machine's) accounts send: schedules over per-account intervals.

Every account ``a`` is active in ``[begin[a], end[a])`` (microseconds) and sends
``counts[a]`` requests. The functions return ``(account, time_us)`` arrays, vectorised
over events:

- ``in_intervals``: independent times, optionally thinned by a weight in ``[0, 1]``
  (a diurnal profile, an operator's on/off waves, a surge after a model release);
- ``lockstep``: one shared list of ticks; each request sits on a tick that other
  accounts use too, a few milliseconds apart (one scheduler driving many accounts);
- ``batches``: a few requests seconds apart every few hours (low and slow), on the
  account's own clock or on one shared clock.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from distillguard.simulate import behaviour
from distillguard.simulate.behaviour import BIN_US, US_PER_HOUR, US_PER_SECOND

#: ``weight(account, time_us) -> acceptance probability in [0, 1]``.
Weight = Callable[[np.ndarray, np.ndarray], np.ndarray]
_ROUNDS = 60


def _expand(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Account per event, and each event's position within its account."""
    counts = np.asarray(counts, dtype=np.int64)
    account = np.repeat(np.arange(len(counts)), counts)
    position = np.arange(len(account), dtype=np.int64) - np.repeat(np.cumsum(counts) - counts,
                                                                    counts)
    return account, position


def in_intervals(rng: np.random.Generator, counts: np.ndarray, begin: np.ndarray,
                 end: np.ndarray, weight: Weight | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``counts[a]`` times in each account's interval, thinned by ``weight`` (rejection)."""
    account, _ = _expand(counts)
    span = np.maximum(end - begin, 1)[account]
    times = begin[account] + (rng.random(len(account)) * span).astype(np.int64)
    if weight is None:
        return account, times
    pending = np.arange(len(account))
    for _ in range(_ROUNDS):
        if len(pending) == 0:
            break
        keep = rng.random(len(pending)) < weight(account[pending], times[pending])
        pending = pending[~keep]
        times[pending] = begin[account[pending]] + (
            rng.random(len(pending)) * span[pending]).astype(np.int64)
    return account, times


def diurnal_weight(utc_offsets: np.ndarray, profile: np.ndarray) -> Weight:
    """Acceptance by the local hour of each account (``profile`` over hours 0..23)."""
    scaled = profile / profile.max()

    def weight(account: np.ndarray, times: np.ndarray) -> np.ndarray:
        local = times + (utc_offsets[account] * US_PER_HOUR).astype(np.int64)
        return np.asarray(scaled[(local // US_PER_HOUR) % 24])

    return weight


def waves_weight(rng: np.random.Generator, start_us: int, end_us: int, on_minutes: float,
                 off_minutes: float) -> Weight:
    """Acceptance by an operator's on/off waves (shared by all its accounts)."""
    bins = behaviour.on_off_schedule(rng, start_us, end_us, on_minutes, off_minutes)

    def weight(account: np.ndarray, times: np.ndarray) -> np.ndarray:
        del account
        index = np.clip((times - start_us) // BIN_US, 0, len(bins) - 1)
        return np.asarray(bins[index] / bins.max())

    return weight


def surge(base: Weight | None, release_us: int | None, boost: float) -> Weight | None:
    """``base`` with activity multiplied by ``boost`` after a model release."""
    if release_us is None or boost == 1.0:
        return base
    high = max(1.0, boost)

    def weight(account: np.ndarray, times: np.ndarray) -> np.ndarray:
        value = np.ones(len(times)) if base is None else base(account, times)
        return np.asarray(value * np.where(times >= release_us, boost, 1.0) / high)

    return weight


def lockstep(rng: np.random.Generator, counts: np.ndarray, begin: np.ndarray, end: np.ndarray,
             ticks: np.ndarray, jitter_ms: float) -> tuple[np.ndarray, np.ndarray]:
    """Requests on shared ticks (sorted ``ticks``), ``jitter_ms`` apart at most."""
    account, _ = _expand(counts)
    n = len(account)
    low = np.searchsorted(ticks, begin)[account]
    high = np.searchsorted(ticks, end)[account]
    has_tick = high > low
    pick = np.minimum(low + (rng.random(n) * (high - low)).astype(np.int64),
                      max(len(ticks) - 1, 0))
    own = begin[account] + (rng.random(n) * np.maximum(end - begin, 1)[account]).astype(np.int64)
    times = np.where(has_tick, ticks[pick] if len(ticks) else own, own)
    times = times + (rng.random(n) * jitter_ms * 1000).astype(np.int64)
    return account, np.clip(times, begin[account], end[account] - 1)


def tick_times(rng: np.random.Generator, count: int, start_us: int, end_us: int,
               weight: Weight | None) -> np.ndarray:
    """``count`` sorted tick times in the window, following ``weight``."""
    ones = np.ones(1, dtype=np.int64)
    _, times = in_intervals(rng, np.asarray([count]), start_us * ones, end_us * ones, weight)
    return np.sort(times)


def batches(rng: np.random.Generator, counts: np.ndarray, begin: np.ndarray, end: np.ndarray,
            *, size: tuple[int, int], every_hours: tuple[float, float], shared: bool,
            spacing_s: tuple[float, float] = (1.0, 8.0)) -> tuple[np.ndarray, np.ndarray]:
    """Requests in batches of ``size`` every ``every_hours``, seconds apart within a batch.

    ``shared``: every account's batches start on one operator clock (same period and
    phase, tens of seconds of jitter); otherwise each account has its own period and
    phase. Periods shrink where an account's interval is too short for its batches.
    """
    accounts = len(counts)
    counts = np.asarray(counts, dtype=np.int64)
    per_batch = rng.integers(size[0], size[1] + 1, accounts)
    n_batches = np.maximum(1, -(-counts // per_batch))
    span = np.maximum(end - begin, 1)
    if shared:
        period = np.full(accounts, rng.uniform(*every_hours) * US_PER_HOUR)
        phase = np.full(accounts, rng.random())
    else:
        period = rng.uniform(*every_hours, accounts) * US_PER_HOUR
        phase = rng.random(accounts)
    period = np.minimum(period, span / n_batches)
    if shared:
        # On the operator's clock: slot k at clock_start + k * period, the first one inside
        # each account's interval.
        clock_start = int(begin.min()) + int(phase[0] * period.min())
        first_slot = np.ceil(np.maximum(begin - clock_start, 0) / period)
        first = clock_start + first_slot * period
    else:
        first = begin + phase * np.maximum(span - n_batches * period, 0) * rng.random(accounts)
    spacing = rng.uniform(*spacing_s, accounts) * US_PER_SECOND
    account, position = _expand(counts)
    batch_no = position // per_batch[account]
    in_batch = position % per_batch[account]
    times = (first[account] + batch_no * period[account] + in_batch * spacing[account]
             + rng.normal(0, 20 * US_PER_SECOND if shared else 1, len(account)))
    times = np.clip(times.astype(np.int64), begin[account], end[account] - 1)
    return account, times
