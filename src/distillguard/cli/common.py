"""What every command shares: the consoles, error handling, options and progress.

Library errors (:class:`DistillguardError`) become one line on stderr and exit code 2,
never a traceback. Text from the data (prompts, account ids) is made terminal-safe
before it is printed.
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

from distillguard.errors import DistillguardError
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
    """Turn library errors into one clear line on stderr and exit code 2."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except DistillguardError as exc:
            err_console.print(
                f"error: {terminal_safe(str(exc), 2000)}", highlight=False, soft_wrap=True
            )
            raise typer.Exit(2) from None
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            err_console.print(
                f"error: {terminal_safe(where + (exc.strerror or str(exc)), 2000)}",
                highlight=False, soft_wrap=True,
            )
            raise typer.Exit(2) from None
        except KeyboardInterrupt:
            err_console.print("interrupted: rerun the same command to resume", highlight=False)
            raise typer.Exit(130) from None

    return wrapper


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


