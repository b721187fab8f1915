"""Meridian's distillation campaigns: five operators, one function each (see MERIDIAN.md)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from distillguard.simulate.independent.meridian_text import B
from distillguard.simulate.independent.meridian_world import (
    AGENTS,
    BROWSERS,
    DAY_S,
    FIRST,
    FLAT,
    HUMAN,
    LAST,
    MODELS,
    PERSONA,
    SDKS,
    WINDOW_S,
    WORDS,
    WORK,
    World,
    choose,
    ja4,
    run_events,
    session_prompts,
    texts_at,
)


def c_lattice(w: World) -> None:
    """~40 accounts, one scheduler: ten-minute waves, round-robin; reasoning, grading, rewrites."""
    rng, T, camp, n = w.rng, w.T, "campaign-lattice", w.n(40)
    cards = [w.card() for _ in range(3)]
    subnet = w.v4("45.89." + str(int(rng.integers(0, 256)))).rsplit(".", 1)[0]
    pool = [(f"{subnet}.{int(x)}", "NL") for x in rng.choice(np.arange(2, 254), 8, replace=False)]
    cl = [w.client(("python-requests/2.31.0", "python"))]
    batch = [-35 * DAY_S, -12 * DAY_S]
    acc = np.array(
        [
            w.account(
                "campaign_reasoning_grader",
                camp=camp,
                ips=[pool[j] for j in rng.choice(8, 2, replace=False)],
                clients=cl,
                email=f"{w.pick(WORDS)}.{w.pick(WORDS)}{int(rng.integers(1000, 9999))}"
                f"@{w.pick(['proton.me', 'tutamail.com'])}",
                pay=cards[i % 3],
                created=batch[i % 2] + rng.uniform(0, 3000),
            )
            for i in range(n)
        ]
    )
    tw = 600 * np.arange(WINDOW_S // 600) + rng.normal(0, 20, WINDOW_S // 600)
    tw = tw[
        ~((tw % DAY_S >= 3 * 3600) & (tw % DAY_S < 4.5 * 3600))
    ]  # the scheduler restarts every night
    m = rng.integers(14, 19, len(tw))
    t = np.repeat(tw, m) + rng.uniform(0, 3, m.sum())
    a = rng.permutation(acc)[np.arange(len(t)) % n]
    prompt, ctok, k = T.mix(
        len(t), {"cot": 0.3, "rubric": 0.35, "rewrite": 0.2, "trace_code": 0.15}
    )
    w.emit(
        a,
        t,
        np.arange(len(t)),
        np.zeros(len(t)),
        prompt,
        ctok,
        models=MODELS.index("meridian-3-pro-20251104"),
        temp=0.6,
        max_tokens=8192,
        system=pc.if_else(
            pa.array(k == 1),
            pa.array([B["GRADER_SYS"]] * 1).take(pa.array(np.zeros(len(t), np.int64))),
            pa.nulls(len(t), pa.string()),
        ),
        refuse=np.where(k == 2, 0.25, 0.01),
        single=True,
    )


def c_kestrel(w: World) -> None:
    """~300 accounts on every access pathway (direct, cloud, education, research, startup) behind
    rotating residential proxies: agentic reasoning, tools, computer use, vision, CoT traces."""
    rng, camp, n = w.rng, "campaign-kestrel", w.n(300)
    proxies = [
        w.res_ip(cc)
        for cc in w.countries(
            1500,
            {
                "US": 5,
                "GB": 1.5,
                "DE": 1.5,
                "JP": 1,
                "SG": 1,
                "KR": 1,
                "CA": 1,
                "AU": 1,
                "NL": 1,
                "FR": 1,
            },
        )
    ]
    cards = [w.card() for _ in range(30)]
    unis = B["KESTREL_UNIS"]
    labs = ["aperture-research.org", "minerva-ai-lab.org"]
    startups = [
        (
            w.uid("org_", 5),
            f"{w.pick(WORDS)}{w.pick(['stack', 'mind', 'flow', 'loop'])}.ai",
            w.card(),
        )
        for _ in range(6)
    ]
    acc = []
    for path in choose(
        w, ["direct", "cloud", "education", "research", "startup"], n, [0.35, 0.25, 0.15, 0.1, 0.15]
    ):
        f, last = w.pick(FIRST), w.pick(LAST)
        ips = [proxies[j] for j in rng.choice(len(proxies), 25, replace=False)]
        kw: dict[str, Any] = dict(
            camp=camp,
            path=str(path),
            created=-DAY_S * rng.uniform(3, 90),
            ips=ips,
            clients=[
                (
                    w.pick(SDKS[:3] + SDKS[12:13])[0],
                    ja4("kestrel" if rng.random() < 0.8 else "python"),
                )
            ],
        )
        if path == "education":
            kw.update(
                email=f"{f}{last[0]}{int(rng.integers(19, 26))}@{w.pick(unis)}",
                tier="free",
                verified=bool(rng.random() < 0.3),
                declared="education",
            )
        elif path == "research":
            kw.update(
                email=f"{f}.{last}@{w.pick(labs)}",
                tier="free",
                verified=bool(rng.random() < 0.3),
                declared="research",
            )
        elif path == "startup":
            org, domain, card = w.pick(startups)
            kw.update(email=f"{f}@{domain}", org=org, pay=card, declared="agent")
        else:
            if path == "cloud":
                kw["ips"] = [
                    w.cloud_ip(w.pick(["us-east", "us-west", "ap-northeast"])) for _ in range(2)
                ] + ips[:10]
            kw.update(
                email=w.email(style=w.pick([4, 5])),
                pay=w.pick(cards),
                declared=w.pick([None, "agent"]),
            )
        acc.append(w.account("campaign_agentic_multipath", **kw))
    s_acc, s_start, _ = w.sessions(
        acc, np.full(n, 8.0), rng.lognormal(np.log(4.5), 0.5, n), 0.5 * WORK + 0.5 * FLAT
    )
    ns = len(s_acc)
    a, t, sid, pos = w.expand(s_acc, s_start, rng.geometric(1 / 6, ns), 9, 0.7)
    N = len(a)
    kinds = {
        "trace_csv": 0.22,
        "tool": 0.2,
        "agent_code": 0.15,
        "trace_code": 0.13,
        "cu": 0.12,
        "vision": 0.08,
        "cot": 0.1,
    }
    prompt, ctok, k0 = session_prompts(w, pos, kinds, {"reason_fu": 1})
    ks = k0[np.searchsorted(sid, sid)]  # the kind of the session's first request
    agentic = np.isin(ks, [1, 2, 4])
    res, rctok, _ = w.T.mix(N, {"toolres": 0.75, "reason_fu": 0.25})
    prompt, ctok = (
        pc.if_else(pa.array(agentic & (pos > 0)), res, prompt),
        np.where(agentic & (pos > 0), rctok, ctok),
    )
    scaffold = [AGENTS[0][2], B["KESTREL_SYS"]]
    w.emit(
        a,
        t,
        sid,
        pos,
        prompt,
        ctok,
        models={"meridian-3-pro": 0.9, "meridian-3-flash": 0.1},
        adopt=(0.25, 10),
        system=pc.if_else(
            pa.array(agentic),
            texts_at(scaffold, rng.integers(0, 2, ns)[sid]),
            pa.nulls(N, pa.string()),
        ),
        sys_extra=1200,
        tools=np.where(agentic, rng.integers(8, 25, ns)[sid], 0),
        extra_tok=np.where(ks == 4, 1500, np.where((ks == 5) & (pos == 0), 1100, 0)),
        temp=choose(w, [1.0, np.nan], ns)[sid],
        max_tokens=16000,
        ip_uniform=True,
        ip_by_conv=True,
    )


def c_cascade(w: World) -> None:
    """~1,000 accounts behind a 'hydra' proxy that also resells access to ordinary customers:
    agentic coding and orchestration in shifts around the clock; half its traffic moves to the new
    model within a day of its release."""
    rng, camp, n = w.rng, "campaign-cascade", w.n(1000)
    cards = [w.card() for _ in range(max(3, n // 5))]
    pool = [w.host_ip() for _ in range(400)] + [
        w.res_ip(cc)
        for cc in w.countries(300, {"US": 4, "GB": 1, "DE": 1, "CA": 1, "JP": 1, "SG": 1, "AU": 1})
    ]
    catch = ["devmail-hub.com", "quickinbox.net", "mailforge.io"]
    acc = []
    for _ in range(n):
        email = (
            w.email(
                domain=w.pick(["outlook.com", "hotmail.com", "gmail.com", "gmx.com", "yandex.com"]),
                style=w.pick([1, 4, 5]),
            )
            if rng.random() < 0.8
            else f"{w.pick(FIRST)}{w.pick(LAST)}{int(rng.integers(10, 9999))}@{w.pick(catch)}"
        )
        ua = w.pick(AGENTS)[0] if rng.random() < 0.6 else "meridian-python/1.8.2"
        acc.append(
            w.account(
                "campaign_coding_hydra",
                camp=camp,
                email=email,
                pay=w.pick(cards),
                path="cloud" if rng.random() < 0.3 else "direct",
                created=rng.uniform(0, 66 * 3600)
                if rng.random() < 0.06
                else -DAY_S * rng.uniform(1, 75),
                ips=[pool[j] for j in rng.choice(len(pool), 2, replace=False)],
                clients=[(ua, ja4("hydra-go" if rng.random() < 0.85 else "node"))],
            )
        )
    s_acc, s_start, _ = w.windows(np.array(acc), rng.lognormal(np.log(4), 0.5, n), (2, 4), (3, 8))
    ns = len(s_acc)
    ordinary = rng.random(ns) < 0.2  # the hydra's paying customers ride on the same accounts
    a, t, sid, pos = w.expand(
        s_acc,
        s_start,
        np.where(ordinary, rng.geometric(1 / 2.5, ns), rng.geometric(1 / 11, ns)),
        np.where(ordinary, 45, 4),
        0.7,
    )
    o = ordinary[sid]
    dp, dc, _ = session_prompts(
        w, pos, {"agent_code": 0.45, "orchestrate": 0.3, "tool": 0.15, "code": 0.1}, {"toolres": 1}
    )
    op, oc, _ = session_prompts(w, pos, {"chat": 0.7, "code": 0.2, "math": 0.1}, {"followup": 1})
    sysl = [x[2] for x in AGENTS] + [B["FORGE_SYS"]] + PERSONA
    sys_i = np.where(
        ordinary,
        rng.integers(len(AGENTS) + 1, len(sysl), ns),
        np.where(rng.random(ns) < 0.7, rng.integers(0, len(AGENTS), ns), len(AGENTS)),
    )
    w.emit(
        a,
        t,
        sid,
        pos,
        pc.if_else(pa.array(o), op, dp),
        np.where(o, oc, dc),
        models={"meridian-3-pro": 0.95, "meridian-3-flash": 0.05},
        adopt=(0.5, 5),
        system=texts_at(sysl, sys_i[sid]),
        sys_extra=np.where(o, 0, 2500),
        tools=np.where(o, 0, rng.integers(18, 31, ns)[sid]),
        max_tokens=np.where(o, -1, 32000),
        ip_by_conv=True,
        err=0.01,
    )


def c_mirage(w: World) -> None:
    """~120 bought, aged consumer accounts that imitate people: a residential address in the claimed
    country, browsers, human hours, own cards, chatty sessions that keep asking for reasoning."""
    rng, camp, n = w.rng, "campaign-mirage", w.n(120)
    ccs = w.countries(
        n,
        {
            "US": 0.4,
            "GB": 0.15,
            "CA": 0.1,
            "AU": 0.08,
            "DE": 0.1,
            "SG": 0.07,
            "JP": 0.05,
            "NL": 0.05,
        },
    )
    acc, card = [], w.card()
    for cc in ccs:
        card = card if rng.random() < 0.08 else w.card()
        acc.append(
            w.account(
                "campaign_consumer_mimic",
                camp=camp,
                email=w.email(cc),
                created=w.age(500, lo=180),
                pay=card,
                ips=[w.res_ip(cc)] + ([w.res_ip(cc)] if rng.random() < 0.3 else []),
                clients=[w.client(w.pick(BROWSERS[:8]))],
            )
        )
    s_acc, s_start, loc = w.sessions(
        acc, [w.tz(c) for c in ccs], rng.lognormal(np.log(7), 0.3, n), HUMAN
    )
    a, t, sid, pos = w.expand(s_acc, s_start, rng.geometric(1 / 4, len(s_acc)), 50, 0.6)
    prompt, ctok, _ = session_prompts(
        w, pos, {"casual_reason": 0.7, "casual_reason_ml": 0.3}, {"reason_fu": 0.7, "followup": 0.3}
    )
    w.emit(
        a,
        t,
        sid,
        pos,
        prompt,
        ctok,
        models={"meridian-3-pro": 0.8, "meridian-3-flash": 0.2},
        adopt=(0.08, 24),
        system=texts_at(
            [None, "You are a helpful assistant."], (rng.random(n) < 0.3).astype(np.int64)[loc[sid]]
        ),
    )


def c_quill(w: World) -> None:
    """~12 accounts on the research programme under invented labs, claiming benchmarking:
    multilingual reasoning-trace coercion on maths, several samples per prompt with
    log-probabilities, in long steady runs."""
    rng, camp, n = w.rng, "campaign-quill", w.n(12)
    labs = [
        (w.uid("org_", 5), d)
        for d in ("aurora-reasoning.org", "tessellate-ai.org", "lils-institute.org")
    ]
    ips = [w.cloud_ip("ap-southeast") for _ in range(3)] + [
        w.cloud_ip("ap-northeast") for _ in range(2)
    ]
    card, runs = w.card(), []
    for i in range(n):
        org, domain = labs[i % 3]
        a = w.account(
            "campaign_multilingual_cot",
            camp=camp,
            email=f"{w.pick(FIRST)}.{w.pick(LAST)}@{domain}",
            org=org,
            path="research",
            pay=card if i % 3 == 0 else None,
            tier="pay_as_you_go" if i % 3 == 0 else "free",
            verified=bool(rng.random() < 0.45),
            declared="benchmark",
            created=-DAY_S * rng.uniform(10, 30),
            ips=[ips[j] for j in rng.choice(5, 2, replace=False)],
            clients=[w.client(w.pick(B["QUILL_CLIENTS"]))],
        )
        runs += [
            (a, rng.uniform(0, WINDOW_S - 3 * 3600), int(rng.uniform(3, 5) * 3600 / 55))
            for _ in range(4)
        ]
    acc, t, sid, pos = run_events(w, runs, 55, 0.35)
    prompt, ctok, _ = w.T.mix(len(acc), {"cot_ml": 1})
    w.emit(
        acc,
        t,
        sid,
        pos,
        prompt,
        ctok,
        models={"meridian-3-pro": 1},
        adopt=(0.35, 8),
        temp=1.0,
        n=4,
        logprobs=True,
        max_tokens=4096,
        single=True,
    )
