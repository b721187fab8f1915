"""The self-contained radioactivity experiment behind ``distillguard prove demo`` (needs torch).

1. Generate a corpus (templated grammar) and train a tiny GPT-2 teacher on it.
2. Serve the teacher to simulated accounts, each output watermarked with the key of the
   account that received it, ``HMAC(master_secret, account_id)``. One campaign's
   accounts harvest many outputs; ordinary accounts ask a few questions each.
3. Train students from scratch on a mix of the campaign's harvest (at several
   watermarked fractions) and clean text, and clean students on clean text only.
4. Test every student in open-weight reading mode against every issued key (each key
   scored on the texts served under it) plus never-issued keys, with and without the
   de-duplication rules; test the campaign student in closed mode on text it writes;
   measure the perplexity cost of the watermark under the teacher.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

import numpy as np
import torch

from distillguard.watermark.corpus import build_tokenizer, generate_documents
from distillguard.watermark.detect import ScoreTable
from distillguard.watermark.greenlist import WatermarkConfig
from distillguard.watermark.keys import WatermarkKey, account_key, campaign_key, seeds_array
from distillguard.watermark.lm import (
    ModelSize,
    RecurrentLanguageModel,
    build_model,
    generate,
    parameter_count,
    perplexity,
    top_predictions,
    train_model,
)
from distillguard.watermark.radioactivity import (
    RadioactivityResult,
    closed_model_test,
    score_per_key_texts,
    score_shared_texts,
)
from distillguard.watermark.stats import randomized_p_values, uniformity_ks_p_value
from distillguard.watermark.tokenizer import WordTokenizer

# A public secret: the demo must be reproducible. Never use it to serve real traffic.
DEMO_SECRET = b"distillguard-demo-secret-not-for-production"
CAMPAIGN_ID = "campaign-A"
SIGNIFICANCE = 1e-5


class ProgressReporter(Protocol):
    """Receives progress of the long stages (the CLI shows Rich bars)."""

    def stage(self, description: str, total: int) -> Callable[[int, int], None]:
        """Start a stage; the returned callback gets ``(done, total)``."""
        ...


class _Silent:
    def stage(self, description: str, total: int) -> Callable[[int, int], None]:
        return lambda done, total: None


@dataclass(frozen=True)
class DemoSettings:
    """Sizes of the experiment: :meth:`full` aims at ~5 min on 2 cores, :meth:`quick` at ~20 s."""

    seed: int = 7
    doc_length: int = 64
    prompt_length: int = 8
    teacher_size: ModelSize = field(default_factory=lambda: ModelSize(192, 3, 4, 128))
    teacher_docs: int = 3000
    teacher_epochs: float = 2.0
    accounts: int = 120
    campaign_accounts: int = 4
    responses_per_account: int = 10
    keying: str = "account"
    student_width: int = 256
    student_docs: int = 2400
    student_epochs: float = 6.0
    fractions: tuple[float, ...] = (0.05, 0.10, 0.25)
    clean_students: int = 2
    wrong_keys: int = 200
    closed_samples: int = 500
    perplexity_samples: int = 400
    top_k: int = 1
    watermark: WatermarkConfig = field(default_factory=WatermarkConfig)

    @classmethod
    def full(cls, seed: int = 7) -> DemoSettings:
        return cls(seed=seed)

    @classmethod
    def quick(cls, seed: int = 7) -> DemoSettings:
        return cls(
            seed=seed,
            teacher_size=ModelSize(64, 2, 4, 128),
            teacher_docs=600,
            teacher_epochs=1.0,
            doc_length=48,
            prompt_length=6,
            accounts=40,
            campaign_accounts=2,
            responses_per_account=4,
            keying="campaign",
            student_width=160,
            student_docs=600,
            student_epochs=6.0,
            fractions=(0.5,),
            clean_students=1,
            wrong_keys=60,
            closed_samples=100,
            perplexity_samples=100,
        )

    def harvest_per_campaign_account(self) -> int:
        """Responses each campaign account harvests: enough for the largest fraction."""
        needed = int(np.ceil(max(self.fractions) * self.student_docs))
        return int(np.ceil(needed / self.campaign_accounts))


@dataclass
class StudentReport:
    """Test results for one student."""

    name: str
    fraction: float
    train_seconds: float
    final_loss: float
    reading: RadioactivityResult
    reading_no_dedup: RadioactivityResult
    wrong_keys: RadioactivityResult
    campaign_rank: int
    candidates: int

    def campaign_record(self, dedup: bool = True) -> dict[str, Any]:
        table = (self.reading if dedup else self.reading_no_dedup).groups
        return table.get(f"campaign:{CAMPAIGN_ID}")


@dataclass
class DemoResult:
    """Everything the report shows."""

    settings: DemoSettings
    timings: dict[str, float]
    teacher_parameters: int
    student_parameters: int
    campaign_keys: list[str]
    students: list[StudentReport]
    closed: dict[str, RadioactivityResult]
    perplexity_plain: float
    perplexity_watermarked: float
    served_detection_rate: float
    clean_ks_p_value: float
    clean_no_dedup_ks_p_value: float
    wrong_key_ks_p_value: float
    clean_p_values: np.ndarray
    clean_no_dedup_p_values: np.ndarray
    wrong_key_p_values: np.ndarray
    sample_texts: dict[str, str]
    tokenizer: WordTokenizer
    issued_keys: list[WatermarkKey]
    served: np.ndarray
    served_key_index: np.ndarray
    served_account_ids: list[str]
    models: dict[str, torch.nn.Module]

    def summary(self) -> dict[str, Any]:
        """JSON-ready figures (no key material)."""
        students = []
        for student in self.students:
            record = student.campaign_record()
            students.append(
                {
                    "name": student.name,
                    "watermarked_fraction": student.fraction,
                    "campaign_p_value": record["p_value"],
                    "campaign_scored_tokens": record["scored_tokens"],
                    "campaign_green_fraction": record["green_fraction"],
                    "campaign_p_value_no_dedup": student.campaign_record(dedup=False)["p_value"],
                    "campaign_rank": student.campaign_rank,
                    "candidates": student.candidates,
                    "campaign_key_p_values": {
                        key_id: student.reading.keys.get(key_id)["p_value"]
                        for key_id in self.campaign_keys
                    },
                    "top_groups": student.reading.groups.records(5),
                    "min_wrong_key_p_value": float(student.wrong_keys.keys.p_value.min()),
                    "false_positives_no_dedup": int(
                        (
                            student.reading_no_dedup.keys.p_value[len(self.campaign_keys) :]
                            < SIGNIFICANCE
                        ).sum()
                    ),
                    "train_seconds": student.train_seconds,
                    "final_loss": student.final_loss,
                }
            )
        return {
            "settings": {**asdict(self.settings)},
            "timings_seconds": self.timings,
            "teacher_parameters": self.teacher_parameters,
            "student_parameters": self.student_parameters,
            "students": students,
            "closed_mode": {name: result.summary(5) for name, result in self.closed.items()},
            "clean_students_ks_p_value": self.clean_ks_p_value,
            "clean_students_min_p_value": float(self.clean_p_values.min()),
            "clean_students_p_values": int(self.clean_p_values.size),
            "clean_students_no_dedup_ks_p_value": self.clean_no_dedup_ks_p_value,
            "clean_students_no_dedup_min_p_value": float(self.clean_no_dedup_p_values.min()),
            "wrong_keys_ks_p_value": self.wrong_key_ks_p_value,
            "wrong_keys_min_p_value": float(self.wrong_key_p_values.min()),
            "perplexity_plain": self.perplexity_plain,
            "perplexity_watermarked": self.perplexity_watermarked,
            "served_detection_rate_at_1e-6": self.served_detection_rate,
        }


def _issued_keys(settings: DemoSettings) -> tuple[list[WatermarkKey], list[str], np.ndarray]:
    """Distinct serving keys (campaign's first), account ids, and each account's key index.

    Per-account keying gives every account its own key; campaign keying serves all the
    campaign's accounts with one campaign key (so its texts are scored, and
    de-duplicated, as one key's).
    """
    account_ids = [f"acct-{index:04d}" for index in range(settings.accounts)]
    campaign = settings.campaign_accounts
    if settings.keying == "campaign":
        keys = [campaign_key(DEMO_SECRET, CAMPAIGN_ID)]
        keys += [account_key(DEMO_SECRET, account) for account in account_ids[campaign:]]
        to_key = np.concatenate([np.zeros(campaign, dtype=np.int64), np.arange(1, len(keys))])
        return keys, account_ids, to_key
    keys = [
        account_key(DEMO_SECRET, account, CAMPAIGN_ID if index < campaign else None)
        for index, account in enumerate(account_ids)
    ]
    return keys, account_ids, np.arange(len(keys))


def _wrong_keys(count: int, seed: int) -> list[WatermarkKey]:
    """Keys never used to serve anything (derived from a different secret)."""
    other_secret = f"never-issued-{seed}".encode().ljust(32, b"#")
    return [account_key(other_secret, f"decoy-{index:04d}") for index in range(count)]


def run_demo(settings: DemoSettings, progress: ProgressReporter | None = None) -> DemoResult:
    """Run the whole experiment in memory and return its figures."""
    progress = progress or _Silent()
    torch.set_num_threads(min(2, os.cpu_count() or 1))
    rng = np.random.default_rng(settings.seed)
    config = settings.watermark
    tokenizer = build_tokenizer()
    special = [tokenizer.pad_id, tokenizer.bos_id, tokenizer.unk_id]
    timings: dict[str, float] = {}
    started = time.perf_counter()

    # 1. the teacher
    teacher = build_model(
        tokenizer.vocab_size,
        settings.teacher_size,
        settings.seed,
        tokenizer.pad_id,
        tokenizer.bos_id,
    )
    corpus = generate_documents(tokenizer, settings.teacher_docs, settings.doc_length, rng)
    train_model(
        teacher,
        corpus,
        epochs=settings.teacher_epochs,
        seed=settings.seed,
        progress=progress.stage("training the teacher", 1),
    )
    timings["teacher"] = time.perf_counter() - started

    # 2. serving with per-account watermarks
    mark = time.perf_counter()
    keys, account_ids, account_key_index = _issued_keys(settings)
    campaign_count = sum(1 for key in keys if key.campaign_id)  # the campaign's keys come first
    responses = np.where(
        np.arange(settings.accounts) < settings.campaign_accounts,
        settings.harvest_per_campaign_account(),
        settings.responses_per_account,
    )
    served_account = np.repeat(np.arange(settings.accounts), responses)
    key_index = account_key_index[served_account]
    prompts = generate_documents(tokenizer, key_index.shape[0], settings.prompt_length, rng)
    new_tokens = settings.doc_length - settings.prompt_length
    served = generate(
        teacher,
        prompts,
        new_tokens,
        seeds=seeds_array(keys)[key_index],
        config=config,
        suppress_tokens=special,
        sampling_seed=settings.seed,
        progress=progress.stage("serving watermarked outputs", 1),
    )
    served_detection = _served_detection_rate(served, key_index, keys, settings)
    timings["serving"] = time.perf_counter() - mark

    # 3 and 4. students and their tests
    campaign_rows = np.flatnonzero(key_index < campaign_count)
    wrong = _wrong_keys(settings.wrong_keys, settings.seed)
    plans = [(f"campaign student {fraction:.0%}", fraction) for fraction in settings.fractions]
    plans += [(f"clean student {index + 1}", 0.0) for index in range(settings.clean_students)]
    students: list[StudentReport] = []
    closed: dict[str, RadioactivityResult] = {}
    student_parameters = 0
    kept: dict[str, torch.nn.Module] = {}
    kept_fraction = 0.10 if 0.10 in settings.fractions else max(settings.fractions)
    for number, (name, fraction) in enumerate(plans):  # a handful of students
        mark = time.perf_counter()
        watermarked = round(fraction * settings.student_docs)
        data = np.concatenate(
            [
                served[rng.choice(campaign_rows, watermarked, replace=False)],
                generate_documents(
                    tokenizer, settings.student_docs - watermarked, settings.doc_length, rng
                ),
            ]
        )
        student = RecurrentLanguageModel(
            tokenizer.vocab_size, settings.student_width, 1, seed=settings.seed + 100 + number
        )
        student_parameters = parameter_count(student)
        losses = train_model(
            student,
            data,
            epochs=settings.student_epochs,
            seed=settings.seed + number,
            progress=progress.stage(f"training the {name}", 1),
        )
        train_seconds = time.perf_counter() - mark
        predictions = top_predictions(student, served, settings.top_k)
        reading = score_per_key_texts(
            served, predictions, key_index, keys, config, start=settings.prompt_length
        )
        reading_raw = score_per_key_texts(
            served, predictions, key_index, keys, config, start=settings.prompt_length, dedup=False
        )
        wrong_result = score_shared_texts(
            served[campaign_rows],
            predictions[campaign_rows],
            wrong,
            config,
            start=settings.prompt_length,
            mode="open-weight/wrong keys",
        )
        rank, candidates = _campaign_rank(reading, wrong_result)
        students.append(
            StudentReport(
                name,
                fraction,
                train_seconds,
                float(np.mean(losses[-20:])),
                reading,
                reading_raw,
                wrong_result,
                rank,
                candidates,
            )
        )
        if fraction == kept_fraction or (fraction == 0.0 and "clean-student" not in kept):
            kept["campaign-student" if fraction > 0 else "clean-student"] = student
        if fraction == max(settings.fractions):
            closed_prompts = generate_documents(
                tokenizer, settings.closed_samples, settings.prompt_length, rng
            )
            written = _generate_recurrent(
                student, closed_prompts, new_tokens, special, settings.seed
            )
            closed[name] = closed_model_test(written, settings.prompt_length, keys, config)
        timings[name] = time.perf_counter() - mark

    # 5. the perplexity cost of the watermark under the teacher
    mark = time.perf_counter()
    ppl_prompts = generate_documents(
        tokenizer, settings.perplexity_samples, settings.prompt_length, rng
    )
    ppl_seeds = np.asarray(
        rng.integers(0, np.iinfo(np.uint64).max, ppl_prompts.shape[0], dtype=np.uint64),
        dtype=np.uint64,
    )
    plain = generate(teacher, ppl_prompts, new_tokens, suppress_tokens=special, sampling_seed=1)
    marked = generate(
        teacher,
        ppl_prompts,
        new_tokens,
        seeds=ppl_seeds,
        config=config,
        suppress_tokens=special,
        sampling_seed=1,
    )
    timings["perplexity"] = time.perf_counter() - mark
    timings["total"] = time.perf_counter() - started

    clean = [s.reading.keys for s in students if s.fraction == 0.0]
    clean_raw = [s.reading_no_dedup.keys for s in students if s.fraction == 0.0]
    own = np.arange(campaign_count, len(keys))  # ordinary accounts' keys: innocent for all
    innocent = [s.wrong_keys.keys for s in students]
    innocent += [s.reading.keys.subset(own) for s in students if s.fraction > 0]
    calibration = np.random.default_rng(settings.seed + 1)
    return DemoResult(
        settings=settings,
        timings=timings,
        teacher_parameters=parameter_count(teacher),
        student_parameters=student_parameters,
        campaign_keys=[key.key_id for key in keys[:campaign_count]],
        students=students,
        closed=closed,
        perplexity_plain=perplexity(teacher, plain, settings.prompt_length),
        perplexity_watermarked=perplexity(teacher, marked, settings.prompt_length),
        served_detection_rate=served_detection,
        clean_ks_p_value=_calibration_ks(clean, config.gamma, calibration),
        clean_no_dedup_ks_p_value=_calibration_ks(clean_raw, config.gamma, calibration),
        wrong_key_ks_p_value=_calibration_ks(innocent, config.gamma, calibration),
        clean_p_values=_p_values(clean),
        clean_no_dedup_p_values=_p_values(clean_raw),
        wrong_key_p_values=_p_values(innocent),
        sample_texts={
            "plain": tokenizer.decode(plain[0][settings.prompt_length :]),
            "watermarked": tokenizer.decode(marked[0][settings.prompt_length :]),
        },
        tokenizer=tokenizer,
        issued_keys=keys,
        served=served,
        served_key_index=key_index,
        served_account_ids=[account_ids[i] for i in served_account.tolist()],
        models=kept,
    )


def _p_values(tables: list[ScoreTable]) -> np.ndarray:
    return np.concatenate([table.p_value for table in tables]) if tables else np.ones(0)


def _calibration_ks(tables: list[ScoreTable], gamma: float, rng: np.random.Generator) -> float:
    """KS p-value of the randomized p-values (exactly uniform under the null, unlike exact ones)."""
    if not tables:
        return float("nan")
    randomized = [randomized_p_values(t.green, t.scored, gamma, rng) for t in tables]
    return uniformity_ks_p_value(np.concatenate(randomized))


def _campaign_rank(reading: RadioactivityResult, wrong: RadioactivityResult) -> tuple[int, int]:
    """Rank of the campaign among all candidates: issued keys pooled by campaign, plus decoys."""
    target = f"campaign:{CAMPAIGN_ID}"
    groups = reading.groups
    target_p = groups.get(target)["p_value"]
    others = np.concatenate([groups.p_value[np.array(groups.ids) != target], wrong.keys.p_value])
    return int((others <= target_p).sum()) + 1, int(others.size) + 1


def _served_detection_rate(
    served: np.ndarray, key_index: np.ndarray, keys: list[WatermarkKey], settings: DemoSettings
) -> float:
    """Share of served responses detected with their own key at p <= 1e-6 (per-response dedup)."""
    from distillguard.watermark.detect import dedup_first, green_bits_own_key, sequence_tuples
    from distillguard.watermark.stats import binomial_p_values

    tuples = sequence_tuples(served, settings.watermark.context_width, settings.prompt_length)
    tuples = tuples.select(dedup_first([tuples.sequence, tuples.windows, tuples.tokens]))
    green = green_bits_own_key(
        tuples, seeds_array(keys)[key_index[tuples.sequence]], settings.watermark.gamma
    )
    scored = np.bincount(tuples.sequence, minlength=served.shape[0])
    green_count = np.bincount(tuples.sequence, weights=green, minlength=served.shape[0])
    return float((binomial_p_values(green_count, scored, settings.watermark.gamma) <= 1e-6).mean())


@torch.inference_mode()
def _generate_recurrent(
    model: RecurrentLanguageModel,
    prompts: np.ndarray,
    new_tokens: int,
    suppress: list[int],
    seed: int,
) -> np.ndarray:
    """Sample from a recurrent student (the closed-mode suspect writes text)."""
    generator = torch.Generator().manual_seed(seed)
    tokens = torch.as_tensor(prompts, dtype=torch.long)
    hidden_states, state = model.recurrent(model.embedding(tokens))
    logits = model.output(hidden_states[:, -1])
    written = [tokens]
    for _ in range(new_tokens):  # generation steps, batched over all prompts
        logits[:, suppress] = -torch.inf
        step = torch.multinomial(torch.softmax(logits, dim=-1), 1, generator=generator)
        written.append(step)
        output, state = model.recurrent(model.embedding(step), state)
        logits = model.output(output[:, -1])
    return torch.cat(written, dim=1).numpy()
