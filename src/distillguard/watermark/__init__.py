"""Per-account output watermarks, detection on text, and radioactivity tests on suspect models.

Importing this package needs only NumPy and SciPy. The submodules that run models
(:mod:`~distillguard.watermark.processor`, :mod:`~distillguard.watermark.lm`,
:mod:`~distillguard.watermark.experiment`) import torch and transformers, installed with
the ``watermark`` extra (``pip install 'distillguard[watermark]'``).
"""

from __future__ import annotations

from distillguard.watermark.detect import ScoreTable, dedup_first, sequence_tuples
from distillguard.watermark.greenlist import WatermarkConfig, green_mask, is_green, window_states
from distillguard.watermark.keys import (
    SECRET_ENV,
    WatermarkKey,
    WatermarkKeyError,
    account_key,
    campaign_key,
    derive_account_key,
    derive_campaign_key,
    load_key_set,
    load_master_secret,
    seeds_array,
)
from distillguard.watermark.stats import (
    binomial_p_values,
    bonferroni_adjust,
    holm_adjust,
    uniformity_ks_p_value,
    z_scores,
)

__all__ = [
    "SECRET_ENV",
    "ScoreTable",
    "WatermarkConfig",
    "WatermarkKey",
    "WatermarkKeyError",
    "account_key",
    "binomial_p_values",
    "bonferroni_adjust",
    "campaign_key",
    "dedup_first",
    "derive_account_key",
    "derive_campaign_key",
    "green_mask",
    "holm_adjust",
    "is_green",
    "load_key_set",
    "load_master_secret",
    "seeds_array",
    "sequence_tuples",
    "uniformity_ks_p_value",
    "window_states",
    "z_scores",
]
