"""Tidewater's organised legitimate traffic: classes, hackathons, cron, services, resellers."""

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
    clients,
    conv_ids,
    countries,
    home_networks,
    sessions,
)
from distillguard.simulate.independent.tidewater_text import fill
from distillguard.simulate.independent.tidewater_world import (
    CONSUMER,
    DAY,
    FLAT,
    HOUR,
    START,
    US,
    WORK,
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


def _org(rng: Rng) -> str:
    return f"org-{hex_strings(rng, 1, 8)[0]}"


def university_classes(ctx: Ctx) -> list[Block]:
    blocks = []
    for name, size, tz, lab_day, lab_hour, bank_key, domain, cc, nat in (
            ("cs101", 70, -5, 1, 14, "homework", "students.lakeshore.edu", "US", [[128, 210]]),
            ("econ210", 45, 1, 2, 10, "homework_econ", "student.brackley.ac.uk", "GB",
             [[146, 169]])):
        rng = rng_for(ctx.seed, f"class_{name}")
        n = scaled(size, ctx.scale, floor=3)
        org = _org(rng)
        # Students signed up in one burst at the first lecture, 9 days before the window.
        signup = START - 9 * DAY + (lab_hour - tz) * HOUR
        created = signup + (rng.random(n) * 1.5 * HOUR).astype(np.int64)
        created[0] = START - 400 * DAY  # the lecturer
        ids = rng.integers(2_000_000, 2_999_999, n)
        emails: list[str | None] = [f"s{i}@{domain}" for i in ids]
        idx = ctx.accounts.add(
            rng, "university_class", n, email=emails, payment=[None] * n, org=[org] * n,
            created=created, access="education",
            customer=[("free", i == 0, "education", False, org) for i in range(n)])
        campus_ip = ipv4(rng, nat, 1)[0]
        lab_ua = ctx.bank.client(rng, "chrome_win", 1)
        homework = list(ctx.bank.data[bank_key])
        # The lab session: everyone, same hour, same homework, one campus NAT address.
        per = np.maximum(1, rng.poisson(10, n))
        lab_start = START + lab_day * DAY + (lab_hour - tz) * HOUR
        starts = lab_start + (rng.random(n) * 20 * 60 * US).astype(np.int64)
        ts, turn, sess = expand_sessions(rng, starts, per, 420.0)
        ne = len(ts)
        blocks.append(Block(
            acct=idx[sess], ts=ts, prompt=col(homework, rng.integers(0, len(homework), ne)),
            ip=const(campus_ip, ne), ua=const(lab_ua[0][0], ne), tls=const(lab_ua[1][0], ne),
            key=const(None, ne), country=const(cc, ne),
            model=pick_models(rng, ts, (1, 0, 0), 0.3, 10), completion=lognormal_counts(
                rng, ne, 420, 0.5), style="code", conv=conv_ids(rng, n, sess), turn=turn,
            max_tokens=np.full(ne, 8192), tools=np.full(ne, 2),
            status=statuses(rng, ne, 0.01, 0.01), history=turn * 450))
        # Evenings at home for some students.
        places = [c for c in ctx.bank.countries() if c["cc"] == cc] * n
        home = home_networks(rng, places, 0.3)
        uas, tls = clients(rng, ctx.bank, n, ["chrome_win", "chrome_mac", "safari_mac"],
                           [2, 1, 1])
        per = np.where(rng.random(n) < 0.6, rng.integers(1, 4, n), 0)
        s = sessions(rng, np.full(n, tz), per, CONSUMER, np.minimum(rng.geometric(
            0.4, int(per.sum())), 8), 90.0)
        m = len(s.ts)
        pool = homework + ctx.texts.casual(rng, 50)
        blocks.append(Block(
            acct=idx[s.acct], ts=s.ts, prompt=col(pool, rng.integers(0, len(pool), m)),
            ip=home.pick(rng, s.acct, s.sess), ua=col(uas, s.acct), tls=col(tls, s.acct),
            key=const(None, m), country=const(cc, m),
            model=pick_models(rng, s.ts, (1, 0, 0), 0.3, 10),
            completion=lognormal_counts(rng, m, 400, 0.6), style="chat",
            conv=conv_ids(rng, s.n_sessions, s.sess), turn=s.turn, max_tokens=np.full(m, 8192),
            tools=np.full(m, 2), status=statuses(rng, m, 0.01, 0.01), history=s.turn * 400))
    return blocks


def hackathon(ctx: Ctx) -> list[Block]:
    rng = rng_for(ctx.seed, "hackathon")
    n = scaled(150, ctx.scale, floor=3)
    # Sign-up wave: Wednesday 15 April, 07:00-09:30 UTC, at a Berlin venue; 32 hours of hacking.
    opening = START + 2 * DAY + 7 * HOUR
    created = opening + (rng.beta(1.5, 4, n) * 2.5 * HOUR).astype(np.int64)
    teams = max(1, n // 4)
    team_org = [_org(rng) for _ in range(teams)]
    team = rng.integers(0, teams, n)
    orgs: list[str | None] = [team_org[t] for t in team]
    idx = ctx.accounts.add(
        rng, "hackathon", n, email=list(ctx.bank.personal_emails(rng, n)), payment=[None] * n,
        org=orgs, created=created, access="startup",
        customer=[("free", False, "startup" if rng.random() < 0.3 else None, False, o)
                  for o in orgs])
    venue = ipv4(rng, [[195, 37]], 2)
    places = [c for c in ctx.bank.countries() if c["cc"] == "DE"] * n
    home = home_networks(rng, places, 0.0)
    uas, tls = clients(rng, ctx.bank, n, ["sdk_python", "sdk_node", "chrome_mac", "curl"],
                       [.4, .3, .2, .1])
    per = lognormal_counts(rng, n, 9, 0.6, high=40)
    acct = np.repeat(np.arange(n), per)
    starts = created[acct] + (rng.random(len(acct)) * 32 * HOUR).astype(np.int64)
    turns = np.minimum(rng.geometric(0.3, len(acct)), 12)
    ts, turn, sess = expand_sessions(rng, starts, turns, 50.0)
    ne = len(ts)
    a = acct[sess]
    at_venue = ts < opening + 33 * HOUR
    venue_pick = rng.integers(0, 2, ne)
    home_ip = home.pick(rng, a, sess)
    pool = list(ctx.bank.data["hackathon"]) + ctx.texts.dev(rng, 100)
    ips = venue + home_ip[0]
    ip_idx = np.where(at_venue & (rng.random(ne) < 0.8), venue_pick, 2 + home_ip[1])
    return [Block(
        acct=idx[a], ts=ts, prompt=col(pool, rng.integers(0, len(pool), ne)),
        ip=col(ips, ip_idx), ua=col(uas, a), tls=col(tls, a), key=const(None, ne),
        country=const("DE", ne), model=pick_models(rng, ts, (.6, .4, 0), .5, 4),
        completion=lognormal_counts(rng, ne, 500, 0.7), style="code",
        conv=conv_ids(rng, int(acct.size), sess), turn=turn,
        temperature=np.full(ne, 0.7), status=statuses(rng, ne, 0.004, 0.03),
        history=turn * 500)]


def cron_jobs(ctx: Ctx) -> list[Block]:
    rng = rng_for(ctx.seed, "cron")
    n = scaled(40, ctx.scale)
    orgs = personal_orgs(rng, n)
    idx = ctx.accounts.add(
        rng, "cron", n, email=[f"ops@{w}.io" for w in hex_strings(rng, n, 3)],
        payment=cards(rng, n), org=orgs, created=created_spread(rng, n, 700, 250),
        access="direct",
        customer=[("pay_as_you_go", bool(rng.random() < 0.5),
                   "cron" if rng.random() < 0.1 else None, False, o) for o in orgs])
    templates = ctx.bank.data["cron_templates"]
    blocks = []
    uas, tls = clients(rng, ctx.bank, n, ["requests", "curl", "go", "sdk_python"], [3, 2, 1, 3])
    ips = ipv4(rng, ctx.bank.data["clouds"]["digitalocean"] + ctx.bank.data["clouds"][
        "hetzner"], n)
    for a in range(n):
        every = int(rng.choice([1, 1, 2, 6, 24]))
        minute = 0 if rng.random() < 0.8 else 30
        fires = START + (np.arange(0, 96, every) * HOUR) + minute * 60 * US
        ts = fires + (rng.exponential(1.2, len(fires)) * US).astype(np.int64)
        ne = len(ts)
        template, system = templates[a % len(templates)]
        pool = [template.replace("{metrics}", "\n".join(
            f"- {k}: {int(rng.integers(1, 5000))}" for k in ("p95_ms", "errors", "orders",
                                                           "signups"))) for _ in range(ne)]
        blocks.append(Block(
            acct=np.full(ne, idx[a]), ts=ts, prompt=col(pool, np.arange(ne)),
            system=const(system or None, ne), ip=const(ips[a], ne), ua=const(uas[a], ne),
            tls=const(tls[a], ne), key=const(f"key_{hex_strings(rng, 1, 6)[0]}", ne),
            country=const("DE" if a % 3 else "US", ne), model=np.full(ne, 1),
            completion=lognormal_counts(rng, ne, 140, 0.3), style="chat",
            max_tokens=np.full(ne, 500), temperature=np.full(ne, 0.2),
            status=statuses(rng, ne, 0.0, 0.01)))
    return blocks


def _service(ctx: Ctx, rng: Rng, archetype: str, n: int, tier: str, declared: list[str | None],
             contract: list[bool], access: str, domain: str, missing: int = -1) -> np.ndarray:
    org = _org(rng)
    orgs: list[str | None] = [org] * n
    return ctx.accounts.add(
        rng, archetype, n, email=[f"api{i}@{domain}" for i in range(n)],
        payment=[f"pm_{hex_strings(rng, 1, 12)[0]}"] * n, org=orgs,
        created=created_spread(rng, n, 800, 300), access=access,
        customer=[None if i == missing else (tier, True, declared[i % len(declared)],
                                             contract[i % len(contract)], orgs[i])
                  for i in range(n)])


def translation(ctx: Ctx) -> list[Block]:
    rng = rng_for(ctx.seed, "translation")
    n = scaled(8, ctx.scale)
    idx = _service(ctx, rng, "translation", n, "enterprise", ["translation", "translation", None],
                   [True, True, False], "direct", "polyglot-l10n.com")
    langs = ctx.bank.data["translate_langs"]
    texts = ctx.bank.data["translate_texts"]
    pool = [f"Translate the following English text into {lg}.\n\n{t}" for lg in langs
            for t in texts]
    ips = ipv4(rng, ctx.bank.data["clouds"]["aws-eu-west-1"], 3)
    per = np.full(n, 26)
    s = sessions(rng, np.full(n, 2), per, WORK, lognormal_counts(rng, 26 * n, 80, 0.4), 2.0)
    ne = len(s.ts)
    return [Block(
        acct=idx[s.acct], ts=s.ts, prompt=col(pool, rng.integers(0, len(pool), ne)),
        system=const(ctx.bank.data["translate_system"], ne),
        ip=col(ips, rng.integers(0, 3, ne)), ua=const("aurora-python/2.4.2", ne),
        tls=const("t13d1812h2_e8a523a41297_ef7df7f74e48", ne), key=const(None, ne),
        country=const("IE", ne), model=pick_models(rng, s.ts, (.2, .8, 0), .2, 30),
        completion=lognormal_counts(rng, ne, 28, 0.4), style="translation",
        max_tokens=np.full(ne, 400), temperature=np.full(ne, 0.1),
        status=statuses(rng, ne, 0.0, 0.008), chars_per_token=3.0)]


def synthetic_vendor(ctx: Ctx) -> list[Block]:
    rng = rng_for(ctx.seed, "synthetic_vendor")
    n = scaled(3, ctx.scale)
    idx = _service(ctx, rng, "synthetic_data_vendor", n, "enterprise", ["synthetic_data"],
                   [True], "direct", "datasmith-labs.com")
    fills = ctx.bank.data["vendor_fill"]
    pool = [fill(t, fills, rng) for t in ctx.bank.data["vendor_tasks"] for _ in range(200)]
    problems = ctx.texts.word_problems(rng, 600)
    cot = ctx.bank.data["cot_suffixes"][1]
    pool += [f"{p}\n\n{cot}" for p in problems]
    ips = ipv4(rng, ctx.bank.data["clouds"]["gcp-us-central1"], 2)
    s = sessions(rng, np.zeros(n), np.full(n, 30), FLAT, lognormal_counts(rng, 30 * n, 170, 0.3),
                 1.1)
    ne = len(s.ts)
    return [Block(
        acct=idx[s.acct], ts=s.ts, prompt=col(pool, rng.integers(0, len(pool), ne)),
        ip=col(ips, s.acct % 2), ua=const("aurora-python/2.5.0", ne),
        tls=const("t13d1812h2_e8a523a41297_ef7df7f74e48", ne), key=const(None, ne),
        country=const("US", ne), model=pick_models(rng, s.ts, (1, 0, 0), .5, 12),
        completion=lognormal_counts(rng, ne, 700, 0.5), style="reasoning",
        max_tokens=np.full(ne, 4096), temperature=np.full(ne, 0.9),
        n=np.where(rng.random(ne) < 0.3, 2, 1), status=statuses(rng, ne, 0.002, 0.01))]


def resellers(ctx: Ctx) -> list[Block]:
    rng = rng_for(ctx.seed, "reseller")
    n = scaled(3, ctx.scale)
    blocks = []
    for r in range(n):
        idx = _service(ctx, rng, "declared_reseller", 1, "enterprise", ["reseller"], [True],
                       "reseller", ["chatnest.app", "studypal.io", "writeright.ai"][r % 3])
        # Many end users, each with their own conversations, behind the reseller's servers.
        users = int(rng.integers(700, 1100))
        places = countries(rng, ctx.bank, users)
        per = lognormal_counts(rng, users, 2.2, 0.8, high=15)
        tz = np.array([round(float(p["tz"])) for p in places])  # type: ignore[arg-type]
        s = sessions(rng, tz, per, CONSUMER, np.minimum(rng.geometric(0.4, int(per.sum())), 12),
                     60.0)
        ne = len(s.ts)
        first = ctx.texts.casual(rng, 300) + ctx.texts.dev(rng, 60)
        follow = ctx.texts.followups()
        pool = first + follow
        pidx = np.where(s.turn == 0, rng.integers(0, len(first), ne),
                        len(first) + rng.integers(0, len(follow), ne))
        system = ctx.bank.data["reseller_systems"][r % 3].replace("{d}", "14")
        ips = ipv4(rng, ctx.bank.data["clouds"]["aws-us-east-1"], 3)
        blocks.append(Block(
            acct=np.full(ne, idx[0]), ts=s.ts, prompt=col(pool, pidx), system=const(system, ne),
            ip=col(ips, rng.integers(0, 3, ne)), ua=const("aurora-node/1.10.0", ne),
            tls=const("t13d1711h2_5b57614c22b0_93e6a3b0f4c1", ne),
            key=const(f"key_{hex_strings(rng, 1, 6)[0]}", ne), country=const("US", ne),
            model=pick_models(rng, s.ts, (.3, .7, 0), .25, 24),
            completion=lognormal_counts(rng, ne, 350, 0.7), style="chat",
            conv=conv_ids(rng, s.n_sessions, s.sess, "u_"), turn=s.turn,
            max_tokens=np.full(ne, 2048), temperature=np.full(ne, 0.8),
            status=statuses(rng, ne, 0.01, 0.01), history=s.turn * 400))
    return blocks


def support_bots(ctx: Ctx) -> list[Block]:
    rng = rng_for(ctx.seed, "support_bot")
    n = scaled(5, ctx.scale)
    idx = _service(ctx, rng, "support_bot", n, "enterprise", ["customer_support"],
                   [True, True, False], "direct", "helpdeskly.com", missing=4)
    brands = ctx.bank.data["support_brands"]
    systems = [ctx.bank.data["support_system"].replace("{brand}", b).replace("{kind}", k)
               for b, k in brands]
    msgs = list(ctx.bank.data["support_msgs"])
    s = sessions(rng, np.full(n, 1), np.full(n, 420), (WORK + CONSUMER) / 2,
                 np.minimum(rng.geometric(0.28, 420 * n), 14), 30.0)
    ne = len(s.ts)
    brand = (s.acct * 2 + rng.integers(0, 2, s.n_sessions)[s.sess]) % len(brands)
    ips = ipv4(rng, ctx.bank.data["clouds"]["azure-westeurope"], n)
    return [Block(
        acct=idx[s.acct], ts=s.ts, prompt=col(msgs, rng.integers(0, len(msgs), ne)),
        system=col(systems, brand), ip=col(ips, s.acct), ua=const("aurora-node/1.9.2", ne),
        tls=const("t13d1711h2_5b57614c22b0_93e6a3b0f4c1", ne), key=const(None, ne),
        country=const("NL", ne), model=np.full(ne, 1),
        completion=lognormal_counts(rng, ne, 110, 0.5), style="chat",
        conv=conv_ids(rng, s.n_sessions, s.sess, "ticket_"), turn=s.turn,
        max_tokens=np.full(ne, 512), temperature=np.full(ne, 0.3),
        tools=rng.integers(3, 7, n)[s.acct], status=statuses(rng, ne, 0.003, 0.005),
        history=s.turn * 180)]

