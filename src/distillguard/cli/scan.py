"""``distillguard scan``, ``train`` and ``ingest``: the detection commands.

Each parses its arguments, calls one library function (:func:`distillguard.scan.scan`,
:func:`distillguard.detect.supervised.train`, the embedded engine's ingest) and shows the
result; the library is imported when a command runs, not when the CLI starts.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from distillguard.cli.common import (
    ConfigOption,
    PiiKeyFileOption,
    PseudonymiseOption,
    cli_config,
    console,
    handles_errors,
    print_warnings,
    progress_bars,
)
from distillguard.cli.evaluation import print_eval
from distillguard.textsafe import terminal_safe

if TYPE_CHECKING:
    from distillguard.config import Config
    from distillguard.store.workspace import IngestReport


def register(app: typer.Typer) -> None:
    """Add ``scan``, ``train`` and ``ingest`` to ``app``."""
    app.command()(scan)
    app.command()(train)
    app.command()(ingest)


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
    customers: Annotated[
        Path | None,
        typer.Option(help="Customer table (org, tier, verified, declared use, contract): "
                     "business context joined at scan time (docs/formats.md)."),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Scan traffic logs: score every account, group campaigns, write the report.

    Example: distillguard scan logs/ --out scan/ --labels sim/labels.parquet
    --customers customers.parquet

    With --engine spark, validation, features and per-account aggregation run in Spark
    (Parquet input; see docs/scaling.md): distillguard scan s3a://bucket/logs/ --out scan/
    --engine spark --spark-stage s3a://bucket/tmp/scan1
    """
    from distillguard.privacy import with_pseudonymisation
    from distillguard.scan import scan as run_scan

    cfg = with_pseudonymisation(cli_config(config), pseudonymise, pii_key_file)
    with progress_bars() as progress:
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
            customers=customers,
        )
    _print_summary(result.summary)
    labels_path = labels or (out / "labels.parquet" if (out / "labels.parquet").exists() else None)
    if labels_path is not None:
        print_eval(labels_path, out)
    if not no_report:
        console.print(f"report: {out / 'report.html'}", highlight=False, soft_wrap=True)


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

    from distillguard.detect import supervised
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
    print_warnings(summary.get("warnings", []))


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
    from distillguard.engines.embedded import EmbeddedWorkspace
    from distillguard.privacy import with_pseudonymisation

    cfg = with_pseudonymisation(cli_config(config), pseudonymise, pii_key_file)
    with EmbeddedWorkspace(workspace) as ws, progress_bars() as progress:
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
    _check_ingest(report, workspace, cfg)


def _check_ingest(report: IngestReport, workspace: Path, cfg: Config) -> None:
    """Warn about files that lost rows; fail when the workspace holds no valid event."""
    from distillguard.ingest.outcome import ingest_warnings, nothing_valid
    from distillguard.store.workspace import Workspace, embedded_event_count

    where = f"the quarantine table of {workspace}"
    with Workspace(workspace) as ws:
        quarantine = ws.inputs_quarantine(report)
        stored = embedded_event_count(ws.con)
    failure = nothing_valid(report.files, stored, quarantine, where)
    if failure is None or len(report.files) > 1:  # else the error says it all
        print_warnings(ingest_warnings(report.files, quarantine, cfg.ingest, where))
    if failure is not None:
        raise failure


