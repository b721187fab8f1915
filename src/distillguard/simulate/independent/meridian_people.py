"""Meridian's legitimate customers at a keyboard: consumers, developers, company staff, coding-agent
users, university classes and a hackathon (MERIDIAN.md has the table)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from distillguard.simulate.independent.meridian_text import B
from distillguard.simulate.independent.meridian_world import (
    AGENTS,
    BROWSERS,
    DAY_S,
    DEV_CC,
    HUMAN,
    MODELS,
    P3,
    PERSONA,
    SDKS,
    STUDENT,
    WORDS,
    WORK,
    World,
    as_singles,
    choose,
    company,
    dev_system,
    session_prompts,
    texts_at,
)


def g_casual(w: World) -> None:
    rng, n = w.rng, w.n(2150)
    ccs, power = w.countries(n), rng.random(n) < 0.1
    acc = []
    for i, cc in enumerate(ccs):
        ips = [w.res_ip(cc)] + ([w.mobile_ip(cc)] if rng.random() < 0.45 else [])
        if rng.random() < 0.1:
            ips.insert(0, w.pick(w.vpn))
        cl = [w.client(w.pick(BROWSERS) if rng.random() < 0.75 else w.pick(SDKS[:8]))]
        if rng.random() < 0.2:
            cl.append(w.client(w.pick(BROWSERS)))
        paid = bool(power[i] or rng.random() < 0.4)
        acc.append(
            w.account(
                "power_user" if power[i] else "casual_chat",
                email=w.email(cc),
                ips=ips,
                clients=cl,
                created=rng.uniform(0, 60 * 3600) if rng.random() < 0.04 else w.age(300),
                pay=w.card() if paid else None,
                tier="pay_as_you_go" if paid else "free",
            )
        )
    per_day = np.where(power, rng.lognormal(np.log(4), 0.4, n), rng.lognormal(np.log(0.6), 0.8, n))
    s_acc, s_start, loc = w.sessions(acc, [w.tz(c) for c in ccs], per_day, HUMAN)
    a, t, sid, pos = w.expand(
        s_acc, s_start, rng.geometric(np.where(power[loc], 1 / 6, 1 / 2.5)), 70
    )
    li = loc[sid]
    prompt, ctok, _ = session_prompts(
        w,
        pos,
        {
            "chat": 0.7,
            "code": 0.13,
            "math": 0.08,
            "mt1": 0.03,
            "vicuna": 0.03,
            "sensitive": 0.01,
            "cot": 0.02,
        },
        {"followup": 1},
    )
    w.emit(
        a,
        t,
        sid,
        pos,
        prompt,
        ctok,
        models={"meridian-3-pro": 0.45, "meridian-3-flash": 0.45, "meridian-3-mini": 0.1},
        adopt=(0.12, 10),
        system=texts_at(PERSONA, rng.choice(5, n, p=[0.5, 0.3, 0.08, 0.07, 0.05])[li]),
        temp=choose(w, [np.nan, 0.7, 1, 0.5, 0.2], n, [0.6, 0.2, 0.1, 0.05, 0.05])[li],
        max_tokens=choose(w, [-1, 1024, 2048, 4096, 8192], n, [0.5, 0.15, 0.15, 0.15, 0.05])[li],
        tools=np.where(rng.random(n) < 0.08, rng.integers(1, 3, n), 0)[li],
        refuse=0.012,
    )


def g_developer(w: World) -> None:
    rng, n = w.rng, w.n(700)
    ccs, acc, systems = w.countries(n, DEV_CC), [], []
    for cc in ccs:
        ips = (
            [w.res_ip(cc)]
            + ([w.res_ip(cc)] if rng.random() < 0.3 else [])
            + ([w.cloud_ip(w.pick(list(B["CLOUD"])))] if rng.random() < 0.2 else [])
        )
        cl = [w.client(w.pick(SDKS)) for _ in range(int(rng.integers(1, 4)))]
        paid = rng.random() < 0.85
        acc.append(
            w.account(
                "developer",
                email=w.email(cc),
                ips=ips,
                clients=cl,
                keys=int(rng.integers(1, 4)),
                created=rng.uniform(0, 60 * 3600) if rng.random() < 0.02 else w.age(400),
                pay=w.card() if paid else None,
                tier="pay_as_you_go" if paid else "free",
                declared=w.pick([None, None, "agent", "assistant", "prototype"]),
            )
        )
        systems.append(dev_system(w))
    s_acc, s_start, loc = w.sessions(
        acc, [w.tz(c) for c in ccs], rng.lognormal(np.log(1.3), 0.7, n), 0.7 * WORK + 0.3 * HUMAN
    )
    a, t, sid, pos = w.expand(s_acc, s_start, rng.geometric(1 / 9, len(s_acc)), 25)
    li, N = loc[sid], len(a)
    sid, pos = as_singles(sid, pos, rng.random(len(s_acc)) < 0.55)
    prompt, ctok, _ = session_prompts(
        w,
        pos,
        {
            "code": 0.38,
            "chat": 0.27,
            "tool": 0.14,
            "math": 0.05,
            "support": 0.05,
            "cot": 0.03,
            "b_review": 0.04,
            "synth": 0.02,
            "trace_code": 0.02,
        },
        {"followup": 0.8, "toolres": 0.2},
    )
    w.emit(
        a,
        t,
        sid,
        pos,
        prompt,
        ctok,
        models=P3,
        adopt=(0.25, 6),
        system=texts_at(systems, li),
        temp=choose(w, [np.nan, 0, 0.2, 0.5, 0.7, 1], N),
        max_tokens=choose(w, [-1, 256, 512, 1024, 4096], N),
        tools=np.where(rng.random(N) < 0.25, rng.integers(1, 7, N), 0),
        err=0.03,
    )


def g_company(w: World) -> None:
    """Companies with several staff accounts in one org: office egress, company card, own tool."""
    rng, acc, tz, org_of, sys_org = w.rng, [], [], [], []
    for o in range(w.n(100)):
        cc = w.countries(1, DEV_CC)[0]
        name, domain = company(w)
        office = w.res_net(cc)
        offices = [
            (f"{office}.{int(x)}", cc) for x in rng.integers(2, 254, int(rng.integers(2, 4)))
        ]
        size = min(1 + int(rng.geometric(1 / 4.5)), 16)
        ent = size > 6 or rng.random() < 0.25
        org, card, otz, born = w.uid("org_", 5), w.card(), w.tz(cc), w.age(600, lo=60)
        tool = w.client(
            (
                f"{domain.split('.')[0]}-assistant/1.{int(rng.integers(0, 9))} python-httpx/0.27.2",
                "python",
            )
        )
        sys_org.append(B["STAFF_SYS"].format(name=name))
        for _ in range(size):
            cl = [tool] + (
                [w.client(w.pick(SDKS[:6] + BROWSERS[:3]))] if rng.random() < 0.4 else []
            )
            acc.append(
                w.account(
                    "company_staff",
                    email=w.email(domain=domain, style=0),
                    ips=offices + ([w.res_ip(cc)] if rng.random() < 0.4 else []),
                    clients=cl,
                    org=org,
                    pay=card,
                    created=rng.uniform(born, -DAY_S),
                    tier="enterprise" if ent else "pay_as_you_go",
                    contract=bool(ent),
                    declared=w.pick([None, "assistant"]),
                    path="cloud" if o % 7 == 0 else "direct",
                )
            )
            tz.append(otz)
            org_of.append(o)
    s_acc, s_start, loc = w.sessions(acc, tz, rng.lognormal(np.log(1.8), 0.6, len(acc)), WORK)
    a, t, sid, pos = w.expand(s_acc, s_start, rng.geometric(1 / 4, len(s_acc)), 50)
    N, li = len(a), loc[sid]
    prompt, ctok, _ = session_prompts(
        w,
        pos,
        {
            "chat": 0.45,
            "code": 0.22,
            "support": 0.05,
            "tool": 0.1,
            "b_sum": 0.06,
            "math": 0.04,
            "synth": 0.03,
            "cot": 0.05,
        },
        {"followup": 1},
    )
    system = pc.if_else(
        pa.array(rng.random(len(s_acc))[sid] < 0.6),
        texts_at(sys_org, np.array(org_of)[li]),
        pa.nulls(N, pa.string()),
    )
    w.emit(
        a,
        t,
        sid,
        pos,
        prompt,
        ctok,
        models={"meridian-3-pro": 0.6, "meridian-3-flash": 0.4},
        adopt=(0.1, 24),
        system=system,
        temp=choose(w, [np.nan, 0.3], N),
        max_tokens=choose(w, [-1, 2048], N),
    )


def g_agent(w: World) -> None:
    """Developers driving coding agents: long tool loops, big contexts, quick move to new models."""
    rng, n = w.rng, w.n(200)
    ccs, acc, kind = (
        w.countries(n, DEV_CC),
        [],
        rng.choice(len(AGENTS), n, p=[0.45, 0.25, 0.1, 0.2]),
    )
    for cc, k in zip(ccs, kind, strict=True):
        cl = [w.client(AGENTS[k][:2])] + (
            [w.client(w.pick(AGENTS)[:2])] if rng.random() < 0.2 else []
        )
        acc.append(
            w.account(
                "coding_agent",
                email=w.email(cc),
                ips=[w.res_ip(cc)] + ([w.res_ip(cc)] if rng.random() < 0.4 else []),
                clients=cl,
                pay=w.card(),
                created=w.age(300),
                declared=w.pick([None, "agent", "coding"]),
            )
        )
    s_acc, s_start, loc = w.sessions(
        acc, [w.tz(c) for c in ccs], rng.lognormal(np.log(1.4), 0.6, n), 0.6 * WORK + 0.4 * HUMAN
    )
    a, t, sid, pos = w.expand(s_acc, s_start, rng.geometric(1 / 22, len(s_acc)), 7, 1.1)
    k = kind[loc[sid]]
    prompt, ctok, _ = session_prompts(
        w, pos, {"agent_code": 1}, {"toolres": 0.85, "followup": 0.15}
    )
    w.emit(
        a,
        t,
        sid,
        pos,
        prompt,
        ctok,
        models={"meridian-3-pro": 0.85, "meridian-3-flash": 0.15},
        adopt=(0.45, 4),
        system=texts_at([x[2] for x in AGENTS], k),
        sys_extra=2500,
        tools=np.array([x[3] for x in AGENTS])[k],
        max_tokens=np.array([x[4] for x in AGENTS])[k],
        temp=np.where(k == 2, 0, np.nan),
        err=0.01,
        refuse=0.002,
    )


UNIS = [
    ("US", "northfield.edu", "s{n}@student.{d}", 2412000, 110),
    ("IN", "vidyapeeth.ac.in", "{n}@{d}", 22103000, 90),
    ("BR", "unisul-tech.edu.br", "a{n}@aluno.{d}", 202500000, 60),
    ("GB", "kingsbridge.ac.uk", "k{n}@{d}", 2300000, 55),
    ("KR", "hanbit.ac.kr", "{n}@stu.{d}", 20250000, 45),
]


def g_university(w: World) -> None:
    """Classes: roster imported at once, serial e-mails, one campus NAT, one lab assignment."""
    rng, T = w.rng, w.T
    for cc, domain, fmt, base, size in UNIS:
        size, tz, org = w.n(size), w.tz(cc), w.uid("org_", 5)
        nat = w.res_net(cc)
        campus = [(f"{nat}.{int(x)}", cc) for x in rng.integers(2, 254, 2)]
        nums, born = (
            base + np.sort(rng.choice(3000, size, replace=False)),
            -DAY_S * rng.uniform(20, 50),
        )
        hub = w.client(("meridian-python/1.8.2", "python"))
        acc = np.array(
            [
                w.account(
                    "university_class",
                    email=fmt.format(n=int(x), d=domain),
                    ips=[*campus, w.res_ip(cc)],
                    clients=[hub, w.client(w.pick(BROWSERS))],
                    org=org,
                    created=born + i * rng.uniform(1, 4),
                    path="education",
                    tier="free",
                    verified=True,
                    declared="education",
                )
                for i, x in enumerate(nums)
            ]
        )
        assignment, _, _ = T.mix(6, {"code": 0.6, "math": 0.4})
        slots = [
            d * DAY_S + (h - tz) * 3600
            for d, h in zip(
                rng.choice(3, 2, replace=False), rng.choice([9, 11, 14, 16], 2), strict=True
            )
        ]
        present = [acc[rng.random(size) < 0.85] for _ in slots]
        s_acc = np.concatenate(present)
        s_start = np.concatenate(
            [s + rng.uniform(0, 2400, len(p)) for s, p in zip(slots, present, strict=True)]
        )
        a, t, sid, pos = w.expand(s_acc, s_start, rng.geometric(1 / 6, len(s_acc)), 75)
        sid, pos = as_singles(sid, pos, rng.random(len(s_acc)) < 0.5)
        N = len(a)
        ask = T.wrap(
            N,
            B["CLASS_ASK"],
            assignment.take(pa.array(rng.integers(0, 6, N))),
        )
        prompt = pc.if_else(pa.array(pos == 0), ask, T.get("followup", N))
        w.emit(
            a,
            t,
            sid,
            pos,
            prompt,
            T.ctok("code", N),
            models=MODELS.index("meridian-3-flash"),
            temp=0.7,
            max_tokens=1024,
            ip_slot=rng.integers(0, 2, N),
            cl_slot=0,
        )
        h_acc, h_start, _ = w.sessions(acc, np.full(size, tz), 0.5, STUDENT)
        a, t, sid, pos = w.expand(h_acc, h_start, rng.geometric(1 / 3, len(h_acc)), 80)
        N = len(a)
        own, ctok, _ = session_prompts(w, pos, {"chat": 0.6, "code": 0.4}, {"followup": 1})
        first = pc.if_else(
            pa.array(rng.random(N) < 0.5), assignment.take(pa.array(rng.integers(0, 6, N))), own
        )
        w.emit(
            a,
            t,
            sid,
            pos,
            pc.if_else(pa.array(pos == 0), first, own),
            ctok,
            models={"meridian-3-flash": 0.8, "meridian-3-pro": 0.2},
            ip_slot=2,
            cl_slot=1,
        )


def g_hackathon(w: World) -> None:
    """A hackathon: ~120 accounts created one morning at one venue, agents and tools, all night."""
    rng = w.rng
    venue = w.v4("87.123." + str(int(rng.integers(0, 256)))).rsplit(".", 1)[0]
    venue_ips = [(f"{venue}.{int(x)}", "DE") for x in rng.integers(2, 254, 2)]
    end = 65 * 3600
    acc, team, systems, tools = [], [], [], []
    i = 0
    n = w.n(120)
    while i < n:
        size = int(rng.integers(3, 6))
        systems.append(
            f"You are {w.pick(WORDS).title()}, an agent that {w.pick(B['HACK_IDEA'])}. "
            "Use the tools when needed and keep answers short."
        )
        tools.append(int(rng.integers(2, 9)))
        for _ in range(min(size, n - i)):
            cc = w.pick(["DE"] * 6 + ["FR", "NL", "PL", "GB", "ES", "IT"])
            acc.append(
                w.account(
                    "hackathon",
                    email=w.email(cc),
                    ips=[*venue_ips, w.mobile_ip(cc)],
                    clients=[w.client(w.pick(SDKS[:4])), w.client(w.pick(BROWSERS))],
                    path="startup",
                    tier="free",
                    verified=False,
                    declared=w.pick(["agent", None]),
                    created=32 * 3600 + rng.uniform(0, 9000),
                )
            )
            team.append(len(systems) - 1)
            i += 1
    team_a = np.array(team)
    hack = np.where((np.arange(24) >= 3) & (np.arange(24) < 7), 0.3, 1.0)
    s_acc, s_start, loc = w.sessions(acc, np.ones(len(acc)), 12, hack, hi=end)
    a, t, sid, pos = w.expand(s_acc, s_start, rng.geometric(1 / 5, len(s_acc)), 25)
    N, tm = len(a), team_a[loc[sid]]
    prompt, ctok, _ = session_prompts(
        w,
        pos,
        {"code": 0.4, "tool": 0.3, "agent_code": 0.1, "chat": 0.2},
        {"followup": 0.6, "toolres": 0.4},
    )
    w.emit(
        a,
        t,
        sid,
        pos,
        prompt,
        ctok,
        models={"meridian-3-pro": 0.5, "meridian-3-flash": 0.5},
        adopt=(0.55, 1.5),
        system=pc.if_else(
            pa.array(rng.random(N) < 0.8), texts_at(systems, tm), pa.nulls(N, pa.string())
        ),
        tools=np.array(tools)[tm],
        ip_slot=np.where(rng.random(N) < 0.85, rng.integers(0, 2, N), 2),
        err=0.02,
    )
