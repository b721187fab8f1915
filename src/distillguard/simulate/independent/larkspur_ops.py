"""Larkspur's distillation campaigns (see LARKSPUR.md): one function per operator."""

from __future__ import annotations

import numpy as np

from .larkspur_kit import (
    DAY,
    END,
    HOUR,
    MINUTE,
    NEW,
    OLD,
    START,
    US,
    World,
    _cols,
    cat,
    cloud_ips,
    created_before,
    expand,
    hexids,
    home_ips,
    istr,
    lognorm,
    models_for,
    payments,
    person_emails,
    session_starts,
    stack_pick,
    subnet_ips,
    where,
)
from .larkspur_legit import consumer_ips, draw_countries, vpn_exits

PROXY_MIX = {
    "US": 0.35,
    "GB": 0.1,
    "DE": 0.1,
    "BR": 0.1,
    "IN": 0.1,
    "ID": 0.08,
    "VN": 0.07,
    "MX": 0.05,
    "CA": 0.05,
}


def _harvest(w: World, rng: np.random.Generator, m: int, mix: str) -> tuple[np.ndarray, str]:
    """Harvest prompts: ``agent`` (agentic coding and tool use), ``reason`` (traces)."""
    if mix == "agent":
        u = rng.random(m)
        p = where(
            u < 0.55,
            w.text.pick(rng, "agent_tasks", m),
            where(u < 0.8, w.text.code_mix(rng, m), w.text.pick(rng, "tool_tasks", m)),
        )
        return p, "agent"
    u = rng.random(m)
    base = where(
        u < 0.4,
        w.text.math(rng, m),
        cat(w.text.framed(rng, "reason_frames", "domains", m), w.text.pick(rng, "reason_items", m)),
    )
    return cat(base, " ", w.text.pick(rng, "cot_suffix", m)), "reason"


def hydra(w: World) -> None:
    """A reseller hydra: waves of fresh accounts, a residential-proxy exit per request, the
    gateway's own TLS stack under rotating SDK user agents, harvest mixed with resold chat."""
    rng = w.rng("hydra")
    n = w.count(rng, 520, 880, 12)
    waves = START + np.sort(rng.uniform(-7, 7.5, int(rng.integers(5, 9)))) * DAY
    created = (waves[rng.integers(0, len(waves), n)] + rng.exponential(25, n) * MINUTE).astype(
        np.int64
    )
    countries = draw_countries(rng, n, PROXY_MIX)
    cards = payments(rng, max(2, n // 25))
    free = rng.random(n) < 0.3
    pay = where(free, None, cards[rng.integers(0, len(cards), n)])
    ua_pool = np.asarray(
        [
            "lumen-python/1.9.0",
            "lumen-python/1.8.2",
            "OpenAI/Python 1.54.4",
            "lumen-node/2.4.0",
            "OpenAI/JS 4.73.0",
        ],
        object,
    )
    ua = ua_pool[rng.integers(0, len(ua_pool), (n, 2))]
    tls = _cols(n, "t13d1311h2_f57a46bbacb6_ab7e3b40a677")
    acc = w.accounts(
        rng,
        n,
        "campaign_hydra_proxy",
        campaign="lar-hydra",
        created=created,
        country=countries,
        pay=pay,
        tier=where(free, "free", "pay_as_you_go").astype(object),
        email=person_emails(rng, countries, style="bulk"),
        ip=home_ips(rng, countries),
        ua=ua,
        tls=tls,
    )
    life = rng.uniform(1.5, 5.5, n) * DAY
    lo = np.maximum(acc.created, START) + 10 * MINUTE
    hi = np.minimum(lo + life.astype(np.int64), END)
    per = lognorm(rng, 45, 0.6, n, 5, 400)
    idx = np.repeat(np.arange(n), per)
    m = len(idx)
    t = lo[idx] + (rng.random(m) * (hi - lo)[idx]).astype(np.int64)
    harvest = rng.random(m) < rng.uniform(0.5, 0.68)
    hp, _ = _harvest(w, rng, m, "agent")
    prompt = where(harvest, hp, w.text.chat_mix(rng, m))
    sysp = where(
        harvest,
        w.text.pick(rng, "agent_system", m),
        where(rng.random(m) < 0.5, w.text.pick(rng, "systems", m), None),
    )
    model = where(
        harvest,
        models_for(rng, w, t, p_new=0.5, ramp_h=20),
        models_for(rng, w, t, p_new=0.3, p_flash=0.2),
    )
    ip = home_ips(rng, draw_countries(rng, m, PROXY_MIX))  # a fresh exit every request
    w.emit(
        acc,
        rng,
        idx,
        t,
        prompt=prompt,
        kind="agent",
        model=model,
        system=sysp,
        ip=ip,
        ua_p=0.5,
        tools=where(harvest, rng.integers(6, 22, m), 0),
        max_tokens=where(harvest, 16000, -1),
        turn=rng.integers(0, 12, m) * harvest,
        history=rng.integers(0, 20000, m) * harvest,
        out_tokens=where(harvest, lognorm(rng, 1600, 0.7, m), lognorm(rng, 350, 0.7, m)),
        temperature=where(harvest, 0.7, 1.0),
        err=0.02,
    )


def vintage(w: World) -> None:
    """Bought aged accounts that live like consumers; a minority of requests are harvest."""
    rng = w.rng("vintage")
    n = w.count(rng, 25, 55, 4)
    countries = draw_countries(rng, n)
    created = created_before(rng, n, 500, 365)
    chrome = stack_pick(rng, ["chrome"], [1.0], n)
    pyclient = where(rng.random(n) < 0.5, "t13d1812h1_85036bcba153_9a1c5e2b7f30", chrome[1]).astype(
        object
    )
    days = home_ips(rng, np.repeat(countries, 9)).reshape(n, 9)  # sticky, changes every day
    acc = w.accounts(
        rng,
        n,
        "campaign_aged_accounts",
        campaign="lar-vintage",
        created=created,
        country=countries,
        pay=payments(rng, n),
        ip=days,
        ua=chrome[0],
        tls=pyclient,
        verified=rng.random(n) < 0.7,
    )
    sessions = rng.poisson(12, n) + 4
    owner = np.repeat(np.arange(n), sessions)
    starts = session_starts(rng, acc, owner, "evening")
    rep, t, turn = expand(rng, starts, rng.integers(2, 9, len(owner)), 55)
    idx = owner[rep]
    m = len(idx)
    share = rng.uniform(0.15, 0.35, n)[idx]
    harvest = rng.random(m) < share
    hp, _ = _harvest(w, rng, m, "reason")
    ap, _ = _harvest(w, rng, m, "agent")
    prompt = where(harvest, where(rng.random(m) < 0.6, hp, ap), w.text.chat_mix(rng, m))
    day = np.clip((t - START) // DAY, 0, 8)
    w.emit(
        acc,
        rng,
        idx,
        t,
        prompt=prompt,
        kind="reason",
        model=models_for(rng, w, t, p_new=0.45),
        system=None,
        conv=hexids(rng, len(starts), "conv_", 16)[rep],
        turn=turn,
        history=turn * 400,
        ip=acc.ip[idx, day],
        out_tokens=where(harvest, lognorm(rng, 1400, 0.5, m), lognorm(rng, 380, 0.7, m)),
        temperature=1.0,
        max_tokens=where(harvest, 8192, -1),
    )


def trickle(w: World) -> None:
    """Low and slow: hundreds of accounts, a few reasoning-trace requests each, spread out."""
    rng = w.rng("trickle")
    n = w.count(rng, 150, 320, 8)
    countries = draw_countries(rng, n, {"US": 0.4, "SG": 0.15, "DE": 0.15, "NL": 0.15, "GB": 0.15})
    free = rng.random(n) < 0.45
    ua, tls = stack_pick(rng, ["py_sdk", "httpx", "node_sdk"], [0.5, 0.3, 0.2], n)
    acc = w.accounts(
        rng,
        n,
        "campaign_low_slow",
        campaign="lar-trickle",
        created=created_before(rng, n, 40, 3),
        country=countries,
        pay=where(free, None, payments(rng, n)),
        tier=where(free, "free", "pay_as_you_go").astype(object),
        ip=cloud_ips(rng, "vps", n),
        ua=ua,
        tls=tls,
    )
    per = rng.integers(6, 26, n)
    idx = np.repeat(np.arange(n), per)
    m = len(idx)
    t = START + (rng.random(m) * (END - START)).astype(np.int64)
    dom = w.text.pool["domains"]
    focus = rng.integers(0, len(dom), (n, 2))
    pick = focus[idx, rng.integers(0, 2, m)]
    prompt = cat(
        w.text.pool["reason_frames_pre"][rng.integers(0, 4, m)],
        dom[pick],
        w.text.pool["reason_frames_post"][rng.integers(0, 4, m)],
        w.text.pick(rng, "reason_items", m),
        " ",
        w.text.pick(rng, "cot_suffix", m),
    )
    foreign = (rng.random(n) < 0.33)[idx] & (rng.random(m) < 0.6)
    prompt = where(foreign, w.text.pick(rng, "multilingual", m), prompt)
    w.emit(
        acc,
        rng,
        idx,
        t,
        prompt=prompt,
        kind="reason",
        model=models_for(rng, w, t, p_new=0.4, ramp_h=36),
        system=None,
        out_tokens=lognorm(rng, 1500, 0.5, m),
        temperature=0.7,
        max_tokens=8192,
    )


def lattice(w: World) -> None:
    """One data-analysis prompt asking for complete and transparent reasoning, with small
    variations, answered in scheduled rounds by a random subset of accounts."""
    rng = w.rng("lattice")
    n = w.count(rng, 40, 80, 5)
    countries = _cols(n, "SG")
    cards = payments(rng, 3)
    nets = ["103.252.116", "45.77.34", "139.180.141"]
    net = rng.integers(0, 3, n)
    ips = np.stack([subnet_ips(rng, nets[k], 1)[0] for k in net]).astype(object)
    emails = where(
        rng.random(n) < 0.4,
        cat("ops", istr(np.arange(1, n + 1)), "@quantilearn-tech.com"),
        person_emails(rng, countries, style="bulk"),
    )
    ua, tls = stack_pick(rng, ["httpx"], [1.0], n)
    acc = w.accounts(
        rng,
        n,
        "campaign_cot_traces",
        campaign="lar-lattice",
        created=created_before(rng, n, 10, 2),
        country=countries,
        pay=cards[rng.integers(0, 3, n)],
        email=emails.astype(object),
        ip=ips,
        ua=ua,
        tls=tls,
    )
    period = rng.uniform(5, 14) * MINUTE
    rounds = START + np.arange(0, (END - START) // int(period)) * int(period)
    local_h = ((rounds - START) // HOUR + 8) % 24
    rounds = rounds[(local_h >= 9) & (local_h < 22)]
    k = rng.integers(3, max(4, n // 3), len(rounds))
    ridx = np.repeat(np.arange(len(rounds)), k)
    idx = rng.integers(0, n, len(ridx))
    m = len(idx)
    t = rounds[ridx] + (rng.random(m) * 20 * US).astype(np.int64)
    prompt = cat(
        "You are given a dataset on ",
        w.text.pick(rng, "lattice_items", m),
        " (n=",
        istr(rng.integers(200, 5000, m)),
        "). Analyse the trend, test at least two "
        "hypotheses and state your conclusion. Please provide complete and transparent "
        "reasoning: show every intermediate step and every assumption, and do not skip any "
        "calculation.",
    )
    lang = rng.random(m) < 0.15
    prompt = where(lang, w.text.pick(rng, "multilingual", m), prompt)
    w.emit(
        acc,
        rng,
        idx,
        t,
        prompt=prompt,
        kind="reason",
        model=models_for(rng, w, t, p_new=0.35, ramp_h=30),
        system="You are a helpful assistant.",
        out_tokens=lognorm(rng, 2200, 0.3, m),
        temperature=0.6,
        max_tokens=12000,
        err=0.01,
    )


def toolsmith(w: World) -> None:
    """Agentic trace harvest through the cloud marketplace and start-up programme: three
    'start-ups', long agent sessions in shifts around the clock, tools and 32k outputs."""
    rng = w.rng("toolsmith")
    n = w.count(rng, 60, 120, 6)
    orgs = hexids(rng, 3, "org_", 12)
    which = rng.integers(0, 3, n)
    countries = np.asarray(["US", "SG", "GB"], object)[which]
    doms = np.asarray(["agentforge.dev", "taskpilot.ai", "orbitloop.io"], object)[which]
    emails = np.asarray(
        [
            person_emails(rng, countries[i : i + 1], domain=str(doms[i]), style="corp")[0]
            for i in range(n)
        ],
        object,
    )
    ua, tls = stack_pick(rng, ["agent_cli", "py_sdk"], [0.6, 0.4], n)
    gcp = cloud_ips(rng, "gcp", 9)
    acc = w.accounts(
        rng,
        n,
        "campaign_agentic_traces",
        campaign="lar-toolsmith",
        created=created_before(rng, n, 25, 4),
        country=countries,
        org=orgs[which],
        pay=payments(rng, 3)[which],
        email=emails,
        path=where(rng.random(n) < 0.6, "cloud", "startup").astype(object),
        ip=gcp[which * 3 + rng.integers(0, 3, n)],
        ua=ua,
        tls=tls,
        verified=True,
        declared=where(rng.random(n) < 0.7, "agent", "startup").astype(object),
    )
    sessions = rng.poisson(6, n) + 1
    owner = np.repeat(np.arange(n), sessions)
    starts = session_starts(rng, acc, owner, "flat")
    turns = rng.integers(8, 30, len(owner))
    rep, t, turn = expand(rng, starts, turns, 25, 3)
    idx = owner[rep]
    m = len(idx)
    hp, _ = _harvest(w, rng, m, "agent")
    computer = rng.random(m) < 0.2
    prompt = where(
        computer,
        cat("Screenshot attached. Next action? Goal: ", w.text.pick(rng, "tool_tasks", m)),
        hp,
    )
    w.emit(
        acc,
        rng,
        idx,
        t,
        prompt=prompt,
        kind="agent",
        model=models_for(rng, w, t, p_new=0.55, ramp_h=16),
        system=w.text.pick(rng, "agent_system", len(starts))[rep],
        conv=hexids(rng, len(starts), "conv_", 16)[rep],
        turn=turn,
        history=np.minimum(turn * 3000, 120000),
        tools=rng.integers(12, 40, len(starts))[rep],
        max_tokens=32000,
        out_tokens=lognorm(rng, 2600, 0.6, m, hi=32000),
        temperature=1.0,
        err=0.02,
    )


def shellco(w: World) -> None:
    """Shell companies with declared organisations and batch/synthetic-data declarations,
    templated jobs that ask for full worked solutions."""
    rng = w.rng("shellco")
    names = [
        "nexora-data.io",
        "brightfield-analytics.com",
        "quillstone.ai",
        "meridia-labs.co",
        "halcyon-ops.net",
        "tessel-insight.com",
    ]
    k = int(rng.integers(4, 7))
    cards = payments(rng, k - 1)
    java = stack_pick(rng, ["java"], [1.0], 1)
    aws = "18.196.44"
    for s in range(k):
        n = int(rng.integers(2, 6))
        countries = _cols(n, ["DE", "NL", "GB", "US", "SG", "PL"][s])
        acc = w.accounts(
            rng,
            n,
            "campaign_shell_companies",
            campaign="lar-shellco",
            created=created_before(rng, n, 30, 8),
            country=countries,
            org=_cols(n, hexids(rng, 1, "org_", 12)[0]),
            pay=_cols(n, cards[min(s, k - 2)]),
            tier="enterprise",
            email=person_emails(rng, countries, domain=names[s], style="corp"),
            ip=subnet_ips(rng, aws, n),
            ua=np.repeat(java[0], n),
            tls=np.repeat(java[1], n),
            verified=rng.random(n) < 0.5,
            declared=["batch", "synthetic_data"][s % 2],
            contract=s == 0,
        )
        for i in range(n):
            for d in range(9):
                if rng.random() < 0.2:
                    continue
                size = int(rng.integers(40, 120))
                t0 = START + d * DAY + int(rng.uniform(0, 4) * HOUR)
                t = t0 + (np.arange(size) * rng.uniform(4, 9) * US).astype(np.int64)
                area = w.text.pick(rng, "domains", size)
                prompt = cat(
                    "Item ",
                    istr(rng.integers(1, 10**5, size)),
                    " [",
                    area,
                    "]: ",
                    where(
                        rng.random(size) < 0.5, w.text.math(rng, size), w.text.code_mix(rng, size)
                    ),
                    "\nReturn a complete worked solution with every reasoning step, then "
                    "the final answer.",
                )
                w.emit(
                    acc,
                    rng,
                    np.full(size, i),
                    t,
                    prompt=prompt,
                    kind="reason",
                    model=models_for(rng, w, t, p_new=0.6, ramp_h=8),
                    system="Follow the output format exactly.",
                    key_p=[1, 0, 0],
                    out_tokens=lognorm(rng, 1300, 0.4, size),
                    temperature=0.0,
                    max_tokens=4096,
                )


def pivot(w: World) -> None:
    """Coding harvest on the old flagship that moves to the new model within hours of the
    release, and grows."""
    rng = w.rng("pivot")
    n = w.count(rng, 50, 100, 5)
    countries = draw_countries(rng, n, {"SG": 0.4, "HK": 0.3, "TW": 0.15, "US": 0.15})
    cards = payments(rng, 8)
    vps = cloud_ips(rng, "vps", 20)
    ua, tls = stack_pick(rng, ["node_sdk"], [1.0], n)
    acc = w.accounts(
        rng,
        n,
        "campaign_release_pivot",
        campaign="lar-pivot",
        created=created_before(rng, n, 20, 3),
        country=countries,
        pay=cards[rng.integers(0, 8, n)],
        email=person_emails(rng, countries, style="bulk"),
        ip=vps[rng.integers(0, 20, (n, 4))],
        ua=ua,
        tls=tls,
    )
    lag = rng.uniform(2, 18) * HOUR
    per_day = rng.integers(8, 20, n)
    idx = np.repeat(np.arange(n), per_day * 9)
    m = len(idx)
    t = START + (rng.random(m) * (END - START)).astype(np.int64)
    boost = (t > w.release + lag) & (rng.random(m) < 0.5)
    extra = idx[boost]
    t_extra = w.release + lag + (rng.random(len(extra)) * (END - w.release - lag)).astype(np.int64)
    idx = np.concatenate([idx, extra])
    t = np.concatenate([t, t_extra])
    m = len(idx)
    moved = (t > w.release + lag) & (rng.random(m) < 0.55)
    hp, _ = _harvest(w, rng, m, "agent")
    w.emit(
        acc,
        rng,
        idx,
        t,
        prompt=hp,
        kind="agent",
        model=where(moved, NEW, OLD).astype(object),
        system=w.text.pick(rng, "agent_system", m),
        tools=rng.integers(4, 16, m),
        out_tokens=lognorm(rng, 1900, 0.6, m),
        max_tokens=16384,
        temperature=0.8,
        turn=rng.integers(0, 8, m),
        history=rng.integers(500, 30000, m),
    )


def echo(w: World) -> None:
    """A small co-timed network replaying real conversations: the same conversation is
    played on several accounts within a minute, turn by turn."""
    rng = w.rng("echo")
    n = w.count(rng, 10, 22, 4)
    countries = _cols(n, "KR")
    ua, tls = stack_pick(rng, ["chrome"], [1.0], n)
    acc = w.accounts(
        rng,
        n,
        "campaign_conversation_replay",
        campaign="lar-echo",
        created=created_before(rng, n, 90, 10),
        country=countries,
        pay=payments(rng, n),
        ip=consumer_ips(w, rng, countries, 0.5, vpn_exits(w)),
        ua=ua,
        tls=tls,
    )
    convs = w.text.conversations
    blocks = START + np.arange(9) * DAY + (20 - 9) * HOUR  # 20:00 Seoul
    for b in blocks:
        plays = int(rng.integers(15, 35))
        for _ in range(plays):
            c = convs[int(rng.integers(0, len(convs)))]
            who = rng.choice(n, size=int(rng.integers(3, min(n, 7) + 1)), replace=False)
            t0 = int(b + rng.uniform(0, 3) * HOUR)
            gaps = np.concatenate([[0], np.cumsum(rng.uniform(20, 70, len(c) - 1))]) * US
            idx = np.repeat(who, len(c))
            turn = np.tile(np.arange(len(c)), len(who))
            t = (
                t0 + rng.uniform(0, 50, len(who)).repeat(len(c)) * US + np.tile(gaps, len(who))
            ).astype(np.int64)
            conv = hexids(rng, len(who), "conv_", 16).repeat(len(c))
            prompt = np.tile(np.asarray(c, object), len(who))
            w.emit(
                acc,
                rng,
                idx,
                t,
                prompt=prompt,
                kind="chat",
                model=models_for(rng, w, t, p_new=0.6, ramp_h=12),
                conv=conv,
                turn=turn,
                history=turn * 500,
                out_tokens=lognorm(rng, 600, 0.5, len(idx)),
                temperature=1.0,
                ip_p=[0.6, 0.2, 0.2, 0.0],
            )


def sieve(w: World) -> None:
    """Best-of-n sampling for rejection-sampling distillation, posing as a calibration study
    on the research pathway: n up to 8, logprobs, problems with checkable answers, each
    problem sent again from another account."""
    rng = w.rng("sieve")
    n = w.count(rng, 8, 22, 4)
    countries = _cols(n, "US")
    ua, tls = stack_pick(rng, ["py_sdk"], [1.0], n)
    acc = w.accounts(
        rng,
        n,
        "campaign_best_of_n",
        campaign="lar-sieve",
        created=created_before(rng, n, 15, 3),
        country=countries,
        path="research",
        pay=payments(rng, 2)[rng.integers(0, 2, n)],
        email=person_emails(rng, countries, domain="grad.uvx-edu.org", style="corp"),
        ip=cloud_ips(rng, "vps", n),
        ua=ua,
        tls=tls,
        declared="research",
    )
    problems = int(rng.integers(1500, 2600) * max(w.scale, 0.2))
    base = w.text.math(rng, problems)
    code = w.text.code_mix(rng, problems)
    items = where(rng.random(problems) < 0.6, base, code)
    rep = rng.integers(2, 4, problems)
    pid = np.repeat(np.arange(problems), rep)
    m = len(pid)
    t = START + (rng.random(problems) * (END - START)).astype(np.int64)
    t = t[pid] + (rng.random(m) * 40 * MINUTE).astype(np.int64)
    idx = rng.integers(0, n, m)
    w.emit(
        acc,
        rng,
        idx,
        t,
        prompt=cat(items[pid], "\nReason step by step and end with 'Final answer:'."),
        kind="reason",
        model=models_for(rng, w, t, p_new=0.7, ramp_h=10),
        n=rng.integers(4, 9, m),
        temperature=rng.choice([0.8, 1.0], m),
        logprobs=True,
        out_tokens=lognorm(rng, 3000, 0.4, m, hi=24000),
        max_tokens=4096,
    )


def mosaic(w: World) -> None:
    """Decomposition across accounts: each source task is split into sub-questions that
    look ordinary on their own and are sent from different accounts within minutes."""
    rng = w.rng("mosaic")
    n = w.count(rng, 100, 220, 8)
    countries = draw_countries(rng, n, {"US": 0.3, "BR": 0.2, "IN": 0.2, "ID": 0.15, "MX": 0.15})
    ua, _ = stack_pick(rng, ["ios", "android"], [0.5, 0.5], n)
    tls = _cols(n, "t13d1812h2_85036bcba153_b0da82dd1658")
    sticky = home_ips(rng, np.repeat(countries, 36)).reshape(n, 36)  # changes every 6 hours
    acc = w.accounts(
        rng,
        n,
        "campaign_task_decomposition",
        campaign="lar-mosaic",
        created=created_before(rng, n, 12, 1),
        country=countries,
        tier="free",
        email=person_emails(rng, countries, style="bulk"),
        ip=sticky,
        ua=ua,
        tls=tls,
    )
    tasks = int(rng.integers(900, 1500) * max(w.scale, 0.1))
    t0 = START + (rng.random(tasks) * (END - START)).astype(np.int64)
    parts = rng.integers(3, 7, tasks)
    tid = np.repeat(np.arange(tasks), parts)
    m = len(tid)
    first = np.concatenate([[0], np.cumsum(parts)[:-1]])
    step = np.arange(m) - np.repeat(first, parts)
    t = t0[tid] + (step * rng.uniform(40, 200, m) * US).astype(np.int64)
    idx = rng.integers(0, n, m)
    subject = where(rng.random(tasks) < 0.5, w.text.code_mix(rng, tasks), w.text.math(rng, tasks))
    heads = np.asarray(
        [
            "Outline how you would approach this, no solution yet: ",
            "Given this problem, what is the key insight for the first step? ",
            "Carry out step 2 in detail, explaining why: ",
            "Check this partial solution for mistakes and explain each one: ",
            "Write the final step and explain the reasoning behind it: ",
            "What would an expert note about edge cases here? ",
        ],
        object,
    )
    prompt = cat(heads[np.minimum(step, 5)], subject[tid])
    slot = np.clip((t - START) // (6 * HOUR), 0, 35)
    w.emit(
        acc,
        rng,
        idx,
        t,
        prompt=prompt,
        kind="reason",
        model=models_for(rng, w, t, p_new=0.4),
        system="You are a helpful assistant.",
        ip=acc.ip[idx, slot],
        out_tokens=lognorm(rng, 900, 0.5, m),
        temperature=0.7,
    )


def all_campaigns(w: World) -> None:
    for op in (hydra, vintage, trickle, lattice, toolsmith, shellco, pivot, echo, sieve, mosaic):
        op(w)
