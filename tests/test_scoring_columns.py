"""Scoring a profile given as arrays (the online guard's way) equals scoring its table."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from distillguard.config import default_config
from distillguard.detect.scoring import (
    OUTSIDE_COLUMNS,
    PROFILE_COLUMNS,
    SIGNALS,
    account_reasons,
    score_accounts,
)


def random_profile(rows: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    columns = {}
    for name in PROFILE_COLUMNS:
        if name in OUTSIDE_COLUMNS:
            continue
        values = rng.gamma(1.5, 0.4, rows) * (100 if name in ("events", "prompts") else 1)
        values[rng.random(rows) < 0.2] = np.nan  # nulls
        columns[name] = values
    columns["events"] = np.nan_to_num(columns["events"]) + 1
    return columns


def test_when_the_profile_is_arrays_then_strengths_risk_and_reasons_equal_the_tables():
    config = default_config().scoring
    available = {c for s in SIGNALS.values() for c in s.needs}
    for seed in range(5):
        columns = random_profile(300, seed)
        table = pa.table(columns)
        from_table = score_accounts(table, config, available)
        from_arrays = score_accounts(columns, config, available)
        np.testing.assert_array_equal(from_table.own_risk, from_arrays.own_risk)
        for name in SIGNALS:
            np.testing.assert_array_equal(from_table.strengths[name],
                                          from_arrays.strengths[name])
        assert account_reasons(table, from_table) == account_reasons(columns, from_arrays)
        assert from_table.own_risk.max() > 0.5  # the random profiles do fire signals
