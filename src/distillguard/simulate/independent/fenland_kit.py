"""Fenland building blocks: clock, identifiers, addresses, text pools and the event sink.

Everything here is vectorised with numpy; loops run over pools or accounts, never over events.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

US = 1_000_000
HOUR_US = 3600 * US
DAY_S = 86_400
#: Window start: Thursday 2026-03-05 00:00 UTC; six days to Wednesday 2026-03-11 00:00 UTC.
T0_US = 1_772_668_800 * US
WINDOW_H = 144
WINDOW_S = WINDOW_H * 3600
#: ouse-4 becomes available on Monday 2026-03-09 at 17:00 UTC.
RELEASE_H = 113.0
OLD, LITE, NEW = "ouse-3", "ouse-3-lite", "ouse-4"

#: Characters per token, by response style.
CPT = {"prose": 4.0, "code": 3.3, "reasoning": 3.9, "agent": 3.5, "json": 3.6, "label": 3.5,
       "refusal": 4.0, "zh": 1.3, "ko": 1.8, "ru": 3.2, "es": 3.8, "ar": 3.0, "vi": 3.3}
STYLES = list(CPT)
STYLE = {s: i for i, s in enumerate(STYLES)}

_HEX = np.array([f"{i:02x}".encode() for i in range(256)], dtype="S2")

# Local-hour activity profiles (weights over 0..23).
PROFILES = {
    "human": [1.2, .7, .4, .3, .3, .4, .8, 1.5, 2.5, 3.4, 3.9, 4, 3.6, 3.8, 4, 3.9, 3.8, 3.5,
              3.4, 3.9, 4.4, 4.5, 3.6, 2.2],
    "office": [.1, .05, .05, .05, .05, .1, .3, 1.2, 3.5, 4.5, 4.8, 4.6, 3.2, 4.2, 4.6, 4.5, 4,
               3, 1.6, .9, .6, .4, .3, .2],
    "dev": [.8, .5, .3, .2, .2, .2, .4, .9, 2, 3.5, 4, 4, 3.2, 3.8, 4.2, 4.2, 4, 3.6, 2.8, 2.4,
            2.6, 2.6, 2, 1.3],
    "night": [3, 4, 4, 4, 3.5, 3, 1, .4, .3, .3, .3, .3, .3, .3, .3, .3, .3, .3, .3, .3, .3, .5,
              1, 2],
    "student": [.8, .3, .1, .1, .1, .1, .2, .6, 1, 1.2, 1.3, 1.3, 1.4, 1.6, 2, 3, 3.5, 3.6, 3.6,
                4, 4.4, 4.2, 3, 1.8],
    "flat": [1.0] * 24,
}
#: Day weights, day 0 = Thursday 2026-03-05 (days 2 and 3 are the weekend).
DAYS = {"human": [1, 1, 1.15, 1.2, 1, 1], "office": [1, .95, .12, .1, 1.05, 1.05],
        "flat": [1, 1, 1, 1, 1, 1]}


def hexids(rng: np.random.Generator, n: int, prefix: str, nbytes: int = 8) -> np.ndarray:
    """n random hex identifiers with a prefix, as an object array."""
    if n == 0:
        return np.empty(0, dtype=object)
    raw = rng.integers(0, 256, size=(n, nbytes), dtype=np.uint8)
    hexed = np.ascontiguousarray(_HEX[raw]).view(f"S{2 * nbytes}").ravel()
    return np.char.add(prefix.encode(), hexed).astype(str).astype(object)


def v4(ints: np.ndarray) -> np.ndarray:
    """IPv4 dotted quads from 32-bit integers (vectorised)."""
    x = np.asarray(ints, dtype=np.int64) & 0xFFFFFFFF
    parts = [((x >> s) & 255).astype(str) for s in (24, 16, 8, 0)]
    out = parts[0]
    for p in parts[1:]:
        out = np.char.add(np.char.add(out, "."), p)
    return out.astype(object)


def net(prefix: str) -> tuple[int, int]:
    """('81.2.0.0/16') -> (base integer, size)."""
    addr, bits = prefix.split("/")
    a, b, c, d = (int(v) for v in addr.split("."))
    return (a << 24) | (b << 16) | (c << 8) | d, 1 << (32 - int(bits))


def hosts(rng: np.random.Generator, prefixes: list[str], n: int) -> np.ndarray:
    """n random host addresses drawn from the given IPv4 prefixes."""
    nets = [net(p) for p in prefixes]
    which = rng.integers(0, len(nets), n)
    base = np.array([b for b, _ in nets], dtype=np.int64)[which]
    size = np.array([s for _, s in nets], dtype=np.int64)[which]
    off = (rng.random(n) * (size - 2)).astype(np.int64) + 1
    return v4(base + off)


def v6(rng: np.random.Generator, prefix: str, n: int) -> np.ndarray:
    """n IPv6 addresses under a /32-style prefix like '2a02:8109'."""
    g = rng.integers(0, 65536, size=(n, 6))
    out = [prefix + ":" + ":".join(f"{v:x}" for v in row) for row in g]
    return np.array(out, dtype=object)


def lognormal_counts(rng: np.random.Generator, n: int, mean: float, sigma: float,
                     lo: int = 1, hi: int | None = None) -> np.ndarray:
    c = rng.lognormal(math.log(mean) - sigma * sigma / 2, sigma, n)
    c = np.maximum(lo, np.round(c)).astype(np.int64)
    return np.minimum(c, hi) if hi is not None else c


def local_times(rng: np.random.Generator, tz_h: np.ndarray, profile: str,
                days: str = "human") -> np.ndarray:
    """Seconds since T0 for len(tz_h) events drawn from a local diurnal profile."""
    n = len(tz_h)
    pw = np.array(PROFILES[profile], dtype=float)
    dw = np.array(DAYS[days], dtype=float)
    day = rng.choice(len(dw), n, p=dw / dw.sum())
    hour = rng.choice(24, n, p=pw / pw.sum())
    t = day * DAY_S + hour * 3600 + rng.random(n) * 3600 - np.asarray(tz_h) * 3600
    return np.mod(t, WINDOW_S)


def sessions(rng: np.random.Generator, starts_s: np.ndarray, per_session: np.ndarray,
             gap_s: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Expand sessions into events: (session index, seconds since T0, turn)."""
    per_session = np.asarray(per_session, dtype=np.int64)
    sess = np.repeat(np.arange(len(per_session)), per_session)
    first = np.cumsum(per_session) - per_session
    turn = np.arange(len(sess)) - np.repeat(first, per_session)
    gaps = rng.gamma(1.5, gap_s / 1.5, len(sess)) * (turn > 0)
    cum = np.cumsum(gaps)
    off = cum - np.repeat(cum[first], per_session) if len(sess) else cum
    t = np.minimum(np.asarray(starts_s)[sess] + off, WINDOW_S - 1)
    return sess, t, turn


def pick_models(rng: np.random.Generator, t_s: np.ndarray, *, lite: float = 0.0,
                adopt: float = 0.3, tau_h: float = 24.0, lag_h: float = 0.0) -> np.ndarray:
    """Model per event: the old flagship or its lite sibling before the release; after it a
    share that grows to ``adopt`` with time constant ``tau_h`` moves to the new model."""
    h = t_s / 3600 - RELEASE_H - lag_h
    p_new = np.where(h > 0, adopt * (1 - np.exp(-np.maximum(h, 0) / tau_h)), 0.0)
    u = rng.random(len(t_s))
    out = np.where(rng.random(len(t_s)) < lite, LITE, OLD).astype(object)
    out[u < p_new] = NEW
    return out


def choose(rng: np.random.Generator, values: list[Any] | np.ndarray, n: int,
           p: list[float] | None = None) -> np.ndarray:
    arr = np.empty(len(values), dtype=object)
    arr[:] = list(values)
    if p is not None:
        pa_ = np.asarray(p, dtype=float)
        return arr[rng.choice(len(arr), n, p=pa_ / pa_.sum())]
    return arr[rng.integers(0, len(arr), n)]


def keep(mask: np.ndarray, values: np.ndarray) -> np.ndarray:
    """values where mask holds, None elsewhere (an object array)."""
    out = np.asarray(values, dtype=object).copy()
    out[~np.asarray(mask, dtype=bool)] = None
    return out


# ---- text ---------------------------------------------------------------------------------

def load_bank(corpus: str | Path | None) -> dict[str, Any]:
    bank: dict[str, Any] = json.loads(
        (Path(__file__).with_name("fenland_text.json")).read_text(encoding="utf-8"))
    bank["corpus"] = _read_corpus(Path(corpus)) if corpus is not None else {}
    return bank


def _jsonl(path: Path, limit: int = 3000) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if not path.is_file():
        return out
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                try:
                    out.append(json.loads(line))
                except ValueError:
                    continue
            if len(out) >= limit:
                break
    return out


def _json_list(path: Path, limit: int = 3000) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return []
    return [d for d in data[:limit] if isinstance(d, dict)] if isinstance(data, list) else []


def _clean(s: Any, cap: int = 6000) -> str | None:
    if not isinstance(s, str):
        return None
    s = s.replace("\x00", " ").strip()
    return s[:cap] if s else None


def _read_corpus(root: Path) -> dict[str, list[Any]]:
    """Optional real prompts; every list is in file order, so the result is deterministic."""
    c: dict[str, list[Any]] = defaultdict(list)
    h = root / "human"
    for name in ("arena_hard_v0.1_questions.jsonl", "arena_hard_v2.0_questions.jsonl"):
        c["human"] += [p for p in (_clean(r.get("prompt")) for r in _jsonl(h / name)) if p]
    for name in ("mt_bench_questions.jsonl", "vicuna_bench_questions.jsonl"):
        for r in _jsonl(h / name):
            turns = r.get("turns") or []
            if turns and (p := _clean(turns[0])):
                c["human"].append(p)
                c["bench"].append(p)
    for r in _jsonl(h / "self_instruct_user_oriented.jsonl"):
        inst = _clean(r.get("instruction"))
        inputs = r.get("instances") or [{}]
        extra = _clean(inputs[0].get("input")) if isinstance(inputs[0], dict) else None
        if inst:
            c["human"].append(inst + ("\n\n" + extra if extra else ""))
    gsm = root / "reasoning"
    c["bench"] += [p for p in (_clean(r.get("question")) for r in _jsonl(gsm / "gsm8k_test.jsonl"))
                   if p]
    c["math"] += [p for p in (_clean(r.get("question")) for r in _jsonl(gsm / "gsm8k_train.jsonl"))
                  if p]
    for r in _json_list(root / "coding" / "gpteacher_codegen_instruct.json"):
        inst = _clean(r.get("instruction"))
        if inst:
            extra = _clean(r.get("input"))
            c["code"].append(inst + ("\n\n" + extra if extra else ""))
    for r in _json_list(root / "tool_use" / "gpteacher_toolformer_sim0.6.json"):
        if (inst := _clean(r.get("instruction"))):
            c["tool"].append(inst)
    batch = root / "batch"
    if batch.is_dir():
        for f in sorted(batch.glob("t0_*.jsonl"))[:8]:
            rows = _jsonl(f, 200)
            pairs = [(_clean(r.get("prompt")), _clean(str(r.get("completion", ""))
                                                      .replace("<|endoftext|>", ""), 400))
                     for r in rows]
            pairs = [(p, q) for p, q in pairs if p and q]
            if pairs:
                c["batch"].append(pairs)
    return dict(c)


def fill(rng: np.random.Generator, templates: list[str], slots: dict[str, list[str]],
         n: int) -> list[str]:
    """n template instances with random slot values (a loop over the pool, not events)."""
    out = []
    for _ in range(n):
        t = templates[int(rng.integers(len(templates)))]
        vals = {k: v[int(rng.integers(len(v)))] for k, v in slots.items()}
        out.append(t.format(**vals))
    return out


# ---- the sink -----------------------------------------------------------------------------

@dataclass
class Accounts:
    """Per-account attributes of one group (arrays of equal length)."""

    ids: np.ndarray
    cols: dict[str, np.ndarray]
    keys: np.ndarray  # (n, 2) api keys


@dataclass
class World:
    rng: np.random.Generator
    scale: float
    bank: dict[str, Any]
    ev: dict[str, list[np.ndarray]] = field(default_factory=lambda: defaultdict(list))
    labels: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=list)
    customers: list[dict[str, np.ndarray]] = field(default_factory=list)
    campaigns: int = 0

    def n(self, base: float, lo: int = 1) -> int:
        return max(lo, round(base * self.scale))

    def accounts(self, n: int, archetype: str, *, campaign: str | None = None,
                 customer: dict[str, Any] | None = None, listed: float = 0.93,
                 **cols: Any) -> Accounts:
        """Register n accounts; ``cols`` are per-account event attributes (scalar or array);
        ``customer`` holds tier, verified, declared_use, contract, org (scalar or array)."""
        rng = self.rng
        ids = hexids(rng, n, "acct_", 6)
        full = {k: v if isinstance(v, np.ndarray) else _broadcast(v, n) for k, v in cols.items()}
        keys = np.stack([hexids(rng, n, "key_", 6), hexids(rng, n, "key_", 6)], axis=1)
        self.labels.append((ids, np.full(n, archetype, dtype=object),
                            np.full(n, campaign, dtype=object)))
        cu = dict(customer or {})
        row = {"account_id": ids,
               "org_id": _broadcast(cu.get("org", full.get("org_id")), n),
               "tier": _broadcast(cu.get("tier", "pay_as_you_go"), n),
               "verified": _broadcast(cu.get("verified", False), n),
               "declared_use": _broadcast(cu.get("declared_use"), n),
               "contract": _broadcast(cu.get("contract", False), n),
               "_listed": rng.random(n) < listed}
        self.customers.append(row)
        return Accounts(ids, full, keys)

    def emit(self, acc: Accounts, a: np.ndarray, t_s: np.ndarray, prompts: np.ndarray, *,
             style: str | np.ndarray, out_tokens: np.ndarray, max_tokens: Any,
             temperature: Any, model: np.ndarray, ip: Any = None, system: Any = None,
             conv: Any = None, turn: Any = None, n: Any = 1, logprobs: Any = False,
             tool_count: Any = 0, status: Any = None, history: Any = 0,
             answer: np.ndarray | None = None, ua: Any = None, key: Any = None) -> None:
        """Append len(a) events of accounts ``acc`` (a = account positions)."""
        rng = self.rng
        m = len(a)
        if m == 0:
            return
        ev = self.ev
        ev["t_us"].append(T0_US + (np.asarray(t_s) * US).astype(np.int64))
        ev["account_id"].append(acc.ids[a])
        for col in ("org_id", "ip", "user_agent", "tls_fingerprint", "payment_fingerprint",
                    "email", "access_path", "country"):
            v = {"ip": ip, "user_agent": ua}.get(col)
            if v is None:
                src = acc.cols.get(col)
                v = src[a] if src is not None else np.full(m, None, dtype=object)
            ev[col].append(_broadcast(v, m))
        ev["account_created_at"].append(acc.cols["created_us"][a])
        if key is None:
            key = (rng.random(m) < 0.15).astype(np.int64)
        ev["api_key_id"].append(acc.keys[a, _broadcast_int(key, m)])
        ev["model"].append(np.asarray(model, dtype=object))
        prompts = np.asarray(prompts, dtype=object)
        system_arr = _broadcast(system, m)
        ev["prompt"].append(prompts)
        ev["system_prompt"].append(system_arr)
        ev["conversation_id"].append(
            _broadcast(conv, m) if conv is not None else hexids(rng, m, "conv_", 6))
        ev["turn"].append(_broadcast_int(turn if turn is not None else 0, m))
        stat = _broadcast(status if status is not None else "ok", m)
        err = rng.random(m) < 0.006
        stat = np.where(err, "error", stat).astype(object)
        stat = np.where((stat == "ok") & (rng.random(m) < 0.002), "refused", stat).astype(object)
        ev["status"].append(stat)
        styles = _broadcast(style, m)
        scode = np.array([STYLE[s] for s in styles[:1]] * m) if isinstance(style, str) \
            else np.array([STYLE[s] for s in styles])
        cpt = np.array(list(CPT.values()))[scode]
        mt = _broadcast(max_tokens, m)
        mt_num = np.array([np.nan if x is None else float(x) for x in mt]) \
            if mt.dtype == object else mt.astype(float)
        out = np.maximum(1, np.asarray(out_tokens, dtype=np.int64))
        cap = np.where(np.isnan(mt_num), 32_000, mt_num).astype(np.int64)
        out = np.minimum(out, cap)
        out = np.where(stat == "error", 0, out)
        refused = stat == "refused"
        out = np.where(refused, 28 + rng.integers(0, 12, m), out)
        scode = np.where(refused, STYLE["refusal"], scode)
        plen = _lengths(prompts)
        slen = _lengths(system_arr)
        hist = _broadcast_int(history, m)
        ptok = np.ceil(plen / 3.8).astype(np.int64) + np.ceil(slen / 4).astype(np.int64) + hist + 4
        ptok = np.minimum(ptok, 190_000)  # the context window
        ev["prompt_tokens"].append(ptok.astype(float))
        ev["completion_tokens"].append(out.astype(float))
        ev["max_tokens"].append(mt_num)
        ev["temperature"].append(_broadcast_float(temperature, m))
        ev["n"].append(_broadcast_float(n, m))
        ev["logprobs"].append(_broadcast(logprobs, m))
        ev["tool_count"].append(_broadcast_float(tool_count, m))
        ev["_style"].append(scode.astype(np.int64))
        ev["_answer"].append(_broadcast(answer, m))
        ev["_cpt"].append(cpt)


def _broadcast(v: Any, n: int) -> np.ndarray:
    if isinstance(v, np.ndarray):
        return v if v.dtype == object else v.astype(object)
    out = np.empty(n, dtype=object)
    if isinstance(v, list):
        out[:] = v
    else:
        out[:] = [v] * n
    return out


def _broadcast_int(v: Any, n: int) -> np.ndarray:
    if isinstance(v, np.ndarray):
        return v.astype(np.int64)
    return np.full(n, int(v), dtype=np.int64)


def _broadcast_float(v: Any, n: int) -> np.ndarray:
    if isinstance(v, np.ndarray):
        if v.dtype == object:
            return np.array([np.nan if x is None else float(x) for x in v])
        return v.astype(float)
    return np.full(n, np.nan if v is None else float(v))


def _lengths(arr: np.ndarray) -> np.ndarray:
    """Character lengths of an object array of str/None, via Arrow (no Python loop)."""
    lens = pc.utf8_length(pa.array(arr, type=pa.string())).fill_null(0)
    return np.asarray(lens.to_numpy(zero_copy_only=False), dtype=np.int64)


def responses(rng: np.random.Generator, bank: dict[str, Any], style: np.ndarray,
              target_tokens: np.ndarray, cpt: np.ndarray, answer: np.ndarray,
              logged: np.ndarray) -> tuple[pa.Array, np.ndarray]:
    """Synthetic response text of the right length for the logged events; returns the
    text column and completion tokens recomputed from it (unchanged where not logged)."""
    m = len(style)
    chars = np.maximum(1, (target_tokens * cpt).astype(np.int64))
    units: list[str] = []
    unit_style: list[int] = []
    for s, code in STYLE.items():
        sentences = [bank["refusal"]] if s == "refusal" else \
            bank["filler"].get(s) or bank["filler"]["prose"]
        sep = "" if s in ("zh", "ko") else " "
        for k in range(48):
            take = 1 + k % 8
            idx = rng.integers(0, len(sentences), take)
            units.append(sep.join(sentences[i] for i in idx) + "\n\n")
            unit_style.append(code)
    u_arr = np.array(units, dtype=object)
    u_len = _lengths(u_arr)
    u_sty = np.array(unit_style)
    pick = np.zeros(m, dtype=np.int64)
    reps = np.ones(m, dtype=np.int64)
    for code in np.unique(style):
        rows = np.nonzero(style == code)[0]
        cand = np.nonzero(u_sty == code)[0]
        cand = cand[np.argsort(u_len[cand], kind="stable")]
        lens = u_len[cand]
        c = chars[rows]
        pos = np.clip(np.searchsorted(lens, c), 0, len(cand) - 1)
        long_ = c > lens[-1]
        top = cand[len(cand) * 3 // 4:]
        alt = top[rng.integers(0, len(top), len(rows))]
        pick[rows] = np.where(long_, alt, cand[pos])
        reps[rows] = np.where(long_, np.maximum(1, np.round(c / u_len[alt])), 1)
    rows = np.nonzero(logged)[0]  # only logged responses are materialised
    text = pc.binary_repeat(pa.array(u_arr[pick[rows]], type=pa.string()), pa.array(reps[rows]))
    text_np = np.full(m, None, dtype=object)
    text_np[rows] = np.asarray(text.to_numpy(zero_copy_only=False), dtype=object)
    has_answer = np.array([x is not None for x in answer], dtype=bool) if m else \
        np.zeros(0, dtype=bool)
    use = has_answer & logged
    text_np[use] = answer[use]
    text_np[(style == STYLE["refusal"]) & logged] = bank["refusal"]
    arr = pa.array(text_np, type=pa.string())
    real = _lengths(text_np)
    tokens = np.where(logged, np.maximum(1, np.ceil(real / cpt)), target_tokens)
    return arr, tokens.astype(np.int64)
