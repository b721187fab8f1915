"""Test-suite settings: deterministic property tests.

Hypothesis runs derandomised (the same examples every run) so CI is reproducible; run
``pytest --hypothesis-profile=explore`` to search with fresh random examples.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import settings

settings.register_profile("deterministic", derandomize=True, deadline=None)
settings.register_profile("explore", deadline=None, max_examples=500)
settings.load_profile("deterministic")


#: What one small run of an independent family gives: its folder, counts and seconds.
SmallRun = tuple[Path, dict[str, int], float]


@pytest.fixture(scope="session")
def independent_small(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], SmallRun]:
    """Generate an independent family once per session (seed 3, scale 0.05), for the
    contract every generator keeps and the family's own tests alike."""
    runs: dict[str, SmallRun] = {}

    def run(name: str) -> SmallRun:
        if name not in runs:
            generate = importlib.import_module(
                f"distillguard.simulate.independent.{name}").generate
            out = tmp_path_factory.mktemp(name) / "a"
            start = time.perf_counter()
            counts = generate(out, seed=3, scale=0.05)
            runs[name] = (out, counts, time.perf_counter() - start)
        return runs[name]

    return run
