"""Model outputs whose size fits the request: labels are a word, reasoning and code are long.

``completion_tokens`` is what an archetype asks for (drawn per kind of work, capped by
``max_tokens``); ``response`` is text of about four characters per token, cut at
``MAX_RESPONSE_CHARS`` as providers' logs usually keep only the start of long outputs.
Long texts are assembled from a small pool rendered per block (an opening and numbered
steps, code, tool calls), so building them costs one template pass per pool, not per
event.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from types import MappingProxyType

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from distillguard.simulate.prompts import RESPONSE_OPENINGS, vocabulary
from distillguard.simulate.textgen import (
    TemplateRenderer,
    join_columns,
    pick,
    scatter,
    text_scalar,
)

#: Logged responses keep at most this many characters.
MAX_RESPONSE_CHARS = 800
#: Characters per token, roughly, for English text and code.
CHARS_PER_TOKEN = 4
#: Distinct kinds of output.
OUTPUT_KINDS = ("prose", "reasoning", "code", "agent", "label", "json")

#: Which kind of output a prompt capability (``prompts.CAPABILITIES``) produces.
KIND_OF_CAPABILITY: Mapping[str, str] = MappingProxyType({
    "reasoning": "reasoning", "foreign_reasoning": "reasoning", "rubric": "reasoning",
    "safe_rewrite": "reasoning", "data_analysis": "reasoning",
    "trace_reconstruction": "reasoning", "template_farm": "reasoning",
    "coding": "code", "agentic": "agent",
})

_POOLS: dict[str, tuple[str, ...]] = {
    "out_prose": ("{out_open} {sentence} {sentence} {sentence} {sentence} {sentence} "
                  "{sentence} {sentence} {sentence} {sentence} {sentence}",),
    "out_open": RESPONSE_OPENINGS["default"],
    "out_reason_open": RESPONSE_OPENINGS["reasoning"],
    "out_reasoning": (
        "{out_reason_open}\n\nStep 1: {out_step}\nStep 2: {out_step}\nStep 3: {out_step}\n"
        "Step 4: {out_step}\nStep 5: {out_step}\nStep 6: {out_step}\nStep 7: {out_step}\n"
        "Step 8: {out_step}\n\nSo the answer is {int:2-900}.",
        "{out_reason_open} {out_step} {out_step} {out_step} {out_step} {out_step} "
        "{out_step} {out_step} {out_step} {out_step} Therefore the result is {int:1-99}.",
    ),
    "out_step": ("{sentence}", "We know that {sentence_lower}",
                 "Substituting {int:2-40} for x gives {int:4-1600}.",
                 "Dividing both sides by {int:2-9} leaves {int:1-300}.",
                 "This means {sentence_lower}", "Checking the edge case: {sentence_lower}"),
    "out_code": (
        "{out_code_open}\n\n```python\ndef {fn_name}({arg}):\n    {code_stmt}\n    "
        "{code_stmt}\n    {code_stmt}\n    return result\n\n\ndef test_{fn_name}():\n    "
        "{code_stmt}\n    assert {fn_name}({arg}) is not None\n```\n\n{sentence} {sentence}",
    ),
    "out_code_open": RESPONSE_OPENINGS["coding"],
    "out_agent": (
        "I'll start by inspecting the repository.\n"
        "{{\"tool\": \"{tool_name}\", \"arguments\": {{\"path\": \"src/{module}.py\"}}}}\n"
        "The file defines {fn_name}; {sentence_lower} Next I will run the tests.\n"
        "{{\"tool\": \"run_shell\", \"arguments\": {{\"cmd\": \"pytest -q\"}}}}\n"
        "```python\ndef {fn_name}({arg}):\n    {code_stmt}\n    {code_stmt}\n```\n"
        "{sentence} {sentence}",
    ),
    "out_label": ("billing", "shipping", "returns", "technical", "other", "positive",
                  "negative", "neutral", "yes", "no", "spam", "not spam", "A", "B", "C", "D",
                  "urgent", "low", "medium", "high", "en", "de", "fr", "true", "false"),
    "out_json": (
        "{{\"company\": \"{name} Logistics Ltd\", \"invoice\": \"INV-{int:10000-99999}\", "
        "\"total\": {int:20-9000}.{int:10-99}}}",
        "{{\"label\": \"{out_label}\", \"confidence\": 0.{int:50-99}}}",
        "{{\"name\": \"{name}\", \"city\": \"{city}\"}}",
    ),
}
_TEMPLATE_OF_KIND = {"prose": "{out_prose}", "reasoning": "{out_reasoning}",
                     "code": "{out_code}", "agent": "{out_agent}", "label": "{out_label}",
                     "json": "{out_json}"}
_POOL_SIZE = 256
#: Lengths are cut to one of these (a handful of slicing passes, not one per event).
_LENGTH_STEPS = np.unique(np.round(np.geomspace(4, MAX_RESPONSE_CHARS, 24)).astype(np.int64))


@cache
def _renderer() -> TemplateRenderer:
    return TemplateRenderer({**vocabulary(), **_POOLS})


def kinds_of(capabilities: Sequence[str], codes: np.ndarray) -> np.ndarray:
    """Output kind (index into ``OUTPUT_KINDS``) per event from capability codes."""
    table = np.asarray([OUTPUT_KINDS.index(KIND_OF_CAPABILITY.get(name, "prose"))
                        for name in capabilities], dtype=np.int64)
    return table[np.asarray(codes, dtype=np.int64)] if len(codes) else np.zeros(0, np.int64)


def sized_responses(rng: np.random.Generator, kinds: np.ndarray | str,
                    completion_tokens: np.ndarray, status: pa.Array | None = None) -> pa.Array:
    """Response text per event: of its kind, about ``4 × completion_tokens`` characters.

    ``kinds`` is one kind name for all events or an index into ``OUTPUT_KINDS`` per
    event. Refused requests get a refusal, failed ones null.
    """
    n = len(completion_tokens)
    if n == 0:
        return pa.array([], pa.string())
    codes = (np.full(n, OUTPUT_KINDS.index(kinds), np.int64) if isinstance(kinds, str)
             else np.asarray(kinds, dtype=np.int64))
    parts = []
    for code in np.unique(codes):
        count = int(np.count_nonzero(codes == code))
        kind = OUTPUT_KINDS[int(code)]
        size = min(count, _POOL_SIZE)
        pool = _renderer().render(_TEMPLATE_OF_KIND[kind], rng, size)
        if kind not in ("label", "json"):  # long enough to be cut at any length
            pool = join_columns([pool, "\n\n", pool.take(rng.permutation(size))], size)
        parts.append(pick(pool, rng, count))
    text = scatter(parts, codes)
    wanted = np.clip(np.asarray(completion_tokens, np.int64) * CHARS_PER_TOKEN, 1,
                     MAX_RESPONSE_CHARS)
    step = _LENGTH_STEPS[np.minimum(np.searchsorted(_LENGTH_STEPS, wanted),
                                    len(_LENGTH_STEPS) - 1)]
    short_kinds = np.isin(codes, [OUTPUT_KINDS.index("label"), OUTPUT_KINDS.index("json")])
    step = np.where(short_kinds, MAX_RESPONSE_CHARS, step)  # labels and JSON stay whole
    cut = []
    for length in np.unique(step):
        selected = text.filter(pa.array(step == length))
        cut.append(pc.utf8_slice_codeunits(selected, 0, int(length)))
    text = scatter(cut, step)
    if status is None:
        return text
    refused = pick(RESPONSE_OPENINGS["refused"], rng, n)
    text = pc.if_else(pc.equal(status, text_scalar("refused")), refused, text)
    return pc.if_else(pc.equal(status, text_scalar("error")), pa.nulls(n, pa.string()), text)


def short_completions(rng: np.random.Generator, n: int, low: int, high: int) -> np.ndarray:
    """Token counts of labels and extractions: uniform-ish, skewed to the low end."""
    return np.floor(low + (high - low + 1) * rng.random(n) ** 2).astype(np.int64)
