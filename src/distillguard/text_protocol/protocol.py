"""The windowed text-only evaluation protocol (after arXiv 2606.05725).

Benign and attacker prompts are drawn from labelled traffic into disjoint pools; windows
of ``window`` prompts are sampled at fixed attacker shares; every detector is fitted on
the reference pool, calibrated on benign-only windows at ``target_fpr``, and tested on
the same windows as every other detector, so rates compare side by side.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
from sklearn.metrics import roc_auc_score

from distillguard.config import FeatureConfig
from distillguard.errors import DistillguardError
from distillguard.text_protocol.calibration import WindowDetector, min_calibration_windows
from distillguard.text_protocol.embedders import Embedder
from distillguard.text_protocol.mmd import MMDWindowDetector
from distillguard.text_protocol.signals import FeatureWindowDetector
from distillguard.text_protocol.windows import (
    SplitMode,
    WindowSet,
    attackers_per_window,
    load_pools,
    sample_windows,
)

ProgressCallback = Callable[[str, int, int], None]

#: Detectors the protocol can run, by name.
DETECTORS: tuple[str, ...] = ("distillguard", "mmd")

DEFAULT_SHARES: tuple[float, ...] = (0.0, 0.05, 0.1, 0.25, 0.5, 1.0)


@dataclass(frozen=True)
class TextProtocolResult:
    """Detection rates per (detector, attacker share), and how they were measured.

    ``rows`` holds one dict per (detector, share): ``detector``, ``share``,
    ``attackers_per_window``, ``windows``, ``detection_rate`` (share of test windows
    flagged), ``benign_fpr`` (the detector's rate at share 0, ``None`` without share 0),
    ``threshold``, ``mean_score`` and ``auroc`` (test windows at this share against
    those at share 0; ``None`` for share 0 or without it).
    """

    window: int
    shares: tuple[float, ...]
    target_fpr: float
    calibration_windows: int
    test_windows_per_share: int
    rows: list[dict[str, Any]]
    pools: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    seed: int = 0
    split: str = "event"

    def detection_rate(self, detector: str, share: float) -> float:
        """The detection rate of ``detector`` at ``share``."""
        for row in self.rows:
            if row["detector"] == detector and row["share"] == share:
                return float(row["detection_rate"])
        raise KeyError((detector, share))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        data = asdict(self)
        data["shares"] = list(self.shares)
        return data

    def to_markdown(self) -> str:
        """A table: one row per detector, one column per attacker share."""
        detectors = list(dict.fromkeys(row["detector"] for row in self.rows))
        header = ["detector"]
        for share in self.shares:
            label = f"{share:.0%}" if share * 100 == round(share * 100) else f"{share:.1%}"
            header.append(f"{label} (benign FPR)" if share == 0 else label)
        header.append("threshold")
        lines = [
            "| " + " | ".join(header) + " |",
            "|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|",
        ]
        for name in detectors:
            rows = {row["share"]: row for row in self.rows if row["detector"] == name}
            cells = [_markdown_cell(name)]
            cells += [f"{rows[s]['detection_rate']:.1%}" for s in self.shares]
            cells.append(f"{rows[self.shares[0]]['threshold']:.4g}")
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
        lines.append(
            f"Share of test windows flagged ({self.test_windows_per_share} per share, "
            f"{self.window:,} prompts each); thresholds at ≤ {self.target_fpr:.1%} benign "
            f"false positives from {self.calibration_windows} benign calibration windows."
        )
        return "\n".join(lines)


def _markdown_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _make_detector(
    name: str,
    *,
    embedder: Embedder | None,
    feature_config: FeatureConfig | None,
    seed: int,
    progress: ProgressCallback | None,
) -> WindowDetector:
    if name == "distillguard":
        return FeatureWindowDetector(config=feature_config)
    if name == "mmd":
        return MMDWindowDetector(embedder=embedder, seed=seed, progress=progress)
    raise DistillguardError(f"unknown detector {name!r}; known: {', '.join(DETECTORS)}")


def _validate(window: int, shares: Sequence[float], target_fpr: float, calibration_windows: int,
              test_windows: int, detectors: Sequence[str]) -> tuple[float, ...]:
    if window < 2:
        raise DistillguardError(f"window must hold at least 2 prompts, got {window}")
    if test_windows < 1:
        raise DistillguardError(f"test_windows must be at least 1, got {test_windows}")
    needed = min_calibration_windows(target_fpr)
    if calibration_windows < needed:
        raise DistillguardError(
            f"{calibration_windows} calibration windows cannot set a threshold at a "
            f"{target_fpr:.2%} false-positive rate: at least {needed} are needed"
        )
    unknown = [name for name in detectors if name not in DETECTORS]
    if unknown or not detectors:
        raise DistillguardError(
            f"unknown detector(s) {', '.join(map(repr, unknown)) or '(none given)'}; "
            f"known: {', '.join(DETECTORS)}"
        )
    for share in shares:
        attackers_per_window(window, share)
    if not shares:
        raise DistillguardError("give at least one attacker share")
    return tuple(dict.fromkeys(float(s) for s in shares))


def run_text_protocol(
    events: str | Path | pa.Table,
    labels: str | Path | pa.Table,
    *,
    window: int = 1500,
    shares: Sequence[float] = DEFAULT_SHARES,
    target_fpr: float = 0.003,
    calibration_windows: int = 400,
    test_windows: int = 100,
    seed: int = 0,
    detectors: Sequence[str] = DETECTORS,
    embedder: Embedder | None = None,
    progress: ProgressCallback | None = None,
    reference_size: int = 5000,
    pool_size: int = 5000,
    attacker_pool_size: int = 2500,
    split: SplitMode = "event",
    feature_config: FeatureConfig | None = None,
) -> TextProtocolResult:
    """Run the windowed text-only protocol on labelled traffic.

    Parameters
    ----------
    events, labels:
        ``events.parquet`` (contract 1, ``prompt`` column) and ``labels.parquet``
        (contract 3) as paths or Arrow tables.
    window:
        Prompts per window (the paper uses 1,500).
    shares:
        Attacker shares of the test windows; ``0`` measures the benign false-positive rate.
    target_fpr:
        False-positive rate the thresholds are set at (conformal quantile).
    calibration_windows:
        Benign-only windows, resampled from the calibration pool, that set each threshold
        (at least ``(1 - target_fpr) / target_fpr``: 333 for 0.3 %).
    test_windows:
        Test windows per share, resampled from the benign test and attacker pools.
    seed:
        Seed of every random draw; the same inputs and seed give the same result.
    detectors:
        Names from :data:`DETECTORS`; all see the same windows.
    embedder:
        Text-to-vector callable for ``"mmd"``; MiniLM (the ``text`` extra) when ``None``.
    progress:
        Optional ``progress(stage, done, total)`` callback.
    reference_size, pool_size, attacker_pool_size:
        Requests in the reference pool, in each of the calibration and benign test pools,
        and in the attacker pool. They bound the distinct prompts to embed.
    split:
        ``"event"`` (benign requests divided at random) or ``"account"`` (whole
        accounts divided, so test traffic comes from customers the reference never saw).
    feature_config:
        Feature patterns for ``"distillguard"``; the defaults when ``None``.

    Returns
    -------
    TextProtocolResult
    """
    unique_shares = _validate(window, shares, target_fpr, calibration_windows, test_windows,
                              detectors)
    started = time.perf_counter()
    pools = load_pools(
        events, labels, reference_size=reference_size, pool_size=pool_size,
        attacker_pool_size=attacker_pool_size, seed=seed, split=split,
    )
    if pools.reference.size < 2 or pools.calibration.size < 2 or pools.benign_test.size < 2:
        raise DistillguardError("too few benign prompts to build the reference and the pools")
    if any(s > 0 for s in unique_shares) and not pools.attacker.size:
        raise DistillguardError("the labels name no campaign account with prompts")
    rng = np.random.default_rng(seed)
    none = np.zeros(0, dtype=np.int64)
    calibration = WindowSet(pools.texts, sample_windows(
        pools.calibration, none, window=window, share=0.0, count=calibration_windows, rng=rng))
    tests = {
        share: WindowSet(pools.texts, sample_windows(
            pools.benign_test, pools.attacker, window=window, share=share, count=test_windows,
            rng=rng))
        for share in unique_shares
    }
    reference = [pools.texts[i] for i in pools.reference]
    seconds = {"load_and_sample": time.perf_counter() - started}
    rows: list[dict[str, Any]] = []
    for name in detectors:
        began = time.perf_counter()
        detector = _make_detector(name, embedder=embedder, feature_config=feature_config,
                                  seed=seed, progress=progress)
        steps = 2 + len(unique_shares)
        _report(progress, f"{name}: fit", 0, steps)
        detector.fit(reference)
        _report(progress, f"{name}: calibrate", 1, steps)
        detector.calibrate(calibration, target_fpr)
        scores = {}
        for done, share in enumerate(unique_shares, start=2):
            _report(progress, f"{name}: score share {share:g}", done, steps)
            scores[share] = detector.score_windows(tests[share])
        _report(progress, f"{name}: done", steps, steps)
        rows += _rows(name, scores, detector.threshold_, window)
        seconds[name] = time.perf_counter() - began
    seconds["total"] = time.perf_counter() - started
    return TextProtocolResult(
        window=window, shares=unique_shares, target_fpr=target_fpr,
        calibration_windows=calibration_windows, test_windows_per_share=test_windows,
        rows=rows, pools=pools.sizes(), seconds={k: round(v, 2) for k, v in seconds.items()},
        seed=seed, split=split,
    )


def _report(progress: ProgressCallback | None, stage: str, done: int, total: int) -> None:
    if progress is not None:
        progress(stage, done, total)


def _rows(name: str, scores: dict[float, np.ndarray], threshold: float, window: int
          ) -> list[dict[str, Any]]:
    benign = scores.get(0.0)
    benign_fpr = float(np.mean(benign > threshold)) if benign is not None else None
    rows = []
    for share, values in scores.items():
        auroc = None
        if benign is not None and share > 0:
            truth = np.r_[np.zeros(benign.size), np.ones(values.size)]
            auroc = float(roc_auc_score(truth, np.r_[benign, values]))
        rows.append({
            "detector": name,
            "share": share,
            "attackers_per_window": attackers_per_window(window, share),
            "windows": int(values.size),
            "detection_rate": float(np.mean(values > threshold)),
            "benign_fpr": benign_fpr,
            "threshold": float(threshold),
            "mean_score": float(np.mean(values)),
            "auroc": auroc,
        })
    return rows
