"""What Osprey's people and operators do, shared by the groups: chat sessions in the local
rhythm, prompts in the speaker's language, adoption of the new model, second addresses,
and the kinds of content that both harvesters and honest heavy users send (step-by-step
problems, agentic coding sessions, tool use)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .osprey_kit import COUNTRIES, HOUR, NANO, NEW, OLD, Accts, World, local_times, obj, sessions


@dataclass
class Ev:
    """Events being built: account index, time, turn, session and conversation per event."""

    a: np.ndarray
    ts: np.ndarray
    turn: np.ndarray
    sess: np.ndarray
    conv: pa.Array

    def __len__(self) -> int:
        return len(self.a)


def chat_sessions(w: World, rng: np.random.Generator, acc: Accts, per_acct: np.ndarray, *,
                  profile: str, turns: float, gap_s: float, first_day: np.ndarray | int = -1,
                  last_day: np.ndarray | int = 9, weekend: float = 1.0,
                  tz: np.ndarray | None = None, starts: np.ndarray | None = None) -> Ev:
    """Sessions of a few turns each: ``per_acct`` sessions per account, started at local
    hours following ``profile`` (or at ``starts``, one per session), 1 + Poisson(``turns``)
    turns, ``gap_s`` between turns."""
    sess_acct = np.repeat(np.arange(len(acc)), np.asarray(per_acct, dtype=np.int64))
    k = len(sess_acct)
    fd = np.broadcast_to(np.asarray(first_day), (len(acc),))[sess_acct]
    ld = np.broadcast_to(np.asarray(last_day), (len(acc),))[sess_acct]
    zone = acc.tz if tz is None else tz
    if starts is None:
        starts = local_times(rng, zone[sess_acct], profile, k, first_day=fd, last_day=ld,
                             weekend=weekend)
    lengths = 1 + rng.poisson(turns, size=k)
    sess, turn, ts = sessions(rng, starts, lengths, gap_s)
    conv = w.conv_ids(k).take(pa.array(sess))
    return Ev(sess_acct[sess], ts, turn, sess, conv)


def languages(rng: np.random.Generator, countries: np.ndarray, own: float) -> np.ndarray:
    """The language of each prompt: the country's own with probability ``own``, else
    English."""
    lang = lookup(countries, {c: v[2] for c, v in COUNTRIES.items()})
    lang[rng.random(len(lang)) >= own] = "en"
    return lang


def chat_prompts(w: World, rng: np.random.Generator, lang: np.ndarray, turn: np.ndarray,
                 follow_local: float = 0.3) -> pa.Array:
    """Ordinary people's questions in ``lang``; later turns are follow-ups (English ones,
    or another question in their language)."""
    n = len(lang)
    names = sorted(set(lang.tolist()))
    which = np.searchsorted(names, lang)
    first = w.text.render(rng, ["{chat_" + x + "}" for x in names], which,
                          {f"chat_{x}": w.text.pick(rng, f"chat_{x}", n) for x in names})
    follow = w.text.pick(rng, "followup", n)
    later = pc.if_else(pa.array((lang != "en") & (rng.random(n) < follow_local)), first,
                       follow)
    return pc.if_else(pa.array(turn > 0), later, first)


def response_kind(lang: np.ndarray, base: str = "r_chat") -> np.ndarray:
    """The pool of response openings per event: ``base`` for English, else the language's."""
    kind = np.char.add("r_", np.asarray(lang, dtype=str)).astype(object)
    kind[np.asarray(lang) == "en"] = base
    return kind


def adoption(w: World, rng: np.random.Generator, acc: Accts, a: np.ndarray, ts: np.ndarray, *,
             before: dict[str, float], p: float, share: tuple[float, float],
             lag_h: tuple[float, float]) -> np.ndarray:
    """Each account adopts the new model with prob. ``p``, ``lag_h`` hours after the release,
    for a ``share`` of its later requests; before that it uses the ``before`` mix."""
    m = len(acc)
    adopts = rng.random(m) < p
    lag = (rng.uniform(*lag_h, size=m) * HOUR).astype(np.int64)
    sh = np.where(adopts, rng.uniform(*share, size=m), 0.0)
    names = list(before)
    pr = np.array([before[x] for x in names], dtype=float)
    model = obj(names)[rng.choice(len(names), size=len(a), p=pr / pr.sum())]
    moved = (ts >= w.release + lag[a]) & (rng.random(len(a)) < sh[a])
    model[moved] = NEW
    return model


def second_ip(w: World, rng: np.random.Generator, acc: Accts, a: np.ndarray,
              p: float, kind: str = "nat") -> np.ndarray:
    """Each account's own address, or with prob. ``p`` its second one (its phone network,
    or a café / office address)."""
    other = obj([w.net.nat(rng, c) if kind == "nat" else w.net.home(rng, c)
                 for c in acc.country])
    ip = acc.ip[a].copy()
    use = rng.random(len(a)) < p
    ip[use] = other[a[use]]
    return ip


# ---- content ------------------------------------------------------------------------------


def math_problems(w: World, rng: np.random.Generator, n: int, pool: str = "problem_pool",
                  corpus_share: float = 0.6) -> pa.Array:
    """Word problems: generated ones, mixed with real ones from ``pool`` when a corpus gave
    them."""
    slots = {"a": rng.integers(3, 60, size=n), "b": rng.integers(2, 40, size=n),
             "c": rng.integers(2, 25, size=n)}
    made = w.text.fill(rng, "math_t", n, slots)
    if not w.text.has(pool):
        return made
    real = w.text.pick(rng, pool, n)
    return pc.if_else(pa.array(rng.random(n) < corpus_share), real, made)


DOMAINS = ("math", "science", "law", "medicine", "economics", "history", "logic")


def domain_questions(w: World, rng: np.random.Generator, domain: np.ndarray) -> pa.Array:
    """A question per event from its domain (indices into :data:`DOMAINS`)."""
    n = len(domain)
    slots = {d: w.text.pick(rng, d, n) for d in DOMAINS[1:]}
    slots["math"] = math_problems(w, rng, n)
    return w.text.render(rng, ["{" + d + "}" for d in DOMAINS], np.asarray(domain), slots)


def wrap(w: World, rng: np.random.Generator, q: pa.Array, pool: str = "cot_wrap",
         which: np.ndarray | None = None) -> pa.Array:
    return w.text.fill(rng, pool, len(q), {"q": q}, which=which)


def foreign_cot(w: World, rng: np.random.Generator, lang: np.ndarray) -> pa.Array:
    """Step-by-step prompts in Chinese, Russian, Japanese, Korean or Arabic."""
    n = len(lang)
    names = ("ar", "ja", "ko", "ru", "zh")
    out = [wrap(w, rng, w.text.pick(rng, f"q_{x}", n), f"cot_wrap_{x}") for x in names]
    which = np.searchsorted(np.array(names), np.asarray(lang, dtype=str))
    slots = {f"l{i}": arr for i, arr in enumerate(out)}
    return w.text.render(rng, ["{l" + str(i) + "}" for i in range(len(names))], which, slots)


def agent_turns(w: World, rng: np.random.Generator, turn: np.ndarray, sess: np.ndarray,
                pool: str = "agent_t") -> pa.Array:
    """An agentic coding session: a task, then tool results and user nudges, the module and
    function names kept per session."""
    n = len(turn)
    k = int(sess.max()) + 1 if n else 0
    module = w.text.pick(rng, "module", k).take(pa.array(sess))
    fn = w.text.pick(rng, "fn", k).take(pa.array(sess))
    slots = {"module": module, "fn": fn}
    first = w.text.fill(rng, pool, n, slots,
                        which=rng.integers(0, 1000, size=k)[sess] if k else None)
    later = w.text.fill(rng, "tool_result", n, slots)
    return pc.if_else(pa.array(turn > 0), later, first)


def code_questions(w: World, rng: np.random.Generator, n: int, templated: float = 0.45
                   ) -> pa.Array:
    fixed = w.text.pick(rng, "code_q", n)
    made = w.text.fill(rng, "code_t", n, {})
    return pc.if_else(pa.array(rng.random(n) < templated), made, fixed)


def analysis_prompts(w: World, rng: np.random.Generator, n: int,
                     which: np.ndarray | None = None) -> pa.Array:
    slots = {"a": rng.integers(120, 990, size=n), "b": rng.integers(800, 9900, size=n),
             "c": rng.integers(10, 400, size=n)}
    return w.text.fill(rng, "analysis_t", n, slots, which=which)


def lookup(keys: np.ndarray, mapping: dict[str, str]) -> np.ndarray:
    """``mapping[key]`` per element, computed once per distinct key."""
    if len(keys) == 0:
        return obj([])
    uniq, inv = np.unique(np.asarray(keys, dtype=str), return_inverse=True)
    return obj([mapping[k] for k in uniq.tolist()])[inv]


def plain_models(nano: float) -> dict[str, float]:
    return {OLD: 1.0 - nano, NANO: nano}


def choose(rng: np.random.Generator, n: int, shares: Sequence[float]) -> np.ndarray:
    p = np.asarray(shares, dtype=float)
    return rng.choice(len(p), size=n, p=p / p.sum())


def ordinary(w: World, rng: np.random.Generator, acc: Accts, ev: Ev, *, own: float = 0.55,
             nano: float = 0.15, adopt: tuple[float, float, float, float, float] =
             (0.35, 0.3, 1.0, 2.0, 72.0), ip_p: float = 0.15, out: tuple[float, float] =
             (300.0, 0.8), with_conv: np.ndarray | None = None, ip: np.ndarray | None = None
             ) -> int:
    """Emit ordinary people's chat for ``ev``: questions in their language, a popular system
    prompt or none, default or chosen temperature, a second address now and then, the new
    model tried by some (``adopt``: p, share range, lag range in hours)."""
    m, n = len(acc), len(ev)
    lang = languages(rng, acc.country[ev.a], own)
    prompt = chat_prompts(w, rng, lang, ev.turn)
    sys_acct = w.text.pick(rng, "sys_chat", m)
    sys_acct = pc.if_else(pa.array(rng.random(m) < 0.4), pa.nulls(m, pa.string()), sys_acct)
    system = sys_acct.take(pa.array(ev.a))
    model = adoption(w, rng, acc, ev.a, ev.ts, before={OLD: 1 - nano, NANO: nano},
                     p=adopt[0], share=(adopt[1], adopt[2]), lag_h=(adopt[3], adopt[4]))
    temp_acct = np.array([np.nan, 0.7, 1.0, 0.5, 0.8])[rng.integers(0, 5, size=m)]
    temp = pa.array(temp_acct[ev.a], from_pandas=True)
    mt_acct = np.array([0, 1024, 2048, 4096, 800])[rng.integers(0, 5, size=m)]
    x = w.text.exchange(rng, prompt, response_kind(lang), out=out, max_tokens=mt_acct[ev.a],
                        system=system, context=ev.turn * 260)
    conv_mask = np.ones(m, bool) if with_conv is None else with_conv
    conv = pc.if_else(pa.array(conv_mask[ev.a]), ev.conv, pa.nulls(n, pa.string()))
    where = ip if ip is not None else second_ip(w, rng, acc, ev.a, ip_p)
    return w.emit(acc, ev.a, ev.ts, **x, model=model, conv=conv, turn=ev.turn,
                  temperature=temp, ip=where, n=1)
