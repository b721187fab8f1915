"""Windowed text-only evaluation: our text signals against the published MMD baseline.

>>> from distillguard.text_protocol import run_text_protocol
>>> result = run_text_protocol("sim/events.parquet", "sim/labels.parquet")  # doctest: +SKIP
>>> print(result.to_markdown())  # doctest: +SKIP

Windows of prompts (1,500 by default) are drawn from labelled traffic at fixed attacker
shares; each detector is fitted on benign reference prompts, its threshold set on
benign-only windows at a stated false-positive rate, and its detection rate measured per
share. See ``docs/text_protocol.md``.
"""

from __future__ import annotations

from distillguard.text_protocol.calibration import (
    WindowDetector,
    conformal_threshold,
    min_calibration_windows,
)
from distillguard.text_protocol.embedders import (
    CachedEmbedder,
    Embedder,
    HashingEmbedder,
    SentenceEmbedder,
)
from distillguard.text_protocol.mmd import (
    PAPER_BANDWIDTH_MULTIPLIERS,
    MMDWindowDetector,
    median_bandwidth,
    mmd2_unbiased,
)
from distillguard.text_protocol.protocol import (
    DEFAULT_SHARES,
    DETECTORS,
    TextProtocolResult,
    run_text_protocol,
)
from distillguard.text_protocol.signals import SIGNALS, FeatureWindowDetector
from distillguard.text_protocol.windows import (
    PromptPools,
    WindowSet,
    attackers_per_window,
    load_pools,
    sample_windows,
)

__all__ = [
    "DEFAULT_SHARES",
    "DETECTORS",
    "PAPER_BANDWIDTH_MULTIPLIERS",
    "SIGNALS",
    "CachedEmbedder",
    "Embedder",
    "FeatureWindowDetector",
    "HashingEmbedder",
    "MMDWindowDetector",
    "PromptPools",
    "SentenceEmbedder",
    "TextProtocolResult",
    "WindowDetector",
    "WindowSet",
    "attackers_per_window",
    "conformal_threshold",
    "load_pools",
    "median_bandwidth",
    "min_calibration_windows",
    "mmd2_unbiased",
    "run_text_protocol",
    "sample_windows",
]
