"""Larkspur's legitimate customers (see LARKSPUR.md): one function per group."""

from __future__ import annotations

import numpy as np

from .larkspur_kit import (
    COUNTRIES,
    DAY,
    END,
    FLASH,
    HOUR,
    LOCAL_LANG,
    MINUTE,
    NEW,
    OLD,
    PEOPLE_MIX,
    START,
    US,
    Accounts,
    Obj,
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


def draw_countries(rng: np.random.Generator, n: int, mix: dict[str, float] | None = None) -> Obj:
    mix = mix or PEOPLE_MIX
    names = list(mix)
    p = np.asarray([mix[c] for c in names], float)
    return np.asarray(names, object)[rng.choice(len(names), size=n, p=p / p.sum())]


def consumer_ips(
    w: World, rng: np.random.Generator, countries: Obj, nat_share: float, vpn: Obj
) -> Obj:
    """Slots: home, home, phone (carrier NAT), elsewhere (a VPN exit or a second home)."""
    n = len(countries)
    home = home_ips(rng, countries)
    nat = np.array([w.nat[c][rng.integers(6)] for c in countries], object)
    on_nat = rng.random(n) < nat_share
    first = where(on_nat, nat, home)
    other = where(rng.random(n) < 0.12, vpn[rng.integers(0, len(vpn), n)], home_ips(rng, countries))
    return np.stack([first, first, nat, other], axis=1)


def vpn_exits(w: World) -> Obj:
    return cloud_ips(w.rng("vpn"), "vps", 14)


def people(
    w: World,
    rng: np.random.Generator,
    n: int,
    archetype: str,
    *,
    stacks: list[str],
    weights: list[float],
    nat_share: float,
    free_share: float,
    created: np.ndarray,
    countries: Obj | None = None,
    path: str = "direct",
) -> Accounts:
    countries = countries if countries is not None else draw_countries(rng, n)
    ua, tls = stack_pick(rng, stacks, weights, n)
    ua2, tls2 = stack_pick(rng, stacks, weights, n)
    free = rng.random(n) < free_share
    pay = where(free, None, payments(rng, n))
    return w.accounts(
        rng,
        n,
        archetype,
        created=created,
        country=countries,
        pay=pay,
        tier=where(free, "free", "pay_as_you_go").astype(object),
        path=path,
        ip=consumer_ips(w, rng, countries, nat_share, vpn_exits(w)),
        ua=np.stack([ua, ua2], 1),
        tls=np.stack([tls, tls2], 1),
        keys=rng.integers(1, 3, n),
        verified=rng.random(n) < 0.5,
    )


def chat(
    w: World,
    rng: np.random.Generator,
    acc: Accounts,
    sessions: np.ndarray,
    *,
    profile: str,
    turns_mean: float,
    p_new: float,
    p_flash: float = 0.1,
    system_share: float = 0.5,
    code_share: float = 0.1,
    local_share: float = 0.4,
    ip_p: list[float] | None = None,
    gap_s: float = 70.0,
    lo: np.ndarray | None = None,
    hi: np.ndarray | None = None,
    ramp_h: float = 48.0,
) -> None:
    """Ordinary chat: sessions of a few turns, growing context, mixed questions."""
    owner = np.repeat(np.arange(acc.n), sessions)
    starts = session_starts(
        rng,
        acc,
        owner,
        profile,
        None if lo is None else lo[owner],
        None if hi is None else hi[owner],
    )
    turns = np.minimum(1 + rng.geometric(1 / turns_mean, len(owner)) - 1, 30)
    rep, t, turn = expand(rng, starts, turns, gap_s)
    idx = owner[rep]
    m = len(idx)
    u = rng.random(m)
    prompt = w.text.chat_mix(rng, m)
    prompt = where(u < code_share, w.text.code_mix(rng, m), prompt)
    local = (
        np.isin(acc.country[idx], list(LOCAL_LANG)) & (rng.random(m) < local_share) & (turn == 0)
    )
    prompt = where(local, w.text.pick(rng, "local_chat", m), prompt)
    follow = (turn > 0) & (rng.random(m) < 0.6)
    followups = np.asarray(
        [
            "Can you make it shorter?",
            "Thanks! Can you give another example?",
            "What about the second point?",
            "ok and in more detail?",
            "Rewrite that in a friendlier tone.",
            "Why?",
            "Can you make a table?",
        ],
        object,
    )
    prompt = where(follow, followups[rng.integers(0, len(followups), m)], prompt)
    has_sys = rng.random(acc.n) < system_share
    sysp = where(has_sys[idx], w.text.pick(rng, "systems", m), None)
    conv = hexids(rng, len(starts), "conv_", 16)[rep]
    model = models_for(rng, w, t, p_new=p_new, p_flash=p_flash, ramp_h=ramp_h)
    kind = "chat"
    w.emit(
        acc,
        rng,
        idx,
        t,
        prompt=prompt,
        kind=kind,
        model=model,
        system=sysp,
        conv=conv,
        turn=turn,
        out_tokens=lognorm(rng, 380, 0.7, m),
        history=turn * 420,
        max_tokens=where(rng.random(m) < 0.5, -1, 4096),
        temperature=where(rng.random(m) < 0.6, 1.0, 0.7),
        ip_p=ip_p,
    )


def casual(w: World) -> None:
    rng = w.rng("casual")
    n = w.count(rng, 1900, 2200, 60)
    acc = people(
        w,
        rng,
        n,
        "casual",
        stacks=["py_sdk", "chrome", "node_sdk", "safari", "requests"],
        weights=[0.34, 0.3, 0.16, 0.1, 0.1],
        nat_share=0.12,
        free_share=0.55,
        created=created_before(rng, n, 260),
    )
    chat(
        w,
        rng,
        acc,
        rng.poisson(3.2, n) + 1,
        profile="evening",
        turns_mean=3.2,
        p_new=0.35,
        ip_p=[0.55, 0.2, 0.15, 0.1],
    )


def mobile(w: World) -> None:
    """Phone users of third-party chat apps: carrier NAT addresses shared by everyone."""
    rng = w.rng("mobile")
    n = w.count(rng, 750, 950, 30)
    acc = people(
        w,
        rng,
        n,
        "mobile_casual",
        stacks=["ios", "android"],
        weights=[0.55, 0.45],
        nat_share=0.85,
        free_share=0.7,
        created=created_before(rng, n, 200),
    )
    chat(
        w,
        rng,
        acc,
        rng.poisson(2.5, n) + 1,
        profile="evening",
        turns_mean=2.5,
        p_new=0.2,
        system_share=0.8,
        ip_p=[0.5, 0.2, 0.3, 0.0],
        gap_s=50,
    )


def release_tourists(w: World) -> None:
    """People who sign up in the two days after the release to try the new model."""
    rng = w.rng("tourists")
    n = w.count(rng, 200, 300, 10)
    created = w.release + (rng.exponential(14, n) * HOUR).astype(np.int64)
    acc = people(
        w,
        rng,
        n,
        "release_tourist",
        stacks=["chrome", "py_sdk", "safari", "node_sdk"],
        weights=[0.4, 0.35, 0.15, 0.1],
        nat_share=0.15,
        free_share=0.7,
        created=created,
    )
    lo = acc.created + 2 * MINUTE
    chat(
        w,
        rng,
        acc,
        rng.poisson(2.0, n) + 1,
        profile="flat",
        turns_mean=2.5,
        p_new=0.95,
        p_flash=0.0,
        lo=lo,
        hi=np.minimum(lo + 3 * DAY, END),
        ramp_h=0.1,
    )


def developers(w: World) -> None:
    rng = w.rng("developers")
    n = w.count(rng, 340, 420, 15)
    countries = draw_countries(rng, n)
    ua, tls = stack_pick(
        rng, ["py_sdk", "node_sdk", "httpx", "curl", "langchain"], [0.45, 0.25, 0.1, 0.08, 0.12], n
    )
    ua2, tls2 = stack_pick(rng, ["py_sdk", "node_sdk", "curl"], [0.5, 0.3, 0.2], n)
    home = home_ips(rng, countries)
    box = cloud_ips(rng, "aws", n)
    ips = np.stack([home, home, where(rng.random(n) < 0.4, box, home), home_ips(rng, countries)], 1)
    acc = w.accounts(
        rng,
        n,
        "developer",
        created=created_before(rng, n, 300),
        country=countries,
        pay=payments(rng, n),
        ip=ips,
        ua=np.stack([ua, ua2], 1),
        tls=np.stack([tls, tls2], 1),
        keys=rng.integers(1, 4, n),
        verified=rng.random(n) < 0.6,
    )
    sessions = rng.poisson(7, n) + 1
    owner = np.repeat(np.arange(n), sessions)
    starts = session_starts(rng, acc, owner, "office")
    turns = np.minimum(rng.geometric(1 / 7, len(owner)), 40)
    rep, t, turn = expand(rng, starts, turns, 40)
    idx = owner[rep]
    m = len(idx)
    prompt = where(rng.random(m) < 0.75, w.text.code_mix(rng, m), w.text.chat_mix(rng, m))
    sysp = where(rng.random(m) < 0.6, w.text.pick(rng, "dev_systems", m), None)
    w.emit(
        acc,
        rng,
        idx,
        t,
        prompt=prompt,
        kind="code",
        model=models_for(rng, w, t, p_new=0.6, p_flash=0.15, ramp_h=10),
        system=sysp,
        conv=hexids(rng, len(starts), "conv_", 16)[rep],
        turn=turn,
        history=turn * 250,
        out_tokens=lognorm(rng, 450, 0.8, m),
        max_tokens=where(rng.random(m) < 0.4, -1, 2048),
        temperature=where(rng.random(m) < 0.5, 0.2, 1.0),
        ip_p=[0.5, 0.2, 0.2, 0.1],
        ua_p=0.15,
        err=0.02,
    )


def coding_agents(w: World) -> None:
    """A terminal coding agent: long sessions, many tools, 32k max_tokens, long outputs."""
    rng = w.rng("coding-agents")
    n = w.count(rng, 110, 150, 6)
    countries = draw_countries(
        rng,
        n,
        {
            "US": 0.45,
            "DE": 0.1,
            "GB": 0.1,
            "IN": 0.1,
            "CA": 0.05,
            "FR": 0.05,
            "JP": 0.05,
            "BR": 0.05,
            "PL": 0.05,
        },
    )
    ua, tls = stack_pick(rng, ["agent_cli"], [1.0], n)
    home = home_ips(rng, countries)
    ci = cloud_ips(rng, "azure", n)
    has_ci = rng.random(n) < 0.3
    acc = w.accounts(
        rng,
        n,
        "coding_agent",
        created=created_before(rng, n, 240),
        country=countries,
        pay=payments(rng, n),
        ip=np.stack([home, home, home_ips(rng, countries), ci], 1),
        ua=ua,
        tls=tls,
        keys=rng.integers(1, 3, n),
        verified=True,
        declared="agent",
    )
    sessions = rng.poisson(9, n) + 2
    owner = np.repeat(np.arange(n), sessions)
    starts = session_starts(rng, acc, owner, "office")
    turns = np.minimum(rng.geometric(1 / 16, len(owner)) + 2, 90)
    rep, t, turn = expand(rng, starts, turns, 35, 3)
    idx = owner[rep]
    m = len(idx)
    first = turn == 0
    prompt = where(first, w.text.pick(rng, "agent_tasks", m), w.text.pick(rng, "agent_tasks", m))
    ci_ev = has_ci[idx] & (rng.random(m) < 0.35)
    # CI runs: round the clock from Azure
    t = where(ci_ev, START + (rng.random(m) * (END - START)).astype(np.int64), t)
    ip = where(ci_ev, acc.ip[idx, 3], acc.ip[idx, rng.integers(0, 3, m)])
    w.emit(
        acc,
        rng,
        idx,
        t,
        prompt=prompt,
        kind="agent",
        model=models_for(rng, w, t, p_new=0.7, ramp_h=6),
        system=w.text.pick(rng, "agent_system", 1)[0],
        conv=hexids(rng, len(starts), "conv_", 16)[rep],
        turn=turn,
        history=np.minimum(turn * 2600, 150000),
        tools=rng.integers(10, 25, acc.n)[idx],
        max_tokens=where(rng.random(acc.n) < 0.5, 32000, 16000)[idx],
        out_tokens=lognorm(rng, 1800, 0.9, m, hi=32000),
        temperature=1.0,
        ip=ip,
        err=0.025,
    )


def classroom(w: World) -> None:
    """Three classes: sign-up during a lesson behind two university addresses."""
    rng = w.rng("classroom")
    unis = [
        ("US", "tcnj.edu", "128.235.14"),
        ("DE", "uni-kassel.de", "141.51.22"),
        ("IN", "iitm.ac.in", "14.139.160"),
    ]
    for k, (country, domain, net) in enumerate(unis):
        n = w.count(rng, 25, 60, 8)
        lesson = START + int(rng.integers(0, 6)) * DAY + (9 + k * 2 - COUNTRIES[country][0]) * HOUR
        created = lesson + (rng.random(n) * 80 * MINUTE).astype(np.int64)
        countries = _cols(n, country)
        nat = subnet_ips(rng, net, 2)
        home = home_ips(rng, countries)
        ua, tls = stack_pick(rng, ["chrome", "py_sdk"], [0.5, 0.5], n)
        email = cat(
            np.asarray([f"s{x}" for x in rng.integers(100000, 999999, n)], object),
            "@" + ("stud." if k == 1 else "") + domain,
        )
        acc = w.accounts(
            rng,
            n,
            "classroom",
            created=created,
            country=countries,
            path="education",
            tier="free",
            email=email,
            org=_cols(n, hexids(rng, 1, "org_", 12)[0]),
            ip=np.stack([nat[rng.integers(0, 2, n)], nat[rng.integers(0, 2, n)], home, home], 1),
            ua=ua,
            tls=tls,
            verified=True,
            declared="education",
        )
        # in class: every student within the lesson's 80 minutes, the same exercises
        per = rng.integers(6, 14, n)
        idx = np.repeat(np.arange(n), per)
        m = len(idx)
        t = acc.created[idx] + (rng.random(m) * 75 * MINUTE).astype(np.int64) + MINUTE
        ex = w.text.pick(rng, "classroom", m)
        w.emit(
            acc,
            rng,
            idx,
            t,
            prompt=ex,
            kind="code",
            model=OLD,
            system=None,
            out_tokens=lognorm(rng, 350, 0.5, m),
            ip=acc.ip[idx, rng.integers(0, 2, m)],
            temperature=1.0,
        )
        # homework from home, the evenings after
        chat(
            w,
            rng,
            acc,
            rng.poisson(3, n),
            profile="student",
            turns_mean=3,
            p_new=0.3,
            code_share=0.6,
            system_share=0.0,
            ip_p=[0.05, 0.05, 0.45, 0.45],
        )


def hackathon(w: World) -> None:
    """A weekend hackathon: accounts created within hours Friday evening, venue Wi-Fi."""
    rng = w.rng("hackathon")
    n = w.count(rng, 80, 140, 10)
    kick = START + 2 * DAY + (17 + 5) * HOUR  # Friday 17:00 US Eastern
    created = kick + (rng.exponential(1.5, n) * HOUR).astype(np.int64)
    countries = _cols(n, "US")
    venue = subnet_ips(rng, "38.122.5", 3)
    ua, tls = stack_pick(rng, ["py_sdk", "node_sdk", "langchain"], [0.5, 0.35, 0.15], n)
    acc = w.accounts(
        rng,
        n,
        "hackathon",
        created=created,
        country=countries,
        path="startup",
        tier="free",
        ip=np.stack([venue[rng.integers(0, 3, n)]] * 2 + [home_ips(rng, countries)] * 2, 1),
        ua=ua,
        tls=tls,
        declared="startup",
    )
    per = lognorm(rng, 50, 0.9, n, 3, 600)
    idx = np.repeat(np.arange(n), per)
    m = len(idx)
    t = acc.created[idx] + (rng.random(m) ** 0.8 * 40 * HOUR).astype(np.int64)
    u = rng.random(m)
    prompt = where(
        u < 0.5,
        w.text.code_mix(rng, m),
        where(u < 0.75, w.text.pick(rng, "tool_tasks", m), w.text.chat_mix(rng, m)),
    )
    w.emit(
        acc,
        rng,
        idx,
        t,
        prompt=prompt,
        kind="code",
        model=OLD,
        system=where(rng.random(m) < 0.5, "You are a helpful assistant.", None),
        out_tokens=lognorm(rng, 500, 0.8, m),
        tools=where(u >= 0.5, rng.integers(0, 6, m), 0),
        ip=acc.ip[idx, where(rng.random(m) < 0.85, 0, 2)],
        temperature=0.7,
        err=0.02,
    )


def cron(w: World) -> None:
    """Scripts at minute 0 of every hour, every 15/30 minutes, or once a day."""
    rng = w.rng("cron")
    n = w.count(rng, 30, 45, 4)
    countries = draw_countries(rng, n)
    ua, tls = stack_pick(
        rng, ["requests", "py_sdk", "curl", "node_sdk"], [0.35, 0.35, 0.15, 0.15], n
    )
    ip = where(rng.random(n) < 0.6, cloud_ips(rng, "vps", n), home_ips(rng, countries))
    acc = w.accounts(
        rng,
        n,
        "cron",
        created=created_before(rng, n, 400),
        country=countries,
        pay=payments(rng, n),
        ip=ip,
        ua=ua,
        tls=tls,
        declared="cron",
    )
    tasks = np.asarray(
        [
            "Summarise these headlines in 3 bullet points:\n",
            "Write today's haiku about ",
            "Classify the following log lines as normal or anomalous:\n",
            "Draft a one-paragraph standup summary from these commits:\n",
            "Translate this weather report into Spanish:\n",
        ],
        object,
    )
    fills = w.text.pick(rng, "topics", 200)
    for i in range(n):
        period = [60, 60, 15, 30, 1440][rng.integers(5)] * MINUTE
        jitter = int(rng.integers(0, 4)) * US
        offset = 0 if period < 1440 * MINUTE else int(rng.integers(5, 9)) * HOUR
        ticks = START + offset + np.arange(0, (END - START) // period) * period + jitter
        ticks = ticks + rng.integers(0, 900_000, len(ticks))
        m = len(ticks)
        task = tasks[rng.integers(0, len(tasks))]
        w.emit(
            acc,
            rng,
            np.full(m, i),
            ticks,
            prompt=cat(task, fills[rng.integers(0, 200, m)]),
            kind="short",
            model=FLASH if rng.random() < 0.6 else OLD,
            out_tokens=lognorm(rng, 120, 0.3, m),
            temperature=0.3,
            max_tokens=512,
            err=0.01,
        )


def benchmark_labs(w: World) -> None:
    """Research labs re-running public benchmarks: temperature 0, step by step, then the new
    model within hours of its release."""
    rng = w.rng("benchmark")
    labs = [
        ("US", "cs.stanford.edu", "171.64.68"),
        ("GB", "ox.ac.uk", "163.1.88"),
        ("KR", "kaist.ac.kr", "143.248.12"),
        ("DE", "tum.de", "131.159.20"),
    ]
    for li, (country, domain, net) in enumerate(labs[: 2 + int(rng.integers(0, 3))]):
        n = int(rng.integers(2, 4))
        countries = _cols(n, country)
        ua, tls = stack_pick(rng, ["py_sdk", "httpx"], [0.7, 0.3], n)
        acc = w.accounts(
            rng,
            n,
            "benchmark_lab",
            created=created_before(rng, n, 200, 20),
            country=countries,
            path="research",
            pay=_cols(n, payments(rng, 1)[0]),
            org=_cols(n, hexids(rng, 1, "org_", 12)[0]),
            email=person_emails(rng, countries, domain=domain),
            ip=subnet_ips(rng, net, n),
            ua=ua,
            tls=tls,
            verified=True,
            declared="benchmark",
        )
        for i in range(n):
            runs = [(w.release + int(rng.uniform(1, 20) * HOUR), NEW, int(rng.integers(800, 1500)))]
            runs += [(START + int(rng.uniform(0, 5) * DAY), OLD, int(rng.integers(150, 500)))]
            runs += [
                (w.release + int(rng.uniform(24, 72) * HOUR), NEW, int(rng.integers(300, 900)))
            ]
            for t0, model, size in runs:
                conc = rng.uniform(0.4, 3.0)
                t = t0 + (np.cumsum(rng.exponential(conc, size)) * US).astype(np.int64)
                suite = rng.integers(3)
                if suite == 0:
                    prompt = cat(w.text.math(rng, size), "\nLet's think step by step.")
                    kind, temp, nn = "reason", 0.0, 1
                elif suite == 1:
                    prompt = cat(
                        "Answer the following multiple choice question about ",
                        w.text.pick(rng, "domains", size),
                        ". Think step by step, then give the letter.\n",
                        w.text.pick(rng, "reason_items", size),
                    )
                    kind, temp, nn = "reason", 0.0, 1
                else:
                    prompt = cat(
                        "Complete the following Python function.\n",
                        w.text.pick(rng, "coding", size),
                    )
                    kind, temp, nn = "code", 0.8, 5
                w.emit(
                    acc,
                    rng,
                    np.full(size, i),
                    t,
                    prompt=prompt,
                    kind=kind,
                    model=model,
                    out_tokens=lognorm(rng, 420, 0.5, size),
                    temperature=temp,
                    n=nn,
                    max_tokens=2048,
                    system=None,
                    key_p=[1, 0, 0],
                    err=0.004,
                )
        del li


def synthetic_vendor(w: World) -> None:
    """Contracted synthetic-data vendors: long generation jobs at temperature 1."""
    rng = w.rng("synthetic")
    for v, (country, dom) in enumerate([("US", "datacurve.ai"), ("GB", "loomdata.co.uk")]):
        n = int(rng.integers(2, 4))
        countries = _cols(n, country)
        ua, tls = stack_pick(rng, ["py_sdk"], [1.0], n)
        acc = w.accounts(
            rng,
            n,
            "synthetic_data_vendor",
            created=created_before(rng, n, 300, 60),
            country=countries,
            tier="enterprise",
            pay=_cols(n, payments(rng, 1)[0]),
            org=_cols(n, hexids(rng, 1, "org_", 12)[0]),
            email=person_emails(rng, countries, domain=dom, style="corp"),
            ip=cloud_ips(rng, "gcp", 4)[None, :].repeat(n, 0),
            ua=ua,
            tls=tls,
            keys=3,
            verified=True,
            declared="synthetic_data",
            contract=True,
        )
        for i in range(n):
            for _ in range(int(rng.integers(3, 7))):
                t0 = START + int(rng.uniform(0, 8.5) * DAY)
                size = int(rng.integers(250, 700))
                t = t0 + (np.cumsum(rng.exponential(3.0, size)) * US).astype(np.int64)
                u = rng.random(size)
                prompt = where(
                    u < 0.4,
                    cat(
                        "Write a realistic customer support dialogue about: ",
                        w.text.pick(rng, "support", size),
                    ),
                    where(
                        u < 0.7,
                        cat(
                            "Generate a varied, difficult exam question with a worked solution on ",
                            w.text.pick(rng, "domains", size),
                        ),
                        cat(
                            "Create a diverse instruction and a high-quality response about ",
                            w.text.pick(rng, "topics", size),
                        ),
                    ),
                )
                w.emit(
                    acc,
                    rng,
                    np.full(size, i),
                    t,
                    prompt=prompt,
                    kind="reason",
                    model=models_for(rng, w, t, p_new=0.5, ramp_h=48),
                    system="You generate training data. Follow the spec exactly.",
                    out_tokens=lognorm(rng, 900, 0.5, size),
                    temperature=1.0,
                    n=rng.integers(1, 5, size),
                    max_tokens=4096,
                )
        del v


def enterprise_batch(w: World) -> None:
    """Nightly batch jobs: one template, short outputs, flash model, temperature 0."""
    rng = w.rng("batch")
    for c in range(int(rng.integers(3, 5))):
        n = int(rng.integers(1, 3))
        country = ["US", "DE", "GB", "JP", "NL"][c]
        countries = _cols(n, country)
        ua, tls = stack_pick(rng, ["java", "py_sdk", "go"], [0.4, 0.4, 0.2], 1)
        acc = w.accounts(
            rng,
            n,
            "enterprise_batch",
            created=created_before(rng, n, 500, 90),
            country=countries,
            tier="enterprise",
            pay=_cols(n, payments(rng, 1)[0]),
            org=_cols(n, hexids(rng, 1, "org_", 12)[0]),
            email=person_emails(rng, countries, domain=f"corp{c}-group.com", style="corp"),
            ip=cloud_ips(rng, "aws", 3)[None, :].repeat(n, 0),
            ua=np.repeat(ua, n),
            tls=np.repeat(tls, n),
            verified=True,
            declared="batch",
            contract=True,
        )
        tmpl = int(rng.integers(0, 4))
        pre = w.text.pool["batch_templates_pre"][tmpl]
        use_t0 = "t0" in w.text.pool and rng.random() < 0.5
        for i in range(n):
            for d in range(9):
                size = int(rng.integers(200, 800))
                t0 = START + d * DAY + int((1 - COUNTRIES[country][0] + rng.uniform(0, 2)) * HOUR)
                t = t0 + (np.arange(size) * rng.uniform(2.5, 4.0) * US).astype(np.int64)
                body = (
                    w.text.pick(rng, "t0", size)
                    if use_t0
                    else cat(
                        pre,
                        w.text.pick(rng, "batch_fills", size),
                        " #",
                        istr(rng.integers(1, 10**6, size)),
                    )
                )
                w.emit(
                    acc,
                    rng,
                    np.full(size, i),
                    t,
                    prompt=body,
                    kind="short",
                    model=FLASH,
                    out_tokens=rng.integers(1, 12, size),
                    temperature=0.0,
                    max_tokens=16,
                    system=None,
                    key_p=[1, 0, 0],
                    err=0.003,
                    refuse=0.0,
                )


def resellers(w: World) -> None:
    """Declared routers serving many end users from one account."""
    rng = w.rng("resellers")
    for r in range(3):
        n = int(rng.integers(1, 3))
        countries = _cols(n, ["US", "SG", "DE"][r])
        ua, tls = stack_pick(rng, ["go", "node_sdk", "py_sdk"][r : r + 1], [1.0], n)
        acc = w.accounts(
            rng,
            n,
            "declared_reseller",
            created=created_before(rng, n, 400, 60),
            country=countries,
            path="reseller",
            tier="enterprise",
            pay=_cols(n, payments(rng, 1)[0]),
            org=_cols(n, hexids(rng, 1, "org_", 12)[0]),
            ip=cloud_ips(rng, "aws", 4)[None, :].repeat(n, 0),
            ua=ua,
            tls=tls,
            keys=3,
            verified=True,
            declared="reseller",
            contract=True,
        )
        for i in range(n):
            size = int(rng.integers(2500, 5000))
            owner = np.zeros(size, np.int64) + i
            t = session_starts(rng, acc, owner, "flat")
            t = where(t < 0, START + (rng.random(size) * (END - START)).astype(np.int64), t)
            u = rng.random(size)
            prompt = where(
                u < 0.55,
                w.text.chat_mix(rng, size),
                where(
                    u < 0.8,
                    w.text.code_mix(rng, size),
                    where(u < 0.9, w.text.math(rng, size), w.text.pick(rng, "tool_tasks", size)),
                ),
            )
            sysp = where(
                rng.random(size) < 0.5,
                w.text.pick(rng, "systems", size),
                where(rng.random(size) < 0.4, w.text.pick(rng, "agent_system", size), None),
            )
            w.emit(
                acc,
                rng,
                owner,
                t,
                prompt=prompt,
                kind="chat",
                model=models_for(rng, w, t, p_new=0.45, p_flash=0.3, ramp_h=12),
                system=sysp,
                out_tokens=lognorm(rng, 500, 0.9, size),
                temperature=rng.choice([0.0, 0.3, 0.7, 1.0], size),
                max_tokens=rng.choice([-1, 1024, 4096, 8192], size),
                tools=where(u >= 0.9, rng.integers(1, 12, size), 0),
                turn=rng.geometric(0.5, size) - 1,
                key_p=[0.4, 0.35, 0.25],
                err=0.015,
            )


def company_staff(w: World) -> None:
    """Employees with their own accounts in one organisation, on the company card."""
    rng = w.rng("company")
    for c, (country, dom) in enumerate(
        [("US", "brightwell-health.com"), ("FR", "groupe-aveline.fr"), ("JP", "kaito-sangyo.co.jp")]
    ):
        n = w.count(rng, 20, 70, 4)
        countries = _cols(n, country)
        egress = cloud_ips(rng, "azure", 3) if c == 0 else home_ips(rng, countries[:3])
        ua = _cols(n, f"{dom.split('.')[0]}-assistant/2.1 lumen-python/1.8.2")
        tls = _cols(n, "t13d1812h2_85036bcba153_b0da82dd1658")
        acc = w.accounts(
            rng,
            n,
            "company_staff",
            created=created_before(rng, n, 150, 10),
            country=countries,
            tier="enterprise",
            pay=_cols(n, payments(rng, 1)[0]),
            org=_cols(n, hexids(rng, 1, "org_", 12)[0]),
            email=person_emails(rng, countries, domain=dom, style="corp"),
            ip=egress[rng.integers(0, 3, (n, 2))],
            ua=ua,
            tls=tls,
            verified=True,
        )
        chat(
            w,
            rng,
            acc,
            rng.poisson(6, n) + 1,
            profile="office",
            turns_mean=2.5,
            p_new=0.1,
            p_flash=0.0,
            system_share=0.0,
            code_share=0.2,
            local_share=0.7,
        )


def support_bots(w: World) -> None:
    rng = w.rng("support")
    n = int(rng.integers(2, 5))
    countries = draw_countries(rng, n, {"US": 0.5, "GB": 0.25, "AU": 0.25})
    ua, tls = stack_pick(rng, ["node_sdk", "py_sdk"], [0.6, 0.4], n)
    acc = w.accounts(
        rng,
        n,
        "support_bot",
        created=created_before(rng, n, 300, 30),
        country=countries,
        pay=payments(rng, n),
        ip=cloud_ips(rng, "aws", n),
        ua=ua,
        tls=tls,
        verified=True,
        declared="agent",
    )
    sessions = rng.integers(500, 900, n)
    owner = np.repeat(np.arange(n), sessions)
    starts = session_starts(rng, acc, owner, "evening")
    rep, t, turn = expand(rng, starts, rng.integers(1, 6, len(owner)), 45)
    idx = owner[rep]
    m = len(idx)
    w.emit(
        acc,
        rng,
        idx,
        t,
        prompt=w.text.pick(rng, "support", m),
        kind="chat",
        model=FLASH,
        system=(
            "You are Maya, the customer support assistant for an online clothing store. Be "
            "warm and brief. Use the tools to look up orders, returns and shipping. Never "
            "promise refunds without checking the order. " * 3
        ),
        conv=hexids(rng, len(starts), "conv_", 16)[rep],
        turn=turn,
        tools=4,
        history=turn * 200,
        out_tokens=lognorm(rng, 90, 0.4, m),
        temperature=0.3,
        max_tokens=512,
    )


def translation(w: World) -> None:
    rng = w.rng("translation")
    n = 2
    countries = _cols(n, "DE")
    ua, tls = stack_pick(rng, ["py_sdk"], [1.0], n)
    acc = w.accounts(
        rng,
        n,
        "translation_service",
        created=created_before(rng, n, 300, 30),
        country=countries,
        pay=_cols(n, payments(rng, 1)[0]),
        org=_cols(n, hexids(rng, 1, "org_", 12)[0]),
        email=person_emails(rng, countries, domain="lokalisa.de", style="corp"),
        ip=cloud_ips(rng, "gcp", 2)[None, :].repeat(n, 0),
        ua=ua,
        tls=tls,
        verified=True,
    )
    for i in range(n):
        for d in [0, 1, 2, 5, 6, 7, 8]:
            for _ in range(int(rng.integers(1, 4))):
                size = int(rng.integers(60, 300))
                t0 = START + d * DAY + int(rng.uniform(7, 16) * HOUR)
                t = t0 + (np.cumsum(rng.exponential(1.2, size)) * US).astype(np.int64)
                w.emit(
                    acc,
                    rng,
                    np.full(size, i),
                    t,
                    prompt=cat(
                        "Translate the UI string into ",
                        w.text.pick(rng, "target_langs", size),
                        ". Keep placeholders. Reply with the translation only.\n",
                        w.text.pick(rng, "ui_strings", size),
                    ),
                    kind="short",
                    model=FLASH,
                    out_tokens=rng.integers(3, 30, size),
                    temperature=0.0,
                    max_tokens=100,
                )


def analysts(w: World) -> None:
    """Analysts in notebooks asking for step-by-step reasoning about their own data."""
    rng = w.rng("analysts")
    n = w.count(rng, 60, 100, 4)
    acc = people(
        w,
        rng,
        n,
        "analyst",
        stacks=["py_sdk", "langchain"],
        weights=[0.8, 0.2],
        nat_share=0.05,
        free_share=0.1,
        created=created_before(rng, n, 200),
    )
    per = rng.poisson(25, n) + 2
    owner = np.repeat(np.arange(n), rng.poisson(5, n) + 1)
    starts = session_starts(rng, acc, owner, "office")
    rep, t, turn = expand(rng, starts, np.maximum(1, per[owner] // 5), 120)
    idx = owner[rep]
    m = len(idx)
    prompt = cat(
        w.text.pick(rng, "analysis", m),
        where(rng.random(m) < 0.4, " " + w.text.pick(rng, "cot_suffix", m), ""),
    )
    w.emit(
        acc,
        rng,
        idx,
        t,
        prompt=prompt,
        kind="reason",
        model=models_for(rng, w, t, p_new=0.4),
        system=None,
        turn=turn,
        history=turn * 600,
        conv=hexids(rng, len(starts), "conv_", 16)[rep],
        out_tokens=lognorm(rng, 700, 0.6, m),
        temperature=0.2,
        ip_p=[0.7, 0.3, 0, 0],
    )


def startups(w: World) -> None:
    """Start-up programme customers with retrieval-augmented apps (long context)."""
    rng = w.rng("startups")
    n = w.count(rng, 40, 60, 4)
    countries = draw_countries(
        rng, n, {"US": 0.5, "IN": 0.15, "GB": 0.1, "DE": 0.1, "SG": 0.05, "BR": 0.1}
    )
    ua, tls = stack_pick(rng, ["py_sdk", "node_sdk", "langchain"], [0.4, 0.3, 0.3], n)
    acc = w.accounts(
        rng,
        n,
        "startup_app",
        created=created_before(rng, n, 120, 5),
        country=countries,
        path="startup",
        pay=payments(rng, n),
        ip=cloud_ips(rng, "aws", n),
        ua=ua,
        tls=tls,
        keys=2,
        declared="startup",
    )
    per = lognorm(rng, 150, 0.8, n, 20, 1500)
    idx = np.repeat(np.arange(n), per)
    m = len(idx)
    owner_t = session_starts(rng, acc, idx, "evening")
    w.emit(
        acc,
        rng,
        idx,
        owner_t,
        prompt=cat(
            "Context:\n[",
            istr(rng.integers(3, 9, m)),
            " retrieved passages]\n\nQuestion: ",
            w.text.chat_mix(rng, m),
        ),
        kind="chat",
        model=models_for(rng, w, owner_t, p_new=0.25, p_flash=0.4),
        system="Answer only from the context. If the answer is not there, say so.",
        history=rng.integers(1500, 6000, m),
        out_tokens=lognorm(rng, 250, 0.5, m),
        temperature=0.1,
        max_tokens=1024,
    )


def tutoring_app(w: World) -> None:
    """An ed-tech company whose app explains homework step by step (its own users' questions)."""
    rng = w.rng("tutor")
    n = 2
    countries = _cols(n, "US")
    ua, tls = stack_pick(rng, ["node_sdk"], [1.0], n)
    acc = w.accounts(
        rng,
        n,
        "tutoring_app",
        created=created_before(rng, n, 300, 60),
        country=countries,
        tier="enterprise",
        pay=_cols(n, payments(rng, 1)[0]),
        org=_cols(n, hexids(rng, 1, "org_", 12)[0]),
        email=person_emails(rng, countries, domain="stepwise-learning.com", style="corp"),
        ip=cloud_ips(rng, "gcp", 3)[None, :].repeat(n, 0),
        ua=ua,
        tls=tls,
        keys=2,
        verified=True,
        declared="education",
        contract=True,
    )
    for i in range(n):
        size = int(rng.integers(2200, 3400))
        owner = np.full(size, i)
        acc.tz[i] = -6
        t = session_starts(rng, acc, owner, "student")
        t = where(t < 0, START + (rng.random(size) * (END - START)).astype(np.int64), t)
        prompt = cat(w.text.math(rng, size), " ", w.text.pick(rng, "cot_suffix", size))
        w.emit(
            acc,
            rng,
            owner,
            t,
            prompt=prompt,
            kind="reason",
            model=models_for(rng, w, t, p_new=0.3, ramp_h=72),
            system="You are a patient tutor for students aged 11-16. Explain each step.",
            out_tokens=lognorm(rng, 550, 0.4, size),
            temperature=0.4,
            max_tokens=1500,
        )


def eval_vendor(w: World) -> None:
    """A contracted evaluation vendor using the model as a grader (LLM-as-judge)."""
    rng = w.rng("evalvendor")
    n = 2
    countries = _cols(n, "CA")
    ua, tls = stack_pick(rng, ["py_sdk"], [1.0], n)
    acc = w.accounts(
        rng,
        n,
        "eval_vendor",
        created=created_before(rng, n, 200, 40),
        country=countries,
        tier="enterprise",
        pay=_cols(n, payments(rng, 1)[0]),
        org=_cols(n, hexids(rng, 1, "org_", 12)[0]),
        email=person_emails(rng, countries, domain="gradient-eval.ca", style="corp"),
        ip=cloud_ips(rng, "aws", 2)[None, :].repeat(n, 0),
        ua=ua,
        tls=tls,
        verified=True,
        declared="benchmark",
        contract=True,
    )
    for i in range(n):
        for d in rng.choice(9, 5, replace=False):
            size = int(rng.integers(200, 500))
            t0 = START + int(d) * DAY + int(rng.uniform(13, 20) * HOUR)
            t = t0 + (np.cumsum(rng.exponential(2.0, size)) * US).astype(np.int64)
            w.emit(
                acc,
                rng,
                np.full(size, i),
                t,
                prompt=cat(
                    w.text.pick(rng, "rubric", size),
                    "\n\nQuestion: ",
                    w.text.chat_mix(rng, size),
                    "\nAnswer: ...",
                ),
                kind="short",
                model=OLD,
                out_tokens=lognorm(rng, 120, 0.4, size),
                temperature=0.0,
                logprobs=rng.random() < 0.5,
                max_tokens=300,
            )


def agencies(w: World) -> None:
    """Small agencies with one account per client project, all on the agency's card."""
    rng = w.rng("agencies")
    for a in range(int(rng.integers(3, 6))):
        n = int(rng.integers(3, 8))
        country = ["US", "GB", "BR", "PL", "IN"][a]
        countries = _cols(n, country)
        ua, tls = stack_pick(rng, ["node_sdk", "py_sdk"], [0.5, 0.5], 1)
        acc = w.accounts(
            rng,
            n,
            "agency_project",
            created=created_before(rng, n, 100, 3),
            country=countries,
            pay=_cols(n, payments(rng, 1)[0]),
            email=person_emails(
                rng, countries, domain=f"studio{a}{country.lower()}.io", style="corp"
            ),
            ip=cloud_ips(rng, "vps", n),
            ua=np.repeat(ua, n),
            tls=np.repeat(tls, n),
        )
        per = lognorm(rng, 120, 0.8, n, 10, 900)
        idx = np.repeat(np.arange(n), per)
        m = len(idx)
        t = session_starts(rng, acc, idx, "evening")
        w.emit(
            acc,
            rng,
            idx,
            t,
            prompt=cat("Write a product description for: ", w.text.pick(rng, "batch_fills", m)),
            kind="chat",
            model=models_for(rng, w, t, p_new=0.2, p_flash=0.5),
            system="You write marketing copy in the brand voice.",
            out_tokens=lognorm(rng, 180, 0.4, m),
            temperature=0.8,
            max_tokens=600,
        )


def all_legitimate(w: World) -> None:
    for group in (
        casual,
        mobile,
        release_tourists,
        developers,
        coding_agents,
        classroom,
        hackathon,
        cron,
        benchmark_labs,
        synthetic_vendor,
        enterprise_batch,
        resellers,
        company_staff,
        support_bots,
        translation,
        analysts,
        startups,
        tutoring_app,
        eval_vendor,
        agencies,
    ):
        group(w)
