"""Co-timed activity across any accounts, corrected for chance and for popular times.

Accounts that one operator drives from one scheduler send their requests in the same
seconds, again and again (SynchroTrap, CCS 2014; CopyCatch, WWW 2013). Busy legitimate
accounts do too, by chance, and many unrelated cron jobs fire at ``:00:00``. So a second
counts as a **co-timed burst** only when far more accounts are active in it than the
traffic predicts for that second: the hour's level times the popularity of that
second-of-hour across the whole window (what every ``:00:00``, every ``:30:00``, ... has
in common is learnt from the data and discounted). An account whose activity falls
mostly into bursts, shared again and again with the same other accounts, is co-timed
with them.

It needs no seed accounts and no pre-linked pairs: every account is considered, and the
work is one pass over (account, second) pairs plus a sparse product over the few
accounts that burst together.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from scipy.stats import poisson


@dataclass(frozen=True)
class CoTimingSettings:
    """How co-timing is measured (``linkage.cotiming`` in the configuration)."""

    bucket_seconds: float = 1.0
    # A bucket is a burst when its active accounts reach this and the Poisson tail of
    # that count under the expected count is below ``max_chance``.
    min_bucket_accounts: int = 3
    max_chance: float = 1e-6
    # An account is co-timed when this many of its active buckets are bursts and they
    # are at least ``min_burst_share`` of its active buckets.
    min_bursts: int = 5
    min_burst_share: float = 0.5
    # Two co-timed accounts are linked when they share this many bursts and that is at
    # least ``min_overlap`` of the smaller one's bursts.
    min_shared_bursts: int = 3
    min_overlap: float = 0.3
    # Pseudo-count smoothing the second-of-hour popularity (in expected accounts).
    phase_prior: float = 1.0


@dataclass(frozen=True)
class CoTiming:
    """Per-account burst participation, and the co-timed pairs and groups."""

    accounts: pa.Table  # account_id, active_buckets, burst_buckets, burst_share
    pairs: pa.Table  # a, b (account ids, a < b), shared, similarity
    groups: pa.Table  # account_id, group (int; one per connected set of co-timed pairs)


def _empty() -> CoTiming:
    return CoTiming(
        accounts=pa.table({"account_id": pa.array([], pa.string()),
                           "active_buckets": pa.array([], pa.int64()),
                           "burst_buckets": pa.array([], pa.int64()),
                           "burst_share": pa.array([], pa.float64())}),
        pairs=pa.table({"a": pa.array([], pa.string()), "b": pa.array([], pa.string()),
                        "shared": pa.array([], pa.int64()),
                        "similarity": pa.array([], pa.float64())}),
        groups=pa.table({"account_id": pa.array([], pa.string()),
                         "group": pa.array([], pa.int64())}),
    )


def expected_bucket_counts(bucket: np.ndarray, count: np.ndarray,
                           buckets_per_hour: int, prior: float) -> np.ndarray:
    """Expected active accounts of each observed bucket: hour level × phase popularity.

    ``bucket`` are bucket numbers (``floor(time / width)``) with ``count`` active accounts
    each; empty buckets are implied. The level of an hour is its mean count per bucket;
    the popularity of a phase (second-of-hour) is its total count over the hours divided
    by the total level of those hours, smoothed by ``prior`` towards 1. A cron phase
    that is busy every hour is expected to be busy; a burst in a quiet phase is not.
    """
    hour = bucket // buckets_per_hour
    phase = bucket % buckets_per_hour
    _hours, hour_index = np.unique(hour, return_inverse=True)
    level = np.bincount(hour_index, weights=count) / buckets_per_hour
    # Every phase occurs once per hour of the span; hours with no traffic add no level.
    total_level = float(level.sum())
    phase_total = np.bincount(phase, weights=count, minlength=buckets_per_hour)
    popularity = (phase_total + prior) / (total_level + prior)
    return np.asarray(level[hour_index] * popularity[phase], dtype=np.float64)


def cotiming(
    con: duckdb.DuckDBPyConnection, settings: CoTimingSettings, source: str = "events"
) -> CoTiming:
    """Bursts, co-timed accounts, their pairs and groups, from ``source`` events."""
    width_us = max(1, round(settings.bucket_seconds * 1_000_000))
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE cotiming_activity AS
        SELECT DISTINCT account_id, epoch_us(timestamp) // {width_us} AS b FROM {source}
        """
    )
    counts = con.execute(
        "SELECT b, count(*) AS n FROM cotiming_activity GROUP BY b"
    ).fetchnumpy()
    bucket = np.asarray(counts["b"], dtype=np.int64)
    n = np.asarray(counts["n"], dtype=np.float64)
    if len(bucket) == 0:
        con.execute("DROP TABLE cotiming_activity")
        return _empty()
    per_hour = max(1, round(3600 / settings.bucket_seconds))
    expected = expected_bucket_counts(bucket, n, per_hour, settings.phase_prior)
    busy = n >= settings.min_bucket_accounts
    # P(X >= n) for X ~ Poisson(expected): sf(n - 1).
    chance = np.ones(len(n))
    chance[busy] = poisson.sf(n[busy] - 1, np.maximum(expected[busy], 1e-9))
    bursts = bucket[busy & (chance <= settings.max_chance)]
    con.register("cotiming_bursts", pa.table({"b": pa.array(bursts, pa.int64())}))
    accounts = con.execute(
        """
        SELECT account_id, count(*) AS active_buckets,
               count(*) FILTER (WHERE b IN (SELECT b FROM cotiming_bursts)) AS burst_buckets
        FROM cotiming_activity GROUP BY account_id ORDER BY account_id
        """
    ).to_arrow_table()
    active = np.asarray(accounts.column("active_buckets"), dtype=np.float64)
    in_bursts = np.asarray(accounts.column("burst_buckets"), dtype=np.float64)
    share = np.divide(in_bursts, active, out=np.zeros(len(active)), where=active > 0)
    accounts = accounts.append_column("burst_share", pa.array(share))
    timed = (in_bursts >= settings.min_bursts) & (share >= settings.min_burst_share)
    con.register("cotiming_accounts", pa.table({
        "account_id": accounts.column("account_id").filter(pa.array(timed)),
    }))
    rows = con.execute(
        """
        SELECT CAST(dense_rank() OVER (ORDER BY a.account_id) - 1 AS BIGINT) AS row,
               CAST(dense_rank() OVER (ORDER BY a.b) - 1 AS BIGINT) AS col, a.account_id
        FROM cotiming_activity a
        WHERE a.account_id IN (SELECT account_id FROM cotiming_accounts)
          AND a.b IN (SELECT b FROM cotiming_bursts)
        """
    ).to_arrow_table()
    for name in ("cotiming_bursts", "cotiming_accounts"):
        con.unregister(name)
    con.execute("DROP TABLE cotiming_activity")
    result = _empty()
    if rows.num_rows == 0:
        return CoTiming(accounts, result.pairs, result.groups)
    row = np.asarray(rows.column("row"), dtype=np.int64)
    col = np.asarray(rows.column("col"), dtype=np.int64)
    n_rows = int(row.max()) + 1
    first = np.unique(row, return_index=True)[1]
    ids = rows.column("account_id").take(pa.array(first)).combine_chunks()
    member = sparse.csr_matrix((np.ones(len(row), dtype=np.float32), (row, col)),
                               shape=(n_rows, int(col.max()) + 1))
    own = np.asarray(member.sum(axis=1)).ravel()
    shared = sparse.triu(member @ member.T, k=1).tocoo()
    smaller = np.minimum(own[shared.row], own[shared.col])
    similarity = shared.data / np.maximum(smaller, 1.0)
    keep = (shared.data >= settings.min_shared_bursts) & (similarity >= settings.min_overlap)
    a, b = shared.row[keep], shared.col[keep]
    pairs = pa.table({
        "a": ids.take(pa.array(a)), "b": ids.take(pa.array(b)),
        "shared": pa.array(shared.data[keep].astype(np.int64)),
        "similarity": pa.array(similarity[keep].astype(np.float64)),
    })
    graph = sparse.coo_matrix((np.ones(len(a)), (a, b)), shape=(n_rows, n_rows))
    _, labels = connected_components(graph, directed=False)
    linked = np.zeros(n_rows, dtype=bool)
    linked[a] = linked[b] = True
    groups = pa.table({"account_id": ids.filter(pa.array(linked)),
                       "group": pa.array(labels[linked].astype(np.int64))})
    return CoTiming(accounts, pairs, groups)
