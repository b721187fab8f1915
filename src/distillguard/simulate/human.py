"""People at keyboards: conversations over a day, shared by the human-driven archetypes.

``Habits`` says how a kind of person uses the API (volume, hours, topics, turns);
``human_events`` turns a slice of accounts into request events, vectorised over the
whole slice. Campaign camouflage reuses it to produce ordinary-looking requests.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from distillguard.simulate import behaviour
from distillguard.simulate.base import Accounts, Context, Events, chunks
from distillguard.simulate.identity import COUNTRIES
from distillguard.simulate.prompts import LEGIT_STEP_PHRASES, append_phrases
from distillguard.simulate.textgen import pick

PROFILES: Mapping[str, np.ndarray] = MappingProxyType({
    "consumer": behaviour.CONSUMER_PROFILE,
    "office": behaviour.OFFICE_PROFILE,
    "student": behaviour.STUDENT_PROFILE,
    "flat": behaviour.FLAT_PROFILE,
})
LANGUAGE_CAPABILITY = {"de", "fr", "es", "pt", "ja", "ko", "zh", "ru"}


@dataclass(frozen=True)
class Habits:
    """How one kind of person uses the API."""

    per_day_median: float = 8.0
    per_day_sigma: float = 1.0
    max_per_day: float = 400.0
    mean_turns: float = 2.2
    gap_median_s: float = 45.0
    profile: str = "consumer"
    weekend_factor: float = 1.0
    capabilities: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({
        "chitchat": 0.4, "writing": 0.16, "creative": 0.07, "coding": 0.08, "reasoning": 0.08,
        "data_analysis": 0.03, "vision": 0.05, "politics": 0.04}))
    native_language_share: float = 0.35
    step_phrase_share: float = 0.03
    tool_session_share: float = 0.0
    tools_per_session: tuple[int, int] = (1, 3)
    new_model_final_share: float = 0.25
    new_model_ramp_hours: float = 36.0
    completion_median: float = 350.0
    refused_rate: float = 0.004
    error_rate: float = 0.003
    second_ip_share: float = 0.25

    def mean_events(self, days: float) -> float:
        """Mean requests per account over ``days`` at full activity (for block sizing)."""
        return float(min(self.per_day_median * np.exp(self.per_day_sigma**2 / 2),
                         self.max_per_day) * days)


def session_counts(rng: np.random.Generator, n: int, habits: Habits, days: float,
                   activity: np.ndarray) -> np.ndarray:
    """Sessions per account so that requests per active day follow the habits' lognormal."""
    per_day = np.minimum(rng.lognormal(np.log(habits.per_day_median), habits.per_day_sigma, n),
                         habits.max_per_day)
    expected = per_day * days * activity / max(habits.mean_turns, 1.0)
    return np.maximum(rng.poisson(expected), 1)


def human_events(ctx: Context, accounts: Accounts, members: np.ndarray,
                 habits: Habits) -> Events:
    """Conversations for the accounts ``members`` (indexes into ``accounts``)."""
    rng = ctx.rng
    offsets = accounts.traits["utc_offset"][members]
    profile = PROFILES[habits.profile]
    # How much of an ordinary day's traffic the window holds, per time zone (a window
    # starting on a Sunday holds little office work).
    zones, zone_of = np.unique(offsets, return_inverse=True)
    activity = np.asarray([behaviour.expected_activity(ctx.start_us, ctx.end_us, float(zone),
                                                       profile, habits.weekend_factor)
                           for zone in zones])[zone_of]
    sessions = session_counts(rng, len(members), habits, ctx.days, activity)
    local, starts = behaviour.sample_times(rng, sessions, offsets, ctx.start_us, ctx.end_us,
                                           profile, habits.weekend_factor)
    session_account = members[local]
    turns = rng.geometric(1.0 / max(habits.mean_turns, 1.0), len(starts))
    talk = behaviour.expand_conversations(rng, session_account, starts, turns, ctx.end_us,
                                          habits.gap_median_s)
    n_sessions, n = len(starts), len(talk.account)

    # Topic per conversation; speakers of other languages sometimes use their own.
    names = list(habits.capabilities)
    weights = np.asarray(list(habits.capabilities.values()), dtype=np.float64)
    topic = rng.choice(len(names), size=n_sessions, p=weights / weights.sum())
    language = accounts.traits["country"][session_account]
    codes = _with_native_language(rng, topic, names, language, habits.native_language_share)
    prompts = ctx.prompts.mix(names, codes[talk.session], rng, followup=talk.turn > 0)
    prompts = append_phrases(prompts, LEGIT_STEP_PHRASES, rng, habits.step_phrase_share,
                             eligible=talk.turn == 0)

    session_model = behaviour.choose_models(
        rng, starts, ctx.release_us, final_share=habits.new_model_final_share,
        ramp_hours=habits.new_model_ramp_hours)
    tools = np.where(rng.random(n_sessions) < habits.tool_session_share,
                     rng.integers(habits.tools_per_session[0], habits.tools_per_session[1] + 1,
                                  n_sessions), 0)
    tools = np.maximum(tools, accounts.traits.get("tools", np.zeros(len(accounts), int))[
        session_account])
    status = pick(("ok", "refused", "error"), rng, n, weights=(
        1 - habits.refused_rate - habits.error_rate, habits.refused_rate, habits.error_rate))
    account = talk.account
    columns: dict[str, pa.Array | np.ndarray] = {
        "prompt": prompts,
        "model": session_model.take(talk.session),
        "conversation_id": talk.conversation_id,
        "turn": talk.turn,
        "tool_count": tools[talk.session].astype(np.int32),
        "status": status,
        "max_tokens": accounts.traits["max_tokens"][account],
        "temperature": accounts.traits["temperature"][account],
        "completion_tokens": rng.lognormal(np.log(habits.completion_median), 0.8, n).astype(
            np.int64),
    }
    if "ip_2" in accounts.aux:
        second = pa.array(rng.random(n) < habits.second_ip_share)
        columns["ip"] = pc.if_else(second, accounts.aux["ip_2"].take(account),
                                   accounts.columns["ip"].take(account))
    return Events(account=account, time_us=talk.time_us, columns=columns)


def human_blocks(ctx: Context, accounts: Accounts, habits: Habits) -> Iterator[Events]:
    """``human_events`` over all accounts, in blocks sized to bound memory."""
    size = ctx.accounts_per_block(habits.mean_events(ctx.days))
    for members in chunks(len(accounts), size):
        yield human_events(ctx, accounts, members, habits)


def _with_native_language(rng: np.random.Generator, topic: np.ndarray, names: list[str],
                          country: np.ndarray, share: float) -> np.ndarray:
    """Replace ``share`` of non-English speakers' topics by their language's capability.

    Extends ``names`` in place with the ``lang_*`` capabilities it uses.
    """
    codes = topic.copy()
    if share <= 0:
        return codes
    switch = rng.random(len(topic)) < share
    for k in np.unique(country):
        language = COUNTRIES[int(k)].language
        if language not in LANGUAGE_CAPABILITY:
            continue
        mask = switch & (country == k)
        if not mask.any():
            continue
        capability = f"lang_{language}"
        if capability not in names:
            names.append(capability)
        codes[mask] = names.index(capability)
    return codes
