"""Watermark detection on token sequences, for one key or thousands at once.

Scoring works on *tuples*: the context window before a token and the token itself. A
tuple that repeats carries no new evidence (its green bit is the same every time), so
counting it twice breaks the independence the binomial test relies on and inflates the
z-score of any repetitive text. :func:`dedup_first` keeps the first occurrence of each
tuple. The green bits of one tuple under different keys are independent, so the same
deduplicated tuples are scored under every key and the p-value of each key is exact.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from distillguard.watermark.greenlist import is_green, window_states
from distillguard.watermark.stats import binomial_p_values, holm_adjust, z_scores

# Keys per chunk times tuples per chunk stays near this many hash evaluations (memory bound).
_CHUNK_ELEMENTS = 4_000_000


@dataclass(frozen=True)
class Tuples:
    """Scorable positions of a set of token sequences.

    ``windows[i]`` (shape ``(n, context_width)``) precedes ``tokens[i]`` in sequence
    ``sequence[i]`` at ``position[i]``.
    """

    windows: np.ndarray
    tokens: np.ndarray
    sequence: np.ndarray
    position: np.ndarray

    def __len__(self) -> int:
        return int(self.tokens.shape[0])

    def select(self, mask: np.ndarray) -> Tuples:
        """The tuples where ``mask`` is true."""
        return Tuples(
            self.windows[mask], self.tokens[mask], self.sequence[mask], self.position[mask]
        )


def sequence_tuples(
    sequences: Sequence[np.ndarray] | np.ndarray,
    context_width: int,
    start: Sequence[int] | np.ndarray | int = 0,
    scored_tokens: Sequence[np.ndarray] | np.ndarray | None = None,
) -> Tuples:
    """Windows and tokens at every scorable position of each sequence.

    Parameters
    ----------
    sequences:
        Token id arrays (a list of 1-D arrays, or a 2-D array of equal-length rows).
    context_width:
        Watermark window width ``k``; position ``j`` is scorable when ``j >= k``.
    start:
        First position to score in each sequence (e.g. the prompt length, to score only
        generated tokens); positions before ``k`` are never scored.
    scored_tokens:
        Tokens to score instead of the sequence's own (same shapes): the suspect's
        predictions in the open-weight "reading" test, where ``scored_tokens[s][j]`` is
        its guess for position ``j`` given ``sequences[s][:j]``.

    Returns
    -------
    Tuples
        One row per scored position, in sequence order.
    """
    rows = [np.asarray(row, dtype=np.int64).ravel() for row in sequences]
    lengths = np.array([row.shape[0] for row in rows], dtype=np.int64)
    flat = np.concatenate(rows) if rows else np.empty(0, dtype=np.int64)
    if scored_tokens is None:
        scored_flat = flat
    else:
        scored_rows = [np.asarray(row, dtype=np.int64).ravel() for row in scored_tokens]
        if [row.shape[0] for row in scored_rows] != lengths.tolist():
            raise ValueError("scored_tokens must have the shapes of sequences")
        scored_flat = np.concatenate(scored_rows) if scored_rows else flat
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    first = np.maximum(
        np.broadcast_to(np.asarray(start, dtype=np.int64), lengths.shape), context_width
    )
    counts = np.maximum(lengths - first, 0)
    total = int(counts.sum())
    sequence = np.repeat(np.arange(lengths.shape[0], dtype=np.int64), counts)
    # position within its sequence: running index minus the start of its block
    block_start = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    position = (
        np.arange(total, dtype=np.int64) - np.repeat(block_start, counts) + np.repeat(first, counts)
    )
    flat_index = offsets[sequence] + position
    window_index = flat_index[:, None] - np.arange(context_width, 0, -1, dtype=np.int64)[None, :]
    return Tuples(
        windows=flat[window_index].reshape(total, context_width),
        tokens=scored_flat[flat_index],
        sequence=sequence,
        position=position,
    )


def dedup_first(columns: Sequence[np.ndarray]) -> np.ndarray:
    """Mask of the first occurrence of each distinct row of the stacked ``columns``.

    Each column is 1-D or 2-D with one row per tuple; e.g. ``(scope, windows, tokens)``.
    """
    parts = [np.asarray(column, dtype=np.int64).reshape(len(column), -1) for column in columns]
    table = np.concatenate(parts, axis=1)
    mask = np.zeros(table.shape[0], dtype=bool)
    if table.shape[0]:
        _, first_index = np.unique(table, axis=0, return_index=True)
        mask[first_index] = True
    return mask


def first_window_in_sequence(tuples: Tuples) -> np.ndarray:
    """Mask of positions whose window has not been a context earlier in the same sequence.

    A suspect model that has read a window followed by a (green-biased) token earlier in
    its input can copy that token; scoring only first occurrences keeps the suspect's
    prediction independent of the key under the null hypothesis.
    """
    return dedup_first([tuples.sequence, tuples.windows])


def green_counts_all_keys(
    tuples: Tuples,
    seeds: np.ndarray,
    gamma: float,
    segments: np.ndarray | None = None,
    num_segments: int = 1,
) -> np.ndarray:
    """Green tokens per (segment, key), scoring every tuple under every key.

    Parameters
    ----------
    tuples:
        Tuples to score (already deduplicated as wanted), sorted by ``segments``.
    seeds:
        ``uint64`` key seeds, shape ``(K,)``.
    segments:
        Non-decreasing segment index of each tuple (e.g. the document); all zero when None.

    Returns
    -------
    numpy.ndarray
        ``int64`` array of shape ``(num_segments, K)``.
    """
    seeds = np.asarray(seeds, dtype=np.uint64)
    count = len(tuples)
    if segments is None:
        segments = np.zeros(count, dtype=np.int64)
    if count and np.any(np.diff(segments) < 0):
        raise ValueError("tuples must be sorted by segment")
    bounds = np.searchsorted(segments, np.arange(num_segments + 1))
    result = np.zeros((num_segments, seeds.shape[0]), dtype=np.int64)
    if count == 0 or seeds.shape[0] == 0:
        return result
    keys_per_chunk = max(1, _CHUNK_ELEMENTS // max(count, 1))
    for begin in range(0, seeds.shape[0], keys_per_chunk):  # chunks of keys bound memory
        chunk = seeds[begin : begin + keys_per_chunk]
        states = window_states(chunk[:, None], tuples.windows[None, :, :])
        green = is_green(states, tuples.tokens[None, :], gamma)
        running = np.concatenate(
            [np.zeros((chunk.shape[0], 1), dtype=np.int64), np.cumsum(green, axis=1)], axis=1
        )
        result[:, begin : begin + chunk.shape[0]] = (
            running[:, bounds[1:]] - running[:, bounds[:-1]]
        ).T
    return result


def green_bits_own_key(tuples: Tuples, row_seeds: np.ndarray, gamma: float) -> np.ndarray:
    """Green bit of each tuple under its own key (``row_seeds`` has one seed per tuple)."""
    states = window_states(np.asarray(row_seeds, dtype=np.uint64), tuples.windows)
    return is_green(states, tuples.tokens, gamma)


@dataclass(frozen=True)
class ScoreTable:
    """Test results for a family of keys (or campaigns): one entry per id.

    ``adjusted_p_value`` is Holm-adjusted over the whole family, so "adjusted p <= alpha"
    controls the probability of accusing any innocent key at level alpha.
    """

    ids: list[str]
    scored: np.ndarray
    green: np.ndarray
    gamma: float
    z_score: np.ndarray = field(init=False)
    p_value: np.ndarray = field(init=False)
    adjusted_p_value: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        scored = np.asarray(self.scored, dtype=np.int64)
        green = np.asarray(self.green, dtype=np.int64)
        if scored.shape != (len(self.ids),) or green.shape != scored.shape:
            raise ValueError("ids, scored and green must have the same length")
        object.__setattr__(self, "scored", scored)
        object.__setattr__(self, "green", green)
        p_values = binomial_p_values(green, scored, self.gamma)
        object.__setattr__(self, "z_score", z_scores(green, scored, self.gamma))
        object.__setattr__(self, "p_value", p_values)
        object.__setattr__(self, "adjusted_p_value", holm_adjust(p_values))

    def order(self) -> np.ndarray:
        """Indices from the most to the least significant (ties broken by z-score)."""
        return np.lexsort((-self.z_score, self.p_value))

    def rank_of(self, item_id: str) -> int:
        """1-based rank of ``item_id`` in :meth:`order`."""
        position = self.ids.index(item_id)
        return int(np.flatnonzero(self.order() == position)[0]) + 1

    def get(self, item_id: str) -> dict[str, Any]:
        """The record of one id."""
        return self._record(self.ids.index(item_id))

    def _record(self, index: int) -> dict[str, Any]:
        return {
            "id": self.ids[index],
            "scored_tokens": int(self.scored[index]),
            "green_tokens": int(self.green[index]),
            "green_fraction": float(self.green[index] / max(int(self.scored[index]), 1)),
            "z_score": float(self.z_score[index]),
            "p_value": float(self.p_value[index]),
            "holm_p_value": float(self.adjusted_p_value[index]),
        }

    def records(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Records sorted from the most significant, at most ``limit`` of them."""
        order = self.order()
        if limit is not None:
            order = order[:limit]
        return [self._record(int(index)) for index in order]

    def subset(self, indices: np.ndarray) -> ScoreTable:
        """The entries at ``indices`` (Holm adjustment recomputed over them)."""
        chosen = np.asarray(indices, dtype=np.int64)
        return ScoreTable(
            [self.ids[i] for i in chosen.tolist()],
            self.scored[chosen],
            self.green[chosen],
            self.gamma,
        )

    def pooled(self, groups: Sequence[str]) -> ScoreTable:
        """Pool keys into groups (e.g. campaigns): green and scored counts add up.

        Under the null the green bits of different keys are independent, so the pooled
        count is Binomial(sum of scored, gamma) and the pooled p-value is exact.
        """
        if len(groups) != len(self.ids):
            raise ValueError("one group per id is needed")
        names, inverse = np.unique(np.asarray(groups, dtype=object), return_inverse=True)
        scored = np.bincount(inverse, weights=self.scored, minlength=len(names))
        green = np.bincount(inverse, weights=self.green, minlength=len(names))
        return ScoreTable(
            [str(name) for name in names],
            scored.astype(np.int64),
            green.astype(np.int64),
            self.gamma,
        )


def detect(
    sequences: Sequence[np.ndarray] | np.ndarray,
    seeds: np.ndarray,
    ids: Sequence[str],
    gamma: float,
    context_width: int,
    *,
    start: Sequence[int] | np.ndarray | int = 0,
    dedup: bool = True,
    per_document: bool = False,
) -> list[ScoreTable]:
    """Test token sequences against every key.

    Pooled (default): one table for all sequences together, each distinct
    (window, token) tuple counted once across them. ``per_document``: one table per
    sequence, tuples de-duplicated within it. Holm adjustment is over the keys of a table.
    """
    tuples = sequence_tuples(sequences, context_width, start)
    count = len(list(sequences)) if not isinstance(sequences, np.ndarray) else sequences.shape[0]
    if dedup:
        scope = [tuples.sequence] if per_document else []
        tuples = tuples.select(dedup_first([*scope, tuples.windows, tuples.tokens]))
    if per_document:
        green = green_counts_all_keys(tuples, seeds, gamma, tuples.sequence, count)
        scored = np.bincount(tuples.sequence, minlength=count)
        return [
            ScoreTable(list(ids), np.full(len(ids), scored[row]), green[row], gamma)
            for row in range(count)  # one result table per document
        ]
    green = green_counts_all_keys(tuples, seeds, gamma)[0]
    return [ScoreTable(list(ids), np.full(len(ids), len(tuples)), green, gamma)]
