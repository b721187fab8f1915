"""Charts of the UI as Plotly figure data (JSON), drawn in the browser by ``static/ui.js``.

The report inlines its chart scripts and allows them by hash; the UI's policy runs no
inline script at all, so a page carries each figure as a JSON data block
(``<script type="application/json">``, which a browser never executes, written with
Jinja's HTML-safe ``tojson``) and the app's own script file draws it. Every text taken
from the data passes :func:`distillguard.report.charts.chart_label`, because Plotly renders
some HTML in labels.
"""

from __future__ import annotations

from typing import Any

from distillguard.report.charts import chart_label
from distillguard.ui.data import Traffic

#: Models drawn one by one; the rest are summed as "other models".
MAX_MODELS = 10
OTHER = "other models"
_FONT = "system-ui, -apple-system, Segoe UI, Roboto, sans-serif"


def _bucket_text(value: Any) -> str:
    return str(value.strftime("%Y-%m-%d %H:%M")) if hasattr(value, "strftime") else ""


def traffic_figure(traffic: Traffic, title: str) -> dict[str, Any]:
    """Stacked bars of requests per hour (or day) and model.

    A model first used after the traffic began gets a dotted line and a label at its
    first bucket: the "pivot" of a campaign moving to a newly released model.
    """
    ordered = [row["model"] for row in sorted(traffic.models, key=lambda r: -r["requests"])]
    shown = ordered[:MAX_MODELS]
    buckets = sorted({_bucket_text(row["period"]) for row in traffic.rows})
    counts: dict[str, dict[str, int]] = {}
    first_used: dict[str, str] = {}
    for row in traffic.rows:  # per (bucket, model) aggregate row, not per event
        at = _bucket_text(row["period"])
        first_used[row["model"]] = min(at, first_used.get(row["model"], at))
        model = row["model"] if row["model"] in shown else OTHER
        per_bucket = counts.setdefault(model, {})
        per_bucket[at] = per_bucket.get(at, 0) + int(row["requests"])
    series = [m for m in shown if m in counts] + ([OTHER] if OTHER in counts else [])
    data = [
        {
            "type": "bar",
            "name": chart_label(model, 40),
            "x": buckets,
            "y": [counts[model].get(at, 0) for at in buckets],
            "hovertemplate": "%{x}: %{y} requests<extra>" + chart_label(model, 40) + "</extra>",
        }
        for model in series
    ]
    shapes, notes = [], []
    for model in shown:
        start = first_used.get(model)
        if start is not None and buckets and start > buckets[0]:
            shapes.append({"type": "line", "x0": start, "x1": start, "y0": 0, "y1": 1,
                           "yref": "paper", "line": {"color": "#c0392b", "dash": "dot"}})
            notes.append({"x": start, "y": 1, "yref": "paper", "yanchor": "bottom",
                          "showarrow": False, "font": {"size": 11, "color": "#c0392b"},
                          "text": chart_label(f"{model} first used", 60)})
    layout = {
        "template": "none",
        "title": {"text": title, "font": {"size": 14}},
        "height": 300,
        "barmode": "stack",
        "bargap": 0.05,
        "margin": {"l": 55, "r": 20, "t": 50, "b": 40},
        "font": {"family": _FONT},
        "xaxis": {"type": "date", "gridcolor": "#eee"},
        "yaxis": {"title": {"text": f"requests per {traffic.bucket}"}, "gridcolor": "#eee"},
        "legend": {"orientation": "h", "y": -0.2},
        "shapes": shapes,
        "annotations": notes,
    }
    return {"data": data, "layout": layout}
