"""Campaigns: groups of linked accounts that one operator runs, scored as a group.

Linked accounts (see :mod:`distillguard.detect.linkage`) form a graph; its connected components
that contain at least one suspicious account are candidate campaigns. A campaign's risk
combines its members' behaviour ``B`` with what only a group shows ``C`` (shared payment,
shared networks, lockstep timing, shared templates, size): ``1 - exp(-B * (1 + C))``. A
tightly linked group of ordinary accounts (a university behind one NAT, a company team)
has small ``B`` and stays low; a loose group of individually mild accounts that share
cards and move in lockstep is pulled up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from distillguard.config import Config, ScoringConfig
from distillguard.detect.indicators import (
    ADDRESS_KINDS,
    GROUP_SIGNALS,
    LOCKSTEP,
    group_signal_kinds,
)
from distillguard.detect.linkage import COTIMING_HUB, Links
from distillguard.detect.scoring import AccountScores, novel_harvest_tokens
from distillguard.privacy import display_value
from distillguard.schema import Campaign, Reason

#: Group signals and the link kinds that evidence them (:mod:`~distillguard.detect.indicators`).
KIND_SIGNALS: dict[str, tuple[str, ...]] = group_signal_kinds()
#: Hub kind of a harvest organisation (:func:`harvest_organisations`).
HARVEST_ORG_HUB = "harvest_org"
#: Group signal: members paying with a card strangers use from several countries (a part
#: of ``concealment``, stated on its own in the reasons).
BORDER_PAYMENT = "border_payment"
#: Links that tie an account to a group by more than a place, whatever else it shares
#: with the group: paying with one card, acting in lockstep. (A system prompt or a client
#: can be a popular app's, which its users share with an operator's workers using it.)
HELD_TIES: tuple[str, ...] = ("payment_fingerprint", LOCKSTEP)


@dataclass
class Campaigns:
    """Campaign assignment per account, and one record per campaign."""

    campaign_of: np.ndarray  # object array: campaign id or None, per account
    campaign_risk: np.ndarray  # per account; 0 outside campaigns
    records: list[Campaign] = field(default_factory=list)
    #: per account: a member of a harvest organisation (:func:`harvest_organisations`)
    fronts: np.ndarray | None = None


def _ramp(x: np.ndarray, lo: float, hi: float) -> np.ndarray:
    return np.clip((x - lo) / (hi - lo), 0.0, 1.0)


def _indices(values: pa.ChunkedArray | pa.Array, account_ids: pa.Array) -> np.ndarray:
    return np.asarray(pc.index_in(values, value_set=account_ids).to_numpy(False), dtype=np.int64)


def _pairs_with_kind(pairs: pa.Table, wanted: tuple[str, ...]) -> np.ndarray:
    """Per pair: does its ``kinds`` list hold one of ``wanted``."""
    hit = np.zeros(pairs.num_rows, dtype=bool)
    if pairs.num_rows == 0:
        return hit
    kinds = pa.concat_arrays(pairs.column("kinds").chunks)
    named = pc.is_in(pc.list_flatten(kinds), value_set=pa.array(wanted, pa.string()))
    parent = np.asarray(pc.list_parent_indices(kinds), dtype=np.int64)
    hit[parent[np.asarray(named, dtype=bool)]] = True
    return hit


def group_accounts(
    n: int, seeds: np.ndarray, a: np.ndarray, b: np.ndarray, weight: np.ndarray,
    hub_accounts: np.ndarray, hub_index: np.ndarray, attach_weight: float,
    attaching: np.ndarray | None = None,
) -> np.ndarray:
    """Component label per account: seed cores, then strongly linked accounts attached.

    Cores are the connected components of the graph restricted to suspicious (seed)
    accounts, so a chain of ordinary accounts cannot merge two campaigns or pull a
    crowd of ordinary users into one. A non-seed account joins the core it is most
    strongly linked to, when that link weighs at least ``attach_weight``, or holds a
    hub that seeds hold (of those ``attaching`` says attach, per hub; default all).
    """
    core_edge = seeds[a] & seeds[b]
    hub_seed = seeds[hub_accounts] if len(hub_accounts) else np.zeros(0, dtype=bool)
    n_hubs = int(hub_index.max()) + 1 if len(hub_index) else 0
    rows = np.concatenate([a[core_edge], hub_accounts[hub_seed]])
    cols = np.concatenate([b[core_edge], n + hub_index[hub_seed]])
    graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n + n_hubs, n + n_hubs))
    _, labels = connected_components(graph, directed=False)
    labels = labels.astype(np.int64)
    hub_label = labels[n:]
    labels = labels[:n].copy()
    # Attach non-seeds: candidate (account, core, weight) from seed neighbours and hubs.
    one_side = seeds[a] ^ seeds[b]
    outsider = np.where(seeds[a[one_side]], b[one_side], a[one_side])
    core = labels[np.where(seeds[a[one_side]], a[one_side], b[one_side])]
    w = weight[one_side]
    hub_out = ~hub_seed & np.isin(hub_index, np.unique(hub_index[hub_seed]))
    if attaching is not None and len(hub_index):
        hub_out &= attaching[hub_index]
    if hub_out.any():
        outsider = np.concatenate([outsider, hub_accounts[hub_out]])
        core = np.concatenate([core, hub_label[hub_index[hub_out]]])
        w = np.concatenate([w, np.full(int(hub_out.sum()), attach_weight)])
    if len(outsider):
        keys, inverse = np.unique(np.stack([outsider, core]), axis=1, return_inverse=True)
        total = np.bincount(inverse.ravel(), weights=w)
        order = np.lexsort((-total, keys[0]))  # per outsider, heaviest core first
        first = order[np.r_[True, keys[0][order][1:] != keys[0][order][:-1]]]
        strong = first[total[first] >= attach_weight]
        labels[keys[0][strong]] = keys[1][strong]
    return labels


def split_communities(
    labels: np.ndarray, a: np.ndarray, b: np.ndarray, weight: np.ndarray, *,
    min_size: int, resolution: float, min_modularity: float, accounts: int | None = None,
    max_conductance: float = 0.0, merge_association: float = 1.0,
) -> np.ndarray:
    """Split groups that hold several operators: Louvain on each group's weighted links.

    Two campaigns can touch through one shared value (the same proxy provider, a leaked
    template, a common client stack) and land in one connected group. Louvain
    communities (:func:`louvain_parts`) separate them when the partition is clearly
    modular (modularity at least ``min_modularity``) and every part is still a
    campaign-sized group; otherwise the group stays whole, so a dense campaign is never
    cut into pieces. Campaign-sized pieces that no link of the split joins part first,
    whatever their sizes (modularity barely rises when a small piece leaves a large
    one). Nodes from ``accounts`` on are hubs (a shared value linking its holders): they
    take part in the split but count for no part's size.

    Modularity cannot see a small community hanging off a large one (its resolution
    limit: 13 accounts tied to 150 by one member's system prompt add next to nothing to
    it), so a partition that fails ``min_modularity`` is looked at part by part: parts
    whose links to each other weigh at least ``merge_association`` of the smaller one's
    volume are one (Louvain cut a dense block in two), and each resulting set of parts
    whose links to the rest weigh at most ``max_conductance`` of its volume (its
    conductance) parts from the group (:func:`_loose_parts`).
    """
    labels = labels.copy()
    n = len(labels) if accounts is None else accounts
    sizes = np.bincount(labels[:n], minlength=int(labels.max()) + 1 if len(labels) else 0)
    inside = labels[a] == labels[b]
    next_label = int(labels.max()) + 1 if len(labels) else 0
    for group in np.flatnonzero(sizes >= 2 * min_size):  # per group, not per event
        # Zero-weight links carry no structure (and a graph of only those has no
        # modularity: it divides by its total weight).
        all_links = np.flatnonzero(inside & (labels[a] == group))
        group_links = all_links[weight[all_links] > 0]
        if not len(group_links):
            continue
        before = next_label
        # Campaign-sized pieces that no link of the split joins (what made them one group
        # was a sign-up half hour) part whatever their sizes: modularity barely rises
        # when 380 accounts leave 1,400 they were never linked to.
        pieces = _linked_pieces(a[group_links], b[group_links], n, min_size)
        for k, piece in enumerate(pieces):
            edges = group_links[piece]
            if k:  # the largest piece keeps the group's label (and its unlinked members)
                nodes = np.unique(np.concatenate([a[edges], b[edges]]))
                labels[nodes] = next_label
                next_label += 1
            parts = louvain_parts(a[edges], b[edges], weight[edges], resolution)
            parts = _fold_small_parts(parts, a[edges], b[edges], weight[edges], n, min_size)
            if len(parts) < 2:
                continue
            if _modularity(parts, a[edges], b[edges], weight[edges]) < min_modularity:
                parts = _loose_parts(parts, a[edges], b[edges], weight[edges], n, min_size,
                                     max_conductance, merge_association)
                if len(parts) < 2:
                    continue
            for part in sorted(parts, key=min)[1:]:
                labels[list(part)] = next_label
                next_label += 1
        if next_label > before:  # split: members held only by zero-weight ties follow them
            _follow_zero_weight_ties(labels, a[all_links], b[all_links],
                                     np.unique(np.concatenate([a[group_links],
                                                               b[group_links]])))
    return labels


def _follow_zero_weight_ties(labels: np.ndarray, a: np.ndarray, b: np.ndarray,
                             placed: np.ndarray) -> None:
    """After a group's split, its members that no weighted link placed (held in the group
    by zero-weight ties only: a student e-mail domain's cohort) join the part their ties
    lead to, the part most of the placed nodes they reach belong to; ties that reach no
    placed node leave them where they were. ``labels`` is changed in place."""
    is_placed = np.zeros(len(labels), dtype=bool)
    is_placed[placed] = True
    loose = ~(is_placed[a] & is_placed[b])  # links between placed nodes were the split's
    if not loose.any():
        return
    nodes, ends = np.unique(np.concatenate([a[loose], b[loose]]), return_inverse=True)
    m = int(loose.sum())
    graph = coo_matrix((np.ones(m), (ends[:m], ends[m:])), shape=(len(nodes), len(nodes)))
    _, component = connected_components(graph, directed=False)
    anchored = is_placed[nodes]
    if not anchored.any():
        return
    pairs, counts = np.unique(np.stack([component[anchored], labels[nodes[anchored]]]),
                              axis=1, return_counts=True)
    order = np.lexsort((-counts, pairs[0]))  # per component, most placed nodes first
    first = order[np.r_[True, pairs[0][order][1:] != pairs[0][order][:-1]]]
    target = np.full(int(component.max()) + 1, -1, dtype=np.int64)
    target[pairs[0][first]] = pairs[1][first]
    moving = ~anchored & (target[component] >= 0)
    labels[nodes[moving]] = target[component[moving]]


def _loose_parts(
    parts: list[set[int]], a: np.ndarray, b: np.ndarray, weight: np.ndarray, accounts: int,
    min_size: int, max_conductance: float, merge_association: float,
) -> list[set[int]]:
    """Of Louvain ``parts`` that fail the modularity test, the sets that stand apart:
    parts linked to each other by at least ``merge_association`` of the smaller one's
    volume (sum of its links' weights, inside ones twice) are joined, and each joined
    set of ``min_size`` accounts or more whose conductance (weight of its links to the
    rest over its volume) is at most ``max_conductance`` is returned apart; the rest is
    one part, returned first. One part: nothing stands apart."""
    if max_conductance <= 0.0 or len(parts) < 2:
        return [set().union(*parts)]
    part_of, nodes = _part_of(parts)
    k = len(parts)
    between = coo_matrix((weight, (part_of[a], part_of[b])), shape=(k, k)).toarray()
    between = between + between.T  # symmetric; a part's inside links count twice
    volume = between.sum(axis=1)
    cross = between - np.diag(np.diag(between))
    close = cross >= merge_association * np.maximum(np.minimum.outer(volume, volume), 1e-12)
    _, joined = connected_components(coo_matrix(close), directed=False)
    sets = [set().union(*(parts[i] for i in np.flatnonzero(joined == j)))
            for j in range(int(joined.max()) + 1)]
    member = np.eye(len(sets))[joined]  # part -> joined set
    set_between = member.T @ between @ member
    set_volume = set_between.sum(axis=1)
    conductance = 1.0 - np.diag(set_between) / np.maximum(set_volume, 1e-12)
    size = np.bincount(joined[part_of[nodes[nodes < accounts]]], minlength=len(sets))
    apart = (conductance <= max_conductance) & (size >= min_size)
    rest = [sets[j] for j in np.flatnonzero(~apart)]
    if not rest:  # every set stands apart: each is a part
        return [sets[j] for j in np.flatnonzero(apart)]
    return [set().union(*rest), *(sets[j] for j in np.flatnonzero(apart))]


def _linked_pieces(a: np.ndarray, b: np.ndarray, accounts: int,
                   min_size: int) -> list[np.ndarray]:
    """Masks over the links ``a``–``b`` of their connected pieces, largest first: each
    piece of ``min_size`` accounts (nodes below ``accounts``) or more on its own, the
    smaller ones with the largest."""
    nodes, ends = np.unique(np.concatenate([a, b]), return_inverse=True)
    m = len(a)
    graph = coo_matrix((np.ones(m), (ends[:m], ends[m:])), shape=(len(nodes), len(nodes)))
    _, piece = connected_components(graph, directed=False)
    size = np.bincount(piece, weights=(nodes < accounts).astype(float))
    big = np.flatnonzero(size >= min_size)
    if len(big) < 2:
        return [np.ones(m, dtype=bool)]
    big = big[np.argsort(-size[big], kind="stable")]
    of_link = piece[ends[:m]]
    masks = [of_link == k for k in big]
    masks[0] |= ~np.isin(of_link, big)
    return masks


def rejoin_parts(labels: np.ndarray, hub_accounts: np.ndarray, hub_index: np.ndarray,
                 share: float, min_bridges: int = 0,
                 bridging: np.ndarray | None = None, min_similarity: float = 0.0,
                 min_kit_part: int = 1, kit_values: np.ndarray | None = None,
                 kit_prior: float = 0.0, owner_values: np.ndarray | None = None,
                 owner_share: float = 1.0, value_kinds: np.ndarray | None = None
                 ) -> np.ndarray:
    """Join again the parts of a split that are one operator's.

    - A concealing value held by at least ``share`` of each of two parts is one
      operator's (its client stack, its server), whatever dense blocks its sign-up
      bursts or prompt sets made inside it.
    - Two parts bridged by at least ``min_bridges`` distinct concealing values (each held
      by members of both) are one operator's too: a hydra buys its cards in batches, and
      each batch makes a dense block, while its proxy pool's networks cut across all of
      them. Two operators that happen to share a value share one or two, not many.
      ``bridging`` (per hub, default all) says which hubs count as bridges.
    - Either way, the two parts must carry the same concealing kit: the weighted Jaccard
      similarity of their kits (per hub in ``kit_values`` (default all) that covers at
      least two parts of ``min_kit_part`` accounts or more, the share of the part's
      members holding it; ``kit_prior`` added to both sums) at least ``min_similarity``.
      Operators share a tool (a scraping library's TLS stack, an agent framework's
      system prompt), not the rest of their kit; one operator's parts carry all of it.
      A group's kit is its parts' kits pooled, so a mixed part cannot chain two
      operators; parts too small for a kit, or holding none, join the most alike.
    - A part at least ``owner_share`` of which holds one value in ``owner_values`` (per
      hub: a payment card) is one payer's: kit values of one kind (``value_kinds``, per
      hub) that it holds as alternatives (each by at least ``share`` of it, hardly any
      member holding two) are that payer's one kit, and count as one value wherever kits
      are compared. A hydra runs a few client builds, one per sign-up wave, and a card
      batch that spans two waves shows both builds are one operator's. (Values its
      members hold together — a shared library's TLS stack beside the operator's prompt
      — say nothing of the sort: other operators hold the library too.)
    """
    if not len(hub_accounts):
        return labels
    sizes = np.bincount(labels)
    keys, counts = np.unique(np.stack([hub_index, labels[hub_accounts]]), axis=1,
                             return_counts=True)
    held = counts / sizes[keys[1]]
    covered = held >= share
    kit = _kits(keys[0], keys[1], held, covered & (sizes[keys[1]] >= min_kit_part),
                kit_values)
    if owner_values is not None:
        owned = owner_values[keys[0]] & (held >= owner_share) & (sizes[keys[1]] >= min_kit_part)
        kit = _one_owner_kits(kit, labels, sizes, hub_accounts, hub_index,
                              np.unique(keys[1][owned]).tolist(), share, value_kinds)
    hubs, parts = keys[0][covered], keys[1][covered]
    merge = _KitMerge(sizes, kit, min_similarity, min_kit_part, kit_prior)
    order = np.lexsort((-sizes[parts], hubs))  # per hub, largest part first
    hubs, parts = hubs[order], parts[order]
    starts = np.flatnonzero(np.r_[True, hubs[1:] != hubs[:-1]]) if len(hubs) else hubs
    ends = np.r_[starts[1:], len(hubs)] if len(hubs) else hubs
    for lo, hi in zip(starts.tolist(), ends.tolist(), strict=True):  # per hub
        merge.join_covered(parts[lo:hi].tolist())
    if min_bridges > 0:
        for first, second in _bridged_parts(keys[0], keys[1], min_bridges, bridging):
            merge.join(first, second)
    roots = np.array([merge.find(int(x)) for x in range(len(sizes))])
    return roots[labels]


class _KitMerge:
    """Union of parts where each group keeps its kit (the size-weighted mean of its
    campaign-sized parts' kits), so that a part joins a group only when it carries the
    group's kit: a mixed part (a few of one operator's accounts among another's) cannot
    chain two operators together."""

    def __init__(self, sizes: np.ndarray, kit: dict[int, dict[int, float]],
                 min_similarity: float, min_kit_part: int, prior: float) -> None:
        self.parent = np.arange(len(sizes))
        # A part weighs in a group's kit when it is campaign-sized and holds a kit at all:
        # one that holds no concealing value says nothing about whose it is.
        has_kit = np.zeros(len(sizes), dtype=bool)
        has_kit[list(kit)] = True
        self.weight = np.where((sizes >= min_kit_part) & has_kit, sizes, 0).astype(float)
        self.kit = kit
        self.min_similarity = min_similarity
        self.prior = prior

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = int(parent[x])
        return x

    def similarity(self, first: int, second: int) -> float:
        return _kit_similarity(self.kit.get(first), self.kit.get(second), self.prior)

    def alike(self, first: int, second: int) -> bool:
        """Whether two groups (roots) may join: either is too small to have a kit of its
        own, or their kits are alike."""
        if self.min_similarity <= 0 or not (self.weight[first] and self.weight[second]):
            return True
        return self.similarity(first, second) >= self.min_similarity

    def union(self, first: int, second: int) -> None:
        """Join root ``first`` into root ``second``, pooling their kits."""
        if first == second:
            return
        w1, w2 = self.weight[first], self.weight[second]
        if w1 and w2:
            one, two = self.kit.get(first, {}), self.kit.get(second, {})
            self.kit[second] = {h: (one.get(h, 0.0) * w1 + two.get(h, 0.0) * w2) / (w1 + w2)
                                for h in one.keys() | two.keys()}
        elif w1:
            self.kit[second] = self.kit.get(first, {})
        self.weight[second] = w1 + w2
        self.parent[first] = second

    def join(self, first: int, second: int) -> None:
        one, two = self.find(first), self.find(second)
        if one != two and self.alike(one, two):
            self.union(one, two)

    def join_covered(self, parts: list[int]) -> None:
        """Parts that one hub covers (largest first): each joins the first group among
        them whose kit it carries; a part too small for a kit joins the most alike."""
        anchors: list[int] = []
        for part in parts:  # per (hub, part) pair, not per event
            root = self.find(part)
            groups = list(dict.fromkeys(self.find(a) for a in anchors))
            if root in groups:
                continue
            if groups and not self.weight[root]:
                self.union(root, max(groups, key=lambda g: (self.similarity(root, g), -g)))
                continue
            match = next((g for g in groups if self.alike(root, g)), None)
            if match is None:
                anchors.append(root)
            else:
                self.union(root, match)


def _kits(hubs: np.ndarray, parts: np.ndarray, held: np.ndarray, kit_hub_rows: np.ndarray,
          kit_values: np.ndarray | None) -> dict[int, dict[int, float]]:
    """Per part, its kit: hub → share of its members holding it, over the hubs that
    cover at least two parts flagged in ``kit_hub_rows`` (and are kit values, when
    ``kit_values`` says which are). A value confined to one part (its card, its
    sign-up burst) describes that part, not the kit its operator uses across parts."""
    kit_hubs, spans = np.unique(hubs[kit_hub_rows], return_counts=True)
    kit_hubs = kit_hubs[spans >= 2]
    if kit_values is not None:
        kit_hubs = kit_hubs[kit_values[kit_hubs]]
    rows = np.isin(hubs, kit_hubs)
    kit: dict[int, dict[int, float]] = {}
    for hub, part, value in zip(hubs[rows].tolist(), parts[rows].tolist(),
                                held[rows].tolist(), strict=True):  # per (hub, part)
        kit.setdefault(part, {})[hub] = value
    return kit


def _one_owner_kits(kit: dict[int, dict[int, float]], labels: np.ndarray, sizes: np.ndarray,
                    hub_accounts: np.ndarray, hub_index: np.ndarray, owner_parts: list[int],
                    share: float, kinds: np.ndarray | None,
                    overlap: float = 0.1) -> dict[int, dict[int, float]]:
    """``kit`` with the values of one kind that one owner's part holds as alternatives
    (each by at least ``share`` of it, at most ``overlap`` of it holding both) counted
    as one value (the first of them, by hub number): the share of a part's members
    holding any of them, at most the sum of their shares and 1."""
    parent: dict[int, int] = {}

    def find(hub: int) -> int:
        while parent.get(hub, hub) != hub:
            hub = parent[hub]
        return hub

    in_owner = np.isin(labels[hub_accounts], owner_parts)
    rows_part = labels[hub_accounts[in_owner]]
    rows_hub, rows_account = hub_index[in_owner], hub_accounts[in_owner]
    for part in owner_parts:  # per owner part, not per event
        size = int(sizes[part])
        held = sorted(h for h, v in kit.get(part, {}).items() if v >= share)
        holders = {h: set(rows_account[(rows_part == part) & (rows_hub == h)].tolist())
                   for h in held}
        for i, one in enumerate(held):
            for two in held[i + 1:]:
                if kinds is not None and kinds[one] != kinds[two]:
                    continue
                if len(holders[one] & holders[two]) > overlap * size:
                    continue
                first, second = find(one), find(two)
                if first != second:
                    parent[max(first, second)] = min(first, second)
    if not parent:
        return kit
    merged: dict[int, dict[int, float]] = {}
    for part, values in kit.items():  # per (part, hub)
        into = merged.setdefault(part, {})
        for hub, value in values.items():
            root = find(hub)
            into[root] = min(1.0, into.get(root, 0.0) + value)
    return merged


def _kit_similarity(first: Mapping[int, float] | None,
                    second: Mapping[int, float] | None, prior: float = 0.0) -> float:
    """Weighted Jaccard similarity of two kits, with ``prior`` added to both sums (so
    that kits of a few weakly held values cannot tell parts apart); 1 when neither
    has one."""
    first, second = first or {}, second or {}
    both = first.keys() | second.keys()
    most = sum(max(first.get(h, 0.0), second.get(h, 0.0)) for h in both) + prior
    if most == 0:
        return 1.0
    return (sum(min(first.get(h, 0.0), second.get(h, 0.0)) for h in both) + prior) / most


def _bridged_parts(hubs: np.ndarray, parts: np.ndarray, min_bridges: int,
                   bridging: np.ndarray | None) -> list[tuple[int, int]]:
    """Pairs of parts that at least ``min_bridges`` distinct hubs each touch (``hubs`` and
    ``parts``: the distinct (hub, part) pairs, sorted by hub)."""
    if bridging is not None:
        keep = bridging[hubs]
        hubs, parts = hubs[keep], parts[keep]
    starts = np.flatnonzero(np.r_[True, hubs[1:] != hubs[:-1]]) if len(hubs) else hubs
    ends = np.r_[starts[1:], len(hubs)] if len(hubs) else hubs
    seen: dict[tuple[int, int], int] = {}
    for lo, hi in zip(starts.tolist(), ends.tolist(), strict=True):  # per hub
        touched = sorted(parts[lo:hi].tolist())
        for i, p in enumerate(touched):
            for q in touched[i + 1:]:
                seen[(p, q)] = seen.get((p, q), 0) + 1
    return [pair for pair, count in seen.items() if count >= min_bridges]


def louvain_parts(a: np.ndarray, b: np.ndarray, weight: np.ndarray,
                  resolution: float) -> list[set[int]]:
    """Louvain communities (Newman modularity at ``resolution``) of the graph with the
    weighted edges ``a``–``b``, as sets of node ids.

    scikit-network's compiled Louvain on a sparse matrix: 15x faster than networkx's on a
    1,169-node group of 54k links (docs/benchmarks.md). The nodes are numbered in sorted
    order and nodes are not shuffled, so the parts depend on the graph alone, never on the
    order its links arrive in (networkx's did, and DuckDB returns links in no fixed
    order: one scan to the next grouped slightly differently).
    """
    from sknetwork.clustering import Louvain  # only for groups that may split

    nodes, ends = np.unique(np.concatenate([a, b]), return_inverse=True)
    m = len(a)
    adjacency = coo_matrix(
        (np.concatenate([weight, weight]), (ends, np.concatenate([ends[m:], ends[:m]]))),
        shape=(len(nodes), len(nodes))).tocsr()
    found = Louvain(resolution=resolution, modularity="newman", shuffle_nodes=False,
                    random_state=0).fit_predict(adjacency)
    order = np.argsort(found, kind="stable")
    bounds = np.flatnonzero(np.diff(found[order])) + 1
    return [set(nodes[part].tolist()) for part in np.split(order, bounds)]


def _fold_small_parts(
    parts: list[set[int]], a: np.ndarray, b: np.ndarray, weight: np.ndarray, accounts: int,
    min_size: int,
) -> list[set[int]]:
    """``parts`` with every part of fewer than ``min_size`` accounts (nodes below
    ``accounts``) folded into the campaign-sized part it is most strongly linked to; no
    such part: one part (the group stays whole)."""
    size = [sum(1 for v in part if v < accounts) for part in parts]
    big = [k for k, s in enumerate(size) if s >= min_size]
    if len(big) < 2:
        return [set().union(*parts)]
    part_of = {v: k for k, part in enumerate(parts) for v in part}
    pa_ = np.array([part_of[v] for v in a.tolist()])
    pb_ = np.array([part_of[v] for v in b.tolist()])
    folded = [set(parts[k]) for k in big]
    for k in (k for k, s in enumerate(size) if s < min_size):
        strength = [float(weight[((pa_ == k) & (pb_ == j)) | ((pa_ == j) & (pb_ == k))].sum())
                    for j in big]
        folded[int(np.argmax(strength))] |= parts[k]
    return folded


def _part_of(parts: list[set[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Per node id, the index of its part in ``parts`` (a partition), and the node ids."""
    nodes = np.concatenate([np.fromiter(p, dtype=np.int64, count=len(p)) for p in parts])
    part_of = np.zeros(int(nodes.max()) + 1, dtype=np.int64)
    part_of[nodes] = np.repeat(np.arange(len(parts)), [len(p) for p in parts])
    return part_of, nodes


def _modularity(
    parts: list[set[int]], a: np.ndarray, b: np.ndarray, weight: np.ndarray
) -> float:
    """Newman modularity (resolution 1) of ``parts`` on the weighted edges ``a``–``b``:
    the share of weight inside parts minus what random wiring would put there."""
    part_of, _ = _part_of(parts)
    part_a, part_b = part_of[a], part_of[b]
    same = part_a == part_b
    total = float(weight.sum())
    inside = np.bincount(part_a[same], weights=weight[same], minlength=len(parts))
    degree = (np.bincount(part_a, weights=weight, minlength=len(parts))
              + np.bincount(part_b, weights=weight, minlength=len(parts)))
    return float((inside / total - (degree / (2 * total)) ** 2).sum())


@dataclass(frozen=True)
class MemberEvidence:
    """What each account brings to a group (arrays in ``account_ids`` order).

    ``harvest`` is its harvest evidence and ``amplifier`` its automation and concealment
    factor (:class:`~distillguard.detect.scoring.AccountScores`), ``novel_tokens`` the
    tokens of long answers to new prompts it collected, ``org`` the organisation it
    openly belongs to (an integer code, -1 for none), ``declared`` whether a verified
    customer declared its automated use, ``fresh`` whether it was first used within
    ``young_account_days`` of its registration, ``proxy_pool`` how far it rotates through
    a residential proxy pool (its ``ip_rotation`` times the spread of its addresses over
    address blocks, ``proxy_blocks_min`` to ``_full``).
    """

    own_risk: np.ndarray
    harvest: np.ndarray
    amplifier: np.ndarray
    novel_tokens: np.ndarray
    org: np.ndarray
    declared: np.ndarray
    fresh: np.ndarray
    proxy_pool: np.ndarray | None = None


def member_evidence(profile: pa.Table, scores: AccountScores, config: ScoringConfig
                    ) -> MemberEvidence:
    """Each account's contribution to a group, from its profile and scores."""
    columns = {name: _number_column(profile, name)
               for name in ("harvest_tokens", "repeated_prompt_share", "declared",
                            "account_age_hours", "distinct_blocks")}
    org = profile.column("org_key").combine_chunks()
    codes = pc.fill_null(pc.dictionary_encode(org).indices, -1)
    return MemberEvidence(
        own_risk=scores.own_risk, harvest=scores.harvest, amplifier=scores.amplifier,
        novel_tokens=novel_harvest_tokens(columns),
        org=np.asarray(codes.to_numpy(zero_copy_only=False), dtype=np.int64),
        declared=np.nan_to_num(columns["declared"]) > 0,
        fresh=columns["account_age_hours"] < 24.0 * config.signal_params["young_account_days"],
        proxy_pool=scores.strengths["ip_rotation"] * _ramp(
            np.nan_to_num(columns["distinct_blocks"]), config.signal_params["proxy_blocks_min"],
            config.signal_params["proxy_blocks_full"]),
    )


def harvest_organisations(members: MemberEvidence, config: ScoringConfig,
                          places: pa.Table | None = None,
                          account_ids: pa.Array | None = None) -> np.ndarray:
    """Per account, whether it belongs to a *harvest organisation*: one of at least
    ``harvest_org_min_accounts`` accounts of which at least ``harvest_org_strong_share``
    are strongly suspicious on their own (own risk at ``review``) and at least
    ``harvest_org_young_share`` were first used within ``young_account_days`` of
    registration.

    A team has light and heavy users, and a lab that runs evaluations has been a customer
    for years; a new organisation whose members nearly all harvest from their first days
    is a shell company, one of an operator's fronts (start-up and research programmes,
    invented labs). Its openness explains nothing: its members are one group. An
    established member that is not suspicious on its own (neither strong nor fresh) is
    left out: fronts are added to a real customer's organisation too (a cuckoo), and the
    customer is not one of them. An organisation with more than
    ``harvest_org_colocated_max`` of its members together at one place that at least as
    many others use (``places``, as for a group's co-location) is an event or a class: a
    hackathon's new accounts all harvest long coding answers from the venue's network.
    A network of the organisation's own (its servers) is no such place.
    """
    org = members.org
    shell = np.zeros(len(org), dtype=bool)
    known = np.flatnonzero(org >= 0)
    if not len(known):
        return shell
    _, inverse, counts = np.unique(org[known], return_inverse=True, return_counts=True)

    def share(flags: np.ndarray) -> np.ndarray:
        return np.bincount(inverse, weights=flags[known].astype(float),
                           minlength=len(counts)) / counts

    strong = members.own_risk >= config.thresholds["review"]
    fresh = np.asarray(members.fresh, dtype=bool)
    harvesting = ((counts >= config.harvest_org_min_accounts)
                  & (share(strong) >= config.harvest_org_strong_share)
                  & (share(fresh) >= config.harvest_org_young_share))
    if places is not None and account_ids is not None and harvesting.any():
        label = np.full(len(org), len(counts), dtype=np.int64)  # no organisation: apart
        label[known] = inverse
        together = _colocation(label, account_ids, places, np.r_[counts, len(org)],
                               among_others=True)
        harvesting &= together[:len(counts)] <= config.harvest_org_colocated_max
    shell[known] = harvesting[inverse] & (strong | fresh)[known]
    return shell


def cohort_dimensions(profile: pa.Table, scores: AccountScores, config: Config) -> pa.Table:
    """The accounts' cohort dimensions (:data:`~distillguard.detect.cohorts.COHORT_COLUMNS`):
    registration window, fresh at first use, address rotation, harvest, organisation,
    country."""
    window = int(config.linkage.cohorts["window_seconds"])
    created = profile.column("account_created_at")
    seconds = pc.divide(pc.cast(pc.cast(created, pa.timestamp("us", tz="UTC")), pa.int64()),
                        1_000_000)
    age = _number_column(profile, "account_age_hours")
    fresh_hours = float(config.scoring.signal_params["fresh_account_hours"])
    return pa.table({
        "account_id": profile.column("account_id"),
        "created_window": pc.divide(seconds, window),
        "fresh": pa.array(age < fresh_hours, mask=np.isnan(age)),
        "churn": pa.array(scores.strengths["ip_rotation"]),
        "harvest": pa.array(np.clip(scores.harvest, 0.0, 1.0)),
        "org_key": profile.column("org_key"),
        "country": profile.column("country"),
        # Strongly suspicious on its own: a place does not explain it (cohorts.py).
        "strong": pa.array(scores.own_risk >= config.scoring.thresholds["review"]),
    })


def cap_declared(decisions: np.ndarray, reasons: list[list[Reason]], declared: np.ndarray,
                 profile: pa.Table) -> None:
    """A verified customer that declared its automated use is never blocked outright:
    ``block`` becomes ``review``, with a reason naming the declared use."""
    uses = profile.column("declared_use").to_pylist()
    for i in np.flatnonzero(declared & (decisions == "block")):  # per capped account
        decisions[i] = "review"
        reasons[i] = [Reason("declared_use",
                             f"declared use: {uses[i]} (verified customer): held for review, "
                             "not blocked"), *reasons[i]]


def _number_column(profile: pa.Table, name: str) -> np.ndarray:
    return np.asarray(profile.column(name).to_numpy(zero_copy_only=False), dtype=np.float64)


def find_campaigns(
    account_ids: pa.Array, members: MemberEvidence, links: Links, config: ScoringConfig
) -> Campaigns:
    """Group linked accounts into campaigns and score each group.

    Groups form around suspicious accounts (own risk at least
    ``min_campaign_member_risk``) and around core hubs (a shared value whose cohort
    conceals, a co-timed group), which make a group whatever their members' own risk:
    900 accounts of 20 requests each are unremarkable one by one.
    """
    n = len(account_ids)
    own_risk = members.own_risk
    pairs = links.pairs
    a = _indices(pairs.column("a"), account_ids)
    b = _indices(pairs.column("b"), account_ids)
    weight = np.asarray(pairs.column("weight").to_numpy(False), dtype=np.float64)
    hub_core = np.zeros(0, dtype=bool)
    hub_weight = np.zeros(0)
    if links.hubs.num_rows:
        hub_names, hub_index = np.unique(
            np.asarray(links.hubs.column("hub").to_pylist(), dtype=object), return_inverse=True
        )
        hub_accounts = _indices(links.hubs.column("account_id"), account_ids)
        core_rows = np.asarray(links.hubs.column("core").to_numpy(False), dtype=bool)
        hub_core = np.zeros(len(hub_names), dtype=bool)
        hub_core[hub_index[core_rows]] = True
        hub_weight = np.zeros(len(hub_names))
        np.maximum.at(hub_weight, hub_index,
                      np.asarray(links.hubs.column("weight").to_numpy(False), dtype=float))
    else:
        hub_names = np.array([], dtype=object)
        hub_index = hub_accounts = np.array([], dtype=np.int64)
    # A harvest organisation is one group (a core hub of its members), and not open.
    shell = harvest_organisations(members, config, links.places, account_ids)
    if shell.any():
        shell_rows = np.flatnonzero(shell)
        codes, local = np.unique(members.org[shell_rows], return_inverse=True)
        hub_index = np.concatenate([hub_index, len(hub_names) + local])
        hub_accounts = np.concatenate([hub_accounts, shell_rows])
        hub_names = np.concatenate([hub_names, np.array(
            [f"{HARVEST_ORG_HUB}:{code}" for code in codes], dtype=object)])
        hub_core = np.concatenate([hub_core, np.ones(len(codes), dtype=bool)])
        hub_weight = np.concatenate([hub_weight, np.ones(len(codes))])
    # A shared value brings in only accounts that show something besides holding it: a
    # link to another account, or a signal of their own. A newcomer on a hydra's SDK with
    # one home address and a handful of questions shows nothing but the SDK.
    linked = np.zeros(n, dtype=bool)
    linked[a] = True
    linked[b] = True
    bare = ~linked & ~shell & (own_risk < config.hub_member_min_risk)
    if len(hub_accounts) and bare.any():
        kept = ~bare[hub_accounts]
        hub_accounts, hub_index = hub_accounts[kept], hub_index[kept]
    open_org = np.where(shell, -1, members.org)
    seeds = own_risk >= config.min_campaign_member_risk
    # Strangers register in the same half hour: a sign-up window ties together accounts
    # that are suspicious or conceal on other grounds, and brings in no one by itself.
    window = np.char.startswith(hub_names.astype(str), "signup_window:")
    in_core_hub = np.zeros(n, dtype=bool)
    if len(hub_accounts):
        in_core_hub[hub_accounts[(hub_core & ~window)[hub_index]]] = True
    labels = group_accounts(
        n, seeds | in_core_hub, a, b, weight, hub_accounts, hub_index,
        config.campaign_attach_weight, attaching=~window,
    )
    # Core hubs take part in the split as nodes of their own (n + hub number), linked to
    # their members by their weight: operators sharing one common value part again.
    # Sign-up windows do not: one operator registers in many bursts, and each burst is
    # a dense block that is not an operator of its own.
    core = hub_core[hub_index] if len(hub_accounts) else np.zeros(0, dtype=bool)
    if len(hub_accounts):
        core &= ~window[hub_index]
    hub_node = n + hub_index[core]
    # Openness is judged on the linked group before the split as well: 300 accounts in
    # twenty declared organisations are not one organisation's, even where Louvain
    # cuts the group along them (each shell company a dense block of its own).
    open_before, other_orgs_before = (
        share[labels] for share in _org_shares(labels, open_org,
                                               int(labels.max()) + 1 if n else 0))
    node_label = np.zeros(n + len(hub_names), dtype=np.int64)
    node_label[:n] = labels
    node_label[hub_node] = labels[hub_accounts[core]]
    labels = split_communities(
        node_label, np.concatenate([a, hub_accounts[core]]), np.concatenate([b, hub_node]),
        np.concatenate([weight, hub_weight[hub_index[core]]]),
        min_size=config.min_campaign_accounts, resolution=config.community_resolution,
        min_modularity=config.community_min_modularity, accounts=n,
        max_conductance=config.community_max_conductance,
        merge_association=config.community_merge_association,
    )[:n]
    every_core = hub_core[hub_index] if len(hub_accounts) else np.zeros(0, dtype=bool)
    if len(hub_accounts):  # ... nor does it rejoin anyone it did not bring
        every_core &= ~(window[hub_index] & ~(seeds | in_core_hub)[hub_accounts])
    # Sign-up windows bridge nothing: strangers register in the same half hour.
    bridging = ~window
    # A kit is what an operator holds (clients, prompts, networks, cards), not when it
    # acts: a co-timed group is partly held.
    kit_values = bridging & ~np.char.startswith(hub_names.astype(str), f"{COTIMING_HUB}:")
    # Harvest organisations' clients (popular ones too) are their kit: an operator's
    # fronts run its one client, so its organisations on the same kit join again. Fronts
    # join fronts: only parts made mostly of their members (a larger group holding a few
    # would be judged on what the rest of it does, and not as fronts).
    part_size = np.bincount(labels, minlength=labels.max() + 1 if n else 0)
    fronts_share = (np.bincount(labels, weights=shell, minlength=len(part_size))
                    / np.maximum(part_size, 1))
    front_accounts, front_index, front_count = _harvest_org_clients(
        links.clients, account_ids,
        shell & (fronts_share[labels] >= config.harvest_org_strong_share), len(hub_names))
    # A card is its payer's (an owner value); a fronts' client is a kind of its own.
    hub_kind_names = np.array([h.split(":", 1)[0] for h in hub_names.astype(str)], dtype=str)
    cards = hub_kind_names == "payment_fingerprint"
    kind_codes = np.unique(hub_kind_names, return_inverse=True)[1].astype(np.int64)
    labels = rejoin_parts(labels, np.concatenate([hub_accounts[every_core], front_accounts]),
                          np.concatenate([hub_index[every_core], front_index]),
                          config.community_rejoin_share, config.community_rejoin_bridges,
                          np.r_[bridging, np.ones(front_count, dtype=bool)],
                          config.community_rejoin_similarity,
                          config.min_campaign_accounts,
                          np.r_[kit_values, np.ones(front_count, dtype=bool)],
                          config.community_rejoin_kit_prior,
                          np.r_[cards, np.zeros(front_count, dtype=bool)],
                          config.community_rejoin_owner_share,
                          np.r_[kind_codes, -1 - np.arange(front_count)])

    # A bystander: a member at a place (on a few networks: a home, a carrier's NAT, a
    # café) tied to its group only through the addresses it shares with members (a
    # popular app's client or system prompt, an e-mail shape on top; no card, no
    # lockstep), in no concealing cohort or co-timed group, and harvesting nothing of
    # note on its own (own risk below monitor). People share a carrier's addresses with
    # an operator's workers without being the operator's: the group is decided without
    # them. (An account rotating through a proxy pool is at no place: its shared exits
    # are its operator's.)
    placed = np.zeros(n, dtype=bool)
    if links.places is not None:
        placed = np.asarray(pc.is_in(account_ids, value_set=links.places.column(
            "account_id").combine_chunks()).to_numpy(False), dtype=bool)
    labels = _without_bystanders(labels, a, b, pairs,
                                 placed & (own_risk < config.thresholds["monitor"]),
                                 hub_accounts[hub_core[hub_index]] if len(hub_accounts)
                                 else np.zeros(0, dtype=np.int64), shell)
    # Which kinds of link each account has to another member of its own group.
    inside = labels[a] == labels[b]
    has: dict[str, np.ndarray] = {name: np.zeros(n, dtype=bool) for name in KIND_SIGNALS}
    for name, wanted in KIND_SIGNALS.items():
        hit = inside & _pairs_with_kind(pairs, wanted)
        has[name][a[hit]] = True
        has[name][b[hit]] = True
    # A member's concealment: the strongest concealing cohort it belongs to, or its own
    # rotation through a residential proxy pool (many address blocks).
    concealment = (np.zeros(n) if members.proxy_pool is None
                   else np.asarray(members.proxy_pool, dtype=float).copy())
    if len(hub_accounts):
        for name, wanted in KIND_SIGNALS.items():
            hit = np.isin(hub_kind_names[hub_index], wanted)
            has[name][hub_accounts[hit]] = True
        timed = hub_kind_names[hub_index] == COTIMING_HUB
        has[LOCKSTEP][hub_accounts[timed]] = True
        cohort = hub_core[hub_index] & ~timed & (hub_kind_names[hub_index] != HARVEST_ORG_HUB)
        np.maximum.at(concealment, hub_accounts[cohort], hub_weight[hub_index[cohort]])
    # Which members pay with a card strangers use from several countries (its reason).
    border = np.zeros(n, dtype=bool)
    if len(hub_accounts) and links.cohorts is not None:
        crossing = links.cohorts.filter(pc.greater(links.cohorts.column("border_excess"), 0.0))
        crossing_hubs = pc.binary_join_element_wise(
            crossing.column("kind"), crossing.column("value"), ":").to_pylist()
        held = hub_core[hub_index] & np.isin(hub_names[hub_index], crossing_hubs)
        border[hub_accounts[held]] = True

    comp_size = np.bincount(labels, minlength=labels.max() + 1 if n else 0).astype(float)
    # A place explains its members, not a farm on one server: only members that are not
    # strongly suspicious on their own (below review) count as being there.
    colocated = _colocation(labels, account_ids, links.places, comp_size,
                            own_risk < config.thresholds["review"])
    open_after, other_orgs_after = _org_shares(labels, open_org, len(comp_size))
    seed_count = np.bincount(labels, weights=seeds, minlength=len(comp_size))
    core_count = np.bincount(labels, weights=in_core_hub, minlength=len(comp_size))
    total = lambda x: np.bincount(labels, weights=x, minlength=len(comp_size))  # noqa: E731
    mean = lambda x: total(x) / np.maximum(comp_size, 1)  # noqa: E731
    group: dict[str, np.ndarray] = {
        "accounts": comp_size,
        "harvest_tokens": total(members.novel_tokens),
        "member_harvest": mean(members.harvest),
        "member_amplifier": mean(members.amplifier),
        "member_risk": mean(own_risk),
        "suspicious_share": seed_count / np.maximum(comp_size, 1),
        "concealment": mean(concealment),
        BORDER_PAYMENT: mean(border.astype(float)),
        "fresh": mean(members.fresh.astype(float)),
        HARVEST_ORG_HUB: mean(shell.astype(float)),
        **{name: mean(flags.astype(float)) for name, flags in has.items()},
        "open": np.minimum(open_after, mean(open_before)),
        "other_orgs": np.maximum(other_orgs_after, mean(other_orgs_before)),
        # 1 where the share is the linked group's before the split (its reasons say so).
        "open_linked": (mean(open_before) < open_after).astype(float),
        "other_orgs_linked": (mean(other_orgs_before) > other_orgs_after).astype(float),
        "declared": mean(members.declared.astype(float)),
        "colocated": colocated,
    }
    risk = group_risk(group, config)
    candidate = (
        (comp_size >= config.min_campaign_accounts)
        & ((seed_count >= 1) | (core_count >= config.min_campaign_accounts))
        & (risk >= config.thresholds["monitor"])
    )
    order = sorted(np.flatnonzero(candidate), key=lambda c: (-risk[c], c))
    campaign_of = np.full(n, None, dtype=object)
    campaign_risk = np.zeros(n)
    records: list[Campaign] = []
    ids = np.asarray(account_ids.to_pylist(), dtype=object)
    for rank, comp in enumerate(order, start=1):  # per campaign, not per event
        cid = f"C{rank:04d}"
        in_group = labels == comp
        campaign_of[in_group] = cid
        campaign_risk[in_group] = risk[comp]
        signals = {k: round(float(v[comp]), 4) for k, v in group.items()}
        records.append(Campaign(
            campaign_id=cid,
            accounts=sorted(ids[in_group].tolist()),
            risk=round(float(risk[comp]), 6),
            reasons=campaign_reasons(int(comp_size[comp]), signals),
            signals=signals,
        ))
    return Campaigns(campaign_of=campaign_of, campaign_risk=campaign_risk, records=records,
                     fronts=shell)


def _without_bystanders(labels: np.ndarray, a: np.ndarray, b: np.ndarray, pairs: pa.Table,
                        quiet: np.ndarray, core_members: np.ndarray,
                        shell: np.ndarray) -> np.ndarray:
    """``labels`` with each bystander in a group of its own (see :func:`find_campaigns`):
    a ``quiet`` account, in no core hub and no harvest organisation, whose every link to
    another member of its group passes through a shared address (``ip``, ``ip_prefix``)
    and none through a card or lockstep (:data:`HELD_TIES`)."""
    n = len(labels)
    inside = labels[a] == labels[b]
    through_address = _pairs_with_kind(pairs, ADDRESS_KINDS)
    held = _pairs_with_kind(pairs, HELD_TIES)
    tied = np.zeros(n, dtype=bool)
    firm = inside & (held | ~through_address)
    tied[a[firm]] = True
    tied[b[firm]] = True
    linked = np.zeros(n, dtype=bool)
    linked[a[inside]] = True
    linked[b[inside]] = True
    cored = np.zeros(n, dtype=bool)
    cored[core_members] = True
    bystander = linked & ~tied & ~cored & ~shell & quiet
    if not bystander.any():
        return labels
    labels = labels.copy()
    labels[bystander] = labels.max() + 1 + np.arange(int(bystander.sum()))
    return labels


def _harvest_org_clients(clients: pa.Table | None, account_ids: pa.Array, shell: np.ndarray,
                         first_hub: int) -> tuple[np.ndarray, np.ndarray, int]:
    """The clients (user agents, TLS fingerprints) of harvest organisations' members, as
    hubs numbered from ``first_hub``: (account index, hub index) per holding, and the
    number of hubs. Only those members hold them, so only their parts join through them."""
    empty = np.zeros(0, dtype=np.int64)
    if clients is None or not clients.num_rows or not shell.any():
        return empty, empty, 0
    holder = np.asarray(pc.fill_null(pc.index_in(clients.column("account_id"),
                                                 value_set=account_ids), -1)
                        .to_numpy(zero_copy_only=False), dtype=np.int64)
    known = holder >= 0
    holder = holder[known]
    rows = shell[holder]
    if not rows.any():
        return empty, empty, 0
    values = np.asarray(clients.column("client").to_numpy(zero_copy_only=False),
                        dtype=object)[known][rows]
    names, index = np.unique(values.astype(str), return_inverse=True)
    return holder[rows], first_hub + index.astype(np.int64), len(names)


def _colocation(labels: np.ndarray, account_ids: pa.Array, places: pa.Table | None,
                size: np.ndarray, counted: np.ndarray | None = None,
                among_others: bool = False) -> np.ndarray:
    """Per group, the largest share of its members at one place: on one network, and on no
    more than a few (:attr:`~distillguard.detect.linkage.Links.places`), among the
    ``counted`` accounts (default all). Near 1 for people together at a venue, a campus or
    an office; near 0 for accounts spread over many networks, as an operator's are
    (behind rotating proxies, or one server each). ``among_others``: only places where
    at least as many accounts outside the group are (a venue, a campus), not a network
    of the group's own (an operator's servers)."""
    largest = np.zeros(len(size))
    if places is None or places.num_rows == 0:
        return largest
    member = np.asarray(pc.fill_null(pc.index_in(places.column("account_id"),
                                                 value_set=account_ids), -1), dtype=np.int64)
    network = pc.dictionary_encode(places.column("network").combine_chunks()).indices
    code = np.asarray(network.to_numpy(zero_copy_only=False), dtype=np.int64)
    known = member >= 0
    if counted is not None:
        known[known] = counted[member[known]]
    keys, counts = np.unique(np.stack([labels[member[known]], code[known]]), axis=1,
                             return_counts=True)
    shared = counts >= 2  # one member alone on a network is no place of the group's
    if among_others:
        everyone = np.bincount(code[member >= 0], minlength=int(code.max()) + 1)
        shared &= everyone[keys[1]] - counts >= counts
    np.maximum.at(largest, keys[0][shared], counts[shared])
    return largest / np.maximum(size, 1.0)


def _org_shares(labels: np.ndarray, org: np.ndarray, groups: int
                ) -> tuple[np.ndarray, np.ndarray]:
    """Per group, the largest share of its members that openly belong to one organisation
    (``org`` -1: none), and the share in organisations of at least two members in the
    group other than its largest."""
    size = np.maximum(np.bincount(labels, minlength=groups), 1)
    largest, other = np.zeros(groups), np.zeros(groups)
    known = org >= 0
    if not known.any():
        return largest, other
    keys, counts = np.unique(np.stack([labels[known], org[known]]), axis=1, return_counts=True)
    np.maximum.at(largest, keys[0], counts)
    several = counts >= 2
    in_several = np.bincount(keys[0][several], weights=counts[several], minlength=groups)
    other = np.maximum(in_several - np.where(largest >= 2, largest, 0.0), 0.0)
    return largest / size, other / size


def group_risk(group: Mapping[str, np.ndarray], config: ScoringConfig) -> np.ndarray:
    """Risk of each group: what its members harvested, times what only a group shows.

    ``1 - exp(-H × C) × ...``: the harvest ``H`` is the tokens of long answers to new
    prompts the group collected in all (log scale, ``campaign_harvest_tokens_min`` to
    ``_full``, weight ``harvest_volume``) plus its members' mean harvest evidence
    (``member_harvest``); ``C`` is the group's coordination and concealment: shares of
    members sharing payment, networks, templates, a sign-up burst, moving in lockstep,
    belonging to a concealing cohort, and their automation. A group harvests more the
    larger it is, so size never lowers its risk; a group that harvests nothing (cron
    jobs in lockstep, a class behind one NAT) stays low however tightly it is linked,
    and so does one that harvests in the open (coordination C near 0) — except a group
    that shares payment cards *and* conceals, which is fraud before it harvests
    (``campaign_concealed_payment_weight`` × the product of both shares). A group that
    openly belongs to one organisation (``open``) keeps ``1 - campaign_openness_weight``
    of its risk for that share, less the share of shells beside it (members of other
    organisations on the same infrastructure who harvest on their own).
    """
    harvest_w = config.campaign_harvest_weights
    coordination_w = config.campaign_coordination_weights
    p = config.signal_params
    tokens = np.log10(np.maximum(np.asarray(group["harvest_tokens"], dtype=float), 1.0))
    volume = _ramp(tokens, np.log10(p["campaign_harvest_tokens_min"]),
                   np.log10(p["campaign_harvest_tokens_full"]))
    harvest = (harvest_w.get("harvest_volume", 0.0) * volume
               + harvest_w.get("member_harvest", 0.0) * np.asarray(group["member_harvest"]))
    # Plain sharing (a network, a template, a sign-up window) counts in proportion to how
    # new or concealed the group is: established accounts sharing a CI range or their
    # tool's system prompt are how organisations and public infrastructure look.
    # Several declared organisations whose members harvest on their own and share rare
    # networks, clients or templates are one operator's shells: organisations do not
    # share their infrastructure with other organisations. ``other_orgs`` (the share of
    # members in organisations of two or more members other than the group's largest)
    # times the share suspicious on their own counts as novelty too. (Companies whose
    # developers use one coding agent from shared CI ranges are many organisations too,
    # but their members are not suspicious one by one; and one account per corporate
    # domain is a customer, not a shell.)
    cross_org = (np.asarray(group.get("other_orgs", 0.0), dtype=float)
                 * np.asarray(group.get("suspicious_share", 0.0), dtype=float))
    novelty = np.maximum.reduce([np.asarray(group["fresh"], dtype=float),
                                 np.asarray(group["concealment"], dtype=float),
                                 cross_org * np.ones(len(volume))])
    # People together at one place (a hackathon on the venue's Wi-Fi, a class behind the
    # campus NAT) share its network and sign up at the same hour, in the open; an
    # operator's accounts are spread over many networks. So the network and sign-up
    # sharing of a group count for the share of its members that are *not* at its main
    # place (``colocated``).
    colocated = np.asarray(group.get("colocated", 0.0), dtype=float) * np.ones(len(volume))
    coordination = np.zeros(len(volume))
    for name, w in coordination_w.items():
        if name == "automation":
            value = np.maximum(np.asarray(group["member_amplifier"]) - 1.0, 0.0)
        else:  # a signal the caller does not have (the guard: harvest organisations)
            value = np.asarray(group.get(name, 0.0), dtype=float)
        if name in PLAIN_SHARING:
            value = value * novelty
        if name in PLACE_SHARING:
            value = value * (1.0 - colocated)
        coordination += w * value
    # Openness is belonging together in the open. A declared use is not: it explains the
    # members' automation (already discounted) and caps them at review, but a programme
    # entry is what a campaign spread over education and startup pathways would hold.
    # An organisation explains its own members' sharing, not a group whose other members
    # sit in other organisations on the same rare infrastructure and harvest: the shells
    # (``cross_org``) take their share of the openness away.
    openness = np.asarray(group["open"], dtype=float) * (1.0 - cross_org)
    # Cards shared across accounts that also hide their addresses or registrations is
    # fraud before any harvest: flagged early, while the campaign is still small.
    concealed_payment = (np.asarray(group["shared_payment"], dtype=float)
                         * np.asarray(group["concealment"], dtype=float))
    risk = 1.0 - np.exp(-(harvest * coordination
                          + config.campaign_concealed_payment_weight * concealed_payment))
    return np.asarray(risk * (1.0 - config.campaign_openness_weight * openness))


#: Coordination that organisations and public infrastructure show too.
PLAIN_SHARING: frozenset[str] = frozenset({"shared_network", "shared_template", "signup_burst"})
#: Coordination that people together at one place show (``colocated`` discounts it).
PLACE_SHARING: frozenset[str] = frozenset({"shared_network", "signup_burst"})
#: Group signals a campaign's reasons state as shares of its members.
_SHARE_WORDS: dict[str, str] = {
    **GROUP_SIGNALS,
    "concealment": "belong to a cohort that conceals (registered together, "
                   "fresh, rotating addresses) or rotate through a proxy pool spanning "
                   "many address blocks",
    HARVEST_ORG_HUB: "belong to a new organisation whose members nearly all harvest on "
                     "their own (a shell company, not a team)",
    BORDER_PAYMENT: "pay with a card that accounts of no one organisation use from two or "
                    "more countries (one payer's accounts presented as strangers)",
}


def campaign_reasons(size: int, signals: Mapping[str, float]) -> list[Reason]:
    """Sentences a person can check: what the group harvested, then its strongest
    coordination evidence (each with the group signal it states and its value)."""
    reasons = [Reason(
        "harvest",
        f"{size} accounts collected {signals['harvest_tokens']:,.0f} tokens of long answers "
        f"to new prompts; mean member harvest {signals['member_harvest']:.2f}",
        value=signals["harvest_tokens"],
    )]
    found = sorted(
        ((signals[k], k) for k in _SHARE_WORDS if signals.get(k, 0.0) > 0),
        reverse=True,
    )
    reasons += [
        Reason(k, f"{round(share * size)} of {size} accounts {_SHARE_WORDS[k]}", value=share)
        for share, k in found
    ]
    # Openness is judged on the group as linked before its split too; a part's share
    # that is its linked group's says so (20 % of a part of three would read as a slip).
    linked = "of the accounts linked with it before its split"
    if signals.get("other_orgs", 0.0) > 0:
        whose = linked if signals.get("other_orgs_linked", 0.0) else "of members"
        reasons.append(Reason(
            "other_orgs",
            f"{100 * signals['other_orgs']:.0f}% {whose} belong to other declared "
            "organisations sharing the group's infrastructure (shell companies, when its "
            "members harvest)", value=signals["other_orgs"],
        ))
    if signals.get("colocated", 0.0) >= 0.05:
        reasons.append(Reason(
            "colocated",
            f"{100 * signals['colocated']:.0f}% of members are at one place (one network, "
            "and no more than a few): their shared network and sign-up hour count that "
            "much less (a venue, a campus, an office)", value=signals["colocated"],
        ))
    if signals.get("open", 0.0) > 0:
        whose = linked if signals.get("open_linked", 0.0) else "of members"
        reasons.append(Reason(
            "open",
            f"{100 * signals['open']:.0f}% {whose} openly belong to one organisation "
            "(lowers the risk)", value=signals["open"],
        ))
    if signals.get("declared", 0.0) > 0:
        reasons.append(Reason(
            "declared",
            f"{100 * signals['declared']:.0f}% of members are verified customers with a "
            "declared use (held for review, never blocked outright)",
            value=signals["declared"],
        ))
    reasons.append(Reason(
        "member_risk",
        f"mean member risk {signals['member_risk']:.2f}; "
        f"{100 * signals['suspicious_share']:.0f}% of members suspicious on their own",
        value=signals["member_risk"],
    ))
    return reasons


def add_evidence(
    con: duckdb.DuckDBPyConnection,
    campaigns: Campaigns,
    config: Config,
    *,
    show_pii: bool = False,
    source: str = "events",
) -> None:
    """Attach first/last seen, exchanges and ``evidence`` to every campaign record (SQL)."""
    if not campaigns.records:
        return
    members = pa.table({
        "campaign_id": [r.campaign_id for r in campaigns.records for _ in r.accounts],
        "account_id": [acc for r in campaigns.records for acc in r.accounts],
    })
    con.register("campaign_members", members)
    q = lambda sql: con.execute(sql).to_arrow_table().to_pylist()  # noqa: E731
    # One pass over the members' events for the counts (grouping sets), one more for
    # the example prompt and accounts of each campaign's top templates only.
    joined = f"{source} JOIN campaign_members USING (account_id)"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE campaign_counts AS
        SELECT campaign_id, capability, coalesce(model, '(none)') AS model_name,
               date_trunc('hour', timestamp) AS hour,
               grouping(capability, model_name, hour) AS grouped_by,
               count(*) AS c, min(timestamp) AS first_seen, max(timestamp) AS last_seen
        FROM {joined}
        GROUP BY GROUPING SETS ((campaign_id), (campaign_id, capability),
                                (campaign_id, model_name), (campaign_id, hour))
        """
    )
    # grouping(): a bit per column left out of the set (capability 4, model 2, hour 1).
    totals = {r["campaign_id"]: r for r in q(
        "SELECT campaign_id, first_seen, last_seen, c AS exchanges FROM campaign_counts "
        "WHERE grouped_by = 7"
    )}
    capability = q(
        "SELECT campaign_id, capability, c FROM campaign_counts "
        "WHERE grouped_by = 3 AND capability IS NOT NULL ORDER BY campaign_id, c DESC, capability"
    )
    models = q(
        "SELECT campaign_id, model_name AS model, c FROM campaign_counts "
        "WHERE grouped_by = 5 ORDER BY campaign_id, c DESC, model"
    )
    timeline = q(
        "SELECT campaign_id, hour, c FROM campaign_counts WHERE grouped_by = 6 "
        "ORDER BY campaign_id, hour"
    )
    con.execute("DROP TABLE campaign_counts")
    limit = int(config.report.example_prompts)
    templates = q(
        f"""
        WITH top AS (
            SELECT * FROM (
                SELECT campaign_id, skeleton, count(*) AS requests,
                       row_number() OVER (PARTITION BY campaign_id
                                          ORDER BY count(*) DESC, skeleton) AS rank
                FROM {joined} WHERE skeleton IS NOT NULL GROUP BY campaign_id, skeleton
            ) WHERE rank <= {limit}
        ),
        examples AS (
            SELECT t.campaign_id, t.skeleton, count(DISTINCT e.account_id) AS accounts,
                   min(e.prompt) AS example
            FROM top t JOIN campaign_members m ON m.campaign_id = t.campaign_id
            JOIN (SELECT account_id, skeleton, prompt FROM {source}
                  WHERE skeleton IN (SELECT skeleton FROM top)) e
              ON e.account_id = m.account_id AND e.skeleton = t.skeleton
            GROUP BY t.campaign_id, t.skeleton
        )
        SELECT top.campaign_id, top.skeleton, top.requests, examples.accounts, top.rank,
               examples.example
        FROM top JOIN examples USING (campaign_id, skeleton)
        ORDER BY campaign_id, rank
        """
    )
    indicators = q(
        """
        SELECT * FROM (
            SELECT m.campaign_id, i.kind, i.value, count(DISTINCT i.account_id) AS accounts,
                   row_number() OVER (PARTITION BY m.campaign_id
                       ORDER BY count(DISTINCT i.account_id) DESC, i.kind, i.value) AS rank
            FROM account_indicators i JOIN campaign_members m USING (account_id)
            JOIN indicator_weights w ON w.kind = i.kind AND w.value = i.value
            WHERE i.kind <> 'template'
            GROUP BY m.campaign_id, i.kind, i.value HAVING count(DISTINCT i.account_id) >= 2
        ) WHERE rank <= 12 ORDER BY campaign_id, rank
        """
    )
    con.unregister("campaign_members")
    capability_by, models_by, timeline_by, templates_by, indicators_by = (
        _by_campaign(rows) for rows in (capability, models, timeline, templates, indicators)
    )
    cut = int(config.report.max_prompt_chars)
    for record in campaigns.records:
        cid = record.campaign_id
        total = totals[cid]
        caps = capability_by.get(cid, [])
        cap_total = sum(r["c"] for r in caps) or 1
        tmpl = templates_by.get(cid, [])
        record.first_seen = total["first_seen"].isoformat()
        record.last_seen = total["last_seen"].isoformat()
        record.exchanges = int(total["exchanges"])
        record.evidence = {
            "shared_indicators": [
                {"kind": r["kind"],
                 "value": display_value(r["kind"], r["value"], show_pii=show_pii)[:cut],
                 "accounts": int(r["accounts"])}
                for r in indicators_by.get(cid, [])
            ],
            "templates": [
                {"skeleton": r["skeleton"][:cut], "requests": int(r["requests"]),
                 "accounts": int(r["accounts"])} for r in tmpl
            ],
            "example_prompts": [(r["example"] or "")[:cut] for r in tmpl],
            "capability_mix": {r["capability"]: round(r["c"] / cap_total, 4) for r in caps},
            "models": {r["model"]: int(r["c"]) for r in models_by.get(cid, [])},
            "signals": record.signals,
            "timeline": [
                {"hour": r["hour"].isoformat(), "requests": int(r["c"])}
                for r in timeline_by.get(cid, [])
            ],
        }


def _by_campaign(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        grouped.setdefault(row["campaign_id"], []).append(row)
    return grouped
