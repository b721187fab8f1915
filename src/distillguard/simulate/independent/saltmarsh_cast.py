"""Saltmarsh's cast: who the accounts are, and the traffic helpers every group uses."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from distillguard.simulate.independent.saltmarsh_kit import (
    DAY,
    START_US,
    STYLE,
    TZ,
    Account,
    Events,
    World,
    adoption,
    hexes,
    take,
)

FIRST = ("anna", "ben", "carlos", "dana", "elif", "farid", "grace", "hiro", "ines", "jon",
         "kofi", "lena", "mateo", "nora", "omar", "priya", "quinn", "rosa", "sam", "tariq",
         "uma", "viktor", "wei", "ximena", "yusuf", "zoe", "li", "mei", "ivan", "lucia")
LAST = ("smith", "garcia", "mueller", "okafor", "tanaka", "kim", "rossi", "nguyen", "silva",
        "kowalski", "patel", "martin", "chen", "ivanova", "haddad", "dubois", "jensen", "lopez")
CONSUMER = ("gmail.com", "outlook.com", "yahoo.com", "icloud.com", "proton.me", "hotmail.com",
            "gmx.de", "qq.com", "mail.ru", "yandex.ru")

Customer = tuple[str | None, str, bool, str | None, bool]


def emails(w: World, n: int, domains: Sequence[str], style: str = "name",
           base: str = "user") -> list[str]:
    r = w.rng
    out = []
    for i in range(n):
        d = domains[int(r.integers(len(domains)))]
        if style == "name":
            f, la = FIRST[int(r.integers(len(FIRST)))], LAST[int(r.integers(len(LAST)))]
            sep = (".", "_", "")[int(r.integers(3))]
            num = str(int(r.integers(1, 99))) if r.random() < 0.45 else ""
            local = f + sep + la + num
        elif style == "seq":
            local = f"{base}{i + 1:03d}"
        elif style == "plus":
            local = f"{base}+{i + 1}"
        elif style == "student":
            local = f"s{2026}{int(r.integers(10000, 99999))}"
        else:
            local = hexes(r, 1, 5)[0]
        out.append(f"{local}@{d}")
    return out


def choose(w: World, n: int, items: Sequence[Any], p: Sequence[float] | None = None) -> list[Any]:
    pr = None if p is None else np.asarray(p, dtype=float) / np.sum(p)
    return [items[i] for i in w.rng.choice(len(items), size=n, p=pr)]


def people(w: World, n: int, archetype: str, *, campaign: str | None = None,
           org: str | Sequence[str | None] | None = None,
           email: Sequence[str] | None = None,
           created: tuple[int, int] = (START_US - 400 * DAY, START_US - DAY),
           access: str | Sequence[str | None] | None = "direct",
           countries: Sequence[str] = ("US",), country_p: Sequence[float] | None = None,
           clients: Sequence[str] = ("py",), client_p: Sequence[float] | None = None,
           payment: str | Sequence[str | None] | None = "own",
           customer: Customer | Sequence[Customer | None] | None = None,
           missing: float = 0.0, keys: int = 1, prefix: str = "acct_") -> np.ndarray:
    """Create ``n`` accounts; scalars apply to all, sequences give one value per account."""
    r = w.rng

    def each(v: Any) -> list[Any]:
        if isinstance(v, (list, tuple)) and not (isinstance(v, tuple) and len(v) == 5
                                                 and isinstance(v[1], str)
                                                 and isinstance(v[2], bool)):
            assert len(v) == n, (archetype, len(v), n)
            return list(v)
        return [v] * n

    ids = w.account_ids(n, prefix)
    created_us = np.sort(r.integers(created[0], created[1], size=n))
    ctry = choose(w, n, countries, country_p)
    cl = choose(w, n, clients, client_p)
    pays = ["pf_" + h for h in hexes(r, n, 10)] if payment == "own" else each(payment)
    orgs, accs, ems, custs = each(org), each(access), each(email), each(customer)
    if email is None:
        ems = emails(w, n, CONSUMER)
    miss = r.random(n) < missing
    return w.add([Account(ids[i], archetype, campaign, orgs[i], ems[i], pays[i],
                          int(created_us[i]), accs[i], ctry[i], cl[i],
                          None if miss[i] else custs[i], keys) for i in range(n)])


def tz_of(w: World, idx: np.ndarray) -> np.ndarray:
    return np.array([TZ.get(w.accounts[i].country or "US", 0.0) for i in idx])


def ip_lists(per_acct: Sequence[Sequence[str]], acct_local: np.ndarray,
             rng: np.random.Generator) -> pa.Array:
    """Each event's IP drawn from its account's own list."""
    flat = [ip for lst in per_acct for ip in lst]
    lens = np.array([len(lst) for lst in per_acct])
    offs = np.concatenate([[0], np.cumsum(lens)[:-1]])
    # prefer the first address (home/office) most of the time
    k = np.minimum((rng.random(len(acct_local)) ** 2.5 * lens[acct_local]).astype(np.int64),
                   lens[acct_local] - 1)
    return take(flat, offs[acct_local] + k)


def ip_rotate(pool: Sequence[str], n: int, rng: np.random.Generator) -> pa.Array:
    return take(list(pool), rng.integers(0, len(pool), n))


def traffic(w: World, idx: np.ndarray, acct_local: np.ndarray, ts: np.ndarray, *,
            prompts: Sequence[str], style: str | np.ndarray, chars: tuple[float, float],
            ip: pa.Array, p_idx: np.ndarray | None = None,
            systems: Sequence[str | None] | None = None, s_idx: np.ndarray | None = None,
            conv: np.ndarray | None = None, turn: np.ndarray | None = None,
            model_p: Sequence[float] = (0.7, 0.3, 0.0), adopt: tuple[float, float] = (0.3, 48),
            max_tokens: Sequence[int] = (-1,), max_p: Sequence[float] | None = None,
            temperature: Sequence[float] = (np.nan, 0.7, 1.0),
            temp_p: Sequence[float] | None = None, n_choices: Sequence[int] = (1,),
            n_p: Sequence[float] | None = None, logprobs: float | None = None,
            tools: Sequence[int] = (-1,), tools_p: Sequence[float] | None = None,
            refused: float = 0.004, error: float = 0.01) -> None:
    """Fill in request parameters and emit the group's events."""
    r = w.rng
    k = len(ts)
    acct_local = np.asarray(acct_local)
    if p_idx is None:
        p_idx = r.integers(0, len(prompts), k)
    model = r.choice(3, size=k, p=np.asarray(model_p) / np.sum(model_p))
    model = adoption(r, ts, adopt[0], adopt[1], model)
    mt = np.asarray(max_tokens)[r.choice(len(max_tokens), size=k, p=_p(max_p, max_tokens))]
    temp = np.asarray(temperature, float)[r.choice(len(temperature), size=k,
                                                   p=_p(temp_p, temperature))]
    nn = np.asarray(n_choices)[r.choice(len(n_choices), size=k, p=_p(n_p, n_choices))]
    lp = None if logprobs is None else r.random(k) < logprobs
    tc = np.asarray(tools)[r.choice(len(tools), size=k, p=_p(tools_p, tools))]
    status = np.zeros(k, dtype=np.int8)
    u = r.random(k)
    status[u < refused + error] = 2
    status[u < refused] = 1
    st = np.full(k, STYLE[style]) if isinstance(style, str) else style
    rc = np.maximum(1, r.lognormal(np.log(chars[0]), chars[1], k)).astype(np.int64)
    w.emit(Events(acct=np.asarray(idx)[acct_local], ts=ts.astype(np.int64), model=model,
                  prompt=take(list(prompts), p_idx), style=st, resp_chars=rc, ip=ip,
                  system=None if systems is None else take(
                      list(systems), s_idx if s_idx is not None else np.zeros(k, np.int64)),
                  conv=conv, turn=turn, max_tokens=mt, temperature=temp, n=nn, logprobs=lp,
                  tool_count=tc, status=status))


def _p(p: Sequence[float] | None, items: Sequence[Any]) -> np.ndarray | None:
    if p is None:
        return None
    a = np.asarray(p, dtype=float)
    assert len(a) == len(items)
    return a / a.sum()


def global_conv(w: World, sess: np.ndarray) -> np.ndarray:
    """Turn a group's local session numbers into globally unique conversation numbers."""
    base = w.convs(int(sess.max()) + 1 if len(sess) else 0)
    return base[sess] if len(sess) else sess

