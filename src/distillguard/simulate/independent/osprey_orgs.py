"""Osprey's legitimate organisations: evaluation teams, labs, contracted vendors, batch and
scheduled jobs, declared gateways, and businesses whose normal work looks like harvesting
(a translation agency, an e-discovery firm, a game studio, newsrooms, tutoring apps, a
red-teaming contractor, load tests, support bots). See OSPREY.md."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .osprey_acts import (
    agent_turns,
    chat_prompts,
    code_questions,
    languages,
    math_problems,
    response_kind,
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
    Accts,
    World,
    card,
    days_before,
    local_times,
    obj,
    pick,
    sub_rng,
)


def org_accounts(w: World, rng: np.random.Generator, k: int, archetype: str, *, domain: str,
                 cc: str, stack: str | Sequence[str], ips: Sequence[str],
                 tier: str = "enterprise", verified: bool = True, declared: str | None = None,
                 contract: bool = False, path: str = "direct",
                 age: tuple[float, float] = (40, 700), locals_: Sequence[str] | None = None
                 ) -> Accts:
    """``k`` accounts of one organisation: shared org id and card, its domain, its egress."""
    org = w.new_id("org_", 12)
    pm = card(rng)
    region = COUNTRIES[cc][1]
    names = list(locals_) if locals_ else []
    while len(names) < k:
        names.append(".".join(w.text.name(rng, region)))
    emails = [f"{x}@{domain}" for x in names[:k]]
    ip = [ips[i % len(ips)] for i in range(k)]
    acc = w.accounts(rng, k, archetype, countries=cc, created=days_before(rng, k, *age),
                     email=emails, pay=[pm] * k, org=org, path=path, ip=ip, stack=stack,
                     tier=tier, verified=verified, declared=declared, contract=contract)
    return acc


def steady(rng: np.random.Generator, t0: np.ndarray | int, count: int, gap_s: float
            ) -> np.ndarray:
    """``count`` requests from ``t0`` at a steady pace (exponential gaps of mean ``gap_s``)."""
    gaps = rng.exponential(gap_s, size=count) * SEC
    return np.asarray(t0, dtype=np.int64) + np.cumsum(gaps).astype(np.int64)


def at_local(tz: float, day: int, hour: float) -> int:
    """UTC µs of local ``hour`` on ``day`` (days since the start) in zone ``tz``."""
    return START + day * DAY + int((hour - tz) * HOUR)


def benchmark_teams(w: World) -> None:
    """Evaluation teams re-running public suites: small checks on the current model, then
    full runs on the new one within hours of its release, temperature 0, step by step."""
    rng = sub_rng(w.seed, "benchmark")
    fixed = sub_rng(0, "benchmark-suite")  # the suite is public: the same for every team
    k_math = 400
    suite_math = wrap(w, fixed, math_problems(w, fixed, k_math, pool="bench_math",
                                              corpus_share=1.0),
                      "bench_wrap", which=np.zeros(k_math, dtype=np.int64))
    suite = pa.concat_arrays([suite_math, w.text.array("bench_mc"), w.text.array("bench_code")])
    n_mc, n_code = len(w.text.pool("bench_mc")), len(w.text.pool("bench_code"))
    is_code = np.r_[np.zeros(k_math + n_mc, bool), np.ones(n_code, bool)]
    teams = [("evalharbor.ai", "US", "aiohttp", "gcp"), ("nlp.uni-tuebingen-lab.de", "DE",
                                                           "python", "hetzner"),
             ("benchmarks.kaigen.jp", "JP", "python", "aws"), ("arena-lab.sg", "SG", "requests",
                                                              "aws")]
    for domain, cc, stack, cloud in teams[: int(rng.integers(2, 5))]:
        k = int(rng.integers(1, 4))
        ips = [w.net.cloud(rng, cloud) for _ in range(2)]
        acc = org_accounts(w, rng, k, "benchmark", domain=domain, cc=cc, stack=stack, ips=ips,
                           tier="pay_as_you_go", declared="benchmark", contract=rng.random() < 0.4,
                           path="research" if "uni" in domain else "direct")
        runs: list[tuple[int, str, float]] = []
        for d in range(5):
            if rng.random() < 0.5:
                runs.append((at_local(COUNTRIES[cc][0][0], d, rng.uniform(9, 17)), OLD, 0.15))
        lag = int(rng.uniform(0.7, 6) * HOUR)
        runs.append((w.release + lag, NEW, 1.0))
        runs.append((w.release + lag + int(rng.uniform(3, 10) * HOUR), OLD, 1.0))
        if rng.random() < 0.6:
            runs.append((w.release + int(rng.uniform(30, 60) * HOUR), NEW, 1.0))
        for t0, model, frac in runs:
            idx = np.flatnonzero(rng.random(len(suite)) < frac)
            samples = np.where(is_code[idx], 5, 1)
            ts = steady(rng, t0, len(idx), 0.4 * max(1, 4 - k))
            a = np.arange(len(idx)) % k
            prompt = suite.take(pa.array(idx))
            x = w.text.exchange(rng, prompt, np.where(is_code[idx], "r_code", "r_cot"),
                                out=(330.0, 0.5), max_tokens=2048, err=0.004)
            w.emit(acc, a, ts, **x, model=model, temperature=np.where(is_code[idx], 0.8, 0.0),
                   n=samples, turn=0)


def research_labs(w: World) -> None:
    """University labs: calibration, faithfulness and argument studies, temperature sweeps,
    several samples, log-probabilities, from the lab's subnet."""
    rng = sub_rng(w.seed, "research")
    labs = [("cs.unal.edu.co", "CO"), ("ai.iitm-research.in", "IN"), ("lab.kth-nlp.se", "SE")]
    for domain, cc in labs:
        k = int(rng.integers(2, 5))
        subnet = w.net.subnet(rng, "ovh") if cc == "SE" else None
        ips = [w.net.cloud(rng, "ovh", subnet) if subnet else w.net.home(rng, cc)
               for _ in range(3)]
        acc = org_accounts(w, rng, k, "research_lab", domain=domain, cc=cc, stack="python", ips=ips,
                           tier="pay_as_you_go", path="research", declared="research")
        per = (rng.integers(300, 900, size=k) * w.vol).astype(np.int64)
        a = np.repeat(np.arange(k), per)
        m = len(a)
        ts = local_times(rng, acc.tz[a], "late", m, weekend=0.5)
        q = pc.if_else(pa.array(rng.random(m) < 0.5), math_problems(w, rng, m),
                       w.text.pick(rng, "logic", m))
        prompt = w.text.fill(rng, "research_t", m, {"q": q})
        temp = np.array([0.0, 0.3, 0.7, 1.0, 1.3])[rng.integers(0, 5, size=m)]
        x = w.text.exchange(rng, prompt, "r_cot", out=(260.0, 0.7), max_tokens=1024)
        model = np.where(ts > w.release + 20 * HOUR, np.where(rng.random(m) < 0.5, NEW, OLD),
                         OLD).astype(object)
        w.emit(acc, a, ts, **x, model=model, temperature=temp, logprobs=rng.random(m) < 0.7,
               n=np.array([1, 1, 4, 8])[rng.integers(0, 4, size=m)], turn=0)


def data_vendors(w: World) -> None:
    """Synthetic-data vendors under contract: templated generation jobs of several hours,
    temperature 1, several samples, long outputs, from their cloud."""
    rng = sub_rng(w.seed, "data_vendor")
    vendors = [("synthloom.io", "US", -4.0, "aiohttp", "aws", True),
               ("corpora-works.eu", "NL", 2.0, "python", "ovh", False)]
    for domain, cc, tz, stack, cloud, moves in vendors:
        k = int(rng.integers(2, 5))
        ips = [w.net.cloud(rng, cloud) for _ in range(4)]
        acc = org_accounts(w, rng, k, "data_vendor", domain=domain, cc=cc, stack=stack, ips=ips,
                           declared="synthetic_data", contract=True,
                           locals_=[f"pipeline-{i + 1}" for i in range(k)])
        for d in range(DAYS):
            if rng.random() < 0.25:
                continue
            t0 = at_local(tz, d, rng.uniform(7, 20))
            count = int(rng.integers(300, 900) * w.vol)
            ts = steady(rng, t0, count, rng.uniform(2, 6))
            a = rng.integers(0, k, size=count)
            slots = {"lang": w.text.pick(rng, "lang", count)}
            prompt = w.text.fill(rng, "vendor_t", count, slots,
                                 which=np.full(count, rng.integers(0, 8)) if rng.random() < 0.5
                                 else None)
            x = w.text.exchange(rng, prompt, "r_chat", out=(850.0, 0.5), max_tokens=4096)
            model = np.full(count, NEW if moves and t0 > w.release + DAY else OLD, dtype=object)
            w.emit(acc, a, ts, **x, model=model, temperature=1.0,
                   n=rng.integers(1, 5, size=count), turn=0)


def enterprise_batch(w: World) -> None:
    """Nightly batch jobs with short answers: ticket routing, attribute extraction, review
    sentiment; the cheap model, temperature 0, a few output tokens."""
    rng = sub_rng(w.seed, "enterprise_batch")
    jobs = [("casaverde-home.es", "ES", 2.0, "batch_ticket_t", "r_label", 3, 10),
            ("marketnest.co.uk", "GB", 1.0, "batch_extract_t", "r_json", 30, 64),
            ("shopwave.com.au", "AU", 10.0, "batch_sentiment_t", "r_label", 2, 5)]
    for domain, cc, tz, pool, resp, out, mt in jobs:
        k = int(rng.integers(1, 3))
        ips = [w.net.cloud(rng, "aws") for _ in range(2)]
        acc = org_accounts(w, rng, k, "enterprise_batch", domain=domain, cc=cc,
                           stack=str(rng.choice(["java", "python", "dotnet"])), ips=ips,
                           declared="batch", contract=True, locals_=["data-platform", "batch-jobs"])
        use_t0 = w.text.has("batch_t0") and pool == "batch_sentiment_t"
        for d in range(-1, DAYS):
            t0 = at_local(tz, d, 1 + rng.uniform(0, 0.2))
            count = int(rng.integers(150, 900) * w.vol)
            ts = steady(rng, t0, count, rng.uniform(3, 9))
            a = rng.integers(0, k, size=count)
            prompt = (w.text.pick(rng, "batch_t0", count) if use_t0 and rng.random() < 0.5
                      else w.text.fill(rng, pool, count, {}))
            x = w.text.exchange(rng, prompt, resp, out=(float(out), 0.3), max_tokens=mt,
                                err=0.003, refuse=0.0)
            w.emit(acc, a, ts, **x, model=NANO, temperature=0.0, n=1, turn=0)


def cron_jobs(w: World) -> None:
    """Scripts on a schedule: every 15 or 30 minutes, at the top of the hour, or daily."""
    rng = sub_rng(w.seed, "cron")
    n = w.n(30, 4)
    stacks = pick(rng, ["python", "requests", "curl", "apps_script", "node"], n)
    ips = [w.net.cloud(rng, str(rng.choice(["aws", "do", "hetzner", "gcp"])))
           if rng.random() < 0.7 else w.net.home(rng, "US") for _ in range(n)]
    acc = w.accounts(rng, n, "cron", created=days_before(rng, n, 20, 900), stack=stacks,
                     ip=ips, declared="cron" if rng.random() < 0.5 else None)
    every = np.array([15, 30, 60, 1440])[rng.choice(4, size=n, p=[0.2, 0.25, 0.35, 0.2])]
    which = rng.integers(0, len(w.text.pool("cron_t")), size=n)
    model = np.where(rng.random(n) < 0.6, NANO, OLD).astype(object)
    for i in range(n):
        step = int(every[i]) * MIN
        offset = int(6 * HOUR - acc.tz[i] * HOUR) % DAY if every[i] == 1440 else 0
        grid = np.arange(START + offset, START + DAYS * DAY, step, dtype=np.int64)
        grid = grid + rng.integers(0, 4 * SEC, size=len(grid))
        a = np.full(len(grid), i)
        m = len(a)
        slots = {"a": rng.integers(10, 99, size=m), "b": rng.integers(80, 900, size=m),
                 "c": rng.integers(0, 40, size=m)}
        prompt = w.text.fill(rng, "cron_t", m, slots, which=np.full(m, which[i]))
        x = w.text.exchange(rng, prompt, "r_short", out=(40.0, 0.5), max_tokens=200,
                            err=0.01, refuse=0.0)
        w.emit(acc, a, grid, **x, model=model[i], temperature=0.3, n=1, turn=0)


def gateways(w: World) -> None:
    """Declared routers serving many end users under one account: mixed prompts, settings
    and models, dozens of keys, a few server addresses."""
    rng = sub_rng(w.seed, "gateway")
    specs = [("openrelay.dev", "US", "go", "aws"), ("switchyard.ai", "DE", "node22", "hetzner"),
             ("kiosko.ai", "BR", "python", "gcp")]
    codes = sorted(COUNTRIES)
    wts = np.array([COUNTRIES[c][3] for c in codes])
    for domain, cc, stack, cloud in specs:
        k = int(rng.integers(1, 3))
        servers = [w.net.cloud(rng, cloud) for _ in range(int(rng.integers(3, 7)))]
        acc = org_accounts(w, rng, k, "gateway", domain=domain, cc=cc, stack=stack, ips=servers,
                           declared="reseller", contract=True, path="reseller",
                           locals_=["platform", "billing"])
        keys = obj([w.new_id("key_", 12) for _ in range(int(rng.integers(20, 80)))])
        count = int(rng.integers(2500, 6000) * k * w.vol)
        users = obj(codes)[rng.choice(len(codes), size=count, p=wts / wts.sum())]
        tz = np.array([COUNTRIES[c][0][0] for c in codes])[
            np.searchsorted(codes, users.astype(str))]
        ts = local_times(rng, tz, "evening", count)
        a = rng.integers(0, k, size=count)
        kind = rng.choice(4, size=count, p=[0.55, 0.25, 0.12, 0.08])
        turn = np.where(rng.random(count) < 0.4, rng.integers(1, 6, size=count), 0)
        lang = languages(rng, users, 0.5)
        prompt = chat_prompts(w, rng, lang, turn)
        prompt = pc.if_else(pa.array(kind == 1), code_questions(w, rng, count), prompt)
        prompt = pc.if_else(pa.array(kind == 2), agent_turns(w, rng, turn,
                                                             np.arange(count)), prompt)
        prompt = pc.if_else(pa.array(kind == 3), w.text.pick(rng, "tool_tasks", count),
                            prompt)
        system = pc.if_else(pa.array(kind == 2), w.text.pick(rng, "sys_agent", count),
                            w.text.pick(rng, "sys_chat", count))
        resp = np.where(kind == 0, response_kind(lang), np.array(
            ["r_chat", "r_code", "r_agent", "r_tool"], dtype=object)[kind])
        x = w.text.exchange(rng, prompt, resp, out=(380.0, 0.9),
                            max_tokens=np.array([0, 1024, 4096, 16384])[kind],
                            system=system, context=turn * 300)
        model = obj([OLD, NANO])[(rng.random(count) < 0.2).astype(int)]
        new_share = np.clip((ts - w.release) / (2 * DAY), 0, 0.45)
        model[(ts > w.release) & (rng.random(count) < new_share)] = NEW
        conv = w.conv_ids(count)
        conv = pc.if_else(pa.array(rng.random(count) < 0.7), conv, pa.nulls(count, pa.string()))
        w.emit(acc, a, ts, **x, model=model, key=keys[rng.integers(0, len(keys), size=count)],
               ip=obj(servers)[rng.integers(0, len(servers), size=count)], turn=turn,
               conv=conv, tool_count=np.where(kind >= 2, rng.integers(3, 20, size=count), 0),
               temperature=np.array([0.0, 0.3, 0.7, 1.0])[rng.integers(0, 4, size=count)],
               n=1)


ALL = (benchmark_teams, research_labs, data_vendors, enterprise_batch, cron_jobs, gateways)
