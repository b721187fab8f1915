"""Calibration: what false-positive rate each decision threshold implies, without labels.

Almost every account in a provider's population is legitimate, so the population is its
own reference. Following Efron's *empirical null*, the log-odds of every account's risk
are modelled, in their central part, by a normal distribution fitted robustly (median
and the inter-quartile range), as if every account were ordinary; the rare campaigns
sit in the upper tail and barely move a median. Accounts with no evidence at all
(risk 0) are a point mass that the fit leaves out. The estimated false-positive rate at
a threshold is the null's tail probability above it, and the estimated false discoveries
are that rate times the population. With labels, ``distillguard eval`` prints the
measured rate next to the stated one, so the estimate itself is checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from scipy.stats import norm

#: Risks are clipped away from 0 and 1 before taking log-odds.
_EPS = 1e-4
#: Inter-quartile range of a standard normal (to turn an IQR into a sigma).
_IQR_TO_SIGMA = 1.0 / (norm.ppf(0.75) - norm.ppf(0.25))


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, _EPS, 1.0 - _EPS)
    return np.log(p / (1.0 - p))


def calibrate_thresholds(
    risk: np.ndarray, thresholds: Mapping[str, float]
) -> dict[str, Any]:
    """Stated false-positive rate at each decision threshold, estimated on the population.

    Parameters
    ----------
    risk:
        Final risk of every account of the scan.
    thresholds:
        ``scoring.thresholds`` (``monitor``, ``review``, ``block``).

    Returns
    -------
    ``{"method", "null": {"mu", "sigma"}, "thresholds": {name: {"risk", "flagged",
    "population_share", "estimated_fpr", "estimated_false_positives"}}}``. The
    population share flagged is also an upper bound of the false-positive rate.
    """
    n = len(risk)
    risk = np.asarray(risk, dtype=np.float64)
    # Accounts without any evidence (risk 0) are a point mass no curve fits; the null is
    # that mass plus a normal fitted to the log-odds of the accounts with some evidence.
    some = risk > _EPS
    evidence_share = float(some.mean()) if n else 0.0
    z = _logit(risk[some])
    if len(z) >= 2:
        q1, mu, q3 = np.quantile(z, [0.25, 0.5, 0.75])
        sigma = max(float(q3 - q1) * _IQR_TO_SIGMA, 0.25)
    else:
        mu, sigma = float(_logit(np.array([0.01]))[0]), 1.0
    rows: dict[str, dict[str, float | int]] = {}
    for name, cut in sorted(thresholds.items(), key=lambda kv: kv[1]):
        flagged = int(np.count_nonzero(risk >= cut))
        tail = float(norm.sf((float(_logit(np.array([cut]))[0]) - mu) / sigma))
        fpr = evidence_share * tail
        # A false positive must be flagged: the null cannot claim more than observed.
        fpr = min(fpr, flagged / n) if n else 0.0
        rows[name] = {
            "risk": float(cut),
            "flagged": flagged,
            "population_share": round(flagged / n, 6) if n else 0.0,
            "estimated_fpr": float(f"{fpr:.3g}"),
            "estimated_false_positives": round(fpr * n, 2),
        }
    return {
        "method": "empirical null: accounts without evidence, plus a normal fit (median, IQR) "
        "to the log-odds of the others' risk; FPR = its tail above each threshold",
        "null": {"evidence_share": round(evidence_share, 4), "mu": round(float(mu), 4),
                 "sigma": round(float(sigma), 4)},
        "thresholds": rows,
    }


def measured_fpr(risk: np.ndarray, legitimate: np.ndarray, cut: float) -> float | None:
    """The false-positive rate at ``cut`` measured on labelled legitimate accounts."""
    legit = np.asarray(legitimate, dtype=bool)
    if not legit.any():
        return None
    return float(np.count_nonzero(risk[legit] >= cut) / legit.sum())
