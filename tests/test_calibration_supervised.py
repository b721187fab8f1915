"""Calibration of decision thresholds, and the optional supervised model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from distillguard.detect import supervised
from distillguard.detect.calibration import calibrate_thresholds, measured_fpr
from distillguard.errors import InputFileError

THRESHOLDS = {"monitor": 0.3, "review": 0.6, "block": 0.85}


def _population(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Mostly ordinary accounts (half with no evidence at all) and 2 % harvesters."""
    rng = np.random.default_rng(seed)
    ordinary = np.where(rng.random(9800) < 0.5, 0.0,
                        1 / (1 + np.exp(-rng.normal(-3.0, 1.0, 9800))))
    harvesters = 1 / (1 + np.exp(-rng.normal(4.0, 0.5, 200)))
    return np.concatenate([ordinary, harvesters]), np.r_[np.ones(9800), np.zeros(200)] > 0


def test_stated_false_positive_rate_tracks_the_measured_one() -> None:
    risk, legitimate = _population()
    result = calibrate_thresholds(risk, THRESHOLDS)
    rows = result["thresholds"]
    assert list(rows) == ["monitor", "review", "block"]
    for name, cut in THRESHOLDS.items():
        stated = rows[name]["estimated_fpr"]
        measured = measured_fpr(risk, legitimate, cut)
        assert measured is not None
        # Within a factor of three (or both below 0.1 %): an estimate, not a guess.
        assert stated <= max(3 * measured, 1e-3) and measured <= max(3 * stated, 1e-3), name
    assert rows["monitor"]["estimated_fpr"] >= rows["review"]["estimated_fpr"] >= (
        rows["block"]["estimated_fpr"])
    assert rows["review"]["flagged"] == int((risk >= 0.6).sum())


def test_stated_rate_never_exceeds_the_share_flagged() -> None:
    risk = np.full(100, 0.5)
    rows = calibrate_thresholds(risk, THRESHOLDS)["thresholds"]
    assert rows["block"]["estimated_fpr"] == 0.0
    assert rows["monitor"]["estimated_fpr"] <= 1.0


def _accounts(seed: int, n: int = 400) -> tuple[pa.Table, pa.Table]:
    rng = np.random.default_rng(seed)
    positive = rng.random(n) < 0.1
    signal = np.where(positive, rng.normal(0.8, 0.1, n), rng.normal(0.2, 0.1, n))
    ids = [f"a{seed}_{i}" for i in range(n)]
    accounts = pa.table({
        "account_id": ids, "risk": signal, "decision": ["allow"] * n,
        "campaign_id": pa.array([None] * n, pa.string()),
        "reasons": pa.array([[]] * n, pa.list_(pa.string())),
        "signal_long_outputs": signal, "events": rng.integers(1, 100, n),
        "noise": rng.random(n),
    })
    labels = pa.table({
        "account_id": ids, "archetype": ["x"] * n,
        "campaign_id": pa.array(["c1" if p else None for p in positive], pa.string()),
    })
    return accounts, labels


def test_supervised_model_learns_and_round_trips(tmp_path: Path) -> None:
    accounts, labels = _accounts(1)
    model = supervised.train(accounts, labels)
    assert "signal_long_outputs" in model.features and "risk" not in model.features
    assert model.cv_auroc is not None and model.cv_auroc > 0.95
    supervised.save(model, tmp_path / "m.joblib")
    loaded = supervised.load(tmp_path / "m.joblib")
    fresh, fresh_labels = _accounts(2)
    p = supervised.predict(loaded, fresh)
    truth = np.asarray(fresh_labels.column("campaign_id").is_valid())
    assert p[truth].mean() > 0.8 > 0.2 > p[~truth].mean()


def test_supervised_model_needs_both_classes() -> None:
    accounts, labels = _accounts(1)
    no_positive = labels.set_column(2, "campaign_id", pa.array([None] * labels.num_rows,
                                                               pa.string()))
    with pytest.raises(InputFileError, match="both kinds"):
        supervised.train(accounts, no_positive)


def test_a_file_that_is_not_a_model_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "m.joblib"
    bad.write_bytes(b"not a pickle")
    with pytest.raises(InputFileError, match="not a distillguard model"):
        supervised.load(bad)
    with pytest.raises(InputFileError, match="not found"):
        supervised.load(tmp_path / "missing.joblib")


def test_blend_moves_risk_towards_the_model() -> None:
    blended = supervised.blend(np.array([0.2, 0.9]), np.array([1.0, 0.0]), 0.5)
    assert blended.tolist() == pytest.approx([0.6, 0.45])
