"""Tidewater's distillation campaigns: six operators, six ways of harvesting."""

from __future__ import annotations

import numpy as np

from distillguard.simulate.independent.tidewater_block import (
    Block,
    col,
    const,
    lognormal_counts,
    statuses,
)
from distillguard.simulate.independent.tidewater_cohort import (
    Ctx,
    cc_of,
    clients,
    conv_ids,
    countries,
    home_networks,
    sessions,
)
from distillguard.simulate.independent.tidewater_text import fill, numbers
from distillguard.simulate.independent.tidewater_world import (
    CONSUMER,
    DAY,
    FLAT,
    HOUR,
    START,
    US,
    IntArray,
    Rng,
    cards,
    expand_sessions,
    hex_strings,
    ipv4,
    ipv6,
    personal_orgs,
    pick_models,
    rng_for,
    scaled,
)


def _shared_cards(rng: Rng, n: int, k: int, share: float) -> list[str | None]:
    pool = cards(rng, k)
    pick = rng.integers(0, k, n)
    return [pool[p] if rng.random() < share else None for p in pick]


def _harvest_pool(ctx: Ctx, rng: Rng, k: int) -> list[str]:
    d = ctx.bank.data
    cots = d["cot_suffixes"]
    out = ctx.texts.analysis_prompts(rng, k // 3)
    out += [f"{p}\n\n{cots[int(rng.integers(0, len(cots)))]}"
            for p in ctx.texts.word_problems(rng, k // 3)]
    for _ in range(k // 6):
        out.append(d["safe_rewrite_template"].replace("{topic}", d["sensitive_topics"][
            int(rng.integers(0, len(d["sensitive_topics"])))]).replace(
            "{q}", d["safe_rewrite_qs"][int(rng.integers(0, 4))]))
        q = ctx.texts.word_problems(rng, 1)[0]
        out.append(d["rubric_template"].replace("{q}", q).replace(
            "{r}", d["rubric_responses"][int(rng.integers(0, 5))]))
    return out


def consumer_mimic(ctx: Ctx) -> list[Block]:
    """Browser-looking free accounts on residential proxies; a minority of requests harvest."""
    rng = rng_for(ctx.seed, "c1_mimic")
    n = scaled(1200, ctx.scale, floor=4)
    first, last = ctx.bank.names(rng, n)
    dom = ["gmail.com", "outlook.com", "hotmail.com"]
    emails: list[str | None] = [f"{f}{la}{int(rng.integers(1000, 9999))}@{dom[i % 3]}"
                                for i, (f, la) in enumerate(zip(first, last, strict=True))]
    paid = rng.random(n) < 0.15
    pay = _shared_cards(rng, n, 14, 1.0)
    pay = [p if q else None for p, q in zip(pay, paid, strict=True)]
    # Created in daily batches over three weeks, in the operator's office hours (UTC+8).
    day = rng.integers(4, 25, n)
    created = START - day * DAY + ((1 + rng.random(n) * 8) * HOUR).astype(np.int64)
    orgs = personal_orgs(rng, n)
    idx = ctx.accounts.add(
        rng, "campaign_consumer_mimic", n, campaign="tw-c1", email=emails, payment=pay,
        org=orgs, created=created, access="direct",
        customer=[("pay_as_you_go" if q else "free", False, None, False, o)
                  for q, o in zip(paid, orgs, strict=True)])
    # Scripted browsers: most claim an old Chrome; the TLS stack is an impersonation library.
    stale = rng.random(n) < 0.7
    uas, _ = clients(rng, ctx.bank, n, ["chrome_win", "chrome_mac"], [3, 1])
    uas = [u.replace("Chrome/13", "Chrome/12") if s else u for u, s in zip(uas, stale,
                                                                          strict=True)]
    tls = ["t13d1516h2_8daaf6152771_b0da82dd1658"] * n
    # Residential proxy exits: a new address for nearly every session.
    per = lognormal_counts(rng, n, 5, 0.5, high=20)
    turns = np.minimum(rng.geometric(0.35, int(per.sum())), 10)
    s = sessions(rng, np.full(n, 8), per, CONSUMER, turns, 35.0)
    ne = len(s.ts)
    exit_places = countries(rng, ctx.bank, s.n_sessions)
    exits = home_networks(rng, exit_places, 0.0, v6_share=0.05)
    ip = col(exits.pool, s.sess)
    camo = ctx.texts.casual(rng, 400)
    harvest = _harvest_pool(ctx, rng, 900)
    follow = ctx.texts.followups()
    pool = camo + harvest + follow
    is_harvest = rng.random(ne) < 0.28
    pidx = np.where(s.turn > 0, len(camo) + len(harvest) + rng.integers(0, len(follow), ne),
                    np.where(is_harvest, len(camo) + rng.integers(0, len(harvest), ne),
                             rng.integers(0, len(camo), ne)))
    harvested = (s.turn == 0) & is_harvest
    return [Block(
        acct=idx[s.acct], ts=s.ts, prompt=col(pool, pidx), ip=ip, ua=col(uas, s.acct),
        tls=col(tls, s.acct), key=const(None, ne), country=col(cc_of(exit_places), s.sess),
        model=pick_models(rng, s.ts, (.8, .2, 0), .3, 12),
        completion=np.where(harvested, lognormal_counts(rng, ne, 1100, 0.5),
                            lognormal_counts(rng, ne, 360, 0.7)), style="reasoning",
        conv=conv_ids(rng, s.n_sessions, s.sess), turn=s.turn, max_tokens=np.full(ne, 8192),
        tools=np.full(ne, 2), status=statuses(rng, ne, 0.03, 0.01),
        history=s.turn * 420)]


def hydra_reseller(ctx: Ctx) -> list[Block]:
    """A grey-market reseller: load-balanced accounts mixing resold chats with harvesting."""
    rng = rng_for(ctx.seed, "c2_hydra")
    n = scaled(45, ctx.scale, floor=3)
    orgs_pool = [f"org-{x}" for x in hex_strings(rng, 3, 8)]
    orgs: list[str | None] = [orgs_pool[i % 3] for i in range(n)]
    idx = ctx.accounts.add(
        rng, "campaign_hydra_reseller", n, campaign="tw-c2",
        email=[f"node{i:02d}@apihub-relay.com" for i in range(n)],
        payment=_shared_cards(rng, n, 4, 1.0), org=orgs,
        created=START - (rng.integers(20, 70, n) * DAY), access=[
            "cloud" if i % 4 == 0 else "direct" for i in range(n)],
        customer=[("pay_as_you_go", i < 6, "reseller" if i % 4 == 1 else None, False, orgs[i])
                  for i in range(n)])
    ips = ipv4(rng, ctx.bank.data["clouds"]["hetzner"] + ctx.bank.data["clouds"]["ovh"], 6)
    total = 480 * n
    ts = np.sort(START + (rng.random(total) * 96 * HOUR).astype(np.int64))
    acct = np.arange(total) % n  # round-robin load balancing
    harvest = rng.random(total) < 0.4
    d = ctx.bank.data
    agentic = [fill(t, d["agentic_fill"], rng) for t in d["agentic_tasks"] for _ in range(40)]
    agentic += ctx.texts.tool_use[:600]
    resale = ctx.texts.casual(rng, 300) + ctx.texts.dev(rng, 100)
    pool = resale + agentic
    pidx = np.where(harvest, len(resale) + rng.integers(0, len(agentic), total),
                    rng.integers(0, len(resale), total))
    tools = ", ".join(d["agentic_tools"])
    systems = [*d["reseller_systems"], d["agentic_trace_system"].replace("{tools}", tools)]
    sidx = np.where(harvest, 3, rng.integers(0, 3, total))
    return [Block(
        acct=idx[acct], ts=ts, prompt=col(pool, pidx),
        system=col([x.replace("{d}", "14") for x in systems], sidx),
        ip=col(ips, rng.integers(0, len(ips), total)), ua=const("litellm/1.61.3", total),
        tls=const("t13d1812h2_e8a523a41297_ef7df7f74e48", total), key=const(None, total),
        country=const("DE", total), model=pick_models(rng, ts, (.6, .4, 0), .45, 10),
        completion=np.where(harvest, lognormal_counts(rng, total, 1500, 0.6),
                            lognormal_counts(rng, total, 330, 0.7)), style="agent",
        max_tokens=np.where(harvest, 16000, 2048), temperature=np.full(total, 0.7),
        tools=np.where(harvest, rng.integers(6, 21, total), 0),
        status=statuses(rng, total, 0.01, 0.03))]


def low_and_slow(ctx: Ctx) -> list[Block]:
    """Aged accounts, each with its own card and address, trickling the analysis template."""
    rng = rng_for(ctx.seed, "c3_aged")
    n = scaled(60, ctx.scale, floor=3)
    batch = rng.integers(0, 2, n)
    created = START - np.where(batch == 0, 245, 395) * DAY + (
        rng.random(n) * 5 * HOUR).astype(np.int64)
    places = countries(rng, ctx.bank, n)
    orgs = personal_orgs(rng, n)
    idx = ctx.accounts.add(
        rng, "campaign_low_and_slow", n, campaign="tw-c3",
        email=list(ctx.bank.personal_emails(rng, n)), payment=cards(rng, n), org=orgs,
        created=created, access="direct",
        customer=[("pay_as_you_go", bool(rng.random() < 0.4), None, False, o) for o in orgs])
    net = home_networks(rng, places, 0.0, v6_share=0.1)
    per = rng.integers(7, 12, n)  # small batches at random hours, ~2-3 a day
    s = sessions(rng, np.zeros(n), per, FLAT, rng.integers(10, 20, int(per.sum())), 25.0)
    ne = len(s.ts)
    pool = ctx.texts.analysis_prompts(rng, 800)
    cot = ctx.bank.data["cot_suffixes"][0]
    pool += [f"{p}\n\n{cot}" for p in ctx.texts.word_problems(rng, 200)]
    system = "You are a meticulous analyst. Always show complete, step-by-step reasoning."
    return [Block(
        acct=idx[s.acct], ts=s.ts, prompt=col(pool, rng.integers(0, len(pool), ne)),
        system=const(system, ne), ip=net.pick(rng, s.acct), ua=const("Go-http-client/2.0", ne),
        tls=const("t13d1311h2_f57a46bbacb6_ab7e3b40a677", ne), key=const(None, ne),
        country=col(cc_of(places), s.acct), model=np.zeros(ne, dtype=np.int64),
        completion=lognormal_counts(rng, ne, 1300, 0.4), style="reasoning",
        max_tokens=np.full(ne, 8192), temperature=np.full(ne, 0.6),
        status=statuses(rng, ne, 0.02, 0.005))]


def model_pivot(ctx: Ctx) -> list[Block]:
    """Startup-programme accounts harvesting agentic traces; half moves to aurora-4 in a day."""
    rng = rng_for(ctx.seed, "c4_pivot")
    n = scaled(350, ctx.scale, floor=4)
    k = max(1, n // 30)
    domains = [f"{w}-labs.io" for w in hex_strings(rng, k, 3)]
    org_ids = [f"org-{x}" for x in hex_strings(rng, k, 8)]
    team = rng.integers(0, k, n)
    orgs: list[str | None] = [org_ids[t] for t in team]
    path = ["research" if t % 3 == 0 else "startup" for t in team]
    idx = ctx.accounts.add(
        rng, "campaign_agentic_pivot", n, campaign="tw-c4",
        email=[f"dev{i}@{domains[t]}" for i, t in enumerate(team)],
        payment=_shared_cards(rng, n, 3, 0.2), org=orgs,
        created=START - (rng.integers(10, 50, k)[team] * DAY) + (
            rng.random(n) * 3 * HOUR).astype(np.int64), access=path,
        customer=[("pay_as_you_go", bool(rng.random() < 0.3), p, False, o)
                  for p, o in zip(path, orgs, strict=True)])
    subnets = ctx.bank.data["clouds"]["aws-ap-southeast-1"] + ctx.bank.data["clouds"][
        "cheap-vps-hk"]
    ips = ipv4(rng, subnets, 24)
    ip_of = rng.integers(0, 24, n)
    per = lognormal_counts(rng, n, 5, 0.4, high=15)
    s = sessions(rng, np.zeros(n), per, FLAT, lognormal_counts(rng, int(per.sum()), 20, 0.4),
                 12.0)
    ne = len(s.ts)
    d = ctx.bank.data
    tasks = [fill(t, d["agentic_fill"], rng) for t in d["agentic_tasks"] for _ in range(60)]
    tasks += ctx.texts.coding[:800]
    turns = ctx.texts.agent_turns(rng, 400)
    pool = tasks + turns
    pidx = np.where(s.turn == 0, rng.integers(0, len(tasks), ne),
                    len(tasks) + rng.integers(0, 400, ne))
    system = d["agentic_trace_system"].replace("{tools}", ", ".join(d["agentic_tools"]))
    # The pivot: within hours of the release nearly half the traffic moves to the new model.
    return [Block(
        acct=idx[s.acct], ts=s.ts, prompt=col(pool, pidx), system=const(system, ne),
        ip=col(ips, ip_of[s.acct]), ua=const("aurora-node/1.9.2", ne),
        tls=const("t13d1711h2_5b57614c22b0_93e6a3b0f4c1", ne), key=const(None, ne),
        country=col(["SG", "HK", "SG", "JP"], ip_of[s.acct] % 4),
        model=pick_models(rng, s.ts, (1, 0, 0), .5, 4, lag_h=1.5),
        completion=lognormal_counts(rng, ne, 1800, 0.5), style="agent",
        conv=conv_ids(rng, s.n_sessions, s.sess, "run_"), turn=s.turn,
        max_tokens=np.full(ne, 32000), temperature=np.full(ne, 1.0),
        tools=rng.integers(10, 31, n)[s.acct], status=statuses(rng, ne, 0.015, 0.02),
        history=np.minimum(s.turn * 2600, 150000), chars_per_token=3.5)]


def multilingual(ctx: Ctx) -> list[Block]:
    """Reasoning traces coerced in eight languages, from one IPv6 hosting range."""
    rng = rng_for(ctx.seed, "c5_multilingual")
    n = scaled(180, ctx.scale, floor=3)
    burst = rng.integers(0, 4, n)
    burst_at = np.array([-6 * DAY, -3 * DAY, -1 * DAY, 50 * HOUR]) + START
    created = burst_at[burst] + (rng.random(n) * 2 * HOUR).astype(np.int64)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    locals_ = ["".join(letters[rng.integers(0, 26, 10)]) for _ in range(n)]
    dom = ["163.com", "qq.com", "proton.me"]
    edu = rng.random(n) < 0.4
    orgs = personal_orgs(rng, n)
    idx = ctx.accounts.add(
        rng, "campaign_multilingual_cot", n, campaign="tw-c5",
        email=[f"{x}@{dom[i % 3]}" for i, x in enumerate(locals_)],
        payment=_shared_cards(rng, n, 6, 0.5), org=orgs, created=created,
        access=["education" if e else "direct" for e in edu],
        customer=[("free", False, "education" if e else None, False, o)
                  for e, o in zip(edu, orgs, strict=True)])
    v6 = [ipv6(rng, "2a0e:97c0:3e1", 1)[0] for _ in range(n)]
    per = lognormal_counts(rng, n, 6, 0.4, high=16)
    acct = np.repeat(np.arange(n), per)
    # Sessions start after the account exists (one burst is created inside the window).
    first = np.maximum(created[acct], START)
    starts = first + (rng.random(len(acct)) * (START + 96 * HOUR - first)).astype(np.int64)
    ts, _, sess = expand_sessions(rng, starts, rng.integers(6, 14, len(acct)), 15.0)
    ne = len(ts)
    a = acct[sess]
    langs = sorted(ctx.bank.data["multilingual_cot"])
    pool: list[str] = []
    for lang in langs:
        for tpl in ctx.bank.data["multilingual_cot"][lang]:
            for prob in ctx.bank.data["multilingual_problems"][lang]:
                pool += [tpl.replace("{q}", fill(prob, numbers(rng), rng)) for _ in range(25)]
    lang_share = np.arange(len(pool))
    return [Block(
        acct=idx[a], ts=ts, prompt=col(pool, rng.choice(lang_share, ne)), ip=col(v6, a),
        ua=const("python-httpx/0.27.2", ne), tls=const("t13d1812h2_e8a523a41297_ef7df7f74e48",
                                                         ne),
        key=const(None, ne), country=const("US", ne),
        model=pick_models(rng, ts, (1, 0, 0), .35, 10),
        completion=lognormal_counts(rng, ne, 1000, 0.5), style="multilingual",
        max_tokens=np.full(ne, 8192), temperature=np.full(ne, 1.0),
        n=np.where(rng.random(n) < 0.3, 4, 1)[a], logprobs=(rng.random(n) < 0.3)[a],
        status=statuses(rng, ne, 0.05, 0.01), chars_per_token=2.2)]


def rubric_grader(ctx: Ctx) -> list[Block]:
    """A dozen accounts used as a reward model, firing in synchronised waves."""
    rng = rng_for(ctx.seed, "c6_rubric")
    n = scaled(12, ctx.scale, floor=2)
    orgs = personal_orgs(rng, n)
    idx = ctx.accounts.add(
        rng, "campaign_rubric_grader", n, campaign="tw-c6",
        email=list(ctx.bank.personal_emails(rng, n, ["outlook.com"] * n)),
        payment=_shared_cards(rng, n, 2, 1.0), org=orgs,
        created=START - 40 * DAY + (rng.random(n) * 2 * HOUR).astype(np.int64),
        access="direct", customer=[("pay_as_you_go", False, None, False, o) for o in orgs])
    ips = [f"159.223.41.{x}" for x in rng.integers(16, 30, n)]
    waves = 420
    gaps = rng.uniform(120, 700, waves)
    wave_at = START + 6 * HOUR + (np.cumsum(gaps) * US).astype(np.int64)
    ts_list: list[IntArray] = []
    who: list[IntArray] = []
    for a in range(n):
        ts_list.append(wave_at + (rng.random(waves) * 2 * US).astype(np.int64))
        who.append(np.full(waves, a))
    ts = np.concatenate(ts_list)
    acct = np.concatenate(who)
    ne = len(ts)
    d = ctx.bank.data
    qs = ctx.texts.word_problems(rng, 300)
    pool = [d["rubric_template"].replace("{q}", q).replace("{r}", r)
            for q in qs for r in d["rubric_responses"]]
    wave_item = rng.integers(0, len(pool), waves)
    return [Block(
        acct=idx[acct], ts=ts, prompt=col(pool, wave_item[np.tile(np.arange(waves), n)]),
        ip=col(ips, acct), ua=const("aurora-python/2.4.0", ne),
        tls=const("t13d1812h2_e8a523a41297_ef7df7f74e48", ne), key=const(None, ne),
        country=const("US", ne), model=np.where(ts > START + 60 * HOUR, 3, 0),
        completion=lognormal_counts(rng, ne, 420, 0.3), style="grading",
        max_tokens=np.full(ne, 1024), temperature=np.zeros(ne), logprobs=np.ones(ne, bool),
        status=statuses(rng, ne, 0.002, 0.01))]
