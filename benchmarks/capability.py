"""How well the capability classifier and the chain-of-thought patterns do on real prompts.

The labelled set comes from the real prompt corpora beside the project
(`../shared/corpora`, see its README; never copied into the repository): each corpus file
is a capability area by construction (GSM8K → reasoning, GPTeacher code generation →
coding, GPTeacher Toolformer → agentic), and MT-Bench carries per-question categories.
Prints precision and recall per area, the confusion of what each set is classified as,
the rows per second of the feature function, and how often the chain-of-thought patterns
fire on ordinary prompts (they should not) and on GSM8K questions with a typical
elicitation suffix appended (they should).

    python benchmarks/capability.py --corpus ../shared/corpora
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path

import pyarrow as pa

from distillguard.config import default_config
from distillguard.detect.features import event_features
from distillguard.schema import EVENT_SCHEMA

#: MT-Bench categories → the classifier's areas (None: no single area applies).
MT_BENCH_AREAS = {"math": "reasoning", "reasoning": "reasoning", "coding": "coding",
                  "writing": "creative", "roleplay": "creative", "extraction": None,
                  "stem": None, "humanities": None}
ELICITATION_SUFFIXES = ("Think step by step.", "Show your reasoning.",
                        "Explain your full reasoning before the final answer.")


def _jsonl(path: Path, key: str) -> list[str]:
    return [json.loads(line)[key] for line in path.read_text().splitlines() if line.strip()]


def labelled_set(corpus: Path) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    rows += [(q, "reasoning") for q in _jsonl(corpus / "reasoning" / "gsm8k_test.jsonl",
                                              "question")]
    for name, area in (("coding/gpteacher_codegen_instruct.json", "coding"),
                       ("tool_use/gpteacher_toolformer_sim0.6.json", "agentic")):
        items = json.loads((corpus / name).read_text())
        rows += [(item["instruction"] + "\n" + item.get("input", ""), area) for item in items]
    for line in (corpus / "human" / "mt_bench_questions.jsonl").read_text().splitlines():
        item = json.loads(line)
        area = MT_BENCH_AREAS.get(item["category"])
        if area:
            rows.append((item["turns"][0], area))
    return rows


def classify(prompts: list[str]) -> tuple[list[str], list[bool], float]:
    n = len(prompts)
    table = pa.table({name: pa.nulls(n, EVENT_SCHEMA.field(name).type)
                      for name in EVENT_SCHEMA.names})
    table = table.set_column(EVENT_SCHEMA.get_field_index("prompt"), "prompt",
                             pa.array(prompts, pa.string()))
    started = time.perf_counter()
    featured = event_features(table, default_config().features)
    seconds = time.perf_counter() - started
    return (featured.column("capability").to_pylist(), featured.column("cot").to_pylist(),
            n / seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=Path("../shared/corpora"))
    args = parser.parse_args()
    rows = labelled_set(args.corpus)
    prompts = [p for p, _ in rows]
    truth = [a for _, a in rows]
    predicted, _, rate = classify(prompts)
    print(f"{len(rows):,} labelled prompts; feature function {rate:,.0f} prompts/s")
    print(f"{'area':<12} {'n':>6} {'precision':>10} {'recall':>8}   classified as")
    for area in sorted(set(truth)):
        n = sum(t == area for t in truth)
        hit = sum(t == area and p == area for t, p in zip(truth, predicted, strict=True))
        called = sum(p == area for p in predicted)
        mix = Counter(p for t, p in zip(truth, predicted, strict=True) if t == area)
        top = ", ".join(f"{k} {v / n:.0%}" for k, v in mix.most_common(3))
        print(f"{area:<12} {n:>6} {hit / max(called, 1):>10.2f} {hit / n:>8.2f}   {top}")
    human = _jsonl(args.corpus / "human" / "arena_hard_v0.1_questions.jsonl", "prompt")
    human += [t[0] for t in _jsonl(args.corpus / "human" / "vicuna_bench_questions.jsonl",
                                   "turns")]
    _, cot_human, _ = classify(human)
    gsm = _jsonl(args.corpus / "reasoning" / "gsm8k_test.jsonl", "question")
    elicited = [f"{q} {ELICITATION_SUFFIXES[i % 3]}" for i, q in enumerate(gsm)]
    _, cot_elicited, _ = classify(elicited)
    print(f"chain-of-thought patterns: fire on {sum(cot_human) / len(human):.1%} of "
          f"{len(human)} ordinary prompts, on {sum(cot_elicited) / len(gsm):.1%} of "
          f"{len(gsm)} GSM8K questions with an elicitation suffix")


if __name__ == "__main__":
    main()
