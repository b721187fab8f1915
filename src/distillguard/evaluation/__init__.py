"""Measuring the detector against labels (contract 3).

- :mod:`~distillguard.evaluation.evaluate`: account and campaign metrics of one scan.
- :mod:`~distillguard.evaluation.timeline`: time to detection and leakage, by re-analysing
  in time order.
- :mod:`~distillguard.evaluation.suite`: the fixed evaluation suite (``eval --suite``).
- :mod:`~distillguard.evaluation.family_suite`: scenario families over several seeds,
  held-out families reported apart (``eval --suite --families``).
"""
