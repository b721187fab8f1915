"""The ``distillguard`` command line: a thin package over the library.

:func:`main` is the installed entry point (``distillguard = "distillguard.cli:main"``);
:mod:`distillguard.cli.main` defines the core commands and mounts the command groups
(:mod:`~distillguard.cli.online`, :mod:`~distillguard.cli.ui`, :mod:`~distillguard.cli.intel`,
:mod:`~distillguard.cli.watermark`) whose optional extras are installed.
"""

from __future__ import annotations

from distillguard.cli.main import app, main

__all__ = ["app", "main"]
