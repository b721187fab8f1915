"""Saltmarsh's legitimate customers, one function per archetype."""

from __future__ import annotations

import numpy as np

from distillguard.simulate.independent.saltmarsh_cast import (
    CONSUMER,
    emails,
    global_conv,
    ip_lists,
    ip_rotate,
    people,
    traffic,
    tz_of,
)
from distillguard.simulate.independent.saltmarsh_kit import (
    DAY,
    END_US,
    EVENING,
    FLAT,
    HOUR,
    OFFICE,
    RELEASE_US,
    START_US,
    STYLE,
    US,
    World,
    counts,
    ipv4s,
    ipv6s,
    sessions,
    times,
)

RESIDENTIAL = ("73.15", "98.207", "24.130", "86.142", "92.40", "81.56", "49.36", "177.92",
               "189.4", "110.227", "121.6", "2.96", "79.198", "95.90", "101.180")
CLOUD = ("34.82", "35.203", "3.91", "52.14", "18.224", "20.106", "104.196", "13.57")
LEGIT_COUNTRIES = ("US", "GB", "DE", "IN", "BR", "FR", "CA", "JP", "NL", "SG", "PL", "ES", "AU",
                   "KR", "MX")
LEGIT_P = (30, 8, 7, 9, 5, 4, 4, 4, 3, 3, 3, 3, 3, 2, 2)


def home_ips(w: World, n: int, k: tuple[int, int] = (1, 3)) -> list[list[str]]:
    r = w.rng
    sizes = r.integers(k[0], k[1] + 1, n)
    out = []
    for s in sizes:
        pfx = [RESIDENTIAL[int(r.integers(len(RESIDENTIAL)))] for _ in range(int(s))]
        out.append([ipv4s(r, p, 1)[0] for p in pfx])
    return out


def casual(w: World) -> None:
    r, n = w.rng, w.n(2500)
    tiers = [("free" if r.random() < 0.7 else "pay_as_you_go") for _ in range(n)]
    idx = people(w, n, "casual", countries=LEGIT_COUNTRIES, country_p=LEGIT_P,
                 clients=("py", "node", "chrome", "safari", "curl"),
                 client_p=(40, 20, 25, 10, 5), access="direct",
                 payment=[("pf_" + h) if t != "free" else None
                          for t, h in zip(tiers, _hx(w, n), strict=True)],
                 customer=[(None, t, bool(r.random() < 0.3), None, False) for t in tiers],
                 missing=0.2)
    per = counts(r, n, 9.0, 1.1)
    a, ts, sess, turn = sessions(r, per, tz_of(w, idx), EVENING, 70, 3.0)
    prompts = w.text.prompts("chat", 3000, "chat")
    traffic(w, idx, a, ts, prompts=prompts, style="prose", chars=(1300, 0.7),
            ip=ip_lists(home_ips(w, n), a, r), conv=global_conv(w, sess), turn=turn,
            model_p=(0.55, 0.45, 0), adopt=(0.35, 48), max_tokens=(-1, 1024, 2048, 4096),
            max_p=(60, 15, 15, 10))


def developer(w: World) -> None:
    r, n = w.rng, w.n(650)
    n_orgs = max(1, n // 12)
    org_names = ["org_" + h for h in _hx(w, n_orgs, 5)]
    org_ix = r.integers(-n_orgs, n_orgs, n)  # about half have no organisation
    orgs = [org_names[i] if i >= 0 else None for i in org_ix]
    domains = [f"{org_names[i][4:9]}.io" if i >= 0 else None for i in org_ix]
    ems = [emails(w, 1, (d,))[0] if d else emails(w, 1, CONSUMER)[0] for d in domains]
    office = {o: ipv4s(r, CLOUD[int(r.integers(len(CLOUD)))] if r.random() < .4
                       else RESIDENTIAL[int(r.integers(len(RESIDENTIAL)))], 2)
              for o in org_names}
    homes = home_ips(w, n, (1, 2))
    ips = [office[o] + h if o else h for o, h in zip(orgs, homes, strict=True)]
    idx = people(w, n, "developer", org=orgs, email=ems, countries=LEGIT_COUNTRIES,
                 country_p=LEGIT_P, clients=("py", "node", "httpx", "curl", "langchain", "go"),
                 client_p=(35, 25, 10, 10, 15, 5),
                 customer=[(o, "pay_as_you_go", bool(r.random() < 0.6), None, False)
                           for o in orgs], missing=0.1, keys=2)
    per = counts(r, n, 45.0, 1.2)
    a, ts, sess, turn = sessions(r, per, tz_of(w, idx), OFFICE, 45, 4.0)
    prompts = w.text.prompts("coding", 2500, "coding", 0.6) + w.text.prompts("chat", 600, "chat")
    style = np.where(r.random(len(ts)) < 0.7, STYLE["code"], STYLE["prose"])
    traffic(w, idx, a, ts, prompts=prompts, style=style, chars=(1800, 0.8),
            ip=ip_lists(ips, a, r), conv=global_conv(w, sess), turn=turn,
            model_p=(0.6, 0.4, 0), adopt=(0.45, 30), max_tokens=(-1, 1024, 4096, 8192),
            max_p=(40, 20, 30, 10), temperature=(np.nan, 0.0, 0.2, 0.7), temp_p=(4, 2, 2, 2))


def coding_agent(w: World) -> None:
    r, n = w.rng, w.n(240)
    ci = r.random(n) < 0.35
    idx = people(w, n, "coding_agent", countries=LEGIT_COUNTRIES, country_p=LEGIT_P,
                 clients=("agentcli",), access=["cloud" if c else "direct" for c in ci],
                 customer=[(None, "pay_as_you_go", bool(r.random() < .7),
                            "agent" if r.random() < .3 else None, False) for _ in range(n)],
                 missing=0.15, keys=2)
    per = counts(r, n, 170.0, 1.0)
    tz = tz_of(w, idx)
    a, ts, sess, turn = sessions(r, per, tz, OFFICE, 18, 22.0)
    # CI keys: a share of their sessions runs at night (01:00-04:00 local)
    night = ci[a] & (r.random(len(a)) < 0.6)
    nights = START_US + r.integers(0, 5, len(a)) * DAY + ((1 + 3 * r.random(len(a)) - tz[a])
                                                         * HOUR).astype(np.int64)
    ts = np.where(night, np.clip(nights + (ts % HOUR), START_US, END_US - 1), ts)
    prompts = w.text.prompts("agent_tasks", 2500, "coding", 0.25)
    systems = w.text.bank["agent_systems"]
    ips = [ipv4s(r, CLOUD[int(r.integers(len(CLOUD)))], 3) if c else h
           for c, h in zip(ci, home_ips(w, n), strict=True)]
    traffic(w, idx, a, ts, prompts=prompts, style="code", chars=(3200, 0.9),
            ip=ip_lists(ips, a, r), systems=systems, s_idx=r.integers(0, len(systems), len(a)),
            conv=global_conv(w, sess), turn=turn, model_p=(0.9, 0.1, 0), adopt=(0.6, 20),
            max_tokens=(32000, 64000, 16384), max_p=(5, 3, 2), temperature=(np.nan, 0.0, 1.0),
            tools=(8, 14, 21, 34), error=0.02)


def enterprise_batch(w: World) -> None:
    r, n = w.rng, w.n(10)
    n_orgs = max(1, (n + 2) // 3)
    org_names = ["org_" + h for h in _hx(w, n_orgs, 5)]
    orgs = [org_names[i % n_orgs] for i in range(n)]
    idx = people(w, n, "enterprise_batch", org=orgs,
                 email=[f"ml-platform@{o[4:10]}corp.com" for o in orgs], access="cloud",
                 countries=("US", "DE", "GB"), clients=("java", "py", "go"),
                 customer=[(o, "enterprise", True, "batch", True) for o in orgs],
                 payment=["pf_" + o for o in orgs], keys=3)
    per = counts(r, n, 3500.0, 0.5)
    parts = []
    for j in range(n):
        tmpl, style = w.text.bank["batch_templates"][j % len(w.text.bank["batch_templates"])]
        items = _batch_items(w, tmpl)
        k = int(per[j])
        # a handful of job runs, each a tight burst
        runs = max(1, k // 600)
        run_at = START_US + r.integers(0, 5 * DAY, runs)
        which = r.integers(0, runs, k)
        off = (r.random(k) * 40 * 60 * US).astype(np.int64)
        ts = np.minimum(run_at[which] + off, END_US - 1)
        parts.append((j, ts, items, style))
    for j, ts, items, style in parts:
        a = np.full(len(ts), j)
        ip = ip_rotate(ipv4s(r, CLOUD[j % len(CLOUD)] + f".{10 + j}", 4), len(ts), r)
        traffic(w, idx, a, ts, prompts=items, style=style, chars=(12 if style == "label" else 110,
                                                                 0.3), ip=ip,
                model_p=(0.2, 0.8, 0), adopt=(0.0, 1), max_tokens=(16, 64, 256),
                max_p=(5, 3, 2), temperature=(0.0,), error=0.003, refused=0.0005)


def _batch_items(w: World, tmpl: str) -> list[str]:
    r = w.rng
    files = w.text.corpus.get("batch_files")
    if files and r.random() < 0.5:
        import json
        from pathlib import Path

        path = Path(files[int(r.integers(len(files)))])
        rows = [json.loads(x)["prompt"] for x in path.read_text(encoding="utf-8").split("\n")
                if x.strip()]
        return [s for s in rows if "\x00" not in s]
    items = w.text.bank["batch_items"]
    out = []
    for _ in range(1500):
        it = items[int(r.integers(len(items)))]
        if r.random() < 0.6:
            it = it.replace("2", str(int(r.integers(0, 10)))).replace("day", "week")
        out.append(tmpl.replace("{item}", it))
    return out


def benchmark_runner(w: World) -> None:
    r, n = w.rng, w.n(24)
    orgs = [("org_" + h) if r.random() < 0.7 else None for h in _hx(w, n, 5)]
    idx = people(w, n, "benchmark_runner", org=orgs, countries=("US", "GB", "CN", "FR", "DE"),
                 clients=("py", "aiohttp", "httpx"), access="direct",
                 customer=[(o, "pay_as_you_go", bool(r.random() < .6),
                            "benchmark" if r.random() < .4 else None, False) for o in orgs],
                 missing=0.1, keys=2)
    gsm = w.text.corpus.get("gsm8k") or [w.text.question(False) for _ in range(300)]
    general = (w.text.corpus.get("bench_general", []) + w.text.corpus.get("bench_arena", [])
               or list(w.text.bank["bench_general"]))
    instr = w.text.bank["bench_instr"]
    ip_sets = [ipv4s(r, CLOUD[int(r.integers(len(CLOUD)))], 2) for _ in range(n)]
    for j in range(n):
        fmt = instr[j % len(instr)]
        suite = [fmt.replace("{q}", q) for q in gsm] if j % 3 != 2 else list(general)
        # one sweep on the old model before the release, one or two on the new one right after
        sweeps = [(START_US + int(r.integers(0, 2 * DAY)), OLD_)]
        sweeps.append((RELEASE_US + int(r.integers(HOUR // 2, 10 * HOUR)), 2))
        if r.random() < 0.5:
            sweeps.append((RELEASE_US + int(r.integers(20 * HOUR, 40 * HOUR)), 2))
        size = min(len(suite), int(r.integers(250, 900)))
        for start, model in sweeps:
            ts = start + np.cumsum(r.exponential(2.5 * US, size)).astype(np.int64)
            ts = np.minimum(ts, END_US - 1)
            mp = (1.0, 0.0, 0.0) if model == OLD_ else (0.0, 0.0, 1.0)
            traffic(w, idx, np.full(size, j), ts, prompts=suite, p_idx=np.arange(size),
                    style="reasoning" if j % 3 != 2 else "prose", chars=(900, 0.5),
                    ip=ip_rotate(ip_sets[j], size, r), model_p=mp, adopt=(0.0, 1),
                    max_tokens=(2048, 4096), temperature=(0.0,), logprobs=0.3 if j % 2 else 0.0,
                    error=0.01)


OLD_ = 0


def classroom(w: World) -> None:
    r = w.rng
    for _c, (size, ctry, pfx, dom, day) in enumerate(((w.n(42, 8), "US", "129.82.41", "csu.edu", 1),
                                                     (w.n(30, 6), "GB", "193.62.18",
                                                      "ashford-academy.sch.uk", 2))):
        tz = -7.0 if ctry == "US" else 0.0
        lesson = START_US + day * DAY + int((9.0 - tz) * HOUR)
        org = "org_school_" + dom.split(".")[0]
        idx = people(w, size, "classroom", org=org, email=emails(w, size, (dom,), "student"),
                     created=(lesson - 20 * 60 * US, lesson + 10 * 60 * US),
                     access="education", countries=(ctry,), clients=("chrome",),
                     payment=None, customer=(org, "free", True, "education", False), missing=0.3)
        nat = ipv4s(r, pfx, 1)
        homework = [w.text.pick("homework") for _ in range(3)]
        # in class: same homework in the same hour; evening: a few follow-ups from home
        per = r.integers(8, 18, size)
        a = np.repeat(np.arange(size), per)
        t_class = lesson + 30 * 60 * US + (r.random(len(a)) * 50 * 60 * US).astype(np.int64)
        home = r.random(len(a)) < 0.3
        t_home = lesson + int(9 * HOUR) + (r.random(len(a)) * 4 * HOUR).astype(np.int64)
        ts = np.where(home, t_home, t_class)
        ips = ip_lists([nat] * size, a, r)
        homes = home_ips(w, size, (1, 1))
        hip = ip_lists(homes, a, r)
        ip = pa_where(home, hip, ips)
        chat = w.text.prompts("chat", 200, "chat")
        prompts = homework + chat
        p = np.where(home & (r.random(len(a)) < 0.5), 3 + r.integers(0, 200, len(a)),
                     r.integers(0, 3, len(a)))
        traffic(w, idx, a, ts, prompts=prompts, p_idx=p, style="prose", chars=(1500, 0.4),
                ip=ip, model_p=(0, 1, 0), adopt=(0.0, 1))


def pa_where(mask: np.ndarray, a: object, b: object) -> object:
    import pyarrow as pa
    import pyarrow.compute as pc

    return pc.if_else(pa.array(mask), a, b)


def hackathon(w: World) -> None:
    r, n = w.rng, w.n(320)
    tz = -8.0
    kick = START_US + 3 * DAY + int((9 - tz) * HOUR)
    venue = ipv4s(r, "64.124.12", 3)
    idx = people(w, n, "hackathon", created=(kick, kick + 3 * HOUR), access="startup",
                 countries=("US",), clients=("py", "node", "curl"), client_p=(4, 5, 1),
                 payment=None, customer=(None, "free", False, "startup", False), missing=0.25)
    per = counts(r, n, 18.0, 0.8)
    a, ts, sess, turn = sessions(r, per, np.full(n, tz), FLAT, 60, 4.0,
                                 start=np.array([w.accounts[i].created_us for i in idx]))
    ts = np.minimum(ts, kick + 36 * HOUR)
    at_venue = (ts < kick + 12 * HOUR) & (r.random(len(ts)) < 0.85)
    homes = home_ips(w, n, (1, 1))
    ip = pa_where(at_venue, ip_rotate(venue, len(ts), r), ip_lists(homes, a, r))
    prompts = w.text.prompts("hack", 800, "coding", 0.4)
    traffic(w, idx, a, ts, prompts=prompts, style="code", chars=(1400, 0.7), ip=ip,
            conv=global_conv(w, sess), turn=turn, model_p=(0.2, 0.8, 0), adopt=(0.5, 2),
            max_tokens=(-1, 1000), temperature=(np.nan, 0.7))


def cron(w: World) -> None:
    r, n = w.rng, w.n(36)
    orgs = ["org_" + h for h in _hx(w, n, 5)]
    idx = people(w, n, "cron", org=orgs, access=("direct", "cloud") * (n // 2) + ("cloud",) *
                 (n % 2), countries=("US", "DE", "GB", "IN"), clients=("curl", "py", "go"),
                 customer=[(o, "pay_as_you_go", True, "cron" if r.random() < .4 else None,
                            False) for o in orgs], missing=0.2)
    for j in range(n):
        every = int(r.choice([1, 1, 2, 6, 24])) * HOUR if r.random() < .8 else 15 * 60 * US
        ticks = np.arange(START_US + int(r.integers(0, 1)) * HOUR, END_US, every)
        k = len(ticks) * int(r.integers(1, 3))
        ts = np.repeat(ticks, k // len(ticks)) + r.integers(0, 3 * US, k) + (
            r.exponential(0.8 * US, k)).astype(np.int64)
        ts = np.minimum(ts, END_US - 1)
        template = w.text.fill(w.text.pick("cron"))
        prompts = [template] + [w.text.fill(w.text.pick("cron")) for _ in range(5)]
        p = np.where(r.random(k) < 0.7, 0, r.integers(1, 6, k))
        traffic(w, idx, np.full(k, j), ts, prompts=prompts, p_idx=p, style="prose",
                chars=(600, 0.3), ip=ip_rotate(ipv4s(r, CLOUD[j % len(CLOUD)], 1), k, r),
                model_p=(0.3, 0.7, 0), adopt=(0.0, 1), max_tokens=(512, 800),
                temperature=(0.2, 0.3))


def cgnat_mobile(w: World) -> None:
    r, n = w.rng, w.n(600)
    carriers = ipv4s(r, "172.56", 4) + ipv4s(r, "107.77", 3) + ipv4s(r, "100.42", 2)
    v6 = ipv6s(r, "2607:fb90", 40)
    idx = people(w, n, "cgnat_mobile", countries=("US",), clients=("safari", "node"),
                 client_p=(7, 3), payment=None, customer=(None, "free", False, None, False),
                 missing=0.4, created=(START_US - 200 * DAY, START_US + 3 * DAY))
    per = counts(r, n, 8.0, 0.9)
    start = np.array([w.accounts[i].created_us for i in idx])
    a, ts, sess, turn = sessions(r, per, np.full(n, -6.0), EVENING, 90, 3.0,
                                 start=np.maximum(start, START_US))
    use6 = r.random(n) < 0.3
    ip = pa_where(use6[a], ip_rotate(v6, len(a), r), ip_rotate(carriers[:6], len(a), r))
    prompts = w.text.prompts("chat", 1500, "chat")
    traffic(w, idx, a, ts, prompts=prompts, style="prose", chars=(900, 0.7), ip=ip,
            conv=global_conv(w, sess), turn=turn, model_p=(0.2, 0.8, 0), adopt=(0.2, 48))


def synthetic_vendor(w: World) -> None:
    r, n = w.rng, w.n(8, 2)
    org = "org_lumadata"
    idx = people(w, n, "synthetic_data_vendor", org=org,
                 email=[f"pipeline{i}@lumadata.ai" for i in range(n)], access="cloud",
                 countries=("US",), clients=("aiohttp",), payment="pf_lumadata_corp",
                 customer=(org, "enterprise", True, "synthetic_data", True), keys=4)
    per = counts(r, n, 3000.0, 0.4)
    a = np.repeat(np.arange(n), per)
    ts = times(r, len(a), 0.0, FLAT)
    prompts = [w.text.fill(w.text.pick("synth_data")).replace("{item}", w.text.pick("topics"))
               for _ in range(3000)] + w.text.prompts("camp_reasoning", 500, "gsm8k_train", 0.8)
    style = np.where(r.random(len(a)) < 0.8, STYLE["prose"], STYLE["reasoning"])
    traffic(w, idx, a, ts, prompts=prompts, style=style, chars=(1100, 0.6),
            ip=ip_rotate(ipv4s(r, "35.203.77", 8), len(a), r), model_p=(0.8, 0.2, 0),
            adopt=(0.5, 12), max_tokens=(2048, 4096), temperature=(0.9, 1.0),
            n_choices=(1, 2, 4), n_p=(6, 2, 2))


def reseller(w: World) -> None:
    r = w.rng
    specs = (("routewise", True, True, 2), ("tokenhub", True, True, 2), ("apibazaar", False, False,
                                                                         w.n(2, 1)))
    for name, verified, contract, k in specs:
        org = "org_" + name
        idx = people(w, k, "reseller", org=org, email=[f"ops{i}@{name}.com" for i in range(k)],
                     access="reseller", countries=("US", "SG", "DE"), clients=("go",),
                     payment="pf_" + name,
                     customer=(org, "enterprise" if contract else "pay_as_you_go", verified,
                               "reseller", contract), keys=6)
        per = counts(r, k, 4500.0, 0.4)
        a = np.repeat(np.arange(k), per)
        ts = times(r, len(a), 0.0, (EVENING + OFFICE) / 2)
        prompts = (w.text.prompts("chat", 1500, "chat") + w.text.prompts("coding", 800, "coding")
                   + w.text.prompts("camp_persona", 150, "gsm8k_train", 0.0))
        sys_ = [None] + [f"You are the assistant of {t}. Be brief." for t in
                         ("ShopBuddy", "StudyPal", "LegalEase", "Chef.ai", "DevHelper")]
        style = np.where(r.random(len(a)) < 0.7, STYLE["prose"], STYLE["code"])
        sess = r.integers(0, len(a) // 3 + 1, len(a))
        traffic(w, idx, a, ts, prompts=prompts, style=style, chars=(1200, 0.8),
                ip=ip_rotate(ipv4s(r, CLOUD[int(r.integers(len(CLOUD)))], 5), len(a), r),
                systems=sys_, s_idx=r.integers(0, len(sys_), len(a)),
                conv=global_conv(w, sess), model_p=(0.6, 0.4, 0), adopt=(0.5, 24),
                max_tokens=(-1, 2048, 4096))


def research_lab(w: World) -> None:
    r, n = w.rng, w.n(28, 3)
    org = "org_ucl_nlp_lab"
    idx = people(w, n, "research_lab", org=org, email=emails(w, n, ("cs.ucl.ac.uk",)),
                 access="research", countries=("GB",), clients=("py", "httpx"),
                 payment=[None] * (n - 1) + ["pf_ucl_grant"],
                 customer=(org, "pay_as_you_go", True, "research", True), missing=0.2)
    per = counts(r, n, 350.0, 1.0)
    a, ts, _sess, _turn = sessions(r, per, np.zeros(n), OFFICE, 4, 60.0)
    prompts = w.text.prompts("research_evals", 1500, "gsm8k", 0.5) + [
        w.text.fill(w.text.pick("camp_rubric")) for _ in range(400)]
    lab = ipv4s(r, "128.40.9", 6)
    traffic(w, idx, a, ts, prompts=prompts, style="reasoning", chars=(800, 0.7),
            ip=ip_rotate(lab, len(a), r), model_p=(0.6, 0.4, 0), adopt=(0.7, 6),
            max_tokens=(1024, 4096), temperature=(0.0, 1.0), temp_p=(4, 1), logprobs=0.2)


def writing_saas(w: World) -> None:
    r, n = w.rng, w.n(6, 2)
    org = "org_quillmate"
    idx = people(w, n, "writing_saas", org=org, email=[f"api{i}@quillmate.app" for i in range(n)],
                 access="direct", countries=("DE",), clients=("node",), payment="pf_quillmate",
                 customer=(org, "enterprise", True, "writing_assistant", False), keys=2)
    per = counts(r, n, 3500.0, 0.5)
    a = np.repeat(np.arange(n), per)
    ts = times(r, len(a), 1.0, EVENING)
    prompts = w.text.prompts("writing", 3000)
    systems = w.text.bank["writing_systems"]
    traffic(w, idx, a, ts, prompts=prompts, style="prose", chars=(700, 0.6),
            ip=ip_rotate(ipv4s(r, "18.224.50", 6), len(a), r), systems=systems,
            s_idx=(r.random(len(a)) < 0.15).astype(np.int64), model_p=(0.3, 0.7, 0),
            adopt=(0.0, 1), max_tokens=(1200,), temperature=(0.4,))


def agent_platform(w: World) -> None:
    r, n = w.rng, w.n(45, 3)
    org = "org_relayworks"
    tenants = [h[:6] for h in _hx(w, n, 4)]
    idx = people(w, n, "agent_platform", org=org,
                 email=[f"tenant-{t}@relayworks.dev" for t in tenants], access="cloud",
                 countries=("US",), clients=("py",), payment="pf_relayworks",
                 customer=(org, "enterprise", True, "agent", True), keys=1)
    per = counts(r, n, 450.0, 1.2)
    a, ts, sess, turn = sessions(r, per, np.full(n, -5.0), OFFICE, 6, 7.0)
    prompts = w.text.prompts("tenant_tasks", 1500, "tools", 0.4)
    systems = [w.text.pick("tenant_systems").replace("{tenant}", t) for t in tenants]
    traffic(w, idx, a, ts, prompts=prompts, style="prose", chars=(500, 0.8),
            ip=ip_rotate(ipv4s(r, "52.14.200", 4), len(a), r), systems=systems, s_idx=a,
            conv=global_conv(w, sess), turn=turn, model_p=(0.5, 0.5, 0), adopt=(0.2, 48),
            max_tokens=(4096,), temperature=(0.2,), tools=(5, 9, 15))


def _hx(w: World, n: int, nbytes: int = 8) -> list[str]:
    from distillguard.simulate.independent.saltmarsh_kit import hexes

    return hexes(w.rng, n, nbytes)


LEGIT = (casual, developer, coding_agent, enterprise_batch, benchmark_runner, classroom,
         hackathon, cron, cgnat_mobile, synthetic_vendor, reseller, research_lab, writing_saas,
         agent_platform)
