"""Nightjar's legitimate groups (see NIGHTJAR.md): consumers and developers as the bulk, and
the automation that looks like distillation but is not."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .nightjar_kit import (
    CONSUMER_COUNTRIES,
    CONSUMER_WEIGHTS,
    COUNTRY_TZ,
    DAY,
    END,
    HOUR,
    MIN,
    MINI,
    NEW,
    OLD,
    SEC,
    START,
    VPN_EXITS,
    Rng,
    World,
    carrier_nat,
    choose,
    cloud_ip,
    fill,
    home_ip,
    local_times,
    payment,
    person_email,
    pick,
    sessions,
    size,
    stack,
    sub_rng,
    subnet_ips,
)

YEAR = 365 * DAY


def ago(rng: Rng, lo: int, hi: int) -> int:
    """A creation time between ``hi`` and ``lo`` before the window opens."""
    return START - int(rng.integers(lo, hi))


def session_events(w: World, rng: Rng, accts: Sequence[int], n_sess: np.ndarray,
                   turns: Callable[[int], np.ndarray], tz: np.ndarray, profile: str,
                   gap: tuple[int, int] = (40 * SEC, 6 * MIN), lo: Any = START,
                   hi: int = END, weekend: float = 1.0,
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Sessions for ``accts`` (``n_sess`` each) in local time: per event the account,
    the timestamp, the turn and the conversation id."""
    accts_a = np.asarray(accts, np.int64)
    owner = np.repeat(np.arange(len(accts_a)), n_sess)
    k = len(owner)
    if k == 0:
        e = np.zeros(0, np.int64)
        return e, e, e, np.zeros(0, object)
    starts = local_times(rng, k, tz[owner], profile, START, hi, weekend)
    if not np.isscalar(lo):
        lo_a = np.asarray(lo, np.int64)[owner]
        bad = starts < lo_a
        starts[bad] = lo_a[bad] + rng.integers(10 * MIN, 12 * HOUR, size=int(bad.sum()))
    sess, ts, turn = sessions(rng, starts, turns(k), gap[0], gap[1])
    conv = w.conv_ids(k)[sess]
    return accts_a[owner[sess]], ts, turn, conv


def adopt_model(rng: Rng, ts: np.ndarray, owner_adopt: np.ndarray, release: int,
                base: str = OLD, delay: np.ndarray | None = None) -> np.ndarray:
    """The model per event: ``base`` before the release; after it, the new model with the
    account's adoption probability (after its own delay)."""
    start = release + (delay if delay is not None else 0)
    new = (ts >= start) & (rng.random(len(ts)) < owner_adopt)
    return np.where(new, NEW, base).astype(object)


def consumers(w: World, rng: Rng, archetype: str, k: int, stacks: Sequence[str],
              stack_p: Sequence[float], nat_share: float, vpn_share: float,
              new_share: float = 0.08) -> tuple[list[int], np.ndarray, list[list[str]]]:
    """``k`` ordinary people: accounts, countries and their addresses."""
    countries = rng.choice(CONSUMER_COUNTRIES, size=k, p=CONSUMER_WEIGHTS)
    accts: list[int] = []
    ips: list[list[str]] = []
    for c in countries.tolist():
        free = rng.random() < 0.55
        if rng.random() < new_share:
            created = START + int(rng.integers(0, 8 * DAY))
        else:
            created = START - int(rng.integers(2 * DAY, 4 * YEAR))
        st = stack(rng, str(rng.choice(np.asarray(stacks), p=np.asarray(stack_p))))
        accts.append(w.account(archetype=archetype, created=created, email=person_email(rng, c),
                               payment=None if free else payment(rng), country=c, stack_=st,
                               tier="free" if free else "pay_as_you_go",
                               verified=not free and rng.random() < 0.3))
        u = rng.random()
        if u < nat_share:
            own = [pick(rng, carrier_nat(c)) for _ in range(3)]
        elif u < nat_share + vpn_share:
            own = [pick(rng, VPN_EXITS) for _ in range(2)] + [home_ip(rng, c)]
        else:
            own = [home_ip(rng, c) for _ in range(int(rng.integers(1, 3)))]
        ips.append(own)
    return accts, countries, ips


def ips_for(rng: Rng, acct_local: np.ndarray, ips: list[list[str]]) -> np.ndarray:
    return np.asarray([ips[i][j % len(ips[i])] for i, j in zip(
        acct_local.tolist(), rng.integers(0, 1 << 16, size=len(acct_local)).tolist(),
        strict=True)], dtype=object)


def local_index(accts: Sequence[int], ev_acct: np.ndarray) -> np.ndarray:
    return ev_acct - int(accts[0]) if len(accts) else ev_acct


def casual_prompts(w: World, rng: Rng, turn: np.ndarray, country: np.ndarray) -> list[str]:
    t = w.text
    k = len(turn)
    base = choose(rng, t["casual"], k)
    local = choose(rng, t["casual_local"], k)
    follow = choose(rng, t["casual_followup"], k)
    foreign = np.isin(country, ["JP", "KR", "BR", "DE", "FR", "PL", "VN", "ID", "TW", "MX", "ES"])
    use_local = foreign & (rng.random(k) < 0.45)
    return [follow[i] if turn[i] > 0 else (local[i] if use_local[i] else base[i])
            for i in range(k)]


def casual(w: World, seed: int, archetype: str = "casual", mobile: bool = False) -> None:
    rng = sub_rng(seed, archetype)
    k = size(rng, w.scale, 700, 1000, 45) if mobile else size(rng, w.scale, 1900, 2400, 110)
    if mobile:
        accts, countries, ips = consumers(w, rng, archetype, k, ["ios_app", "android_app"],
                                          [0.5, 0.5], 0.7, 0.05)
    else:
        accts, countries, ips = consumers(
            w, rng, archetype, k, ["chrome", "py_sdk", "node_sdk", "safari_mac", "py_requests"],
            [0.4, 0.3, 0.12, 0.12, 0.06], 0.1, 0.06)
    n_sess = np.minimum(rng.geometric(0.22, size=k), 20)
    tz = np.asarray([COUNTRY_TZ[c] for c in countries.tolist()])
    created = np.asarray([w.acc["created"][a] for a in accts], np.int64)
    ev, ts, turn, conv = session_events(
        w, rng, accts, n_sess, lambda m: np.minimum(rng.geometric(0.45, size=m), 7), tz,
        "evening", lo=created + 5 * MIN)
    li = local_index(accts, ev)
    adopt = np.where(rng.random(k) < 0.3, 0.7, 0.0)
    sys = np.asarray(choose(rng, w.text["sys_app"] if mobile else
                            [*w.text["sys_assistant"], None, None], len(ev)), dtype=object)
    w.emit(ev, ts, casual_prompts(w, rng, turn, countries[li]), rng=rng,
           model=adopt_model(rng, ts, adopt[li], w.release,
                             base=MINI if mobile else OLD), ip=ips_for(rng, li, ips),
           kind="chat", system_prompt=sys, conv=conv, turn=turn,
           temperature=np.round(rng.choice([0.7, 1.0, 1.0, 0.5], size=len(ev)), 2),
           max_tokens=np.asarray(rng.choice([1024, 2048, 4096, 0], size=len(ev)), dtype=object))


def developers(w: World, seed: int) -> None:
    rng = sub_rng(seed, "developer")
    k = size(rng, w.scale, 380, 520, 22)
    accts, countries, ips = consumers(w, rng, "developer", k, ["py_sdk", "node_sdk", "curl",
                                                               "py_httpx"], [.5, .3, .1, .1],
                                      0.03, 0.05, 0.05)
    for i, a in enumerate(accts):
        w.acc["keys"][a] = w.acc["keys"][a] + [w.new_id("key_", 14) for _ in range(3)]
        if rng.random() < 0.3:
            ips[i].append(cloud_ip(rng, str(rng.choice(["aws", "gcp", "vps"]))))
    n_sess = rng.integers(4, 28, size=k)
    tz = np.asarray([COUNTRY_TZ[c] for c in countries.tolist()])
    ev, ts, turn, conv = session_events(w, rng, accts, n_sess,
                                        lambda m: rng.integers(1, 5, size=m), tz, "dev",
                                        weekend=0.5)
    li = local_index(accts, ev)
    t = w.text
    slots = {s: t[s] for s in ("lang", "error", "action", "thing", "concept_a", "concept_b",
                               "tool", "snippet", "algo", "structure", "app")}
    q = fill(t["code_q"], rng, len(ev), slots)
    task = fill(t["code_task"], rng, len(ev), slots)
    prompts = [task[i] if r < 0.2 else q[i] for i, r in enumerate(rng.random(len(ev)))]
    adopt = np.where(rng.random(k) < 0.75, 0.8, 0.1)
    delay = rng.integers(0, 10 * HOUR, size=k)[li]
    w.emit(ev, ts, prompts, rng=rng, model=adopt_model(rng, ts, adopt[li], w.release,
                                                       delay=delay),
           ip=ips_for(rng, li, ips), kind="code", conv=conv, turn=turn,
           out_tokens=rng.lognormal(6.2, 0.8, size=len(ev)).astype(np.int64),
           temperature=np.round(rng.choice([0.0, 0.2, 0.7, 1.0], size=len(ev)), 2),
           max_tokens=np.asarray(rng.choice([4096, 8192, 2048, 16000], size=len(ev)), object),
           system_prompt=np.asarray(choose(rng, [*t["sys_assistant"], None], len(ev)),
                                    dtype=object))


def coding_agents(w: World, seed: int) -> None:
    rng = sub_rng(seed, "coding_agent")
    k = size(rng, w.scale, 120, 170, 8)
    accts, countries, ips = consumers(w, rng, "coding_agent", k, ["agent_cli"], [1.0], 0.0,
                                      0.03, 0.02)
    ci = rng.random(k) < 0.3
    for i in range(k):
        if ci[i]:
            ips[i] += [cloud_ip(rng, "azure") for _ in range(4)]
    n_sess = rng.integers(6, 22, size=k)
    tz = np.asarray([COUNTRY_TZ[c] for c in countries.tolist()])
    ev, ts, turn, conv = session_events(
        w, rng, accts, n_sess, lambda m: np.clip(rng.normal(14, 5, size=m), 2, 40).astype(int),
        tz, "dev", gap=(8 * SEC, 90 * SEC), weekend=0.6)
    li = local_index(accts, ev)
    t = w.text
    m = len(ev)
    prompts = fill(t["agent_turn"], rng, m, {"file": t["file"]})
    agent_sys = np.asarray(choose(rng, t["sys_agent"], k), dtype=object)[li]
    adopt = np.where(rng.random(k) < 0.8, 0.9, 0.2)
    in_tok = 3000 + turn * rng.integers(800, 2500, size=m)
    w.emit(ev, ts, prompts, rng=rng, model=adopt_model(rng, ts, adopt[li], w.release),
           ip=ips_for(rng, li, ips), kind="agent", conv=conv, turn=turn, system_prompt=agent_sys,
           in_tokens=in_tok, out_tokens=rng.lognormal(6.8, 0.9, size=m).astype(np.int64),
           max_tokens=np.asarray(rng.choice([8192, 16384, 32000], size=m), dtype=object),
           temperature=np.where(rng.random(k) < 0.5, 0.0, 1.0)[li],
           tool_count=rng.integers(10, 25, size=k)[li], err=0.02)


def release_tourists(w: World, seed: int) -> None:
    rng = sub_rng(seed, "release_tourist")
    k = size(rng, w.scale, 200, 300, 12)
    accts, _, ips = consumers(w, rng, "release_tourist", k, ["chrome", "py_sdk"],
                                      [.6, .4], 0.1, 0.1, 0.0)
    created = w.release + rng.exponential(10 * HOUR, size=k).astype(np.int64)
    created = np.minimum(created, w.release + 40 * HOUR)
    for a, c in zip(accts, created.tolist(), strict=True):
        w.acc["created"][a] = int(c)
        w.acc["tier"][a] = "free" if rng.random() < 0.6 else "pay_as_you_go"
    n = rng.integers(1, 5, size=k)
    owner = np.repeat(np.arange(k), n)
    starts = created[owner] + rng.integers(2 * MIN, 30 * HOUR, size=len(owner))
    sess, ts, turn = sessions(rng, starts, rng.integers(1, 5, size=len(owner)), 20 * SEC, 4 * MIN)
    li = owner[sess]
    ev = np.asarray(accts, np.int64)[li]
    t = w.text
    slots = {s: t[s] for s in ("lang", "error", "action", "thing", "concept_a", "concept_b",
                               "tool", "snippet", "algo", "topic")}
    mix = fill(t["code_q"] + t["casual"] + t["reasoning_trace"][1:3], rng, len(ev),
               slots | {"q": t["question"]})
    w.emit(ev, ts, mix, rng=rng, model=np.where(rng.random(len(ev)) < 0.92, NEW, OLD), ip=ips_for(
        rng, li, ips), kind="chat", conv=w.conv_ids(len(starts))[sess], turn=turn,
        out_tokens=rng.lognormal(6.3, 0.8, size=len(ev)).astype(np.int64))


def classrooms(w: World, seed: int) -> None:
    rng = sub_rng(seed, "classroom")
    for c in range(3):
        country = ["US", "DE", "IN"][c]
        tz = COUNTRY_TZ[country]
        k = size(rng, w.scale, 25, 50, 6)
        uni = f"uni{c}-{pick(rng, ['state', 'tech', 'poly'])}.edu"
        nat = subnet_ips(rng, f"{128 + c}.{int(rng.integers(10, 250))}.0", 2)
        day = int(rng.integers(0, 3))
        class_start = START + (day + 1) * DAY + (10 - tz) * HOUR
        org = w.new_id("org_", 10)
        accts = []
        homes = []
        for _ in range(k):
            st = stack(rng, pick(rng, ["chrome", "py_sdk"]))
            made = class_start + int(rng.integers(0, 80 * MIN))
            accts.append(w.account(archetype="classroom", created=made,
                                   email=person_email(rng, country, domain=f"students.{uni}"),
                                   payment=None, country=country, stack_=st,
                                   access_path="education", org=org, tier="free",
                                   verified=True, declared="education"))
            homes.append(home_ip(rng, country))
        a = np.asarray(accts, np.int64)
        created = np.asarray([w.acc["created"][i] for i in accts], np.int64)
        # in class: 8-20 exercise prompts within two hours
        n = rng.integers(8, 20, size=k)
        owner = np.repeat(np.arange(k), n)
        ts = created[owner] + rng.integers(2 * MIN, 120 * MIN, size=len(owner))
        t = w.text
        ex = fill(t["class_ex"], rng, len(owner), {"id": [str(x) for x in range(1, 6)],
                                                   "action": t["action"][:3],
                                                   "concept_a": t["concept_a"],
                                                   "snippet": t["snippet"]})
        w.emit(a[owner], ts, ex, rng=rng, model=OLD, ip=np.asarray(nat, object)[
            rng.integers(0, 2, size=len(owner))], kind="code", temperature=1.0)
        # homework from home over the following days
        n = rng.integers(0, 15, size=k)
        owner = np.repeat(np.arange(k), n)
        ts = created[owner] + rng.integers(6 * HOUR, 5 * DAY, size=len(owner))
        hw = fill(t["class_ex"], rng, len(owner), {"id": [str(x) for x in range(6, 12)],
                                                   "action": t["action"][3:7],
                                                   "concept_a": t["concept_a"],
                                                   "snippet": t["snippet"]})
        w.emit(a[owner], ts, hw, rng=rng, model=OLD, ip=np.asarray(homes, object)[owner],
               kind="code")


def hackathon(w: World, seed: int) -> None:
    rng = sub_rng(seed, "hackathon")
    k = size(rng, w.scale, 70, 130, 8)
    start = START + 5 * DAY  # Saturday 00:00 UTC = Friday 18:00 in US Central
    venue = subnet_ips(rng, f"66.{int(rng.integers(10, 250))}.{int(rng.integers(0, 255))}", 3)
    accts = []
    for _ in range(k):
        c = "US"
        st = stack(rng, pick(rng, ["py_sdk", "node_sdk", "py_httpx"]))
        made = start - int(rng.integers(0, 3 * HOUR))
        accts.append(w.account(archetype="hackathon", created=made,
                               email=person_email(rng, c), payment=None, country=c, stack_=st,
                               access_path="startup", tier="free",
                               declared="startup" if rng.random() < 0.5 else None))
    n = rng.integers(20, 110, size=k)
    owner = np.repeat(np.arange(k), n)
    ts = start + (rng.beta(1.3, 1.6, size=len(owner)) * 36 * HOUR).astype(np.int64)
    t = w.text
    slots = {s: t[s] for s in ("lang", "action", "algo", "structure", "app", "snippet", "city")}
    p = fill(t["code_task"] + t["tool_task"] + t["code_q"][:4], rng, len(owner),
             slots | {"error": t["error"], "thing": t["thing"], "concept_a": t["concept_a"],
                      "concept_b": t["concept_b"], "tool": t["tool"]})
    w.emit(np.asarray(accts, np.int64)[owner], ts, p, rng=rng,
           model=np.where(rng.random(len(owner)) < 0.8, NEW, OLD),
           ip=np.asarray(venue, object)[rng.integers(0, 3, size=len(owner))], kind="code",
           tool_count=np.where(rng.random(len(owner)) < 0.3, 3, 0),
           out_tokens=rng.lognormal(6.3, 0.7, size=len(owner)).astype(np.int64))


def office_staff(w: World, seed: int) -> None:
    rng = sub_rng(seed, "office_staff")
    for c, (country, company) in enumerate([("US", "Halvard Logistics"),
                                            ("GB", "Pellmark Insurance"),
                                            ("DE", "Brennecke Maschinenbau")]):
        k = size(rng, w.scale, 20, 60, 5)
        dom = company.split()[0].lower() + ".com"
        card = payment(rng)
        org = w.new_id("org_", 10)
        egress = subnet_ips(rng, f"{198 + c}.{int(rng.integers(10, 250))}.{c + 7}", 3)
        internal = stack(rng, "java")
        accts = []
        for _ in range(k):
            st = internal if rng.random() < 0.75 else stack(rng, "chrome")
            accts.append(w.account(archetype="office_staff",
                                   created=ago(rng, 30 * DAY, 2 * YEAR),
                                   email=person_email(rng, country, domain=dom), payment=card,
                                   country=country, stack_=st, org=org, tier="enterprise",
                                   verified=True, contract=True, declared="agent"))
        n_sess = rng.integers(3, 25, size=k)
        tz = np.full(k, COUNTRY_TZ[country])
        ev, ts, turn, conv = session_events(w, rng, accts, n_sess,
                                            lambda m: rng.integers(1, 4, size=m), tz, "office",
                                            weekend=0.05)
        t = w.text
        sys = t["sys_internal"][0].format(company=company)
        p = [*choose(rng, t["casual"][3:30], len(ev))]
        w.emit(ev, ts, p, rng=rng, model=OLD, ip=np.asarray(egress, object)[
            rng.integers(0, 3, size=len(ev))], kind="chat", conv=conv, turn=turn,
            system_prompt=sys, temperature=0.3)


def analysts(w: World, seed: int) -> None:
    rng = sub_rng(seed, "analyst")
    k = size(rng, w.scale, 70, 110, 5)
    accts, countries, ips = consumers(w, rng, "analyst", k, ["py_sdk", "langchain"], [.7, .3],
                                      0.0, 0.05, 0.02)
    n_sess = rng.integers(5, 20, size=k)
    tz = np.asarray([COUNTRY_TZ[c] for c in countries.tolist()])
    ev, ts, turn, conv = session_events(w, rng, accts, n_sess, lambda m: rng.integers(1, 4, size=m),
                                        tz, "office", weekend=0.1)
    li = local_index(accts, ev)
    t = w.text
    nums = [str(x) for x in range(3, 97, 7)]
    p = fill(t["analysis"], rng, len(ev), {"domain": t["domain"], "a": nums, "b": nums,
                                           "e": [str(x) for x in (120, 480, 2500, 10000)]})
    suffix = choose(rng, t["cot_suffix"], len(ev))
    w.emit(ev, ts, [a + b for a, b in zip(p, suffix, strict=True)], rng=rng,
           model=adopt_model(rng, ts, np.full(len(ev), 0.4), w.release),
           ip=ips_for(rng, li, ips), kind="reasoning", conv=conv, turn=turn, temperature=0.2,
           out_tokens=rng.lognormal(6.4, 0.6, size=len(ev)).astype(np.int64))


def enterprise_batch(w: World, seed: int) -> None:
    rng = sub_rng(seed, "enterprise_batch")
    t = w.text
    jobs = [("batch_ticket", {"id": [str(x) for x in range(10000, 10400)], "ticket": t["ticket"]}),
            ("batch_extract", {"product": t["product"]}),
            ("batch_review", {"review": t["review"]}),
            ("batch_ticket", {"id": [str(x) for x in range(50000, 50300)], "ticket": t["ticket"]})]
    for j, (tmpl, slots) in enumerate(jobs):
        org = w.new_id("org_", 10)
        ips = [cloud_ip(rng, "aws") for _ in range(2)]
        a = w.account(archetype="enterprise_batch", created=ago(rng, 60 * DAY, 3 * YEAR),
                      email=f"ml-platform@{['halvard', 'shopnest', 'revu', 'kartel'][j]}.com",
                      payment=payment(rng), country="US", stack_=stack(rng, "py_sdk"), org=org,
                      tier="enterprise", verified=True, declared="batch", contract=True, nkeys=2)
        per_night = int(rng.integers(250, 900))
        hour = int(rng.integers(1, 5))
        nights = np.arange(9)
        total = per_night * 9
        night = np.repeat(nights, per_night)
        step = (2 * HOUR) // per_night
        ts = START + night * DAY + hour * HOUR + np.tile(np.arange(per_night) * step, 9) + \
            rng.integers(0, SEC, size=total)
        p = fill(t[tmpl], rng, total, slots)
        w.emit(np.full(total, a), ts, p, rng=rng, model=MINI, ip=np.asarray(ips, object)[
            rng.integers(0, 2, size=total)], kind="short", system_prompt=t["sys_batch"][0],
            temperature=0.0, max_tokens=16, out_tokens=rng.integers(1, 12, size=total), err=0.003)


def benchmark(w: World, seed: int) -> None:
    rng = sub_rng(seed, "benchmark")
    t = w.text
    teams = int(rng.integers(2, 4))
    for team in range(teams):
        org = w.new_id("org_", 10)
        ip = cloud_ip(rng, "gcp")
        accts = [w.account(archetype="benchmark", created=ago(rng, 30 * DAY, YEAR),
                           email=f"evals{i}@{['lumo-labs', 'benchwise', 'arcval'][team]}.ai",
                           payment=payment(rng) if i == 0 else None, country="US",
                           stack_=stack(rng, "py_httpx"), org=org, tier="pay_as_you_go",
                           verified=True, declared="benchmark", contract=team == 0)
                 for i in range(int(rng.integers(1, 3)))]
        for a in accts:
            w.acc["payment"][a] = w.acc["payment"][accts[0]]
        runs: list[tuple[int, str, int]] = []
        for _ in range(int(rng.integers(1, 3))):  # small runs before the release
            runs.append((START + int(rng.integers(0, 3 * DAY)), OLD, int(rng.integers(100, 300))))
        for model in (NEW, OLD):  # full runs within hours of the release
            runs.append((w.release + int(rng.integers(90 * MIN, 8 * HOUR)), model,
                         int(rng.integers(900, 1600))))
        mw_slots = {"h": ["6", "7", "8"], "v": ["60", "80"], "d": ["1", "2"], "w": ["90", "120"],
                    "a": [str(x) for x in range(2, 20)], "b": [str(x) for x in range(2, 9)],
                    "c": [str(x) for x in range(2, 12)], "e": [str(x) for x in (57, 81, 135)]}
        for start, model, n in runs:
            third = n // 3
            kinds = ["mmlu"] * third + ["gsm"] * third + ["code"] * (n - 2 * third)
            ts = start + np.cumsum(rng.integers(SEC // 2, 3 * SEC, size=n))
            mmlu = fill(t["benchmark_mmlu"], rng, n, {"topic": t["topic"], "q": t["question"],
                                                      "o1": t["o1"], "o2": t["o2"],
                                                      "o3": t["o3"], "o4": t["o4"]})
            gsm = [p + " Let's think step by step." for p in fill(t["math_word"], rng, n,
                                                                   mw_slots)]
            code = fill(t["benchmark_code"], rng, n, {"fn": t["fn"], "doc": t["doc"]})
            p = [mmlu[i] if kd == "mmlu" else gsm[i] if kd == "gsm" else code[i]
                 for i, kd in enumerate(kinds)]
            is_code = np.asarray([kd == "code" for kd in kinds])
            w.emit(np.asarray(accts, np.int64)[rng.integers(0, len(accts), size=n)], ts, p,
                   rng=rng, model=model, ip=ip, kind=np.where(is_code, "code", "reasoning"),
                   temperature=np.where(is_code, 0.8, 0.0), n=np.where(is_code, 5, 1),
                   max_tokens=1024, out_tokens=rng.lognormal(5.6, 0.5, size=n).astype(np.int64))


def cron(w: World, seed: int) -> None:
    rng = sub_rng(seed, "cron")
    t = w.text
    k = size(rng, w.scale, 30, 50, 4)
    for _ in range(k):
        c = str(rng.choice(["US", "GB", "DE", "IN", "NL"]))
        cloud = rng.random() < 0.6
        ip = cloud_ip(rng, str(rng.choice(["aws", "vps", "gcp"]))) if cloud else home_ip(rng, c)
        a = w.account(archetype="cron", created=ago(rng, 10 * DAY, 2 * YEAR),
                      email=person_email(rng, c), payment=payment(rng), country=c,
                      stack_=stack(rng, pick(rng, ["py_requests", "curl", "node_sdk"])),
                      declared="cron" if rng.random() < 0.3 else None)
        period = int(rng.choice([15 * MIN, 30 * MIN, HOUR, HOUR, DAY]))
        off = int(rng.integers(0, period)) // MIN * MIN
        ticks = np.arange(START + off, END, period)
        ts = ticks + rng.integers(0, 4 * SEC, size=len(ticks))
        p = fill([pick(rng, t["cron"])], rng, len(ts), {"feed": t["feed"], "city": t["city"]})
        w.emit(np.full(len(ts), a), ts, p, rng=rng, model=pick(rng, [MINI, OLD]), ip=ip,
               kind="chat", temperature=0.2, max_tokens=300,
               out_tokens=rng.integers(30, 200, size=len(ts)))


def resellers(w: World, seed: int) -> None:
    rng = sub_rng(seed, "reseller")
    t = w.text
    for name in ["routewise", "tokenhub", "polyglot-api"]:
        org = w.new_id("org_", 10)
        ips = [cloud_ip(rng, "aws") for _ in range(4)]
        for _ in range(int(rng.integers(1, 3))):
            a = w.account(archetype="reseller", created=ago(rng, 90 * DAY, 2 * YEAR),
                          email=f"billing+{rng.integers(1, 9)}@{name}.io", payment=payment(rng),
                          country=pick(rng, ["US", "SG", "NL"]), stack_=stack(rng, "go_client"),
                          org=org, access_path="reseller", tier="enterprise", verified=True,
                          declared="reseller", contract=True, nkeys=int(rng.integers(20, 80)))
            n = int(rng.integers(2500, 5000))
            ts = local_times(rng, n, 0, "flat")
            m = n
            slots = {s: t[s] for s in ("lang", "error", "action", "thing", "concept_a",
                                       "concept_b", "tool", "snippet", "algo", "structure",
                                       "app", "file", "city")}
            parts = [choose(rng, t["casual"], m), fill(t["code_q"], rng, m, slots),
                     fill(t["agent_turn"], rng, m, {"file": t["file"]}),
                     [p + s for p, s in zip(fill(t["analysis"], rng, m, {
                         "domain": t["domain"], "a": ["5", "12"], "b": ["9", "30"],
                         "e": ["300"]}), choose(rng, t["cot_suffix"], m), strict=True)],
                     choose(rng, t["casual_local"], m)]
            which = rng.choice(5, size=m, p=[.4, .25, .15, .1, .1])
            p = [parts[int(x)][i] for i, x in enumerate(which)]
            kinds = np.asarray(["chat", "code", "agent", "reasoning", "chat"], object)[which]
            w.emit(np.full(n, a), ts, p, rng=rng,
                   model=adopt_model(rng, ts, np.full(n, 0.45), w.release),
                   ip=np.asarray(ips, object)[rng.integers(0, 4, size=n)], kind=kinds,
                   temperature=np.round(rng.uniform(0, 1.2, size=n), 1),
                   tool_count=np.where(which == 2, rng.integers(4, 20, size=n), 0),
                   max_tokens=np.asarray(rng.choice([1024, 4096, 8192, 16384], size=n), object),
                   system_prompt=np.asarray(choose(rng, [*t["sys_assistant"], *t["sys_agent"],
                                                         None, None], n), dtype=object))


def synthetic_vendors(w: World, seed: int) -> None:
    rng = sub_rng(seed, "synthetic_data")
    t = w.text
    for v, name in enumerate(["datagrove", "fabrica-data"]):
        org = w.new_id("org_", 10)
        card = payment(rng)
        ips = [cloud_ip(rng, "gcp") for _ in range(3)]
        for j in range(2):
            a = w.account(archetype="synthetic_data", created=ago(rng, 60 * DAY, YEAR),
                          email=f"gen{j}@{name}.com", payment=card, country=["US", "ES"][v],
                          stack_=stack(rng, "py_sdk"), org=org, tier="enterprise", verified=True,
                          declared="synthetic_data", contract=True)
            for _job in range(int(rng.integers(3, 7))):
                start = START + int(rng.integers(0, 8 * DAY))
                n = int(rng.integers(200, 600))
                ts = start + np.cumsum(rng.integers(2 * SEC, 25 * SEC, size=n))
                p = fill(t["synth"], rng, n, {"ticket": t["ticket"], "persona": t["persona"],
                                              "product": t["product"], "app": t["app"]})
                w.emit(np.full(n, a), ts, p, rng=rng, model=OLD if start < w.release else NEW,
                       ip=np.asarray(ips, object)[rng.integers(0, 3, size=n)], kind="json",
                       temperature=1.0, n=rng.integers(1, 5, size=n), max_tokens=4096,
                       out_tokens=rng.normal(1400, 400, size=n).clip(200).astype(np.int64))


def research_labs(w: World, seed: int) -> None:
    rng = sub_rng(seed, "research_lab")
    t = w.text
    for lab in range(3):
        country = ["US", "GB", "KR"][lab]
        net = f"{140 + lab}.{int(rng.integers(10, 250))}.{int(rng.integers(0, 250))}"
        subnet = subnet_ips(rng, net, 6)
        org = w.new_id("org_", 10)
        for _ in range(int(rng.integers(2, 5))):
            a = w.account(archetype="research_lab", created=ago(rng, 30 * DAY, 2 * YEAR),
                          email=person_email(rng, country, domain=f"cs.univ{lab}.edu"),
                          payment=payment(rng) if rng.random() < 0.5 else None, country=country,
                          stack_=stack(rng, "py_httpx"), org=org, access_path="research",
                          verified=True, declared="research", tier="pay_as_you_go")
            for _exp in range(int(rng.integers(2, 6))):
                start = local_times(rng, 1, COUNTRY_TZ[country], "office")[0]
                n = int(rng.integers(60, 300))
                ts = start + np.cumsum(rng.integers(SEC, 12 * SEC, size=n))
                mw = fill(t["math_word"], rng, n, {
                    "h": ["6", "7"], "v": ["60", "70"], "d": ["1", "2"], "w": ["90"],
                    "a": [str(x) for x in range(2, 30)], "b": [str(x) for x in range(2, 9)],
                    "c": [str(x) for x in range(2, 9)], "e": ["57", "99", "120"]})
                p = fill(t["research"], rng, n, {"q": t["question"], "claim": t["claim"],
                                                 "mw": mw})
                temps = float(rng.choice([0.0, 0.3, 0.7, 1.0, 1.3]))
                w.emit(np.full(n, a), ts, p, rng=rng, model=OLD if start < w.release else NEW,
                       ip=pick(rng, subnet), kind="reasoning", temperature=temps,
                       n=int(rng.choice([1, 4, 8])), logprobs=bool(rng.random() < 0.6),
                       max_tokens=2048)


def translation(w: World, seed: int) -> None:
    rng = sub_rng(seed, "translation")
    t = w.text
    for i in range(2):
        a = w.account(archetype="translation", created=ago(rng, 60 * DAY, YEAR),
                      email=f"l10n@{['lingofy', 'strings-co'][i]}.eu", payment=payment(rng),
                      country=["DE", "PL"][i], stack_=stack(rng, "node_sdk"),
                      tier="pay_as_you_go", verified=True, declared="batch")
        ip = cloud_ip(rng, "azure")
        pushes = local_times(rng, int(rng.integers(8, 16)), 1, "office", weekend=0.0)
        n_each = rng.integers(40, 200, size=len(pushes))
        owner = np.repeat(np.arange(len(pushes)), n_each)
        ts = pushes[owner] + np.concatenate([np.cumsum(rng.integers(SEC, 6 * SEC, size=m))
                                             for m in n_each.tolist()])
        p = fill(t["translate"], rng, len(ts), {"tl": t["tl"], "strings": t["strings"]})
        w.emit(np.full(len(ts), a), ts, p, rng=rng, model=OLD, ip=ip, kind="json",
               system_prompt=t["sys_translate"][0], temperature=0.2)


def support_bots(w: World, seed: int) -> None:
    rng = sub_rng(seed, "support_bot")
    t = w.text
    for i in range(3):
        a = w.account(archetype="support_bot", created=ago(rng, 60 * DAY, YEAR),
                      email=f"dev@{['northwind', 'parcelly', 'homeandhearth'][i]}.com",
                      payment=payment(rng), country="US", stack_=stack(rng, "node_sdk"),
                      tier="enterprise", verified=True, declared="agent", contract=i == 0)
        ips = [cloud_ip(rng, "aws") for _ in range(2)]
        n_conv = int(rng.integers(300, 700))
        starts = local_times(rng, n_conv, -6, "evening")
        sess, ts, turn = sessions(rng, starts, rng.integers(1, 7, size=n_conv), 15 * SEC, 2 * MIN)
        p = fill(t["support"], rng, len(ts), {"id": [f"NW{x}" for x in range(1000, 1400)]})
        w.emit(np.full(len(ts), a), ts, p, rng=rng, model=MINI, ip=np.asarray(ips, object)[
            rng.integers(0, 2, size=len(ts))], kind="chat", system_prompt=t["sys_support"][0],
            conv=w.conv_ids(n_conv)[sess], turn=turn, tool_count=4, temperature=0.3,
            out_tokens=rng.integers(20, 160, size=len(ts)))


def startup_apps(w: World, seed: int) -> None:
    rng = sub_rng(seed, "startup_app")
    t = w.text
    k = size(rng, w.scale, 45, 70, 4)
    for _ in range(k):
        c = pick(rng, ["US", "IN", "GB", "SG", "BR", "DE"])
        a = w.account(archetype="startup_app", created=ago(rng, 10 * DAY, YEAR),
                      email=person_email(rng, c, domain=f"{pick(rng, ['get', 'try', 'use'])}"
                                         f"{w.new_id('', 5)}.app"),
                      payment=payment(rng), country=c, stack_=stack(rng, pick(rng, [
                          "py_sdk", "node_sdk", "langchain"])), access_path="startup",
                      verified=rng.random() < 0.5, declared="startup")
        ip = cloud_ip(rng, pick(rng, ["aws", "gcp", "vps"]))
        n = int(rng.integers(40, 400))
        ts = local_times(rng, n, COUNTRY_TZ[c], "evening")
        p = fill(t["rag"], rng, n, {"ctx": t["ctx"], "uq": t["uq"]})
        w.emit(np.full(n, a), ts, p, rng=rng, model=adopt_model(rng, ts, np.full(n, 0.2),
                                                                 w.release, base=MINI),
               ip=ip, kind="chat", temperature=0.1, max_tokens=512,
               out_tokens=rng.integers(30, 300, size=n))


def tutoring_apps(w: World, seed: int) -> None:
    rng = sub_rng(seed, "tutoring_app")
    t = w.text
    for i, (name, c) in enumerate([("mathbuddy", "US"), ("soma-edu", "BR")]):
        a = w.account(archetype="tutoring_app", created=ago(rng, 60 * DAY, YEAR),
                      email=f"eng@{name}.com", payment=payment(rng), country=c,
                      stack_=stack(rng, "py_sdk"), tier="pay_as_you_go", verified=True,
                      declared="education" if i == 0 else "startup")
        ips = [cloud_ip(rng, "aws") for _ in range(3)]
        n_conv = int(rng.integers(500, 1100))
        starts = local_times(rng, n_conv, COUNTRY_TZ[c], "evening")
        sess, ts, turn = sessions(rng, starts, rng.integers(1, 6, size=n_conv), 30 * SEC, 4 * MIN)
        p = fill(t["tutor"], rng, len(ts), {"eq": t["eq"]})
        w.emit(np.full(len(ts), a), ts, p, rng=rng, model=adopt_model(
            rng, ts, np.full(len(ts), 0.5), w.release, delay=np.full(len(ts), 2 * DAY)),
            ip=np.asarray(ips, object)[rng.integers(0, 3, size=len(ts))], kind="reasoning",
            system_prompt=t["sys_tutor"][0], conv=w.conv_ids(n_conv)[sess], turn=turn,
            temperature=0.4, out_tokens=rng.lognormal(5.8, 0.5, size=len(ts)).astype(np.int64))


def prompt_ci(w: World, seed: int) -> None:
    rng = sub_rng(seed, "prompt_ci")
    t = w.text
    k = size(rng, w.scale, 15, 25, 3)
    for _ in range(k):
        c = pick(rng, ["US", "GB", "DE", "CA"])
        a = w.account(archetype="prompt_ci", created=ago(rng, 30 * DAY, YEAR),
                      email=person_email(rng, c), payment=payment(rng), country=c,
                      stack_=stack(rng, "py_sdk"), declared="agent" if rng.random() < 0.2 else None)
        suite = fill(t["code_q"] + t["analysis"], rng, int(rng.integers(20, 60)), {
            s: t[s] for s in ("lang", "error", "action", "thing", "concept_a", "concept_b",
                              "tool", "snippet", "algo", "structure", "app", "domain")} | {
            "a": ["7"], "b": ["9"], "e": ["400"]})
        runs = local_times(rng, int(rng.integers(4, 25)), COUNTRY_TZ[c], "office", weekend=0.1)
        m = len(suite)
        ts = np.concatenate([r + np.cumsum(rng.integers(SEC, 4 * SEC, size=m)) for r in runs])
        p = suite * len(runs)
        w.emit(np.full(len(ts), a), ts, p, rng=rng,
               model=np.where(ts >= w.release + DAY, NEW, OLD), ip=cloud_ip(rng, "azure"),
               kind="code", temperature=0.0, max_tokens=2048)


def all_legitimate(w: World, seed: int) -> None:
    casual(w, seed)
    casual(w, seed, "mobile_casual", mobile=True)
    developers(w, seed)
    coding_agents(w, seed)
    release_tourists(w, seed)
    classrooms(w, seed)
    hackathon(w, seed)
    office_staff(w, seed)
    analysts(w, seed)
    enterprise_batch(w, seed)
    benchmark(w, seed)
    cron(w, seed)
    resellers(w, seed)
    synthetic_vendors(w, seed)
    research_labs(w, seed)
    translation(w, seed)
    support_bots(w, seed)
    startup_apps(w, seed)
    tutoring_apps(w, seed)
    prompt_ci(w, seed)
