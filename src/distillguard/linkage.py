"""Cross-account linkage: which accounts share rare infrastructure, content or timing.

Indicators (payment fingerprints, IPs and their /24 or /48 networks, TLS fingerprints,
user agents, e-mail patterns, system prompts, repeated templates) are collected per
account. A value shared by ``k`` of ``N`` accounts weighs
``indicator_weight * log(N/k) / log(N)``: the rarer, the stronger (Fraudar's answer to
camouflage: what thousands of ordinary users share says nothing). A pair's weight sums
over kinds, each kind counted once by its strongest shared value. Accounts of one
declared organisation may share cards and networks, so those kinds do not link them.
Lockstep timing (SynchroTrap) links suspicious accounts active in the same time buckets
far beyond chance.
All of it is SQL over the workspace; the result is a list of weighted account pairs.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pyarrow as pa

from distillguard.config import LinkageConfig

#: How each indicator kind is read from the events table.
INDICATOR_SOURCES: dict[str, str] = {
    "payment_fingerprint": "payment_fingerprint",
    "ip": "ip",
    "ip_prefix": "ip_prefix",
    "tls_fingerprint": "tls_fingerprint",
    "user_agent": "user_agent",
    "email_pattern": "email_pattern",
    "system_prompt": "md5(system_prompt)",
    # The half hour the account was registered in, readable in evidence ("... 10:30:00").
    "signup_window": (
        "CAST(to_timestamp(floor(epoch(account_created_at) / 1800) * 1800) AS TIMESTAMP)"
    ),
}
#: Kinds whose values, when held almost only by suspicious accounts, weigh as if unique.
SEED_EXCLUSIVE_KINDS: tuple[str, ...] = ("system_prompt", "template", "user_agent")
#: Kinds a declared organisation legitimately shares among its accounts.
ORG_SHARED_KINDS: tuple[str, ...] = ("payment_fingerprint", "ip", "ip_prefix", "email_pattern")


@dataclass(frozen=True)
class Links:
    """Weighted account pairs, and hub values linking many accounts at once."""

    pairs: pa.Table  # a, b, weight, kinds (list<string>)
    hubs: pa.Table  # account_id, hub (kind:value), weight


def build_indicators(
    con: duckdb.DuckDBPyConnection, config: LinkageConfig, source: str = "events",
    indicators: pa.Table | None = None,
) -> None:
    """Create the temp table ``account_indicators(account_id, kind, value)``.

    With ``indicators`` (computed by another engine from :func:`indicators_sql`), that
    table is stored instead of querying ``source``.
    """
    if indicators is not None:
        con.register("precomputed_indicators", indicators)
        con.execute(
            "CREATE OR REPLACE TEMP TABLE account_indicators AS "
            "SELECT account_id, kind, value FROM precomputed_indicators"
        )
        con.unregister("precomputed_indicators")
        return
    sql = indicators_sql(config, source)
    con.execute(f"CREATE OR REPLACE TEMP TABLE account_indicators AS {sql}")


def indicators_sql(config: LinkageConfig, source: str = "events") -> str:
    """The query of ``account_indicators`` over ``source`` (DuckDB dialect; the Spark
    engine translates this same text)."""
    selects = [
        f"SELECT DISTINCT account_id, '{kind}' AS kind, CAST({expr} AS VARCHAR) AS value "
        f"FROM {source} WHERE {expr} IS NOT NULL"
        for kind, expr in INDICATOR_SOURCES.items()
        if kind in config.indicators
    ]
    if "template" in config.indicators:
        selects.append(
            f"SELECT account_id, 'template' AS kind, skeleton AS value FROM {source} "
            "WHERE skeleton IS NOT NULL AND length(skeleton) >= 20 GROUP BY account_id, skeleton "
            f"HAVING count(*) >= {int(config.template_min_events)}"
        )
    return " UNION ALL ".join(selects)


def weigh_indicators(
    con: duckdb.DuckDBPyConnection, config: LinkageConfig, n_accounts: int,
    seeds: list[str] | None = None,
) -> None:
    """Create ``indicator_weights(kind, value, k, weight)`` for values 2+ accounts share.

    A value held by at least three accounts, nearly all of them suspicious (share
    ``seed_exclusive_share``), weighs as if unique: in a small population rarity alone
    undersells it, and ordinary users sharing it would have diluted it.
    """
    n = max(n_accounts, 3)
    weights = pa.table({
        "kind": list(config.indicators),
        "base": [float(w) for w in config.indicators.values()],
    })
    # Only what the operator writes or builds (content, tooling); networks and payment
    # cards come from providers many operators share (proxy pools, card issuers).
    exclusive_kinds = ", ".join(f"'{k}'" for k in SEED_EXCLUSIVE_KINDS) or "NULL"
    con.register("indicator_base_weights", weights)
    con.register("indicator_seeds", pa.table({"account_id": pa.array(seeds or [], pa.string())}))
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE indicator_weights AS
        SELECT s.kind, s.value, s.k,
               w.base * CASE WHEN s.k >= 3 AND s.kind IN ({exclusive_kinds})
                                  AND s.seed_k >= {float(config.seed_exclusive_share)} * s.k
                             THEN 1.0 ELSE ln({n} / s.k) / ln({n}) END AS weight
        FROM (
            SELECT kind, value, count(*) AS k,
                   count(*) FILTER (WHERE account_id IN (SELECT account_id FROM indicator_seeds))
                       AS seed_k
            FROM account_indicators GROUP BY ALL
        ) s
        JOIN indicator_base_weights w USING (kind)
        WHERE s.k >= 2 AND s.k <= greatest(2, {float(config.max_indicator_share)} * {n})
        """
    )
    con.unregister("indicator_base_weights")
    con.unregister("indicator_seeds")


def link_accounts(
    con: duckdb.DuckDBPyConnection,
    config: LinkageConfig,
    n_accounts: int,
    seeds: list[str],
    source: str = "events",
    indicators: pa.Table | None = None,
) -> Links:
    """Weighted pairs of linked accounts (weight ≥ ``min_link_weight``), plus hubs.

    Parameters
    ----------
    con:
        Workspace connection with the ``events`` table.
    config:
        The ``linkage`` section.
    n_accounts:
        Accounts in the population (for rarity).
    seeds:
        Suspicious accounts; lockstep timing is computed among them only, since
        similar timing alone is common among busy legitimate accounts.
    source:
        The table or view of events to read (``events``, or a time-bounded view).
    indicators:
        ``account_indicators`` already computed by another engine (Spark), else None.
    """
    build_indicators(con, config, source, indicators)
    weigh_indicators(con, config, n_accounts, seeds)
    org_kinds = ", ".join(f"'{k}'" for k in ORG_SHARED_KINDS)
    pairs = con.execute(
        f"""
        WITH orgs AS (
            SELECT account_id, mode(org_id) AS org_id FROM {source} GROUP BY account_id
        ),
        shared AS (
            SELECT x.account_id AS a, y.account_id AS b, w.kind, w.weight
            FROM indicator_weights w
            JOIN account_indicators x ON x.kind = w.kind AND x.value = w.value
            JOIN account_indicators y ON y.kind = w.kind AND y.value = w.value
            WHERE x.account_id < y.account_id AND w.k <= {int(config.max_pair_accounts)}
        ),
        per_kind AS (
            -- Values of one kind are correlated evidence (five shared templates are not
            -- five times one): each kind counts once, by its rarest shared value.
            SELECT s.a, s.b, s.kind, max(s.weight) AS weight
            FROM shared s
            LEFT JOIN orgs oa ON oa.account_id = s.a
            LEFT JOIN orgs ob ON ob.account_id = s.b
            WHERE NOT (coalesce(oa.org_id = ob.org_id, false) AND s.kind IN ({org_kinds}))
            GROUP BY s.a, s.b, s.kind
        )
        SELECT a, b, sum(weight) AS weight, list(kind ORDER BY kind) AS kinds
        FROM per_kind GROUP BY a, b
        -- Lockstep adds at most lockstep_weight later: lighter pairs can never link.
        HAVING sum(weight) >= {float(config.min_link_weight) - float(config.lockstep_weight)}
        """
    ).to_arrow_table()
    hubs = con.execute(
        f"""
        SELECT x.account_id, w.kind || ':' || w.value AS hub, w.weight
        FROM indicator_weights w
        JOIN account_indicators x ON x.kind = w.kind AND x.value = w.value
        WHERE w.k > {int(config.max_pair_accounts)} AND w.weight >= {float(config.min_link_weight)}
        """
    ).to_arrow_table()
    lockstep = lockstep_pairs(con, config, seeds, source)
    return Links(pairs=_merge_pairs(con, pairs, lockstep, config), hubs=hubs)


def lockstep_pairs(
    con: duckdb.DuckDBPyConnection, config: LinkageConfig, seeds: list[str],
    source: str = "events",
) -> pa.Table:
    """Pairs of seed accounts active in the same time buckets far beyond chance.

    The similarity is chance-corrected overlap: ``(shared - expected) / (max - expected)``
    where ``expected = n_a * n_b / buckets`` is the overlap of two independent accounts
    and ``max = min(n_a, n_b)``. Two accounts that are simply always on share every
    bucket by chance and score 0; accounts switched on and off together score near 1.
    """
    if len(seeds) < 2:
        return pa.table({"a": pa.array([], pa.string()), "b": pa.array([], pa.string()),
                         "similarity": pa.array([], pa.float64())})
    con.register("lockstep_seeds", pa.table({"account_id": seeds}))
    bucket = int(config.lockstep_bucket_seconds)
    result = con.execute(
        f"""
        WITH buckets AS (
            SELECT DISTINCT account_id, CAST(floor(epoch(timestamp) / {bucket}) AS BIGINT) AS b
            FROM {source} WHERE account_id IN (SELECT account_id FROM lockstep_seeds)
        ),
        sizes AS (
            SELECT account_id, count(*) AS n FROM buckets GROUP BY account_id
            HAVING count(*) >= {int(config.lockstep_min_events)}
        ),
        kept AS (SELECT b.* FROM buckets b JOIN sizes USING (account_id)),
        overlap AS (
            SELECT x.account_id AS a, y.account_id AS b, count(*) AS shared
            FROM kept x JOIN kept y ON x.b = y.b AND x.account_id < y.account_id
            GROUP BY ALL
        ),
        span AS (
            SELECT greatest(1, CAST(floor(epoch(max(timestamp)) / {bucket}) AS BIGINT)
                   - CAST(floor(epoch(min(timestamp)) / {bucket}) AS BIGINT) + 1) AS total
            FROM {source}
        ),
        scored AS (
            SELECT o.a, o.b, o.shared, sa.n * sb.n / span.total AS expected,
                   least(sa.n, sb.n) AS most
            FROM overlap o JOIN sizes sa ON sa.account_id = o.a
            JOIN sizes sb ON sb.account_id = o.b CROSS JOIN span
        )
        SELECT a, b, (shared - expected) / (most - expected) AS similarity
        FROM scored
        -- Accounts active in nearly every bucket leave no room to measure co-activity.
        WHERE most - expected >= {int(config.lockstep_min_events)}
          AND (shared - expected) / (most - expected) >= {float(config.lockstep_min_similarity)}
        """
    ).to_arrow_table()
    con.unregister("lockstep_seeds")
    return result


def _merge_pairs(
    con: duckdb.DuckDBPyConnection, pairs: pa.Table, lockstep: pa.Table, config: LinkageConfig
) -> pa.Table:
    con.register("indicator_pairs", pairs)
    con.register("lockstep_links", lockstep)
    merged = con.execute(
        f"""
        SELECT a, b, sum(weight) AS weight, flatten(list(kinds)) AS kinds FROM (
            SELECT a, b, weight, kinds FROM indicator_pairs
            UNION ALL
            SELECT a, b, {float(config.lockstep_weight)} * similarity, ['lockstep']
            FROM lockstep_links
        ) GROUP BY a, b
        HAVING sum(weight) >= {float(config.min_link_weight)}
        ORDER BY a, b
        """
    ).to_arrow_table()
    con.unregister("indicator_pairs")
    con.unregister("lockstep_links")
    return merged
