"""Fenland population helpers: countries, clients, e-mails and a generic session-based group."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from distillguard.simulate.independent.fenland_kit import (
    DAY_S,
    T0_US,
    US,
    Accounts,
    World,
    choose,
    hexids,
    hosts,
    local_times,
    lognormal_counts,
    pick_models,
    sessions,
)

#: country -> (UTC offset hours, weight, residential prefixes)
COUNTRIES: dict[str, tuple[float, float, list[str]]] = {
    "US": (-6, 30, ["73.12.0.0/14", "24.16.0.0/13", "98.200.0.0/13"]),
    "GB": (0, 8, ["81.2.0.0/15", "86.128.0.0/11"]),
    "DE": (1, 7, ["91.0.0.0/12", "84.128.0.0/10"]),
    "IN": (5.5, 10, ["49.32.0.0/11", "106.192.0.0/11"]),
    "BR": (-3, 6, ["177.0.0.0/10", "189.0.0.0/11"]),
    "JP": (9, 5, ["126.0.0.0/10", "60.64.0.0/11"]),
    "FR": (1, 5, ["90.0.0.0/11", "78.192.0.0/10"]),
    "CA": (-5, 4, ["70.24.0.0/13", "142.112.0.0/12"]),
    "KR": (9, 4, ["211.200.0.0/13", "121.128.0.0/11"]),
    "NG": (1, 2, ["102.88.0.0/14", "105.112.0.0/12"]),
    "PL": (1, 2, ["83.0.0.0/11"]),
    "ES": (1, 3, ["88.0.0.0/11"]),
    "AU": (10, 3, ["101.160.0.0/11"]),
    "SG": (8, 2, ["116.86.0.0/15"]),
    "MX": (-6, 3, ["187.128.0.0/10"]),
}
CLOUD = ["34.64.0.0/10", "35.184.0.0/13", "52.0.0.0/11", "3.208.0.0/12", "20.32.0.0/11"]


def tls_for(name: str, k: int = 1) -> list[str]:
    """Stable JA4-like fingerprints for a client family."""
    out = []
    for i in range(k):
        h = hashlib.md5(f"{name}/{i}".encode()).hexdigest()
        out.append(f"t13d{15 + i % 3}{10 + i % 7}h2_{h[:12]}_{h[12:24]}")
    return out


@dataclass
class Client:
    family: str
    weight: float = 1.0


def pick_country(w: World, n: int, weights: dict[str, float] | None = None) -> np.ndarray:
    names = list(weights or {k: v[1] for k, v in COUNTRIES.items()})
    ps = [(weights or {})[c] if weights else COUNTRIES[c][1] for c in names]
    return choose(w.rng, names, n, ps)


def home_ips(w: World, country: np.ndarray) -> np.ndarray:
    out = np.empty(len(country), dtype=object)
    for c in np.unique(country):
        rows = np.nonzero(country == c)[0]
        out[rows] = hosts(w.rng, COUNTRIES[str(c)][2], len(rows))
    return out


def emails(w: World, n: int, style: str, domain: str | list[str] | None = None) -> np.ndarray:
    """Account e-mails: 'person' (first.last on webmail), 'corp' (first.last@domain),
    'handle' (first+last initial + digits on webmail), 'throwaway' (word+digits)."""
    rng = w.rng
    b = w.bank
    fn, ln = b["first_names"], b["last_names"]
    out = []
    doms = [domain] if isinstance(domain, str) else domain
    for _i in range(n):
        f = fn[int(rng.integers(len(fn)))]
        last = ln[int(rng.integers(len(ln)))]
        if style == "corp" and doms:
            d = doms[int(rng.integers(len(doms)))]
            local = f"{f}.{last}" if rng.random() < 0.7 else f"{f[0]}{last}"
            out.append(f"{local}{'' if rng.random() < 0.9 else int(rng.integers(2, 9))}@{d}")
            continue
        d = (doms or b["webmail"])[int(rng.integers(len(doms or b["webmail"])))]
        if style == "throwaway":
            word = b["throwaway_words"][int(rng.integers(len(b["throwaway_words"])))]
            out.append(f"{word}{int(rng.integers(1000, 99999))}@{d}")
        elif style == "handle":
            out.append(f"{f}{last[0]}{int(rng.integers(1, 9999))}@{d}")
        else:
            sep = "." if rng.random() < 0.6 else ("_" if rng.random() < 0.3 else "")
            tail = "" if rng.random() < 0.5 else str(int(rng.integers(1, 99)))
            out.append(f"{f}{sep}{last}{tail}@{d}")
    return np.array(out, dtype=object)


def created(w: World, n: int, lo_days: float, hi_days: float) -> np.ndarray:
    """Creation times lo..hi days before the window start (negative lo: inside the window)."""
    d = w.rng.uniform(lo_days, hi_days, n)
    return T0_US - (d * DAY_S * US).astype(np.int64)


def clients(w: World, n: int, families: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """(user_agent, tls) per account drawn from client families."""
    fam = choose(w.rng, list(families), n, list(families.values()))
    ua = np.empty(n, dtype=object)
    tls = np.empty(n, dtype=object)
    for f in np.unique(fam):
        rows = np.nonzero(fam == f)[0]
        ua[rows] = choose(w.rng, w.bank["user_agents"][f], len(rows))
        tls[rows] = choose(w.rng, tls_for(str(f), 2), len(rows))
    return ua, tls


@dataclass
class Habits:
    """How a session-based group uses the API."""

    sessions: float = 3.0
    sessions_sigma: float = 0.8
    turns: float = 2.0
    gap_s: float = 90.0
    profile: str = "human"
    days: str = "human"
    out_mean: float = 350.0
    out_sigma: float = 0.6
    max_tokens: list[Any] = field(default_factory=lambda: [None, 1024, 4096])
    temperature: list[Any] = field(default_factory=lambda: [None, 0.7, 1.0])
    lite: float = 0.2
    adopt: float = 0.25
    tau_h: float = 30.0
    roam: float = 0.1
    history: int = 180
    tool_count: list[int] = field(default_factory=lambda: [0])


def run_sessions(w: World, acc: Accounts, pool: np.ndarray, h: Habits, *,
                 style: str | list[str] = "prose",
                 system: Any = None, tz: np.ndarray | None = None,
                 active: np.ndarray | None = None, ip_pool: np.ndarray | None = None,
                 min_t: np.ndarray | None = None, styles_p: list[float] | None = None,
                 session_counts: np.ndarray | None = None) -> None:
    """Emit session traffic for every account of a group from prompt ``pool``."""
    rng = w.rng
    n = len(acc.ids)
    if session_counts is None:
        session_counts = lognormal_counts(rng, n, h.sessions, h.sessions_sigma, lo=1)
    if active is not None:
        session_counts = session_counts * active
    s_acct = np.repeat(np.arange(n), session_counts)
    tz_s = (tz if tz is not None else acc.cols["tz"])[s_acct].astype(float)
    starts = local_times(rng, tz_s, h.profile, h.days)
    if min_t is not None:
        lo = min_t[s_acct]
        starts = np.where(starts < lo, lo + rng.random(len(lo)) * np.maximum(1, 144 * 3600 - lo),
                          starts)
    per = rng.geometric(1 / max(1.0, h.turns), len(s_acct))
    sess, t, turn = sessions(rng, starts, per, h.gap_s)
    a = s_acct[sess]
    m = len(a)
    conv_ids = hexids(rng, len(s_acct), "conv_", 6)
    conv = conv_ids[sess]
    home = acc.cols["ip"][a]
    if ip_pool is not None:
        roam_ip = ip_pool[rng.integers(0, len(ip_pool), m)]
    else:
        roam_ip = hosts(rng, [*CLOUD[:1], "172.56.0.0/14", "100.128.0.0/10"], m)
    ip = np.where(rng.random(m) < h.roam, roam_ip, home)
    if isinstance(style, list):
        st = choose(rng, style, m, styles_p)
    else:
        st = np.full(m, style, dtype=object)
    w.emit(acc, a, t, pool[rng.integers(0, len(pool), m)], style=st,
           out_tokens=lognormal_counts(rng, m, h.out_mean, h.out_sigma),
           max_tokens=choose(rng, h.max_tokens, n)[a], temperature=choose(rng, h.temperature, n)[a],
           model=pick_models(rng, t, lite=h.lite, adopt=h.adopt, tau_h=h.tau_h), ip=ip,
           system=system, conv=conv, turn=turn, history=turn * h.history,
           tool_count=choose(rng, h.tool_count, m))


def person_group(w: World, n: int, archetype: str, *, countries: dict[str, float] | None = None,
                 created_days: tuple[float, float] = (5, 700), email_style: str = "person",
                 domain: str | list[str] | None = None, families: dict[str, float] | None = None,
                 access: str = "direct", org: Any = None, pay: str = "own",
                 customer: dict[str, Any] | None = None, campaign: str | None = None,
                 listed: float = 0.93, ips: np.ndarray | None = None) -> Accounts:
    """Accounts of people (or of things acting like people) with sticky home addresses."""
    rng = w.rng
    country = pick_country(w, n, countries)
    tz = np.array([COUNTRIES[str(c)][0] for c in country], dtype=float)
    ua, tls = clients(w, n, families or {"browser": 1.0})
    if pay == "own":
        payment = hexids(rng, n, "pm_", 8)
        payment[rng.random(n) < 0.35] = None  # free users without a card on file
    elif pay == "none":
        payment = np.full(n, None, dtype=object)
    else:
        payment = np.full(n, pay, dtype=object)
    return w.accounts(
        n, archetype, campaign=campaign, customer=customer, listed=listed,
        org_id=org, ip=ips if ips is not None else home_ips(w, country), user_agent=ua,
        tls_fingerprint=tls, payment_fingerprint=payment, email=emails(w, n, email_style, domain),
        created_us=created(w, n, *created_days), access_path=access, country=country, tz=tz)
