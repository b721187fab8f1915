"""Fenland's legitimate population: ordinary users and the hard look-alikes."""

from __future__ import annotations

from typing import Any

import numpy as np

from distillguard.simulate.independent.fenland_kit import (
    LITE,
    NEW,
    OLD,
    RELEASE_H,
    T0_US,
    US,
    WINDOW_S,
    World,
    choose,
    fill,
    hexids,
    hosts,
    keep,
    lognormal_counts,
    pick_models,
    v4,
    v6,
)
from distillguard.simulate.independent.fenland_people import (
    CLOUD,
    Habits,
    person_group,
    run_sessions,
    tls_for,
)


def _pool(items: list[str]) -> np.ndarray:
    arr = np.empty(len(items), dtype=object)
    arr[:] = items
    return arr


def casual_pool(w: World) -> np.ndarray:
    return _pool(w.bank["casual"] + w.bank["corpus"].get("human", []))


def dev_pool(w: World, n: int = 400) -> np.ndarray:
    b = w.bank
    return _pool(fill(w.rng, b["dev_tasks"], b["dev_slots"], n) + b["corpus"].get("code", []))


def _org_ids(w: World, k: int) -> np.ndarray:
    return hexids(w.rng, k, "org_", 5)


def _arith(w: World, n: int) -> list[str]:
    """A built-in stand-in for a public maths benchmark (fixed questions, seeded)."""
    r = np.random.default_rng(20260305)  # the suite is public: identical for every seed
    names = w.bank["first_names"]
    out = []
    for i in range(n):
        a, b, c = (int(x) for x in r.integers(2, 60, 3))
        who = names[i % len(names)].capitalize()
        out.append(f"Question: {who} buys {a} boxes of {b} pencils and gives away {c} pencils. "
                   f"How many pencils does {who} have left?\nLet's think step by step. Put the "
                   "final answer after ####.")
    return out


def casual(w: World) -> None:
    n = w.n(2200)
    acc = person_group(w, n, "casual", families={"browser": 0.8, "py_sdk": 0.1, "curl": 0.1},
                       customer={"tier": choose(w.rng, ["free", "pay_as_you_go"], n, [.7, .3])})
    run_sessions(w, acc, casual_pool(w), Habits(sessions=3, turns=2.2))


def developers(w: World) -> None:
    rng = w.rng
    n = w.n(500)
    orgs = _org_ids(w, 60)
    org = keep(rng.random(n) < 0.45, orgs[rng.integers(0, 60, n)])
    acc = person_group(w, n, "developer", families={"py_sdk": .5, "js_sdk": .3, "curl": .2},
                       org=org, customer={"tier": "pay_as_you_go", "org": org,
                                          "verified": rng.random(n) < 0.5})
    run_sessions(w, acc, dev_pool(w), Habits(
        sessions=7, turns=3, gap_s=60, profile="dev", days="office", out_mean=450,
        max_tokens=[1024, 2048, 4096, None], temperature=[0.2, 0.7, None, 0.0], lite=0.3,
        adopt=0.45, tau_h=12), style=["code", "prose"], styles_p=[.7, .3])


def coding_agents(w: World) -> None:
    rng = w.rng
    n = w.n(200)
    k = max(1, n // 6)
    orgs = _org_ids(w, k)
    org = orgs[rng.integers(0, k, n)]
    acc = person_group(w, n, "coding_agent", families={"agent": 1.0}, org=org,
                       email_style="corp", domain=[f"{d}.dev" for d in ("kestrel", "ashgrove",
                                                                        "northwind", "tallow")],
                       customer={"tier": choose(rng, ["pay_as_you_go", "enterprise"], n, [.6, .4]),
                                 "org": org, "verified": rng.random(n) < 0.7,
                                 "declared_use": choose(rng, ["agent", None], n, [.5, .5])})
    pool = _pool(fill(rng, w.bank["agent_tasks"], w.bank["agent_slots"], 300))
    day = Habits(sessions=8, turns=14, gap_s=25, profile="dev", days="office", out_mean=1400,
                 out_sigma=0.9, max_tokens=[32000, 64000], temperature=[None, 1.0], lite=0.05,
                 adopt=0.6, tau_h=6, history=2500, tool_count=[12, 16, 18, 24], roam=0.05)
    system = w.bank["system_prompts"]["agent"]
    run_sessions(w, acc, pool, day, style=["agent", "code"], styles_p=[.6, .4], system=system)
    # CI agents: nightly runs for a third of the accounts, from CI runners in the cloud
    ci = (rng.random(n) < 0.35).astype(np.int64)
    night = Habits(sessions=4, sessions_sigma=0.3, turns=20, gap_s=15, profile="night",
                   days="flat", out_mean=1800, out_sigma=0.8, max_tokens=[64000],
                   temperature=[None], lite=0.0, adopt=0.6, tau_h=6, history=3000,
                   tool_count=[16, 24], roam=1.0)
    run_sessions(w, acc, pool, night, style="agent", system=system, active=ci,
                 ip_pool=hosts(rng, CLOUD[2:4], 64))


def enterprise_batch(w: World) -> None:
    rng = w.rng
    b = w.bank
    templates: list[Any] = [("tpl", t) for t in b["batch_templates"]]
    templates += [("pairs", p) for p in b["corpus"].get("batch", [])]
    for j in range(w.n(7)):
        nacc = int(rng.integers(2, 6))
        orgid = _org_ids(w, 1)[0]
        dom = f"{b['throwaway_words'][j % len(b['throwaway_words'])]}-corp.com"
        vpc = hosts(rng, [CLOUD[j % len(CLOUD)]], 1)[0]
        vpc_ips = v4(np.array([int(x) for x in str(vpc).split(".")]) @ [1 << 24, 1 << 16, 1 << 8, 0]
                     + np.arange(4))
        zdr = j % 3 == 2
        acc = person_group(w, nacc, "enterprise_batch", families={"py_sdk": 1.0}, org=orgid,
                           email_style="corp", domain=dom, pay=hexids(rng, 1, "pm_", 8)[0],
                           created_days=(60, 900), countries={"US": 2, "DE": 1, "GB": 1},
                           customer={"tier": "enterprise", "org": orgid if rng.random() < .8
                                     else None, "verified": True, "contract": rng.random() < .7,
                                     "declared_use": "batch" if rng.random() < .75 else None},
                           listed=0.97, ips=choose(rng, list(vpc_ips), nacc))
        kind, tpl = templates[int(rng.integers(len(templates)))]
        if kind == "tpl":
            xs = tpl["x"]
            prompts = _pool([tpl["t"].format(x=x) for x in xs])
            answers = _pool(tpl["labels"])
        else:
            prompts = _pool([p for p, _ in tpl])
            answers = _pool([q for _, q in tpl])
        jobs = int(rng.integers(2, 6))
        for a_i in range(nacc):
            for _ in range(jobs):
                size = int(lognormal_counts(rng, 1, 500, 0.6)[0])
                day = int(rng.choice([0, 1, 4, 5]))
                start = day * 86400 + rng.uniform(7, 20) * 3600
                dur = rng.uniform(0.5, 3) * 3600
                t = np.sort(start + rng.random(size) * dur)
                t = np.minimum(t, WINDOW_S - 1)
                a = np.full(size, a_i)
                idx = rng.integers(0, len(prompts), size)
                # deterministic answer for the fixed template (temperature 0)
                ans = answers[idx % len(answers)]
                w.emit(acc, a, t, prompts[idx] if not zdr else np.full(size, None, dtype=object),
                       style="label", out_tokens=np.full(size, 8), max_tokens=64,
                       temperature=0.0, model=np.full(size, LITE if j % 2 else OLD, dtype=object),
                       system=None if zdr else b["system_prompts"]["batch"],
                       answer=None if zdr else ans, key=0)


def benchmark_runners(w: World) -> None:
    rng = w.rng
    b = w.bank
    pool = _pool(b["benchmark"] + _arith(w, 400) + b["corpus"].get("bench", []))
    for lab in range(w.n(8)):
        nacc = int(rng.integers(2, 6))
        orgid = _org_ids(w, 1)[0]
        dom = ["evalhouse.ai", "fen-univ.edu", "opencompare.org", "metricly.io"][lab % 4]
        decl = rng.random() < 0.6
        acc = person_group(w, nacc, "benchmark_runner", families={"py_sdk": .8, "curl": .2},
                           org=orgid, email_style="corp", domain=dom, created_days=(30, 600),
                           access="research" if "edu" in dom else "direct",
                           customer={"tier": "pay_as_you_go", "org": orgid, "verified": decl,
                                     "declared_use": "benchmark" if decl else None})
        cloud = hosts(rng, [CLOUD[lab % len(CLOUD)]], 3)
        for a_i in range(nacc):
            # each run walks the suite in order; most runs start within a day of the release
            runs = int(rng.integers(2, 5))
            for r in range(runs):
                size = min(len(pool), 600)
                after = rng.random() < 0.8
                start = (RELEASE_H + rng.uniform(0.5, 22)) * 3600 if after else \
                    rng.uniform(0, RELEASE_H - 4) * 3600
                t = np.minimum(start + np.cumsum(rng.exponential(rng.uniform(0.5, 4), size)),
                               WINDOW_S - 1)
                off = int(rng.integers(len(pool)))
                idx = (off + np.arange(size)) % len(pool)
                model = np.full(size, NEW if (after and r % 3 != 2) else OLD, dtype=object)
                w.emit(acc, np.full(size, a_i), t, pool[idx], style="reasoning",
                       out_tokens=lognormal_counts(rng, size, 380, 0.7),
                       max_tokens=int(rng.choice([2048, 4096, 8192])), temperature=0.0,
                       model=model, ip=cloud[rng.integers(0, 3, size)],
                       logprobs=bool(rng.random() < 0.3), key=0)


def classroom(w: World) -> None:
    rng = w.rng
    b = w.bank
    n = w.n(45, 5)
    school_ip = "81.2.69.142"
    orgid = _org_ids(w, 1)[0]
    # sign-up burst: day 0 between 09:05 and 09:40 UK time (the class period)
    made = T0_US + ((9 * 3600 + 300 + rng.random(n) * 2100) * US).astype(np.int64)
    acc = person_group(w, n, "classroom", countries={"GB": 1}, email_style="handle",
                       domain="students.fenhallacademy.sch.uk", families={"browser": 1.0},
                       access="education", org=orgid, pay="none", ips=np.full(n, school_ip,
                                                                              dtype=object),
                       customer={"tier": "free", "org": orgid if rng.random() < .5 else None,
                                 "verified": False, "declared_use": "education"}, listed=0.85)
    acc.cols["created_us"] = made
    hw = _pool(b["homework"])
    for day, hour in ((0, 9.7), (5, 13.0)):
        k = int(rng.integers(3, 6))
        a = np.repeat(np.arange(n), k)
        t = day * 86400 + hour * 3600 + rng.uniform(0, 2400, len(a))
        t = np.maximum(t, (made[a] - T0_US) / US + 60)
        q = rng.integers(0, 2, len(a)) + (0 if day == 0 else 2)
        w.emit(acc, a, t, hw[q], style="prose", out_tokens=lognormal_counts(rng, len(a), 420, .3),
               max_tokens=None, temperature=None, model=pick_models(rng, t, adopt=0.0),
               system=b["system_prompts"]["tutor"])
    # evenings at home
    ev_ips = hosts(rng, ["81.2.0.0/15", "86.128.0.0/11"], n)
    ses = rng.integers(0, 4, n)
    a = np.repeat(np.arange(n), ses)
    t = np.maximum(rng.uniform(0, 5, len(a)).astype(int) * 86400 + rng.uniform(16, 22, len(a))
                   * 3600, (made[a] - T0_US) / US + 3600)
    t = np.minimum(t, WINDOW_S - 1)
    w.emit(acc, a, t, hw[rng.integers(0, len(hw), len(a))], style="prose",
           out_tokens=lognormal_counts(rng, len(a), 400, .4), max_tokens=None, temperature=None,
           model=pick_models(rng, t, adopt=0.1), ip=ev_ips[a])


def hackathon(w: World) -> None:
    rng = w.rng
    n = w.n(220, 5)
    venue = v4(np.array([0x5B40_1A10 + i for i in range(3)]))  # 91.64.26.16-18
    made = T0_US + ((2 * 86400 + (8 + rng.gamma(2, 0.5, n)) * 3600 - 3600) * US).astype(np.int64)
    acc = person_group(w, n, "hackathon", countries={"DE": 6, "PL": 1, "FR": 1},
                       families={"js_sdk": .5, "py_sdk": .4, "curl": .1}, email_style="person",
                       ips=venue[rng.integers(0, 3, n)],
                       customer={"tier": "free", "verified": False,
                                 "declared_use": choose(rng, [None, "startup"], n, [.8, .2])},
                       listed=0.8)
    acc.cols["created_us"] = made
    k = lognormal_counts(rng, n, 35, 0.8)
    a = np.repeat(np.arange(n), k)
    t0 = (made[a] - T0_US) / US
    t = np.minimum(t0 + 120 + rng.gamma(1.3, 9 * 3600, len(a)), 4 * 86400 - 1)
    t = np.minimum(t, WINDOW_S - 1)
    pool = _pool(w.bank["hackathon"])
    m = len(a)
    w.emit(acc, a, t, pool[rng.integers(0, len(pool), m)], style=choose(rng, ["code", "prose"], m),
           out_tokens=lognormal_counts(rng, m, 380, .6), max_tokens=choose(rng, [None, 1024], n)[a],
           temperature=0.7, model=pick_models(rng, t, lite=.4))


def cron_jobs(w: World) -> None:
    rng = w.rng
    n = w.n(60)
    orgs = _org_ids(w, max(1, n // 2))
    org = orgs[rng.integers(0, len(orgs), n)]
    acc = person_group(w, n, "cron", families={"curl": .5, "py_sdk": .5}, org=org,
                       email_style="corp", domain=["ops.harrowfield.com", "svc.mossbank.io",
                                                   "bots.quayline.co"], created_days=(20, 500),
                       ips=hosts(rng, CLOUD, n),
                       customer={"tier": "pay_as_you_go", "org": org,
                                 "verified": rng.random(n) < .6,
                                 "declared_use": choose(rng, ["cron", None], n, [.4, .6])})
    period_h = choose(rng, [1, 1, 2, 6, 24], n).astype(int)
    minute = np.where(rng.random(n) < 0.7, 0, choose(rng, [15, 30, 45], n)).astype(int)
    pool = _pool(fill(rng, w.bank["cron"], w.bank["cron_slots"], 40))
    for i in range(n):
        hours = np.arange(0, WINDOW_S // 3600, period_h[i]) + (7 if period_h[i] == 24 else 0)
        t = hours * 3600 + minute[i] * 60 + rng.uniform(0.2, 4.0, len(hours))
        t = t[t < WINDOW_S]
        m = len(t)
        ptpl = pool[int(rng.integers(len(pool)))]
        w.emit(acc, np.full(m, i), t, np.full(m, ptpl, dtype=object), style="prose",
               out_tokens=lognormal_counts(rng, m, 300, .25), max_tokens=1024, temperature=0.2,
               model=np.full(m, OLD if i % 5 else LITE, dtype=object), key=0)


def mobile_cgnat(w: World) -> None:
    rng = w.rng
    n = w.n(450)
    carriers = [("US", "172.56.0.0/14", 14), ("GB", "92.40.0.0/15", 8), ("IN", "49.36.0.0/14", 10),
                ("BR", "177.79.0.0/16", 6)]
    which = rng.integers(0, len(carriers), n)
    egress = [hosts(rng, [c[1]], c[2]) for c in carriers]
    country = np.array([carriers[k][0] for k in which], dtype=object)
    acc = person_group(w, n, "mobile_cgnat", families={"browser": .4, "app_ios": .3,
                                                       "app_android": .3},
                       customer={"tier": "free"}, ips=np.full(n, None, dtype=object))
    acc.cols["country"] = country
    from distillguard.simulate.independent.fenland_people import COUNTRIES
    acc.cols["tz"] = np.array([COUNTRIES[str(c)][0] for c in country], dtype=float)
    # every request leaves through one of the carrier's shared egress addresses
    v6_users = rng.random(n) < 0.25
    v6_home = v6(rng, "2607:fb90", n)
    pool = _pool(w.bank["app_prompts"] + w.bank["casual"])
    s = lognormal_counts(rng, n, 4, .7)
    for k in range(len(carriers)):
        rows = np.nonzero(which == k)[0]
        if len(rows) == 0:
            continue
        ips = egress[k][rng.integers(0, len(egress[k]), len(rows))]
        acc.cols["ip"][rows] = np.where(v6_users[rows], v6_home[rows], ips)
    run_sessions(w, acc, pool, Habits(sessions=4, turns=1.6, out_mean=200, roam=0.5, lite=0.5),
                 ip_pool=np.concatenate(egress), session_counts=s)


def synthetic_vendor(w: World) -> None:
    rng = w.rng
    b = w.bank
    n = w.n(4, 2)
    orgid = _org_ids(w, 1)[0]
    acc = person_group(w, n, "synthetic_data_vendor", families={"py_sdk": 1}, org=orgid,
                       email_style="corp", domain="larkspurdata.com", created_days=(120, 400),
                       pay=hexids(rng, 1, "pm_", 8)[0], ips=hosts(rng, ["34.90.0.0/16"], n),
                       customer={"tier": "enterprise", "org": orgid, "verified": True,
                                 "declared_use": "synthetic_data", "contract": True}, listed=1.0)
    pool = _pool(fill(rng, b["synthetic_vendor"], {"x": b["synthetic_vendor_x"]}, 200))
    k = lognormal_counts(rng, n, 4000, .3)
    a = np.repeat(np.arange(n), k)
    t = rng.random(len(a)) * WINDOW_S
    m = len(a)
    w.emit(acc, a, t, pool[rng.integers(0, len(pool), m)], style="json",
           out_tokens=lognormal_counts(rng, m, 700, .4), max_tokens=4096, temperature=1.0,
           model=pick_models(rng, t, adopt=0.5, tau_h=20, lag_h=24),
           system=b["system_prompts"]["vendor"], n=choose(rng, [1, 2, 4], m), key=0)


def resellers(w: World) -> None:
    rng = w.rng
    b = w.bank
    n = w.n(6, 2)
    orgs = _org_ids(w, n)
    acc = person_group(w, n, "reseller", families={"litellm": 1}, org=orgs, email_style="corp",
                       domain=["routerhub.io", "llmgate.net", "apibridge.dev", "tokenmart.co"],
                       created_days=(90, 800), access="reseller", ips=hosts(rng, CLOUD, n),
                       customer={"tier": "enterprise", "org": orgs, "verified": True,
                                 "declared_use": "reseller", "contract": rng.random(n) < 0.7})
    k = lognormal_counts(rng, n, 3000, .5)
    a = np.repeat(np.arange(n), k)
    m = len(a)
    # end users worldwide: the account's traffic follows several time zones at once
    tz = choose(rng, [-6, -3, 0, 1, 5.5, 8, 9], m).astype(float)
    from distillguard.simulate.independent.fenland_kit import local_times
    t = local_times(rng, tz, "human")
    pool = np.concatenate([casual_pool(w), dev_pool(w, 200), _pool(b["benchmark"])])
    own = acc.cols["ip"][a]
    second = hosts(rng, CLOUD, n)[a]
    w.emit(acc, a, t, pool[rng.integers(0, len(pool), m)],
           style=choose(rng, ["prose", "code", "reasoning"], m, [.6, .3, .1]),
           out_tokens=lognormal_counts(rng, m, 420, .8),
           max_tokens=choose(rng, [None, 1024, 4096, 8192], m),
           temperature=choose(rng, [None, 0.7, 1.0, 0.0], m),
           model=pick_models(rng, t, lite=.3, adopt=.4, tau_h=8), ip=np.where(rng.random(m) < .8,
                                                                               own, second),
           system=b["system_prompts"]["reseller"], history=0)


def official_app(w: World) -> None:
    n = w.n(500)
    acc = person_group(w, n, "official_app", families={"app_ios": .5, "app_android": .5},
                       customer={"tier": "free"}, pay="none")
    run_sessions(w, acc, _pool(w.bank["app_prompts"] + w.bank["casual"][:15]),
                 Habits(sessions=4, turns=1.8, out_mean=160, roam=0.35, max_tokens=[1024],
                        temperature=[None], lite=0.6, adopt=0.3, tau_h=4),
                 system=w.bank["system_prompts"]["app"])


def browser_extension(w: World) -> None:
    rng = w.rng
    n = w.n(150)
    acc = person_group(w, n, "browser_extension", families={"extension": 1.0},
                       customer={"tier": choose(rng, ["free", "pay_as_you_go"], n, [.5, .5])})
    acc.cols["tls_fingerprint"] = np.full(n, tls_for("browser", 1)[0], dtype=object)
    b = w.bank
    pool = _pool(fill(rng, b["extension"], {"x": b["extension_x"]}, 120))
    run_sessions(w, acc, pool, Habits(sessions=6, turns=1.3, gap_s=40, out_mean=220,
                                      max_tokens=[800], temperature=[0.3], lite=0.7, adopt=0.1),
                 system=b["system_prompts"]["extension"])


def labelling_company(w: World) -> None:
    rng = w.rng
    b = w.bank
    n = w.n(40, 3)
    orgid = _org_ids(w, 1)[0]
    office = v4(np.full(6, 0x7A02_1E40) + np.arange(6))  # 122.2.30.64-69
    acc = person_group(w, n, "data_labelling", countries={"SG": 1}, families={"browser": .3,
                                                                              "py_sdk": .7},
                       org=orgid, email_style="corp", domain="brightfold-labs.ph",
                       pay=hexids(rng, 1, "pm_", 8)[0], ips=office[rng.integers(0, 6, n)],
                       customer={"tier": "enterprise", "org": orgid, "verified": True,
                                 "declared_use": None, "contract": True}, listed=0.9)
    pool = _pool(fill(rng, b["labelling"], b["labelling_slots"], 200))
    run_sessions(w, acc, pool, Habits(sessions=10, turns=12, gap_s=70, profile="office",
                                      days="office", out_mean=260, max_tokens=[1024],
                                      temperature=[0.0], lite=0, adopt=0.2, roam=0, history=0),
                 style="reasoning")


def research_group(w: World) -> None:
    rng = w.rng
    b = w.bank
    n = w.n(25, 3)
    orgid = _org_ids(w, 1)[0]
    nat = np.array(["128.232.132.8", "128.232.132.9", "2001:630:212:8::a"], dtype=object)
    acc = person_group(w, n, "research_group", countries={"GB": 1}, families={"py_sdk": 1},
                       org=orgid, email_style="corp", domain="cl.fen.ac.uk", access="research",
                       ips=nat[rng.integers(0, 3, n)],
                       customer={"tier": "pay_as_you_go", "org": None,
                                 "verified": rng.random(n) < .5, "declared_use": "research"})
    pool = _pool(fill(rng, b["research"], {"x": b["research_x"]}, 150))
    k = lognormal_counts(rng, n, 200, .9)
    a = np.repeat(np.arange(n), k)
    m = len(a)
    t = np.sort(rng.random(m)) * WINDOW_S
    from distillguard.simulate.independent.fenland_kit import local_times
    t = local_times(rng, np.zeros(m), "dev", "office")
    w.emit(acc, a, t, pool[rng.integers(0, len(pool), m)], style="prose",
           out_tokens=lognormal_counts(rng, m, 120, .8), max_tokens=512,
           temperature=choose(rng, [0.0, 1.0], n)[a], n=choose(rng, [1, 5], n)[a],
           logprobs=choose(rng, [True, False], n)[a], model=pick_models(rng, t, adopt=.5, tau_h=6))


LEGIT = (casual, developers, coding_agents, enterprise_batch, benchmark_runners, classroom,
         hackathon, cron_jobs, mobile_cgnat, synthetic_vendor, resellers, official_app,
         browser_extension, labelling_company, research_group)
