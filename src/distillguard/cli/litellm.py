"""``distillguard litellm spendlogs``: LiteLLM's spend logs out of PostgreSQL, for scans.

Mounted by :mod:`distillguard.cli.main` through ``register(app)``; psycopg (the
``litellm`` extra) is imported only when the command runs.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from distillguard.cli.common import console, handles_errors
from distillguard.textsafe import terminal_safe


def register(app: typer.Typer) -> None:
    """Add the ``litellm`` command group to the ``distillguard`` app."""
    group = typer.Typer(help="Read what a LiteLLM proxy logged.", no_args_is_help=True)

    @group.command()
    @handles_errors
    def spendlogs(
        out: Annotated[Path, typer.Option("--out", "-o", help="JSON Lines file to write "
                                          "(.gz compresses).")],
        dsn: Annotated[str | None, typer.Option(
            help="PostgreSQL connection string; else $DATABASE_URL (LiteLLM's) or "
                 "$DISTILLGUARD_LITELLM_DSN.")] = None,
        since: Annotated[datetime | None, typer.Option(
            help="First startTime to export (UTC).")] = None,
        until: Annotated[datetime | None, typer.Option(
            help="Export rows before this startTime (UTC).")] = None,
        table: Annotated[str, typer.Option(help="Spend-logs table.")] = "LiteLLM_SpendLogs",
    ) -> None:
        """Export LiteLLM's LiteLLM_SpendLogs rows as JSON Lines that scan reads.

        The model is the model group the client asked for; rows without stored prompts
        become metadata-only events. Example: distillguard litellm spendlogs
        --since 2026-02-01 --until 2026-02-02 --out spend-0201.jsonl.gz
        """
        from distillguard.errors import ConfigError
        from distillguard.ingest.litellm import DSN_ENVS, export_spend_logs

        url = dsn or next((os.environ[v] for v in DSN_ENVS if os.environ.get(v)), None)
        if not url:
            raise ConfigError("no database: pass --dsn or set DATABASE_URL")
        rows = export_spend_logs(url, out, since=since, until=until, table=table)
        console.print(f"{rows} spend-log rows → {terminal_safe(str(out), 200)}",
                      highlight=False, soft_wrap=True)

    app.add_typer(group, name="litellm")
