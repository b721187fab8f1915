"""Plover's legitimate groups (see PLOVER.md): consumers, developers and the automation
that looks like harvesting but is not."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping

from .plover_kit import (
    CONSUMER_MIX,
    COUNTRIES,
    DAY,
    DEVELOPER_MIX,
    END,
    HOUR,
    LITE,
    MIN,
    NEW,
    OLD,
    SEC,
    START,
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
    mobile_v6,
    person,
    pick_weighted,
    residential_ip,
    status,
    subnet_ips,
    tok,
)

IpFn = Callable[[random.Random, int], str]

WEB = ("chrome_win", "chrome_mac", "safari_mac", "firefox", "edge")
WEB_W = (40, 20, 18, 10, 8)


def completion(r: random.Random, kind: str) -> int:
    if kind == "chat":
        return int(lognorm(r, 320, 0.7, 12, 3000))
    if kind == "cot":
        return int(lognorm(r, 750, 0.5, 120, 6000))
    if kind == "code":
        return int(lognorm(r, 480, 0.8, 30, 5000))
    if kind == "agent":
        return int(lognorm(r, 1100, 0.9, 30, 16000))
    if kind == "tool":
        return int(lognorm(r, 90, 0.6, 12, 800))
    return int(lognorm(r, 4, 0.6, 1, 40))


def pick_prompt(w: World, r: random.Random, lang: str,
                mix: Mapping[str, float]) -> tuple[str, str | None, str]:
    """A first prompt, its known answer if any, and its kind."""
    kind = pick_weighted(r, mix)
    if kind == "local":
        text = w.text.local(r, lang)
        if text:
            return text, None, "chat"
        kind = "chat"
    if kind == "math":
        q, ans = r.choice(w.text.math)
        if r.random() < 0.35:
            return f"{q} Can you explain it step by step?", ans, "cot"
        return q, ans, "chat"
    if kind == "code":
        q, ans = r.choice(w.text.code)
        return q, ans, "code"
    if kind == "tool":
        q, ans = r.choice(w.text.tool)
        return q, ans, "tool"
    q, ans = r.choice(w.text.chat)
    return q, ans, "chat"


def chat_session(w: World, a: Acct, r: random.Random, t0: int, *, ip: str, cl: Client, key: str,
                 lang: str, mix: Mapping[str, float], turns: int, model: str,
                 system: str | None = None, max_tokens: int | None = None,
                 temperature: float | None = None, gap_s: float = 70.0, err: float = 0.01,
                 country: str | None = None, tools: int | None = None) -> int:
    """One conversation of ``turns`` requests; returns the number emitted."""
    first, ans, kind = pick_prompt(w, r, lang, mix)
    followups = w.text.raw["followups"]
    if turns > 1 and w.text.multi and r.random() < 0.15:
        pair = r.choice(w.text.multi)
        first, ans, kind = pair[0], None, "chat"
        script = pair[1:]
    else:
        script = []
    conv = w.uid("conv_", 12)
    ctx = 0
    sent = 0
    for i, t in enumerate(gaps(r, t0, turns, gap_s)):
        if i == 0:
            prompt = first
        elif i - 1 < len(script):
            prompt = script[i - 1]
        else:
            prompt = r.choice(followups)
        response = w.text.opening(r, "cot" if kind == "cot" else
                                  ("code" if kind == "code" else "chat"), ans if i == 0 else None)
        ct = completion(r, kind if i == 0 else "chat")
        pt = tok(prompt) + tok(system) + ctx + 4
        if w.emit(a, t, prompt, model, ip, cl, key, system=system, conv=conv, turn=i,
                  response=response, pt=pt, ct=ct, max_tokens=max_tokens,
                  temperature=temperature, tools=tools, status=status(r, err), country=country):
            sent += 1
        ctx += tok(prompt) + ct
    return sent


def created_consumer(r: random.Random, in_window: float = 0.12) -> int:
    if r.random() < in_window:
        return START + int(r.uniform(0, 8.3) * DAY)
    return START - int(r.uniform(1, 900) * DAY) - r.randrange(DAY)


def offset_of(r: random.Random, country: str) -> float:
    base = COUNTRIES[country].offset
    if country == "US":
        return base + r.choice((1, 0, 0, -1, -2))
    return base


def turns_draw(r: random.Random, mean_extra: float, cap: int) -> int:
    k = 1
    while k < cap and r.random() < mean_extra / (1 + mean_extra):
        k += 1
    return k


# ---- consumers ----------------------------------------------------------------------------


def consumers(w: World, r: random.Random, a: Acct, *, offset: float, cl: Client,
              ip_of: IpFn, sessions: int, mix: Mapping[str, float], system: str | None,
              max_tokens: int | None, adopt: float, extra_turns: float = 1.2, cap: int = 10,
              lo: int | None = None, temperature: float | None = None,
              country_of: Callable[[str], str] | None = None) -> None:
    lang = COUNTRIES[a.country].lang
    for _ in range(sessions):
        t0 = at(r, offset, "consumer", lo if lo is not None else a.created + 2 * MIN)
        ip = ip_of(r, t0)
        chat_session(w, a, r, t0, ip=ip, cl=cl, key=a.keys[0], lang=lang, mix=mix,
                     turns=turns_draw(r, extra_turns, cap),
                     model=w.model(r, t0, adopt=adopt, lite=0.05), system=system,
                     max_tokens=max_tokens, temperature=temperature,
                     country=country_of(ip) if country_of else None)


def casual(w: World) -> None:
    r = w.rng("casual")
    web_system = w.text.raw["system"]["web"]
    for _ in range(w.count(r, 1500, 1800, 60)):
        country = pick_weighted(r, CONSUMER_MIX)
        a = w.account("casual", None, created=created_consumer(r),
                      email=consumer_email(r, w.text, country), country=country,
                      payment=card(r) if r.random() < 0.45 else None)
        web = r.random() < 0.65
        cl = client(r, r.choices(WEB, WEB_W)[0] if web else
                    r.choice(("python_sdk", "node_sdk", "httpx", "python_sdk")))
        home = [residential_ip(r, country), residential_ip(r, country)]
        moved = START + r.randrange(9 * DAY) if r.random() < 0.2 else END
        carrier = w.net.carrier(r, country)

        def ip_of(rr: random.Random, t: int, home: list[str] = home, moved: int = moved,
                  carrier: list[str] = carrier, country: str = country) -> str:
            x = rr.random()
            if x < 0.1:
                return rr.choice(carrier)
            if x < 0.17:
                return residential_ip(rr, country)
            return home[1] if t >= moved else home[0]

        if web:
            system: str | None = web_system
        else:
            system = r.choice((None, w.text.raw["system"]["plain"],
                               w.text.raw["system"]["frontend"].replace("{date}", "2026-11-18")))
        consumers(w, r, a, offset=offset_of(r, country), cl=cl, ip_of=ip_of,
                  sessions=int(lognorm(r, 3, 0.9, 1, 45)),
                  mix={"chat": 70, "local": 12, "math": 8, "code": 10}, system=system,
                  max_tokens=4096 if web else r.choice((None, None, 1024, 2048)),
                  adopt=0.35, temperature=None if web else r.choice((None, 0.7, 1.0)))


def mobile(w: World) -> None:
    r = w.rng("mobile")
    system = w.text.raw["system"]["mobile"]
    for _ in range(w.count(r, 700, 900, 30)):
        country = pick_weighted(r, CONSUMER_MIX)
        pay = card(r) if r.random() < 0.35 else None
        a = w.account("mobile_casual", None, created=created_consumer(r, 0.1),
                      email=consumer_email(r, w.text, country), country=country, payment=pay)
        cl = client(r, "ios_app" if r.random() < 0.48 else "android_app")
        carrier = w.net.carrier(r, country)
        v6 = r.random() < 0.18
        wifi = residential_ip(r, country)

        def ip_of(rr: random.Random, t: int, carrier: list[str] = carrier, v6: bool = v6,
                  wifi: str = wifi) -> str:
            x = rr.random()
            if x < 0.25:
                return wifi
            return mobile_v6(rr) if v6 else rr.choice(carrier)

        consumers(w, r, a, offset=offset_of(r, country), cl=cl, ip_of=ip_of,
                  sessions=int(lognorm(r, 4.5, 0.8, 1, 50)),
                  mix={"chat": 75, "local": 18, "math": 4, "code": 3}, system=system,
                  max_tokens=2048, adopt=0.5 if pay else 0.15, extra_turns=0.8, cap=6)


def privacy_vpn(w: World) -> None:
    r = w.rng("privacy-vpn")
    exits = w.net.vpn
    where = dict(exits)
    for _ in range(w.count(r, 100, 160, 8)):
        country = pick_weighted(r, CONSUMER_MIX)
        a = w.account("privacy_vpn", None, created=created_consumer(r),
                      email=consumer_email(r, w.text, country) if r.random() < 0.6 else
                      f"{hexid(r, 10)}@proton.me", country=country,
                      payment=card(r) if r.random() < 0.5 else None)
        cl = client(r, r.choice(("firefox", "firefox", "chrome_win", "safari_mac", "python_sdk")))

        def ip_of(rr: random.Random, t: int) -> str:
            return rr.choice(exits)[0]

        consumers(w, r, a, offset=offset_of(r, country), cl=cl, ip_of=ip_of,
                  sessions=int(lognorm(r, 4, 0.8, 1, 35)),
                  mix={"chat": 65, "local": 10, "math": 10, "code": 15},
                  system=w.text.raw["system"]["web"], max_tokens=4096, adopt=0.3,
                  country_of=lambda ip: where.get(ip, "US"))


def households(w: World) -> None:
    r = w.rng("households")
    for _ in range(w.count(r, 30, 45, 3)):
        country = pick_weighted(r, CONSUMER_MIX)
        last = person(r, w.text, country)[1]
        shared = card(r)
        home = residential_ip(r, country)
        offset = offset_of(r, country)
        for i in range(r.randint(2, 4)):
            first = person(r, w.text, country)[0]
            a = w.account("household", None, created=created_consumer(r, 0.05),
                          email=consumer_email(r, w.text, country, (first, last)),
                          country=country, payment=shared if i == 0 or r.random() < 0.8 else None)
            cl = client(r, r.choices((*WEB, "ios_app", "android_app"), (*WEB_W, 20, 15))[0])
            carrier = w.net.carrier(r, country)

            def ip_of(rr: random.Random, t: int, home: str = home,
                      carrier: list[str] = carrier) -> str:
                return rr.choice(carrier) if rr.random() < 0.15 else home

            consumers(w, r, a, offset=offset, cl=cl, ip_of=ip_of,
                      sessions=int(lognorm(r, 2.5, 0.8, 1, 20)),
                      mix={"chat": 70, "local": 10, "math": 15, "code": 5},
                      system=w.text.raw["system"]["web"], max_tokens=4096, adopt=0.3)


def release_tourists(w: World) -> None:
    r = w.rng("release-tourists")
    for _ in range(w.count(r, 200, 300, 12)):
        country = pick_weighted(r, CONSUMER_MIX)
        created = w.release + int(lognorm(r, 9, 1.0, 0.3, 60) * HOUR)
        if created >= END - HOUR:
            created = w.release + int(r.uniform(0.3, 20) * HOUR)
        a = w.account("release_tourist", None, created=created,
                      email=consumer_email(r, w.text, country), country=country,
                      payment=card(r) if r.random() < 0.3 else None)
        mob = r.random() < 0.3
        cl = client(r, r.choice(("ios_app", "android_app")) if mob else r.choices(WEB, WEB_W)[0])
        home = residential_ip(r, country)
        carrier = w.net.carrier(r, country)

        def ip_of(rr: random.Random, t: int, home: str = home, carrier: list[str] = carrier,
                  mob: bool = mob) -> str:
            return rr.choice(carrier) if mob and rr.random() < 0.7 else home

        consumers(w, r, a, offset=offset_of(r, country), cl=cl, ip_of=ip_of,
                  sessions=r.randint(1, 4), mix={"chat": 55, "math": 20, "code": 20, "local": 5},
                  system=w.text.raw["system"]["web"], max_tokens=4096, adopt=0.95)


# ---- developers and agents ----------------------------------------------------------------


def developers(w: World) -> None:
    r = w.rng("developers")
    stacks = ("python_sdk", "node_sdk", "curl", "ternctl", "dotnet", "java", "go", "python_old")
    weights = (42, 25, 9, 7, 4, 3, 5, 5)
    batch = w.text.raw["batch"]
    for _ in range(w.count(r, 350, 450, 16)):
        country = pick_weighted(r, DEVELOPER_MIX)
        a = w.account("developer", None, created=created_consumer(r, 0.06),
                      email=consumer_email(r, w.text, country), country=country,
                      payment=card(r) if r.random() < 0.85 else None, keys=r.randint(1, 4))
        cl = client(r, r.choices(stacks, weights)[0])
        home = residential_ip(r, country)
        box = cloud_ip(r, r.choice(("aws", "gcp", "hetzner", "digitalocean")))[0] \
            if r.random() < 0.35 else None
        offset = offset_of(r, country)
        lang = COUNTRIES[country].lang
        sys_ = r.choice((None, None, w.text.raw["system"]["plain"]))
        mt = r.choice((None, 512, 1024, 4096))
        for _s in range(int(lognorm(r, 6, 0.8, 1, 60))):
            t0 = at(r, offset, "developer", a.created + MIN)
            ip = box if box and r.random() < 0.4 else home
            key = r.choice(a.keys)
            model = w.model(r, t0, adopt=0.6, lite=0.15, ramp=6 * HOUR)
            x = r.random()
            if x < 0.18:
                # testing a script: one template, many inputs, seconds apart
                name = r.choice(sorted(batch))
                spec = batch[name]
                times = gaps(r, t0, r.randint(8, 45), 4.0, 0.6, 0.5, 60)
                for t in times:
                    prompt = spec["template"].replace("{x}", _fill(r, spec["parts"]))
                    w.emit(a, t, prompt, model, ip, cl, key, temperature=0.0, max_tokens=64,
                           response=r.choice(spec["labels"]), ct=int(lognorm(r, 4, 0.5, 1, 30)),
                           status=status(r, 0.02))
            elif x < 0.26:
                for t in gaps(r, t0, r.randint(1, 4), 20.0):
                    w.emit(a, t, r.choice(("Say hello", "ping", "Reply with OK", "test",
                                           "What model are you?")), model, ip, cl, key,
                           response="Hello! How can I help?", ct=8, max_tokens=mt,
                           status=status(r, 0.03))
            else:
                chat_session(w, a, r, t0, ip=ip, cl=cl, key=key, lang=lang,
                             mix={"code": 60, "chat": 30, "tool": 5, "math": 5},
                             turns=turns_draw(r, 1.5, 12), model=model, system=sys_,
                             max_tokens=mt, temperature=r.choice((None, 0.2, 0.7)), gap_s=110)


def _fill(r: random.Random, parts: list[list[str]]) -> str:
    words = [r.choice(p) for p in parts]
    return " ".join(x for x in words if x).replace("{n}", str(r.randrange(10000, 99999)))


def coding_agents(w: World) -> None:
    r = w.rng("coding-agents")
    proj = w.text.raw["projects"]
    system = w.text.raw["system"]["shorebird"]
    for _ in range(w.count(r, 130, 180, 6)):
        country = pick_weighted(r, DEVELOPER_MIX)
        org = w.uid("org_", 10) if r.random() < 0.3 else None
        a = w.account("coding_agent", None, created=created_consumer(r, 0.04),
                      email=consumer_email(r, w.text, country), country=country,
                      payment=card(r), org_id=org, keys=2)
        cl = client(r, "shorebird")
        ci_cl = client(r, "shorebird_ci")
        lang = r.choice(proj["langs"])
        files = proj["files"][lang]
        places = [residential_ip(r, country), residential_ip(r, country)]
        tools = r.randint(14, 26)
        temp = r.choice((None, 1.0, 0.2))
        offset = offset_of(r, country)
        fast = r.random() < 0.8
        for _s in range(int(lognorm(r, 8, 0.7, 1, 40))):
            t0 = at(r, offset, "developer", a.created + MIN, weekend=0.4)
            _agent_run(w, r, a, t0, places[0] if r.random() < 0.7 else places[1], cl,
                       a.keys[0], files, proj, system, tools, temp, r.randint(5, 30), fast)
        if r.random() < 0.3:
            for _c in range(r.randint(5, 25)):
                t0 = at(r, offset, "developer", a.created + MIN, weekend=0.3)
                ip = cloud_ip(r, "azure", r.choice(("20.42", "20.169", "4.227")))[0]
                _agent_run(w, r, a, t0, ip, ci_cl, a.keys[1], files, proj, system, tools, temp,
                           r.randint(3, 12), fast)


def _agent_run(w: World, r: random.Random, a: Acct, t0: int, ip: str, cl: Client,
                    key: str, files: list[str], proj: dict[str, object], system: str,
                    tools: int, temp: float | None, turns: int, fast: bool) -> None:
    asks = proj["asks"]
    results = proj["results"]
    assert isinstance(asks, list) and isinstance(results, list)
    conv = w.uid("conv_", 12)
    model = w.model(r, t0, adopt=0.75 if fast else 0.3, lite=0.0, ramp=12 * HOUR)
    ctx = 2500 + 40 * tools
    mt = r.choice((16000, 32000))
    for i, t in enumerate(gaps(r, t0, turns, 14.0, 0.8, 2, 400)):
        f = r.choice(files)
        if i == 0:
            prompt = str(r.choice(asks)).replace("{f}", f)
        elif r.random() < 0.12:
            prompt = r.choice(("ok continue", "yes", "looks good, run the tests again",
                               "no, keep the old behaviour for v1 clients", "commit it"))
        else:
            prompt = (str(r.choice(results)).replace("{f}", f)
                      .replace("{k}", str(r.randint(3, 140))).replace("{j}", str(r.randint(0, 4)))
                      .replace("{{", "{").replace("}}", "}"))
        ct = completion(r, "agent") if r.random() < 0.35 else int(lognorm(r, 160, 0.7, 20, 2000))
        pt = tok(prompt) + ctx
        w.emit(a, t, prompt, model, ip, cl, key, system=system, conv=conv, turn=i,
               response=w.text.opening(r, "agent"), pt=pt, ct=ct, max_tokens=mt,
               temperature=temp, tools=tools, status=status(r, 0.015))
        ctx += tok(prompt) + ct



# ---- groups that share a network or a card -----------------------------------------------


def classrooms(w: World) -> None:
    r = w.rng("classrooms")
    subjects = w.text.raw["classroom"]
    unis = [("US", "edu"), ("DE", "de"), ("IN", "ac.in"), ("BR", "edu.br"), ("GB", "ac.uk"),
            ("KR", "ac.kr")]
    for ci in range(w.count(r, 2, 3, 2)):
        country, tld = r.choice(unis)
        uni = f"{r.choice(('north', 'west', 'lake', 'hill', 'river', 'state'))}" \
              f"{r.choice(('ridge', 'field', 'ford', 'haven', 'port'))}.{tld}"
        nat = subnet_ips(r, f"{r.choice(COUNTRIES[country].octets)}.{r.randrange(256)}."
                            f"{r.randrange(256)}", 2)
        subject = r.choice(sorted(subjects))
        prompts = subjects[subject]
        offset = COUNTRIES[country].offset
        day = r.randrange(0, 4)
        local_start = r.choice((9, 10, 14))
        begin = START + day * DAY + int((local_start - offset) * HOUR)
        second = begin + r.choice((2, 3)) * DAY
        size = max(10, int(r.uniform(25, 50) * max(w.scale, 0.35)))
        for _ in range(size):
            name = person(r, w.text, country)
            email = (f"{name[0].lower()}.{name[1].lower()}{r.randrange(10)}@stud.{uni}"
                     if r.random() < 0.5 else f"s{r.randrange(1000000, 9999999)}@{uni}")
            created = begin + int(lognorm(r, 12, 0.7, 1, 80) * MIN)
            a = w.account("classroom", None, created=created, email=email, country=country,
                          access_path="education", tier="free", verified=True,
                          declared_use="education")
            cl = client(r, r.choices(WEB, WEB_W)[0])
            home = residential_ip(r, country)
            for t in gaps(r, created + r.randrange(30, 300) * SEC, r.randint(3, 10), 240, 0.6):
                if t > begin + 100 * MIN:
                    break
                k = str(r.randint(1, 12))
                prompt = str(r.choice(prompts)).replace("{k}", k)
                w.emit(a, t, prompt, w.model(r, t, 0.4, 0.0), r.choice(nat), cl, a.keys[0],
                       response=w.text.opening(r, "chat"), ct=completion(r, "chat"),
                       max_tokens=4096, status=status(r))
            if r.random() < 0.6:
                for t in gaps(r, second + r.randrange(5, 40) * MIN, r.randint(2, 8), 200, 0.6):
                    prompt = str(r.choice(prompts)).replace("{k}", str(r.randint(1, 12)))
                    w.emit(a, t, prompt, w.model(r, t, 0.4, 0.0), r.choice(nat), cl, a.keys[0],
                           response=w.text.opening(r, "chat"), ct=completion(r, "chat"),
                           max_tokens=4096, status=status(r))
            for _h in range(r.randint(0, 4)):
                t0 = at(r, offset, "consumer", created + 3 * HOUR)
                chat_session(w, a, r, t0, ip=home, cl=cl, key=a.keys[0],
                             lang=COUNTRIES[country].lang, mix={"chat": 60, "math": 20, "code": 20},
                             turns=turns_draw(r, 1.0, 6), model=w.model(r, t0, 0.4, 0.0),
                             max_tokens=4096)
        _ = ci


def hackathon(w: World) -> None:
    r = w.rng("hackathon")
    country = r.choice(("US", "DE", "IN", "GB"))
    offset = COUNTRIES[country].offset - (2 if country == "US" else 0)
    # Saturday 21 November, 09:00 local
    begin = START + 5 * DAY + int((9 - offset) * HOUR)
    end = begin + 29 * HOUR
    venue = subnet_ips(r, f"{r.choice(COUNTRIES[country].octets)}.{r.randrange(256)}."
                          f"{r.randrange(256)}", 3)
    carrier = w.net.carrier(r, country)
    ideas = w.text.raw["hackathon"]
    n = w.count(r, 80, 140, 10)
    team: list[str] = []
    left = 0
    for _i in range(n):
        if left == 0:
            team, left = r.sample(ideas, 4), r.randint(3, 5)
        left -= 1
        new = r.random() < 0.7
        created = begin + int(lognorm(r, 70, 0.6, 5, 200) * MIN) if new else \
            created_consumer(r, 0.0)
        a = w.account("hackathon", None, created=created, email=consumer_email(r, w.text, country),
                      country=country, access_path="startup" if new else "direct",
                      payment=None if new else card(r), declared_use="startup" if new else None)
        cl = client(r, r.choice(("node_sdk", "python_sdk", "chrome_mac", "node_sdk")))
        for _s in range(r.randint(4, 12)):
            t0 = at(r, offset, "developer", max(a.created, begin) + MIN, end)
            ip = r.choice(venue) if r.random() < 0.85 else r.choice(carrier)
            model = NEW if t0 >= w.release and r.random() < 0.8 else OLD
            for k, t in enumerate(gaps(r, t0, r.randint(1, 8), 45)):
                prompt = r.choice(team).replace("{x}", "the map was confusing; loved the "
                                                       "voice input; signup took too long")
                tools = r.randint(2, 5) if "function calling" in prompt else None
                w.emit(a, t, prompt, model, ip, cl, a.keys[0], turn=k,
                       response=w.text.opening(r, "code"), ct=completion(r, "code"),
                       temperature=r.choice((None, 0.7)), tools=tools, status=status(r, 0.02))
        if r.random() < 0.2:
            home = residential_ip(r, country)
            for _s in range(r.randint(1, 3)):
                t0 = at(r, offset, "developer", end + HOUR)
                chat_session(w, a, r, t0, ip=home, cl=cl, key=a.keys[0], lang="en",
                             mix={"code": 70, "chat": 30}, turns=turns_draw(r, 1, 5),
                             model=w.model(r, t0, 0.8, 0.0))


def company_staff(w: World) -> None:
    r = w.rng("company-staff")
    names = ("Halvorsen", "Brightline", "Quayside", "Norrland", "Meridia", "Castellan", "Oakridge")
    for company in r.sample(names, w.count(r, 3, 4, 2)):
        country = r.choice(("US", "GB", "DE", "NL", "IN", "FR", "JP"))
        domain = f"{company.lower()}.{'com' if r.random() < 0.6 else 'co'}"
        org = w.uid("org_", 10)
        pay = card(r)
        egress = subnet_ips(r, f"{r.choice(COUNTRIES[country].octets)}.{r.randrange(256)}."
                               f"{r.randrange(256)}", r.randint(2, 3))
        tool_cl = custom_client(f"{company.lower()}-assist/2.{r.randrange(6)}.{r.randrange(9)} "
                                "tern-python/2.4.1", "py-openssl3")
        system = w.text.raw["system"]["company"].replace("{company}", company)
        offset = COUNTRIES[country].offset
        lang = COUNTRIES[country].lang
        for _ in range(max(6, int(r.uniform(20, 70) * max(w.scale, 0.2)))):
            first, last = person(r, w.text, country)
            a = w.account("company_staff", None, created=created_consumer(r, 0.03),
                          email=f"{first.lower()}.{last.lower()}@{domain}", country=country,
                          payment=pay, org_id=org, tier="enterprise", verified=True)
            cl = tool_cl if r.random() < 0.8 else client(r, r.choices(WEB, WEB_W)[0])
            home = residential_ip(r, country)
            for _s in range(int(lognorm(r, 5, 0.7, 1, 30))):
                t0 = at(r, offset, "office", a.created + MIN, weekend=0.1)
                ip = r.choice(egress) if r.random() < 0.85 else home
                chat_session(w, a, r, t0, ip=ip, cl=cl, key=a.keys[0], lang=lang,
                             mix={"chat": 55, "code": 25, "local": 10, "math": 5, "tool": 5},
                             turns=turns_draw(r, 1.0, 8), model=w.model(r, t0, 0.25, 0.1),
                             system=system, max_tokens=4096, temperature=0.3)


# ---- automation ---------------------------------------------------------------------------


def enterprise_batch(w: World) -> None:
    r = w.rng("enterprise-batch")
    batch = w.text.raw["batch"]
    t0_sets = w.text.t0
    for ci in range(w.count(r, 3, 4, 2)):
        country = r.choice(("US", "DE", "GB", "JP", "NL"))
        domain = domain_name(r, ("com", "de", "co.uk"))
        org = w.uid("org_", 10)
        pay = card(r)
        ips = [cloud_ip(r, "aws")[0] for _ in range(2)]
        cl = client(r, "java" if r.random() < 0.5 else "python_sdk")
        offset = COUNTRIES[country].offset
        for ai in range(r.randint(1, 2)):
            a = w.account("enterprise_batch", None, created=START - r.randrange(60, 700) * DAY,
                          email=f"svc-batch{ai}@{domain}", country=country, payment=pay,
                          org_id=org, tier="enterprise", verified=True, declared_use="batch",
                          contract=True, keys=1)
            use_t0 = bool(t0_sets) and r.random() < 0.5
            items = r.choice(t0_sets) if use_t0 else []
            spec = batch[r.choice(sorted(batch))]
            hour = r.choice((1, 2, 3))
            weekdays_only = r.random() < 0.4
            for day in range(9):
                begin = START + day * DAY + int((hour - offset) * HOUR) + r.randrange(10 * MIN)
                if weekdays_only and (day % 7) in (5, 6):
                    continue
                k = r.randint(150, 450)
                t = begin
                for _ in range(k):
                    t += int(r.uniform(1.5, 6.0) * SEC)
                    if use_t0:
                        prompt, label = r.choice(items)
                    else:
                        prompt = spec["template"].replace("{x}", _fill(r, spec["parts"]))
                        label = r.choice(spec["labels"])
                    w.emit(a, t, prompt, LITE, r.choice(ips), cl, a.keys[0], temperature=0.0,
                           max_tokens=64 if "JSON" in prompt else 8, response=label,
                           ct=max(1, tok(label)), status=status(r, 0.004, 0.0))
        _ = ci


def cron_jobs(w: World) -> None:
    r = w.rng("cron")
    templates = w.text.raw["cron"]
    fills = w.text.raw["cron_fill"]
    for _ in range(w.count(r, 35, 50, 4)):
        country = pick_weighted(r, DEVELOPER_MIX)
        a = w.account("cron", None, created=created_consumer(r, 0.08),
                      email=consumer_email(r, w.text, country), country=country,
                      payment=card(r) if r.random() < 0.8 else None)
        ip = cloud_ip(r, r.choice(("aws", "hetzner", "digitalocean", "gcp")))[0] \
            if r.random() < 0.7 else residential_ip(r, country)
        cl = client(r, r.choice(("requests", "curl", "python_sdk", "node_sdk")))
        template = r.choice(templates)
        fill = r.choice(fills)
        model = LITE if r.random() < 0.6 else OLD
        kind = r.choices(("hourly", "half", "six", "daily"), (40, 15, 15, 30))[0]
        step = {"hourly": HOUR, "half": 30 * MIN, "six": 6 * HOUR, "daily": DAY}[kind]
        first = START if kind != "daily" else \
            START + int((7 - COUNTRIES[country].offset) % 24 * HOUR)
        if kind == "six":
            first = START + r.choice((0, 1, 2, 3)) * HOUR
        lag = r.uniform(0.3, 20)
        t = first
        while t < END:
            ts = t + int((lag + r.uniform(0, 3)) * SEC)
            prompt = template.replace("{x}", fill)
            w.emit(a, ts, prompt, model, ip, cl, a.keys[0], temperature=0.3, max_tokens=300,
                   response=w.text.opening(r, "chat"), ct=int(lognorm(r, 120, 0.3, 20, 300)),
                   status=status(r, 0.01, 0.0))
            t += step


def synthetic_vendors(w: World) -> None:
    r = w.rng("synthetic-vendors")
    raw = w.text.raw
    for vi in range(w.count(r, 2, 2, 2)):
        country = ("US", "DE")[vi % 2]
        brand = r.choice(("synthera", "datafount", "corpuswright", "genloom"))
        domain = f"{brand}.{r.choice(('ai', 'io'))}"
        org = w.uid("org_", 10)
        pay = card(r)
        provider = "gcp" if vi % 2 else "aws"
        ips = [cloud_ip(r, provider)[0] for _ in range(r.randint(2, 3))]
        cl = client(r, "httpx")
        offset = COUNTRIES[country].offset
        moves = vi == 0
        for ai in range(r.randint(2, 4)):
            a = w.account("synthetic_data_vendor", None, created=START - r.randrange(30, 400) * DAY,
                          email=f"pipeline{ai + 1}@{domain}", country=country, payment=pay,
                          org_id=org, tier="enterprise", verified=True,
                          declared_use="synthetic_data", contract=True, keys=2)
            for _j in range(r.randint(5, 10)):
                t0 = at(r, offset, "office", a.created + HOUR, weekend=0.2)
                k = r.randint(120, 400)
                dur = r.uniform(1, 4) * HOUR
                model = NEW if moves and t0 > w.release + 12 * HOUR and r.random() < 0.6 else OLD
                for t in sorted(t0 + int(r.random() * dur) for _ in range(k)):
                    tmpl = r.choice(raw["synth_templates"])
                    prompt = (tmpl.replace("{t}", r.choice(raw["synth_topics"]))
                              .replace("{mood}", r.choice(raw["moods"]))
                              .replace("{k}", str(r.randint(4, 12))))
                    nn = r.choice((1, 2, 4))
                    w.emit(a, t, prompt, model, r.choice(ips), cl, r.choice(a.keys),
                           system=raw["system"]["synth"], temperature=r.choice((0.9, 1.0, 1.1)),
                           n=nn, max_tokens=2048, response='{"role": "customer", "content": "Hi,',
                           ct=int(lognorm(r, 700, 0.4, 150, 2048)) * nn, status=status(r, 0.01))


def resellers(w: World) -> None:
    r = w.rng("resellers")
    systems = [None, w.text.raw["system"]["plain"], w.text.raw["system"]["web"],
               w.text.raw["system"]["rag"]]
    for gi in range(w.count(r, 3, 3, 2)):
        name = ("relaypoint", "tokenbay", "omniroute", "gatewise")[gi % 4]
        domain = f"{name}.{r.choice(('io', 'com', 'ai'))}"
        org = w.uid("org_", 10)
        pay = card(r)
        provider = r.choice(("aws", "gcp", "hetzner"))
        ips = [cloud_ip(r, provider)[0] for _ in range(r.randint(3, 6))]
        cl = client(r, "litellm" if gi % 2 == 0 else "go")
        for ai in range(r.randint(1, 2)):
            a = w.account("declared_reseller", None, created=START - r.randrange(90, 500) * DAY,
                          email=f"billing+{ai}@{domain}", country=r.choice(("US", "SG", "DE")),
                          payment=pay, org_id=org, access_path="reseller", tier="enterprise",
                          verified=True, declared_use="reseller", contract=True,
                          keys=r.randint(30, 80))
            target = r.randint(2000, 4000)
            sent = 0
            while sent < target:
                t0 = at(r, r.choice((-6, 0, 1, 5.5, 8, 9)), "consumer", a.created + MIN)
                lang = r.choice(("en", "en", "en", "de", "es", "ja", "cn", "in"))
                sent += chat_session(
                    w, a, r, t0, ip=r.choice(ips), cl=cl, key=r.choice(a.keys), lang=lang,
                    mix={"chat": 40, "local": 10, "code": 25, "math": 12, "tool": 13},
                    turns=turns_draw(r, 0.8, 6), model=w.model(r, t0, 0.5, 0.2),
                    system=r.choice(systems), max_tokens=r.choice((None, 512, 2048, 4096, 8192)),
                    temperature=r.choice((None, 0.0, 0.7, 1.0)), gap_s=40,
                    tools=r.choice((None, None, None, 3, 6)))


def research_labs(w: World) -> None:
    r = w.rng("research-labs")
    raw = w.text.raw
    for li in range(w.count(r, 3, 4, 2)):
        country = r.choice(("US", "GB", "DE", "CA", "SG", "JP"))
        place = r.choice(("stanmore", "eastbrook", "kingsfield", "tollund", "marlow"))
        uni = f"{r.choice(('cs', 'ml', 'nlp'))}.{place}.{r.choice(('edu', 'ac.uk', 'edu.sg'))}"
        subnet = subnet_ips(r, f"{r.choice(COUNTRIES[country].octets)}.{r.randrange(256)}."
                               f"{r.randrange(256)}", 3)
        org = w.uid("org_", 10)
        pay = card(r) if r.random() < 0.5 else None
        offset = COUNTRIES[country].offset
        for _ in range(r.randint(2, 5)):
            named = country if country in ("US", "GB", "DE", "JP") else "US"
            first, last = person(r, w.text, named)
            a = w.account("research_lab", None, created=START - r.randrange(20, 600) * DAY,
                          email=f"{first[0].lower()}{last.lower()}@{uni}", country=country,
                          payment=pay, org_id=org, access_path="research", verified=True,
                          declared_use="research", keys=2)
            cl = client(r, r.choice(("python_sdk", "httpx")))
            for _e in range(r.randint(2, 5)):
                t0 = at(r, offset, "developer", a.created + HOUR, weekend=0.5)
                k = r.randint(80, 300)
                model = NEW if t0 > w.release and r.random() < 0.6 else OLD
                temps = r.choice(((0.0,), (0.0, 0.3, 0.7, 1.0), (0.7,), (1.0,)))
                lp = r.random() < 0.5
                nn = r.choice((1, 1, 4, 8))
                tmpl = r.choice(raw["research"])
                t = t0
                for _i in range(k):
                    t += int(r.uniform(0.5, 6) * SEC)
                    if r.random() < 0.5:
                        q = r.choice(w.text.math)[0]
                    else:
                        m = r.choice(raw["mcq"])
                        q = f"{m[0]} ({', '.join(m[1:])})"
                    prompt = tmpl.replace("{q}", q)
                    w.emit(a, t, prompt, model, r.choice(subnet), cl, a.keys[0],
                           system=raw["system"]["research"] if "confidence" in prompt else None,
                           temperature=r.choice(temps), n=nn, logprobs=lp,
                           max_tokens=r.choice((256, 1024)), response=w.text.opening(r, "cot"),
                           ct=int(lognorm(r, 220, 0.6, 5, 1024)) * nn, status=status(r, 0.01))
        _ = li


def support_bots(w: World) -> None:
    r = w.rng("support-bots")
    raw = w.text.raw
    for _ in range(w.count(r, 3, 5, 2)):
        company = r.choice(("Fjordhaus", "Lindqvist Home", "Casa Bruma", "Northwind Outdoor",
                            "Pebble & Pine"))
        country = r.choice(("DE", "NL", "FR", "ES", "PL"))
        domain = company.lower().replace(" & ", "").replace(" ", "") + ".eu"
        a = w.account("support_bot", None, created=START - r.randrange(60, 500) * DAY,
                      email=f"it@{domain}", country=country, payment=card(r),
                      org_id=w.uid("org_", 10), tier="enterprise", verified=True,
                      declared_use="support", contract=r.random() < 0.5, keys=2)
        ips = [cloud_ip(r, r.choice(("aws", "azure")))[0] for _ in range(2)]
        cl = client(r, r.choice(("node_sdk", "java")))
        system = raw["system"]["support"].replace("{company}", company)
        model = LITE if r.random() < 0.5 else OLD
        per_day = r.randint(25, 70)
        for _c in range(per_day * 9):
            t0 = at(r, COUNTRIES[country].offset, "consumer", a.created + MIN)
            conv = w.uid("conv_", 12)
            ctx = tok(system) + 600
            for i, t in enumerate(gaps(r, t0, r.randint(1, 6), 35)):
                prompt = r.choice(raw["support"] if i == 0 else raw["support_follow"])
                prompt = prompt.replace("{n}", str(r.randrange(100000, 999999)))
                ct = int(lognorm(r, 90, 0.5, 10, 500))
                w.emit(a, t, prompt, model, r.choice(ips), cl, a.keys[0], system=system,
                       conv=conv, turn=i, response="Thanks for reaching out! Let me check that.",
                       pt=ctx + tok(prompt), ct=ct, max_tokens=512, temperature=0.3, tools=5,
                       status=status(r, 0.008))
                ctx += tok(prompt) + ct


def translation(w: World) -> None:
    r = w.rng("translation")
    raw = w.text.raw
    for _ in range(w.count(r, 2, 3, 2)):
        country = r.choice(("DE", "PL", "NL", "FR"))
        domain = domain_name(r, ("com", "eu"))
        a = w.account("translation_service", None, created=START - r.randrange(30, 400) * DAY,
                      email=f"l10n@{domain}", country=country, payment=card(r),
                      org_id=w.uid("org_", 10), verified=True, declared_use="batch", keys=1)
        ip = cloud_ip(r, r.choice(("aws", "hetzner", "ovh")))[0]
        cl = client(r, "requests")
        model = LITE if r.random() < 0.5 else OLD
        for day in range(9):
            if day % 7 in (5, 6):
                continue
            for _p in range(r.randint(1, 3)):
                t = START + day * DAY + int((r.uniform(8, 17) - COUNTRIES[country].offset) * HOUR)
                langs = r.sample(raw["languages"], r.randint(1, 4))
                for lang in langs:
                    for s in r.sample(raw["ui_strings"], r.randint(8, 20)):
                        t += int(r.uniform(0.4, 2.5) * SEC)
                        prompt = (f"Translate the following UI string into {lang}. Keep "
                                  f"placeholders unchanged. Max {len(s) + 15} characters.\n\n{s}")
                        w.emit(a, t, prompt, model, ip, cl, a.keys[0],
                               system=raw["system"]["translator"], temperature=0.2, max_tokens=120,
                               response=s, ct=tok(s) + 2, status=status(r, 0.005, 0.0))


def rag_startups(w: World) -> None:
    r = w.rng("rag-startups")
    raw = w.text.raw
    for _ in range(w.count(r, 40, 70, 6)):
        country = pick_weighted(r, DEVELOPER_MIX)
        domain = domain_name(r, ("ai", "io", "app"))
        a = w.account("rag_startup", None, created=START - r.randrange(5, 300) * DAY,
                      email=f"{person(r, w.text, country)[0].lower()}@{domain}", country=country,
                      payment=card(r) if r.random() < 0.6 else None, org_id=w.uid("org_", 10),
                      access_path="startup", verified=r.random() < 0.7, declared_use="startup")
        ips = [cloud_ip(r, r.choice(("aws", "gcp", "azure", "aws")))[0]
               for _ in range(r.randint(1, 2))]
        cl = client(r, r.choice(("langchain", "python_sdk", "node_sdk")))
        offset = COUNTRIES[country].offset
        for _q in range(r.randint(40, 150)):
            t = at(r, offset, "office", a.created + MIN, weekend=0.5)
            docs = "\n".join(d.replace("{n}", str(r.randrange(100, 999)))
                             for d in r.sample(raw["rag_docs"], r.randint(3, 6)))
            prompt = f"Context:\n{docs}\n\nQuestion: {r.choice(raw['rag_q'])}"
            w.emit(a, t, prompt, w.model(r, t, 0.2, 0.3), r.choice(ips), cl, a.keys[0],
                   system=raw["system"]["rag"], pt=tok(prompt) + r.randint(800, 4000),
                   temperature=r.choice((0.0, 0.1, 0.3)), max_tokens=800,
                   response="According to [doc-", ct=int(lognorm(r, 140, 0.5, 10, 800)),
                   status=status(r))


def benchmarks(w: World) -> None:
    r = w.rng("benchmarks")
    for ti in range(w.count(r, 3, 5, 2)):
        brand = r.choice(("evalworks", "scorecard", "benchlab", "arenametrics", "gradeline"))
        domain = f"{brand}.{r.choice(('ai', 'org'))}"
        org = w.uid("org_", 10)
        pay = card(r)
        provider = r.choice(("aws", "gcp", "azure"))
        ips = [cloud_ip(r, provider)[0] for _ in range(r.randint(2, 4))]
        country = r.choice(("US", "GB", "DE", "CA"))
        accts = [w.account("benchmark", None, created=START - r.randrange(30, 500) * DAY,
                           email=f"evals{k}@{domain}", country=country, payment=pay, org_id=org,
                           verified=True, declared_use="benchmark", contract=r.random() < 0.5)
                 for k in range(r.randint(1, 3))]
        cl = client(r, r.choice(("python_sdk", "httpx")))
        suites = _suites(w, r)
        # a baseline before the release, the full runs within hours after it
        runs: list[tuple[int, str]] = [(START + int(r.uniform(0.3, 2.8) * DAY), OLD)]
        runs.append((w.release + int(r.uniform(1, 6) * HOUR), NEW))
        if r.random() < 0.6:
            runs.append((w.release + int(r.uniform(20, 50) * HOUR), NEW))
        if r.random() < 0.5:
            runs.append((w.release + int(r.uniform(3, 30) * HOUR), OLD))
        for t0, model in runs:
            a = r.choice(accts)
            t = t0
            for name, items in suites:
                if model == OLD and t0 < w.release and r.random() < 0.5:
                    items = items[: len(items) // 3]
                rate = r.uniform(0.8, 3.0)
                for prompt, settings in items:
                    t += int(r.expovariate(rate) * SEC)
                    nn, temp, mt, kind = settings
                    w.emit(a, t, prompt, model, r.choice(ips), cl, a.keys[0], temperature=temp,
                           n=nn, max_tokens=mt, response=w.text.opening(r, kind),
                           ct=completion(r, kind) * (nn or 1) if kind != "short" else 2,
                           status=status(r, 0.01, 0.0))
                t += int(r.uniform(2, 20) * MIN)
                _ = name
        _ = ti


Settings = tuple[int | None, float, int, str]


def _suites(w: World, r: random.Random) -> list[tuple[str, list[tuple[str, Settings]]]]:
    raw = w.text.raw
    math_items = r.sample(w.text.math, min(len(w.text.math), r.randint(250, 600)))
    gsm: list[tuple[str, Settings]] = [
        (f"Question: {q}\nLet's think step by step.", (None, 0.0, 1024, "cot"))
        for q, _a in math_items]
    mcq: list[tuple[str, Settings]] = []
    for m in raw["mcq"]:
        for shot in range(r.randint(4, 12)):
            opts = "\n".join(f"{'ABCD'[i]}. {o}" for i, o in enumerate(m[1:]))
            prefix = "The following is a multiple choice question. " if shot % 2 else ""
            mcq.append((f"{prefix}{m[0]}\n{opts}\nAnswer:", (None, 0.0, 5, "short")))
    code_items = r.sample(w.text.code, min(len(w.text.code), r.randint(20, 164)))
    code: list[tuple[str, Settings]] = [
        (f"Complete the following task. Return only code.\n{q}", (5, 0.8, 768, "code"))
        for q, _a in code_items]
    return [("gsm", gsm), ("mcq", mcq), ("code", code)]


def agent_platforms(w: World) -> None:
    r = w.rng("agent-platforms")
    raw = w.text.raw
    obs = raw["agent"]["observations"]
    for pi in range(w.count(r, 2, 3, 2)):
        domain = f"{('flockwise', 'taskhive', 'agentyard')[pi % 3]}.com"
        a = w.account("agent_platform", None, created=START - r.randrange(100, 600) * DAY,
                      email=f"platform-ops@{domain}", country="US", payment=card(r),
                      org_id=w.uid("org_", 10), tier="enterprise", verified=True,
                      declared_use="agent", contract=True, keys=r.randint(40, 120))
        ips = [cloud_ip(r, "aws")[0] for _ in range(8)]
        cl = client(r, r.choice(("go", "node_sdk")))
        workspaces = [(k, r.choice(("Acme Dental", "Brook Logistics", "Veldt Realty",
                                    "Kairo Foods", "Lumen Legal", "Oasis Travel")),
                       r.randint(3, 15)) for k in a.keys]
        sent = 0
        target = r.randint(2000, 3200)
        while sent < target:
            key, company, tools = r.choice(workspaces)
            t0 = at(r, r.choice((-6, -5, 0, 1)), "office", a.created + MIN, weekend=0.4)
            system = raw["system"]["platform"].replace("{company}", company)
            conv = w.uid("conv_", 12)
            ctx = tok(system) + 60 * tools
            model = w.model(r, t0, 0.25, 0.3)
            for i, t in enumerate(gaps(r, t0, r.randint(2, 8), 6, 0.6, 1, 120)):
                prompt = r.choice(raw["platform_tasks"]) if i == 0 else r.choice(obs)
                prompt = (prompt.replace("{n}", str(r.randint(10, 99)))
                          .replace("{m}", str(r.randint(10, 99)))
                          .replace("{p}", "crm/records.json").replace("{f}", "lookup"))
                ct = int(lognorm(r, 140, 0.6, 10, 2000))
                if w.emit(a, t, prompt, model, r.choice(ips), cl, key, system=system, conv=conv,
                          turn=i, response=w.text.opening(r, "tool"), pt=ctx + tok(prompt), ct=ct,
                          max_tokens=2048, temperature=0.2, tools=tools, status=status(r, 0.012)):
                    sent += 1
                ctx += tok(prompt) + ct


def all_legitimate(w: World) -> None:
    for group in (casual, mobile, privacy_vpn, households, release_tourists, developers,
                  coding_agents, classrooms, hackathon, company_staff, enterprise_batch,
                  cron_jobs, synthetic_vendors, resellers, research_labs, support_bots,
                  translation, rag_startups, benchmarks, agent_platforms):
        group(w)
