"""Kestrel's legitimate customers: people, companies, services and automation that share the
provider with the campaigns (see KESTREL.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .kestrel_kit import (
    COUNTRIES,
    COUNTRY_P,
    DAY,
    END,
    EVENING,
    FLAT,
    HOUR,
    MIN,
    NEW,
    NIGHT_BATCH,
    OFFICE,
    OLD,
    OLD_MINI,
    SEC,
    T0,
    TZ,
    Acct,
    World,
    agent_steps,
    client,
    client_mix,
    cloud_ip,
    conv_ids,
    corp_email,
    exchange,
    fill,
    hexid,
    hourly_times,
    humanize,
    model_for,
    payment_id,
    person_email,
    pick,
    residential_ip,
    sessions,
    sub_rng,
    subnet_ips,
    zipf_pick,
)


def _slots(w: World) -> dict[str, list[str]]:
    s: dict[str, list[str]] = dict(w.text["fills"])
    s["lib2"] = s["lib"]
    s["n2"] = s["n"]
    s["city2"] = s["city"]
    s["csv"] = w.text["csv"]
    s["gsm"] = w.text["gsm"] or w.text["gsm_builtin"]
    s["fact"] = w.text["facts"]
    s["id"] = [str(i) for i in range(10_000, 10_400)]
    return s


def _country(rng: np.random.Generator) -> str:
    return COUNTRIES[int(rng.choice(len(COUNTRIES), p=COUNTRY_P))]


def _created_before(rng: np.random.Generator, first: int, max_days: float) -> int:
    return int(first - rng.uniform(0.02, max_days) * DAY)


def _home_ip(w: World, rng: np.random.Generator, country: str, nat_share: float) -> list[str]:
    """A person's addresses: home broadband, sometimes a phone on carrier NAT."""
    ips = [residential_ip(rng, country)]
    if rng.random() < nat_share:
        nat = w.carrier_nat[country]
        ips.append(nat[int(rng.integers(0, len(nat)))])
    if rng.random() < 0.15:
        ips.append(residential_ip(rng, country))
    return ips


# ---- people -----------------------------------------------------------------------------------

def _chatters(w: World, rng: np.random.Generator, count: int, *, archetype: str,
              clients: dict[str, float], nat_share: float, sessions_range: tuple[int, int],
              adopt: float, start: int = T0, created_window: tuple[int, int] | None = None,
              prompts: list[str] | None = None, tier_free: float = 0.55) -> None:
    chat = prompts or humanize(rng, fill(rng, w.text["chat"], _slots(w), 300) * 3, w.text)
    follow = w.text["chat_followups"]
    systems = w.popular_system
    for _ in range(count):
        c = _country(rng)
        ua, tls = client_mix(rng, clients)
        ips = _home_ip(w, rng, c, nat_share)
        if rng.random() < 0.08:  # a commercial VPN: its exits are shared by its customers
            ips = [w.vpn_exits[int(rng.integers(0, len(w.vpn_exits)))], *ips[1:]]
        k_sess = int(rng.integers(*sessions_range))
        s_start = start
        if created_window is not None:
            created = int(rng.integers(*created_window))
            s_start = created + int(rng.integers(1, 30)) * MIN
        ts, sess, turn = sessions(rng, k_sess, s_start, END, TZ[c], EVENING, 2.3, 70)
        if len(ts) == 0:
            continue
        if created_window is None:
            created = _created_before(rng, int(ts.min()), 900)
        free = rng.random() < tier_free
        a = w.account(rng, archetype=archetype, email=person_email(rng, c),
                      payment=None if free else payment_id(rng), created=created, country=c,
                      tier="free" if free else "pay_as_you_go", verified=rng.random() < 0.3)
        k = len(ts)
        prompt = np.where(turn == 0, zipf_pick(rng, chat, k, 0.6), pick(rng, follow, k))
        native = w.text["chat_i18n"].get(c)
        if native and rng.random() < 0.65:  # people who write in their own language
            own = np.array(fill(rng, native, _slots(w), 20), dtype=object)
            prompt = np.where(rng.random(k) < 0.8, own[rng.integers(0, len(own), size=k)],
                              prompt)
        sysp = systems[int(rng.integers(0, len(systems)))] if rng.random() < 0.7 else None
        mt = [None, 1024, 2048, 4096][int(rng.integers(0, 4))]
        temp = [None, 0.7, 1.0, 0.8][int(rng.integers(0, 4))]
        exchange(w, a, rng, ts, prompt, system=sysp,
                 model=model_for(rng, ts, w.release, adopt=adopt, tau_h=30, mini=0.15),
                 ua=ua, tls=tls, ip=pick(rng, ips, k, np.array([0.7] + [0.3] * (len(ips) - 1))),
                 conv=conv_ids(rng, sess), turn=turn, resp="chat", out_median=320,
                 max_tokens=mt, temperature=temp, history=220)


def casual(w: World) -> None:
    rng = sub_rng(w.seed, "casual")
    _chatters(w, rng, w.n(2000), archetype="casual",
              clients={"chrome": 3, "safari": 1, "firefox": .6, "py": 2, "node": 1.5,
                       "requests": .5}, nat_share=0.25, sessions_range=(1, 11), adopt=0.35)


def mobile(w: World) -> None:
    rng = sub_rng(w.seed, "mobile")
    _chatters(w, rng, w.n(900), archetype="mobile_casual", clients={"ios": 3, "android": 2},
              nat_share=0.9, sessions_range=(1, 8), adopt=0.3, tier_free=0.4)


def release_tourists(w: World) -> None:
    """People who sign up after launch coverage to try the new model."""
    rng = sub_rng(w.seed, "tourists")
    _chatters(w, rng, w.n(260), archetype="release_tourist",
              clients={"chrome": 3, "safari": 1, "py": 2, "node": 1, "curl": .4},
              nat_share=0.2, sessions_range=(1, 4), adopt=0.95,
              created_window=(w.release + HOUR, min(w.release + 40 * HOUR, END - 4 * HOUR)),
              tier_free=0.8)


def developers(w: World) -> None:
    rng = sub_rng(w.seed, "developers")
    pool = humanize(rng, fill(rng, w.text["power"], _slots(w), 500)
                    + fill(rng, w.text["chat"], _slots(w), 80), w.text)
    for _ in range(w.n(380)):
        c = _country(rng)
        ua, tls = client_mix(rng, {"py": 4, "node": 2, "curl": .7, "httpx": 1, "go": .4,
                                   "rust": .2, "java": .3, "dotnet": .3})
        ips = _home_ip(w, rng, c, 0.2)
        if rng.random() < 0.3:
            ips.append(cloud_ip(rng, ["aws", "gcp", "vps"][int(rng.integers(0, 3))]))
        ts, sess, turn = sessions(rng, int(rng.integers(3, 30)), T0, END, TZ[c],
                                  (OFFICE + EVENING) / 2, 1.8, 90)
        if len(ts) == 0:
            continue
        a = w.account(rng, archetype="developer", email=person_email(rng, c),
                      payment=payment_id(rng), created=_created_before(rng, int(ts.min()), 700),
                      country=c, verified=rng.random() < 0.5, keys=int(rng.integers(1, 4)))
        k = len(ts)
        prompt = zipf_pick(rng, pool, k, 0.4)
        exchange(w, a, rng, ts, prompt, system=None if rng.random() < 0.6 else w.popular_system[0],
                 model=model_for(rng, ts, w.release, adopt=0.65, tau_h=8, mini=0.2),
                 ua=ua, tls=tls, ip=pick(rng, ips, k), conv=conv_ids(rng, sess), turn=turn,
                 resp="code", out_median=450, out_sigma=0.9,
                 max_tokens=[None, 2048, 4096, 8192][int(rng.integers(0, 4))],
                 temperature=[None, 0.0, 0.2, 0.7][int(rng.integers(0, 4))],
                 tool_count=None if rng.random() < 0.8 else int(rng.integers(1, 6)))


def coding_agents(w: World) -> None:
    """Developers running a terminal coding agent, and CI bots that run it round the clock."""
    rng = sub_rng(w.seed, "coding-agents")
    tasks, steps = w.text["coding_tasks"], agent_steps(rng, w.text, 3000)
    sysp = w.text["system_prompts"]["coding_agent"]
    for _ in range(w.n(140)):
        c = _country(rng)
        ci = rng.random() < 0.3
        ua, tls = client(rng, "agent")
        ips = _home_ip(w, rng, c, 0.1)
        n_sess = int(rng.integers(6, 30))
        ts, sess, turn = sessions(rng, n_sess, T0, END, TZ[c], OFFICE, 14, 25, weekend=0.3)
        if ci:  # CI runs: a few agent sessions every few hours, day and night
            cts, csess, cturn = sessions(rng, int(rng.integers(10, 40)), T0, END, 0, FLAT, 9,
                                         15, weekend=1.0)
            ts = np.concatenate([ts, cts])
            turn = np.concatenate([turn, cturn])
            sess = np.concatenate([sess, csess + n_sess])
            ci_ips = [cloud_ip(rng, "azure") for _ in range(8)]
            ip = np.concatenate([pick(rng, ips, len(ts) - len(cts)), pick(rng, ci_ips, len(cts))])
        else:
            ip = pick(rng, ips, len(ts))
        if len(ts) == 0:
            continue
        company = rng.random() < 0.4
        a = w.account(rng, archetype="coding_agent",
                      email=person_email(rng, c) if not company else corp_email(
                          rng, f"{hexid(rng, 5)}-labs.io"),
                      payment=payment_id(rng), created=_created_before(rng, int(ts.min()), 500),
                      country=c, verified=True,
                      declared_use="agent" if rng.random() < 0.4 else None,
                      keys=int(rng.integers(1, 4)), tier="enterprise" if company and ci else
                      "pay_as_you_go")
        k = len(ts)
        prompt = np.where(turn == 0, pick(rng, tasks, k), pick(rng, steps, k))
        exchange(w, a, rng, ts, prompt, system=sysp,
                 model=model_for(rng, ts, w.release, adopt=0.75, tau_h=10),
                 ua=ua, tls=tls, ip=ip, conv=conv_ids(rng, sess), turn=turn, resp="agent",
                 out_median=700, out_sigma=0.9,
                 max_tokens=[8192, 16384, 32000][int(rng.integers(0, 3))],
                 temperature=[0.0, 0.2, None][int(rng.integers(0, 3))],
                 tool_count=int(rng.integers(10, 24)), history=900, err=0.015)


def classrooms(w: World) -> None:
    """Courses where students sign up together in class behind the university's NAT."""
    rng = sub_rng(w.seed, "classrooms")
    unis = [("cs.northfield.edu", "US", "141.212.{}"), ("uni-halberg.de", "DE", "134.{}.7"),
            ("student.kaiyo-u.ac.jp", "JP", "133.{}.88"), ("mail.ufpr-test.br", "BR", "200.{}.30")]
    homework = fill(rng, w.text["homework"], _slots(w), 40)
    order = rng.permutation(len(unis))
    for ci in range(min(len(unis), 3)):
        domain, c, pat = unis[int(order[ci])]
        nat = subnet_ips(rng, pat.format(int(rng.integers(10, 250))), 2)
        day = int(rng.integers(0, 4))
        class_start = T0 + day * DAY + (10 + int(rng.integers(0, 5)) - TZ[c]) * HOUR
        shared_hw = [homework[int(i)] for i in rng.choice(len(homework), 6, replace=False)]
        for _ in range(w.n(int(rng.integers(25, 60)), 3)):
            created = class_start + int(rng.integers(0, 80)) * MIN
            # the in-class exercise, then homework over the following days
            n_cls = int(rng.integers(2, 8))
            t_cls = np.sort(created + rng.integers(2, 70, size=n_cls) * MIN)
            t_hw, sess, turn = sessions(rng, int(rng.integers(1, 6)), created + 3 * HOUR, END,
                                        TZ[c], EVENING, 2.0, 90)
            ts = np.concatenate([t_cls, t_hw])
            home = _home_ip(w, rng, c, 0.5)
            ip = np.concatenate([pick(rng, nat, n_cls), pick(rng, home + nat[:1], len(t_hw))])
            a = w.account(rng, archetype="classroom",
                          email=person_email(rng, c, domain),
                          payment=None, created=created, access_path="education", country=c,
                          tier="free", verified=True, declared_use="education")
            ua, tls = client_mix(rng, {"chrome": 3, "safari": 1, "py": 2})
            prompt = np.concatenate([pick(rng, shared_hw[:2], n_cls),
                                     pick(rng, shared_hw, len(t_hw))])
            conv = np.concatenate([np.zeros(n_cls, dtype=np.int64), sess + 1])
            turns = np.concatenate([np.arange(n_cls), turn])
            exchange(w, a, rng, ts, prompt, system=None, model=OLD if ts[0] < w.release else NEW,
                     ua=ua, tls=tls, ip=ip, conv=conv_ids(rng, conv), turn=turns, resp="chat",
                     out_median=380, temperature=None)


def hackathon(w: World) -> None:
    rng = sub_rng(w.seed, "hackathon")
    venue = subnet_ips(rng, f"64.{int(rng.integers(10, 250))}.{int(rng.integers(1, 250))}", 3)
    kickoff = T0 + 4 * DAY + (23 + int(rng.integers(0, 2))) * HOUR  # Friday evening, US east
    ideas = fill(rng, w.text["hackathon"] + w.text["power"], _slots(w), 120)
    for _ in range(w.n(int(rng.integers(70, 140)), 4)):
        created = kickoff - int(rng.integers(-60, 300)) * MIN
        n = int(rng.integers(15, 120))
        ts = np.sort(created + (rng.beta(1.3, 2.0, size=n) * 36 * HOUR).astype(np.int64) + MIN)
        ua, tls = client_mix(rng, {"py": 3, "node": 3, "chrome": 1, "curl": .5})
        a = w.account(rng, archetype="hackathon",
                      email=person_email(rng, "US"), payment=None, created=created,
                      access_path="startup", country="US", tier="free", verified=False,
                      declared_use="startup")
        exchange(w, a, rng, ts, pick(rng, ideas, n),
                 system=pick(rng, [*w.popular_system, None, None, None], 1)[0],
                 model=model_for(rng, ts, w.release, adopt=0.8, tau_h=2), ua=ua, tls=tls,
                 ip=pick(rng, venue, n), resp="code", out_median=300,
                 temperature=[None, 0.7][int(rng.integers(0, 2))], err=0.03)


def company_staff(w: World) -> None:
    """Employees of companies with many accounts on one corporate card and domain."""
    rng = sub_rng(w.seed, "company-staff")
    comps = list(rng.permutation(w.text["companies"]))[:3]
    rag = [f"{ctx}\n\nQuestion: {q}" for ctx in w.text["rag_ctx"] for q in w.text["rag_q"]]
    pool = humanize(rng, fill(rng, w.text["power"] + w.text["chat"][:20], _slots(w), 300)
                    + rag, w.text)
    for name in comps:
        domain = str(name).split()[0].lower() + ".com"
        c = ["US", "GB", "DE"][int(rng.integers(0, 3))]
        org = w.new_id("org_", 12, rng)
        card = payment_id(rng)
        egress = subnet_ips(rng, f"{int(rng.integers(60, 200))}.{int(rng.integers(1, 250))}."
                                 f"{int(rng.integers(1, 250))}", 3)
        sysp = w.text["system_prompts"]["company"].format(company=name)
        web_ua, web_tls = client(rng, "py")
        rollout = T0 - int(rng.integers(20, 200)) * DAY
        for _ in range(w.n(int(rng.integers(20, 70)), 2)):
            ts, sess, turn = sessions(rng, int(rng.integers(2, 14)), T0, END, TZ[c], OFFICE, 2.2,
                                      80, weekend=0.1)
            if len(ts) == 0:
                continue
            own = rng.random() < 0.3
            ua, tls = client(rng, "py") if own else (web_ua, web_tls)
            a = w.account(rng, archetype="company_staff", org_id=org,
                          email=corp_email(rng, domain), payment=card,
                          created=rollout + int(rng.integers(0, 15)) * DAY, country=c,
                          tier="enterprise", verified=True)
            k = len(ts)
            exchange(w, a, rng, ts, zipf_pick(rng, pool, k, 0.5), system=sysp,
                     model=model_for(rng, ts, w.release, adopt=0.2, tau_h=48), ua=ua, tls=tls,
                     ip=pick(rng, egress, k), conv=conv_ids(rng, sess), turn=turn,
                     resp="chat", out_median=300)


def analysts(w: World) -> None:
    """Analysts in notebooks who ask for step-by-step reasoning about their data."""
    rng = sub_rng(w.seed, "analysts")
    pool = fill(rng, w.text["analysis"], _slots(w), 150)
    for _ in range(w.n(80)):
        c = _country(rng)
        ts, sess, turn = sessions(rng, int(rng.integers(3, 16)), T0, END, TZ[c], OFFICE, 2.5, 120)
        if len(ts) == 0:
            continue
        ua, tls = client_mix(rng, {"py": 5, "langchain": 1, "requests": 1})
        a = w.account(rng, archetype="analyst", email=person_email(rng, c),
                      payment=payment_id(rng), created=_created_before(rng, int(ts.min()), 400),
                      country=c, verified=rng.random() < 0.6)
        k = len(ts)
        exchange(w, a, rng, ts, pick(rng, pool, k), system=None,
                 model=model_for(rng, ts, w.release, adopt=0.4, tau_h=24), ua=ua, tls=tls,
                 ip=pick(rng, _home_ip(w, rng, c, 0.1), k), conv=conv_ids(rng, sess), turn=turn,
                 resp="reason", out_median=600,
                 temperature=[None, 0.0, 0.3][int(rng.integers(0, 3))])


# ---- services and automation -----------------------------------------------------------------

def enterprise_batch(w: World) -> None:
    """Nightly batch jobs: one template, large volume, short outputs, temperature 0."""
    rng = sub_rng(w.seed, "enterprise-batch")
    jobs = list(w.text["batch"].items())
    for j in range(w.n(3)):
        name, spec = jobs[j % len(jobs)]
        org = w.new_id("org_", 12, rng)
        card = payment_id(rng)
        domain = f"{hexid(rng, 4)}-{name}-corp.com"
        ips = [cloud_ip(rng, "aws") for _ in range(int(rng.integers(1, 4)))]
        ua, tls = client(rng, "py_async")
        for _acc in range(int(rng.integers(1, 3))):
            a = w.account(rng, archetype="enterprise_batch", org_id=org,
                          email=corp_email(rng, domain), payment=card,
                          created=T0 - int(rng.integers(60, 600)) * DAY, country="US",
                          tier="enterprise", verified=True, declared_use="batch", contract=True,
                          keys=1)
            start_h = int(rng.integers(0, 4))
            per_night = int(rng.integers(250, 700))
            parts = []
            for d in range(8):
                if rng.random() < 0.1:
                    continue  # no upstream file that night
                m = int(per_night * rng.uniform(0.6, 1.3))
                t = (T0 + d * DAY + start_h * HOUR + int(rng.integers(0, 20)) * MIN
                     + np.cumsum(rng.exponential(0.9, size=m) * SEC).astype(np.int64))
                parts.append(t)
            if not parts:
                continue
            ts = np.concatenate(parts)
            k = len(ts)
            ids = rng.integers(100_000, 999_999, size=k).astype(str)
            subj = pick(rng, spec["subj"], k)
            body = pick(rng, fill(rng, spec["body"], _slots(w), 60), k)
            prompt = np.array([spec["tmpl"].format(id=i, subj=s, body=b, title=s)
                               for i, s, b in zip(ids, subj, body, strict=True)], dtype=object)
            exchange(w, a, rng, ts, prompt, system=spec["sys"], model=OLD_MINI, ua=ua, tls=tls,
                     ip=pick(rng, ips, k), resp="label", out_median=4, out_sigma=0.6,
                     max_tokens=int(rng.choice([16, 64, 128])), temperature=0.0, err=0.004,
                     refused=0.0)


def benchmarks(w: World) -> None:
    """Evaluation teams re-running public benchmarks, most of all on the new model."""
    rng = sub_rng(w.seed, "benchmarks")
    gsm = w.text["gsm"] or fill(rng, w.text["gsm_builtin"], _slots(w), 250)
    suites = {"gsm": gsm, "mmlu": w.text["mmlu"], "humaneval": w.text["humaneval"]}
    teams = [("leaderboard", "direct", "benchmark"), ("evalco", "direct", "benchmark"),
             ("nlp-lab", "research", "research"), ("safety-evals", "direct", "benchmark")]
    for name, path, use in teams[: w.n(4, 2)]:
        org = w.new_id("org_", 12, rng)
        domain = f"{name}.{'edu' if path == 'research' else 'ai'}"
        card = payment_id(rng)
        ips = [cloud_ip(rng, ["gcp", "aws"][int(rng.integers(0, 2))]) for _ in range(2)]
        ua, tls = client(rng, "py_async") if rng.random() < 0.7 else client(rng, "litellm")
        for _acc in range(int(rng.integers(1, 4))):
            a = w.account(rng, archetype="benchmark", org_id=org, email=corp_email(rng, domain),
                          payment=card, created=T0 - int(rng.integers(30, 500)) * DAY,
                          access_path=path, country="US", verified=True, declared_use=use)
            runs: list[tuple[int, str, str]] = []
            for _ in range(int(rng.integers(0, 3))):  # small regression runs on the old model
                runs.append((T0 + int(rng.integers(0, int((w.release - T0) // HOUR))) * HOUR,
                             OLD, str(rng.choice(list(suites)))))
            first = w.release + int(rng.integers(1, 20)) * HOUR
            for s in list(suites):
                if rng.random() < 0.8:
                    runs.append((first + int(rng.integers(0, 6)) * HOUR, NEW, s))
            if rng.random() < 0.5:
                runs.append((first + int(rng.integers(24, 60)) * HOUR, NEW, "gsm"))
            for start, model, suite in runs:
                items = suites[suite]
                if suite == "gsm":
                    m = min(len(items), int(rng.integers(200, 600)))
                else:
                    m = len(items) * int(rng.integers(3, 8))
                prompts = np.asarray(items, dtype=object)[np.arange(m) % len(items)]
                suffix = w.text["bench_suffix"][{"gsm": 0, "mmlu": 2}.get(suite, 3)]
                prompts = np.array([p + suffix for p in prompts], dtype=object)
                ts = start + np.cumsum(rng.exponential(0.6, size=m) * SEC).astype(np.int64)
                keep = ts < END
                if not keep.any():
                    continue
                code = suite == "humaneval"
                exchange(w, a, rng, ts[keep], prompts[keep], system=w.text["bench_sys"][0],
                         model=model, ua=ua, tls=tls, ip=pick(rng, ips, int(keep.sum())),
                         resp="bench", out_median={"gsm": 220, "mmlu": 8}.get(suite, 150),
                         max_tokens=1024 if not code else 512, temperature=0.8 if code else 0.0,
                         n=5 if code else 1, err=0.01)


def cron_jobs(w: World) -> None:
    """Scheduled scripts: at minute 0 of each hour, every 15 minutes, or once a day."""
    rng = sub_rng(w.seed, "cron")
    pool = w.text["cron"]
    for _ in range(w.n(30)):
        c = _country(rng)
        ua, tls = client_mix(rng, {"py": 2, "requests": 3, "curl": 2, "go": 1, "node": 1})
        period = [HOUR, HOUR, 15 * MIN, DAY, 30 * MIN][int(rng.integers(0, 5))]
        offset = 0 if period != DAY else (7 - TZ[c]) % 24 * HOUR
        start = T0 + offset + (0 if rng.random() < 0.8 else int(rng.integers(1, 5)) * DAY)
        ts = np.arange(start, END, period, dtype=np.int64)
        ts = ts + rng.integers(0, 4 * SEC, size=len(ts))
        ts = ts[rng.random(len(ts)) > 0.01]  # a missed run now and then
        if len(ts) == 0:
            continue
        tmpl = pool[int(rng.integers(0, len(pool)))]
        prompts = fill(rng, [tmpl], _slots(w), 40)
        ip = cloud_ip(rng, ["aws", "vps", "gcp"][int(rng.integers(0, 3))]) if rng.random() < 0.7 \
            else residential_ip(rng, c)
        a = w.account(rng, archetype="cron", email=person_email(rng, c), payment=payment_id(rng),
                      created=T0 - int(rng.integers(5, 400)) * DAY, country=c,
                      declared_use="cron" if rng.random() < 0.3 else None)
        k = len(ts)
        exchange(w, a, rng, ts, pick(rng, prompts, k), system=None,
                 model=OLD_MINI if rng.random() < 0.6 else OLD, ua=ua, tls=tls, ip=ip,
                 resp="chat", out_median=120, out_sigma=0.4, max_tokens=300, temperature=0.3)


def resellers(w: World) -> None:
    """Declared API gateways: one account, many end users' requests, many keys."""
    rng = sub_rng(w.seed, "resellers")
    s = _slots(w)
    mix = (fill(rng, w.text["chat"], s, 300) + fill(rng, w.text["power"], s, 200)
           + fill(rng, w.text["analysis"], s, 60) + w.text["coding_tasks"]
           + fill(rng, w.text["math"], s, 60) + fill(rng, w.text["homework"], s, 60))
    for g in range(w.n(3)):
        org = w.new_id("org_", 12, rng)
        ips = [cloud_ip(rng, ["aws", "gcp"][g % 2]) for _ in range(int(rng.integers(3, 10)))]
        ua, tls = client(rng, ["litellm", "httpx", "go"][g % 3])
        for _acc in range(int(rng.integers(1, 3))):
            a = w.account(rng, archetype="reseller", org_id=org,
                          email=f"billing@{hexid(rng, 4)}router.ai", payment=payment_id(rng),
                          created=T0 - int(rng.integers(100, 700)) * DAY, access_path="reseller",
                          country="US", tier="enterprise", verified=True, declared_use="reseller",
                          contract=True, keys=int(rng.integers(20, 80)))
            k = int(rng.integers(2500, 6000))
            ts = hourly_times(rng, k, T0, END, 0, (FLAT + EVENING / 5), weekend=0.9)
            exchange(w, a, rng, ts, zipf_pick(rng, mix, k, 0.3),
                     system=pick(rng, w.popular_system + [None] * 4, k),
                     model=model_for(rng, ts, w.release, adopt=0.5, tau_h=12, mini=0.25),
                     ua=ua, tls=tls, ip=pick(rng, ips, k), resp="chat", out_median=350,
                     out_sigma=1.0, max_tokens=pick(rng, [None, 1024, 4096, 8192], k),
                     temperature=pick(rng, [None, 0.7, 0.0, 1.0], k), err=0.012)


def synthetic_vendors(w: World) -> None:
    """Synthetic-data vendors working under contract: templated generation, high temperature."""
    rng = sub_rng(w.seed, "synthetic")
    spec = w.text["synthetic"]
    for _v in range(w.n(2)):
        org = w.new_id("org_", 12, rng)
        card = payment_id(rng)
        domain = f"{hexid(rng, 4)}data.co"
        ips = [cloud_ip(rng, "gcp") for _ in range(3)]
        ua, tls = client(rng, "py_async")
        pool = fill(rng, spec["tmpl"], _slots(w), 800)
        for _acc in range(int(rng.integers(1, 3))):
            a = w.account(rng, archetype="synthetic_data", org_id=org,
                          email=corp_email(rng, domain), payment=card,
                          created=T0 - int(rng.integers(30, 300)) * DAY, country="US",
                          tier="enterprise", verified=True, declared_use="synthetic_data",
                          contract=True)
            parts = []
            for _job in range(int(rng.integers(3, 7))):
                t0 = T0 + int(rng.integers(0, 7 * 24)) * HOUR
                m = int(rng.integers(300, 800))
                parts.append(t0 + np.cumsum(rng.exponential(4.0, size=m) * SEC).astype(np.int64))
            ts = np.concatenate(parts)
            k = len(ts)
            exchange(w, a, rng, ts, pick(rng, pool, k), system=spec["sys"],
                     model=model_for(rng, ts, w.release, adopt=0.3, tau_h=48), ua=ua, tls=tls,
                     ip=pick(rng, ips, k), resp="synthetic", out_median=800, out_sigma=0.5,
                     max_tokens=4096, temperature=1.0, n=int(rng.integers(1, 5)))


def research_labs(w: World) -> None:
    rng = sub_rng(w.seed, "research")
    pool = fill(rng, w.text["research"], _slots(w), 400)
    for lab in range(w.n(3)):
        org = w.new_id("org_", 12, rng)
        domain = ["cs.stanmore.edu", "ml.uni-tessin.ch", "ai.kinsei.ac.jp"][lab % 3]
        c = ["US", "DE", "JP"][lab % 3]
        base = subnet_ips(rng, f"{int(rng.integers(128, 171))}.{int(rng.integers(1, 250))}."
                               f"{int(rng.integers(1, 250))}", 4)
        grant = payment_id(rng)
        for _acc in range(int(rng.integers(2, 5))):
            ua, tls = client_mix(rng, {"py": 3, "httpx": 1, "py_async": 1})
            a = w.account(rng, archetype="research", org_id=org, email=corp_email(rng, domain),
                          payment=grant, created=T0 - int(rng.integers(20, 400)) * DAY,
                          access_path="research", country=c, verified=True,
                          declared_use="research", contract=rng.random() < 0.3)
            k = int(rng.integers(250, 1100))
            ts = np.concatenate([hourly_times(rng, k // 2, T0, END, TZ[c], OFFICE),
                                 w.release + np.sort(rng.integers(0, END - w.release, k - k // 2))])
            exchange(w, a, rng, ts, pick(rng, pool, k), system=None,
                     model=model_for(rng, ts, w.release, adopt=0.7, tau_h=6), ua=ua, tls=tls,
                     ip=pick(rng, base, k), resp="reason", out_median=260,
                     max_tokens=1024, temperature=rng.choice([0.0, 0.3, 0.7, 1.0], size=k),
                     logprobs=rng.random(k) < 0.4, n=rng.choice([1, 1, 1, 4, 8], size=k))


def translation(w: World) -> None:
    rng = sub_rng(w.seed, "translation")
    src = w.text["translate_src"]
    langs = w.text["fills"]["lang"]
    for _t in range(w.n(2)):
        org = w.new_id("org_", 12, rng)
        ips = [cloud_ip(rng, "aws") for _ in range(2)]
        ua, tls = client(rng, "node")
        a = w.account(rng, archetype="translation", org_id=org,
                      email=f"ops@{hexid(rng, 4)}-locale.io", payment=payment_id(rng),
                      created=T0 - int(rng.integers(60, 900)) * DAY, country="DE",
                      verified=True, declared_use="batch", contract=False)
        parts = []
        for d in range(8):
            for _push in range(int(rng.integers(0, 4))):
                t0 = T0 + d * DAY + int(rng.integers(7, 17)) * HOUR
                m = int(rng.integers(60, 260))
                parts.append(t0 + np.cumsum(rng.exponential(1.2, size=m) * SEC).astype(np.int64))
        if not parts:
            continue
        ts = np.concatenate(parts)
        k = len(ts)
        lang = pick(rng, langs, k)
        text = pick(rng, fill(rng, src, {"n": ["10", "14", "30"]}, 60), k)
        prompt = np.array([f"Target language: {lg}\nString: {t}" for lg, t in zip(lang, text,
                                                                                strict=True)],
                          dtype=object)
        exchange(w, a, rng, ts, prompt, system=w.text["translate_sys"], model=OLD_MINI,
                 ua=ua, tls=tls, ip=pick(rng, ips, k), resp="translate", out_median=14,
                 out_sigma=0.5, max_tokens=200, temperature=0.2, err=0.005, refused=0.0)


def support_bots(w: World) -> None:
    rng = sub_rng(w.seed, "support")
    slots = {**w.text["support_slots"],
             "order": [f"#{v}" for v in range(48_000, 49_500, 3)]}
    msgs = humanize(rng, fill(rng, w.text["support_tmpl"], slots, 2000), w.text)
    for _b in range(w.n(3)):
        ips = [cloud_ip(rng, ["aws", "azure"][int(rng.integers(0, 2))]) for _ in range(2)]
        ua, tls = client(rng, ["node", "py", "java", "dotnet"][int(rng.integers(0, 4))])
        c = ["US", "GB", "CA"][int(rng.integers(0, 3))]
        a = w.account(rng, archetype="support_bot", email=f"dev@{hexid(rng, 5)}shop.com",
                      payment=payment_id(rng), created=T0 - int(rng.integers(30, 500)) * DAY,
                      country=c, tier="enterprise", verified=True, declared_use="agent",
                      keys=2)
        ts, sess, turn = sessions(rng, int(rng.integers(500, 1000)), T0, END, TZ[c],
                                  (OFFICE + EVENING) / 2, 3.5, 45, weekend=1.1)
        k = len(ts)
        exchange(w, a, rng, ts, pick(rng, msgs, k), system=w.text["support_sys"],
                 model=OLD if rng.random() < 0.7 else OLD_MINI, ua=ua, tls=tls,
                 ip=pick(rng, ips, k), conv=conv_ids(rng, sess), turn=turn, resp="support",
                 out_median=90, out_sigma=0.5, max_tokens=600, temperature=0.3,
                 tool_count=4, history=120)


def startup_apps(w: World) -> None:
    """Start-up programme customers with RAG products."""
    rng = sub_rng(w.seed, "startups")
    rag = [f"Context:\n{ctx}\n\nUser question: {q}" for ctx in w.text["rag_ctx"]
           for q in w.text["rag_q"]]
    extra = fill(rng, w.text["power"] + w.text["hackathon"], _slots(w), 100)
    for _ in range(w.n(50)):
        c = _country(rng)
        ua, tls = client_mix(rng, {"node": 3, "py": 3, "langchain": 1, "go": .5})
        ips = [cloud_ip(rng, ["aws", "gcp", "vps"][int(rng.integers(0, 3))]) for _ in range(2)]
        k = int(rng.integers(40, 350))
        ts = hourly_times(rng, k, T0, END, TZ[c], (OFFICE + EVENING) / 2, weekend=0.7)
        a = w.account(rng, archetype="startup_app",
                      email=corp_email(rng, f"{hexid(rng, 4)}.dev"), payment=payment_id(rng),
                      created=T0 - int(rng.integers(2, 200)) * DAY, access_path="startup",
                      country=c, verified=rng.random() < 0.7, declared_use="startup")
        prompt = np.where(rng.random(k) < 0.75, pick(rng, rag, k), pick(rng, extra, k))
        exchange(w, a, rng, ts, prompt, system=w.text["rag_sys"],
                 model=model_for(rng, ts, w.release, adopt=0.3, tau_h=36), ua=ua, tls=tls,
                 ip=pick(rng, ips, k), resp="chat", out_median=180, max_tokens=800,
                 temperature=0.1)


def agencies(w: World) -> None:
    """Development agencies with one account per client project on the agency's card, and
    freelancers who keep a couple of accounts (personal, client) on one card."""
    rng = sub_rng(w.seed, "agencies")
    s = _slots(w)
    for _ag in range(w.n(5)):
        c = _country(rng)
        card = payment_id(rng)
        domain = f"{hexid(rng, 4)}studio.com"
        office = residential_ip(rng, c)
        ua, tls = client(rng, ["node", "py"][int(rng.integers(0, 2))])
        for _p in range(int(rng.integers(3, 9))):
            tmpl = [t for t in w.text["cron"] + w.text["analysis"] + w.text["hackathon"]]
            pool = fill(rng, [tmpl[int(rng.integers(0, len(tmpl)))]], s, 50)
            servers = [cloud_ip(rng, ["aws", "gcp", "vps"][int(rng.integers(0, 3))])]
            k = int(rng.integers(30, 400))
            ts = hourly_times(rng, k, T0, END, TZ[c], (OFFICE + EVENING) / 2, weekend=0.8)
            a = w.account(rng, archetype="agency_project", email=corp_email(rng, domain),
                          payment=card, created=T0 - int(rng.integers(3, 300)) * DAY,
                          country=c, verified=rng.random() < 0.5)
            ip = np.where(rng.random(k) < 0.85, pick(rng, servers, k), office)
            exchange(w, a, rng, ts, pick(rng, pool, k), system=pick(rng, w.popular_system, 1)[0],
                     model=model_for(rng, ts, w.release, adopt=0.15, tau_h=72, mini=0.4),
                     ua=ua, tls=tls, ip=ip, resp="chat", out_median=200, max_tokens=1000,
                     temperature=0.5)
    pool = fill(rng, w.text["power"] + w.text["chat"], s, 200)
    for _f in range(w.n(40)):
        c = _country(rng)
        card = payment_id(rng)
        ips = _home_ip(w, rng, c, 0.3)
        ua, tls = client_mix(rng, {"py": 3, "node": 2, "curl": .5})
        for j in range(int(rng.integers(2, 4))):
            ts, sess, turn = sessions(rng, int(rng.integers(2, 12)), T0, END, TZ[c],
                                      (OFFICE + EVENING) / 2, 1.8, 90)
            if len(ts) == 0:
                continue
            a = w.account(rng, archetype="freelancer",
                          email=person_email(rng, c) if j == 0 else corp_email(
                              rng, f"{hexid(rng, 4)}.io"),
                          payment=card, created=_created_before(rng, int(ts.min()), 400),
                          country=c)
            k = len(ts)
            exchange(w, a, rng, ts, pick(rng, pool, k), system=None,
                     model=model_for(rng, ts, w.release, adopt=0.5, tau_h=12), ua=ua, tls=tls,
                     ip=pick(rng, ips, k), conv=conv_ids(rng, sess), turn=turn, resp="code",
                     out_median=400)


GROUPS: tuple[Callable[[World], Any], ...] = (
    casual, mobile, release_tourists, developers, coding_agents, classrooms, hackathon,
    company_staff, analysts, enterprise_batch, benchmarks, cron_jobs, resellers,
    synthetic_vendors, research_labs, translation, support_bots, startup_apps, agencies,
)


def all_legitimate(w: World) -> None:
    for group in GROUPS:
        group(w)


__all__ = ["GROUPS", "NIGHT_BATCH", "Acct", "all_legitimate"]
