"""Ironbridge: one exchange, one conversation, and how an account picks its model."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from .ironbridge_kit import (
    CURRENT,
    HOUR,
    NEW,
    RELEASE,
    SECOND,
    WINDOW_END,
    Account,
    World,
    conv_id,
    lognormal_int,
    status_of,
    tokens_of,
)

#: The response's domain (sentence bank) and completion size (median tokens, spread) per kind.
KINDS: dict[str, tuple[str, float, float]] = {
    "chat": ("general", 330, 0.7),
    "writing": ("writing", 380, 0.6),
    "code": ("code", 520, 0.7),
    "math": ("reason", 260, 0.6),
    "logic": ("reason", 300, 0.6),
    "analysis": ("analysis", 450, 0.6),
    "support": ("support", 110, 0.5),
    "legal": ("legal", 520, 0.5),
    "medical": ("medical", 520, 0.5),
    "sql": ("code", 300, 0.6),
    "rubric": ("grade", 260, 0.6),
    "rewrite": ("general", 300, 0.5),
    "tooluse": ("agent", 420, 0.8),
    "foreign_cot": ("foreign", 700, 0.6),
    "agent": ("agent", 380, 0.9),
    "batch": ("batch", 60, 0.6),
    "course": ("general", 300, 0.6),
}


def adoption(rng: random.Random, a: Account, style: str, base: str = CURRENT) -> None:
    """When (and how much) the account moves to the new model after the release."""
    a.extra["base"] = base
    adopt, share = float("inf"), 0.0
    if style == "rush":
        adopt, share = RELEASE + rng.uniform(0.1, 8) * HOUR, rng.uniform(0.6, 1.0)
    elif style == "normal" and rng.random() < 0.6:
        adopt, share = RELEASE + rng.uniform(4, 90) * HOUR, rng.uniform(0.3, 0.95)
    elif style == "slow" and rng.random() < 0.25:
        adopt, share = RELEASE + rng.uniform(40, 80) * HOUR, rng.uniform(0.1, 0.5)
    elif style.startswith("fixed:"):
        _, delay, s = style.split(":")
        adopt, share = RELEASE + float(delay) * HOUR, float(s)
    a.extra["adopt"] = adopt
    a.extra["share"] = share


def model_at(rng: random.Random, a: Account, ts: int) -> str:
    if ts >= a.extra.get("adopt", float("inf")) and rng.random() < a.extra.get("share", 0.0):
        return NEW
    return str(a.extra.get("base", CURRENT))


def ask(
    w: World,
    rng: random.Random,
    a: Account,
    ts: int,
    ip: str,
    model: str,
    kind: str,
    *,
    cot: str = "",
    lang: str = "",
    prompt: str | None = None,
    system: str | None = None,
    conv: str | None = None,
    turn: int | None = None,
    history: int = 0,
    ct_scale: float = 1.0,
    max_tokens: int | None = None,
    temperature: float | None = None,
    n: int | None = None,
    logprobs: bool | None = None,
    tools: int | None = None,
    error: float = 0.008,
    refused: float = 0.003,
    ua: str | None = None,
    key: str | None = None,
    log_content: bool = True,
    max_chars: int = 1600,
) -> int:
    """Emit one exchange; return the tokens it adds to a conversation's history."""
    domain, median, sigma = KINDS.get(kind) or KINDS["course"]
    if prompt is None:
        prompt = w.writer.prompt(rng, kind, cot=cot, lang=lang)
    ct = lognormal_int(rng, median * ct_scale * (1.8 if cot else 1.0), sigma, 1, 30000)
    if max_tokens is not None:
        ct = min(ct, max_tokens)
    if n and n > 1:
        ct *= n
    response: str | None = w.writer.response(
        rng, domain, min(ct * 4, max_chars), corpus=kind == "chat"
    )
    pt = tokens_of(prompt) + tokens_of(system) + history + 8
    status = status_of(rng, error, refused)
    if not log_content:
        prompt = response = system = None
    w.emit(
        a,
        ts,
        ip,
        model,
        prompt,
        response,
        system=system,
        conv=conv,
        turn=turn,
        pt=pt,
        ct=ct,
        max_tokens=max_tokens,
        temperature=temperature,
        n=n,
        logprobs=logprobs,
        tools=tools,
        status=status,
        ua=ua,
        key=key,
    )
    return pt - history + ct


def conversation(
    w: World,
    rng: random.Random,
    a: Account,
    start: int,
    ip: str,
    kinds: Sequence[str],
    weights: Sequence[float],
    *,
    turns: int,
    gap: tuple[float, float] = (25, 300),
    system: str | None = None,
    followups: list[str] | None = None,
    **kw: Any,
) -> int:
    """A multi-turn conversation; returns when it ended."""
    cid = conv_id(rng)
    kind = rng.choices(kinds, weights=weights)[0]
    history = 0
    ts = start
    model = model_at(rng, a, ts)
    for turn in range(turns):
        if ts >= WINDOW_END:
            break
        prompt = None
        if turn > 0 and followups and rng.random() < 0.5:
            prompt = rng.choice(followups)
        history += ask(
            w,
            rng,
            a,
            ts,
            ip,
            model,
            kind,
            prompt=prompt,
            system=system,
            conv=cid,
            turn=turn,
            history=history,
            **kw,
        )
        ts += int(rng.uniform(*gap) * SECOND)
    return ts


FOLLOWUPS = [
    "thanks! can you make it shorter?",
    "Can you give an example?",
    "why?",
    "ok and what about the cost?",
    "Can you explain the second point more?",
    "perfect",
    "That doesn't work, I get an error.",
    "translate that to spanish",
    "more detail please",
    "what would you recommend for a beginner?",
]
