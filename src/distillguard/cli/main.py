"""The ``distillguard`` command: the app, and the command groups mounted on it.

Each command group is a module of this package with a ``register(app)`` function
(:mod:`~distillguard.cli.scan`, :mod:`~distillguard.cli.simulate`,
:mod:`~distillguard.cli.evaluation`, :mod:`~distillguard.cli.settings`, and those whose
commands need an extra: :mod:`~distillguard.cli.online`, :mod:`~distillguard.cli.ui`,
:mod:`~distillguard.cli.intel`, :mod:`~distillguard.cli.watermark`). Each command parses
its arguments, calls one library function, and shows the result; the library is
imported when the command runs, so ``distillguard --help`` loads Typer and little else.
Errors, consoles, options and progress are :mod:`distillguard.cli.common`'s.
"""

from __future__ import annotations

from types import ModuleType

import typer

from distillguard.cli import evaluation, scan, settings, simulate

app = typer.Typer(
    name="distillguard",
    help="Detect, stop, prove and share LLM distillation campaigns in API traffic.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

#: Command groups mounted whatever is installed, in the order ``--help`` lists them.
CORE_MODULES: tuple[ModuleType, ...] = (scan, simulate, evaluation, settings)
#: Modules that add their commands with ``register(app)`` and whose commands need an
#: optional extra; one that cannot be imported is left out (``pip install
#: 'distillguard[EXTRA]'`` brings it in). Each loads only Typer when imported.
COMMAND_MODULES = (
    "distillguard.cli.online",  # gateway, replay (extra: server)
    "distillguard.cli.ui",  # ui, labels (extra: server)
    "distillguard.cli.intel",  # intel (extra: intel)
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
    app()


if __name__ == "__main__":
    main()
