"""Harrow's distillation operators, one function per campaign (see HARROW.md)."""

from __future__ import annotations

import random
from collections.abc import Mapping

from .harrow_kit import (
    DAY,
    END,
    HOUR,
    NEW_MAIN,
    OLD_MAIN,
    OLD_MINI,
    OLD_REASON,
    RELEASE,
    START,
    UAS,
    US,
    Acct,
    Text,
    World,
    cloud_ip,
    home_ip,
    local_times,
    payment,
    person_email,
    pick_weighted,
    sessions,
    sub_rng,
    subnet_ips,
    ua_of,
)
from .harrow_legit import bridge_account, bridge_gateway, created_before, lognorm

HARVEST_KINDS = ("reasoning", "rubric", "safe", "agentic", "multilingual", "general", "code",
                 "tool", "math")


def harvest(rng: random.Random, t: Text, mix: Mapping[str, float]) -> tuple[str, str, str]:
    """A harvesting prompt, its kind and the response kind."""
    kind = pick_weighted(rng, mix)
    if kind == "reasoning":
        return t.pick(rng, "harvest_reasoning"), kind, "reason"
    if kind == "rubric":
        return t.pick(rng, "harvest_rubric"), kind, "reason"
    if kind == "safe":
        return t.pick(rng, "harvest_safe_rewrite"), kind, "chat"
    if kind == "agentic":
        return t.pick(rng, "harvest_agentic"), kind, "code"
    if kind == "multilingual":
        return t.pick(rng, "harvest_multilingual"), kind, "reason"
    if kind == "code":
        real = t.real(rng, "code", 0.8)
        return (real or t.pick(rng, "dev")), kind, "code"
    if kind == "tool":
        real = t.real(rng, "tool", 0.8)
        return (real or t.pick(rng, "harvest_agentic")), kind, "code"
    if kind == "math":
        return t.fill(rng, "{bench}") + rng.choice(
            ["\nShow all of your reasoning.", "\nThink step by step and explain every step.",
             "\nExplain your full thought process before answering.", ""]), kind, "reason"
    real = t.real(rng, "chat", 0.5)
    return (real or t.pick(rng, "harvest_general")), kind, "chat"


def cover(rng: random.Random, t: Text) -> tuple[str, str]:
    key = rng.choice(["consumer", "consumer", "dev", "power", "support_q"])
    return t.pick(rng, key), ("code" if key == "dev" else "chat")


def pivot_model(rng: random.Random, ts: int, old: list[str], share: float, lag_h: float) -> str:
    if ts >= RELEASE + int(lag_h * HOUR) and rng.random() < share:
        return NEW_MAIN
    return rng.choice(old)


def _emit_harvest(w: World, rng: random.Random, a: Acct, ts: int, *, mix: Mapping[str, float],
                  harvest_share: float, model: str, ip: str, ua: tuple[str, str],
                  conv: str | None = None, turn: int = 0, system: str | None = None,
                  comp: tuple[float, float, int, int] = (1200, 0.6, 80, 12000),
                  max_tokens: int | None = 8192, temperature: float | None = None,
                  tools: int = 0, context: int = 0, n: int = 1) -> None:
    t = w.text
    if rng.random() < harvest_share:
        prompt, _kind, rkind = harvest(rng, t, mix)
        completion = lognorm(rng, *comp)
    else:
        prompt, rkind = cover(rng, t)
        completion = lognorm(rng, 300, 0.7, 5, 3000)
        tools = 0
    w.emit(a, ts, model=model, prompt=prompt, ip=ip, ua=ua[0], stack=ua[1], system=system,
           conv=conv or w.new_id("conv_", 16), turn=turn, response_kind=rkind,
           completion=completion, max_tokens=max_tokens, temperature=temperature, tools=tools,
           context=context, n=n, rng=rng)


def hydra(w: World, seed: int) -> None:
    """har-hydra: a large fleet behind rotating residential proxies, agentic/tool traces."""
    rng = sub_rng(seed, "har-hydra")
    cards = [payment(rng) for _ in range(60)]
    domains = [f"mailbox-{rng.randint(100, 999)}.{rng.choice(['site', 'online', 'xyz', 'top'])}"
               for _ in range(6)]
    mix = {"agentic": 5, "tool": 3, "code": 3, "reasoning": 1}
    for i in range(w.count(900, 5)):
        country = pick_weighted(rng, {"US": 6, "SG": 2, "GB": 2, "DE": 1, "JP": 1, "CA": 1,
                                      "AU": 1})
        wave = rng.choice([-38, -30, -21, -14, -9, -4, 1, 3, 5])
        created = START + int((wave + rng.uniform(0, 1.0)) * DAY)
        free = rng.random() < 0.2
        email = (person_email(rng) if rng.random() < 0.55 else
                 f"{rng.choice('abcdefghijklmnopqrstuvwxyz')}{rng.randint(100000, 999999)}"
                 f"@{rng.choice(domains)}")
        a = w.account(rng, "campaign_hydra_agentic", created=created, country=country,
                      access_path=pick_weighted(rng, {"direct": 6, "cloud": 2.5, "startup": 1.5}),
                      email=email, payment=None if free else rng.choice(cards),
                      campaign_id="har-hydra", tier="free" if free else "pay_as_you_go")
        ua = rng.choice([("lumen-python/1.42.0", "py_httpx"), ("OpenAI/Python 1.54.3", "py_httpx"),
                         ("lumen-python/1.39.2", "py_httpx")])
        k = lognorm(rng, 30, 0.5, 5, 120)
        lo = max(START, created + rng.randint(2, 48) * HOUR)
        max_tok = rng.choice([16000, 32000, 32000])
        for burst in sessions(rng, k, country, "flat", (2, 8), (6, 60), lo, END):
            conv = w.new_id("conv_", 16)
            model = pivot_model(rng, burst[0], [OLD_MAIN, OLD_REASON], 0.5, rng.uniform(10, 20))
            sticky = home_ip(rng, rng.choice([country, country, "US", "BR", "IN", "VN"]))
            for turn, ts in enumerate(burst):
                ip = sticky if rng.random() < 0.5 else home_ip(rng, country)
                _emit_harvest(w, rng, a, ts, mix=mix, harvest_share=1.0, model=model, ip=ip,
                              ua=ua, conv=conv, turn=turn, comp=(2200, 0.6, 200, 20000),
                              max_tokens=max_tok, temperature=rng.choice([None, 1.0]),
                              tools=rng.randint(5, 20), context=turn * 3000)
        _ = i


def pivot(w: World, seed: int) -> None:
    """har-pivot: aged shell-company accounts on VPS ranges, agentic coding; moves about half
    its traffic to the new model within hours of the release."""
    rng = sub_rng(seed, "har-pivot")
    shells = [(f"{rng.choice(['brightloop', 'kaizen', 'novacore', 'helix', 'aurora', 'vectra'])}"
               f"{rng.choice(['soft', 'tech', 'data', 'dev'])}{i}.com", w.new_id("org_", 10),
               [payment(rng) for _ in range(2)]) for i in range(12)]
    ranges = [subnet_ips(rng, 40, f"{rng.choice([45, 91, 103, 185, 194])}.{rng.randint(0, 255)}"
                                  f".{rng.randint(0, 255)}") for _ in range(8)]
    mix = {"agentic": 5, "code": 4, "tool": 2}
    lag = rng.uniform(3, 8)
    for _ in range(w.count(300, 4)):
        domain, org, cards = rng.choice(shells)
        a = w.account(rng, "campaign_agentic_pivot", created=created_before(rng, 45, 180),
                      country=rng.choice(["US", "US", "SG", "GB", "HK"]),
                      access_path="startup" if rng.random() < 0.4 else "direct",
                      email=person_email(rng, domain), org_id=org if rng.random() < 0.6 else None,
                      payment=rng.choice(cards), campaign_id="har-pivot",
                      declared_use=rng.choice(["agent", "startup", None]))
        ua = rng.choice([*UAS["agent"][:3], ("lumen-python/1.42.0", "py_httpx")])
        ips = rng.sample(rng.choice(ranges), rng.randint(1, 3))
        k = lognorm(rng, 70, 0.4, 20, 200)
        for burst in sessions(rng, k, "US", "flat", (3, 20), (4, 40)):
            conv = w.new_id("conv_", 16)
            model = pivot_model(rng, burst[0], [OLD_MAIN, OLD_REASON], 0.5, lag)
            for turn, ts in enumerate(burst):
                _emit_harvest(w, rng, a, ts, mix=mix, harvest_share=0.85, model=model,
                              ip=rng.choice(ips), ua=ua, conv=conv, turn=turn,
                              system="You are an expert software engineering agent working in "
                              "the user's repository. Use the tools provided.",
                              comp=(1500, 0.7, 50, 24000), max_tokens=64000,
                              temperature=rng.choice([None, 1.0]), tools=rng.randint(10, 30),
                              context=turn * 4000)


def mimic(w: World, seed: int) -> None:
    """har-mimic: free and pay-as-you-go 'consumers' on sticky residential proxies, chatting
    in sessions; a bit over half of the requests are harvest."""
    rng = sub_rng(seed, "har-mimic")
    cards = [payment(rng) for _ in range(20)]
    mix = {"general": 5, "reasoning": 2, "math": 2, "code": 1}
    browsers = UAS["consumer_app"][:3]
    for _ in range(w.count(250, 4)):
        country = pick_weighted(rng, {"US": 5, "GB": 2, "CA": 1, "DE": 1, "AU": 1, "IN": 1})
        free = rng.random() < 0.3
        a = w.account(rng, "campaign_consumer_mimic", created=created_before(rng, 1, 30),
                      country=country, email=person_email(rng),
                      payment=None if free else rng.choice(cards), campaign_id="har-mimic",
                      tier="free" if free else "pay_as_you_go")
        ua_text, stack = rng.choice(browsers)
        if rng.random() < 0.4:
            stack = "py_httpx"  # a browser user agent over a Python client's TLS stack
        k = lognorm(rng, 25, 0.5, 6, 90)
        ips: dict[int, str] = {}
        for burst in sessions(rng, k, country, "consumer", (1, 6), (30, 300)):
            conv = w.new_id("conv_", 16)
            model = pivot_model(rng, burst[0], [OLD_MAIN, OLD_MAIN, OLD_MINI], 0.4, 20)
            for turn, ts in enumerate(burst):
                day = (ts - START) // DAY
                ip = ips.setdefault(day, home_ip(rng, country))
                _emit_harvest(w, rng, a, ts, mix=mix, harvest_share=0.55, model=model, ip=ip,
                              ua=(ua_text, stack), conv=conv, turn=turn,
                              comp=(900, 0.5, 80, 5000), max_tokens=rng.choice([None, 4096]),
                              temperature=rng.choice([None, 0.7]), context=turn * 700)


def relay(w: World, seed: int, bridge: dict[str, object]) -> None:
    """har-relay: sub-accounts bought from the ApiBridge reseller, mixed in with its ordinary
    customers (same gateway, same billing card, same e-mail scheme)."""
    rng = sub_rng(seed, "har-relay")
    mix = {"reasoning": 3, "math": 3, "rubric": 2, "general": 1}
    for _ in range(w.count(150, 4)):
        a = bridge_account(w, rng, bridge, "campaign_reseller_routed", "har-relay")
        k = lognorm(rng, 55, 0.5, 10, 200)
        for ts in local_times(rng, k, a.country, "flat", max(START, a.created + HOUR), END):
            _emit_harvest(w, rng, a, ts, mix=mix, harvest_share=0.9,
                          model=pivot_model(rng, ts, [OLD_MAIN, OLD_REASON], 0.35, 24),
                          ip=rng.choice(bridge_gateway(bridge)),
                          ua=("ApiBridge-Gateway/4.2", "gateway"),
                          comp=(1000, 0.6, 60, 8000), max_tokens=rng.choice([None, 4096, 8192]),
                          temperature=rng.choice([None, 0.7]))


def pathway(w: World, seed: int) -> None:
    """har-pathway: accounts opened through the education and research programmes with
    academic-looking addresses; reasoning reconstruction and agentic traces."""
    rng = sub_rng(seed, "har-pathway")
    schools = [f"{rng.choice(['stud', 'mail', 'cs', 'alumni'])}."
               f"{rng.choice(['uni', 'univ', 'polytech', 'institute'])}-"
               f"{rng.choice(['nord', 'east', 'central', 'sud', 'pacific', 'alpine'])}"
               f"{rng.randint(1, 40)}.{rng.choice(['edu', 'ac.uk', 'edu.sg', 'ac.kr', 'edu.au'])}"
               for _ in range(15)]
    mix = {"reasoning": 4, "agentic": 3, "math": 2, "code": 1}
    vps = [cloud_ip(rng, "vps") for _ in range(30)]
    for _ in range(w.count(90, 3)):
        domain = rng.choice(schools)
        edu = rng.random() < 0.6
        country = {"edu": "US", "ac.uk": "GB", "edu.sg": "SG", "ac.kr": "KR",
                   "edu.au": "AU"}[domain.split(".", 2)[2]]
        a = w.account(rng, "campaign_pathway_abuse", created=created_before(rng, 5, 60),
                      country=country, access_path="education" if edu else "research",
                      email=person_email(rng, domain), payment=payment(rng) if not edu else None,
                      campaign_id="har-pathway", tier="free" if edu else "pay_as_you_go",
                      verified=rng.random() < 0.45,
                      declared_use="education" if edu else "research")
        ua = ua_of(rng, "sdk")
        ips = rng.sample(vps, 2)
        k = lognorm(rng, 85, 0.4, 20, 250)
        for burst in sessions(rng, k, country, "office", (1, 5), (20, 120)):
            model = pivot_model(rng, burst[0], [OLD_REASON, OLD_MAIN], 0.45, 14)
            conv = w.new_id("conv_", 16)
            for turn, ts in enumerate(burst):
                _emit_harvest(w, rng, a, ts, mix=mix, harvest_share=0.8, model=model,
                              ip=rng.choice(ips), ua=ua, conv=conv, turn=turn,
                              comp=(1400, 0.5, 100, 10000), max_tokens=16000,
                              temperature=rng.choice([None, 0.6]), tools=rng.choice([0, 0, 6]),
                              context=turn * 1500)


def sync(w: World, seed: int) -> None:
    """har-sync: a scheduler that spreads one work queue over its accounts in rotation
    ('load balancing'); reasoning, rubric grading and safe rewrites; shared cards."""
    rng = sub_rng(seed, "har-sync")
    cards = [payment(rng) for _ in range(3)]
    ips = subnet_ips(rng, 16) + subnet_ips(rng, 16)
    made = START - 9 * DAY + 14 * HOUR
    mix = {"reasoning": 5, "rubric": 3, "safe": 2}
    accounts = []
    for i in range(w.count(60, 3)):
        accounts.append(w.account(
            rng, "campaign_reasoning_sync", created=made + rng.randrange(7200) * US,
            country="US", email=person_email(rng), payment=cards[i % 3],
            campaign_id="har-sync"))
    ua = ("python-requests/2.31.0", "py_requests")
    per = 120
    total = per * len(accounts)
    # shifts: the queue runs in blocks of a few hours with a fixed tick between requests
    t0 = START + int(rng.uniform(2, 10) * HOUR)
    done = 0
    while done < total and t0 < END:
        block = rng.randint(300, 900)
        tick = rng.uniform(4.0, 9.0)
        ts = t0
        for j in range(min(block, total - done)):
            if ts >= END - 2 * US:
                break
            a = accounts[(done + j) % len(accounts)]
            jitter = int(rng.uniform(0, 0.8) * US)
            _emit_harvest(w, rng, a, ts + jitter, mix=mix, harvest_share=1.0,
                          model=pivot_model(rng, ts, [OLD_REASON], 0.5, 10),
                          ip=ips[(done + j) % len(ips)], ua=ua,
                          comp=(1600, 0.4, 200, 8000), max_tokens=8192, temperature=0.3)
            ts += int(tick * US)
        done += block
        t0 = ts + int(rng.uniform(3, 14) * HOUR)


def aged(w: World, seed: int) -> None:
    """har-aged: old, individually real-looking accounts that harvest slowly during office
    hours with cover traffic."""
    rng = sub_rng(seed, "har-aged")
    mix = {"multilingual": 2, "math": 3, "reasoning": 3, "code": 1}
    for _ in range(w.count(25, 3)):
        country = rng.choice(["US", "DE", "FR", "BR", "JP", "KR", "GB", "ES", "VN", "TR"])
        a = w.account(rng, "campaign_aged_slow", created=created_before(rng, 240, 600),
                      country=country, email=person_email(rng), payment=payment(rng),
                      campaign_id="har-aged", verified=True, keys=rng.randint(1, 2))
        ua = ua_of(rng, rng.choice(["sdk", "consumer_app"]))
        home = home_ip(rng, country)
        k = rng.randint(30, 45) * 7
        for ts in local_times(rng, k, country, "office"):
            _emit_harvest(w, rng, a, ts, mix=mix, harvest_share=0.35,
                          model=pivot_model(rng, ts, [OLD_MAIN, OLD_REASON], 0.3, 40), ip=home,
                          ua=ua, comp=(900, 0.5, 60, 6000),
                          max_tokens=rng.choice([None, 4096]), temperature=None)


def polyglot(w: World, seed: int) -> None:
    """har-polyglot: a few high-volume accounts coercing reasoning traces, mostly not in
    English."""
    rng = sub_rng(seed, "har-polyglot")
    mix = {"multilingual": 8, "math": 2}
    for _ in range(w.count(15, 2)):
        a = w.account(rng, "campaign_multilingual_cot", created=created_before(rng, 3, 25),
                      country=rng.choice(["HK", "SG", "TW", "VN"]),
                      email=person_email(rng, rng.choice(["qq.com", "naver.com", "gmail.com",
                                                          "163.com"])),
                      payment=payment(rng), campaign_id="har-polyglot")
        ips = [cloud_ip(rng, rng.choice(["vps", "aws"])) for _ in range(rng.randint(1, 4))]
        k = lognorm(rng, 500, 0.25, 250, 900)
        for ts in local_times(rng, k, "SG", "flat"):
            _emit_harvest(w, rng, a, ts, mix=mix, harvest_share=1.0,
                          model=pivot_model(rng, ts, [OLD_REASON], 0.6, 6), ip=rng.choice(ips),
                          ua=("OpenAI/Python 1.54.3", "py_httpx"), comp=(1800, 0.5, 150, 8000),
                          max_tokens=8192, temperature=0.6)


def front(w: World, seed: int) -> None:
    """har-front: a registered 'startup' whose product traffic is cover for harvesting."""
    rng = sub_rng(seed, "har-front")
    domain = f"quillmark{rng.randint(1, 99)}.ai"
    org = w.new_id("org_", 10)
    card = payment(rng)
    office = subnet_ips(rng, 6)
    prod = cloud_ip(rng, "gcp")
    mix = {"general": 3, "reasoning": 3, "code": 2, "rubric": 1}
    t = w.text
    for e in range(w.count(12, 2)):
        a = w.account(rng, "campaign_startup_front", created=created_before(rng, 20, 70),
                      country="US", access_path="startup", org_id=org, payment=card,
                      email=person_email(rng, domain), campaign_id="har-front", verified=True,
                      declared_use="startup")
        ua = ua_of(rng, "sdk")
        k = lognorm(rng, 160, 0.3, 60, 400)
        system = t.fill(rng, "You are the writing assistant inside {company}'s note-taking app. "
                        "Improve the user's text without changing its meaning.")
        for ts in local_times(rng, k, "US", "office" if e % 3 else "flat"):
            is_h = rng.random() < 0.25
            _emit_harvest(w, rng, a, ts, mix=mix, harvest_share=1.0 if is_h else 0.0,
                          model=pivot_model(rng, ts, [OLD_MAIN, OLD_MINI], 0.6, 12),
                          ip=prod if e % 3 == 0 else rng.choice(office), ua=ua,
                          system=None if is_h else system, comp=(1300, 0.5, 80, 8000),
                          max_tokens=rng.choice([4096, 8192]), temperature=0.7)


def all_campaigns(w: World, seed: int, bridge: dict[str, object]) -> int:
    hydra(w, seed)
    pivot(w, seed)
    mimic(w, seed)
    relay(w, seed, bridge)
    pathway(w, seed)
    sync(w, seed)
    aged(w, seed)
    polyglot(w, seed)
    front(w, seed)
    return 9

