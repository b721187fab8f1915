"""Osprey's texts: the pools in ``osprey_text.json`` (written for this scenario), optionally
extended with real public prompts from a corpus folder, vectorised template filling, and
the sizes, statuses and logged response openings of an exchange."""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_SLOT = re.compile(r"\{([a-z_]+)\}")
#: Prompts longer than this are left out of corpus pools.
_MAX_CORPUS_CHARS = 4000
Slot: TypeAlias = pa.Array | np.ndarray


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    """The objects of a JSON Lines file (split on newlines only: texts may hold U+2028);
    a line that does not parse is skipped."""
    if not path.is_file():
        return []
    rows = []
    for line in path.read_text("utf-8").split("\n"):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(row, dict):
            rows.append(row)
    return rows


def _read_json(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    data = json.loads(path.read_text("utf-8"))
    return data if isinstance(data, list) else []


def _clean(texts: list[str]) -> list[str]:
    return [t.replace("\x00", "") for t in texts
            if isinstance(t, str) and 8 <= len(t) <= _MAX_CORPUS_CHARS]


class Text:
    """Named pools of texts and the helpers that draw from them."""

    def __init__(self, corpus: Path | None, seed: int) -> None:
        raw = json.loads(Path(__file__).with_name("osprey_text.json").read_text("utf-8"))
        self.pools: dict[str, list[str]] = {k: list(v) for k, v in raw["pools"].items()}
        self.names: dict[str, dict[str, list[str]]] = raw["names"]
        self._arrays: dict[str, pa.Array] = {}
        if corpus is not None:
            self._extend(Path(corpus), seed)

    def _extend(self, root: Path, seed: int) -> None:
        """Real prompts: people's questions, GSM8K problems, code and tool-use instructions,
        fixed batch templates and real answers' openings."""
        rng = np.random.default_rng([seed & 0xFFFFFFFF, zlib.crc32(b"corpus")])
        human: list[str] = []
        for name in ("arena_hard_v0.1_questions.jsonl", "arena_hard_v2.0_questions.jsonl",
                     "vicuna_bench_questions.jsonl"):
            human += [r.get("prompt") or r.get("text") or "" for r in
                      _read_jsonl(root / "human" / name)]
        human += [r["turns"][0] for r in _read_jsonl(root / "human" / "mt_bench_questions.jsonl")
                  if r.get("turns")]
        for r in _read_jsonl(root / "human" / "self_instruct_user_oriented.jsonl"):
            inst = r.get("instances") or [{}]
            extra = inst[0].get("input", "") if isinstance(inst[0], dict) else ""
            human.append(f"{r.get('instruction', '')}\n\n{extra}".strip())
        self._add("chat_en", _clean(human), rng, 900)
        test = [r["question"] for r in _read_jsonl(root / "reasoning" / "gsm8k_test.jsonl")]
        train = [r["question"] for r in _read_jsonl(root / "reasoning" / "gsm8k_train.jsonl")]
        self._add("bench_math", _clean(test), rng, 1319)
        self._add("problem_pool", _clean(train), rng, 2500)
        code = [f"{r.get('instruction', '')}\n\n{r.get('input', '')}".strip() for r in
                _read_json(root / "coding" / "gpteacher_codegen_instruct.json")]
        self._add("code_q", _clean(code), rng, 1500)
        tools = [f"{r.get('instruction', '')}\n\nInput: {r.get('input', '')}".strip() for r in
                 _read_json(root / "tool_use" / "gpteacher_toolformer_sim0.6.json")]
        self._add("tool_tasks", _clean(tools), rng, 800)
        batch = []
        for path in sorted((root / "batch").glob("t0_*.jsonl")):
            batch += [r.get("prompt", "") for r in _read_jsonl(path)[:200]]
        self._add("batch_t0", _clean(batch), rng, 800)
        answers = [str(r.get("choices", [{}])[0].get("turns", [{}])[0].get("content", ""))[:240]
                   for r in _read_jsonl(root / "responses" /
                                        "arena_hard_v0.1_gpt-4-0314_answers.jsonl")
                   if r.get("choices")]
        self._add("r_chat", _clean(answers), rng, 500)

    def _add(self, pool: str, texts: list[str], rng: np.random.Generator, k: int) -> None:
        if not texts:
            return
        chosen = rng.choice(len(texts), size=min(k, len(texts)), replace=False)
        self.pools.setdefault(pool, [])
        self.pools[pool] = self.pools[pool] + [texts[i] for i in sorted(chosen)]

    # drawing -------------------------------------------------------------------------------
    def pool(self, name: str) -> list[str]:
        return self.pools[name]

    def has(self, name: str) -> bool:
        return bool(self.pools.get(name))

    def array(self, name: str) -> pa.Array:
        if name not in self._arrays:
            self._arrays[name] = pa.array(self.pools[name], pa.string())
        return self._arrays[name]

    def pick(self, rng: np.random.Generator, name: str, n: int,
             idx: np.ndarray | None = None) -> pa.Array:
        """``n`` texts of pool ``name`` (at ``idx`` when given, modulo the pool size)."""
        arr = self.array(name)
        if idx is None:
            idx = rng.integers(0, len(arr), size=n)
        return arr.take(pa.array(np.asarray(idx, dtype=np.int64) % len(arr)))

    def name(self, rng: np.random.Generator, region: str) -> tuple[str, str]:
        names = self.names.get(region) or self.names["en"]
        first = names["first"][int(rng.integers(len(names["first"])))]
        last = names["last"][int(rng.integers(len(names["last"])))]
        return first.lower(), last.lower()

    def fill(self, rng: np.random.Generator, pool: str, n: int, slots: Mapping[str, Slot],
             which: np.ndarray | None = None) -> pa.Array:
        """``n`` texts from the templates of ``pool`` (each drawn, or ``which``), their
        ``{slot}`` markers filled from ``slots`` (arrays of length ``n``; pool names are
        drawn from for any slot not given)."""
        templates = self.pools[pool]
        if which is None:
            which = rng.integers(0, len(templates), size=n)
        return self.render(rng, templates, np.asarray(which) % len(templates), slots)

    def render(self, rng: np.random.Generator, templates: list[str], which: np.ndarray,
               slots: Mapping[str, Slot]) -> pa.Array:
        n = len(which)
        parts: list[pa.Array] = []
        rows_all: list[np.ndarray] = []
        cache: dict[str, pa.Array] = {}
        for t in np.unique(which):
            rows = np.flatnonzero(which == t)
            pieces = _SLOT.split(templates[int(t)])
            take = pa.array(rows)
            arrays: list[pa.Array | str] = []
            for i, piece in enumerate(pieces):
                if i % 2 == 0:
                    if piece:
                        arrays.append(piece)
                    continue
                if piece not in cache:
                    value = slots.get(piece)
                    if value is None:
                        value = self.pick(rng, piece, n)
                    elif isinstance(value, np.ndarray):
                        value = pa.array(value.astype(object) if value.dtype.kind in "OU"
                                         else value).cast(pa.string())
                    cache[piece] = value
                arrays.append(cache[piece].take(take))
            if not any(isinstance(x, pa.Array) for x in arrays):
                text = "".join(str(x) for x in arrays)
                joined = pa.array(np.full(len(rows), text, dtype=object), pa.string())
            else:
                joined = pc.binary_join_element_wise(*arrays, "")
            parts.append(joined)
            rows_all.append(rows)
        if not parts:
            return pa.array([], pa.string())
        values = pa.concat_arrays(parts)
        order = np.empty(n, dtype=np.int64)
        order[np.concatenate(rows_all)] = np.arange(n)
        return values.take(pa.array(order))

    # exchanges -----------------------------------------------------------------------------
    def exchange(self, rng: np.random.Generator, prompt: pa.Array,
                 resp: str | np.ndarray, *, out: tuple[float, float],
                 max_tokens: np.ndarray | int, system: pa.Array | str | None = None,
                 context: np.ndarray | int = 0, err: float = 0.008,
                 refuse: float = 0.002) -> dict[str, Any]:
        """Sizes, status and logged response opening of ``len(prompt)`` exchanges: output
        tokens log-normal (median, sigma) up to ``max_tokens`` (0: not set, 8,192);
        ``resp`` names the pool of
        response openings (one, or one per event); ``context`` adds earlier turns' tokens."""
        n = len(prompt)
        chars = pc.utf8_length(prompt).to_numpy(zero_copy_only=False).astype(np.int64)
        if isinstance(system, pa.Array):
            chars = chars + pc.fill_null(pc.utf8_length(system), 0).to_numpy(
                zero_copy_only=False)
        elif isinstance(system, str):
            chars = chars + len(system)
        pt = (chars / 3.7).astype(np.int64) + 7 + np.asarray(context, dtype=np.int64)
        mt = np.broadcast_to(np.asarray(max_tokens, dtype=np.int64), (n,)).copy()
        cap = np.where(mt > 0, mt, 8192)
        ct = np.clip(rng.lognormal(np.log(out[0]), out[1], size=n).astype(np.int64) + 1, 1, cap)
        r = rng.random(n)
        error = r < err
        refused = (r >= err) & (r < err + refuse)
        status = np.where(error, "error", np.where(refused, "refused", "ok")).astype(object)
        if isinstance(resp, str):
            response = self.pick(rng, resp, n)
        else:
            kinds = np.asarray(resp, dtype=str)
            names = sorted(set(kinds.tolist()))
            response = self.render(rng, ["{" + k + "}" for k in names],
                                   np.searchsorted(np.array(names), kinds),
                                   {k: self.pick(rng, k, n) for k in names})
        refusal = self.pick(rng, "r_refusal", n)
        response = pc.if_else(pa.array(refused), refusal, response)
        response = pc.if_else(pa.array(error), pa.nulls(n, pa.string()), response)
        ct[error] = 0
        ct[refused] = rng.integers(12, 60, size=int(refused.sum()))
        return {"prompt": prompt, "system_prompt": system, "prompt_tokens": pt,
                "completion_tokens": ct,
                "max_tokens": pa.array(mt, pa.int64(), mask=mt <= 0), "response": response,
                "status": status}
