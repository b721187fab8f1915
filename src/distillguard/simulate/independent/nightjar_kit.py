"""Nightjar's toolkit: the window, the world (accounts and event chunks), clocks, networks,
client stacks, identities and the texts (see NIGHTJAR.md)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

SEC = 1_000_000
MIN = 60 * SEC
HOUR = 60 * MIN
DAY = 24 * HOUR
#: Monday 2026-11-16 00:00 UTC to Wednesday 2026-11-25 00:00 UTC (nine days).
START = int(datetime(2026, 11, 16, tzinfo=UTC).timestamp()) * SEC
END = START + 9 * DAY
OLD = "corvid-5"
MINI = "corvid-5-mini"
NEW = "corvid-6"

Rng = np.random.Generator


def sub_rng(seed: int, name: str) -> Rng:
    """An independent generator per (seed, name): groups do not disturb each other."""
    digest = hashlib.sha256(f"nightjar:{seed}:{name}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))


def release_time(seed: int) -> int:
    """Thursday 2026-11-19, between 16:00 and 20:00 UTC depending on the seed."""
    rng = sub_rng(seed, "release")
    return START + 3 * DAY + 16 * HOUR + int(rng.integers(0, 4 * HOUR))


def size(rng: Rng, scale: float, lo: int, hi: int, minimum: int) -> int:
    """A group's number of accounts at ``scale`` (its range at scale 1), never below
    ``minimum``."""
    return max(minimum, round(float(rng.integers(lo, hi + 1)) * scale))


# ---- client stacks ---------------------------------------------------------------------------

#: stack → (TLS fingerprint shared by everyone on the stack, user-agent format).
STACKS: dict[str, tuple[str, str]] = {
    "py_sdk": ("t13d1516h2_8daaf6152771_02713d6af862", "corvid-python/2.{a}.{b}"),
    "py_httpx": ("t13d1516h2_8daaf6152771_02713d6af862", "python-httpx/0.2{a}.{b}"),
    "py_requests": ("t13d1714h1_5b57614c22b0_3d5424432f57", "python-requests/2.3{a}.{b}"),
    "node_sdk": ("t13d1715h2_5b57614c22b0_7121afd63204", "corvid-node/2.{a}.{b}"),
    "go_client": ("t13d1311h2_f57a46bbacb6_ab7e3b40a677", "Go-http-client/2.0"),
    "chrome": ("t13d1517h2_8daaf6152771_b1ff8ab2d16f",
               "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
               "Gecko) Chrome/13{a}.0.0.0 Safari/537.36"),
    "safari_mac": ("t13d2014h2_a09f3c656075_14788d8d241b",
                   "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
                   "(KHTML, like Gecko) Version/19.{a} Safari/605.1.15"),
    "ios_app": ("t13d2014h2_a09f3c656075_e42f34c56612", "CorvidChat/3.{a}.{b} CFNetwork iOS/19"),
    "android_app": ("t13d1516h2_8daaf6152771_e5627efa2ab1", "okhttp/4.1{a}.{b} CorvidChat/3.{a}"),
    "curl": ("t13d3112h2_e8f1e7e78f70_6bebaf5329ac", "curl/8.1{a}.{b}"),
    "agent_cli": ("t13d1715h2_5b57614c22b0_7121afd63204", "quill-code/1.{a}.{b} node/22"),
    "java": ("t13d1811h2_7a15285d4efc_9d3d2d8e6f52", "Java-http-client/21.0.{a}"),
    "langchain": ("t13d1516h2_8daaf6152771_02713d6af862",
                  "langchain-corvid/0.{a}.{b} corvid-python/2.{a}.{b}"),
    "chrome_py": ("t13d1516h2_8daaf6152771_02713d6af862",
                  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
                  "Gecko) Chrome/13{a}.0.0.0 Safari/537.36"),
}


def stack(rng: Rng, name: str) -> tuple[str, str]:
    tls, fmt = STACKS[name]
    return tls, fmt.format(a=int(rng.integers(1, 9)), b=int(rng.integers(0, 12)))


# ---- networks --------------------------------------------------------------------------------

#: country → the first octets of its home broadband ranges.
HOME_PREFIXES: dict[str, list[int]] = {
    "US": [24, 67, 73, 98, 107, 174], "GB": [81, 86, 90], "DE": [79, 84, 91], "FR": [82, 86, 90],
    "IN": [49, 106, 117], "BR": [177, 179, 187], "JP": [126, 133, 153], "KR": [121, 175, 211],
    "CN": [36, 58, 112, 183], "SG": [116, 119], "CA": [70, 99, 142], "AU": [101, 110, 124],
    "NL": [77, 84, 145], "PL": [83, 89, 178], "VN": [14, 113, 171], "ID": [36, 110, 114],
    "RU": [5, 46, 95], "MX": [187, 189, 201], "ES": [83, 88, 95], "TW": [1, 36, 114],
}
COUNTRY_TZ: dict[str, int] = {
    "US": -6, "GB": 0, "DE": 1, "FR": 1, "IN": 5, "BR": -3, "JP": 9, "KR": 9, "CN": 8, "SG": 8,
    "CA": -5, "AU": 10, "NL": 1, "PL": 1, "VN": 7, "ID": 7, "RU": 3, "MX": -6, "ES": 1, "TW": 8,
}
CONSUMER_COUNTRIES = ["US", "GB", "DE", "FR", "IN", "BR", "JP", "KR", "SG", "CA", "AU", "NL",
                      "PL", "VN", "ID", "MX", "ES", "TW"]
CONSUMER_WEIGHTS = np.array([26, 7, 6, 5, 12, 6, 5, 4, 2, 4, 3, 2, 2, 3, 3, 3, 3, 2], float)
CONSUMER_WEIGHTS /= CONSUMER_WEIGHTS.sum()
CLOUD_PREFIXES: dict[str, list[str]] = {
    "aws": ["3.{}", "18.{}", "52.{}", "54.{}"], "gcp": ["34.{}", "35.{}"],
    "azure": ["20.{}", "40.{}", "52.{}"], "vps": ["45.{}", "139.{}", "159.{}", "167.{}"],
}


def home_ip(rng: Rng, country: str) -> str:
    first = HOME_PREFIXES[country][int(rng.integers(len(HOME_PREFIXES[country])))]
    return f"{first}.{rng.integers(0, 256)}.{rng.integers(0, 256)}.{rng.integers(1, 255)}"


def home_ips(rng: Rng, countries: Sequence[str]) -> list[str]:
    return [home_ip(rng, c) for c in countries]


def cloud_ip(rng: Rng, provider: str) -> str:
    pre = CLOUD_PREFIXES[provider]
    head = pre[int(rng.integers(len(pre)))].format(int(rng.integers(0, 256)))
    return f"{head}.{rng.integers(0, 256)}.{rng.integers(1, 255)}"


def subnet_ips(rng: Rng, base: str, k: int) -> list[str]:
    """``k`` addresses inside one /24 (``base`` like ``'203.0.113'``)."""
    hosts = rng.choice(np.arange(2, 254), size=min(k, 250), replace=False)
    return [f"{base}.{h}" for h in hosts.tolist()]


def carrier_nat(country: str) -> list[str]:
    """Six exit addresses of a phone network's carrier-grade NAT (shared by everyone)."""
    first = HOME_PREFIXES[country][0]
    return [f"{first}.255.{10 + i}.{7 * i + 3}" for i in range(6)]


VPN_EXITS = [f"185.{220 + i}.{40 + 3 * i}.{10 + i}" for i in range(12)]


def residential_exits(rng: Rng, k: int, countries: Sequence[str]) -> np.ndarray:
    """``k`` residential-proxy exits: ordinary home addresses in many countries."""
    cs = rng.choice(np.asarray(countries), size=k)
    return np.asarray(home_ips(rng, [str(c) for c in cs]), dtype=object)


# ---- identities ------------------------------------------------------------------------------

FIRST = ["james", "maria", "wei", "li", "anna", "david", "sofia", "arjun", "priya", "lucas",
         "emma", "noah", "yuki", "hiro", "minji", "jisoo", "carlos", "ana", "olga", "ivan",
         "tom", "sara", "omar", "lena", "felix", "nina", "kai", "mei", "linh", "budi", "rafael",
         "julia", "mark", "chen", "fatima", "jonas", "marta", "pawel", "thanh", "dewi", "leo"]
LAST = ["smith", "garcia", "wang", "zhang", "mueller", "martin", "kumar", "sharma", "silva",
        "tanaka", "kim", "park", "lopez", "novak", "ivanov", "brown", "chen", "nguyen", "santos",
        "schmidt", "dubois", "rossi", "khan", "ali", "jones", "sato", "lee", "tran", "wijaya"]
FREEMAIL: dict[str, list[str]] = {
    "default": ["gmail.com", "outlook.com", "yahoo.com", "proton.me", "icloud.com"],
    "JP": ["gmail.com", "yahoo.co.jp"], "KR": ["naver.com", "gmail.com"],
    "CN": ["qq.com", "163.com"], "DE": ["gmx.de", "web.de", "gmail.com"],
    "RU": ["yandex.ru", "mail.ru"], "BR": ["gmail.com", "hotmail.com"],
}


def person_email(rng: Rng, country: str, domain: str | None = None) -> str:
    f = FIRST[int(rng.integers(len(FIRST)))]
    last = LAST[int(rng.integers(len(LAST)))]
    style = int(rng.integers(5))
    local = [f"{f}.{last}", f"{f}{last}{rng.integers(1, 99)}", f"{f[0]}{last}",
             f"{f}_{last}{rng.integers(70, 100)}", f"{last}.{f}{rng.integers(1, 9)}"][style]
    if domain is None:
        pool = FREEMAIL.get(country, FREEMAIL["default"])
        domain = pool[int(rng.integers(len(pool)))]
    return f"{local}@{domain}"


def payment(rng: Rng) -> str:
    return f"pm_{rng.integers(0, 2**62):016x}"


def pick(rng: Rng, pool: Sequence[Any]) -> Any:
    return pool[int(rng.integers(len(pool)))]


# ---- clocks ----------------------------------------------------------------------------------

#: Local-hour activity profiles (24 weights).
PROFILES: dict[str, np.ndarray] = {
    "evening": np.array([2, 1, .5, .3, .2, .3, .8, 2, 3, 3.5, 3.5, 4, 4.5, 4, 4, 4, 4.5, 5, 6,
                         7, 7.5, 7, 5.5, 3.5]),
    "office": np.array([.2, .1, .1, .1, .1, .2, .6, 2, 6, 9, 9, 8, 6, 8, 9, 9, 8, 6, 3, 1.5, 1,
                        .8, .5, .3]),
    "dev": np.array([1.5, 1, .6, .3, .2, .3, .6, 1.5, 4, 6, 7, 7, 5, 6, 7, 7, 6.5, 5.5, 4, 4,
                     4.5, 4.5, 3.5, 2.5]),
    "flat": np.ones(24),
    "night": np.array([8, 8, 8, 8, 7, 5, 2, .5, .2, .2, .2, .2, .2, .2, .2, .2, .2, .2, .3, .8,
                       2, 4, 6, 7]),
}
for _k, _v in PROFILES.items():
    PROFILES[_k] = _v / _v.sum()


def local_times(rng: Rng, k: int, tz: np.ndarray | int, profile: str, lo: int = START,
                hi: int = END, weekend: float = 1.0) -> np.ndarray:
    """``k`` timestamps in [lo, hi) whose local hour follows ``profile`` (``tz`` hours east
    of UTC, per event or one); weekend days are kept with probability ``weekend``."""
    if k == 0:
        return np.zeros(0, np.int64)
    days = max(1, int(np.ceil((hi - lo) / DAY)) + 1)
    draw = int(k * (1.6 + 2.0 / max(weekend, 0.05)) + 32)
    tzs = np.broadcast_to(np.asarray(tz, np.int64), (k,)) if np.ndim(tz) else None
    out = np.zeros(0, np.int64)
    idx = np.zeros(0, np.int64)
    base_day = (lo // DAY) * DAY - DAY
    for _ in range(20):
        hours = rng.choice(24, size=draw, p=PROFILES[profile])
        d = rng.integers(0, days + 1, size=draw)
        within = rng.integers(0, HOUR, size=draw)
        i = rng.integers(0, k, size=draw)
        off = (tzs[i] if tzs is not None else int(tz)) * HOUR
        t = base_day + d * DAY + hours * HOUR + within - off
        dow = ((t + off - START) // DAY) % 7  # 0 = Monday, in local time
        keep = (t >= lo) & (t < hi)
        wk = dow >= 5
        keep &= ~wk | (rng.random(draw) < weekend)
        out = np.concatenate([out, t[keep]])
        idx = np.concatenate([idx, i[keep]])
        if len(out) >= k:
            break
    if len(out) < k:  # a very narrow window: fall back to uniform times
        out = np.concatenate([out, rng.integers(lo, max(hi, lo + 1), size=k - len(out))])
    # one time per requested slot, in the order of the slots they were drawn for
    return np.asarray(out[:k], np.int64)


def sessions(rng: Rng, starts: np.ndarray, turns: np.ndarray, gap_lo: int,
             gap_hi: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Expand sessions into events: for each session its start time and number of turns;
    returns (session index, timestamp, turn) per event."""
    turns = np.maximum(np.asarray(turns, np.int64), 1)
    sess = np.repeat(np.arange(len(starts)), turns)
    first = np.concatenate([[0], np.cumsum(turns)[:-1]]).astype(np.int64)
    turn = np.arange(len(sess)) - np.repeat(first, turns)
    gaps = rng.integers(gap_lo, gap_hi + 1, size=len(sess))
    gaps[turn == 0] = 0
    cum = np.cumsum(gaps)
    base = np.repeat(cum[first] if len(first) else cum[:0], turns)
    ts = np.asarray(starts, np.int64)[sess] + (cum - base)
    return sess, ts, turn.astype(np.int64)


# ---- texts -----------------------------------------------------------------------------------

TEXT_PATH = Path(__file__).with_name("nightjar_text.json")


def load_text(corpus: Path | None) -> dict[str, list[str]]:
    text: dict[str, list[str]] = json.loads(TEXT_PATH.read_text(encoding="utf-8"))
    if corpus is None:
        return text
    extra = {"casual": ("human", ["arena_hard_v0.1_questions.jsonl", "vicuna_bench_questions.jsonl",
                                  "arena_hard_v2.0_questions.jsonl"]),
             "math_word": ("reasoning", ["gsm8k_train.jsonl"]),
             "code_task": ("coding", ["gpteacher_codegen_instruct.json"]),
             "tool_task": ("tool_use", ["gpteacher_toolformer_sim0.6.json"])}
    for key, (folder, names) in extra.items():
        found: list[str] = []
        for name in names:
            path = Path(corpus) / folder / name
            if path.exists():
                found.extend(_corpus_prompts(path))
        found = [p for p in found if 10 <= len(p) <= 3000 and "{" not in p and "}" not in p]
        if found:
            text[key] = text[key] + found[:1500]
    return text


def _corpus_prompts(path: Path) -> list[str]:
    raw = path.read_text(encoding="utf-8")
    rows: list[Any]
    if path.suffix == ".json":
        rows = json.loads(raw)
    else:
        rows = []
        for line in raw.split("\n"):  # not splitlines: U+2028 may sit inside a string
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except ValueError:
                    continue
    out: list[str] = []
    for row in rows:
        if not isinstance(row, dict):
            continue
        if "question" in row and isinstance(row["question"], str):
            out.append(row["question"])
        elif "instruction" in row and isinstance(row["instruction"], str):
            extra = row.get("input") or ""
            out.append(row["instruction"] + ("\n\n" + extra if extra else ""))
        elif row.get("turns"):
            first = row["turns"][0]
            out.append(first["content"] if isinstance(first, dict) else str(first))
        elif "prompt" in row and isinstance(row["prompt"], str):
            out.append(row["prompt"])
    return out


# ---- the world -------------------------------------------------------------------------------

ACCOUNT_FIELDS = ("account_id", "archetype", "campaign_id", "org_id", "email", "payment",
                  "created", "access_path", "country", "ua", "tls", "tier", "verified",
                  "declared_use", "contract", "keys")
EVENT_ONLY = ("ip", "prompt", "system_prompt", "model", "conversation_id", "turn", "response",
              "prompt_tokens", "completion_tokens", "max_tokens", "temperature", "n", "logprobs",
              "tool_count", "status", "timestamp", "key", "ua_ev", "tls_ev", "acct")


class World:
    """Accounts (as columns) and event chunks (dicts of arrays), filled by the groups."""

    def __init__(self, seed: int, scale: float, corpus: Path | None) -> None:
        self.seed = seed
        self.scale = scale
        self.release = release_time(seed)
        self.text = load_text(corpus)
        self.acc: dict[str, list[Any]] = {f: [] for f in ACCOUNT_FIELDS}
        self.chunks: list[dict[str, Any]] = []
        self._ids = sub_rng(seed, "ids")
        self._used: set[str] = set()
        self._conv = 0

    def new_id(self, prefix: str, width: int = 12) -> str:
        while True:
            value = f"{prefix}{self._ids.integers(0, 2**62):016x}"[: len(prefix) + width]
            if value not in self._used:
                self._used.add(value)
                return value

    def account(self, *, archetype: str, created: int, email: str, payment: str | None,
                country: str, stack_: tuple[str, str], access_path: str = "direct",
                org: str | None = None, campaign: str | None = None,
                tier: str = "pay_as_you_go", verified: bool = False,
                declared: str | None = None, contract: bool = False, nkeys: int = 1) -> int:
        idx = len(self.acc["account_id"])
        a = self.acc
        a["account_id"].append(self.new_id("acct_"))
        a["archetype"].append(archetype)
        a["campaign_id"].append(campaign)
        a["org_id"].append(org if org is not None else self.new_id("org_", 10))
        a["email"].append(email)
        a["payment"].append(payment)
        a["created"].append(int(created))
        a["access_path"].append(access_path)
        a["country"].append(country)
        a["tls"].append(stack_[0])
        a["ua"].append(stack_[1])
        a["tier"].append(tier)
        a["verified"].append(verified)
        a["declared_use"].append(declared)
        a["contract"].append(contract)
        a["keys"].append([self.new_id("key_", 14) for _ in range(max(1, nkeys))])
        return idx

    def conv_ids(self, k: int) -> np.ndarray:
        """``k`` new conversation ids."""
        base = self._conv
        self._conv += k
        tag = f"{self.seed:x}"
        return np.asarray([f"conv_{tag}_{i:07d}" for i in range(base, base + k)], dtype=object)

    def emit(self, acct: np.ndarray, ts: np.ndarray, prompt: Sequence[str | None], *,
             model: Any, ip: Any, kind: Any, rng: Rng, system_prompt: Any = None,
             conv: Any = None, turn: Any = 0, out_tokens: Any = None,
             in_tokens: Any = None, max_tokens: Any = None, temperature: Any = 1.0,
             n: Any = 1, logprobs: Any = False, tool_count: Any = 0, err: float = 0.01,
             refuse: float = 0.002, ua: Any = None, tls: Any = None) -> None:
        """Add one chunk of events. Scalars are broadcast; ``kind`` picks the response
        openings (``resp_<kind>`` in the texts)."""
        k = len(ts)
        if k == 0:
            return
        acct = np.asarray(acct, np.int64)

        def col(v: Any, dtype: Any = object) -> np.ndarray:
            if isinstance(v, np.ndarray) and v.shape == (k,):
                return v.astype(dtype) if dtype is not object else v.astype(object)
            if isinstance(v, list):
                return np.asarray(v, dtype=dtype)
            out = np.empty(k, dtype=dtype)
            out[:] = v
            return out

        prompts = np.asarray(list(prompt), dtype=object)
        if in_tokens is None:
            plen = np.fromiter((len(p) if p else 0 for p in prompts), np.int64, k)
            sys_len = np.fromiter((len(s) if s else 0 for s in col(system_prompt)), np.int64, k)
            in_tokens = (plen + sys_len) // 4 + rng.integers(3, 30, size=k)
        in_tok = col(in_tokens, np.int64)
        out_tok = col(out_tokens if out_tokens is not None else
                      rng.lognormal(5.5, 0.8, size=k).astype(np.int64), np.int64)
        mt = col(max_tokens, object)
        limit = np.array([m if m else 10**9 for m in mt], np.int64)
        out_tok = np.minimum(np.maximum(out_tok, 1), limit)
        u = rng.random(k)
        status = np.where(u < err, "error", np.where(u < err + refuse, "refused", "ok"))
        status = status.astype(object)
        out_tok = np.where(status == "error", 0, np.where(status == "refused",
                                                          rng.integers(12, 60, size=k), out_tok))
        kinds = col(kind)
        resp = np.empty(k, dtype=object)
        for kd in np.unique(kinds.astype(str)):
            m = kinds == kd
            pool = self.text.get(f"resp_{kd}") or self.text["resp_chat"]
            resp[m] = np.asarray(pool, dtype=object)[rng.integers(0, len(pool), size=int(m.sum()))]
        resp[status == "refused"] = pick(rng, self.text["resp_refused"])
        resp[status == "error"] = None
        keys_pool = self.acc["keys"]
        picks = rng.integers(0, 1 << 20, size=k).tolist()
        key = np.asarray([keys_pool[i][j % len(keys_pool[i])]
                          for i, j in zip(acct.tolist(), picks, strict=True)], dtype=object)
        self.chunks.append({
            "acct": acct, "timestamp": np.asarray(ts, np.int64), "prompt": prompts,
            "model": col(model), "ip": col(ip), "system_prompt": col(system_prompt),
            "conversation_id": col(conv) if conv is not None else self.conv_ids(k),
            "turn": col(turn, np.int64), "response": resp, "prompt_tokens": in_tok,
            "completion_tokens": out_tok, "max_tokens": mt, "temperature": col(temperature,
                                                                               np.float64),
            "n": col(n, np.int64), "logprobs": col(logprobs, bool),
            "tool_count": col(tool_count, np.int64), "status": status, "key": key,
            "ua_ev": col(ua), "tls_ev": col(tls)})


def fill(templates: Sequence[str], rng: Rng, k: int, slots: Mapping[str, Sequence[Any]],
         ) -> list[str]:
    """``k`` prompts from ``templates`` with each ``{slot}`` filled from its pool."""
    t_idx = rng.integers(0, len(templates), size=k)
    picks = {name: rng.integers(0, len(pool), size=k) for name, pool in slots.items()}
    out = []
    for j in range(k):
        template = templates[int(t_idx[j])]
        values = {name: slots[name][int(picks[name][j])] for name in slots}
        out.append(template.format(**values))
    return out


def choose(rng: Rng, pool: Sequence[Any], k: int) -> list[Any]:
    idx = rng.integers(0, len(pool), size=k)
    return [pool[int(i)] for i in idx]
