"""The no-split test before Louvain: an exact bound, so skipping never changes a split."""

from __future__ import annotations

import numpy as np
import pytest

from distillguard.detect import campaigns
from distillguard.detect.campaigns import _modularity, modularity_upper_bound, split_communities


def random_graph(rng: np.random.Generator, n: int, density: float, groups: int
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Edges ``a < b``: dense inside ``groups`` blocks, sparse between them."""
    block = rng.integers(0, groups, n)
    a, b = np.triu_indices(n, k=1)
    inside = block[a] == block[b]
    keep = rng.random(len(a)) < np.where(inside, density, density / 8)
    return a[keep], b[keep], rng.uniform(1.2, 3.0, int(keep.sum()))


@pytest.mark.parametrize("seed", range(12))
def test_no_partition_beats_the_bound(seed: int) -> None:
    rng = np.random.default_rng(seed)
    a, b, w = random_graph(rng, int(rng.integers(8, 60)), float(rng.uniform(0.3, 0.9)),
                           int(rng.integers(1, 4)))
    bound = modularity_upper_bound(a, b, w)
    nodes = np.unique(np.concatenate([a, b]))
    import networkx as nx

    graph = nx.Graph()
    graph.add_weighted_edges_from(zip(a.tolist(), b.tolist(), w.tolist(), strict=True))
    louvain = nx.community.louvain_communities(graph, seed=0)
    assert _modularity(louvain, a, b, w) <= bound
    for parts in range(2, 6):  # random partitions too
        label = rng.integers(0, parts, len(nodes))
        partition = [set(nodes[label == p].tolist()) for p in range(parts) if (label == p).any()]
        assert _modularity(partition, a, b, w) <= bound


def test_a_dense_group_cannot_split_and_two_joined_cliques_can() -> None:
    members = np.arange(12)
    a, b = np.triu_indices(12, k=1)
    assert modularity_upper_bound(members[a], members[b], np.full(len(a), 2.0)) < 0.01
    a2, b2 = np.triu_indices(8, k=1)
    a = np.concatenate([a2, a2 + 8, [7]])
    b = np.concatenate([b2, b2 + 8, [8]])
    assert modularity_upper_bound(a, b, np.ones(len(a))) > 0.45


def _split_with_louvain_always(monkeypatch: pytest.MonkeyPatch, *args: object,
                               **kwargs: object) -> np.ndarray:
    with monkeypatch.context() as patch:
        patch.setattr(campaigns, "modularity_upper_bound", lambda *_a, **_k: np.inf)
        return split_communities(*args, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", range(10))
def test_split_is_the_same_with_and_without_the_bound(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = np.random.default_rng(100 + seed)
    n = int(rng.integers(20, 80))
    a, b, w = random_graph(rng, n, float(rng.uniform(0.4, 0.9)), int(rng.integers(1, 4)))
    labels = np.zeros(n, dtype=np.int64)
    options = {"min_size": 3, "resolution": 1.0, "min_modularity": float(rng.uniform(0.05, 0.4))}
    expected = _split_with_louvain_always(monkeypatch, labels, a, b, w, **options)
    assert np.array_equal(split_communities(labels, a, b, w, **options), expected)


def test_a_group_too_large_for_the_dense_bound_runs_louvain(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(campaigns, "MODULARITY_BOUND_MAX_NODES", 5)
    a, b = np.triu_indices(8, k=1)
    assert modularity_upper_bound(a, b, np.ones(len(a))) == np.inf
    assert modularity_upper_bound(a[:3], b[:3], np.ones(3), min_size=3) == -np.inf


def test_a_group_held_together_only_by_zero_weight_links_stays_whole() -> None:
    # Found on a held-out scenario: networkx's modularity divides by the total weight.
    a, b = np.triu_indices(8, k=1)
    labels = np.zeros(8, dtype=np.int64)
    split = split_communities(labels, a, b, np.zeros(len(a)), min_size=3, resolution=1.0,
                              min_modularity=0.1)
    assert np.array_equal(split, labels)


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
