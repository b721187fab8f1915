"""Tidewater's texts: prompt pools (built-in bank, or a real corpus when given) and responses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from distillguard.simulate.independent.tidewater_world import Bank, IntArray, Rng

BANK_PATH = Path(__file__).with_name("tidewater_text.json")
STYLES = ("chat", "code", "reasoning", "agent", "grading", "short", "translation",
          "multilingual")
#: Share of successful exchanges whose response text the provider's log keeps (a review sample).
RESPONSE_LOG_SHARE = 0.25


def load_bank() -> Bank:
    return Bank(json.loads(BANK_PATH.read_text(encoding="utf-8")))


def fill(template: str, fills: dict[str, list[str]], rng: Rng) -> str:
    out = template
    for key, values in fills.items():
        token = "{" + key + "}"
        while token in out:
            out = out.replace(token, str(values[int(rng.integers(0, len(values)))]), 1)
    return out


def numbers(rng: Rng) -> dict[str, list[str]]:
    return {"a": [str(int(rng.integers(12, 90)))], "b": [str(int(rng.integers(2, 9)))],
            "c": [str(int(rng.integers(2, 12)))], "n": [str(int(rng.integers(1, 60)))],
            "m": [str(int(rng.integers(0, 5)))], "id": [str(int(rng.integers(10000, 99999)))],
            "day": [f"{int(rng.integers(1, 29)):02d}"], "d": [str(int(rng.integers(13, 17)))]}


def _jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n")
            if line.strip()]


def _json(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    return data if isinstance(data, list) else []


class Texts:
    """Prompt pools for every kind of traffic, and a response ladder per style."""

    def __init__(self, bank: Bank, corpus: Path | None) -> None:
        self.bank = bank
        self.d = bank.data
        self.human: list[str] = []
        self.human_followups: list[str] = []
        self.coding: list[str] = []
        self.tool_use: list[str] = []
        self.gsm_train: list[str] = []
        self.benchmark: list[str] = []
        self.batch: dict[str, list[str]] = {}
        if corpus is not None:
            self._read_corpus(Path(corpus))
        self._responses: dict[str, tuple[np.ndarray, list[list[str]]]] = {}
        self._build_responses()

    def _read_corpus(self, root: Path) -> None:
        human = root / "human"
        for name in ("arena_hard_v0.1_questions.jsonl", "arena_hard_v2.0_questions.jsonl"):
            self.human += [str(r["prompt"]) for r in _jsonl(human / name) if r.get("prompt")]
        for name in ("vicuna_bench_questions.jsonl", "mt_bench_questions.jsonl"):
            for r in _jsonl(human / name):
                turns = r.get("turns") or []
                self.human += [str(t) for t in turns[:1]]
                self.human_followups += [str(t) for t in turns[1:]]
        for r in _jsonl(human / "self_instruct_user_oriented.jsonl"):
            for inst in (r.get("instances") or [])[:1]:
                extra = f"\n\n{inst.get('input')}" if inst.get("input") else ""
                self.human.append(f"{r['instruction']}{extra}")
        for r in _json(root / "coding" / "gpteacher_codegen_instruct.json"):
            extra = f"\n{r['input']}" if r.get("input") else ""
            self.coding.append(f"{r['instruction']}{extra}")
        for r in _json(root / "tool_use" / "gpteacher_toolformer_sim0.6.json"):
            extra = f"\n{r['input']}" if r.get("input") else ""
            self.tool_use.append(f"{r['instruction']}{extra}")
        self.gsm_train = [str(r["question"]) for r in
                          _jsonl(root / "reasoning" / "gsm8k_train.jsonl")]
        bench = [str(r["question"]) for r in _jsonl(root / "reasoning" / "gsm8k_test.jsonl")]
        bench += [str(r["turns"][0]) for r in _jsonl(human / "mt_bench_questions.jsonl")]
        bench += [str(r["prompt"]) for r in
                  _jsonl(human / "arena_hard_v0.1_questions.jsonl")][:500]
        self.benchmark = bench
        batch_dir = root / "batch"
        if batch_dir.is_dir():
            for path in sorted(batch_dir.glob("*.jsonl")):
                rows = [str(r["prompt"]) for r in _jsonl(path) if r.get("prompt")]
                if rows:
                    self.batch[path.stem] = rows

    # ---- prompt pools -------------------------------------------------------------------------

    def casual(self, rng: Rng, k: int) -> list[str]:
        pool = list(self.d["casual_prompts"])
        for _ in range(max(0, k - len(pool))):
            template, fills = self.d["casual_templates"][int(rng.integers(0, 4))]
            pool.append(fill(template, fills, rng))
        return pool + self.human

    def followups(self) -> list[str]:
        return list(self.d["chat_followups"]) + self.human_followups

    def dev(self, rng: Rng, k: int) -> list[str]:
        pool = list(self.d["dev_prompts"])
        templates = self.d["dev_templates"]
        for _ in range(max(0, k - len(pool))):
            template, fills = templates[int(rng.integers(0, len(templates)))]
            pool.append(fill(template, fills, rng))
        return pool + self.coding

    def word_problems(self, rng: Rng, k: int) -> list[str]:
        """Grade-school problems: the built-in templates, or GSM8K train questions."""
        if self.gsm_train:
            idx = rng.choice(len(self.gsm_train), size=min(k, len(self.gsm_train)), replace=False)
            return [self.gsm_train[i] for i in idx]
        templates = self.d["bench_templates"]
        return [fill(templates[i % len(templates)], numbers(rng), rng) for i in range(k)]

    def public_benchmark(self) -> list[str]:
        """One fixed 'public benchmark' item list, identical for every runner and every seed."""
        if self.benchmark:
            return list(self.benchmark)
        fixed = np.random.default_rng(20260413)
        items = [fill(t, numbers(fixed), fixed) for _ in range(60)
                 for t in self.d["bench_templates"]]
        return items + list(self.d["mcq"])

    def agent_turns(self, rng: Rng, k: int) -> list[str]:
        fills = {"mod": self.d["mods"], "fn": self.d["fns"]}
        out = []
        for _ in range(k):
            template = self.d["agent_followups"][int(rng.integers(0, 6))]
            out.append(fill(fill(template, fills, rng), numbers(rng), rng))
        return out

    def analysis_prompts(self, rng: Rng, k: int) -> list[str]:
        """The repeated data-analysis prompt asking for complete reasoning, small variations."""
        out = []
        for _ in range(k):
            cols = self.d["analysis_cols"][int(rng.integers(0, 4))]
            rows = int(rng.integers(6, 14))
            data = "\n".join(",".join(cols) if r == 0 else ",".join(
                str(int(v)) for v in rng.integers(1, 9000, len(cols))) for r in range(rows))
            task = self.d["analysis_tasks"][int(rng.integers(0, 5))]
            cot = self.d["cot_suffixes"][0]
            out.append(self.d["analysis_template"].replace("{task}", task)
                       .replace("{cot}", cot).replace("{rows}", str(rows - 1))
                       .replace("{cols}", ", ".join(cols)).replace("{data}", data))
        return out

    # ---- responses ----------------------------------------------------------------------------

    def _build_responses(self) -> None:
        rng = np.random.default_rng(7)
        ladder = np.unique((10 * 1.2 ** np.arange(46)).astype(np.int64))
        for style in STYLES:
            sentences = self.d["filler"][style]
            variants: list[list[str]] = []
            for length in ladder:
                row = []
                for _ in range(3):
                    parts: list[str] = []
                    size = 0
                    while size < length:
                        s = sentences[int(rng.integers(0, len(sentences)))]
                        parts.append(s)
                        size += len(s) + 1
                    sep = " " if style in ("chat", "grading") else "\n"
                    row.append(sep.join(parts)[: int(length)])
                variants.append(row)
            self._responses[style] = (ladder, variants)

    def response_pool(self, style: str) -> tuple[np.ndarray, list[str]]:
        """The ladder of lengths and the flat pool (three variants per length) of a style."""
        ladder, variants = self._responses[style]
        return ladder, [text for row in variants for text in row]


def pool_index(rng: Rng, pool_size: int, n: int, zipf: float = 0.0) -> IntArray:
    """Indices into a pool, uniform or skewed toward the first items (popular prompts)."""
    if zipf <= 0:
        return rng.integers(0, pool_size, n)
    ranks = np.arange(1, pool_size + 1, dtype=float) ** -zipf
    return rng.choice(pool_size, size=n, p=ranks / ranks.sum())
