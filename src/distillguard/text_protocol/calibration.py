"""The contract every window detector follows, and its threshold at a stated false-positive rate.

A detector is fitted on reference (benign) prompts, scores windows (higher = less like
the reference), and is calibrated on benign-only windows: the threshold is the
conformal quantile of their scores, so a new benign window exchangeable with the
calibration windows is flagged with probability at most ``target_fpr``.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Self

import numpy as np

from distillguard.errors import DistillguardError
from distillguard.text_protocol.windows import WindowSet

Windows = WindowSet | Sequence[Sequence[str]]


def min_calibration_windows(target_fpr: float) -> int:
    """Fewest benign windows for which a threshold at ``target_fpr`` exists.

    The conformal threshold is the ``ceil((n + 1)(1 - α))``-th smallest of ``n`` scores,
    which must exist: ``n >= (1 - α) / α`` (333 windows for α = 0.3 %).
    """
    _check_fpr(target_fpr)
    n = math.ceil((1.0 - target_fpr) / target_fpr)
    # Guard against float rounding right at the boundary.
    while math.ceil((n + 1) * (1.0 - target_fpr)) > n:
        n += 1
    return n


def _check_fpr(target_fpr: float) -> None:
    if not 0.0 < target_fpr < 1.0:
        raise DistillguardError(f"target_fpr must be within (0, 1), got {target_fpr}")


def conformal_threshold(benign_scores: np.ndarray, target_fpr: float) -> float:
    """Threshold on scores such that ``score > threshold`` flags ≤ ``target_fpr`` of benign windows.

    Parameters
    ----------
    benign_scores:
        Scores of benign-only calibration windows.
    target_fpr:
        Largest acceptable false-positive rate (e.g. ``0.003``).

    Returns
    -------
    The ``ceil((n + 1)(1 - target_fpr))``-th smallest score (1-based). Windows scoring
    strictly above it are flagged.

    Raises
    ------
    DistillguardError
        When there are too few windows for the rate (see :func:`min_calibration_windows`)
        or a score is not finite.
    """
    _check_fpr(target_fpr)
    scores = np.sort(np.asarray(benign_scores, dtype=np.float64).ravel())
    if not np.all(np.isfinite(scores)):
        raise DistillguardError("calibration scores must be finite")
    rank = math.ceil((scores.size + 1) * (1.0 - target_fpr))
    if rank > scores.size:
        raise DistillguardError(
            f"{scores.size} calibration windows cannot set a threshold at a "
            f"{target_fpr:.2%} false-positive rate: at least "
            f"{min_calibration_windows(target_fpr)} are needed"
        )
    return float(scores[rank - 1])


class WindowDetector(ABC):
    """Base class: ``fit`` on reference prompts, ``score_windows``, ``calibrate``, ``predict``.

    Learned state ends in ``_``: ``threshold_`` (after :meth:`calibrate`) and
    ``calibration_scores_``.
    """

    #: Short name used in results (``"mmd"``, ``"distillguard"``).
    name: str = "detector"

    threshold_: float
    calibration_scores_: np.ndarray

    @abstractmethod
    def fit(self, reference_prompts: Sequence[str]) -> Self:
        """Learn what benign traffic looks like from reference prompts (one per request)."""

    @abstractmethod
    def score_windows(self, windows: Windows) -> np.ndarray:
        """One score per window; higher means further from the reference."""

    def calibrate(self, benign_windows: Windows, target_fpr: float = 0.003) -> Self:
        """Set ``threshold_`` from benign-only windows at ``target_fpr`` (conformal quantile)."""
        scores = self.score_windows(benign_windows)
        self.threshold_ = conformal_threshold(scores, target_fpr)
        self.calibration_scores_ = scores
        return self

    def decision_function(self, windows: Windows) -> np.ndarray:
        """Score minus threshold: positive means flagged."""
        return self.score_windows(windows) - self._threshold()

    def predict(self, windows: Windows) -> np.ndarray:
        """True for windows scoring above the calibrated threshold."""
        return self.decision_function(windows) > 0.0

    def _threshold(self) -> float:
        if not hasattr(self, "threshold_"):
            raise DistillguardError(f"{self.name}: call calibrate() before predicting")
        return self.threshold_
