"""``distillguard eval`` and ``report``: measure a scan against labels, write its report.

``eval`` also runs the time-ordered re-analysis (``--timeline``), the fixed evaluation
suite (``--suite``), the family suite (``--suite --families``), the windowed text-only
protocol (``--text-protocol``) and scores an online replay (``--online``); each is
imported when asked for.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from distillguard.cli.common import (
    ConfigOption,
    as_list,
    cli_config,
    console,
    handles_errors,
    progress_bars,
)
from distillguard.textsafe import terminal_safe

if TYPE_CHECKING:
    from distillguard.config import Config


def register(app: typer.Typer) -> None:
    """Add ``eval`` and ``report`` to ``app``."""
    app.command("eval")(eval_command)
    app.command()(report)


def print_eval(labels: Path, scan_dir: Path) -> None:
    """Print the evaluation of a scan folder against labels (contract 3)."""
    from distillguard.evaluation.evaluate import evaluate, format_eval

    result = evaluate(labels, scan_dir)
    for renderable in as_list(format_eval(result)):
        console.print(renderable)


def _eval_online(decisions_path: Path, labels: Path, as_json: bool) -> None:
    """Online detection of a replay (the online stage owns the metric and its tables)."""
    import pyarrow.parquet as pq

    from distillguard.errors import InputFileError, missing_extra

    try:
        from distillguard.cli.online import summary_tables
        from distillguard.online.evaluate import online_detection
    except ImportError as exc:
        raise missing_extra("server", "--online", exc) from None
    if not decisions_path.exists():
        raise InputFileError(str(decisions_path), "decisions file not found")
    detection = online_detection(pq.read_table(decisions_path), pq.read_table(labels))
    if as_json:
        console.print_json(json.dumps(detection, default=str))
        return
    for renderable in summary_tables({}, detection):
        console.print(renderable)




@handles_errors
def eval_command(
    labels: Annotated[Path | None, typer.Option(help="labels.parquet (contract 3).")] = None,
    scan_dir: Annotated[
        Path | None, typer.Option("--scan", help="Scan output folder.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    timeline: Annotated[
        bool,
        typer.Option("--timeline", help="Also re-analyse in time order: time to detection "
                     "and leakage per campaign (reads the scan's workspace)."),
    ] = False,
    step_hours: Annotated[
        float, typer.Option(help="Cut-off step for --timeline, in hours.")
    ] = 2.0,
    workspace: Annotated[
        Path | None, typer.Option(help="Workspace for --timeline (default: SCAN/workspace.duckdb).")
    ] = None,
    suite: Annotated[
        bool, typer.Option("--suite", help="Run the fixed evaluation suite instead (slow).")
    ] = False,
    suite_out: Annotated[
        Path, typer.Option("--suite-out", help="Where --suite writes suite.md/suite.json.")
    ] = Path("suite-out"),
    accounts: Annotated[int, typer.Option(help="--suite: accounts per scenario.")] = 3000,
    hours: Annotated[float, typer.Option(help="--suite: hours per scenario.")] = 48.0,
    seed: Annotated[
        int, typer.Option(help="--suite: simulation seed (with --families: the first seed).")
    ] = 9,
    families: Annotated[
        str | None,
        typer.Option(help="--suite: run scenario families instead (NAME,... or all)."),
    ] = None,
    seeds: Annotated[int, typer.Option(help="--families: seeds per family.")] = 2,
    holdout: Annotated[
        str | None,
        typer.Option(help="--families: held-out families, NAME,... (default: see "
                     "docs/evaluation.md)."),
    ] = None,
    metadata_only: Annotated[
        bool, typer.Option(help="--families: also scan without prompt and response text.")
    ] = True,
    customers: Annotated[
        bool, typer.Option(help="--families: give the scan the customer table.")
    ] = True,
    scale: Annotated[
        float, typer.Option(help="--families: multiply sizes and volumes (quick runs: 0.1).")
    ] = 1.0,
    keep_workspaces: Annotated[
        bool, typer.Option(help="--families: keep each scan's workspace (several GB); by "
                           "default removed once the run is scored.")
    ] = False,
    corpus: Annotated[
        Path | None, typer.Option(help="--suite: real prompt sets for the real-prompt scenario.")
    ] = None,
    text_protocol: Annotated[
        bool, typer.Option(help="--suite: run the windowed text-only protocol too.")
    ] = True,
    run_text: Annotated[
        bool,
        typer.Option("--text-protocol",
                     help="Run the windowed text-only protocol on --events and --labels."),
    ] = False,
    events: Annotated[
        Path | None, typer.Option(help="--text-protocol: events.parquet with prompts.")
    ] = None,
    embedding_cache: Annotated[
        Path | None,
        typer.Option(help="--text-protocol/--suite: file caching sentence embeddings."),
    ] = None,
    online: Annotated[
        Path | None,
        typer.Option(help="decisions.parquet of `distillguard replay`: online time to "
                     "detection, leakage and false positives against --labels."),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Score a scan against labels: precision, recall, FPR per archetype, campaigns.

    With --timeline, also when each campaign was first flagged and the share of its
    exchanges served before that (leakage). With --suite, simulate, scan and evaluate a
    fixed set of scenarios (each evasion level, metadata-only, real prompts) and write
    one table; with --suite --families, run scenario families over several seeds and
    report held-out families apart. With --text-protocol, compare distillguard's text
    signals with the MMD baseline on windows of prompts (arXiv 2606.05725; needs the text
    extra).
    Example: distillguard eval --labels sim/labels.parquet --scan scan/ --timeline --json
    Example: distillguard eval --suite --suite-out suite/ --corpus ../shared/corpora
    Example: distillguard eval --suite --families all --seeds 2 --suite-out families/
    Example: distillguard eval --text-protocol --events sim/events.parquet \\
    --labels sim/labels.parquet
    Example: distillguard eval --online replay/decisions.parquet --labels sim/labels.parquet
    """
    from distillguard.errors import ConfigError
    from distillguard.evaluation.evaluate import evaluate, format_eval

    if suite and families is not None:
        _run_family_suite(suite_out, families, seeds, seed, holdout, metadata_only, customers,
                          scale, corpus, cli_config(config), as_json, keep_workspaces)
        return
    if suite:
        _run_suite(suite_out, accounts, hours, seed, corpus, step_hours, text_protocol,
                   cli_config(config), as_json, embedding_cache)
        return
    if run_text:
        if labels is None or events is None:
            raise ConfigError("--text-protocol needs --events and --labels")
        _run_text_protocol(events, labels, seed, embedding_cache, as_json)
        return
    if online is not None:
        if labels is None:
            raise ConfigError("--online needs --labels")
        _eval_online(online, labels, as_json)
        return
    if labels is None or scan_dir is None:
        raise ConfigError("eval needs --labels and --scan (or --suite)")
    result = evaluate(labels, scan_dir)
    output = result.to_dict()
    detection = None
    if timeline:
        detection = _timeline(labels, workspace or scan_dir / "workspace.duckdb",
                              cli_config(config), step_hours)
        output["timeline"] = detection.to_dict()
    if as_json:
        sys.stdout.write(json.dumps(output, indent=2) + "\n")
        return
    for renderable in as_list(format_eval(result)):
        console.print(renderable)
    if detection is not None:
        console.print(_timeline_table(detection))


def _run_text_protocol(events: Path, labels: Path, seed: int, cache: Path | None,
                       as_json: bool) -> None:
    from distillguard.text_protocol import run_text_protocol
    from distillguard.text_protocol.embedders import default_embedder

    with progress_bars() as progress:
        task = progress.add_task("text protocol", total=None)

        def on_progress(step: str, done: int, total: int) -> None:
            progress.update(task, description=step, completed=done, total=total)

        result = run_text_protocol(events, labels, seed=seed, embedder=default_embedder(cache),
                                   progress=on_progress)
    if as_json:
        sys.stdout.write(json.dumps(result.to_dict(), indent=2) + "\n")
    else:
        sys.stdout.write(result.to_markdown() + "\n")


def _run_suite(out: Path, accounts: int, hours: float, seed: int, corpus: Path | None,
               step_hours: float, text_protocol: bool, cfg: Config, as_json: bool,
               embedding_cache: Path | None) -> None:
    from distillguard.evaluation.suite import run_suite

    with progress_bars() as progress:
        task = progress.add_task("suite", total=None)
        result = run_suite(
            out, accounts=accounts, hours=hours, seed=seed, corpus=corpus,
            step_hours=step_hours, text_protocol=text_protocol, config=cfg,
            embedding_cache=embedding_cache or out / "embeddings.npz",
            progress=lambda message: progress.update(task, description=message),
        )
    _print_suite(result, out, as_json)


def _print_suite(result: Any, out: Path, as_json: bool) -> None:
    """A suite's result (``to_dict``, ``to_markdown``) on stdout, and where it was written."""
    if as_json:
        sys.stdout.write(json.dumps(result.to_dict(), indent=2) + "\n")
    else:
        sys.stdout.write(result.to_markdown())
        console.print(f"written: {out / 'suite.md'}, {out / 'suite.json'}", highlight=False,
                      soft_wrap=True)


def _run_family_suite(out: Path, families: str, seeds: int, first_seed: int,
                      holdout: str | None, metadata_only: bool, customers: bool, scale: float,
                      corpus: Path | None, cfg: Config, as_json: bool,
                      keep_workspaces: bool) -> None:
    from distillguard.evaluation.family_suite import run_family_suite
    from distillguard.simulate.families import family_names

    held_out = family_names(holdout) if holdout is not None else None
    with progress_bars() as progress:
        task = progress.add_task("family suite", total=None)
        result = run_family_suite(
            out, families=family_names(families), seeds=seeds, first_seed=first_seed,
            held_out=held_out, metadata_only=metadata_only, customers=customers, scale=scale,
            corpus=corpus, config=cfg, keep_workspaces=keep_workspaces,
            progress=lambda message: progress.update(task, description=message))
    _print_suite(result, out, as_json)


def _timeline(labels: Path, workspace: Path, cfg: Config, step_hours: float) -> Any:
    from distillguard.errors import WorkspaceError
    from distillguard.evaluation.timeline import detection_over_time
    from distillguard.store.workspace import Workspace

    if not workspace.is_file():
        raise WorkspaceError(f"no workspace at {workspace}: pass --workspace")
    with Workspace(workspace) as ws, progress_bars() as progress:
        task = progress.add_task("re-analysing in time order", total=None)
        return detection_over_time(
            ws, labels, cfg, step_hours=step_hours,
            progress=lambda done, total: progress.update(task, completed=done, total=total),
        )


def _timeline_table(detection: Any) -> Table:
    leak = "n/a" if detection.leakage is None else f"{100 * detection.leakage:.1f}%"
    table = Table(title=f"Detection over time (step {detection.step_hours:g} h; "
                        f"leakage overall {leak})")
    for col in ("campaign", "accounts", "exchanges", "hours to detection", "leakage"):
        table.add_column(col)
    for c in detection.campaigns:
        hours = "not detected" if c.hours_to_detection is None else f"{c.hours_to_detection:.1f}"
        table.add_row(terminal_safe(c.campaign_id, 40), str(c.accounts), str(c.exchanges),
                      hours, f"{100 * c.leakage:.1f}%")
    return table


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
    from distillguard.evaluation.evaluate import evaluate
    from distillguard.report import render_report

    cfg = cli_config(config)
    result = evaluate(labels, scan_dir) if labels else None
    path = render_report(scan_dir, config=cfg.report, eval_result=result)
    console.print(f"report: {path}", highlight=False)


