"""The investigation web UI (``distillguard ui``) and the ``labels`` commands.

The app itself (:mod:`distillguard.ui.app`) needs the ``server`` extra (FastAPI, uvicorn);
this package imports nothing heavy, so ``distillguard labels`` works without it. Analyst
labels are :mod:`distillguard.labels`.
"""
