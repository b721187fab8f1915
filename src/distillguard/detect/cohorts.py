"""Cohorts: how unusual is the group of accounts behind a shared value?

A value many accounts share (a TLS stack, a network, a sign-up hour, a template) says
nothing by its count alone: 2,000 ordinary users share a popular client, and 900 accounts
of one reseller "hydra" share their operator's. What differs is the *cohort* behind the
value (EvilCohort, USENIX Security 2015): its members were registered together, started
using their accounts at once, rotate their addresses per request, and harvest, far more
than the rest of the population does. Each value's cohort is compared with the
population (without the cohort itself, so a cohort that is a large share of the traffic
does not set its own baseline), dimension by dimension:

- ``burst``: members registered within the same window as two or more other members,
  against what random members of the population would show (the chance of two others
  in the same window, from the population's registrations in it);
- ``fresh``: members whose first request came soon after registration;
- ``churn``: members that rotate their IP address nearly per request;
- ``spoof``: members whose client claims to be a browser but whose TLS handshake is not
  the one the other accounts sending that browser's user agent show (a script behind a
  copied browser user agent; :func:`client_spoofing_sql`);
- ``rack``: members strongly suspicious on their own, each alone on its own one to
  :data:`RACK_MAX_ADDRESSES` addresses (no other account uses them): for a network (the
  kinds declared ``rack``), strangers' harvesting accounts on one rented block, a
  machine each (:func:`lone_machines_sql`);
- ``border``: for a payment card (the kinds declared ``border``), members paying with a
  card whose holders are in two or more countries (each account's country is where most
  of its requests come from). A card is issued to one customer in one country: a
  household or a freelancer's clients share one in one country, a company's staff abroad
  belong to its organisation (openness), and strangers paying with one card from several
  countries are one payer's accounts presented as unrelated customers. This is not a
  matter of degree against the population, so its excess is the members' share itself;
- ``harvest``: members that collect long outputs (strength in 0..1, computed by scoring).

A dimension counts only where the cohort's excess over the population is significant
for its size (a z-score), and as the share of the room above the population's level
it takes. The cohort's **anomaly** combines burst, fresh, churn, spoof, rack and border;
its **concealment** is what hides a common origin: the rotation, a spoofed client, one
card paying from several countries, a rack of machines on one network (``rack``: a
class, an office or a venue shares one address behind NAT, and its people do not all
harvest), or — for a client stack (the kinds declared ``burst_conceals``) — having
registered together while spread over many networks, so that the accounts look like
strangers (one operator's bot). An operator's configuration (a system prompt, a
template: the kinds declared ``harvest_burst_conceals``) conceals so for the share of
its holders that are strongly suspicious on their own: a hackathon's starter kit is held
by people who registered together from everywhere and harvest nothing one by one. Being
new and registered together at one place hides nothing (classes and hackathons share
their venue's network: ``colocated``, the largest share of members on one network, takes
that part away). Both are cancelled by **openness**: members that openly belong together
(two or more in one organisation, one corporate e-mail domain) are a company, not a
hidden operator; an organisation of one, as every personal workspace is, is no one's
company.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pyarrow as pa

from distillguard.detect.indicators import (
    BORDER_KINDS,
    BURST_CONCEALS_KINDS,
    HARVEST_BURST_KINDS,
    RACK_KINDS,
)

#: Dimensions of concealment, and the ones that say nothing for a kind of value
#: (a sign-up window's members are registered together and fresh by construction).
CONCEALMENT_DIMENSIONS: tuple[str, ...] = ("burst", "fresh", "churn", "spoof", "rack", "border")
IMPLIED_DIMENSIONS: Mapping[str, tuple[str, ...]] = {"signup_window": ("burst", "fresh")}
#: Dimensions whose excess is the members' share itself, not their share above the
#: population's (a card paying from two countries is not a matter of degree).
ABSOLUTE_DIMENSIONS: tuple[str, ...] = ("border",)


@dataclass(frozen=True)
class CohortSettings:
    """``linkage.cohorts`` in the configuration."""

    min_accounts: int = 3
    # Excess over the population counts only from this z-score on.
    min_z: float = 3.0
    # Weight of each concealment dimension's excess (in 0..1).
    weights: Mapping[str, float] = field(
        default_factory=lambda: {"burst": 0.5, "fresh": 0.3, "churn": 0.8, "spoof": 0.8,
                                 "rack": 0.8, "border": 0.8})
    # Registration windows (seconds) for the burst dimension.
    window_seconds: int = 3600
    # Members in one window with at least this many others make a burst.
    burst_others: int = 2
    # A browser user agent's pairing with a TLS fingerprint is off when fewer than this
    # share of the accounts sending that user agent show that fingerprint, among at least
    # ``spoof_min_holders`` accounts sending it (fewer say nothing about the browser).
    spoof_max_share: float = 0.1
    spoof_min_holders: int = 20
    # A user agent's stack is a fingerprint at least this many accounts and this share of
    # its senders show (among accounts with one of each); a stack no user agent is sent
    # over alone, carrying user agents of two or more runtimes, is borrowed.
    spoof_min_pairing: int = 3
    spoof_pairing_share: float = 0.05
    # A rack (``rack`` dimension) counts from this many members: a few companies'
    # developers, each on a server of its own, share a cloud provider's block by chance.
    rack_min_accounts: int = 10


COHORT_COLUMNS: tuple[str, ...] = (
    "account_id", "created_window", "fresh", "churn", "harvest", "org_key", "strong",
    "country",
)


#: The indicator kind that places an account on a network, for ``colocated``.
NETWORK_KIND = "ip_prefix"
#: An account seen on at most this many networks is at a place (``colocated``).
PLACE_MAX_NETWORKS = 3
#: Dimensions that people at one place show together (an event), not only an operator.
PLACE_DIMENSIONS: tuple[str, ...] = ("burst", "fresh")
#: An account seen on more addresses than this is no machine of a rack (``rack``).
RACK_MAX_ADDRESSES = 2
#: The indicator kind of one address, for ``rack``.
ADDRESS_KIND = "ip"
#: Browser user agents (all send ``Mozilla/``), the ones whose TLS handshake is checked.
BROWSER_USER_AGENT = "Mozilla/%"
#: Accounts with more user agents or TLS fingerprints than this are not checked: their
#: pairs are not known from the per-account values (and they rotate, which churn sees).
SPOOF_MAX_VALUES = 4


def client_spoofing_sql(max_share: float, min_holders: int, min_pairing: int,
                        pairing_share: float, clients: str = "account_indicators") -> str:
    """Create ``client_spoofing(account_id, spoofed)`` from the ``user_agent`` and
    ``tls_fingerprint`` rows of ``clients`` (``account_id, kind, value``; boilerplate
    clients included: an SDK or a library sent over one stack alone is what shows that
    stack is a real client's).

    A client's user agent comes with that client's TLS handshake. Two rules find a pairing
    that is *off*:

    - **a copied browser**: the accounts sending one browser user agent show one or a few
      fingerprints; a browser user agent with a fingerprint that few of its senders show
      (under ``max_share`` of at least ``min_holders``) is off;
    - **a borrowed stack**: a handshake that is no client's own. A user agent's *stacks*
      are the fingerprints at least ``min_pairing`` accounts and ``pairing_share`` of its
      senders show (among the accounts with one user agent and one fingerprint). A stack
      some user agent is sent over alone is *anchored*: a real client's, and each user
      agent's largest anchored stack is its *home* (the runtime it belongs to). A stack
      that is not anchored and carries user agents of two or more homes (a Python SDK's,
      a Node CLI's, an editor's) is one operator's client behind copied user agents: a
      second real stack of one runtime (Python with another OpenSSL) carries that
      runtime's clients only. A pairing over a borrowed stack is off when its user agent
      has a stack that is not borrowed (the few honest users of the runtime the operator
      took the stack from send their own user agent, which has none elsewhere). This
      holds however many accounts the operator runs, where the first rule sees only a
      campaign smaller than a tenth of a user agent's senders.

    An account whose every browser pairing is copied, or whose every pairing is off,
    claims a client it is not. Pairs are taken within the account (its user agents × its
    fingerprints), so an account with a browser and a script has its true browser pair
    and is not spoofing; accounts with more than :data:`SPOOF_MAX_VALUES` of either are
    not checked. Whether a fingerprint is "a
    script's" is not asked: an app and the phone's browser share the phone's TLS stack.
    """
    return f"""
    CREATE OR REPLACE TEMP TABLE client_spoofing AS
    WITH checked AS (
        SELECT account_id FROM {clients}
        WHERE kind IN ('user_agent', 'tls_fingerprint')
        GROUP BY account_id
        HAVING count(*) FILTER (WHERE kind = 'user_agent') <= {SPOOF_MAX_VALUES}
           AND count(*) FILTER (WHERE kind = 'tls_fingerprint') BETWEEN 1 AND {SPOOF_MAX_VALUES}
    ),
    pairs AS (
        SELECT u.account_id, u.value AS ua, t.value AS tls
        FROM {clients} u
        JOIN checked USING (account_id)
        JOIN {clients} t ON t.account_id = u.account_id AND t.kind = 'tls_fingerprint'
        WHERE u.kind = 'user_agent'
    ),
    pair_counts AS (
        SELECT ua, tls, count(*) AS n, sum(count(*)) OVER (PARTITION BY ua) AS senders
        FROM pairs GROUP BY ua, tls
    ),
    single AS (
        -- Pairings of accounts with one user agent and one fingerprint: the within-account
        -- product pairs a developer's browser with their script's handshake too.
        SELECT ua, tls, count(*) AS n, sum(count(*)) OVER (PARTITION BY ua) AS senders
        FROM pairs WHERE account_id IN (
            SELECT account_id FROM pairs GROUP BY account_id HAVING count(*) = 1)
        GROUP BY ua, tls
    ),
    stacks AS (
        -- Each user agent's stacks.
        SELECT ua, tls, n FROM single
        WHERE n >= {int(min_pairing)} AND n >= {float(pairing_share)} * senders
    ),
    anchored AS (
        -- Stacks some user agent is sent over alone: a real client's.
        SELECT DISTINCT tls FROM stacks WHERE ua IN (
            SELECT ua FROM stacks GROUP BY ua HAVING count(*) = 1)
    ),
    homes AS (
        -- Each user agent's largest anchored stack: the runtime it belongs to.
        SELECT ua, tls AS home FROM (
            SELECT ua, tls, row_number() OVER (PARTITION BY ua ORDER BY n DESC, tls) AS rank
            FROM stacks WHERE tls IN (SELECT tls FROM anchored))
        WHERE rank = 1
    ),
    borrowed AS (
        SELECT s.tls FROM stacks s LEFT JOIN homes h USING (ua)
        WHERE s.tls NOT IN (SELECT tls FROM anchored)
        GROUP BY s.tls HAVING count(DISTINCT h.home) >= 2
    ),
    own_stacks AS (
        SELECT DISTINCT ua FROM stacks WHERE tls NOT IN (SELECT tls FROM borrowed)
    )
    SELECT account_id,
           coalesce(bool_and(copied) FILTER (WHERE browser), false)
               OR bool_and(copied OR borrowed) AS spoofed
    FROM (
        SELECT p.account_id, p.ua LIKE '{BROWSER_USER_AGENT}' AS browser,
               p.ua LIKE '{BROWSER_USER_AGENT}' AND c.senders >= {int(min_holders)}
                   AND c.n < {float(max_share)} * c.senders AS copied,
               -- A client with a real stack elsewhere (an honest Go client over the
               -- stack a hydra borrowed from Go has none: it is at home there).
               p.tls IN (SELECT tls FROM borrowed) AND p.ua IN (SELECT ua FROM own_stacks)
                   AS borrowed
        FROM pairs p JOIN pair_counts c USING (ua, tls)
    )
    GROUP BY account_id
    """


def lone_machines_sql() -> str:
    """Create ``lone_machines(account_id)``: the accounts seen on one to
    :data:`RACK_MAX_ADDRESSES` addresses that no other account was seen on (a machine of
    their own). Reads ``account_indicators``."""
    return f"""
    CREATE OR REPLACE TEMP TABLE lone_machines AS
    WITH holders AS (
        SELECT value, count(*) AS accounts FROM account_indicators
        WHERE kind = '{ADDRESS_KIND}' GROUP BY value
    )
    SELECT i.account_id FROM account_indicators i JOIN holders h USING (value)
    WHERE i.kind = '{ADDRESS_KIND}'
    GROUP BY i.account_id
    HAVING count(*) <= {RACK_MAX_ADDRESSES} AND max(h.accounts) = 1
    """


def places_sql() -> str:
    """``account_id, network`` of the accounts seen on :data:`PLACE_MAX_NETWORKS` networks
    at most (a home, an office, a venue); accounts spread wider are at no place. Reads
    ``account_indicators``."""
    return f"""
    SELECT account_id, value AS network FROM account_indicators
    WHERE kind = '{NETWORK_KIND}' AND account_id IN (
        SELECT account_id FROM account_indicators WHERE kind = '{NETWORK_KIND}'
        GROUP BY account_id HAVING count(*) <= {PLACE_MAX_NETWORKS})
    """


def cohort_stats_sql(min_accounts: int) -> str:
    """Per shared value: size and sums of the member dimensions, the members in sign-up
    bursts and their expectation, the largest share of one organisation, and the share
    of members that show a concealment dimension themselves (``purity``).

    Reads ``account_indicators(account_id, kind, value)``, ``cohort_accounts``
    (:data:`COHORT_COLUMNS`, one row per account) and ``lone_machines``
    (:func:`lone_machines_sql`); creates ``cohort_members(kind, value, account_id,
    concealing)``.
    """
    racks = ", ".join(f"'{kind}'" for kind in RACK_KINDS) or "NULL"
    borders = ", ".join(f"'{kind}'" for kind in BORDER_KINDS) or "NULL"
    return f"""
    CREATE OR REPLACE TEMP TABLE cohort_members AS
    WITH members AS (
        SELECT i.kind, i.value, a.*, coalesce(s.spoofed, false) AS spoofed,
               a.strong AND l.account_id IS NOT NULL AS racked,
               count(*) OVER (PARTITION BY i.kind, i.value) AS k,
               -- Holders of one card in two or more countries (``border``).
               i.kind IN ({borders}) AND a.country IS NOT NULL
                   AND min(a.country) OVER (PARTITION BY i.kind, i.value)
                       <> max(a.country) OVER (PARTITION BY i.kind, i.value)
                   AS border_member
        FROM account_indicators i JOIN cohort_accounts a USING (account_id)
        LEFT JOIN client_spoofing s USING (account_id)
        LEFT JOIN lone_machines l USING (account_id)
    )
    SELECT *,
           -- Members with enough others of the cohort in their registration window.
           created_window IS NOT NULL
               AND count(*) OVER (PARTITION BY kind, value, created_window) > {{others}}
               AS burst_member
    FROM members WHERE k >= {int(min_accounts)};

    CREATE OR REPLACE TEMP TABLE cohort_stats AS
    WITH population_windows AS (
        SELECT created_window, count(*) AS c FROM cohort_accounts
        WHERE created_window IS NOT NULL GROUP BY ALL
    ),
    windows AS (
        SELECT kind, value, any_value(k) AS k, created_window, count(*) AS c
        FROM cohort_members WHERE created_window IS NOT NULL GROUP BY kind, value, created_window
    ),
    bursts AS (
        -- What members drawn at random would show: P(at least `others` of k - 1 others
        -- in the window), Poisson with the population's share of the window, the
        -- cohort's own members left out.
        SELECT w.kind, w.value, sum(w.c * {{chance}}) AS burst_expected
        FROM windows w JOIN population_windows p USING (created_window)
        GROUP BY ALL
    ),
    orgs AS (
        -- Members belonging together in the open: two or more in one organisation (an
        -- organisation of one, as every personal account may have, is no one's company).
        SELECT kind, value, max(c) AS org_members FROM (
            SELECT kind, value, org_key, count(*) AS c FROM cohort_members
            WHERE org_key IS NOT NULL GROUP BY ALL HAVING count(*) >= 2
        ) GROUP BY ALL
    ),
    places AS (
        -- A place explains its people, not a farm of accounts each strongly suspicious
        -- on its own.
        SELECT * FROM ({{places}})
        WHERE account_id NOT IN (SELECT account_id FROM cohort_accounts WHERE strong)
    ),
    colocation AS (
        -- The largest share of members at one place (two or more members there).
        SELECT kind, value, max(c) AS colocated_members FROM (
            SELECT m.kind, m.value, n.network, count(*) AS c
            FROM cohort_members m JOIN places n USING (account_id)
            GROUP BY ALL HAVING count(*) >= 2
        ) GROUP BY ALL
    ),
    sums AS (
        SELECT kind, value, count(*) AS k, count(created_window) AS dated,
               sum(CAST(burst_member AS DOUBLE)) AS burst_members,
               sum(CAST(fresh AS DOUBLE)) AS fresh, count(fresh) AS fresh_known,
               sum(churn) AS churn, count(churn) AS churn_known,
               sum(harvest) AS harvest,
               sum(CAST(spoofed AS DOUBLE)) AS spoofed,
               sum(CAST(racked AS DOUBLE)) AS racked,
               sum(CAST(strong AS DOUBLE)) AS strong,
               sum(CAST(border_member AS DOUBLE)) AS border_members,
               avg(CAST(burst_member OR coalesce(fresh, false) OR churn >= 0.5 OR spoofed
                        OR (racked AND kind IN ({racks})) OR border_member AS DOUBLE))
                   AS purity
        FROM cohort_members GROUP BY ALL
    )
    SELECT u.kind, u.value, u.k, u.dated, u.fresh, u.fresh_known, u.churn, u.churn_known,
           u.harvest, u.spoofed, u.racked, u.strong, u.burst_members, u.border_members,
           u.purity,
           coalesce(b.burst_expected, 0) AS burst_expected,
           coalesce(o.org_members, 0) AS org_members,
           coalesce(c.colocated_members, 0) AS colocated_members
    FROM sums u
    LEFT JOIN bursts b USING (kind, value)
    LEFT JOIN orgs o USING (kind, value)
    LEFT JOIN colocation c USING (kind, value)
    ORDER BY u.kind, u.value
    """


def _burst_chance(others: int, n: int) -> str:
    """SQL for P(Poisson(λ) ≥ others) with λ = (k - 1) × (window share without the
    cohort), in terms of the columns of the ``bursts`` query."""
    lam = f"((w.k - 1) * greatest(p.c - w.c, 0) / greatest({n} - w.k, 1))"
    terms = " + ".join(
        f"pow({lam}, {j}) / {float(np.prod(np.arange(1, j + 1))) if j else 1.0}"
        for j in range(others)
    )
    return f"(1 - exp(-{lam}) * ({terms}))"


def excess(member: np.ndarray, population: np.ndarray, k: np.ndarray,
           min_z: float) -> np.ndarray:
    """Share of the room above the population's level that the cohort takes, where the
    difference is significant for ``k`` members; 0 elsewhere."""
    room = np.maximum(1.0 - population, 1e-9)
    raw = np.clip((member - population) / room, 0.0, 1.0)
    spread = population * (1.0 - population) + 0.25 / np.maximum(k, 1.0)
    z = (member - population) / np.sqrt(spread / np.maximum(k, 1.0))
    return np.where(z >= min_z, raw, 0.0)


def cohort_anomalies(
    con: duckdb.DuckDBPyConnection, accounts: pa.Table, settings: CohortSettings,
    kinds: Sequence[str] | None = None, clients: str = "account_indicators",
) -> pa.Table:
    """Per value shared by ``min_accounts`` or more: the cohort's dimensions, its
    concealment in 0..1, and its openness.

    ``accounts`` has :data:`COHORT_COLUMNS`; ``account_indicators`` must exist, and
    ``clients`` (the user agents and fingerprints the spoofing check reads).
    Columns: kind, value, k, burst, fresh, churn, harvest, spoof, rack, border (member
    shares), excess of each, open (largest share of one organisation of two or more), colocated
    (largest share of members on one network), purity (share of members showing a
    concealment dimension themselves), anomaly (the weighted dimensions combined, less
    openness) and concealment (the strongest of the rotation, spoofing, rack and border
    excesses and, for a client stack, the burst excess of members spread over networks — for an
    operator's configuration, times the share of its members strongly suspicious on their
    own — less openness). The temp table ``cohort_members`` keeps each value's members
    with their ``burst_member``, ``fresh``, ``churn``, ``spoofed``, ``racked`` and
    ``border_member``.
    """
    n = accounts.num_rows
    if "strong" not in accounts.column_names:  # no account scored strongly suspicious
        accounts = accounts.append_column("strong", pa.array([False] * n, pa.bool_()))
    if "country" not in accounts.column_names:  # a log without countries
        accounts = accounts.append_column("country", pa.nulls(n, pa.string()))
    con.register("cohort_accounts", accounts.select(list(COHORT_COLUMNS)))
    con.execute(client_spoofing_sql(settings.spoof_max_share, settings.spoof_min_holders,
                                    settings.spoof_min_pairing, settings.spoof_pairing_share,
                                    clients))
    sql = cohort_stats_sql(settings.min_accounts).format(
        others=int(settings.burst_others),
        chance=_burst_chance(int(settings.burst_others), n),
        places=places_sql(),
    )
    con.execute(lone_machines_sql())
    con.execute(sql)
    stats = con.execute("SELECT * FROM cohort_stats").fetchnumpy()
    totals = con.execute(
        "SELECT count(created_window), sum(CAST(fresh AS DOUBLE)), count(fresh), "
        "sum(churn), count(churn), sum(harvest), "
        "(SELECT count(*) FILTER (WHERE spoofed) FROM client_spoofing), "
        "count(*) FILTER (WHERE strong AND account_id IN (SELECT account_id FROM lone_machines)) "
        "FROM cohort_accounts"
    ).fetchone() or (0, 0.0, 0, 0.0, 0, 0.0, 0, 0)
    con.unregister("cohort_accounts")
    k = np.asarray(stats["k"], dtype=np.float64)
    kind = np.asarray(stats["kind"], dtype=object)
    keep = np.ones(len(k), dtype=bool) if kinds is None else np.isin(kind, list(kinds))

    def f(name: str) -> np.ndarray:
        return np.nan_to_num(np.asarray(stats[name], dtype=np.float64))

    def share(total: np.ndarray, known: np.ndarray) -> np.ndarray:
        return np.divide(total, known, out=np.zeros(len(total)), where=known > 0)

    # Population level of each dimension without the cohort (leave-cohort-out).
    (_, fresh_all, fresh_known_all, churn_all, churn_known_all, harvest_all, spoofed_all,
     racked_all) = (float(x or 0.0) for x in totals)
    member = {
        "burst": share(f("burst_members"), f("dated")),
        "fresh": share(f("fresh"), f("fresh_known")),
        "churn": share(f("churn"), f("churn_known")),
        "harvest": f("harvest") / np.maximum(k, 1.0),
        "spoof": f("spoofed") / np.maximum(k, 1.0),
        "rack": f("racked") / np.maximum(k, 1.0),
        "border": f("border_members") / np.maximum(k, 1.0),
    }
    population = {
        "burst": share(f("burst_expected"), f("dated")),
        "fresh": share(fresh_all - f("fresh"), fresh_known_all - f("fresh_known")),
        "churn": share(churn_all - f("churn"), churn_known_all - f("churn_known")),
        "harvest": (harvest_all - f("harvest")) / np.maximum(n - k, 1.0),
        "spoof": (spoofed_all - f("spoofed")) / np.maximum(n - k, 1.0),
        "rack": (racked_all - f("racked")) / np.maximum(n - k, 1.0),
    }
    excesses = {d: member[d] if d in ABSOLUTE_DIMENSIONS
                else excess(member[d], population[d], k, settings.min_z) for d in member}
    for d in CONCEALMENT_DIMENSIONS:
        for implied_kind, dims in IMPLIED_DIMENSIONS.items():
            if d in dims:
                excesses[d] = np.where(kind == implied_kind, 0.0, excesses[d])
    openness = f("org_members") / np.maximum(k, 1.0)
    colocated = f("colocated_members") / np.maximum(k, 1.0)
    # Registering together and starting at once is an event where the members are at one
    # place (a class, a hackathon on the venue's Wi-Fi): it makes them one cohort only
    # for the share that is not there together.
    for d in PLACE_DIMENSIONS:
        excesses[d] = excesses[d] * (1.0 - colocated)
    # A rack is a network's: strangers on one client or sign-up hour, each on a home
    # address of its own, are no rack.
    excesses["rack"] = np.where(np.isin(kind, list(RACK_KINDS))
                                & (k >= settings.rack_min_accounts), excesses["rack"], 0.0)
    hidden = np.ones(len(k))
    for d in CONCEALMENT_DIMENSIONS:
        hidden *= 1.0 - settings.weights.get(d, 0.0) * excesses[d]
    # Anomaly: registered together, first used at once, rotating addresses, a spoofed
    # client — what makes the holders one cohort. Concealment proper is hiding: the
    # rotation, the spoofing, the rack. A class or a hackathon is new and registered
    # together, and hides nothing.
    anomaly = (1.0 - hidden) * (1.0 - openness)
    # (less its colocated share); an operator's configuration only for the share of its
    # holders that harvest strongly on their own (a hackathon's starter kit is not).
    dispersed_burst = np.where(
        np.isin(kind, list(BURST_CONCEALS_KINDS)), excesses["burst"],
        np.where(np.isin(kind, list(HARVEST_BURST_KINDS)),
                 excesses["burst"] * f("strong") / np.maximum(k, 1.0), 0.0))
    concealment = np.maximum.reduce(
        [excesses["churn"], excesses["spoof"], excesses["rack"], excesses["border"],
         dispersed_burst]
    ) * (1.0 - openness)
    columns: dict[str, pa.Array] = {
        "kind": pa.array(kind[keep].tolist(), pa.string()),
        "value": pa.array(np.asarray(stats["value"], dtype=object)[keep].tolist(),
                          pa.string()),
        "k": pa.array(k[keep].astype(np.int64)),
    }
    for d in member:
        columns[d] = pa.array(member[d][keep])
        columns[f"{d}_excess"] = pa.array(excesses[d][keep])
    columns["open"] = pa.array(openness[keep])
    columns["colocated"] = pa.array(colocated[keep])
    columns["purity"] = pa.array(f("purity")[keep])
    columns["anomaly"] = pa.array(anomaly[keep])
    columns["concealment"] = pa.array(concealment[keep])
    return pa.table(columns)
