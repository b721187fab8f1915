"""Linkage and campaigns on a hand-made population with known structure."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from distillguard.config import default_config
from distillguard.detect.campaigns import (
    MemberEvidence,
    add_evidence,
    campaign_reasons,
    find_campaigns,
    group_risk,
)
from distillguard.detect.linkage import link_accounts, lockstep_pairs
from tests.helpers import T0, connection_with_events

CFG = default_config()


def population() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    # 400 ordinary accounts: nothing rare in common (a popular user agent is shared by all).
    for i in range(400):
        for j in range(3):
            rows.append({
                "account_id": f"user{i:02d}", "payment_fingerprint": f"card-u{i}",
                "ip": f"198.{i % 250}.{j}.{10 + i // 250}", "user_agent": "Mozilla/5.0",
                "prompt": f"question {j} from user {i} about topic {i * 7 + j}",
                "timestamp": T0 + timedelta(minutes=7 * i + j),
            })
    # A campaign of 5 accounts: two shared cards, one hosting /24, one template.
    for i in range(5):
        for j in range(30):
            rows.append({
                "account_id": f"camp{i}", "payment_fingerprint": f"card-c{i % 2}",
                "ip": f"203.0.113.{10 + i}", "user_agent": "harvester/1.0",
                "prompt": f"Analyse dataset {j} and give complete and transparent reasoning",
                "timestamp": T0 + timedelta(seconds=600 * j + i),
            })
    # A university behind one NAT: 6 accounts, one /24, one e-mail domain, own cards.
    for i in range(6):
        for j in range(3):
            rows.append({
                "account_id": f"uni{i}", "payment_fingerprint": f"card-n{i}",
                "ip": f"192.0.2.{i + 1}", "email": f"student{i}x{j}@uni.example",
                "user_agent": "Mozilla/5.0", "prompt": f"homework {i} {j}",
                "timestamp": T0 + timedelta(hours=3 * i + j),
            })
    # A company team: 4 accounts, one declared org, one company card.
    for i in range(4):
        for j in range(3):
            rows.append({
                "account_id": f"team{i}", "org_id": "acme", "payment_fingerprint": "card-acme",
                "ip": f"100.{i}.0.1", "user_agent": "Mozilla/5.0", "prompt": f"code review {i} {j}",
                "timestamp": T0 + timedelta(hours=5 * i + j),
            })
    return rows


def evidence(own: np.ndarray, harvest: np.ndarray | None = None,
             tokens: float = 0.0) -> MemberEvidence:
    """Group evidence with the given own risk; ``harvest`` (default: none) and
    ``tokens`` of long answers per harvesting account; no organisation, nothing
    declared, nobody young."""
    harvest = np.zeros(len(own)) if harvest is None else harvest
    return MemberEvidence(
        own_risk=own, harvest=harvest, amplifier=np.ones(len(own)),
        novel_tokens=np.where(harvest > 0, tokens, 0.0),
        org=np.full(len(own), -1), declared=np.zeros(len(own), dtype=bool),
        fresh=np.zeros(len(own), dtype=bool))


def links_for(seeds: list[str]) -> tuple[Any, set[tuple[str, str]]]:
    con = connection_with_events(population())
    n = con.execute("SELECT count(DISTINCT account_id) FROM events").fetchone()[0]  # type: ignore[index]
    links = link_accounts(con, CFG.linkage, n, seeds)
    pairs = set(zip(links.pairs.column("a").to_pylist(), links.pairs.column("b").to_pylist(),
                    strict=True))
    return con, pairs


def test_when_accounts_share_a_rare_card_then_they_are_linked() -> None:
    _, pairs = links_for([])
    camp = {f"camp{i}" for i in range(5)}
    linked = {p for p in pairs if set(p) <= camp}
    # card-c0: camp0, camp2, camp4; card-c1: camp1, camp3. The shared /24, user agent
    # and template add weight but do not link on their own at this population size.
    assert linked == {("camp0", "camp2"), ("camp0", "camp4"), ("camp2", "camp4"),
                      ("camp1", "camp3")}


def test_when_accounts_only_share_a_nat_range_or_a_common_agent_then_not_linked() -> None:
    _, pairs = links_for([])
    assert not [p for p in pairs if p[0].startswith(("uni", "user")) or
                p[1].startswith(("uni", "user"))]


def test_when_accounts_of_one_declared_org_share_a_card_then_not_linked() -> None:
    _, pairs = links_for([])
    assert not [p for p in pairs if p[0].startswith("team")]


def test_when_seeds_move_in_lockstep_then_lockstep_pairs_found() -> None:
    con = connection_with_events(population())
    pairs = lockstep_pairs(con, CFG.linkage, ["camp0", "camp1", "user01"])
    found = set(zip(pairs.column("a").to_pylist(), pairs.column("b").to_pylist(), strict=True))
    assert found == {("camp0", "camp1")}


def test_when_an_account_is_active_inside_another_s_long_run_then_no_lockstep() -> None:
    # A vendor's job runs every minute for six hours; a developer's 40 minutes of work fall
    # inside it. Every minute of the developer's is shared, but that is containment, not
    # two accounts switched on and off together (two bots on one schedule still are).
    rng = random.Random(5)
    job = [{"account_id": "vendor", "prompt": "p", "timestamp": T0 + timedelta(minutes=m)}
           for m in range(360)]
    work = [{"account_id": "dev", "prompt": "p", "timestamp": T0 + timedelta(minutes=m)}
            for m in sorted(rng.sample(range(360), 40))]
    schedule = sorted(rng.sample(range(2000), 60))
    bots = [{"account_id": f"bot{i}", "prompt": "p", "timestamp": T0 + timedelta(minutes=m)}
            for i in range(2) for m in schedule]
    # A quiet account far away sets the log's span (two days).
    late = [{"account_id": "late", "prompt": "p", "timestamp": T0 + timedelta(days=2)}]
    con = connection_with_events(job + work + bots + late)
    pairs = lockstep_pairs(con, CFG.linkage, ["vendor", "dev", "bot0", "bot1"])
    found = set(zip(pairs.column("a").to_pylist(), pairs.column("b").to_pylist(), strict=True))
    assert found == {("bot0", "bot1")}


def test_an_address_shared_with_a_proxy_rotator_links_no_one() -> None:
    # Two hydra accounts send every request through a new residential exit of one proxy
    # pool; one of those exits is a real person's home. The person and a hydra account
    # also share a popular app's system prompt. The person's address is no evidence
    # against them; the two rotators sharing exits share a pool.
    rows = []
    for h in range(2):
        for i in range(24):
            rows.append({"account_id": f"hydra{h}", "ip": f"198.51.{i}.7",
                         "system_prompt": "You are Pocket, a helpful assistant.",
                         "prompt": "p", "timestamp": T0 + timedelta(minutes=10 * i + h)})
    rows += [{"account_id": "home", "ip": "198.51.5.7", "prompt": "p",
              "system_prompt": "You are Pocket, a helpful assistant.",
              "timestamp": T0 + timedelta(hours=1, minutes=i)} for i in range(6)]
    rows += [{"account_id": f"user{i:02d}", "ip": f"10.9.{i}.1", "prompt": "p",
              "timestamp": T0 + timedelta(minutes=i)} for i in range(40)]
    con = connection_with_events(rows)
    links = link_accounts(con, CFG.linkage, 43, [])
    pairs = set(zip(links.pairs.column("a").to_pylist(), links.pairs.column("b").to_pylist(),
                    strict=True))
    assert ("hydra0", "hydra1") in pairs
    assert not {p for p in pairs if "home" in p}
    # The same from the profile's churn, as the scan passes it.
    names = ["home", "hydra0", "hydra1"] + [f"user{i:02d}" for i in range(40)]
    profile = pa.table({"account_id": names, "org_id": pa.nulls(43, pa.string()),
                        "ip_churn": [1 / 6, 1.0, 1.0] + [1.0] * 40,
                        "distinct_ips": [1, 24, 24] + [1] * 40})
    from_profile = link_accounts(connection_with_events(rows), CFG.linkage, 43, [],
                                 accounts=profile)
    assert set(zip(from_profile.pairs.column("a").to_pylist(),
                   from_profile.pairs.column("b").to_pylist(), strict=True)) == pairs
    # Without the proxy rule the person is linked to both (the same address, network and
    # system prompt, rare in this population).
    lax = replace(CFG.linkage, rotator_min_ips=10_000)
    lax_links = link_accounts(connection_with_events(rows), lax, 43, [])
    assert {p for p in zip(lax_links.pairs.column("a").to_pylist(),
                           lax_links.pairs.column("b").to_pylist(), strict=True)
            if "home" in p} == {("home", "hydra0"), ("home", "hydra1")}


def test_when_linked_group_is_suspicious_then_it_becomes_a_campaign_with_evidence() -> None:
    con, _ = links_for([])
    ids = con.execute(
        "SELECT DISTINCT account_id FROM events ORDER BY 1").to_arrow_table().column(0)
    ids = ids.combine_chunks()
    camp = np.char.startswith(np.asarray(ids.to_pylist(), dtype=str), "camp")
    own = np.where(camp, 0.5, 0.05)
    seeds = [a for a, r in zip(ids.to_pylist(), own, strict=True) if r >= 0.3]
    links = link_accounts(con, CFG.linkage, len(ids), seeds)
    # The campaign harvests: strong evidence each, a million tokens of long answers each.
    result = find_campaigns(ids, evidence(own, np.where(camp, 1.5, 0.0), 1e6), links,
                            CFG.scoring)
    assert len(result.records) == 1
    record = result.records[0].to_dict()  # as campaigns.json has it
    assert record["campaign_id"] == "C0001"
    assert record["accounts"] == [f"camp{i}" for i in range(5)]
    assert record["risk"] >= CFG.scoring.thresholds["block"]
    assert any("payment" in r for r in record["reasons"])
    add_evidence(con, result, CFG)
    record = result.records[0].to_dict()
    shown = record["evidence"]
    assert record["exchanges"] == 150
    kinds = {i["kind"] for i in shown["shared_indicators"]}
    assert {"payment_fingerprint", "ip_prefix"} <= kinds
    # personal values are hashed by default
    assert all(not i["value"].startswith("card-") for i in shown["shared_indicators"])
    assert shown["templates"][0]["accounts"] == 5
    assert sum(t["requests"] for t in shown["timeline"]) == 150


@pytest.mark.parametrize("member_risk", [0.0, 0.05])
def test_when_linked_group_is_ordinary_then_no_campaign(member_risk: float) -> None:
    con, _ = links_for([])
    ids = pa.array(sorted({r["account_id"] for r in population()}))
    own = np.full(len(ids), member_risk)
    links = link_accounts(con, CFG.linkage, len(ids), [])
    assert find_campaigns(ids, evidence(own), links, CFG.scoring).records == []


def test_when_a_linked_group_harvests_in_the_open_then_no_campaign() -> None:
    # The same shared cards and network, but the members harvest with nothing to hide
    # or coordinate beyond a card: an organisation's heavy users, not a campaign.
    con, _ = links_for([])
    ids = con.execute(
        "SELECT DISTINCT account_id FROM events ORDER BY 1").to_arrow_table().column(0)
    ids = ids.combine_chunks()
    names = np.asarray(ids.to_pylist(), dtype=str)
    team = np.char.startswith(names, "team")
    own = np.where(team, 0.5, 0.05)
    links = link_accounts(con, CFG.linkage, len(ids), names[team].tolist())
    result = find_campaigns(ids, evidence(own, np.where(team, 1.5, 0.0), 1e6), links,
                            CFG.scoring)
    assert not any(set(r.accounts) & set(names[team]) for r in result.records)


def _clique_edges(members: list[int], w: float) -> list[tuple[int, int, float]]:
    return [(i, j, w) for k, i in enumerate(members) for j in members[k + 1:]]


def test_when_two_campaigns_touch_through_one_link_then_louvain_splits_them() -> None:
    from distillguard.detect.campaigns import split_communities

    edges = _clique_edges(list(range(8)), 2.0) + _clique_edges(list(range(8, 16)), 2.0)
    edges.append((7, 8, 1.2))  # one shared proxy address
    a, b, w = (np.array(x) for x in zip(*edges, strict=True))
    labels = split_communities(np.zeros(16, dtype=np.int64), a, b, w, min_size=3,
                               resolution=1.0, min_modularity=0.3)
    assert len(set(labels[:8].tolist())) == 1 and len(set(labels[8:].tolist())) == 1
    assert labels[0] != labels[8]


def test_when_a_campaign_is_one_dense_group_then_it_stays_whole() -> None:
    from distillguard.detect.campaigns import split_communities

    edges = _clique_edges(list(range(12)), 2.0)
    a, b, w = (np.array(x) for x in zip(*edges, strict=True))
    labels = split_communities(np.zeros(12, dtype=np.int64), a, b, w, min_size=3,
                               resolution=1.0, min_modularity=0.3)
    assert set(labels.tolist()) == {0}


def test_accounts_registered_in_one_burst_share_a_signup_window() -> None:
    from distillguard.detect.linkage import build_indicators

    created = T0 - timedelta(days=3)
    rows = [{"account_id": f"farm{i}", "account_created_at": created + timedelta(minutes=i),
             "prompt": "p", "timestamp": T0 + timedelta(minutes=i)} for i in range(4)]
    rows += [{"account_id": f"user{i}", "account_created_at": created - timedelta(days=9 * i + 1),
              "prompt": "p", "timestamp": T0 + timedelta(minutes=i)} for i in range(4)]
    con = connection_with_events(rows)
    build_indicators(con, CFG.linkage)
    windows = con.execute(
        "SELECT value, list(account_id ORDER BY account_id) FROM account_indicators "
        "WHERE kind = 'signup_window' GROUP BY value HAVING count(*) > 1"
    ).fetchall()
    assert windows and windows[0][1] == ["farm0", "farm1", "farm2", "farm3"]


def test_the_clients_table_keeps_the_boilerplate_the_indicators_leave_out() -> None:
    from distillguard.detect.linkage import build_indicators

    rows = [{"account_id": f"a{i}", "user_agent": "python-requests/2.32.3" if i % 2 else "tool/1",
             "tls_fingerprint": "stack", "prompt": "p", "timestamp": T0} for i in range(6)]
    con = connection_with_events(rows)
    build_indicators(con, CFG.linkage)

    def agents(table: str) -> set[str]:
        return {value for (value,) in con.execute(
            f"SELECT DISTINCT value FROM {table} WHERE kind = 'user_agent'").fetchall()}

    assert agents("account_indicators") == {"tool/1"}
    assert agents("account_clients") == {"tool/1", "python-requests/2.32.3"}


def test_a_tooling_value_held_only_by_suspicious_accounts_weighs_as_if_unique() -> None:
    import dataclasses

    from distillguard.detect.linkage import build_indicators, weigh_indicators

    # Off by default (cohorts weigh shared values instead); the rule still works when on.
    linkage = dataclasses.replace(CFG.linkage, seed_exclusive_share=0.8)
    rows = [{"account_id": f"a{i}", "user_agent": "rare-tool/1" if i < 30 else "browser",
             "prompt": "p", "timestamp": T0} for i in range(200)]
    con = connection_with_events(rows)
    build_indicators(con, linkage)

    def weigh(seeds: list[str]) -> float:
        weigh_indicators(con, linkage, 200, seeds)
        row = con.execute(
            "SELECT weight FROM indicator_weights WHERE value = 'rare-tool/1'").fetchone()
        assert row is not None
        return float(row[0])

    ordinary = weigh([])
    suspicious = weigh([f"a{i}" for i in range(30)])
    assert suspicious == pytest.approx(CFG.linkage.indicators["user_agent"])
    assert ordinary < 0.5 * suspicious


def _links(pairs: list[tuple[str, str, float, list[str]]],
           hubs: list[tuple[str, str, float, bool]],
           places: list[tuple[str, str]] | None = None) -> Any:
    from distillguard.detect.linkage import Links

    a, b, w, kinds = (list(x) for x in zip(*pairs, strict=True)) if pairs else ([], [], [], [])
    pair_table = pa.table({"a": pa.array(a, pa.string()), "b": pa.array(b, pa.string()),
                           "weight": pa.array(w, pa.float64()),
                           "kinds": pa.array(kinds, pa.list_(pa.string()))})
    acc, hub, hw, core = (list(x) for x in zip(*hubs, strict=True)) if hubs else ([], [], [], [])
    hub_table = pa.table({"account_id": pa.array(acc, pa.string()),
                          "hub": pa.array(hub, pa.string()),
                          "weight": pa.array(hw, pa.float64()),
                          "core": pa.array(core, pa.bool_())})
    place_table = None if places is None else pa.table({
        "account_id": pa.array([p[0] for p in places], pa.string()),
        "network": pa.array([p[1] for p in places], pa.string())})
    return Links(pairs=pair_table, hubs=hub_table, places=place_table)


def test_a_signup_window_brings_no_one_into_a_campaign_by_itself() -> None:
    # Eight hydra accounts conceal behind one client stack and registered in one half
    # hour; two people who came to try a new model registered in the same half hour.
    hydra = [f"h{i}" for i in range(8)]
    tourists = ["t0", "t1"]
    ids = pa.array(hydra + tourists)
    hubs = ([(h, "tls_fingerprint:rare", 1.0, True) for h in hydra]
            + [(x, "signup_window:2026-11-09 23:00:00", 0.9, True) for x in hydra + tourists])
    own = np.array([0.2] * 8 + [0.1, 0.1])
    result = find_campaigns(ids, evidence(own, np.array([1.5] * 8 + [0.0, 0.0]), 1e6),
                            _links([], hubs), CFG.scoring)
    assert [sorted(r.accounts) for r in result.records] == [hydra]


def test_a_cohort_s_value_brings_in_only_holders_that_show_something() -> None:
    # Eight hydra accounts conceal behind one SDK build (a core hub) and rotate (own risk
    # 0.2); two newcomers on the same build show nothing else (own risk 0, no link), a
    # third shares an address with a hydra account.
    hydra = [f"h{i}" for i in range(8)]
    ids = pa.array([*hydra, "t0", "t1", "t2"])
    hubs = [(x, "user_agent:sdk/1.8.1", 1.0, True) for x in [*hydra, "t0", "t1", "t2"]]
    own = np.array([0.2] * 8 + [0.0, 0.0, 0.0])
    members = evidence(own, np.array([1.5] * 8 + [0.0] * 3), 1e6)
    result = find_campaigns(ids, members, _links([("h0", "t2", 0.6, ["ip"])], hubs),
                            CFG.scoring)
    assert [sorted(r.accounts) for r in result.records] == [sorted([*hydra, "t2"])]
    # With a signal of its own, a holder is a member again.
    members.own_risk[8] = CFG.scoring.hub_member_min_risk
    result = find_campaigns(ids, members, _links([("h0", "t2", 0.6, ["ip"])], hubs),
                            CFG.scoring)
    assert [sorted(r.accounts) for r in result.records] == [sorted([*hydra, "t0", "t2"])]


def test_shell_companies_sharing_rare_infrastructure_are_not_open() -> None:
    # Twelve accounts in four declared organisations (three each) share one rare
    # network and one template: not one organisation, even where Louvain cuts the group
    # along its organisations, and organisations do not share infrastructure.
    names = [f"s{i}" for i in range(12)]
    ids = pa.array(names)
    pairs = [(names[i], names[j], 2.0 if i // 3 == j // 3 else 0.3, ["ip_prefix", "template"])
             for i in range(12) for j in range(i + 1, 12)]
    own = np.full(12, 0.6)
    members = evidence(own, np.full(12, 1.5), 1e6)
    shells = MemberEvidence(own_risk=members.own_risk, harvest=members.harvest,
                            amplifier=members.amplifier, novel_tokens=members.novel_tokens,
                            org=np.repeat(np.arange(4), 3), declared=members.declared,
                            fresh=members.fresh)
    one_org = MemberEvidence(own_risk=members.own_risk, harvest=members.harvest,
                             amplifier=members.amplifier, novel_tokens=members.novel_tokens,
                             org=np.zeros(12, dtype=np.int64), declared=members.declared,
                             fresh=members.fresh)
    found = find_campaigns(ids, shells, _links(pairs, []), CFG.scoring)
    assert sorted(a for r in found.records for a in r.accounts) == sorted(names)
    assert all(r.risk >= CFG.scoring.thresholds["monitor"] for r in found.records)
    assert all(any("other declared organisations" in reason.text for reason in r.reasons)
               for r in found.records)
    # Cut along its organisations, each part of three is one organisation's: the shares
    # its reasons give are the linked group's, and they say so.
    assert len(found.records) == 4
    for record in found.records:
        texts = [reason.text for reason in record.reasons]
        assert any(t.startswith("75% of the accounts linked with it before its split belong "
                                "to other declared organisations") for t in texts)
        assert any(t.startswith("25% of the accounts linked with it before its split openly "
                                "belong to one organisation") for t in texts)
    # One organisation's own accounts sharing their network and template are an
    # organisation; so are established accounts with no organisation at all.
    assert find_campaigns(ids, one_org, _links(pairs, []), CFG.scoring).records == []
    assert find_campaigns(ids, members, _links(pairs, []), CFG.scoring).records == []
    # Developers at four companies using one coding agent from shared CI ranges are four
    # organisations too, but harvest nothing suspicious one by one.
    developers = MemberEvidence(own_risk=np.r_[0.6, np.full(11, 0.1)],
                                harvest=members.harvest, amplifier=members.amplifier,
                                novel_tokens=members.novel_tokens, org=shells.org,
                                declared=members.declared, fresh=members.fresh)
    # Twelve customers, each with its own corporate domain, are customers, not shells.
    customers = MemberEvidence(own_risk=members.own_risk, harvest=members.harvest,
                               amplifier=members.amplifier, novel_tokens=members.novel_tokens,
                               org=np.arange(12), declared=members.declared,
                               fresh=members.fresh)
    assert find_campaigns(ids, customers, _links(pairs, []), CFG.scoring).records == []
    everyone = [(x, y, 2.0, kinds) for x, y, _, kinds in pairs]  # one dense group
    assert find_campaigns(ids, developers, _links(everyone, []), CFG.scoring).records == []


def test_an_organisation_does_not_make_the_shells_beside_it_open() -> None:
    # Twelve strong harvesters sharing a rare network and templates, half of them in
    # lockstep: four in one declared organisation, eight in two others. The largest
    # organisation's third is open, but it does not explain the eight in other
    # organisations on the same infrastructure
    # (meridian's three invented labs were held at monitor by it, 0.57).
    def risk(open_share: float, other_orgs: float) -> float:
        group = {name: np.array([value]) for name, value in {
            "harvest_tokens": 5e7, "member_harvest": 3.0, "fresh": 0.0, "concealment": 0.0,
            "other_orgs": other_orgs, "suspicious_share": 1.0, "colocated": 0.0,
            "shared_payment": 0.0, "shared_network": 1.0, "lockstep": 0.5,
            "shared_template": 1.0, "signup_burst": 0.0, "member_amplifier": 1.0,
            "open": open_share}.items()}
        return float(group_risk(group, CFG.scoring)[0])

    shells_discount = 1 - risk(1 / 3, 2 / 3) / risk(0.0, 2 / 3)
    one_org_discount = 1 - risk(1 / 3, 0.0) / risk(0.0, 0.0)
    assert one_org_discount == pytest.approx(CFG.scoring.campaign_openness_weight / 3)
    assert shells_discount == pytest.approx(one_org_discount / 3)
    assert risk(1 / 3, 2 / 3) >= CFG.scoring.thresholds["review"]


def test_one_card_paying_for_strangers_who_harvest_a_little_is_reviewed() -> None:
    # Ten accounts with nothing in common on show (no organisation, no network, no sign-up
    # window, ordinary clients) pay with one card and each collect a few long answers
    # among ordinary chat: harrow's consumer mimicry, twenty such cards, was held at
    # monitor card by card. The same harvest shared only a network is not; a family of
    # four on one card that chats stays low.
    def risk(harvest_tokens: float, member_harvest: float, payment: float,
             network: float) -> float:
        group = {name: np.array([value]) for name, value in {
            "harvest_tokens": harvest_tokens, "member_harvest": member_harvest,
            "fresh": 1.0, "concealment": 0.0, "other_orgs": 0.0, "suspicious_share": 0.3,
            "colocated": 0.0, "shared_payment": payment, "shared_network": network,
            "lockstep": 0.0, "shared_template": 0.0, "signup_burst": 0.0,
            "member_amplifier": 1.0, "open": 0.0}.items()}
        return float(group_risk(group, CFG.scoring)[0])

    review = CFG.scoring.thresholds["review"]
    assert risk(1.1e5, 0.45, 1.0, 0.2) >= review
    assert risk(1.1e5, 0.45, 0.0, 1.0) < CFG.scoring.thresholds["monitor"]
    assert risk(3e3, 0.05, 1.0, 1.0) < CFG.scoring.thresholds["monitor"]
    # A card is no proof of harvest: the block threshold needs a larger one.
    assert risk(1.1e5, 0.45, 1.0, 0.2) < CFG.scoring.thresholds["block"]


def test_people_together_at_one_place_are_not_a_campaign_for_sharing_it() -> None:
    # Forty new accounts, registered in one hour, harvest long coding answers and share
    # their network, their sign-up window and a template: a hackathon on the venue's
    # Wi-Fi when they are all there, an operator's farm when each is elsewhere.
    names = [f"x{i:02d}" for i in range(40)]
    ids = pa.array(names)
    pairs = [(names[i], names[j], 1.5, ["ip_prefix", "signup_window", "template"])
             for i in range(40) for j in range(i + 1, 40)]
    members = evidence(np.full(40, 0.5), np.full(40, 1.0), 1e5)
    fresh = MemberEvidence(own_risk=members.own_risk, harvest=members.harvest,
                           amplifier=members.amplifier, novel_tokens=members.novel_tokens,
                           org=members.org, declared=members.declared,
                           fresh=np.ones(40, dtype=bool))
    venue = _links(pairs, [], [(x, "venue") for x in names])
    spread = _links(pairs, [], [(x, f"home-{i}") for i, x in enumerate(names)])
    unknown = _links(pairs, [])
    at_venue = find_campaigns(ids, fresh, venue, CFG.scoring).records
    elsewhere = find_campaigns(ids, fresh, spread, CFG.scoring).records
    assert len(elsewhere) == 1 and elsewhere[0].risk >= CFG.scoring.thresholds["review"]
    assert all(r.risk < CFG.scoring.thresholds["review"] for r in at_venue)
    assert find_campaigns(ids, fresh, unknown, CFG.scoring).records[0].risk == elsewhere[0].risk
    # What a place does not explain still counts: cards shared across its accounts.
    cards = [(x, y, w, [*kinds, "payment_fingerprint"]) for x, y, w, kinds in pairs]
    paid = find_campaigns(ids, fresh, _links(cards, [], [(x, "venue") for x in names]),
                          CFG.scoring).records
    assert paid[0].risk >= CFG.scoring.thresholds["review"]
    assert any("at one place" in r.text for r in paid[0].reasons)


def test_colocation_is_the_largest_share_of_members_on_one_network() -> None:
    from distillguard.detect.campaigns import _colocation

    ids = pa.array([f"a{i}" for i in range(6)])
    labels = np.array([0, 0, 0, 0, 1, 1])
    places = pa.table({"account_id": ["a0", "a1", "a2", "a2", "a4", "zz"],
                       "network": ["n1", "n1", "n1", "n2", "n9", "n1"]})
    size = np.bincount(labels).astype(float)
    assert _colocation(labels, ids, places, size).tolist() == [0.75, 0.0]
    together = pa.table({"account_id": ["a4", "a5"], "network": ["n9", "n9"]})
    assert _colocation(labels, ids, together, size).tolist() == [0.0, 1.0]
    # Members strongly suspicious on their own are not explained by the place.
    counted = np.array([True, False, True, True, True, True])
    assert _colocation(labels, ids, places, size, counted).tolist() == [0.5, 0.0]
    assert _colocation(labels, ids, None, size).tolist() == [0.0, 0.0]


def test_members_rotating_through_a_proxy_pool_conceal_as_a_cohort_does() -> None:
    # Twenty established accounts, no organisation, harvesting and sharing rare networks:
    # CI runners of one cloud provider rotate inside a few address blocks and hide
    # nothing; a hydra's residential proxy pool exits through many ISPs' blocks.
    names = [f"r{i:02d}" for i in range(20)]
    ids = pa.array(names)
    pairs = [(names[i], names[j], 1.5, ["ip_prefix"])
             for i in range(20) for j in range(i + 1, 20)]
    members = evidence(np.full(20, 0.5), np.full(20, 0.5), 1e6)
    ci = find_campaigns(ids, replace(members, proxy_pool=np.zeros(20)),
                        _links(pairs, []), CFG.scoring)
    assert ci.records == [] or ci.records[0].risk < CFG.scoring.thresholds["review"]
    assert find_campaigns(ids, members, _links(pairs, []), CFG.scoring).records == ci.records
    hydra = find_campaigns(ids, replace(members, proxy_pool=np.ones(20)),
                           _links(pairs, []), CFG.scoring).records
    assert len(hydra) == 1 and hydra[0].risk >= CFG.scoring.thresholds["review"]
    assert hydra[0].signals["concealment"] == 1.0
    assert any("proxy pool" in reason.text for reason in hydra[0].reasons)


def test_a_member_s_proxy_pool_is_its_rotation_times_its_spread_over_blocks() -> None:
    from distillguard.detect.campaigns import member_evidence
    from distillguard.detect.context import org_keys, with_business_context
    from distillguard.detect.profiles import build_profiles
    from distillguard.detect.scoring import score_accounts

    low, high = (int(CFG.scoring.signal_params[k]) for k in ("proxy_blocks_min",
                                                            "proxy_blocks_full"))
    # Each account sends 40 requests, each from a new address in a new /24, spread over
    # 2 blocks (CI of one provider), halfway between the ramp's ends, or 40 blocks.
    spread = {"ci": 2, "mid": (low + high) // 2, "pool": 40}
    rows = [{"account_id": name, "ip": f"{1 + i % k}.{i}.{i}.7", "prompt": f"q{i}",
             "timestamp": T0 + timedelta(minutes=i)}
            for name, k in spread.items() for i in range(40)]
    profile = with_business_context(build_profiles(connection_with_events(rows), CFG), None)
    profile = profile.append_column("org_key", org_keys(profile, []))
    scores = score_accounts(profile, CFG.scoring, {"ip", "prompt"})
    ids = profile.column("account_id").to_pylist()
    assert all(s == 1.0 for s in scores.strengths["ip_rotation"])
    pool = member_evidence(profile, scores, CFG.scoring).proxy_pool
    assert pool is not None
    got = dict(zip(ids, np.round(pool, 6).tolist(), strict=True))
    assert got == {"ci": 0.0, "mid": round(((low + high) // 2 - low) / (high - low), 6),
                   "pool": 1.0}


def test_a_young_organisation_whose_members_nearly_all_harvest_is_one_campaign() -> None:
    from distillguard.detect.campaigns import harvest_organisations

    # Eight accounts of one declared organisation, nothing shared that linkage keeps
    # (it drops links inside an organisation): each harvests strongly on its own.
    names = [f"o{i}" for i in range(8)]
    ids = pa.array(names)
    base = replace(evidence(np.full(8, 0.7), np.full(8, 1.5), 1e6),
                   org=np.zeros(8, dtype=np.int64))
    shell = replace(base, fresh=np.ones(8, dtype=bool))  # all first used when registered
    assert harvest_organisations(shell, CFG.scoring).all()
    found = find_campaigns(ids, shell, _links([], []), CFG.scoring).records
    assert [sorted(r.accounts) for r in found] == [names]
    assert found[0].risk >= CFG.scoring.thresholds["review"]
    assert found[0].signals["harvest_org"] == 1.0
    assert found[0].signals["open"] == 0.0
    assert any("organisation" in reason.text for reason in found[0].reasons)
    # A lab of years-old accounts running evaluations, a team with light and heavy
    # users, a new organisation too small to tell: no group from the organisation.
    lab = base
    team = replace(shell, own_risk=np.r_[np.full(6, 0.7), np.full(2, 0.05)])
    small = replace(shell, org=np.r_[np.zeros(4), np.ones(4)].astype(np.int64))
    for members in (lab, team, small):
        assert not harvest_organisations(members, CFG.scoring).any()
        assert find_campaigns(ids, members, _links([], []), CFG.scoring).records == []
    # Fronts added to a real customer's organisation: the customer's established,
    # unsuspicious account is not one of them.
    host = replace(shell, own_risk=np.r_[np.full(7, 0.7), 0.0],
                   fresh=np.r_[np.ones(7, dtype=bool), False])
    assert harvest_organisations(host, CFG.scoring).tolist() == [True] * 7 + [False]
    hosted = find_campaigns(ids, host, _links([], []), CFG.scoring).records
    assert [sorted(r.accounts) for r in hosted] == [names[:7]]
    # A hackathon: new accounts of one organisation, all harvesting long coding answers,
    # together on the venue's network with as many other people.
    crowd = [f"guest{i}" for i in range(8)]
    everyone = pa.array(names + crowd)
    at_event = replace(shell, **{k: np.r_[getattr(shell, k), v] for k, v in {
        "own_risk": np.zeros(8), "harvest": np.zeros(8), "amplifier": np.ones(8),
        "novel_tokens": np.zeros(8), "org": np.full(8, -1),
        "declared": np.zeros(8, dtype=bool), "fresh": np.ones(8, dtype=bool)}.items()})
    venue = _links([], [], [(x, "venue") for x in names + crowd])
    assert not harvest_organisations(at_event, CFG.scoring, venue.places, everyone).any()
    assert find_campaigns(everyone, at_event, venue, CFG.scoring).records == []
    # An operator's fronts on a server network of their own, or each at home, are not.
    for where in ([(x, "servers") for x in names], [(x, f"home-{i}") for i, x in enumerate(names)]):
        alone = _links([], [], where)
        assert harvest_organisations(shell, CFG.scoring, alone.places, ids).all()
    # Accounts with no organisation are never one by this rule.
    nobody = replace(shell, org=np.full(8, -1))
    assert not harvest_organisations(nobody, CFG.scoring).any()


def test_harvest_organisations_on_one_operator_s_client_are_one_campaign() -> None:
    # Ten fronts of one operator (six accounts each) all run its agent over Node's
    # stack; two fronts of another operator run a Python client. No rare value links
    # any of them: the client is popular, and linkage drops links inside organisations.
    orgs = 12
    names = [f"f{o:02d}x{i}" for o in range(orgs) for i in range(6)]
    ids = pa.array(names)
    members = replace(evidence(np.full(len(names), 0.7), np.full(len(names), 1.5), 1e6),
                      org=np.repeat(np.arange(orgs), 6), fresh=np.ones(len(names), dtype=bool))
    first = [n for n in names if int(n[1:3]) < 10]
    clients = pa.table({
        "account_id": names + names,
        "client": (["tls_fingerprint:node"] * len(first) + ["tls_fingerprint:python"] * 12
                   + [f"user_agent:{'agent' if i % 2 else 'cli'}/1.0" for i in range(60)]
                   + ["user_agent:python-sdk/2.1"] * 12)})
    linked = replace(_links([], []), clients=clients)
    found = find_campaigns(ids, members, linked, CFG.scoring).records
    assert sorted(sorted(r.accounts) for r in found) == [first, names[60:]]
    assert all(r.risk >= CFG.scoring.thresholds["review"] for r in found)
    # Without their clients each front is a campaign of its own.
    assert len(find_campaigns(ids, members, _links([], []), CFG.scoring).records) == orgs


def test_fronts_join_fronts_not_a_group_they_are_only_part_of() -> None:
    # Ten fronts on Node's stack; and a group of six linked accounts in no organisation
    # with one more front's six members among them, on the same stack (alike enough in
    # kit to join, were it a front).
    fronts = [f"f{o:02d}x{i}" for o in range(11) for i in range(6)]
    others = [f"y{i:02d}" for i in range(6)]
    names = fronts + others
    ids = pa.array(names)
    members = replace(evidence(np.full(len(names), 0.7), np.full(len(names), 1.5), 1e6),
                      org=np.r_[np.repeat(np.arange(11), 6), np.full(6, -1)],
                      fresh=np.ones(len(names), dtype=bool))
    mixed = fronts[60:] + others
    pairs = [(x, y, 2.0, ["ip_prefix"]) for k, x in enumerate(mixed) for y in mixed[k + 1:]]
    clients = pa.table({"account_id": fronts, "client": ["tls_fingerprint:node"] * 66})
    found = find_campaigns(ids, members, replace(_links(pairs, []), clients=clients),
                           CFG.scoring).records
    assert sorted(sorted(r.accounts) for r in found) == [fronts[:60], sorted(mixed)]


def test_a_parts_openness_taken_from_its_linked_group_says_so() -> None:
    # A part of three split from a linked group of shells: its openness and its share in
    # other organisations are the linked group's (20 % and 73 %), which no part of three
    # could have; the reasons name whose shares they are.
    signals = {"harvest_tokens": 1.5e6, "member_harvest": 3.2, "member_risk": 0.99,
               "suspicious_share": 1.0, "open": 0.2, "other_orgs": 0.73}
    linked = campaign_reasons(3, {**signals, "open_linked": 1.0, "other_orgs_linked": 1.0})
    own = campaign_reasons(3, {**signals, "open_linked": 0.0, "other_orgs_linked": 0.0})
    text = {r.signal: r.text for r in linked}
    assert text["open"].startswith(
        "20% of the accounts linked with it before its split openly belong")
    assert text["other_orgs"].startswith(
        "73% of the accounts linked with it before its split belong to other declared")
    own_text = {r.signal: r.text for r in own}
    assert own_text["open"].startswith("20% of members openly belong")
    assert own_text["other_orgs"].startswith("73% of members belong to other declared")


def test_people_on_an_operators_carrier_addresses_are_bystanders_not_members() -> None:
    # Six gig workers paste an operator's tasks, paying with one stipend card from three
    # countries (a concealing cohort: border); they share carrier addresses with three
    # people who chat and harvest nothing (own risk 0), one of whom also uses the same
    # phone's client. A seventh worker without the card shares addresses with two
    # workers, and harvests on its own (own risk at monitor): it stays in the group.
    workers = [f"w{i}" for i in range(7)]
    people = ["p0", "p1", "p2"]
    ids = pa.array(workers + people)
    card = [(workers[i], workers[j], 2.0, ["payment_fingerprint"])
            for i in range(6) for j in range(i + 1, 6)]
    address = ["ip", "ip_prefix"]
    carrier = [("w0", "p0", 1.3, address), ("p0", "w3", 1.3, address),
               ("w1", "p1", 1.3, address), ("p1", "w4", 1.3, address),
               ("w1", "p2", 1.4, [*address, "user_agent"]), ("p2", "w5", 1.3, address),
               ("w2", "w6", 1.3, address), ("w5", "w6", 1.3, address)]
    hubs = [(w, "payment_fingerprint:stipend", 1.0, True) for w in workers[:6]]
    # Each at a place (a home, a carrier's network): none rotates through a proxy pool.
    places = [(x, f"net-{i}") for i, x in enumerate(workers + people)]
    links = _links(card + carrier, hubs, places)
    links = replace(links, cohorts=pa.table({
        "kind": ["payment_fingerprint"], "value": ["stipend"], "border_excess": [1.0]}))
    own = np.array([0.2] * 6 + [0.35] + [0.0] * 3)
    harvest = np.r_[np.full(7, 0.5), np.zeros(3)]
    found = find_campaigns(ids, evidence(own, harvest, 2e4), links, CFG.scoring)
    assert [sorted(r.accounts) for r in found.records] == [workers]
    record = found.records[0]
    assert record.risk >= CFG.scoring.thresholds["review"]
    assert any(reason.text.startswith("6 of 7 accounts pay with a card that accounts of no "
                                      "one organisation use from two or more countries")
               for reason in record.reasons)
    # Tied by the card alone, without its countries, the workers are not concealing: a
    # group, but with too little harvest for review.
    plain = find_campaigns(ids, evidence(own, harvest, 2e4),
                           _links(card + carrier, [], places), CFG.scoring)
    assert all(r.risk < CFG.scoring.thresholds["review"] for r in plain.records)
    # Accounts that rotate through a proxy pool are at no place: the exits they share
    # with the group are its operator's, and they stay in it.
    rotating = find_campaigns(ids, evidence(own, harvest, 2e4),
                              replace(links, places=_links([], [], places[:7]).places),
                              CFG.scoring)
    assert [sorted(r.accounts) for r in rotating.records] == [sorted(workers + people)]
