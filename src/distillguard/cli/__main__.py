"""``python -m distillguard.cli``: the same as the ``distillguard`` command."""

from distillguard.cli.main import main

main()
