"""Fenland's distillation campaigns (six operators, each with its own tactics and slips)."""

from __future__ import annotations

import numpy as np

from distillguard.simulate.independent.fenland_kit import (
    OLD,
    RELEASE_H,
    T0_US,
    US,
    WINDOW_S,
    World,
    choose,
    fill,
    hexids,
    hosts,
    keep,
    local_times,
    lognormal_counts,
    pick_models,
    v6,
)
from distillguard.simulate.independent.fenland_legit import _pool, casual_pool, dev_pool
from distillguard.simulate.independent.fenland_people import (
    COUNTRIES,
    Habits,
    created,
    emails,
    person_group,
    run_sessions,
    tls_for,
)


def _start(w: World, acc_created: np.ndarray) -> np.ndarray:
    """Seconds since T0 before which an account cannot send (its creation + a few minutes)."""
    return np.maximum(0.0, (acc_created - T0_US) / US + w.rng.uniform(120, 3600, len(acc_created)))


def hydra(w: World) -> None:
    """A reseller 'hydra' network: many small throwaway accounts behind rotating proxies,
    agentic-coding and tool-use harvest mixed with resold ordinary traffic."""
    rng = w.rng
    b = w.bank
    cid = "fen-hydra"
    n = w.n(1100, 4)
    cards = hexids(rng, max(2, n // 28), "pm_", 8)
    waves = choose(rng, [-1.0, 3.0, 9.0, 17.0, 26.0], n)
    made = created(w, n, 0, 1) - (waves * 86400 * US).astype(np.int64)
    mail = np.where(rng.random(n) < 0.6, emails(w, n, "throwaway", b["throwaway_domains"]),
                    emails(w, n, "handle"))
    proxies = np.concatenate([hosts(rng, v[2], 18) for v in COUNTRIES.values()])
    acc = w.accounts(n, "campaign_hydra_agentic", campaign=cid,
                     customer={"tier": choose(rng, ["free", "pay_as_you_go"], n, [.6, .4])},
                     listed=0.9, org_id=None, ip=proxies[rng.integers(0, len(proxies), n)],
                     user_agent=choose(rng, b["user_agents"]["py_sdk"] + b["user_agents"]["js_sdk"]
                                       + b["user_agents"]["curl"], n),
                     tls_fingerprint=choose(rng, tls_for("hydra-egress", 2), n),
                     payment_fingerprint=cards[rng.integers(0, len(cards), n)], email=mail,
                     created_us=made, access_path="direct",
                     country=choose(rng, list(COUNTRIES), n), tz=np.zeros(n))
    harvest = _pool(fill(rng, b["hydra_agent"], {**b["agent_slots"]}, 500)
                    + fill(rng, b["hydra_tool"], b["hydra_tool_slots"], 200)
                    + b["corpus"].get("tool", [])[:600])
    resold = np.concatenate([casual_pool(w), dev_pool(w, 150)])
    k = lognormal_counts(rng, n, 30, .7)
    a = np.repeat(np.arange(n), k)
    m = len(a)
    lo = _start(w, made)[a]
    # each account works one or two bursts of a few hours; the network runs around the clock
    centre = lo + rng.random(n)[a] * (WINDOW_S - lo)
    t = np.clip(centre + rng.normal(0, 5400, m), lo, WINDOW_S - 1)
    t = t[np.lexsort((t, a))]
    first = np.r_[True, a[1:] != a[:-1]]
    mixed = rng.random(m) < 0.2  # ordinary customers' requests resold through the network
    prompts = np.where(mixed, resold[rng.integers(0, len(resold), m)],
                       harvest[rng.integers(0, len(harvest), m)]).astype(object)
    ip = proxies[rng.integers(0, len(proxies), m)]
    slip = first & (rng.random(m) < 0.02)  # set-up calls from the operator's own address
    ip = np.where(slip, "45.134.10.23", ip).astype(object)
    w.emit(acc, a, t, prompts, style=np.where(mixed, "prose", choose(rng, ["agent", "code"], m)),
           out_tokens=np.where(mixed, lognormal_counts(rng, m, 350, .6),
                               lognormal_counts(rng, m, 1900, .5)),
           max_tokens=np.where(mixed, choose(rng, [None, 1024, 4096], m), 8192).astype(object),
           temperature=choose(rng, [None, 1.0], n)[a], ip=ip,
           model=pick_models(rng, t, adopt=0.5, tau_h=6),
           system=keep(~mixed, choose(rng, [b["system_prompts"]["hydra"], None], m,
                                               [.6, .4])),
           tool_count=np.where(mixed, 0, rng.integers(5, 13, m)))


def scholar(w: World) -> None:
    """Reasoning-trace harvest through education, research and startup programmes, spread
    over many organisations, dispatched in load-balanced rounds."""
    rng = w.rng
    b = w.bank
    cid = "fen-scholar"
    n = w.n(280, 4)
    k_org = max(2, n // 11)
    orgs = hexids(rng, k_org, "org_", 5)
    kinds = choose(rng, ["education", "research", "startup"], k_org, [.4, .25, .35])
    suffix = {"education": "-institute.edu", "research": "-institute.edu", "startup": "labs.ai"}
    doms = [f"{b['throwaway_words'][i % 24]}{suffix[str(kinds[i])]}"
            for i in range(k_org)]
    o = rng.integers(0, k_org, n)
    mail = np.empty(n, dtype=object)
    for j in range(k_org):
        rows = np.nonzero(o == j)[0]
        mail[rows] = emails(w, len(rows), "corp", doms[j])
    cards = hexids(rng, 5, "pm_", 8)
    pay = keep(kinds[o] == "startup", cards[rng.integers(0, 5, n)])
    made = created(w, n, 2, 40)
    ips = hosts(rng, ["47.74.0.0/24", "47.74.1.0/24"], 40)
    acc = w.accounts(n, "campaign_reasoning_programmes", campaign=cid,
                     customer={"tier": "free", "org": keep(rng.random(n) < .6, orgs[o]),
                               "verified": (kinds[o] == "education") & (rng.random(n) < .5),
                               "declared_use": kinds[o]}, listed=0.95,
                     org_id=orgs[o], ip=ips[rng.integers(0, 40, n)],
                     user_agent=b["user_agents"]["py_sdk"][1],
                     tls_fingerprint=tls_for("py_sdk", 1)[0], payment_fingerprint=pay,
                     email=mail, created_us=made, access_path=kinds[o],
                     country=choose(rng, ["SG", "US", "KR", "GB"], n), tz=np.zeros(n))
    # a dispatcher sends a round every ~4 minutes to a share of the accounts
    rounds = np.arange(0, WINDOW_S, 240.0)
    per_round = rng.poisson(max(1.0, n * 0.045), len(rounds))
    rt = np.repeat(rounds, per_round)
    a = rng.integers(0, n, len(rt))
    t = rt + rng.uniform(0, 2.5, len(rt))
    alive = t > _start(w, made)[a]
    a, t = a[alive], t[alive]
    m = len(a)
    s = b["edu_slots"]
    reason = _pool(fill(rng, b["edu_reasoning"], s, 1500))
    rubric = _pool(fill(rng, b["rubric"], b["rubric_slots"], 300))
    kind = rng.choice(3, m, p=[.72, .2, .08])
    prompts = np.where(kind == 0, reason[rng.integers(0, len(reason), m)],
                       rubric[rng.integers(0, len(rubric), m)]).astype(object)
    status = np.where((kind == 2) & (rng.random(m) < .3), "refused", "ok").astype(object)
    w.emit(acc, a, t, prompts, style="reasoning",
           out_tokens=lognormal_counts(rng, m, 2200, .45), max_tokens=16000, temperature=0.6,
           model=pick_models(rng, t, adopt=0.45, tau_h=8, lag_h=18),
           system=b["system_prompts"]["edu"], status=status, key=0)


def loam(w: World) -> None:
    """Low and slow: a few dozen aged consumer accounts, one sticky residential proxy each,
    human hours, a steady trickle of step-by-step reasoning questions."""
    rng = w.rng
    b = w.bank
    n = w.n(60, 3)
    acc = person_group(w, n, "campaign_lowslow_aged", campaign="fen-loam", created_days=(180, 420),
                       email_style="person", domain=["gmail.com", "outlook.com", "yahoo.com"],
                       families={"browser": 1.0}, customer={"tier": "pay_as_you_go"}, listed=0.97)
    acc.cols["tls_fingerprint"] = np.full(n, tls_for("loam-client", 1)[0], dtype=object)
    qs = b["lowslow_q"] + b["corpus"].get("math", [])[:1500]
    pool = _pool(fill(rng, b["lowslow"], {"q": qs}, 2000))
    run_sessions(w, acc, pool, Habits(sessions=14, sessions_sigma=.2, turns=1.8, gap_s=150,
                                      out_mean=1500, out_sigma=.4, max_tokens=[16000],
                                      temperature=[1.0], lite=0, adopt=.3, tau_h=30, roam=0,
                                      history=0), style="reasoning")


def tongue(w: World) -> None:
    """Consumer-looking multilingual accounts coercing full reasoning traces, on mobile
    carrier addresses, created in waves."""
    rng = w.rng
    b = w.bank
    n = w.n(420, 4)
    langs = ["zh", "ru", "es", "ko", "ar", "vi", "en"]
    lang = choose(rng, langs, n, [.4, .15, .12, .1, .08, .08, .07])
    country = np.array([{"zh": "SG", "ru": "PL", "es": "MX", "ko": "KR", "ar": "NG", "vi": "SG",
                         "en": "IN"}[x] for x in lang], dtype=object)
    wave = choose(rng, [10.0, 4.0, -1.2], n)
    made = created(w, n, 0, 0.3) - (wave * 86400 * US).astype(np.int64)
    doms = {"zh": ["qq.com", "163.com"], "ru": ["mail.ru", "yandex.ru"], "ko": ["naver.com"]}
    mail = np.empty(n, dtype=object)
    for x in langs:
        rows = np.nonzero(lang == x)[0]
        mail[rows] = emails(w, len(rows), "handle", doms.get(x, ["gmail.com", "outlook.com"]))
    carriers = hosts(rng, ["172.56.0.0/14", "49.36.0.0/14", "177.79.0.0/16", "92.40.0.0/15"], 30)
    six = v6(rng, "2a0d:5600", 40)
    ippool = np.concatenate([carriers, six])
    acc = w.accounts(n, "campaign_multilingual_cot", campaign="fen-tongue",
                     customer={"tier": "free"}, listed=0.9, org_id=None,
                     ip=ippool[rng.integers(0, len(ippool), n)],
                     user_agent=choose(rng, b["user_agents"]["app_android"]
                                       + b["user_agents"]["browser"][:1], n),
                     tls_fingerprint=choose(rng, tls_for("app_android", 2) + tls_for("browser", 1),
                                            n),
                     payment_fingerprint=None, email=mail, created_us=made, access_path="direct",
                     country=country, tz=np.zeros(n))
    k = lognormal_counts(rng, n, 40, .5)
    a = np.repeat(np.arange(n), k)
    m = len(a)
    lo = _start(w, made)[a]
    t = lo + rng.random(m) * (WINDOW_S - lo)  # around the clock, no daily rhythm
    la = lang[a]
    prompts = np.empty(m, dtype=object)
    for x in langs:
        rows = np.nonzero(la == x)[0]
        pool = _pool(fill(rng, b["ml_cot"][x], {"q": b["ml_q"][x]}, 60))
        prompts[rows] = pool[rng.integers(0, len(pool), len(rows))]
    style = np.where(la == "en", "reasoning", la).astype(object)
    roam = rng.random(m) < 0.3
    w.emit(acc, a, t, prompts, style=style, out_tokens=lognormal_counts(rng, m, 1300, .5),
           max_tokens=choose(rng, [None, 8192], n)[a], temperature=None,
           model=pick_models(rng, t, adopt=.5, tau_h=10),
           ip=np.where(roam, ippool[rng.integers(0, len(ippool), m)], acc.cols["ip"][a]))


def gantry(w: World) -> None:
    """An enterprise-looking team on a cloud marketplace harvesting long agentic coding
    traces; it moves most of its volume to the new model within hours of the release."""
    rng = w.rng
    b = w.bank
    n = w.n(24, 3)
    orgid = hexids(rng, 1, "org_", 5)[0]
    cards = hexids(rng, 2, "pm_", 8)
    acc = person_group(w, n, "campaign_agentic_pivot", campaign="fen-gantry",
                       created_days=(20, 45), email_style="corp", domain="gantry-systems.io",
                       families={"agent": 1.0}, access="cloud", org=orgid, pay=cards[0],
                       ips=hosts(rng, ["20.42.0.0/16"], 8)[rng.integers(0, 8, n)],
                       customer={"tier": "pay_as_you_go", "org": orgid, "verified": False,
                                 "declared_use": "agent"}, listed=1.0)
    acc.cols["payment_fingerprint"] = cards[rng.integers(0, 2, n)]
    pool = _pool(fill(rng, b["hydra_agent"] + b["agent_tasks"], {**b["agent_slots"]}, 900))
    run_sessions(w, acc, pool, Habits(sessions=25, sessions_sigma=.3, turns=22, gap_s=12,
                                      profile="flat", days="flat", out_mean=2600, out_sigma=.5,
                                      max_tokens=[64000], temperature=[1.0], lite=0, adopt=.72,
                                      tau_h=3, roam=0, history=2000, tool_count=[10, 18, 24, 30]),
                 style="agent", system=b["system_prompts"]["agent"])


def rubric(w: World) -> None:
    """A small reward-model harvest: grading with rubrics and 'safe' rewrites, the accounts
    firing together on a ten-minute schedule from three servers with one card."""
    rng = w.rng
    b = w.bank
    n = w.n(12, 2)
    card = hexids(rng, 1, "pm_", 8)[0]
    servers = hosts(rng, ["185.220.100.0/24"], 3)
    acc = person_group(w, n, "campaign_rubric_sync", campaign="fen-rubric",
                       created_days=(6, 9), email_style="handle",
                       families={"curl": 1.0}, pay=card, ips=servers[rng.integers(0, 3, n)],
                       customer={"tier": "pay_as_you_go", "declared_use": "research"},
                       listed=1.0)
    ticks = np.arange(600.0, WINDOW_S, 600.0)
    live = ticks[rng.random(len(ticks)) < 0.85]
    per = rng.integers(2, 5, len(live))
    tt = np.repeat(live, per)
    a = np.tile(np.arange(n), len(tt))
    t = np.repeat(tt, n) + rng.uniform(0, 0.9, len(a)) + np.tile(np.arange(n), len(tt)) * 0.05
    t = np.minimum(t, WINDOW_S - 1)
    m = len(a)
    pool = _pool(fill(rng, b["rubric"], b["rubric_slots"], 400))
    idx = rng.integers(0, len(pool), m)
    pr = pool[idx]
    safe = np.array(["safe" in str(x) for x in pool])[idx]
    status = np.where(safe & (rng.random(m) < .25), "refused", "ok").astype(object)
    w.emit(acc, a, t, pr, style="reasoning", out_tokens=lognormal_counts(rng, m, 650, .3),
           max_tokens=4096, temperature=0.0, model=np.full(m, OLD, dtype=object), status=status,
           key=0)


CAMPAIGNS = (hydra, scholar, loam, tongue, gantry, rubric)
__all__ = ["CAMPAIGNS", "RELEASE_H", "local_times"]
