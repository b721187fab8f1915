"""The scalable linkage (integer keys, pruning, slices, lockstep as a matrix product)
against brute force on random populations: same pairs, same weights, same kinds."""

from __future__ import annotations

import itertools
import math
import random
from collections import defaultdict
from datetime import timedelta
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from distillguard.config import LinkageConfig, default_config
from distillguard.detect import linkage
from distillguard.detect.indicators import ADDRESS_KINDS
from distillguard.detect.linkage import ORG_SHARED_KINDS, link_accounts, lockstep_pairs
from tests.helpers import T0, connection_with_events

CFG = default_config()


def random_population(seed: int, accounts: int = 60) -> list[dict[str, Any]]:
    """Accounts drawing cards, addresses, agents and templates from small pools, so
    that many pairs share something and some share a lot; a few declared orgs."""
    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []
    for i in range(accounts):
        org = f"org{i % 3}" if i % 7 == 0 else None
        created = T0 - timedelta(days=3, minutes=rng.randrange(0, 600, 13))
        card = f"card{rng.randrange(12)}"
        agent = f"agent/{rng.randrange(5)}"
        for j in range(rng.randrange(6, 14)):
            rows.append({
                "account_id": f"acct{i:03d}", "org_id": org, "payment_fingerprint": card,
                "ip": f"203.0.{rng.randrange(4)}.{rng.randrange(8)}", "user_agent": agent,
                "account_created_at": created,
                "prompt": f"Explain the complete reasoning for problem set {rng.randrange(3)} "
                          f"item {j}",
                "timestamp": T0 + timedelta(minutes=rng.randrange(0, 240)),
            })
    return rows


def brute_force_pairs(con: duckdb.DuckDBPyConnection, config: LinkageConfig,
                      lockstep: dict[tuple[str, str], float]) -> dict[tuple[str, str], Any]:
    """The documented rule, pair by pair, from the indicator tables link_accounts built."""
    weights = {(k, v): (n, w) for k, v, n, w in con.execute(
        "SELECT kind, value, k, weight FROM indicator_weights").fetchall()}
    holders: dict[tuple[str, str], list[str]] = defaultdict(list)
    for account, kind, value in con.execute(
            "SELECT account_id, kind, value FROM account_indicators").fetchall():
        if (kind, value) in weights and weights[kind, value][0] <= config.max_pair_accounts:
            holders[kind, value].append(account)
    org = dict(con.execute(
        "SELECT account_id, mode(org_id) FROM events GROUP BY account_id").fetchall())
    # A rotator sends most requests from a new address, over many of them.
    rotates = {account: ips >= config.rotator_min_ips and ips >= config.rotator_ip_churn * n
               for account, ips, n in con.execute(
                   "SELECT account_id, count(DISTINCT ip), count(*) FROM events "
                   "GROUP BY account_id").fetchall()}
    per_kind: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    for (kind, value), accounts in holders.items():
        for a, b in itertools.combinations(sorted(accounts), 2):
            if kind in ORG_SHARED_KINDS and org[a] is not None and org[a] == org[b]:
                continue
            if kind in ADDRESS_KINDS and rotates[a] != rotates[b]:
                continue
            best = per_kind[a, b]
            best[kind] = max(best.get(kind, 0.0), weights[kind, value][1])
    expected = {}
    for pair in set(per_kind) | set(lockstep):
        kinds = per_kind.get(pair, {})
        weight = sum(kinds.values()) + config.lockstep_weight * lockstep.get(pair, 0.0)
        if weight >= config.min_link_weight:
            expected[pair] = (weight, sorted(kinds) + (["lockstep"] if pair in lockstep else []))
    return expected


def found_pairs(links: Any) -> dict[tuple[str, str], Any]:
    p = links.pairs
    return {(a, b): (w, k) for a, b, w, k in zip(
        p.column("a").to_pylist(), p.column("b").to_pylist(), p.column("weight").to_pylist(),
        p.column("kinds").to_pylist(), strict=True)}


def assert_same(found: dict[tuple[str, str], Any], expected: dict[tuple[str, str], Any]) -> None:
    assert set(found) == set(expected)
    for pair, (weight, kinds) in expected.items():
        assert found[pair][0] == pytest.approx(weight, abs=1e-12)
        assert found[pair][1] == kinds


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_pairs_equal_brute_force_on_a_random_population(seed: int) -> None:
    con = connection_with_events(random_population(seed))
    seeds = [f"acct{i:03d}" for i in range(0, 60, 4)]
    links = link_accounts(con, CFG.linkage, 60, seeds)
    lockstep = lockstep_pairs(con, CFG.linkage, seeds)
    timed = {(a, b): s for a, b, s in zip(lockstep.column("a").to_pylist(),
                                          lockstep.column("b").to_pylist(),
                                          lockstep.column("similarity").to_pylist(), strict=True)}
    expected = brute_force_pairs(con, CFG.linkage, timed)
    assert len(expected) >= 10  # the population does link accounts
    assert_same(found_pairs(links), expected)


def test_slices_of_the_pair_join_give_the_same_pairs(monkeypatch: pytest.MonkeyPatch) -> None:
    con = connection_with_events(random_population(4))
    whole = found_pairs(link_accounts(con, CFG.linkage, 60, []))
    monkeypatch.setattr(linkage, "PAIR_CHUNK_ROWS", 7)  # dozens of slices
    sliced = found_pairs(link_accounts(con, CFG.linkage, 60, []))
    assert whole and sliced == whole


def test_organisations_from_the_profile_equal_those_read_from_events() -> None:
    con = connection_with_events(random_population(5))
    profile = con.execute(
        "SELECT account_id, mode(org_id) AS org_id FROM events GROUP BY account_id"
    ).to_arrow_table()
    read = found_pairs(link_accounts(con, CFG.linkage, 60, []))
    given = found_pairs(link_accounts(con, CFG.linkage, 60, [], accounts=profile))
    assert read and given == read


def brute_force_lockstep(rows: list[dict[str, Any]], seeds: list[str],
                         config: LinkageConfig) -> dict[tuple[str, str], float]:
    bucket = config.lockstep_bucket_seconds
    phases = 3600 // bucket
    active: dict[str, set[int]] = defaultdict(set)
    stamps = [math.floor(r["timestamp"].timestamp() / bucket) for r in rows]
    # Phases of the hour where more than lockstep_popular_phase times the average
    # phase's accounts are active (the whole population's) are left out.
    by_phase: dict[int, set[tuple[str, int]]] = defaultdict(set)
    for row, b in zip(rows, stamps, strict=True):
        by_phase[b % phases].add((row["account_id"], b))
    average = sum(len(v) for v in by_phase.values()) / phases
    popular = {p for p, v in by_phase.items() if len(v) > config.lockstep_popular_phase * average}
    for row, b in zip(rows, stamps, strict=True):
        if row["account_id"] in seeds and b % phases not in popular:
            active[row["account_id"]].add(b)
    total = max(1.0, (max(stamps) - min(stamps) + 1) * (1 - len(popular) / phases))
    kept = {a: s for a, s in active.items() if len(s) >= config.lockstep_min_events}
    result = {}
    for a, b in itertools.combinations(sorted(kept), 2):
        shared = len(kept[a] & kept[b])
        expected = len(kept[a]) * len(kept[b]) / total
        room = (len(kept[a]) * len(kept[b])) ** 0.5 - expected
        if shared and room >= config.lockstep_min_events:
            similarity = (shared - expected) / room
            if similarity >= config.lockstep_min_similarity:
                result[a, b] = similarity
    return result


def test_lockstep_in_blocks_equals_brute_force(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(11)
    rows = []
    # Four bots on one on/off schedule, three on another, five independent accounts.
    schedules = [sorted(rng.sample(range(600), 80)) for _ in range(2)]
    for i in range(12):
        minutes = (schedules[0] if i < 4 else schedules[1] if i < 7
                   else sorted(rng.sample(range(600), 80)))
        for m in minutes:
            if rng.random() < 0.85:
                rows.append({"account_id": f"bot{i:02d}", "prompt": "p",
                             "timestamp": T0 + timedelta(minutes=m, seconds=rng.randrange(60))})
    con = connection_with_events(rows)
    seeds = [f"bot{i:02d}" for i in range(12)]
    monkeypatch.setattr(linkage, "LOCKSTEP_BLOCK_CELLS", 20)  # blocks of a row or two
    table = lockstep_pairs(con, CFG.linkage, seeds)
    found = dict(zip(zip(table.column("a").to_pylist(), table.column("b").to_pylist(),
                         strict=True), table.column("similarity").to_pylist(), strict=True))
    expected = brute_force_lockstep(rows, seeds, CFG.linkage)
    assert {p for p in expected if p[0] < "bot04" and p[1] < "bot04"}  # the first group
    assert found.keys() == expected.keys()
    for pair, similarity in expected.items():
        assert found[pair] == pytest.approx(similarity, abs=1e-12)


def test_no_linkable_values_gives_empty_typed_tables() -> None:
    rows = [{"account_id": f"u{i}", "ip": f"10.0.0.{i}", "prompt": "p",
             "timestamp": T0 + timedelta(minutes=i)} for i in range(5)]
    con = connection_with_events(rows)
    links = link_accounts(con, CFG.linkage, 5, ["u0", "u1"])
    assert links.pairs.num_rows == 0
    assert links.pairs.schema.field("kinds").type == pa.list_(pa.string())


def test_modularity_equals_networkx() -> None:
    import networkx as nx
    import numpy as np

    from distillguard.detect.campaigns import _modularity

    rng = random.Random(3)
    edges = {(i, j): 0.5 + rng.random() for i in range(40) for j in range(i + 1, 40)
             if rng.random() < 0.2}
    a, b = (np.array(x) for x in zip(*edges, strict=True))
    w = np.array(list(edges.values()))
    graph = nx.Graph()
    graph.add_weighted_edges_from(zip(a.tolist(), b.tolist(), w.tolist(), strict=True))
    parts = nx.community.louvain_communities(graph, seed=0)
    assert len(parts) >= 2
    assert _modularity(parts, a, b, w) == pytest.approx(
        nx.community.modularity(graph, parts), abs=1e-12)
