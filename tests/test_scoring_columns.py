"""Scoring a profile given as arrays (the online guard's way) equals scoring its table."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from distillguard.config import default_config
from distillguard.detect.scoring import (
    CONTEXT_READS,
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


class _Recording(dict[str, np.ndarray]):
    """A profile that records which columns are read."""

    def __init__(self, value: float, array: bool) -> None:
        super().__init__()
        self.read: set[str] = set()
        self.value, self.array = value, array

    def __getitem__(self, name: str) -> np.ndarray:
        self.read.add(name)
        return np.full(3, self.value) if self.array else self.value  # type: ignore[return-value]


def test_when_a_signal_is_scored_and_explained_then_it_reads_exactly_its_declared_columns():
    params = default_config().scoring.signal_params
    for name, signal in SIGNALS.items():
        strength, words = _Recording(2.0, array=True), _Recording(2.0, array=False)
        with np.errstate(all="ignore"):
            signal.strength(strength, params)
        signal.explain(words)
        assert strength.read | words.read == set(signal.reads), name
    assert set(PROFILE_COLUMNS) == ({c for s in SIGNALS.values() for c in s.reads}
                                    | set(CONTEXT_READS))
