"""Saltmarsh's distillation campaigns, one function per operator."""

from __future__ import annotations

import numpy as np

from distillguard.simulate.independent.saltmarsh_cast import (
    CONSUMER,
    emails,
    global_conv,
    ip_lists,
    ip_rotate,
    people,
    traffic,
    tz_of,
)
from distillguard.simulate.independent.saltmarsh_kit import (
    CLIENT,
    DAY,
    END_US,
    EVENING,
    FLAT,
    HOUR,
    OFFICE,
    RELEASE_US,
    START_US,
    STYLE,
    US,
    World,
    counts,
    hexes,
    ipv4s,
    sessions,
    times,
)
from distillguard.simulate.independent.saltmarsh_legit import RESIDENTIAL, home_ips, pa_where

#: Residential-proxy exit pools (shared by the hydra and, sometimes, the pathway operator).
PROXY_BLOCKS = ("73.162", "24.48", "98.114", "177.37", "187.19", "36.72", "115.78", "91.214",
                "5.167", "82.77", "103.151", "45.160")


def _proxy_pool(w: World, size: int) -> list[str]:
    per = max(1, size // len(PROXY_BLOCKS))
    return [ip for b in PROXY_BLOCKS for ip in ipv4s(w.rng, b, per)]


def _agentic(w: World, n: int) -> list[str]:
    return [w.text.fill(w.text.pick("camp_agentic")) for _ in range(n)]


def hydra(w: World, proxies: list[str]) -> None:
    """A reseller 'hydra': many small accounts behind residential proxies, harvesting agentic
    coding, mixed with ordinary end users it resells access to; pivots to the new model."""
    r, n = w.rng, w.n(1400, 3)
    cid = "cmp-hydra"
    w.campaigns += 1
    cards = ["pf_" + h for h in hexes(r, max(2, n // 30), 10)]
    pays = [cards[int(r.integers(len(cards)))] if r.random() < 0.8 else None for _ in range(n)]
    # accounts opened in batches over the last two months
    batch_days = np.sort(r.integers(3, 60, max(2, n // 150)))
    created_lo = START_US - int(batch_days[-1]) * DAY
    idx = people(w, n, "campaign_hydra_agentic", campaign=cid,
                 email=emails(w, n, (*CONSUMER, "mailbox.org", "tutanota.com")),
                 created=(created_lo, START_US - 2 * DAY), access="direct",
                 countries=("US", "GB", "DE", "BR", "IN", "CA"), country_p=(5, 1, 1, 1, 1, 1),
                 clients=("httpx", "py", "node"), client_p=(7, 2, 1), payment=pays,
                 customer=[(None, "pay_as_you_go" if p else "free", False, None, False)
                           for p in pays], missing=0.15)
    per = counts(r, n, 30.0, 0.7)
    tz = np.full(n, 8.0)  # the operator's workers keep Asian office hours
    a, ts, sess, turn = sessions(r, per, tz, (OFFICE + FLAT) / 2, 25, 6.0)
    harvest = r.random(len(a)) < 0.65
    prompts = _agentic(w, 2500) + w.text.prompts("chat", 1500, "chat")
    p = np.where(harvest, r.integers(0, 2500, len(a)), 2500 + r.integers(0, 1500, len(a)))
    style = np.where(harvest, STYLE["code"], STYLE["prose"])
    # the pivot: right after the release half the harvest goes to the new model
    traffic(w, idx, a, ts, prompts=prompts, p_idx=p, style=style, chars=(3500, 0.6),
            ip=ip_rotate(proxies, len(a), r), conv=global_conv(w, sess), turn=turn,
            model_p=(1, 0, 0), adopt=(0.5, 20), max_tokens=(16000, 8192), max_p=(8, 2),
            temperature=(0.7, 1.0), tools=(-1, 6, 12), tools_p=(3, 4, 3))


def pathways(w: World, proxies: list[str]) -> None:
    """Accounts spread across education, research and startup programmes under many small
    made-up organisations, harvesting reasoning traces and tool use."""
    r, n = w.rng, w.n(190, 6)
    cid = "cmp-pathways"
    w.campaigns += 1
    n_orgs = max(3, n // 8)
    kinds = ("education", "research", "startup")
    org_names = [f"org_{hexes(r, 1, 4)[0]}" for _ in range(n_orgs)]
    org_kind = [kinds[i % 3] for i in range(n_orgs)]
    org_dom = [(f"{h[:5]}-univ.edu" if k == "education" else f"{h[:5]}-institute.org"
                if k == "research" else f"{h[:5]}labs.ai")
               for h, k in zip(hexes(r, n_orgs, 4), org_kind, strict=True)]
    o = r.integers(0, n_orgs, n)
    access = [org_kind[i] if r.random() < 0.8 else "cloud" for i in o]
    ems = [emails(w, 1, (org_dom[i],))[0] for i in o]
    waves = START_US - np.array([30, 21, 12]) * DAY
    idx = people(w, n, "campaign_pathway_reasoning", campaign=cid,
                 org=[org_names[i] for i in o], email=ems,
                 created=(int(waves[0]), int(waves[2] + DAY)), access=access,
                 countries=("US", "GB", "SG", "CA"), clients=("py", "langchain"),
                 payment=[None if org_kind[i] == "education" else "pf_" + hexes(r, 1, 10)[0]
                          for i in o],
                 customer=[(org_names[i], "free" if org_kind[i] == "education" else
                            "pay_as_you_go", bool(org_kind[i] == "education" or r.random() < .3),
                            org_kind[i], False) for i in o], missing=0.1)
    # creation dates snap to three waves (account batches)
    for j, g in enumerate(idx):
        w.accounts[g].created_us = int(waves[j % 3] + r.integers(0, 4 * HOUR))
    per = counts(r, n, 140.0, 0.6)
    a, ts, sess, turn = sessions(r, per, np.full(n, 8.0), OFFICE, 12, 5.0)
    kind = r.choice(3, size=len(a), p=(0.5, 0.3, 0.2))
    reason = w.text.prompts("camp_reasoning", 3000, None)
    prompts = reason + _agentic(w, 1500) + w.text.prompts("tenant_tasks", 800, "tools", 0.7)
    p = np.where(kind == 0, r.integers(0, 3000, len(a)),
                 np.where(kind == 1, 3000 + r.integers(0, 1500, len(a)),
                          4500 + r.integers(0, 800, len(a))))
    style = np.where(kind == 1, STYLE["code"], STYLE["reasoning"])
    cloud = [ipv4s(r, b, 6) for b in ("34.150.2", "35.220.9", "47.74.3")]
    per_acct = [cloud[int(i) % 3] for i in o]
    via_proxy = r.random(len(a)) < 0.1  # some traffic leaks through the hydra's proxies
    ip = pa_where(via_proxy, ip_rotate(proxies, len(a), r), ip_lists(per_acct, a, r))
    traffic(w, idx, a, ts, prompts=prompts, p_idx=p, style=style, chars=(2600, 0.5), ip=ip,
            conv=global_conv(w, sess), turn=turn, model_p=(0.9, 0.1, 0), adopt=(0.3, 30),
            max_tokens=(8192, 16000), temperature=(0.6, 1.0))
    w.groups[-1].tool_count = np.where(kind == 2, r.integers(4, 9, len(a)), -1)


def lockstep(w: World) -> None:
    """A tight, load-balanced fleet: one job queue spread round-robin over accounts that share
    payment methods, harvesting rubric grading, safe rewrites and step-by-step reasoning."""
    r, n = w.rng, w.n(36, 4)
    cid = "cmp-lockstep"
    w.campaigns += 1
    day = START_US - 20 * DAY
    cards = ["pf_" + h for h in hexes(r, 2, 10)]
    idx = people(w, n, "campaign_lockstep_rubric", campaign=cid,
                 email=emails(w, n, ("outlook.com", "gmail.com"), "seq", "dataops.team"),
                 created=(day, day + 5 * HOUR), access="direct", countries=("US",),
                 clients=("aiohttp",), payment=[cards[i % 2] for i in range(n)],
                 customer=(None, "pay_as_you_go", False, None, False), missing=0.0)
    jobs = 8
    parts = []
    for _ in range(jobs):
        k = int(r.integers(900, 1500) * max(w.scale, 0.1))
        start = START_US + int(r.integers(0, 5 * DAY - 3 * HOUR))
        parts.append(start + np.cumsum(r.uniform(1.5, 3.5, k) * US).astype(np.int64))
    ts = np.minimum(np.concatenate(parts), END_US - 1)
    a = np.arange(len(ts)) % n  # round robin
    kind = r.choice(3, size=len(ts), p=(0.4, 0.25, 0.35))
    prompts = ([w.text.fill(w.text.pick("camp_rubric")) for _ in range(1500)]
               + [w.text.fill(w.text.pick("camp_rewrite")) for _ in range(800)]
               + w.text.prompts("camp_reasoning", 1200, None))
    p = np.where(kind == 0, r.integers(0, 1500, len(ts)),
                 np.where(kind == 1, 1500 + r.integers(0, 800, len(ts)),
                          2300 + r.integers(0, 1200, len(ts))))
    system = ["You are a meticulous expert. Always show complete reasoning before answers."]
    traffic(w, idx, a, ts, prompts=prompts, p_idx=p, style="reasoning", chars=(1800, 0.4),
            ip=ip_rotate(ipv4s(r, "45.77.190", 4), len(ts), r), systems=system,
            model_p=(1, 0, 0), adopt=(0.0, 1), max_tokens=(4096,), temperature=(0.0,),
            refused=0.03)


def slowdrip(w: World) -> None:
    """Aged, bought consumer accounts on stable residential IPs, each sending a trickle of
    chain-of-thought requests around the clock; all move to the new model when it ships."""
    r, n = w.rng, w.n(22, 3)
    cid = "cmp-slowdrip"
    w.campaigns += 1
    idx = people(w, n, "campaign_slowdrip_cot", campaign=cid,
                 created=(START_US - 420 * DAY, START_US - 180 * DAY), access="direct",
                 countries=("US", "GB", "CA", "AU"), clients=("chrome",),
                 customer=(None, "pay_as_you_go", False, None, False), missing=0.3)
    per = counts(r, n, 70.0, 0.3)
    a = np.repeat(np.arange(n), per)
    ts = times(r, len(a), tz_of(w, idx)[a], FLAT)
    prompts = w.text.prompts("camp_persona", 1500, None)
    system = ["Always explain your reasoning step by step in full detail."]
    traffic(w, idx, a, ts, prompts=prompts, style="reasoning", chars=(2200, 0.4),
            ip=ip_lists(home_ips(w, n, (1, 1)), a, r), systems=system,
            model_p=(1, 0, 0), adopt=(1.0, 0.5), max_tokens=(-1,),
            temperature=(np.nan,), n_choices=(1,))
    # the "browser" user agent sits on a Python TLS stack
    w.groups[-1].tls_client = CLIENT["requests"]


def polyglot(w: World) -> None:
    """Multilingual reasoning-trace coercion from consumer-looking free accounts on mobile and
    residential networks in several countries, opened in daily batches just before the window."""
    r, n = w.rng, w.n(380, 5)
    cid = "cmp-polyglot"
    w.campaigns += 1
    ctry = ("ID", "VN", "BR", "MX", "RU", "AE")
    idx = people(w, n, "campaign_multilingual_cot", campaign=cid,
                 email=emails(w, n, ("gmail.com", "yandex.ru", "outlook.com", "mail.ru")),
                 created=(START_US - 5 * DAY, START_US - 6 * HOUR), access="direct",
                 countries=ctry, clients=("py", "node"), client_p=(8, 2),
                 payment=[None if r.random() < 0.7 else "pf_" + hexes(r, 1, 10)[0]
                          for _ in range(n)],
                 customer=(None, "free", False, None, False), missing=0.5)
    # creation snaps to the operator's daily batch at ~02:00 UTC
    for g in idx:
        c = w.accounts[g].created_us
        w.accounts[g].created_us = c - c % DAY + 2 * HOUR + int(r.integers(0, 40 * 60 * US))
        if w.accounts[g].created_us >= START_US:
            w.accounts[g].created_us -= DAY
    mobile = ("114.124", "113.185", "177.79", "187.190", "176.59", "94.204")
    pools = {c: ipv4s(r, b, 30) for c, b in zip(ctry, mobile, strict=True)}
    per_acct = [pools[w.accounts[g].country or "ID"] for g in idx]
    per = counts(r, n, 65.0, 0.8)
    a, ts, sess, turn = sessions(r, per, np.full(n, 3.0), (EVENING + FLAT) / 2, 40, 2.0)
    multi = w.text.bank["camp_multi"]
    prompts = [multi[int(r.integers(len(multi)))].replace("{q}", w.text.question())
               for _ in range(3000)]
    ip = ip_lists(per_acct, a, r)
    traffic(w, idx, a, ts, prompts=prompts, style="intl", chars=(1500, 0.5), ip=ip,
            conv=global_conv(w, sess), turn=turn, model_p=(0.8, 0.2, 0), adopt=(0.3, 24),
            max_tokens=(8192,), temperature=(1.0,), refused=0.01)


def release_pivot(w: World) -> None:
    """A small crew that opens startup accounts within hours of the new model's release and
    harvests agentic coding from it at high volume."""
    r, n = w.rng, w.n(14, 2)
    cid = "cmp-newmodel"
    w.campaigns += 1
    org = "org_" + hexes(r, 1, 5)[0]
    idx = people(w, n, "campaign_release_pivot", campaign=cid, org=org,
                 email=emails(w, n, ("forgeloop.dev",), "plus", "devteam"),
                 created=(RELEASE_US + HOUR, RELEASE_US + 6 * HOUR), access="startup",
                 countries=("SG",), clients=("node",), payment="pf_" + hexes(r, 1, 10)[0],
                 customer=(org, "pay_as_you_go", True, "startup", False), missing=0.0)
    per = counts(r, n, 450.0, 0.4)
    start = np.array([w.accounts[g].created_us for g in idx]) + 20 * 60 * US
    a, ts, sess, turn = sessions(r, per, np.full(n, 8.0), FLAT, 8, 12.0, start=start)
    ips = ipv4s(r, "45.77.191", 3) + ipv4s(r, RESIDENTIAL[3], 2)
    traffic(w, idx, a, ts, prompts=_agentic(w, 1200), style="code", chars=(4200, 0.5),
            ip=ip_rotate(ips, len(a), r), conv=global_conv(w, sess), turn=turn,
            model_p=(0, 0, 1), adopt=(0.0, 1), max_tokens=(32000,), temperature=(1.0,),
            tools=(12, 18))


def campaigns(w: World) -> None:
    proxies = _proxy_pool(w, 6000)
    hydra(w, proxies)
    pathways(w, proxies)
    lockstep(w)
    slowdrip(w)
    polyglot(w)
    release_pivot(w)
