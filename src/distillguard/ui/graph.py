"""The linkage graph of a campaign, laid out on the server and drawn as SVG by a template.

Accounts and the indicator values they share form a bipartite graph (an account joined
to each shared payment fingerprint, network, TLS fingerprint, template ... it has):
compact even when hundreds of accounts share one value, where account-to-account edges
would number in the hundred thousands. The layout is networkx's spring layout with a
fixed seed, so the same campaign always looks the same. The template escapes every
title and link; this module only computes coordinates and picks CSS classes from fixed
sets.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import networkx as nx

from distillguard.schema import DECISIONS
from distillguard.ui.data import INDICATOR_EXPRESSIONS

WIDTH = 920
HEIGHT = 560
MARGIN = 24
LAYOUT_SEED = 7


@dataclass(frozen=True)
class GraphNode:
    x: float
    y: float
    kind: str  # "account" or an indicator kind
    css: str
    title: str
    account_id: str | None = None


@dataclass(frozen=True)
class GraphEdge:
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class LinkageGraph:
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def accounts(self) -> int:
        return sum(node.kind == "account" for node in self.nodes)


def _css_token(value: str, allowed: set[str], fallback: str) -> str:
    return value if value in allowed else fallback


def linkage_graph(
    accounts: list[dict[str, Any]],
    indicators: list[dict[str, Any]],
    links: list[tuple[str, int]],
) -> LinkageGraph:
    """Lay out accounts and shared indicator values.

    Parameters
    ----------
    accounts:
        ``account_id``, ``decision``, ``title`` (already display-safe) per account drawn.
    indicators:
        ``kind`` and ``title`` (display-safe) per indicator value drawn.
    links:
        ``(account_id, index into indicators)`` pairs.
    """
    graph = nx.Graph()
    drawn = {row["account_id"] for row in accounts}
    for row in accounts:
        graph.add_node(("a", row["account_id"]))
    for index in range(len(indicators)):
        graph.add_node(("v", index))
    for account_id, index in links:
        if account_id in drawn and 0 <= index < len(indicators):
            graph.add_edge(("a", account_id), ("v", index))
    if graph.number_of_nodes() == 0:
        return LinkageGraph(nodes=[], edges=[])
    positions = nx.spring_layout(graph, seed=LAYOUT_SEED, iterations=60)
    xs = [float(p[0]) for p in positions.values()]
    ys = [float(p[1]) for p in positions.values()]
    x_lo, x_span = min(xs), (max(xs) - min(xs)) or 1.0
    y_lo, y_span = min(ys), (max(ys) - min(ys)) or 1.0

    def place(node: Any) -> tuple[float, float]:
        x, y = positions[node]
        return (round(MARGIN + (float(x) - x_lo) / x_span * (WIDTH - 2 * MARGIN), 1),
                round(MARGIN + (float(y) - y_lo) / y_span * (HEIGHT - 2 * MARGIN), 1))

    kinds = set(INDICATOR_EXPRESSIONS)
    nodes = []
    for index, row in enumerate(indicators):
        x, y = place(("v", index))
        nodes.append(GraphNode(x=x, y=y, kind=row["kind"],
                               css="ind ind-" + _css_token(row["kind"], kinds, "other"),
                               title=row["title"]))
    for row in accounts:
        x, y = place(("a", row["account_id"]))
        decision = _css_token(str(row.get("decision")), set(DECISIONS), "unknown")
        nodes.append(GraphNode(x=x, y=y, kind="account", css=f"acct {decision}",
                               title=row["title"], account_id=row["account_id"]))
    edges = []
    for a, b in graph.edges():
        (x1, y1), (x2, y2) = place(a), place(b)
        edges.append(GraphEdge(x1=x1, y1=y1, x2=x2, y2=y2))
    return LinkageGraph(nodes=nodes, edges=edges)
