"""The optional supervised model: learn from labelled accounts, score the next scan.

The unsupervised engine needs no labels. When labels exist — the simulator's, or an
analyst's confirmed and dismissed accounts (``distillguard labels export``) — a gradient
boosting classifier (scikit-learn's ``HistGradientBoostingClassifier``) learns from the
accounts of a scan: every numeric profile column, every signal strength, own and
campaign risk. ``distillguard train`` fits it and reports its cross-validated quality;
``distillguard scan --model`` applies it, blending its probability into the risk and
saying so in each account's reasons.

A model file is a pickle (joblib): load only files you made yourself, as you would run
only code you trust.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from distillguard.errors import InputFileError

#: Account columns that are never features (ids, text, timestamps, decisions).
_NOT_FEATURES = frozenset({
    "account_id", "risk", "decision", "campaign_id", "reasons", "top_capability",
    "org_id", "access_path", "first_seen", "last_seen", "account_created_at",
    "supervised_risk",
})
#: File format marker, checked on load.
_FORMAT = "distillguard-supervised-1"


@dataclasses.dataclass
class SupervisedModel:
    """A fitted classifier, the columns it reads, and how well it did in training."""

    estimator: HistGradientBoostingClassifier
    features: list[str]
    trained_on: int
    positives: int
    cv_auroc: float | None
    cv_auprc: float | None

    def describe(self) -> str:
        quality = f", cross-validated AUROC {self.cv_auroc:.3f}" if self.cv_auroc else ""
        return (f"supervised model trained on {self.trained_on} labelled accounts "
                f"({self.positives} in campaigns){quality}")


def feature_columns(accounts: pa.Table) -> list[str]:
    """Numeric columns of an ``accounts.parquet`` table the model can learn from."""
    names = []
    for field in accounts.schema:
        if field.name in _NOT_FEATURES:
            continue
        if pa.types.is_floating(field.type) or pa.types.is_integer(field.type) or (
            pa.types.is_boolean(field.type)
        ):
            names.append(field.name)
    return names


def _matrix(accounts: pa.Table, features: list[str]) -> np.ndarray:
    columns = []
    for name in features:
        if name in accounts.column_names:
            column = pc.cast(accounts.column(name), pa.float64())
            columns.append(np.asarray(column.to_numpy(zero_copy_only=False), dtype=np.float64))
        else:  # a column a newer or older scan lacks: unknown, which the trees handle
            columns.append(np.full(accounts.num_rows, np.nan))
    return np.column_stack(columns) if columns else np.zeros((accounts.num_rows, 0))


def train(accounts: pa.Table, labels: pa.Table, *, seed: int = 0) -> SupervisedModel:
    """Fit the classifier on the scan's accounts that carry a label.

    ``labels`` needs ``account_id`` and ``campaign_id`` (null = legitimate; contract 3),
    or a boolean ``is_campaign``.
    """
    if "is_campaign" in labels.column_names:
        positive_column = pc.fill_null(pc.cast(labels.column("is_campaign"), pa.bool_()), False)
    elif "campaign_id" in labels.column_names:
        positive_column = pc.is_valid(labels.column("campaign_id"))
    else:
        raise InputFileError("labels", "need a campaign_id or is_campaign column")
    label_table = pa.table({"account_id": pc.cast(labels.column("account_id"), pa.string()),
                            "positive": positive_column})
    features = feature_columns(accounts)
    numeric = accounts.select(["account_id", *features])
    joined = numeric.join(label_table, keys="account_id", join_type="inner").sort_by(
        "account_id")
    y = np.asarray(joined.column("positive").to_numpy(zero_copy_only=False), dtype=bool)
    positives = int(y.sum())
    if positives == 0 or positives == len(y):
        raise InputFileError("labels", "need labelled accounts of both kinds (campaign and "
                             f"legitimate); got {len(y)} accounts, {positives} in campaigns")
    x = _matrix(joined, features)
    estimator = HistGradientBoostingClassifier(max_iter=200, learning_rate=0.1,
                                               random_state=seed)
    folds = min(5, positives, len(y) - positives)
    auroc = auprc = None
    if folds >= 2:
        cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
        held_out = cross_val_predict(estimator, x, y, cv=cv, method="predict_proba")[:, 1]
        auroc = float(roc_auc_score(y, held_out))
        auprc = float(average_precision_score(y, held_out))
    estimator.fit(x, y)
    return SupervisedModel(estimator, features, len(y), positives, auroc, auprc)


def predict(model: SupervisedModel, accounts: pa.Table) -> np.ndarray:
    """Probability that each account belongs to a campaign."""
    if accounts.num_rows == 0:
        return np.zeros(0)
    return np.asarray(model.estimator.predict_proba(_matrix(accounts, model.features))[:, 1])


def save(model: SupervisedModel, path: str | Path) -> None:
    joblib.dump({"format": _FORMAT, "model": model}, Path(path))


def load(path: str | Path) -> SupervisedModel:
    """Load a model written by :func:`save` (a pickle: trusted files only)."""
    try:
        data: Any = joblib.load(Path(path))
    except FileNotFoundError:
        raise InputFileError(str(path), "model file not found") from None
    except Exception as exc:  # unpickling raises anything
        raise InputFileError(str(path), f"not a distillguard model ({exc})") from None
    if not isinstance(data, Mapping) or data.get("format") != _FORMAT:
        raise InputFileError(str(path), "not a distillguard model file")
    model = data["model"]
    if not isinstance(model, SupervisedModel):
        raise InputFileError(str(path), "not a distillguard model file")
    return model


def blend(risk: np.ndarray, supervised: np.ndarray, weight: float) -> np.ndarray:
    """Final risk: ``weight`` of the way from the engine's risk to the model's."""
    return np.clip((1.0 - weight) * risk + weight * supervised, 0.0, 1.0)
