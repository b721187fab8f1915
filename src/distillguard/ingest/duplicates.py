"""Duplicate requests: the same request logged twice, told apart from ids that repeat.

In contract 1, ``request_id`` is the request's own identity: a repeated id is a
duplicate, and the first copy stays (by source row; a stored event before any new row).

An adapter's id may not be (``Adapter.ids_identify_requests`` false). Gateways often log
the *upstream's* answer id (a LiteLLM spend log's ``request_id`` is the provider's
``chatcmpl-...`` id), some upstreams answer every request with the same id, and a client
that chooses the ids it sends can reuse one on purpose so that first-wins deduplication
drops all its other requests unread. There, a repeated id is a duplicate only when the
rows are the same request: the same content in every event column but the id. A row that
repeats an id with other content is kept under the id suffixed with a stable digest of
its content (``<id>#<16 hex digits>``) and counted as an *id fallback*.

Only rows whose id repeats (within the new rows, or against the events already in the
workspace) are looked at again, and hashed only where content matters, so a file of
unique ids costs one grouping, as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

#: Temporary tables :func:`find_duplicates` leaves for the caller (dropped by it).
DROPPED_TABLE = "ingest_duplicates"  # rid: rows to quarantine as duplicates
RENAMED_TABLE = "ingest_renamed"  # rid, request_id: rows kept under a digest id
#: Hex digits of the content digest appended to an id that does not identify a request.
DIGEST_CHARS = 16


@dataclass(frozen=True)
class Duplicates:
    """What :func:`find_duplicates` found among the new rows."""

    #: Rows that repeat a request already seen (same id, same content): quarantined.
    dropped: int
    #: Rows that repeat an id with other content: kept under ``<id>#<digest>``.
    renamed: int


def _content(columns: Sequence[str], alias: str) -> str:
    """A digest of a row's event columns other than its id (nulls told from empty text)."""
    fields = ", ".join(f'"{name}" := {alias}."{name}"' for name in columns
                       if name != "request_id")
    return f"md5(CAST(to_json(struct_pack({fields})) AS VARCHAR))"


def find_duplicates(
    con: duckdb.DuckDBPyConnection,
    new_rows: str,
    existing: str,
    columns: Sequence[str],
    *,
    ids_identify_requests: bool = True,
) -> Duplicates:
    """Classify the new rows whose ``request_id`` repeats.

    Parameters
    ----------
    con:
        The connection (the caller's transaction).
    new_rows:
        A relation of the new rows with ``file_row_number`` (their identity), ``source_row``
        and the event ``columns``.
    existing:
        A relation of the events already stored (``request_id`` and the event columns).
    columns:
        The event columns that make a row's content.
    ids_identify_requests:
        Every repeat of an id is a duplicate (contract 1); when false, only a repeat with
        the same content is, and the others get a digest id.

    Leaves the temporary tables :data:`DROPPED_TABLE` (``rid``) and :data:`RENAMED_TABLE`
    (``rid``, ``request_id``: the new id) for the caller, who drops them with
    :func:`drop_tables`. A repeated id's *owner* is the stored event with that id, else
    its first row (by source row); with ``ids_identify_requests`` every other row is a
    duplicate, else a row with the owner's content is, any other gets ``<id>#<digest>``,
    and such a new id that is itself taken is a duplicate too.
    """
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE ingest_clash_ids AS
        WITH new AS (SELECT request_id FROM {new_rows})
        SELECT request_id FROM new GROUP BY request_id HAVING count(*) > 1
        UNION
        SELECT request_id FROM (SELECT request_id FROM {existing}) SEMI JOIN new USING (request_id)
        """
    )
    clashing = con.execute("SELECT count(*) FROM ingest_clash_ids").fetchone()
    if not clashing or not clashing[0]:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {DROPPED_TABLE} (rid BIGINT)")
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {RENAMED_TABLE} (rid BIGINT, request_id VARCHAR)")
        con.execute("DROP TABLE ingest_clash_ids")
        return Duplicates(0, 0)
    new_content = "CAST(NULL AS VARCHAR)" if ids_identify_requests else _content(columns, "n")
    stored_content = "CAST(NULL AS VARCHAR)" if ids_identify_requests else _content(columns, "e")
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE ingest_clash_rows AS
        WITH rows AS (
            SELECT n.file_row_number AS rid, n.request_id, n.source_row,
                   {new_content} AS content
            FROM {new_rows} n SEMI JOIN ingest_clash_ids USING (request_id)
        ), stored AS (
            SELECT e.request_id, min({stored_content}) AS content
            FROM {existing} e SEMI JOIN ingest_clash_ids USING (request_id)
            GROUP BY e.request_id
        ), ranked AS (
            SELECT *, row_number() OVER (
                PARTITION BY request_id ORDER BY source_row NULLS LAST, rid) AS rn
            FROM rows
        ), owners AS (
            SELECT r.request_id, coalesce(s.content, r.content) AS owner_content,
                   s.request_id IS NOT NULL AS stored
            FROM ranked r LEFT JOIN stored s USING (request_id) WHERE r.rn = 1
        )
        SELECT r.rid, r.request_id, r.source_row, r.content,
            CASE WHEN NOT o.stored AND r.rn = 1 THEN 'keep'
                 WHEN {"true" if ids_identify_requests else "false"} THEN 'duplicate'
                 WHEN r.content = o.owner_content THEN 'duplicate'
                 ELSE 'rename' END AS action
        FROM ranked r JOIN owners o USING (request_id)
        """
    )
    # A digest id can itself repeat (the same other request twice) or be taken already.
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {RENAMED_TABLE} AS
        WITH renamed AS (
            SELECT rid, source_row,
                   request_id || '#' || left(content, {DIGEST_CHARS}) AS new_id
            FROM ingest_clash_rows WHERE action = 'rename'
        ), ranked AS (
            SELECT *, row_number() OVER (
                PARTITION BY new_id ORDER BY source_row NULLS LAST, rid) AS rn
            FROM renamed
        ), taken AS (
            SELECT request_id AS new_id FROM {new_rows}
            UNION ALL SELECT request_id AS new_id FROM {existing}
        )
        SELECT rid, new_id AS request_id, rn = 1 AND new_id NOT IN (SELECT new_id FROM taken)
            AS fresh
        FROM ranked
        """
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {DROPPED_TABLE} AS
        SELECT rid FROM ingest_clash_rows WHERE action = 'duplicate'
        UNION ALL SELECT rid FROM {RENAMED_TABLE} WHERE NOT fresh
        """
    )
    con.execute(f"DELETE FROM {RENAMED_TABLE} WHERE NOT fresh")
    con.execute("DROP TABLE ingest_clash_ids")
    con.execute("DROP TABLE ingest_clash_rows")
    dropped = con.execute(f"SELECT count(*) FROM {DROPPED_TABLE}").fetchone()
    renamed = con.execute(f"SELECT count(*) FROM {RENAMED_TABLE}").fetchone()
    return Duplicates(int(dropped[0]) if dropped else 0, int(renamed[0]) if renamed else 0)


def drop_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Remove the temporary tables :func:`find_duplicates` left."""
    con.execute(f"DROP TABLE IF EXISTS {DROPPED_TABLE}")
    con.execute(f"DROP TABLE IF EXISTS {RENAMED_TABLE}")
