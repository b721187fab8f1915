"""Per-account output watermarks, detection on text, and radioactivity tests on suspect models.

Importing this package loads nothing heavy: each name below loads its submodule (NumPy,
SciPy) when it is first used. The submodules that run models
(:mod:`~distillguard.watermark.processor`, :mod:`~distillguard.watermark.lm`,
:mod:`~distillguard.watermark.experiment`) import torch and transformers, installed with
the ``watermark`` extra (``pip install 'distillguard[watermark]'``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from distillguard.watermark.detect import ScoreTable, dedup_first, sequence_tuples
    from distillguard.watermark.greenlist import (
        WatermarkConfig,
        green_mask,
        is_green,
        window_states,
    )
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

#: Where each name of the package lives: a submodule is imported when one of its names is
#: first used, so importing one submodule (the CLI's ``greenlist``) does not import SciPy.
_SOURCES: dict[str, str] = {
    "ScoreTable": "detect", "dedup_first": "detect", "sequence_tuples": "detect",
    "WatermarkConfig": "greenlist", "green_mask": "greenlist", "is_green": "greenlist",
    "window_states": "greenlist",
    "SECRET_ENV": "keys", "WatermarkKey": "keys", "WatermarkKeyError": "keys",
    "account_key": "keys", "campaign_key": "keys", "derive_account_key": "keys",
    "derive_campaign_key": "keys", "load_key_set": "keys", "load_master_secret": "keys",
    "seeds_array": "keys",
    "binomial_p_values": "stats", "bonferroni_adjust": "stats", "holm_adjust": "stats",
    "uniformity_ks_p_value": "stats", "z_scores": "stats",
}  # fmt: skip


def __getattr__(name: str) -> Any:
    if name not in _SOURCES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_SOURCES[name]}"), name)


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
