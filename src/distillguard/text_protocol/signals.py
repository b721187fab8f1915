"""distillguard's own text signals, aggregated over a traffic window.

Built only from :func:`distillguard.detect.features.event_features` on the prompt text (the
``cot``, ``rubric``, ``capability``, ``skeleton`` and ``prompt_chars`` columns). Each
window gets five signals, each standardised against the reference prompts so that it is
roughly a unit normal when the window is benign:

``cot_share``
    share of requests asking for the model's reasoning (chain-of-thought elicitation);
    binomial z against the reference share.
``rubric_share``
    share of rubric / grading prompts (the model used as a judge); binomial z.
``unseen_template_share``
    share of requests whose prompt skeleton never occurs in the reference; binomial z
    against the Good–Turing estimate of that probability (reference skeletons seen once,
    divided by reference requests).
``capability_shift``
    Pearson χ² of the window's capability mix against the reference mix (smoothed),
    as ``(χ² − df) / √(2 df)``.
``length_shift``
    |z| of the window's mean log prompt length against the reference.

The score is ``Σ max(zᵢ, 0)²``: the likelihood-ratio statistic for "at least one signal
moved in its suspicious direction" when the signals are independent unit normals. No
weight is fitted; the threshold comes from benign windows like every detector's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Self

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from distillguard.config import FeatureConfig, default_config
from distillguard.detect.features import event_features
from distillguard.errors import DistillguardError
from distillguard.text_protocol.calibration import WindowDetector, Windows
from distillguard.text_protocol.windows import as_window_set, distinct_with_counts

#: The window signals, in the order :meth:`FeatureWindowDetector.window_signals` returns them.
SIGNALS: tuple[str, ...] = (
    "cot_share",
    "rubric_share",
    "unseen_template_share",
    "capability_shift",
    "length_shift",
)


def _column(table: pa.Table, name: str) -> np.ndarray:
    return np.asarray(table[name].to_numpy(zero_copy_only=False))


def _binomial_z(share: np.ndarray, p: float, n: int) -> np.ndarray:
    return np.asarray((share - p) / np.sqrt(p * (1.0 - p) / n), dtype=np.float64)


class FeatureWindowDetector(WindowDetector):
    """distillguard's per-request text features, aggregated and standardised per window.

    Parameters
    ----------
    config:
        The ``features`` section of the configuration (patterns, capabilities,
        skeleton length); the defaults when ``None``.

    Examples
    --------
    >>> reference = ["What is the capital of France?", "Write a haiku about rain."] * 50
    >>> detector = FeatureWindowDetector().fit(reference)
    >>> cot = ["Solve 3x+1=7 step by step and show your reasoning."] * 20
    >>> benign = reference[:20]
    >>> scores = detector.score_windows([cot, benign])
    >>> bool(scores[0] > scores[1])
    True
    """

    name = "distillguard"

    def __init__(self, *, config: FeatureConfig | None = None) -> None:
        self.config = config

    def _features(self, texts: list[str]) -> pa.Table:
        config = self.config if self.config is not None else default_config().features
        return event_features(pa.table({"prompt": pa.array(texts, pa.string())}), config)

    def _capability_codes(self, features: pa.Table) -> np.ndarray:
        codes = pc.index_in(features["capability"], value_set=pa.array(self.categories_))
        return np.asarray(pc.fill_null(codes, len(self.categories_) - 1).to_numpy(
            zero_copy_only=False), dtype=np.int64)

    def fit(self, reference_prompts: Sequence[str]) -> Self:
        """Reference rates, capability mix, known skeletons and length distribution."""
        texts, counts = distinct_with_counts(reference_prompts)
        total = float(counts.sum())
        if total < 2:
            raise DistillguardError("the feature reference needs at least 2 prompts")
        config = self.config if self.config is not None else default_config().features
        self.categories_ = [*config.capabilities.keys(), "general"]
        features = self._features(texts)
        floor = 0.5 / total  # keeps a rate seen 0 (or m) times off 0 (or 1)

        def rate(values: np.ndarray) -> float:
            return float(np.clip(counts @ values / total, floor, 1.0 - floor))

        self.cot_rate_ = rate(np.nan_to_num(_column(features, "cot").astype(np.float64)))
        rubric = pc.fill_null(features["rubric"], False)
        self.rubric_rate_ = rate(np.asarray(rubric.to_numpy(zero_copy_only=False), np.float64))
        capability = np.bincount(
            self._capability_codes(features), weights=counts, minlength=len(self.categories_)
        )
        self.capability_mix_ = (capability + 0.5) / (total + 0.5 * len(self.categories_))
        skeletons = pc.dictionary_encode(features["skeleton"]).combine_chunks()
        skeleton_counts = np.bincount(
            np.asarray(pc.fill_null(skeletons.indices, 0).to_numpy(zero_copy_only=False)),
            weights=counts, minlength=len(skeletons.dictionary),
        )
        self.known_skeletons_ = skeletons.dictionary
        self.unseen_rate_ = float(np.clip(np.sum(skeleton_counts == 1) / total, floor, 1 - floor))
        log_chars = np.log1p(_column(features, "prompt_chars").astype(np.float64))
        self.log_chars_mean_ = float(counts @ log_chars / total)
        variance = float(counts @ (log_chars - self.log_chars_mean_) ** 2 / (total - 1.0))
        self.log_chars_sd_ = max(np.sqrt(variance), 1e-6)
        self.reference_size_ = int(total)
        return self

    def window_signals(self, windows: Windows) -> dict[str, np.ndarray]:
        """The standardised signals of each window (see the module docstring)."""
        if not hasattr(self, "reference_size_"):
            raise DistillguardError("distillguard: call fit() before scoring")
        window_set = as_window_set(windows)
        used, counts = window_set.counts()
        n = window_set.size
        features = self._features([window_set.texts[i] for i in used])
        cot = np.nan_to_num(_column(features, "cot").astype(np.float64))
        rubric = np.asarray(
            pc.fill_null(features["rubric"], False).to_numpy(zero_copy_only=False), np.float64
        )
        unseen = np.asarray(pc.invert(pc.is_in(
            features["skeleton"], value_set=self.known_skeletons_)).to_numpy(
            zero_copy_only=False), np.float64)
        log_chars = np.log1p(_column(features, "prompt_chars").astype(np.float64))
        onehot = np.eye(len(self.categories_))[self._capability_codes(features)]
        observed = np.asarray(counts @ onehot)
        expected = n * self.capability_mix_
        chi2 = ((observed - expected) ** 2 / expected).sum(axis=1)
        df = len(self.categories_) - 1
        mean_log_chars = counts @ log_chars / n
        return {
            "cot_share": _binomial_z(counts @ cot / n, self.cot_rate_, n),
            "rubric_share": _binomial_z(counts @ rubric / n, self.rubric_rate_, n),
            "unseen_template_share": _binomial_z(counts @ unseen / n, self.unseen_rate_, n),
            "capability_shift": np.asarray((chi2 - df) / np.sqrt(2.0 * df), np.float64),
            "length_shift": np.abs(mean_log_chars - self.log_chars_mean_)
            / (self.log_chars_sd_ / np.sqrt(n)),
        }

    def score_windows(self, windows: Windows) -> np.ndarray:
        """``Σ max(z, 0)²`` over the window signals."""
        signals = self.window_signals(windows)
        stacked = np.stack([signals[name] for name in SIGNALS])
        return np.asarray((np.maximum(stacked, 0.0) ** 2).sum(axis=0), dtype=np.float64)
