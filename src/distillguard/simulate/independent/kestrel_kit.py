"""Kestrel's toolkit: the world (accounts and event chunks), clocks, networks, client stacks,
identities and text pools shared by the legitimate groups and the campaigns."""

from __future__ import annotations

import hashlib
import json
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

SEC = 1_000_000
MIN = 60 * SEC
HOUR = 60 * MIN
DAY = 24 * HOUR
#: 2026-10-12T00:00:00Z (a Monday) in microseconds since the epoch.
T0 = 1_791_763_200 * SEC
DAYS = 8
END = T0 + DAYS * DAY

OLD = "aerie-3"
OLD_MINI = "aerie-3-mini"
NEW = "aerie-4"

Cols = dict[str, Any]


def sub_rng(seed: int, name: str) -> np.random.Generator:
    """A generator of its own for one part of the world (stable across Python runs)."""
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


def hexid(rng: np.random.Generator, k: int) -> str:
    return "".join("0123456789abcdef"[int(v)] for v in rng.integers(0, 16, size=k))


def fp(name: str) -> str:
    """A stable 32-hex fingerprint (a JA3-like hash) for a named network stack."""
    return hashlib.md5(name.encode()).hexdigest()


# ---- client stacks: (user agent, TLS fingerprint) -------------------------------------------

TLS = {
    "py311": fp("python3.11-openssl3.0-httpx"),
    "py310": fp("python3.10-openssl1.1.1-httpx"),
    "py312": fp("python3.12-openssl3.2-httpx"),
    "requests": fp("python-urllib3-openssl3.0"),
    "node20": fp("node20-openssl3.0"),
    "node18": fp("node18-openssl3.0"),
    "go": fp("go1.22-crypto-tls"),
    "java": fp("java21-jsse"),
    "curl": fp("curl8-openssl3"),
    "chrome": fp("chrome-130-boringssl"),
    "safari": fp("safari-18-securetransport"),
    "firefox": fp("firefox-131-nss"),
    "ios": fp("ios-18-urlsession"),
    "okhttp": fp("android-okhttp4-conscrypt"),
    "dotnet": fp("dotnet8-schannel"),
    "rust": fp("rust-rustls-0.23"),
}

CHROME_UA = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
             "Chrome/{v}.0.0.0 Safari/537.36")
MAC_CHROME_UA = ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, "
                 "like Gecko) Chrome/{v}.0.0.0 Safari/537.36")
SAFARI_UA = ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, "
             "like Gecko) Version/18.{v} Safari/605.1.15")
FIREFOX_UA = "Mozilla/5.0 (X11; Linux x86_64; rv:{v}.0) Gecko/20100101 Firefox/{v}.0"


def client(rng: np.random.Generator, kind: str) -> tuple[str, str]:
    """One client's (user agent, TLS fingerprint): the version varies, the stack's TLS
    handshake is shared by everyone on that stack."""
    r = int(rng.integers(0, 9))
    if kind == "py":
        tls = ["py311", "py311", "py311", "py310", "py312", "py312"][r % 6]
        return f"aerie-python/2.{4 + r % 3}.{r}", TLS[tls]
    if kind == "py_async":
        return f"AsyncAerie/Python 2.{4 + r % 3}.{r}", TLS[["py311", "py312"][r % 2]]
    if kind == "node":
        return f"aerie-node/1.{7 + r % 3}.{r}", TLS[["node20", "node20", "node18"][r % 3]]
    if kind == "requests":
        return f"python-requests/2.{31 + r % 2}.{r % 4}", TLS["requests"]
    if kind == "httpx":
        return f"python-httpx/0.{26 + r % 3}.{r % 3}", TLS[["py311", "py312"][r % 2]]
    if kind == "go":
        return "Go-http-client/2.0", TLS["go"]
    if kind == "java":
        return f"Java-http-client/{17 + 4 * (r % 2)}.0.{r % 5}", TLS["java"]
    if kind == "curl":
        return f"curl/8.{4 + r % 6}.0", TLS["curl"]
    if kind == "dotnet":
        return f"Aerie.NET/0.{9 + r % 3}.{r}", TLS["dotnet"]
    if kind == "rust":
        return f"aerie-rs/0.{3 + r % 2}.{r}", TLS["rust"]
    if kind == "chrome":
        ua = (CHROME_UA if r % 3 else MAC_CHROME_UA).format(v=127 + r % 4)
        return ua, TLS["chrome"]
    if kind == "safari":
        return SAFARI_UA.format(v=r % 3), TLS["safari"]
    if kind == "firefox":
        return FIREFOX_UA.format(v=128 + r % 4), TLS["firefox"]
    if kind == "ios":
        return f"PocketChat/{4 + r % 2}.{r} (iPhone; iOS 18.{r % 3}; Scale/3.00)", TLS["ios"]
    if kind == "android":
        return f"okhttp/4.{10 + r % 3}.0", TLS["okhttp"]
    if kind == "litellm":
        return f"litellm/1.{48 + r % 5}.{r}", TLS[["py311", "py312"][r % 2]]
    if kind == "langchain":
        return f"langchain-aerie/0.{2 + r % 2}.{r} aerie-python/2.5.{r}", TLS["py311"]
    if kind == "agent":
        return f"codepilot-cli/0.{30 + r}.{r % 4} node/20", TLS["node20"]
    raise ValueError(kind)


def client_mix(rng: np.random.Generator, weights: dict[str, float]) -> tuple[str, str]:
    kinds = list(weights)
    p = np.array([weights[k] for k in kinds], dtype=float)
    return client(rng, kinds[int(rng.choice(len(kinds), p=p / p.sum()))])


# ---- networks -------------------------------------------------------------------------------

RESIDENTIAL = {
    "US": ["73.{}.{}.{}", "98.{}.{}.{}", "24.{}.{}.{}", "71.{}.{}.{}", "108.{}.{}.{}"],
    "GB": ["86.{}.{}.{}", "81.{}.{}.{}", "92.{}.{}.{}"],
    "DE": ["91.{}.{}.{}", "84.{}.{}.{}", "87.{}.{}.{}"],
    "FR": ["90.{}.{}.{}", "82.{}.{}.{}"],
    "IN": ["106.{}.{}.{}", "117.{}.{}.{}", "49.{}.{}.{}"],
    "BR": ["177.{}.{}.{}", "189.{}.{}.{}"],
    "JP": ["126.{}.{}.{}", "60.{}.{}.{}"],
    "KR": ["121.{}.{}.{}", "211.{}.{}.{}"],
    "CA": ["99.{}.{}.{}", "142.{}.{}.{}"],
    "SG": ["116.{}.{}.{}", "175.{}.{}.{}"],
    "VN": ["113.{}.{}.{}", "14.{}.{}.{}"],
    "ID": ["36.{}.{}.{}", "110.{}.{}.{}"],
    "NG": ["102.{}.{}.{}", "105.{}.{}.{}"],
    "PL": ["83.{}.{}.{}", "178.{}.{}.{}"],
    "AU": ["101.{}.{}.{}", "124.{}.{}.{}"],
    "TW": ["1.{}.{}.{}", "114.{}.{}.{}", "36.{}.{}.{}"],
}
COUNTRIES = list(RESIDENTIAL)
COUNTRY_P = np.array([30, 7, 6, 4, 10, 5, 4, 3, 4, 2, 2, 3, 2, 2, 3, 2], dtype=float)
COUNTRY_P /= COUNTRY_P.sum()
TZ = {"US": -6, "GB": 0, "DE": 1, "FR": 1, "IN": 5, "BR": -3, "JP": 9, "KR": 9, "CA": -5,
      "SG": 8, "VN": 7, "ID": 7, "NG": 1, "PL": 1, "AU": 10, "TW": 8}
CLOUD = {
    "aws": ["3.{}.{}.{}", "18.{}.{}.{}", "52.{}.{}.{}", "54.{}.{}.{}"],
    "gcp": ["34.{}.{}.{}", "35.{}.{}.{}"],
    "azure": ["20.{}.{}.{}", "40.{}.{}.{}", "13.{}.{}.{}"],
    "vps": ["45.{}.{}.{}", "104.{}.{}.{}", "185.{}.{}.{}", "95.{}.{}.{}", "5.{}.{}.{}",
            "138.{}.{}.{}", "167.{}.{}.{}", "159.{}.{}.{}"],
}


def _ip(rng: np.random.Generator, pattern: str) -> str:
    a, b, c = (int(v) for v in rng.integers(1, 255, size=3))
    return pattern.format(a, b, c)


def residential_ip(rng: np.random.Generator, country: str) -> str:
    pats = RESIDENTIAL.get(country, RESIDENTIAL["US"])
    return _ip(rng, pats[int(rng.integers(0, len(pats)))])


def cloud_ip(rng: np.random.Generator, provider: str) -> str:
    pats = CLOUD[provider]
    return _ip(rng, pats[int(rng.integers(0, len(pats)))])


def subnet_ips(rng: np.random.Generator, base: str, k: int) -> list[str]:
    """``k`` addresses in one /24 (``base`` is like ``"141.212.7"``)."""
    hosts = rng.choice(np.arange(2, 254), size=min(k, 250), replace=False)
    return [f"{base}.{int(h)}" for h in hosts]


# ---- identities -----------------------------------------------------------------------------

FREEMAIL = ["gmail.com", "gmail.com", "gmail.com", "outlook.com", "hotmail.com", "yahoo.com",
            "icloud.com", "proton.me"]
FREEMAIL_BY_COUNTRY = {"IN": ["gmail.com", "gmail.com", "rediffmail.com"],
                       "JP": ["gmail.com", "yahoo.co.jp"], "KR": ["naver.com", "gmail.com"],
                       "DE": ["gmail.com", "gmx.de", "web.de"], "FR": ["gmail.com", "orange.fr"],
                       "BR": ["gmail.com", "hotmail.com", "uol.com.br"],
                       "PL": ["gmail.com", "wp.pl", "o2.pl"], "VN": ["gmail.com"],
                       "GB": ["gmail.com", "outlook.com", "btinternet.com"]}


@dataclass
class Acct:
    account_id: str
    archetype: str
    campaign_id: str | None
    org_id: str
    email: str
    payment: str | None
    created: int
    access_path: str
    country: str
    tier: str = "pay_as_you_go"
    verified: bool = False
    declared_use: str | None = None
    contract: bool = False
    keys: list[str] = field(default_factory=list)


class World:
    """Accounts, their event chunks and the shared pools."""

    def __init__(self, seed: int, scale: float, corpus: Path | None) -> None:
        self.seed = seed
        self.scale = scale
        self.rng = sub_rng(seed, "world")
        self.accounts: list[Acct] = []
        self.chunks: list[Cols] = []
        self._ids: set[str] = set()
        self.text: dict[str, Any] = json.loads(
            (Path(__file__).with_name("kestrel_text.json")).read_text(encoding="utf-8"))
        if corpus is not None:
            _add_corpus(self.text, corpus)
        self.release = T0 + 4 * DAY + int(self.rng.integers(14, 20)) * HOUR
        # Shared infrastructure ordinary customers have in common.
        r = sub_rng(seed, "shared-infra")
        self.carrier_nat = {c: [residential_ip(r, c) for _ in range(6)] for c in COUNTRIES}
        self.popular_system = self.text["system_prompts"]["popular"]
        self.vpn_exits = [cloud_ip(r, "vps") for _ in range(12)]

    # -- sizing
    def n(self, base: float, minimum: int = 1) -> int:
        return max(minimum, round(base * self.scale))

    # -- ids
    def new_id(self, prefix: str, k: int = 12, rng: np.random.Generator | None = None) -> str:
        g = rng if rng is not None else self.rng
        while True:
            v = prefix + hexid(g, k)
            if v not in self._ids:
                self._ids.add(v)
                return v

    def account(self, rng: np.random.Generator, *, archetype: str, campaign_id: str | None = None,
                org_id: str | None = None, email: str, payment: str | None, created: int,
                access_path: str = "direct", country: str = "US", tier: str = "pay_as_you_go",
                verified: bool = False, declared_use: str | None = None,
                contract: bool = False, keys: int = 1) -> Acct:
        a = Acct(self.new_id("acct_", 14, rng), archetype, campaign_id,
                 org_id or self.new_id("org_", 12, rng), email, payment, int(created),
                 access_path, country, tier, verified, declared_use, contract)
        a.keys = [self.new_id("key_", 16, rng) for _ in range(max(1, keys))]
        self.accounts.append(a)
        return a

    # -- events
    def emit(self, a: Acct, ts: np.ndarray, **cols: Any) -> None:
        """One chunk of ``a``'s events; ``cols`` are arrays of len(ts) or scalars."""
        ts = np.asarray(ts, dtype=np.int64)
        keep = (ts > a.created + 5 * SEC) & (ts < END)
        if not keep.all():  # requests the account cannot have sent inside the window
            k = len(ts)
            cols = {c: v[keep] if isinstance(v, np.ndarray) and len(v) == k else v
                    for c, v in cols.items()}
            ts = ts[keep]
        if len(ts) == 0:
            return
        chunk: Cols = {"timestamp": ts, "account_id": a.account_id, "org_id": a.org_id,
                       "email": a.email, "payment_fingerprint": a.payment,
                       "account_created_at": a.created, "access_path": a.access_path,
                       "country": a.country}
        if "api_key_id" not in cols:
            chunk["api_key_id"] = a.keys[0]
        chunk.update(cols)
        self.chunks.append(chunk)


def _add_corpus(text: dict[str, Any], corpus: Path) -> None:
    """Extend the pools with real prompts when a corpus directory is given (never stored)."""
    def jsonl(path: Path, key: str, cap: int) -> list[str]:
        if not path.exists():
            return []
        out: list[str] = []
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                try:
                    v = json.loads(line).get(key)
                except (ValueError, AttributeError):
                    continue
                if isinstance(v, str) and 0 < len(v) < 6000:
                    out.append(v)
                if len(out) >= cap:
                    break
        return out

    def jarr(path: Path, cap: int) -> list[str]:
        if not path.exists():
            return []
        try:
            rows = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            return []
        out = []
        for row in rows[:cap]:
            ins, inp = row.get("instruction", ""), row.get("input", "")
            s = f"{ins}\n\n{inp}".strip() if inp else str(ins)
            if 0 < len(s) < 6000:
                out.append(s)
        return out

    text["chat"] = text["chat"] + jsonl(corpus / "human/arena_hard_v0.1_questions.jsonl",
                                        "prompt", 400)
    text["gsm"] = jsonl(corpus / "reasoning/gsm8k_test.jsonl", "question", 1319)
    text["gsm_train"] = jsonl(corpus / "reasoning/gsm8k_train.jsonl", "question", 3000)
    text["coding_tasks"] = text["coding_tasks"] + jarr(
        corpus / "coding/gpteacher_codegen_instruct.json", 1500)
    text["tool_tasks"] = jarr(corpus / "tool_use/gpteacher_toolformer_sim0.6.json", 800)
    text["batch_corpus"] = jsonl(corpus / "batch/t0_ag_news_classify.jsonl", "prompt", 200)


# ---- clocks ---------------------------------------------------------------------------------

OFFICE = np.array([1, .5, .3, .2, .2, .3, .8, 2, 5, 8, 9, 9, 7, 8, 9, 9, 8, 6, 4, 3, 2.5, 2, 1.6,
                   1.2])
EVENING = np.array([3, 2, 1.2, .6, .4, .4, .7, 1.5, 2.5, 3, 3.5, 4, 4.5, 4.5, 4.5, 5, 5.5, 6,
                    7, 8.5, 9.5, 10, 8, 5])
FLAT = np.ones(24)
NIGHT_BATCH = np.array([8, 9, 9, 9, 8, 6, 2, 1, .5, .5, .5, .5, .5, .5, .5, .5, .5, .5, .5,
                        .5, 1, 2, 5, 7])


def hourly_times(rng: np.random.Generator, n: int, start: int, end: int, tz: int,
                 profile: np.ndarray, weekend: float = 0.6) -> np.ndarray:
    """``n`` times in ``[start, end)`` following a local-hour profile (UTC offset ``tz``)."""
    if n <= 0 or end <= start:
        return np.zeros(0, dtype=np.int64)
    h0, h1 = start // HOUR, (end - 1) // HOUR + 1
    hours = np.arange(h0, h1, dtype=np.int64)
    local = hours + tz
    w = profile[local % 24].astype(float)
    dow = ((local // 24) - T0 // DAY) % 7  # 0 = Monday
    w = w * np.where(dow >= 5, weekend, 1.0)
    pick = rng.choice(len(hours), size=n, p=w / w.sum())
    ts = hours[pick] * HOUR + rng.integers(0, HOUR, size=n)
    return np.sort(np.clip(ts, start, end - 1))


def sessions(rng: np.random.Generator, n_sessions: int, start: int, end: int, tz: int,
             profile: np.ndarray, mean_turns: float, gap_s: float,
             weekend: float = 0.8) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Conversations: (timestamps, session index, turn) for ``n_sessions`` sessions whose
    turns follow each other ``gap_s`` seconds apart on average."""
    starts = hourly_times(rng, n_sessions, start, end, tz, profile, weekend)
    if len(starts) == 0:
        z = np.zeros(0, dtype=np.int64)
        return z, z, z
    turns = rng.geometric(1.0 / max(mean_turns, 1.0), size=len(starts))
    sess = np.repeat(np.arange(len(starts)), turns)
    first = np.cumsum(turns) - turns
    turn = np.arange(len(sess)) - np.repeat(first, turns)
    gaps = (rng.exponential(gap_s, size=len(sess)) * SEC).astype(np.int64) + 2 * SEC
    gaps[turn == 0] = 0
    csum = np.cumsum(gaps)
    base = np.repeat(csum[first], turns)
    ts = starts[sess] + (csum - base)
    return ts, sess, turn


def pick(rng: np.random.Generator, pool: list[Any], n: int,
         weights: np.ndarray | None = None) -> np.ndarray:
    """``n`` values drawn from ``pool`` (an object array)."""
    arr = np.asarray(pool, dtype=object)
    if weights is None:
        return arr[rng.integers(0, len(arr), size=n)]
    return arr[rng.choice(len(arr), size=n, p=weights / weights.sum())]


def zipf_pick(rng: np.random.Generator, pool: list[str], n: int, a: float = 1.1) -> np.ndarray:
    """Draws where a few values are popular and the rest form a long tail."""
    w = 1.0 / np.arange(1, len(pool) + 1) ** a
    order = rng.permutation(len(pool))
    return pick(rng, [pool[i] for i in order], n, w)


def fill(rng: np.random.Generator, templates: list[str], slots: dict[str, list[str]],
         k: int) -> list[str]:
    """``k`` prompts made from templates with ``{slot}`` placeholders."""
    out: list[str] = []
    for _ in range(k):
        t = templates[int(rng.integers(0, len(templates)))]
        for s, v in slots.items():  # only the known slots: real texts may hold braces
            if "{" + s + "}" in t:
                t = t.replace("{" + s + "}", v[int(rng.integers(0, len(v)))])
        out.append(t)
    return out


def tokens_of(texts: np.ndarray) -> np.ndarray:
    """A token estimate (about four characters a token) for an object array of texts."""
    lens = np.fromiter((len(t) if t is not None else 0 for t in texts), dtype=np.int64,
                       count=len(texts))
    return lens // 4 + 1


def status(rng: np.random.Generator, n: int, err: float = 0.008,
           refused: float = 0.002) -> np.ndarray:
    u = rng.random(n)
    out = np.full(n, "ok", dtype=object)
    out[u < err + refused] = "refused"
    out[u < err] = "error"
    return out


def completion(rng: np.random.Generator, n: int, median: float, sigma: float,
               cap: np.ndarray | int) -> np.ndarray:
    c = np.exp(rng.normal(np.log(median), sigma, size=n)).astype(np.int64) + 1
    return np.minimum(c, cap)


def person_email(rng: np.random.Generator, country: str, domain: str | None = None) -> str:
    t = WORLD_NAMES
    first = t["first"][int(rng.integers(0, len(t["first"])))]
    last = t["last"][int(rng.integers(0, len(t["last"])))]
    if domain is None:
        doms = FREEMAIL_BY_COUNTRY.get(country, FREEMAIL)
        domain = doms[int(rng.integers(0, len(doms)))]
    style = int(rng.integers(0, 6))
    if style == 0:
        local = f"{first}.{last}"
    elif style == 1:
        local = f"{first}{last}{int(rng.integers(1, 99))}"
    elif style == 2:
        local = f"{first[0]}{last}"
    elif style == 3:
        local = f"{first}_{last}{int(rng.integers(70, 100))}"
    elif style == 4:
        local = f"{last}.{first}"
    else:
        local = f"{first}{int(rng.integers(100, 9999))}"
    return f"{local}@{domain}"


def corp_email(rng: np.random.Generator, domain: str) -> str:
    t = WORLD_NAMES
    first = t["first"][int(rng.integers(0, len(t["first"])))]
    last = t["last"][int(rng.integers(0, len(t["last"])))]
    return f"{first}.{last}@{domain}" if rng.random() < 0.8 else f"{first[0]}{last}@{domain}"


def payment_id(rng: np.random.Generator) -> str:
    return "pm_" + hexid(rng, 24)


WORLD_NAMES: dict[str, list[str]] = {
    "first": ["james", "maria", "wei", "priya", "lucas", "sofia", "ahmed", "yuki", "olivia",
              "daniel", "ana", "minh", "fatima", "noah", "emma", "arjun", "chen", "laura",
              "diego", "hana", "tom", "sara", "ivan", "zoe", "kenji", "amara", "ben", "nina",
              "raj", "elena", "omar", "julia", "leo", "mei", "paul", "aisha", "marco", "lin",
              "kofi", "anna", "sam", "grace", "jin", "rosa", "felix", "ines", "ravi", "kate",
              "tariq", "lea", "hugo", "nadia", "oscar", "vera", "jonas", "yara", "adam", "lucy"],
    "last": ["smith", "garcia", "wang", "patel", "silva", "muller", "kim", "nguyen", "brown",
             "tanaka", "rossi", "kowalski", "okafor", "martin", "johnson", "li", "sharma",
             "lopez", "dubois", "schmidt", "chen", "singh", "costa", "novak", "ito", "park",
             "jones", "fischer", "moreau", "reyes", "ali", "khan", "davis", "santos", "liu",
             "wilson", "berg", "hansen", "mendes", "zhang", "gupta", "taylor", "clark", "yamada",
             "ortiz", "weber", "ivanov", "adeyemi", "walker", "sato", "hall", "young"],
}


# ---- one account's exchanges ----------------------------------------------------------------

def model_for(rng: np.random.Generator, ts: np.ndarray, release: int, *, adopt: float,
              tau_h: float = 24.0, mini: float = 0.0) -> np.ndarray:
    """The model of each request: the old model (or its mini) before the release, the new
    one after it with a probability rising to ``adopt`` over about ``tau_h`` hours."""
    after = np.maximum(ts - release, 0) / HOUR
    p_new = np.where(ts >= release, adopt * (1.0 - np.exp(-after / max(tau_h, 0.1))), 0.0)
    u = rng.random(len(ts))
    out = np.where(rng.random(len(ts)) < mini, OLD_MINI, OLD).astype(object)
    out[u < p_new] = NEW
    return out


def conv_ids(rng: np.random.Generator, sess: np.ndarray) -> np.ndarray:
    """Conversation ids for session indices (one random prefix per account)."""
    if len(sess) == 0:
        return np.zeros(0, dtype=object)
    prefix = "conv_" + hexid(rng, 10)
    names = np.array([f"{prefix}{i:05x}" for i in range(int(sess.max()) + 1)], dtype=object)
    return names[sess]


def as_arr(v: Any, n: int) -> np.ndarray:
    if isinstance(v, np.ndarray):
        return v
    out = np.empty(n, dtype=object)
    out[:] = [v] * n if isinstance(v, (list, tuple)) else v
    return out


def exchange(w: World, a: Acct, rng: np.random.Generator, ts: np.ndarray, prompt: np.ndarray, *,
             system: Any = None, model: Any = OLD, ua: Any, tls: Any, ip: Any,
             conv: np.ndarray | None = None, turn: np.ndarray | None = None,
             resp: str | np.ndarray = "chat", out_median: float = 250, out_sigma: float = 0.8,
             max_tokens: Any = None, temperature: Any = None, n: Any = None,
             logprobs: Any = None, tool_count: Any = None, err: float = 0.008,
             refused: float = 0.002, key: Any = None, history: int = 180) -> None:
    """Emit one account's requests with sizes, statuses and responses filled in."""
    k = len(ts)
    if k == 0:
        return
    order = np.argsort(ts, kind="stable")
    ts = np.asarray(ts)[order]

    def arr(v: Any) -> Any:
        return v[order] if isinstance(v, np.ndarray) and len(v) == k else v

    prompt = arr(prompt)
    conv, turn = arr(conv), arr(turn)
    system, model, ip, ua, tls = arr(system), arr(model), arr(ip), arr(ua), arr(tls)
    max_tokens, temperature, n, logprobs, tool_count = (arr(max_tokens), arr(temperature),
                                                         arr(n), arr(logprobs), arr(tool_count))
    key = arr(key) if key is not None else a.keys[int(rng.integers(0, len(a.keys)))] if len(
        a.keys) == 1 else pick(rng, a.keys, k)
    ptok = tokens_of(prompt)
    if system is not None:
        sys_arr = as_arr(system, k)
        ptok = ptok + tokens_of(sys_arr)
    if turn is not None:
        ptok = ptok + np.asarray(turn, dtype=np.int64) * history
    cap = np.full(k, 16384, dtype=np.int64)
    if max_tokens is not None:
        mt = as_arr(max_tokens, k)
        has = np.array([v is not None for v in mt]) if mt.dtype == object else np.ones(k, bool)
        cap[has] = mt[has].astype(np.int64)
    out = completion(rng, k, out_median, out_sigma, cap)
    st = status(rng, k, err, refused)
    if isinstance(resp, np.ndarray):  # a response kind per request
        response = np.empty(k, dtype=object)
        kinds = resp[order]
        for kind in sorted(set(kinds.tolist())):
            m = kinds == kind
            response[m] = pick(rng, w.text["responses"][kind], int(m.sum()))
    else:
        response = pick(rng, w.text["responses"][resp], k)
    is_err, is_ref = st == "error", st == "refused"
    out[is_err] = 0
    out[is_ref] = rng.integers(12, 60, size=int(is_ref.sum()))
    response[is_err] = None
    response[is_ref] = "I can't help with that request."
    w.emit(a, ts, prompt=prompt, system_prompt=system, model=model, user_agent=ua,
           tls_fingerprint=tls, ip=ip, conversation_id=conv, turn=turn, response=response,
           prompt_tokens=ptok, completion_tokens=out, max_tokens=max_tokens,
           temperature=temperature, n=n, logprobs=logprobs, tool_count=tool_count, status=st,
           api_key_id=key)


def proxy_ips(rng: np.random.Generator, k: int, countries: list[str]) -> np.ndarray:
    """``k`` residential-proxy exit addresses, scattered over ISPs in ``countries``."""
    pats = [p for c in countries for p in RESIDENTIAL.get(c, RESIDENTIAL["US"])]
    which = rng.integers(0, len(pats), size=k)
    octs = rng.integers(1, 255, size=(k, 3))
    heads = np.array([p.split(".")[0] for p in pats], dtype=object)[which]
    return np.array([f"{h}.{a}.{b}.{c}" for h, (a, b, c) in zip(heads, octs.tolist(),
                                                                strict=True)], dtype=object)


def humanize(rng: np.random.Generator, texts: list[str], text: dict[str, Any]) -> list[str]:
    """People type the same question in their own way: case, punctuation, greetings."""
    pre, suf = text["humanize"]["prefix"], text["humanize"]["suffix"]
    out: list[str] = []
    for t in texts:
        r = rng.random()
        if r < 0.25:
            t = t.lower()
        elif r < 0.35:
            t = t.rstrip("?.!")
        out.append(pre[int(rng.integers(0, len(pre)))] + t + suf[int(rng.integers(0, len(suf)))])
    return out


def agent_steps(rng: np.random.Generator, text: dict[str, Any], k: int) -> list[str]:
    """Tool results and user nudges an agent sends back: same shapes, different contents."""
    slots: dict[str, list[str]] = dict(text["agent_slots"])
    slots["n"] = [str(v) for v in range(3, 600, 7)]
    slots["m"] = [str(v) for v in range(1, 14)]
    slots["m2"] = slots["m"]
    return fill(rng, text["agent_step_tmpl"], slots, k)
