"""LiteLLM's spend logs from its PostgreSQL database, as JSON Lines a scan reads.

LiteLLM's proxy records every request in the ``LiteLLM_SpendLogs`` table. A file of its
rows (JSON Lines, CSV or Parquet exports) is read by the ``openai_log`` adapter
(:mod:`distillguard.ingest.adapters`, ``docs/formats.md``): the model group as
``model``, the hashed key, user, team, end user, IP, and ``messages`` when the proxy
stores prompts; a row whose ``messages`` is ``{}`` or empty (``store_prompts_in_spend_logs``
off, LiteLLM's default) becomes a metadata-only event.

:func:`export_spend_logs` writes such a file straight from the database: PostgreSQL
turns each row into one JSON object (``row_to_json``) and streams them out with
``COPY``, so no row passes through Python; a window (``since``/``until`` on
``startTime``) exports a day at a time. It needs psycopg 3 (the ``litellm`` extra).
"""

from __future__ import annotations

import gzip
from datetime import datetime
from pathlib import Path
from typing import IO

from distillguard.errors import DistillguardError, missing_extra

SPEND_LOGS_TABLE = "LiteLLM_SpendLogs"
#: Environment variables the DSN is read from when not given (LiteLLM's own first).
DSN_ENVS: tuple[str, ...] = ("DATABASE_URL", "DISTILLGUARD_LITELLM_DSN")


class SpendLogsError(DistillguardError):
    """The spend logs could not be read (connection, table, permissions)."""


def export_spend_logs(dsn: str, out: str | Path, *, since: datetime | None = None,
                      until: datetime | None = None, table: str = SPEND_LOGS_TABLE,
                      schema: str | None = None) -> int:
    """Write the spend-log rows in ``[since, until)`` to ``out`` as JSON Lines.

    ``out`` ending in ``.gz`` is gzip-compressed. Rows come in ``startTime`` order.
    Returns the number of rows written. Raises :class:`SpendLogsError` with one line
    (never the DSN, which may hold a password).
    """
    try:
        import psycopg
        from psycopg import sql
    except ImportError as exc:
        raise missing_extra("litellm", "reading spend logs from PostgreSQL", exc) from None
    name = sql.Identifier(schema, table) if schema else sql.Identifier(table)
    conditions = [sql.SQL("TRUE")]
    params: list[datetime] = []
    if since is not None:
        conditions.append(sql.SQL('s."startTime" >= %s'))
        params.append(since)
    if until is not None:
        conditions.append(sql.SQL('s."startTime" < %s'))
        params.append(until)
    # CSV with a delimiter and quote JSON text never holds unescaped (control characters
    # are \u-escaped in JSON): each line is the row's JSON exactly as PostgreSQL wrote it.
    query = sql.SQL(
        "COPY (SELECT row_to_json(s) FROM {} s WHERE {} "
        'ORDER BY s."startTime", s.request_id) TO STDOUT '
        "(FORMAT csv, DELIMITER E'\\x02', QUOTE E'\\x01')"
    ).format(name, sql.SQL(" AND ").join(conditions))
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    rows = 0
    try:
        with psycopg.connect(dsn, autocommit=True) as conn, conn.cursor() as cur, \
                _open(partial) as sink, cur.copy(query, params or None) as copy:
            for block in copy:
                data = bytes(block)
                rows += data.count(b"\n")
                sink.write(data)
    except (psycopg.Error, OSError) as exc:
        partial.unlink(missing_ok=True)
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SpendLogsError(f"spend logs: {detail}") from None
    partial.replace(path)
    return rows


def _open(path: Path) -> IO[bytes]:
    if path.name.endswith(".gz.partial"):
        return gzip.GzipFile(path, "wb")  # type: ignore[return-value]
    return path.open("wb")
