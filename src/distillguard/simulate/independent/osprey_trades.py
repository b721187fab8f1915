"""Osprey's businesses whose ordinary work looks like harvesting: a translation agency, an
e-discovery firm, a game studio, newsrooms, tutoring apps, a red-teaming contractor,
start-ups load-testing, and support bots (see OSPREY.md)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .osprey_acts import adoption, chat_sessions, math_problems
from .osprey_kit import (
    DAY,
    DAYS,
    HOUR,
    MIN,
    NANO,
    NEW,
    OLD,
    START,
    World,
    local_times,
    obj,
    sub_rng,
)
from .osprey_orgs import at_local, org_accounts, steady


def translation_agencies(w: World) -> None:
    """Translators working in sessions, and the agency's translation-memory tool pushing
    hundreds of segments at a time during European office hours."""
    rng = sub_rng(w.seed, "translation")
    for domain, cc, tz in (("lingua-ponte.es", "ES", 2.0), ("tessera-l10n.pl", "PL", 2.0)):
        k = int(rng.integers(4, 9))
        ips = [w.net.home(rng, cc) for _ in range(2)]
        acc = org_accounts(w, rng, k + 1, "translation_agency", domain=domain, cc=cc,
                           stack=["java"] + ["chrome_win"] * k, ips=ips, tier="pay_as_you_go",
                           locals_=["cat-connector"], declared=None)
        acc.declared[0] = "batch"
        per = np.r_[0, rng.integers(4, 16, size=k)]
        ev = chat_sessions(w, rng, acc, per, profile="office", turns=4.0, gap_s=150,
                           weekend=0.05)
        m = len(ev)
        prompt = w.text.fill(rng, "translate_t", m, {})
        x = w.text.exchange(rng, prompt, "r_translate", out=(140.0, 0.6), max_tokens=0,
                            context=ev.turn * 200)
        w.emit(acc, ev.a, ev.ts, **x, model=OLD, conv=ev.conv, turn=ev.turn, temperature=0.2)
        for d in range(DAYS):
            if (d + 3) % 7 >= 5:
                continue
            for _ in range(int(rng.integers(1, 3))):
                count = int(rng.integers(200, 600) * w.vol)
                t0 = at_local(tz, d, rng.uniform(9, 17))
                ts = steady(rng, t0, count, rng.uniform(2, 5))
                which = np.full(count, rng.integers(0, 3))
                target = w.text.pick(rng, "target", 1)[0].as_py()
                prompt = w.text.fill(rng, "translate_t", count,
                                     {"target": np.full(count, target, dtype=object)},
                                     which=which)
                x = w.text.exchange(rng, prompt, "r_translate", out=(90.0, 0.5),
                                    max_tokens=1024, err=0.004, refuse=0.0)
                w.emit(acc, np.zeros(count, np.int64), ts, **x, model=OLD, temperature=0.0,
                       n=1, turn=0)


def legal_discovery(w: World) -> None:
    """An e-discovery firm's review platform: overnight privilege and responsiveness review
    with step-by-step reasoning, one matter at a time; a small pilot on the new model."""
    rng = sub_rng(w.seed, "legal")
    tz = -4.0
    ips = [w.net.cloud(rng, "aws") for _ in range(3)]
    k = int(rng.integers(3, 6))
    acc = org_accounts(w, rng, k, "legal_discovery", domain="caldervoss-ediscovery.com", cc="US",
                       stack=["dotnet"] * (k - 2) + ["chrome_win"] * 2, ips=ips, declared="batch",
                       contract=True, locals_=[f"matter-{int(rng.integers(1000, 9999))}"
                       for _ in range(k - 2)])
    acc.tz[:] = tz
    system = w.text.pool("sys_legal")[0]
    platform = max(1, k - 2)
    for d in range(-1, DAYS):
        if rng.random() < 0.15:
            continue
        count = int(rng.integers(500, 1400) * w.vol)
        t0 = at_local(tz, d, 22 + rng.uniform(0, 1.5))
        ts = steady(rng, t0, count, rng.uniform(1.5, 4))
        a = np.full(count, int(rng.integers(0, platform)))
        slots = {"a": rng.integers(1, 40, size=count), "rcpt": w.text.pick(rng, "sender", count)}
        prompt = w.text.fill(rng, "legal_t", count, slots,
                             which=rng.choice(3, size=count, p=[0.6, 0.3, 0.1]))
        x = w.text.exchange(rng, prompt, "r_legal", out=(340.0, 0.4), max_tokens=1024,
                            system=system, err=0.004, refuse=0.0)
        model = np.full(count, OLD, dtype=object)
        w.emit(acc, a, ts, **x, model=model, temperature=0.0, n=1, turn=0)
    pilot = int(rng.integers(150, 300))
    ts = steady(rng, w.release + int(rng.uniform(40, 60) * HOUR), pilot, 6.0)
    prompt = w.text.fill(rng, "legal_t", pilot, {"a": rng.integers(1, 40, size=pilot),
                                                 "rcpt": w.text.pick(rng, "sender", pilot)})
    x = w.text.exchange(rng, prompt, "r_legal", out=(340.0, 0.4), max_tokens=1024,
                        system=system)
    w.emit(acc, np.zeros(pilot, np.int64), ts, **x, model=NEW, temperature=0.0, n=1, turn=0)
    people = chat_sessions(w, rng, acc, np.r_[np.zeros(k - 2, int), rng.integers(5, 15, 2)],
                           profile="office", turns=1.0, gap_s=200, weekend=0.1)
    m = len(people)
    prompt = w.text.fill(rng, "legal_t", m, {"a": rng.integers(1, 40, size=m),
                                             "rcpt": w.text.pick(rng, "sender", m)})
    x = w.text.exchange(rng, prompt, "r_legal", out=(400.0, 0.5), max_tokens=0,
                        system=system)
    w.emit(acc, people.a, people.ts, **x, model=OLD, turn=people.turn, conv=people.conv)


def game_studio(w: World) -> None:
    """A studio generating NPC barks: designers iterate by day, the content pipeline batch
    runs during crunch nights; several samples at high temperature."""
    rng = sub_rng(w.seed, "game_studio")
    tz = 2.0
    ci = [w.net.cloud(rng, "aws") for _ in range(2)]
    office = w.net.home(rng, "PL")
    acc = org_accounts(w, rng, 3, "game_studio", domain="wyrmlight.games", cc="PL",
                       stack=["python", "chrome_win", "chrome_mac"], ips=[ci[0], office, office],
                       tier="pay_as_you_go", locals_=["content-pipeline"])
    acc.tz[:] = tz
    for d in range(DAYS):
        if rng.random() < 0.45:
            continue
        count = int(rng.integers(200, 700) * w.vol)
        t0 = at_local(tz, d, rng.uniform(20, 23.5))
        ts = steady(rng, t0, count, rng.uniform(3, 8))
        prompt = w.text.fill(rng, "npc_t", count, {})
        x = w.text.exchange(rng, prompt, "r_npc", out=(230.0, 0.4), max_tokens=600,
                            refuse=0.0)
        w.emit(acc, np.zeros(count, np.int64), ts, **x, model=OLD,
               temperature=float(rng.choice([1.0, 1.1])), n=3, turn=0,
               ip=obj(ci)[rng.integers(0, 2, size=count)])
    ev = chat_sessions(w, rng, acc, np.array([0, 12, 9]), profile="office", turns=5.0,
                       gap_s=120, weekend=0.2)
    prompt = w.text.fill(rng, "npc_t", len(ev), {})
    x = w.text.exchange(rng, prompt, "r_npc", out=(230.0, 0.5), max_tokens=0)
    model = adoption(w, rng, acc, ev.a, ev.ts, before={OLD: 1.0}, p=1.0, share=(0.5, 0.8),
                     lag_h=(16, 30))
    w.emit(acc, ev.a, ev.ts, **x, model=model, temperature=1.0, turn=ev.turn, conv=ev.conv)


def newsrooms(w: World) -> None:
    """Journalists editing wire copy, and the CMS asking for summaries and headlines for
    each story, with a surge when news breaks."""
    rng = sub_rng(w.seed, "newsroom")
    system = w.text.pool("sys_news")[0]
    for domain, cc, tz, size, breaking in (("diariomeridiano.es", "ES", 2.0, (8, 15), 4),
                                           ("coastlinedaily.co.ke", "KE", 3.0, (5, 10), 6)):
        k = int(rng.integers(*size))
        ips = [w.net.home(rng, cc) for _ in range(2)]
        acc = org_accounts(w, rng, k + 1, "newsroom", domain=domain, cc=cc,
                           stack=["php"] + ["chrome_win"] * k, ips=ips, tier="pay_as_you_go",
                           locals_=["cms"])
        per = np.r_[0, rng.integers(4, 14, size=k)]
        ev = chat_sessions(w, rng, acc, per, profile="late", turns=1.5, gap_s=120)
        prompt = w.text.fill(rng, "news_t", len(ev), {})
        x = w.text.exchange(rng, prompt, "r_summary", out=(120.0, 0.6), max_tokens=0,
                            system=system, context=ev.turn * 200)
        w.emit(acc, ev.a, ev.ts, **x, model=OLD, turn=ev.turn, conv=ev.conv, temperature=0.4)
        count = int(rng.integers(60, 140) * DAYS * w.vol)
        ts = at_local(tz, 0, 0) + (rng.random(count) * DAYS * DAY).astype(np.int64)
        hour = ((ts - at_local(tz, 0, 0)) % DAY) / HOUR
        ts = ts[(hour > 6) & (hour < 23.5)]
        surge = at_local(tz, breaking, rng.uniform(8, 18)) + (rng.exponential(
            1.2, size=int(150 * w.vol) + 10) * HOUR).astype(np.int64)
        ts = np.sort(np.r_[ts, surge])
        m = len(ts)
        prompt = w.text.fill(rng, "news_t", m, {}, which=rng.choice(6, size=m,
                                                                     p=[.4, .3, 0, 0, .2, .1]))
        x = w.text.exchange(rng, prompt, "r_summary", out=(90.0, 0.5), max_tokens=300,
                            system=system)
        w.emit(acc, np.zeros(m, np.int64), ts, **x, model=NANO if cc == "KE" else OLD,
               temperature=0.3, n=1, turn=0)


def tutoring_apps(w: World) -> None:
    """Tutoring start-ups: many students' step-by-step maths and science questions through
    one backend account, evenings after school, conversations per student."""
    rng = sub_rng(w.seed, "tutoring")
    for domain, cc, tz, pool, sys_pool, cloud in (
            ("aprovamais.com.br", "BR", -3.0, "tutor_pt", "sys_tutor_pt", "aws"),
            ("padhaibuddy.in", "IN", 5.5, "tutor_hi", "sys_tutor_en", "gcp")):
        k = int(rng.integers(1, 3))
        ips = [w.net.cloud(rng, cloud) for _ in range(3)]
        acc = org_accounts(w, rng, k, "tutoring_app", domain=domain, cc=cc, stack="node", ips=ips,
                           tier="pay_as_you_go", path="startup", declared="education",
                           locals_=["backend", "backend-staging"])
        acc.tz[:] = tz
        students = int(rng.integers(900, 1600) * w.vol)
        sess_a = rng.integers(0, k, size=students)
        ev = chat_sessions(w, rng, acc, np.bincount(sess_a, minlength=k), profile="student",
                           turns=2.5, gap_s=70)
        m = len(ev)
        q = pc.if_else(pa.array(rng.random(m) < 0.55), w.text.pick(rng, pool, m),
                       math_problems(w, rng, m, pool="problem_pool", corpus_share=0.3))
        follow = w.text.pick(rng, "followup", m)
        prompt = pc.if_else(pa.array(ev.turn > 0), follow, q)
        x = w.text.exchange(rng, prompt, "r_tutor", out=(420.0, 0.5), max_tokens=1500,
                            system=w.text.pool(sys_pool)[0], context=ev.turn * 450)
        test = (ev.ts > w.release + 3 * DAY) & (rng.random(m) < 0.2)
        model = np.where(test, NEW, OLD).astype(object)
        w.emit(acc, ev.a, ev.ts, **x, model=model, conv=ev.conv, turn=ev.turn,
               temperature=0.5, n=1, ip=obj(ips)[rng.integers(0, 3, size=m)])


def red_team_vendor(w: World) -> None:
    """A contracted red-teaming firm: jailbreak attempts, politically sensitive questions
    and safe-rewrite probes, many refusals, mostly on the new model once it is out."""
    rng = sub_rng(w.seed, "redteam")
    k = int(rng.integers(2, 5))
    ips = [w.net.home(rng, "GB") for _ in range(2)]
    acc = org_accounts(w, rng, k, "red_team_vendor", domain="bastion-evals.co.uk", cc="GB",
                       stack="python", ips=ips, declared="research", contract=True, path="research")
    per = (rng.integers(600, 1100, size=k) * w.vol).astype(np.int64)
    a = np.repeat(np.arange(k), per)
    m = len(a)
    ts = local_times(rng, acc.tz[a], "office", m, weekend=0.05)
    kind = rng.choice(3, size=m, p=[0.6, 0.25, 0.15])
    prompt = w.text.pick(rng, "redteam", m)
    prompt = pc.if_else(pa.array(kind == 1), w.text.fill(rng, "rewrite_t", m, {}), prompt)
    prompt = pc.if_else(pa.array(kind == 2), w.text.pick(rng, "sensitive", m), prompt)
    x = w.text.exchange(rng, prompt, np.where(kind == 0, "r_chat", "r_rewrite"),
                        out=(220.0, 0.7), max_tokens=1024, refuse=0.3)
    model = np.where((ts > w.release) & (rng.random(m) < 0.7), NEW, OLD).astype(object)
    w.emit(acc, a, ts, **x, model=model, temperature=np.where(rng.random(m) < 0.5, 0.0, 1.0),
           n=1, turn=0)


def load_tests(w: World) -> None:
    """Start-ups load-testing their integration before launch: a fixed prompt at a constant
    rate for tens of minutes from several load generators; light real traffic otherwise."""
    rng = sub_rng(w.seed, "loadtest")
    for domain, cc, tz in (("tavolo.app", "ES", 2.0), ("rumbo.mx", "MX", -6.0)):
        gens = [w.net.cloud(rng, "aws") for _ in range(int(rng.integers(3, 7)))]
        acc = org_accounts(w, rng, 1, "load_test", domain=domain, cc=cc, stack="k6", ips=gens[:1],
                           tier="pay_as_you_go", verified=False, declared="startup",
                           locals_=["dev"], age=(5, 60))
        for _ in range(int(rng.integers(2, 5))):
            d = int(rng.integers(0, DAYS))
            count = int(rng.integers(600, 2000) * w.vol)
            dur = rng.uniform(10, 30) * MIN
            t0 = at_local(tz, d, rng.uniform(10, 18))
            ts = t0 + np.sort((rng.random(count) * dur).astype(np.int64))
            which = np.full(count, rng.integers(0, 3))
            prompt = w.text.fill(rng, "load_t", count, {}, which=which)
            x = w.text.exchange(rng, prompt, "r_short", out=(6.0, 0.3), max_tokens=20,
                                err=0.03, refuse=0.0)
            w.emit(acc, np.zeros(count, np.int64), ts, **x, model=NANO, temperature=0.0, n=1,
                   ip=obj(gens)[rng.integers(0, len(gens), size=count)], turn=0)
        real = int(rng.integers(40, 160))
        ts = START + np.sort((rng.random(real) * DAYS * DAY).astype(np.int64))
        prompt = w.text.pick(rng, "load_t", real)
        x = w.text.exchange(rng, prompt, "r_short", out=(12.0, 0.5), max_tokens=64)
        w.emit(acc, np.zeros(real, np.int64), ts, **x, model=NANO, temperature=0.0, n=1,
               turn=0)


def support_bots(w: World) -> None:
    """Customer-support assistants: a long system prompt, a few tools, shoppers' multi-turn
    conversations around the clock with the shop's local peak."""
    rng = sub_rng(w.seed, "support")
    for domain, cc, sys_i, cloud in (("casaverde-home.es", "ES", 0, "aws"),
                                     ("zapline.co.ke", "KE", 1, "azure"),
                                     ("nordhavn-cykel.se", "SE", 0, "gcp")):
        ips = [w.net.cloud(rng, cloud) for _ in range(2)]
        acc = org_accounts(w, rng, 1, "support_bot", domain=domain, cc=cc, stack="node", ips=ips,
                           tier="pay_as_you_go", declared="agent", locals_=["support-bot"])
        chats = int(rng.integers(300, 700) * w.vol) + 5
        ev = chat_sessions(w, rng, acc, np.array([chats]), profile="evening", turns=3.5,
                           gap_s=45)
        m = len(ev)
        prompt = w.text.pick(rng, "support_user", m)
        system = w.text.pool("sys_support")[sys_i]
        x = w.text.exchange(rng, prompt, "r_tool", out=(70.0, 0.6), max_tokens=500,
                            system=system, context=ev.turn * 180 + 300)
        w.emit(acc, ev.a, ev.ts, **x, model=OLD if cc != "SE" else NANO, conv=ev.conv,
               turn=ev.turn, tool_count=int(rng.integers(3, 7)), temperature=0.3, n=1)


ALL = (translation_agencies, legal_discovery, game_studio, newsrooms, tutoring_apps,
       red_team_vendor, load_tests, support_bots)
