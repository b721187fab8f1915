"""Ironbridge's distillation operators: eight campaigns with their own tactics and cover."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from .ironbridge_acts import FOLLOWUPS, adoption, ask, conversation, model_at
from .ironbridge_kit import (
    CURRENT,
    DAY,
    HOUR,
    MINUTE,
    NEW,
    RELEASE,
    SECOND,
    STACKS,
    TEXT,
    TZ,
    WINDOW_END,
    WINDOW_START,
    Account,
    Clock,
    Customer,
    World,
    block,
    consumer_email,
    conv_id,
    created_before,
    custom_tls,
    human_local,
    payment,
    person,
    pick_country,
    residential_ip,
    stack,
    stream,
    token,
)


def _record(w: World, cid: str, archetype: str, accounts: list[Account], **params: Any) -> None:
    w.campaigns.append(
        {"campaign_id": cid, "archetype": archetype, "accounts": len(accounts), **params}
    )


def _harvest_cot(rng: random.Random) -> str:
    return str(rng.choice(TEXT["cot_suffix_harvest"]))


def hydra(w: World) -> None:
    """Hydra: a thousand short-lived accounts behind a residential proxy network, harvesting
    chain-of-thought on maths, logic and data analysis with a small share of cover chat."""
    rng = stream(w.seed, "op:hydra")
    cid, arch = "irb-hydra-7", "campaign_reasoning_hydra"
    n = w.n(1200, 8)
    cards = [payment(rng) for _ in range(max(2, n // 35))]
    catchall = [
        "mailbox-sky.com",
        "inboxharbor.net",
        "quickpost-mail.org",
        "gmail.com",
        "gmail.com",
        "outlook.com",
    ]
    exits = ["US", "US", "US", "GB", "DE", "CA", "JP", "KR", "SG", "BR", "IN", "FR", "AU", "NL"]
    _, py_tls = stack(rng, "py_sdk")
    uas = STACKS["py_sdk"][0] + STACKS["openai_compat"][0] + STACKS["node_sdk"][0][:4]
    accounts = []
    for _ in range(n):
        wave = rng.randrange(-4, 11)
        created = (
            WINDOW_START + wave * DAY + rng.randrange(0, 4 * HOUR) + rng.randrange(0, 24) * HOUR
        )
        country = rng.choice(exits)
        f, last = person(rng)
        domain = rng.choice(catchall)
        email = (
            f"{f}.{last}{rng.randrange(1000, 9999)}@{domain}"
            if rng.random() < 0.6
            else f"{human_local(rng, f, last)}@{domain}"
        )
        a = w.account(
            rng,
            arch,
            campaign=cid,
            created=created,
            country=country,
            email=email,
            payment=rng.choice(cards),
            ua=rng.choice(uas),
            tls=py_tls,
        )
        if rng.random() < 0.55 and created < WINDOW_START + 6 * DAY:
            a.customer = Customer(
                rng.choice(["free", "pay_as_you_go", "pay_as_you_go"]), False, None, False
            )
        adoption(rng, a, f"fixed:{rng.uniform(20, 60):.1f}:0.35")
        accounts.append(a)
        start = max(
            created + int(rng.uniform(0.5, 20) * HOUR), WINDOW_START + rng.randrange(0, 6 * HOUR)
        )
        life = int(rng.uniform(1, 4) * DAY)
        sticky = residential_ip(rng, country) if rng.random() < 0.3 else None
        temp = rng.choice([0.6, 0.7, 0.8, 1.0])
        max_tokens = rng.choice([8192, 16000])
        for _ in range(rng.randrange(12, 40)):
            ts = start + int(rng.random() * life)
            ip = sticky or residential_ip(rng, rng.choice(exits))
            model = model_at(rng, a, ts)
            if rng.random() < 0.85:
                kind = rng.choice(["math", "math", "logic", "analysis"])
                cot = _harvest_cot(rng)
                prompt = None
                if kind == "analysis":
                    prompt = w.writer.prompt(rng, "analysis") + "\n" + cot
                ask(
                    w,
                    rng,
                    a,
                    ts,
                    ip,
                    model,
                    kind,
                    cot=cot,
                    prompt=prompt,
                    temperature=temp,
                    max_tokens=max_tokens,
                    error=0.02,
                )
            else:
                ask(w, rng, a, ts, ip, model, "chat", temperature=temp, max_tokens=max_tokens)
    _record(
        w,
        cid,
        arch,
        accounts,
        tactic="hydra, residential proxy rotation, short-lived accounts",
        harvest_share=0.85,
    )


def canopy(w: World) -> None:
    """Aged purchased accounts on rented VMs harvesting agentic coding and tool-use traces;
    moves about half its traffic to the new model within a day of the release."""
    rng = stream(w.seed, "op:canopy")
    cid, arch = "irb-canopy", "campaign_agentic_aged"
    n = w.n(180, 6)
    blocks = [
        block(rng, p, 30) for p in ("hetzner", "ovh", "digitalocean", "aws", "smallhost", "gcp")
    ]
    ua_pool = STACKS["coding_agent"][0]
    _, node_tls = stack(rng, "node_sdk")
    systems = [
        TEXT["system_prompts"]["coding_agent"],
        TEXT["system_prompts"]["reasoner"],
        TEXT["system_prompts"]["coding_agent"] + " Explain your reasoning before every tool call.",
    ]
    accounts = []
    for i in range(n):
        country = pick_country(rng)
        a = w.account(
            rng,
            arch,
            campaign=cid,
            created=created_before(rng, WINDOW_START, 200, 900),
            country=country,
            email=consumer_email(rng),
            payment=payment(rng),
            ua=rng.choice(ua_pool),
            tls=node_tls,
        )
        if rng.random() < 0.85:
            a.customer = Customer(
                "pay_as_you_go",
                rng.random() < 0.4,
                rng.choice([None, None, "startup", "agent"]),
                False,
            )
        adoption(rng, a, f"fixed:{rng.uniform(2, 20):.1f}:0.5")
        accounts.append(a)
        ip = blocks[i % len(blocks)][(i // len(blocks)) % 30]
        system = rng.choice(systems)
        ts = WINDOW_START + int(rng.uniform(0, 3) * DAY)
        budget = rng.randrange(80, 180)
        spent = 0
        while spent < budget and ts < WINDOW_END:
            if rng.random() < 0.06:
                ask(w, rng, a, ts, ip, model_at(rng, a, ts), "chat", temperature=0.7)
                spent += 1
                ts += int(rng.uniform(1, 20) * MINUTE)
                continue
            cid_ = conv_id(rng)
            model = model_at(rng, a, ts)
            task = (
                w.writer.prompt(rng, "tooluse")
                if rng.random() < 0.5
                else rng.choice(TEXT["agent_tasks"])
            )
            tools = rng.randrange(10, 36)
            history = rng.randrange(3000, 12000)
            for turn in range(rng.randrange(6, 30)):
                history += ask(
                    w,
                    rng,
                    a,
                    ts,
                    ip,
                    model,
                    "agent",
                    prompt=w.writer.agent_step(rng, turn, task),
                    system=system,
                    conv=cid_,
                    turn=turn,
                    history=history,
                    tools=tools,
                    temperature=rng.choice([0.0, 0.6, 1.0]),
                    max_tokens=16000,
                    ct_scale=2.5,
                    error=0.01,
                )
                spent += 1
                ts += int(rng.uniform(1.5, 12) * SECOND)
            ts += int(rng.uniform(1, 90) * MINUTE)
    _record(
        w,
        cid,
        arch,
        accounts,
        tactic="aged purchased accounts, pinned VM IPs, spoofed coding-agent client",
        harvest_share=0.94,
        new_model_share=0.5,
    )


def quiet_ledger(w: World) -> None:
    """Low-and-slow consumer mimicry: browser clients, sticky residential IPs, evening hours,
    a few conversations a day on legal, medical and finance questions among ordinary chat."""
    rng = stream(w.seed, "op:quiet_ledger")
    cid, arch = "irb-quiet-ledger", "campaign_low_and_slow"
    n = w.n(300, 6)
    cards = [payment(rng) for _ in range(max(2, n // 3))]
    countries = ["US", "US", "GB", "CA", "AU", "IE"]
    accounts = []
    asks = [
        "Can you elaborate on each point with your reasoning?",
        "Walk me through why, step by step.",
        "What would a specialist consider here, and why?",
        *FOLLOWUPS[:4],
    ]
    for _ in range(n):
        country = rng.choice(countries)
        ua, tls = stack(rng, rng.choice(["chrome", "chrome", "safari", "firefox"]))
        a = w.account(
            rng,
            arch,
            campaign=cid,
            created=created_before(rng, WINDOW_START, 30, 400),
            country=country,
            email=consumer_email(rng),
            payment=rng.choice(cards),
            ua=ua,
            tls=tls,
        )
        if rng.random() < 0.75:
            a.customer = Customer("pay_as_you_go", False, None, False)
        adoption(rng, a, "slow")
        accounts.append(a)
        clock = Clock("evening", TZ[country])
        ip = residential_ip(rng, country)
        rotate = WINDOW_START + int(rng.uniform(1, 3) * DAY)
        for ts in sorted(clock.at(rng) for _ in range(rng.randrange(10, 26))):
            if ts > rotate:
                ip = residential_ip(rng, country)
                rotate = ts + int(rng.uniform(1.5, 3) * DAY)
            if rng.random() < 0.6:
                kinds, weights = ["legal", "medical", "analysis", "sql"], [4, 4, 2, 1]
                conversation(
                    w,
                    rng,
                    a,
                    ts,
                    ip,
                    kinds,
                    weights,
                    turns=rng.choice([1, 2, 2, 3]),
                    followups=asks,
                    cot=_harvest_cot(rng) if rng.random() < 0.3 else "",
                    gap=(40, 400),
                    ct_scale=1.4,
                )
            else:
                conversation(
                    w,
                    rng,
                    a,
                    ts,
                    ip,
                    ["chat", "writing"],
                    [3, 1],
                    turns=rng.choice([1, 2]),
                    followups=FOLLOWUPS,
                )
    _record(
        w,
        cid,
        arch,
        accounts,
        tactic="consumer mimicry, sticky residential proxies, low volume",
        harvest_share=0.6,
    )


def polestar(w: World) -> None:
    """A grey-market reseller: sub-accounts under one org, one card and one egress pool. Most
    sub-accounts belong to a distillation buyer (multilingual reasoning traces, code, tool use);
    the rest are the reseller's ordinary customers (labelled legitimate)."""
    rng = stream(w.seed, "op:polestar")
    cid, arch = "irb-polestar", "campaign_reseller_routed"
    org = "org_" + token(rng, 10)
    pay = payment(rng)
    egress = block(rng, "hetzner", 12)
    ua, tls = "polestar-relay/2.1.4", custom_tls("polestar")
    accounts = []

    def sub(archetype: str, campaign: str | None, created: int, country: str) -> Account:
        a = w.account(
            rng,
            archetype,
            campaign=campaign,
            created=created,
            country=country,
            access_path="reseller",
            email=f"u{rng.randrange(100000, 999999)}@polestar-relay.net",
            payment=pay,
            org_id=org,
            ua=ua,
            tls=tls,
        )
        if rng.random() < 0.3:
            a.customer = Customer(
                "pay_as_you_go", False, "reseller", False, org if rng.random() < 0.5 else None
            )
        return a

    batches = [
        WINDOW_START - 38 * DAY,
        WINDOW_START - 21 * DAY,
        WINDOW_START - 9 * DAY,
        WINDOW_START + 5 * DAY,
    ]
    for _ in range(w.n(250, 6)):
        a = sub(
            arch,
            cid,
            rng.choice(batches) + rng.randrange(0, 2 * HOUR),
            rng.choice(["SG", "HK", "MY", "US", "TW"]),
        )
        adoption(rng, a, "fixed:6:0.4")
        accounts.append(a)
        clock = Clock("flat", 0)
        langs = rng.sample(["zh", "zh", "ru", "ko", "vi", "ja", "id", "ar", "tr", "es"], 3)
        for _ in range(rng.randrange(35, 90)):
            ts = clock.at(rng, a.created)
            u = rng.random()
            model = model_at(rng, a, ts)
            ip = rng.choice(egress)
            if u < 0.6:
                ask(
                    w,
                    rng,
                    a,
                    ts,
                    ip,
                    model,
                    "foreign_cot",
                    lang=rng.choice(langs),
                    temperature=0.8,
                    max_tokens=16000,
                )
            elif u < 0.72:
                ask(
                    w, rng, a, ts, ip, model, "code", temperature=0.8, max_tokens=8192, ct_scale=1.5
                )
            elif u < 0.85:
                ask(
                    w,
                    rng,
                    a,
                    ts,
                    ip,
                    model,
                    "tooluse",
                    temperature=0.8,
                    max_tokens=8192,
                    tools=rng.randrange(4, 20),
                    ct_scale=1.5,
                )
            else:
                ask(w, rng, a, ts, ip, model, "chat", temperature=0.8)
    for _ in range(w.n(160, 4)):
        country = pick_country(rng)
        a = sub("reseller_end_customer", None, created_before(rng, WINDOW_START, 1, 300), country)
        adoption(rng, a, "normal")
        clock = Clock(rng.choice(["evening", "office"]), TZ.get(country, 0))
        for _ in range(rng.randrange(5, 25)):
            conversation(
                w,
                rng,
                a,
                clock.at(rng, a.created),
                rng.choice(egress),
                ["chat", "code", "writing", "foreign_cot"],
                [6, 3, 2, 1],
                turns=rng.choice([1, 1, 2, 3]),
                followups=FOLLOWUPS,
            )
    _record(
        w,
        cid,
        arch,
        accounts,
        tactic="grey reseller routing, shared egress with ordinary customers",
        harvest_share=0.85,
    )


def scholar_grid(w: World) -> None:
    """Pathway abuse: accounts on the education, research and start-up programmes for made-up
    institutions, fired in synchronised bursts; rubric grading, 'safe' rewrites and reasoning."""
    rng = stream(w.seed, "op:scholar_grid")
    cid, arch = "irb-scholar-grid", "campaign_pathway_abuse"
    fronts = [
        ("education", "kwangmin-ist.org", "KR"),
        ("research", "novaterra-lab.org", "SG"),
        ("startup", "brightpath-ventures.io", "US"),
        ("research", "aurelian-ai-institute.org", "GB"),
    ]
    cards = [payment(rng) for _ in range(3)]
    blocks = [block(rng, "smallhost", 8) for _ in range(4)]
    _, tls = stack(rng, "py_sdk")
    uas = STACKS["py_sdk"][0]
    batches = [WINDOW_START - 35 * DAY, WINDOW_START - 20 * DAY, WINDOW_START - 8 * DAY]
    accounts = []
    for i in range(w.n(120, 6)):
        path, domain, country = fronts[i % len(fronts)]
        f, last = person(rng)
        email = (
            f"{f}.{last}@{domain}"
            if rng.random() < 0.7
            else f"researcher{rng.randrange(10, 300)}@{domain}"
        )
        a = w.account(
            rng,
            arch,
            campaign=cid,
            created=rng.choice(batches) + rng.randrange(0, 2 * HOUR),
            country=country,
            access_path=path,
            email=email,
            payment=rng.choice(cards),
            ua=rng.choice(uas),
            tls=tls,
        )
        if rng.random() < 0.8:
            a.customer = Customer(
                "free" if path == "education" else "pay_as_you_go", rng.random() < 0.1, path, False
            )
        adoption(rng, a, "fixed:12:0.3")
        a.extra["ips"] = blocks[i % 4]
        accounts.append(a)
    ts = WINDOW_START + rng.randrange(0, HOUR)
    while ts < WINDOW_END:
        if (ts // HOUR) % 24 >= 20 or (ts // HOUR) % 24 < 2:
            ts += int(rng.uniform(20, 60) * MINUTE)
            continue
        for a in rng.sample(accounts, max(1, int(len(accounts) * rng.uniform(0.2, 0.6)))):
            for _ in range(rng.randrange(1, 4)):
                at = ts + rng.randrange(0, 8 * SECOND)
                u = rng.random()
                model = model_at(rng, a, at)
                ip = rng.choice(a.extra["ips"])
                if u < 0.45:
                    ask(
                        w,
                        rng,
                        a,
                        at,
                        ip,
                        model,
                        "rubric",
                        temperature=0.0,
                        max_tokens=1024,
                        system=TEXT["system_prompts"]["grader"],
                    )
                elif u < 0.7:
                    ask(
                        w,
                        rng,
                        a,
                        at,
                        ip,
                        model,
                        "rewrite",
                        temperature=0.3,
                        max_tokens=2048,
                        refused=0.08,
                    )
                else:
                    ask(
                        w,
                        rng,
                        a,
                        at,
                        ip,
                        model,
                        rng.choice(["math", "logic"]),
                        cot=_harvest_cot(rng),
                        temperature=0.3,
                        max_tokens=4096,
                    )
        ts += int(rng.uniform(40, 150) * MINUTE)
    _record(
        w,
        cid,
        arch,
        accounts,
        tactic="education/research/start-up pathway abuse, synchronised bursts",
        harvest_share=1.0,
    )


def firstlight(w: World) -> None:
    """Fresh start-up-programme accounts made days before the release that sweep every
    capability of the new model from its first hours (samples n>1, logprobs, long outputs)."""
    rng = stream(w.seed, "op:firstlight")
    cid, arch = "irb-firstlight", "campaign_newmodel_rush"
    fronts = [
        "quantaleap.ai",
        "sigmaforge.io",
        "deepharbor.ai",
        "novacortex.dev",
        "brightlogic.ai",
        "tensorpeak.com",
    ]
    accounts = []
    n = w.n(60, 6)
    kinds = ["code", "tooluse", "math", "analysis", "writing", "logic", "foreign_cot", "sql"]
    weights = [25, 20, 20, 10, 10, 8, 4, 3]
    for i in range(n):
        domain = fronts[i % len(fronts)]
        fr = stream(w.seed, "op:firstlight:" + domain)
        made = RELEASE - int(fr.uniform(1, 5) * DAY)
        ips = block(fr, "gcp", 12)
        f, _last = person(rng)
        ua, tls = stack(rng, "httpx")
        a = w.account(
            rng,
            arch,
            campaign=cid,
            created=made + rng.randrange(0, 3 * HOUR),
            country="US",
            access_path="startup" if rng.random() < 0.7 else "direct",
            email=f"{f}@{domain}",
            payment=payment(fr),
            ua=ua,
            tls=tls,
        )
        if rng.random() < 0.7:
            a.customer = Customer("pay_as_you_go", fronts.index(domain) == 0, "startup", False)
        accounts.append(a)
        ip = ips[i // len(fronts) % 12]
        for _ in range(rng.randrange(2, 8)):
            ts = a.created + int(rng.uniform(0.2, (RELEASE - a.created) / HOUR) * HOUR)
            ask(w, rng, a, min(ts, RELEASE - MINUTE), ip, CURRENT, rng.choice(["chat", "code"]))
        ts = RELEASE + int(rng.uniform(0.3, 3) * HOUR)
        for _ in range(rng.randrange(120, 260)):
            kind = rng.choices(kinds, weights)[0]
            ask(
                w,
                rng,
                a,
                ts,
                ip,
                NEW,
                kind,
                cot=_harvest_cot(rng) if kind in ("math", "logic") else "",
                temperature=1.0,
                n=rng.choice([None, 1, 2, 4]),
                logprobs=rng.random() < 0.5,
                max_tokens=rng.choice([16000, 32000]),
                tools=rng.randrange(5, 25) if kind == "tooluse" else None,
                error=0.03,
            )
            ts += int(rng.expovariate(1 / (8 if ts < RELEASE + DAY else 35)) * MINUTE) + 2 * SECOND
    _record(
        w,
        cid,
        arch,
        accounts,
        tactic="new-model rush from fresh start-up accounts",
        harvest_share=1.0,
    )


def ferrule(w: World) -> None:
    """A small, careful operator posing as an analytics consultancy: SQL and data-analysis
    capability extraction hidden in 70 % ordinary office traffic."""
    rng = stream(w.seed, "op:ferrule")
    cid, arch = "irb-ferrule", "campaign_capability_probe"
    ips = block(rng, "smallhost", 14)
    cards = [payment(rng), payment(rng)]
    accounts = []
    clock = Clock("office", 4, 0.2)
    for i in range(w.n(14, 3)):
        f, last = person(rng)
        ua, tls = stack(rng, "py_sdk")
        a = w.account(
            rng,
            arch,
            campaign=cid,
            created=created_before(rng, WINDOW_START, 15, 120),
            country="AE",
            email=f"{f}.{last}@ferrule-analytics.com",
            payment=cards[i % 2],
            ua=ua,
            tls=tls,
        )
        a.customer = Customer("pay_as_you_go", True, "research", False)
        adoption(rng, a, "fixed:24:0.6")
        accounts.append(a)
        for _ in range(rng.randrange(10, 18)):
            ts = clock.at(rng, a.created)
            for _ in range(rng.randrange(8, 35)):
                ip = rng.choice(ips)
                model = model_at(rng, a, ts)
                if rng.random() < 0.3:
                    kind = rng.choice(["sql", "analysis"])
                    ask(
                        w,
                        rng,
                        a,
                        ts,
                        ip,
                        model,
                        kind,
                        cot=_harvest_cot(rng) if rng.random() < 0.5 else "",
                        temperature=0.7,
                        max_tokens=4096,
                        ct_scale=1.5,
                    )
                else:
                    ask(
                        w,
                        rng,
                        a,
                        ts,
                        ip,
                        model,
                        rng.choice(["chat", "writing", "code"]),
                        temperature=0.7,
                    )
                ts += int(rng.uniform(20, 120) * SECOND)
    _record(
        w,
        cid,
        arch,
        accounts,
        tactic="small office range, topic-targeted extraction, heavy cover",
        harvest_share=0.3,
    )


def studymate(w: World) -> None:
    """An app facade: four 'study helper' brands whose backends share one server range,
    replaying student-like daily patterns while harvesting worked solutions."""
    rng = stream(w.seed, "op:studymate")
    cid, arch = "irb-studymate", "campaign_app_facade"
    brands = ["studymate-app.com", "examace.io", "homeworkhero.app", "learnloop.co"]
    servers = block(rng, "aws", 8)
    system = TEXT["system_prompts"]["study_app"]
    _, tls = stack(rng, "node_sdk")
    accounts = []
    confused = [
        "I don't get step 2, explain again in more detail",
        "Why is that step allowed?",
        "Can you show another method and compare them?",
        "explain the full solution again please",
    ]
    for i in range(w.n(40, 4)):
        brand = brands[i % 4]
        country = ["VN", "ID", "US", "PH"][i % 4]
        a = w.account(
            rng,
            arch,
            campaign=cid,
            created=created_before(rng, WINDOW_START, 20, 90),
            country=country,
            email=f"api{rng.randrange(1, 99)}@{brand}",
            payment=payment(stream(w.seed, "op:sm:" + brand)),
            ua=rng.choice(STACKS["node_sdk"][0]),
            tls=tls,
            keys=2,
        )
        if rng.random() < 0.5:
            a.customer = Customer("pay_as_you_go", False, "startup", False)
        adoption(rng, a, "fixed:10:0.7")
        accounts.append(a)
        clock = Clock("student", TZ[country])
        for _ in range(rng.randrange(100, 190)):
            ts = clock.at(rng, a.created)
            kind = rng.choice(
                ["math", "math", "logic", "course:stats", "course:cs", "course:bio", "course:econ"]
            )
            conversation(
                w,
                rng,
                a,
                ts,
                rng.choice(servers[2 * (i % 4) : 2 * (i % 4) + 2]),
                [kind],
                [1],
                turns=rng.choice([1, 1, 2, 3]),
                followups=confused,
                system=system,
                gap=(20, 180),
                temperature=0.5,
                max_tokens=4096,
                ct_scale=1.6,
                key=rng.choice(a.keys),
            )
    _record(
        w,
        cid,
        arch,
        accounts,
        tactic="fake consumer-app backends, shared server range",
        harvest_share=1.0,
    )


CAMPAIGNS: tuple[Callable[[World], None], ...] = (
    hydra,
    canopy,
    quiet_ledger,
    polestar,
    scholar_grid,
    firstlight,
    ferrule,
    studymate,
)
