"""Profile columns the query derives from coarser rows match the per-event definitions.

The profile takes the hour of day once per minute (not per event), the capability,
organisation and access-path counts and the models' first requests from one grouped pass
(``slices``), and first/last seen from microseconds. These tests compute the same
columns the direct way, event by event, on random traffic in several time zones (half-
and quarter-hour offsets, a daylight-saving change inside the data) and compare.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pyarrow as pa
import pytest

from distillguard.config import default_config
from distillguard.detect.features import event_features
from distillguard.detect.profiles import build_profiles
from tests.helpers import events_table

#: 02:00 local on 29 March 2026 is Europe/Berlin's change to summer time (01:00 UTC).
START = datetime(2026, 3, 28, 18, 0, tzinfo=UTC)

#: The same columns, computed per event with the plain definitions.
DIRECT_SQL = """
WITH hours AS (
    SELECT account_id, hour(timestamp) AS h, count(*) AS c FROM events GROUP BY ALL
),
minutes AS (
    SELECT account_id, count(*) AS c FROM events
    GROUP BY account_id, floor(epoch(timestamp) / 60)
),
caps AS (
    SELECT account_id, capability, count(*) AS c FROM events
    WHERE capability IS NOT NULL GROUP BY ALL
),
orgs AS (
    SELECT account_id, org_id, count(*) AS c FROM events
    WHERE org_id IS NOT NULL GROUP BY ALL
),
paths AS (
    SELECT account_id, access_path, count(*) AS c FROM events
    WHERE access_path IS NOT NULL GROUP BY ALL
),
newest AS (
    SELECT model, min(timestamp) AS released FROM events WHERE model IS NOT NULL
    GROUP BY model
    HAVING min(timestamp) > (SELECT min(timestamp) FROM events)
    ORDER BY released DESC, model LIMIT 1
)
SELECT
    a.account_id,
    a.first_seen, a.last_seen, a.account_created_at,
    (SELECT -sum(p * ln(p)) / ln(24) FROM (
        SELECT c / sum(c) OVER () AS p FROM hours h WHERE h.account_id = a.account_id))
        AS hour_entropy,
    (SELECT max(c) FROM minutes m WHERE m.account_id = a.account_id) AS max_per_minute,
    (SELECT arg_max(capability, row(c, capability)) FROM caps k
        WHERE k.account_id = a.account_id) AS top_capability,
    (SELECT count(*) FILTER (WHERE capability <> 'general') FROM caps k
        WHERE k.account_id = a.account_id) AS capabilities_used,
    (SELECT arg_max(org_id, row(c, org_id)) FROM orgs o
        WHERE o.account_id = a.account_id) AS org_id,
    (SELECT arg_max(access_path, row(c, access_path)) FROM paths p
        WHERE p.account_id = a.account_id) AS access_path,
    (SELECT (epoch(min(e.timestamp)) - epoch(any_value(n.released))) / 3600.0
        FROM events e JOIN newest n ON e.model = n.model
        WHERE e.account_id = a.account_id) AS new_model_hours
FROM (
    SELECT account_id, min(timestamp) AS first_seen, max(timestamp) AS last_seen,
           min(account_created_at) AS account_created_at
    FROM events GROUP BY account_id
) a
ORDER BY account_id
"""

COLUMNS = [
    "account_id", "first_seen", "last_seen", "account_created_at", "hour_entropy",
    "max_per_minute", "top_capability", "capabilities_used", "org_id", "access_path",
    "new_model_hours",
]


def random_traffic(seed: int, events: int = 3000, accounts: int = 25) -> pa.Table:
    """Events over 14 hours with microsecond times, many of them on minute boundaries."""
    rng = np.random.default_rng(seed)
    seconds = rng.uniform(0, 14 * 3600, events)
    # A third exactly on a minute, or one microsecond before or after one.
    on_minute = rng.random(events) < 0.3
    seconds[on_minute] = np.round(seconds[on_minute] / 60) * 60 + rng.choice(
        [-1e-6, 0.0, 1e-6], on_minute.sum()
    )
    account = rng.integers(0, accounts, events)
    created = [START - timedelta(days=int(d)) for d in rng.integers(1, 90, accounts)]
    models = ["m-old", "m-mid", "m-new"]
    model_start = [0.0, 3 * 3600.0, 9 * 3600.0]  # m-new appears 9 hours in
    rows = []
    for i in range(events):
        usable = [m for m, t in zip(models, model_start, strict=True) if t <= seconds[i]]
        rows.append({
            "account_id": f"a{account[i]:02d}",
            "timestamp": START + timedelta(microseconds=round(seconds[i] * 1e6)),
            "account_created_at": None if account[i] % 7 == 0 else created[account[i]],
            "model": None if rng.random() < 0.05 else usable[rng.integers(len(usable))],
            "org_id": None if rng.random() < 0.1 else f"org{rng.integers(3)}",
            "access_path": ["api", "console", None][rng.integers(3)],
            "prompt": f"prompt {rng.integers(50)}",
        })
    table = event_features(events_table(rows), default_config().features)
    capabilities = ["coding", "reasoning", "general", "creative", None]
    picked = [capabilities[k] for k in rng.integers(len(capabilities), size=events)]
    index = table.schema.get_field_index("capability")
    return table.set_column(index, "capability", pa.array(picked, pa.string()))


@pytest.mark.parametrize(
    "time_zone", ["UTC", "Asia/Kolkata", "Asia/Kathmandu", "America/St_Johns", "Europe/Berlin"]
)
def test_derived_columns_equal_their_per_event_definitions(time_zone: str) -> None:
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET TimeZone = '{time_zone}'")
    con.register("_t", random_traffic(seed=11))
    con.execute("CREATE TABLE events AS SELECT * FROM _t")
    profile = build_profiles(con, default_config()).select(COLUMNS)
    direct = con.execute(DIRECT_SQL).to_arrow_table().select(COLUMNS)
    assert profile.num_rows == 25
    for name in COLUMNS:
        got, want = profile.column(name).to_pylist(), direct.column(name).to_pylist()
        if name in ("hour_entropy", "new_model_hours"):
            assert got == pytest.approx(want, rel=1e-12), name
        else:
            assert got == want, name
    # The data do span hours, zones and a new model: the comparison is not vacuous.
    entropies = profile.column("hour_entropy").to_pylist()
    assert min(entropies) > 0.5
    assert sum(v is not None for v in profile.column("new_model_hours").to_pylist()) > 10
    assert profile.column("first_seen").type == pa.timestamp("us", tz=time_zone)


def test_first_and_last_seen_keep_microseconds_and_null_creation_times() -> None:
    import duckdb

    table = events_table([
        {"account_id": "a", "timestamp": START + timedelta(microseconds=7)},
        {"account_id": "a", "timestamp": START + timedelta(seconds=90, microseconds=999_999)},
        {"account_id": "b", "timestamp": START, "account_created_at": START - timedelta(days=2)},
    ])
    con = duckdb.connect()
    con.register("events", event_features(table, default_config().features))
    rows = build_profiles(con, default_config()).to_pylist()
    assert rows[0]["first_seen"] == START + timedelta(microseconds=7)
    assert rows[0]["last_seen"] == START + timedelta(seconds=90, microseconds=999_999)
    assert rows[0]["account_created_at"] is None
    assert rows[1]["account_created_at"] == START - timedelta(days=2)
    assert rows[0]["max_per_minute"] == 1 and rows[1]["max_per_minute"] == 1


def test_the_microsecond_conversion_has_a_spark_translation() -> None:
    from distillguard.engines.sql_dialect import SqlTranslationError, to_spark_sql

    assert (
        to_spark_sql("SELECT make_timestamptz(min(epoch_us(timestamp))) FROM e")
        == "SELECT timestamp_micros(min(unix_micros(timestamp))) FROM e"
    )
    with pytest.raises(SqlTranslationError):
        to_spark_sql("SELECT make_timestamptz(2026, 1, 1, 0, 0, 0.0)")
