"""Incremental cross-account linkage and campaign groups for the online guard.

The batch scan links accounts that share rare indicator values (``detect/linkage.py``), groups
linked suspicious accounts into campaigns and scores each group (``detect/campaigns.py``). The
guard does the same incrementally:

- **Index.** Each indicator value an account shows (payment fingerprint, IP, /24 or /48
  network, TLS fingerprint, user agent, e-mail pattern, system prompt, and a template it
  sent ``linkage.template_min_events`` times) is added once to an index that counts the
  accounts holding it and remembers the first ``online.max_index_members`` of them.
  Values are keyed by a keyed hash, never stored raw.
- **Links.** When an account is re-scored, its links are recomputed from the index with
  the batch's weights: ``base * log(N/k) / log(N)`` for a value held by ``k`` of ``N``
  accounts (as if unique when nearly all holders are suspicious, for the kinds
  ``indicators.SEED_EXCLUSIVE_KINDS``), values held by over ``max_indicator_share`` of
  accounts ignored, each kind counted once by its strongest value, cards, networks and
  e-mail patterns not linking accounts of one declared organisation.
- **Groups.** Suspicious accounts (own risk ≥ ``min_campaign_member_risk``) linked with
  weight ≥ ``min_link_weight`` are merged in a union-find; another account joins the
  group it is linked to with total weight ≥ ``campaign_attach_weight``. Each group keeps
  additive aggregates (members, summed own risk, suspicious members, members with each
  kind of shared link), so its risk is ``campaigns.group_risk`` of the same group
  signals the batch computes. A group of ``min_campaign_accounts`` or more with a
  suspicious member and risk ≥ the monitor threshold is a campaign (``OC0001``, ...).

Online groups only grow: links are recomputed with current rarity, but a union is never
undone (batch recomputes everything at every scan). Lockstep timing, which needs every
pair of suspicious accounts' minute-by-minute activity, is not computed online: its
group signal is reported unavailable and counts zero.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import numpy as np

from distillguard.config import Config
from distillguard.detect.campaigns import KIND_SIGNALS, group_risk
from distillguard.detect.indicators import (
    FLAT_KINDS,
    GROUP_SIGNALS,
    INDICATOR_KINDS,
    KIND,
    ORG_SHARED_KINDS,
    SEED_EXCLUSIVE_KINDS,
)
from distillguard.detect.rules import MIN_TEMPLATE_CHARS
from distillguard.online.profile import AccountState, template_key
from distillguard.online.store import StateStore

#: Indicator kinds the guard reads from an event, and how (templates come from counts).
EVENT_INDICATORS: dict[str, str] = {
    kind.name: kind.online for kind in INDICATOR_KINDS
    if kind.online is not None and kind.online != "template"
}
#: Group signals the guard computes (the others in the configuration count zero): those
#: evidenced by a kind it reads.
ONLINE_GROUP_SIGNALS: tuple[str, ...] = tuple(
    signal for signal, kinds in KIND_SIGNALS.items()
    if any(KIND[k].online is not None for k in kinds if k in KIND)
)


def _member_sums(evidence: Mapping[str, np.ndarray] | None, n: int) -> list[dict[str, float]]:
    """Each account's additive share of its group's aggregates."""
    if evidence is None:
        return [{} for _ in range(n)]
    return [
        {"harvest_sum": float(h), "amplifier_sum": float(a), "tokens_sum": float(t),
         "young_sum": float(y)}
        for h, a, t, y in zip(evidence["harvest"], evidence["amplifier"], evidence["tokens"],
                              evidence["young"], strict=True)
    ]


def campaign_label(number: int) -> str:
    return f"OC{number:04d}"


def campaign_of_group(group: Mapping[str, Any] | None) -> tuple[str | None, float]:
    """(campaign id, campaign risk) of a group record, or (None, 0) for no campaign."""
    if not group or not group.get("candidate") or not group.get("campaign"):
        return None, 0.0
    return campaign_label(int(group["campaign"])), float(group.get("risk", 0.0))


class IndicatorKeys:
    """Keyed hashes of indicator values (``kind:hash``), cached: values repeat a lot."""

    def __init__(self, key: bytes) -> None:
        self._key = hashlib.blake2b(key, digest_size=32).digest()
        # Bounded: keys of long values (templates, user agents) would otherwise pile up.
        self.of = lru_cache(maxsize=8192)(self._of)

    def _of(self, kind: str, value: str) -> str:
        digest = hashlib.blake2b(f"{kind}\x00{value}".encode("utf-8", "surrogatepass"),
                                 key=self._key, digest_size=10).hexdigest()
        return f"{kind}:{digest}"


def new_indicators(
    state: AccountState, event: Mapping[str, Any], features: Mapping[str, Any],
    kinds: Mapping[str, float], keys: IndicatorKeys, config: Config,
) -> list[str]:
    """Indicator keys this event shows that the account had not shown (and records them).

    At most ``online.max_indicator_values`` values are remembered per account and kind.
    """
    cap = int(config.online.max_indicator_values)
    found: list[str] = []
    for kind in kinds:
        how = EVENT_INDICATORS.get(kind)
        if how == "event":
            value = event.get(kind)
        elif how == "feature":
            value = features.get(kind)
        elif how == "md5":
            text = event.get(kind)
            value = None if text is None else hashlib.md5(
                text.encode("utf-8", "surrogatepass"), usedforsecurity=False).hexdigest()
        elif kind == "template":
            skeleton = features.get("skeleton")
            value = None
            if skeleton is not None and len(skeleton) >= MIN_TEMPLATE_CHARS:
                sent = state.templates.guaranteed(template_key(skeleton))
                value = skeleton if sent >= config.linkage.template_min_events else None
        else:
            continue
        if value is None:
            continue
        key = keys.of(kind, str(value))
        held = state.indicators.setdefault(kind, [])
        if key not in held and len(held) < cap:
            held.append(key)
            found.append(key)
    return found


class Linker:
    """Recomputes links and group membership of re-scored accounts (see module doc)."""

    def __init__(self, config: Config, store: StateStore) -> None:
        self.config = config
        self.store = store
        self.kind_weights = {k: float(w) for k, w in config.linkage.indicators.items()}
        self.kind_signal = {
            kind: signal for signal, kinds in KIND_SIGNALS.items() for kind in kinds
        }

    def unavailable(self) -> list[str]:
        """Indicator kinds and group signals the batch uses that the guard cannot."""
        kinds = [k for k in self.kind_weights if k not in KIND or KIND[k].online is None]
        signals = [
            s for s in self.config.scoring.campaign_coordination_weights
            if s != "automation" and s not in ONLINE_GROUP_SIGNALS
        ]
        return kinds + signals

    def links(self, state: AccountState, n_accounts: int, seed_of: Mapping[str, bool]
              ) -> dict[str, tuple[float, set[str]]]:
        """Accounts linked to ``state``'s account: total weight and the kinds shared."""
        cfg = self.config.linkage
        keys = [key for held in state.indicators.values() for key in held]
        if not keys:
            return {}
        n = max(n_accounts, 3)
        log_n = math.log(n)
        most = max(2.0, float(cfg.max_indicator_share) * n)
        exclusive_share = float(cfg.seed_exclusive_share)
        per_pair: dict[str, dict[str, float]] = {}
        candidates = 0
        for key, (k, members) in zip(keys, self.store.index_get(keys), strict=True):
            if k < 2 or k > most:
                continue
            kind = key.split(":", 1)[0]
            weight = self.kind_weights[kind] * (
                1.0 if kind in FLAT_KINDS else math.log(n / k) / log_n)
            if kind in SEED_EXCLUSIVE_KINDS and k >= 3 and len(members) >= k:
                seeds = sum(1 for m in members if seed_of.get(m, False))
                if seeds >= exclusive_share * k:
                    weight = self.kind_weights[kind]
            for other in members:
                if other == state.account_id:
                    continue
                kinds = per_pair.get(other)
                if kinds is None:
                    if candidates >= self.config.online.max_link_candidates:
                        continue
                    candidates += 1
                    kinds = per_pair[other] = {}
                if weight > kinds.get(kind, 0.0):
                    kinds[kind] = weight
        if not per_pair:
            return {}
        own_org = state.column("org_id")
        others = list(per_pair)
        if own_org is not None:
            for other, org in zip(others, self.store.orgs(others), strict=True):
                if org == own_org:
                    for kind in ORG_SHARED_KINDS:
                        per_pair[other].pop(kind, None)
        floor = float(cfg.min_link_weight)
        return {
            other: (total, set(kinds))
            for other, kinds in per_pair.items()
            if (total := sum(kinds.values())) >= floor
        }

    def update(
        self, states: list[AccountState], own: np.ndarray,
        previous: list[dict[str, Any] | None], n_accounts: int, relink: set[str],
        evidence: Mapping[str, np.ndarray] | None = None,
    ) -> tuple[list[dict[str, Any]], set[str]]:
        """Update links and groups of re-scored accounts.

        ``previous`` holds each account's last score record (its group bookkeeping).
        Links are recomputed (the costly part) when the account showed new indicator
        values, became or stopped being suspicious, doubled its events since, or is in
        ``relink``; otherwise its group place is kept and only its contribution
        (own risk) is updated. Returns the new group records (``node``, ``contrib``,
        ``linked_events``, ``linked_keys``) and the accounts to relink next time: the
        neighbours of accounts that just became suspicious, which may now join them.
        ``evidence`` holds what each account brings to its group (``harvest``,
        ``amplifier``, ``tokens``, ``young``; see ``Guard._score``).
        """
        sc = self.config.scoring
        threshold = float(sc.min_campaign_member_risk)
        seed_of = {s.account_id: bool(r >= threshold) for s, r in zip(states, own, strict=True)}
        plans: list[dict[str, tuple[float, set[str]]] | None] = []
        for state, prev in zip(states, previous, strict=True):
            prev = prev or {}
            keys = sum(len(v) for v in state.indicators.values())
            stale = (
                state.account_id in relink
                or keys != prev.get("linked_keys", 0)
                or seed_of[state.account_id] != bool(prev.get("seed"))
                or state.events >= 2 * int(prev.get("linked_events", 0))
            )
            plans.append(self.links(state, n_accounts, seed_of) if stale else None)
        # Seed status of linked accounts not re-scored now comes from their last score.
        unknown = sorted({o for links in plans if links for o in links if o not in seed_of})
        for other, record in zip(unknown, self.store.scores(unknown), strict=True):
            seed_of[other] = bool(record and record.get("seed"))
        touched: set[str] = set()
        records: list[dict[str, Any]] = []
        relink_next: set[str] = set()
        sums = _member_sums(evidence, len(states))
        for state, risk, links, prev, brings in zip(states, own, plans, previous, sums,
                                                   strict=True):
            prev = prev or {}
            org_id = state.column("org_id")
            if org_id is not None:
                self.store.set_org(state.account_id, org_id)
            record = self._place(state.account_id, float(risk), links, prev, seed_of, brings)
            if links is not None:
                record["linked_events"] = state.events
                record["linked_keys"] = sum(len(v) for v in state.indicators.values())
                if seed_of[state.account_id] and not prev.get("seed"):
                    relink_next |= {o for o in links if not seed_of.get(o)}
            else:
                record["linked_events"] = prev.get("linked_events", 0)
                record["linked_keys"] = prev.get("linked_keys", 0)
            if record.get("node") is not None:
                touched.add(self.store.find(record["node"]))
            if prev.get("node") is not None:
                touched.add(self.store.find(prev["node"]))
            records.append(record)
        self.refresh_groups(sorted(touched))
        return records, relink_next

    def _place(self, account: str, risk: float,
               links: Mapping[str, tuple[float, set[str]]] | None,
               prev: Mapping[str, Any], seed_of: Mapping[str, bool],
               brings: Mapping[str, float]) -> dict[str, Any]:
        """Put an account in its group (or none) and update the group's aggregates."""
        store = self.store
        seed = seed_of[account]
        old = prev.get("contrib") or {}
        old_root = store.find(prev["node"]) if prev.get("node") is not None else None
        if links is None:
            node = prev.get("node")
            contrib = dict(old)
            if contrib:
                contrib.update({"risk_sum": risk, "seeds": float(seed), **brings})
            root = old_root
        else:
            node = self._node(account, seed, links, seed_of)
            root = store.find(node) if node is not None else None
            contrib = {}
            if root is not None:
                contrib = {"size": 1.0, "risk_sum": risk, "seeds": float(seed), **brings}
                contrib.update({f"has_{s}": 1.0 for s in self._shared(links, root)})
        if old_root is not None and old_root == root:
            delta = {k: contrib.get(k, 0.0) - old.get(k, 0.0) for k in set(contrib) | set(old)}
            if any(delta.values()):
                store.group_add(root, {k: v for k, v in delta.items() if v})
        else:
            if old_root is not None and old:
                store.group_add(old_root, {k: -v for k, v in old.items()})
            if root is not None:
                store.group_add(root, contrib)
        return {"node": node, "contrib": contrib}

    def _node(self, account: str, seed: bool, links: Mapping[str, tuple[float, set[str]]],
              seed_of: Mapping[str, bool]) -> str | None:
        """The account's node: itself for a suspicious account (merged with the suspicious
        accounts it links to), else the group it is most strongly linked to, if strongly
        enough (``campaign_attach_weight``)."""
        store = self.store
        current = store.member_of([account])[0]
        if seed or current == account:  # once a node, always a node (groups only grow)
            if current != account:
                store.set_member_of(account, account)
            seeds = [o for o in links if seed_of.get(o)]
            for other, other_node in zip(seeds, store.member_of(seeds), strict=True):
                if other_node == other:
                    store.union(account, other)
            return account
        weight_to: dict[str, float] = {}
        seeds = [o for o in links if seed_of.get(o)]
        for other, other_node in zip(seeds, store.member_of(seeds), strict=True):
            if other_node is not None:
                root = store.find(other_node)
                weight_to[root] = weight_to.get(root, 0.0) + links[other][0]
        best = max(weight_to, key=weight_to.__getitem__, default=None)
        attach = float(self.config.scoring.campaign_attach_weight)
        node = best if best is not None and weight_to[best] >= attach else None
        if node != current:
            store.set_member_of(account, node)
        return node

    def _shared(self, links: Mapping[str, tuple[float, set[str]]], root: str) -> set[str]:
        """Group signals (shared payment, ...) the account shows with its group's members."""
        shared: set[str] = set()
        others = list(links)
        for other, other_node in zip(others, self.store.member_of(others), strict=True):
            if other_node is not None and self.store.find(other_node) == root:
                shared |= {self.kind_signal[k] for k in links[other][1] if k in self.kind_signal}
        return shared

    def refresh_groups(self, roots: list[str]) -> None:
        """Recompute the risk (and campaign number) of groups whose members changed."""
        if not roots:
            return
        sc = self.config.scoring
        records = self.store.groups(roots)
        size = np.array([max(float(r.get("size", 0.0)), 0.0) for r in records])
        safe = np.maximum(size, 1.0)

        def total(name: str) -> np.ndarray:
            return np.array([float(r.get(name, 0.0)) for r in records])

        group: dict[str, np.ndarray] = {
            "accounts": size,
            "harvest_tokens": total("tokens_sum"),
            "member_harvest": total("harvest_sum") / safe,
            "member_amplifier": np.where(size > 0, total("amplifier_sum") / safe, 1.0),
            "member_risk": total("risk_sum") / safe,
            "suspicious_share": total("seeds") / safe,
            "fresh": total("young_sum") / safe,
            # Cohorts, co-timing, organisations and declared use are batch-only.
            "concealment": np.zeros(len(records)), "open": np.zeros(len(records)),
            "declared": np.zeros(len(records)),
        }
        for signal in GROUP_SIGNALS:
            group[signal] = total(f"has_{signal}") / safe
        risk = group_risk(group, sc)
        for root, record, r, n in zip(roots, records, risk, size, strict=True):
            seeds = float(record.get("seeds", 0.0))
            candidate = bool(
                n >= sc.min_campaign_accounts and seeds >= 1
                and r >= sc.thresholds["monitor"]
            )
            fields: dict[str, Any] = {"risk": float(r), "candidate": int(candidate)}
            if candidate and not record.get("campaign"):
                fields["campaign"] = self.store.next_campaign_number()
            self.store.set_group(root, fields)
