"""Tidewater's world: the window, clocks, identities and the account registry.

Written apart from the detector and from the other independent generator; see TIDEWATER.md.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np

US = 1_000_000
HOUR = 3600 * US
DAY = 24 * HOUR
HOURS = 96
#: Monday 13 April 2026, 00:00 UTC; the window runs four days, to Friday 00:00.
START = int(datetime(2026, 4, 13, tzinfo=UTC).timestamp()) * US
END = START + HOURS * HOUR
#: ``aurora-4`` is released on Tuesday 14 April at 17:30 UTC (hour 41.5).
RELEASE = START + int(41.5 * HOUR)
MODELS = ("aurora-3.5", "aurora-3.5-mini", "aurora-3", "aurora-4")
NEW_MODEL = 3

# Relative activity by local hour (0..23).
CONSUMER = np.array([.35, .22, .14, .09, .07, .08, .15, .3, .5, .65, .75, .85, .9, .88, .85,
                     .85, .88, .92, .95, 1., 1., .95, .8, .55])
WORK = np.array([.05, .03, .02, .02, .02, .04, .1, .3, .7, 1., 1., .95, .7, .9, 1., 1., .9,
                 .7, .4, .25, .2, .15, .1, .07])
NIGHT = np.array([1., 1., .9, .8, .6, .3, .1, .05, .05, .05, .05, .05, .05, .05, .05, .05,
                  .05, .05, .05, .05, .1, .2, .5, .8])
FLAT = np.ones(24)

Rng = np.random.Generator
IntArray = np.ndarray[Any, np.dtype[np.int64]]


def rng_for(seed: int, name: str) -> Rng:
    """A generator of its own for each cohort, so cohorts do not shift each other."""
    digest = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "little")
    return np.random.default_rng([seed, digest])


def scaled(count: float, scale: float, floor: int = 1) -> int:
    return max(floor, round(count * scale))


def hour_weights(curve: np.ndarray, tz: float) -> np.ndarray:
    local = (np.arange(HOURS) + round(tz)) % 24
    weights: np.ndarray = curve[local]
    return weights / weights.sum()


def hex_strings(rng: Rng, n: int, nbytes: int) -> list[str]:
    raw = rng.integers(0, 256, size=(n, nbytes), dtype=np.uint8)
    return [bytes(row).hex() for row in raw]


def unique_ids(rng: Rng, n: int, prefix: str, nbytes: int = 10) -> list[str]:
    ids = hex_strings(rng, n, nbytes)
    return [f"{prefix}{value}" for value in ids]


def pick_weighted(rng: Rng, items: list[Any], weights: list[float], n: int) -> IntArray:
    p = np.asarray(weights, dtype=float)
    return rng.choice(len(items), size=n, p=p / p.sum())


def session_starts(rng: Rng, n: int, weights: np.ndarray) -> IntArray:
    """``n`` moments in the window, hour by the weights, uniform inside the hour."""
    hours = rng.choice(HOURS, size=n, p=weights)
    return START + hours * HOUR + (rng.random(n) * HOUR).astype(np.int64)


def expand_sessions(rng: Rng, starts: IntArray, counts: IntArray,
                    gap_s: np.ndarray | float) -> tuple[IntArray, IntArray, IntArray]:
    """Events of sessions: (timestamp, turn, session index), gaps exponential around ``gap_s``."""
    counts = np.asarray(counts, dtype=np.int64)
    total = int(counts.sum())
    sess = np.repeat(np.arange(len(counts)), counts)
    first = np.cumsum(counts) - counts
    mean = np.asarray(gap_s, dtype=float)
    if mean.ndim:
        mean = mean[sess]
    gaps = (rng.exponential(1.0, size=total) * mean * US).astype(np.int64) + US
    gaps[first] = 0
    cum = np.cumsum(gaps)
    offset = cum - np.repeat(cum[first], counts)
    turn = np.arange(total) - np.repeat(first, counts)
    return np.repeat(starts, counts) + offset, turn, sess


def pick_models(rng: Rng, ts: IntArray, base_p: tuple[float, float, float], new_share: float,
                tau_h: float, lag_h: float = 0.0) -> IntArray:
    """Model index per event: a base mix, then adoption of the new model after its release."""
    base = rng.choice(3, size=len(ts), p=np.asarray(base_p) / sum(base_p))
    since = (ts - RELEASE - lag_h * HOUR) / HOUR
    p_new = np.where(since > 0, new_share * (1 - np.exp(-np.maximum(since, 0) / tau_h)), 0.0)
    out: IntArray = np.where(rng.random(len(ts)) < p_new, NEW_MODEL, base)
    return out


# ---- identities -------------------------------------------------------------------------------


@dataclass
class Bank:
    """The text bank (tidewater_text.json) with small helpers over it."""

    data: dict[str, Any]

    def countries(self) -> list[dict[str, Any]]:
        return list(self.data["countries"])

    def names(self, rng: Rng, n: int) -> tuple[list[str], list[str]]:
        first = self.data["first_names"]
        last = self.data["last_names"]
        fi = rng.integers(0, len(first), n)
        li = rng.integers(0, len(last), n)
        return [first[i] for i in fi], [last[i] for i in li]

    def personal_emails(self, rng: Rng, n: int, domains: list[str] | None = None) -> list[str]:
        first, last = self.names(rng, n)
        if domains is None:
            pairs = self.data["consumer_domains"]
            idx = pick_weighted(rng, pairs, [w for _, w in pairs], n)
            domains = [pairs[i][0] for i in idx]
        style = rng.integers(0, 6, n)
        digits = rng.integers(1, 9999, n)
        years = rng.integers(1965, 2008, n)
        out = []
        for f, la, s, d, y, dom in zip(first, last, style, digits, years, domains, strict=True):
            local = (f"{f}.{la}", f"{f}{la}{d % 100}", f"{f[0]}{la}", f"{f}_{y}",
                     f"{la}.{f}{d}", f"{f}{la[0]}{y % 100:02d}")[int(s)]
            out.append(f"{local}@{dom}")
        return out

    def client(self, rng: Rng, name: str, n: int) -> tuple[list[str], list[str]]:
        """``n`` (user_agent, tls_fingerprint) of one client kind, versions drawn per account."""
        spec = self.data["clients"][name]
        versions = spec["v"]
        oses = spec.get("os", [""])
        vi = rng.integers(0, len(versions), n)
        oi = rng.integers(0, len(oses), n)
        uas = [spec["ua"].replace("{v}", versions[v]).replace("{os}", oses[o])
               for v, o in zip(vi, oi, strict=True)]
        return uas, [spec["tls"]] * n


def ipv4(rng: Rng, prefixes: list[list[int]], n: int, last_octet: bool = True) -> list[str]:
    pi = rng.integers(0, len(prefixes), n)
    c = rng.integers(0, 256, n)
    d = rng.integers(1, 255, n) if last_octet else np.zeros(n, dtype=int)
    return [f"{prefixes[p][0]}.{prefixes[p][1]}.{x}.{y}" for p, x, y in zip(pi, c, d, strict=True)]


def ipv6(rng: Rng, prefix: str, n: int) -> list[str]:
    """Addresses in ``prefix`` (two or three hextets): eight hextets in all. Six words are
    drawn whatever the prefix, so the random stream is the same for every prefix."""
    words = rng.integers(0, 65536, size=(n, 6))
    free = 8 - len(prefix.split(":"))
    return [":".join([prefix, *(f"{x:x}" for x in w[:free])]) for w in words]


def created_spread(rng: Rng, n: int, days_back: float, mean_days: float) -> IntArray:
    """Account creation dates before the window: exponential ages, capped at ``days_back``."""
    ages = np.minimum(rng.exponential(mean_days, n), days_back) + rng.random(n)
    return START - (ages * DAY).astype(np.int64)


@dataclass
class Accounts:
    """Every account of the scenario, with its label and its customer-table row."""

    ids: list[str] = field(default_factory=list)
    archetype: list[str] = field(default_factory=list)
    campaign: list[str | None] = field(default_factory=list)
    email: list[str | None] = field(default_factory=list)
    payment: list[str | None] = field(default_factory=list)
    org: list[str | None] = field(default_factory=list)
    created: list[int] = field(default_factory=list)
    access: list[str] = field(default_factory=list)
    #: customer row: (tier, verified, declared_use, contract, org shown) or None (no row)
    customer: list[tuple[str, bool, str | None, bool, str | None] | None] = field(
        default_factory=list)

    def add(self, rng: Rng, archetype: str, n: int, *, campaign: str | None = None,
            email: list[str | None], payment: list[str | None], org: list[str | None],
            created: IntArray, access: list[str] | str,
            customer: list[tuple[str, bool, str | None, bool, str | None] | None]) -> IntArray:
        first = len(self.ids)
        self.ids += unique_ids(rng, n, "acct_", 9)
        self.archetype += [archetype] * n
        self.campaign += [campaign] * n
        self.email += email
        self.payment += payment
        self.org += org
        self.created += [int(x) for x in created]
        self.access += [access] * n if isinstance(access, str) else access
        self.customer += customer
        return np.arange(first, first + n, dtype=np.int64)


def personal_orgs(rng: Rng, n: int) -> list[str | None]:
    return [f"org-{x}" for x in hex_strings(rng, n, 8)]


def cards(rng: Rng, n: int, share: float = 1.0) -> list[str | None]:
    """Payment fingerprints, one each, or none for the ``1 - share`` without a card."""
    fps = hex_strings(rng, n, 12)
    has = rng.random(n) < share
    return [f"pm_{x}" if h else None for x, h in zip(fps, has, strict=True)]
