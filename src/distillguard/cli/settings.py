"""``distillguard config show``, ``config check`` and ``version``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from distillguard import __version__
from distillguard.cli.common import console, handles_errors

config_app = typer.Typer(help="Show or check the configuration.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add the ``config`` group and ``version`` to ``app``."""
    app.add_typer(config_app, name="config")
    app.command()(version)


@config_app.command("show")
def config_show() -> None:
    """Print the documented default configuration (a starting point for --config)."""
    from distillguard.config import default_config_text

    sys.stdout.write(default_config_text())


@config_app.command("check")
@handles_errors
def config_check(path: Annotated[Path, typer.Argument(help="YAML configuration file.")]) -> None:
    """Check a configuration file: unknown keys and wrong types are errors."""
    from distillguard.config import load_config

    load_config(path)
    console.print(f"{path}: ok", highlight=False)


def version() -> None:
    """Print the version."""
    console.print(__version__)


#: Modules that add their commands with ``register(app)``. Each stage keeps its own
#: command definitions; those whose dependencies are an optional extra that is not
