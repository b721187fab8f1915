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
The result is a list of weighted account pairs.

How it scales (docs/scaling.md): indicators are read from the distinct value
combinations of each account, not from every event; the pair join runs on integer
keys (account position, value number), after dropping accounts whose heaviest
shareable values cannot reach ``min_link_weight`` with anyone, and in slices of at most
:data:`PAIR_CHUNK_ROWS` candidate rows; lockstep is a matrix product of suspicious
accounts × time buckets in blocks. Every shortcut gives exactly the pairs of the plain
pair-by-pair rule (``tests/test_linkage_scale.py`` compares them on random populations).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from distillguard.config import LinkageConfig
from distillguard.detect.boilerplate import drop_boilerplate, load_boilerplate
from distillguard.detect.cohorts import (
    CONCEALMENT_DIMENSIONS,
    CohortSettings,
    cohort_anomalies,
    places_sql,
)
from distillguard.detect.cotiming import CoTimingSettings, cotiming
from distillguard.detect.indicators import (
    ADDRESS_KINDS,
    COHORT_KINDS,
    FLAT_KINDS,
    INDICATOR_KINDS,
    KIND,
    ORG_SHARED_KINDS,
    SEED_EXCLUSIVE_KINDS,
)

#: How each kind linkage reads from the distinct values of a group of columns is read
#: from the events table (the catalogue: :mod:`distillguard.detect.indicators`).
INDICATOR_SOURCES: dict[str, str] = {k.name: k.sql for k in INDICATOR_KINDS if k.read_group}
#: The event column each of those kinds is read from.
INDICATOR_COLUMNS: dict[str, str] = {k.name: k.column for k in INDICATOR_KINDS if k.read_group}
#: Kinds read in one pass: an account's network addresses vary, the rest mostly do not,
#: so each group's distinct combinations per account stay few.
INDICATOR_COLUMN_GROUPS: dict[str, tuple[str, ...]] = {
    group: tuple(k.name for k in INDICATOR_KINDS if k.read_group == group)
    for group in ("network_values", "account_values")
}
#: Candidate (pair, value) rows the pair join produces at once; more are done in slices.
PAIR_CHUNK_ROWS = 16_000_000
#: Cells (float32) of one block of the lockstep overlap product.
LOCKSTEP_BLOCK_CELLS = 8_000_000


#: Hubs of co-timed accounts are named ``cotiming:<group number>``.
COTIMING_HUB = "cotiming"
#: Columns of :attr:`Links.hubs`.
HUB_SCHEMA = pa.schema([("account_id", pa.string()), ("hub", pa.string()),
                        ("weight", pa.float64()), ("core", pa.bool_())])


@dataclass(frozen=True)
class Links:
    """Weighted account pairs, and hubs linking many accounts at once.

    A hub is a shared value (``kind:value``) or a co-timed group (``cotiming:<n>``).
    ``core`` hubs make a group by themselves, suspicious members or not: a value whose
    cohort conceals (:mod:`~distillguard.detect.cohorts`), a co-timed group
    (:mod:`~distillguard.detect.cotiming`). Other hubs (very common strong values)
    only attach accounts to groups of suspicious ones.
    """

    pairs: pa.Table  # a, b, weight, kinds (list<string>)
    hubs: pa.Table  # account_id, hub, weight, core (bool)
    cohorts: pa.Table | None = None  # the cohort of every shared value (cohorts.py)
    #: account_id, network: where each account that stays on a few networks is (a home,
    #: an office, a venue), for a group's co-location; accounts spread wider are absent.
    places: pa.Table | None = None
    #: account_id, client (``kind:value``): each account's user agents and TLS
    #: fingerprints, boilerplate included, for the kit of harvest organisations.
    clients: pa.Table | None = None


def build_indicators(
    con: duckdb.DuckDBPyConnection, config: LinkageConfig, source: str = "events",
    indicators: pa.Table | None = None,
) -> None:
    """Create the temp tables ``account_indicators(account_id, kind, value)`` and
    ``account_clients`` (its user agents and TLS fingerprints before boilerplate is left
    out).

    With ``indicators`` (computed by another engine from :func:`indicators_sql`), that
    table is stored instead of querying ``source``. Boilerplate values (common
    software's user agents and system prompts, :mod:`~distillguard.detect.boilerplate`)
    are left out.
    """
    if indicators is not None:
        con.register("precomputed_indicators", indicators)
        con.execute(
            "CREATE OR REPLACE TEMP TABLE account_indicators AS "
            "SELECT account_id, kind, value FROM precomputed_indicators"
        )
        con.unregister("precomputed_indicators")
    else:
        sql = indicators_sql(config, source)
        con.execute(f"CREATE OR REPLACE TEMP TABLE account_indicators AS {sql}")
    # The spoofing check reads every client, boilerplate included (a library sent over
    # one stack alone shows that stack is a real client's).
    con.execute(
        "CREATE OR REPLACE TEMP TABLE account_clients AS SELECT account_id, kind, value "
        "FROM account_indicators WHERE kind IN ('user_agent', 'tls_fingerprint')"
    )
    drop_boilerplate(con, load_boilerplate(config.boilerplate_file))


def indicators_sql(config: LinkageConfig, source: str = "events") -> str:
    """The query of ``account_indicators`` over ``source`` (DuckDB dialect; the Spark
    engine translates this same text).

    The events are read once per group of columns (:data:`INDICATOR_COLUMN_GROUPS`):
    the distinct combinations of an account's values are few (one e-mail, a few cards,
    its addresses), and every kind is then read from those rows, not from every event.
    """
    kinds = [kind for kind in INDICATOR_SOURCES if kind in config.indicators]
    ctes, selects = [], []
    for group, group_kinds in INDICATOR_COLUMN_GROUPS.items():
        wanted = [kind for kind in group_kinds if kind in kinds]
        if not wanted:
            continue
        columns = ", ".join(dict.fromkeys(INDICATOR_COLUMNS[kind] for kind in wanted))
        ctes.append(f"{group} AS (SELECT DISTINCT account_id, {columns} FROM {source})")
        selects += [
            f"SELECT DISTINCT account_id, '{kind}' AS kind, "
            f"CAST({INDICATOR_SOURCES[kind]} AS VARCHAR) AS value "
            f"FROM {group} WHERE {INDICATOR_SOURCES[kind]} IS NOT NULL"
            for kind in wanted
        ]
    if "template" in config.indicators:
        # length() (characters) only on the grouped skeletons, not on every event.
        selects.append(
            f"SELECT account_id, 'template' AS kind, skeleton AS value FROM {source} "
            "WHERE skeleton IS NOT NULL GROUP BY account_id, skeleton "
            f"HAVING count(*) >= {int(config.template_min_events)} "
            f"AND {KIND['template'].condition}"
        )
    with_clause = f"WITH {', '.join(ctes)} " if ctes else ""
    return with_clause + " UNION ALL ".join(selects)


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
    flat_kinds = ", ".join(f"'{k}'" for k in FLAT_KINDS) or "NULL"
    con.register("indicator_base_weights", weights)
    con.register("indicator_seeds", pa.table({"account_id": pa.array(seeds or [], pa.string())}))
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE indicator_weights AS
        SELECT s.kind, s.value, s.k,
               w.base * CASE WHEN s.kind IN ({flat_kinds}) THEN 1.0
                             WHEN s.k >= 3 AND s.kind IN ({exclusive_kinds})
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
    accounts: pa.Table | None = None,
    cohort_accounts: pa.Table | None = None,
    public_email_domains: Sequence[str] = (),
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
    accounts:
        One row per account with ``account_id`` and ``org_id`` (the profile), so the
        declared organisations need no second pass over the events; None reads them
        from ``source``. An ``org_key`` column (the organisation an account openly
        belongs to: its org id, else its corporate e-mail domain) is used when present.
    cohort_accounts:
        The accounts' cohort dimensions (:data:`~distillguard.detect.cohorts.COHORT_COLUMNS`);
        with them, the values whose cohorts conceal become core hubs.
    public_email_domains:
        Public mail providers: an e-mail shape there (``a0@gmail.com``) is held by
        strangers, several operators' among them, and makes no core hub.
    """
    build_indicators(con, config, source, indicators)
    weigh_indicators(con, config, n_accounts, seeds)
    account_ids = _index_accounts(con, config, source, accounts)
    lockstep = _lockstep_links(con, config, seeds, source)
    con.register("lockstep_found", pa.table({
        "a": pa.array(account_ids.index_of(lockstep.column("a")), pa.int32()),
        "b": pa.array(account_ids.index_of(lockstep.column("b")), pa.int32()),
        "similarity": lockstep.column("similarity"),
    }))
    con.execute(
        "CREATE OR REPLACE TEMP TABLE lockstep_links AS "
        "SELECT * FROM lockstep_found WHERE a >= 0 AND b >= 0"
    )
    con.unregister("lockstep_found")
    chunks = _prepare_pair_holders(con, config, len(account_ids.ids))
    pairs = _aggregate_pairs(con, config, chunks, len(account_ids.ids))
    hubs = con.execute(
        f"""
        SELECT x.account_id, w.kind || ':' || w.value AS hub, w.weight, false AS core
        FROM indicator_weights w
        JOIN account_indicators x ON x.kind = w.kind AND x.value = w.value
        WHERE w.k > {int(config.max_pair_accounts)} AND w.weight >= {float(config.min_link_weight)}
        """
    ).to_arrow_table()
    cohorts = None
    if cohort_accounts is not None:
        cohorts = cohort_anomalies(con, cohort_accounts, _cohort_settings(config),
                                   kinds=[k for k in config.indicators if k in COHORT_KINDS],
                                   clients="account_clients")
        hubs = _hubs(hubs, _cohort_hubs(con, cohorts, config, public_email_domains))
    timed = cotiming(con, cotiming_settings(config), source)
    hubs = _hubs(hubs, pa.table({
        "account_id": timed.groups.column("account_id"),
        "hub": pc.binary_join_element_wise(
            pa.array([COTIMING_HUB] * timed.groups.num_rows, pa.string()),
            pc.cast(timed.groups.column("group"), pa.string()), ":"),
        "weight": pa.array([float(config.lockstep_weight)] * timed.groups.num_rows),
        "core": pa.array([True] * timed.groups.num_rows),
    }))
    places = con.execute(places_sql()).to_arrow_table()
    clients = con.execute(
        "SELECT account_id, kind || ':' || value AS client FROM account_clients"
    ).to_arrow_table()
    return Links(pairs=_named_pairs(pairs, account_ids.ids, config), hubs=hubs,
                 cohorts=cohorts, places=places, clients=clients)


def cotiming_settings(config: LinkageConfig) -> CoTimingSettings:
    """``linkage.cotiming`` as typed settings."""
    c = config.cotiming
    return CoTimingSettings(
        bucket_seconds=float(c["bucket_seconds"]),
        min_bucket_accounts=int(c["min_bucket_accounts"]),
        max_chance=float(c["max_chance"]), min_bursts=int(c["min_bursts"]),
        min_burst_share=float(c["min_burst_share"]),
        min_shared_bursts=int(c["min_shared_bursts"]),
        min_overlap=float(c["min_overlap"]), phase_prior=float(c["phase_prior"]),
    )


def _hubs(*parts: pa.Table) -> pa.Table:
    return pa.concat_tables([part.select(HUB_SCHEMA.names).cast(HUB_SCHEMA) for part in parts])


def _cohort_settings(config: LinkageConfig) -> CohortSettings:
    settings = dict(config.cohorts)
    weights = {d: float(settings.pop(f"{d}_weight")) for d in CONCEALMENT_DIMENSIONS}
    settings.pop("min_anomaly")
    settings.pop("min_purity")
    return CohortSettings(
        min_accounts=int(settings.pop("min_accounts")), min_z=float(settings.pop("min_z")),
        weights=weights, window_seconds=int(settings.pop("window_seconds")),
        burst_others=int(settings.pop("burst_others")),
        spoof_max_share=float(settings.pop("spoof_max_share")),
        spoof_min_holders=int(settings.pop("spoof_min_holders")),
        spoof_min_pairing=int(settings.pop("spoof_min_pairing")),
        spoof_pairing_share=float(settings.pop("spoof_pairing_share")),
        rack_min_accounts=int(settings.pop("rack_min_accounts")),
    )


def _cohort_hubs(
    con: duckdb.DuckDBPyConnection, cohorts: pa.Table, config: LinkageConfig,
    public_email_domains: Sequence[str] = (),
) -> pa.Table:
    """The holders of a value whose cohort is anomalous (``cohorts.min_anomaly``) and
    pure (``cohorts.min_purity`` of its holders show a dimension themselves), as members
    of a core hub weighing the cohort's concealment. Only the holders that show what makes
    the cohort anomalous join (a dimension whose weighted excess is at least half the
    strongest one's): a common client that a farm also uses does not pull in its users,
    and a hydra that rotates its addresses through its customers' SDK user agents does not
    pull in the new customers who signed up the same day on one of them."""
    settings = config.cohorts
    # An e-mail shape names an operator only at its own domain: at a public provider
    # (``a0@gmail.com``) several operators' accounts and new customers share it.
    domain = pc.replace_substring_regex(cohorts.column("value"), pattern="^[^@]*@",
                                        replacement="")
    webmail = pc.and_(pc.equal(cohorts.column("kind"), "email_pattern"),
                      pc.is_in(domain, value_set=pa.array(list(public_email_domains),
                                                          pa.string())))
    concealed = cohorts.filter(pc.and_(pc.and_(
        pc.greater_equal(cohorts.column("anomaly"), float(settings["min_anomaly"])),
        pc.greater_equal(cohorts.column("purity"), float(settings["min_purity"]))),
        pc.invert(webmail)))
    weighted = {d: np.asarray(concealed.column(f"{d}_excess"), dtype=np.float64)
                * float(settings[f"{d}_weight"]) for d in CONCEALMENT_DIMENSIONS}
    strongest = np.maximum.reduce(list(weighted.values())) if len(concealed) else np.zeros(0)
    defining = {f"by_{d}": pa.array((w > 0) & (w >= 0.5 * strongest))
                for d, w in weighted.items()}
    con.register("concealed_values", pa.table({
        **{c: concealed.column(c) for c in ("kind", "value", "concealment")}, **defining}))
    hubs = con.execute(
        """
        SELECT m.account_id, c.kind || ':' || c.value AS hub, c.concealment AS weight,
               true AS core
        FROM concealed_values c
        JOIN cohort_members m ON m.kind = c.kind AND m.value = c.value
        WHERE (c.by_burst AND m.burst_member) OR (c.by_fresh AND coalesce(m.fresh, false))
           OR (c.by_churn AND m.churn >= 0.5) OR (c.by_spoof AND m.spoofed)
           OR (c.by_rack AND m.racked) OR (c.by_border AND m.border_member)
        """
    ).to_arrow_table()
    con.unregister("concealed_values")
    return hubs


@dataclass(frozen=True)
class _AccountIndex:
    """Accounts in ``account_id`` order; a pair ``a < b`` by position is ``a < b`` by id."""

    ids: pa.Array

    def index_of(self, values: pa.ChunkedArray | pa.Array) -> np.ndarray:
        """Position of each value; -1 for an account that is not indexed."""
        positions = pc.fill_null(pc.index_in(values, value_set=self.ids), -1)
        return np.asarray(positions.to_numpy(zero_copy_only=False), dtype=np.int32)


def _index_accounts(
    con: duckdb.DuckDBPyConnection, config: LinkageConfig, source: str,
    accounts: pa.Table | None,
) -> _AccountIndex:
    """Create ``linkage_accounts(idx, account_id, org, rotates)``: integer keys for the
    pair join.

    ``org`` numbers the declared organisation (NULL when none); ``rotates`` is whether the
    account sends most requests from a new address (``rotator_ip_churn`` over at least
    ``rotator_min_ips`` addresses).
    """
    churn, min_ips = float(config.rotator_ip_churn), int(config.rotator_min_ips)
    if accounts is None or not {"ip_churn", "distinct_ips"} <= set(accounts.column_names):
        rows = f"""
            SELECT account_id, mode(org_id) AS org_id,
                   count(DISTINCT ip) >= {min_ips}
                   AND count(DISTINCT ip) >= {churn} * count(*) AS rotates
            FROM {source} GROUP BY account_id"""
        if accounts is not None:  # the profile's organisation, the events' addresses
            rows = f"""
                SELECT p.account_id, p.org_id, coalesce(e.rotates, false) AS rotates
                FROM linkage_profile p LEFT JOIN ({rows}) e USING (account_id)"""
    else:
        rows = f"""
            SELECT account_id, org_id,
                   coalesce(distinct_ips >= {min_ips} AND ip_churn >= {churn}, false) AS rotates
            FROM linkage_profile"""
    if accounts is not None:
        columns = {"account_id": accounts.column("account_id")}
        org = "org_key" if "org_key" in accounts.column_names else "org_id"
        if org in accounts.column_names:
            columns["org_id"] = accounts.column(org)
        else:
            columns["org_id"] = pa.nulls(accounts.num_rows, pa.string())
        for name in ("ip_churn", "distinct_ips"):
            if name in accounts.column_names:
                columns[name] = accounts.column(name)
        con.register("linkage_profile", pa.table(columns))
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE linkage_accounts AS
        SELECT CAST(row_number() OVER (ORDER BY account_id) - 1 AS INTEGER) AS idx, account_id,
               CASE WHEN org_id IS NOT NULL
                    THEN CAST(dense_rank() OVER (ORDER BY org_id) AS INTEGER) END AS org,
               rotates
        FROM ({rows})
        """
    )
    if accounts is not None:
        con.unregister("linkage_profile")
    ids = con.execute(
        "SELECT account_id FROM linkage_accounts ORDER BY idx"
    ).to_arrow_table().column(0).combine_chunks()
    return _AccountIndex(ids)


def _prepare_pair_holders(
    con: duckdb.DuckDBPyConnection, config: LinkageConfig, n_accounts: int
) -> int:
    """Create ``pair_holders(value_id, kind_id, idx, org, rotates, weight)``; the number
    of chunks.

    One row per account holding a value that can link pairs (shared by 2 to
    ``max_pair_accounts`` accounts). ``org`` is set only for the kinds a declared
    organisation shares, so ``coalesce(x.org <> y.org, true)`` is the org rule;
    ``rotates`` only for addresses and networks, so ``coalesce(x.rotates = y.rotates,
    true)`` is the proxy rule: an account rotating through residential proxies passes
    through other people's addresses, and sharing one with it says nothing.

    Accounts that cannot reach ``min_link_weight`` with anyone are dropped first: an
    account's *reach*, the sum over kinds of its heaviest shareable value, bounds every
    pair weight it is part of (lockstep pairs may need less). Dropping an account can
    leave a value with one holder, which lowers other accounts' reach, so this repeats
    until nothing changes. The pairs that remain are the same, with fewer candidates.
    """
    kinds = sorted(config.indicators)
    kind_list = "[" + ", ".join(f"'{k}'" for k in kinds) + "]"
    org_kinds = ", ".join(f"'{k}'" for k in ORG_SHARED_KINDS)
    address_kinds = ", ".join(f"'{k}'" for k in ADDRESS_KINDS)
    holders = con.execute(
        f"""
        SELECT CAST(dense_rank() OVER (ORDER BY w.kind, w.value) AS INTEGER) AS value_id,
               CAST(list_position({kind_list}, w.kind) - 1 AS TINYINT) AS kind_id,
               a.idx, CASE WHEN w.kind IN ({org_kinds}) THEN a.org END AS org,
               CASE WHEN w.kind IN ({address_kinds}) THEN a.rotates END AS rotates, w.weight
        FROM indicator_weights w
        JOIN account_indicators x ON x.kind = w.kind AND x.value = w.value
        JOIN linkage_accounts a ON a.account_id = x.account_id
        WHERE w.k <= {int(config.max_pair_accounts)}
        """
    ).to_arrow_table()
    value_id = np.asarray(holders.column("value_id"), dtype=np.int64)
    kind_id = np.asarray(holders.column("kind_id"), dtype=np.int64)
    idx = np.asarray(holders.column("idx"), dtype=np.int64)
    weight = np.asarray(holders.column("weight"), dtype=np.float64)
    # The weight each account needs from shared values: less with a lockstep partner.
    need = np.full(n_accounts, float(config.min_link_weight))
    lockstep = con.execute("SELECT a, b, similarity FROM lockstep_links").fetchnumpy()
    credit = float(config.lockstep_weight) * np.asarray(lockstep["similarity"], dtype=float)
    for side in ("a", "b"):
        np.minimum.at(need, np.asarray(lockstep[side], dtype=np.int64),
                      float(config.min_link_weight) - credit)
    keep = np.ones(len(idx), dtype=bool)
    while True:
        holders_per_value = np.bincount(value_id[keep], minlength=int(value_id.max(initial=0)) + 1)
        shared = keep & (holders_per_value[value_id] >= 2)
        heaviest = np.zeros((n_accounts, max(len(kinds), 1)))
        np.maximum.at(heaviest, (idx[shared], kind_id[shared]), weight[shared])
        # A margin, so float rounding in a different order never drops a pair at the edge.
        reachable = heaviest.sum(axis=1) >= need - 1e-9
        still = shared & reachable[idx]
        if (still == keep).all():
            break
        keep = still
    kept = holders.filter(pa.array(keep))
    con.register("kept_holders", kept)
    con.execute("CREATE OR REPLACE TEMP TABLE pair_holders AS SELECT * FROM kept_holders")
    con.unregister("kept_holders")
    per_value = np.bincount(value_id[keep]).astype(np.float64)
    candidates = float((per_value * (per_value - 1) / 2).sum())
    return max(1, math.ceil(candidates / PAIR_CHUNK_ROWS))


@dataclass(frozen=True)
class _LinkedPairs:
    """Linked pairs by account position, ordered by ``(a, b)``."""

    a: np.ndarray  # int64
    b: np.ndarray
    weight: np.ndarray  # float64
    kinds: np.ndarray  # int64 bit set over the sorted kind names
    lockstep: np.ndarray  # bool


def _aggregate_pairs(
    con: duckdb.DuckDBPyConnection, config: LinkageConfig, chunks: int, n_accounts: int
) -> _LinkedPairs:
    """The linked pairs from ``pair_holders`` and ``lockstep_links``.

    The self-join of holders on a value gives every (pair, kind, weight) that shares
    it; each kind counts once by its heaviest value (in SQL), kinds add up in name
    order and lockstep adds ``lockstep_weight * similarity`` (in NumPy, on the sorted
    (pair, kind) rows: cheaper than a filtered aggregate per kind). The join runs in
    ``chunks`` slices by the first account, so the candidate rows held at once stay
    bounded however many accounts there are.
    """
    threshold = float(config.min_link_weight)
    lockstep = con.execute("SELECT a, b, similarity FROM lockstep_links").fetchnumpy()
    lock_a = np.asarray(lockstep["a"], dtype=np.int64)
    lock_key = lock_a * n_accounts + np.asarray(lockstep["b"], dtype=np.int64)
    lock_credit = float(config.lockstep_weight) * np.asarray(lockstep["similarity"], dtype=float)
    found: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    for chunk in range(chunks):
        rows = con.execute(
            f"""
            SELECT x.idx AS a, y.idx AS b, x.kind_id,
                   -- Values of one kind are correlated evidence (five shared templates are
                   -- not five times one): each kind counts once, by its rarest shared value.
                   max(x.weight) AS weight
            FROM pair_holders x JOIN pair_holders y
              ON x.value_id = y.value_id AND x.idx < y.idx
            WHERE x.idx % {chunks} = {chunk} AND coalesce(x.org <> y.org, true)
              AND coalesce(x.rotates = y.rotates, true)
            GROUP BY ALL
            """
        ).fetchnumpy()
        pair = (np.asarray(rows["a"], dtype=np.int64) * n_accounts
                + np.asarray(rows["b"], dtype=np.int64))
        kind = np.asarray(rows["kind_id"], dtype=np.int64)
        weight = np.asarray(rows["weight"], dtype=np.float64)
        timed = lock_a % chunks == chunk
        found.append(_pairs_over(pair, kind, weight, lock_key[timed], lock_credit[timed],
                                 threshold))
    keys, weight, kinds, in_lockstep = (np.concatenate(column) for column in zip(*found,
                                                                                 strict=True))
    order = np.argsort(keys, kind="stable")
    return _LinkedPairs(a=keys[order] // n_accounts, b=keys[order] % n_accounts,
                        weight=weight[order], kinds=kinds[order], lockstep=in_lockstep[order])


def _pairs_over(
    pair: np.ndarray, kind: np.ndarray, weight: np.ndarray,
    lock_key: np.ndarray, lock_credit: np.ndarray, threshold: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(pair key, weight, kinds, lockstep) of the pairs weighing at least ``threshold``,
    from (pair key, kind, weight) rows (one per pair and kind) and lockstep credits."""
    order = np.lexsort((kind, pair))
    pair, kind, weight = pair[order], kind[order], weight[order]
    first = (np.flatnonzero(np.r_[True, pair[1:] != pair[:-1]]) if len(pair)
             else np.zeros(0, dtype=np.int64))
    count = np.diff(np.r_[first, len(pair)]).astype(np.int64)
    # Kinds add up in name order, one at a time: the same weight to the last bit every
    # run (a pair's j-th row is its j-th kind; the absent kinds would add 0).
    total = weight[first]
    for j in range(1, int(count.max(initial=1))):
        more = count > j
        total[more] += weight[first[more] + j]
    kinds = (np.bitwise_or.reduceat(np.left_shift(1, kind), first) if len(first)
             else np.zeros(0, dtype=np.int64))
    keys = pair[first]  # sorted
    at = np.minimum(np.searchsorted(keys, lock_key), max(len(keys) - 1, 0))
    both = (keys[at] == lock_key) if len(keys) else np.zeros(len(lock_key), dtype=bool)
    total[at[both]] += lock_credit[both]
    in_lockstep = np.zeros(len(keys), dtype=bool)
    in_lockstep[at[both]] = True
    keep = total >= threshold
    alone = ~both & (lock_credit >= threshold)  # lockstep without shared values
    return (np.concatenate([keys[keep], lock_key[alone]]),
            np.concatenate([total[keep], lock_credit[alone]]),
            np.concatenate([kinds[keep], np.zeros(int(alone.sum()), dtype=np.int64)]),
            np.concatenate([in_lockstep[keep], np.ones(int(alone.sum()), dtype=bool)]))


def _named_pairs(
    pairs: _LinkedPairs, account_ids: pa.Array, config: LinkageConfig
) -> pa.Table:
    """The linked pairs with account ids and kind names, ordered by (a, b)."""
    kinds = sorted(config.indicators)
    mask = pairs.kinds
    flags = np.column_stack(
        [(mask >> i) & 1 == 1 for i in range(len(kinds))] + [pairs.lockstep]
    ) if len(mask) else np.zeros((0, len(kinds) + 1), dtype=bool)
    _, columns = np.nonzero(flags)  # row by row, kinds in name order, lockstep last
    offsets = np.concatenate([[0], np.cumsum(flags.sum(axis=1))]).astype(np.int32)
    names = np.array([*kinds, "lockstep"], dtype=object)
    return pa.table({
        "a": account_ids.take(pa.array(pairs.a.astype(np.int32))),
        "b": account_ids.take(pa.array(pairs.b.astype(np.int32))),
        "weight": pa.array(pairs.weight),
        "kinds": pa.ListArray.from_arrays(pa.array(offsets),
                                          pa.array(names[columns], pa.string())),
    })


def lockstep_pairs(
    con: duckdb.DuckDBPyConnection, config: LinkageConfig, seeds: list[str],
    source: str = "events",
) -> pa.Table:
    """Pairs of seed accounts active in the same time buckets far beyond chance.

    The similarity is a chance-corrected cosine: ``(shared - expected) / (max - expected)``
    where ``expected = n_a * n_b / buckets`` is the overlap of two independent accounts
    and ``max = sqrt(n_a * n_b)``. Two accounts that are simply always on share every
    bucket by chance and score 0; accounts switched on and off together score near 1.
    The geometric mean rather than the smaller count: a developer's 40 minutes of work
    inside a data vendor's six-hour job share all 40 buckets, which is containment, not
    accounts moving together.
    Columns ``a < b`` (account ids) and ``similarity``.
    """
    return _lockstep_links(con, config, seeds, source)


def _lockstep_links(
    con: duckdb.DuckDBPyConnection, config: LinkageConfig, seeds: list[str], source: str
) -> pa.Table:
    """Shared buckets of every pair as a matrix product (seeds × buckets, 0/1), in
    blocks of rows so that memory stays bounded; counts are exact in float32."""
    empty = pa.table({"a": pa.array([], pa.string()), "b": pa.array([], pa.string()),
                      "similarity": pa.array([], pa.float64())})
    if len(seeds) < 2:
        return empty
    bucket = int(config.lockstep_bucket_seconds)
    min_events = int(config.lockstep_min_events)
    phases = max(1, 3600 // bucket)
    # The seeds and the active buckets are materialised as DuckDB tables before anything
    # is fetched: a streamed, windowed result over a registered Arrow object has hung
    # DuckDB 1.5.6 (a livelock in its batched result buffer, seen in long suite runs).
    con.register("lockstep_seed_ids", pa.table({"account_id": pa.array(seeds, pa.string())}))
    con.execute("CREATE OR REPLACE TEMP TABLE lockstep_seeds AS "
                "SELECT account_id FROM lockstep_seed_ids")
    con.unregister("lockstep_seed_ids")
    # Popular phases of the hour (every :00 of the cron crowd) are left out: accounts
    # active there together are on one clock, not one operator. Popularity counts the
    # distinct active accounts of the whole population at each phase.
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE lockstep_popular AS
        WITH phases AS (
            SELECT b % {phases} AS phase, count(*) AS c FROM (
                SELECT DISTINCT account_id, CAST(floor(epoch(timestamp) / {bucket}) AS BIGINT) AS b
                FROM {source}
            ) GROUP BY ALL
        )
        SELECT phase FROM phases
        WHERE c > {float(config.lockstep_popular_phase)} * (SELECT sum(c) FROM phases) / {phases}
        """
    )
    popular_share = (con.execute("SELECT count(*) FROM lockstep_popular").fetchone()
                     or (0,))[0] / phases
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE lockstep_active AS
        WITH buckets AS (
            SELECT DISTINCT account_id, CAST(floor(epoch(timestamp) / {bucket}) AS BIGINT) AS b
            FROM {source} WHERE account_id IN (SELECT account_id FROM lockstep_seeds)
        ),
        unpopular AS (
            SELECT * FROM buckets WHERE b % {phases} NOT IN (SELECT phase FROM lockstep_popular)
        ),
        kept AS (
            SELECT *, count(*) OVER (PARTITION BY account_id) AS n FROM unpopular
        )
        SELECT CAST(dense_rank() OVER (ORDER BY account_id) - 1 AS INTEGER) AS row,
               CAST(dense_rank() OVER (ORDER BY b) - 1 AS INTEGER) AS col, account_id
        FROM kept WHERE n >= {min_events}
        """
    )
    active = con.execute("SELECT row, col, account_id FROM lockstep_active").to_arrow_table()
    span_row = con.execute(
        f"SELECT greatest(1, CAST(floor(epoch(max(timestamp)) / {bucket}) AS BIGINT) "
        f"- CAST(floor(epoch(min(timestamp)) / {bucket}) AS BIGINT) + 1) FROM {source}"
    ).fetchone()
    con.execute("DROP TABLE lockstep_seeds; DROP TABLE lockstep_active")
    if active.num_rows == 0 or span_row is None:
        return empty
    total = max(1.0, float(span_row[0]) * (1.0 - popular_share))
    rows = np.asarray(active.column("row"), dtype=np.int64)
    cols = np.asarray(active.column("col"), dtype=np.int64)
    n_rows = int(rows.max()) + 1
    ids = pc.take(active.column("account_id"),
                  pa.array(np.unique(rows, return_index=True)[1])).combine_chunks()
    matrix = np.zeros((n_rows, int(cols.max()) + 1), dtype=np.float32)
    matrix[rows, cols] = 1.0
    sizes = matrix.sum(axis=1, dtype=np.float64)
    found_a, found_b, found_similarity = [], [], []
    block = max(1, LOCKSTEP_BLOCK_CELLS // n_rows)
    for start in range(0, n_rows, block):
        stop = min(start + block, n_rows)
        shared = (matrix[start:stop] @ matrix[start:].T).astype(np.float64)
        n_a = sizes[start:stop, None]
        n_b = sizes[None, start:]
        expected = n_a * n_b / total
        room = np.sqrt(n_a * n_b) - expected
        with np.errstate(divide="ignore", invalid="ignore"):
            similarity = (shared - expected) / room
        # Accounts active in nearly every bucket leave no room to measure co-activity.
        upper = np.arange(start, stop)[:, None] < np.arange(start, n_rows)[None, :]
        hit = (upper & (shared > 0) & (room >= min_events)
               & (similarity >= float(config.lockstep_min_similarity)))
        a, b = np.nonzero(hit)
        found_a.append(a + start)
        found_b.append(b + start)
        found_similarity.append(similarity[a, b])
    return pa.table({
        "a": ids.take(pa.array(np.concatenate(found_a))),
        "b": ids.take(pa.array(np.concatenate(found_b))),
        "similarity": pa.array(np.concatenate(found_similarity), pa.float64()),
    })
