"""Watermark benchmark: detection power, false-positive rate, perplexity cost, radioactivity.

Run from the repository root (needs the ``watermark`` extra)::

    .venv/bin/python benchmarks/watermark.py --out watermark-bench.json

Figures printed (targets of issue 8):

* detection power on 200-token watermarked outputs of the tiny teacher at a
  false-positive rate of 1e-6 (own key; and attribution among 1,000 account keys with
  Holm correction);
* empirical false-positive rate at a nominal 1e-3 on unwatermarked 200-token outputs of
  the same teacher (real samples, each scored with its own never-used key, plus every
  sample scored under several keys for a larger, still valid, null sample);
* perplexity of watermarked versus plain outputs under the teacher, for several biases;
* the radioactivity experiment (``distillguard prove demo``, full size).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import time
from dataclasses import replace
from typing import Any

import numpy as np
import torch

from distillguard.watermark.corpus import build_tokenizer, generate_documents
from distillguard.watermark.detect import (
    dedup_first,
    detect,
    green_bits_own_key,
    green_counts_all_keys,
    sequence_tuples,
)
from distillguard.watermark.experiment import DemoSettings, run_demo
from distillguard.watermark.greenlist import WatermarkConfig
from distillguard.watermark.keys import account_key, seeds_array
from distillguard.watermark.lm import ModelSize, build_model, generate, perplexity, train_model
from distillguard.watermark.report import targets
from distillguard.watermark.stats import binomial_p_values

SECRET = b"benchmark-secret-not-for-production"
PROMPT = 8
LENGTH = 200


def _machine() -> str:
    try:
        return subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return f"{platform.machine()}, {os.cpu_count()} CPUs"


def _own_key_p_values(texts: np.ndarray, seeds: np.ndarray, gamma: float) -> np.ndarray:
    """p-value of each text under its own key (de-duplicated within the text), vectorised."""
    tuples = sequence_tuples(texts, 1, PROMPT)
    tuples = tuples.select(dedup_first([tuples.sequence, tuples.windows, tuples.tokens]))
    green = green_bits_own_key(tuples, seeds[tuples.sequence], gamma)
    scored = np.bincount(tuples.sequence, minlength=texts.shape[0])
    green_count = np.bincount(tuples.sequence, weights=green, minlength=texts.shape[0])
    return binomial_p_values(green_count, scored, gamma)


def _many_key_p_values(texts: np.ndarray, seeds: np.ndarray, gamma: float) -> np.ndarray:
    """p-values of every text under every key: shape (texts, keys)."""
    tuples = sequence_tuples(texts, 1, PROMPT)
    tuples = tuples.select(dedup_first([tuples.sequence, tuples.windows, tuples.tokens]))
    green = green_counts_all_keys(tuples, seeds, gamma, tuples.sequence, texts.shape[0])
    scored = np.bincount(tuples.sequence, minlength=texts.shape[0])
    return binomial_p_values(green, scored[:, None], gamma)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--watermarked", type=int, default=1000, help="watermarked outputs")
    parser.add_argument("--plain", type=int, default=2000, help="unwatermarked outputs")
    parser.add_argument("--null-keys", type=int, default=50, help="keys per unwatermarked output")
    parser.add_argument("--teacher-docs", type=int, default=1000, help="teacher training documents")
    parser.add_argument("--skip-demo", action="store_true", help="skip the radioactivity run")
    parser.add_argument("--out", default=None, help="write the figures as JSON here")
    args = parser.parse_args()

    torch.set_num_threads(min(2, os.cpu_count() or 1))
    rng = np.random.default_rng(args.seed)
    config = WatermarkConfig()
    tokenizer = build_tokenizer()
    special = [tokenizer.pad_id, tokenizer.bos_id, tokenizer.unk_id]
    results: dict[str, Any] = {"date": time.strftime("%Y-%m-%d"), "machine": _machine()}
    started = time.perf_counter()

    # the teacher, trained on documents as long as the outputs it will write
    teacher = build_model(
        tokenizer.vocab_size,
        ModelSize(192, 3, 4, 256),
        args.seed,
        tokenizer.pad_id,
        tokenizer.bos_id,
    )
    corpus = generate_documents(tokenizer, args.teacher_docs, PROMPT + LENGTH, rng)
    train_model(teacher, corpus, epochs=2.0, seed=args.seed)
    results["teacher_seconds"] = time.perf_counter() - started
    print(f"teacher trained in {results['teacher_seconds']:.0f} s")

    # detection power on watermarked outputs, each for one of 1,000 accounts
    accounts = [account_key(SECRET, f"acct-{i:05d}") for i in range(1000)]
    account_seeds = seeds_array(accounts)
    owner = rng.integers(0, len(accounts), args.watermarked)
    prompts = generate_documents(tokenizer, args.watermarked, PROMPT, rng)
    mark = time.perf_counter()
    marked = generate(
        teacher,
        prompts,
        LENGTH,
        seeds=account_seeds[owner],
        config=config,
        suppress_tokens=special,
        sampling_seed=args.seed,
    )
    own_p = _own_key_p_values(marked, account_seeds[owner], config.gamma)
    tables = detect(
        marked,
        account_seeds,
        [k.key_id for k in accounts],
        config.gamma,
        1,
        start=PROMPT,
        per_document=True,
    )
    attributed = np.array(
        [
            table.records(1)[0]["id"] == accounts[who].key_id
            and table.records(1)[0]["holm_p_value"] <= 1e-6
            for table, who in zip(tables, owner, strict=True)
        ]
    )
    results["detection"] = {
        "outputs": int(args.watermarked),
        "tokens_per_output": LENGTH,
        "power_at_fpr_1e-6_own_key": float((own_p <= 1e-6).mean()),
        "attributed_among_1000_keys_holm_1e-6": float(attributed.mean()),
        "median_p_value": float(np.median(own_p)),
        "seconds": time.perf_counter() - mark,
    }
    print("detection:", json.dumps(results["detection"]))

    # false positives on unwatermarked outputs of the same teacher
    mark = time.perf_counter()
    plain_prompts = generate_documents(tokenizer, args.plain, PROMPT, rng)
    plain = generate(
        teacher, plain_prompts, LENGTH, suppress_tokens=special, sampling_seed=args.seed + 1
    )
    never_used = [account_key(SECRET, f"never-{i:05d}") for i in range(args.plain)]
    single = _own_key_p_values(plain, seeds_array(never_used), config.gamma)
    null_keys = seeds_array([account_key(SECRET, f"null-{i}") for i in range(args.null_keys)])
    many = _many_key_p_values(plain, null_keys, config.gamma)
    results["false_positives"] = {
        "unwatermarked_outputs": int(args.plain),
        "fpr_at_1e-3_one_key_per_output": float((single <= 1e-3).mean()),
        "samples_one_key": int(single.size),
        "fpr_at_1e-3_all_keys": float((many <= 1e-3).mean()),
        "samples_all_keys": int(many.size),
        "fpr_at_1e-6_all_keys": float((many <= 1e-6).mean()),
        "seconds": time.perf_counter() - mark,
    }
    print("false positives:", json.dumps(results["false_positives"]))

    # perplexity cost, same prompts, plain versus watermarked, several biases
    quality: dict[str, Any] = {"plain": perplexity(teacher, plain[: args.watermarked], PROMPT)}
    sweep_prompts = generate_documents(tokenizer, 300, PROMPT, rng)
    sweep_seeds = account_seeds[rng.integers(0, len(accounts), 300)]
    for delta in (1.0, 2.0, 3.0):
        biased = replace(config, delta=delta)
        texts = (
            marked
            if delta == config.delta
            else generate(
                teacher,
                sweep_prompts,
                LENGTH,
                seeds=sweep_seeds,
                config=biased,
                suppress_tokens=special,
                sampling_seed=args.seed + 2,
            )
        )
        seeds = account_seeds[owner] if delta == config.delta else sweep_seeds
        quality[f"delta_{delta:g}"] = {
            "perplexity": perplexity(teacher, texts, PROMPT),
            "power_at_1e-6": float((_own_key_p_values(texts, seeds, config.gamma) <= 1e-6).mean()),
        }
    results["perplexity"] = quality
    print("perplexity:", json.dumps(quality))

    if not args.skip_demo:
        mark = time.perf_counter()
        demo = run_demo(DemoSettings.full(args.seed))
        summary = demo.summary()
        summary.pop("settings")
        results["radioactivity"] = summary
        results["radioactivity_targets"] = [
            {"target": name, "measured": measured, "met": met}
            for name, measured, met in targets(demo)
        ]
        results["radioactivity_seconds"] = time.perf_counter() - mark
        for name, measured, met in targets(demo):
            print(f"{'MET ' if met else 'MISS'} {name}: {measured}")
    results["total_seconds"] = time.perf_counter() - started
    print(f"total {results['total_seconds']:.0f} s")
    if args.out:
        with open(args.out, "w", encoding="utf-8") as handle:
            json.dump(results, handle, indent=2, default=str)


if __name__ == "__main__":
    main()
