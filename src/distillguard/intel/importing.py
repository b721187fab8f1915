"""``distillguard intel import``: validate a received STIX 2.1 bundle, store its indicators.

A bundle comes from outside, possibly from someone hostile, so it is checked before
anything in it is used, and rejected whole with one clear error at the first problem:

1. size (``intel.max_bundle_bytes``), strict UTF-8, strict JSON (no duplicate keys, no
   ``NaN``), nesting depth, a ``bundle`` at the top, object count (``intel.max_objects``);
2. every object's ``type`` is one distillguard reads (identity, marking-definition,
   campaign, intrusion-set, indicator, relationship) and its id is unique;
3. every string is plain text: at most ``intel.max_text_chars`` characters, no control
   characters, no markup (``<script``, ``<img`` ...);
4. ``stix2.parse`` accepts the bundle as STIX 2.1 (required properties, timestamps, the
   pattern grammar);
5. every indicator's pattern has one of the exact shapes of :mod:`~distillguard.intel.kinds`
   (keyed hashes: 64 lower-case hex digits; addresses and ranges: valid IPs), and every
   relationship is an ``indicates`` from an indicator to a campaign in the bundle.

Indicators are stored in the workspace table ``intel_indicators``, one row per
(indicator, campaign). Importing the same bundle again changes nothing; a newer version
of an indicator (a later ``modified``) replaces the older one, and a revoked one is removed.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import stix2

from distillguard.config import IntelConfig
from distillguard.errors import DistillguardError, InputFileError
from distillguard.intel.hashing import normalise
from distillguard.intel.kinds import PatternError, parse_pattern

ALLOWED_TYPES: frozenset[str] = frozenset(
    {"identity", "marking-definition", "campaign", "intrusion-set", "indicator", "relationship"}
)
CAMPAIGN_TYPES: frozenset[str] = frozenset({"campaign", "intrusion-set"})
#: Deepest nesting of JSON values accepted inside a bundle (ours uses 4).
MAX_DEPTH = 12
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
#: Markup: ``<`` opening a tag, comment or declaration. The skeleton masks that
#: distillguard itself writes (``<url>``, ``<email>``, ``<q>``) are plain text.
_MARKUP = re.compile(r"<(?!(?:url|email|q)>)\s*[/!?]?\s*[A-Za-z]", re.IGNORECASE)
_PROPERTY_NAME = re.compile(r"[A-Za-z0-9_\-]{1,250}")
_ID = re.compile(r"[a-z0-9-]{1,250}--[0-9a-fA-F-]{36}")
_NONE = ""  # campaign_ref of an indicator that indicates no campaign

INTEL_TABLE = "intel_indicators"
_CREATE_TABLE = f"""
CREATE TABLE IF NOT EXISTS {INTEL_TABLE} (
    indicator_id VARCHAR NOT NULL,
    campaign_ref VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    value VARCHAR,
    value_hash VARCHAR,
    key_id VARCHAR,
    confidence INTEGER NOT NULL,
    campaign_name VARCHAR,
    valid_from TIMESTAMPTZ,
    valid_until TIMESTAMPTZ,
    modified TIMESTAMPTZ,
    imported_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (indicator_id, campaign_ref)
)
"""
_ROW_SCHEMA = pa.schema([
    ("indicator_id", pa.string()), ("campaign_ref", pa.string()), ("source", pa.string()),
    ("kind", pa.string()), ("value", pa.string()), ("value_hash", pa.string()),
    ("key_id", pa.string()), ("confidence", pa.int32()), ("campaign_name", pa.string()),
    ("valid_from", pa.timestamp("us", tz="UTC")), ("valid_until", pa.timestamp("us", tz="UTC")),
    ("modified", pa.timestamp("us", tz="UTC")), ("imported_at", pa.timestamp("us", tz="UTC")),
])


class BundleError(DistillguardError):
    """A bundle that distillguard will not import; the message says why and where."""


@dataclass(frozen=True)
class ImportedIndicator:
    indicator_id: str
    campaign_ref: str
    kind: str
    value: str | None
    value_hash: str | None
    key_id: str | None
    confidence: int
    campaign_name: str | None
    valid_from: datetime | None
    valid_until: datetime | None
    modified: datetime | None
    revoked: bool


@dataclass(frozen=True)
class ValidatedBundle:
    bundle_id: str
    producer: str | None
    indicators: list[ImportedIndicator]
    campaigns: int


@dataclass(frozen=True)
class ImportResult:
    source: str
    bundle_id: str
    indicators: int
    campaigns: int
    added: int
    updated: int
    removed: int
    #: Hashed indicators made with a different sharing key than the local one.
    other_key: int


# -- reading and checking ----------------------------------------------------------------


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, value in pairs:
        if name in result:
            raise BundleError(f"duplicate JSON key '{name[:60]}'")
        result[name] = value
    return result


def _reject_constant(name: str) -> None:
    raise BundleError(f"not strict JSON: {name}")


def read_json(data: bytes, config: IntelConfig) -> dict[str, Any]:
    """Size, encoding and JSON checks; the parsed top-level object."""
    if len(data) > config.max_bundle_bytes:
        raise BundleError(f"bundle is {len(data)} bytes, more than intel.max_bundle_bytes "
                          f"({config.max_bundle_bytes})")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BundleError(f"not UTF-8 text (byte {exc.start})") from None
    try:
        parsed = json.loads(text, object_pairs_hook=_reject_duplicates,
                            parse_constant=_reject_constant)
    except RecursionError:
        raise BundleError("JSON nested too deeply") from None
    except ValueError as exc:
        raise BundleError(f"not valid JSON ({_one_line(str(exc))})") from None
    if not isinstance(parsed, dict) or parsed.get("type") != "bundle":
        raise BundleError("not a STIX bundle (the top level must be an object of type 'bundle')")
    objects = parsed.get("objects", [])
    if not isinstance(objects, list):
        raise BundleError("'objects' must be a list")
    if len(objects) > config.max_objects:
        raise BundleError(f"bundle holds {len(objects)} objects, more than intel.max_objects "
                          f"({config.max_objects})")
    return parsed


def _one_line(text: str, limit: int = 300) -> str:
    text = _CONTROL.sub(" ", " ".join(text.split()))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _walk(value: Any, depth: int = 0) -> Iterator[tuple[str | None, Any, int]]:
    """Every (property name, value, depth) inside ``value``, iteratively."""
    stack: list[tuple[str | None, Any, int]] = [(None, value, depth)]
    while stack:
        name, item, level = stack.pop()
        yield name, item, level
        if isinstance(item, dict):
            stack.extend((k, v, level + 1) for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((name, v, level + 1) for v in item)


def check_plain(objects: list[Any], config: IntelConfig) -> None:
    """Types, unique ids, nesting, and plain text in every string (see the module docstring)."""
    seen: set[str] = set()
    for index, obj in enumerate(objects):
        if not isinstance(obj, dict):
            raise BundleError(f"object {index} is not a JSON object")
        kind, ident = obj.get("type"), obj.get("id")
        where = f"object {index}"
        if not isinstance(ident, str) or not _ID.fullmatch(ident):
            raise BundleError(f"{where} has no valid STIX id")
        where = f"object {index} ({ident})"
        if not isinstance(kind, str) or kind not in ALLOWED_TYPES:
            shown = _one_line(str(kind), 60)
            raise BundleError(f"{where} has type '{shown}'; distillguard imports only "
                              f"{', '.join(sorted(ALLOWED_TYPES))}")
        if ident in seen:
            raise BundleError(f"{where}: duplicate id")
        seen.add(ident)
        for name, item, depth in _walk(obj):
            if depth > MAX_DEPTH:
                raise BundleError(f"{where} is nested more than {MAX_DEPTH} levels deep")
            if isinstance(item, dict):
                bad = next((k for k in item if not _PROPERTY_NAME.fullmatch(k)), None)
                if bad is not None:
                    raise BundleError(f"{where} has an invalid property name "
                                      f"'{_one_line(bad, 60)}'")
            if not isinstance(item, str):
                continue
            label = f"{where} property '{name}'"
            if len(item) > config.max_text_chars:
                raise BundleError(f"{label} is {len(item)} characters, more than "
                                  f"intel.max_text_chars ({config.max_text_chars})")
            if _CONTROL.search(item):
                raise BundleError(f"{label} contains control characters")
            if _MARKUP.search(item):
                raise BundleError(f"{label} contains markup (plain text only)")


def _parse_stix(bundle: dict[str, Any]) -> Any:
    try:
        return stix2.parse(bundle, allow_custom=True, version="2.1")
    except Exception as exc:  # stix2 raises many types; all mean "not valid STIX 2.1"
        raise BundleError(f"not valid STIX 2.1: {_one_line(str(exc))}") from None


def _time(value: Any) -> datetime | None:
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.astimezone(UTC)


def _indicator_value(kind: str, value: str, where: str) -> str:
    if kind == "ip":
        return str(ipaddress.ip_address(value))
    if kind == "ip_prefix":
        return str(ipaddress.ip_network(value, strict=False))
    normalised = normalise(kind, value)
    if not normalised:
        raise BundleError(f"{where}: empty {kind} value")
    return normalised


def validate_bundle(data: bytes, config: IntelConfig) -> ValidatedBundle:
    """Every check of the module docstring; the indicators to store."""
    raw = read_json(data, config)
    objects = raw.get("objects", [])
    check_plain(objects, config)
    parsed = _parse_stix(raw)
    by_id = {str(o.id): o for o in getattr(parsed, "objects", [])}
    campaigns = {i: o for i, o in by_id.items() if o.type in CAMPAIGN_TYPES}
    targets: dict[str, list[str]] = {}
    for ident, obj in by_id.items():
        if obj.type != "relationship":
            continue
        source, target = str(obj.source_ref), str(obj.target_ref)
        if obj.relationship_type != "indicates" or source not in by_id or target not in campaigns \
                or by_id[source].type != "indicator":
            raise BundleError(f"relationship {ident}: distillguard reads only 'indicates' from "
                              "an indicator to a campaign or intrusion set in the same bundle")
        if target not in targets.setdefault(source, []):
            targets[source].append(target)
    indicators: list[ImportedIndicator] = []
    for ident, obj in by_id.items():
        if obj.type != "indicator":
            continue
        where = f"indicator {ident}"
        if obj.pattern_type != "stix":
            raise BundleError(f"{where}: pattern_type '{_one_line(str(obj.pattern_type), 40)}' "
                              "(only 'stix' patterns are read)")
        try:
            pattern = parse_pattern(str(obj.pattern))
            value = None if pattern.value is None else _indicator_value(
                pattern.kind, pattern.value, where)
        except (PatternError, ValueError) as exc:
            raise BundleError(f"{where}: {_one_line(str(exc))}") from None
        refs = targets.get(ident) or [_NONE]
        for ref in refs:
            campaign = campaigns.get(ref)
            confidence = obj.get("confidence")
            if confidence is None and campaign is not None:
                confidence = campaign.get("confidence")
            indicators.append(ImportedIndicator(
                indicator_id=ident, campaign_ref=ref, kind=pattern.kind, value=value,
                value_hash=pattern.value_hash, key_id=obj.get("x_distillguard_key_id"),
                confidence=int(50 if confidence is None else confidence),
                campaign_name=str(campaign.name) if campaign is not None else None,
                valid_from=_time(obj.get("valid_from")), valid_until=_time(obj.get("valid_until")),
                modified=_time(obj.get("modified")), revoked=bool(obj.get("revoked", False)),
            ))
    identities = [o for o in by_id.values() if o.type == "identity"]
    producer = str(identities[0].name) if len(identities) == 1 else None
    return ValidatedBundle(str(raw.get("id")), producer, indicators, len(campaigns))


# -- storing -------------------------------------------------------------------------


def ensure_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(_CREATE_TABLE)


def store_indicators(
    con: duckdb.DuckDBPyConnection,
    bundle: ValidatedBundle,
    source: str,
    imported_at: datetime,
) -> tuple[int, int, int]:
    """Upsert the bundle's indicators; returns (added, updated, removed) rows."""
    ensure_table(con)
    keep = [i for i in bundle.indicators if not i.revoked]
    revoked = sorted({i.indicator_id for i in bundle.indicators if i.revoked})
    rows = pa.Table.from_pylist([
        {"indicator_id": i.indicator_id, "campaign_ref": i.campaign_ref, "source": source,
         "kind": i.kind, "value": i.value, "value_hash": i.value_hash, "key_id": i.key_id,
         "confidence": i.confidence, "campaign_name": i.campaign_name,
         "valid_from": i.valid_from, "valid_until": i.valid_until, "modified": i.modified,
         "imported_at": imported_at}
        for i in keep
    ], schema=_ROW_SCHEMA)
    con.execute("BEGIN TRANSACTION")
    try:
        before = _count(con)
        con.register("intel_import_rows", rows)
        changed = con.execute(
            f"""
            SELECT count(*) FROM intel_import_rows r JOIN {INTEL_TABLE} t
                USING (indicator_id, campaign_ref)
            WHERE r.modified > t.modified OR t.modified IS NULL OR r.source <> t.source
            """
        ).fetchone()
        con.execute(
            f"""
            INSERT INTO {INTEL_TABLE} SELECT * FROM intel_import_rows
            ON CONFLICT DO UPDATE SET
                source = excluded.source, kind = excluded.kind, value = excluded.value,
                value_hash = excluded.value_hash, key_id = excluded.key_id,
                confidence = excluded.confidence, campaign_name = excluded.campaign_name,
                valid_from = excluded.valid_from, valid_until = excluded.valid_until,
                modified = excluded.modified, imported_at = excluded.imported_at
            WHERE excluded.modified > {INTEL_TABLE}.modified OR {INTEL_TABLE}.modified IS NULL
                OR excluded.source <> {INTEL_TABLE}.source
            """
        )
        con.unregister("intel_import_rows")
        added = _count(con) - before
        removed = 0
        if revoked:
            con.register("intel_revoked", pa.table({"indicator_id": revoked}))
            gone = con.execute(
                f"DELETE FROM {INTEL_TABLE} WHERE indicator_id IN "
                "(SELECT indicator_id FROM intel_revoked)"
            ).fetchone()
            con.unregister("intel_revoked")
            removed = int(gone[0]) if gone else 0
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return added, int(changed[0]) if changed else 0, removed


def _count(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute(f"SELECT count(*) FROM {INTEL_TABLE}").fetchone()
    return int(row[0]) if row else 0


def read_bundle_file(path: Path, config: IntelConfig) -> bytes:
    """The bytes of a bundle file, reading no more than the size cap (plus one byte)."""
    try:
        with path.open("rb") as handle:
            return handle.read(config.max_bundle_bytes + 1)
    except OSError as exc:
        raise InputFileError(str(path), exc.strerror or str(exc)) from None


def source_name(name: str) -> str:
    """A source label fit to store and show: plain, short, never empty."""
    cleaned = _one_line(_MARKUP.sub("‹", name), 80).strip()
    return cleaned or "unnamed"


def import_bundle(
    path: str | Path,
    con: duckdb.DuckDBPyConnection,
    config: IntelConfig,
    *,
    source: str | None = None,
    local_key_id: str | None = None,
    now: datetime | None = None,
) -> ImportResult:
    """Validate the bundle at ``path`` and store its indicators through ``con``.

    ``source`` names where it came from (default: the bundle's producer identity, else
    the file name). ``local_key_id`` (the id of the local sharing key) counts hashed
    indicators made with another key, which can never match here.
    """
    file = Path(path)
    bundle = validate_bundle(read_bundle_file(file, config), config)
    label = source_name(source or bundle.producer or file.stem)
    added, updated, removed = store_indicators(con, bundle, label, now or datetime.now(UTC))
    other = sum(
        1 for i in bundle.indicators
        if i.value_hash is not None and local_key_id is not None
        and i.key_id is not None and i.key_id != local_key_id
    )
    return ImportResult(label, bundle.bundle_id, len({i.indicator_id for i in bundle.indicators}),
                        bundle.campaigns, added, updated, removed, other)
