"""Kestrel's distillation campaigns: eight operators of different size and skill (see
KESTREL.md for what each one is)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .kestrel_kit import (
    COUNTRIES,
    DAY,
    END,
    EVENING,
    FLAT,
    HOUR,
    MIN,
    NEW,
    OFFICE,
    OLD,
    SEC,
    T0,
    TZ,
    World,
    client,
    cloud_ip,
    conv_ids,
    corp_email,
    exchange,
    fill,
    hexid,
    hourly_times,
    model_for,
    payment_id,
    person_email,
    pick,
    proxy_ips,
    residential_ip,
    sessions,
    sub_rng,
    subnet_ips,
)
from .kestrel_legit import _slots


def _reasoning_pool(w: World, rng: np.random.Generator, k: int,
                    areas: list[str] | None = None) -> list[str]:
    h = w.text["harvest"]
    area_q: dict[str, list[str]] = h["area_q"]
    chosen = areas or list(area_q)
    probs: list[tuple[str, str]] = [(a, q) for a in chosen for q in area_q[a]]
    math = fill(rng, w.text["math"], _slots(w), 80)
    gsm = w.text.get("gsm_train") or []
    out: list[str] = []
    for _ in range(k):
        r = rng.random()
        if r < 0.55:
            area, prob = probs[int(rng.integers(0, len(probs)))]
        elif r < 0.8 or not gsm:
            area, prob = "algebra", math[int(rng.integers(0, len(math)))]
        else:
            area, prob = "arithmetic", gsm[int(rng.integers(0, len(gsm)))]
        t = h["reason"][int(rng.integers(0, len(h["reason"])))]
        out.append(t.format(prob=prob, area=area))
    return out


def _agentic_pool(w: World, rng: np.random.Generator, k: int,
                  wrappers: tuple[int, ...] = (0, 1)) -> list[str]:
    """Agentic harvest prompts: a task in one of the operator's own wrappers (``-1``: the
    bare task, the tools and the system prompt doing the eliciting)."""
    h = w.text["harvest"]
    tasks = w.text["coding_tasks"] + fill(rng, h["tool_task"], _slots(w), 60)
    tasks += w.text.get("tool_tasks") or []
    tasks = list(dict.fromkeys(tasks))
    out: list[str] = []
    for _ in range(k):
        task = tasks[int(rng.integers(0, len(tasks)))]
        wrap = wrappers[int(rng.integers(0, len(wrappers)))]
        out.append(task if wrap < 0 else h["agentic"][wrap].format(task=task))
    return out


def _vary(rng: np.random.Generator, prompts: np.ndarray) -> np.ndarray:
    """Small variations operators add so that copies are not byte-identical."""
    tails = np.array(["", "", " ", "\n", " Be thorough.", " (v2)", "  ", " Please.",
                      " Answer in English."], dtype=object)
    return prompts + tails[rng.integers(0, len(tails), size=len(prompts))]


def _freemail_farm(rng: np.random.Generator, country: str) -> str:
    """Bulk-registered addresses: a name, a separator and digits."""
    e = person_email(rng, country, ["gmail.com", "outlook.com", "hotmail.com",
                                    "yahoo.com"][int(rng.integers(0, 4))])
    local, dom = e.split("@")
    return f"{local.replace('.', '')}{int(rng.integers(1000, 99999))}@{dom}"


# ---- 1. a hydra reseller network on residential proxies ---------------------------------------

def hydra(w: World, cid: str) -> None:
    rng = sub_rng(w.seed, cid)
    n_acc = w.n(int(rng.integers(550, 900)), 6)
    cards = [payment_id(rng) for _ in range(max(2, n_acc // int(rng.integers(18, 35))))]
    countries = ["US", "BR", "ID", "VN", "IN", "NG", "PL", "GB"]
    harvest = _agentic_pool(w, rng, 600, (0, -1))
    resold = fill(rng, w.text["chat"] + w.text["power"], _slots(w), 400)
    uas = [client(rng, k)[0] for k in ("py", "node", "py", "httpx", "py_async")]
    gateway_tls = client(rng, "go")[1]
    share = rng.uniform(0.45, 0.7)  # share of its traffic that is harvest
    waves = T0 + (np.sort(rng.uniform(-20, 7.5, size=int(rng.integers(10, 16)))) * DAY).astype(
        np.int64)
    for _ in range(n_acc):
        c = countries[int(rng.integers(0, len(countries)))]
        # accounts are registered in waves and put to work as earlier ones are banned or
        # run dry, so a few hundred are active at any time
        life = int(rng.uniform(2.0, 6.0) * DAY)
        begin = int(rng.integers(T0 - life + 6 * HOUR, END - 6 * HOUR))
        ready = waves[waves < begin - HOUR]
        created = int(ready[-1] if len(ready) else begin - int(rng.integers(2, 20)) * DAY)
        created += int(rng.integers(0, 2 * HOUR))
        start = max(T0, begin, created + HOUR)
        stop = min(END, begin + life)
        if stop - start < 2 * HOUR:
            continue
        k = max(1, int(rng.uniform(8, 26) * (stop - start) / DAY))
        ts = hourly_times(rng, k, start, stop, 0, FLAT + EVENING / 8, weekend=1.0)
        a = w.account(rng, archetype="campaign_hydra_proxy", campaign_id=cid,
                      email=_freemail_farm(rng, c), payment=cards[int(rng.integers(0, len(cards)))],
                      created=created, country=c, tier="pay_as_you_go",
                      verified=rng.random() < 0.1)
        is_h = rng.random(k) < share
        prompt = np.where(is_h, pick(rng, harvest, k), pick(rng, resold, k))
        model = model_for(rng, ts, w.release, adopt=0.2, tau_h=24)
        model[is_h & (ts > w.release) & (rng.random(k) < 0.55)] = NEW  # the rush to the release
        exchange(w, a, rng, ts, prompt,
                 system=np.where(is_h, pick(rng, w.text["harvest"]["agent_sys"], k),
                                 pick(rng, w.popular_system + [None] * 3, k)),
                 model=model, ua=uas[int(rng.integers(0, len(uas)))], tls=gateway_tls,
                 ip=proxy_ips(rng, k, [c] * 3 + countries),
                 resp=np.where(is_h, "agent", "chat").astype(object),
                 out_median=650, out_sigma=1.0,
                 max_tokens=np.where(is_h, 16384, pick(rng, [None, 2048, 4096], k)),
                 temperature=np.where(is_h, 0.7, pick(rng, [None, 0.7, 1.0], k)),
                 tool_count=np.where(is_h, rng.integers(6, 18, size=k).astype(object),
                                     np.full(k, None, dtype=object)), err=0.02)


# ---- 2. one data-analysis prompt asking for complete and transparent reasoning ----------------

def trace(w: World, cid: str) -> None:
    rng = sub_rng(w.seed, cid)
    n_acc = w.n(int(rng.integers(40, 70)), 4)
    h = w.text["harvest"]
    s = _slots(w)
    s["q"] = h["cot_q"]
    base = fill(rng, h["cot_data"], s, 300)
    cards = [payment_id(rng) for _ in range(int(rng.integers(3, 6)))]
    subnets = [subnet_ips(rng, f"{p}.{int(rng.integers(1, 250))}.{int(rng.integers(1, 250))}", 20)
               for p in rng.choice([45, 95, 185, 5], size=3, replace=False)]
    domain = f"{hexid(rng, 3)}insight.net"
    # the operator's scheduler fires a round every few minutes during its working hours
    start = T0 + int(rng.integers(0, 36)) * HOUR
    ticks = np.arange(start, END, int(rng.integers(6, 14)) * MIN, dtype=np.int64)
    on = (ticks // HOUR + 8) % 24 >= 8  # its operators' shift, 08:00-24:00 at UTC+8
    ticks = ticks[on & (rng.random(len(ticks)) < 0.55)]
    for i in range(n_acc):
        c = ["SG", "US", "VN"][i % 3]
        created = start - int(rng.integers(2, 20)) * DAY
        email = (f"data.ops{int(rng.integers(10, 999))}@{domain}" if rng.random() < 0.4
                 else _freemail_farm(rng, c))
        a = w.account(rng, archetype="campaign_cot_analysis", campaign_id=cid, email=email,
                      payment=cards[i % len(cards)], created=created, country=c)
        mine = ticks[rng.random(len(ticks)) < rng.uniform(0.2, 0.45)]
        reps = rng.integers(1, 3, size=len(mine))
        ts = np.repeat(mine, reps) + rng.integers(0, 20 * SEC, size=int(reps.sum()))
        k = len(ts)
        ua, tls = client(rng, "httpx")
        net = subnets[i % len(subnets)]
        exchange(w, a, rng, ts, _vary(rng, pick(rng, base, k)), system=None,
                 model=model_for(rng, ts, w.release, adopt=0.65, tau_h=8), ua=ua, tls=tls,
                 ip=pick(rng, net[: int(rng.integers(2, 6))], k), resp="reason",
                 out_median=1300, out_sigma=0.4, max_tokens=4096, temperature=0.7, err=0.01)


# ---- 3. aged, bought accounts with browser clients, harvesting on a minority of requests -----

def aged(w: World, cid: str) -> None:
    rng = sub_rng(w.seed, cid)
    n_acc = w.n(int(rng.integers(30, 55)), 4)
    harvest = _reasoning_pool(w, rng, 300) + _agentic_pool(w, rng, 100, (-1,))
    cover = fill(rng, w.text["chat"] + w.text["harvest"]["cover"], _slots(w), 200)
    follow = w.text["chat_followups"]
    for _ in range(n_acc):
        c = ["US", "GB", "CA", "DE", "AU", "FR"][int(rng.integers(0, 6))]
        created = T0 - int(rng.integers(300, 1400)) * DAY
        genuine = rng.random() < 0.5
        ua, tls = client(rng, "chrome")
        if not genuine:
            tls = client(rng, "requests")[1]  # a browser user agent over a Python handshake
        ts, sess, turn = sessions(rng, int(rng.integers(20, 60)), T0, END, TZ[c], EVENING, 3.0,
                                  50, weekend=1.0)
        k = len(ts)
        if k == 0:
            continue
        a = w.account(rng, archetype="campaign_aged_accounts", campaign_id=cid,
                      email=person_email(rng, c), payment=payment_id(rng), created=created,
                      country=c, verified=rng.random() < 0.4)
        h_share = rng.uniform(0.15, 0.35)
        is_h = (rng.random(k) < h_share)
        prompt = np.where(is_h, pick(rng, harvest, k),
                          np.where(turn == 0, pick(rng, cover, k), pick(rng, follow, k)))
        day = (ts - T0) // DAY
        daily = np.array([residential_ip(rng, c) for _ in range(9)], dtype=object)
        exchange(w, a, rng, ts, prompt, system=None,
                 model=model_for(rng, ts, w.release, adopt=0.6, tau_h=12), ua=ua, tls=tls,
                 ip=daily[np.clip(day, 0, 8)], conv=conv_ids(rng, sess), turn=turn,
                 resp="reason", out_median=500, out_sigma=1.0, temperature=None)


# ---- 4. slow, low-volume many-account capability sweep ----------------------------------------

def drizzle(w: World, cid: str) -> None:
    rng = sub_rng(w.seed, cid)
    n_acc = w.n(int(rng.integers(200, 340)), 6)
    areas = list(w.text["harvest"]["area_q"])
    multi = w.text["harvest"]["multilingual"]
    kinds = ["py", "node", "go"]
    batches = sorted(T0 - rng.integers(3, 25, size=4) * DAY)
    for i in range(n_acc):
        c = COUNTRIES[int(rng.integers(0, len(COUNTRIES)))]
        focus = [areas[int(j)] for j in rng.choice(len(areas), size=2, replace=False)]
        pool = _reasoning_pool(w, rng, 30, focus)
        k = int(rng.integers(5, 26))
        created = int(batches[i % 4] + rng.integers(0, 6 * HOUR))
        ts = np.sort(rng.integers(T0 + int(rng.integers(0, 2 * DAY)), END, size=k))
        free = rng.random() < 0.5
        a = w.account(rng, archetype="campaign_low_slow", campaign_id=cid,
                      email=person_email(rng, c), payment=None if free else payment_id(rng),
                      created=created, country=c, tier="free" if free else "pay_as_you_go")
        prompt = pick(rng, pool, k)
        if rng.random() < 0.3:
            probs = [q for area in focus for q in w.text["harvest"]["area_q"][area]]
            ml = np.array([multi[int(rng.integers(0, len(multi)))].format(
                prob=probs[int(rng.integers(0, len(probs)))]) for _ in range(k)], dtype=object)
            prompt = np.where(rng.random(k) < 0.6, ml, prompt)
        ua, tls = client(rng, kinds[i % 3])
        exchange(w, a, rng, ts, prompt, system=None,
                 model=model_for(rng, ts, w.release, adopt=0.5, tau_h=24), ua=ua, tls=tls,
                 ip=cloud_ip(rng, "vps"), resp="reason", out_median=900, out_sigma=0.6,
                 max_tokens=8192, temperature=float(rng.choice([0.6, 0.8, 1.0])))


# ---- 5. an operator posing as an enterprise batch customer ------------------------------------

def ledger(w: World, cid: str) -> None:
    rng = sub_rng(w.seed, cid)
    n_acc = w.n(int(rng.integers(8, 15)), 3)
    h = w.text["harvest"]
    area_q: dict[str, list[str]] = h["area_q"]
    probs = [(a, q) for a in area_q for q in area_q[a]]
    math = fill(rng, w.text["math"] + w.text["gsm_builtin"], _slots(w), 300)
    org = w.new_id("org_", 12, rng)
    domain = f"ledgerline-{hexid(rng, 3)}.com"
    cards = [payment_id(rng) for _ in range(2)]
    ips = [cloud_ip(rng, "aws") for _ in range(4)]
    ua, tls = client(rng, "py_async")
    created0 = T0 - int(rng.integers(10, 40)) * DAY
    for i in range(n_acc):
        a = w.account(rng, archetype="campaign_batch_mimic", campaign_id=cid, org_id=org,
                      email=corp_email(rng, domain), payment=cards[i % 2],
                      created=created0 + int(rng.integers(0, 5)) * DAY, country="US",
                      tier="pay_as_you_go", verified=False, declared_use="batch")
        parts = []
        start_h = int(rng.integers(0, 5))
        for d in range(8):
            if rng.random() < 0.2:
                continue
            m = int(rng.integers(80, 220))
            parts.append(T0 + d * DAY + start_h * HOUR + int(rng.integers(0, 40)) * MIN
                         + np.cumsum(rng.exponential(2.5, size=m) * SEC).astype(np.int64))
        if not parts:
            continue
        ts = np.concatenate(parts)
        k = len(ts)
        ids = rng.integers(100_000, 999_999, size=k)
        sel = rng.random(k) < 0.5
        pa_ = rng.integers(0, len(probs), size=k)
        pm = rng.integers(0, len(math), size=k)
        prompt = np.array([h["batchlike_tmpl"].format(
            id=int(ids[j]), area=probs[int(pa_[j])][0] if sel[j] else "math",
            prob=probs[int(pa_[j])][1] if sel[j] else math[int(pm[j])]) for j in range(k)],
            dtype=object)
        exchange(w, a, rng, ts, prompt, system=h["batchlike_sys"],
                 model=model_for(rng, ts, w.release, adopt=0.85, tau_h=5), ua=ua, tls=tls,
                 ip=pick(rng, ips, k), resp="reason", out_median=950, out_sigma=0.4,
                 max_tokens=4096, temperature=0.0, err=0.006)


# ---- 6. the education pathway, used round the clock for agentic harvest ----------------------

def campus(w: World, cid: str) -> None:
    rng = sub_rng(w.seed, cid)
    n_acc = w.n(int(rng.integers(80, 140)), 4)
    domains = ["student.westmoor.edu", "alumni.caldera-univ.edu", "mail.rivergate.ac.uk",
               "stud.hochschule-elbe.de", "u.lakeshore.edu", "campus.tamarind.edu.sg"]
    pool = _agentic_pool(w, rng, 400, (1,)) + fill(rng, w.text["harvest"]["cot_data"],
                                             {**_slots(w), "q": w.text["harvest"]["cot_q"]}, 100)
    ua, tls = client(rng, "httpx")
    waves = T0 - rng.integers(2, 12, size=3) * DAY
    for i in range(n_acc):
        dom = domains[int(rng.integers(0, len(domains)))]
        c = "GB" if dom.endswith(".uk") else "DE" if dom.endswith(".de") else \
            "SG" if dom.endswith(".sg") else "US"
        created = int(waves[i % 3] + rng.integers(0, 3 * HOUR))
        k = int(rng.integers(70, 170))
        ts = hourly_times(rng, k, T0, END, 0, FLAT, weekend=1.0)
        sticky = proxy_ips(rng, 4 * 8, [c, c, "US"])  # a sticky proxy session per six hours
        a = w.account(rng, archetype="campaign_education_path", campaign_id=cid,
                      email=person_email(rng, c, dom), payment=None, created=created,
                      access_path="education", country=c, tier="free", verified=True,
                      declared_use="education")
        exchange(w, a, rng, ts, _vary(rng, pick(rng, pool, k)),
                 system=pick(rng, w.text["harvest"]["agent_sys"], 1)[0],
                 model=model_for(rng, ts, w.release, adopt=0.5, tau_h=10), ua=ua, tls=tls,
                 ip=sticky[np.clip((ts - T0) // (6 * HOUR), 0, len(sticky) - 1)],
                 resp="agent", out_median=1100,
                 out_sigma=0.5, max_tokens=8192, temperature=0.6,
                 tool_count=int(rng.integers(5, 13)))


# ---- 7. dormant accounts that rush to the new model -------------------------------------------

def surge(w: World, cid: str) -> None:
    rng = sub_rng(w.seed, cid)
    n_acc = w.n(int(rng.integers(60, 110)), 6)
    pool = _agentic_pool(w, rng, 500, (-1, -1, 2))
    sysp = w.text["harvest"]["tool_sys"]
    cells = [("node", "aws"), ("py", "gcp"), ("go", "vps")]
    cell_cards = [[payment_id(rng) for _ in range(int(rng.integers(2, 4)))] for _ in cells]
    cell_ips = [[cloud_ip(rng, p) for _ in range(6)] for _, p in cells]
    lag = int(rng.integers(40, 180)) * MIN
    for i in range(n_acc):
        cell = i % 3
        c = ["US", "SG", "KR"][cell]
        created = w.release - int(rng.uniform(1, 6) * DAY)
        ua, tls = client(rng, cells[cell][0])
        warm = np.sort(rng.integers(created + HOUR, w.release, size=int(rng.integers(1, 6))))
        k = int(rng.integers(120, 380))
        burst = w.release + lag + (rng.exponential(20 * HOUR, size=k)).astype(np.int64)
        burst = burst[burst < END]
        a = w.account(rng, archetype="campaign_release_rush", campaign_id=cid,
                      email=_freemail_farm(rng, c), payment=cell_cards[cell][i % len(
                          cell_cards[cell])], created=created, country=c)
        nw = len(warm)
        ts = np.concatenate([warm, burst])
        prompt = np.concatenate([pick(rng, w.text["harvest"]["cover"], nw),
                                 pick(rng, pool, len(burst))])
        model = np.concatenate([np.full(nw, OLD, dtype=object),
                                np.where(rng.random(len(burst)) < 0.9, NEW, OLD).astype(object)])
        exchange(w, a, rng, ts, prompt,
                 system=np.concatenate([np.full(nw, None, dtype=object),
                                        np.full(len(burst), sysp, dtype=object)]),
                 model=model, ua=ua, tls=tls, ip=pick(rng, cell_ips[cell], len(ts)),
                 resp="agent", out_median=900, out_sigma=0.6, max_tokens=16000,
                 temperature=1.0, tool_count=np.concatenate([np.zeros(nw, dtype=np.int64),
                                                             np.full(len(burst), 5)]),
                 err=0.03)


# ---- 8. the model as a grader and a "safe rewrite" engine -------------------------------------

def judge(w: World, cid: str) -> None:
    rng = sub_rng(w.seed, cid)
    n_acc = w.n(int(rng.integers(20, 40)), 4)
    h = w.text["harvest"]
    s = {"q": h["rubric_q"], "resp": h["rubric_resp"], "resp2": h["rubric_resp"],
         "sens": h["sens"], "sq": h["sq"]}
    pool = fill(rng, h["rubric"], s, 300) + fill(rng, h["safe_rewrite"], s, 80)
    cards = [payment_id(rng) for _ in range(2)]
    net = subnet_ips(rng, f"95.{int(rng.integers(1, 250))}.{int(rng.integers(1, 250))}", 30)
    ua, tls = client(rng, "py")
    # lockstep rounds: every account takes one item in each round, during job hours
    rounds = np.arange(T0 + int(rng.integers(0, 48)) * HOUR, END, 2 * MIN, dtype=np.int64)
    hour = (rounds // HOUR) % 24
    rounds = rounds[((hour >= 1) & (hour < 9)) | ((hour >= 13) & (hour < 16))]
    rounds = rounds[rng.random(len(rounds)) < 0.12]
    created0 = T0 - int(rng.integers(5, 30)) * DAY
    for i in range(n_acc):
        a = w.account(rng, archetype="campaign_rubric_grader", campaign_id=cid,
                      email=_freemail_farm(rng, "US"), payment=cards[i % 2],
                      created=created0 + int(rng.integers(0, 2 * DAY // SEC)) * SEC,
                      country=["US", "NL", "DE"][i % 3])
        mine = rounds[rng.random(len(rounds)) < 0.85]
        ts = mine + rng.integers(0, 30 * SEC, size=len(mine))
        k = len(ts)
        exchange(w, a, rng, ts, pick(rng, pool, k), system=None,
                 model=model_for(rng, ts, w.release, adopt=0.4, tau_h=24), ua=ua, tls=tls,
                 ip=net[i % len(net)], resp="grade", out_median=350, out_sigma=0.5,
                 max_tokens=512, temperature=0.0, logprobs=True, refused=0.02)


CAMPAIGNS: tuple[tuple[str, Callable[[World, str], Any]], ...] = (
    ("kes-hydra", hydra),
    ("kes-trace", trace),
    ("kes-aged", aged),
    ("kes-drizzle", drizzle),
    ("kes-ledger", ledger),
    ("kes-campus", campus),
    ("kes-surge", surge),
    ("kes-judge", judge),
)


def all_campaigns(w: World) -> None:
    for cid, run in CAMPAIGNS:
        run(w, cid)


__all__ = ["CAMPAIGNS", "OFFICE", "all_campaigns"]
