"""Meridian's text: the banks in ``meridian_text.json`` and the prompt pools built from them.

The banks (names, address prefixes, client strings, prompt templates, system prompts) are
loaded once. ``Text`` turns them, or the public corpora when given, into pools of prompts and
draws from them with vectorised picks.
"""

from __future__ import annotations

import json
import pathlib
from collections.abc import Callable
from importlib import resources
from typing import Any, ClassVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

#: Every bank of the scenario, by name. Lists of strings are word lists or templates
#: (``str.format`` fields: {a}..{d} are numbers, the others name the bank drawn at the call).
#: The structured ones: CC country -> [UTC offsets in March 2026, residential IPv4 prefixes,
#: IPv6 prefixes, consumer weight]; CLOUD region -> [country, IPv4 prefixes]; HOSTING
#: [country, prefix]; BROWSERS, SDKS, HARNESS and *_CLIENTS [user agent, TLS family]; AGENTS
#: [user agent, TLS family, system prompt, tools offered, max_tokens]; LOC_MATH lang ->
#: [templates, names]; TUTOR lang -> [instruction, system prompt, follow-ups].
B: dict[str, Any] = json.loads(
    resources.files("distillguard.simulate.independent")
    .joinpath("meridian_text.json")
    .read_text("utf-8")
)


def _fill(
    rng: np.random.Generator, templates: list[str], count: int, /, **banks: list[str]
) -> list[str]:
    """k strings from templates; {a}..{d} are numbers, other fields come from the named banks."""
    out = []
    for _ in range(count):
        t = templates[int(rng.integers(len(templates)))]
        nums = {x: int(rng.integers(2, 99)) for x in "abcd"}
        out.append(
            t.format(**{**nums, **{f: b[int(rng.integers(len(b)))] for f, b in banks.items()}})
        )
    return out


def _builtin(rng: np.random.Generator) -> dict[str, list[str]]:
    """Pools a corpus replaces when given."""
    P: dict[str, list[str]] = {}
    food, topic, city, news = B["FOOD"], B["TOPIC"], B["CITY"], B["NEWS_SENT"]
    chat = dict(t=topic, d=["3", "4", "5", "7"], c=city, f=food, g=food, h=food)
    chat.update(w=B["WHO"], m=B["MATTER"], s=B["ROUGH"])
    P["chat"] = _fill(rng, B["CHAT_T"], 900, **chat)
    P["code"] = _fill(rng, B["CODE_T"], 700, l=B["LANG"], k=B["CTASK"])
    P["math"] = _fill(rng, B["MATH_T"], 1500, n=[x.title() for x in B["FIRST"][:20]])
    P["math_test"] = _fill(rng, B["MATH_T"], 400, n=[x.title() for x in B["FIRST"][20:]])
    P["tool"] = [
        f"toolformer: enabled\ntoolformer access: {n}\n{d}\n{n}(query)\n{t}"
        for n, d in B["TOOLS"]
        for t in _fill(rng, B["TOOL_T"], 60, t=topic, c=city)
    ]
    P["mt1"], P["vicuna"], P["arena"] = P["chat"][:80], P["chat"][80:160], P["chat"][160:660]
    P["answer"] = [
        " ".join(news[int(j)] for j in rng.integers(0, len(news), int(rng.integers(4, 14))))
        for _ in range(300)
    ]
    P["b_news"] = _fill(rng, B["NEWS_T"], 1500, h=B["HEADLINE"], s=news, u=news)
    pos, neg = B["REVIEW_POS"], B["REVIEW_NEG"]
    P["b_review"] = _fill(rng, B["REVIEW_T"], 1500, h=B["REVIEW_TITLE"], p=pos + neg, q=pos, r=neg)
    P["b_app"] = _fill(rng, B["APP_T"], 1500, p=pos + neg, q=B["APP_NOTE"])
    P["b_sum"] = [
        "Summarise the article:\n\n"
        + " ".join(news[int(j)] for j in rng.permutation(len(news))[: int(rng.integers(5, 10))])
        for _ in range(1500)
    ]
    return P


def _bank(rng: np.random.Generator) -> dict[str, list[str]]:
    """Pools no corpus holds (always built in)."""
    P: dict[str, list[str]] = {"followup": B["FOLLOW"], "reason_fu": B["REASON_FU"]}
    P["toolres"] = _fill(rng, B["TOOLRES"], 900, m=B["MOD"], f=B["FUNC"])
    P["support"] = _fill(rng, B["SUPPORT"], 600, w=list(B["CC"]))
    P["sensitive"] = _fill(rng, B["SENSITIVE_T"], 200, x=B["SENSITIVE_TOPIC"])
    P["redteam"] = _fill(rng, B["REDTEAM"], 300, y=B["RT_Y"], z=B["RT_Z"])
    city = B["CITY"]
    P["cu"] = [B["CU_WRAP"].format(task=t) for t in _fill(rng, B["CU_TASK"], 400, c=city, d=city)]
    P["vision"] = _fill(rng, B["VISION_T"], 300, f=B["VISION_FILE"], q=B["VISION_Q"])
    cos = [f"{w.title()} {s.title()}" for w in B["WORDS"][:12] for s in B["SUFFIX"][:4]]
    P["saas_res"] = _fill(rng, B["SAAS_RES"], 500, co=cos, m=B["MOD"])
    P["saas"] = _fill(rng, B["SAAS_TASK"], 400, co=cos, m=B["MOD"])
    topics = B["TOPIC"] + B["SYNTH_TOPIC"]
    P["synth"] = _fill(rng, B["SYNTH_T"], 800, k=["5", "8", "10", "20"], t=topics)
    P["metrics"] = _fill(rng, B["METRIC_T"], 500, hl=B["HEADLINE"], hl2=B["HEADLINE"])
    csv = []
    months = ["2025-10", "2025-11", "2025-12", "2026-01", "2026-02"]
    for _ in range(1500):
        rows = [
            f"{B['REGION'][int(rng.integers(8))]},{m},{int(rng.integers(50, 900))},"
            f"{int(rng.integers(2, 90)) * 1000}"
            for m in months[: int(rng.integers(3, 6))]
        ]
        csv.append(
            f"{B['TRACE_OPEN'][int(rng.integers(4))]}\n\nregion,month,units,revenue\n"
            + "\n".join(rows)
            + "\n\n"
            + B["TRACE_ASK"][int(rng.integers(4))]
        )
    P["trace_csv"] = csv
    for lang, (templates, names) in B["LOC_MATH"].items():
        P["loc_" + lang] = _fill(rng, templates, 400, n=names)
    return P


def _corpus(root: pathlib.Path) -> dict[str, list[str]]:
    def jl(rel: str) -> list[dict]:
        p = root / rel
        return [json.loads(x) for x in p.open(encoding="utf-8") if x.strip()] if p.exists() else []

    def js(rel: str) -> list[dict]:
        p = root / rel
        return json.loads(p.read_text(encoding="utf-8")) if p.exists() else []

    def j(ins: str, inp: str | None) -> str:
        return f"{ins}\n\n{inp}" if inp else ins

    a1, a2 = (
        jl("human/arena_hard_v0.1_questions.jsonl"),
        jl("human/arena_hard_v2.0_questions.jsonl"),
    )
    mt, vb = jl("human/mt_bench_questions.jsonl"), jl("human/vicuna_bench_questions.jsonl")
    si = jl("human/self_instruct_user_oriented.jsonl")
    P = {
        "arena": [r["prompt"] for r in a1],
        "mt1": [r["turns"][0] for r in mt],
        "vicuna": [r["turns"][0] for r in vb],
        "chat": [r["prompt"] for r in a1 + [x for x in a2 if x.get("subcategory") != "coding"]]
        + [r["turns"][0] for r in mt + vb]
        + [j(r["instruction"], (r.get("instances") or [{}])[0].get("input")) for r in si],
        "code": [
            j(r["instruction"], r.get("input"))
            for r in js("coding/gpteacher_codegen_instruct.json")
        ]
        + [r["prompt"] for r in a2 if r.get("subcategory") == "coding"],
        "tool": [
            j(r["instruction"], r.get("input"))
            for r in js("tool_use/gpteacher_toolformer_sim0.6.json")
        ],
        "math": [r["question"] for r in jl("reasoning/gsm8k_train.jsonl")],
        "math_test": [r["question"] for r in jl("reasoning/gsm8k_test.jsonl")],
        "answer": [
            m["content"]["answer"]
            for r in jl("responses/arena_hard_v0.1_gpt-4-0314_answers.jsonl")
            for m in r.get("messages", [])[1:2]
            if isinstance(m.get("content"), dict) and "answer" in m["content"]
        ],
    }
    for key, name in (
        ("b_news", "ag_news_classify"),
        ("b_review", "amazon_polarity_Is_this_product_review_positive"),
        ("b_app", "app_reviews_convert_to_star_rating"),
        ("b_sum", "cnn_dailymail_3_0_0_news_summary"),
    ):
        P[key] = [r["prompt"] for r in jl(f"batch/t0_{name}.jsonl")]
    return {k: [x for x in v if isinstance(x, str) and x.strip()] for k, v in P.items()}


class Text:
    """Prompt pools and the kinds of request built from them; all picks are vectorised."""

    # kind: (completion-token median, log-sigma)
    CTOK: ClassVar[dict[str, tuple[float, float]]] = {
        "chat": (380, 0.8),
        "code": (650, 0.7),
        "math": (220, 0.5),
        "tool": (110, 0.8),
        "followup": (300, 0.8),
        "toolres": (260, 0.9),
        "support": (160, 0.6),
        "cot": (420, 0.45),
        "cot_ml": (950, 0.4),
        "trace_csv": (2200, 0.4),
        "trace_code": (1900, 0.45),
        "agent_code": (600, 0.8),
        "orchestrate": (1100, 0.5),
        "cu": (380, 0.5),
        "vision": (650, 0.5),
        "rubric": (340, 0.4),
        "judge": (260, 0.4),
        "rewrite": (480, 0.5),
        "sensitive": (350, 0.7),
        "redteam": (180, 0.9),
        "synth": (1100, 0.5),
        "synth_cot": (650, 0.4),
        "casual_reason": (750, 0.5),
        "casual_reason_ml": (800, 0.5),
        "reason_fu": (800, 0.5),
        "saas": (300, 0.6),
        "saas_res": (160, 0.7),
        "metrics": (140, 0.4),
        "ping": (2, 0.2),
        "b_news": (2, 0.3),
        "b_review": (2, 0.3),
        "b_app": (3, 0.3),
        "b_sum": (85, 0.3),
        "bench_gsm8k": (230, 0.45),
        "mt1": (420, 0.6),
        "arena": (600, 0.6),
        "vicuna": (400, 0.5),
        "tutor_id": (450, 0.4),
        "tutor_vi": (450, 0.4),
        "tutor_pt": (450, 0.4),
        "fu_id": (280, 0.5),
        "fu_vi": (280, 0.5),
        "fu_pt": (280, 0.5),
    }

    def __init__(self, rng: np.random.Generator, corpus: str | pathlib.Path | None):
        self.rng = rng
        pools = _builtin(rng)
        if corpus is not None:
            for k, v in _corpus(pathlib.Path(corpus)).items():
                if v:
                    pools[k] = v + pools[k] if k.startswith("b_") else v
        pools.update(_bank(rng))
        pools["ping"] = ["Reply with the single word OK."]
        for lang, (_, _, fu) in B["TUTOR"].items():
            pools["fu_" + lang] = fu
        self.pool = {k: pa.array(v, pa.string()) for k, v in pools.items()}
        wrap, pick, ml = self.wrap, self.pick, self.ml_math
        langs = {"zh": 0.45, "ru": 0.15, "ko": 0.1, "ar": 0.05, "en": 0.25}
        self.made = {
            "cot": lambda n: wrap(n, B["COT_PRE"], pick("math", n)),
            "cot_ml": lambda n: ml(n, langs, B["COT_ML"]),
            "trace_code": lambda n: wrap(n, B["TRACE_CODE_PRE"], pick("code", n)),
            "agent_code": lambda n: wrap(n, B["AGENT_CODE_PRE"], pick("code", n)),
            "orchestrate": lambda n: wrap(n, B["ORCH"], pick("code", n)),
            "rubric": lambda n: wrap(
                n,
                B["RUBRIC_PRE"],
                pick("chat", n),
                ["\n\n### Candidate response\n"],
                self.answers(n),
                ["\n\n### "],
                B["RUBRIC"],
            ),
            "judge": lambda n: wrap(
                n,
                [B["JUDGE"]],
                pick("mt1", n),
                ["\n\n[The Start of Assistant's Answer]\n"],
                self.answers(n),
                ["\n[The End of Assistant's Answer]"],
            ),
            "rewrite": lambda n: wrap(n, B["REWRITE_PRE"], pick("sensitive", n), ['"']),
            "synth_cot": lambda n: wrap(n, B["SYNTH_COT_PRE"], pick("math", n)),
            "casual_reason": lambda n: wrap(
                n,
                B["CASUAL_PRE"],
                self.mix(n, {"math": 0.6, "code": 0.25, "chat": 0.15})[0],
                B["CASUAL_SUF"],
            ),
            "casual_reason_ml": lambda n: wrap(
                n,
                B["CASUAL_ML"],
                self.mix(n, {"math": 0.5, "loc_es": 0.15, "loc_zh": 0.2, "loc_ru": 0.15})[0],
            ),
            "bench_gsm8k": lambda n: wrap(
                n, [B["FEWSHOT"]], pick("math_test", n), [B["FEWSHOT_END"]]
            ),
        }
        for lang, (pre, _, _) in B["TUTOR"].items():
            self.made["tutor_" + lang] = self._tutor(pre, "loc_" + lang)

    def _tutor(self, pre: str, pool: str) -> Callable[[int], pa.Array]:
        return lambda n: self.wrap(n, [pre], self.pick(pool, n))

    def pick(self, kind: str, n: int) -> pa.Array:
        pool = self.pool[kind]
        return pool.take(pa.array(self.rng.integers(0, len(pool), n)))

    def seq(self, kind: str, idx: np.ndarray) -> pa.Array:
        pool = self.pool[kind]
        return pool.take(pa.array(np.asarray(idx) % len(pool)))

    def answers(self, n: int) -> pa.Array:
        return pc.utf8_slice_codeunits(self.pick("answer", n), 0, 1800)

    def ml_math(self, n: int, langs: dict[str, float], pre: dict[str, str]) -> pa.Array:
        names = list(langs)
        lang = self.rng.choice(
            len(names), n, p=np.array(list(langs.values())) / sum(langs.values())
        )
        own = np.array(["loc_" + x in self.pool for x in names])[lang] & (self.rng.random(n) < 0.4)
        body = pc.if_else(
            pa.array(own),
            self.pick_by(
                n, lang, ["loc_" + x if "loc_" + x in self.pool else "math" for x in names]
            ),
            self.pick("math", n),
        )
        return pc.binary_join_element_wise(
            pa.array([pre[x] for x in names]).take(pa.array(lang)), body, ""
        )

    def pick_by(self, n: int, which: np.ndarray, kinds: list[str]) -> pa.Array:
        out = self.pick(kinds[0], n)
        for i, k in enumerate(kinds[1:], 1):
            out = pc.if_else(pa.array(which == i), self.pick(k, n), out)
        return out

    def wrap(self, n: int, *parts: Any) -> pa.Array:
        """Join element-wise: constant choices (a list, one pick per row) and arrays of length n."""
        cols = [
            p
            if isinstance(p, pa.Array)
            else pa.array(p, pa.string()).take(pa.array(self.rng.integers(0, len(p), n)))
            for p in parts
        ]
        return pc.binary_join_element_wise(*cols, "")

    def get(self, kind: str, n: int) -> pa.Array:
        return self.made[kind](n) if kind in self.made else self.pick(kind, n)

    def ctok(self, kind: str, n: int) -> np.ndarray:
        med, sig = self.CTOK.get(kind, (300, 0.7))
        return med * np.exp(sig * self.rng.standard_normal(n))

    def mix(self, n: int, weights: dict[str, float]) -> tuple[pa.Array, np.ndarray, np.ndarray]:
        """n prompts drawn from kinds in proportion; returns prompts, completion tokens, kinds."""
        kinds = list(weights)
        k = self.rng.choice(
            len(kinds), n, p=np.array(list(weights.values()), float) / sum(weights.values())
        )
        parts, order, ctok = [], [], np.zeros(n)
        for i, kind in enumerate(kinds):
            sel = np.flatnonzero(k == i)
            if len(sel):
                parts.append(self.get(kind, len(sel)))
                order.append(sel)
                ctok[sel] = self.ctok(kind, len(sel))
        if not parts:
            return pa.array([], pa.string()), ctok, k
        inv = np.empty(n, np.int64)
        inv[np.concatenate(order)] = np.arange(n)
        return pa.concat_arrays(parts).take(pa.array(inv)), ctok, k
