"""What every command shares: the consoles, error handling, options and progress.

User errors (a :class:`~distillguard.errors.DistillguardError`, a missing extra's module,
an operating-system error) become one line on stderr and exit code 2, never a traceback;
anything else is a bug, which :func:`distillguard.cli.main.main` reports in one line
(the traceback only with ``--debug``). Text from the data (prompts, account ids) is made
terminal-safe before it is printed.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from distillguard.errors import EXIT_INTERRUPTED, as_user_error, debug_enabled
from distillguard.textsafe import terminal_safe

if TYPE_CHECKING:
    from distillguard.config import Config

console = Console(emoji=False)  # data text may hold :codes:
err_console = Console(stderr=True, emoji=False)  # data text may hold :codes:

P = ParamSpec("P")
R = TypeVar("R")

ConfigOption = Annotated[
    Path | None, typer.Option("--config", "-c", help="YAML file overriding the defaults.")
]
PseudonymiseOption = Annotated[
    bool,
    typer.Option("--pseudonymise", help="Store IPs, e-mails and payment fingerprints as keyed "
                 "hashes (key: DISTILLGUARD_PII_KEY or --pii-key-file)."),
]
PiiKeyFileOption = Annotated[
    Path | None, typer.Option(help="File holding the pseudonymisation key.")
]


def handles_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn user errors into one clear line on stderr and their exit code (2)."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except KeyboardInterrupt:
            err_console.print("interrupted: rerun the same command to resume", highlight=False)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except Exception as exc:
            exit_on_user_error(exc)
            raise  # a bug (or --debug): main() says so

    return wrapper


def exit_on_user_error(exc: BaseException, exit: Callable[[int], object] | None = None) -> None:
    """Print a user error as one line and exit with its code; return for anything else
    (and for everything with ``--debug``). ``exit`` replaces raising ``typer.Exit``."""
    error = None if debug_enabled() else as_user_error(exc)
    if error is not None:
        err_console.print(f"error: {terminal_safe(str(error), 2000)}", highlight=False,
                          soft_wrap=True)
        if exit is not None:
            exit(error.exit_code)
        raise typer.Exit(error.exit_code) from None


def print_warnings(lines: list[str]) -> None:
    """Each warning as one line on stderr."""
    for line in lines:
        err_console.print(f"warning: {terminal_safe(line, 2000)}", highlight=False,
                          soft_wrap=True)


def cli_config(path: Path | None) -> Config:
    """The defaults, with ``--config FILE`` on top."""
    from distillguard.config import load_config

    return load_config(path)


def as_list(value: Any) -> list[Any]:
    """One renderable or several, as a list."""
    return list(value) if isinstance(value, list | tuple) else [value]


@contextmanager
def progress_bars(transient: bool = True) -> Iterator[Progress]:
    with Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=transient,
        disable=not err_console.is_terminal,
    ) as progress:
        yield progress


