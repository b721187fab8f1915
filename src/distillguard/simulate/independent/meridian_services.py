"""Meridian's legitimate services and programmes: product backends, batch jobs, evaluation
harnesses and judges, cron jobs, routers, a SaaS tenant fleet, data vendors, red teams and a
tutoring backend (MERIDIAN.md has the table)."""

from __future__ import annotations

from typing import Any

import numpy as np

from distillguard.simulate.independent.meridian_text import B
from distillguard.simulate.independent.meridian_world import (
    AGENTS,
    DAY_S,
    DEV_CC,
    GLOBAL,
    HUMAN,
    MODELS,
    NEW,
    P3,
    PERSONA,
    REGION_OF,
    RELEASE_S,
    SDKS,
    STUDENT,
    WINDOW_S,
    WORDS,
    WORK,
    World,
    choose,
    company,
    dev_system,
    run_events,
    session_prompts,
    texts_at,
)


def g_product(w: World) -> None:
    """Backends of companies' apps: one system prompt, end users' questions, cloud egress."""
    rng = w.rng
    kinds: dict[str, tuple[dict[str, float], int, str]] = {
        "support": ({"support": 0.75, "chat": 0.25}, 3, "customer_support"),
        "writing": ({"chat": 1}, 2, "assistant"),
        "summarizer": ({"b_sum": 1}, 1, "summarization"),
    }
    rows = []
    for _ in range(w.n(45)):
        cc = w.countries(1, DEV_CC)[0]
        kind, (name, domain) = w.pick(list(kinds)), company(w)
        ent = rng.random() < 0.4
        region = REGION_OF.get(cc, "us-east")
        ai = w.account(
            "product_backend",
            email=w.email(domain=domain, style=0),
            ips=[w.cloud_ip(region) for _ in range(int(rng.integers(2, 6)))],
            clients=[w.client(w.pick(SDKS[:4] + SDKS[10:11]))],
            keys=int(rng.integers(1, 3)),
            pay=w.card(),
            created=w.age(500),
            tier="enterprise" if ent else "pay_as_you_go",
            contract=bool(ent),
            declared=kinds[kind][2],
            path="cloud" if rng.random() < 0.3 else "direct",
        )
        system = B["PRODUCT_SYS"][kind].format(name=name)
        rows.append(
            (
                ai,
                kind,
                w.tz(cc),
                system,
                w.pick([0.2, 0.3, 0.5, 0.7]),
                w.pick([512, 1024, 2048]),
                w.pick(
                    [
                        MODELS.index("meridian-3-flash"),
                        MODELS.index("meridian-3-pro-20251104"),
                        MODELS.index("meridian-3-mini"),
                    ]
                ),
            )
        )
    for kind, (mix, mean_len, _) in kinds.items():
        rs = [r for r in rows if r[1] == kind]
        if not rs:
            continue
        s_acc, s_start, loc = w.sessions(
            [r[0] for r in rs], [r[2] for r in rs], rng.lognormal(np.log(35), 0.8, len(rs)), HUMAN
        )
        a, t, sid, pos = w.expand(s_acc, s_start, rng.geometric(1 / mean_len, len(s_acc)), 40)
        li = loc[sid]
        prompt, ctok, _ = session_prompts(w, pos, mix, {"followup": 1})
        w.emit(
            a,
            t,
            sid,
            pos,
            prompt,
            ctok,
            models=np.array([r[6] for r in rs])[li],
            system=texts_at([r[3] for r in rs], li),
            temp=np.array([r[4] for r in rs])[li],
            max_tokens=np.array([r[5] for r in rs])[li],
            refuse=0.004,
        )


def g_batch(w: World) -> None:
    """Enterprise batch jobs: one template, thousands of inputs, temperature 0, scheduled runs."""
    rng = w.rng
    for _ in range(w.n(12)):
        task = w.pick(["b_news", "b_review", "b_app", "b_sum"])
        cc = w.pick(["US", "US", "DE", "GB", "JP", "FR", "IN"])
        _, domain = company(w)
        a = w.account(
            "enterprise_batch",
            email=f"{w.pick(['ml-platform', 'data-eng', 'analytics'])}@{domain}",
            ips=[w.cloud_ip(REGION_OF[cc]) for _ in range(int(rng.integers(1, 3)))],
            clients=[w.client(w.pick(B["BATCH_CLIENTS"]))],
            pay=w.card(),
            created=w.age(500),
            tier="enterprise",
            contract=True,
            declared="batch",
        )
        nightly, tz = rng.random() < 0.6, w.tz(cc)
        hour = ((1 if nightly else 9) - tz) % 24
        runs = [
            (
                a,
                d * DAY_S + hour * 3600 + rng.uniform(0, 1200),
                int(rng.lognormal(np.log(650 if nightly else 450), 0.4)),
            )
            for d in range(3)
        ]
        acc, t, sid, pos = run_events(w, runs, 1 / rng.uniform(2, 6))
        cls = task != "b_sum"
        w.emit(
            acc,
            t,
            sid,
            pos,
            w.T.seq(task, int(rng.integers(0, 10000)) + np.arange(len(acc))),
            w.T.ctok(task, len(acc)),
            models=MODELS.index("meridian-3-flash" if cls else "meridian-3-mini"),
            temp=0.0,
            max_tokens=8 if cls else 256,
            system=B["BATCH_SYS"]["classify" if cls else "summarize"],
            single=True,
            err=0.002,
            refuse=0,
        )


BENCH = [
    ("gsm8k", "math_test", 512, 0.0, 1),
    ("mt_bench", "mt1", 2048, 0.0, 1),
    ("arena_hard", "arena", 4096, 0.0, 1),
    ("vicuna", "vicuna", 2048, 0.0, 1),
    ("codegen_pass_at_5", "code", 1024, 0.8, 5),
]


def g_eval(w: World) -> None:
    """Runs on public benchmarks (CoT, temperature 0), new-model evals after release, LLM judges."""
    rng, T = w.rng, w.T
    labs = []
    for _ in range(8):
        domain = company(w)[1] if rng.random() < 0.5 else f"cs.{w.pick(WORDS)}.edu"
        labs.append(
            (
                w.uid("org_", 5),
                domain,
                w.card(),
                w.pick(["US", "US", "GB", "DE", "FR", "CA", "SG", "KR", "JP"]),
            )
        )
    runs: dict[str, list] = {b[0]: [] for b in BENCH}
    judge_runs = []
    for i in range(w.n(24) + w.n(6)):
        judge = i >= w.n(24)
        org, domain, card, cc = w.pick(labs)
        uni = w.v4(w.pick(["128", "129", "131", "141", "155", "171.64"]) + "")
        a = w.account(
            "llm_judge" if judge else "eval_benchmark",
            email=w.email(domain=domain, style=w.pick([0, 3])),
            org=org,
            pay=card,
            ips=[(uni, cc), w.cloud_ip(REGION_OF.get(cc, "us-east"))],
            clients=[
                w.client(
                    ("fastchat-llm-judge/0.2.36 python-requests/2.31.0", "python")
                    if judge
                    else w.pick(B["HARNESS"])
                )
            ],
            path="research" if rng.random() < 0.4 else "direct",
            created=w.age(400),
            declared="benchmark",
            tier=w.pick(["pay_as_you_go", "enterprise"]),
        )
        if judge:
            judge_runs += [
                (a, rng.uniform(0, WINDOW_S - 4 * 3600), int(rng.integers(300, 900)))
                for _ in range(int(rng.integers(2, 5)))
            ]
            continue
        for post in [False] * int(rng.integers(1, 3)) + [True] * int(rng.random() < 0.65) * int(
            rng.integers(1, 3)
        ):
            b = w.pick(BENCH)
            size = min(len(T.pool[b[1]]), w.pick([100000, 200, 250, 500]))
            start = (
                RELEASE_S + rng.uniform(3600, 10 * 3600)
                if post
                else rng.uniform(0, RELEASE_S - 2 * 3600)
            )
            model = NEW if post else w.pick([0, 1, 2, 3])
            runs[b[0]].append((a, start, size, model, bool(rng.random() < 0.15)))
    for name, kind, max_tok, temp, n in BENCH:
        rs = runs[name]
        if not rs:
            continue
        acc, t, sid, pos = run_events(w, [r[:3] for r in rs], 1 / rng.uniform(1, 4), 0.5)
        prompt = (
            T.wrap(len(acc), [B["FEWSHOT"]], T.seq(kind, pos), [B["FEWSHOT_END"]])
            if name == "gsm8k"
            else T.seq(kind, pos)
        )
        w.emit(
            acc,
            t,
            sid,
            pos,
            prompt,
            T.ctok("bench_gsm8k" if name == "gsm8k" else kind, len(acc)),
            models=np.array([r[3] for r in rs])[sid],
            logprobs=np.array([r[4] for r in rs])[sid],
            temp=temp,
            n=n,
            max_tokens=max_tok,
            single=True,
            err=0.006,
        )
    if judge_runs:
        acc, t, sid, pos = run_events(w, judge_runs, 1.5, 0.5)
        w.emit(
            acc,
            t,
            sid,
            pos,
            T.get("judge", len(acc)),
            T.ctok("judge", len(acc)),
            models={"meridian-3-pro": 1},
            temp=0.0,
            max_tokens=2048,
            single=True,
        )


def g_cron(w: World) -> None:
    """Scheduled jobs: the same request every 5 minutes to every day, to the second."""
    rng = w.rng
    jobs: dict[str, tuple[list[Any], str | None, int]] = {
        "ping": ([], None, 5),
        "metrics": ([], "You are an operations assistant. Be terse.", 200),
        "b_sum": ([], "You write two-sentence news briefs.", 300),
    }
    for _ in range(w.n(60)):
        cc = w.countries(1, DEV_CC)[0]
        ip = w.cloud_ip(REGION_OF.get(cc, "us-east")) if rng.random() < 0.7 else w.res_ip(cc)
        a = w.account(
            "scheduled_job",
            email=w.email(cc),
            ips=[ip],
            pay=w.card(),
            created=w.age(400),
            declared="cron",
            clients=[w.client(w.pick(B["CRON_CLIENTS"]))],
        )
        for _ in range(1 + int(rng.random() < 0.3)):
            period = int(
                choose(w, [300, 900, 3600, 21600, 86400], 1, [0.08, 0.3, 0.37, 0.13, 0.12])[0]
            )
            phase = (
                ((7 - w.tz(cc)) % 24) * 3600
                if period == DAY_S
                else float(rng.integers(0, period // 60)) * 60
            )
            k = np.arange(int((WINDOW_S - phase) // period) + 1)
            jobs[choose(w, list(jobs), 1, [0.25, 0.45, 0.3])[0]][0].append(
                (np.full(len(k), a), phase + k * period)
            )
    for kind, (parts, system, max_tok) in jobs.items():
        if not parts:
            continue
        acc = np.concatenate([p[0] for p in parts])
        t = (
            np.concatenate([p[1] for p in parts])
            + np.abs(rng.normal(0, 0.4, len(acc)))
            + rng.uniform(0, 0.05, len(acc))
        )
        w.emit(
            acc,
            t,
            np.zeros(len(acc)),
            np.zeros(len(acc)),
            w.T.get(kind, len(acc)),
            w.T.ctok(kind, len(acc)),
            models={"meridian-3-flash": 0.5, "meridian-3-mini": 0.5},
            system=system,
            temp=0.0,
            max_tokens=max_tok,
            single=True,
            refuse=0,
        )


def g_router(w: World) -> None:
    """Legitimate resellers and routers: one account, many end users, everything, all day."""
    rng, names = (
        w.rng,
        ["relaymesh", "tokenhub", "polyroute", "openlane", "switchboard", "gatewise"],
    )
    acc = []
    for i in range(w.n(5)):
        name = names[i % len(names)] + ("" if i < len(names) else str(i))
        regions = [w.pick(list(B["CLOUD"])) for _ in range(2)]
        acc.append(
            w.account(
                "reseller_router",
                email=f"billing@{name}.ai",
                ips=[w.cloud_ip(w.pick(regions)) for _ in range(int(rng.integers(4, 11)))],
                clients=[
                    w.client(
                        (
                            f"{name}-gateway/{int(rng.integers(1, 4))}."
                            f"{int(rng.integers(0, 20))}.0",
                            w.pick(["go", "node"]),
                        )
                    )
                ],
                pay=w.card(),
                created=w.age(500),
                tier="enterprise",
                contract=True,
                declared="reseller",
                path="reseller",
                keys=int(rng.integers(2, 6)),
            )
        )
    s_acc, s_start, _ = w.sessions(
        acc, np.zeros(len(acc)), rng.lognormal(np.log(420), 0.3, len(acc)), GLOBAL
    )
    a, t, sid, pos = w.expand(s_acc, s_start, rng.geometric(1 / 2.5, len(s_acc)), 45)
    ns = len(s_acc)
    prompt, ctok, _ = session_prompts(
        w,
        pos,
        {
            "chat": 0.45,
            "code": 0.2,
            "tool": 0.07,
            "math": 0.05,
            "cot": 0.05,
            "agent_code": 0.05,
            "trace_code": 0.02,
            "support": 0.05,
            "sensitive": 0.02,
            "synth": 0.02,
            "casual_reason": 0.02,
        },
        {"followup": 0.8, "toolres": 0.2},
    )
    sysl = PERSONA + [x[2] for x in AGENTS] + [dev_system(w) for _ in range(40)]
    w.emit(
        a,
        t,
        sid,
        pos,
        prompt,
        ctok,
        models=P3,
        adopt=(0.35, 2),
        system=texts_at(sysl, rng.integers(0, len(sysl), ns)[sid]),
        temp=choose(w, [np.nan, 0, 0.3, 0.7, 1], ns)[sid],
        max_tokens=choose(w, [-1, 1024, 4096, 8192], ns)[sid],
        tools=np.where(rng.random(ns) < 0.15, rng.integers(1, 11, ns), 0)[sid],
        ip_uniform=True,
        refuse=0.015,
        err=0.008,
    )


def g_saas(w: World) -> None:
    """A SaaS agent platform, one account per tenant: same org, card, egress, client, e-mails."""
    rng, n = w.rng, w.n(140)
    org, card = w.uid("org_", 5), w.card()
    ips = [w.cloud_ip("us-east") for _ in range(3)]
    cl = [w.client(("tandem-runtime/3.2.0 python-httpx/0.27.2", "python"))]
    batches = np.sort(-DAY_S * rng.uniform(5, 150, 6))
    created = np.sort(batches[rng.integers(0, 6, n)] + rng.uniform(0, 600, n))
    ccs = w.countries(
        n, {"US": 5, "GB": 2, "DE": 1.5, "CA": 1, "AU": 1, "NL": 1, "FR": 1, "SG": 0.5}
    )
    acc, systems = [], []
    for i in range(n):
        acc.append(
            w.account(
                "saas_tenant_fleet",
                email=f"ops+t{1040 + 7 * i:05d}@tandemagents.io",
                ips=ips,
                clients=cl,
                org=org,
                pay=card,
                created=created[i],
                path="startup",
                verified=True,
                declared="agent",
            )
        )
        systems.append(B["SAAS_SYS"].format(company=company(w)[0]))
    s_acc, s_start, loc = w.sessions(
        acc, [w.tz(c) for c in ccs], rng.lognormal(np.log(2.5), 1.0, n), WORK
    )
    a, t, sid, pos = w.expand(s_acc, s_start, rng.geometric(1 / 6, len(s_acc)), 6, 0.9)
    li = loc[sid]
    prompt, ctok, _ = session_prompts(
        w, pos, {"saas": 0.7, "tool": 0.3}, {"saas_res": 0.85, "followup": 0.15}
    )
    w.emit(
        a,
        t,
        sid,
        pos,
        prompt,
        ctok,
        models={"meridian-3-pro": 0.7, "meridian-3-flash": 0.3},
        adopt=(0.2, 12),
        system=texts_at(systems, li),
        sys_extra=800,
        tools=rng.integers(6, 15, n)[li],
        temp=0.2,
        max_tokens=4096,
        ip_uniform=True,
    )


def g_vendor(w: World) -> None:
    """Contracted synthetic-data vendors: reasoning-rich generation at volume, under contract."""
    rng = w.rng
    for domain, cc, count in (("sabledata.com", "US", 3), ("lexiconforge.co.uk", "GB", 2)):
        org, card = w.uid("org_", 5), w.card()
        for i in range(w.n(count)):
            a = w.account(
                "data_vendor",
                email=f"pipeline{i + 1}@{domain}",
                ips=[w.cloud_ip(REGION_OF[cc]) for _ in range(2)],
                clients=[w.client(w.pick(B["VENDOR_CLIENTS"]))],
                org=org,
                pay=card,
                created=w.age(300),
                tier="enterprise",
                contract=True,
                declared="synthetic_data",
            )
            runs = [
                (a, rng.uniform(0, 64 * 3600), int(rng.uniform(4, 9) * 3600 / 40))
                for _ in range(int(rng.integers(2, 4)))
            ]
            acc, t, sid, pos = run_events(w, runs, 40, 0.5)
            prompt, ctok, _ = w.T.mix(len(acc), {"synth": 0.5, "synth_cot": 0.5})
            client = w.pick(B["VENDOR_BUYER"])
            w.emit(
                acc,
                t,
                sid,
                pos,
                prompt,
                ctok,
                models={"meridian-3-pro": 1},
                temp=0.9,
                n=choose(w, [1, 1, 2, 3], len(runs))[sid],
                max_tokens=4096,
                single=True,
                system=B["VENDOR_SYS"].format(client=client),
            )


def g_redteam(w: World) -> None:
    """Safety researchers probing refusals and politically sensitive questions."""
    rng, acc, tz = w.rng, [], []
    lab, card = w.uid("org_", 5), w.card()
    for i in range(w.n(7)):
        cc, mine = w.pick(["US", "GB"]), i < 4
        acc.append(
            w.account(
                "red_team",
                email=w.email(
                    domain="veritas-safety.com" if mine else f"cs.{w.pick(WORDS)}.edu", style=0
                ),
                ips=[w.res_ip(cc), w.cloud_ip(REGION_OF[cc])],
                org=lab if mine else None,
                pay=card if mine else w.card(),
                clients=[w.client(w.pick(B["REDTEAM_CLIENTS"]))],
                path="research",
                created=w.age(300),
                tier="enterprise" if mine else "pay_as_you_go",
                contract=mine,
                declared="research",
            )
        )
        tz.append(w.tz(cc))
    s_acc, s_start, _ = w.sessions(acc, tz, 3, WORK)
    a, t, sid, pos = w.expand(s_acc, s_start, rng.geometric(1 / 15, len(s_acc)), 4)
    prompt, ctok, _ = w.T.mix(len(a), {"redteam": 0.55, "sensitive": 0.3, "rewrite": 0.15})
    w.emit(
        a,
        t,
        sid,
        pos,
        prompt,
        ctok,
        models={"meridian-3-pro": 0.7, "meridian-3-flash": 0.3},
        adopt=(0.5, 3),
        refuse=0.35,
        temp=choose(w, [np.nan, 0], len(a)),
        single=True,
    )


def g_edtech(w: World) -> None:
    """A tutoring company explaining maths step by step in Indonesian, Vietnamese, Portuguese."""
    rng = w.rng
    org, card = w.uid("org_", 5), w.card()
    for lang, cc, tz, count in (("id", "ID", 7, 5), ("vi", "VN", 7, 3), ("pt", "BR", -3, 2)):
        acc = [
            w.account(
                "edtech_tutor",
                email=f"api-{lang}{i + 1}@tutorin.app",
                ips=[w.cloud_ip(REGION_OF[cc]) for _ in range(3)],
                clients=[w.client(("tutorin-api/4.2.1 okhttp/4.12.0", "okhttp"))],
                org=org,
                pay=card,
                created=w.age(200),
                tier="enterprise",
                contract=True,
                declared="education",
            )
            for i in range(w.n(count))
        ]
        s_acc, s_start, _ = w.sessions(
            acc, np.full(len(acc), tz), rng.lognormal(np.log(70), 0.3, len(acc)), STUDENT
        )
        a, t, sid, pos = w.expand(s_acc, s_start, rng.geometric(1 / 2.5, len(s_acc)), 60)
        prompt, ctok, _ = session_prompts(w, pos, {"tutor_" + lang: 1}, {"fu_" + lang: 1})
        w.emit(
            a,
            t,
            sid,
            pos,
            prompt,
            ctok,
            models={"meridian-3-flash": 0.7, "meridian-3-pro": 0.3},
            system=B["TUTOR"][lang][1],
            temp=0.3,
            max_tokens=1500,
            ip_uniform=True,
        )
