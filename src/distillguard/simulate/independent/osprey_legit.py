"""Osprey's legitimate people: ordinary users, developers and their agents, learners in
classrooms, a course and a hackathon, freelancers and company staff (see OSPREY.md)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .osprey_acts import (
    Ev,
    adoption,
    agent_turns,
    chat_sessions,
    code_questions,
    ordinary,
    plain_models,
)
from .osprey_kit import (
    COUNTRIES,
    DAY,
    DAYS,
    HOUR,
    MIN,
    NANO,
    OLD,
    START,
    Accts,
    World,
    card,
    client,
    days_before,
    obj,
    pick,
    sessions,
    sub_rng,
)

_BROWSERS = ("chrome_win", "chrome_mac", "safari", "firefox", "electron")
_CLIENTS = ("harborcafe", "lumaskincare", "pixelforge-studio", "greenleafdental", "atlasmoving",
            "bloomandstem", "corkandbarrel", "summitphysio", "kaffeeklatsch", "tidepoolswim",
            "oakridgeroofing", "mangotreeyoga")


def casual(w: World) -> None:
    """People using the API through chat front-ends, scripts and spreadsheets."""
    rng = sub_rng(w.seed, "casual")
    n = w.n(1900 * rng.uniform(0.9, 1.1), 60)
    stacks = pick(rng, [*_BROWSERS, "python", "requests", "node", "apps_script", "php"], n,
                  p=[22, 8, 7, 5, 10, 14, 8, 6, 5, 2])
    free = rng.random(n) < 0.55
    acc = w.accounts(rng, n, "casual", created=days_before(rng, n, 1, 1100),
                     pay=[None if f else card(rng) for f in free], stack=stacks,
                     tier=["free" if f else "pay_as_you_go" for f in free])
    per = np.minimum(1 + rng.negative_binomial(1.2, 0.3, size=n), 40)
    ev = chat_sessions(w, rng, acc, per, profile="evening", turns=1.4, gap_s=75)
    browser = np.isin(stacks, _BROWSERS)
    ordinary(w, rng, acc, ev, with_conv=browser)


def casual_mobile(w: World) -> None:
    """A bring-your-own-key phone app: short chats, mostly on carrier networks."""
    rng = sub_rng(w.seed, "casual_mobile")
    n = w.n(700 * rng.uniform(0.85, 1.15), 25)
    codes = ["PH", "ID", "IN", "BR", "NG", "MX", "VN", "EG", "TR", "US", "KE", "PK", "CO"]
    cs = pick(rng, codes, n, p=[12, 11, 14, 10, 9, 7, 6, 5, 5, 8, 4, 4, 3])
    stacks = pick(rng, ["ios_app", "android_app"], n, p=[3, 7])
    ips = [w.net.nat(rng, c) if rng.random() < 0.75 else w.net.home(rng, c) for c in cs]
    acc = w.accounts(rng, n, "casual_mobile", countries=cs, created=days_before(rng, n, 3, 700),
                     pay="none", stack=stacks, tier="free", ip=ips)
    per = 1 + rng.poisson(3.5, size=n)
    ev = chat_sessions(w, rng, acc, per, profile="late", turns=1.0, gap_s=50)
    ordinary(w, rng, acc, ev, own=0.65, nano=0.3, adopt=(0.2, 0.3, 0.8, 6, 96), ip_p=0.5,
             out=(180.0, 0.7))


def release_tourists(w: World) -> None:
    """People who sign up in the two days after the release to try the new model."""
    rng = sub_rng(w.seed, "release_tourist")
    n = w.n(260 * rng.uniform(0.85, 1.15), 12)
    created = w.release + (rng.gamma(1.5, 9.0, size=n) * HOUR).astype(np.int64)
    stacks = pick(rng, [*_BROWSERS, "python", "node", "curl"], n, p=[20, 8, 6, 4, 6, 16, 8, 4])
    acc = w.accounts(rng, n, "release_tourist", created=created, pay="none", stack=stacks,
                     tier="free")
    per = 1 + rng.poisson(2.0, size=n)
    sess_acct = np.repeat(np.arange(n), per)
    starts = created[sess_acct] + (rng.exponential(14, size=len(sess_acct)) * HOUR).astype(
        np.int64) + rng.integers(MIN, 20 * MIN, size=len(sess_acct))
    ev = chat_sessions(w, rng, acc, per, profile="evening", turns=1.8, gap_s=60, starts=starts)
    ordinary(w, rng, acc, ev, own=0.4, adopt=(0.95, 0.7, 1.0, 0.0, 0.5),
             with_conv=np.isin(stacks, _BROWSERS))


def developers(w: World) -> None:
    """Individual developers: coding questions, a few keys, sometimes from a cloud box."""
    rng = sub_rng(w.seed, "developer")
    n = w.n(420 * rng.uniform(0.9, 1.1), 15)
    stacks = pick(rng, ["python", "node", "node22", "go", "rust", "curl", "dotnet", "java",
                        "langchain", "python_old"], n, p=[26, 14, 6, 7, 4, 6, 5, 5, 8, 4])
    acc = w.accounts(rng, n, "developer", created=days_before(rng, n, 10, 1300), stack=stacks)
    key2 = obj([w.new_id("key_", 12) for _ in range(n)])
    box = obj([w.net.cloud(rng, str(rng.choice(["aws", "hetzner", "do", "gcp"]))) for _ in
               range(n)])
    has_box = rng.random(n) < 0.3
    per = 2 + rng.negative_binomial(2, 0.18, size=n)
    profile = "late" if rng.random() < 0.5 else "office"
    ev = chat_sessions(w, rng, acc, per, profile=profile, turns=1.6, gap_s=120, weekend=0.7)
    m = len(ev)
    kind = rng.random(m)
    prompt = code_questions(w, rng, m)
    prompt = pc.if_else(pa.array(kind < 0.12), agent_turns(w, rng, ev.turn, ev.sess), prompt)
    follow = w.text.pick(rng, "followup", m)
    prompt = pc.if_else(pa.array((ev.turn > 0) & (kind >= 0.12) & (kind < 0.5)), follow,
                        prompt)
    model = adoption(w, rng, acc, ev.a, ev.ts, before=plain_models(0.1), p=0.75,
                     share=(0.4, 1.0), lag_h=(0.3, 30))
    mt = np.array([0, 2048, 4096, 8192])[rng.integers(0, 4, size=n)][ev.a]
    x = w.text.exchange(rng, prompt, "r_code", out=(520.0, 0.85), max_tokens=mt,
                        context=ev.turn * 420)
    key = acc.key[ev.a].copy()
    second = rng.random(m) < 0.3
    key[second] = key2[ev.a[second]]
    ip = acc.ip[ev.a].copy()
    on_box = has_box[ev.a] & (rng.random(m) < 0.5)
    ip[on_box] = box[ev.a[on_box]]
    temp = np.array([np.nan, 0.0, 0.2, 0.7, 1.0])[rng.integers(0, 5, size=n)][ev.a]
    w.emit(acc, ev.a, ev.ts, **x, model=model, turn=ev.turn, key=key, ip=ip,
           temperature=pa.array(temp, from_pandas=True), n=1)


def coding_agents(w: World) -> None:
    """A terminal coding agent: long tool-using sessions with long outputs; some also in CI."""
    rng = sub_rng(w.seed, "coding_agent")
    n = w.n(140 * rng.uniform(0.9, 1.1), 6)
    acc = w.accounts(rng, n, "coding_agent", created=days_before(rng, n, 15, 600),
                     stack="agent_cli", declared="agent" if rng.random() < 0.5 else None)
    per = 3 + rng.poisson(6, size=n)
    ev = chat_sessions(w, rng, acc, per, profile="late", turns=13.0, gap_s=25)
    _agent_emit(w, rng, acc, ev, ci=False)
    ci = np.flatnonzero(rng.random(n) < 0.3)
    if len(ci):
        sub = rng.integers(4, 16, size=n) * np.isin(np.arange(n), ci)
        ev2 = chat_sessions(w, rng, acc, sub, profile="flat", turns=9.0, gap_s=12)
        _agent_emit(w, rng, acc, ev2, ci=True)


def _agent_emit(w: World, rng: np.random.Generator, acc: Accts, ev: Ev, *, ci: bool) -> None:
    n, m = len(acc), len(ev)
    prompt = agent_turns(w, rng, ev.turn, ev.sess)
    tools = rng.integers(10, 25, size=n)[ev.a]
    mt = np.array([8192, 16384, 32000])[rng.integers(0, 3, size=n)][ev.a]
    x = w.text.exchange(rng, prompt, "r_agent", out=(900.0, 1.0), max_tokens=mt,
                        system=w.text.pool("sys_agent")[0],
                        context=6000 + ev.turn * 1700, err=0.015)
    model = adoption(w, rng, acc, ev.a, ev.ts, before={OLD: 1.0}, p=0.85, share=(0.6, 1.0),
                     lag_h=(0.5, 14))
    ip = acc.ip[ev.a]
    if ci:
        runners = obj([w.net.cloud(rng, "azure") for _ in range(8)])
        ip = runners[rng.integers(0, 8, size=m)]
    temp = np.where(rng.random(n) < 0.5, 0.0, 1.0)[ev.a]
    w.emit(acc, ev.a, ev.ts, **x, model=model, conv=ev.conv, turn=ev.turn, tool_count=tools,
           temperature=temp, n=1, ip=ip)


def classrooms(w: World) -> None:
    """Three classes that start in the window: students sign up in class behind the
    school's addresses, send the same exercises, then do homework from home."""
    rng = sub_rng(w.seed, "classroom")
    specs = [  # country, tz, size, local class days, hour, e-mail domain, pool, stack
        ("CL", -4.0, (35, 60), (0, 5), 10, "alumnos.umaule.cl", "class_cl", "chrome_win"),
        ("NG", 1.0, (25, 45), (2, 3), 10, None, "class_ng", "chrome_win"),
        ("PL", 2.0, (20, 32), (5, 7), 8, "zsl-gliwice.edu.pl", "class_pl", "chrome_win"),
    ]
    for cc, tz, size, days, hour, domain, pool, stack in specs:
        k = w.n(rng.integers(*size), 8)
        start = START + days[0] * DAY + int((hour - tz) * HOUR)
        created = start + rng.integers(2 * MIN, 80 * MIN, size=k)
        region = COUNTRIES[cc][1]
        emails = ([f"{'.'.join(w.text.name(rng, region))}@{domain}" for _ in range(k)]
                  if domain else None)
        school = [w.net.home(rng, cc) for _ in range(2)]
        acc = w.accounts(rng, k, "classroom", countries=cc, created=created,
                         email=emails, pay="none", path="education",
                         stack=pick(rng, [stack, "python", "chrome_mac"], k, p=[7, 2, 1]),
                         tier="free", declared="education")
        acc.tz[:] = tz
        lessons = []
        for d in days:
            t0 = START + d * DAY + int((hour - tz) * HOUR)
            per = rng.integers(3, 11, size=k)
            a = np.repeat(np.arange(k), per)
            ts = t0 + rng.integers(5 * MIN, 100 * MIN, size=len(a))
            lessons.append((a, ts))
        a = np.concatenate([x[0] for x in lessons])
        ts = np.concatenate([x[1] for x in lessons])
        ip = obj(school)[rng.integers(0, 2, size=len(a))]
        which = rng.integers(0, len(w.text.pool(pool)), size=len(a))
        prompt = w.text.fill(rng, pool, len(a), {}, which=which)
        x = w.text.exchange(rng, prompt, "r_code", out=(380.0, 0.6), max_tokens=0)
        w.emit(acc, a, ts, **x, model=OLD, ip=ip, turn=0)
        home = rng.integers(0, 4, size=k)
        ev = chat_sessions(w, rng, acc, home, profile="evening", turns=1.5, gap_s=90,
                           first_day=days[0] + 1)
        hp = w.text.fill(rng, pool, len(ev), {})
        hp = pc.if_else(pa.array(ev.turn > 0), w.text.pick(rng, "followup", len(ev)), hp)
        x = w.text.exchange(rng, hp, "r_code", out=(380.0, 0.6), max_tokens=0,
                            context=ev.turn * 300)
        ips = obj([w.net.ordinary(rng, cc) for _ in range(k)])[ev.a]
        model = adoption(w, rng, acc, ev.a, ev.ts, before={OLD: 1.0}, p=0.3, share=(0.5, 1),
                         lag_h=(2, 48))
        w.emit(acc, ev.a, ev.ts, **x, model=model, ip=ips, turn=ev.turn, conv=ev.conv)


def mooc_cohort(w: World) -> None:
    """Learners of an online prompt-engineering course: they sign up during the window and
    run the course notebook in a hosted notebook service (cloud addresses that change each
    runtime), the same templated exercises, a cheap model pinned by the course."""
    rng = sub_rng(w.seed, "mooc")
    n = w.n(400 * rng.uniform(0.85, 1.15), 15)
    codes = sorted(COUNTRIES)
    wts = np.array([COUNTRIES[c][3] * (3 if c in ("IN", "NG", "EG", "PK", "BR", "KE") else 1)
                    for c in codes])
    cs = [codes[i] for i in rng.choice(len(codes), size=n, p=wts / wts.sum())]
    created = START + (rng.random(n) ** 1.3 * (DAYS - 0.3) * DAY).astype(np.int64)
    acc = w.accounts(rng, n, "mooc_learner", countries=cs, created=created, pay="none",
                     stack=pick(rng, ["requests", "python"], n, p=[6, 4]), tier="free")
    per = 1 + rng.poisson(1.6, size=n)
    sess_acct = np.repeat(np.arange(n), per)
    starts = created[sess_acct] + (rng.exponential(20, size=len(sess_acct)) * HOUR).astype(
        np.int64) + 3 * MIN
    lengths = rng.integers(4, 16, size=len(sess_acct))
    # every session replays the notebook's cells in order, a few seconds apart
    sess, turn, ts = sessions(rng, starts, lengths, 25, 0.6)
    a = sess_acct[sess]
    m = len(a)
    which = turn % 8
    prompt = w.text.fill(rng, "mooc_t", m, {}, which=which)
    x = w.text.exchange(rng, prompt, "r_chat", out=(90.0, 0.6), max_tokens=256)
    model = adoption(w, rng, acc, a, ts, before={NANO: 0.8, OLD: 0.2}, p=0.2, share=(0.5, 1),
                     lag_h=(1, 60))
    runtime = obj([w.net.cloud(rng, "gcp") for _ in range(len(sess_acct))])
    w.emit(acc, a, ts, **x, model=model, ip=runtime[sess], temperature=0.7, turn=0, n=1)


def hackathon(w: World) -> None:
    """A weekend hackathon in Bengaluru: sign-ups on Saturday morning, venue Wi-Fi, the
    start-up programme's credits, 36 hours of building."""
    rng = sub_rng(w.seed, "hackathon")
    n = w.n(110 * rng.uniform(0.8, 1.2), 12)
    tz = 5.5
    kickoff = START + 2 * DAY + int((9 - tz) * HOUR)
    fresh = rng.random(n) < 0.75
    created = np.where(fresh, kickoff - HOUR + rng.integers(0, 4 * HOUR, size=n),
                       days_before(rng, n, 20, 500))
    venue = [w.net.home(rng, "IN") for _ in range(3)]
    acc = w.accounts(rng, n, "hackathon", countries="IN", created=created,
                     pay=[None if f else card(rng) for f in fresh],
                     path=["startup" if f else "direct" for f in fresh],
                     stack=pick(rng, ["python", "node", "node22", "curl", "chrome_mac"], n,
                                p=[5, 4, 2, 1, 2]),
                     tier=["free" if f else "pay_as_you_go" for f in fresh],
                     declared="startup")
    acc.tz[:] = tz
    per = rng.integers(4, 14, size=n)
    sess_acct = np.repeat(np.arange(n), per)
    starts = kickoff + (rng.beta(1.3, 1.6, size=len(sess_acct)) * 34 * HOUR).astype(np.int64)
    ev = chat_sessions(w, rng, acc, per, profile="flat", turns=3.0, gap_s=60, starts=starts)
    m = len(ev)
    r = rng.random(m)
    prompt = w.text.fill(rng, "hack_t", m, {})
    prompt = pc.if_else(pa.array(r < 0.35), code_questions(w, rng, m), prompt)
    prompt = pc.if_else(pa.array(r > 0.85), agent_turns(w, rng, ev.turn, ev.sess), prompt)
    x = w.text.exchange(rng, prompt, "r_code", out=(600.0, 0.8), max_tokens=4096,
                        context=ev.turn * 500)
    ip = obj(venue)[rng.integers(0, 3, size=m)]
    w.emit(acc, ev.a, ev.ts, **x, model=OLD, ip=ip, conv=ev.conv, turn=ev.turn,
           temperature=0.7, n=1)
    later = rng.integers(0, 3, size=n)
    ev2 = chat_sessions(w, rng, acc, later, profile="late", turns=1.0, gap_s=90, first_day=4)
    ordinary(w, rng, acc, ev2, own=0.2, adopt=(0.6, 0.5, 1.0, 0.0, 24.0))


def freelancers(w: World) -> None:
    """One person, several accounts (their own and one per client), one card and home."""
    rng = sub_rng(w.seed, "freelancer")
    people = w.n(45 * rng.uniform(0.85, 1.15), 4)
    for _ in range(people):
        k = int(rng.integers(2, 4))
        cc = str(rng.choice(["US", "GB", "BR", "IN", "PH", "PL", "ES", "NG", "UA", "AR"]))
        home = w.net.home(rng, cc)
        pm = card(rng)
        stack = str(rng.choice(["chrome_win", "chrome_mac", "python", "electron"]))
        ua, tls = client(rng, stack)
        first, last = w.text.name(rng, COUNTRIES[cc][1])
        emails = [f"{first}.{last}{int(rng.integers(1, 99))}@gmail.com"] + [
            f"{first}@{rng.choice(_CLIENTS)}.com" for _ in range(k - 1)]
        acc = w.accounts(rng, k, "freelancer", countries=cc, created=days_before(rng, k, 5, 800),
                         email=emails, pay=[pm] * k, ip=[home] * k, stack=stack)
        acc.ua[:] = ua
        acc.tls[:] = tls
        per = rng.integers(2, 14, size=k)
        ev = chat_sessions(w, rng, acc, per, profile="office", turns=1.5, gap_s=80)
        m = len(ev)
        prompt = w.text.fill(rng, "copy_t", m, {})
        prompt = pc.if_else(pa.array(rng.random(m) < 0.3), code_questions(w, rng, m), prompt)
        prompt = pc.if_else(pa.array(ev.turn > 0), w.text.pick(rng, "followup", m), prompt)
        x = w.text.exchange(rng, prompt, "r_chat", out=(260.0, 0.7), max_tokens=0,
                            context=ev.turn * 300)
        model = adoption(w, rng, acc, ev.a, ev.ts, before=plain_models(0.2), p=0.5,
                         share=(0.3, 1), lag_h=(3, 72))
        w.emit(acc, ev.a, ev.ts, **x, model=model, turn=ev.turn, conv=ev.conv, n=1)


def company_staff(w: World) -> None:
    """Employees with their own accounts in one organisation: one company card, the
    corporate domain, two or three egress addresses, the internal tool's client."""
    rng = sub_rng(w.seed, "company_staff")
    specs = [("Brightwater Logistics", "brightwater-logistics.nl", "NL", "dotnet", (20, 45)),
             ("Kumbh Analytics", "kumbh-analytics.in", "IN", "node", (15, 40)),
             ("Ferrovia Seguros", "ferroviaseguros.com.br", "BR", "java", (25, 55))]
    for name, domain, cc, stack, size in specs:
        k = w.n(rng.integers(*size), 5)
        org = w.new_id("org_", 12)
        egress = [w.net.cloud(rng, "azure") if cc == "NL" else w.net.home(rng, cc)
                  for _ in range(int(rng.integers(2, 4)))]
        region = COUNTRIES[cc][1]
        emails = [f"{'.'.join(w.text.name(rng, region))}@{domain}" for _ in range(k)]
        pm = card(rng)
        stacks = pick(rng, [stack, "chrome_win"], k, p=[85, 15])
        acc = w.accounts(rng, k, "company_staff", countries=cc,
                         created=days_before(rng, k, 20, 400), email=emails, pay=[pm] * k, org=org,
                         ip=[egress[0]] * k, stack=stacks, tier="enterprise", verified=True)
        per = rng.integers(3, 20, size=k)
        ev = chat_sessions(w, rng, acc, per, profile="office", turns=1.2, gap_s=100,
                           weekend=0.08)
        m = len(ev)
        prompt = w.text.fill(rng, "staff_t", m, {})
        prompt = pc.if_else(pa.array(ev.turn > 0), w.text.pick(rng, "followup", m), prompt)
        system = w.text.pool("sys_company")[0].replace("{org}", name)
        x = w.text.exchange(rng, prompt, "r_chat", out=(280.0, 0.7), max_tokens=2048,
                            system=system, context=ev.turn * 300)
        model = adoption(w, rng, acc, ev.a, ev.ts, before={OLD: 1.0}, p=0.4, share=(1, 1),
                         lag_h=(40, 80))
        ip = obj(egress)[rng.integers(0, len(egress), size=m)]
        w.emit(acc, ev.a, ev.ts, **x, model=model, turn=ev.turn, conv=ev.conv, ip=ip,
               temperature=0.3, n=1)


ALL = (casual, casual_mobile, release_tourists, developers, coding_agents, classrooms,
       mooc_cohort, hackathon, freelancers, company_staff)
