"""``distillguard intel export`` and ``intel import`` (mounted by :mod:`distillguard.cli.main`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from distillguard.errors import ConfigError, WorkspaceError

KeyFileOption = Annotated[
    Path | None,
    typer.Option("--key-file", help="File holding the community sharing key "
                 "(default: DISTILLGUARD_INTEL_KEY)."),
]
ConfigOption = Annotated[
    Path | None, typer.Option("--config", "-c", help="YAML file overriding the defaults.")
]


def register(app: typer.Typer) -> None:
    """Add the ``intel`` command group to ``app``."""
    # Imported here: distillguard.cli mounts this module while it is being imported.
    from distillguard.cli.common import console, handles_errors

    intel_app = typer.Typer(
        help="Share campaign indicators with other providers (STIX 2.1, keyed hashes).",
        no_args_is_help=True,
    )

    @intel_app.command("export")
    @handles_errors
    def export_command(
        scan_dir: Annotated[Path, typer.Option("--scan", help="Scan output folder.")],
        out: Annotated[Path, typer.Option("--out", "-o", help="Bundle file to write.")],
        workspace: Annotated[
            Path | None, typer.Option(help="The scan's workspace (default: SCAN/workspace.duckdb).")
        ] = None,
        min_risk: Annotated[
            float | None, typer.Option(help="Export campaigns at or above this risk "
                                       "[default: intel.min_risk].")
        ] = None,
        producer: Annotated[
            str | None, typer.Option(help="Producer identity name [default: intel.producer].")
        ] = None,
        key_file: KeyFileOption = None,
        config: ConfigOption = None,
    ) -> None:
        """Write a scan's campaigns as a STIX 2.1 bundle of indicators.

        Personal and sensitive values (payment fingerprints, IPs, e-mails, templates, system
        prompts) are exported only as HMAC-SHA256 hashes under the sharing key.
        Example: DISTILLGUARD_INTEL_KEY=... distillguard intel export --scan scan/ --out b.json
        """
        from distillguard.config import load_config
        from distillguard.intel.export import export_bundle
        from distillguard.intel.hashing import intel_key

        cfg = load_config(config)
        result = export_bundle(
            scan_dir, key=intel_key(key_file), config=cfg, workspace=workspace,
            min_risk=min_risk, producer=producer,
        )
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(f".{out.name}.tmp")
        tmp.write_text(result.to_json() + "\n", "utf-8")
        tmp.replace(out)
        console.print(
            f"{result.campaigns} campaigns, {result.indicators} indicators "
            f"({result.hashed_indicators} keyed hashes); {result.below_floor} campaigns below "
            f"the risk floor → {out}", highlight=False, soft_wrap=True,
        )
        if result.pseudonymised_values:
            console.print(
                f"note: {result.pseudonymised_values} values were pseudonyms (a workspace "
                "pseudonymised at ingest); only providers using the same pseudonymisation key "
                "can match them", highlight=False, soft_wrap=True,
            )

    @intel_app.command("import")
    @handles_errors
    def import_command(
        bundle: Annotated[Path, typer.Argument(help="STIX 2.1 bundle (JSON).")],
        workspace: Annotated[
            Path | None, typer.Option(help="Workspace to store the indicators in.")
        ] = None,
        scan_dir: Annotated[
            Path | None, typer.Option("--scan", help="Or a scan folder: its workspace.duckdb.")
        ] = None,
        source: Annotated[
            str | None, typer.Option(help="Name of the provider that shared it "
                                     "[default: the bundle's producer].")
        ] = None,
        key_file: KeyFileOption = None,
        config: ConfigOption = None,
    ) -> None:
        """Validate a STIX 2.1 bundle and store its indicators for the next scans.

        A malformed or hostile bundle is rejected whole with one error line. Importing
        the same bundle again changes nothing. Scans into this workspace then match the
        indicators (the shared_intel signal).
        Example: distillguard intel import partner.json --workspace scan/workspace.duckdb
        """
        from distillguard.config import load_config
        from distillguard.intel.hashing import intel_key_id, optional_intel_key
        from distillguard.intel.importing import import_bundle
        from distillguard.store.workspace import Workspace
        from distillguard.textsafe import terminal_safe

        cfg = load_config(config)
        if workspace is None and scan_dir is None:
            raise ConfigError("intel import needs --workspace FILE or --scan DIR")
        path = workspace if workspace is not None else Path(str(scan_dir)) / "workspace.duckdb"
        if scan_dir is not None and workspace is None and not path.is_file():
            raise WorkspaceError(f"no workspace at {path}: pass --workspace")
        key = optional_intel_key(key_file)
        with Workspace(path) as ws:
            result = import_bundle(
                bundle, ws.con, cfg.intel, source=source,
                local_key_id=intel_key_id(key) if key is not None else None,
            )
        console.print(
            f"{result.indicators} indicators of {result.campaigns} campaigns from "
            f"{terminal_safe(result.source, 80)}: {result.added} added, {result.updated} "
            f"updated, {result.removed} revoked → {path}", highlight=False, soft_wrap=True,
        )
        if key is None:
            console.print("note: no sharing key (DISTILLGUARD_INTEL_KEY or --key-file) here: "
                          "hashed indicators match only when scans have the key",
                          highlight=False, soft_wrap=True)
        elif result.other_key:
            console.print(f"warning: {result.other_key} hashed indicators were made with a "
                          "different sharing key and cannot match", highlight=False,
                          soft_wrap=True)

    app.add_typer(intel_app, name="intel")
