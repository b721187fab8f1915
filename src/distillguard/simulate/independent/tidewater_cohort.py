"""Shared shapes of Tidewater cohorts: sessions in local time, networks, clients, keys."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from distillguard.simulate.independent.tidewater_block import Col, col
from distillguard.simulate.independent.tidewater_text import Texts
from distillguard.simulate.independent.tidewater_world import (
    Accounts,
    Bank,
    IntArray,
    Rng,
    expand_sessions,
    hex_strings,
    hour_weights,
    ipv4,
    ipv6,
    pick_weighted,
    session_starts,
)


@dataclass
class Ctx:
    seed: int
    scale: float
    bank: Bank
    texts: Texts
    accounts: Accounts


@dataclass
class Sessions:
    """Events laid out in sessions: per event its time, turn, session and account (local)."""

    ts: IntArray
    turn: IntArray
    sess: IntArray
    acct: IntArray
    n_sessions: int


def sessions(rng: Rng, tz: np.ndarray, per_account: IntArray, curve: np.ndarray,
             turns: IntArray | None, gap_s: float | np.ndarray) -> Sessions:
    """Sessions per account, started by the local diurnal ``curve``; ``turns`` per session."""
    sess_acct = np.repeat(np.arange(len(per_account)), per_account)
    starts = np.zeros(len(sess_acct), dtype=np.int64)
    for zone in np.unique(tz):
        mask = tz[sess_acct] == zone
        starts[mask] = session_starts(rng, int(mask.sum()), hour_weights(curve, float(zone)))
    if turns is None:
        turns = np.ones(len(sess_acct), dtype=np.int64)
    ts, turn, sess = expand_sessions(rng, starts, turns, gap_s)
    return Sessions(ts, turn, sess, sess_acct[sess], len(sess_acct))


def conv_ids(rng: Rng, n_sessions: int, sess: IntArray, prefix: str = "conv_") -> Col:
    return col([f"{prefix}{x}" for x in hex_strings(rng, n_sessions, 10)], sess)


@dataclass
class Net:
    """Addresses per account: a flat pool, and each account's slice of it."""

    pool: list[str]
    start: IntArray
    count: IntArray

    def pick(self, rng: Rng, acct: IntArray, unit: IntArray | None = None) -> Col:
        """One address per event; the same for all events of a ``unit`` (e.g. a session)."""
        if unit is None:
            u = rng.random(len(acct))
        else:
            u = rng.random(int(unit.max()) + 1 if len(unit) else 0)[unit]
        return col(self.pool, self.start[acct] + (u * self.count[acct]).astype(np.int64))


def net_from(lists: list[list[str]]) -> Net:
    count = np.array([len(x) for x in lists], dtype=np.int64)
    start = np.cumsum(count) - count
    return Net([ip for x in lists for ip in x], start, count)


def countries(rng: Rng, bank: Bank, n: int) -> list[dict[str, object]]:
    cs = bank.countries()
    idx = pick_weighted(rng, cs, [c["w"] for c in cs], n)
    return [cs[i] for i in idx]


def home_networks(rng: Rng, places: list[dict[str, object]], extra_p: float,
                  v6_share: float = 0.2) -> Net:
    """A home address per account (IPv4, or an IPv6 /64 for some), sometimes a second one."""
    lists = []
    for place in places:
        if rng.random() < v6_share:
            home = ipv6(rng, str(place["v6"]), 1)
        else:
            home = ipv4(rng, place["v4"], 1)  # type: ignore[arg-type]
        if rng.random() < extra_p:
            home += ipv4(rng, place["mob"], 1)  # type: ignore[arg-type]
        lists.append(home)
    return net_from(lists)


def clients(rng: Rng, bank: Bank, n: int, kinds: list[str], weights: list[float]
            ) -> tuple[list[str], list[str]]:
    """Per account one client (user agent and TLS fingerprint) of the weighted kinds."""
    which = pick_weighted(rng, kinds, weights, n)
    uas: list[str] = [""] * n
    tls: list[str] = [""] * n
    for k, kind in enumerate(kinds):
        members = np.flatnonzero(which == k)
        if len(members):
            u, t = bank.client(rng, kind, len(members))
            for j, m in enumerate(members):
                uas[m], tls[m] = u[j], t[j]
    return uas, tls


def api_keys(rng: Rng, n: int, per: int = 3) -> Net:
    """Each account has 1..per API keys, the first used most."""
    lists = [[f"key_{x}" for x in hex_strings(rng, int(rng.integers(1, per + 1)), 6)]
             for _ in range(n)]
    return net_from(lists)


def tz_of(places: list[dict[str, object]]) -> np.ndarray:
    return np.array([round(float(p["tz"])) for p in places])  # type: ignore[arg-type]


def cc_of(places: list[dict[str, object]]) -> list[str]:
    return [str(p["cc"]) for p in places]
