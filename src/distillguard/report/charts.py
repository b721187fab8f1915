"""Plotly charts for the HTML report, as inline script snippets (no network, no CDN).

Each chart becomes a ``<div id=...>`` plus the text of one inline script that calls
``Plotly.newPlot``; the page inlines the plotly.js bundle once and allows exactly these
scripts by hash in its Content-Security-Policy (see ``render.py``).

Plotly renders some HTML in labels and hover text (``<b>``, ``<br>``, ``<a href>``), so
nothing an attacker wrote goes into a chart unfiltered: every label passes
:func:`chart_label`, which keeps a small set of harmless characters. The figure JSON is
additionally escaped so that it can never close its ``<script>`` element.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from distillguard.textsafe import safe_text

_UNSAFE_LABEL_CHARS = re.compile(r"[^A-Za-z0-9 _.:/+\-…]")
_PLOT_CONFIG = {"displaylogo": False, "responsive": True}
_BAR_COLOUR = "#3b6ea8"
_DECISION_COLOURS = {
    "allow": "#8fb996",
    "monitor": "#e3c567",
    "review": "#e08e45",
    "block": "#c0392b",
}


@dataclass(frozen=True)
class Chart:
    """One chart: the id of its ``<div>`` and the inline script that draws it."""

    div_id: str
    script: str


def chart_label(value: object, max_chars: int = 40) -> str:
    """A label safe to hand to Plotly: controls removed, cut, then only
    letters, digits, space, ``_ . : / + -`` and the cut mark ``…`` kept (others become
    ``_``)."""
    text = safe_text(None if value is None else str(value), max_chars)
    return _UNSAFE_LABEL_CHARS.sub("_", text.replace("\n", " ").replace("\t", " "))


def _script_json(figure: go.Figure) -> str:
    text = pio.to_json(figure, validate=False, pretty=False)
    # Plotly already escapes "<" and "/" inside strings; ">" and "&" too, to be sure
    # that nothing in the data can end the <script> element or start an entity.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _layout(title: str, height: int, **extra: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "template": "none",
        # Titles are this module's own literals, never scan text.
        "title": {"text": title, "font": {"size": 14}},
        "height": height,
        "margin": {"l": 60, "r": 20, "t": 40, "b": 50},
        "font": {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif"},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "xaxis": {"gridcolor": "#eee"},
        "yaxis": {"gridcolor": "#eee"},
    }
    layout.update(extra)
    return layout


def render_chart(figure: go.Figure, div_id: str) -> Chart:
    """Turn a figure into a :class:`Chart` (``div_id`` must be a plain identifier)."""
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", div_id):
        raise ValueError(f"invalid chart id {div_id!r}")
    figure_json = _script_json(figure)
    config_json = json.dumps(_PLOT_CONFIG)
    script = (
        f'(function(){{var f={figure_json};Plotly.newPlot("{div_id}",f.data,f.layout,'
        f"{config_json});}})();"
    )
    return Chart(div_id=div_id, script=script)


def decisions_chart(counts: dict[str, int], div_id: str) -> Chart:
    """Bar chart of accounts per decision (allow, monitor, review, block)."""
    names = list(_DECISION_COLOURS)
    figure = go.Figure(
        go.Bar(
            x=names,
            y=[int(counts.get(name, 0)) for name in names],
            marker={"color": [_DECISION_COLOURS[name] for name in names]},
            hovertemplate="%{x}: %{y} accounts<extra></extra>",
        ),
        layout=_layout("Accounts per decision", 280, yaxis={"title": {"text": "accounts"}}),
    )
    return render_chart(figure, div_id)


def risk_histogram(risk: np.ndarray, thresholds: dict[str, float], div_id: str) -> Chart:
    """Histogram of account risk in 20 bins over 0..1, with the decision thresholds."""
    finite = risk[np.isfinite(risk)]
    counts, edges = np.histogram(np.clip(finite, 0.0, 1.0), bins=20, range=(0.0, 1.0))
    centres = (edges[:-1] + edges[1:]) / 2
    shapes = [
        {
            "type": "line",
            "x0": value,
            "x1": value,
            "y0": 0,
            "y1": 1,
            "yref": "paper",
            "line": {"color": _DECISION_COLOURS.get(name, "#888"), "dash": "dot"},
        }
        for name, value in thresholds.items()
        if 0.0 <= value <= 1.0
    ]
    figure = go.Figure(
        go.Bar(
            x=centres.round(3).tolist(),
            y=counts.tolist(),
            width=0.05,
            marker={"color": _BAR_COLOUR},
            hovertemplate="risk %{x}: %{y} accounts<extra></extra>",
        ),
        layout=_layout(
            "Account risk (dotted lines: decision thresholds)",
            280,
            shapes=shapes,
            xaxis={"range": [0, 1], "title": {"text": "risk"}, "gridcolor": "#eee"},
            yaxis={"title": {"text": "accounts"}, "gridcolor": "#eee"},
        ),
    )
    return render_chart(figure, div_id)


def capability_chart(mix: Sequence[tuple[str, float]], div_id: str) -> Chart:
    """Horizontal bars: share of a campaign's requests per capability area."""
    labels = [chart_label(name) for name, _ in mix]
    figure = go.Figure(
        go.Bar(
            x=[round(share, 4) for _, share in mix],
            y=labels,
            orientation="h",
            marker={"color": _BAR_COLOUR},
            hovertemplate="%{y}: %{x:.1%}<extra></extra>",
        ),
        layout=_layout(
            "Capability mix",
            max(160, 40 + 28 * len(labels)),
            xaxis={"tickformat": ".0%", "range": [0, 1], "gridcolor": "#eee"},
            yaxis={"autorange": "reversed"},
            margin={"l": 140, "r": 20, "t": 40, "b": 40},
        ),
    )
    return render_chart(figure, div_id)


def timeline_chart(points: Sequence[tuple[str, int]], div_id: str) -> Chart:
    """Requests per hour of one campaign (hours as ISO-8601 strings)."""
    figure = go.Figure(
        go.Bar(
            x=[chart_label(hour, 40) for hour, _ in points],
            y=[count for _, count in points],
            marker={"color": _BAR_COLOUR},
            hovertemplate="%{x}: %{y} requests<extra></extra>",
        ),
        layout=_layout(
            "Requests per hour",
            260,
            xaxis={"type": "date", "gridcolor": "#eee"},
            yaxis={"title": {"text": "requests"}, "gridcolor": "#eee"},
            bargap=0.05,
        ),
    )
    return render_chart(figure, div_id)
