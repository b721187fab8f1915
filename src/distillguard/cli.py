"""The ``distillguard`` command: a thin layer over the library.

Each command parses its arguments, calls one library function, and shows the result.
Library errors (:class:`DistillguardError`) become one line on stderr and exit code 2,
never a traceback. Text from the data (prompts, account ids) is made terminal-safe
before it is printed.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

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
from rich.table import Table

from distillguard import __version__
from distillguard.config import Config, default_config_text, load_config
from distillguard.errors import DistillguardError
from distillguard.textsafe import terminal_safe

app = typer.Typer(
    name="distillguard",
    help="Detect, stop, prove and share LLM distillation campaigns in API traffic.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
config_app = typer.Typer(help="Show or check the configuration.", no_args_is_help=True)
app.add_typer(config_app, name="config")

console = Console()
err_console = Console(stderr=True)

P = ParamSpec("P")
R = TypeVar("R")

ConfigOption = Annotated[
    Path | None, typer.Option("--config", "-c", help="YAML file overriding the defaults.")
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
        except KeyboardInterrupt:
            err_console.print("interrupted: rerun the same command to resume", highlight=False)
            raise typer.Exit(130) from None

    return wrapper


def _config(path: Path | None) -> Config:
    return load_config(path)


@contextmanager
def _progress(transient: bool = True) -> Iterator[Progress]:
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


@app.command()
@handles_errors
def scan(
    inputs: Annotated[list[Path], typer.Argument(help="Event files or folders.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")],
    workspace: Annotated[
        Path | None,
        typer.Option(help="DuckDB workspace file (default: OUT/workspace.duckdb)."),
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="auto, events, glasswally or openai_log.")
    ] = "auto",
    labels: Annotated[
        Path | None, typer.Option(help="Labels (contract 3) to evaluate the scan against.")
    ] = None,
    show_pii: Annotated[
        bool, typer.Option("--show-pii", help="Show raw IPs, e-mails, payment fingerprints.")
    ] = False,
    no_report: Annotated[bool, typer.Option("--no-report", help="Skip report.html.")] = False,
    config: ConfigOption = None,
) -> None:
    """Scan traffic logs: score every account, group campaigns, write the report.

    Example: distillguard scan logs/ --out scan/ --labels sim/labels.parquet
    """
    from distillguard.pipeline import scan as run_scan

    cfg = _config(config)
    with _progress() as progress:
        rows = progress.add_task("reading events", total=None)
        stages = progress.add_task("stages", total=None, visible=False)
        seen: dict[str, int] = {}

        def on_rows(path: str, done: int) -> None:
            seen[path] = done
            progress.update(rows, completed=sum(seen.values()))

        def on_stage(name: str) -> None:
            progress.update(stages, description=name, visible=True)

        result = run_scan(
            inputs, out, workspace=workspace, config=cfg, fmt=fmt, show_pii=show_pii,
            write_report=not no_report, on_rows=on_rows, on_stage=on_stage,
        )
    _print_summary(result.summary)
    labels_path = labels or (out / "labels.parquet" if (out / "labels.parquet").exists() else None)
    if labels_path is not None:
        _print_eval(labels_path, out)
    if not no_report:
        console.print(f"report: {out / 'report.html'}", highlight=False, soft_wrap=True)


def _print_summary(summary: dict[str, Any]) -> None:
    table = Table(title="scan summary", show_header=False)
    for key in ("rows_read", "rows_valid", "rows_quarantined", "duplicates", "accounts",
                "flagged_accounts", "campaigns", "seconds"):
        table.add_row(key, str(summary[key]))
    if summary.get("signals_unavailable"):
        table.add_row("signals unavailable", ", ".join(summary["signals_unavailable"]))
    console.print(table)


def _print_eval(labels: Path, scan_dir: Path) -> None:
    from distillguard.evaluate import evaluate, format_eval

    result = evaluate(labels, scan_dir)
    for renderable in _as_list(format_eval(result)):
        console.print(renderable)


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


@app.command()
@handles_errors
def ingest(
    inputs: Annotated[list[Path], typer.Argument(help="Event files or folders.")],
    workspace: Annotated[Path, typer.Option(help="DuckDB workspace file.")],
    fmt: Annotated[
        str, typer.Option("--format", help="auto, events, glasswally or openai_log.")
    ] = "auto",
    config: ConfigOption = None,
) -> None:
    """Validate and load events into a workspace without scoring them.

    Bad rows go to the workspace's quarantine with a reason. Files already ingested are
    skipped. Example: distillguard ingest day1/ --workspace ws.duckdb
    """
    from distillguard.workspace import Workspace

    cfg = _config(config)
    with Workspace(workspace) as ws, _progress() as progress:
        task = progress.add_task("reading events", total=None)
        report = ws.ingest(
            inputs, cfg, fmt=fmt, progress=lambda _p, done: progress.update(task, completed=done)
        )
    table = Table(title="ingest")
    for col in ("file", "rows_read", "rows_valid", "rows_quarantined", "duplicates", "skipped"):
        table.add_column(col)
    for f in report.files:
        table.add_row(terminal_safe(f.path, 200), str(f.rows_read), str(f.rows_valid),
                      str(f.rows_quarantined), str(f.duplicates), "yes" if f.skipped else "")
    console.print(table)


@app.command()
@handles_errors
def simulate(
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")],
    accounts: Annotated[int, typer.Option(help="Number of accounts.")] = 3000,
    hours: Annotated[float, typer.Option(help="Hours of traffic.")] = 48.0,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same bytes).")] = 7,
    evasion: Annotated[str, typer.Option(help="none, moderate or strong.")] = "none",
    corpus: Annotated[
        Path | None, typer.Option(help="Folder of real prompt sets (shared/corpora layout).")
    ] = None,
) -> None:
    """Simulate labelled traffic: legitimate archetypes and distillation campaigns.

    Writes OUT/events.parquet (contract 1) and OUT/labels.parquet (contract 3).
    Example: distillguard simulate --accounts 3000 --hours 48 --seed 7 --out sim/
    """
    from distillguard.simulate import Scenario
    from distillguard.simulate import simulate as run_simulation

    scenario = Scenario(accounts=accounts, hours=hours, seed=seed, evasion=evasion, corpus=corpus)
    with _progress() as progress:
        task = progress.add_task("simulating", total=None)

        def on_progress(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        result = run_simulation(scenario, out, progress=on_progress)
    console.print(
        f"{result.events} events, {result.accounts} accounts, {result.campaigns} campaigns → "
        f"{result.events_path}", highlight=False,
    )


@app.command("eval")
@handles_errors
def eval_command(
    labels: Annotated[Path, typer.Option(help="labels.parquet (contract 3).")],
    scan_dir: Annotated[Path, typer.Option("--scan", help="Scan output folder.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Score a scan against labels: precision, recall, FPR per archetype, campaigns.

    Example: distillguard eval --labels sim/labels.parquet --scan scan/ --json
    """
    from distillguard.evaluate import evaluate, format_eval

    result = evaluate(labels, scan_dir)
    if as_json:
        sys.stdout.write(json.dumps(result.to_dict(), indent=2) + "\n")
        return
    for renderable in _as_list(format_eval(result)):
        console.print(renderable)


@app.command()
@handles_errors
def report(
    scan_dir: Annotated[Path, typer.Argument(help="Scan output folder.")],
    labels: Annotated[
        Path | None, typer.Option(help="Labels to include an evaluation block.")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """(Re)write SCAN_DIR/report.html from the scan's output files.

    Example: distillguard report scan/ --labels sim/labels.parquet
    """
    from distillguard.evaluate import evaluate
    from distillguard.report import render_report

    cfg = _config(config)
    result = evaluate(labels, scan_dir) if labels else None
    path = render_report(scan_dir, config=cfg.report, eval_result=result)
    console.print(f"report: {path}", highlight=False)


@config_app.command("show")
def config_show() -> None:
    """Print the documented default configuration (a starting point for --config)."""
    sys.stdout.write(default_config_text())


@config_app.command("check")
@handles_errors
def config_check(path: Annotated[Path, typer.Argument(help="YAML configuration file.")]) -> None:
    """Check a configuration file: unknown keys and wrong types are errors."""
    load_config(path)
    console.print(f"{path}: ok", highlight=False)


@app.command()
def version() -> None:
    """Print the version."""
    console.print(__version__)


def _mount_optional() -> None:
    """Mount command groups whose heavy dependencies are optional extras."""
    try:
        from distillguard.watermark.cli import prove_app, watermark_app
    except ImportError:
        return
    app.add_typer(watermark_app, name="watermark")
    app.add_typer(prove_app, name="prove")


_mount_optional()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
