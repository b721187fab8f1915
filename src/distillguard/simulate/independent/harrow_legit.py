"""Harrow's legitimate customers, one function per group (see HARROW.md)."""

from __future__ import annotations

import math
import random
from collections.abc import Callable

from .harrow_kit import CONSUMER_COUNTRY_WEIGHTS as CW
from .harrow_kit import (
    COUNTRIES,
    DAY,
    DAYS,
    END,
    HOUR,
    NEW_MAIN,
    OLD_MAIN,
    OLD_MINI,
    OLD_REASON,
    RELEASE,
    START,
    US,
    Acct,
    World,
    adoption,
    cloud_ip,
    home_ip,
    ip_picker,
    ipv6,
    local_times,
    payment,
    person_email,
    pick_weighted,
    sessions,
    sub_rng,
    subnet_ips,
    ua_of,
)


def lognorm(rng: random.Random, median: float, sigma: float, lo: int, hi: int) -> int:
    return int(min(hi, max(lo, median * math.exp(rng.gauss(0, sigma)))))


def created_before(rng: random.Random, days_lo: float, days_hi: float) -> int:
    return START - int(rng.uniform(days_lo, days_hi) * DAY) - rng.randrange(HOUR)


def pick_model(rng: random.Random, ts: int, old: list[str], cap: float, ramp_h: float,
               lag_h: float = 0.0) -> str:
    if rng.random() < adoption(ts, cap, ramp_h, lag_h):
        return NEW_MAIN
    return rng.choice(old)


def converse(w: World, rng: random.Random, a: Acct, burst: list[int], first: str,
             follow: Callable[[], str], *, ip: Callable[[], str], ua: tuple[str, str],
             old: list[str], adopt: tuple[float, float, float] = (0.3, 48, 0),
             system: str | None = None, kind: str = "chat",
             comp: tuple[float, float, int, int] = (300, 0.7, 5, 4000),
             max_tokens: int | None = None, temperature: float | None = None, tools: int = 0,
             ctx_per_turn: int = 400, n: int = 1, logprobs: bool | None = False) -> None:
    conv = w.new_id("conv_", 16)
    model = pick_model(rng, burst[0], old, *adopt)
    context = 0
    for turn, ts in enumerate(burst):
        prompt = first if turn == 0 else follow()
        completion = lognorm(rng, *comp)
        w.emit(a, ts, model=model, prompt=prompt, ip=ip(), ua=ua[0], stack=ua[1],
               system=system, conv=conv, turn=turn, response_kind=kind, completion=completion,
               max_tokens=max_tokens, temperature=temperature, tools=tools, context=context,
               n=n, logprobs=logprobs, rng=rng)
        context += completion + len(prompt) // 4 + ctx_per_turn


def consumers(w: World, seed: int, mobile: bool) -> None:
    name = "consumer_mobile" if mobile else "consumer"
    rng = sub_rng(seed, name)
    t = w.text
    carriers: list[list[str]] = []
    if mobile:
        for c in range(4):
            base = f"{[100, 172, 174, 107][c]}.{rng.randint(0, 255)}.{rng.randint(0, 255)}"
            carriers.append(subnet_ips(rng, 10, base)
                            + [ipv6(rng, f"2600:{rng.randint(4096, 8191):x}:"
                                         f"{rng.randint(0, 65535):x}:{rng.randint(0, 255):x}00:")
                               for _ in range(8)])
    for _ in range(w.count(520 if mobile else 2400)):
        country = "US" if mobile else pick_weighted(rng, CW)
        new = rng.random() < 0.08
        created = (START + rng.randrange(DAYS * DAY) if new
                   else created_before(rng, 1, 900))
        free = rng.random() < 0.55
        a = w.account(rng, name, created=created, country=country,
                      email=person_email(rng), payment=None if free else payment(rng),
                      tier="free" if free else "pay_as_you_go", verified=not free)
        ua = ua_of(rng, "consumer_app") if not mobile else rng.choice(
            [("okhttp/4.12.0", "okhttp"),
             ("LumenPal/3.2.1 (iPhone; iOS 18.0.1; Scale/3.00)", "safari")])
        home = home_ip(rng, country)
        pool = carriers[rng.randrange(len(carriers))] if mobile else []
        k = lognorm(rng, 6, 0.9, 1, 90)
        lo = max(START, created + 60 * US)
        max_tok = rng.choice([None, 1024, 2048, 4096, 4096, 8192])
        temp = rng.choice([None, None, 0.7, 1.0, 0.5])
        old = [OLD_MAIN] * 3 + [OLD_MINI]
        for burst in sessions(rng, k, country, "consumer", (1, 5), (25, 240), lo, END):
            first = t.real(rng, "chat", 0.35) or t.pick(rng, "consumer")
            converse(w, rng, a, burst, first, lambda: t.pick(rng, "followup"),
                     ip=ip_picker(rng, pool) if mobile else ip_picker(
                         rng, [home], share=0.85, fresh_country=country),
                     ua=ua, old=old, adopt=(0.35, 60, 2), comp=(320, 0.7, 8, 3000),
                     max_tokens=max_tok, temperature=temp)



def power_users(w: World, seed: int) -> None:
    rng = sub_rng(seed, "power_user")
    t = w.text
    for _ in range(w.count(300)):
        country = pick_weighted(rng, CW)
        a = w.account(rng, "power_user", created=created_before(rng, 30, 1100), country=country,
                      email=person_email(rng), payment=payment(rng), verified=True,
                      keys=rng.randint(1, 3))
        ua = ua_of(rng, rng.choice(["consumer_app", "sdk"]))
        home = home_ip(rng, country)
        work = home_ip(rng, country)
        k = lognorm(rng, 70, 0.6, 20, 400)
        old = [OLD_MAIN, OLD_MAIN, OLD_REASON]
        for burst in sessions(rng, k, country, rng.choice(["consumer", "office", "late"]),
                              (2, 14), (30, 400)):
            first = (t.real(rng, "chat", 0.4) or t.pick(rng, "power")
                     if rng.random() < 0.7 else t.pick(rng, "consumer"))
            converse(w, rng, a, burst, first, lambda: t.pick(rng, "followup"),
                     ip=ip_picker(rng, [home], [work], 0.6), ua=ua, old=old,
                     adopt=(0.75, 12, 0), comp=(600, 0.7, 20, 6000),
                     max_tokens=rng.choice([None, 4096, 8192, 16000]),
                     temperature=rng.choice([None, 0.7, 1.0]), ctx_per_turn=600)


def developers(w: World, seed: int) -> None:
    rng = sub_rng(seed, "developer")
    t = w.text
    for _ in range(w.count(550)):
        country = pick_weighted(rng, CW)
        new = rng.random() < 0.1
        created = (START + rng.randrange(6 * DAY) if new else created_before(rng, 2, 800))
        a = w.account(rng, "developer", created=created, country=country,
                      email=person_email(rng), payment=payment(rng) if rng.random() < 0.8 else None,
                      tier="pay_as_you_go" if rng.random() < 0.8 else "free",
                      keys=rng.randint(1, 4))
        uas = [ua_of(rng, "sdk") for _ in range(rng.randint(1, 3))]
        ips = [home_ip(rng, country), cloud_ip(rng), home_ip(rng, country)]
        k = lognorm(rng, 22, 0.9, 2, 300)
        lo = max(START, created + 300 * US)
        for burst in sessions(rng, k, country, "office", (1, 12), (4, 120), lo, END):
            ua = rng.choice(uas)
            prompt = t.real(rng, "code", 0.3) or t.pick(rng, "dev")
            ip = rng.choice(ips)
            model = pick_model(rng, burst[0], [OLD_MAIN, OLD_MINI, OLD_REASON], 0.6, 10)
            for i, ts in enumerate(burst):
                # developers re-run the same request while iterating on their code
                if i and rng.random() < 0.6:
                    prompt = t.real(rng, "code", 0.3) or t.pick(rng, "dev")
                w.emit(a, ts, model=model, prompt=prompt, ip=ip, ua=ua[0], stack=ua[1],
                       system=rng.choice([None, None, "You are a helpful assistant.",
                                          "Answer in JSON."]),
                       response_kind="code", completion=lognorm(rng, 350, 0.9, 1, 8000),
                       max_tokens=rng.choice([None, 256, 1024, 4096, 8192]),
                       temperature=rng.choice([None, 0.0, 0.2, 0.7, 1.0]),
                       n=rng.choice([1] * 12 + [2, 3]), logprobs=rng.random() < 0.05,
                       tools=rng.choice([0] * 6 + [1, 2, 3, 5]),
                       status="error" if rng.random() < 0.03 else "ok", rng=rng)


def coding_agents(w: World, seed: int) -> None:
    rng = sub_rng(seed, "coding_agent")
    t = w.text
    for _ in range(w.count(220)):
        country = pick_weighted(rng, CW)
        ci = rng.random() < 0.25
        a = w.account(rng, "coding_agent", created=created_before(rng, 5, 600), country=country,
                      email=person_email(rng), payment=payment(rng), verified=True,
                      keys=rng.randint(1, 3), declared_use="agent" if rng.random() < 0.3 else None)
        ua = ua_of(rng, "agent")
        ips = [cloud_ip(rng, "aws"), cloud_ip(rng, "aws")] if ci else [home_ip(rng, country)]
        k = lognorm(rng, 200 if ci else 80, 0.6, 15, 1000)
        max_tok = rng.choice([32000, 64000, 64000, 128000])
        for burst in sessions(rng, k, country, "flat" if ci else "office", (4, 45), (3, 50)):
            first = t.pick(rng, "agent_task")
            converse(w, rng, a, burst, first, lambda: t.pick(rng, "agent_followup"),
                     ip=ip_picker(rng, ips), ua=ua, old=[OLD_MAIN, OLD_REASON],
                     adopt=(0.7, 8, 0), system="You are an expert software engineering agent "
                     "working in the user's repository. Use the tools provided.",
                     kind="code", comp=(900, 0.9, 20, 30000), max_tokens=max_tok,
                     temperature=rng.choice([None, 0.0, 1.0]), tools=rng.randint(12, 45),
                     ctx_per_turn=rng.randint(2000, 9000))


def enterprise_batch(w: World, seed: int) -> None:
    rng = sub_rng(seed, "enterprise_batch")
    t = w.text
    batch_keys = sorted(k for k in t.corpus if k.startswith("batch:"))
    for o in range(w.count(14)):
        org = w.new_id("org_", 10)
        country = rng.choice(["US", "US", "DE", "GB", "FR", "JP", "NL", "IN"])
        pay = payment(rng)
        zdr = rng.random() < 0.3
        path = rng.choice(["direct", "direct", "cloud"])
        for _ in range(rng.randint(1, 3)):
            a = w.account(rng, "enterprise_batch", created=created_before(rng, 60, 900),
                          country=country, access_path=path, org_id=org, payment=pay,
                          email=f"ml-platform+{o}@{rng.choice(['corp', 'group', 'co'])}"
                                f"{rng.randint(10, 999)}.example-enterprise.com",
                          tier="enterprise", verified=True, declared_use="batch",
                          contract=True, zdr=zdr)
            if batch_keys and rng.random() < 0.5:
                source = rng.choice(batch_keys)
                template = None
            else:
                source = ""
                template = rng.choice(t.lists["batch_templates"])
            ua = ua_of(rng, "sdk")
            ips = [cloud_ip(rng, rng.choice(["aws", "gcp", "azure"])) for _ in range(2)]
            hour = rng.choice([0, 1, 2, 3, 22, 23])
            days = [d for d in range(7) if rng.random() < 0.85]
            max_tok = rng.choice([8, 16, 64, 128, 256])
            for d in days:
                start = START + d * DAY + hour * HOUR + rng.randrange(1800) * US
                size = lognorm(rng, 100, 0.6, 25, 1000)
                ts = start
                for _ in range(size):
                    ts += int(rng.uniform(0.15, 1.2) * US)
                    prompt = (rng.choice(t.corpus[source]) if source else
                              t.fill(rng, template or ""))
                    w.emit(a, ts, model=OLD_MINI, prompt=prompt, ip=rng.choice(ips), ua=ua[0],
                           stack=ua[1], system=None, response_kind="short",
                           completion=lognorm(rng, 12, 0.8, 1, 200), max_tokens=max_tok,
                           temperature=0.0, rng=rng)


def cron_jobs(w: World, seed: int) -> None:
    rng = sub_rng(seed, "cron")
    t = w.text
    for _ in range(w.count(120)):
        country = pick_weighted(rng, CW)
        a = w.account(rng, "cron_job", created=created_before(rng, 10, 700), country=country,
                      email=person_email(rng), payment=payment(rng),
                      declared_use="cron" if rng.random() < 0.2 else None)
        ua = ua_of(rng, "sdk")
        ip = cloud_ip(rng) if rng.random() < 0.7 else home_ip(rng, country)
        every = rng.choice([15, 30, 60, 60, 60, 60, 120, 240, 360, 1440, 1440, 1440])
        minute = 0 if every >= 60 and rng.random() < 0.8 else rng.choice([0, 5, 30])
        template = rng.choice(t.lists["cron_templates"])
        model = rng.choice([OLD_MINI, OLD_MAIN, OLD_MINI])
        moves = rng.random() < 0.2
        k = START + minute * 60 * US + (rng.randrange(24) * HOUR if every == 1440 else 0)
        while k < END:
            ts = k + int(rng.uniform(0.05, 4.0) * US)
            w.emit(a, ts, model=NEW_MAIN if moves and ts > RELEASE + 20 * HOUR else model,
                   prompt=t.fill(rng, template), ip=ip, ua=ua[0], stack=ua[1],
                   response_kind="chat", completion=lognorm(rng, 160, 0.4, 20, 800),
                   max_tokens=rng.choice([512, 1024]), temperature=0.3,
                   status="error" if rng.random() < 0.01 else "ok", rng=rng)
            k += every * 60 * US


def classrooms(w: World, seed: int) -> None:
    rng = sub_rng(seed, "classroom")
    t = w.text
    for _ in range(w.count(6)):
        country = rng.choice(["US", "GB", "DE", "IN", "BR", "CA", "NL", "KR"])
        domain = f"{rng.choice(['students', 'stud', 'mail', 'campus'])}." \
                 f"{rng.choice(['north', 'west', 'lake', 'hill', 'river', 'st-'])}" \
                 f"{rng.choice(['ridge', 'field', 'ford', 'vale', 'brook', 'mark'])}.edu"
        nat = subnet_ips(rng, rng.randint(1, 3))
        size = rng.randint(25, 90)
        # the first lab: everybody signs up within an hour
        lab_day = rng.randint(0, 3)
        lab = START + lab_day * DAY + int((rng.choice([9, 10, 13, 14]) - country_tz(country))
                                          * HOUR)
        homework = [t.pick(rng, "homework") for _ in range(rng.randint(2, 4))]
        teacher = w.account(rng, "classroom", created=created_before(rng, 60, 400),
                            country=country, access_path="education",
                            email=person_email(rng, domain.split(".", 1)[1]),
                            payment=payment(rng), verified=True, declared_use="education")
        for s in range(size + 1):
            before = rng.random() < 0.3
            created = (created_before(rng, 0.5, 40) if before
                       else lab + rng.randrange(50 * 60) * US)
            a = teacher if s == size else w.account(
                rng, "classroom", created=created, country=country, access_path="education",
                email=f"{rng.choice('abcdefghjkmnpqrstvwz')}{rng.randint(10000, 99999)}@{domain}",
                tier="free")
            ua = ua_of(rng, "consumer_app") if rng.random() < 0.6 else ua_of(rng, "sdk")
            first_ts = max(lab, a.created + 60 * US)
            k = lognorm(rng, 10, 0.6, 2, 60)
            in_class = [first_ts + rng.randrange(90 * 60) * US for _ in range(k // 2)]
            in_class += [first_ts + 2 * DAY + rng.randrange(90 * 60) * US for _ in range(k // 4)]
            evening = local_times(rng, k - len(in_class), country, "student", first_ts, END)
            home = home_ip(rng, country)
            for ts in sorted(x for x in in_class + evening if x < END):
                at_school = ts in in_class
                base = rng.choice(homework) if rng.random() < 0.75 else t.pick(rng, "consumer")
                prompt = _vary(rng, base)
                w.emit(a, ts, model=OLD_MAIN if ts < RELEASE or rng.random() < 0.7 else NEW_MAIN,
                       prompt=prompt, ip=rng.choice(nat) if at_school else home, ua=ua[0],
                       stack=ua[1], conv=w.new_id("conv_", 16), response_kind="reason",
                       completion=lognorm(rng, 380, 0.5, 40, 2500), max_tokens=None,
                       temperature=None, rng=rng)


def country_tz(country: str) -> float:
    return COUNTRIES.get(country, 0)


def _vary(rng: random.Random, text: str) -> str:
    """What students do to a shared assignment text: case, typos, a greeting, a suffix."""
    r = rng.random()
    if r < 0.2:
        text = text.lower()
    elif r < 0.3 and len(text) > 20:
        i = rng.randrange(len(text) - 1)
        text = text[:i] + text[i + 1] + text[i] + text[i + 2:]
    if rng.random() < 0.2:
        text = rng.choice(["hi, ", "pls help: ", "Question: ", "hw: "]) + text
    if rng.random() < 0.15:
        text += rng.choice([" explain simply", " thanks", " in 100 words", " step by step"])
    return text


def hackathon(w: World, seed: int) -> None:
    rng = sub_rng(seed, "hackathon")
    t = w.text
    venue = subnet_ips(rng, 2)
    kickoff = START + 5 * DAY + 7 * HOUR  # Saturday 09:00 in Amsterdam (CEST)
    for _ in range(w.count(120, 3)):
        country = rng.choice(["NL"] * 6 + ["DE", "BE", "GB", "FR"])
        a = w.account(rng, "hackathon", created=kickoff + rng.randrange(3 * 3600) * US,
                      country=country if country != "BE" else "NL", access_path="promo",
                      email=person_email(rng), tier="free")
        ua = ua_of(rng, rng.choice(["sdk", "sdk", "agent"]))
        k = lognorm(rng, 45, 0.8, 3, 400)
        times = sorted(a.created + 600 * US + rng.randrange(32 * 3600) * US for _ in range(k))
        model = rng.choice([OLD_MAIN, NEW_MAIN, NEW_MAIN, OLD_MINI])
        system = rng.choice([None, "You are a recipe bot.", "You are a travel planner. Answer "
                             "in JSON.", "You summarise GitHub issues.",
                             "You are a friendly tutor for kids."])
        for ts in times:
            if ts >= END:
                break
            w.emit(a, ts, model=model, prompt=t.real(rng, "code", 0.2) or t.pick(
                rng, rng.choice(["dev", "consumer", "synth"])),
                ip=rng.choice(venue) if ts < kickoff + 30 * HOUR else home_ip(rng, "NL"),
                ua=ua[0], stack=ua[1], system=system, response_kind="code",
                completion=lognorm(rng, 400, 0.8, 5, 6000), max_tokens=rng.choice([None, 2048]),
                temperature=rng.choice([None, 0.7]), tools=rng.choice([0, 0, 2, 4]), rng=rng)


def research_labs(w: World, seed: int) -> None:
    rng = sub_rng(seed, "research_lab")
    t = w.text
    for lab in range(w.count(8)):
        org = w.new_id("org_", 10)
        country = rng.choice(["US", "US", "GB", "DE", "CA", "SG", "JP", "FR", "KR"])
        domain = f"{rng.choice(['cs', 'ai', 'nlp', 'ml'])}.{rng.choice(['uni', 'inst', 'tech'])}" \
                 f"{rng.randint(1, 99)}.edu"
        ips = subnet_ips(rng, 3) if rng.random() < 0.6 else [cloud_ip(rng, "gcp")]
        pay = payment(rng)
        verified = rng.random() < 0.75
        for _ in range(rng.randint(2, 6)):
            a = w.account(rng, "research_eval", created=created_before(rng, 20, 700),
                          country=country, access_path="research", org_id=org,
                          email=person_email(rng, domain), payment=pay, verified=verified,
                          declared_use=rng.choice(["benchmark", "research"]),
                          contract=verified and rng.random() < 0.4)
            ua = ua_of(rng, "sdk")
            runs: list[tuple[int, str]] = []
            for _ in range(rng.randint(0, 2)):
                runs.append((START + rng.randrange(3 * DAY), rng.choice([OLD_MAIN, OLD_REASON])))
            for _ in range(rng.randint(1, 4)):
                runs.append((RELEASE + int(rng.uniform(1.5, 60) * HOUR),
                             rng.choice([NEW_MAIN, NEW_MAIN, OLD_MAIN, OLD_REASON])))
            for start, model in runs:
                suffix = rng.choice(t.lists["bench_suffix"])
                size = rng.randint(60, 300)
                temp, n = rng.choice([(0.0, 1), (0.0, 1), (0.7, 5), (1.0, 8)])
                lp = rng.random() < 0.3
                ts = start
                for _ in range(size):
                    ts += int(rng.expovariate(1 / 0.6) * US) + 1
                    if ts >= END:
                        break
                    q = t.real(rng, rng.choice(["math", "mtbench", "chat"]), 0.85) or t.pick(
                        rng, "bench_q")
                    w.emit(a, ts, model=model, prompt=q + suffix, ip=rng.choice(ips),
                           ua=ua[0], stack=ua[1], system=None, response_kind="reason",
                           completion=lognorm(rng, 350, 0.6, 1, 4000) * (1 if n == 1 else 3),
                           max_tokens=rng.choice([1024, 2048, 4096]), temperature=temp, n=n,
                           logprobs=lp, rng=rng)
        _ = lab


def synth_vendors(w: World, seed: int) -> None:
    rng = sub_rng(seed, "synth_vendor")
    t = w.text
    for v in range(w.count(3)):
        org = w.new_id("org_", 10)
        pay = payment(rng)
        domain = f"{['datamint', 'corpora-works', 'synthetica-labs'][v % 3]}.io"
        ips = [cloud_ip(rng, "aws") for _ in range(rng.randint(2, 6))]
        for _ in range(rng.randint(4, 12)):
            a = w.account(rng, "synthetic_data_vendor", created=created_before(rng, 30, 500),
                          country="US" if v % 2 == 0 else "GB", org_id=org, payment=pay,
                          email=person_email(rng, domain), tier="enterprise", verified=True,
                          declared_use="synthetic_data", contract=True)
            ua = ua_of(rng, "sdk")
            k = lognorm(rng, 600, 0.5, 150, 2500)
            pivot = rng.random() < 0.6
            for ts in local_times(rng, k, "US", "flat"):
                model = NEW_MAIN if pivot and ts > RELEASE + 30 * HOUR and rng.random() < 0.7 \
                    else rng.choice([OLD_MAIN, OLD_REASON])
                w.emit(a, ts, model=model, prompt=t.pick(rng, "synth"), ip=rng.choice(ips),
                       ua=ua[0], stack=ua[1], system="You generate training data for a "
                       "customer-support model. Follow the requested format exactly.",
                       response_kind="chat", completion=lognorm(rng, 1100, 0.5, 100, 8000),
                       max_tokens=rng.choice([2048, 4096]), temperature=rng.uniform(0.8, 1.1),
                       n=rng.choice([1, 1, 2, 4]), rng=rng)


RESELLERS = ('routerhub', 'llmgate', 'openpipe-x', 'tokenmart', 'relayai')


def declared_resellers(w: World, seed: int) -> None:
    rng = sub_rng(seed, "reseller")
    t = w.text
    for r in range(w.count(5)):
        gateway = [cloud_ip(rng) for _ in range(rng.randint(2, 8))]
        ua = rng.choice([(f"RouterHub/2.{r}", "gateway"), ("lumen-python/1.42.0", "py_httpx"),
                         ("LiteLLM/1.52.0", "py_httpx")])
        a = w.account(rng, "declared_reseller", created=created_before(rng, 90, 900),
                      country=rng.choice(["US", "SG", "DE", "GB"]), access_path="reseller",
                      org_id=w.new_id("org_", 10), payment=payment(rng),
                      email="billing@" + RESELLERS[r % 5] + ".com",
                      tier="enterprise", verified=True, declared_use="reseller",
                      contract=r % 5 != 3, keys=rng.randint(3, 20))
        k = lognorm(rng, 2200, 0.4, 600, 7000)
        for ts in local_times(rng, k, "GB", "consumer"):
            kind = rng.choice(["consumer", "dev", "agent_task", "power", "synth", "support_q"])
            w.emit(a, ts, model=pick_model(rng, ts, [OLD_MAIN, OLD_MINI, OLD_REASON], 0.5, 6),
                   prompt=t.real(rng, "chat", 0.2) or t.pick(rng, kind), ip=rng.choice(gateway),
                   ua=ua[0], stack=ua[1], system=rng.choice([None, None, "You are a helpful "
                                                             "assistant."]),
                   response_kind="code" if kind in ("dev", "agent_task") else "chat",
                   completion=lognorm(rng, 420, 0.9, 1, 12000),
                   max_tokens=rng.choice([None, 1024, 4096, 16000]),
                   temperature=rng.choice([None, 0.0, 0.7, 1.0]),
                   tools=rng.choice([0, 0, 0, 4, 12]), rng=rng)


def reseller_subaccounts(w: World, seed: int, bridge: dict[str, object]) -> None:
    """Ordinary end customers of ApiBridge, a reseller that provisions one provider account
    per customer; a campaign also buys from it (see campaigns)."""
    rng = sub_rng(seed, "reseller_subaccount")
    t = w.text
    for _ in range(w.count(350)):
        a = bridge_account(w, rng, bridge, "reseller_subaccount", None)
        k = lognorm(rng, 18, 1.0, 1, 300)
        kind = rng.choice(["consumer", "dev", "support_q", "synth", "power", "agent_task"])
        system = rng.choice([None, "You are a helpful assistant.", t.pick(rng, "support_system"),
                             t.pick(rng, "startup_product")])
        for burst in sessions(rng, k, a.country, rng.choice(["consumer", "office", "flat"]),
                              (1, 6), (10, 200), max(START, a.created + 60 * US), END):
            converse(w, rng, a, burst, t.pick(rng, kind), lambda: t.pick(rng, "followup"),
                     ip=lambda: rng.choice(bridge_gateway(bridge)),
                     ua=("ApiBridge-Gateway/4.2", "gateway"),
                     old=[OLD_MAIN, OLD_MINI], adopt=(0.4, 30, 4), system=system,
                     comp=(350, 0.8, 5, 6000), max_tokens=rng.choice([None, 2048, 4096]),
                     temperature=rng.choice([None, 0.7]))


def bridge_gateway(bridge: dict[str, object]) -> list[str]:
    ips = bridge["ips"]
    assert isinstance(ips, list)
    return ips


def bridge_account(w: World, rng: random.Random, bridge: dict[str, object], archetype: str,
                   campaign_id: str | None) -> Acct:
    country = pick_weighted(rng, {"US": 3, "SG": 2, "HK": 2, "DE": 1, "BR": 1, "IN": 1,
                                  "VN": 1, "TR": 1})
    days = rng.uniform(-5, 200)
    created = (START + int(-days * DAY) if days < 0 else created_before(rng, 0, days))
    return w.account(rng, archetype, created=created, country=country, access_path="reseller",
                     org_id=str(bridge["org"]),
                     email=f"cust-{rng.randint(10000, 99999)}@relay.apibridge.io",
                     payment=str(bridge["payment"]), campaign_id=campaign_id,
                     verified=False, declared_use="reseller")


def startups(w: World, seed: int) -> None:
    rng = sub_rng(seed, "startup")
    t = w.text
    for s in range(w.count(25)):
        country = rng.choice(["US", "US", "US", "GB", "DE", "FR", "IN", "SG", "CA", "BR"])
        stem = rng.choice(['nimbl', 'ferro', 'quark', 'lumo', 'tandem', 'pebble', 'orchid',
                           'zephyr'])
        domain = f"{rng.choice(['get', 'try', 'use', ''])}{stem}" \
                 f"{rng.choice(['', 'hq', 'labs', 'ai', 'app'])}{s}.com"
        org = w.new_id("org_", 10) if rng.random() < 0.6 else None
        card = payment(rng)
        office = subnet_ips(rng, 4)
        path = "startup" if rng.random() < 0.5 else "direct"
        product = t.pick(rng, "startup_product")
        prod_ip = cloud_ip(rng)
        for e in range(rng.randint(4, 30)):
            prod = e == 0
            a = w.account(rng, "startup_employee", created=created_before(rng, 3, 400),
                          country=country, access_path=path, org_id=org,
                          email=person_email(rng, domain).split("@")[0].split("_")[0] + "@"
                          + domain, payment=card, verified=path == "startup",
                          declared_use="startup" if path == "startup" else None)
            ua = ua_of(rng, "sdk")
            home = home_ip(rng, country)
            if prod:
                k = lognorm(rng, 350, 0.6, 60, 2500)
                for burst in sessions(rng, k, country, "consumer", (1, 6), (15, 120)):
                    converse(w, rng, a, burst, t.pick(rng, "consumer"),
                             lambda: t.pick(rng, "followup"), ip=ip_picker(rng, [prod_ip]), ua=ua,
                             old=[OLD_MINI, OLD_MAIN], adopt=(0.9, 3, 30), system=product,
                             comp=(250, 0.6, 10, 3000), max_tokens=2048, temperature=0.5)
                continue
            k = lognorm(rng, 28, 0.8, 2, 300)
            for burst in sessions(rng, k, country, "office", (1, 8), (10, 300)):
                converse(w, rng, a, burst, t.real(rng, "code", 0.25) or t.pick(
                    rng, rng.choice(["dev", "dev", "power", "agent_task"])),
                    lambda: t.pick(rng, "followup"),
                    ip=ip_picker(rng, office, [home], 0.7), ua=ua,
                    old=[OLD_MAIN, OLD_REASON], adopt=(0.6, 24, 0), kind="code",
                    comp=(500, 0.8, 5, 8000), max_tokens=rng.choice([None, 4096, 16000]),
                    temperature=rng.choice([None, 0.2, 0.7]), tools=rng.choice([0, 0, 3, 8]))


def translation(w: World, seed: int) -> None:
    rng = sub_rng(seed, "translation")
    t = w.text
    for _ in range(w.count(12)):
        country = rng.choice(["DE", "FR", "US", "PL", "ES", "JP", "IE"])
        a = w.account(rng, "localisation_pipeline", created=created_before(rng, 30, 600),
                      country=country, org_id=w.new_id("org_", 10), payment=payment(rng),
                      email="l10n-bot@" + rng.choice(['acme-apps', 'shopwave', 'tripsy',
                                                      'docuflow', 'fintrail'])
                            + f"{rng.randint(1, 99)}.com", verified=rng.random() < 0.7,
                      tier=rng.choice(["pay_as_you_go", "enterprise"]),
                      declared_use=rng.choice([None, "batch"]))
        ua = ua_of(rng, "sdk")
        ip = cloud_ip(rng)
        langs = rng.sample(t.lists["lang"], rng.randint(3, 12))
        for _ in range(rng.randint(1, 4)):
            ts = local_times(rng, 1, country, "office")[0]
            strings = rng.randint(10, 60)
            for _ in range(strings):
                item = t.pick(rng, "translate_items")
                for lang in langs:
                    ts += int(rng.uniform(0.2, 2.5) * US)
                    if ts >= END:
                        break
                    w.emit(a, ts, model=OLD_MINI, prompt=f"Translate the UI string into {lang}. "
                           f"Keep placeholders and punctuation unchanged. Output only the "
                           f"translation.\n\n{item}", ip=ip, ua=ua[0], stack=ua[1],
                           system="You are a professional software localiser.",
                           response_kind="translate", completion=lognorm(rng, 14, 0.5, 2, 80),
                           max_tokens=200, temperature=0.2, rng=rng)


def support_bots(w: World, seed: int) -> None:
    rng = sub_rng(seed, "support_bot")
    t = w.text
    for _ in range(w.count(40)):
        country = rng.choice(["US", "US", "GB", "DE", "NL", "BR", "IN", "AU"])
        a = w.account(rng, "support_bot", created=created_before(rng, 20, 900), country=country,
                      org_id=w.new_id("org_", 10) if rng.random() < 0.5 else None,
                      payment=payment(rng),
                      email=person_email(rng, rng.choice(['help', 'ops', 'eng'])
                                         + f"{rng.randint(1, 999)}.example.com"),
                      verified=rng.random() < 0.6, tier=rng.choice(["pay_as_you_go", "enterprise"]),
                      declared_use=rng.choice([None, None, "agent", "batch"]),
                      access_path=rng.choice(["direct", "direct", "cloud"]))
        system = t.pick(rng, "support_system")
        ua = ua_of(rng, "sdk")
        ips = [cloud_ip(rng) for _ in range(rng.randint(1, 3))]
        k = lognorm(rng, 280, 0.7, 30, 2000)
        for burst in sessions(rng, k, country, "consumer", (1, 7), (15, 90)):
            converse(w, rng, a, burst, t.pick(rng, "support_q"), lambda: t.pick(rng, "followup"),
                     ip=ip_picker(rng, ips), ua=ua, old=[OLD_MINI], adopt=(0.0, 1, 0),
                     system=system, comp=(110, 0.5, 10, 600), max_tokens=rng.choice([300, 500]),
                     temperature=0.3, tools=rng.choice([0, 2, 3]))


def red_teamers(w: World, seed: int) -> None:
    rng = sub_rng(seed, "red_team")
    t = w.text
    for _ in range(w.count(15)):
        country = pick_weighted(rng, CW)
        a = w.account(rng, "safety_researcher", created=created_before(rng, 10, 500),
                      country=country, email=person_email(rng), payment=payment(rng),
                      declared_use="research" if rng.random() < 0.5 else None)
        ua = ua_of(rng, "sdk")
        ip = home_ip(rng, country)
        for ts in local_times(rng, lognorm(rng, 80, 0.6, 10, 400), country, "late"):
            evil = rng.random() < 0.6
            w.emit(a, ts, model=pick_model(rng, ts, [OLD_MAIN, OLD_REASON], 0.8, 4),
                   prompt=t.pick(rng, "redteam") if evil else t.pick(rng, "power"), ip=ip,
                   ua=ua[0], stack=ua[1], response_kind="chat",
                   completion=lognorm(rng, 250, 0.8, 5, 3000), max_tokens=rng.choice([None, 4096]),
                   temperature=rng.choice([0.0, 1.0, 1.5]),
                   status="refused" if evil and rng.random() < 0.55 else "ok", rng=rng)


def all_legitimate(w: World, seed: int, bridge: dict[str, object]) -> None:
    consumers(w, seed, mobile=False)
    consumers(w, seed, mobile=True)
    power_users(w, seed)
    developers(w, seed)
    coding_agents(w, seed)
    enterprise_batch(w, seed)
    cron_jobs(w, seed)
    classrooms(w, seed)
    hackathon(w, seed)
    research_labs(w, seed)
    synth_vendors(w, seed)
    declared_resellers(w, seed)
    reseller_subaccounts(w, seed, bridge)
    startups(w, seed)
    translation(w, seed)
    support_bots(w, seed)
    red_teamers(w, seed)
