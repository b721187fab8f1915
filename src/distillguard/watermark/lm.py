"""Tiny GPT-2-style language models trained from scratch on the CPU (needs torch).

Used by the radioactivity experiment: a teacher served with per-account watermarks and
students trained on what a campaign harvested. Everything here is deterministic given
the seeds, and nothing is downloaded: the configuration is built in code.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np
import torch
from transformers import GPT2Config, GPT2LMHeadModel, LogitsProcessorList
from transformers.utils import logging as transformers_logging

from distillguard.watermark.greenlist import WatermarkConfig
from distillguard.watermark.processor import AccountWatermarkLogitsProcessor

ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class ModelSize:
    """Width, depth and heads of a tiny GPT-2."""

    width: int = 128
    layers: int = 2
    heads: int = 4
    max_positions: int = 256


def build_model(
    vocab_size: int, size: ModelSize, seed: int, pad_id: int, bos_id: int
) -> GPT2LMHeadModel:
    """A freshly initialised GPT-2 with ``size``; same seed, same weights."""
    transformers_logging.set_verbosity_error()  # no hub/config chatter on the terminal
    torch.manual_seed(seed)
    config = GPT2Config(
        vocab_size=vocab_size,
        n_positions=size.max_positions,
        n_embd=size.width,
        n_layer=size.layers,
        n_head=size.heads,
        bos_token_id=bos_id,
        eos_token_id=None,
        pad_token_id=pad_id,
        resid_pdrop=0.0,
        embd_pdrop=0.0,
        attn_pdrop=0.0,
    )
    model = GPT2LMHeadModel(config)
    model.generation_config.eos_token_id = None
    model.generation_config.pad_token_id = pad_id
    return model


def parameter_count(model: torch.nn.Module) -> int:
    return sum(parameter.numel() for parameter in model.parameters())


def _logits(model: torch.nn.Module, input_ids: torch.Tensor) -> torch.Tensor:
    output = model(input_ids=input_ids)
    return output.logits if hasattr(output, "logits") else output


def train_model(
    model: torch.nn.Module,
    documents: np.ndarray,
    *,
    epochs: float,
    batch_size: int = 32,
    learning_rate: float = 3e-3,
    seed: int = 0,
    progress: ProgressCallback | None = None,
) -> list[float]:
    """Next-token training on equal-length ``documents`` (AdamW, warm-up then cosine decay).

    ``epochs`` may be fractional. Returns the loss of every step.
    """
    data = torch.as_tensor(np.asarray(documents, dtype=np.int64))
    generator = torch.Generator().manual_seed(seed)
    steps_per_epoch = max(1, math.ceil(data.shape[0] / batch_size))
    total_steps = max(1, round(epochs * steps_per_epoch))
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=0.01)
    warmup = max(1, total_steps // 20)

    def schedule(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return 0.1 + 0.9 * 0.5 * (
            1.0 + math.cos(math.pi * (step - warmup) / max(1, total_steps - warmup))
        )

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)
    model.train()
    losses: list[float] = []
    order = torch.randperm(data.shape[0], generator=generator)
    cursor = 0
    for step in range(total_steps):  # training steps, not rows
        if cursor + batch_size > order.shape[0]:
            order = torch.randperm(data.shape[0], generator=generator)
            cursor = 0
        batch = data[order[cursor : cursor + batch_size]]
        cursor += batch_size
        logits = _logits(model, batch)
        loss = torch.nn.functional.cross_entropy(
            logits[:, :-1].reshape(-1, logits.shape[-1]), batch[:, 1:].reshape(-1)
        )
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        losses.append(float(loss.detach()))
        if progress is not None:
            progress(step + 1, total_steps)
    model.eval()
    return losses


@torch.inference_mode()
def generate(
    model: GPT2LMHeadModel,
    prompts: np.ndarray,
    max_new_tokens: int,
    *,
    seeds: np.ndarray | None = None,
    config: WatermarkConfig | None = None,
    suppress_tokens: Sequence[int] = (),
    batch_size: int = 512,
    sampling_seed: int = 0,
    progress: ProgressCallback | None = None,
) -> np.ndarray:
    """Sample ``max_new_tokens`` after each prompt (temperature 1, no top-k/top-p).

    With ``seeds`` (one per prompt row) and ``config``, row ``i`` is watermarked with
    ``seeds[i]``; without, the output is plain. Returns prompts and continuations,
    shape ``(rows, prompt_length + max_new_tokens)``.
    """
    prompts = np.asarray(prompts, dtype=np.int64)
    torch.manual_seed(sampling_seed)
    outputs = []
    for begin in range(0, prompts.shape[0], batch_size):  # batches of requests
        input_ids = torch.as_tensor(prompts[begin : begin + batch_size])
        processors = LogitsProcessorList()
        if seeds is not None:
            if config is None:
                raise ValueError("watermarked generation needs a WatermarkConfig")
            processors.append(
                AccountWatermarkLogitsProcessor(seeds[begin : begin + batch_size], config)
            )
        result = cast(Any, model).generate(
            input_ids=input_ids,
            attention_mask=torch.ones_like(input_ids),
            max_new_tokens=max_new_tokens,
            min_new_tokens=max_new_tokens,
            do_sample=True,
            top_k=0,
            top_p=1.0,
            temperature=1.0,
            logits_processor=processors,
            suppress_tokens=list(suppress_tokens) or None,
        )
        outputs.append(result.numpy())
        if progress is not None:
            progress(min(begin + batch_size, prompts.shape[0]), prompts.shape[0])
    return np.concatenate(outputs, axis=0)


@torch.inference_mode()
def next_token_log_probs(
    model: torch.nn.Module, sequences: np.ndarray, batch_size: int = 256
) -> np.ndarray:
    """Log-probability of each token given the tokens before it; column 0 is NaN."""
    sequences = np.asarray(sequences, dtype=np.int64)
    result = np.full(sequences.shape, np.nan, dtype=np.float64)
    for begin in range(0, sequences.shape[0], batch_size):
        batch = torch.as_tensor(sequences[begin : begin + batch_size])
        log_probs = torch.log_softmax(_logits(model, batch)[:, :-1].float(), dim=-1)
        picked = log_probs.gather(-1, batch[:, 1:, None])[..., 0]
        result[begin : begin + batch_size, 1:] = picked.numpy()
    return result


def perplexity(model: torch.nn.Module, sequences: np.ndarray, start: int) -> float:
    """Perplexity of the tokens from position ``start`` on, under ``model`` (no watermark)."""
    log_probs = next_token_log_probs(model, sequences)[:, max(start, 1) :]
    return float(np.exp(-np.mean(log_probs)))


@torch.inference_mode()
def top_predictions(
    model: torch.nn.Module, sequences: np.ndarray, top_k: int = 1, batch_size: int = 256
) -> np.ndarray:
    """The model's ``top_k`` most likely tokens at every position, under teacher forcing.

    ``result[s, j, r]`` is the rank-``r`` prediction for position ``j`` after reading
    ``sequences[s, :j]``; column 0 (nothing read yet) is -1. Shape ``(rows, length, top_k)``.
    """
    sequences = np.asarray(sequences, dtype=np.int64)
    result = np.full((*sequences.shape, top_k), -1, dtype=np.int64)
    for begin in range(0, sequences.shape[0], batch_size):
        batch = torch.as_tensor(sequences[begin : begin + batch_size])
        logits = _logits(model, batch)[:, :-1]
        result[begin : begin + batch_size, 1:] = torch.topk(logits, top_k, dim=-1).indices.numpy()
    return result


class RecurrentLanguageModel(torch.nn.Module):
    """A small GRU language model: ``input_ids`` to next-token logits.

    Students in the experiment use it: on 2 CPU cores it trains about five times faster
    per token than a GPT-2 of similar size, and it learns the n-gram statistics a
    watermark shifts within a few epochs.
    """

    def __init__(self, vocab_size: int, width: int = 256, layers: int = 1, seed: int = 0) -> None:
        super().__init__()
        torch.manual_seed(seed)
        self.embedding = torch.nn.Embedding(vocab_size, width)
        self.recurrent = torch.nn.GRU(width, width, num_layers=layers, batch_first=True)
        self.output = torch.nn.Linear(width, vocab_size)

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        hidden, _ = self.recurrent(self.embedding(input_ids))
        return self.output(hidden)


_RECURRENT_CONFIG = "distillguard-recurrent.json"


def save_recurrent(model: RecurrentLanguageModel, directory: str | Path) -> Path:
    """Save a recurrent student as safetensors plus a small JSON config (no pickle)."""
    from safetensors.torch import save_file

    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    config = {
        "vocab_size": model.embedding.num_embeddings,
        "width": model.embedding.embedding_dim,
        "layers": model.recurrent.num_layers,
    }
    (out / _RECURRENT_CONFIG).write_text(json.dumps(config), "utf-8")
    save_file(
        {name: tensor.contiguous() for name, tensor in model.state_dict().items()},
        str(out / "model.safetensors"),
    )
    return out


def load_suspect(directory: str | Path) -> torch.nn.Module:
    """Load a suspect model from a local directory, never executing code from it.

    A distillguard recurrent model (``distillguard-recurrent.json``), or a Hugging Face
    causal language model stored as safetensors (``from_pretrained``, local files only).
    """
    from distillguard.errors import InputFileError

    path = Path(directory)
    if not path.is_dir():
        raise InputFileError(str(path), "a suspect model must be a directory")
    if (path / _RECURRENT_CONFIG).exists():
        from safetensors.torch import load_file

        try:
            config = json.loads((path / _RECURRENT_CONFIG).read_text("utf-8"))
            model = RecurrentLanguageModel(
                int(config["vocab_size"]), int(config["width"]), int(config["layers"])
            )
            model.load_state_dict(load_file(str(path / "model.safetensors")))
        except (OSError, ValueError, KeyError, RuntimeError) as exc:
            raise InputFileError(str(path), f"not a valid recurrent model ({exc})") from None
        return model.eval()
    from transformers import AutoModelForCausalLM

    transformers_logging.set_verbosity_error()
    try:
        loaded = AutoModelForCausalLM.from_pretrained(
            str(path), local_files_only=True, use_safetensors=True
        )
    except (OSError, ValueError) as exc:
        raise InputFileError(str(path), f"not a causal language model directory ({exc})") from None
    return loaded.eval()
