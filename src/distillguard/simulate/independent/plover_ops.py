"""Plover's campaigns (see PLOVER.md): ten operators harvesting the provider's models."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from .plover_kit import (
    COUNTRIES,
    DAY,
    END,
    HOUR,
    LITE,
    MIN,
    NEW,
    OLD,
    SEC,
    START,
    WORDS,
    Acct,
    Client,
    World,
    at,
    card,
    client,
    cloud_ip,
    consumer_email,
    custom_client,
    domain_name,
    gaps,
    hexid,
    lognorm,
    person,
    pick_weighted,
    residential_ip,
    status,
    subnet_ips,
    tok,
    user_agent,
)
from .plover_legit import chat_session, completion, offset_of, turns_draw

Exit = Callable[[random.Random], tuple[str, str]]

#: Where residential-proxy exits are (weights).
PROXY_MIX: dict[str, float] = {
    "US": 30, "BR": 10, "IN": 10, "ID": 8, "VN": 6, "DE": 6, "GB": 6, "TR": 4, "MX": 5, "PL": 3,
    "FR": 4, "JP": 3, "KR": 2, "EG": 3}

HARVEST_SYSTEMS = (
    "You are an autonomous software engineering agent with access to the tools listed. Think "
    "step by step and explain your reasoning before every tool call. When you finish, summarise "
    "every change with the rationale for it.",
    "You are DevPilot, an expert coding agent. Before each action write out your complete "
    "reasoning inside <thinking></thinking>, then call exactly one tool.",
    "You are a data analysis agent with a Python sandbox. Narrate your reasoning in detail at "
    "every step, including the alternatives you considered and rejected.",
    "You operate a web browser to complete tasks for the user. Before each action describe what "
    "you see, what you intend to do and why.",
)


# ---- harvest content ----------------------------------------------------------------------


def agent_task(w: World, r: random.Random) -> tuple[str, int]:
    """A fabricated agent task and the system prompt index it goes with."""
    ag = w.text.raw["agent"]
    x = r.random()
    if x < 0.5:
        repo = r.choice(ag["repos"])
        path = r.choice(ag["paths"])
        func = r.choice(("load", "flush", "parse_range", "merge_totals", "render_row", "acquire",
                         "paginate", "retry_send", "to_utc", "release_lock"))
        return (f"Repository: {repo}\nIssue #{r.randint(40, 4000)}: `{func}` in `{path}` "
                f"{r.choice(ag['bugs'])}. {r.choice(ag['tasks'])}"), r.choice((0, 1))
    if x < 0.68:
        return r.choice(ag["data_tasks"]), 2
    if x < 0.82:
        return r.choice(ag["web_tasks"]), 3
    q, _a = r.choice(w.text.code)
    return (f"Implement the following in a new module of the repository, with tests, and run "
            f"them:\n{q}"), r.choice((0, 1))


def observation(w: World, r: random.Random) -> str:
    ag = w.text.raw["agent"]
    if r.random() < 0.15:
        return str(r.choice(ag["continue"]))
    return (str(r.choice(ag["observations"])).replace("{n}", str(r.randint(3, 180)))
            .replace("{m}", str(r.randint(10, 99))).replace("{p}", r.choice(ag["paths"]))
            .replace("{f}", r.choice(("cache", "session", "invoice", "parser", "queue"))))


def episode(w: World, r: random.Random, a: Acct, t0: int, exit_of: Exit, cl: Client, key: str,
            *, turns: int, model: str, tools: int, mt: int, temp: float | None,
            err: float = 0.015, gap_s: float = 9.0) -> int:
    """A fabricated agent trajectory: the task, then made-up tool results, turn after turn."""
    task, si = agent_task(w, r)
    system = HARVEST_SYSTEMS[si]
    conv = w.uid("conv_", 12)
    ctx = tok(system) + 55 * tools
    sent = 0
    for i, t in enumerate(gaps(r, t0, turns, gap_s, 0.6, 1.5, 240)):
        prompt = task if i == 0 else observation(w, r)
        ct = int(lognorm(r, 1500, 0.7, 120, mt))
        ip, ctry = exit_of(r)
        if w.emit(a, t, prompt, model, ip, cl, key, system=system, conv=conv, turn=i,
                  response=w.text.opening(r, "agent"), pt=ctx + tok(prompt), ct=ct,
                  max_tokens=mt, temperature=temp, tools=tools, status=status(r, err),
                  country=ctry):
            sent += 1
        ctx += tok(prompt) + ct
    return sent


def cot_item(w: World, r: random.Random, lang: str = "en") -> tuple[str, str | None]:
    q, ans = r.choice(w.text.math)
    return f"{q}\n\n{w.text.cot(r, lang)}", ans


def trace_item(w: World, r: random.Random, lang: str = "en") -> str:
    tr = w.text.raw["trace"]
    summary = (r.choice(tr["summaries"]).replace("{n}", f"{r.randint(2, 900) * 100:,}")
               .replace("{a}", str(round(r.uniform(2, 400), 1)))
               .replace("{b}", str(round(r.uniform(1, 300), 1)))
               .replace("{p}", str(r.randint(3, 64))))
    return (f"Below is a summary of a dataset on {r.choice(tr['domains'])}. {summary}\n"
            f"Question: {r.choice(tr['questions'])}\n{w.text.cot(r, lang)}")


def proxy_exit(mix: dict[str, float]) -> Exit:
    def exit_of(r: random.Random) -> tuple[str, str]:
        c = pick_weighted(r, mix)
        return residential_ip(r, c), c
    return exit_of


def fixed_exit(ip: str, country: str) -> Exit:
    return lambda _r: (ip, country)


# ---- plv-swarm: a hydra of free and cheap accounts behind residential proxies --------------


def swarm(w: World) -> None:
    r = w.rng("plv-swarm")
    n = w.count(r, 700, 950, 14)
    waves = [START - int(r.uniform(10, 20) * DAY), START - int(r.uniform(2, 4) * DAY),
             START + int(r.uniform(1.2, 1.8) * DAY), w.release - int(r.uniform(2, 8) * HOUR),
             START + int(r.uniform(5.8, 6.3) * DAY)]
    which = sorted(r.choices(range(5), (0.25, 0.25, 0.2, 0.15, 0.15), k=n))
    catch_all = [domain_name(r, ("com", "net", "xyz")) for _ in range(3)]
    builds = [user_agent(r, "python_sdk") for _ in range(3)]
    rotate = proxy_exit(PROXY_MIX)
    cur_card, left = "", 0
    offsets = {k: 0 for k in range(5)}
    for wave in which:
        offsets[wave] += 1
        created = waves[wave] + int(offsets[wave] * r.uniform(8, 30) * SEC)
        pay: str | None = None
        if r.random() >= 0.3:
            if left == 0:
                cur_card, left = card(r), r.randint(15, 40)
            pay, left = cur_card, left - 1
        signup = pick_weighted(r, PROXY_MIX)
        email = (f"{hexid(r, 3)}{r.choice(WORDS)}{r.randrange(100, 9999)}@{r.choice(catch_all)}"
                 if r.random() < 0.2 else consumer_email(r, w.text, signup))
        a = w.account("campaign_hydra_swarm", "plv-swarm", created=created, email=email,
                      country=signup, payment=pay)
        cl = custom_client(builds[wave % 3], "py-openssl3")
        begin = max(created + int(r.uniform(0.2, 6) * HOUR), START + r.randrange(DAY))
        life = int(r.uniform(1.5, 5) * DAY)
        stop = min(END, begin + life)
        if stop <= begin:
            continue
        sticky = r.random() < 0.25
        last: list[tuple[str, str]] = [("", "")]

        def exit_of(rr: random.Random, sticky: bool = sticky,
                    last: list[tuple[str, str]] = last) -> tuple[str, str]:
            if sticky and last[0][0] and rr.random() < 0.9:
                return last[0]
            last[0] = rotate(rr)
            return last[0]

        total = int(r.uniform(9, 25) * (stop - begin) / DAY) + 1
        share = r.uniform(0.5, 0.7)
        tools = r.randint(12, 24)
        sent = 0
        while sent < total:
            t0 = at(r, 8, "operator", begin, stop)
            if sticky and r.random() < 0.3:
                last[0] = ("", "")
            if r.random() < share:
                model = NEW if t0 > w.release + 2 * HOUR and r.random() < 0.5 else OLD
                if r.random() < 0.8:
                    sent += episode(w, r, a, t0, exit_of, cl, a.keys[0],
                                    turns=r.randint(4, 14), model=model, tools=tools, mt=16000,
                                    temp=r.choice((None, 1.0)), err=0.03) or 1
                else:
                    q, ans = r.choice(w.text.tool)
                    ip, c = exit_of(r)
                    w.emit(a, t0, q, model, ip, cl, a.keys[0], tools=r.randint(3, 8),
                           max_tokens=16000, response=w.text.opening(r, "tool", ans),
                           ct=completion(r, "tool"), status=status(r, 0.03), country=c)
                    sent += 1
            else:
                ip, c = exit_of(r)
                lang = r.choice(("en", "en", "cn", "cn", "sea", "es", "mena", "ja"))
                sent += chat_session(
                    w, a, r, t0, ip=ip, cl=cl, key=a.keys[0], lang=lang,
                    mix={"chat": 60, "local": 30, "code": 10}, turns=turns_draw(r, 0.6, 4),
                    model=w.model(r, t0, 0.3, 0.1), system=r.choice((None, "You are a helpful "
                                                                      "assistant.")),
                    max_tokens=r.choice((None, 2048, 4096)), temperature=r.choice((None, 0.7)),
                    gap_s=50, err=0.03, country=c) or 1


# ---- plv-relay: a declared reseller routing one lab's harvest among ordinary customers ------


def relay(w: World) -> None:
    r = w.rng("plv-relay")
    n = w.count(r, 10, 14, 3)
    brand = r.choice(("nimbus", "tessel", "corridor", "switchyard"))
    domain = f"{brand}route.{r.choice(('io', 'ai'))}"
    org = w.uid("org_", 10)
    pay = card(r)
    ips = [cloud_ip(r, "gcp", "34.141")[0] for _ in range(4)]
    cl = client(r, "litellm")
    systems = [None, "You are a helpful assistant.", w.text.raw["system"]["rag"]]
    created0 = START - int(r.uniform(40, 120) * DAY)
    for i in range(n):
        a = w.account("campaign_reseller_routing", "plv-relay",
                      created=created0 + i * int(r.uniform(0.5, 9) * DAY),
                      email=f"ops+{i}@{domain}",
                      country="SG", payment=pay, org_id=org, access_path="reseller",
                      verified=True, declared_use="reseller", keys=r.randint(20, 50))
        lab_keys = r.sample(a.keys, 2)
        public = [k for k in a.keys if k not in lab_keys]
        total = r.randint(1000, 1800)
        share = r.uniform(0.1, 0.2)
        sent = 0
        while sent < total:
            if r.random() < share:
                t0 = at(r, 8, "office", START, END, weekend=0.3)
                model = NEW if t0 > w.release + 4 * HOUR and r.random() < 0.6 else OLD
                for t in gaps(r, t0, r.randint(5, 25), 3.0, 0.5, 0.5, 30):
                    if r.random() < 0.6:
                        prompt, ans = cot_item(w, r, r.choice(("en", "en", "zh")))
                        kind = "cot"
                    else:
                        q, ans = r.choice(w.text.code)
                        prompt = (f"{q}\n\nWrite the complete implementation, then explain each "
                                  "design decision and the reasoning behind it.")
                        kind = "cot"
                    w.emit(a, t, prompt, model, r.choice(ips), cl, r.choice(lab_keys),
                           max_tokens=8192, temperature=0.6, response=w.text.opening(r, kind, ans),
                           ct=int(lognorm(r, 1600, 0.4, 300, 8192)), status=status(r, 0.012))
                    sent += 1
            else:
                t0 = at(r, r.choice((-6, 0, 1, 5.5, 8, 9)), "consumer", a.created + MIN)
                sent += chat_session(
                    w, a, r, t0, ip=r.choice(ips), cl=cl, key=r.choice(public),
                    lang=r.choice(("en", "en", "cn", "sea", "ja", "ko", "in")),
                    mix={"chat": 45, "local": 15, "code": 25, "math": 8, "tool": 7},
                    turns=turns_draw(r, 0.8, 6), model=w.model(r, t0, 0.45, 0.2),
                    system=r.choice(systems), max_tokens=r.choice((None, 1024, 4096)),
                    temperature=r.choice((None, 0.7, 1.0)), gap_s=40) or 1


@dataclass(frozen=True)
class _Shell:
    domain: str
    org: str
    cards: list[str]
    provider: str
    path: str
    born: int


# ---- plv-pivot: shell start-ups harvesting agentic coding, jumping to the new model --------


def pivot(w: World) -> None:
    r = w.rng("plv-pivot")
    n0 = w.count(r, 120, 200, 8)
    n1 = w.count(r, 30, 60, 3)
    adjs = ("bright", "swift", "deep", "clear", "prime", "true", "open", "next")
    nouns = ("forge", "stack", "loop", "grid", "mind", "path", "shift", "craft")
    n_orgs = max(2, (n0 + n1) // 20)
    orgs = [_Shell(f"{r.choice(adjs)}{r.choice(nouns)}labs.{r.choice(('com', 'io'))}",
                   w.uid("org_", 10), [card(r) for _ in range(r.randint(1, 2))],
                   r.choice(("hetzner", "ovh", "digitalocean", "vultr")),
                   r.choice(("startup", "direct")), START - int(r.uniform(7, 30) * DAY))
            for _ in range(n_orgs)]
    noticed = w.release + int(r.uniform(0.5, 3) * HOUR)
    builds = [user_agent(r, "node_sdk"), user_agent(r, "taskmill")]
    for i in range(n0 + n1):
        late = i >= n0
        o = orgs[i % n_orgs]
        created = (noticed + int(r.uniform(2, 24) * HOUR) if late
                   else o.born + int(r.uniform(0, 20) * HOUR))
        first = person(r, w.text, "US")[0].lower()
        email = f"dev{r.randrange(1, 99):02d}@{o.domain}" if r.random() < 0.6 \
            else f"{first}@{o.domain}"
        a = w.account("campaign_release_pivot", "plv-pivot", created=created, email=email,
                      country=r.choice(("US", "SG", "GB")), payment=r.choice(o.cards),
                      org_id=o.org, access_path=o.path, declared_use="agent",
                      keys=r.randint(1, 3))
        ua = builds[0] if r.random() < 0.6 else builds[1]
        cl = custom_client(ua, "node20")
        ips = [cloud_ip(r, o.provider) for _ in range(r.randint(1, 2))]
        rate = r.uniform(7, 16)
        begin = max(created + HOUR, START)
        t = begin
        while t < END:
            boost = 1.0
            if t >= noticed:
                boost = 1.6 if t < noticed + 36 * HOUR else 1.2
                if late:
                    boost = 1.8
            t += int(r.expovariate(rate * boost / 14) * DAY)
            if t >= END:
                break
            ip, c = r.choice(ips)
            on_new = t >= noticed and r.random() < (0.95 if late else r.uniform(0.55, 0.65))
            model = NEW if on_new else OLD
            key = r.choice(a.keys)
            if r.random() < 0.8:
                t += 60 * SEC * episode(
                    w, r, a, t, fixed_exit(ip, c), cl, key, turns=r.randint(6, 20), model=model,
                    tools=r.randint(10, 22), mt=r.choice((16384, 32768)),
                    temp=r.choice((0.2, 0.5, 1.0)), gap_s=12)
            else:
                chat_session(w, a, r, t, ip=ip, cl=cl, key=key, lang="en",
                             mix={"chat": 60, "code": 40}, turns=turns_draw(r, 0.5, 3),
                             model=model, max_tokens=4096, country=c)


# ---- plv-trace: reasoning-trace harvest through the research programme ---------------------


def trace(w: World) -> None:
    r = w.rng("plv-trace")
    n = w.count(r, 40, 70, 5)
    domains = ["mail.hsdu.edu.cn", "stu.zjit.edu.cn", "alumni.kdu.ac.kr", "mail.vnut.edu.vn",
               "post.ngtu.ru", "student.tmu-ai.edu.sg"]
    subnets = [f"47.{r.choice((74, 88, 245))}.{r.randrange(256)}",
               f"43.{r.choice((128, 135))}.{r.randrange(256)}"]
    pool = [ip for s in subnets for ip in subnet_ips(r, s, 14)]
    cards = [card(r) for _ in range(3)]
    accts: list[tuple[Acct, str, Client]] = []
    for _ in range(n):
        d = r.choice(domains)
        first, last = person(r, w.text, "KR" if ".kr" in d else "VN" if ".vn" in d else "TW")
        a = w.account("campaign_cot_harvest", "plv-trace",
                      created=START - int(r.uniform(3, 45) * DAY) - r.randrange(DAY),
                      email=f"{first.lower()}{last.lower()}{r.randrange(10, 99)}@{d}",
                      country=r.choice(("CN", "KR", "VN", "SG")),
                      payment=r.choice(cards) if r.random() < 0.3 else None,
                      access_path="research", declared_use="research")
        accts.append((a, r.choice(pool), client(r, r.choice(("requests", "httpx")))))
    t = START + int((9 - 8) * HOUR) + r.randrange(HOUR)
    while t < END:
        hour = ((t - START) / HOUR + 8) % 24
        weekend = int(((t - START) / HOUR + 8) // 24) % 7 in (5, 6)
        if 9 <= hour < 23 and (not weekend or r.random() < 0.35):
            k = max(1, int(len(accts) * r.uniform(0.2, 0.4)))
            lang = r.choices(("en", "zh", "ru", "ko", "ar", "ja"), (60, 18, 8, 6, 4, 4))[0]
            if r.random() < 0.6:
                base, ans = trace_item(w, r, lang), None
            else:
                base, ans = cot_item(w, r, lang)
            for a, ip, cl in r.sample(accts, k):
                ts = t + int(r.uniform(0, 30) * SEC)
                prompt = base if r.random() < 0.5 else base.replace("Question:", "Q:")
                if r.random() < 0.3:
                    prompt = prompt.replace(" step by step", "")
                model = NEW if ts > w.release + 6 * HOUR and r.random() < 0.4 else OLD
                nn = 1 if r.random() < 0.8 else r.randint(2, 4)
                w.emit(a, ts, prompt, model, ip, cl, a.keys[0], max_tokens=8192,
                       temperature=round(r.uniform(0.6, 1.0), 1), n=nn,
                       response=w.text.opening(r, "cot", ans),
                       ct=int(lognorm(r, 1800, 0.4, 400, 8192)) * nn, status=status(r, 0.012))
        t += int(r.uniform(5, 15) * MIN)


# ---- plv-mimic: accounts made to look like phone and browser consumers ---------------------


def mimic(w: World) -> None:
    r = w.rng("plv-mimic")
    n = w.count(r, 140, 220, 8)
    homes = {"US": 50, "GB": 15, "DE": 10, "BR": 10, "CA": 8, "AU": 7}
    probes = ("Walk me through your reasoning step by step, and list any assumptions you made.",
              "Now double-check each step and explain why it is valid.",
              "Explain it again for a beginner, without skipping any steps.",
              "What would change if one of the numbers were different? Show the full working.",
              "Why is that the right approach and not another one? Be detailed.")
    chrome_tls = client(r, "chrome_win")[1]
    for _ in range(n):
        country = pick_weighted(r, homes)
        created = (START + int(r.uniform(0, 6) * DAY) if r.random() < 0.2
                   else START - int(r.uniform(2, 60) * DAY) - r.randrange(DAY))
        a = w.account("campaign_consumer_mimicry", "plv-mimic", created=created,
                      email=consumer_email(r, w.text, country), country=country,
                      payment=card(r) if r.random() < 0.45 else None)
        x = r.random()
        if x < 0.6:
            cl = client(r, r.choice(("chrome_win", "chrome_mac")))
            system = w.text.raw["system"]["web"]
            mobile = False
        elif x < 0.85:
            cl = (client(r, "android_app")[0], chrome_tls)
            system = w.text.raw["system"]["mobile"]
            mobile = True
        else:
            cl = client(r, "ios_app")
            system = w.text.raw["system"]["mobile"]
            mobile = True
        carrier = w.net.carrier(r, country)
        offset = offset_of(r, country)
        share = r.uniform(0.35, 0.6)
        lang = COUNTRIES[country].lang
        per_day = r.uniform(1, 3)
        sessions = int(per_day * (END - max(START, created)) / DAY) + 1
        for _s in range(sessions):
            t0 = at(r, offset, "consumer", created + 10 * MIN)
            ip = r.choice(carrier) if mobile else residential_ip(r, country)
            model = w.model(r, t0, 0.5, 0.0)
            if r.random() < share:
                x = r.random()
                if x < 0.5:
                    first, ans = r.choice(w.text.math)
                elif x < 0.75:
                    dom = w.text.raw["drip"]
                    first, ans = r.choice(dom[r.choice(sorted(dom))]), None
                else:
                    first, ans = r.choice(w.text.code)
                conv = w.uid("conv_", 12)
                ctx = tok(system)
                for i, t in enumerate(gaps(r, t0, r.randint(3, 8), 75, 0.6, 15, 600)):
                    prompt = first if i == 0 else r.choice(probes)
                    ct = int(lognorm(r, 900, 0.5, 150, 4096))
                    w.emit(a, t, prompt, model, ip, cl, a.keys[0], system=system, conv=conv,
                           turn=i, response=w.text.opening(r, "cot", ans if i == 0 else None),
                           pt=ctx + tok(prompt), ct=ct, max_tokens=4096, status=status(r))
                    ctx += tok(prompt) + ct
            else:
                chat_session(w, a, r, t0, ip=ip, cl=cl, key=a.keys[0], lang=lang,
                             mix={"chat": 80, "local": 10, "math": 5, "code": 5},
                             turns=turns_draw(r, 1.0, 6), model=model, system=system,
                             max_tokens=4096 if not mobile else 2048)


# ---- plv-drip: hundreds of aged accounts, a handful of requests each ----------------------


def drip(w: World) -> None:
    r = w.rng("plv-drip")
    n = w.count(r, 280, 420, 12)
    domains = w.text.raw["drip"]
    local = w.text.raw["drip_local"]
    homes = {"US": 30, "BR": 10, "MX": 6, "ES": 4, "ID": 8, "VN": 6, "IN": 10, "GB": 8, "DE": 6,
             "PL": 4, "TR": 4, "NG": 4}
    stacks = ("python_sdk", "node_sdk", "chrome_win", "curl", "httpx", "deno")
    for _ in range(n):
        country = pick_weighted(r, homes)
        a = w.account("campaign_low_and_slow", "plv-drip",
                      created=START - int(r.uniform(30, 240) * DAY) - r.randrange(DAY),
                      email=consumer_email(r, w.text, country), country=country,
                      payment=card(r) if r.random() < 0.6 else None)
        ip = residential_ip(r, country)
        cl = client(r, r.choice(stacks))
        topics = r.sample(sorted(domains), r.choice((1, 1, 2)))
        prefix = ""
        if country in ("BR",):
            prefix = local["pt"]
        elif country in ("MX", "ES"):
            prefix = local["es"]
        elif country == "ID":
            prefix = local["id"]
        elif country == "VN":
            prefix = local["vi"]
        offset = offset_of(r, country)
        for _k in range(r.randint(3, 18)):
            t = at(r, offset, "developer", START)
            q = r.choice(domains[r.choice(topics)])
            cot = w.text.cot(r, "en")
            prompt = f"{prefix}{q}" if prefix and r.random() < 0.6 else f"{q} {cot}"
            model = NEW if t > w.release and r.random() < 0.5 else OLD
            w.emit(a, t, prompt, model, ip, cl, a.keys[0], max_tokens=8192,
                   temperature=round(r.uniform(0.7, 1.0), 2), response=w.text.opening(r, "cot"),
                   ct=int(lognorm(r, 1700, 0.4, 300, 8192)), status=status(r))


# ---- plv-agentic: agent-trace harvest through the start-up programme -----------------------


def agentic(w: World) -> None:
    r = w.rng("plv-agentic")
    n = w.count(r, 60, 110, 5)
    batches = [START - int(r.uniform(3, 25) * DAY) for _ in range(3)]
    for _ in range(n):
        domain = f"{r.choice(('get', 'try', 'use', 'hey', ''))}{r.choice(WORDS)}" \
                 f"{r.choice(('', 'ai', 'hq', 'labs'))}.{r.choice(('ai', 'io', 'dev', 'app'))}"
        country = r.choice(("US", "US", "GB", "SG", "CA", "DE"))
        first = person(r, w.text, "US")[0].lower()
        created = r.choice(batches) + int(r.uniform(0, 16) * HOUR)
        a = w.account("campaign_agent_trace", "plv-agentic", created=created,
                      email=f"{first if r.random() < 0.6 else 'founders'}@{domain}",
                      country=country, payment=card(r) if r.random() < 0.3 else None,
                      org_id=w.uid("org_", 10), access_path="startup",
                      declared_use=r.choice(("agent", "startup")), keys=r.randint(1, 2))
        ip, c = cloud_ip(r, r.choice(("aws", "gcp", "digitalocean", "hetzner", "vultr")))
        cl = client(r, r.choices(("python_sdk", "httpx", "node_sdk"), (50, 30, 20))[0])
        cover = r.uniform(0.0, 0.15)
        for day in range(9):
            for _e in range(r.randint(1, 3)):
                t0 = at(r, 0, "flat", max(created, START + day * DAY) + MIN,
                        START + (day + 1) * DAY)
                model = NEW if t0 > w.release and r.random() < 0.35 else OLD
                if r.random() < cover:
                    chat_session(w, a, r, t0, ip=ip, cl=cl, key=a.keys[0], lang="en",
                                 mix={"chat": 70, "code": 30}, turns=1, model=model, country=c)
                    continue
                episode(w, r, a, t0, fixed_exit(ip, c), cl, a.keys[-1], turns=r.randint(6, 18),
                        model=model, tools=r.randint(6, 30), mt=r.choice((16384, 32768)),
                        temp=round(r.uniform(0.2, 1.0), 1))


# ---- plv-stitch (invented): one solution split across several accounts ---------------------


def stitch(w: World) -> None:
    r = w.rng("plv-stitch")
    n = w.count(r, 30, 55, 6)
    st = w.text.raw["stitch"]
    drip = w.text.raw["drip"]
    cells: list[list[tuple[Acct, str, str, Client]]] = []
    left = n
    while left > 0:
        size = min(left, r.randint(6, 12))
        if left - size < 6:
            size = left
        left -= size
        provider = r.choice(("aws", "gcp", "ovh", "vultr", "digitalocean"))
        stack = r.choice(("python_sdk", "node_sdk", "httpx", "go"))
        cards = [card(r) for _ in range(r.randint(0, 2))]
        cell = []
        for _ in range(size):
            country = r.choice(("US", "GB", "CA", "DE", "IN"))
            a = w.account("campaign_split_chain", "plv-stitch",
                          created=START - int(r.uniform(5, 40) * DAY) - r.randrange(DAY),
                          email=consumer_email(r, w.text, country), country=country,
                          payment=r.choice(cards) if cards and r.random() < 0.7 else None)
            ip, c = cloud_ip(r, provider)
            cell.append((a, ip, c, client(r, stack)))
        cells.append(cell)
    for cell in cells:
        chains = int(len(cell) * 9 * r.uniform(4, 7) / 3)
        for _ in range(chains):
            t = at(r, 0, "flat")
            x = r.random()
            if x < 0.5:
                q, ans = r.choice(w.text.math)
            elif x < 0.75:
                q, ans = r.choice(drip[r.choice(sorted(drip))]), None
            else:
                q, ans = r.choice(w.text.code)
            stages = r.sample(cell, min(len(cell), 4 if r.random() < 0.3 else 3))
            model = NEW if t > w.release + 3 * HOUR and r.random() < 0.5 else OLD
            plan = r.choice(st["plan_out"])
            work = ans[:700] if ans else r.choice(st["work_out"])
            check = r.choice(st["check_out"])
            steps = [
                (r.choice(st["plan"]).replace("{q}", q), plan, int(lognorm(r, 180, 0.3, 60, 600))),
                (r.choice(st["work"]).replace("{r}", plan).replace("{q}", q), work,
                 int(lognorm(r, 700, 0.4, 150, 2048))),
                (r.choice(st["check"]).replace("{r}", work), check,
                 int(lognorm(r, 450, 0.4, 80, 2048))),
                (f"Give just the final answer in one line:\n{check}", "Final answer: see above.",
                 int(lognorm(r, 25, 0.4, 5, 120))),
            ]
            for (a, ip, c, cl), (prompt, response, ct) in zip(stages, steps, strict=False):
                w.emit(a, t, prompt, model, ip, cl, a.keys[0], max_tokens=2048, temperature=0.7,
                       response=response, ct=ct, status=status(r), country=c)
                t += int(r.uniform(15, 180) * SEC)


# ---- plv-launder (invented): the cheap model rewrites every question first ----------------


def paraphrase(w: World, r: random.Random, q: str) -> str:
    la = w.text.raw["launder"]
    out = q
    for old, new in r.sample(la["swap"], 5):
        if old in out:
            out = out.replace(old, new, 1)
    parts = out.split(". ")
    if len(parts) > 2 and r.random() < 0.5:
        parts = [parts[-1].rstrip(".?") + "?", *parts[:-1]]
        out = ". ".join(parts)
    return f"{r.choice(la['lead'])}{out}"


def launder(w: World) -> None:
    r = w.rng("plv-launder")
    n = w.count(r, 24, 40, 5)
    la = w.text.raw["launder"]
    drip = w.text.raw["drip"]
    homes = {"US": 60, "CA": 20, "GB": 20}
    shared = ""
    for i in range(n):
        country = pick_weighted(r, homes)
        if i % 2 == 0 or r.random() < 0.4:
            shared = card(r)
        a = w.account("campaign_paraphrase_laundering", "plv-launder",
                      created=START - int(r.uniform(10, 90) * DAY) - r.randrange(DAY),
                      email=consumer_email(r, w.text, country), country=country, payment=shared)
        cl = client(r, "deno" if r.random() < 0.5 else "node_sdk")
        offset = offset_of(r, country)
        daily = [residential_ip(r, country) for _ in range(9)]
        system = r.choice(la["system"]) if r.random() < 0.7 else None
        for _k in range(int(r.uniform(8, 20) * 9)):
            t = at(r, offset, "consumer", START)
            x = r.random()
            if x < 0.5:
                q = r.choice(w.text.math)[0]
            elif x < 0.7:
                q = r.choice(w.text.code)[0]
            elif x < 0.85:
                q = r.choice(drip[r.choice(sorted(drip))])
            else:
                q = r.choice(w.text.tool)[0]
            ip = daily[min(8, (t - START) // DAY)]
            para = paraphrase(w, r, q)
            w.emit(a, t, r.choice(la["ask"]).replace("{q}", q), LITE, ip, cl, a.keys[0],
                   temperature=0.9, max_tokens=512, response=para, ct=tok(para),
                   status=status(r, 0.008))
            t2 = t + int(r.uniform(3, 15) * SEC)
            model = NEW if t2 > w.release + HOUR and r.random() < 0.55 else OLD
            w.emit(a, t2, para, model, ip, cl, a.keys[0], system=system, temperature=0.7,
                   max_tokens=4096, response=w.text.opening(r, "cot"),
                   ct=int(lognorm(r, 1100, 0.4, 200, 4096)), status=status(r, 0.008))


# ---- plv-softlabel (invented): the teacher's token distribution, one letter at a time -----


def softlabel(w: World) -> None:
    r = w.rng("plv-softlabel")
    n = w.count(r, 10, 16, 3)
    sl = w.text.raw["softlabel"]
    mcq = w.text.raw["mcq"]
    name = r.choice(("veridata", "labelcraft", "annotia", "tagwell"))
    domain = f"{name}-annotation.com"
    org = w.uid("org_", 10)
    cards = [card(r), card(r)]
    ips = [cloud_ip(r, "aws", "3.80")[0] for _ in range(6)]
    switch = w.release + int(r.uniform(1, 6) * HOUR)
    for i in range(n):
        a = w.account("campaign_logprob_soft_labels", "plv-softlabel",
                      created=START - int(r.uniform(40, 90) * DAY) + i * r.randrange(HOUR),
                      email=f"{r.choice(('ops', 'labeling', 'pipeline'))}{i + 1}@{domain}",
                      country="GB", payment=cards[i % 2], org_id=org, tier="pay_as_you_go",
                      verified=True, declared_use="batch", keys=2)
        cl = client(r, "httpx")
        mine = r.sample(ips, 2)
        per_day = r.uniform(80, 160)
        t = START + r.randrange(HOUR)
        while True:
            t += int(r.expovariate(per_day) * DAY)
            if t >= END:
                break
            x = r.random()
            if x < 0.45:
                if r.random() < 0.5:
                    m = list(r.choice(mcq))
                    opts = m[1:]
                    r.shuffle(opts)
                    q = m[0]
                else:
                    q, ans = r.choice(w.text.math)
                    val = (ans or "").rsplit("####", 1)[-1].strip() or str(r.randint(2, 90))
                    try:
                        num = float(val.replace(",", ""))
                        opts = [val] + [f"{num + d:g}" for d in r.sample((-3, -1, 1, 2, 5, 10), 3)]
                    except ValueError:
                        opts = [val, "none of these", "0", "cannot be determined"]
                    r.shuffle(opts)
                prompt = (r.choice(sl["mcq"]).replace("{q}", q).replace("{a}", opts[0])
                          .replace("{b}", opts[1]).replace("{c}", opts[2]).replace("{d}", opts[3]))
                response, mt = r.choice("ABCD"), r.choice((1, 1, 2))
            else:
                p = r.choice(w.text.chat)[0][:400]
                ra = w.text.opening(r, "chat", r.choice(w.text.chat)[1])[:500]
                rb = w.text.opening(r, "chat")[:500]
                if x < 0.8:
                    prompt = (r.choice(sl["pref"]).replace("{p}", p).replace("{ra}", ra)
                              .replace("{rb}", rb))
                    response, mt = r.choice(("A", "B", "1", "2")), 1
                else:
                    prompt = r.choice(sl["score"]).replace("{p}", p).replace("{ra}", ra)
                    response, mt = str(r.randint(2, 9)), 2
            model = NEW if t > switch and r.random() < 0.7 else OLD
            nn = 1 if r.random() < 0.85 else 4
            w.emit(a, t, prompt, model, r.choice(mine), cl, r.choice(a.keys), temperature=1.0,
                   n=nn, logprobs=True, max_tokens=mt, response=response, ct=nn,
                   status=status(r, 0.006, 0.0))


def all_campaigns(w: World) -> None:
    for op in (swarm, relay, pivot, trace, mimic, drip, agentic, stitch, launder, softlabel):
        op(w)

