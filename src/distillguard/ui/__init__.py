"""The investigation web UI (``distillguard ui``) and the ``labels`` commands.

The app itself (:mod:`distillguard.ui.app`) needs the ``server`` extra (FastAPI, uvicorn);
this package imports nothing heavy, so ``distillguard labels`` works without it. Analyst
labels are :mod:`distillguard.store.labels`; the commands are :mod:`distillguard.cli.ui`.
"""

#: Environment variables holding the UI's read token and its label token.
TOKEN_ENV = "DISTILLGUARD_UI_TOKEN"
LABEL_TOKEN_ENV = "DISTILLGUARD_UI_LABEL_TOKEN"
