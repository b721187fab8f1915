"""Ironbridge building blocks: time, infrastructure, identities, text and the event sink.

Everything draws from ``random.Random`` streams seeded per group, so one group's draws do
not move another's, and the same seed always gives the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import random
import string
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

HOUR = 3_600_000_000
MINUTE = 60_000_000
SECOND = 1_000_000
DAY = 24 * HOUR

WINDOW_START = int(datetime(2026, 9, 14, tzinfo=UTC).timestamp()) * SECOND
WINDOW_DAYS = 12
WINDOW_END = WINDOW_START + WINDOW_DAYS * DAY
RELEASE = WINDOW_START + 8 * DAY + 16 * HOUR  # Tuesday 22 September 2026, 16:00 UTC
HOURS = WINDOW_DAYS * 24

LEGACY = "ib-lattice-2.1"
MINI = "ib-lattice-3-mini"
CURRENT = "ib-lattice-3"
NEW = "ib-lattice-3.5"

TEXT: dict[str, Any] = json.loads(
    (Path(__file__).with_name("ironbridge_text.json")).read_text(encoding="utf-8")
)


def stream(seed: int, name: str) -> random.Random:
    """An independent random stream for one named part of the world."""
    digest = hashlib.sha256(f"ironbridge:{seed}:{name}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


_ALNUM = string.ascii_lowercase + string.digits
_ALNUM_MIXED = string.ascii_letters + string.digits


def token(rng: random.Random, k: int, alphabet: str = _ALNUM) -> str:
    return "".join(rng.choices(alphabet, k=k))


# ---- time -----------------------------------------------------------------------------------

#: Relative activity by local hour of day.
PROFILES: dict[str, list[float]] = {
    "office": [
        1,
        0.5,
        0.3,
        0.3,
        0.3,
        0.5,
        1.5,
        4,
        9,
        12,
        13,
        12,
        9,
        11,
        12,
        12,
        10,
        7,
        4,
        3,
        2.5,
        2,
        1.5,
        1,
    ],
    "evening": [
        4,
        2.5,
        1.2,
        0.6,
        0.4,
        0.4,
        0.8,
        2,
        3,
        3.5,
        4,
        4.5,
        5,
        5,
        4.5,
        4.5,
        5,
        6,
        7.5,
        9,
        10,
        9.5,
        8,
        6,
    ],
    "student": [
        5,
        3.5,
        2,
        1,
        0.5,
        0.3,
        0.3,
        0.8,
        2.5,
        5,
        6.5,
        7,
        6,
        6.5,
        7,
        7,
        6.5,
        6,
        6,
        7,
        8,
        8.5,
        8,
        7,
    ],
    "school": [
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0.2,
        6,
        10,
        10,
        8,
        5,
        9,
        9,
        4,
        1,
        0.5,
        0.4,
        0.3,
        0.2,
        0.1,
        0,
        0,
    ],
    "flat": [1.0] * 24,
    "nightly": [
        6,
        9,
        10,
        10,
        9,
        6,
        2,
        0.5,
        0.2,
        0.2,
        0.2,
        0.2,
        0.2,
        0.2,
        0.2,
        0.2,
        0.2,
        0.2,
        0.2,
        0.3,
        0.5,
        1,
        2,
        4,
    ],
    "shift": [
        0.5,
        0.4,
        0.3,
        0.3,
        0.3,
        0.5,
        1,
        3,
        8,
        10,
        10,
        9,
        6,
        9,
        10,
        10,
        9,
        8,
        7,
        6,
        5,
        3,
        1.5,
        0.8,
    ],
}
WEEKEND = {
    "office": 0.18,
    "evening": 1.25,
    "student": 0.8,
    "school": 0.0,
    "flat": 1.0,
    "nightly": 0.6,
    "shift": 0.7,
}


class Clock:
    """Samples request times for an activity profile in a time zone (whole hours)."""

    _cache: ClassVar[dict[tuple[str, int, float], list[float]]] = {}

    def __init__(self, profile: str, tz: int, weekend: float | None = None) -> None:
        key = (profile, tz, WEEKEND[profile] if weekend is None else weekend)
        cum = Clock._cache.get(key)
        if cum is None:
            base = PROFILES[profile]
            total = 0.0
            cum = []
            for h in range(HOURS):
                local = h + tz
                dow = (local // 24) % 7  # window starts on a Monday
                w = base[local % 24] * (key[2] if dow >= 5 else 1.0)
                total += w + 1e-9
                cum.append(total)
            Clock._cache[key] = cum
        self.cum = cum

    def at(self, rng: random.Random, lo: int = WINDOW_START, hi: int = WINDOW_END) -> int:
        lo = max(lo, WINDOW_START)
        hi = min(hi, WINDOW_END)
        if hi <= lo:
            return lo
        lh = (lo - WINDOW_START) // HOUR
        hh = min(HOURS - 1, (hi - 1 - WINDOW_START) // HOUR)
        base = self.cum[lh - 1] if lh > 0 else 0.0
        u = base + rng.random() * (self.cum[hh] - base)
        h = min(bisect_left(self.cum, u), hh)
        start = max(lo, WINDOW_START + h * HOUR)
        end = min(hi, WINDOW_START + (h + 1) * HOUR)
        return start + int(rng.random() * max(1, end - start))


TZ = {
    "US": -5,
    "CA": -5,
    "MX": -6,
    "BR": -3,
    "AR": -3,
    "GB": 0,
    "IE": 0,
    "PT": 0,
    "ES": 1,
    "FR": 1,
    "DE": 1,
    "NL": 1,
    "IT": 1,
    "CH": 1,
    "SE": 1,
    "NO": 1,
    "PL": 1,
    "FI": 2,
    "TR": 3,
    "NG": 1,
    "KE": 3,
    "ZA": 2,
    "EG": 2,
    "AE": 4,
    "IN": 5,
    "PK": 5,
    "BD": 6,
    "VN": 7,
    "TH": 7,
    "ID": 7,
    "SG": 8,
    "MY": 8,
    "PH": 8,
    "HK": 8,
    "TW": 8,
    "KR": 9,
    "JP": 9,
    "AU": 10,
    "NZ": 12,
    "CO": -5,
    "CL": -4,
}

#: Where legitimate customers are, roughly by API spend.
COUNTRY_MIX = [
    ("US", 30),
    ("GB", 7),
    ("DE", 6),
    ("IN", 8),
    ("FR", 4),
    ("CA", 4),
    ("BR", 4),
    ("JP", 4),
    ("KR", 3),
    ("AU", 3),
    ("NL", 2),
    ("ES", 2),
    ("IT", 2),
    ("SG", 2),
    ("MX", 2),
    ("ID", 2),
    ("PL", 1.5),
    ("SE", 1),
    ("TR", 1),
    ("NG", 1.5),
    ("PH", 1.5),
    ("VN", 1),
    ("ZA", 1),
    ("AR", 1),
    ("CH", 1),
    ("TW", 1),
    ("KE", 0.8),
    ("AE", 0.8),
    ("EG", 0.6),
    ("PK", 0.8),
    ("CO", 0.8),
    ("CL", 0.5),
    ("IE", 0.5),
    ("FI", 0.4),
    ("NO", 0.4),
    ("TH", 0.8),
    ("MY", 0.6),
]


def pick_country(rng: random.Random) -> str:
    return rng.choices([c for c, _ in COUNTRY_MIX], weights=[w for _, w in COUNTRY_MIX])[0]


# ---- infrastructure -------------------------------------------------------------------------

_RES_OCTETS = {
    "US": [24, 47, 50, 67, 68, 69, 71, 73, 76, 98, 99, 108, 174],
    "GB": [2, 31, 81, 86, 90, 109],
    "DE": [2, 31, 77, 79, 84, 87, 91, 93],
    "IN": [49, 103, 106, 117, 122, 157, 182],
    "FR": [2, 37, 78, 82, 86, 90],
    "JP": [36, 60, 110, 113, 126, 133, 153, 219],
    "KR": [1, 58, 112, 118, 121, 175, 211],
    "BR": [138, 177, 179, 186, 187, 189, 191, 200, 201],
    "CN": [
        27,
        36,
        58,
        61,
        101,
        111,
        113,
        114,
        115,
        117,
        119,
        120,
        121,
        122,
        123,
        124,
        125,
        183,
        218,
        222,
    ],
}
_RES_DEFAULT = [
    5,
    37,
    41,
    45,
    62,
    78,
    80,
    82,
    85,
    88,
    89,
    94,
    95,
    102,
    105,
    110,
    116,
    125,
    151,
    176,
    178,
    180,
    181,
    185,
    190,
    196,
    197,
    202,
    203,
    210,
    212,
    213,
    217,
]
CLOUD_OCTETS = {
    "aws": [3, 13, 18, 34, 35, 44, 52, 54],
    "gcp": [34, 35, 104, 130, 146],
    "azure": [20, 40, 51, 52, 104, 137],
    "hetzner": [5, 49, 65, 78, 88, 95, 116, 135, 136, 138],
    "ovh": [51, 54, 57, 137, 141, 144, 145, 147, 149, 151],
    "digitalocean": [
        104,
        134,
        137,
        138,
        139,
        142,
        143,
        146,
        157,
        159,
        161,
        164,
        165,
        167,
        174,
        178,
        188,
        206,
    ],
    "smallhost": [45, 91, 93, 103, 154, 172, 185, 193, 194, 212],
}


def _ip(rng: random.Random, first: int) -> str:
    # 172.16/12 is private: keep 172.x addresses in public space
    second = rng.choice([64, 96, 104, 217, 232, 245]) if first == 172 else rng.randrange(1, 255)
    return f"{first}.{second}.{rng.randrange(0, 256)}.{rng.randrange(1, 255)}"


def residential_ip(rng: random.Random, country: str) -> str:
    if rng.random() < 0.12:  # IPv6 residential
        return (
            f"2a0{rng.randrange(1, 10)}:{rng.randrange(0x1000, 0xFFFF):x}:"
            f"{rng.randrange(0, 0xFFFF):x}:"
            f"{rng.randrange(0, 0xFFFF):x}::{rng.randrange(1, 0xFFFF):x}"
        )
    return _ip(rng, rng.choice(_RES_OCTETS.get(country, _RES_DEFAULT)))


def cloud_ip(rng: random.Random, provider: str = "") -> str:
    provider = provider or rng.choice(
        ["aws", "aws", "gcp", "azure", "hetzner", "ovh", "digitalocean"]
    )
    return _ip(rng, rng.choice(CLOUD_OCTETS[provider]))


def block(rng: random.Random, provider: str, size: int) -> list[str]:
    """``size`` consecutive addresses in one /24 (an office egress, a small hosting range)."""
    first = rng.choice(CLOUD_OCTETS.get(provider, _RES_DEFAULT))
    base = _ip(rng, first).rsplit(".", 1)[0]
    start = rng.randrange(1, max(2, 254 - size))
    return [f"{base}.{start + i}" for i in range(size)]


# ---- client stacks --------------------------------------------------------------------------


def _tls(name: str) -> str:
    d = hashlib.sha256(name.encode()).hexdigest()
    return f"t13d{15 + int(d[0], 16) % 5}{10 + int(d[1], 16) % 8}h2_{d[2:14]}_{d[14:26]}"


STACKS: dict[str, tuple[list[str], str | None]] = {
    "py_sdk": (
        [
            f"ironbridge-python/1.{v}.{p} Python/3.{m}"
            for v in (38, 41, 44, 46)
            for p in (0, 2)
            for m in (10, 11, 12)
        ],
        "python",
    ),
    "node_sdk": (
        [
            f"ironbridge-node/4.{v}.{p} node/v{nv}"
            for v in (6, 8, 9)
            for p in (0, 1)
            for nv in ("20.11.1", "22.3.0")
        ],
        "node",
    ),
    "openai_compat": ([f"OpenAI/Python 1.{v}.0" for v in (51, 54, 58, 61)], "python"),
    "requests": ([f"python-requests/2.{v}" for v in ("31.0", "32.3")], "python"),
    "httpx": ([f"python-httpx/0.{v}" for v in ("27.0", "28.1")], "python"),
    "curl": ([f"curl/8.{v}.0" for v in (5, 7, 9)], "curl"),
    "go": (["Go-http-client/2.0"], "go"),
    "java": ([f"ironbridge-java/2.{v}.0" for v in (3, 4)], "java"),
    "langchain": ([f"langchain-ironbridge/0.{v}" for v in ("3.4", "3.9", "4.1")], "python"),
    "chrome": (
        [
            f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            f"Chrome/{v}.0.0.0 Safari/537.36"
            for v in (128, 129, 130)
        ]
        + [
            f"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
            "(KHTML, like Gecko) "
            f"Chrome/{v}.0.0.0 Safari/537.36"
            for v in (128, 129)
        ],
        "chrome",
    ),
    "safari": (
        [
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) "
            "Version/18.0 Safari/605.1.15",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) "
            "AppleWebKit/605.1.15 (KHTML, like "
            "Gecko) Version/18.0 Mobile/15E148 Safari/604.1",
        ],
        "safari",
    ),
    "firefox": (
        [
            f"Mozilla/5.0 (X11; Linux x86_64; rv:{v}.0) Gecko/20100101 Firefox/{v}.0"
            for v in (130, 131)
        ],
        "firefox",
    ),
    "android": (
        [
            f"Mozilla/5.0 (Linux; Android 14; SM-A{v}) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/129.0.0.0 Mobile Safari/537.36"
            for v in (146, 256, 546)
        ],
        "chrome_android",
    ),
    "coding_agent": (
        [f"forge-agent/2.{v}.{p}" for v in (3, 4) for p in (0, 1, 5)]
        + [f"codepilot-vscode/1.{v}.0" for v in (18, 19)]
        + ["aider/0.86.1", "aider/0.85.2"],
        "node",
    ),
    "gateway": (["envoy", "Kong/3.6.1", "Apache-HttpClient/5.3"], None),
}


def stack(rng: random.Random, name: str) -> tuple[str, str | None]:
    uas, tls_name = STACKS[name]
    return rng.choice(uas), (_tls(tls_name) if tls_name else None)


def custom_tls(label: str) -> str:
    return _tls("custom:" + label)


# ---- identities -----------------------------------------------------------------------------


def person(rng: random.Random) -> tuple[str, str]:
    return rng.choice(TEXT["first_names"]), rng.choice(TEXT["last_names"])


def human_local(rng: random.Random, first: str, last: str) -> str:
    style = rng.random()
    if style < 0.3:
        return f"{first}.{last}"
    if style < 0.5:
        return f"{first}{last}{rng.randrange(1, 99)}"
    if style < 0.62:
        return f"{first[0]}{last}"
    if style < 0.74:
        year = rng.choice(["", str(rng.randrange(70, 100)), str(rng.randrange(1990, 2008))])
        return f"{first}_{last}{year}"
    if style < 0.86:
        return f"{first}{last[0]}{rng.randrange(0, 1000)}"
    pre = rng.choice(["the", "real", "its", "mr", "dr", ""])
    return f"{pre}{first}{rng.choice(['', 'x', 'dev', 'codes', str(rng.randrange(1, 9))])}"


def consumer_email(rng: random.Random) -> str:
    f, last = person(rng)
    return f"{human_local(rng, f, last)}@{rng.choice(TEXT['consumer_domains'])}"


def payment(rng: random.Random) -> str:
    return "pf_" + token(rng, 20, "0123456789abcdef")


def created_before(rng: random.Random, start: int, days_lo: float, days_hi: float) -> int:
    return start - int(rng.uniform(days_lo, days_hi) * DAY) - rng.randrange(0, HOUR)


# ---- text -----------------------------------------------------------------------------------


def _table(rng: random.Random) -> str:
    dim = rng.choice(TEXT["dims"])
    metric = rng.choice(TEXT["metrics"])
    months = rng.sample(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug"], k=3)
    rows = [f"{dim},{','.join(months)}"]
    for v in rng.sample(TEXT["dim_values"], k=rng.randrange(3, 6)):
        base = rng.randrange(50, 5000)
        rows.append(f"{v}," + ",".join(str(int(base * rng.uniform(0.7, 1.4))) for _ in months))
    return "\n".join(rows).replace("{", "(") + f"\n(metric: {metric})"


def math_question(rng: random.Random) -> str:
    t = rng.choice(TEXT["math_templates"])
    return t.format(
        p=rng.choice(TEXT["math_people"]),
        a=rng.randrange(12, 900),
        b=rng.randrange(2, 30),
        c=rng.randrange(2, 60),
        d=rng.randrange(1, 40),
    )


def logic_question(rng: random.Random) -> str:
    a = rng.randrange(2, 12)
    step = rng.randrange(2, 9)
    names = rng.sample(TEXT["first_names"], 3)
    return rng.choice(TEXT["logic_templates"]).format(
        n1=names[0].title(),
        n2=names[1].title(),
        n3=names[2].title(),
        x=rng.choice(["zorbs", "glims", "blickets", "wugs"]),
        y=rng.choice(["florps", "daxes", "tomas"]),
        a=a,
        b=a + step,
        c=a + 2 * step + rng.randrange(0, 2),
        d=a + 4 * step,
    )


class Corpus:
    """Optional real prompts (``/work/shared/corpora`` layout); empty lists when absent."""

    def __init__(self, root: Path | None) -> None:
        self.human: list[str] = []
        self.math: list[str] = []
        self.code: list[str] = []
        self.tools: list[str] = []
        self.batch: list[list[str]] = []
        self.answers: list[str] = []
        if root is None or not Path(root).is_dir():
            return
        root = Path(root)

        def lines(p: Path) -> list[dict[str, Any]]:
            if not p.exists():
                return []
            return [json.loads(x) for x in p.read_text(encoding="utf-8").split("\n") if x.strip()]

        for name in (
            "arena_hard_v0.1_questions.jsonl",
            "arena_hard_v2.0_questions.jsonl",
            "vicuna_bench_questions.jsonl",
        ):
            self.human += [
                str(r.get("prompt") or r.get("text") or "") for r in lines(root / "human" / name)
            ]
        for r in lines(root / "human" / "mt_bench_questions.jsonl"):
            self.human += [str(t) for t in r.get("turns", [])[:1]]
        for r in lines(root / "human" / "self_instruct_user_oriented.jsonl"):
            inst = str(r.get("instruction", ""))
            inp = (
                (r.get("instances") or [{}])[0].get("input", "")
                if isinstance(r.get("instances"), list)
                else ""
            )
            self.human.append(f"{inst}\n\n{inp}".strip())
        for name in ("gsm8k_train.jsonl", "gsm8k_test.jsonl"):
            self.math += [str(r.get("question", "")) for r in lines(root / "reasoning" / name)]
        for sub, attr in (
            ("coding/gpteacher_codegen_instruct.json", "code"),
            ("tool_use/gpteacher_toolformer_sim0.6.json", "tools"),
        ):
            p = root / sub
            if p.exists():
                data = json.loads(p.read_text(encoding="utf-8"))
                getattr(self, attr).extend(
                    (
                        str(r.get("instruction", ""))
                        + ("\n\n" + str(r["input"]) if r.get("input") else "")
                    ).strip()
                    for r in data
                )
        bdir = root / "batch"
        if bdir.is_dir():
            for p in sorted(bdir.glob("*.jsonl")):
                rows = [str(r.get("prompt", "")) for r in lines(p)]
                if rows:
                    self.batch.append(rows)
        for r in lines(root / "responses" / "arena_hard_v0.1_gpt-4-0314_answers.jsonl"):
            try:
                content = r["messages"][1]["content"]
                self.answers.append(
                    str(content.get("answer", "") if isinstance(content, dict) else content)
                )
            except (KeyError, IndexError, TypeError):
                continue
        clean = lambda xs: [x.replace("\x00", "")[:12000] for x in xs if x and x.strip()]  # noqa: E731
        self.human, self.math, self.code = clean(self.human), clean(self.math), clean(self.code)
        self.tools, self.answers = clean(self.tools), clean(self.answers)
        self.batch = [clean(b) for b in self.batch]


class Writer:
    """Composes prompts and (truncated, as logged) responses of each kind."""

    def __init__(self, corpus: Corpus) -> None:
        self.c = corpus
        self.t = TEXT
        self.lang = ""  # language of the last multilingual reasoning prompt
        self._pools = {
            d: (list(p), sum(len(x) + 1 for x in p) / len(p))
            for d, p in TEXT["sentences"].items()
            if d != "foreign"
        }
        by_lang: dict[str, list[str]] = {}
        for item in TEXT["sentences"]["foreign"]:
            code, text = item.split("|", 1)
            by_lang.setdefault(code, []).append(text)
        self._foreign = {c: (p, sum(len(x) + 1 for x in p) / len(p)) for c, p in by_lang.items()}

    def prompt(self, rng: random.Random, kind: str, *, cot: str = "", lang: str = "") -> str:
        t, c = self.t, self.c
        if kind == "chat":
            if c.human and rng.random() < 0.55:
                return rng.choice(c.human)
            if rng.random() < 0.14:
                return rng.choice(t["foreign_chat"])[1]
            return rng.choice(t["chat_templates"]).format(x=rng.choice(t["everyday"]))
        if kind == "writing":
            return rng.choice(t["writing_templates"]).format(
                x=rng.choice(t["writing_subjects"]),
                y=rng.choice(t["rough_drafts"]),
                lang=rng.choice(t["human_languages"]),
            )
        if kind == "code":
            if c.code and rng.random() < 0.5:
                return rng.choice(c.code)
            return rng.choice(t["code_templates"]).format(
                lang=lang or rng.choice(t["prog_langs"]),
                task=rng.choice(t["code_tasks"]),
                code=rng.choice(t["code_snippets"]),
                err=rng.choice(t["code_errors"]),
            )
        if kind in ("math", "logic"):
            if kind == "math" and c.math and rng.random() < 0.6:
                q = rng.choice(c.math)
            else:
                q = math_question(rng) if kind == "math" else logic_question(rng)
            return f"{q} {cot}".strip() if cot else q
        if kind == "analysis":
            return rng.choice(t["analysis_templates"]).format(
                table=_table(rng), dim=rng.choice(t["dims"]), metric=rng.choice(t["metrics"])
            )
        if kind == "support":
            return rng.choice(t["support_templates"]).format(x=rng.choice(t["support_products"]))
        if kind == "legal":
            return rng.choice(t["legal_questions"])
        if kind == "medical":
            return rng.choice(t["medical_questions"])
        if kind == "sql":
            return rng.choice(t["sql_questions"])
        if kind == "rubric":
            q = self.prompt(rng, rng.choice(["chat", "math", "code", "writing"]))[:1500]
            return rng.choice(t["rubric_templates"]).format(
                q=q, a=rng.choice(t["short_answers"]), b=rng.choice(t["short_answers"])
            )
        if kind == "rewrite":
            return rng.choice(t["rewrite_templates"]).format(
                x=rng.choice(t["sensitive_topics"]), q=rng.choice(t["sensitive_questions"])
            )
        if kind in ("tooluse", "agent"):
            if c.tools and rng.random() < 0.6:
                return rng.choice(c.tools)
            tools = ", ".join(rng.sample(t["agent_tools"], 4))
            return f"{rng.choice(t['agent_tasks'])}. You may call: {tools}."
        if kind == "foreign_cot":
            code, tpl = rng.choice(
                [x for x in t["cot_foreign"] if not lang or x[0] == lang] or t["cot_foreign"]
            )
            self.lang = str(code)
            return str(tpl).format(
                q=math_question(rng) if rng.random() < 0.6 else logic_question(rng)
            )
        if kind.startswith("course:"):
            return rng.choice(t["homework_prefix"]) + rng.choice(t["courses"][kind[7:]])
        raise ValueError(kind)

    def batch_item(self, rng: random.Random, template: str, corpus_set: int = -1) -> str:
        if corpus_set >= 0 and self.c.batch:
            rows = self.c.batch[corpus_set % len(self.c.batch)]
            return rng.choice(rows)
        t = self.t
        fill = self.fill(rng)
        return t["batch_templates"][template].format(
            x=fill, y=", ".join(rng.sample(t["review_bits"], 2))
        )

    def fill(self, rng: random.Random) -> str:
        """A business record (ticket, invoice, claim, review, news item) as free text."""
        t = self.t
        f, last = person(rng)
        return str(rng.choice(t["batch_fill"])).format(
            n=rng.randrange(10000, 99999),
            c=rng.choice(t["companies"])[0],
            f=f.title(),
            l=last.title(),
            m=rng.randrange(40, 90000),
            d=rng.randrange(1, 9),
            r=rng.choice(t["review_bits"]),
            r2=rng.choice(t["review_bits"]),
        )

    def agent_step(self, rng: random.Random, turn: int, task: str) -> str:
        if turn == 0:
            return task
        obs = rng.choice(self.t["agent_observations"]).format(t=rng.choice(self.t["agent_tools"]))
        follow = rng.choice(self.t["agent_followups"])
        return f"{obs}\n{follow}".strip()

    def response(
        self, rng: random.Random, domain: str, chars: int, n: int = 0, corpus: bool = False
    ) -> str:
        t = self.t
        if corpus and self.c.answers and rng.random() < 0.4:
            return rng.choice(self.c.answers)[:chars]
        if domain == "foreign":
            pool, mean = self._foreign.get(self.lang) or self._foreign["zh"]
        else:
            pool, mean = self._pools[domain]
        k = 1 if domain == "batch" else 1 + int(chars / mean)
        parts: list[str] = (
            [] if domain in ("agent", "grade", "foreign", "batch") else [rng.choice(t["openers"])]
        )
        if domain == "code" and chars > 300:
            parts.append("```\n" + rng.choice(t["code_snippets"]) + "\n```")
            k = max(1, k - 2)
        body = rng.choices(pool, k=k)
        if domain == "reason":
            body = [f"Step {i + 1}: {s}" for i, s in enumerate(body)]
        parts += body
        if domain in ("general", "reason", "analysis"):
            closer = rng.choice(t["closers"])
            if closer:
                parts.append(closer.replace("{n}", str(n or rng.randrange(2, 500))))
        return " ".join(p for p in parts if p)[: max(chars, 40)]


def tokens_of(text: str | None) -> int:
    if not text:
        return 0
    ascii_chars = len(text.encode("ascii", "ignore"))
    return max(1, ascii_chars // 4 + (len(text) - ascii_chars))


# ---- accounts and the sink ------------------------------------------------------------------


@dataclass
class Customer:
    """The account's row in the provider's customer table (or None: no row)."""

    tier: str
    verified: bool
    declared_use: str | None
    contract: bool
    org_id: str | None = None


@dataclass
class Account:
    account_id: str
    archetype: str
    campaign_id: str | None
    created: int
    country: str
    access_path: str
    email: str | None
    payment: str | None
    org_id: str | None
    ua: str
    tls: str | None
    keys: list[str] = field(default_factory=list)
    customer: Customer | None = None
    extra: dict[str, Any] = field(default_factory=dict)


COLUMNS = (
    "request_id",
    "timestamp",
    "account_id",
    "prompt",
    "org_id",
    "api_key_id",
    "ip",
    "user_agent",
    "tls_fingerprint",
    "payment_fingerprint",
    "email",
    "account_created_at",
    "access_path",
    "country",
    "model",
    "system_prompt",
    "conversation_id",
    "turn",
    "response",
    "prompt_tokens",
    "completion_tokens",
    "max_tokens",
    "temperature",
    "n",
    "logprobs",
    "tool_count",
    "status",
)


class World:
    """Accounts, id allocation and the column store every group writes its events into."""

    def __init__(self, seed: int, scale: float, corpus: Path | None) -> None:
        self.seed = seed
        self.scale = scale
        self.writer = Writer(Corpus(corpus))
        self.accounts: list[Account] = []
        self._ids: set[str] = set()
        self.cols: dict[str, list[Any]] = {c: [] for c in COLUMNS[1:]}
        self.campaigns: list[dict[str, Any]] = []
        self.shared: dict[str, Any] = {}

    def n(self, base: float, minimum: int = 1) -> int:
        return max(minimum, round(base * self.scale))

    def new_id(self, rng: random.Random, prefix: str, k: int = 14) -> str:
        while True:
            v = prefix + token(rng, k, _ALNUM_MIXED)
            if v not in self._ids:
                self._ids.add(v)
                return v

    def account(
        self,
        rng: random.Random,
        archetype: str,
        *,
        campaign: str | None = None,
        created: int,
        country: str,
        access_path: str = "direct",
        email: str | None,
        payment: str | None,
        org_id: str | None = None,
        ua: str,
        tls: str | None,
        keys: int = 1,
        customer: Customer | None = None,
    ) -> Account:
        acct = Account(
            self.new_id(rng, "acct_"),
            archetype,
            campaign,
            created,
            country,
            access_path,
            email,
            payment,
            org_id,
            ua,
            tls,
            [self.new_id(rng, "key_", 12) for _ in range(keys)],
            customer,
        )
        self.accounts.append(acct)
        return acct

    def emit(
        self,
        a: Account,
        ts: int,
        ip: str,
        model: str,
        prompt: str | None,
        response: str | None,
        *,
        system: str | None = None,
        conv: str | None = None,
        turn: int | None = None,
        pt: int | None = None,
        ct: int = 0,
        max_tokens: int | None = None,
        temperature: float | None = None,
        n: int | None = None,
        logprobs: bool | None = None,
        tools: int | None = None,
        status: str = "ok",
        ua: str | None = None,
        key: str | None = None,
        history: int = 0,
    ) -> None:
        if ts <= a.created:
            ts = a.created + 1 + (ts % 900) * SECOND
        if ts >= WINDOW_END:
            return
        c = self.cols
        c["timestamp"].append(ts)
        c["account_id"].append(a.account_id)
        c["prompt"].append(prompt)
        c["org_id"].append(a.org_id)
        c["api_key_id"].append(key or a.keys[0])
        c["ip"].append(ip)
        c["user_agent"].append(ua or a.ua)
        c["tls_fingerprint"].append(a.tls)
        c["payment_fingerprint"].append(a.payment)
        c["email"].append(a.email)
        c["account_created_at"].append(a.created)
        c["access_path"].append(a.access_path)
        c["country"].append(a.country)
        c["model"].append(model)
        c["system_prompt"].append(system)
        c["conversation_id"].append(conv)
        c["turn"].append(turn)
        if status != "ok":
            ct = 0 if status == "error" else min(ct, 60)
            if status == "error":
                response = None
        c["response"].append(response)
        if pt is None:
            pt = tokens_of(prompt) + tokens_of(system) + history + 8
        c["prompt_tokens"].append(pt)
        if max_tokens is not None:
            ct = min(ct, max_tokens)
        c["completion_tokens"].append(ct)
        c["max_tokens"].append(max_tokens)
        c["temperature"].append(temperature)
        c["n"].append(n)
        c["logprobs"].append(logprobs)
        c["tool_count"].append(tools)
        c["status"].append(status)


def lognormal_int(
    rng: random.Random, median: float, sigma: float, lo: int = 1, hi: int = 32000
) -> int:
    return int(min(hi, max(lo, rng.lognormvariate(0, sigma) * median)))


def status_of(rng: random.Random, error: float = 0.008, refused: float = 0.003) -> str:
    u = rng.random()
    return "error" if u < error else ("refused" if u < error + refused else "ok")


def conv_id(rng: random.Random) -> str:
    return "conv_" + token(rng, 16)
