"""Small builders of hand-made events for tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from distillguard.config import Config, default_config
from distillguard.detect.features import event_features
from distillguard.schema import EVENT_SCHEMA

T0 = datetime(2026, 2, 1, tzinfo=UTC)


def events_table(rows: list[dict[str, Any]]) -> pa.Table:
    """Contract-1 table from partial rows; ids and timestamps filled in when absent."""
    full = []
    for i, row in enumerate(rows):
        filled = {name: None for name in EVENT_SCHEMA.names}
        filled.update({"request_id": f"r{i}", "timestamp": T0 + timedelta(seconds=i)})
        filled.update(row)
        full.append(filled)
    return pa.Table.from_pylist(full, schema=EVENT_SCHEMA)


def connection_with_events(rows: list[dict[str, Any]], config: Config | None = None
                           ) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with an ``events`` table (features included)."""
    config = config or default_config()
    con = duckdb.connect()
    table = event_features(events_table(rows), config.features)
    con.register("_t", table)
    con.execute("CREATE TABLE events AS SELECT * FROM _t")
    con.unregister("_t")
    return con


def simulation_views(sim: Path) -> duckdb.DuckDBPyConnection:
    """A simulation folder as DuckDB views: ``e`` events, ``l`` labels, ``c`` customers (when
    written), ``x`` events joined with labels (timestamps as epoch ms: no tz objects)."""
    con = duckdb.connect()
    con.execute(f"CREATE VIEW e AS SELECT * FROM read_parquet('{sim / 'events.parquet'}')")
    con.execute(f"CREATE VIEW l AS SELECT * FROM read_parquet('{sim / 'labels.parquet'}')")
    if (sim / "customers.parquet").exists():
        con.execute(f"CREATE VIEW c AS SELECT * FROM read_parquet('{sim / 'customers.parquet'}')")
    con.execute("CREATE VIEW x AS SELECT e.* EXCLUDE (timestamp, account_created_at), "
                "epoch_ms(timestamp) AS ms, epoch_ms(account_created_at) AS created_ms, "
                "l.archetype, l.campaign_id FROM e JOIN l USING (account_id)")
    return con


def one(db: duckdb.DuckDBPyConnection, sql: str, *params: Any) -> Any:
    """The single value (or the single row) a query returns."""
    row = db.execute(sql, list(params)).fetchone()
    assert row is not None
    return row[0] if len(row) == 1 else row
