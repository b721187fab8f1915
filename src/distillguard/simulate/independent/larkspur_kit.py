"""Larkspur's toolkit: the clock, random streams, texts, networks, client stacks,
identities, accounts and the vectorised ``emit`` that turns one group's draws into event
columns (see LARKSPUR.md)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

US = 1_000_000
MINUTE = 60 * US
HOUR = 60 * MINUTE
DAY = 24 * HOUR
START = int(datetime(2026, 11, 4, tzinfo=UTC).timestamp()) * US  # a Wednesday
DAYS = 9
END = START + DAYS * DAY
OLD, FLASH, NEW = "lumen-2", "lumen-2-flash", "lumen-3"

Obj = np.ndarray  # an object array of str or None


def sub_rng(seed: int, name: str) -> np.random.Generator:
    digest = hashlib.sha256(f"larkspur/{seed}/{name}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))


_HEX = np.array(list("0123456789abcdef"))


def hexids(rng: np.random.Generator, n: int, prefix: str, width: int = 16) -> Obj:
    """``n`` random hex identifiers, vectorised (no Python loop over the values)."""
    raw = rng.integers(0, 2**63 - 1, size=n, dtype=np.int64).astype(np.uint64)
    shifts = np.arange(60, -4, -4, dtype=np.uint64)[16 - width :]
    nib = ((raw[:, None] >> shifts[None, :]) & np.uint64(15)).astype(np.int64)
    text = np.ascontiguousarray(_HEX[nib]).view(f"<U{width}").ravel()
    return (prefix + text.astype(object)).astype(object)


def cat(*parts: Any) -> Obj:
    """Element-wise concatenation of object arrays and plain strings."""
    out: Any = parts[0]
    for p in parts[1:]:
        out = out + p
    return np.asarray(out, dtype=object)


def where(cond: Any, a: Any, b: Any) -> np.ndarray:
    """``np.where`` for object arrays that may hold None."""
    return np.asarray(np.where(cond, a, b))


def istr(values: np.ndarray) -> Obj:
    return np.asarray(values).astype(np.int64).astype(str).astype(object)


# ---- texts ------------------------------------------------------------------------------


class Texts:
    """Prompt and response pools: our own texts, extended with real prompts from a corpus."""

    def __init__(self, corpus: Path | None) -> None:
        raw = json.loads((Path(__file__).with_name("larkspur_text.json")).read_text("utf-8"))
        self.raw = raw
        self.pool: dict[str, Obj] = {}
        for key, value in raw.items():
            if key == "responses":
                continue
            if value and isinstance(value[0], list):
                self.pool[key + "_pre"] = _obj([v[0] for v in value])
                self.pool[key + "_post"] = _obj([v[1] for v in value])
            else:
                self.pool[key] = _obj(value)
        self.responses = {k: _obj(v) for k, v in raw["responses"].items()}
        self.conversations: list[list[str]] = []
        self.has_corpus = corpus is not None and corpus.is_dir()
        if self.has_corpus:
            assert corpus is not None
            self._load(corpus)
        if not self.conversations:
            chat = list(raw["chat"])
            self.conversations = [
                [chat[i], "Can you make it shorter?", "Thanks, and one more variation please."]
                for i in range(len(chat))
            ]

    def _load(self, root: Path) -> None:
        def lines(rel: str) -> list[dict[str, Any]]:
            p = root / rel
            if not p.exists():
                return []
            return [json.loads(x) for x in p.read_text("utf-8").split("\n") if x.strip()]

        def whole(rel: str) -> list[dict[str, Any]]:
            p = root / rel
            return json.loads(p.read_text("utf-8")) if p.exists() else []

        human = [r["prompt"] for r in lines("human/arena_hard_v0.1_questions.jsonl")]
        human += [
            r["prompt"]
            for r in lines("human/arena_hard_v2.0_questions.jsonl")
            if r.get("subcategory") != "coding"
        ]
        code2 = [
            r["prompt"]
            for r in lines("human/arena_hard_v2.0_questions.jsonl")
            if r.get("subcategory") == "coding"
        ]
        multi = lines("human/mt_bench_questions.jsonl") + lines(
            "human/vicuna_bench_questions.jsonl"
        )
        human += [r["turns"][0] for r in multi]
        for r in lines("human/self_instruct_user_oriented.jsonl"):
            inst = r.get("instances") or [{}]
            human.append((r["instruction"] + "\n" + str(inst[0].get("input", ""))).strip())
        human = [h for h in human if len(h) < 6000]
        self.pool["chat"] = _obj(list(self.pool["chat"]) + human)
        self.conversations = [list(r["turns"]) for r in multi if len(r["turns"]) > 1]
        self.conversations += [[h] for h in human[:400]]
        gsm = [r["question"] for r in lines("reasoning/gsm8k_train.jsonl")]
        gsm += [r["question"] for r in lines("reasoning/gsm8k_test.jsonl")]
        if gsm:
            self.pool["gsm"] = _obj(gsm)
        code = [
            (r["instruction"] + ("\n" + r["input"] if r.get("input") else ""))
            for r in whole("coding/gpteacher_codegen_instruct.json")
        ]
        self.pool["coding"] = _obj(list(self.pool["coding"]) + code + code2)
        tools = [
            (r["instruction"].split("\n")[-1] + ": " + r.get("input", "")).strip()
            for r in whole("tool_use/gpteacher_toolformer_sim0.6.json")
        ]
        if tools:
            self.pool["tool_tasks"] = _obj(list(self.pool["tool_tasks"]) + tools)
        batch: list[str] = []
        for name in (
            "t0_amazon_polarity_Is_this_product_review_positive.jsonl",
            "t0_ag_news_classify.jsonl",
            "t0_app_reviews_convert_to_star_rating.jsonl",
        ):
            batch += [r["prompt"] for r in lines("batch/" + name)]
        if batch:
            self.pool["t0"] = _obj(batch)
        answers = lines("responses/arena_hard_v0.1_gpt-4-0314_answers.jsonl")
        heads = []
        for r in answers:
            try:
                heads.append(r["messages"][1]["content"]["answer"][:240])
            except (KeyError, IndexError, TypeError):
                continue
        if heads:
            self.responses["chat"] = _obj(list(self.responses["chat"]) + heads)

    def pick(self, rng: np.random.Generator, key: str, n: int) -> Obj:
        pool = self.pool[key]
        return pool[rng.integers(0, len(pool), n)]

    def math(self, rng: np.random.Generator, n: int) -> Obj:
        if "gsm" in self.pool:
            use = rng.random(n) < 0.7
            return np.where(use, self.pick(rng, "gsm", n), self.pick(rng, "math", n))
        return self.pick(rng, "math", n)

    def framed(self, rng: np.random.Generator, frame: str, fill: str, n: int) -> Obj:
        i = rng.integers(0, len(self.pool[frame + "_pre"]), n)
        return cat(
            self.pool[frame + "_pre"][i], self.pick(rng, fill, n), self.pool[frame + "_post"][i]
        )

    def chat_mix(self, rng: np.random.Generator, n: int) -> Obj:
        """What ordinary people ask: free questions, explain-a-topic frames, some code."""
        u = rng.random(n)
        out = self.pick(rng, "chat", n)
        out = np.where(u < 0.2, self.framed(rng, "chat_frames", "topics", n), out)
        out = np.where(u > 0.9, self.pick(rng, "coding", n), out)
        return out

    def code_mix(self, rng: np.random.Generator, n: int) -> Obj:
        u = rng.random(n)
        made = cat(
            "Implement ",
            self.pick(rng, "code_tasks", n),
            " in ",
            self.pick(rng, "langs", n),
            np.where(rng.random(n) < 0.5, ".", " with tests."),
        )
        return np.where(u < 0.35, made, self.pick(rng, "coding", n))

    def reply(self, rng: np.random.Generator, kind: str, n: int) -> Obj:
        pool = self.responses.get(kind, self.responses["chat"])
        return pool[rng.integers(0, len(pool), n)]


def _obj(values: list[Any]) -> Obj:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


# ---- places, networks and clients -------------------------------------------------------

#: country → (UTC offset in hours, first octets of home broadband ranges, mail domains)
COUNTRIES: dict[str, tuple[int, tuple[int, ...], tuple[str, ...]]] = {
    "US": (-6, (24, 67, 73, 98, 71, 108), ("gmail.com", "yahoo.com", "outlook.com", "icloud.com")),
    "CA": (-5, (99, 142, 174), ("gmail.com", "outlook.com", "yahoo.ca")),
    "GB": (0, (81, 86, 90, 82), ("gmail.com", "outlook.com", "btinternet.com", "icloud.com")),
    "DE": (1, (79, 84, 91, 93), ("gmail.com", "gmx.de", "web.de", "t-online.de")),
    "FR": (1, (78, 82, 90, 86), ("gmail.com", "orange.fr", "free.fr", "outlook.fr")),
    "NL": (1, (77, 84, 145), ("gmail.com", "outlook.com", "ziggo.nl")),
    "PL": (1, (83, 89, 178), ("gmail.com", "wp.pl", "o2.pl")),
    "ES": (1, (79, 83, 88), ("gmail.com", "hotmail.es", "outlook.es")),
    "IN": (5, (49, 103, 117, 122), ("gmail.com", "yahoo.co.in", "outlook.com", "rediffmail.com")),
    "BR": (-3, (177, 179, 186, 189), ("gmail.com", "hotmail.com", "outlook.com", "uol.com.br")),
    "MX": (-6, (187, 189, 201), ("gmail.com", "hotmail.com", "outlook.com")),
    "JP": (9, (60, 111, 126, 153), ("gmail.com", "yahoo.co.jp", "icloud.com", "docomo.ne.jp")),
    "KR": (9, (58, 121, 175, 211), ("naver.com", "gmail.com", "daum.net")),
    "TW": (8, (1, 36, 114, 118), ("gmail.com", "yahoo.com.tw", "outlook.com")),
    "SG": (8, (116, 119, 175), ("gmail.com", "outlook.com", "yahoo.com.sg")),
    "HK": (8, (42, 58, 112), ("gmail.com", "yahoo.com.hk", "outlook.com")),
    "VN": (7, (14, 113, 171), ("gmail.com", "yahoo.com.vn")),
    "ID": (7, (36, 110, 114), ("gmail.com", "yahoo.co.id")),
    "AU": (10, (1, 49, 120, 124), ("gmail.com", "outlook.com", "bigpond.com")),
    "NG": (1, (41, 102, 105), ("gmail.com", "yahoo.com")),
}
#: the share of ordinary users in each country (the bulk is US and Europe)
PEOPLE_MIX = {
    "US": 0.30,
    "GB": 0.07,
    "DE": 0.07,
    "FR": 0.05,
    "IN": 0.09,
    "BR": 0.06,
    "CA": 0.04,
    "JP": 0.05,
    "KR": 0.03,
    "NL": 0.02,
    "PL": 0.03,
    "ES": 0.03,
    "MX": 0.02,
    "TW": 0.02,
    "SG": 0.02,
    "VN": 0.02,
    "ID": 0.03,
    "AU": 0.03,
    "NG": 0.02,
}
LOCAL_LANG = {"BR", "MX", "ES", "DE", "FR", "JP", "KR", "ID", "VN", "PL", "NL"}
CLOUD = {
    "aws": (3, 18, 52, 54),
    "gcp": (34, 35),
    "azure": (20, 40, 52),
    "vps": (45, 104, 139, 159, 5),
}


def octets(rng: np.random.Generator, first: np.ndarray | tuple[int, ...], n: int) -> Obj:
    a = np.asarray(first)[rng.integers(0, len(first), n)] if isinstance(first, tuple) else first
    b, c, d = rng.integers(0, 256, n), rng.integers(0, 256, n), rng.integers(1, 255, n)
    return cat(istr(a), ".", istr(b), ".", istr(c), ".", istr(d))


def home_ips(rng: np.random.Generator, countries: Obj) -> Obj:
    firsts = np.array([COUNTRIES[c][1][rng.integers(0, len(COUNTRIES[c][1]))] for c in countries])
    return octets(rng, firsts, len(countries))


def cloud_ips(rng: np.random.Generator, provider: str, n: int) -> Obj:
    return octets(rng, CLOUD[provider], n)


def subnet_ips(rng: np.random.Generator, prefix: str, n: int) -> Obj:
    """Addresses in one /24 (``prefix`` is its first three octets)."""
    return cat(prefix + ".", istr(rng.integers(2, 254, n)))


def nat_table(seed: int) -> dict[str, Obj]:
    """Carrier-grade NAT: a handful of exit addresses per country, shared by everyone on
    a phone network (100.64/10 is never seen outside, so these are public carrier ranges)."""
    rng = sub_rng(seed, "nat")
    return {c: octets(rng, COUNTRIES[c][1], 6) for c in COUNTRIES}


#: client stacks: (user agents, TLS fingerprint). The popular ones are used by thousands.
STACKS: dict[str, tuple[tuple[str, ...], str]] = {
    "py_sdk": (
        (
            "lumen-python/1.8.2",
            "lumen-python/1.9.0",
            "lumen-python/1.9.1",
            "OpenAI/Python 1.54.4",
            "OpenAI/Python 1.57.0",
        ),
        "t13d1812h2_85036bcba153_b0da82dd1658",
    ),
    "node_sdk": (
        ("lumen-node/2.3.1", "lumen-node/2.4.0", "OpenAI/JS 4.73.0"),
        "t13d1516h2_8daaf6152771_e5627efa2ab1",
    ),
    "httpx": (
        ("python-httpx/0.27.2", "python-httpx/0.28.1"),
        "t13d1812h2_85036bcba153_b0da82dd1658",
    ),
    "requests": (
        ("python-requests/2.32.3", "python-requests/2.31.0"),
        "t13d1812h1_85036bcba153_9a1c5e2b7f30",
    ),
    "chrome": (
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/130.0.0.0 Safari/537.36",
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like "
            "Gecko) Chrome/131.0.0.0 Safari/537.36",
        ),
        "t13d1516h2_8daaf6152771_02713d6af862",
    ),
    "safari": (
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like "
            "Gecko) Version/18.1 Safari/605.1.15",
        ),
        "t13d2014h2_a09f3c656075_14788d8d241b",
    ),
    "ios": (
        (
            "LumenChat/4.2.1 (iPhone; iOS 18.1; Scale/3.00)",
            "LumenChat/4.3.0 (iPhone; iOS 18.1.1; Scale/3.00)",
        ),
        "t13d2014h2_a09f3c656075_e42f34c56612",
    ),
    "android": (
        ("okhttp/4.12.0", "LumenChat/4.2.0 (Android 15; Pixel 8)"),
        "t13d1715h2_5b57614c22b0_93bf2b4e4c8a",
    ),
    "go": (("Go-http-client/2.0",), "t13d1311h2_f57a46bbacb6_ab7e3b40a677"),
    "curl": (("curl/8.5.0", "curl/8.9.1"), "t13d3112h2_e8f1e7e78f70_6b2c0b1dfbc2"),
    "java": (
        ("Java-http-client/21.0.4", "Apache-HttpClient/5.3.1 (Java/17.0.12)"),
        "t13d1911h2_4c8a1d5b9e02_1f0e5bd4c2a3",
    ),
    "langchain": (
        ("langchain-lumen/0.3.2 lumen-python/1.9.0",),
        "t13d1812h2_85036bcba153_b0da82dd1658",
    ),
    "agent_cli": (
        (
            "lumen-code/1.4.7 (node 22.11.0; darwin arm64)",
            "lumen-code/1.4.9 (node 22.11.0; linux x64)",
        ),
        "t13d1516h2_8daaf6152771_e5627efa2ab1",
    ),
}


def stack_pick(
    rng: np.random.Generator, names: list[str], weights: list[float], n: int
) -> tuple[Obj, Obj]:
    """Per account: a user agent (a version of its stack) and the stack's TLS fingerprint."""
    p = np.asarray(weights, float) / sum(weights)
    which = rng.choice(len(names), size=n, p=p)
    ua = np.empty(n, object)
    tls = np.empty(n, object)
    for k, name in enumerate(names):
        m = which == k
        uas, fp = STACKS[name]
        ua[m] = np.asarray(uas, object)[rng.integers(0, len(uas), int(m.sum()))]
        tls[m] = fp
    return ua, tls


# ---- people -----------------------------------------------------------------------------

FIRST = (
    "james",
    "maria",
    "wei",
    "anna",
    "luis",
    "sara",
    "david",
    "yuki",
    "min",
    "olga",
    "ahmed",
    "fatima",
    "john",
    "emma",
    "lucas",
    "sofia",
    "raj",
    "priya",
    "chen",
    "li",
    "tom",
    "julia",
    "marco",
    "laura",
    "ivan",
    "kenji",
    "hana",
    "pedro",
    "ana",
    "paul",
    "nina",
    "omar",
    "eva",
    "alex",
    "daniel",
    "mia",
    "noah",
    "zoe",
    "ben",
    "kate",
    "mateus",
    "thu",
    "budi",
    "jan",
)
LAST = (
    "smith",
    "garcia",
    "wang",
    "kim",
    "muller",
    "rossi",
    "silva",
    "nguyen",
    "patel",
    "kowalski",
    "tanaka",
    "brown",
    "lee",
    "martin",
    "singh",
    "santos",
    "novak",
    "dubois",
    "jones",
    "park",
    "sato",
    "lopez",
    "schmidt",
    "costa",
    "chen",
    "ivanova",
    "wright",
    "haddad",
    "okafor",
    "berg",
)


def person_emails(
    rng: np.random.Generator, countries: Obj, *, domain: str | None = None, style: str = "personal"
) -> Obj:
    """One address per account (a loop over accounts)."""
    out = np.empty(len(countries), object)
    for i, c in enumerate(countries):
        f, last = FIRST[rng.integers(len(FIRST))], LAST[rng.integers(len(LAST))]
        dom = domain or COUNTRIES[c][2][min(rng.geometric(0.55) - 1, len(COUNTRIES[c][2]) - 1)]
        k = rng.integers(6) if style == "personal" else 0
        local = (
            f"{f}.{last}",
            f"{f}{last}{rng.integers(1, 99)}",
            f"{f[0]}{last}",
            f"{f}_{last[:3]}{rng.integers(70, 100)}",
            f"{f}{rng.integers(1980, 2006)}",
            f"{last}.{f}",
        )[k]
        if style == "bulk":
            local = (
                f"{f}{last}{rng.integers(100, 9999)}",
                f"{f}.{last}{rng.integers(10, 999)}",
                f"{last}{f[0]}{rng.integers(1000, 99999)}",
            )[rng.integers(3)]
        out[i] = f"{local}@{dom}"
    return out


def payments(rng: np.random.Generator, n: int) -> Obj:
    return hexids(rng, n, "pm_", 16)


# ---- accounts and events ---------------------------------------------------------------


@dataclass
class Accounts:
    """One group's accounts, as arrays; ``ip``, ``ua``/``tls`` and ``keys`` are slot
    matrices an event picks from."""

    ids: Obj
    archetype: str
    campaign: str | None
    created: np.ndarray
    country: Obj
    org: Obj
    pay: Obj
    email: Obj
    path: Obj
    tier: Obj
    tz: np.ndarray
    ip: Obj  # (n, k)
    ua: Obj  # (n, 2)
    tls: Obj  # (n, 2)
    keys: Obj  # (n, 3)
    verified: np.ndarray
    declared: Obj
    contract: np.ndarray
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.ids)


def _cols(n: int, value: Any) -> Obj:
    out = np.empty(n, object)
    out[:] = [value] * n if isinstance(value, (list, tuple)) else value
    return out


class World:
    """Everything generated so far: the groups' accounts and event column chunks."""

    def __init__(self, seed: int, scale: float, corpus: Path | None) -> None:
        self.seed, self.scale = seed, scale
        self.text = Texts(corpus)
        self.nat = nat_table(seed)
        r = sub_rng(seed, "release")
        self.release = START + 5 * DAY + int(r.integers(15 * 60, 19 * 60)) * MINUTE
        self.groups: list[Accounts] = []
        self.chunks: list[dict[str, Any]] = []

    def rng(self, name: str) -> np.random.Generator:
        return sub_rng(self.seed, name)

    def count(self, rng: np.random.Generator, lo: int, hi: int, minimum: int = 1) -> int:
        return max(minimum, round(int(rng.integers(lo, hi + 1)) * self.scale))

    def accounts(
        self,
        rng: np.random.Generator,
        n: int,
        archetype: str,
        *,
        campaign: str | None = None,
        created: np.ndarray,
        country: Obj | str,
        org: Obj | None = None,
        pay: Obj | None = None,
        email: Obj | None = None,
        path: Obj | str = "direct",
        tier: Obj | str = "pay_as_you_go",
        ip: Obj,
        ua: Obj,
        tls: Obj,
        keys: int | np.ndarray = 1,
        verified: np.ndarray | bool = False,
        declared: Obj | str | None = None,
        contract: np.ndarray | bool = False,
    ) -> Accounts:
        countries = country if isinstance(country, np.ndarray) else _cols(n, country)
        ua2 = ua if ua.ndim == 2 else np.stack([ua, ua], axis=1)
        tls2 = tls if tls.ndim == 2 else np.stack([tls, tls], axis=1)
        ip2 = ip if ip.ndim == 2 else ip[:, None]
        nkeys = np.broadcast_to(np.asarray(keys), (n,))
        raw_keys = hexids(rng, 3 * n, "key_", 12).reshape(n, 3)
        slot = np.minimum(np.arange(3)[None, :], nkeys[:, None] - 1)
        key_mat = np.take_along_axis(raw_keys, slot, axis=1)
        acc = Accounts(
            ids=hexids(rng, n, "acct_", 14),
            archetype=archetype,
            campaign=campaign,
            created=np.asarray(created, np.int64),
            country=countries,
            org=org if org is not None else hexids(rng, n, "org_", 12),
            pay=pay if pay is not None else _cols(n, None),
            email=email if email is not None else person_emails(rng, countries),
            path=path if isinstance(path, np.ndarray) else _cols(n, path),
            tier=tier if isinstance(tier, np.ndarray) else _cols(n, tier),
            tz=np.array([COUNTRIES[c][0] for c in countries], np.int64),
            ip=ip2,
            ua=ua2,
            tls=tls2,
            keys=key_mat,
            verified=np.broadcast_to(np.asarray(verified, bool), (n,)).copy(),
            declared=declared if isinstance(declared, np.ndarray) else _cols(n, declared),
            contract=np.broadcast_to(np.asarray(contract, bool), (n,)).copy(),
        )
        self.groups.append(acc)
        return acc

    # -- event columns -----------------------------------------------------------------

    def emit(
        self,
        acc: Accounts,
        rng: np.random.Generator,
        idx: np.ndarray,
        t: np.ndarray,
        *,
        prompt: Obj,
        kind: str,
        model: Obj | str,
        out_tokens: np.ndarray,
        system: Obj | str | None = None,
        conv: Obj | None = None,
        turn: np.ndarray | int = 0,
        ip: Obj | None = None,
        ip_p: list[float] | None = None,
        ua_p: float = 0.0,
        key_p: list[float] | None = None,
        max_tokens: np.ndarray | int = -1,
        temperature: np.ndarray | float = 1.0,
        n: np.ndarray | int = 1,
        logprobs: np.ndarray | bool = False,
        tools: np.ndarray | int = 0,
        history: np.ndarray | int = 0,
        err: float = 0.008,
        refuse: float = 0.002,
        response: Obj | None = None,
    ) -> int:
        """Append one batch of events of ``acc`` (``idx`` into its accounts, ``t`` in µs);
        events outside the window or before their account's creation are dropped."""
        idx = np.asarray(idx, np.int64)
        t = np.asarray(t, np.int64)
        m = len(idx)
        if m == 0:
            return 0

        def full(v: Any, dtype: Any = object) -> np.ndarray:
            if isinstance(v, np.ndarray) and v.shape == (m,):
                return v
            out = np.empty(m, dtype)
            out[:] = v
            return out

        if ip is None:
            k = acc.ip.shape[1]
            p = np.asarray(ip_p if ip_p is not None else [1.0] * k, float)[:k]
            slot = rng.choice(k, size=m, p=p / p.sum())
            ip = acc.ip[idx, slot]
        uslot = (rng.random(m) < ua_p).astype(np.int64)
        kp = np.asarray(key_p if key_p is not None else [0.7, 0.2, 0.1], float)
        kslot = rng.choice(3, size=m, p=kp / kp.sum())
        prompt = full(prompt)
        system_a = full(system)
        plen = pc.utf8_length(pa.array(prompt, pa.string())).to_numpy(zero_copy_only=False)
        slen = pc.fill_null(pc.utf8_length(pa.array(system_a, pa.string())), 0).to_numpy(
            zero_copy_only=False
        )
        hist = full(history, np.int64)
        ptok = (
            (plen + slen) / 3.6 + hist + full(tools, np.int64) * 140 + rng.integers(3, 12, m)
        ).astype(np.int64)
        mt = full(max_tokens, np.int64)
        out = np.maximum(1, np.asarray(out_tokens, np.int64))
        out = np.where(mt > 0, np.minimum(out, mt), out)
        u = rng.random(m)
        status = np.where(u < err, "error", np.where(u < err + refuse, "refused", "ok")).astype(
            object
        )
        resp = response if response is not None else self.text.reply(rng, kind, m)
        resp = where(
            status == "ok",
            full(resp),
            where(status == "refused", self.text.reply(rng, "refuse", m), None),
        )
        out = np.where(
            status == "ok", out, np.where(status == "refused", rng.integers(8, 30, m), 0)
        )
        if conv is None:
            conv = hexids(rng, m, "conv_", 16)
        chunk = {
            "timestamp": t,
            "account_id": acc.ids[idx],
            "prompt": prompt,
            "org_id": acc.org[idx],
            "api_key_id": acc.keys[idx, kslot],
            "ip": ip,
            "user_agent": acc.ua[idx, uslot],
            "tls_fingerprint": acc.tls[idx, uslot],
            "payment_fingerprint": acc.pay[idx],
            "email": acc.email[idx],
            "account_created_at": acc.created[idx],
            "access_path": acc.path[idx],
            "country": acc.country[idx],
            "model": full(model),
            "system_prompt": system_a,
            "conversation_id": conv,
            "turn": full(turn, np.int64),
            "response": resp,
            "prompt_tokens": ptok,
            "completion_tokens": out,
            "max_tokens": mt,
            "temperature": full(temperature, float),
            "n": full(n, np.int64),
            "logprobs": full(logprobs, bool),
            "tool_count": full(tools, np.int64),
            "status": status,
        }
        keep = (t > acc.created[idx]) & (t >= START) & (t < END)
        if not keep.all():
            chunk = {k: v[keep] for k, v in chunk.items()}
        self.chunks.append(chunk)
        return int(keep.sum())


# ---- clocks -----------------------------------------------------------------------------

PROFILES = {
    # local-hour weights, 0..23
    "evening": [
        1,
        0.6,
        0.3,
        0.2,
        0.1,
        0.1,
        0.3,
        0.8,
        1.4,
        1.8,
        2,
        2.2,
        2.4,
        2.2,
        2,
        2.1,
        2.4,
        2.8,
        3.4,
        4,
        4.4,
        4.2,
        3.2,
        2,
    ],
    "office": [
        0.1,
        0.05,
        0.05,
        0.05,
        0.05,
        0.1,
        0.3,
        1,
        3,
        5,
        5.5,
        5,
        3.5,
        4.5,
        5,
        5,
        4.5,
        3,
        1.5,
        0.8,
        0.6,
        0.5,
        0.3,
        0.2,
    ],
    "student": [
        2,
        1.2,
        0.6,
        0.2,
        0.1,
        0.1,
        0.2,
        0.6,
        1.5,
        2.5,
        3,
        3,
        2.6,
        2.8,
        3,
        3,
        2.8,
        2.8,
        3,
        3.4,
        3.8,
        4,
        3.6,
        3,
    ],
    "flat": [1.0] * 24,
    "owl": [
        3,
        3,
        2.5,
        2,
        1.2,
        0.6,
        0.3,
        0.3,
        0.5,
        1,
        1.5,
        2,
        2,
        2,
        2,
        2,
        2.2,
        2.4,
        2.6,
        3,
        3.2,
        3.4,
        3.6,
        3.4,
    ],
}
WEEKEND = {"evening": 1.15, "office": 0.15, "student": 0.9, "flat": 1.0, "owl": 1.1}


def day_of_week(t: np.ndarray, tz: np.ndarray) -> np.ndarray:
    """0 = Monday (START is a Wednesday)."""
    local_day = (t + tz * HOUR - START) // DAY
    return (local_day + 2) % 7


def session_starts(
    rng: np.random.Generator,
    acc: Accounts,
    owner: np.ndarray,
    profile: str,
    lo: np.ndarray | None = None,
    hi: np.ndarray | None = None,
) -> np.ndarray:
    """One start per session (``owner`` = its account): a day in the account's active range,
    a local hour from ``profile``, thinned at weekends (or on weekdays) for the profile."""
    n = len(owner)
    lo_t = np.maximum(acc.created[owner], START) if lo is None else lo
    hi_t = np.full(n, END) if hi is None else hi
    span = np.maximum(hi_t - lo_t, HOUR)
    d0 = (lo_t - START) // DAY - 1
    d1 = (hi_t - START) // DAY + 1
    day = d0 + (rng.random(n) * (d1 - d0 + 1)).astype(np.int64)
    w = np.asarray(PROFILES[profile], float)
    hour = rng.choice(24, size=n, p=w / w.sum())
    t = START + day * DAY + (hour - acc.tz[owner]) * HOUR + rng.integers(0, HOUR, n)
    # outside the account's range: draw uniformly inside it instead of losing the session
    out = (t < lo_t) | (t >= hi_t)
    t = np.where(out, lo_t + (rng.random(n) * span).astype(np.int64), t)
    wk = day_of_week(t, acc.tz[owner]) >= 5
    factor = WEEKEND[profile]
    keep = np.where(wk, rng.random(n) < min(1.0, factor), rng.random(n) < min(1.0, 1 / factor))
    return np.where(keep, t, -1)


def expand(
    rng: np.random.Generator,
    starts: np.ndarray,
    turns: np.ndarray,
    gap_s: float,
    min_gap_s: float = 5.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sessions → events: (session index, time, turn) with exponential gaps between turns."""
    turns = np.asarray(turns, np.int64)
    rep = np.repeat(np.arange(len(starts)), turns)
    first = np.concatenate([[0], np.cumsum(turns)[:-1]]).astype(np.int64)
    gaps = (rng.exponential(gap_s, len(rep)) + min_gap_s) * US
    gaps[first[turns > 0]] = 0
    cs = np.cumsum(gaps)
    base = np.repeat(cs[first.clip(max=max(len(cs) - 1, 0))], turns) if len(cs) else cs
    t = starts[rep] + (cs - base).astype(np.int64)
    turn = np.arange(len(rep)) - np.repeat(first, turns)
    return rep, t, turn


def models_for(
    rng: np.random.Generator,
    w: World,
    t: np.ndarray,
    *,
    p_new: float,
    p_flash: float = 0.0,
    ramp_h: float = 24.0,
) -> Obj:
    """Which model each request names: ``lumen-2-flash`` at ``p_flash``; after the release
    a share ``p_new`` moves to ``lumen-3``, reached after ``ramp_h`` hours."""
    m = len(t)
    after = np.clip((t - w.release) / (ramp_h * HOUR), 0, 1)
    u = rng.random(m)
    new = (t >= w.release) & (u < p_new * np.maximum(after, 0.15 * (t >= w.release)))
    flash = rng.random(m) < p_flash
    return np.where(new, NEW, np.where(flash, FLASH, OLD)).astype(object)


def lognorm(
    rng: np.random.Generator, median: float, sigma: float, n: int, lo: int = 1, hi: int = 60000
) -> np.ndarray:
    return np.clip(rng.lognormal(np.log(median), sigma, n), lo, hi).astype(np.int64)


def created_before(
    rng: np.random.Generator,
    n: int,
    median_days: float,
    min_days: float = 1.0,
) -> np.ndarray:
    days = min_days + rng.exponential(median_days, n)
    return (START - days * DAY).astype(np.int64)
