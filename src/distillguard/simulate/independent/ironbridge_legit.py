"""Ironbridge's legitimate customers: consumers, developers, businesses, institutions, resellers."""

from __future__ import annotations

import random
from collections.abc import Callable

from .ironbridge_acts import FOLLOWUPS, adoption, ask, conversation, model_at
from .ironbridge_kit import (
    CURRENT,
    DAY,
    HOUR,
    LEGACY,
    MINI,
    MINUTE,
    NEW,
    RELEASE,
    SECOND,
    TEXT,
    TZ,
    WINDOW_END,
    WINDOW_START,
    Account,
    Clock,
    Customer,
    World,
    block,
    cloud_ip,
    consumer_email,
    conv_id,
    created_before,
    custom_tls,
    payment,
    person,
    pick_country,
    residential_ip,
    stack,
    stream,
    token,
)

CHAT_KINDS = ["chat", "writing", "code", "math", "analysis", "legal", "medical"]
CHAT_W = [50, 18, 12, 6, 4, 5, 5]


def _consumer_customer(rng: random.Random, a: Account, present: float = 0.75) -> None:
    if a.created > WINDOW_START - DAY and rng.random() < 0.55:
        return  # signed up after the last CRM export
    if rng.random() < present:
        tier = "free" if a.payment is None else "pay_as_you_go"
        a.customer = Customer(tier, rng.random() < 0.08, None, False)


def _sessions(rng: random.Random, mean: float) -> int:
    return max(1, min(60, int(rng.expovariate(1 / mean)) + 1))


def consumers(w: World) -> None:
    """Individuals using their own key in chat front-ends and the playground."""
    rng = stream(w.seed, "legit:consumer_chat")
    for _ in range(w.n(1200)):
        country = pick_country(rng)
        ua, tls = stack(
            rng, rng.choice(["chrome", "chrome", "safari", "firefox", "py_sdk", "openai_compat"])
        )
        paid = rng.random() < 0.55
        a = w.account(
            rng,
            "consumer_chat",
            created=created_before(rng, WINDOW_START, 1, 900),
            country=country,
            email=consumer_email(rng),
            payment=payment(rng) if paid else None,
            ua=ua,
            tls=tls,
        )
        adoption(
            rng,
            a,
            rng.choice(["normal", "normal", "slow", "rush"]),
            rng.choice([CURRENT] * 4 + [MINI]),
        )
        _consumer_customer(rng, a)
        clock = Clock(rng.choice(["evening", "evening", "office", "student"]), TZ.get(country, 0))
        home = residential_ip(rng, country)
        for _ in range(_sessions(rng, 3.2)):
            start = clock.at(rng, a.created)
            ip = home if rng.random() < 0.8 else residential_ip(rng, country)
            conversation(
                w,
                rng,
                a,
                start,
                ip,
                CHAT_KINDS,
                CHAT_W,
                turns=rng.choice([1, 1, 2, 2, 3, 4, 6, 9]),
                followups=FOLLOWUPS,
                temperature=rng.choice([None, None, 0.7, 1.0]),
                max_tokens=rng.choice([None, None, 1024, 4096]),
                refused=0.006,
            )


def carrier_users(w: World) -> None:
    """Mobile users behind carrier-grade NAT: thousands of people, a few dozen public addresses."""
    rng = stream(w.seed, "legit:consumer_mobile_carrier")
    carriers = {
        c: [residential_ip(rng, c) for _ in range(rng.randrange(8, 25))]
        for c in ("ID", "IN", "NG", "PH", "BR", "MX", "VN", "EG")
    }
    names = list(carriers)
    for _ in range(w.n(500)):
        country = rng.choice(names)
        ua, tls = stack(rng, rng.choice(["android", "android", "safari", "chrome"]))
        a = w.account(
            rng,
            "consumer_mobile_carrier",
            created=created_before(rng, WINDOW_START, 0.5, 600),
            country=country,
            email=consumer_email(rng),
            payment=payment(rng) if rng.random() < 0.3 else None,
            ua=ua,
            tls=tls,
        )
        adoption(rng, a, "normal", rng.choice([CURRENT, MINI, MINI]))
        _consumer_customer(rng, a, 0.6)
        clock = Clock("evening", TZ[country])
        for _ in range(_sessions(rng, 2.5)):
            conversation(
                w,
                rng,
                a,
                clock.at(rng, a.created),
                rng.choice(carriers[country]),
                CHAT_KINDS,
                CHAT_W,
                turns=rng.choice([1, 2, 2, 3, 5]),
                followups=FOLLOWUPS,
                gap=(30, 400),
            )


def vpn_users(w: World) -> None:
    """Privacy-minded consumers and developers on commercial VPNs (shared exit addresses)."""
    rng = stream(w.seed, "legit:vpn_user")
    exits = {
        b: [
            cloud_ip(rng, rng.choice(["ovh", "hetzner", "digitalocean", "smallhost"]))
            for _ in range(30)
        ]
        for b in TEXT["vpn_brands"]
    }
    w.shared["vpn"] = exits
    for _ in range(w.n(200)):
        country = pick_country(rng)
        brand = rng.choice(TEXT["vpn_brands"])
        ua, tls = stack(rng, rng.choice(["chrome", "firefox", "py_sdk", "safari"]))
        a = w.account(
            rng,
            "vpn_privacy_user",
            created=created_before(rng, WINDOW_START, 3, 800),
            country=country,
            email=consumer_email(rng)
            if rng.random() < 0.6
            else f"{token(rng, 10)}@{rng.choice(['proton.me', 'tutanota.com', 'fastmail.com'])}",
            payment=payment(rng) if rng.random() < 0.6 else None,
            ua=ua,
            tls=tls,
        )
        adoption(rng, a, "normal")
        _consumer_customer(rng, a, 0.7)
        clock = Clock(rng.choice(["evening", "office"]), TZ.get(country, 0))
        for _ in range(_sessions(rng, 4)):
            conversation(
                w,
                rng,
                a,
                clock.at(rng, a.created),
                rng.choice(exits[brand]),
                CHAT_KINDS,
                CHAT_W,
                turns=rng.choice([1, 2, 3, 4]),
                followups=FOLLOWUPS,
            )


def free_trials(w: World) -> None:
    """New sign-ups trying the API, with a spike right after the release announcement."""
    rng = stream(w.seed, "legit:free_trial_signup")
    for _ in range(w.n(600)):
        country = pick_country(rng)
        if rng.random() < 0.45:
            created = RELEASE + int(rng.expovariate(1 / 20) * HOUR)
        else:
            created = WINDOW_START + int(rng.random() * (RELEASE - WINDOW_START))
        if created >= WINDOW_END - HOUR:
            created = WINDOW_END - 2 * HOUR - rng.randrange(0, 20 * HOUR)
        ua, tls = stack(rng, rng.choice(["chrome", "safari", "py_sdk", "curl", "node_sdk"]))
        a = w.account(
            rng,
            "free_trial_signup",
            created=created,
            country=country,
            email=consumer_email(rng),
            payment=None,
            ua=ua,
            tls=tls,
        )
        adoption(rng, a, "fixed:0:0.9" if created >= RELEASE else "normal")
        if rng.random() < 0.3:
            a.customer = Customer("free", False, None, False)
        ts = created + int(rng.uniform(1, 60) * MINUTE)
        ip = residential_ip(rng, country)
        for _ in range(rng.choice([1, 1, 2, 3, 5, 8])):
            ts = conversation(
                w,
                rng,
                a,
                ts,
                ip,
                ["chat", "code", "writing", "math"],
                [5, 3, 2, 2],
                turns=rng.choice([1, 1, 2]),
                error=0.04,
            )
            ts += int(rng.expovariate(1 / 6) * HOUR)


def hobbyists(w: World) -> None:
    """Individual developers building side projects: bursts of test calls, repeated prompts."""
    rng = stream(w.seed, "legit:hobbyist_developer")
    for _ in range(w.n(650)):
        country = pick_country(rng)
        ua, tls = stack(
            rng,
            rng.choice(
                [
                    "py_sdk",
                    "py_sdk",
                    "node_sdk",
                    "curl",
                    "openai_compat",
                    "langchain",
                    "requests",
                    "go",
                ]
            ),
        )
        a = w.account(
            rng,
            "hobbyist_developer",
            created=created_before(rng, WINDOW_START, 2, 1000),
            country=country,
            email=consumer_email(rng),
            payment=payment(rng),
            ua=ua,
            tls=tls,
            keys=rng.choice([1, 1, 2, 3]),
        )
        adoption(
            rng,
            a,
            rng.choice(["normal", "rush", "normal", "slow"]),
            rng.choice([CURRENT, CURRENT, MINI]),
        )
        _consumer_customer(rng, a, 0.8)
        clock = Clock(rng.choice(["evening", "office", "student"]), TZ.get(country, 0))
        home = residential_ip(rng, country)
        vm = cloud_ip(rng)
        project_kind = rng.choice(["chat", "code", "writing", "analysis", "support", "math"])
        fixed_prompt = w.writer.prompt(rng, project_kind)
        for _ in range(_sessions(rng, 4)):
            ts = clock.at(rng, a.created)
            ip = home if rng.random() < 0.7 else vm
            model = model_at(rng, a, ts)
            temp = rng.choice([None, 0.0, 0.2, 0.7, 1.0])
            for _ in range(rng.choice([1, 2, 3, 5, 10, 20])):
                prompt = fixed_prompt if rng.random() < 0.35 else None
                ask(
                    w,
                    rng,
                    a,
                    ts,
                    ip,
                    model,
                    project_kind,
                    prompt=prompt,
                    temperature=temp,
                    error=0.03,
                    max_tokens=rng.choice([None, 256, 512, 1024, 2048]),
                    key=rng.choice(a.keys),
                )
                ts += int(rng.uniform(2, 120) * SECOND)


def coding_agents(w: World) -> None:
    """Developers running IDE/CLI coding agents: long agentic loops with many tools offered."""
    rng = stream(w.seed, "legit:coding_agent_user")
    companies = rng.sample(TEXT["companies"], 6)
    egress = {c[1]: block(rng, "aws", rng.randrange(2, 6)) for c in companies}
    system = TEXT["system_prompts"]["coding_agent"]
    for _ in range(w.n(300)):
        at_company = rng.random() < 0.45
        ua, tls = stack(rng, "coding_agent")
        if at_company:
            comp = rng.choice(companies)
            f, last = person(rng)
            country = str(comp[2])
            org = "org_" + token(stream(w.seed, "org:" + comp[1]), 10)
            a = w.account(
                rng,
                "coding_agent_user",
                created=created_before(rng, WINDOW_START, 5, 500),
                country=country,
                email=f"{f}.{last}@{comp[1]}",
                org_id=org,
                payment=payment(stream(w.seed, "pay:" + comp[1])),
                ua=ua,
                tls=tls,
            )
            a.customer = (
                Customer("enterprise", True, "agent", rng.random() < 0.7, org)
                if rng.random() < 0.85
                else None
            )
            ips = egress[comp[1]]
        else:
            country = pick_country(rng)
            a = w.account(
                rng,
                "coding_agent_user",
                created=created_before(rng, WINDOW_START, 5, 700),
                country=country,
                email=consumer_email(rng),
                payment=payment(rng),
                ua=ua,
                tls=tls,
            )
            _consumer_customer(rng, a, 0.8)
            ips = [residential_ip(rng, country)]
        adoption(rng, a, rng.choice(["rush", "normal", "normal"]))
        clock = Clock("office", TZ.get(country, 0), 0.3)
        for _ in range(_sessions(rng, 5)):
            ts = clock.at(rng, a.created)
            task = rng.choice(TEXT["agent_tasks"])
            cid = conv_id(rng)
            model = model_at(rng, a, ts)
            tools = rng.randrange(6, 28)
            history = rng.randrange(2000, 9000)
            ip = rng.choice(ips)
            for turn in range(rng.choice([3, 4, 6, 10, 15, 25])):
                history += ask(
                    w,
                    rng,
                    a,
                    ts,
                    ip,
                    model,
                    "agent",
                    prompt=w.writer.agent_step(rng, turn, task),
                    system=system,
                    conv=cid,
                    turn=turn,
                    history=history,
                    tools=tools,
                    temperature=rng.choice([None, 0.0, 0.2]),
                    max_tokens=8192,
                    error=0.012,
                )
                ts += int(rng.uniform(3, 45) * SECOND)


def app_backends(w: World) -> None:
    """Start-ups' production backends: one account serves thousands of end users."""
    rng = stream(w.seed, "legit:startup_app_backend")
    for name, domain, country, desc in TEXT["startups"][: max(2, w.n(20))]:
        org = "org_" + token(rng, 10)
        pay = payment(rng)
        kind = {
            "Tutorly": "math",
            "Codemint": "code",
            "Quaywise": "support",
            "Ledgerly": "analysis",
            "Docuroo": "legal",
            "Mediclerk": "medical",
            "CareerKite": "writing",
            "StudyBee": "math",
        }.get(name, "chat")
        system = TEXT["system_prompts"]["app"].format(s=name, d=desc)
        path = "startup" if rng.random() < 0.4 else "direct"
        servers = [
            cloud_ip(rng, rng.choice(["aws", "gcp", "azure"])) for _ in range(rng.randrange(2, 9))
        ]
        ua, tls = stack(rng, rng.choice(["node_sdk", "py_sdk", "go", "openai_compat"]))
        envs = [("prod", rng.uniform(150, 1100))] + [
            (e, rng.uniform(10, 80)) for e in ("staging", "dev") if rng.random() < 0.6
        ]
        for env, volume in envs:
            f, _last = person(rng)
            a = w.account(
                rng,
                "startup_app_backend",
                created=created_before(rng, WINDOW_START, 20, 700),
                country=str(country),
                access_path=path,
                email=f"{env}-api@{domain}" if env != "prod" else f"{f}@{domain}",
                payment=pay,
                org_id=org,
                ua=ua,
                tls=tls,
                keys=rng.randrange(1, 4),
            )
            a.customer = (
                Customer(
                    "pay_as_you_go" if rng.random() < 0.6 else "enterprise",
                    rng.random() < 0.6,
                    rng.choice(["startup", None, "agent"]),
                    rng.random() < 0.2,
                    org,
                )
                if rng.random() < 0.8
                else None
            )
            adoption(rng, a, rng.choice(["normal", "slow", "rush"]), rng.choice([CURRENT, MINI]))
            clock = Clock(rng.choice(["evening", "student", "office"]), TZ.get(str(country), 0))
            for _ in range(int(volume)):
                ts = clock.at(rng, a.created)
                turns = rng.choice([1, 1, 1, 2, 3])
                conversation(
                    w,
                    rng,
                    a,
                    ts,
                    rng.choice(servers),
                    [kind, "chat"],
                    [4, 1],
                    turns=turns,
                    system=system,
                    followups=FOLLOWUPS,
                    temperature=rng.choice([0.3, 0.7]),
                    max_tokens=1024,
                    gap=(10, 120),
                    key=rng.choice(a.keys),
                )


def enterprise_batch(w: World) -> None:
    """Nightly ETL: one template, thousands of rows, temperature 0; some orgs log no content."""
    rng = stream(w.seed, "legit:enterprise_batch_etl")
    templates = list(TEXT["batch_templates"])
    for comp in TEXT["companies"][: max(2, w.n(14))]:
        _name, domain, country = comp
        org = "org_" + token(stream(w.seed, "org:" + domain), 10)
        pay = payment(stream(w.seed, "pay:" + domain))
        zdr = rng.random() < 0.3
        cloud = rng.choice(["aws", "gcp", "azure"])
        ips = block(rng, cloud, rng.randrange(1, 5))
        tz = TZ.get(str(country), 0)
        for j in range(rng.randrange(1, 4)):
            ua, tls = stack(rng, rng.choice(["py_sdk", "java", "gateway", "requests"]))
            a = w.account(
                rng,
                "enterprise_batch_etl",
                created=created_before(rng, WINDOW_START, 60, 900),
                country=str(country),
                access_path=rng.choice(["direct", "direct", "cloud"]),
                email=f"svc-etl{j or ''}@{domain}",
                payment=pay,
                org_id=org,
                ua=ua,
                tls=tls,
            )
            a.customer = Customer(
                "enterprise",
                True,
                rng.choice(["batch", "batch", None]),
                True,
                org if rng.random() < 0.8 else None,
            )
            if rng.random() < 0.1:
                a.customer.tier = "pay_as_you_go"  # stale: upgraded after the export
            adoption(rng, a, "slow", rng.choice([CURRENT, MINI, LEGACY]))
            tpl = rng.choice(templates)
            corpus_set = rng.randrange(0, 4) if rng.random() < 0.5 else -1
            per_night = rng.randrange(30, 180)
            run_hour = rng.randrange(0, 5)
            for day in range(12):
                if rng.random() < 0.1:
                    continue
                ts = (
                    WINDOW_START
                    + day * DAY
                    + ((run_hour - tz) % 24) * HOUR
                    + rng.randrange(0, 20 * MINUTE)
                )
                model = model_at(rng, a, ts)
                count = int(per_night * rng.uniform(0.7, 1.3) * (0.4 if (day % 7) >= 5 else 1.0))
                for _ in range(count):
                    ask(
                        w,
                        rng,
                        a,
                        ts,
                        rng.choice(ips),
                        model,
                        "batch",
                        prompt=w.writer.batch_item(rng, tpl, corpus_set),
                        temperature=0.0,
                        max_tokens=rng.choice([256, 512]),
                        log_content=not zdr,
                        error=0.004,
                    )
                    ts += int(rng.expovariate(1 / 1.2) * SECOND) + 50_000


def staff_assistants(w: World) -> None:
    """Employees of large companies provisioned by SSO, all through one gateway and NAT egress."""
    rng = stream(w.seed, "legit:enterprise_staff_assistant")
    for comp in TEXT["companies"][14 : 14 + max(1, w.n(7))]:
        name, domain, country = comp
        org = "org_" + token(stream(w.seed, "org:" + domain), 10)
        pay = payment(stream(w.seed, "pay:" + domain))
        egress = block(rng, rng.choice(["aws", "azure", "smallhost"]), rng.randrange(2, 7))
        ua = rng.choice(
            ["envoy", "Kong/3.6.1", f"{name.split()[0].lower()}-ai-gateway/1.{rng.randrange(2, 9)}"]
        )
        tls = custom_tls(domain)
        system = TEXT["system_prompts"]["staff"].format(c=name)
        provisioned = created_before(rng, WINDOW_START, 20, 300)
        tz = TZ.get(str(country), 0)
        clock = Clock("office", tz, 0.05)
        for _ in range(rng.randrange(max(3, w.n(15)), max(4, w.n(120)))):
            f, last = person(rng)
            a = w.account(
                rng,
                "enterprise_staff_assistant",
                created=provisioned + rng.randrange(0, 30) * DAY // 10,
                country=str(country),
                email=f"{f}.{last}@{domain}",
                payment=pay,
                org_id=org,
                ua=ua,
                tls=tls,
            )
            a.customer = (
                Customer("enterprise", True, None, True, org) if rng.random() < 0.9 else None
            )
            adoption(rng, a, "fixed:30:0.8" if rng.random() < 0.5 else "never")
            for _ in range(_sessions(rng, 3)):
                conversation(
                    w,
                    rng,
                    a,
                    clock.at(rng, a.created),
                    rng.choice(egress),
                    ["writing", "chat", "analysis", "legal", "code"],
                    [5, 4, 3, 1, 2],
                    turns=rng.choice([1, 2, 3, 4]),
                    system=system,
                    followups=FOLLOWUPS,
                )


def universities(w: World) -> None:
    """Course accounts created in a batch at term start; campus NAT by day, home at night."""
    rng = stream(w.seed, "legit:university_course")
    for _uni, domain, country, prefix, digits in TEXT["universities"][: max(1, w.n(5))]:
        campus = block(rng, "smallhost", rng.randrange(3, 9))
        org = "org_" + token(rng, 10)
        tz = TZ.get(str(country), 0)
        for course in rng.sample(list(TEXT["courses"]), rng.randrange(1, 3)):
            term_start = created_before(rng, WINDOW_START, 5, 25)
            deadline = WINDOW_START + rng.randrange(3, 11) * DAY + ((23 - tz) % 24) * HOUR
            system = TEXT["system_prompts"]["tutor"].format(x=course)
            for _ in range(rng.randrange(w.n(30, 3), w.n(90, 5))):
                sid = "".join(rng.choices("0123456789", k=int(digits)))
                ua, tls = stack(rng, rng.choice(["chrome", "chrome", "safari", "py_sdk"]))
                a = w.account(
                    rng,
                    "university_course",
                    created=term_start + rng.randrange(0, 3 * HOUR),
                    country=str(country),
                    access_path="education",
                    email=f"{prefix}{sid}@{domain}",
                    payment=None,
                    org_id=org if rng.random() < 0.7 else None,
                    ua=ua,
                    tls=tls,
                )
                if rng.random() < 0.7:
                    a.customer = Customer("free", True, "education", False, org)
                adoption(rng, a, "never")
                home = residential_ip(rng, str(country))
                clock = Clock("student", tz)
                for _ in range(_sessions(rng, 3)):
                    if rng.random() < 0.35:
                        ts = deadline - int(rng.expovariate(1 / 10) * HOUR)
                    else:
                        ts = clock.at(rng, a.created)
                    day_hour = ((ts // HOUR) + tz) % 24
                    ip = rng.choice(campus) if 8 <= day_hour < 18 and rng.random() < 0.8 else home
                    conversation(
                        w,
                        rng,
                        a,
                        ts,
                        ip,
                        [f"course:{course}", "code" if course == "cs" else "math", "chat"],
                        [6, 2, 1],
                        turns=rng.choice([1, 2, 3, 4]),
                        system=system,
                        followups=FOLLOWUPS,
                    )


def school_classes(w: World) -> None:
    """Secondary-school classes: accounts made by the teacher on one day, one school address."""
    rng = stream(w.seed, "legit:school_class")
    for _ in range(max(1, w.n(6))):
        country = rng.choice(["US", "GB", "DE", "NL", "AU", "CA", "SE"])
        tz = TZ[country]
        school_ip = residential_ip(rng, country)
        school = rng.choice(["oakfield", "st-marys", "riverside", "hillcrest", "northgate"])
        domain = f"{school}-school.{country.lower()}"
        made = WINDOW_START + rng.randrange(-10, 6) * DAY + ((9 - tz) % 24) * HOUR
        course = rng.choice(list(TEXT["courses"]))
        assignment = TEXT["courses"][course][rng.randrange(0, 4)]
        for i in range(rng.randrange(18, 31)):
            ua, tls = stack(rng, rng.choice(["chrome", "chrome", "safari"]))
            a = w.account(
                rng,
                "school_class",
                created=made + i * rng.randrange(20, 90) * SECOND,
                country=country,
                access_path="education",
                email=f"student{i + 1:02d}.{token(rng, 3)}@{domain}",
                payment=None,
                ua=ua,
                tls=tls,
            )
            if rng.random() < 0.4:
                a.customer = Customer("free", False, "education", False)
            adoption(rng, a, "never", MINI)
            clock = Clock("school", tz, 0.0)
            for _ in range(rng.randrange(1, 7)):
                ts = clock.at(rng, a.created)
                prompt = assignment if rng.random() < 0.5 else None
                ask(
                    w,
                    rng,
                    a,
                    ts,
                    school_ip,
                    MINI,
                    f"course:{course}" if prompt is None else "chat",
                    prompt=prompt,
                )


def research_labs(w: World) -> None:
    """Academic groups: sampling sweeps with n>1, logprobs and chain-of-thought (research path)."""
    rng = stream(w.seed, "legit:research_lab")
    for _ in range(max(1, w.n(10))):
        uni = rng.choice(TEXT["universities"])
        org = "org_" + token(rng, 10)
        cluster = block(rng, "smallhost", rng.randrange(1, 4))
        pay = payment(rng)
        for _ in range(rng.randrange(2, 7)):
            f, last = person(rng)
            ua, tls = stack(rng, rng.choice(["py_sdk", "openai_compat", "httpx"]))
            a = w.account(
                rng,
                "research_lab",
                created=created_before(rng, WINDOW_START, 10, 500),
                country=str(uni[2]),
                access_path="research",
                email=f"{f}.{last}@{uni[1]}",
                payment=pay,
                org_id=org,
                ua=ua,
                tls=tls,
            )
            if rng.random() < 0.75:
                a.customer = Customer("pay_as_you_go", rng.random() < 0.6, "research", False, org)
            adoption(rng, a, rng.choice(["rush", "normal"]))
            clock = Clock("office", TZ.get(str(uni[2]), 0), 0.5)
            kind = rng.choice(["math", "logic", "code", "chat", "rubric", "foreign_cot"])
            for _ in range(rng.randrange(2, 10)):
                ts = clock.at(rng, a.created)
                model = model_at(rng, a, ts)
                temp = rng.choice([0.0, 0.3, 0.7, 1.0, 1.2])
                cot = rng.choice(TEXT["cot_suffix_legit"])
                for _ in range(rng.randrange(8, 60)):
                    ask(
                        w,
                        rng,
                        a,
                        ts,
                        rng.choice(cluster),
                        model,
                        kind,
                        cot=cot if kind in ("math", "logic") else "",
                        temperature=temp,
                        n=rng.choice([1, 4, 8]),
                        logprobs=rng.random() < 0.4,
                        max_tokens=4096,
                    )
                    ts += int(rng.uniform(0.5, 6) * SECOND)


def eval_labs(w: World) -> None:
    """Independent benchmark labs: benchmark prompts at temperature 0, rushed onto the new model."""
    rng = stream(w.seed, "legit:eval_benchmark_lab")
    labs = [
        ("Openbench Collective", "openbench.org", "US"),
        ("Leaderboard Labs", "lboardlabs.ai", "GB"),
        ("Evalsmith", "evalsmith.io", "DE"),
    ]
    for _name, domain, country in labs[: max(1, w.n(3))]:
        org = "org_" + token(rng, 10)
        pay = payment(rng)
        ips = block(rng, rng.choice(["aws", "gcp"]), 4)
        for i in range(rng.randrange(2, 5)):
            ua, tls = stack(rng, rng.choice(["py_sdk", "httpx", "openai_compat"]))
            a = w.account(
                rng,
                "eval_benchmark_lab",
                created=created_before(rng, WINDOW_START, 30, 600),
                country=country,
                email=f"eval-runner{i}@{domain}",
                payment=pay,
                org_id=org,
                access_path=rng.choice(["direct", "research"]),
                ua=ua,
                tls=tls,
            )
            a.customer = (
                Customer(
                    "enterprise" if i == 0 else "pay_as_you_go", True, "benchmark", i == 0, org
                )
                if rng.random() < 0.8
                else None
            )
            runs = [
                (rng.randrange(WINDOW_START, RELEASE - DAY), CURRENT)
                for _ in range(rng.randrange(0, 3))
            ]
            runs += [
                (RELEASE + int(rng.uniform(0.5, 6) * HOUR), NEW),
                (RELEASE + int(rng.uniform(24, 60) * HOUR), NEW),
            ]
            for ts, model in runs:
                suite = rng.choice(["math", "logic", "code", "chat"])
                cot = rng.choice(
                    ["Let's think step by step.", "Answer with the final number only.", ""]
                )
                for _ in range(rng.randrange(150, 600)):
                    ask(
                        w,
                        rng,
                        a,
                        ts,
                        rng.choice(ips),
                        model,
                        suite,
                        cot=cot if suite in ("math", "logic") else "",
                        temperature=0.0,
                        max_tokens=rng.choice([2048, 4096]),
                        logprobs=rng.random() < 0.2,
                    )
                    ts += int(rng.expovariate(1 / 0.8) * SECOND) + 100_000


def synthetic_vendor(w: World) -> None:
    """A contracted synthetic-data customer (allowed, non-competing use) generating pairs 24/7."""
    rng = stream(w.seed, "legit:contracted_synthetic_data")
    org = "org_" + token(rng, 10)
    pay = payment(rng)
    ips = block(rng, "gcp", 6)
    system = TEXT["system_prompts"]["synth"]
    for i in range(max(2, w.n(10))):
        ua, tls = stack(rng, "py_sdk")
        a = w.account(
            rng,
            "contracted_synthetic_data",
            created=created_before(rng, WINDOW_START, 40, 300),
            country="US",
            email=f"datagen{i}@corpusforge.com",
            payment=pay,
            org_id=org,
            ua=ua,
            tls=tls,
        )
        a.customer = Customer("enterprise", True, "synthetic_data", True, org) if i < 7 else None
        adoption(rng, a, "fixed:50:0.5")
        clock = Clock("flat", 0)
        for _ in range(700):
            ts = clock.at(rng, a.created)
            ask(
                w,
                rng,
                a,
                ts,
                rng.choice(ips),
                model_at(rng, a, ts),
                rng.choice(["chat", "writing", "code", "math"]),
                system=system,
                temperature=1.0,
                max_tokens=4096,
                ct_scale=2.0,
            )


def agencies(w: World) -> None:
    """Marketing agencies running one account per client, paid with the agency's card."""
    rng = stream(w.seed, "legit:marketing_agency")
    for _ in range(max(1, w.n(4))):
        country = rng.choice(["US", "GB", "DE", "ES", "BR", "IN"])
        head = rng.choice(["bright", "blue", "north", "loud", "kite"])
        domain = f"{head}{rng.choice(['fox', 'harbor', 'spark', 'wave'])}-agency.com"
        pay = payment(rng)
        office = residential_ip(rng, country)
        server = cloud_ip(rng, "digitalocean")
        tz = TZ[country]
        for c in range(rng.randrange(15, 46)):
            client = rng.choice(TEXT["companies"] + TEXT["startups"])
            ua, tls = stack(rng, rng.choice(["chrome", "py_sdk", "node_sdk"]))
            a = w.account(
                rng,
                "marketing_agency",
                created=created_before(rng, WINDOW_START, 3, 400),
                country=country,
                email=f"client{c + 1}@{domain}"
                if rng.random() < 0.5
                else f"{client[0].split()[0].lower()}@{domain}",
                payment=pay,
                ua=ua,
                tls=tls,
            )
            if rng.random() < 0.6:
                a.customer = Customer(
                    "pay_as_you_go",
                    rng.random() < 0.5,
                    rng.choice([None, "content_generation"]),
                    False,
                )
            adoption(rng, a, "normal")
            system = TEXT["system_prompts"]["agency"].format(c=client[0])
            clock = Clock("office", tz, 0.1)
            for _ in range(_sessions(rng, 6)):
                ts = clock.at(rng, a.created)
                ip = office if rng.random() < 0.5 else server
                for _ in range(rng.randrange(1, 12)):
                    ask(
                        w,
                        rng,
                        a,
                        ts,
                        ip,
                        model_at(rng, a, ts),
                        "writing",
                        system=system,
                        temperature=rng.choice([0.8, 1.0]),
                        max_tokens=1500,
                    )
                    ts += int(rng.uniform(3, 90) * SECOND)


def labelling_vendor(w: World) -> None:
    """A data-labelling vendor: annotator accounts pre-label and grade with rubrics in shifts."""
    rng = stream(w.seed, "legit:labelling_vendor")
    for country, n in (("PH", 60), ("KE", 30)):
        domain = "taskloom.ph" if country == "PH" else "annotra.co.ke"
        org = "org_" + token(rng, 10)
        pay = payment(rng)
        office = block(rng, "smallhost", 3)
        clock = Clock("shift", TZ[country], 0.5)
        created = created_before(rng, WINDOW_START, 15, 120)
        for i in range(max(2, w.n(n))):
            ua, tls = stack(rng, "py_sdk")
            a = w.account(
                rng,
                "labelling_vendor",
                created=created + i * 40 * SECOND,
                country=country,
                email=f"annotator{i + 1:03d}@{domain}",
                payment=pay,
                org_id=org,
                ua=ua,
                tls=tls,
            )
            if rng.random() < 0.7:
                a.customer = Customer(
                    "pay_as_you_go", False, rng.choice(["batch", None]), False, org
                )
            adoption(rng, a, "never", MINI)
            for _ in range(rng.randrange(4, 14)):
                ts = clock.at(rng, a.created)
                for _ in range(rng.randrange(3, 12)):
                    if rng.random() < 0.6:
                        ask(
                            w,
                            rng,
                            a,
                            ts,
                            rng.choice(office),
                            MINI,
                            "rubric",
                            temperature=0.0,
                            system=TEXT["system_prompts"]["grader"],
                            max_tokens=800,
                        )
                    else:
                        ask(
                            w,
                            rng,
                            a,
                            ts,
                            rng.choice(office),
                            MINI,
                            "batch",
                            temperature=0.0,
                            max_tokens=200,
                            prompt=w.writer.batch_item(
                                rng, rng.choice(["sentiment", "ticket", "news"])
                            ),
                        )
                    ts += int(rng.uniform(20, 150) * SECOND)


def declared_resellers(w: World) -> None:
    """Declared, contracted routers: one account each, many end users, diverse traffic."""
    rng = stream(w.seed, "legit:declared_reseller")
    for name in ["routewise.ai", "modelmesh.dev", "polyglot-api.com", "relaykit.io"][
        : max(1, w.n(4))
    ]:
        org = "org_" + token(rng, 10)
        ips = block(rng, rng.choice(["aws", "gcp", "hetzner"]), rng.randrange(4, 12))
        ua = f"{name.split('.')[0]}-proxy/{rng.randrange(1, 4)}.{rng.randrange(0, 20)}"
        a = w.account(
            rng,
            "declared_reseller",
            created=created_before(rng, WINDOW_START, 90, 700),
            country="US",
            access_path="reseller",
            email=f"billing@{name}",
            payment=payment(rng),
            org_id=org,
            ua=ua,
            tls=custom_tls(name),
            keys=3,
        )
        a.customer = Customer("enterprise", True, "reseller", True, org)
        adoption(rng, a, "fixed:1:0.5")
        clock = Clock("flat", 0)
        kinds = ["chat", "code", "writing", "math", "analysis", "foreign_cot", "tooluse", "support"]
        for _ in range(2200):
            ts = clock.at(rng, a.created)
            conversation(
                w,
                rng,
                a,
                ts,
                rng.choice(ips),
                kinds,
                [30, 25, 12, 8, 6, 3, 8, 4],
                turns=rng.choice([1, 1, 1, 2, 3]),
                followups=FOLLOWUPS,
                key=rng.choice(a.keys),
                temperature=rng.choice([None, 0.0, 0.7, 1.0]),
                max_tokens=rng.choice([None, 4096, 8192]),
            )


def cron_jobs(w: World) -> None:
    """Scheduled automations: digests, monitors and reports on a fixed period."""
    rng = stream(w.seed, "legit:cron_automation")
    tasks = [
        "Summarise today's support tickets into five bullet points:\n{x}",
        "Here are the last 24h of error logs. Is anything unusual?\n{x}",
        "Write a two-sentence status update for the team channel from these metrics:\n{x}",
        "Classify each new lead as hot, warm or cold:\n{x}",
        "Check these product prices against yesterday and list the changes:\n{x}",
    ]
    for _ in range(w.n(150)):
        country = pick_country(rng)
        ua, tls = stack(rng, rng.choice(["py_sdk", "curl", "requests", "node_sdk", "go"]))
        a = w.account(
            rng,
            "cron_automation",
            created=created_before(rng, WINDOW_START, 3, 800),
            country=country,
            email=consumer_email(rng),
            payment=payment(rng),
            ua=ua,
            tls=tls,
        )
        if rng.random() < 0.7:
            a.customer = Customer(
                "pay_as_you_go", rng.random() < 0.3, rng.choice([None, None, "cron"]), False
            )
        base = rng.choice([CURRENT, MINI, MINI, LEGACY])
        adoption(rng, a, "never", base)
        period = rng.choices(
            [15 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 4 * HOUR, 6 * HOUR, 12 * HOUR, DAY],
            [2, 3, 20, 12, 18, 12, 13, 20],
        )[0]
        ip = cloud_ip(rng) if rng.random() < 0.7 else residential_ip(rng, country)
        tpl = rng.choice(tasks)
        ts = WINDOW_START + rng.randrange(0, period) + rng.randrange(0, 59) * SECOND
        stop = WINDOW_END if rng.random() < 0.85 else WINDOW_START + rng.randrange(2, 11) * DAY
        while ts < stop:
            if rng.random() > 0.02:
                content = "\n".join(w.writer.fill(rng) for _ in range(rng.randrange(1, 5)))
                ask(
                    w,
                    rng,
                    a,
                    ts + rng.randrange(0, 4 * SECOND),
                    ip,
                    base,
                    "batch",
                    prompt=tpl.format(x=content),
                    temperature=rng.choice([None, 0.0, 0.2]),
                    max_tokens=rng.choice([None, 300, 600]),
                    ct_scale=2.5,
                )
            ts += period if period < HOUR else period + rng.randrange(-30, 30) * SECOND


def translators(w: World) -> None:
    """Localisation companies: long non-English batch jobs in office hours."""
    rng = stream(w.seed, "legit:translation_vendor")
    for domain, country in (("lingotrans.pl", "PL"), ("traduvia.es", "ES")):
        org = "org_" + token(rng, 10)
        pay = payment(rng)
        ip = cloud_ip(rng, "hetzner")
        clock = Clock("office", TZ[country], 0.1)
        for i in range(max(1, w.n(4))):
            ua, tls = stack(rng, "py_sdk")
            a = w.account(
                rng,
                "translation_vendor",
                created=created_before(rng, WINDOW_START, 30, 400),
                country=country,
                email=f"pm{i + 1}@{domain}",
                payment=pay,
                org_id=org,
                ua=ua,
                tls=tls,
            )
            a.customer = (
                Customer("pay_as_you_go", True, "batch", False, org) if rng.random() < 0.7 else None
            )
            adoption(rng, a, "normal")
            for _ in range(rng.randrange(6, 14)):
                ts = clock.at(rng, a.created)
                lang = rng.choice(TEXT["human_languages"])
                for _ in range(rng.randrange(20, 90)):
                    src = (
                        rng.choice(TEXT["foreign_chat"])[1]
                        if rng.random() < 0.5
                        else rng.choice(TEXT["sentences"]["writing"] + TEXT["sentences"]["support"])
                    )
                    ask(
                        w,
                        rng,
                        a,
                        ts,
                        ip,
                        model_at(rng, a, ts),
                        "writing",
                        prompt=f"Translate into {lang}, keep formatting:\n\n{src}",
                        temperature=0.2,
                        max_tokens=2000,
                        ct_scale=0.5,
                    )
                    ts += int(rng.uniform(1, 8) * SECOND)


def enthusiasts(w: World) -> None:
    """Power users who test every new model on release day with the same viral puzzles."""
    rng = stream(w.seed, "legit:enthusiast_early_adopter")
    viral = [
        "How many times does the letter r appear in 'strawberry'? Think carefully.",
        "A man has 3 sisters; each sister has 2 brothers. How many brothers does the man have? "
        "Explain your reasoning step by step.",
        "Write a Python program that simulates a ball bouncing inside a rotating hexagon.",
        "Which is larger, 9.11 or 9.9? Show your reasoning.",
        "Solve: I am thinking of a number. Double it, add 7, halve it, subtract the original: "
        "what do I get and why?",
    ]
    for _ in range(w.n(120)):
        country = pick_country(rng)
        ua, tls = stack(rng, rng.choice(["chrome", "py_sdk", "curl", "safari"]))
        a = w.account(
            rng,
            "enthusiast_early_adopter",
            created=created_before(rng, WINDOW_START, 10, 900),
            country=country,
            email=consumer_email(rng),
            payment=payment(rng),
            ua=ua,
            tls=tls,
        )
        adoption(rng, a, "fixed:0.3:0.95")
        _consumer_customer(rng, a, 0.8)
        ip = residential_ip(rng, country)
        clock = Clock("evening", TZ.get(country, 0))
        for _ in range(_sessions(rng, 3)):
            conversation(
                w,
                rng,
                a,
                clock.at(rng, a.created, RELEASE),
                ip,
                ["chat", "math", "code"],
                [3, 2, 2],
                turns=rng.choice([1, 2, 3]),
            )
        ts = RELEASE + int(rng.expovariate(1 / 5) * HOUR)
        for _ in range(rng.randrange(10, 60)):
            kind = rng.choice(["math", "logic", "code", "chat", "writing"])
            prompt = rng.choice(viral) if rng.random() < 0.3 else None
            ask(
                w,
                rng,
                a,
                ts,
                ip,
                NEW,
                kind,
                prompt=prompt,
                cot=rng.choice(TEXT["cot_suffix_legit"]) if kind in ("math", "logic") else "",
                max_tokens=rng.choice([None, 8192, 16000]),
                temperature=rng.choice([None, 1.0]),
                error=0.05,
            )
            ts += int(rng.expovariate(1 / 240) * SECOND) + (
                int(rng.expovariate(1 / 8) * HOUR) if rng.random() < 0.1 else 0
            )


def safety_researchers(w: World) -> None:
    """Trust-and-safety and red-team researchers probing sensitive topics (many refusals)."""
    rng = stream(w.seed, "legit:safety_redteam")
    org = "org_" + token(rng, 10)
    ips = block(rng, "aws", 2)
    for i in range(max(2, w.n(12))):
        ua, tls = stack(rng, rng.choice(["py_sdk", "httpx"]))
        a = w.account(
            rng,
            "safety_redteam",
            created=created_before(rng, WINDOW_START, 20, 300),
            country="US",
            access_path="research",
            email=f"redteam{i}@saferai-institute.org",
            payment=payment(rng),
            org_id=org,
            ua=ua,
            tls=tls,
        )
        a.customer = (
            Customer("pay_as_you_go", True, "research", False, org) if rng.random() < 0.6 else None
        )
        adoption(rng, a, "rush")
        clock = Clock("office", -5, 0.1)
        for _ in range(rng.randrange(3, 9)):
            ts = clock.at(rng, a.created)
            for _ in range(rng.randrange(5, 25)):
                ask(
                    w,
                    rng,
                    a,
                    ts,
                    rng.choice(ips),
                    model_at(rng, a, ts),
                    rng.choice(["rewrite", "rewrite", "chat", "medical"]),
                    temperature=rng.choice([0.0, 0.7, 1.0]),
                    refused=0.3,
                )
                ts += int(rng.uniform(5, 60) * SECOND)


def cloud_customers(w: World) -> None:
    """Enterprises reaching the model through a cloud marketplace: the provider logs no content."""
    rng = stream(w.seed, "legit:cloud_marketplace")
    for _ in range(w.n(30)):
        comp = rng.choice(TEXT["companies"])
        country = str(comp[2])
        org = "org_" + token(rng, 10)
        cloud = rng.choice(["aws", "gcp", "azure"])
        ua, tls = stack(rng, rng.choice(["java", "py_sdk", "gateway", "go"]))
        a = w.account(
            rng,
            "cloud_marketplace",
            created=created_before(rng, WINDOW_START, 30, 500),
            country=country,
            access_path="cloud",
            email=None,
            payment=payment(rng) if rng.random() < 0.3 else None,
            org_id=org,
            ua=ua,
            tls=tls,
        )
        a.customer = (
            Customer("enterprise", True, rng.choice([None, "batch", "agent"]), True, org)
            if rng.random() < 0.5
            else None
        )
        adoption(rng, a, rng.choice(["slow", "normal"]))
        ips = [cloud_ip(rng, cloud) for _ in range(rng.randrange(1, 20))]
        clock = Clock(rng.choice(["office", "flat", "evening"]), TZ.get(country, 0))
        kind = rng.choice(["chat", "code", "support", "analysis", "agent"])
        for _ in range(rng.randrange(60, 450)):
            ts = clock.at(rng, a.created)
            ask(
                w,
                rng,
                a,
                ts,
                rng.choice(ips),
                model_at(rng, a, ts),
                kind,
                log_content=False,
                tools=rng.randrange(3, 15) if kind == "agent" else None,
                max_tokens=rng.choice([None, 2048, 4096]),
            )


LEGIT: tuple[Callable[[World], None], ...] = (
    consumers,
    carrier_users,
    vpn_users,
    free_trials,
    hobbyists,
    coding_agents,
    app_backends,
    enterprise_batch,
    staff_assistants,
    universities,
    school_classes,
    research_labs,
    eval_labs,
    synthetic_vendor,
    agencies,
    labelling_vendor,
    declared_resellers,
    cron_jobs,
    translators,
    enthusiasts,
    safety_researchers,
    cloud_customers,
)
