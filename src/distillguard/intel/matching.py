"""Which accounts match indicators other providers shared (``account_intel``).

The workspace's own values are put in the form the indicators use, then joined with
``intel_indicators`` in SQL: keyed hashes are computed with the local sharing key and the
normalisation of :mod:`~distillguard.intel.hashing`, plain values are normalised the same
way, and a plain network range is compared with each address's network of that prefix
length. The Python-level work is per *distinct* value of each kind (the IPs, cards,
templates the accounts used), never per event.

An account's ``intel_strength`` is ``1 - prod(1 - weight(kind) * confidence)`` over its
matches (``intel.match_weights``; confidence 0..1), each family of correlated kinds
(:data:`~distillguard.intel.kinds.EVIDENCE_FAMILIES`: an address and its network, a
user agent and its TLS fingerprint) counted once by its strongest match: one strong
match (a shared card at confidence 0.9) says much, independent weak ones add up, and it
never exceeds 1. An indicator counts only for values the account used on or before the
indicator's ``valid_until``, and only when at most ``intel.max_local_share`` of the local
accounts use the value (what a crowd shares here is not specific here).
"""

from __future__ import annotations

import functools
import hashlib
import hmac

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from distillguard.config import IntelConfig, default_config
from distillguard.intel.hashing import (
    SCHEME,
    canonical_ip,
    intel_key_id,
    normalise,
    optional_intel_key,
)
from distillguard.intel.kinds import EVIDENCE_FAMILIES, WORKSPACE_VALUES, value_condition

INTEL_TABLE = "intel_indicators"
EVIDENCE_NAME_CHARS = 80
RESULT_SCHEMA = pa.schema([
    ("account_id", pa.string()),
    ("intel_strength", pa.float64()),
    ("intel_matches", pa.int64()),
    ("intel_evidence", pa.list_(pa.string())),
])


def has_intel(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the workspace holds imported indicators."""
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND NOT temporary",
        [INTEL_TABLE],
    ).fetchone()
    if not exists or not exists[0]:
        return False
    rows = con.execute(f"SELECT count(*) FROM {INTEL_TABLE}").fetchone()
    return bool(rows and rows[0])


def account_intel(
    con: duckdb.DuckDBPyConnection,
    source: str = "events",
    *,
    key: bytes | None = None,
    config: IntelConfig | None = None,
) -> pa.Table | None:
    """Accounts of ``source`` that match imported indicators, with strength and evidence.

    Parameters
    ----------
    con:
        The workspace connection (``events`` and, after an import, ``intel_indicators``).
    source:
        The table or view of events (``events`` or a time-bounded view).
    key:
        The sharing key; default ``DISTILLGUARD_INTEL_KEY``. Without one, only plain
        indicators (network ranges, user agents, TLS fingerprints) can match.
    config:
        The ``intel`` section (match weights, evidence lines); default the shipped one.

    Returns
    -------
    None when the workspace holds no imported indicators; else one row per matching
    account: ``account_id``, ``intel_strength`` (0..1), ``intel_matches`` (distinct
    indicator values matched), ``intel_evidence`` (list of sentences, strongest first:
    ``matches <kind> indicator from <source> (campaign <name>, confidence N)``).
    """
    if not has_intel(con):
        return None
    config = config or default_config().intel
    key = key if key is not None else optional_intel_key()
    wanted = con.execute(
        f"SELECT DISTINCT kind, value_hash IS NOT NULL AS hashed, "
        f"CASE WHEN kind = 'ip_prefix' AND value_hash IS NULL "
        f"THEN CAST(split_part(value, '/', 2) AS INTEGER) END AS prefix_length "
        f"FROM {INTEL_TABLE}"
    ).fetchall()
    wanted = [w for w in wanted if key is not None or not w[1]]
    if not wanted:
        return RESULT_SCHEMA.empty_table()
    read_as = sorted({_read_as(kind, hashed) for kind, hashed, _ in wanted})
    con.register("intel_tokens", _tokens(_distinct_values(con, source, read_as), wanted, key))
    local_key = intel_key_id(key) if key is not None else ""
    # Only the local values that some indicator names are looked up per account.
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE intel_hits AS
        SELECT DISTINCT t.* FROM intel_tokens t
        SEMI JOIN (
            SELECT kind, value_hash IS NOT NULL AS hashed, coalesce(value_hash, value) AS token
            FROM {INTEL_TABLE} WHERE value_hash IS NULL OR key_id IS NULL OR key_id = ?
        ) i USING (kind, hashed, token)
        """,
        [local_key],
    )
    con.unregister("intel_tokens")
    _account_values(con, source, read_as)
    weights = pa.table({
        "kind": list(EVIDENCE_FAMILIES),
        "family": list(EVIDENCE_FAMILIES.values()),
        "weight": [float(config.match_weights.get(k, 0.0)) for k in EVIDENCE_FAMILIES],
    })
    con.register("intel_weights", weights)
    try:
        result = con.execute(
            f"""
            WITH indicators AS (
                SELECT *, coalesce(value_hash, value) AS token, value_hash IS NOT NULL AS hashed
                FROM {INTEL_TABLE}
                WHERE value_hash IS NULL OR key_id IS NULL OR key_id = ?
            ),
            population AS (SELECT count(DISTINCT account_id) AS n FROM {source}),
            usage AS (
                -- How many local accounts use each matched value: a value a crowd
                -- shares here (a common template or client) is not specific here.
                SELECT t.kind, t.hashed, t.token, count(DISTINCT v.account_id) AS k
                FROM intel_account_values v
                JOIN intel_hits t ON t.read_as = v.read_as AND t.value = v.value
                GROUP BY ALL
            ),
            matched AS (
                SELECT v.account_id, i.kind, w.family, i.token, i.source, i.campaign_name,
                       i.confidence, w.weight * i.confidence / 100.0 AS s
                FROM intel_account_values v
                JOIN intel_hits t ON t.read_as = v.read_as AND t.value = v.value
                JOIN usage u ON u.kind = t.kind AND u.hashed = t.hashed AND u.token = t.token
                CROSS JOIN population p
                JOIN indicators i ON i.kind = t.kind AND i.hashed = t.hashed
                    AND i.token = t.token
                JOIN intel_weights w ON w.kind = i.kind
                WHERE (i.valid_until IS NULL OR v.first_seen <= i.valid_until)
                  AND u.k <= greatest(2, {float(config.max_local_share)} * p.n)
            ),
            per_value AS (
                SELECT account_id, kind, any_value(family) AS family, token, max(s) AS s,
                       arg_max('matches ' || kind || ' indicator from '
                               || left(source, {EVIDENCE_NAME_CHARS}) || ' (campaign '
                               || left(coalesce(campaign_name, 'unnamed'), {EVIDENCE_NAME_CHARS})
                               || ', confidence ' || confidence || ')', s) AS line
                FROM matched GROUP BY account_id, kind, token
            ),
            per_family AS (
                SELECT account_id, max(s) AS s FROM per_value GROUP BY account_id, family
            ),
            strength AS (
                SELECT account_id, 1 - exp(sum(ln(1 - least(s, 0.99)))) AS intel_strength
                FROM per_family GROUP BY account_id
            )
            SELECT account_id, any_value(st.intel_strength) AS intel_strength,
                   count(*) AS intel_matches,
                   list(line ORDER BY s DESC, line)[1:{int(config.max_evidence)}]
                       AS intel_evidence
            FROM per_value JOIN strength st USING (account_id)
            GROUP BY account_id ORDER BY account_id
            """,
            [local_key],
        ).to_arrow_table()
    finally:
        con.unregister("intel_weights")
        con.execute("DROP TABLE IF EXISTS intel_account_values")
        con.execute("DROP TABLE IF EXISTS intel_hits")
    return result.cast(RESULT_SCHEMA)


#: Plain network ranges may have any prefix length, so they are compared with each
#: address's network of that length: they read the ``ip`` column, not ``ip_prefix``.
_PLAIN_RANGES = "ip_prefix/ip"


def _read_as(kind: str, hashed: bool) -> str:
    return _PLAIN_RANGES if kind == "ip_prefix" and not hashed else kind


def _value_selects(source: str, read_as: list[str], columns: str, tail: str = "") -> str:
    selects = []
    for name in read_as:
        expr = "ip" if name == _PLAIN_RANGES else WORKSPACE_VALUES[name]
        where = "ip IS NOT NULL" if name == _PLAIN_RANGES else value_condition(name)
        value = f"CAST({expr} AS VARCHAR)"
        selects.append(
            f"SELECT {columns.format(name=name, value=value)} FROM {source} "
            f"WHERE {where}{tail.format(name=name, value=value)}"
        )
    return " UNION ALL ".join(selects)


def _distinct_values(
    con: duckdb.DuckDBPyConnection, source: str, read_as: list[str]
) -> dict[str, list[str]]:
    """The distinct local values of each form the indicators need."""
    rows = con.execute(
        "SELECT read_as, list(value) FROM ("
        + _value_selects(source, read_as, "DISTINCT '{name}' AS read_as, {value} AS value")
        + ") GROUP BY read_as"
    ).fetchall()
    return {name: values for name, values in rows}


def _account_values(con: duckdb.DuckDBPyConnection, source: str, read_as: list[str]) -> None:
    """Temp table ``intel_account_values(account_id, read_as, value, first_seen)`` for the
    values in ``intel_hits`` only."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE intel_account_values AS "
        + _value_selects(
            source, read_as,
            "account_id, '{name}' AS read_as, {value} AS value, min(timestamp) AS first_seen",
            " AND {value} IN (SELECT value FROM intel_hits WHERE read_as = '{name}') "
            "GROUP BY ALL",
        )
    )


def _tokens(
    local: dict[str, list[str]],
    wanted: list[tuple[str, bool, int | None]],
    key: bytes | None,
) -> pa.Table:
    """``(read_as, kind, value, hashed, token)`` per distinct local value and form asked."""
    parts = []
    for kind, is_hashed, prefix_length in wanted:
        name = _read_as(kind, is_hashed)
        values = local.get(name, [])
        if is_hashed:
            assert key is not None
            tokens: list[str | None] = [_hash(key, kind, v) for v in values]  # distinct
        elif name == _PLAIN_RANGES:
            tokens = [_network(v, prefix_length) for v in values]
        else:
            tokens = [_normalised(kind, v) for v in values]
        parts.append(pa.table({
            "read_as": pa.array([name] * len(values), pa.string()),
            "kind": pa.array([kind] * len(values), pa.string()),
            "value": pa.array(values, pa.string()),
            "hashed": pa.array([is_hashed] * len(values), pa.bool_()),
            "token": pa.array(tokens, pa.string()),
        }))
    table = pa.concat_tables(parts)
    return table.filter(pc.is_valid(table.column("token")))


@functools.lru_cache(maxsize=64)
def _hash_base(key: bytes, kind: str) -> hmac.HMAC:
    return hmac.new(key, f"{SCHEME}\x00{kind}\x00".encode(), hashlib.sha256)


@functools.lru_cache(maxsize=1 << 18)
def _hash(key: bytes, kind: str, value: str) -> str:
    """``indicator_hash(key, kind, value)`` with the key schedule done once per kind, and
    remembered: ``eval --timeline`` matches the same values at every cut-off."""
    digest = _hash_base(key, kind).copy()
    digest.update(normalise(kind, value).encode())
    return digest.hexdigest()


@functools.lru_cache(maxsize=65536)
def _normalised(kind: str, value: str) -> str:
    return normalise(kind, value)


def _network(value: str, prefix_length: int | None) -> str | None:
    """The network of an address at ``prefix_length`` (default /24 for IPv4, /48 for IPv6)."""
    if prefix_length is None:
        prefix_length = 48 if ":" in value else 24
    return canonical_ip(value, prefix_length=prefix_length)
