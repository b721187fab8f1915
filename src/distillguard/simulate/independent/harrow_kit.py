"""Harrow's toolkit: the window, the models, text filling, networks, clients and the sink
that collects events, labels and customer records (see HARROW.md)."""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

US = 1_000_000
HOUR = 3600 * US
DAY = 24 * HOUR
#: Monday 19 October 2026, 00:00 UTC; the window is seven days.
START = int(datetime(2026, 10, 19, tzinfo=UTC).timestamp()) * US
DAYS = 7
END = START + DAYS * DAY
#: The new model ships on Thursday at 17:00 UTC.
RELEASE = START + 3 * DAY + 17 * HOUR
OLD_MINI, OLD_MAIN, OLD_REASON, NEW_MAIN = ("lumen-2-mini", "lumen-2", "lumen-2-reasoning",
                                            "lumen-3")
#: Responses are logged up to this many characters (the provider truncates).
RESPONSE_CAP = 1600

COUNTRIES: dict[str, float] = {
    "US": -6, "CA": -5, "MX": -6, "BR": -3, "AR": -3, "GB": 0, "IE": 0, "DE": 1, "FR": 1,
    "NL": 1, "ES": 1, "IT": 1, "PL": 1, "SE": 1, "TR": 3, "NG": 1, "KE": 3, "ZA": 2,
    "IN": 5.5, "SG": 8, "ID": 7, "VN": 7, "JP": 9, "KR": 9, "HK": 8, "TW": 8, "AU": 10,
}
CONSUMER_COUNTRY_WEIGHTS: dict[str, float] = {
    "US": 30, "CA": 4, "MX": 2, "BR": 4, "AR": 1, "GB": 7, "IE": 1, "DE": 6, "FR": 5, "NL": 2,
    "ES": 3, "IT": 2, "PL": 2, "SE": 1, "TR": 2, "NG": 2, "KE": 1, "ZA": 1, "IN": 9, "SG": 2,
    "ID": 2, "VN": 1, "JP": 4, "KR": 3, "HK": 1, "TW": 1, "AU": 3,
}

# Local-hour activity shapes (relative weights, 24 values).
SHAPES: dict[str, list[float]] = {
    "consumer": [3, 2, 1, 1, 1, 1, 2, 4, 6, 7, 7, 8, 9, 8, 8, 8, 8, 9, 10, 11, 12, 11, 8, 5],
    "office": [1, 0.5, 0.5, 0.5, 0.5, 1, 2, 5, 9, 11, 11, 10, 8, 10, 11, 11, 10, 8, 5, 3, 2, 2, 2,
               1],
    "student": [2, 1, 0.5, 0.5, 0.5, 0.5, 1, 2, 4, 6, 7, 6, 6, 7, 8, 9, 9, 8, 9, 11, 12, 11, 8, 4],
    "flat": [1.0] * 24,
    "late": [8, 9, 8, 6, 4, 2, 1, 1, 2, 3, 4, 5, 5, 6, 6, 7, 7, 7, 8, 9, 10, 10, 9, 9],
}
WEEKEND_FACTOR = {"consumer": 1.15, "office": 0.2, "student": 0.7, "flat": 1.0, "late": 1.0}

# Client stacks: each user agent belongs to a stack whose TLS fingerprint it shares.
TLS = {
    "chrome": "t13d1516h2_8daaf6152771_b0da82dd1658",
    "safari": "t13d2014h2_a09f3c656075_14788d8d241b",
    "firefox": "t13d1715h2_5b57614c22b0_3d5424432f57",
    "py_httpx": "t13d1812h2_85036bcba153_b26ce05bbdd6",
    "py_requests": "t13d1811h1_c866b44c5a26_a0e9bea0ec1e",
    "node": "t13d1714h2_5b57614c22b0_7baf387fc6ff",
    "go": "t13d1310h2_f57a46bbacb6_e7c285222651",
    "okhttp": "t13d1614h2_8daaf6152771_e5627efa2ab1",
    "curl": "t13d3112h2_e8f1e7e78f70_375b7d2d9a6b",
    "java": "t13d1911h2_2dc0e41f2a3c_6c1b6bcb53a9",
    "dotnet": "t13d1909h2_9dc949149365_97f8aa674fd9",
    "gateway": "t13d1516h2_e8a523a41297_ef7df7f74c39",
}
UAS: dict[str, list[tuple[str, str]]] = {
    "consumer_app": [
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/129.0.0.0 Safari/537.36", "chrome"),
        ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like "
         "Gecko) Version/18.0 Safari/605.1.15", "safari"),
        ("Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0", "firefox"),
        ("Chatbox/1.9.8 (Windows NT 10.0)", "chrome"),
        ("TypingMind/2.3.1", "chrome"),
        ("okhttp/4.12.0", "okhttp"),
        ("LumenPal/3.2.1 (iPhone; iOS 18.0.1; Scale/3.00)", "safari"),
        ("Raycast/1.84.2 (macOS)", "safari"),
    ],
    "sdk": [
        ("lumen-python/1.42.0", "py_httpx"), ("lumen-python/1.39.2", "py_httpx"),
        ("OpenAI/Python 1.54.3", "py_httpx"), ("lumen-node/0.31.1", "node"),
        ("python-requests/2.32.3", "py_requests"), ("curl/8.7.1", "curl"),
        ("langchain-lumen/0.3.1 lumen-python/1.41.0", "py_httpx"),
        ("Go-http-client/2.0", "go"), ("PostmanRuntime/7.42.0", "node"),
        ("lumen-java/0.8.0", "java"), ("lumen-dotnet/0.5.2", "dotnet"),
        ("OpenAI/JS 4.71.0", "node"),
    ],
    "agent": [
        ("lumen-code/1.2.0 (darwin; arm64)", "node"), ("Cline/3.1.4", "node"),
        ("aider/0.68.0 lumen-python/1.42.0", "py_httpx"), ("Cursor/0.43.6", "chrome"),
        ("Continue/0.9.223", "node"), ("opencode/0.1.9", "go"),
        ("lumen-code/1.2.0 (linux; x64; ci)", "node"),
    ],
}

_SLOT = re.compile(r"\{([a-z_]+?)(\d?)\}")


def sub_rng(seed: int, *names: object) -> random.Random:
    """A generator of its own for one part of the world, from the seed and a name."""
    digest = hashlib.sha256(("harrow|" + str(seed) + "|" + "|".join(map(str, names)))
                            .encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


class Text:
    """The built-in text bank (harrow_text.json), optionally mixed with real prompts."""

    def __init__(self, corpus: Path | None) -> None:
        bank = json.loads((Path(__file__).with_name("harrow_text.json")).read_text("utf-8"))
        self.bank: dict[str, Any] = bank
        self.lists: dict[str, list[str]] = {
            k: v for k, v in bank.items() if isinstance(v, list)}
        self.lists.update(bank["slots"])
        self.pools: dict[str, tuple[str, list[int]]] = {}
        for kind, sentences in bank["responses"].items():
            order = list(sentences) * 12
            random.Random(kind).shuffle(order)
            text = " ".join(order)
            starts = [0]
            for s in order[:-1]:
                starts.append(starts[-1] + len(s) + 1)
            cut = [p for p in starts if p < len(text) - RESPONSE_CAP] or [0]
            self.pools[kind] = (text + " " + text, cut)
        self.corpus: dict[str, list[str]] = _load_corpus(corpus) if corpus else {}

    def pick(self, rng: random.Random, key: str) -> str:
        return self.fill(rng, rng.choice(self.lists[key]))

    def real(self, rng: random.Random, key: str, share: float) -> str | None:
        """A real prompt from the corpus of ``key`` with probability ``share``."""
        pool = self.corpus.get(key)
        if pool and rng.random() < share:
            return rng.choice(pool)
        return None

    def fill(self, rng: random.Random, template: str, depth: int = 0) -> str:
        if "{" not in template:
            return template

        def one(m: re.Match[str]) -> str:
            name = m.group(1)
            if name in ("a", "b", "c"):
                return str(rng.randint(2, 9) if name == "a" else rng.randint(3, 60)
                           if name == "b" else rng.randint(40, 400))
            if name == "inv":
                return f"A-{rng.randint(1000, 99999)}"
            if name == "amount":
                return f"{rng.randint(20, 9000)}.{rng.randint(0, 99):02d}"
            if name == "counts":
                regions = ("EU", "US", "APAC", "LATAM", "MEA", "UK")
                return ", ".join(f"{r} {rng.randint(10, 999)}"
                                 for r in rng.sample(regions, rng.randint(3, 6)))
            if name == "date":
                return f"2026-10-{rng.randint(19, 25)}"
            if name == "bench":
                real = self.real(rng, "math", 0.7)
                return real if real is not None else self.pick(rng, "bench_q")
            if name == "agent_task_inline":
                return self.pick(rng, "agent_task")
            if name == "consumer_inline":
                return self.pick(rng, "consumer")
            pool = self.lists.get(name)
            if pool is None or depth > 3:
                return name
            return self.fill(rng, rng.choice(pool), depth + 1)

        return _SLOT.sub(one, template)

    def response(self, rng: random.Random, kind: str, tokens: int) -> str:
        text, cut = self.pools[kind]
        size = max(2, min(RESPONSE_CAP, int(tokens * rng.uniform(3.4, 4.4))))
        start = rng.choice(cut)
        return text[start:start + size].rstrip()


def _load_corpus(root: Path) -> dict[str, list[str]]:
    """Real prompts by use (see /work/shared/corpora/README.md); missing files are skipped."""

    def jsonl(path: Path, key: str) -> list[str]:
        if not path.exists():
            return []
        out = []
        for line in path.read_text("utf-8").split("\n"):  # not splitlines: U+2028 in text
            if line.strip():
                value = json.loads(line).get(key)
                if isinstance(value, list):
                    value = value[0] if value else None
                if isinstance(value, str) and 0 < len(value) < 6000 and "\x00" not in value:
                    out.append(value)
        return out

    def jarray(path: Path) -> list[str]:
        if not path.exists():
            return []
        rows = json.loads(path.read_text("utf-8"))
        return [(r.get("instruction", "") + ("\n" + r["input"] if r.get("input") else ""))
                for r in rows if isinstance(r, dict) and r.get("instruction")][:5000]

    human = root / "human"
    corpus = {
        "chat": (jsonl(human / "arena_hard_v0.1_questions.jsonl", "prompt")
                 + jsonl(human / "arena_hard_v2.0_questions.jsonl", "prompt")
                 + jsonl(human / "vicuna_bench_questions.jsonl", "text")
                 + jsonl(human / "self_instruct_user_oriented.jsonl", "instruction")),
        "mtbench": jsonl(human / "mt_bench_questions.jsonl", "turns"),
        "math": (jsonl(root / "reasoning" / "gsm8k_test.jsonl", "question")
                 + jsonl(root / "reasoning" / "gsm8k_train.jsonl", "question")),
        "code": jarray(root / "coding" / "gpteacher_codegen_instruct.json"),
        "tool": jarray(root / "tool_use" / "gpteacher_toolformer_sim0.6.json"),
    }
    batch = root / "batch"
    if batch.is_dir():
        for path in sorted(batch.glob("*.jsonl")):
            corpus["batch:" + path.stem] = jsonl(path, "prompt")
    return {k: v for k, v in corpus.items() if v}


@dataclass
class Acct:
    """One account and what stays the same across its requests."""

    account_id: str
    archetype: str
    campaign_id: str | None
    created: int
    country: str
    access_path: str
    email: str | None
    org_id: str | None
    payment: str | None
    keys: list[str]
    #: What the customer table would say if it were complete and current.
    tier: str = "pay_as_you_go"
    verified: bool = False
    declared_use: str | None = None
    contract: bool = False
    #: Zero data retention: prompts and responses are not logged.
    zdr: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


COLUMNS = ("request_id", "timestamp", "account_id", "prompt", "org_id", "api_key_id", "ip",
           "user_agent", "tls_fingerprint", "payment_fingerprint", "email",
           "account_created_at", "access_path", "country", "model", "system_prompt",
           "conversation_id", "turn", "response", "prompt_tokens", "completion_tokens",
           "max_tokens", "temperature", "n", "logprobs", "tool_count", "status")


class World:
    """The sink every group writes into, with shared helpers."""

    def __init__(self, seed: int, scale: float, corpus: Path | None) -> None:
        self.seed = seed
        self.scale = scale
        self.text = Text(corpus)
        self.accounts: list[Acct] = []
        self.cols: dict[str, list[Any]] = {c: [] for c in COLUMNS if c != "request_id"}
        self._ids: set[str] = set()
        self._id_rng = sub_rng(seed, "ids")

    # ---- sizes and identities ------------------------------------------------------------
    def count(self, full: float, minimum: int = 1) -> int:
        return max(minimum, round(full * self.scale))

    def new_id(self, prefix: str, length: int = 14) -> str:
        alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
        while True:
            value = prefix + "".join(self._id_rng.choices(alphabet, k=length))
            if value not in self._ids:
                self._ids.add(value)
                return value

    def account(self, rng: random.Random, archetype: str, *, created: int, country: str,
                access_path: str = "direct", email: str | None = None, org_id: str | None = None,
                payment: str | None = None, keys: int = 1, campaign_id: str | None = None,
                **truth: Any) -> Acct:
        acct = Acct(self.new_id("acct_"), archetype, campaign_id, created, country, access_path,
                    email, org_id, payment, [self.new_id("key_", 18) for _ in range(keys)],
                    **truth)
        self.accounts.append(acct)
        return acct

    # ---- events --------------------------------------------------------------------------
    def emit(self, a: Acct, ts: int, *, model: str, prompt: str | None, ip: str, ua: str,
             stack: str, system: str | None = None, conv: str | None = None, turn: int = 0,
             response_kind: str | None = "chat", completion: int = 0, max_tokens: int | None,
             temperature: float | None = None, n: int = 1, logprobs: bool | None = False,
             tools: int | None = 0, context: int = 0, status: str = "ok",
             rng: random.Random | None = None, key: str | None = None) -> None:
        r = rng or self._id_rng
        c = self.cols
        if status == "ok" and r.random() < 0.006:
            status = "error"
        ptok = (len(prompt) if prompt else 200) // 4 + (len(system) // 4 if system else 0)
        ptok += context + 4
        comp = completion if status == "ok" else (0 if status == "error" else r.randint(15, 60))
        if max_tokens is not None:
            comp = min(comp, max_tokens)
        response: str | None = None
        if not a.zdr and status != "error" and response_kind:
            response = (self.text.response(r, response_kind, comp) if status == "ok" else
                        "I can't help with that request.")
        c["timestamp"].append(ts)
        c["account_id"].append(a.account_id)
        c["prompt"].append(None if a.zdr else prompt)
        c["org_id"].append(a.org_id)
        c["api_key_id"].append(key or (a.keys[0] if len(a.keys) == 1 else r.choice(a.keys)))
        c["ip"].append(ip)
        c["user_agent"].append(ua)
        c["tls_fingerprint"].append(TLS[stack])
        c["payment_fingerprint"].append(a.payment)
        c["email"].append(a.email)
        c["account_created_at"].append(a.created)
        c["access_path"].append(a.access_path)
        c["country"].append(a.country)
        c["model"].append(model)
        c["system_prompt"].append(None if a.zdr else system)
        c["conversation_id"].append(conv)
        c["turn"].append(turn)
        c["response"].append(response)
        c["prompt_tokens"].append(ptok)
        c["completion_tokens"].append(comp)
        c["max_tokens"].append(max_tokens)
        c["temperature"].append(temperature)
        c["n"].append(n)
        c["logprobs"].append(logprobs)
        c["tool_count"].append(tools)
        c["status"].append(status)


# ---- time ----------------------------------------------------------------------------------

def local_times(rng: random.Random, k: int, country: str, shape: str, lo: int = START,
                hi: int = END) -> list[int]:
    """``k`` sorted arrival times in [lo, hi) following a local daily shape."""
    weights = SHAPES[shape]
    top = max(weights)
    weekend = WEEKEND_FACTOR[shape]
    offset = int(COUNTRIES.get(country, 0) * HOUR)
    out: list[int] = []
    if hi <= lo:
        return out
    tries = 0
    while len(out) < k and tries < k * 60:
        tries += 1
        t = rng.randrange(lo, hi)
        local = t + offset
        hour = (local // HOUR) % 24
        day = ((local - START) // DAY) % 7  # window starts on a Monday
        w = weights[hour] * (weekend if day >= 5 else 1.0)
        if rng.random() * top * max(1.0, weekend) < w:
            out.append(t)
    out.sort()
    return out


def sessions(rng: random.Random, k: int, country: str, shape: str, per_session: tuple[int, int],
             gap_s: tuple[float, float], lo: int = START, hi: int = END) -> list[list[int]]:
    """Bursts of requests: session starts from a daily shape, then short gaps."""
    out: list[list[int]] = []
    left = k
    starts = local_times(rng, max(1, k // max(1, sum(per_session) // 2)), country, shape, lo, hi)
    for s in starts:
        if left <= 0:
            break
        size = min(left, rng.randint(*per_session))
        t = s
        burst = []
        for _ in range(size):
            if t >= hi:
                break
            burst.append(t)
            t += int(rng.uniform(*gap_s) * US)
        left -= len(burst)
        if burst:
            out.append(burst)
    return out


# ---- networks ------------------------------------------------------------------------------

_RESIDENTIAL: dict[str, list[tuple[int, int]]] = {}


def residential_prefixes(country: str) -> list[tuple[int, int]]:
    if country not in _RESIDENTIAL:
        r = random.Random("isp-" + country)
        firsts = [24, 47, 67, 68, 71, 73, 76, 82, 86, 90, 92, 98, 99, 101, 110, 114, 121, 125,
                  151, 175, 177, 181, 186, 187, 189, 190, 200, 201, 217, 218, 220, 223]
        _RESIDENTIAL[country] = [(r.choice(firsts), r.randint(0, 255)) for _ in range(6)]
    return _RESIDENTIAL[country]


def home_ip(rng: random.Random, country: str) -> str:
    a, b = rng.choice(residential_prefixes(country))
    return f"{a}.{b}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


def cloud_ip(rng: random.Random, provider: str | None = None) -> str:
    blocks = {"aws": [(3, 0), (18, 0), (34, 192), (44, 0), (52, 0), (54, 0)],
              "gcp": [(34, 0), (35, 184), (35, 200), (104, 154)],
              "azure": [(20, 0), (40, 64), (52, 160), (13, 64)],
              "vps": [(45, 32), (139, 59), (143, 198), (159, 89), (167, 71), (178, 62),
                      (188, 166), (5, 161), (95, 216), (65, 108)]}
    name = provider or rng.choice(list(blocks))
    a, b0 = rng.choice(blocks[name])
    return f"{a}.{b0 + rng.randint(0, 15)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


def subnet_ips(rng: random.Random, count: int, base: str | None = None) -> list[str]:
    """``count`` addresses inside one /24 (an office, a campus NAT pool, a rented range)."""
    if base is None:
        base = f"{rng.choice([38, 62, 80, 81, 88, 128, 130, 141, 145, 193, 194, 212])}." \
               f"{rng.randint(0, 255)}.{rng.randint(0, 255)}"
    hosts = rng.sample(range(2, 254), min(count, 250))
    return [f"{base}.{h}" for h in hosts]


def ipv6(rng: random.Random, prefix: str) -> str:
    return prefix + ":".join(f"{rng.randint(0, 65535):x}" for _ in range(4))


def ip_picker(rng: random.Random, main: list[str], other: list[str] | None = None,
              share: float = 1.0, fresh_country: str | None = None) -> Callable[[], str]:
    """Where an account's requests come from: ``main`` with probability ``share``, else
    ``other`` or a fresh residential address in ``fresh_country``."""

    def pick() -> str:
        if rng.random() < share:
            return rng.choice(main)
        if other:
            return rng.choice(other)
        return home_ip(rng, fresh_country or "US")

    return pick


def ua_of(rng: random.Random, family: str) -> tuple[str, str]:
    return rng.choice(UAS[family])


# ---- people --------------------------------------------------------------------------------

FIRST = ["anna", "ben", "carlos", "dana", "eli", "fatima", "george", "hana", "ivan", "julia",
         "kenji", "lena", "mohammed", "nina", "oscar", "priya", "quinn", "rosa", "sam", "tariq",
         "uma", "victor", "wei", "xenia", "yusuf", "zoe", "amelie", "bruno", "chloe", "david",
         "emma", "felix", "grace", "hugo", "ines", "jonas", "kira", "leo", "maya", "nikolai",
         "olga", "pablo", "ravi", "sara", "tom", "valentina", "will", "yuki", "min", "jae"]
LAST = ["smith", "garcia", "muller", "kim", "tanaka", "silva", "kowalski", "rossi", "nguyen",
        "patel", "johnson", "dubois", "jensen", "ivanova", "cohen", "okafor", "lopez", "chen",
        "singh", "brown", "martin", "sato", "park", "novak", "haddad", "fischer", "costa", "li",
        "wang", "andersson", "moreau", "yilmaz", "murphy", "walker", "schmidt", "reyes"]
WEBMAIL = ["gmail.com"] * 10 + ["outlook.com"] * 3 + ["yahoo.com", "hotmail.com", "icloud.com",
                                                       "proton.me", "gmx.de", "web.de",
                                                       "naver.com", "qq.com", "yandex.ru",
                                                       "mail.com", "orange.fr", "libero.it"]


def person_email(rng: random.Random, domain: str | None = None) -> str:
    f, last = rng.choice(FIRST), rng.choice(LAST)
    style = rng.randint(0, 6)
    local = [f"{f}.{last}", f"{f}{last}", f"{f[0]}{last}", f"{f}_{last}{rng.randint(1, 99)}",
             f"{f}{rng.randint(70, 2005)}", f"{last}.{f}", f"{f}.{last}{rng.randint(1, 9)}"][style]
    return f"{local}@{domain or rng.choice(WEBMAIL)}"


def payment(rng: random.Random) -> str:
    return "pm_" + "".join(rng.choices("0123456789abcdef", k=20))


def pick_weighted(rng: random.Random, weights: Mapping[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def model_for(rng: random.Random, ts: int, old: Sequence[str], adopt: float,
              lag_h: float = 0.0) -> str:
    """The model a client asks for: after the release (plus a lag), a share ``adopt`` of
    requests moves to the new model."""
    if ts >= RELEASE + int(lag_h * HOUR) and rng.random() < adopt:
        return NEW_MAIN
    return rng.choice(old)


def adoption(ts: int, cap: float, ramp_h: float, lag_h: float = 0.0) -> float:
    """The share of a group's requests on the new model at ``ts``: zero before the release
    (plus a lag), then rising linearly to ``cap`` over ``ramp_h`` hours."""
    since = (ts - RELEASE) / HOUR - lag_h
    if since <= 0:
        return 0.0
    return cap * min(1.0, since / max(ramp_h, 0.1))
