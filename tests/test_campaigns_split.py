"""Louvain splits of linked groups, and the rejoining of an operator's parts."""

from __future__ import annotations

import numpy as np
import pytest

from distillguard.detect import campaigns
from distillguard.detect.campaigns import _modularity, split_communities


def random_graph(rng: np.random.Generator, n: int, density: float, groups: int
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Edges ``a < b``: dense inside ``groups`` blocks, sparse between them."""
    block = rng.integers(0, groups, n)
    a, b = np.triu_indices(n, k=1)
    inside = block[a] == block[b]
    keep = rng.random(len(a)) < np.where(inside, density, density / 8)
    return a[keep], b[keep], rng.uniform(1.2, 3.0, int(keep.sum()))


def _two_cliques_and_a_bridge() -> tuple[np.ndarray, np.ndarray]:
    a2, b2 = np.triu_indices(8, k=1)
    return np.concatenate([a2, a2 + 8, [7]]), np.concatenate([b2, b2 + 8, [8]])


def test_louvain_finds_two_cliques_joined_by_one_link() -> None:
    a, b = _two_cliques_and_a_bridge()
    parts = campaigns.louvain_parts(a, b, np.ones(len(a)), 1.0)
    assert sorted(map(sorted, parts)) == [list(range(8)), list(range(8, 16))]
    # Node ids need not be dense: only the graph's own nodes are numbered.
    parts = campaigns.louvain_parts(a * 10 + 5, b * 10 + 5, np.ones(len(a)), 1.0)
    assert sorted(map(sorted, parts)) == [list(range(5, 80, 10)), list(range(85, 160, 10))]


@pytest.mark.parametrize("seed", range(8))
def test_louvain_is_as_modular_as_networkx(seed: int) -> None:
    rng = np.random.default_rng(seed)
    a, b, w = random_graph(rng, int(rng.integers(20, 80)), float(rng.uniform(0.3, 0.9)),
                           int(rng.integers(2, 5)))
    import networkx as nx

    graph = nx.Graph()
    graph.add_weighted_edges_from(zip(a.tolist(), b.tolist(), w.tolist(), strict=True))
    reference = _modularity(nx.community.louvain_communities(graph, seed=0), a, b, w)
    parts = campaigns.louvain_parts(a, b, w, 1.0)
    assert set().union(*parts) == set(np.concatenate([a, b]).tolist())
    assert sum(map(len, parts)) == len(set().union(*parts))  # a partition
    assert _modularity(parts, a, b, w) >= reference - 0.02


@pytest.mark.parametrize("seed", range(6))
def test_louvain_does_not_depend_on_the_order_of_the_links(seed: int) -> None:
    # DuckDB returns links in no fixed order; the same graph must part the same way, even
    # where its structure is weak and many partitions are nearly as good.
    rng = np.random.default_rng(200 + seed)
    n = int(rng.integers(60, 120))
    a, b = np.triu_indices(n, k=1)
    keep = rng.random(len(a)) < 0.15
    a, b = a[keep], b[keep]
    w = rng.uniform(0.5, 3.0, len(a))
    expected = sorted(map(sorted, campaigns.louvain_parts(a, b, w, 1.0)))
    order = rng.permutation(len(a))
    swap = rng.random(len(a)) < 0.5  # either end first
    shuffled = campaigns.louvain_parts(np.where(swap, b, a)[order], np.where(swap, a, b)[order],
                                       w[order], 1.0)
    assert sorted(map(sorted, shuffled)) == expected


def test_a_group_held_together_only_by_zero_weight_links_stays_whole() -> None:
    # Found on a held-out scenario: networkx's modularity divides by the total weight.
    a, b = np.triu_indices(8, k=1)
    labels = np.zeros(8, dtype=np.int64)
    split = split_communities(labels, a, b, np.zeros(len(a)), min_size=3, resolution=1.0,
                              min_modularity=0.1)
    assert np.array_equal(split, labels)


def test_a_small_operator_no_link_joins_to_a_large_one_parts_from_it() -> None:
    # Saltmarsh: 380 accounts grouped with a 1,400-account hydra by a sign-up half hour,
    # which takes no part in the split. Cutting them off raises modularity by only
    # 2 f (1 - f) of the weight (here under 0.1), but nothing of the split links them.
    big_a, big_b = np.triu_indices(40, k=1)
    small_a, small_b = np.triu_indices(4, k=1)
    a = np.concatenate([big_a, small_a + 40])
    b = np.concatenate([big_b, small_b + 40])
    labels = np.zeros(45, dtype=np.int64)  # account 44: grouped, linked to no one
    split = split_communities(labels, a, b, np.ones(len(a)), min_size=3, resolution=1.0,
                              min_modularity=0.3)
    assert len(set(split[:40].tolist())) == 1 and len(set(split[40:44].tolist())) == 1
    assert split[0] != split[40]
    assert split[44] == split[0]  # the unlinked stay with the largest piece
    # A piece under min_size stays with the largest too.
    tiny = split_communities(labels[:42], np.concatenate([big_a, [40]]),
                             np.concatenate([big_b, [41]]), np.ones(len(big_a) + 1),
                             min_size=3, resolution=1.0, min_modularity=0.3)
    assert len(set(tiny.tolist())) == 1


def _clique_and_a_loose_star() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Education, seed 15: twelve accounts of one operator in a clique (0-11); eleven of
    another's (12-22) around one system prompt (hub node 53) that one of the twelve (0)
    also sent; thirty more of the second (23-52) held only by zero-weight ties (hub node
    54: their student e-mail domain's cohort) to one another and to the eleven."""
    ca, cb = np.triu_indices(12, k=1)
    star = np.arange(12, 23)
    loose = np.arange(23, 53)
    a = np.concatenate([ca, star, [0], loose, star])
    b = np.concatenate([cb, np.full(11, 53), [53], np.full(30, 54), np.full(11, 54)])
    w = np.concatenate([np.full(len(ca), 2.0), np.full(12, 0.75), np.zeros(41)])
    return a, b, w


def test_a_small_group_hanging_off_a_large_one_by_one_value_parts_from_it() -> None:
    a, b, w = _clique_and_a_loose_star()
    labels = np.zeros(55, dtype=np.int64)
    positive = w > 0
    parts = campaigns.louvain_parts(a[positive], b[positive], w[positive], 1.0)
    assert _modularity(parts, a[positive], b[positive], w[positive]) < 0.3  # the old rule
    whole = split_communities(labels, a, b, w, min_size=3, resolution=1.0,
                              min_modularity=0.3, accounts=53)
    assert len(set(whole[:53].tolist())) == 1
    split = split_communities(labels, a, b, w, min_size=3, resolution=1.0,
                              min_modularity=0.3, accounts=53, max_conductance=0.1,
                              merge_association=0.2)
    assert len(set(split[:12].tolist())) == 1 and len(set(split[12:53].tolist())) == 1
    assert split[0] != split[12]
    # The thirty held by zero-weight ties follow them to the eleven, not to the clique.
    assert split[30] == split[12]


def test_a_dense_block_louvain_cuts_in_two_is_not_parted_by_conductance() -> None:
    # Two halves of one operator, interlinked at a third of the density inside them:
    # Louvain may cut them, modularity is low, but neither half stands apart.
    rng = np.random.default_rng(5)
    a, b = np.triu_indices(24, k=1)
    same = (a < 12) == (b < 12)
    keep = rng.random(len(a)) < np.where(same, 0.9, 0.3)
    a, b = a[keep], b[keep]
    w = np.ones(len(a))
    labels = np.zeros(24, dtype=np.int64)
    split = split_communities(labels, a, b, w, min_size=3, resolution=1.0,
                              min_modularity=0.3, max_conductance=0.1,
                              merge_association=0.2)
    assert len(set(split.tolist())) == 1


def _three_parts() -> np.ndarray:
    """Nine accounts split into three parts of three (labels 0, 1, 2)."""
    return np.repeat(np.arange(3), 3)


def test_parts_bridged_by_several_concealing_values_are_one_operator() -> None:
    # Three proxy networks, each used by a member of part 0 and one of part 1; part 2
    # shares one network with part 1 only.
    hub_accounts = np.array([0, 3, 1, 4, 2, 5, 6, 7])
    hub_index = np.array([0, 0, 1, 1, 2, 2, 3, 3])
    joined = campaigns.rejoin_parts(_three_parts(), hub_accounts, hub_index, share=0.9,
                                    min_bridges=3)
    assert joined[0] == joined[3] and joined[0] != joined[6]
    # Two bridges are not enough (two operators may share a value or two).
    apart = campaigns.rejoin_parts(_three_parts(), hub_accounts[2:], hub_index[2:],
                                   share=0.9, min_bridges=3)
    assert len(set(apart.tolist())) == 3
    # Without bridges counted, only covering hubs join parts.
    assert len(set(campaigns.rejoin_parts(_three_parts(), hub_accounts, hub_index,
                                          share=0.9).tolist())) == 3


def test_hubs_that_do_not_bridge_are_not_counted() -> None:
    hub_accounts = np.array([0, 3, 1, 4, 2, 5])
    hub_index = np.array([0, 0, 1, 1, 2, 2])
    bridging = np.array([True, True, False])  # the third is a sign-up window
    joined = campaigns.rejoin_parts(_three_parts(), hub_accounts, hub_index, share=0.9,
                                    min_bridges=3, bridging=bridging)
    assert joined[0] != joined[3]


def test_parts_sharing_a_tool_but_not_their_kit_stay_apart() -> None:
    # Four parts of four. Hub 0 (a scraping library's TLS stack) covers every part;
    # hub 1 (an agent framework's prompt) covers parts 0 and 1, hub 2 (a proxy pool)
    # covers parts 0 and 1 too: parts 0 and 1 are one operator's kit, parts 2 and 3
    # only share the library with them (and hub 3 with each other).
    labels = np.repeat(np.arange(4), 4)
    everyone = np.arange(16)
    pair = np.arange(8)
    rest = np.arange(8, 16)
    hub_accounts = np.concatenate([everyone, pair, pair, rest])
    hub_index = np.repeat([0, 1, 2, 3], [16, 8, 8, 8])
    joined = campaigns.rejoin_parts(labels, hub_accounts, hub_index, share=0.5,
                                    min_similarity=0.5, min_kit_part=3)
    assert joined[0] == joined[4]
    assert joined[8] == joined[12]
    assert joined[0] != joined[8]
    # Unchecked (similarity 0), the shared library joins all four, as before.
    assert len(set(campaigns.rejoin_parts(labels, hub_accounts, hub_index, share=0.5,
                                          ).tolist())) == 1
    # Kits are compared on bridging hubs only: sign-up windows are no kit.
    window_only = campaigns.rejoin_parts(labels, np.arange(8), np.zeros(8, dtype=np.int64),
                                         share=0.5, min_similarity=0.5, min_kit_part=3,
                                         bridging=np.array([False]))
    assert window_only[0] == window_only[4]


def test_kit_similarity_is_weighted_jaccard() -> None:
    assert campaigns._kit_similarity({0: 1.0, 1: 0.5}, {0: 0.5, 1: 0.5}) == pytest.approx(2 / 3)
    assert campaigns._kit_similarity({0: 1.0}, {1: 1.0}) == 0.0
    assert campaigns._kit_similarity(None, {}) == 1.0


def test_a_mixed_part_cannot_chain_two_operators() -> None:
    # Parts M (0-5), A (6-9), B (10-13) all hold hub 0 (a shared library). A holds hub 1,
    # B hub 2; M, a part Louvain left mixed, holds half of each. M is alike to A and to
    # B, but once A joins it, the pooled kit of M and A is not B's.
    labels = np.repeat(np.arange(3), [6, 4, 4])
    hub_accounts = np.concatenate([np.arange(14), [0, 1, 2, 6, 7, 8, 9],
                                   [3, 4, 5, 10, 11, 12, 13]])
    hub_index = np.repeat([0, 1, 2], [14, 7, 7])
    joined = campaigns.rejoin_parts(labels, hub_accounts, hub_index, share=0.5,
                                    min_similarity=0.5, min_kit_part=3)
    assert joined[0] == joined[6]
    assert joined[10] != joined[0]
    # A prior on both sums makes weak kits alike: with a large one, B joins too.
    assert len(set(campaigns.rejoin_parts(labels, hub_accounts, hub_index, share=0.5,
                                          min_similarity=0.5, min_kit_part=3,
                                          kit_prior=5.0).tolist())) == 1


def test_values_outside_the_kit_do_not_tell_parts_apart() -> None:
    # Hub 1 (a co-timed group) covers part 0 fully and part 1 by half; as a kit value it
    # keeps them apart, outside the kit it does not.
    labels = np.repeat(np.arange(2), 4)
    hub_accounts = np.concatenate([np.arange(8), [0, 1, 2, 3, 4, 5]])
    hub_index = np.repeat([0, 1], [8, 6])
    kept = campaigns.rejoin_parts(labels, hub_accounts, hub_index, share=0.5,
                                  min_similarity=0.9, min_kit_part=3)
    assert kept[0] != kept[4]
    joined = campaigns.rejoin_parts(labels, hub_accounts, hub_index, share=0.5,
                                    min_similarity=0.9, min_kit_part=3,
                                    kit_values=np.array([True, False]))
    assert joined[0] == joined[4]


def test_a_card_batch_holding_two_client_builds_makes_them_one_kit() -> None:
    # A hydra runs client build 1 (hub 1) in one sign-up wave (part A, 0-5) and build 2
    # (hub 2) in the next (part B, 6-11); card batch M (12-15, card hub 3) spans both
    # waves, half on each build.
    labels = np.repeat(np.arange(3), [6, 6, 4])
    hub_accounts = np.concatenate([np.arange(6), [12, 13], np.arange(6, 12), [14, 15],
                                   np.arange(12, 16)])
    hub_index = np.repeat([1, 2, 3], [8, 8, 4])
    card = np.array([False, False, False, True])
    joined = campaigns.rejoin_parts(labels, hub_accounts, hub_index, share=0.5,
                                    min_similarity=0.6, min_kit_part=3,
                                    owner_values=card, owner_share=0.9)
    assert len(set(joined.tolist())) == 1
    # Without the card as an owner, the builds are two kits: the three parts stay apart.
    assert len(set(campaigns.rejoin_parts(labels, hub_accounts, hub_index, share=0.5,
                                          min_similarity=0.6, min_kit_part=3).tolist())) == 3
    # A card held by half the batch does not make it one payer's.
    half = np.concatenate([hub_accounts[:-2], [15]]), np.concatenate([hub_index[:-2], [3]])
    assert len(set(campaigns.rejoin_parts(labels, half[0], half[1], share=0.5,
                                          min_similarity=0.6, min_kit_part=3,
                                          owner_values=card, owner_share=0.9).tolist())) == 3


def test_values_a_card_batch_holds_together_are_not_made_one() -> None:
    # Operators A (0-5) and B (6-11) both use a scraping library (hub 0) beside prompts
    # of their own (hubs 1 and 2). Card batch M (12-15, card hub 3) is A's: it holds the
    # library and A's prompt together, which says nothing about B.
    labels = np.repeat(np.arange(3), [6, 6, 4])
    hub_accounts = np.concatenate([np.arange(16), np.arange(6), np.arange(12, 16),
                                   np.arange(6, 12), np.arange(12, 16)])
    hub_index = np.repeat([0, 1, 2, 3], [16, 10, 6, 4])
    card = np.array([False, False, False, True])
    kinds = np.array([0, 1, 1, 2])  # a TLS stack, two system prompts, a card
    joined = campaigns.rejoin_parts(labels, hub_accounts, hub_index, share=0.5,
                                    min_similarity=0.6, min_kit_part=3,
                                    owner_values=card, owner_share=0.9, value_kinds=kinds)
    assert joined[0] == joined[12] and joined[0] != joined[6]
