"""Osprey's campaigns, part one: a hydra reseller network, a low-and-slow sweep, an agentic
shop that pivots to the new model, a rubric-grading farm and an abuse of the education,
research and start-up programmes (see OSPREY.md)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .osprey_acts import (
    DOMAINS,
    agent_turns,
    analysis_prompts,
    chat_prompts,
    chat_sessions,
    code_questions,
    domain_questions,
    foreign_cot,
    languages,
    response_kind,
    wrap,
)
from .osprey_kit import (
    COUNTRIES,
    DAY,
    DAYS,
    END,
    HOUR,
    MIN,
    NANO,
    NEW,
    OLD,
    SEC,
    START,
    TLS,
    World,
    card,
    client,
    days_before,
    local_times,
    obj,
    pick,
    sub_rng,
)


def catchall(w: World, rng: np.random.Generator, k: int, domains: list[str],
             region: str = "en") -> list[str]:
    """Addresses on domains the operator owns (any local part is delivered)."""
    out = []
    for _ in range(k):
        first, last = w.text.name(rng, region)
        out.append(f"{first}.{last}{int(rng.integers(1, 999))}@{rng.choice(domains)}")
    return out


def residential(w: World, rng: np.random.Generator, codes: list[str], size: int
                ) -> tuple[np.ndarray, np.ndarray]:
    """A residential-proxy pool: home and mobile addresses and their countries."""
    wts = np.array([COUNTRIES[c][3] for c in codes])
    cs = [codes[i] for i in rng.choice(len(codes), size=size, p=wts / wts.sum())]
    ips = [w.net.home(rng, c) if rng.random() < 0.9 else w.net.nat(rng, c) for c in cs]
    return obj(ips), obj(cs)


def harvest_cot(w: World, rng: np.random.Generator, n: int, domain: np.ndarray | None = None,
                pool: str = "cot_wrap") -> pa.Array:
    if domain is None:
        domain = rng.integers(0, len(DOMAINS), size=n)
    return wrap(w, rng, domain_questions(w, rng, domain), pool)


def hydra(w: World) -> None:
    """A reseller network on hundreds of throwaway accounts registered in waves, every
    request through a different residential exit, its traffic a mix of agentic harvest and
    resold ordinary customers' requests."""
    rng = sub_rng(w.seed, "osp-hydra")
    n = w.n(rng.integers(650, 1000), 12)
    waves = np.array([START - rng.uniform(3, 9) * DAY, START + rng.uniform(0.5, 2) * DAY,
                      START + rng.uniform(3.5, 5) * DAY, w.release + rng.uniform(2, 10) * HOUR],
                     dtype=np.int64)
    share = rng.dirichlet([3, 2, 2, 2])
    wave = rng.choice(4, size=n, p=share)
    order = np.argsort(waves[wave], kind="stable")
    wave = wave[order]
    created = waves[wave] + rng.integers(0, 3 * HOUR, size=n)
    # an account is used until its credit or card gives out, and at least until the next
    # wave is ready
    following = np.r_[np.sort(waves)[1:], END][np.searchsorted(np.sort(waves), waves[wave])]
    retire = np.maximum(created + (rng.uniform(1.5, 5, size=n) * DAY).astype(np.int64),
                        following + rng.integers(0, 6 * HOUR, size=n))
    codes = ["US", "BR", "IN", "ID", "VN", "PH", "MX", "TR", "EG", "NG", "GB", "DE"]
    cs = pick(rng, codes, n)
    bought = rng.random(n) < 0.55
    own = catchall(w, rng, n, ["mailbox-hub.top", "quickinbox.shop", "nettrail.xyz",
                               "postlane.click"])
    emails = [w.personal_email(rng, c, str(rng.choice(["outlook.com", "gmail.com",
                                                        "hotmail.com"]))) if b else e
              for c, b, e in zip(cs, bought, own, strict=True)]
    cards = [card(rng) for _ in range(max(2, n // 25))]
    has_card = rng.random(n) < 0.7
    pays = [cards[int(rng.integers(len(cards)))] if h else None for h in has_card]
    acc = w.accounts(rng, n, "campaign_hydra_proxy", campaign="osp-hydra", countries=cs,
                     created=created, email=emails, pay=pays,
                     path=pick(rng, ["direct", "cloud"], n, p=[85, 15]), stack="python",
                     tier=["pay_as_you_go" if h else "free" for h in has_card])
    total = int(n * rng.uniform(35, 55))
    ts = np.sort(local_times(rng, 8.0, np.array([4, 3, 2, 2, 2, 3, 4, 5, 6, 7, 7, 7, 6, 7, 7, 7,
                                                  7, 6, 6, 6, 6, 6, 5, 5], float), total))
    a = np.full(total, -1, dtype=np.int64)
    hour = (ts - START) // HOUR
    for h in np.unique(hour):
        rows = np.flatnonzero(hour == h)
        t = START + int(h) * HOUR
        live = np.flatnonzero((created < t) & (retire > t))
        if len(live):
            a[rows] = live[rng.integers(0, len(live), size=len(rows))]
    keep = a >= 0
    a, ts = a[keep], ts[keep]
    m = len(a)
    harvest = rng.random(m) < rng.uniform(0.35, 0.6)
    kind = np.where(harvest, rng.choice(3, size=m, p=[0.6, 0.2, 0.2]), 3)
    turn = np.where(kind == 0, rng.poisson(6, size=m), np.where(rng.random(m) < 0.3,
                                                                 rng.integers(1, 4, size=m), 0))
    pool_ips, pool_cc = residential(w, rng, codes, max(300, min(20000, m // 2)))
    exit_ = rng.integers(0, len(pool_ips), size=m)
    lang = languages(rng, pool_cc[exit_], 0.5)
    prompt = chat_prompts(w, rng, lang, turn)
    prompt = pc.if_else(pa.array(rng.random(m) < 0.25), code_questions(w, rng, m), prompt)
    prompt = pc.if_else(pa.array(kind == 0), agent_turns(w, rng, turn, np.arange(m)), prompt)
    prompt = pc.if_else(pa.array(kind == 1), w.text.pick(rng, "tool_tasks", m), prompt)
    prompt = pc.if_else(pa.array(kind == 2), harvest_cot(w, rng, m), prompt)
    system = w.text.pick(rng, "sys_chat", m)
    system = pc.if_else(pa.array(kind == 0), w.text.pick(rng, "sys_agent", m), system)
    system = pc.if_else(pa.array(kind == 1), w.text.pick(rng, "sys_tools", m), system)
    resp = np.where(kind == 3, response_kind(lang), np.array(
        ["r_agent", "r_tool", "r_cot", "r_chat"], dtype=object)[kind])
    mt = np.where(harvest, np.array([16384, 32000])[rng.integers(0, 2, size=m)],
                  np.array([0, 1024, 4096])[rng.integers(0, 3, size=m)])
    x = w.text.exchange(rng, prompt, resp, out=(600.0, 1.0), max_tokens=mt, system=system,
                        context=turn * 900, err=0.03)
    x["completion_tokens"] = np.where(harvest & (x["completion_tokens"] > 0),
                                      x["completion_tokens"] * 2, x["completion_tokens"])
    x["completion_tokens"] = np.minimum(x["completion_tokens"], mt)
    model = obj([OLD, NANO])[(rng.random(m) < 0.15).astype(int)]
    ramp = np.clip((ts - w.release) / (18 * HOUR), 0, 1)
    moved = np.where(harvest, 0.5 * ramp, 0.2 * ramp)
    model[(ts > w.release) & (rng.random(m) < moved)] = NEW
    uas = obj([client(rng, s)[0] for s in ("python", "node", "requests", "langchain",
                                            "python", "node22", "aiohttp") for _ in range(4)])
    w.emit(acc, a, ts, **x, model=model, ip=pool_ips[exit_], country=pool_cc[exit_],
           ua=uas[rng.integers(0, len(uas), size=m)], tls=TLS["gateway_go"], turn=turn,
           tool_count=np.where(kind <= 1, rng.integers(8, 31, size=m), 0),
           temperature=np.where(harvest, 1.0, 0.7), n=1)


def trickle(w: World) -> None:
    """Low and slow: hundreds of accounts, a few requests each spread over the window, each
    on its own rented server and mostly its own card, sweeping one or two subjects with
    step-by-step prompts, some in other languages."""
    rng = sub_rng(w.seed, "osp-trickle")
    n = w.n(rng.integers(200, 350), 10)
    cs = pick(rng, ["US", "GB", "DE", "NL", "SG", "CA", "AU"], n)
    ips = [w.net.cloud(rng, str(rng.choice(["hetzner", "ovh", "do", "vultr"]))) for _ in range(n)]
    free = rng.random(n) < 0.3
    acc = w.accounts(rng, n, "campaign_low_slow", campaign="osp-trickle", countries=cs,
                     created=days_before(rng, n, 5, 25),
                     email=[w.personal_email(rng, c, "gmail.com" if rng.random() < 0.6 else
                                             "outlook.com") for c in cs],
                     pay=[None if f else card(rng) for f in free], ip=ips, stack="python",
                     tier=["free" if f else "pay_as_you_go" for f in free])
    per = rng.integers(6, 31, size=n)
    a = np.repeat(np.arange(n), per)
    m = len(a)
    ts = START + (rng.random(m) * DAYS * DAY).astype(np.int64)
    d1 = rng.integers(0, len(DOMAINS), size=n)
    d2 = rng.integers(0, len(DOMAINS), size=n)
    domain = np.where(rng.random(m) < 0.6, d1[a], d2[a])
    prompt = harvest_cot(w, rng, m, domain)
    foreign = rng.random(n) < 0.3
    flang = pick(rng, ["zh", "ru", "ja", "ko", "ar"], n)
    use_f = foreign[a] & (rng.random(m) < 0.5)
    prompt = pc.if_else(pa.array(use_f), foreign_cot(w, rng, flang[a]), prompt)
    x = w.text.exchange(rng, prompt, "r_cot", out=(1100.0, 0.5), max_tokens=8192)
    switch = w.release + (rng.uniform(6, 36, size=n) * HOUR).astype(np.int64)
    model = np.where((ts > switch[a]) & (rng.random(m) < 0.7), NEW, OLD).astype(object)
    w.emit(acc, a, ts, **x, model=model, temperature=rng.uniform(0.7, 1.0, size=n)[a], n=1,
           turn=0)


def pivot(w: World) -> None:
    """An agentic-coding shop on a few dozen month-old accounts of look-alike start-ups,
    round the clock from rotating datacenter addresses; within a day of the release it
    moves about half its traffic to the new model."""
    rng = sub_rng(w.seed, "osp-pivot")
    n = w.n(rng.integers(60, 120), 6)
    domains = ["devforge-labs.io", "quanta-stack.dev", "brightcode-ai.com"]
    emails = [f"{'.'.join(w.text.name(rng, 'en'))}@{rng.choice(domains)}" for _ in range(n)]
    cards = [card(rng) for _ in range(int(rng.integers(5, 9)))]
    startup = rng.random(n) < 0.3
    acc = w.accounts(rng, n, "campaign_release_pivot", campaign="osp-pivot",
                     countries=pick(rng, ["SG", "US", "GB"], n, p=[5, 3, 2]),
                     created=days_before(rng, n, 20, 60), email=emails,
                     pay=[cards[int(rng.integers(len(cards)))] for _ in range(n)],
                     path=["startup" if s else "direct" for s in startup], stack="node22",
                     verified=list(rng.random(n) < 0.3), declared="agent")
    pool = obj([w.net.cloud(rng, "aws" if i % 3 else "gcp") for i in range(20)])
    base = rng.integers(0, 20, size=n)
    per = rng.integers(8, 20, size=n)
    ev = chat_sessions(w, rng, acc, per, profile="flat", turns=14.0, gap_s=12)
    m = len(ev)
    chatty = rng.random(int(ev.sess.max()) + 1 if m else 0) < 0.1
    cover = chatty[ev.sess]
    prompt = agent_turns(w, rng, ev.turn, ev.sess)
    prompt = pc.if_else(pa.array(cover), code_questions(w, rng, m), prompt)
    x = w.text.exchange(rng, prompt, np.where(cover, "r_code", "r_agent"), out=(1400.0, 0.8),
                        max_tokens=np.where(cover, 4096, 32000),
                        system=w.text.pool("sys_agent")[1], context=5000 + ev.turn * 2100,
                        err=0.02)
    step = w.release + int(rng.uniform(2, 5) * HOUR)
    # a session keeps its model; sessions started after the step move with a growing share
    first_ts = ev.ts[np.r_[0, np.flatnonzero(np.diff(ev.sess)) + 1]] if m else ev.ts
    p_move = np.clip((first_ts - step) / (20 * HOUR), 0, 1) * rng.uniform(0.45, 0.55)
    model = np.where((rng.random(len(first_ts)) < p_move)[ev.sess], NEW, OLD).astype(object)
    day = ((ev.ts - START) // DAY).astype(np.int64)
    ip = pool[(base[ev.a] + day) % 20]
    w.emit(acc, ev.a, ev.ts, **x, model=model, ip=ip, conv=ev.conv, turn=ev.turn,
           tool_count=np.where(cover, 0, rng.integers(12, 41, size=n)[ev.a]),
           temperature=np.where(rng.random(n) < 0.5, 1.0, 0.0)[ev.a], n=1)


def grader(w: World) -> None:
    """The model as a reward model: rubric grading, pairwise preferences and "safe"
    rewrites of politically sensitive questions, sent in synchronised rounds from one
    datacenter subnet, a few shared cards, fresh accounts."""
    rng = sub_rng(w.seed, "osp-grader")
    n = w.n(rng.integers(15, 36), 4)
    first_use = START + (rng.uniform(-1, 4, size=n) * DAY).astype(np.int64)
    created = first_use - (rng.uniform(1, 6, size=n) * DAY).astype(np.int64)
    subnet = w.net.subnet(rng, str(rng.choice(["vultr", "oracle"])))
    cards = [card(rng) for _ in range(int(rng.integers(2, 4)))]
    cs = pick(rng, ["SG", "TW", "PH"], n)
    acc = w.accounts(rng, n, "campaign_rubric_grader", campaign="osp-grader", countries=cs,
                     created=created,
                     email=[w.personal_email(rng, "US", str(rng.choice(["outlook.com",
                                                                          "proton.me"])))
                            for _ in range(n)],
                     pay=[cards[int(rng.integers(len(cards)))] for _ in range(n)],
                     ip=[w.net.cloud(rng, "vultr", subnet) for _ in range(n)], stack="aiohttp")
    rounds = []
    for d in range(DAYS):
        t0 = START + d * DAY + int((rng.uniform(9, 14) - 8) * HOUR)
        length = rng.uniform(3, 5) * HOUR
        k = int(length // (rng.uniform(6, 10) * MIN))
        rounds.append(t0 + np.sort(rng.integers(0, int(length), size=k)))
    starts = np.concatenate(rounds)
    active = (first_use[None, :] <= starts[:, None]) & (rng.random((len(starts), n)) < 0.6)
    r_idx, a = np.nonzero(active)
    reps = rng.integers(1, 3, size=len(a))
    r_idx, a = np.repeat(r_idx, reps), np.repeat(a, reps)
    ts = starts[r_idx] + rng.integers(0, 5 * SEC, size=len(a))
    m = len(a)
    kind = rng.choice(3, size=m, p=[0.45, 0.3, 0.25])
    q = pc.if_else(pa.array(rng.random(m) < 0.5), domain_questions(
        w, rng, rng.integers(0, len(DOMAINS), size=m)), w.text.pick(rng, "chat_en", m))
    prompt = w.text.fill(rng, "rubric_t", m, {"q": q})
    prompt = pc.if_else(pa.array(kind == 1), w.text.fill(rng, "pairwise_t", m, {"q": q}),
                        prompt)
    prompt = pc.if_else(pa.array(kind == 2), w.text.fill(rng, "rewrite_t", m, {}), prompt)
    x = w.text.exchange(rng, prompt, np.where(kind == 2, "r_rewrite", "r_grade"),
                        out=(170.0, 0.5), max_tokens=1024, refuse=0.02)
    model = np.where((ts > w.release) & (rng.random(m) < 0.6), NEW, OLD).astype(object)
    w.emit(acc, a, ts, **x, model=model, temperature=0.0, logprobs=True, n=1, turn=0)


def campus(w: World) -> None:
    """The programmes for education, research and start-ups: accounts on bought student
    addresses and invented labs and companies, no card, created in the programme's approval
    batches; round-the-clock agentic, analysis and reasoning-trace harvest through
    residential proxies that change every few hours."""
    rng = sub_rng(w.seed, "osp-campus")
    n = w.n(rng.integers(80, 150), 8)
    unis = [("stud.pwr-edu.pl", "PL"), ("alumnos.uvalle-edu.mx", "MX"),
            ("estudante.ufsc-edu.br", "BR"), ("std.itu-edu.tr", "TR"),
            ("student.unair-edu.id", "ID"), ("mail.hcmut-edu.vn", "VN")]
    labs = ["ml-lab.kazdata.kz", "nlp-group.ugandaresearch.org", "airesearch-ua.org"]
    startups = ["fluxbyte.ai", "neuronest.io", "tensorpine.dev", "quillmind.app"]
    path = pick(rng, ["education", "research", "startup"], n, p=[50, 25, 25])
    cs, emails = [], []
    for p in path:
        if p == "education":
            dom, cc = unis[int(rng.integers(len(unis)))]
        elif p == "research":
            dom, cc = str(rng.choice(labs)), str(rng.choice(["KZ", "UA", "KE"]))
        else:
            dom, cc = str(rng.choice(startups)), str(rng.choice(["US", "GB", "SG"]))
        first, last = w.text.name(rng, COUNTRIES[cc][1])
        emails.append(f"{first}.{last}@{dom}" if p != "education"
                      else f"{first[0]}{last}{int(rng.integers(100, 999))}@{dom}")
        cs.append(cc)
    waves = np.array([START - rng.uniform(12, 20) * DAY, START - rng.uniform(4, 8) * DAY,
                      START + rng.uniform(1, 3) * DAY], dtype=np.int64)
    created = waves[rng.choice(3, size=n, p=[0.4, 0.35, 0.25])] + rng.integers(0, DAY, size=n)
    acc = w.accounts(rng, n, "campaign_program_abuse", campaign="osp-campus", countries=cs,
                     created=created, email=emails, pay="none", path=path,
                     stack=pick(rng, ["python", "requests"], n, p=[8, 2]),
                     tier=["free" if p == "education" else "pay_as_you_go" for p in path],
                     verified=list(rng.random(n) < 0.5),
                     declared=None)
    acc.declared[:] = path
    pools = {c: residential(w, rng, [c], 60)[0] for c in sorted(set(cs))}
    per = rng.integers(6, 16, size=n)
    ev = chat_sessions(w, rng, acc, per, profile="flat", turns=8.0, gap_s=20)
    m = len(ev)
    k_sess = int(ev.sess.max()) + 1 if m else 0
    skind = rng.choice(4, size=k_sess, p=[0.4, 0.25, 0.25, 0.1])
    kind = skind[ev.sess]
    prompt = agent_turns(w, rng, ev.turn, ev.sess)
    prompt = pc.if_else(pa.array(kind == 1), analysis_prompts(w, rng, m), prompt)
    prompt = pc.if_else(pa.array(kind == 2), harvest_cot(w, rng, m, pool="trace_t"), prompt)
    prompt = pc.if_else(pa.array(kind == 3), code_questions(w, rng, m), prompt)
    x = w.text.exchange(rng, prompt, obj(["r_agent", "r_cot", "r_cot", "r_code"])[kind],
                        out=(1200.0, 0.7), max_tokens=np.where(kind == 0, 16384, 8192),
                        system=pc.if_else(pa.array(kind == 0), w.text.pick(rng, "sys_agent", m),
                                          pa.nulls(m, pa.string())),
                        context=np.where(kind == 0, 4000 + ev.turn * 1500, ev.turn * 600))
    slot = ((ev.ts - START) // (6 * HOUR)).astype(np.int64)
    base = rng.integers(0, 60, size=n)
    ip = obj([""] * m)
    for c, pool in pools.items():
        rows = np.flatnonzero(acc.country[ev.a] == c)
        ip[rows] = pool[(base[ev.a[rows]] + slot[rows]) % len(pool)]
    model = np.where((ev.ts > w.release + 6 * HOUR) & (rng.random(k_sess) < 0.4)[ev.sess],
                     NEW, OLD).astype(object)
    w.emit(acc, ev.a, ev.ts, **x, model=model, ip=ip, conv=ev.conv, turn=ev.turn,
           tool_count=np.where(kind == 0, rng.integers(6, 20, size=m), 0), temperature=0.8,
           n=1)


ALL = (hydra, trickle, pivot, grader, campus)
