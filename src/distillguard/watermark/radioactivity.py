"""Radioactivity tests: was a suspect model trained on text we watermarked?

Sander et al. (NeurIPS 2024) show that a model fine-tuned on watermarked text keeps a
trace of the watermark. Two access levels:

* **open-weight** ("reading" mode): feed texts through the suspect under teacher forcing
  and score its top-1 prediction at each position as if it were the next token. In the
  *supervised* setting each key is scored on the texts the provider served under that
  key (its logs say which account received what); in the *unsupervised* one every key is
  scored on the same texts.
* **closed** (API only): score text the suspect generates.

Both rest on the same two de-duplication rules, without which the test is invalid:

1. a position is scored only if its watermark window has not already been a context
   earlier in the same sequence: otherwise the suspect may copy the (green-biased)
   token that followed it, and even a clean model looks radioactive;
2. each (window, token) tuple is scored once per key: repeated tuples repeat the same
   green bit, and counting them as independent trials gives tiny p-values to noise.

The functions that run a model need torch; the scoring functions need only NumPy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from distillguard.watermark.detect import (
    ScoreTable,
    Tuples,
    dedup_first,
    first_window_in_sequence,
    green_bits_own_key,
    green_counts_all_keys,
    sequence_tuples,
)
from distillguard.watermark.greenlist import WatermarkConfig
from distillguard.watermark.keys import WatermarkKey, seeds_array


@dataclass(frozen=True)
class RadioactivityResult:
    """p-values per key and per campaign (keys without a campaign stand alone)."""

    mode: str
    dedup: bool
    keys: ScoreTable
    groups: ScoreTable

    @property
    def scored_tokens(self) -> int:
        """Tuples scored in all (the largest per-key count when keys read different texts)."""
        return int(self.keys.scored.max()) if self.keys.scored.size else 0

    def summary(self, top: int = 10) -> dict[str, Any]:
        """JSON-ready summary: the most significant keys and campaigns first."""
        return {
            "mode": self.mode,
            "dedup": self.dedup,
            "scored_tokens": self.scored_tokens,
            "top_keys": self.keys.records(top),
            "top_groups": self.groups.records(top),
        }


def _result(
    mode: str,
    dedup: bool,
    keys: Sequence[WatermarkKey],
    scored: np.ndarray,
    green: np.ndarray,
    gamma: float,
) -> RadioactivityResult:
    table = ScoreTable([key.key_id for key in keys], scored, green, gamma)
    return RadioactivityResult(mode, dedup, table, table.pooled([key.group for key in keys]))


def _ranked_tuples(
    sequences: Sequence[np.ndarray] | np.ndarray,
    scored_tokens: Sequence[np.ndarray] | np.ndarray | None,
    context_width: int,
    start: Sequence[int] | np.ndarray | int,
) -> tuple[Tuples, np.ndarray]:
    """Tuples for every rank of ``scored_tokens``, shaped ``(rows, length[, k])``.

    Returns the tuples, rank after rank, and the position-level index of each (to share
    the first-window rule between the ranks of one position).
    """
    if scored_tokens is None:
        tuples = sequence_tuples(sequences, context_width, start)
        return tuples, np.arange(len(tuples))
    ranked = np.asarray(scored_tokens)
    if ranked.ndim == 2:
        ranked = ranked[..., None]
    per_rank = [
        sequence_tuples(sequences, context_width, start, ranked[..., rank])
        for rank in range(ranked.shape[-1])
    ]  # a few ranks (top-k)
    base = len(per_rank[0])
    tuples = Tuples(
        windows=np.concatenate([t.windows for t in per_rank]),
        tokens=np.concatenate([t.tokens for t in per_rank]),
        sequence=np.concatenate([t.sequence for t in per_rank]),
        position=np.concatenate([t.position for t in per_rank]),
    )
    return tuples, np.tile(np.arange(base), len(per_rank))


def _dedup_ranked(tuples: Tuples, slot: np.ndarray, scope: np.ndarray | None) -> np.ndarray:
    """Both rules for ranked tuples: the first-window rule is decided per position."""
    base = int(slot.max()) + 1 if slot.size else 0
    first = first_window_in_sequence(tuples.select(np.arange(len(tuples)) < base))
    keep = first[slot]
    columns: list[np.ndarray] = [tuples.windows, tuples.tokens]
    if scope is not None:
        columns.insert(0, scope)
    unique = dedup_first([column[keep] for column in columns])
    mask = np.zeros(len(tuples), dtype=bool)
    mask[np.flatnonzero(keep)[unique]] = True
    return mask


def score_per_key_texts(
    sequences: Sequence[np.ndarray] | np.ndarray,
    scored_tokens: Sequence[np.ndarray] | np.ndarray | None,
    key_index: np.ndarray,
    keys: Sequence[WatermarkKey],
    config: WatermarkConfig,
    *,
    start: Sequence[int] | np.ndarray | int = 0,
    dedup: bool = True,
    mode: str = "open-weight/supervised",
) -> RadioactivityResult:
    """Score each key on the sequences served under it (``key_index[s]``: key of sequence s).

    ``scored_tokens`` are the suspect's predictions in reading mode: top-1, shape
    ``(rows, length)``, or top-k, shape ``(rows, length, k)``: the k tokens of a position
    are distinct, so their green bits are independent and each is one binomial trial.
    ``None`` scores the sequences' own tokens (closed mode on text the suspect wrote
    from the provider's prompts).
    """
    key_index = np.asarray(key_index, dtype=np.int64)
    tuples, slot = _ranked_tuples(sequences, scored_tokens, config.context_width, start)
    row_key = key_index[tuples.sequence]
    if dedup:
        keep = _dedup_ranked(tuples, slot, scope=row_key)
        tuples, row_key = tuples.select(keep), row_key[keep]
    seeds = seeds_array(keys)
    green = green_bits_own_key(tuples, seeds[row_key], config.gamma)
    scored = np.bincount(row_key, minlength=len(keys))
    green_count = np.bincount(row_key, weights=green, minlength=len(keys)).astype(np.int64)
    return _result(mode, dedup, keys, scored, green_count, config.gamma)


def score_shared_texts(
    sequences: Sequence[np.ndarray] | np.ndarray,
    scored_tokens: Sequence[np.ndarray] | np.ndarray | None,
    keys: Sequence[WatermarkKey],
    config: WatermarkConfig,
    *,
    start: Sequence[int] | np.ndarray | int = 0,
    dedup: bool = True,
    mode: str = "closed",
) -> RadioactivityResult:
    """Score every key on the same tuples (closed mode, or unsupervised reading)."""
    tuples, slot = _ranked_tuples(sequences, scored_tokens, config.context_width, start)
    if dedup:
        tuples = tuples.select(_dedup_ranked(tuples, slot, scope=None))
    green = green_counts_all_keys(tuples, seeds_array(keys), config.gamma)[0]
    scored = np.full(len(keys), len(tuples), dtype=np.int64)
    return _result(mode, dedup, keys, scored, green, config.gamma)


def open_weight_test(
    model: Any,
    sequences: np.ndarray,
    key_index: np.ndarray,
    keys: Sequence[WatermarkKey],
    config: WatermarkConfig,
    *,
    start: Sequence[int] | np.ndarray | int = 0,
    dedup: bool = True,
    top_k: int = 1,
    predictions: np.ndarray | None = None,
) -> RadioactivityResult:
    """Supervised reading test of an open-weight suspect (needs torch).

    Parameters
    ----------
    model:
        The suspect: a torch module mapping ``input_ids`` to logits (or an output with ``.logits``).
    sequences:
        Texts the provider served, as equal-length token rows.
    key_index:
        Which key watermarked each row.
    start:
        First position to score per row (the prompt length: only responses carry the mark).
    top_k:
        Score the suspect's ``top_k`` predictions at each position (1 is Sander et
        al.'s choice; more ranks add trials, each exact, since the tokens are distinct).
    predictions:
        Precomputed predictions, shape ``(rows, length)`` or ``(rows, length, k)``
        (reuse them to compare settings cheaply).
    """
    if predictions is None:
        from distillguard.watermark.lm import top_predictions

        predictions = top_predictions(model, sequences, top_k)
    return score_per_key_texts(
        sequences, predictions, key_index, keys, config, start=start, dedup=dedup
    )


def closed_model_test(
    generated: np.ndarray,
    prompt_length: int,
    keys: Sequence[WatermarkKey],
    config: WatermarkConfig,
    *,
    dedup: bool = True,
) -> RadioactivityResult:
    """Score text a suspect generated after ``prompt_length`` prompt tokens, under every key."""
    return score_shared_texts(generated, None, keys, config, start=prompt_length, dedup=dedup)
