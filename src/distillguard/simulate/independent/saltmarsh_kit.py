"""Saltmarsh building blocks: the world (window, models, accounts), text pools, time and IPs.

Everything random comes from one ``numpy.random.Generator`` so a seed fixes the output.
"""

from __future__ import annotations

import json
import pathlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

US = 1_000_000
HOUR = 3600 * US
DAY = 24 * HOUR
#: The window: Monday 2026-03-09 00:00 UTC for five days; the new model ships mid-window.
START_US = 1_773_014_400 * US
DAYS = 5
END_US = START_US + DAYS * DAY
RELEASE_US = START_US + 2 * DAY + 17 * HOUR  # Wednesday 2026-03-11 17:00 UTC
MODELS = ("heron-3", "heron-3-mini", "heron-3.5")
OLD, MINI, NEW = 0, 1, 2

#: Local-hour activity weights.
EVENING = np.array([2, 1, .6, .4, .3, .3, .6, 1.5, 2.5, 3, 3, 3.2, 3.5, 3.2, 3, 3, 3.2, 3.5,
                    4, 4.5, 5, 5, 4, 3], dtype=float)
OFFICE = np.array([.3, .2, .15, .1, .1, .2, .5, 1.5, 4, 6, 6.5, 6, 4.5, 5.5, 6.5, 6.5, 6, 5,
                   3, 2, 1.5, 1.2, .8, .5], dtype=float)
FLAT = np.ones(24)
TZ = {"US": -6.0, "CA": -5.0, "BR": -3.0, "GB": 0.0, "DE": 1.0, "FR": 1.0, "NL": 1.0,
      "NG": 1.0, "IN": 5.5, "SG": 8.0, "CN": 8.0, "HK": 8.0, "JP": 9.0, "KR": 9.0, "ID": 7.0,
      "VN": 7.0, "AU": 10.0, "MX": -6.0, "PL": 1.0, "ES": 1.0, "RU": 3.0, "AE": 4.0}

CLIENTS: dict[str, tuple[str, str]] = {
    # client name -> (user agent, TLS fingerprint)
    "py": ("heron-python/2.4.1", "t13d1516h2_8daaf6152771_02713d6af862"),
    "py_old": ("heron-python/1.9.0", "t13d1516h2_8daaf6152771_02713d6af862"),
    "node": ("heron-node/1.12.0", "t13d1715h2_5b57614c22b0_3d5424432f57"),
    "curl": ("curl/8.5.0", "t13d3112h2_e8f1e7e78f70_6bebaf5329ac"),
    "requests": ("python-requests/2.31.0", "t13d1812h2_85036bcba153_375ca2c5e164"),
    "aiohttp": ("Python/3.11 aiohttp/3.9.5", "t13d1812h2_85036bcba153_b0da82dd1658"),
    "httpx": ("python-httpx/0.27.0", "t13d1812h2_85036bcba153_375ca2c5e164"),
    "chrome": ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
               "Gecko) Chrome/122.0.0.0 Safari/537.36", "t13d1516h2_8daaf6152771_e5627efa2ab1"),
    "safari": ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_3 like Mac OS X) AppleWebKit/605.1.15 "
               "(KHTML, like Gecko) Version/17.3 Mobile/15E148 Safari/604.1",
               "t13d2014h2_a09f3130c4b3_14788d8d241b"),
    "go": ("Go-http-client/2.0", "t13d1311h2_f57a46bbacb6_ab7e3b40a677"),
    "agentcli": ("heron-code/0.9.3 (linux; node 20.11)", "t13d1715h2_5b57614c22b0_7121afd63204"),
    "langchain": ("langchain-heron/0.2.1 heron-python/2.4.1",
                  "t13d1516h2_8daaf6152771_02713d6af862"),
    "java": ("Java-http-client/21.0.2", "t13d2113h2_9fbf5d1ca8e1_ce5650b735ce"),
}


def hexes(rng: np.random.Generator, n: int, nbytes: int = 8) -> list[str]:
    """``n`` random lower-case hex strings of ``2 * nbytes`` digits."""
    raw = rng.integers(0, 256, size=(n, nbytes), dtype=np.uint8).tobytes().hex()
    w = 2 * nbytes
    return [raw[i * w:(i + 1) * w] for i in range(n)]


def hex_column(rng: np.random.Generator, n: int, prefix: str) -> pa.Array:
    """``prefix`` + 16 random hex digits, ``n`` unique values, built without a Python loop."""
    vals = rng.integers(0, 2**63 - 1, size=n, dtype=np.int64)
    while len(np.unique(vals)) < n:  # pragma: no cover - 64-bit collisions
        vals = rng.integers(0, 2**63 - 1, size=n, dtype=np.int64)
    raw = np.frombuffer(vals.astype(">i8").tobytes().hex().encode(), dtype="S16")
    col = pa.array(raw, type=pa.binary()).cast(pa.string())
    return pa.compute.binary_join_element_wise(prefix, col, "")


def ipv4s(rng: np.random.Generator, prefix: str, n: int) -> list[str]:
    """``n`` addresses inside ``prefix`` (``"a.b"`` → a /16, ``"a.b.c"`` → a /24)."""
    parts = prefix.split(".")
    if len(parts) == 2:
        c = rng.integers(0, 256, n)
        d = rng.integers(1, 255, n)
        return [f"{prefix}.{x}.{y}" for x, y in zip(c, d, strict=True)]
    d = rng.integers(2, 255, n)
    return [f"{prefix}.{y}" for y in d]


def ipv6s(rng: np.random.Generator, prefix: str, n: int) -> list[str]:
    """``n`` addresses in an IPv6 ``/32`` given as ``"2607:fb90"``."""
    words = rng.integers(0, 65536, size=(n, 6))
    return [f"{prefix}:" + ":".join(f"{w:x}" for w in row) for row in words]


def times(rng: np.random.Generator, n: int, tz: np.ndarray | float, profile: np.ndarray,
          start: int = START_US, end: int = END_US) -> np.ndarray:
    """``n`` timestamps (µs) in ``[start, end)`` following a local-hour ``profile``."""
    hours = rng.choice(24, size=n, p=profile / profile.sum())
    days = rng.integers(-1, (end - start) // DAY + 2, size=n)
    t = (start - start % DAY + days * DAY + ((hours - np.asarray(tz)) * HOUR).astype(np.int64)
         + rng.integers(0, HOUR, size=n))
    span = end - start
    return start + (t - start) % span


@dataclass
class Pool:
    """Prompt (or system prompt) texts and the response style that answers each."""

    texts: list[str]
    style: list[str]


class Text:
    """Text banks: the package's JSON file, topped up from a corpus folder when given."""

    def __init__(self, rng: np.random.Generator, corpus: pathlib.Path | None) -> None:
        path = pathlib.Path(__file__).with_name("saltmarsh_text.json")
        self.bank: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        self.rng = rng
        self.corpus: dict[str, list[str]] = {}
        if corpus is not None:
            self._load_corpus(pathlib.Path(corpus))

    def _load_corpus(self, root: pathlib.Path) -> None:
        def jsonl(rel: str, key: str) -> list[str]:
            p = root / rel
            if not p.is_file():
                return []
            out = []
            for line in p.read_text(encoding="utf-8").split("\n"):
                if line.strip():
                    v = json.loads(line).get(key)
                    if isinstance(v, list):
                        v = v[0] if v else None
                    if isinstance(v, str) and v.strip() and "\x00" not in v:
                        out.append(v[:20000])
            return out

        def arr(rel: str) -> list[str]:
            p = root / rel
            if not p.is_file():
                return []
            rows = json.loads(p.read_text(encoding="utf-8"))
            return [(r["instruction"] + ("\n\n" + r["input"] if r.get("input") else ""))[:20000]
                    for r in rows if isinstance(r, dict) and r.get("instruction")]

        self.corpus["chat"] = (jsonl("human/arena_hard_v0.1_questions.jsonl", "prompt")
                               + jsonl("human/arena_hard_v2.0_questions.jsonl", "prompt")
                               + jsonl("human/vicuna_bench_questions.jsonl", "text"))
        self.corpus["bench_general"] = jsonl("human/mt_bench_questions.jsonl", "turns")
        self.corpus["bench_arena"] = jsonl("human/arena_hard_v0.1_questions.jsonl", "prompt")
        self.corpus["gsm8k"] = (jsonl("reasoning/gsm8k_test.jsonl", "question"))
        self.corpus["gsm8k_train"] = jsonl("reasoning/gsm8k_train.jsonl", "question")
        self.corpus["coding"] = arr("coding/gpteacher_codegen_instruct.json")
        self.corpus["tools"] = arr("tool_use/gpteacher_toolformer_sim0.6.json")
        batch = sorted((root / "batch").glob("*.jsonl")) if (root / "batch").is_dir() else []
        self.corpus["batch_files"] = [str(p) for p in batch]
        self.corpus = {k: v for k, v in self.corpus.items() if v}

    def pick(self, key: str) -> str:
        items = self.bank[key]
        return str(items[int(self.rng.integers(len(items)))])

    def fill(self, template: str) -> str:
        """Fill ``{slot}`` placeholders with random bank items."""
        r = self.rng
        slots = {"snippet": "snippets", "code": "code_snippets", "repo": "repos", "log": "logs",
                 "diff": "diffs", "item": "batch_items", "sensitive": "sensitive",
                 "task": "camp_tasks", "tenant": "repos"}
        out = template
        for _ in range(8):
            start = out.find("{")
            end = out.find("}", start)
            if start < 0 or end < 0:
                break
            name = out[start + 1:end]
            if name == "num":
                val = str(int(r.integers(2, 990)))
            elif name == "q":
                val = self.question()
            elif name == "data":
                val = self.fill(self.pick("camp_data"))
            elif name in slots:
                val = self.pick(slots[name])
            else:
                break
            out = out[:start] + val + out[end + 1:]
        return out

    def question(self, train: bool = True) -> str:
        src = self.corpus.get("gsm8k_train" if train else "gsm8k")
        if src:
            return src[int(self.rng.integers(len(src)))]
        base = self.pick("bench_gsm8k")
        return base.replace("12", str(int(self.rng.integers(5, 40)))) if train else base

    def prompts(self, key: str, n: int, corpus_key: str | None = None,
                corpus_share: float = 0.7) -> list[str]:
        """``n`` prompts for a kind of traffic (real corpus prompts for a share when present)."""
        src = self.corpus.get(corpus_key or "")
        out = []
        for _ in range(n):
            if src and self.rng.random() < corpus_share:
                out.append(src[int(self.rng.integers(len(src)))])
            else:
                out.append(self.fill(self.pick(key)))
        return out


@dataclass
class Account:
    account_id: str
    archetype: str
    campaign_id: str | None
    org_id: str | None
    email: str | None
    payment: str | None
    created_us: int
    access_path: str | None
    country: str | None
    client: str
    customer: tuple[str | None, str, bool, str | None, bool] | None
    n_keys: int = 1


@dataclass
class Events:
    """One group's events, as columns (accounts are indices into :attr:`World.accounts`)."""

    acct: np.ndarray
    ts: np.ndarray
    model: np.ndarray
    prompt: pa.Array
    style: np.ndarray  # index into RESPONSE_STYLES
    resp_chars: np.ndarray
    ip: pa.Array
    system: pa.Array | None = None
    conv: np.ndarray | None = None  # conversation number, -1 for none
    turn: np.ndarray | None = None
    max_tokens: np.ndarray | None = None  # -1 for null
    temperature: np.ndarray | None = None  # nan for null
    n: np.ndarray | None = None
    logprobs: np.ndarray | None = None
    tool_count: np.ndarray | None = None  # -1 for null
    status: np.ndarray | None = None  # 0 ok, 1 refused, 2 error
    tls_client: int | None = None  # TLS stack of this client instead of the account's own


RESPONSE_STYLES = ("prose", "code", "reasoning", "label", "json", "intl")
STYLE = {s: i for i, s in enumerate(RESPONSE_STYLES)}
CLIENT_NAMES = tuple(CLIENTS)
CLIENT = {c: i for i, c in enumerate(CLIENT_NAMES)}


@dataclass
class World:
    rng: np.random.Generator
    text: Text
    scale: float
    accounts: list[Account] = field(default_factory=list)
    groups: list[Events] = field(default_factory=list)
    campaigns: int = 0
    _conv: int = 0

    def n(self, base: int, minimum: int = 1) -> int:
        """An account count at this scale."""
        return max(minimum, round(base * self.scale))

    def add(self, accounts: list[Account]) -> np.ndarray:
        first = len(self.accounts)
        self.accounts.extend(accounts)
        return np.arange(first, first + len(accounts))

    def convs(self, k: int) -> np.ndarray:
        out = np.arange(self._conv, self._conv + k)
        self._conv += k
        return out

    def account_ids(self, n: int, prefix: str = "acct_") -> list[str]:
        return [prefix + h for h in hexes(self.rng, n, 6)]

    def emit(self, ev: Events) -> None:
        self.groups.append(ev)


def take(texts: Sequence[str | None], idx: np.ndarray) -> pa.Array:
    return pa.array(list(texts), type=pa.string()).take(pa.array(idx))


def counts(rng: np.random.Generator, n: int, mean: float, sigma: float = 1.0,
           lo: int = 1, hi: int = 100_000) -> np.ndarray:
    """Heavy-tailed per-account event counts with about the given mean."""
    mu = np.log(mean) - sigma**2 / 2
    return np.clip(np.round(rng.lognormal(mu, sigma, n)), lo, hi).astype(np.int64)


def sessions(rng: np.random.Generator, per_acct: np.ndarray, tz: np.ndarray, profile: np.ndarray,
             gap_s: float, per_session: float, start: np.ndarray | int = START_US,
             end: int = END_US) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Events grouped in sessions: returns (account index, timestamp, session id, turn).

    Each account's events fall into sessions of about ``per_session`` requests with
    exponential gaps of mean ``gap_s`` seconds; a session is a conversation.
    """
    acct = np.repeat(np.arange(len(per_acct)), per_acct)
    n_sess = np.maximum(1, np.round(per_acct / per_session)).astype(np.int64)
    sess_acct = np.repeat(np.arange(len(per_acct)), n_sess)
    starts = np.broadcast_to(np.asarray(start, dtype=np.int64), per_acct.shape)
    s0 = starts[sess_acct]
    tz_s = tz[sess_acct]
    raw = times(rng, len(sess_acct), tz_s, profile)
    # squeeze sessions of late-created accounts into their own lifetime
    span = np.maximum(end - s0, HOUR)
    sess_t = s0 + (raw - START_US) % span
    first_sess = np.concatenate([[0], np.cumsum(n_sess)[:-1]])
    pick = first_sess[acct] + (rng.random(len(acct)) * n_sess[acct]).astype(np.int64)
    order = np.lexsort((rng.random(len(acct)), pick))
    acct, pick = acct[order], pick[order]
    # turn = position within session
    boundaries = np.r_[True, pick[1:] != pick[:-1]]
    idx = np.arange(len(pick))
    start_idx = np.maximum.accumulate(np.where(boundaries, idx, 0))
    turn = idx - start_idx
    gaps = rng.exponential(gap_s * US, len(pick)).astype(np.int64)
    gaps[boundaries] = 0
    cum = np.cumsum(gaps)
    offs = cum - cum[start_idx]
    ts = np.minimum(sess_t[pick] + offs, end - 1)
    return acct, ts, pick, turn.astype(np.int32)


def adoption(rng: np.random.Generator, ts: np.ndarray, share_after: float, ramp_h: float,
             base: np.ndarray) -> np.ndarray:
    """Move events after the release to the new model with a share ramping up over ramp_h."""
    after = ts >= RELEASE_US
    frac = np.clip((ts - RELEASE_US) / (ramp_h * HOUR), 0, 1) * share_after
    move = after & (rng.random(len(ts)) < frac)
    out = base.copy()
    out[move] = NEW
    return out
