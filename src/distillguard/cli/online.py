"""``distillguard gateway`` and ``distillguard replay``: the online commands.

Mounted by :mod:`distillguard.cli` through ``register(app)``. The helpers of the main
CLI (one-line errors, progress, consoles) are looked up when the commands are
registered, so importing this module never imports the main CLI (no import cycle).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

#: The same ``--config`` option as the main CLI's.
ConfigOption = Annotated[
    Path | None, typer.Option("--config", "-c", help="YAML file overriding the defaults.")
]

if TYPE_CHECKING:
    from distillguard.config import Config
    from distillguard.online.guard import Guard


def _guard(config: Config, redis_url: str | None) -> Guard:
    from distillguard.online.guard import guard_with_state

    return guard_with_state(config, redis_url)


def register(app: typer.Typer) -> None:
    """Add the ``gateway`` and ``replay`` commands to the ``distillguard`` app."""
    from distillguard.cli import common as main
    from distillguard.textsafe import terminal_safe

    @app.command()
    @main.handles_errors
    def gateway(
        upstream: Annotated[str, typer.Option(help="Model server base URL, e.g. "
                                                   "http://127.0.0.1:9001.")],
        port: Annotated[int, typer.Option(help="Port to listen on.")],
        host: Annotated[str, typer.Option(help="Address to bind (loopback by default).")]
        = "127.0.0.1",
        keys: Annotated[Path | None, typer.Option(
            help="API keys → accounts (YAML/JSON). Without it each key is its own account.")]
        = None,
        log_dir: Annotated[Path | None, typer.Option(
            help="Log every request here as contract-1 JSON Lines, for later scans.")]
        = None,
        redis: Annotated[str | None, typer.Option(
            help="Share guard state through Redis (redis://host:port/db).")] = None,
        expose_decision: Annotated[bool, typer.Option(
            "--expose-decision", help="Send the guard's action in an x-distillguard-action "
            "header (replays and tests only).")] = False,
        workers: Annotated[int, typer.Option(
            help="Worker processes; more than one needs --redis to share state.")] = 1,
        config: ConfigOption = None,
    ) -> None:
        """Run an OpenAI-compatible gateway that asks the guard before serving.

        POST /v1/chat/completions is forwarded to UPSTREAM (streaming or not), throttled
        (429 + Retry-After) or refused (403), as the guard decides; GET /metrics is
        Prometheus text. The upstream's own key is read from DISTILLGUARD_UPSTREAM_KEY.
        Example: distillguard gateway --upstream http://127.0.0.1:9001 --port 8080
        --keys keys.yaml --log-dir gateway-logs/
        """
        try:
            from distillguard.online.gateway import create_app, serve
            from distillguard.online.keys import KeyRing
        except ImportError as exc:
            from distillguard.errors import missing_extra

            raise missing_extra("server", "the gateway", exc) from None
        from distillguard.errors import ConfigError

        if workers > 1 and redis is None:
            raise ConfigError("several --workers need --redis to share the guard's state")
        cfg = main.cli_config(config)
        ring = KeyRing.load(keys) if keys is not None else None
        guard = _guard(cfg, redis)  # also checks the settings before any worker starts
        where = f"http://{host}:{port}"
        main.err_console.print(
            f"gateway {where} → {terminal_safe(upstream, 200)} "
            f"({len(ring) if ring else 'any'} keys, state: "
            f"{'redis' if redis else 'in process'}, {workers} worker(s))",
            highlight=False, soft_wrap=True)
        if ring is None:
            main.err_console.print("warning: no --keys: every API key is its own account",
                                   highlight=False)
        log = str(log_dir.resolve()) if log_dir else None
        if workers > 1:
            guard.close()
            serve({"upstream": upstream, "keys": str(keys.resolve()) if keys else None,
                   "log_dir": log, "redis": redis,
                   "config": str(config.resolve()) if config else None,
                   "expose_decision": expose_decision}, host, port, workers=workers)
            return
        serve(create_app(guard, upstream, keys=ring, log_dir=log,
                         expose_decision=expose_decision), host, port)

    @app.command()
    @main.handles_errors
    def replay(
        events: Annotated[list[Path], typer.Argument(help="Event files or folders.")],
        speed: Annotated[float, typer.Option(
            help="Event time per wall time: 1 real time, 60 an hour a minute, 0 as fast "
                 "as possible.")] = 0.0,
        gateway: Annotated[str | None, typer.Option(
            help="Send the events to this running gateway instead of an in-process guard.")]
        = None,
        keys: Annotated[Path | None, typer.Option(
            help="With --gateway: the keys file (raw keys) to send each account's key.")]
        = None,
        labels: Annotated[Path | None, typer.Option(
            help="Labels (contract 3): time to detection, leakage, false positives.")]
        = None,
        out: Annotated[Path | None, typer.Option(
            "--out", "-o", help="Write decisions.parquet and replay.json here.")] = None,
        redis: Annotated[str | None, typer.Option(
            help="In-process guard with its state in Redis (redis://host:port/db).")] = None,
        fmt: Annotated[str, typer.Option(
            "--format", help="auto, events, glasswally or openai_log.")] = "auto",
        config: ConfigOption = None,
    ) -> None:
        """Replay recorded events through the online guard in timestamp order.

        Prints the actions taken and, with --labels, when each campaign was first
        flagged online, the share of its exchanges served before (leakage) and the
        false-positive rate per legitimate archetype.
        Example: distillguard replay sim/events.parquet --labels sim/labels.parquet
        --out replay/
        """
        from distillguard.online.replay import replay as run_replay

        cfg = main.cli_config(config)
        guard = _guard(cfg, redis) if gateway is None else None
        with main.progress_bars() as progress:
            task = progress.add_task("replaying", total=None)
            result = run_replay(
                events, speed=speed, config=cfg, guard=guard, gateway=gateway,
                keys_file=keys, labels=labels, out_dir=out, fmt=fmt,
                progress=lambda done, total: progress.update(task, completed=done,
                                                             total=total),
            )
        if guard is not None:
            guard.close()
        for renderable in summary_tables(result.summary, result.detection):
            main.console.print(renderable)
        for path in result.files:
            main.console.print(f"written: {path}", highlight=False, soft_wrap=True)


def summary_tables(
    summary: dict[str, Any] | None, detection: dict[str, Any] | None
) -> list[Any]:
    """Rich tables for a replay's summary (if given) and detection (text terminal-safe)."""
    tables: list[Any] = [] if summary is None else [_summary_table(summary)]
    return tables if detection is None else tables + _detection_tables(detection)


def _summary_table(summary: dict[str, Any]) -> Any:
    from rich.table import Table

    head = Table(title=f"replay ({summary['mode']})", show_header=False)
    head.add_row("events", f"{summary['events']:,}")
    head.add_row("accounts", f"{summary['accounts']:,}")
    head.add_row("rows rejected", f"{summary['rows_rejected']:,}")
    for action, count in summary["actions"].items():
        head.add_row(f"  {action}", f"{count:,}")
    head.add_row("seconds", str(summary["seconds"]))
    head.add_row("events/s", str(summary["events_per_second"]))
    if summary["latency_ms"]:
        lat = summary["latency_ms"]
        head.add_row("latency ms (mean / p99 / max)",
                     f"{lat['mean']:.3f} / {lat['p99']:.3f} / {lat['max']:.3f}")
    return head


def _detection_tables(detection: dict[str, Any]) -> list[Any]:
    from rich.table import Table

    from distillguard.textsafe import terminal_safe

    def pct(value: float | None) -> str:
        return "n/a" if value is None else f"{100 * value:.1f}%"

    overall = Table(title="online detection", show_header=False)
    overall.add_row("campaigns detected",
                    f"{detection['campaigns_detected']} / {detection['campaigns_total']}")
    overall.add_row("leakage (before the campaign was first flagged)",
                    pct(detection["leakage"]))
    overall.add_row("account leakage (before each account was flagged)",
                    pct(detection["account_leakage"]))
    overall.add_row("served after detection", pct(detection["served_after_detection"]))
    overall.add_row("campaign accounts flagged", pct(detection["recall"]))
    overall.add_row("false-positive rate (ever / at the end)",
                    f"{pct(detection['false_positive_rate'])} / "
                    f"{pct(detection['false_positive_rate_final'])}")
    campaigns = Table(title="campaigns")
    for column in ("campaign", "archetype", "accounts", "flagged", "hours to detection",
                   "leakage", "account leakage"):
        campaigns.add_column(column)
    for row in detection["campaigns"]:
        hours = row["hours_to_detection"]
        campaigns.add_row(
            terminal_safe(row["campaign_id"], 40), terminal_safe(row["archetype"], 40),
            str(row["accounts"]), str(row["accounts_flagged"]),
            "not detected" if hours is None else f"{hours:.2f}",
            pct(row["leakage"]), pct(row["account_leakage"]))
    fpr = Table(title="false positives by legitimate archetype")
    for column in ("archetype", "accounts", "flagged ever", "fpr", "fpr at the end"):
        fpr.add_column(column)
    for archetype, entry in detection["fpr_by_archetype"].items():
        fpr.add_row(terminal_safe(archetype, 40), str(entry["accounts"]),
                    str(entry["flagged"]), pct(entry["fpr"]), pct(entry["fpr_final"]))
    return [overall, campaigns, fpr]
