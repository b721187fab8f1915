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
from datetime import UTC, datetime
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
    inputs: Annotated[
        list[str],
        typer.Argument(help="Event files or folders (--engine spark: also URIs Spark reads)."),
    ],
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
    until: Annotated[
        datetime | None,
        typer.Option(help="Analyse only events up to this UTC time (as if scanning then).",
                     formats=["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"]),
    ] = None,
    pseudonymise: PseudonymiseOption = False,
    pii_key_file: PiiKeyFileOption = None,
    model: Annotated[
        Path | None,
        typer.Option(help="Supervised model from `distillguard train` (trusted files only)."),
    ] = None,
    engine: Annotated[
        str, typer.Option(help="duckdb (embedded) or spark (event-level work in Spark).")
    ] = "duckdb",
    spark_master: Annotated[
        str | None,
        typer.Option(help="Spark master, e.g. local[2] (default: spark-submit's, else local[*])."),
    ] = None,
    spark_stage: Annotated[
        str | None,
        typer.Option(help="Folder or URI for Spark's staged events (default: OUT/spark-stage)."),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Scan traffic logs: score every account, group campaigns, write the report.

    Example: distillguard scan logs/ --out scan/ --labels sim/labels.parquet

    With --engine spark, validation, features and per-account aggregation run in Spark
    (Parquet input; see docs/scaling.md): distillguard scan s3a://bucket/logs/ --out scan/
    --engine spark --spark-stage s3a://bucket/tmp/scan1
    """
    from distillguard.pipeline import scan as run_scan
    from distillguard.privacy import with_pseudonymisation

    cfg = with_pseudonymisation(_config(config), pseudonymise, pii_key_file)
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
            until=until.replace(tzinfo=UTC) if until else None, model=model,
            engine=engine, spark_master=spark_master, spark_stage=spark_stage,
        )
    _print_summary(result.summary)
    labels_path = labels or (out / "labels.parquet" if (out / "labels.parquet").exists() else None)
    if labels_path is not None:
        _print_eval(labels_path, out)
    if not no_report:
        console.print(f"report: {out / 'report.html'}", highlight=False, soft_wrap=True)


@app.command()
@handles_errors
def train(
    scan_dir: Annotated[Path, typer.Option("--scan", help="A scan folder (accounts.parquet).")],
    labels: Annotated[
        Path, typer.Option(help="Labels: contract 3, or `distillguard labels export` output.")
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Model file to write.")],
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
) -> None:
    """Train the optional supervised model on a labelled scan; apply it with `scan --model`.

    Example: distillguard train --scan scan/ --labels labels.parquet --out model.joblib
    """
    import pyarrow.parquet as pq

    from distillguard import supervised
    from distillguard.errors import InputFileError

    accounts_path = scan_dir / "accounts.parquet"
    if not accounts_path.exists():
        raise InputFileError(str(accounts_path), "scan accounts file not found")
    if not labels.exists():
        raise InputFileError(str(labels), "labels file not found")
    model = supervised.train(pq.read_table(accounts_path), pq.read_table(labels), seed=seed)
    supervised.save(model, out)
    console.print(f"{terminal_safe(model.describe(), 300)}; written to {out}", highlight=False,
                  soft_wrap=True)


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


def _eval_online(decisions_path: Path, labels: Path, as_json: bool) -> None:
    """Online detection of a replay (the online stage owns the metric and its tables)."""
    import pyarrow.parquet as pq

    from distillguard.errors import ConfigError, InputFileError

    try:
        from distillguard.online.cli import summary_tables
        from distillguard.online.evaluate import online_detection
    except ImportError as exc:
        raise ConfigError(f"--online needs the server extra ({exc.name} is missing)") from None
    if not decisions_path.exists():
        raise InputFileError(str(decisions_path), "decisions file not found")
    detection = online_detection(pq.read_table(decisions_path), pq.read_table(labels))
    if as_json:
        console.print_json(json.dumps(detection, default=str))
        return
    for renderable in summary_tables({}, detection):
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
    pseudonymise: PseudonymiseOption = False,
    pii_key_file: PiiKeyFileOption = None,
    config: ConfigOption = None,
) -> None:
    """Validate and load events into a workspace without scoring them.

    Bad rows go to the workspace's quarantine with a reason. Files already ingested are
    skipped. Example: distillguard ingest day1/ --workspace ws.duckdb
    """
    from distillguard.privacy import with_pseudonymisation
    from distillguard.workspace import Workspace

    cfg = with_pseudonymisation(_config(config), pseudonymise, pii_key_file)
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
    scenario_file: Annotated[
        Path | None,
        typer.Option("--scenario", help="YAML or TOML scenario file; flags override it."),
    ] = None,
    accounts: Annotated[
        int | None, typer.Option(help="Number of accounts [default: 3000].")
    ] = None,
    hours: Annotated[float | None, typer.Option(help="Hours of traffic [default: 48].")] = None,
    seed: Annotated[
        int | None, typer.Option(help="Random seed; same seed, same bytes [default: 7].")
    ] = None,
    model_release_hours: Annotated[
        float | None,
        typer.Option(help="Hours after the start when a new model is released [default: 24]."),
    ] = None,
    evasion: Annotated[
        str | None, typer.Option(help="none, moderate or strong [default: none].")
    ] = None,
    evasion_switch: Annotated[
        list[str] | None,
        typer.Option(
            "--evasion-switch",
            help="Override one evasion switch, NAME=VALUE (repeatable), e.g. ip_rotation=0.5.",
        ),
    ] = None,
    corpus: Annotated[
        Path | None, typer.Option(help="Folder of real prompt sets (shared/corpora layout).")
    ] = None,
    family: Annotated[
        str | None,
        typer.Option(help="Draw the scenario from a scenario family (see docs/simulator.md)."),
    ] = None,
    scale: Annotated[
        float, typer.Option(help="--family: multiply sizes and volumes by this.")
    ] = 1.0,
    customers: Annotated[
        bool, typer.Option("--customers", help="Also write OUT/customers.parquet (business "
                           "context; always with --family).")
    ] = False,
) -> None:
    """Simulate labelled traffic: legitimate archetypes and distillation campaigns.

    Writes OUT/events.parquet (contract 1) and OUT/labels.parquet (contract 3).
    Example: distillguard simulate --accounts 3000 --hours 48 --seed 7 --out sim/
    Example: distillguard simulate --family hydra_networks --seed 3 --out sim/
    """
    import dataclasses

    from distillguard.errors import ConfigError
    from distillguard.simulate import Scenario, load_scenario, with_evasion_switches
    from distillguard.simulate import simulate as run_simulation

    if family is not None:
        from distillguard.simulate.families import family_scenario

        scenario = family_scenario(family, seed if seed is not None else 1, scale=scale,
                                   hours=hours, corpus=corpus)
        seed = hours = None
    else:
        scenario = load_scenario(scenario_file) if scenario_file else Scenario()
    overrides: dict[str, Any] = {
        name: value
        for name, value in (("accounts", accounts), ("hours", hours), ("seed", seed),
                            ("model_release_hours", model_release_hours),
                            ("evasion", evasion), ("corpus", corpus),
                            ("customers", True if customers else None))
        if value is not None
    }
    try:
        scenario = dataclasses.replace(scenario, **overrides)
    except TypeError as exc:
        raise ConfigError(str(exc)) from None
    switches = dict(item.partition("=")[::2] for item in evasion_switch or [])
    scenario = with_evasion_switches(scenario, switches)
    with _progress() as progress:
        task = progress.add_task("simulating", total=None)

        def on_progress(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        result = run_simulation(scenario, out, progress=on_progress)
    console.print(
        f"{result.events} events, {result.accounts} accounts, {result.campaigns} campaigns → "
        f"{result.events_path}", highlight=False, soft_wrap=True,
    )


@app.command("eval")
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
    signals with the MMD
    baseline on windows of prompts (arXiv 2606.05725; needs the text extra).
    Example: distillguard eval --labels sim/labels.parquet --scan scan/ --timeline --json
    Example: distillguard eval --suite --suite-out suite/ --corpus ../shared/corpora
    Example: distillguard eval --suite --families all --seeds 2 --suite-out families/
    Example: distillguard eval --text-protocol --events sim/events.parquet \\
    --labels sim/labels.parquet
    Example: distillguard eval --online replay/decisions.parquet --labels sim/labels.parquet
    """
    from distillguard.errors import ConfigError
    from distillguard.evaluate import evaluate, format_eval

    if suite and families is not None:
        _run_family_suite(suite_out, families, seeds, seed, holdout, metadata_only, customers,
                          scale, corpus, _config(config), as_json)
        return
    if suite:
        _run_suite(suite_out, accounts, hours, seed, corpus, step_hours, text_protocol,
                   _config(config), as_json, embedding_cache)
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
                              _config(config), step_hours)
        output["timeline"] = detection.to_dict()
    if as_json:
        sys.stdout.write(json.dumps(output, indent=2) + "\n")
        return
    for renderable in _as_list(format_eval(result)):
        console.print(renderable)
    if detection is not None:
        console.print(_timeline_table(detection))


def _run_text_protocol(events: Path, labels: Path, seed: int, cache: Path | None,
                       as_json: bool) -> None:
    from distillguard.text_protocol import run_text_protocol
    from distillguard.text_protocol.embedders import default_embedder

    with _progress() as progress:
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
    from distillguard.suite import run_suite

    with _progress() as progress:
        task = progress.add_task("suite", total=None)
        result = run_suite(
            out, accounts=accounts, hours=hours, seed=seed, corpus=corpus,
            step_hours=step_hours, text_protocol=text_protocol, config=cfg,
            embedding_cache=embedding_cache or out / "embeddings.npz",
            progress=lambda message: progress.update(task, description=message),
        )
    if as_json:
        sys.stdout.write(json.dumps(result.to_dict(), indent=2) + "\n")
    else:
        sys.stdout.write(result.to_markdown())
        console.print(f"written: {out / 'suite.md'}, {out / 'suite.json'}", highlight=False,
                      soft_wrap=True)


def _run_family_suite(out: Path, families: str, seeds: int, first_seed: int,
                      holdout: str | None, metadata_only: bool, customers: bool, scale: float,
                      corpus: Path | None, cfg: Config, as_json: bool) -> None:
    from distillguard.family_suite import run_family_suite
    from distillguard.simulate.families import family_names

    held_out = family_names(holdout) if holdout is not None else None
    with _progress() as progress:
        task = progress.add_task("family suite", total=None)
        result = run_family_suite(
            out, families=family_names(families), seeds=seeds, first_seed=first_seed,
            held_out=held_out, metadata_only=metadata_only, customers=customers, scale=scale,
            corpus=corpus, config=cfg,
            progress=lambda message: progress.update(task, description=message))
    if as_json:
        sys.stdout.write(json.dumps(result.to_dict(), indent=2) + "\n")
    else:
        sys.stdout.write(result.to_markdown())
        console.print(f"written: {out / 'suite.md'}, {out / 'suite.json'}", highlight=False,
                      soft_wrap=True)


def _timeline(labels: Path, workspace: Path, cfg: Config, step_hours: float) -> Any:
    from distillguard.errors import WorkspaceError
    from distillguard.timeline import detection_over_time
    from distillguard.workspace import Workspace

    if not workspace.is_file():
        raise WorkspaceError(f"no workspace at {workspace}: pass --workspace")
    with Workspace(workspace) as ws, _progress() as progress:
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


#: Modules that add their commands with ``register(app)``. Each stage keeps its own
#: command definitions; those whose dependencies are an optional extra that is not
#: installed are left out (``pip install 'distillguard[EXTRA]'`` brings them in).
COMMAND_MODULES = (
    "distillguard.online.cli",  # gateway, replay (extra: server)
    "distillguard.ui.cli",  # ui, labels (extra: server)
    "distillguard.intel.cli",  # intel (extra: intel)
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
