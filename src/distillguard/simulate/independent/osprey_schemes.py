"""Osprey's campaigns, part two: tactics written for this scenario — a crowd of paid
gig workers relaying tasks by hand, a free homework app that logs its users' answers and
slips its own prompts in at night, a paraphrase-then-solve pipeline, bought aged accounts
worked round the clock in three shifts, and a shell company packing dozens of problems
into each request (see OSPREY.md)."""

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
    languages,
    math_problems,
    ordinary,
    response_kind,
    second_ip,
    wrap,
)
from .osprey_kit import (
    COUNTRIES,
    DAY,
    DAYS,
    HOUR,
    MIN,
    NANO,
    NEW,
    OLD,
    SEC,
    START,
    World,
    card,
    client,
    days_before,
    ints,
    local_times,
    obj,
    pick,
    sessions,
    sub_rng,
)
from .osprey_ops import catchall, harvest_cot


def relay(w: World) -> None:
    """A task marketplace pays gig workers to paste harvest tasks into a chat front-end
    from their own accounts, phones and homes, and to ask scripted follow-ups; each task
    goes to about three workers. Workers also chat for themselves."""
    rng = sub_rng(w.seed, "osp-relay")
    n = w.n(rng.integers(150, 300), 10)
    cs = pick(rng, ["PH", "KE", "NG", "VE", "PK", "ID", "IN", "EG"], n,
              p=[22, 16, 16, 10, 10, 10, 10, 6])
    joined = rng.random(n) < 0.5
    created = np.where(joined, START + (rng.uniform(-5, 6, size=n) * DAY).astype(np.int64),
                       days_before(rng, n, 30, 500))
    stipend = [card(rng) for _ in range(max(1, n // 10))]
    pays = [stipend[int(rng.integers(len(stipend)))] if rng.random() < 0.45 else None
            for _ in range(n)]
    stacks = pick(rng, ["chrome_win", "chrome_android", "firefox"], n, p=[50, 35, 15])
    acc = w.accounts(rng, n, "campaign_crowd_relay", campaign="osp-relay", countries=cs,
                     created=created, pay=pays, stack=stacks,
                     tier=["free" if p is None else "pay_as_you_go" for p in pays])
    first_day = np.maximum((created - START) // DAY + 1, -1)
    per = rng.integers(5, 19, size=n)
    ev = chat_sessions(w, rng, acc, per, profile="evening", turns=2.5, gap_s=140,
                       first_day=first_day)
    m = len(ev)
    k = int(ev.sess.max()) + 1 if m else 0
    n_tasks = max(8, k // 3)
    dom = rng.integers(0, len(DOMAINS), size=n_tasks)
    kind = rng.choice(3, size=n_tasks, p=[0.5, 0.25, 0.25])
    tasks = harvest_cot(w, rng, n_tasks, dom)
    zeros = np.zeros(n_tasks, dtype=np.int64)
    tasks = pc.if_else(pa.array(kind == 1), agent_turns(w, rng, zeros, np.arange(n_tasks)),
                       tasks)
    tasks = pc.if_else(pa.array(kind == 2), analysis_prompts(w, rng, n_tasks), tasks)
    task = rng.integers(0, n_tasks, size=k)
    posted_new = rng.random(n_tasks) < 0.7
    prompt = pc.if_else(pa.array(ev.turn > 0), w.text.pick(rng, "relay_follow", m),
                        tasks.take(pa.array(task[ev.sess])))
    # the front-end's settings, as each worker left them
    mt = np.array([0, 1024, 2048, 4096, 800])[rng.integers(0, 5, size=n)]
    temp = np.array([np.nan, 0.7, 1.0, 0.5, 0.8])[rng.integers(0, 5, size=n)]
    x = w.text.exchange(rng, prompt, "r_cot", out=(900.0, 0.6), max_tokens=mt[ev.a],
                        context=ev.turn * 900)
    x["temperature"] = pa.array(temp[ev.a], from_pandas=True)
    new = (ev.ts > w.release + 8 * HOUR) & posted_new[task[ev.sess]]
    model = np.where(new, NEW, OLD).astype(object)
    sys_acct = pc.if_else(pa.array(rng.random(n) < 0.5), w.text.pick(rng, "sys_chat", n),
                          pa.nulls(n, pa.string()))
    x["system_prompt"] = sys_acct.take(pa.array(ev.a))
    w.emit(acc, ev.a, ev.ts, **x, model=model, conv=ev.conv, turn=ev.turn,
           ip=second_ip(w, rng, acc, ev.a, 0.3), n=1)
    own = chat_sessions(w, rng, acc, rng.integers(0, 5, size=n), profile="late", turns=1.2,
                        gap_s=80, first_day=first_day)
    ordinary(w, rng, acc, own, own=0.5, adopt=(0.3, 0.3, 1.0, 6, 72))


def front_app(w: World) -> None:
    """A free homework-and-coding helper site on a few start-up programme accounts: real
    students' questions all day (whose answers the operator keeps), and at night a steady
    stream of the operator's own reasoning and coding prompts through the same backend."""
    rng = sub_rng(w.seed, "osp-frontapp")
    k = w.n(rng.integers(3, 7), 3)
    ips = [w.net.cloud(rng, "gcp") for _ in range(int(rng.integers(2, 5)))]
    pm = card(rng)
    org = w.new_id("org_", 12)
    names = ["app", "api", "worker", "prod", "prod2", "backup"]
    acc = w.accounts(rng, k, "campaign_front_app", campaign="osp-frontapp", countries="SG",
                     created=days_before(rng, k, 120, 300),
                     email=[f"{names[i]}@studypal.app" for i in range(k)], pay=[pm] * k,
                     org=org, path="startup", ip=[ips[i % len(ips)] for i in range(k)],
                     stack="node", verified=True, declared="startup")
    system = w.text.pool("sys_studypal")[0]
    users = int(rng.integers(500, 900) * k * w.vol)
    codes = ["IN", "ID", "PH", "BR", "NG", "US", "EG", "PK", "VN", "MX"]
    ucc = pick(rng, codes, users, p=[20, 12, 12, 10, 10, 8, 6, 6, 6, 5])
    tz = _tz(ucc)
    starts = local_times(rng, tz, "student", users)
    per = np.bincount(rng.integers(0, k, size=users), minlength=k)
    sess_acct = np.repeat(np.arange(k), per)
    order = np.argsort(sess_acct, kind="stable")
    ev = chat_sessions(w, rng, acc, per, profile="student", turns=1.8, gap_s=90,
                       starts=starts[order])
    m = len(ev)
    ulang = languages(rng, ucc[order][ev.sess], 0.4)
    q = chat_prompts(w, rng, ulang, ev.turn)
    r = rng.random(m)
    q = pc.if_else(pa.array(r < 0.35), math_problems(w, rng, m, corpus_share=0.2), q)
    q = pc.if_else(pa.array((r >= 0.35) & (r < 0.6)), code_questions(w, rng, m), q)
    q = pc.if_else(pa.array(ev.turn > 0), w.text.pick(rng, "followup", m), q)
    x = w.text.exchange(rng, q, response_kind(ulang, "r_cot"), out=(600.0, 0.6),
                        max_tokens=4096, system=system, context=ev.turn * 500)
    model = np.where(rng.random(m) < 0.3, NANO, OLD).astype(object)
    w.emit(acc, ev.a, ev.ts, **x, model=model, conv=ev.conv, turn=ev.turn, temperature=0.6,
           n=1, ip=obj(ips)[rng.integers(0, len(ips), size=m)])
    share = rng.uniform(0.1, 0.3)
    nightly = int(m * share / (1 - share) / DAYS) + 5
    parts_a, parts_ts = [], []
    for d in range(DAYS):
        t0 = START + d * DAY + int((1 + rng.uniform(0, 1) - 8) * HOUR)
        ts = t0 + np.cumsum(rng.exponential(4 * HOUR / nightly, size=nightly) * 1).astype(
            np.int64)
        parts_ts.append(ts)
        parts_a.append(rng.integers(0, k, size=nightly))
    a = np.concatenate(parts_a)
    ts = np.concatenate(parts_ts)
    h = len(a)
    code = rng.random(h) < 0.35
    prompt = pc.if_else(pa.array(code), code_questions(w, rng, h), harvest_cot(w, rng, h))
    x = w.text.exchange(rng, prompt, np.where(code, "r_code", "r_cot"), out=(1100.0, 0.5),
                        max_tokens=4096, system=system)
    model = np.where((ts > w.release) & (rng.random(h) < 0.6), NEW, OLD).astype(object)
    w.emit(acc, a, ts, **x, model=model, conv=w.conv_ids(h), turn=0, temperature=0.6, n=1,
           ip=obj(ips)[rng.integers(0, len(ips), size=h)])


def _tz(countries: np.ndarray) -> np.ndarray:
    uniq, inv = np.unique(countries.astype(str), return_inverse=True)
    return np.array([COUNTRIES[c][0][0] for c in uniq.tolist()])[inv]


def paraphrase(w: World) -> None:
    """A two-stage pipeline: a few accounts ask the model to paraphrase seed tasks into
    many variants; minutes later the other accounts send the variants for worked
    solutions, so no two harvest prompts are alike."""
    rng = sub_rng(w.seed, "osp-paraphrase")
    n = w.n(rng.integers(30, 71), 5)
    created = START + (rng.uniform(-6, 3, size=n) * DAY).astype(np.int64)
    acc = w.accounts(rng, n, "campaign_paraphrase_chain", campaign="osp-paraphrase",
                     countries=pick(rng, ["US", "CA", "GB"], n), created=created,
                     email=catchall(w, rng, n, ["mx-relay.site", "inboxforge.net"]),
                     ip=[w.net.cloud(rng, "vultr" if i % 2 else "do",
                                     None) for i in range(n)], stack="node22")
    experts = max(1, n // 5)
    rate = max(0.2, n / 80)
    exp_a, exp_ts, sol_a, sol_ts, sol_seed = [], [], [], [], []
    for d in range(DAYS):
        for _ in range(int(rng.integers(1, 3))):
            t0 = START + d * DAY + int((rng.uniform(9, 20) - 8) * HOUR)
            dur = rng.uniform(2, 5) * HOUR
            count = max(2, int(dur / (rng.uniform(60, 120) * SEC) * rate))
            ts = t0 + np.sort((rng.random(count) * dur).astype(np.int64))
            exp_ts.append(ts)
            exp_a.append(rng.integers(0, experts, size=count))
            fan = rng.integers(4, 8, size=count)
            seed_idx = np.repeat(np.arange(count) + sum(len(x) for x in exp_ts[:-1]), fan)
            sol_seed.append(seed_idx)
            sol_ts.append(np.repeat(ts, fan) + rng.integers(2 * MIN, 15 * MIN, size=len(seed_idx)))
            sol_a.append(rng.integers(experts, max(experts + 1, n), size=len(seed_idx)) % n)
    ea, ets = np.concatenate(exp_a), np.concatenate(exp_ts)
    e = len(ea)
    dom = rng.integers(0, len(DOMAINS), size=e)
    which = rng.integers(0, len(w.text.pool("math_t")), size=e)
    seed_q = _variant(w, rng, dom, which)
    prompt = w.text.fill(rng, "paraphrase_t", e, {"q": seed_q})
    x = w.text.exchange(rng, prompt, "r_paraphrase", out=(600.0, 0.4), max_tokens=2048)
    model = np.where(ets > w.release + 12 * HOUR, NEW, OLD).astype(object)
    w.emit(acc, ea, ets, **x, model=model, temperature=1.1,
           n=rng.integers(1, 3, size=e), turn=0)
    sa, sts, seeds = np.concatenate(sol_a), np.concatenate(sol_ts), np.concatenate(sol_seed)
    s = len(sa)
    q = _variant(w, rng, dom[seeds], which[seeds])
    prompt = wrap(w, rng, q)
    x = w.text.exchange(rng, prompt, "r_cot", out=(750.0, 0.5), max_tokens=4096)
    model = np.where((sts > w.release + 12 * HOUR) & (rng.random(s) < 0.8), NEW, OLD
                     ).astype(object)
    w.emit(acc, sa, sts, **x, model=model, temperature=0.6, n=1, turn=0)


def _variant(w: World, rng: np.random.Generator, dom: np.ndarray, which: np.ndarray
             ) -> pa.Array:
    """A question of the seed's domain; maths keeps the seed's template with fresh names and
    numbers."""
    n = len(dom)
    made = w.text.fill(rng, "math_t", n, {"a": rng.integers(3, 60, size=n),
                                          "b": rng.integers(2, 40, size=n),
                                          "c": rng.integers(2, 25, size=n)}, which=which)
    other = domain_questions(w, rng, dom)
    return pc.if_else(pa.array(dom == 0), made, other)


def shifts(w: World) -> None:
    """Bought aged accounts worked round the clock by three crews (Vietnam, Poland, Mexico):
    the address, country and client change with each shift."""
    rng = sub_rng(w.seed, "osp-shifts")
    n = w.n(rng.integers(8, 17), 4)
    owners = pick(rng, ["US", "GB", "CA", "AU", "DE"], n)
    acc = w.accounts(rng, n, "campaign_follow_the_sun", campaign="osp-shifts",
                     countries=owners, created=days_before(rng, n, 365, 1500),
                     stack="chrome_mac", verified=True)
    crews = [("VN", 1.0, "chrome_win"), ("PL", 9.0, "python"), ("MX", 17.0, "firefox")]
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    sess_id = 0
    for ci, (_cc, begin, _stack) in enumerate(crews):
        active = rng.random((DAYS + 1, n)) < 0.6
        days, accts = np.nonzero(active)
        count = rng.integers(3, 9, size=len(days))  # sessions per shift
        d = np.repeat(days - 1, count)
        a = np.repeat(accts, count)
        starts = START + d * DAY + int(begin * HOUR) + (rng.random(len(d)) * 7.5 * HOUR
                                                        ).astype(np.int64)
        sess = sess_id + np.arange(len(d))
        sess_id += len(d)
        parts.append((a, starts, np.full(len(d), ci), sess))
    a = np.concatenate([p[0] for p in parts])
    starts = np.concatenate([p[1] for p in parts])
    crew = np.concatenate([p[2] for p in parts])
    lengths = 1 + rng.poisson(2.5, size=len(a))
    sess, turn, ts = sessions(rng, starts, lengths, 75.0)
    ea, ecrew = a[sess], crew[sess]
    m = len(ea)
    kind = rng.choice(3, size=len(a), p=[0.5, 0.3, 0.2])[sess]
    first = harvest_cot(w, rng, m)
    first = pc.if_else(pa.array(kind == 1), agent_turns(w, rng, np.zeros(m, np.int64), sess),
                       first)
    first = pc.if_else(pa.array(kind == 2), analysis_prompts(w, rng, m), first)
    prompt = pc.if_else(pa.array(turn > 0), w.text.pick(rng, "relay_follow", m), first)
    scripted = ecrew == 1  # the Polish crew drives the API from a script, not a browser
    x = w.text.exchange(rng, prompt, "r_cot", out=(1000.0, 0.5),
                        max_tokens=np.where(scripted, 4096, 0), context=turn * 1000)
    x["temperature"] = pa.array(np.where(scripted, 0.7, np.nan), from_pandas=True)
    # each account has one residential address per crew per day, in the crew's country
    day = ((ts - START) // DAY).astype(np.int64)
    ip = obj([""] * m)
    ua = obj([""] * m)
    tls = obj([""] * m)
    country = obj([""] * m)
    for ci, (cc, _begin, stack) in enumerate(crews):
        rows = np.flatnonzero(ecrew == ci)
        addr = obj([w.net.home(rng, cc) for _ in range((DAYS + 2) * n)])
        ip[rows] = addr[(day[rows] + 1) * n + ea[rows]]
        u, t = client(rng, stack)
        ua[rows], tls[rows], country[rows] = u, t, cc
    model = np.where((ts > w.release + 3 * HOUR) & (rng.random(m) < 0.75), NEW, OLD
                     ).astype(object)
    w.emit(acc, ea, ts, **x, model=model, ip=ip, ua=ua, tls=tls, country=country, turn=turn,
           conv=w.conv_ids(len(a)).take(pa.array(sess)), n=1)


def packer(w: World) -> None:
    """A verified "analytics" company that packs 15-40 problems into each request and asks
    for full reasoning on every one: few requests, enormous outputs, office hours, a small
    rented address block, switching to the new model within hours."""
    rng = sub_rng(w.seed, "osp-packer")
    n = w.n(rng.integers(10, 26), 3)
    subnet = w.net.subnet(rng, "ovh")
    cards = [card(rng) for _ in range(2)]
    acc = w.accounts(rng, n, "campaign_packed_batch", campaign="osp-packer", countries="TR",
                     created=days_before(rng, n, 55, 100),
                     email=[f"{'.'.join(w.text.name(rng, 'tr'))}@veridian-analytics.co"
                            for _ in range(n)],
                     pay=[cards[i % 2] for i in range(n)], org=w.new_id("org_", 12),
                     ip=[w.net.cloud(rng, "ovh", subnet) for _ in range(n)], stack="java",
                     tier="enterprise", verified=True, declared="research")
    per = rng.integers(20, 70, size=n)
    a = np.repeat(np.arange(n), per)
    m = len(a)
    ts = local_times(rng, 3.0, "office", m, weekend=0.15)
    k = rng.integers(15, 41, size=m)
    owner = np.repeat(np.arange(m), k)
    pos = np.arange(len(owner)) - np.repeat(np.cumsum(k) - k, k)
    q = domain_questions(w, rng, rng.integers(0, len(DOMAINS), size=len(owner)))
    items = pc.binary_join_element_wise(ints(pos + 1), q, ". ")
    lists = pa.ListArray.from_arrays(pa.array(np.r_[0, np.cumsum(k)].astype(np.int32)), items)
    body = pc.binary_join(lists, "\n\n")
    head = w.text.fill(rng, "packed_head", m, {"k": k})
    prompt = pc.binary_join_element_wise(head, body, "")
    x = w.text.exchange(rng, prompt, "r_packed", out=(34000.0, 0.35), max_tokens=64000,
                        err=0.03, refuse=0.0)
    switch = w.release + int(rng.uniform(2, 6) * HOUR)
    model = np.where((ts > switch) & (rng.random(m) < 0.9), NEW, OLD).astype(object)
    w.emit(acc, a, ts, **x, model=model, temperature=0.3, n=1, turn=0)


ALL = (relay, front_app, paraphrase, shifts, packer)
