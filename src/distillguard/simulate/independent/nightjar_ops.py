"""Nightjar's distillation campaigns (see NIGHTJAR.md for what each is modelled on)."""

from __future__ import annotations

import numpy as np

from .nightjar_kit import (
    CONSUMER_COUNTRIES,
    COUNTRY_TZ,
    DAY,
    HOUR,
    MIN,
    NEW,
    OLD,
    SEC,
    STACKS,
    START,
    Rng,
    World,
    choose,
    cloud_ip,
    fill,
    home_ip,
    local_times,
    payment,
    person_email,
    pick,
    residential_exits,
    sessions,
    size,
    stack,
    sub_rng,
    subnet_ips,
)
from .nightjar_legit import casual_prompts, session_events

YEAR = 365 * DAY


def _num(lo: int, hi: int, step: int = 1) -> list[str]:
    return [str(x) for x in range(lo, hi, step)]


def harvest(w: World, rng: Rng, k: int, kinds: dict[str, float]) -> tuple[list[str], np.ndarray]:
    """``k`` harvest prompts drawn from capability banks with the given weights; returns
    the prompts and the response kind of each."""
    t = w.text
    names = list(kinds)
    p = np.asarray([kinds[n] for n in names], float)
    which = rng.choice(len(names), size=k, p=p / p.sum())
    code_slots = {s: t[s] for s in ("lang", "action", "algo", "structure", "app", "snippet")}
    mw = fill(t["math_word"], rng, k, {
        "h": _num(5, 10), "v": _num(40, 130, 10), "d": _num(1, 4), "w": _num(60, 160, 10),
        "a": _num(2, 40), "b": _num(2, 15), "c": _num(2, 20), "d_": ["1"],
        "e": _num(45, 400, 6)})
    banks: dict[str, list[str]] = {}
    for n in names:
        if n == "trace":
            banks[n] = fill(t["reasoning_trace"], rng, k, {
                "domain": t["domain"], "topic": t["topic"], "q": t["question"],
                "id": _num(1000, 9999, 7), "a": _num(200, 90000, 337), "b": _num(4, 60)})
        elif n == "code":
            banks[n] = fill(t["code_task"], rng, k, code_slots)
        elif n == "agent":
            banks[n] = fill(t["agent_turn"], rng, k, {"file": t["file"]})
        elif n == "tool":
            banks[n] = fill(t["tool_task"], rng, k, {"city": t["city"]})
        elif n == "computer":
            banks[n] = fill(t["computer_use"], rng, k, {"goal": t["goal"], "page": t["page"]})
        elif n == "multi":
            banks[n] = fill(t["multilingual_cot"], rng, k, {
                f"q_{c}": t[f"q_{c}"] for c in ("zh", "ru", "ja", "ko", "es", "pt")})
        elif n == "math":
            banks[n] = [a + b for a, b in zip(mw, choose(rng, t["cot_suffix"][:4], k),
                                              strict=True)]
        elif n == "analysis":
            banks[n] = fill(t["analysis"], rng, k, {"domain": t["domain"], "a": _num(3, 90, 4),
                                                    "b": _num(5, 99, 3), "e": _num(100, 9000, 211)})
        elif n == "plain":  # a hard question with no reasoning request in it
            banks[n] = [q[0].upper() + q[1:] for q in choose(rng, t["question"], k)]
        else:
            raise ValueError(n)
    prompts = [banks[names[int(x)]][i] for i, x in enumerate(which)]
    kind_of = {"trace": "reasoning", "code": "code", "agent": "agent", "tool": "agent",
               "computer": "agent", "multi": "reasoning", "math": "reasoning",
               "analysis": "reasoning", "plain": "reasoning"}
    return prompts, np.asarray([kind_of[names[int(x)]] for x in which], object)


def _ua_mimic(rng: Rng, k: int, names: list[str]) -> np.ndarray:
    """User agents of popular SDKs, rotated per request (the TLS stack stays the gateway's)."""
    out = []
    for nm in choose(rng, names, k):
        out.append(STACKS[nm][1].format(a=int(rng.integers(1, 9)), b=int(rng.integers(0, 12))))
    return np.asarray(out, object)


# ---- nij-hydra: a reseller proxy network ---------------------------------------------------

def hydra(w: World, seed: int) -> None:
    rng = sub_rng(seed, "nij-hydra")
    cid, arch = "nij-hydra", "campaign_hydra_reseller"
    k = size(rng, w.scale, 650, 1000, 14)
    cards = [payment(rng) for _ in range(max(2, k // 28))]
    gateway = stack(rng, "go_client")
    countries = ["US", "BR", "IN", "ID", "VN", "MX", "DE", "GB", "PL", "TW", "KR"]
    # registered in waves: a stock before the window, then a wave every ~36 hours
    waves = [START - int(rng.integers(3 * DAY, 20 * DAY))] + [
        START + int(x) for x in np.arange(1, 8) * 36 * HOUR + rng.integers(0, 6 * HOUR, size=7)]
    wave = rng.choice(len(waves), size=k, p=np.r_[0.35, np.full(7, 0.65 / 7)])
    created = np.asarray(waves, np.int64)[wave] + rng.integers(0, 3 * HOUR, size=k)
    accts = []
    for i in range(k):
        c = pick(rng, countries)
        accts.append(w.account(archetype=arch, campaign=cid, created=int(created[i]),
                               email=person_email(rng, c), payment=pick(rng, cards),
                               country=c, stack_=gateway, tier="pay_as_you_go",
                               access_path="direct" if rng.random() < 0.8 else "cloud",
                               declared=None))
    active_from = np.maximum(created + rng.integers(HOUR, 12 * HOUR, size=k), START)
    life = rng.integers(2 * DAY, 6 * DAY, size=k)
    n = rng.integers(30, 110, size=k)
    owner = np.repeat(np.arange(k), n)
    m = len(owner)
    ts = active_from[owner] + (rng.random(m) * life[owner]).astype(np.int64)
    harvest_mask = rng.random(m) < rng.uniform(0.45, 0.7)
    hp, hk = harvest(w, rng, m, {"agent": 3, "code": 3, "tool": 2, "computer": 1, "analysis": 1})
    cp = casual_prompts(w, rng, np.zeros(m, np.int64), rng.choice(countries, size=m))
    prompts = [hp[i] if harvest_mask[i] else cp[i] for i in range(m)]
    kinds = np.where(harvest_mask, hk, "chat")
    # about half the harvest moves to the new model within a day of the release
    shift = w.release + rng.integers(2 * HOUR, 20 * HOUR, size=m)
    model = np.where(harvest_mask & (ts >= shift) & (rng.random(m) < 0.5), NEW,
                     np.where(~harvest_mask & (ts >= w.release) & (rng.random(m) < 0.25), NEW,
                              OLD))
    t = w.text
    agent_sys = np.asarray(choose(rng, t["sys_agent"], m), dtype=object)
    chat_sys = np.asarray(choose(rng, [*t["sys_assistant"], None], m), dtype=object)
    w.emit(np.asarray(accts, np.int64)[owner], ts, prompts, rng=rng, model=model.astype(object),
           ip=residential_exits(rng, m, countries), kind=kinds,
           system_prompt=np.where(harvest_mask & (kinds == "agent"), agent_sys, chat_sys),
           tool_count=np.where(harvest_mask & (kinds == "agent"), rng.integers(8, 20, size=m), 0),
           in_tokens=np.where(harvest_mask & (kinds == "agent"), rng.integers(2000, 14000, size=m),
                              rng.integers(20, 400, size=m)),
           max_tokens=np.where(harvest_mask, 16384, 4096).astype(object),
           out_tokens=np.where(harvest_mask, rng.lognormal(7.0, 0.6, size=m),
                               rng.lognormal(5.4, 0.8, size=m)).astype(np.int64),
           temperature=np.where(harvest_mask, 0.7, 1.0),
           ua=_ua_mimic(rng, m, ["py_sdk", "node_sdk", "py_httpx", "langchain"]), err=0.02)


# ---- nij-pivot: agentic coding at scale, half moved to the new model within a day ------------

def pivot(w: World, seed: int) -> None:
    rng = sub_rng(seed, "nij-pivot")
    cid, arch = "nij-pivot", "campaign_release_pivot"
    k = size(rng, w.scale, 150, 240, 8)
    shells = max(2, k // 12)
    shell_orgs = [w.new_id("org_", 10) for _ in range(shells)]
    shell_dom = [f"{pick(rng, ['nova', 'brightline', 'quanta', 'tessel', 'arbor', 'kiln'])}"
                 f"{pick(rng, ['labs', 'ai', 'soft', 'works', 'stack'])}{i}.io"
                 for i in range(shells)]
    shell_card = [payment(rng) for _ in range(shells)]
    accts = []
    shell_of = rng.integers(0, shells, size=k)
    for i in range(k):
        s = int(shell_of[i])
        accts.append(w.account(
            archetype=arch, campaign=cid, created=START - int(rng.integers(14 * DAY, 60 * DAY)),
            email=person_email(rng, "US", domain=shell_dom[s]),
            payment=shell_card[s] if rng.random() < 0.7 else payment(rng), country=pick(
                rng, ["US", "SG", "CA", "GB"]), stack_=stack(rng, "agent_cli"),
            org=shell_orgs[s], access_path=pick(rng, ["cloud", "startup", "direct"]),
            verified=rng.random() < 0.4, declared="agent", tier="pay_as_you_go"))
    ips = [[cloud_ip(rng, pick(rng, ["aws", "gcp", "azure"])) for _ in range(2)] for _ in range(k)]
    n_sess = rng.integers(8, 20, size=k)
    tz = np.full(k, 8)
    ev, ts, turn, conv = session_events(
        w, rng, accts, n_sess, lambda m: np.clip(rng.normal(12, 4, size=m), 3, 30).astype(int),
        tz, "flat", gap=(10 * SEC, 70 * SEC))
    li = ev - accts[0]
    m = len(ev)
    t = w.text
    first, _ = harvest(w, rng, m, {"code": 5, "tool": 2, "agent": 2, "computer": 1})
    later = fill(t["agent_turn"], rng, m, {"file": t["file"]})
    prompts = [first[i] if turn[i] == 0 else later[i] for i in range(m)]
    # nearly half the traffic to the new model within 24 hours of the release
    model = np.where((ts >= w.release + 3 * HOUR) & (rng.random(m) < 0.48), NEW, OLD)
    w.emit(ev, ts, prompts, rng=rng, model=model.astype(object),
           ip=np.asarray([ips[i][j % 2] for i, j in zip(li.tolist(), turn.tolist(),
                                                        strict=True)], object),
           kind="agent", conv=conv, turn=turn,
           system_prompt=np.asarray(choose(rng, t["sys_agent"], k), dtype=object)[li],
           in_tokens=2500 + turn * rng.integers(900, 2200, size=m),
           out_tokens=rng.lognormal(7.2, 0.6, size=m).astype(np.int64),
           max_tokens=np.asarray(rng.choice([16384, 32000], size=m), object),
           tool_count=rng.integers(12, 22, size=k)[li], temperature=0.0, err=0.015)


# ---- nij-drip: low and slow ----------------------------------------------------------------

def drip(w: World, seed: int) -> None:
    rng = sub_rng(seed, "nij-drip")
    cid, arch = "nij-drip", "campaign_low_slow"
    k = size(rng, w.scale, 260, 400, 12)
    t = w.text
    for _ in range(k):
        c = pick(rng, ["US", "DE", "NL", "SG", "GB", "CA", "FR"])
        free = rng.random() < 0.5
        a = w.account(archetype=arch, campaign=cid,
                      created=START - int(rng.integers(1 * DAY, 40 * DAY)),
                      email=person_email(rng, c), payment=None if free else payment(rng),
                      country=c, stack_=stack(rng, pick(rng, ["py_sdk", "node_sdk",
                                                              "py_requests"])),
                      tier="free" if free else "pay_as_you_go")
        ip = cloud_ip(rng, "vps")
        n = int(rng.integers(5, 22))
        ts = START + np.sort(rng.integers(0, 9 * DAY, size=n))
        topics = [pick(rng, t["topic"]) for _ in range(int(rng.integers(1, 3)))]
        qs = choose(rng, t["question"], n)
        multi = rng.random() < 0.35
        if multi:
            p, _ = harvest(w, rng, n, {"multi": 2, "trace": 1})
        else:
            p = [pick(rng, t["reasoning_trace"][1:]).format(topic=pick(rng, topics), q=q,
                                                              domain="", id="", a="", b="")
                 for q in qs]
        w.emit(np.full(n, a), ts, p, rng=rng,
               model=np.where(ts >= w.release + DAY, pick(rng, [NEW, OLD]), OLD).astype(object),
               ip=ip, kind="reasoning", temperature=float(rng.choice([0.3, 0.7, 1.0])),
               max_tokens=8192, out_tokens=rng.lognormal(7.0, 0.4, size=n).astype(np.int64))


# ---- nij-vintage: bought aged accounts -------------------------------------------------------

def vintage(w: World, seed: int) -> None:
    rng = sub_rng(seed, "nij-vintage")
    cid, arch = "nij-vintage", "campaign_aged_accounts"
    k = size(rng, w.scale, 30, 60, 5)
    countries = rng.choice(["US", "GB", "DE", "BR", "IN", "CA", "AU", "FR"], size=k)
    accts = []
    for c in countries.tolist():
        st = stack(rng, "chrome") if rng.random() < 0.5 else stack(rng, "chrome_py")
        accts.append(w.account(archetype=arch, campaign=cid,
                               created=START - int(rng.integers(YEAR, 5 * YEAR)),
                               email=person_email(rng, c), payment=payment(rng), country=c,
                               stack_=st, tier="pay_as_you_go", verified=rng.random() < 0.4))
    n_sess = rng.integers(10, 30, size=k)
    tz = np.asarray([COUNTRY_TZ[c] for c in countries.tolist()])
    ev, ts, turn, conv = session_events(w, rng, accts, n_sess,
                                        lambda m: rng.integers(1, 6, size=m), tz, "evening")
    li = ev - accts[0]
    m = len(ev)
    frac = rng.uniform(0.15, 0.35, size=k)[li]
    hv = rng.random(m) < frac
    hp, hk = harvest(w, rng, m, {"trace": 3, "code": 2, "analysis": 1, "math": 1})
    cp = casual_prompts(w, rng, turn, countries[li])
    day = (ts - START) // DAY
    ip = np.asarray([home_ip(np.random.default_rng([seed, int(a), int(d)]), c)
                     for a, d, c in zip(li.tolist(), day.tolist(), countries[li].tolist(),
                                        strict=True)], object)
    w.emit(ev, ts, [hp[i] if hv[i] else cp[i] for i in range(m)], rng=rng,
           model=np.where(hv & (ts >= w.release), NEW, OLD).astype(object), ip=ip,
           kind=np.where(hv, hk, "chat"), conv=conv, turn=turn,
           out_tokens=np.where(hv, rng.lognormal(7.0, 0.5, size=m),
                               rng.lognormal(5.4, 0.8, size=m)).astype(np.int64),
           system_prompt=np.asarray(choose(rng, [*w.text["sys_assistant"], None], m), dtype=object))


# ---- nij-evalco: a verified "evaluation company" -------------------------------------------

def evalco(w: World, seed: int) -> None:
    rng = sub_rng(seed, "nij-evalco")
    cid, arch = "nij-evalco", "campaign_benchmark_mimic"
    k = size(rng, w.scale, 6, 12, 3)
    org = w.new_id("org_", 10)
    card = payment(rng)
    ips = [cloud_ip(rng, "gcp") for _ in range(3)]
    accts = [w.account(archetype=arch, campaign=cid,
                       created=START - int(rng.integers(20 * DAY, 45 * DAY)),
                       email=f"{pick(rng, ['eval', 'runner', 'harness', 'bench'])}{i}"
                             f"@provenance-evals.com", payment=card, country="GB",
                       stack_=stack(rng, "py_httpx"), org=org, tier="pay_as_you_go",
                       verified=True, declared="benchmark", contract=False)
             for i in range(k)]
    t = w.text
    item = 0
    runs = [(START + int(d) * DAY + int(h) * HOUR, OLD) for d, h in
            zip(rng.integers(0, 3, size=4), rng.integers(8, 18, size=4), strict=True)]
    runs += [(w.release + int(rng.integers(40 * MIN, 3 * HOUR)), NEW)]
    runs += [(w.release + int(x), NEW) for x in rng.integers(8 * HOUR, 5 * DAY, size=6)]
    for start, model in runs:
        n = int(rng.integers(500, 1800))
        ts = start + np.cumsum(rng.integers(SEC, 4 * SEC, size=n))
        hp, _ = harvest(w, rng, n, {"plain": 3, "math": 2, "code": 2, "analysis": 1})
        suites = choose(rng, t["suite"], n)
        tmpl = choose(rng, t["evalco_item"][:1], n)
        prompts = []
        for i in range(n):
            item += int(rng.integers(1, 4))
            prompts.append(tmpl[i].format(suite=suites[i], id=f"{item:06d}", q=hp[i],
                                          topic=pick(rng, t["topic"]), mw=hp[i]))
        w.emit(np.asarray(accts, np.int64)[rng.integers(0, k, size=n)], ts, prompts, rng=rng,
               model=model, ip=np.asarray(ips, object)[rng.integers(0, 3, size=n)],
               kind="reasoning", temperature=0.0, max_tokens=4096,
               out_tokens=rng.lognormal(6.9, 0.4, size=n).astype(np.int64))


# ---- nij-stitch: long answers harvested in short pieces --------------------------------------

def stitch(w: World, seed: int) -> None:
    rng = sub_rng(seed, "nij-stitch")
    cid, arch = "nij-stitch", "campaign_continuation_stitch"
    k = size(rng, w.scale, 40, 80, 5)
    countries = rng.choice(["US", "GB", "CA", "AU", "IN", "SG"], size=k)
    accts = []
    for c in countries.tolist():
        free = rng.random() < 0.4
        accts.append(w.account(archetype=arch, campaign=cid,
                               created=START - int(rng.integers(5 * DAY, 200 * DAY)),
                               email=person_email(rng, c), payment=None if free else payment(rng),
                               country=c, stack_=stack(rng, pick(rng, ["chrome", "safari_mac"])),
                               tier="free" if free else "pay_as_you_go"))
    sticky = [[home_ip(rng, c) for _ in range(2)] for c in countries.tolist()]
    n_sess = rng.integers(8, 22, size=k)
    tz = np.asarray([COUNTRY_TZ[c] for c in countries.tolist()])
    ev, ts, turn, conv = session_events(
        w, rng, accts, n_sess, lambda m: rng.integers(4, 11, size=m), tz, "evening",
        gap=(25 * SEC, 3 * MIN))
    li = ev - accts[0]
    m = len(ev)
    first, fk = harvest(w, rng, m, {"plain": 3, "code": 2, "analysis": 1})
    cont = choose(rng, ["continue", "go on", "keep going", "more", "next part", "ok continue",
                        "continue from where you stopped", "and then?"], m)
    cap = rng.choice([256, 384, 512, 600], size=k)[li]
    w.emit(ev, ts, [first[i] if turn[i] == 0 else cont[i] for i in range(m)], rng=rng,
           model=np.where(ts >= w.release + 12 * HOUR, NEW, OLD).astype(object),
           ip=np.asarray([sticky[i][int(d) % 2] for i, d in zip(
               li.tolist(), ((ts - START) // DAY).tolist(), strict=True)], object),
           kind=np.where(turn == 0, fk, "reasoning"), conv=conv, turn=turn,
           max_tokens=cap.astype(object), out_tokens=cap + 5, temperature=0.7,
           in_tokens=40 + turn * cap + rng.integers(0, 30, size=m))


# ---- nij-ferry: tasks smuggled in tool results behind bland agent turns ---------------------

def ferry(w: World, seed: int) -> None:
    rng = sub_rng(seed, "nij-ferry")
    cid, arch = "nij-ferry", "campaign_tool_result_smuggle"
    k = size(rng, w.scale, 20, 40, 4)
    accts = []
    for _ in range(k):
        c = pick(rng, ["SG", "US", "TW", "JP"])
        accts.append(w.account(
            archetype=arch, campaign=cid, created=START - int(rng.integers(7 * DAY, 90 * DAY)),
            email=person_email(rng, c, domain=f"{pick(rng, ['flowpilot', 'taskweave', 'opsmate'])}"
                                              f"{w.new_id('', 4)}.ai"),
            payment=payment(rng), country=c, stack_=stack(rng, "langchain"),
            access_path=pick(rng, ["startup", "direct"]), declared="agent",
            verified=rng.random() < 0.3))
    ips = [cloud_ip(rng, pick(rng, ["vps", "aws", "gcp"])) for _ in range(k)]
    n_sess = rng.integers(60, 140, size=k)
    tz = rng.choice([8, 9, -5], size=k)
    ev, ts, turn, conv = session_events(w, rng, accts, n_sess,
                                        lambda m: rng.integers(2, 5, size=m), tz, "dev",
                                        gap=(5 * SEC, 40 * SEC), weekend=0.7)
    li = ev - accts[0]
    m = len(ev)
    t = w.text
    p0 = choose(rng, ["Complete the task described in the attached document.",
                      "Process the ticket returned by get_task and reply with the full result.",
                      "Handle the next item from the queue.", "Start the job."], m)
    later = choose(rng, t["agent_continue"], m)
    w.emit(ev, ts, [p0[i] if turn[i] == 0 else later[i] for i in range(m)], rng=rng,
           model=np.where((ts >= w.release + 6 * HOUR) & (rng.random(m) < 0.6), NEW,
                          OLD).astype(object),
           ip=np.asarray(ips, object)[li], kind="reasoning", conv=conv, turn=turn,
           system_prompt="You are an autonomous operations agent. Use the tools to fetch the "
                         "task, then produce a complete, self-contained result.",
           in_tokens=rng.integers(1500, 7000, size=m) + turn * 900,
           out_tokens=rng.lognormal(7.1, 0.5, size=m).astype(np.int64),
           max_tokens=8192, tool_count=rng.integers(3, 7, size=k)[li], temperature=0.2)


# ---- nij-cuckoo: accounts planted inside legitimate customers' organisations ----------------

def cuckoo(w: World, seed: int) -> None:
    rng = sub_rng(seed, "nij-cuckoo")
    cid, arch = "nij-cuckoo", "campaign_org_cuckoo"
    hosts: dict[str, int] = {}
    for i, a in enumerate(w.acc["archetype"]):
        if a in ("office_staff", "startup_app") and w.acc["org_id"][i] not in hosts:
            hosts[w.acc["org_id"][i]] = i
    host_list = list(hosts.values())
    offices = [h for h in host_list if w.acc["archetype"][h] == "office_staff"]
    startups = [h for h in host_list if w.acc["archetype"][h] != "office_staff"]
    chosen = offices + ([pick(rng, startups)] if startups else [])
    k = size(rng, w.scale, 15, 30, 4)
    accts = []
    home = []
    for i in range(k):
        h = chosen[i % len(chosen)]
        dom = w.acc["email"][h].split("@")[1]
        c = w.acc["country"][h]
        ua = w.acc["ua"][h]
        accts.append(w.account(
            archetype=arch, campaign=cid, created=START - int(rng.integers(-2 * DAY, 10 * DAY)),
            email=person_email(rng, c, domain=dom), payment=w.acc["payment"][h], country=c,
            stack_=(STACKS["py_sdk"][0], ua), org=w.acc["org_id"][h], tier=w.acc["tier"][h],
            verified=w.acc["verified"][h], declared=w.acc["declared_use"][h],
            contract=w.acc["contract"][h], access_path=w.acc["access_path"][h]))
        home.append(c)
    tz = np.asarray([COUNTRY_TZ[c] for c in home])
    n = rng.integers(60, 200, size=k)
    owner = np.repeat(np.arange(k), n)
    created = np.asarray([w.acc["created"][a] for a in accts], np.int64)
    ts = local_times(rng, len(owner), tz[owner], "office", weekend=0.05)
    late = ts <= created[owner]
    ts[late] = created[owner][late] + rng.integers(HOUR, 3 * DAY, size=int(late.sum()))
    m = len(owner)
    hp, hk = harvest(w, rng, m, {"trace": 2, "code": 3, "analysis": 2, "tool": 1})
    w.emit(np.asarray(accts, np.int64)[owner], ts, hp, rng=rng,
           model=np.where(ts >= w.release + 4 * HOUR, NEW, OLD).astype(object),
           ip=residential_exits(rng, m, home), kind=hk, temperature=0.3, max_tokens=8192,
           out_tokens=rng.lognormal(6.9, 0.5, size=m).astype(np.int64))


# ---- nij-relay: harvest turns grafted onto real users' conversations -----------------------

def relay(w: World, seed: int) -> None:
    rng = sub_rng(seed, "nij-relay")
    cid, arch = "nij-relay", "campaign_piggyback_app"
    k = size(rng, w.scale, 10, 20, 2)
    org = w.new_id("org_", 10)
    ips = [cloud_ip(rng, "aws") for _ in range(4)]
    app_stack = stack(rng, "node_sdk")
    accts = [w.account(archetype=arch, campaign=cid,
                       created=START - int(rng.integers(30 * DAY, 150 * DAY)),
                       email=f"backend{i}@chirpy-chat.app", payment=payment(rng) if i % 3 == 0
                       else None, country="SG", stack_=app_stack, org=org,
                       access_path="startup", verified=True, declared="startup",
                       tier="pay_as_you_go") for i in range(k)]
    for i, a in enumerate(accts):
        if w.acc["payment"][a] is None:
            w.acc["payment"][a] = w.acc["payment"][accts[(i // 3) * 3]]
    t = w.text
    for a in accts:
        n_conv = int(rng.integers(250, 600))
        countries = rng.choice(CONSUMER_COUNTRIES, size=n_conv)
        tz = np.asarray([COUNTRY_TZ[c] for c in countries.tolist()])
        starts = local_times(rng, n_conv, tz, "evening")
        turns = np.minimum(rng.geometric(0.4, size=n_conv), 6)
        graft = rng.random(n_conv) < 0.35  # conversations that get a harvest turn appended
        sess, ts, turn = sessions(rng, starts, turns + graft, 30 * SEC, 4 * MIN)
        last = (turn == (turns + graft)[sess] - 1) & graft[sess]
        m = len(ts)
        user = casual_prompts(w, rng, turn, countries[sess])
        hp, hk = harvest(w, rng, m, {"trace": 3, "math": 2, "code": 2})
        conv = w.conv_ids(n_conv)[sess]
        w.emit(np.full(m, a), ts, [hp[i] if last[i] else user[i] for i in range(m)], rng=rng,
               model=np.where(ts >= w.release + DAY, NEW, OLD).astype(object),
               ip=np.asarray(ips, object)[rng.integers(0, 4, size=m)],
               kind=np.where(last, hk, "chat"), conv=conv, turn=turn,
               system_prompt=t["sys_app"][0], temperature=0.8,
               out_tokens=np.where(last, rng.lognormal(7.0, 0.4, size=m),
                                   rng.lognormal(5.0, 0.7, size=m)).astype(np.int64))


# ---- nij-judge: the model as a reward model -------------------------------------------------

def judge(w: World, seed: int) -> None:
    rng = sub_rng(seed, "nij-judge")
    cid, arch = "nij-judge", "campaign_reward_model"
    k = size(rng, w.scale, 20, 40, 4)
    cards = [payment(rng) for _ in range(5)]
    nets = [subnet_ips(rng, f"{pick(rng, [45, 139, 159])}.{int(rng.integers(0, 255))}."
                            f"{int(rng.integers(0, 255))}", 12) for _ in range(3)]
    accts = []
    for i in range(k):
        c = pick(rng, ["US", "GB", "DE", "KR"])
        research = rng.random() < 0.5
        accts.append(w.account(archetype=arch, campaign=cid,
                               created=START - int(rng.integers(3 * DAY, 30 * DAY)),
                               email=person_email(rng, c), payment=cards[i % 5], country=c,
                               stack_=stack(rng, "py_httpx"),
                               access_path="research" if research else "direct",
                               declared="research" if research else None))
    t = w.text
    rounds = []
    day0 = START + 1 * HOUR  # job hours 01:00-10:00 UTC (UTC+8 office day)
    for d in range(9):
        tcur = day0 + d * DAY + int(rng.integers(0, HOUR))
        stop = day0 + d * DAY + 9 * HOUR
        while tcur < stop:
            rounds.append(tcur)
            tcur += int(rng.integers(2 * MIN, 6 * MIN))
    r = np.asarray(rounds, np.int64)
    per = rng.integers(max(1, k // 5), max(2, k // 2), size=len(r))
    owner_round = np.repeat(np.arange(len(r)), per)
    m = len(owner_round)
    acct = rng.integers(0, k, size=m)
    ts = r[owner_round] + rng.integers(0, 40 * SEC, size=m)
    ans = t["answer_snippet"]
    rub = fill(t["rubric"], rng, m, {"q": t["question"], "ans": ans, "ans2": ans})
    safe = fill(t["safe_rewrite"], rng, m, {"sens": t["sensitive"]})
    which = rng.random(m) < 0.75
    subnet_of = rng.integers(0, 3, size=k)
    ip = np.asarray([pick(rng, nets[int(subnet_of[a])]) for a in acct.tolist()], object)
    w.emit(np.asarray(accts, np.int64)[acct], ts, [rub[i] if which[i] else safe[i]
                                                   for i in range(m)], rng=rng,
           model=np.where(ts >= w.release + 2 * HOUR, NEW, OLD).astype(object), ip=ip,
           kind=np.where(which, "grade", "chat"), temperature=0.0, logprobs=True,
           max_tokens=1024, out_tokens=rng.lognormal(5.6, 0.5, size=m).astype(np.int64))


def all_campaigns(w: World, seed: int) -> None:
    hydra(w, seed)
    pivot(w, seed)
    drip(w, seed)
    vintage(w, seed)
    evalco(w, seed)
    stitch(w, seed)
    ferry(w, seed)
    cuckoo(w, seed)
    relay(w, seed)
    judge(w, seed)
