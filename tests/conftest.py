"""Test-suite settings: deterministic property tests.

Hypothesis runs derandomised (the same examples every run) so CI is reproducible; run
``pytest --hypothesis-profile=explore`` to search with fresh random examples.
"""

from __future__ import annotations

from hypothesis import settings

settings.register_profile("deterministic", derandomize=True, deadline=None)
settings.register_profile("explore", deadline=None, max_examples=500)
settings.load_profile("deterministic")
