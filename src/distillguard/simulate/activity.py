"""Conversations in per-account intervals, and the request columns of a kind of work.

Shared by the look-alikes and by campaign cover traffic: ``conversations`` places
sessions with ``schedules.in_intervals`` and expands them into turns; ``chat_events``
fills prompts, model, sizes and sized responses for a ``Work`` (what people doing that
work ask, how long the answers are), in time slices that bound memory.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import pyarrow as pa

from distillguard.simulate import behaviour, schedules
from distillguard.simulate.base import Accounts, Context, Events
from distillguard.simulate.behaviour import US_PER_HOUR, Conversations
from distillguard.simulate.outputs import kinds_of, sized_responses
from distillguard.simulate.prompts import LEGIT_STEP_PHRASES, append_phrases
from distillguard.simulate.textgen import pick

#: ``ips(account_index_per_event) -> address per event``.
AddressFn = Callable[[np.ndarray], pa.Array]


@dataclass(frozen=True)
class Work:
    """What requests of one kind of work look like."""

    topics: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({
        "chitchat": 0.45, "writing": 0.2, "creative": 0.08, "coding": 0.12, "reasoning": 0.08,
        "politics": 0.04, "vision": 0.03}))
    completion_median: float = 350.0
    completion_sigma: float = 0.8
    tool_share: float = 0.0
    tools: tuple[int, int] = (1, 4)
    step_phrase_share: float = 0.03
    new_model_final_share: float = 0.25
    new_model_ramp_hours: float = 36.0
    refused_rate: float = 0.004
    error_rate: float = 0.003


def conversations(ctx: Context, sessions: np.ndarray, begin: np.ndarray, end: np.ndarray,
                  weight: schedules.Weight | None, mean_turns: float,
                  gap_s: float, sigma: float = 0.8) -> Conversations:
    """``sessions[a]`` conversations per account in ``[begin[a], end[a])``, as turns."""
    rng = ctx.rng
    starter, starts = schedules.in_intervals(rng, sessions, begin, end, weight)
    turns = (rng.geometric(1.0 / mean_turns, len(starts)) if mean_turns > 1
             else np.ones(len(starts), np.int64))
    return behaviour.expand_conversations(rng, starter, starts, turns, ctx.end_us, gap_s, sigma)


def chat_events(ctx: Context, accounts: Accounts, talk: Conversations, work: Work,
                ips: AddressFn | None = None, slice_hours: float = 6.0) -> Iterator[Events]:
    """Request events for the conversations ``talk`` doing ``work``.

    ``max_tokens`` and ``temperature`` come from the accounts' traits; ``ips`` gives the
    address per event (default: the account's own).
    """
    rng = ctx.rng
    n_sessions = int(talk.session.max()) + 1 if len(talk.session) else 0
    names = list(work.topics)
    p = np.asarray(list(work.topics.values()), dtype=np.float64)
    topic = rng.choice(len(names), n_sessions, p=p / p.sum())
    first = np.full(n_sessions, np.iinfo(np.int64).max)
    np.minimum.at(first, talk.session, talk.time_us)
    model = behaviour.choose_models(rng, first, ctx.release_us,
                                    final_share=work.new_model_final_share,
                                    ramp_hours=work.new_model_ramp_hours)
    tools = np.where(rng.random(n_sessions) < work.tool_share,
                     rng.integers(work.tools[0], work.tools[1] + 1, n_sessions), 0)
    for part in time_slices(ctx, talk.time_us, slice_hours):
        n = len(part)
        account = talk.account[part]
        session = talk.session[part]
        codes = topic[session]
        later = talk.turn[part] > 0
        prompts = ctx.prompts.mix(names, codes, rng, followup=later)
        prompts = append_phrases(prompts, LEGIT_STEP_PHRASES, rng, work.step_phrase_share,
                                 eligible=~later)
        max_tokens = accounts.traits["max_tokens"][account]
        completion = np.minimum(rng.lognormal(np.log(work.completion_median),
                                              work.completion_sigma, n), max_tokens)
        completion = np.maximum(completion, 1).astype(np.int64)
        status = pick(("ok", "refused", "error"), rng, n, weights=(
            1 - work.refused_rate - work.error_rate, work.refused_rate, work.error_rate))
        columns: dict[str, pa.Array | np.ndarray] = {
            "prompt": prompts, "model": model.take(session),
            "conversation_id": talk.conversation_id.take(part), "turn": talk.turn[part],
            "tool_count": tools[session].astype(np.int32), "status": status,
            "max_tokens": max_tokens, "temperature": accounts.traits["temperature"][account],
            "completion_tokens": completion,
            "response": sized_responses(rng, kinds_of(names, codes), completion, status),
        }
        if ips is not None:
            columns["ip"] = ips(account)
        yield Events(account, talk.time_us[part], columns)


def time_slices(ctx: Context, times: np.ndarray, hours: float = 6.0) -> Iterator[np.ndarray]:
    """Event positions in time order, in slices of ``hours`` (bounded memory)."""
    order = np.argsort(times, kind="stable")
    edges = np.searchsorted(times[order], np.arange(ctx.start_us, ctx.end_us + 1,
                                                     int(hours * US_PER_HOUR)))
    edges = np.unique(np.concatenate([[0], edges, [len(times)]]))
    for begin, end in itertools.pairwise(edges):
        if end > begin:
            yield order[begin:end]


def whole_window(ctx: Context, count: int) -> tuple[np.ndarray, np.ndarray]:
    """``[begin, end)`` arrays spanning the scenario window."""
    return (np.full(count, ctx.start_us, np.int64), np.full(count, ctx.end_us, np.int64))


def per_day_sessions(rng: np.random.Generator, count: int, median: float, sigma: float,
                     days: np.ndarray | float, mean_turns: float) -> np.ndarray:
    """Sessions per account for a lognormal requests-per-day rate over ``days`` (≥ 1)."""
    rate = rng.lognormal(np.log(max(median, 1e-6)), sigma, count)
    return np.maximum(rng.poisson(rate * days / max(mean_turns, 1.0)), 1)
