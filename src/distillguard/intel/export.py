"""``distillguard intel export``: a scan's campaigns as one STIX 2.1 bundle.

For every campaign in ``campaigns.json`` at or above ``intel.min_risk``, the indicator
values its accounts share are read from the scan's workspace (the ``events`` table; the
kinds of :mod:`distillguard.intel.kinds`). A value is exported when at least
``intel.min_member_accounts`` of the campaign's accounts used it and few accounts outside
the campaign did (``intel.max_outside_ratio``): what ordinary customers share would flag
them at the receiving provider. Kinds in ``intel.hashed_kinds`` travel as keyed hashes
only; the raw value never enters the bundle. Ids are derived from the content
(UUIDv5), so exporting the same scan twice gives the same objects and a receiver's
re-import updates rather than duplicates.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import stix2.v21 as stix

from distillguard.config import Config, IntelConfig
from distillguard.errors import ConfigError, InputFileError, WorkspaceError
from distillguard.intel.hashing import SCHEME, indicator_hash, intel_key_id
from distillguard.intel.kinds import (
    WORKSPACE_VALUES,
    hashed_pattern,
    plain_pattern,
    value_condition,
)
from distillguard.privacy import is_pseudonym
from distillguard.store.workspace import attach_events
from distillguard.textsafe import safe_text

#: Namespace of every id distillguard derives (UUIDv5 over the producer and content).
ID_NAMESPACE = uuid.UUID("5d1f2c4e-8a7b-4c1e-9f3a-6b2d0e7c4a91")
TLP_MARKINGS: dict[str, stix.MarkingDefinition] = {
    "clear": stix.TLP_WHITE,
    "white": stix.TLP_WHITE,
    "green": stix.TLP_GREEN,
    "amber": stix.TLP_AMBER,
    "red": stix.TLP_RED,
}


@dataclass(frozen=True)
class ExportResult:
    """What was exported: the bundle (a ``stix2`` object) and counts."""

    bundle: stix.Bundle
    campaigns: int
    indicators: int
    hashed_indicators: int
    #: Campaigns in the scan below the risk floor (not exported).
    below_floor: int
    #: Exported values that were already pseudonyms in the workspace (see docs/intel.md).
    pseudonymised_values: int

    def to_json(self) -> str:
        return str(self.bundle.serialize(pretty=True))


def _id(kind: str, *parts: str) -> str:
    return f"{kind}--{uuid.uuid5(ID_NAMESPACE, chr(0).join(parts))}"


def _stix_time(value: str | datetime) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def plain_text(value: str, max_chars: int) -> str:
    """Text fit for a bundle: no control characters, no markup, cut to ``max_chars``."""
    cleaned = safe_text(value, max_chars)
    return cleaned.replace("<", "‹").replace(">", "›")


def load_campaigns(scan_dir: Path) -> list[dict[str, Any]]:
    path = scan_dir / "campaigns.json"
    try:
        data = json.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise InputFileError(str(path), exc.strerror or str(exc)) from None
    except ValueError as exc:
        raise InputFileError(str(path), f"not valid JSON ({exc})") from None
    if not isinstance(data, list):
        raise InputFileError(str(path), "expected a list of campaigns (contract 2)")
    return data


def campaign_indicators(
    con: duckdb.DuckDBPyConnection, campaigns: list[dict[str, Any]], config: Config
) -> list[dict[str, Any]]:
    """Indicator values each campaign's accounts share, most shared first (SQL).

    Rows: ``campaign_id, kind, value, accounts, outside, first_seen, last_seen``.
    """
    members = pa.table({
        "campaign_id": [c["campaign_id"] for c in campaigns for _ in c["accounts"]],
        "account_id": [a for c in campaigns for a in c["accounts"]],
    })
    intel = config.intel
    template_events = int(config.linkage.template_min_events)
    selects = []
    for kind, expr in WORKSPACE_VALUES.items():
        where = value_condition(kind)
        selects.append(
            f"SELECT account_id, '{kind}' AS kind, CAST({expr} AS VARCHAR) AS value, "
            f"count(*) AS uses, min(timestamp) AS first_seen, max(timestamp) AS last_seen "
            f"FROM events WHERE {where} GROUP BY account_id, {expr}"
        )
    con.register("intel_export_members", members)
    try:
        rows = con.execute(
            f"""
            WITH used AS ({" UNION ALL ".join(selects)}),
            inside AS (
                SELECT m.campaign_id, u.kind, u.value, count(*) AS accounts,
                       min(u.first_seen) AS first_seen, max(u.last_seen) AS last_seen
                FROM used u JOIN intel_export_members m USING (account_id)
                -- As in linkage, a member's template is a skeleton it sends repeatedly;
                -- outside the campaign, one use counts (a generic follow-up is no template).
                WHERE u.kind <> 'template' OR u.uses >= {template_events}
                GROUP BY ALL HAVING count(*) >= {int(intel.min_member_accounts)}
            ),
            everyone AS (
                SELECT u.kind, u.value, count(*) AS users FROM used u
                SEMI JOIN (SELECT DISTINCT kind, value FROM inside) s USING (kind, value)
                GROUP BY ALL
            ),
            specific AS (
                SELECT i.*, e.users - i.accounts AS outside,
                       row_number() OVER (PARTITION BY i.campaign_id, i.kind
                                          ORDER BY i.accounts DESC, i.value) AS kind_rank
                FROM inside i JOIN everyone e USING (kind, value)
                WHERE e.users - i.accounts <= {float(intel.max_outside_ratio)} * i.accounts
            ),
            ranked AS (
                -- Every kind's best values first, so forty rotating IPs cannot crowd out
                -- the campaign's one card or template.
                SELECT *, row_number() OVER (PARTITION BY campaign_id
                    ORDER BY kind_rank, accounts DESC, kind, value) AS rank
                FROM specific
            )
            SELECT campaign_id, kind, value, accounts, outside, first_seen, last_seen
            FROM ranked WHERE rank <= {int(intel.max_indicators_per_campaign)}
            ORDER BY campaign_id, rank
            """
        ).to_arrow_table().to_pylist()
    finally:
        con.unregister("intel_export_members")
    return rows


def build_bundle(
    campaigns: list[dict[str, Any]],
    indicators: list[dict[str, Any]],
    *,
    key: bytes,
    config: IntelConfig,
    producer: str,
    now: datetime,
) -> tuple[stix.Bundle, int, int]:
    """The STIX objects for ``campaigns`` and their ``indicators`` rows.

    Returns the bundle, the number of hashed indicators and of pseudonymised values.
    """
    tlp = TLP_MARKINGS.get(config.tlp.lower())
    if tlp is None:
        raise ConfigError(f"setting 'intel.tlp' must be one of {', '.join(TLP_MARKINGS)}, "
                          f"got '{config.tlp}'")
    producer = plain_text(producer, 200) or "distillguard"
    identity = stix.Identity(
        id=_id("identity", producer), name=producer, identity_class="organization",
        created=now, modified=now,
    )
    common: dict[str, Any] = {
        "created_by_ref": identity.id, "object_marking_refs": [tlp.id],
        "created": now, "modified": now,
    }
    key_id = intel_key_id(key)
    objects: list[Any] = [identity, tlp]
    hashed = pseudonymised = 0
    by_campaign: dict[str, list[dict[str, Any]]] = {}
    for row in indicators:
        by_campaign.setdefault(row["campaign_id"], []).append(row)
    for record in campaigns:
        cid = str(record["campaign_id"])
        members = hashlib.sha256("\x00".join(sorted(record["accounts"])).encode()).hexdigest()
        campaign_key = f"{cid}\x00{record['first_seen']}\x00{members}"
        confidence = max(0, min(100, round(100 * float(record["risk"]))))
        reasons = "; ".join(str(r) for r in record.get("reasons", []))
        campaign = stix.Campaign(
            id=_id("campaign", producer, campaign_key),
            name=plain_text(f"{producer} {cid}", 200),
            description=plain_text(
                f"Distillation campaign: {len(record['accounts'])} accounts, "
                f"{record.get('exchanges', 0)} exchanges, risk {float(record['risk']):.2f}. "
                f"{reasons}", config.max_description_chars),
            first_seen=_stix_time(record["first_seen"]),
            last_seen=_stix_time(record["last_seen"]),
            confidence=confidence,
            custom_properties={
                "x_distillguard_accounts": len(record["accounts"]),
                "x_distillguard_exchanges": int(record.get("exchanges", 0)),
            },
            **common,
        )
        objects.append(campaign)
        for row in by_campaign.get(cid, []):
            kind, value = row["kind"], row["value"]
            pattern = None if kind in config.hashed_kinds else plain_pattern(kind, value)
            extra: dict[str, Any] = {"x_distillguard_accounts": int(row["accounts"])}
            token = value
            if pattern is None:  # hashed: by configuration, or not writable plainly
                token = indicator_hash(key, kind, value)
                pattern = hashed_pattern(kind, token)
                extra.update(x_distillguard_key_id=key_id, x_distillguard_scheme=SCHEME)
                hashed += 1
                pseudonymised += is_pseudonym(value)
            first = _stix_time(row["first_seen"])
            until = _stix_time(row["last_seen"]) + timedelta(days=float(config.valid_days))
            indicator = stix.Indicator(
                id=_id("indicator", producer, campaign_key, kind, token),
                name=f"{kind} shared by {row['accounts']} accounts of {campaign.name}",
                indicator_types=["malicious-activity"],
                pattern=pattern, pattern_type="stix",
                valid_from=first, valid_until=max(until, first + timedelta(seconds=1)),
                confidence=confidence, custom_properties=extra, **common,
            )
            relationship = stix.Relationship(
                id=_id("relationship", producer, campaign_key, kind, token),
                relationship_type="indicates", source_ref=indicator.id,
                target_ref=campaign.id, confidence=confidence, **common,
            )
            objects += [indicator, relationship]
    bundle = stix.Bundle(
        objects=objects, id=_id("bundle", producer, *(str(o.id) for o in objects)),
        allow_custom=True,
    )
    return bundle, hashed, pseudonymised


def export_bundle(
    scan_dir: str | Path,
    *,
    key: bytes,
    config: Config,
    workspace: str | Path | None = None,
    min_risk: float | None = None,
    producer: str | None = None,
    now: datetime | None = None,
) -> ExportResult:
    """Build the STIX 2.1 bundle of a scan (see the module docstring).

    Parameters
    ----------
    scan_dir:
        A scan's output folder (``campaigns.json``; contract 2).
    key:
        The community sharing key (:func:`distillguard.intel.hashing.intel_key`).
    workspace:
        The scan's workspace; default ``scan_dir/workspace.duckdb``.
    min_risk, producer:
        Override ``intel.min_risk`` and ``intel.producer``.
    now:
        The ``created``/``modified`` time of the objects (default: now).
    """
    scan_path = Path(scan_dir)
    ws_path = Path(workspace) if workspace else scan_path / "workspace.duckdb"
    if not ws_path.is_file():
        raise WorkspaceError(f"no workspace at {ws_path}: pass --workspace")
    floor = config.intel.min_risk if min_risk is None else float(min_risk)
    every = load_campaigns(scan_path)
    chosen = [c for c in every if float(c.get("risk", 0.0)) >= floor]
    try:
        con = duckdb.connect(str(ws_path), read_only=True)
    except duckdb.Error as exc:
        raise WorkspaceError(f"cannot open workspace {ws_path}: {exc}") from None
    try:
        con.execute("SET TimeZone = 'UTC'")
        attach_events(con, ws_path)
        indicators = campaign_indicators(con, chosen, config) if chosen else []
    finally:
        con.close()
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    bundle, hashed, pseudonymised = build_bundle(
        chosen, indicators, key=key, config=config.intel,
        producer=producer or config.intel.producer, now=moment,
    )
    return ExportResult(bundle, len(chosen), len(indicators), hashed, len(every) - len(chosen),
                        pseudonymised)
