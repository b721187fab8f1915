"""What the pages read: the scan's files (contract 2) and short read-only workspace queries.

Every query is SQL over the workspace's ``events`` table, restricted first to the accounts
a page is about (copied into a temporary table once per request), so a page costs a few
scans of the events whatever the workspace's size. Values come back raw: making them
safe to show (hashing personal data, cutting and escaping text) is ``views.py``'s job.

Indicator values are those of the catalogue (:mod:`distillguard.detect.indicators`):
linkage's kinds, the e-mail address (hashed unless ``--show-pii``) and prompt templates.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from distillguard import privacy
from distillguard.detect.indicators import INDICATOR_KINDS, KIND
from distillguard.report.loading import ScanOutputs, load_scan_outputs
from distillguard.store.labels import connect_workspace, record_label

#: Indicator kind → SQL expression over ``events`` (every kind of the catalogue).
INDICATOR_EXPRESSIONS: dict[str, str] = {kind.name: kind.sql for kind in INDICATOR_KINDS}
#: Distinct values per kind of one account considered for neighbours (its most used).
VALUES_PER_KIND = 50
#: Shared values listed per kind on a campaign page (templates have their own section).
VALUES_SHOWN = 10
TEMPLATES_SHOWN = 5
#: A traffic chart switches from hourly to daily bars beyond this span.
HOURLY_SPAN_DAYS = 14
SCAN_FILES = ("accounts.parquet", "campaigns.json", "summary.json")
#: Event columns never copied for a page: the bulk of a workspace, and never shown.
SKIPPED_COLUMNS = ("response",)


# --- scan outputs ----------------------------------------------------------------------


@dataclass(frozen=True)
class ScanState:
    """One reading of the scan's files, with lookups the pages need."""

    outputs: ScanOutputs
    campaigns: list[dict[str, Any]]  # ranked by risk, highest first
    by_id: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def accounts(self) -> pa.Table:
        return self.outputs.accounts

    def account_rows(self, ids: list[str]) -> pa.Table:
        """Scan rows (contract-2 columns) of ``ids``, highest risk first."""
        keep = pc.is_in(self.accounts["account_id"], value_set=pa.array(ids, pa.string()))
        return self.accounts.filter(keep).sort_by([("risk", "descending"),
                                                   ("account_id", "ascending")])


class ScanFiles:
    """The scan directory, read again whenever one of its files changes (a new scan)."""

    def __init__(self, scan_dir: Path) -> None:
        self.scan_dir = scan_dir
        self._lock = threading.Lock()
        self._stamp: tuple[float, ...] = ()
        self._state: ScanState | None = None

    def _current_stamp(self) -> tuple[float, ...]:
        stamps = []
        for name in SCAN_FILES:
            try:
                stamps.append((self.scan_dir / name).stat().st_mtime)
            except OSError:
                stamps.append(-1.0)
        return tuple(stamps)

    def current(self) -> ScanState:
        """The latest scan (raises :class:`~distillguard.errors.InputFileError` if unreadable)."""
        with self._lock:
            stamp = self._current_stamp()
            if self._state is None or stamp != self._stamp:
                outputs = load_scan_outputs(self.scan_dir)
                ranked = sorted(outputs.campaigns,
                                key=lambda c: (-_number(c.get("risk")), str(c.get("campaign_id"))))
                by_id = {str(c.get("campaign_id")): c for c in ranked}
                self._state = ScanState(outputs=outputs, campaigns=ranked, by_id=by_id)
                self._stamp = stamp
            return self._state

    def account_detail(self, account_id: str) -> dict[str, Any] | None:
        """Every column of one account's row in ``accounts.parquet`` (signals, profile)."""
        table = pq.read_table(self.scan_dir / "accounts.parquet",
                              filters=[("account_id", "==", account_id)])
        rows = table.slice(0, 1).to_pylist()
        return rows[0] if rows else None


def _number(value: Any) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


# --- workspace access --------------------------------------------------------------------


class WorkspaceAccess:
    """Short-lived workspace connections, one at a time within this process.

    Reads open the file read-only; a label opens it for writing just long enough to
    append one row. DuckDB lets one process write a file at a time and refuses to mix
    read-only and writable connections to one file within a process, hence the lock.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    @contextmanager
    def read(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with self._lock, connect_workspace(self.path, read_only=True) as con:
            yield con

    def record(self, **label: Any) -> None:
        """:func:`distillguard.store.labels.record_label` on a brief writable connection."""
        with self._lock, connect_workspace(self.path, read_only=False) as con:
            record_label(con, **label)


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: Any = None) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = con.execute(sql, params).to_arrow_table().to_pylist()
    return result


def select_events(con: duckdb.DuckDBPyConnection, account_ids: list[str]) -> None:
    """Copy the events of ``account_ids`` into the temporary table ``ui_events``."""
    con.register("ui_accounts", pa.table({"account_id": pa.array(account_ids, pa.string())}))
    # Every other column is kept: indicator expressions (linkage's) may read any of them.
    skipped = ", ".join(SKIPPED_COLUMNS)
    con.execute(f"CREATE OR REPLACE TEMP TABLE ui_events AS SELECT * EXCLUDE ({skipped}) "
                "FROM events WHERE account_id IN (SELECT account_id FROM ui_accounts)")
    con.unregister("ui_accounts")


def _indicator_union(source: str, condition: str = "TRUE") -> str:
    """SQL: distinct ``(account_id, kind, value)`` of ``source``; ``condition`` may use
    ``{kind}`` and ``{value}``."""
    parts = []
    for kind, expr in INDICATOR_EXPRESSIONS.items():
        value = f"CAST({expr} AS VARCHAR)"
        extra = KIND[kind].condition
        longer = f" AND {extra}" if extra else ""
        parts.append(
            f"SELECT DISTINCT account_id, '{kind}' AS kind, {value} AS value FROM {source} "
            f"WHERE {expr} IS NOT NULL{longer} AND "
            + condition.format(kind=kind, value=value)
        )
    return " UNION ALL ".join(parts)


@dataclass(frozen=True)
class Traffic:
    """Requests per time bucket and model."""

    bucket: str  # "hour" or "day"
    rows: list[dict[str, Any]]  # period, model, requests
    models: list[dict[str, Any]]  # model, requests, first_seen, last_seen


def traffic(con: duckdb.DuckDBPyConnection) -> Traffic:
    """Traffic of ``ui_events`` by model over time (hourly, daily for long spans)."""
    span = con.execute("SELECT min(timestamp), max(timestamp) FROM ui_events").fetchone()
    bucket = "hour"
    if span and span[0] is not None and (span[1] - span[0]).days > HOURLY_SPAN_DAYS:
        bucket = "day"
    rows = _rows(con, f"SELECT date_trunc('{bucket}', timestamp) AS period, "
                      "coalesce(model, '(none)') AS model, count(*) AS requests "
                      "FROM ui_events GROUP BY ALL ORDER BY period, model")
    models = _rows(con, "SELECT coalesce(model, '(none)') AS model, count(*) AS requests, "
                        "min(timestamp) AS first_seen, max(timestamp) AS last_seen "
                        "FROM ui_events GROUP BY ALL ORDER BY first_seen, model")
    return Traffic(bucket=bucket, rows=rows, models=models)


def templates(con: duckdb.DuckDBPyConnection, limit: int, cut: int) -> list[dict[str, Any]]:
    """The most sent prompt templates of ``ui_events``, with an example prompt each."""
    return _rows(con, f"""
        SELECT left(skeleton, {int(cut) + 1}) AS skeleton, count(*) AS requests,
               count(DISTINCT account_id) AS accounts,
               left(arg_min(prompt, timestamp), {int(cut) + 1}) AS example
        FROM ui_events WHERE skeleton IS NOT NULL
        GROUP BY skeleton ORDER BY requests DESC, skeleton LIMIT {int(limit)}""")


def latest_prompts(con: duckdb.DuckDBPyConnection, limit: int, cut: int) -> list[dict[str, Any]]:
    """The latest requests of ``ui_events``, prompt cut to ``cut`` (+1 to show the cut)."""
    return _rows(con, f"""
        SELECT timestamp, model, capability, cot, left(prompt, {int(cut) + 1}) AS prompt
        FROM ui_events ORDER BY timestamp DESC, request_id LIMIT {int(limit)}""")


def shared_indicators(con: duckdb.DuckDBPyConnection, limit: int) -> list[dict[str, Any]]:
    """Values that two or more accounts of ``ui_events`` share, most shared first (at most
    :data:`VALUES_SHOWN` per kind, :data:`TEMPLATES_SHOWN` templates), with how many
    accounts of the whole workspace have each (rarity)."""
    con.execute("CREATE OR REPLACE TEMP TABLE ui_member_values AS "
                + _indicator_union("ui_events"))
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE ui_values AS
        SELECT kind, value, members FROM (
            SELECT kind, value, count(*) AS members,
                   row_number() OVER (PARTITION BY kind ORDER BY count(*) DESC, value) AS r
            FROM ui_member_values GROUP BY kind, value HAVING count(*) >= 2
        ) WHERE r <= CASE WHEN kind = 'template' THEN {TEMPLATES_SHOWN} ELSE {VALUES_SHOWN} END
        ORDER BY members DESC, kind, value LIMIT {int(limit)}""")
    totals = _indicator_union(
        "events", "{value} IN (SELECT value FROM ui_values WHERE kind = '{kind}')"
    )
    return _rows(con, f"""
        SELECT v.kind, v.value, v.members, count(t.account_id) AS accounts
        FROM ui_values v LEFT JOIN ({totals}) t USING (kind, value)
        GROUP BY ALL ORDER BY v.members DESC, accounts, v.kind, v.value""")


def indicator_links(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """``(account_id, kind, value)`` for the values :func:`shared_indicators` kept."""
    return _rows(con, "SELECT m.account_id, m.kind, m.value FROM ui_member_values m "
                      "SEMI JOIN ui_values v USING (kind, value) ORDER BY ALL")


def account_indicators(
    con: duckdb.DuckDBPyConnection, account_id: str, max_share: int, limit: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One account's indicator values (with how many accounts share each) and its
    neighbours: accounts sharing values that at most ``max_share`` accounts have.

    ``ui_events`` must hold the account's events.
    """
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE ui_values AS
        SELECT kind, value FROM (
            SELECT kind, value, row_number() OVER (PARTITION BY kind ORDER BY n DESC, value) AS r
            FROM (SELECT kind, value, count(*) AS n FROM ({_indicator_union('ui_events')})
                  GROUP BY ALL)
        ) WHERE r <= {VALUES_PER_KIND}""")
    hits = _indicator_union(
        "events", "{value} IN (SELECT value FROM ui_values WHERE kind = '{kind}')"
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE ui_hits AS {hits}")
    values = _rows(con, "SELECT kind, value, count(*) AS accounts FROM ui_hits "
                        "GROUP BY ALL ORDER BY kind, accounts, value")
    neighbours = _rows(con, f"""
        WITH k AS (SELECT kind, value, count(*) AS k FROM ui_hits GROUP BY ALL)
        SELECT h.account_id, list(DISTINCT h.kind ORDER BY h.kind) AS kinds,
               count(*) AS shared_values, min(k.k) AS rarest
        FROM ui_hits h JOIN k USING (kind, value)
        WHERE k.k <= {int(max_share)} AND h.account_id <> $account
        GROUP BY h.account_id
        ORDER BY len(kinds) DESC, shared_values DESC, h.account_id LIMIT {int(limit)}""",
        {"account": account_id})
    return values, neighbours


# --- search ----------------------------------------------------------------------------


def _hmac_pads() -> tuple[bytes, bytes]:
    """HMAC-SHA256 inner and outer key pads for ``privacy.display_hash``'s key (RFC 2104)."""
    key = privacy._key()
    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    key = key.ljust(64, b"\0")
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)


def display_hash_sql(expr: str) -> str:
    """SQL computing :func:`distillguard.privacy.display_hash`'s hex digest of ``expr``.

    Parameters ``$ipad``, ``$opad`` (:func:`_hmac_pads`) and ``$kind_prefix``
    (``kind + NUL``) must be bound. Lets a search by hash run over distinct values in
    the database instead of hashing every value in Python.
    """
    message = f"encode($kind_prefix || CAST({expr} AS VARCHAR))"
    return f"sha256($opad::BLOB || unhex(sha256($ipad::BLOB || {message})))"


def hash_prefixes() -> dict[str, str]:
    """Display-hash prefix (``pay``) → indicator kind (``payment_fingerprint``)."""
    kinds = [k for k in INDICATOR_EXPRESSIONS if k in privacy.PERSONAL_KINDS]
    return {privacy.display_hash(kind, "").split(":", 1)[0]: kind for kind in kinds}


def accounts_with_hash(
    con: duckdb.DuckDBPyConnection, kind: str, digest: str, limit: int
) -> list[dict[str, Any]]:
    """Accounts having a ``kind`` value whose display hash starts with ``digest``."""
    expr = INDICATOR_EXPRESSIONS[kind]
    ipad, opad = _hmac_pads()
    return _rows(con, f"""
        WITH v AS (SELECT DISTINCT CAST({expr} AS VARCHAR) AS value FROM events
                   WHERE {expr} IS NOT NULL),
        hit AS (SELECT value FROM v WHERE starts_with({display_hash_sql('value')}, $digest))
        SELECT account_id, count(*) AS requests FROM events
        WHERE CAST({expr} AS VARCHAR) IN (SELECT value FROM hit)
        GROUP BY account_id ORDER BY requests DESC, account_id LIMIT {int(limit)}""",
        {"ipad": ipad, "opad": opad, "kind_prefix": f"{kind}\x00", "digest": digest})


def accounts_with_value(
    con: duckdb.DuckDBPyConnection, kinds: list[str], value: str, limit: int
) -> list[dict[str, Any]]:
    """Accounts having ``value`` as one of ``kinds``' indicator values (exact match)."""
    if not kinds:
        return []
    parts = " OR ".join(f"CAST({INDICATOR_EXPRESSIONS[k]} AS VARCHAR) = $value" for k in kinds)
    return _rows(con, f"""
        SELECT account_id, count(*) AS requests FROM events WHERE {parts}
        GROUP BY account_id ORDER BY requests DESC, account_id LIMIT {int(limit)}""",
        {"value": value})


def latest_campaign_labels(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Current label of every labelled campaign id, with the members stored with it."""
    exists = con.execute("SELECT count(*) FROM information_schema.tables "
                         "WHERE table_name = 'analyst_labels'").fetchone()
    if not exists or not exists[0]:
        return []
    return _rows(con, """
        SELECT target_id, verdict, analyst, labelled_at, note, members FROM analyst_labels
        WHERE target_kind = 'campaign'
        QUALIFY row_number() OVER (PARTITION BY target_id
                                   ORDER BY labelled_at DESC, label_id DESC) = 1""")


def as_utc_text(value: datetime | None) -> str:
    """``YYYY-MM-DD HH:MM`` in UTC, or ``""``."""
    if value is None:
        return ""
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%d %H:%M")
