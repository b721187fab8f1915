"""Commands ``distillguard ui`` (the investigation web UI) and ``distillguard labels``.

Mounted by :data:`distillguard.cli.main.COMMAND_MODULES` through :func:`register`. The commands
are defined inside :func:`register` and import the CLI's helpers there, so importing this
module never imports :mod:`distillguard.cli` (which imports this module while loading).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from distillguard.errors import ConfigError, InputFileError, WorkspaceError, missing_extra
from distillguard.ui import LABEL_TOKEN_ENV, TOKEN_ENV

LOOPBACK_HOSTS = ("127.0.0.1", "::1", "localhost")
# Typer resolves annotations in this module's namespace, so options are declared here.
ConfigFile = Annotated[
    Path | None, typer.Option("--config", "-c", help="YAML file overriding the defaults.")
]


def default_scan_dir(workspace: Path, scan_dir: Path | None) -> Path:
    """``--scan``, else the workspace's folder (``scan --out DIR`` puts both there)."""
    return scan_dir if scan_dir is not None else workspace.parent


def read_campaigns(scan_dir: Path) -> list[dict[str, Any]] | None:
    """``campaigns.json`` of a scan folder, or None when it has none."""
    path = scan_dir / "campaigns.json"
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputFileError(str(path), f"not valid JSON ({exc})") from None
    if not isinstance(data, list):
        raise InputFileError(str(path), "expected a JSON list of campaigns")
    return [c for c in data if isinstance(c, dict)]


def register(app: typer.Typer) -> None:
    """Add ``ui`` and the ``labels`` group to the ``distillguard`` command."""
    from distillguard.cli.common import cli_config, console, err_console, handles_errors
    from distillguard.textsafe import terminal_safe

    labels_app = typer.Typer(help="Analyst labels stored in a workspace.", no_args_is_help=True)
    app.add_typer(labels_app, name="labels")

    @app.command("ui")
    @handles_errors
    def ui_command(
        workspace: Annotated[Path, typer.Option(help="The scan's DuckDB workspace file.")],
        scan_dir: Annotated[
            Path | None,
            typer.Option("--scan", help="Scan output folder (default: the workspace's folder)."),
        ] = None,
        port: Annotated[int, typer.Option(help="TCP port.")] = 8765,
        host: Annotated[
            str, typer.Option(help="Address to bind; keep the loopback default unless behind "
                                   "an authenticating TLS proxy.")
        ] = "127.0.0.1",
        token: Annotated[
            str | None,
            typer.Option(envvar=TOKEN_ENV, show_envvar=True,
                         help="Read-only access token (default: a random one, printed)."),
        ] = None,
        label_token: Annotated[
            str | None,
            typer.Option("--label-token", envvar=LABEL_TOKEN_ENV, show_envvar=True,
                         help="Token that may also label; without it nobody can label."),
        ] = None,
        show_pii: Annotated[
            bool, typer.Option("--show-pii", help="Show raw IPs, e-mails, payment fingerprints.")
        ] = False,
        config: ConfigFile = None,
    ) -> None:
        """Serve the investigation web UI over a scan: campaigns, accounts, analyst labels.

        Every page needs a token: open the printed address (it logs you in and drops the
        token from the address) or send "Authorization: Bearer TOKEN". Pass tokens through
        the environment variables rather than the command line, which others on the machine
        can see. While a scan writes the workspace, pages say so (DuckDB allows one writer)
        and work again once it has finished.
        Example: DISTILLGUARD_UI_LABEL_TOKEN=... distillguard ui --workspace scan/workspace.duckdb
        """
        try:
            import uvicorn

            from distillguard.ui.app import UISettings, create_app
            from distillguard.ui.data import ScanFiles
            from distillguard.ui.security import new_token
        except ImportError as exc:
            raise missing_extra("server", "the UI", exc) from None
        if not workspace.is_file():
            raise WorkspaceError(f"no workspace at {workspace}")
        scan = default_scan_dir(workspace, scan_dir)
        ScanFiles(scan).current()  # a missing or broken scan fails now, not on first page
        generated = token is None
        read_token = token or new_token()
        if label_token is not None and label_token == read_token:
            raise ConfigError("--label-token must differ from --token")
        for name, value in (("--token", token), ("--label-token", label_token)):
            if value is not None and len(value) < 16:
                err_console.print(f"warning: {name} is short; use 16+ random characters",
                                  highlight=False)
        if host not in LOOPBACK_HOSTS:
            err_console.print(f"warning: serving on {terminal_safe(host, 100)}, not loopback: "
                              "put an authenticating TLS proxy in front", highlight=False)
        settings = UISettings(workspace=workspace, scan_dir=scan, read_token=read_token,
                              label_token=label_token, show_pii=show_pii, config=cli_config(config))
        shown_host = f"[{host}]" if ":" in host else host
        address = f"http://{shown_host}:{port}/"
        console.print(f"distillguard ui: {address}", highlight=False, soft_wrap=True)
        if generated:
            console.print(f"read-only token: {read_token}\nopen: {address}?token={read_token}",
                          highlight=False, soft_wrap=True)
        console.print("labelling: " + ("enabled for the label token" if label_token else
                                       "disabled (no --label-token)"), highlight=False)
        # No access log: a first visit's address carries ?token=.
        uvicorn.run(create_app(settings), host=host, port=port, access_log=False,
                    log_level="warning", server_header=False)

    @labels_app.command("export")
    @handles_errors
    def labels_export(
        workspace: Annotated[Path, typer.Option(help="DuckDB workspace file.")],
        out: Annotated[Path, typer.Option("--out", "-o", help="labels.parquet or labels.csv.")],
        scan_dir: Annotated[
            Path | None,
            typer.Option("--scan", help="Scan folder whose campaigns.json expands campaign "
                                        "labels (default: the workspace's folder)."),
        ] = None,
    ) -> None:
        """Export analysts' current verdicts as labels (contract 3), one row per account.

        Parquet feeds "distillguard eval --labels"; CSV cells that a spreadsheet would run
        as formulas are neutralised. Example:
        distillguard labels export --workspace scan/workspace.duckdb --out analyst.parquet
        """
        from distillguard.store.labels import connect_workspace, export_labels

        campaigns = read_campaigns(default_scan_dir(workspace, scan_dir))
        with connect_workspace(workspace, read_only=True) as con:
            count = export_labels(con, out, campaigns)
        console.print(f"{count} labelled accounts → {terminal_safe(str(out), 300)}",
                      highlight=False, soft_wrap=True)

    @labels_app.command("list")
    @handles_errors
    def labels_list(
        workspace: Annotated[Path, typer.Option(help="DuckDB workspace file.")],
        history: Annotated[
            bool, typer.Option("--history", help="Every label, not only the current ones.")
        ] = False,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """List analyst labels, newest first: the current verdict per campaign and account.

        Example: distillguard labels list --workspace scan/workspace.duckdb --history
        """
        from rich.table import Table

        from distillguard.store.labels import connect_workspace, label_history

        with connect_workspace(workspace, read_only=True) as con:
            rows = label_history(con, latest_only=not history)
        if as_json:
            for row in rows:
                for key in ("labelled_at", "expires_at"):
                    row[key] = row[key].isoformat() if row[key] is not None else None
            sys.stdout.write(json.dumps(rows, indent=2) + "\n")
            return
        table = Table(title="analyst labels" + (" (history)" if history else ""))
        for column in ("when (UTC)", "kind", "target", "verdict", "analyst", "note",
                       "allow-listed until"):
            table.add_column(column)
        for row in rows:
            expires = row["expires_at"]
            table.add_row(
                row["labelled_at"].strftime("%Y-%m-%d %H:%M"), row["target_kind"],
                terminal_safe(row["target_id"], 60), row["verdict"],
                terminal_safe(row["analyst"], 40), terminal_safe(row["note"], 120),
                expires.strftime("%Y-%m-%d %H:%M") if expires is not None else "",
            )
        console.print(table)
