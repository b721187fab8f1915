"""The statistics of watermark tests: exact binomial tails and family-wise corrections.

Under the null hypothesis (the text, or the suspect model, does not depend on the key),
every scored token is green with probability ``gamma``, independently of the others once
repeated (window, token) tuples are removed. The number of green tokens among ``n``
scored is then Binomial(n, gamma), and the p-value is its exact upper tail
``P[X >= green]``. The z-score is reported too, but the p-value never comes from it: the
normal approximation is far too optimistic in the tail where decisions are made
(1e-6 and below).
"""

from __future__ import annotations

import numpy as np
from scipy import stats as scipy_stats


def binomial_p_values(green: np.ndarray, scored: np.ndarray, gamma: float) -> np.ndarray:
    """Exact one-sided p-values ``P[Binomial(scored, gamma) >= green]`` (1.0 if nothing scored)."""
    green = np.asarray(green, dtype=np.float64)
    scored = np.asarray(scored, dtype=np.float64)
    p_values = scipy_stats.binom.sf(green - 1.0, scored, gamma)
    return np.asarray(np.where(scored > 0, p_values, 1.0), dtype=np.float64)


def z_scores(green: np.ndarray, scored: np.ndarray, gamma: float) -> np.ndarray:
    """``(green - gamma n) / sqrt(n gamma (1 - gamma))``; 0.0 when nothing was scored."""
    green = np.asarray(green, dtype=np.float64)
    scored = np.asarray(scored, dtype=np.float64)
    spread = np.sqrt(np.maximum(scored, 1.0) * gamma * (1.0 - gamma))
    return np.asarray(np.where(scored > 0, (green - gamma * scored) / spread, 0.0))


def holm_adjust(p_values: np.ndarray) -> np.ndarray:
    """Holm–Bonferroni adjusted p-values (strong family-wise error control, any dependence).

    Sorted ascending, the i-th smallest (1-based) becomes
    ``max_{j <= i} min(1, (m - j + 1) p_(j))``; a key is significant at family-wise level
    alpha when its adjusted p-value is <= alpha.
    """
    p_values = np.asarray(p_values, dtype=np.float64)
    count = p_values.size
    if count == 0:
        return p_values.copy()
    order = np.argsort(p_values, kind="stable")
    multipliers = count - np.arange(count, dtype=np.float64)
    stepped = np.minimum(1.0, np.maximum.accumulate(multipliers * p_values[order]))
    adjusted = np.empty_like(stepped)
    adjusted[order] = stepped
    return adjusted


def bonferroni_adjust(p_values: np.ndarray) -> np.ndarray:
    """Bonferroni adjusted p-values: ``min(1, m p)``."""
    p_values = np.asarray(p_values, dtype=np.float64)
    return np.minimum(1.0, p_values * p_values.size)


def uniformity_ks_p_value(p_values: np.ndarray) -> float:
    """Kolmogorov–Smirnov p-value of the hypothesis that ``p_values`` are Uniform(0, 1).

    Exact binomial p-values are discrete (slightly conservative), which can only push
    this statistic towards rejecting for very small token counts; the experiment scores
    hundreds of tokens per key, where the effect is negligible.
    """
    values = np.asarray(p_values, dtype=np.float64)
    if values.size == 0:
        return float("nan")
    return float(scipy_stats.kstest(values, "uniform").pvalue)


def randomized_p_values(
    green: np.ndarray, scored: np.ndarray, gamma: float, rng: np.random.Generator
) -> np.ndarray:
    """Randomized binomial p-values ``P[X > g] + U P[X = g]``, exactly Uniform(0, 1) under the null.

    Exact p-values of a discrete test are conservative and take few distinct values, so
    a Kolmogorov–Smirnov test against the uniform rejects them for that reason alone
    once there are thousands. Checking calibration on the randomized version removes the
    discreteness; decisions still use the exact p-values.
    """
    green = np.asarray(green, dtype=np.float64)
    scored = np.asarray(scored, dtype=np.float64)
    above = scipy_stats.binom.sf(green, scored, gamma)
    at = scipy_stats.binom.pmf(green, scored, gamma)
    uniform = rng.random(green.shape)
    return np.asarray(np.where(scored > 0, above + uniform * at, uniform), dtype=np.float64)
