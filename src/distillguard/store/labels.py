"""Analyst labels: a person confirms or dismisses a campaign or an account, with a note.

Labels live in the workspace (table ``analyst_labels``) as an append-only history: every
decision is a new row with who made it and when, and the latest row for a target wins.
Nothing is ever updated or deleted, so the history answers "who decided this, when, and
what did they decide before?".

A campaign label expands to the campaign's member accounts. Campaign ids (``C0001``) are
ranks within one scan and change when a later scan ranks campaigns differently, so the UI
stores the members it showed the analyst with the label (``members``); labels recorded
without members expand through the ``campaigns`` records passed in. An account's own label
overrides any campaign label that covers it.

What the labels feed:

- :func:`account_labels` / :func:`export_labels`: contract-3 labels
  (``account_id``, ``archetype``, ``campaign_id``) that ``distillguard eval --labels``
  reads, so a scan can be scored against what analysts decided;
- :func:`allowlisted_accounts`: accounts an analyst dismissed (directly or through their
  campaign), for ``labels.allowlist_days`` after the decision, which scoring can leave
  alone.

A workspace has one writer at a time (DuckDB's rule): :func:`connect_workspace` opens it
briefly and turns "the file is locked" into a :class:`WorkspaceError` that says so.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from distillguard.errors import ConfigError, WorkspaceError
from distillguard.store.workspace import attach_events
from distillguard.textsafe import safe_text

TABLE = "analyst_labels"
TARGET_KINDS: tuple[str, ...] = ("campaign", "account")
#: Verdicts as stored; ``cleared`` withdraws the target's earlier verdict.
VERDICTS: tuple[str, ...] = ("confirmed", "dismissed", "cleared")
_VERDICT_ALIASES = {"confirm": "confirmed", "dismiss": "dismissed", "clear": "cleared"}
ARCHETYPES = {"confirmed": "analyst_confirmed", "dismissed": "analyst_dismissed"}
#: Lengths kept (longer text is cut, never rejected: a note is not worth losing).
MAX_NOTE_CHARS = 4000
MAX_ANALYST_CHARS = 80
MAX_TARGET_CHARS = 256
MAX_MEMBERS = 1_000_000
#: Prefix of the campaign id given to an account confirmed on its own, outside any campaign.
LONE_ACCOUNT_PREFIX = "analyst:"
#: A CSV cell starting with one of these (or its full-width form) is a formula to a spreadsheet.
_FORMULA_START = "^[=+\\-@\t\r\uff1d\uff0b\uff0d\uff20]"

_CREATE = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    label_id BIGINT NOT NULL,
    target_kind VARCHAR NOT NULL,
    target_id VARCHAR NOT NULL,
    verdict VARCHAR NOT NULL,
    note VARCHAR NOT NULL,
    analyst VARCHAR NOT NULL,
    labelled_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ,
    members VARCHAR[]
)
"""

#: Columns of :func:`account_labels`, contract 3 first.
ACCOUNT_LABEL_SCHEMA = pa.schema([
    pa.field("account_id", pa.string(), nullable=False),
    pa.field("archetype", pa.string(), nullable=False),
    pa.field("campaign_id", pa.string()),
    pa.field("is_campaign", pa.bool_(), nullable=False),
    pa.field("verdict", pa.string(), nullable=False),
    pa.field("source", pa.string(), nullable=False),
    pa.field("target_id", pa.string(), nullable=False),
    pa.field("labelled_at", pa.timestamp("us", tz="UTC"), nullable=False),
    pa.field("expires_at", pa.timestamp("us", tz="UTC")),
    pa.field("analyst", pa.string(), nullable=False),
    pa.field("note", pa.string(), nullable=False),
])


# --- connections ---------------------------------------------------------------------


@contextmanager
def connect_workspace(path: str | Path, *, read_only: bool) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the workspace for as short a time as the ``with`` block, then close it.

    Raises
    ------
    WorkspaceError
        The file does not exist, or another process holds it (DuckDB lets one process
        write a database file at a time: a scan writing the workspace and the UI saving
        a label cannot overlap).
    """
    target = Path(path)
    if not target.is_file():
        raise WorkspaceError(f"no workspace at {target}")
    try:
        con = duckdb.connect(str(target), read_only=read_only)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise WorkspaceError(
                f"workspace {target} is in use by another process (a scan writing it?); "
                "DuckDB allows one writer at a time: retry when it has finished"
            ) from None
        raise WorkspaceError(f"cannot open workspace {target}: {exc}") from None
    except duckdb.Error as exc:
        raise WorkspaceError(f"cannot open workspace {target}: {exc}") from None
    try:
        con.execute("SET TimeZone = 'UTC'")  # instants come back in UTC
        attach_events(con, target)
        yield con
    finally:
        con.close()


def _has_table(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ? "
        "AND table_schema = current_schema()", [TABLE]
    ).fetchone()
    return bool(row and row[0])


# --- writing ---------------------------------------------------------------------------


def _normalise_verdict(verdict: str) -> str:
    value = verdict.strip().lower()
    value = _VERDICT_ALIASES.get(value, value)
    if value not in VERDICTS:
        raise ConfigError(f"verdict must be one of {', '.join(VERDICTS)}, not {verdict!r}")
    return value


def _utc(value: datetime | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def record_label(
    con: duckdb.DuckDBPyConnection,
    *,
    target_kind: str,
    target_id: str,
    verdict: str,
    note: str,
    analyst: str,
    now: datetime | None = None,
    allow_days: float | None = None,
    members: Sequence[str] | None = None,
) -> None:
    """Append one analyst decision to the workspace's label history.

    Parameters
    ----------
    con:
        A writable connection to the workspace (the table is created when absent).
    target_kind:
        ``campaign`` or ``account``.
    target_id:
        The campaign id (e.g. ``C0001``) or account id.
    verdict:
        ``confirmed`` (abuse), ``dismissed`` (not abuse) or ``cleared`` (withdraw the
        earlier verdict); ``confirm``/``dismiss``/``clear`` are accepted too.
    note:
        Why; control characters removed, cut to :data:`MAX_NOTE_CHARS`.
    analyst:
        Who decided (required).
    now:
        When (default: the current time, UTC).
    allow_days:
        For ``dismissed``: how long the target's accounts stay allow-listed; ``None``
        takes ``labels.allowlist_days`` from the shipped defaults; ``0`` or less: not
        allow-listed.
    members:
        For a campaign: its member accounts as the analyst saw them (see the module
        docstring); without them the label expands through the ``campaigns`` passed to
        :func:`account_labels`.

    Raises
    ------
    ConfigError
        An unknown kind or verdict, or an empty target or analyst.
    WorkspaceError
        The connection is read-only.
    """
    if target_kind not in TARGET_KINDS:
        raise ConfigError(f"target_kind must be campaign or account, not {target_kind!r}")
    kept_verdict = _normalise_verdict(verdict)
    target = safe_text(target_id, MAX_TARGET_CHARS).strip()
    who = safe_text(analyst, MAX_ANALYST_CHARS).strip()
    if not target or target != target_id.strip():
        raise ConfigError("target_id must be a non-empty id without control characters")
    if not who:
        raise ConfigError("analyst is required: who made this decision?")
    when = _utc(now)
    if allow_days is None:
        from distillguard.config import default_config

        allow_days = default_config().labels.allowlist_days
    expires = (
        when + timedelta(days=float(allow_days))
        if kept_verdict == "dismissed" and allow_days > 0 else None
    )
    kept_members = None
    if members is not None and target_kind == "campaign":
        kept_members = sorted({str(m) for m in members})[:MAX_MEMBERS]
    try:
        con.execute(_CREATE)
        con.execute(
            f"INSERT INTO {TABLE} SELECT coalesce(max(label_id), 0) + 1, ?, ?, ?, ?, ?, ?, ?, ? "
            f"FROM {TABLE}",
            [target_kind, target, kept_verdict, safe_text(note, MAX_NOTE_CHARS), who, when,
             expires, kept_members],
        )
    except duckdb.InvalidInputException as exc:
        if "read-only" in str(exc).lower() or "read only" in str(exc).lower():
            raise WorkspaceError("the workspace is open read-only: labels need a writer") from None
        raise


# --- reading ---------------------------------------------------------------------------


def label_history(
    con: duckdb.DuckDBPyConnection,
    *,
    target_kind: str | None = None,
    target_id: str | None = None,
    latest_only: bool = False,
) -> list[dict[str, Any]]:
    """Label rows, newest first: all, one kind, or one target; ``latest_only`` keeps the
    current verdict of each target (``cleared`` included)."""
    if not _has_table(con):
        return []
    where, params = [], []
    if target_kind is not None:
        where.append("target_kind = ?")
        params.append(target_kind)
    if target_id is not None:
        where.append("target_id = ?")
        params.append(target_id)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    qualify = (
        "QUALIFY row_number() OVER (PARTITION BY target_kind, target_id "
        "ORDER BY labelled_at DESC, label_id DESC) = 1" if latest_only else ""
    )
    rows: list[dict[str, Any]] = con.execute(
        f"SELECT label_id, target_kind, target_id, verdict, note, analyst, labelled_at, "
        f"expires_at, len(members) AS members FROM {TABLE} {clause} {qualify} "
        "ORDER BY labelled_at DESC, label_id DESC",
        params,
    ).to_arrow_table().to_pylist()
    return rows


def _campaign_members(campaigns: list[dict[str, Any]] | None) -> pa.Table:
    pairs = [
        (str(record["campaign_id"]), str(account))
        for record in campaigns or []
        if isinstance(record, dict) and record.get("campaign_id") is not None
        for account in record.get("accounts") or []
    ]
    return pa.table({
        "campaign_id": pa.array([p[0] for p in pairs], pa.string()),
        "account_id": pa.array([p[1] for p in pairs], pa.string()),
    })


def account_labels(
    con: duckdb.DuckDBPyConnection, campaigns: list[dict[str, Any]] | None = None
) -> pa.Table:
    """Each labelled account's current verdict, as contract-3-compatible labels.

    Parameters
    ----------
    con:
        A connection to the workspace (read-only is enough).
    campaigns:
        Campaign records (``campaign_id``, ``accounts``), e.g. from ``campaigns.json``:
        they expand campaign labels recorded without their members.

    Returns
    -------
    pa.Table
        :data:`ACCOUNT_LABEL_SCHEMA`, one row per account, sorted by ``account_id``:
        ``archetype`` is ``analyst_confirmed`` or ``analyst_dismissed``; ``is_campaign``
        is true for confirmed accounts, whose ``campaign_id`` is the labelled campaign,
        else the account's campaign in ``campaigns``, else ``analyst:<account_id>``;
        dismissed accounts have a null ``campaign_id``. ``source`` says whether the
        verdict came from the account's own label or from a campaign label
        (``target_id``); an account's own label wins, then the latest campaign label.
    """
    if not _has_table(con):
        return ACCOUNT_LABEL_SCHEMA.empty_table()
    con.register("_label_campaign_members", _campaign_members(campaigns))
    try:
        table = con.execute(
            f"""
            WITH latest AS (
                SELECT * FROM {TABLE}
                QUALIFY row_number() OVER (PARTITION BY target_kind, target_id
                                           ORDER BY labelled_at DESC, label_id DESC) = 1
            ),
            member_of AS (
                SELECT DISTINCT account_id, campaign_id FROM _label_campaign_members
            ),
            via_campaign AS (
                SELECT unnest(members) AS account_id, * EXCLUDE (members)
                FROM latest WHERE target_kind = 'campaign' AND members IS NOT NULL
                UNION ALL
                SELECT m.account_id, l.* EXCLUDE (members)
                FROM latest l JOIN member_of m ON m.campaign_id = l.target_id
                WHERE l.target_kind = 'campaign' AND l.members IS NULL
            ),
            candidates AS (
                SELECT target_id AS account_id, * EXCLUDE (members), 0 AS rank_source
                FROM latest WHERE target_kind = 'account' AND verdict <> 'cleared'
                UNION ALL
                SELECT *, 1 AS rank_source FROM via_campaign WHERE verdict <> 'cleared'
            ),
            chosen AS (
                SELECT * FROM candidates
                QUALIFY row_number() OVER (PARTITION BY account_id ORDER BY rank_source,
                                           labelled_at DESC, label_id DESC) = 1
            )
            SELECT c.account_id,
                   CASE c.verdict WHEN 'confirmed' THEN '{ARCHETYPES["confirmed"]}'
                                  ELSE '{ARCHETYPES["dismissed"]}' END AS archetype,
                   CASE WHEN c.verdict <> 'confirmed' THEN NULL
                        WHEN c.target_kind = 'campaign' THEN c.target_id
                        ELSE coalesce((SELECT min(m.campaign_id) FROM member_of m
                                       WHERE m.account_id = c.account_id),
                                      '{LONE_ACCOUNT_PREFIX}' || c.account_id) END AS campaign_id,
                   c.verdict = 'confirmed' AS is_campaign,
                   c.verdict, c.target_kind AS source, c.target_id,
                   c.labelled_at, c.expires_at, c.analyst, c.note
            FROM chosen c ORDER BY c.account_id
            """
        ).to_arrow_table()
    finally:
        con.unregister("_label_campaign_members")
    return table.cast(ACCOUNT_LABEL_SCHEMA)


def allowlisted_accounts(
    con: duckdb.DuckDBPyConnection,
    now: datetime,
    campaigns: list[dict[str, Any]] | None = None,
) -> set[str]:
    """Accounts an analyst dismissed (directly or through a dismissed campaign) whose
    allow-list entry has not expired at ``now``.

    Campaign labels expand through the members stored with them, else through
    ``campaigns`` (as in :func:`account_labels`).
    """
    labels = account_labels(con, campaigns)
    if labels.num_rows == 0:
        return set()
    instant = pa.scalar(_utc(now), pa.timestamp("us", tz="UTC"))
    keep = pc.and_(
        pc.equal(labels["verdict"], "dismissed"),
        pc.fill_null(pc.greater(labels["expires_at"], instant), False),
    )
    return set(labels.filter(keep)["account_id"].to_pylist())


# --- export ----------------------------------------------------------------------------


def neutralise_formulas(column: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Prefix ``'`` to string cells a spreadsheet would run as a formula (``= + - @``,
    tab, carriage return first): CSV injection."""
    text = pc.cast(column, pa.string())
    risky = pc.fill_null(pc.match_substring_regex(text, pattern=_FORMULA_START), False)
    quoted = pc.binary_join_element_wise(pa.scalar("'"), text, "")
    return pc.if_else(risky, quoted, text)


def csv_safe_table(table: pa.Table) -> pa.Table:
    """Every column as text (timestamps in ISO-8601), formula cells neutralised."""
    columns = {}
    for name in table.column_names:
        column = table[name]
        if pa.types.is_timestamp(column.type):
            seconds = pc.cast(column, pa.timestamp("s", tz="UTC"), safe=False)
            column = pc.strftime(seconds, format="%Y-%m-%dT%H:%M:%SZ")
        columns[name] = neutralise_formulas(column)
    return pa.table(columns)


def export_labels(
    con: duckdb.DuckDBPyConnection, out: Path, campaigns: list[dict[str, Any]] | None = None
) -> int:
    """Write :func:`account_labels` to ``out`` and return the number of accounts.

    ``.parquet`` writes contract-3 labels (``distillguard eval --labels`` reads them);
    ``.csv`` writes text with formula-like cells neutralised. Written to a temporary file
    first and renamed, so a reader never sees half a file.
    """
    suffix = out.suffix.lower()
    if suffix not in (".parquet", ".csv"):
        raise ConfigError(f"{out}: the labels file must end in .parquet or .csv")
    table = account_labels(con, campaigns)
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".labels-", suffix=suffix, dir=out.parent)
    os.close(handle)
    try:
        if suffix == ".parquet":
            pq.write_table(table, temporary)
        else:
            pacsv.write_csv(csv_safe_table(table), temporary)
        os.chmod(temporary, 0o644)
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return table.num_rows
