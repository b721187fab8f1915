"""Tidewater's legitimate traffic: the majority and its hard look-alikes."""

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
    api_keys,
    cc_of,
    clients,
    conv_ids,
    countries,
    home_networks,
    net_from,
    sessions,
    tz_of,
)
from distillguard.simulate.independent.tidewater_text import fill, numbers, pool_index
from distillguard.simulate.independent.tidewater_world import (
    CONSUMER,
    DAY,
    HOUR,
    NIGHT,
    START,
    US,
    WORK,
    IntArray,
    Rng,
    cards,
    created_spread,
    expand_sessions,
    hex_strings,
    ipv4,
    personal_orgs,
    pick_models,
    rng_for,
    scaled,
)

Customer = tuple[str, bool, str | None, bool, str | None]
BROWSERS = ["chrome_win", "chrome_mac", "safari_mac", "firefox", "edge", "ios_app",
            "android_app", "mobile_safari", "android_chrome"]
SDKS = ["sdk_python", "sdk_node", "requests", "httpx", "curl", "langchain", "go", "java"]


def _cloud(ctx: Ctx, rng: Rng, region: str, n: int) -> list[str]:
    return ipv4(rng, ctx.bank.data["clouds"][region], n)


def _rows(rng: Rng, tier: str, verified: float, declared: str | None, contract: bool,
          orgs: list[str | None], missing: float = 0.0) -> list[Customer | None]:
    out: list[Customer | None] = []
    for org in orgs:
        if rng.random() < missing:
            out.append(None)
        else:
            out.append((tier, bool(rng.random() < verified), declared, contract, org))
    return out


def _chat_prompts(ctx: Ctx, rng: Rng, turn: IntArray, first: list[str], follow: list[str],
                  zipf: float = 0.3) -> tuple[list[str], IntArray]:
    n = len(turn)
    a = pool_index(rng, len(first), n, zipf)
    b = len(first) + rng.integers(0, len(follow), n)
    return first + follow, np.where(turn == 0, a, b)


def casual(ctx: Ctx, mobile: bool = False) -> list[Block]:
    name = "mobile_cgnat" if mobile else "casual"
    rng = rng_for(ctx.seed, name)
    n = scaled(520 if mobile else 3000, ctx.scale)
    places = countries(rng, ctx.bank, n)
    if mobile:
        # Carrier-grade NAT: a handful of public addresses per carrier, shared by strangers.
        nat = {str(p["cc"]): ipv4(rng, p["mob"], 5) for p in ctx.bank.countries()}
        net = net_from([nat[str(p["cc"])] for p in places])
        kinds, weights = BROWSERS[5:], [0.4, 0.35, 0.15, 0.1]
    else:
        net = home_networks(rng, places, extra_p=0.35)
        kinds, weights = BROWSERS, [.3, .15, .1, .05, .07, .13, .1, .06, .04]
    uas, tls = clients(rng, ctx.bank, n, kinds, weights)
    paid = rng.random(n) < (0.12 if mobile else 0.25)
    pay = [c if p else None for c, p in zip(cards(rng, n), paid, strict=True)]
    orgs = personal_orgs(rng, n)
    idx = ctx.accounts.add(
        rng, name, n, email=list(ctx.bank.personal_emails(rng, n)), payment=pay, org=orgs,
        created=created_spread(rng, n, 900, 200), access="direct",
        customer=[None if rng.random() < 0.02 else
                  ("pay_as_you_go" if p else "free", bool(rng.random() < 0.1), None, False, o)
                  for p, o in zip(paid, orgs, strict=True)])
    per = lognormal_counts(rng, n, 4.5 if mobile else 6.0, 1.0, high=60)
    turns = np.minimum(rng.geometric(0.42, int(per.sum())), 16)
    s = sessions(rng, tz_of(places), per, CONSUMER, turns, 70.0)
    ne = len(s.ts)
    pool, pidx = _chat_prompts(ctx, rng, s.turn, ctx.texts.casual(rng, 600),
                               ctx.texts.followups())
    web = np.array(["Mozilla" in u for u in uas])
    return [Block(
        acct=idx[s.acct], ts=s.ts, prompt=col(pool, pidx), ip=net.pick(rng, s.acct, s.sess),
        ua=col(uas, s.acct), tls=col(tls, s.acct), key=const(None, ne),
        country=col(cc_of(places), s.acct), model=pick_models(rng, s.ts, (.78, .22, 0), .3, 20),
        completion=lognormal_counts(rng, ne, 380, 0.7), style="chat",
        conv=conv_ids(rng, s.n_sessions, s.sess), turn=s.turn,
        max_tokens=np.full(ne, 8192), tools=np.where(web[s.acct], 2, 1),
        status=statuses(rng, ne, 0.008, 0.006), history=s.turn * 430)]


def developers(ctx: Ctx) -> list[Block]:
    rng = rng_for(ctx.seed, "developer")
    n = scaled(450, ctx.scale)
    places = countries(rng, ctx.bank, n)
    net = home_networks(rng, places, extra_p=0.3, v6_share=0.3)
    uas, tls = clients(rng, ctx.bank, n, SDKS, [.38, .2, .1, .08, .07, .09, .04, .04])
    # A third work in small companies: one org, often one company card.
    n_orgs = max(1, n // 12)
    company = rng.random(n) < 0.33
    org_of = rng.integers(0, n_orgs, n)
    org_ids = [f"org-{x}" for x in hex_strings(rng, n_orgs, 8)]
    company_card = cards(rng, n_orgs)
    own = cards(rng, n, 0.92)
    orgs = [org_ids[o] if c else p for c, o, p in
            zip(company, org_of, personal_orgs(rng, n), strict=True)]
    pay = [company_card[o] if c and rng.random() < 0.7 else p
           for c, o, p in zip(company, org_of, own, strict=True)]
    idx = ctx.accounts.add(
        rng, "developer", n, email=list(ctx.bank.personal_emails(rng, n)), payment=pay,
        org=orgs, created=created_spread(rng, n, 1000, 300), access="direct",
        customer=[None if rng.random() < 0.03 else
                  ("enterprise" if c and rng.random() < 0.3 else "pay_as_you_go",
                   bool(rng.random() < 0.35), "agent" if rng.random() < 0.05 else None, False,
                   o if rng.random() < 0.9 else None)
                  for c, o in zip(company, orgs, strict=True)])
    per = lognormal_counts(rng, n, 9, 0.9, high=120)
    turns = np.minimum(rng.geometric(0.55, int(per.sum())), 10)
    s = sessions(rng, tz_of(places), per, WORK, turns, 45.0)
    ne = len(s.ts)
    follow = list(ctx.bank.data["dev_followups"])
    pool, pidx = _chat_prompts(ctx, rng, s.turn, ctx.texts.dev(rng, 300), follow, 0.1)
    systems = list(ctx.bank.data["dev_systems"])
    sys_of = np.where(rng.random(n) < 0.6, rng.integers(0, len(systems), n), -1)
    conv_of = rng.random(n) < 0.4
    convs = conv_ids(rng, s.n_sessions, s.sess)
    mt_choice = np.array([-1, 1024, 2048, 4096, 8192])[rng.integers(0, 5, n)]
    temp_choice = np.array([np.nan, 0.0, 0.2, 0.7, 1.0])[rng.integers(0, 5, n)]
    tools_of = np.where(rng.random(n) < 0.25, rng.integers(1, 7, n), 0)
    keys = api_keys(rng, n)
    return [Block(
        acct=idx[s.acct], ts=s.ts, prompt=col(pool, pidx), system=col(systems, sys_of[s.acct]),
        ip=net.pick(rng, s.acct, s.sess), ua=col(uas, s.acct), tls=col(tls, s.acct),
        key=keys.pick(rng, s.acct, s.sess), country=col(cc_of(places), s.acct),
        model=pick_models(rng, s.ts, (.5, .4, .1), .45, 8),
        completion=lognormal_counts(rng, ne, 450, 0.8), style="code",
        conv=(convs[0], np.where(conv_of[s.acct], convs[1], -1)),
        turn=np.where(conv_of[s.acct], s.turn, -1), max_tokens=mt_choice[s.acct],
        temperature=temp_choice[s.acct], tools=tools_of[s.acct],
        status=statuses(rng, ne, 0.004, 0.012), history=s.turn * 600, chars_per_token=3.6)]


def coding_agents(ctx: Ctx) -> list[Block]:
    rng = rng_for(ctx.seed, "coding_agent")
    n = scaled(120, ctx.scale)
    places = countries(rng, ctx.bank, n)
    net = home_networks(rng, places, extra_p=0.2, v6_share=0.3)
    uas, tls = clients(rng, ctx.bank, n, ["agent_cli", "cline", "aider"], [.5, .3, .2])
    orgs = personal_orgs(rng, n)
    idx = ctx.accounts.add(
        rng, "coding_agent", n, email=list(ctx.bank.personal_emails(rng, n)),
        payment=cards(rng, n), org=orgs, created=created_spread(rng, n, 700, 200),
        access=["cloud" if rng.random() < 0.25 else "direct" for _ in range(n)],
        customer=_rows(rng, "pay_as_you_go", 0.5, "agent", False, orgs, missing=0.05))
    blocks = []
    # Interactive agent runs in working hours; for a third, CI runs at night from the runner.
    ci = rng.random(n) < 0.33
    ci_ips = _cloud(ctx, rng, "azure-westeurope", 40)
    for mode in ("day", "ci"):
        per = lognormal_counts(rng, n, 6 if mode == "day" else 7, 0.6, high=40)
        if mode == "ci":
            per = np.where(ci, per, 0)
        runs = int(per.sum())
        steps = np.minimum(lognormal_counts(rng, runs, 22, 0.7), 120)
        s = sessions(rng, tz_of(places), per, WORK if mode == "day" else NIGHT, steps, 9.0)
        ne = len(s.ts)
        first = list(ctx.bank.data["agent_tasks"]) + ctx.texts.coding[:400]
        pool = first + ctx.texts.agent_turns(rng, 400)
        pidx = np.where(s.turn == 0, rng.integers(0, len(first), ne),
                        len(first) + rng.integers(0, 400, ne))
        ip = net.pick(rng, s.acct, s.sess) if mode == "day" else col(
            ci_ips, rng.integers(0, len(ci_ips), s.n_sessions)[s.sess])
        blocks.append(Block(
            acct=idx[s.acct], ts=s.ts, prompt=col(pool, pidx),
            system=const(ctx.bank.data["agent_system"], ne), ip=ip, ua=col(uas, s.acct),
            tls=col(tls, s.acct), key=const(None, ne), country=col(cc_of(places), s.acct),
            model=pick_models(rng, s.ts, (.7, .3, 0), .6, 6),
            completion=lognormal_counts(rng, ne, 1300, 0.8), style="agent",
            conv=conv_ids(rng, s.n_sessions, s.sess, "run_"), turn=s.turn,
            max_tokens=np.array([32000, 64000])[rng.integers(0, 2, n)][s.acct],
            temperature=np.where(rng.random(n) < 0.5, 0.0, np.nan)[s.acct],
            tools=rng.integers(8, 26, n)[s.acct], status=statuses(rng, ne, 0.002, 0.015),
            history=np.minimum(s.turn * 2300, 180000), chars_per_token=3.5))
    return blocks


def _burst_runs(rng: Rng, starts: IntArray, sizes: IntArray, gap_s: float
                ) -> tuple[IntArray, IntArray, IntArray]:
    return expand_sessions(rng, starts, sizes, gap_s)


def enterprise_batch(ctx: Ctx) -> list[Block]:
    rng = rng_for(ctx.seed, "enterprise_batch")
    jobs = list(ctx.bank.data["batch_jobs"])
    corpus_jobs = sorted(ctx.texts.batch)
    n_orgs = scaled(6, ctx.scale)
    blocks = []
    for o in range(n_orgs):
        k = int(rng.integers(1, 5))
        org = f"org-{hex_strings(rng, 1, 8)[0]}"
        marketplace = o % 3 == 1
        firm = ("northwind", "contoso", "fabrikam", "globex", "initech", "umbrella")[o % 6]
        domain = f"{firm}-corp.com"
        emails: list[str | None] = [f"svc-batch{j}@{domain}" for j in range(k)]
        declared = None if o % 3 == 2 else "batch"
        idx = ctx.accounts.add(
            rng, "enterprise_batch", k, email=emails,
            payment=[f"pm_{hex_strings(rng, 1, 12)[0]}"] * k,
            org=[org] * k, created=created_spread(rng, k, 600, 300),
            access="cloud" if marketplace else "direct",
            customer=[None] * k if marketplace else
            [("enterprise", True, declared, True, org)] * k)
        job = jobs[o % len(jobs)]
        if corpus_jobs and o % 2 == 1:
            template_rows = ctx.texts.batch[corpus_jobs[o % len(corpus_jobs)]]
            pool = template_rows
            system: str | None = None
        else:
            fills = {"text": job["fills"], "vendor": job["fills"], "items": ["3", "7", "12"],
                     "attrs": ["colour: sand; size: M", "weight 300 g; recycled", "set of 3"],
                     "total": ["120.50", "88200", "1240.50"], "cur": ["EUR", "JPY", "USD"]}
            pool = [fill(fill(job["template"], fills, rng), numbers(rng), rng)
                    for _ in range(500)]
            system = job["system"] or None
        ip = _cloud(ctx, rng, ["aws-us-east-1", "gcp-us-central1", "aws-eu-west-1"][o % 3], 2)
        ua, tls = clients(rng, ctx.bank, 1, ["java", "sdk_python", "go"], [1, 1, 1])
        runs_per_day = int(rng.integers(1, 4))
        hours = np.sort(rng.choice(24, runs_per_day, replace=False))
        day_starts = START + np.arange(4)[:, None] * DAY + hours[None, :] * HOUR
        starts = np.repeat(day_starts.ravel(), k) + rng.integers(0, 600, day_starts.size * k) * US
        who = np.tile(np.arange(k), day_starts.size)
        sizes = np.maximum(50, rng.normal(700 / runs_per_day / max(1, k // 2), 60,
                                          len(starts))).astype(np.int64)
        ts, _, sess = _burst_runs(rng, starts, sizes, 0.9)
        ne = len(ts)
        short = "short" if job["name"] != "product_copy" else "chat"
        blocks.append(Block(
            acct=idx[who[sess]], ts=ts, prompt=col(pool, rng.integers(0, len(pool), ne)),
            system=const(system, ne), ip=col(ip, rng.integers(0, 2, ne)), ua=const(ua[0], ne),
            tls=const(tls[0], ne), key=const(f"key_{hex_strings(rng, 1, 6)[0]}", ne),
            country=const("US" if o % 3 != 2 else "IE", ne),
            model=np.full(ne, 2 if o % 2 else 1),
            completion=lognormal_counts(rng, ne, 8 if short == "short" else 70, 0.4),
            style=short, max_tokens=np.full(ne, 256 if short == "chat" else 16),
            temperature=np.zeros(ne), logprobs=np.full(ne, o % 4 == 0),
            status=statuses(rng, ne, 0.0005, 0.02)))
    return blocks


def benchmark_runners(ctx: Ctx) -> list[Block]:
    rng = rng_for(ctx.seed, "benchmark_runner")
    n = scaled(12, ctx.scale)
    items = ctx.texts.public_benchmark()
    wrappers = list(ctx.bank.data["bench_wrappers"])
    orgs_pool = [f"org-{x}" for x in hex_strings(rng, 5, 8)]
    orgs: list[str | None] = [orgs_pool[i % 5] for i in range(n)]
    lab = ["evalworks.ai", "cs.uni-tuebingen.de", "aiindex-lab.org", "benchmarks.io",
           "nlp.kaist.ac.kr"]
    idx = ctx.accounts.add(
        rng, "benchmark_runner", n,
        email=[f"eval{i}@{lab[i % 5]}" for i in range(n)], payment=cards(rng, n, 0.8),
        org=orgs, created=created_spread(rng, n, 500, 200),
        access=["research" if i % 5 in (1, 4) else "direct" for i in range(n)],
        customer=[("enterprise" if i % 5 in (0, 3) else "pay_as_you_go", i % 5 != 2,
                   "benchmark" if i % 3 != 2 else None, i % 5 == 0, orgs[i]) for i in range(n)])
    uas, tls = clients(rng, ctx.bank, n, ["sdk_python", "httpx", "litellm"], [.5, .3, .2])
    ips = [_cloud(ctx, rng, "gcp-us-central1", 1) + ipv4(rng, [[141, 58], [129, 132]], 1)
           for _ in range(n)]
    net = net_from(ips)
    blocks = []
    for a in range(n):
        runs = int(rng.integers(2, 5))
        # Regression runs on the current model before; the new model right after its release.
        starts = np.concatenate([
            START + (rng.random(1) * 40 * HOUR).astype(np.int64),
            START + int(41.5 * HOUR) + (rng.uniform(0.5, 6, runs - 1) * HOUR).astype(np.int64)])
        sizes = np.full(runs, min(len(items), int(rng.integers(300, 900))))
        ts, turn, sess = expand_sessions(rng, starts, sizes, 0.5)
        ne = len(ts)
        wrapper = wrappers[a % len(wrappers)]
        pool = [wrapper.replace("{q}", q) for q in items]
        model = np.where(sess == 0, 0, np.where(sess % 2 == 1, 3, 0))
        blocks.append(Block(
            acct=np.full(ne, idx[a]), ts=ts, prompt=col(pool, turn % len(pool)),
            ip=net.pick(rng, np.full(ne, a), sess), ua=const(uas[a], ne), tls=const(tls[a], ne),
            key=const(f"key_{hex_strings(rng, 1, 6)[0]}", ne), country=const("US", ne),
            model=model, completion=lognormal_counts(rng, ne, 260, 0.6), style="reasoning",
            max_tokens=np.full(ne, 2048), temperature=np.zeros(ne),
            n=np.full(ne, 5 if a % 4 == 3 else 1), logprobs=np.full(ne, a % 5 == 2),
            status=statuses(rng, ne, 0.001, 0.01)))
    return blocks
