"""The ``distillguard`` command: the app, and the command groups mounted on it.

Each command group is a module of this package with a ``register(app)`` function
(:mod:`~distillguard.cli.scan`, :mod:`~distillguard.cli.simulate`,
:mod:`~distillguard.cli.evaluation`, :mod:`~distillguard.cli.settings`, and those whose
commands need an extra: :mod:`~distillguard.cli.online`, :mod:`~distillguard.cli.ui`,
:mod:`~distillguard.cli.intel`, :mod:`~distillguard.cli.litellm`,
:mod:`~distillguard.cli.watermark`). Each command parses its arguments, calls one
library function, and shows the result; the library is imported when the command runs,
so ``distillguard --help`` loads Typer and little else.
Errors, consoles, options and progress are :mod:`distillguard.cli.common`'s.
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Annotated

import typer

from distillguard.cli import evaluation, scan, settings, simulate
from distillguard.cli.common import err_console, exit_on_user_error
from distillguard.errors import EXIT_INTERNAL_ERROR, debug_enabled, set_debug
from distillguard.textsafe import terminal_safe

app = typer.Typer(
    name="distillguard",
    help="Detect, stop, prove and share LLM distillation campaigns in API traffic.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _global_options(
    debug: Annotated[
        bool,
        typer.Option("--debug", help="Show the full traceback of any error (for bug reports)."),
    ] = False,
) -> None:
    set_debug(debug)


#: Command groups mounted whatever is installed, in the order ``--help`` lists them.
CORE_MODULES: tuple[ModuleType, ...] = (scan, simulate, evaluation, settings)
#: Modules that add their commands with ``register(app)`` and whose commands need an
#: optional extra; one that cannot be imported is left out (``pip install
#: 'distillguard[EXTRA]'`` brings it in). Each loads only Typer when imported.
COMMAND_MODULES = (
    "distillguard.cli.online",  # gateway, replay (extra: server)
    "distillguard.cli.ui",  # ui, labels (extra: server)
    "distillguard.cli.intel",  # intel (extra: intel)
    "distillguard.cli.litellm",  # litellm spendlogs (extra: litellm, at run time)
)


def _mount_optional() -> None:
    """Mount command groups whose heavy dependencies are optional extras."""
    import importlib

    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError as exc:
            missing = exc.name or ""
            ours = missing.startswith("distillguard")
            if ours and not (name == missing or name.startswith(missing + ".")):
                raise  # a bug in our own code, not a missing extra
            continue  # its optional dependency is not installed
        module.register(app)
    try:
        from distillguard.cli.watermark import prove_app, watermark_app
    except ImportError:
        return
    app.add_typer(watermark_app, name="watermark")
    app.add_typer(prove_app, name="prove")


for _module in CORE_MODULES:
    _module.register(app)
_mount_optional()


def main() -> None:
    """The ``distillguard`` command: no traceback reaches the user without ``--debug``."""
    try:
        app()
    except Exception as exc:
        if debug_enabled():
            raise
        exit_on_user_error(exc, sys.exit)  # raised outside a command's own handler
        cause = terminal_safe(" ".join(f"{type(exc).__name__}: {exc}".split()), 300)
        err_console.print(f"error: internal error ({cause}); this is a bug: rerun with --debug "
                          "to see the traceback and please report it", highlight=False,
                          soft_wrap=True)
        sys.exit(EXIT_INTERNAL_ERROR)


if __name__ == "__main__":
    main()
