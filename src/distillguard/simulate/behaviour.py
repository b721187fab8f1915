"""When traffic happens and which model it asks for, vectorised over accounts and events.

Times are integer microseconds since the Unix epoch (UTC) throughout.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from distillguard.simulate.textgen import random_hex, text_pool

US_PER_SECOND = 1_000_000
US_PER_HOUR = 3_600 * US_PER_SECOND
US_PER_DAY = 24 * US_PER_HOUR
#: Resolution of the activity profiles (10 minutes).
BIN_US = 600 * US_PER_SECOND

# Hourly activity by local hour (0..23), relative. Consumers peak in the evening;
# office work follows business hours with a lunch dip; students stay up late.
CONSUMER_PROFILE = np.array([0.35, 0.2, 0.12, 0.08, 0.06, 0.08, 0.2, 0.45, 0.65, 0.75, 0.8,
                             0.85, 0.9, 0.85, 0.8, 0.8, 0.85, 0.95, 1.0, 1.0, 1.0, 0.95, 0.8,
                             0.55])
OFFICE_PROFILE = np.array([0.02, 0.01, 0.01, 0.01, 0.01, 0.02, 0.05, 0.2, 0.6, 0.95, 1.0, 1.0,
                           0.6, 0.85, 1.0, 1.0, 0.95, 0.7, 0.35, 0.25, 0.2, 0.15, 0.08, 0.04])
STUDENT_PROFILE = np.array([0.6, 0.45, 0.3, 0.12, 0.05, 0.03, 0.05, 0.15, 0.35, 0.6, 0.8, 0.85,
                            0.8, 0.85, 0.9, 0.9, 0.85, 0.8, 0.75, 0.8, 0.9, 1.0, 0.95, 0.8])
FLAT_PROFILE = np.ones(24)


def local_weekday(times_us: np.ndarray, utc_offset_hours: float) -> np.ndarray:
    """Day of week (Monday = 0) in local time."""
    days = (times_us + int(utc_offset_hours * US_PER_HOUR)) // US_PER_DAY
    return (days + 3) % 7  # 1970-01-01 was a Thursday


def bin_weights(start_us: int, end_us: int, utc_offset_hours: float, profile: np.ndarray,
                weekend_factor: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Start times and relative intensity of the 10-minute bins covering the window."""
    starts = np.arange(start_us, end_us, BIN_US, dtype=np.int64)
    local = starts + int(utc_offset_hours * US_PER_HOUR)
    hour = (local // US_PER_HOUR) % 24
    weights = profile[hour].astype(np.float64)
    if weekend_factor != 1.0:
        weights = np.where(local_weekday(starts, utc_offset_hours) >= 5,
                           weights * weekend_factor, weights)
    # The last bin may be cut short by the end of the window.
    widths = np.minimum(starts + BIN_US, end_us) - starts
    return starts, weights * widths / BIN_US


def expected_activity(start_us: int, end_us: int, utc_offset_hours: float, profile: np.ndarray,
                      weekend_factor: float = 1.0) -> float:
    """Activity over the window relative to an ordinary full weekday (1.0 = as usual).

    Volumes are stated "per active day"; a window that starts on a Sunday gets less
    office traffic than one that starts on a Monday.
    """
    _, weights = bin_weights(start_us, end_us, utc_offset_hours, profile, weekend_factor)
    window_days = (end_us - start_us) / US_PER_DAY
    per_day = weights.sum() / max(window_days, 1e-9) / (24 * 6)
    return float(per_day / max(profile.mean(), 1e-9))


def sample_times(rng: np.random.Generator, counts: np.ndarray, utc_offsets: np.ndarray,
                 start_us: int, end_us: int, profile: np.ndarray,
                 weekend_factor: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``counts[a]`` times for each account ``a`` following a local-time profile.

    Returns ``(account, time_us)``; accounts sharing a time zone share one draw.
    """
    accounts_out, times_out = [], []
    for offset in np.unique(utc_offsets):
        members = np.flatnonzero(utc_offsets == offset)
        total = int(counts[members].sum())
        if total == 0:
            continue
        starts, weights = bin_weights(start_us, end_us, float(offset), profile, weekend_factor)
        if weights.sum() <= 0:
            weights = np.ones_like(weights)
        chosen = rng.choice(len(starts), size=total, p=weights / weights.sum())
        bin_end = np.minimum(starts[chosen] + BIN_US, end_us)
        times = starts[chosen] + (rng.random(total) * (bin_end - starts[chosen])).astype(np.int64)
        accounts_out.append(np.repeat(members, counts[members]))
        times_out.append(times)
    if not accounts_out:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(accounts_out), np.concatenate(times_out)


@dataclass
class Conversations:
    """Request events grouped in conversations; ``session`` indexes the input sessions."""

    account: np.ndarray
    time_us: np.ndarray
    session: np.ndarray
    turn: np.ndarray
    conversation_id: pa.Array


def expand_conversations(rng: np.random.Generator, session_account: np.ndarray,
                         session_start_us: np.ndarray, turns: np.ndarray, end_us: int,
                         gap_median_s: float, gap_sigma: float = 0.8) -> Conversations:
    """Turn sessions into request events: one conversation per session.

    Follow-up turns come after a lognormal "read and type" gap. Turns that would fall
    after the window end are dropped (turn 0 is always kept).
    """
    turns = np.maximum(turns.astype(np.int64), 1)
    total = int(turns.sum())
    session_of_event = np.repeat(np.arange(len(turns)), turns)
    first_event = np.cumsum(turns) - turns
    turn = np.arange(total, dtype=np.int64) - np.repeat(first_event, turns)
    gaps = (rng.lognormal(np.log(gap_median_s), gap_sigma, total) * US_PER_SECOND).astype(np.int64)
    gaps[turn == 0] = 0
    elapsed = np.cumsum(gaps)
    elapsed -= np.repeat(elapsed[first_event], turns)
    times = session_start_us[session_of_event] + elapsed
    keep = (times < end_us) | (turn == 0)
    conversation_ids = random_hex(rng, len(turns), 8, prefix="conv_")
    session = session_of_event[keep]
    return Conversations(account=session_account[session], time_us=times[keep],
                         session=session, turn=turn[keep].astype(np.int32),
                         conversation_id=conversation_ids.take(session))


def new_model_share(times_us: np.ndarray, release_us: int | None, final_share: float,
                    ramp_hours: float) -> np.ndarray:
    """Share of traffic on the new model at each time: 0 before release, then a ramp."""
    if release_us is None:
        return np.zeros(len(times_us))
    since = (times_us - release_us) / US_PER_HOUR
    return np.where(since < 0, 0.0, final_share * np.clip(since / max(ramp_hours, 1e-6), 0, 1))


def choose_models(rng: np.random.Generator, times_us: np.ndarray, release_us: int | None, *,
                  final_share: float, ramp_hours: float,
                  base: Sequence[str] = ("frontier-1", "frontier-1-mini"),
                  base_weights: Sequence[float] = (0.85, 0.15),
                  new_model: str = "frontier-2") -> pa.Array:
    """Model name per request: a base mix, moving to ``new_model`` after its release."""
    n = len(times_us)
    names = text_pool((*base, new_model))
    p = np.asarray(base_weights, dtype=np.float64)
    code = rng.choice(len(base), size=n, p=p / p.sum())
    moved = rng.random(n) < new_model_share(times_us, release_us, final_share, ramp_hours)
    code = np.where(moved, len(base), code)
    return names.take(code)


def on_off_schedule(rng: np.random.Generator, start_us: int, end_us: int, on_minutes: float,
                    off_minutes: float, idle_weight: float = 0.02) -> np.ndarray:
    """Relative intensity per 10-minute bin for a job that runs in waves, round the clock."""
    bins = max(1, int(np.ceil((end_us - start_us) / BIN_US)))
    weights = np.full(bins, idle_weight)
    position = int(rng.integers(0, max(1, int(off_minutes // 10) + 1)))
    on_bins, off_bins = max(1, int(on_minutes // 10)), max(0, int(off_minutes // 10))
    while position < bins:
        length = max(1, int(on_bins * rng.uniform(0.7, 1.3)))
        weights[position : position + length] = 1.0
        position += length + max(0, int(off_bins * rng.uniform(0.6, 1.4)))
    return weights


def times_from_bins(rng: np.random.Generator, total: int, start_us: int, end_us: int,
                    weights: np.ndarray) -> np.ndarray:
    """``total`` sorted times drawn from per-bin intensities starting at ``start_us``."""
    starts = start_us + np.arange(len(weights), dtype=np.int64) * BIN_US
    chosen = rng.choice(len(weights), size=total, p=weights / weights.sum())
    bin_end = np.minimum(starts[chosen] + BIN_US, end_us)
    times = starts[chosen] + (rng.random(total) * (bin_end - starts[chosen])).astype(np.int64)
    return np.sort(times)


def lognormal_counts(rng: np.random.Generator, n: int, median: float, sigma: float,
                     scale: float, minimum: int = 1, maximum: int | None = None) -> np.ndarray:
    """Per-account event counts: lognormal rate times ``scale`` (e.g. days), Poisson noise."""
    rate = rng.lognormal(np.log(median), sigma, n) * scale
    counts = rng.poisson(rate)
    counts = np.maximum(counts, minimum)
    return np.minimum(counts, maximum) if maximum is not None else counts
