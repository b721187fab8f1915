"""Plover's toolkit: the window and models, the world that collects accounts and events,
clocks, networks, client stacks, identities and texts (see PLOVER.md)."""

from __future__ import annotations

import hashlib
import ipaddress
import json
import math
import random
import re
from bisect import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache, lru_cache
from itertools import accumulate
from pathlib import Path
from typing import Any

from distillguard.schema import EVENT_COLUMNS

SEC = 1_000_000
MIN = 60 * SEC
HOUR = 60 * MIN
DAY = 24 * HOUR
#: Monday 16 November 2026, 00:00 UTC; nine days.
START = int(datetime(2026, 11, 16, tzinfo=UTC).timestamp()) * SEC
DAYS = 9
END = START + DAYS * DAY
OLD, LITE, NEW = "tern-2", "tern-2-lite", "tern-3"

TEXT_FILE = Path(__file__).with_name("plover_text.json")


def sub_rng(seed: int, *names: str) -> random.Random:
    """An independent random stream per seed and name."""
    digest = hashlib.sha256(f"plover|{seed}|{'|'.join(names)}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def lognorm(r: random.Random, median: float, sigma: float, lo: float, hi: float) -> float:
    return min(hi, max(lo, median * math.exp(r.gauss(0.0, sigma))))


def tok(text: str | None) -> int:
    """A rough token count (about four characters a token, fewer for other scripts)."""
    if not text:
        return 0
    if text.isascii():
        return len(text) // 4 + 1
    return int(len(text) / 1.6) + 1


def hexid(r: random.Random, n: int) -> str:
    return f"{r.getrandbits(4 * n):0{n}x}"


# ---- countries, networks ------------------------------------------------------------------


@dataclass(frozen=True)
class Country:
    code: str
    offset: float
    octets: tuple[int, ...]
    domains: tuple[str, ...]
    names: str
    lang: str


COUNTRIES: dict[str, Country] = {c.code: c for c in (
    Country("US", -6, (24, 65, 67, 68, 69, 71, 72, 73, 75, 76, 96, 98, 99, 107, 108, 174),
            ("gmail.com", "gmail.com", "outlook.com", "yahoo.com", "icloud.com", "hotmail.com",
             "proton.me", "aol.com"), "en", "en"),
    Country("GB", 0, (2, 5, 31, 81, 82, 86, 90, 92, 94, 109),
            ("gmail.com", "outlook.com", "hotmail.co.uk", "btinternet.com", "icloud.com"),
            "en", "en"),
    Country("CA", -5, (24, 70, 99, 142, 184), ("gmail.com", "outlook.com", "yahoo.ca"),
            "en", "en"),
    Country("AU", 11, (1, 27, 49, 101, 110, 121), ("gmail.com", "outlook.com", "bigpond.com"),
            "en", "en"),
    Country("NL", 1, (62, 77, 82, 84, 86, 94), ("gmail.com", "ziggo.nl", "outlook.com"),
            "en", "en"),
    Country("DE", 1, (2, 31, 77, 79, 84, 87, 91, 93, 178),
            ("gmail.com", "gmx.de", "web.de", "t-online.de", "outlook.de"), "de", "de"),
    Country("FR", 1, (2, 78, 80, 86, 90, 92, 109),
            ("gmail.com", "orange.fr", "free.fr", "laposte.net", "outlook.fr"), "fr", "fr"),
    Country("BR", -3, (177, 179, 186, 187, 189, 191, 200, 201),
            ("gmail.com", "hotmail.com", "outlook.com", "uol.com.br"), "es", "es"),
    Country("MX", -6, (148, 187, 189, 201), ("gmail.com", "hotmail.com", "outlook.com"),
            "es", "es"),
    Country("ES", 1, (79, 80, 83, 88, 213, 217), ("gmail.com", "hotmail.es", "outlook.es"),
            "es", "es"),
    Country("IN", 5.5, (49, 103, 106, 117, 122, 157, 182),
            ("gmail.com", "gmail.com", "yahoo.co.in", "outlook.com", "rediffmail.com"),
            "in", "in"),
    Country("JP", 9, (60, 106, 114, 118, 126, 133, 153, 180),
            ("gmail.com", "yahoo.co.jp", "icloud.com", "docomo.ne.jp"), "jp", "ja"),
    Country("KR", 9, (1, 14, 58, 112, 118, 121, 175, 211), ("naver.com", "gmail.com", "daum.net"),
            "kr", "ko"),
    Country("SG", 8, (116, 118, 121, 155, 175), ("gmail.com", "outlook.com", "yahoo.com.sg"),
            "cn", "cn"),
    Country("TW", 8, (1, 36, 42, 61, 111, 114), ("gmail.com", "yahoo.com.tw"), "cn", "cn"),
    Country("HK", 8, (42, 58, 112, 119, 203), ("gmail.com", "yahoo.com.hk"), "cn", "cn"),
    Country("VN", 7, (14, 27, 42, 113, 115, 116, 171), ("gmail.com", "outlook.com"), "sea", "sea"),
    Country("ID", 7, (36, 110, 114, 125, 180, 182), ("gmail.com", "yahoo.co.id"), "sea", "sea"),
    Country("PL", 1, (31, 37, 46, 77, 83, 89, 178), ("gmail.com", "wp.pl", "onet.pl", "o2.pl"),
            "pl", "pl"),
    Country("TR", 3, (31, 78, 85, 88, 176, 212), ("gmail.com", "hotmail.com", "yandex.com.tr"),
            "mena", "mena"),
    Country("NG", 1, (41, 102, 105, 129, 197), ("gmail.com", "yahoo.com"), "mena", "en"),
    Country("EG", 2, (41, 45, 156, 196, 197), ("gmail.com", "hotmail.com"), "mena", "mena"),
)}

#: Where ordinary consumers are (weights).
CONSUMER_MIX: dict[str, float] = {
    "US": 30, "GB": 6, "CA": 3, "AU": 2, "NL": 2, "DE": 6, "FR": 4, "BR": 6, "MX": 3, "ES": 2,
    "IN": 10, "JP": 5, "KR": 4, "SG": 2, "TW": 2, "HK": 1, "VN": 3, "ID": 3, "PL": 2, "TR": 2,
    "NG": 2, "EG": 1}
DEVELOPER_MIX: dict[str, float] = {
    "US": 32, "GB": 7, "CA": 4, "DE": 8, "FR": 4, "NL": 3, "PL": 4, "IN": 14, "BR": 5, "JP": 3,
    "KR": 3, "SG": 3, "VN": 2, "ID": 2, "TR": 2, "ES": 2, "AU": 2}

#: Cloud providers: address prefixes (first two octets) and the country their regions report.
CLOUDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "aws": (("3.80", "3.91", "18.204", "18.212", "34.192", "44.200", "52.14", "54.86", "54.160"),
            ("US", "US", "US", "DE", "IE", "SG")),
    "gcp": (("34.82", "34.106", "35.185", "35.230", "34.141"), ("US", "US", "NL", "BE", "TW")),
    "azure": (("20.42", "20.81", "20.169", "40.76", "52.149", "4.227"), ("US", "US", "NL", "IE")),
    "hetzner": (("95.216", "65.108", "88.198", "135.181"), ("DE", "FI")),
    "ovh": (("51.38", "51.75", "54.37", "141.94"), ("FR", "DE", "PL")),
    "digitalocean": (("159.89", "167.99", "164.90", "137.184"), ("US", "NL", "SG", "DE")),
    "vultr": (("45.32", "45.76", "149.28", "207.148"), ("US", "JP", "SG")),
    "alibaba": (("47.74", "47.88", "47.245", "8.210"), ("SG", "HK", "US")),
    "tencent": (("43.128", "43.135", "49.51"), ("SG", "HK")),
}
VPN_PREFIXES = ("185.159", "146.70", "89.187", "193.176", "37.120", "45.134")


def pick_weighted(r: random.Random, weights: Mapping[str, float]) -> str:
    keys = list(weights)
    return r.choices(keys, weights=[weights[k] for k in keys], k=1)[0]


def residential_ip(r: random.Random, country: str) -> str:
    octet = r.choice(COUNTRIES[country].octets)
    return f"{octet}.{r.randrange(256)}.{r.randrange(256)}.{r.randrange(1, 255)}"


def cloud_ip(r: random.Random, provider: str, prefix: str | None = None) -> tuple[str, str]:
    """An address in a provider's range and the country its region reports."""
    prefixes, countries = CLOUDS[provider]
    p = prefix or r.choice(prefixes)
    return f"{p}.{r.randrange(256)}.{r.randrange(1, 255)}", r.choice(countries)


def subnet_ips(r: random.Random, base: str, k: int) -> list[str]:
    """``k`` distinct addresses in one /24 (``base`` is its first three octets)."""
    hosts = r.sample(range(2, 254), k)
    return [f"{base}.{h}" for h in hosts]


def mobile_v6(r: random.Random) -> str:
    prefix = r.choice(("2600:387", "2607:fb90", "2a02:3030", "2409:4042", "2001:ee0"))
    groups = [f"{r.randrange(1, 0xffff):x}" for _ in range(6)]
    return str(ipaddress.IPv6Address(f"{prefix}:{':'.join(groups)}"))


class Networks:
    """Shared networks: carrier NAT exits and commercial VPN exits."""

    def __init__(self, r: random.Random) -> None:
        self.carriers: dict[str, list[list[str]]] = {}
        for code in COUNTRIES:
            pools = []
            for _ in range(2):
                octet = r.choice(COUNTRIES[code].octets)
                second = r.randrange(256)
                pools.append([f"{octet}.{second}.{r.randrange(256)}.{r.randrange(1, 255)}"
                              for _ in range(r.randint(6, 10))])
            self.carriers[code] = pools
        vpn_countries = ["US", "US", "GB", "NL", "DE", "SG", "JP", "CA", "FR", "ES", "AU", "PL"]
        self.vpn: list[tuple[str, str]] = []
        for i in range(26):
            p = VPN_PREFIXES[i % len(VPN_PREFIXES)]
            self.vpn.append((f"{p}.{r.randrange(256)}.{r.randrange(1, 255)}",
                             vpn_countries[i % len(vpn_countries)]))

    def carrier(self, r: random.Random, country: str) -> list[str]:
        return r.choice(self.carriers[country])


# ---- client stacks ------------------------------------------------------------------------

#: Client stack -> the network stack its TLS handshake comes from.
STACK_TLS: dict[str, str] = {
    "python_sdk": "py-openssl3", "requests": "py-openssl3", "httpx": "py-openssl3",
    "litellm": "py-openssl3", "langchain": "py-openssl3", "python_old": "py-openssl11",
    "node_sdk": "node20", "axios": "node20", "taskmill": "node20", "shorebird": "node22",
    "shorebird_ci": "node22", "chrome_win": "chrome", "chrome_mac": "chrome", "edge": "chrome",
    "safari_mac": "safari", "firefox": "firefox", "ios_app": "ios", "android_app": "okhttp",
    "curl": "curl", "go": "go", "ternctl": "go", "java": "java21", "dotnet": "schannel",
    "deno": "rustls",
}


@cache
def tls_value(stack_tls: str) -> str:
    """A JA4-style fingerprint of a network stack (a property of the stack, not the seed)."""
    h = hashlib.sha256(f"plover-tls|{stack_tls}".encode()).hexdigest()
    ciphers = 8 + int(h[:2], 16) % 10
    exts = 9 + int(h[2:4], 16) % 8
    alpn = "h1" if stack_tls in ("curl", "py-openssl11") else "h2"
    return f"t13d{ciphers:02d}{exts:02d}{alpn}_{h[4:16]}_{h[16:28]}"


def user_agent(r: random.Random, stack: str) -> str:
    """A user agent of the stack with a plausible version."""
    if stack == "python_sdk":
        return (f"tern-python/2.{r.choice((3, 4, 4))}.{r.randrange(10)} CPython/3."
                f"{r.choice((10, 11, 12, 12, 13))}.{r.randrange(1, 9)} "
                f"{r.choice(('Linux', 'Darwin', 'Windows', 'Linux'))}")
    if stack == "python_old":
        return f"tern-python/2.1.{r.randrange(6)} CPython/3.9.{r.randrange(12, 20)} Linux"
    if stack == "requests":
        return f"python-requests/2.{r.choice((31, 32))}.{r.randrange(4)}"
    if stack == "httpx":
        return f"python-httpx/0.{r.choice((27, 28))}.{r.randrange(3)}"
    if stack == "litellm":
        return f"litellm/1.5{r.randrange(7)}.{r.randrange(10)}"
    if stack == "langchain":
        return f"langchain-tern/0.3.{r.randrange(9)} tern-python/2.4.{r.randrange(10)}"
    if stack == "node_sdk":
        return f"tern-node/1.{r.choice((8, 9))}.{r.randrange(8)} node/20.{r.randrange(9, 19)}.0"
    if stack == "axios":
        return f"axios/1.7.{r.randrange(10)}"
    if stack == "taskmill":
        return f"taskmill/0.4.{r.randrange(3)} node/20.11.1"
    if stack in ("shorebird", "shorebird_ci"):
        plat = "linux x64; ci" if stack == "shorebird_ci" else r.choice(
            ("darwin arm64", "darwin arm64", "linux x64", "win32 x64"))
        return (f"shorebird/1.{r.choice((2, 3, 3))}.{r.randrange(6)} ({plat}) "
                f"node/22.{r.randrange(9, 12)}.0")
    if stack in ("chrome_win", "edge"):
        v = r.choice((129, 130, 131, 131))
        tail = f" Edg/{v}.0.0.0" if stack == "edge" else ""
        return ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                f"Chrome/{v}.0.0.0 Safari/537.36{tail}")
    if stack == "chrome_mac":
        return ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like "
                f"Gecko) Chrome/{r.choice((130, 131))}.0.0.0 Safari/537.36")
    if stack == "safari_mac":
        return ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like "
                f"Gecko) Version/18.{r.choice((0, 1, 1))} Safari/605.1.15")
    if stack == "firefox":
        plat = r.choice(("X11; Linux x86_64", "Windows NT 10.0; Win64; x64"))
        v = r.choice((131, 132))
        return f"Mozilla/5.0 ({plat}; rv:{v}.0) Gecko/20100101 Firefox/{v}.0"
    if stack == "ios_app":
        return (f"TernChat/4.{r.choice((1, 2, 2))}.{r.randrange(4)} (iPhone; "
                f"iOS 18.{r.randrange(2)}; Scale/3.00)")
    if stack == "android_app":
        dev = r.choice(("Pixel 8", "SM-S921B", "moto g54", "Redmi Note 13", "SM-A556B"))
        return (f"TernChat/4.{r.choice((1, 2, 2))}.{r.randrange(4)} "
                f"(Android {r.choice((14, 15))}; {dev}) okhttp/4.12.0")
    if stack == "curl":
        return f"curl/8.{r.choice((5, 7, 9))}.{r.randrange(2)}"
    if stack == "go":
        return "Go-http-client/2.0"
    if stack == "ternctl":
        return f"ternctl/0.8.{r.randrange(5)} (linux amd64)"
    if stack == "java":
        return f"Apache-HttpClient/5.3.{r.randrange(2)} (Java/21.0.{r.randrange(1, 6)})"
    if stack == "dotnet":
        return f"tern-dotnet/0.9.{r.randrange(4)} (.NET 8.0; Windows)"
    if stack == "deno":
        return f"Deno/2.1.{r.randrange(5)}"
    raise KeyError(stack)


Client = tuple[str, str]


def client(r: random.Random, stack: str) -> Client:
    """(user agent, TLS fingerprint) of one installation of a stack."""
    return user_agent(r, stack), tls_value(STACK_TLS[stack])


def custom_client(ua: str, stack_tls: str) -> Client:
    return ua, tls_value(stack_tls)


# ---- identities ---------------------------------------------------------------------------

WORDS = ("blue", "pixel", "river", "stone", "maple", "nova", "quartz", "ember", "tidal", "cobalt",
         "lumen", "orbit", "cedar", "atlas", "vector", "delta", "harbor", "signal", "prism", "kite",
         "north", "copper", "willow", "fable", "sprout", "ridge", "comet", "meadow", "falcon",
         "onyx")


def person(r: random.Random, texts: Texts, country: str) -> tuple[str, str]:
    firsts, lasts = texts.raw["names"][COUNTRIES[country].names]
    return r.choice(firsts), r.choice(lasts)


def consumer_email(r: random.Random, texts: Texts, country: str,
                   name: tuple[str, str] | None = None) -> str:
    first, last = name or person(r, texts, country)
    f, la = first.lower(), last.lower()
    style = r.random()
    if style < 0.25:
        local = f"{f}.{la}"
    elif style < 0.45:
        local = f"{f}{la}{r.randrange(1, 99)}"
    elif style < 0.6:
        local = f"{f[0]}{la}"
    elif style < 0.72:
        local = f"{f}_{r.randrange(1970, 2008)}"
    elif style < 0.85:
        local = f"{r.choice(WORDS)}{r.choice(WORDS)}{r.randrange(10, 999)}"
    else:
        local = f"{la}.{f}{r.randrange(1, 30)}"
    if r.random() < 0.15:
        local += str(r.randrange(10))
    return f"{local}@{r.choice(COUNTRIES[country].domains)}"


def card(r: random.Random) -> str:
    return f"pm_{hexid(r, 24)}"


def domain_name(r: random.Random, tlds: Sequence[str] = ("com", "io", "ai", "co")) -> str:
    return f"{r.choice(WORDS)}{r.choice(WORDS)}.{r.choice(tlds)}"


# ---- texts --------------------------------------------------------------------------------

Item = tuple[str, str | None]


def _jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    rows = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                rows.append(json.loads(line))
    return rows


def _json(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    return data if isinstance(data, list) else []


_CALC = re.compile(r"<<[^<>]*>>")


def _ok(text: Any, limit: int = 6000) -> bool:
    return isinstance(text, str) and 0 < len(text) <= limit and "\x00" not in text


class Texts:
    """The prompt pools: this scenario's own texts, extended with the real prompt sets of a
    corpus folder when one is given."""

    def __init__(self, corpus: Path | None) -> None:
        self.raw: dict[str, Any] = json.loads(TEXT_FILE.read_text(encoding="utf-8"))
        raw = self.raw
        self.chat: list[Item] = [(p, None) for p in raw["chat"]]
        self.multi: list[list[str]] = []
        self.math: list[Item] = [(q, a) for q, a in raw["math"]]
        self.code: list[Item] = [(q, a) for q, a in raw["code"]]
        self.tool: list[Item] = [(q, a) for q, a in raw["tool"]]
        self.t0: list[list[Item]] = []
        if corpus is not None and corpus.is_dir():
            self._extend(corpus)

    def _extend(self, root: Path) -> None:
        answers: dict[str, str] = {}
        for row in _jsonl(root / "responses" / "arena_hard_v0.1_gpt-4-0314_answers.jsonl"):
            try:
                content = row["messages"][1]["content"]
                text = content["answer"] if isinstance(content, dict) else content
            except (KeyError, IndexError, TypeError):
                continue
            if isinstance(text, str) and isinstance(row.get("uid"), str):
                answers[row["uid"]] = text
        human: list[Item] = []
        for name in ("arena_hard_v0.1_questions.jsonl", "arena_hard_v2.0_questions.jsonl"):
            for row in _jsonl(root / "human" / name):
                if _ok(row.get("prompt")):
                    human.append((row["prompt"], answers.get(str(row.get("uid")))))
        for name in ("mt_bench_questions.jsonl", "vicuna_bench_questions.jsonl"):
            for row in _jsonl(root / "human" / name):
                turns = row.get("turns") or []
                if turns and all(_ok(t) for t in turns):
                    human.append((turns[0], None))
                    if len(turns) > 1:
                        self.multi.append(list(turns))
        for row in _jsonl(root / "human" / "self_instruct_user_oriented.jsonl"):
            for inst in (row.get("instances") or [])[:2]:
                text = row.get("instruction", "")
                if inst.get("input"):
                    text = f"{text}\n\n{inst['input']}"
                if _ok(text):
                    human.append((text, inst.get("output") or None))
        self.chat.extend(human)
        for name in ("gsm8k_train.jsonl", "gsm8k_test.jsonl"):
            for row in _jsonl(root / "reasoning" / name):
                if _ok(row.get("question")):
                    answer = row.get("answer")
                    if isinstance(answer, str):
                        answer = _CALC.sub("", answer)
                    self.math.append((row["question"], answer))
        for row in _json(root / "coding" / "gpteacher_codegen_instruct.json"):
            text = row.get("instruction", "")
            if row.get("input"):
                text = f"{text}\n{row['input']}"
            if _ok(text):
                self.code.append((text, row.get("response") or None))
        for row in _json(root / "tool_use" / "gpteacher_toolformer_sim0.6.json"):
            text = row.get("instruction", "")
            if row.get("input"):
                text = f"{text}\n\nInput: {row['input']}"
            if _ok(text):
                self.tool.append((text, row.get("response") or None))
        batch = root / "batch"
        if batch.is_dir():
            for path in sorted(batch.glob("t0_*.jsonl")):
                items = [(row["prompt"], row.get("completion", "").replace("<|endoftext|>", ""))
                         for row in _jsonl(path) if _ok(row.get("prompt"))]
                if items:
                    self.t0.append(items)

    def local(self, r: random.Random, lang: str) -> str | None:
        pool = self.raw["chat_local"].get(lang) or []
        return r.choice(pool) if pool else None

    def cot(self, r: random.Random, lang: str = "en") -> str:
        return str(r.choice(self.raw["cot"][lang]))

    def opening(self, r: random.Random, kind: str, answer: str | None = None) -> str:
        if answer:
            return answer[: r.randint(180, 640)]
        return str(r.choice(self.raw["openings"][kind]))


@lru_cache(maxsize=4)
def load_texts(corpus: str | None) -> Texts:
    return Texts(Path(corpus) if corpus else None)


# ---- clocks -------------------------------------------------------------------------------

PROFILES: dict[str, tuple[float, ...]] = {
    "consumer": (2.2, 1.3, .7, .4, .3, .4, .8, 1.5, 2.4, 3, 3.2, 3.5, 3.8, 3.5, 3.4, 3.5, 3.8, 4.2,
                 4.8, 5.5, 6, 5.6, 4.6, 3.3),
    "office": (.2, .1, .1, .1, .1, .2, .6, 2, 5, 7, 7.5, 7, 5.5, 6.5, 7, 6.8, 6, 4.5, 2.5, 1.5, 1,
               .8, .5, .3),
    "developer": (1.6, 1, .6, .4, .3, .3, .5, 1.2, 2.5, 4, 4.8, 5, 4.5, 4.8, 5, 5, 4.8, 4.4, 4, 4.2,
                  4.5, 4.2, 3.4, 2.4),
    "operator": (3, 2, 1.2, .6, .5, .6, 1.5, 3, 5, 6, 6, 5.5, 5, 6, 6, 6, 5.5, 5, 4.5, 5, 5, 4.5, 4,
                 3.5),
    "flat": tuple([1.0] * 24),
}
_PEAK = {name: max(p) for name, p in PROFILES.items()}
_CUM = {name: list(accumulate(p)) for name, p in PROFILES.items()}


def local_hour(ts: int, offset: float) -> float:
    return ((ts - START) / HOUR + offset) % 24.0


def local_weekend(ts: int, offset: float) -> bool:
    day = int(((ts - START) / HOUR + offset) // 24)
    return day % 7 in (5, 6)


def at(r: random.Random, offset: float, profile: str, lo: int = START, hi: int = END,
       weekend: float = 1.0) -> int:
    """A moment in ``[lo, hi)`` drawn by the local-hour profile (``weekend`` scales Saturdays
    and Sundays)."""
    lo = max(lo, START)
    hi = min(hi, END)
    if hi <= lo:
        return lo
    weights = PROFILES[profile]
    peak = _PEAK[profile] * max(1.0, weekend)
    t = lo
    for _ in range(40):
        t = lo + int(r.random() * (hi - lo))
        w = weights[int(local_hour(t, offset))]
        if local_weekend(t, offset):
            w *= weekend
        if r.random() * peak < w:
            return t
    return t


def hour_of(r: random.Random, profile: str) -> int:
    cum = _CUM[profile]
    return bisect(cum, r.random() * cum[-1])


# ---- accounts and events ------------------------------------------------------------------


@dataclass
class Acct:
    account_id: str
    archetype: str
    campaign_id: str | None
    created: int
    email: str | None
    org_id: str | None
    payment: str | None
    access_path: str
    country: str
    tier: str
    verified: bool
    declared_use: str | None = None
    contract: bool = False
    keys: list[str] = field(default_factory=list)


_COLUMNS = tuple(c for c in EVENT_COLUMNS if c != "request_id")


class World:
    """The accounts and the event columns, the release moment and shared networks."""

    def __init__(self, seed: int, scale: float, corpus: Path | None) -> None:
        self.seed = seed
        self.scale = scale
        r = self.rng("world")
        #: Thursday 19 November between 16:00 and 21:00 UTC.
        self.release = START + 3 * DAY + 16 * HOUR + r.randrange(5 * HOUR)
        self.text = load_texts(str(corpus) if corpus else None)
        self.net = Networks(self.rng("networks"))
        self.cols: dict[str, list[Any]] = {c: [] for c in _COLUMNS}
        self.accounts: list[Acct] = []
        self._ids: set[str] = set()
        self._id_rng = self.rng("ids")

    def rng(self, *names: str) -> random.Random:
        return sub_rng(self.seed, *names)

    def count(self, r: random.Random, lo: float, hi: float, minimum: int) -> int:
        return max(minimum, round(r.uniform(lo, hi) * self.scale))

    def uid(self, prefix: str, n: int = 12) -> str:
        while True:
            value = f"{prefix}{hexid(self._id_rng, n)}"
            if value not in self._ids:
                self._ids.add(value)
                return value

    def account(self, archetype: str, campaign_id: str | None, *, created: int,
                email: str | None, country: str, payment: str | None = None,
                org_id: str | None = None, access_path: str = "direct", tier: str | None = None,
                verified: bool = False, declared_use: str | None = None, contract: bool = False,
                keys: int = 1) -> Acct:
        if tier is None:
            tier = "pay_as_you_go" if payment else "free"
        a = Acct(self.uid("acct_", 14), archetype, campaign_id, created, email, org_id, payment,
                 access_path, country, tier, verified, declared_use, contract,
                 [self.uid("key_", 16) for _ in range(max(1, keys))])
        self.accounts.append(a)
        return a

    def model(self, r: random.Random, ts: int, adopt: float = 0.3, lite: float = 0.08,
              ramp: int = DAY) -> str:
        """The model a request asks for: the new one after the release with a probability
        that grows to ``adopt`` over ``ramp``."""
        if ts >= self.release and adopt > 0:
            p = adopt * min(1.0, 0.2 + (ts - self.release) / ramp)
            if r.random() < p:
                return NEW
        return LITE if r.random() < lite else OLD

    def emit(self, a: Acct, ts: int, prompt: str | None, model: str, ip: str | None,
             cl: Client, key: str | None, *, system: str | None = None, conv: str | None = None,
             turn: int | None = None, response: str | None = None, pt: int | None = None,
             ct: int | None = None, max_tokens: int | None = None,
             temperature: float | None = None, n: int | None = None,
             logprobs: bool | None = None, tools: int | None = None, status: str = "ok",
             country: str | None = None) -> bool:
        """Append one request (dropped when it falls outside the window or before the
        account exists)."""
        if ts < START or ts >= END or ts <= a.created:
            return False
        if model == NEW and ts < self.release:
            model = OLD
        if pt is None:
            pt = tok(prompt) + tok(system) + 3
        if status == "error":
            response, ct = None, 0
        elif status == "refused":
            response, ct = "I can't help with that request.", 9
        elif ct is None:
            ct = tok(response)
        c = self.cols
        c["timestamp"].append(ts)
        c["account_id"].append(a.account_id)
        c["prompt"].append(prompt)
        c["org_id"].append(a.org_id)
        c["api_key_id"].append(key)
        c["ip"].append(ip)
        c["user_agent"].append(cl[0])
        c["tls_fingerprint"].append(cl[1])
        c["payment_fingerprint"].append(a.payment)
        c["email"].append(a.email)
        c["account_created_at"].append(a.created)
        c["access_path"].append(a.access_path)
        c["country"].append(country or a.country)
        c["model"].append(model)
        c["system_prompt"].append(system)
        c["conversation_id"].append(conv)
        c["turn"].append(turn)
        c["response"].append(response)
        c["prompt_tokens"].append(pt)
        c["completion_tokens"].append(ct)
        c["max_tokens"].append(max_tokens)
        c["temperature"].append(temperature)
        c["n"].append(n)
        c["logprobs"].append(logprobs)
        c["tool_count"].append(tools)
        c["status"].append(status)
        return True


def status(r: random.Random, err: float = 0.01, refused: float = 0.002) -> str:
    x = r.random()
    if x < err:
        return "error"
    if x < err + refused:
        return "refused"
    return "ok"


def gaps(r: random.Random, t0: int, k: int, median_s: float, sigma: float = 0.7,
         lo_s: float = 2.0, hi_s: float = 1800.0) -> list[int]:
    """``k`` moments starting at ``t0``, separated by log-normal pauses."""
    out = [t0]
    t = t0
    for _ in range(k - 1):
        t += int(lognorm(r, median_s, sigma, lo_s, hi_s) * SEC)
        out.append(t)
    return out
