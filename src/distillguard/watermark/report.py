"""The report of the radioactivity experiment: self-contained HTML (Plotly inlined), Markdown, JSON.

The HTML page makes no network request: plotly.js is embedded. All text is escaped by
Jinja's autoescape; the figures are built here from numbers only.
"""

from __future__ import annotations

import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import plotly.graph_objects as go
from jinja2 import Environment
from markupsafe import Markup
from plotly.offline import get_plotlyjs

if TYPE_CHECKING:
    from distillguard.watermark.experiment import DemoResult

_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>distillguard: watermark radioactivity experiment</title>
<script>{{ plotly_js }}</script>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; color: #222; }
table { border-collapse: collapse; margin: 1rem 0; }
td, th { border: 1px solid #ccc; padding: .3rem .6rem; }
th { background: #f3f3f3; }
.ok { color: #0a7d32; font-weight: 600; } .bad { color: #b00020; font-weight: 600; }
pre { white-space: pre-wrap; padding: .6rem; background: #f6f6f6; }
</style></head><body>
<h1>Watermark radioactivity experiment</h1>
<p>Generated {{ generated }} on {{ machine }}. Total time {{ "%.0f"|format(timings.total) }} s.
Teacher: GPT-2, {{ teacher_parameters }} parameters.
Students: GRU, {{ student_parameters }} parameters each.
Keys: one per {{ keying }}; watermark gamma={{ config.gamma }}, delta={{ config.delta }},
context width={{ config.context_width }}; the open-weight test scores the suspect's
top-{{ top_k }} predictions.</p>

<h2>Targets</h2>
<table><tr><th>target</th><th>measured</th><th>met</th></tr>
{% for row in targets %}<tr><td>{{ row[0] }}</td><td>{{ row[1] }}</td>
<td class="{{ 'ok' if row[2] else 'bad' }}">{{ 'yes' if row[2] else 'no' }}</td></tr>
{% endfor %}</table>

<h2>Campaign students (open-weight reading, supervised)</h2>
<table><tr><th>student</th><th>watermarked share</th><th>campaign p-value</th>
<th>scored tuples</th><th>green share</th><th>rank / candidates</th>
<th>p per campaign key</th><th>p without dedup</th></tr>
{% for s in students %}<tr><td>{{ s.name }}</td>
<td>{{ "%.0f%%"|format(100 * s.watermarked_fraction) }}</td>
<td>{{ "%.2e"|format(s.campaign_p_value) }}</td><td>{{ s.campaign_scored_tokens }}</td>
<td>{{ "%.3f"|format(s.campaign_green_fraction) }}</td>
<td>{{ s.campaign_rank }} / {{ s.candidates }}</td>
<td>{% for k, v in s.campaign_key_p_values.items() %}{{ k }}: {{ "%.1e"|format(v) }}<br>
{% endfor %}</td>
<td>{{ "%.2e"|format(s.campaign_p_value_no_dedup) }}</td></tr>
{% endfor %}</table>
{{ figure_fraction }}
{{ figure_ranking }}

<h2>Controls</h2>
<table><tr><th>control</th><th>p-values</th><th>smallest p</th><th>KS p (uniform)</th></tr>
{% for row in controls %}<tr><td>{{ row[0] }}</td><td>{{ row[1] }}</td>
<td>{{ "%.2e"|format(row[2]) }}</td><td>{{ "%.3g"|format(row[3]) }}</td></tr>
{% endfor %}</table>
<p>Without the de-duplication rules, the same (window, token) tuple is counted many times
and a model can copy green tokens it has just read: clean models then look radioactive
(smallest p above), which is why the rules are not optional.</p>
{{ figure_qq }}

<h2>Closed mode (the suspect writes text)</h2>
<table><tr><th>student</th><th>scored tuples</th><th>campaign p-value</th>
<th>top candidate</th></tr>
{% for row in closed %}<tr><td>{{ row[0] }}</td><td>{{ row[1] }}</td>
<td>{{ "%.2e"|format(row[2]) }}</td><td>{{ row[3] }}</td></tr>
{% endfor %}</table>

<h2>Text quality cost</h2>
<p>Perplexity of teacher outputs under the (unwatermarked) teacher:
plain {{ "%.2f"|format(ppl_plain) }}, watermarked {{ "%.2f"|format(ppl_marked) }}
({{ "%+.1f%%"|format(100 * (ppl_marked / ppl_plain - 1)) }}).
Served responses detected with their own key at p &le; 1e-6:
{{ "%.1f%%"|format(100 * detection) }}.</p>
<p>Plain sample:</p><pre>{{ samples.plain }}</pre>
<p>Watermarked sample:</p><pre>{{ samples.watermarked }}</pre>

<h2>Timings (seconds)</h2>
<table>{% for k, v in timings.items() %}
<tr><td>{{ k }}</td><td>{{ "%.1f"|format(v) }}</td></tr>{% endfor %}</table>
</body></html>
"""


def _neg_log10(values: np.ndarray | list[float]) -> np.ndarray:
    return -np.log10(np.maximum(np.asarray(values, dtype=np.float64), 1e-300))


def _figure_html(figure: go.Figure) -> Markup:
    figure.update_layout(
        height=380, margin={"l": 60, "r": 20, "t": 50, "b": 50}, template="plotly_white"
    )
    return Markup(
        figure.to_html(full_html=False, include_plotlyjs=False)
    )  # numbers only, no user text


def targets(result: DemoResult) -> list[tuple[str, str, bool]]:
    """The radioactivity targets of the issue, measured."""
    summary = result.summary()
    rows: list[tuple[str, str, bool]] = []
    for student in summary["students"]:
        if student["watermarked_fraction"] >= 0.10:
            rows.append(
                (
                    f"{student['name']}: campaign p < 1e-5",
                    f"p = {student['campaign_p_value']:.2e}",
                    student["campaign_p_value"] < 1e-5,
                )
            )
            rows.append(
                (
                    f"{student['name']}: campaign ranks first among >= 100 candidates",
                    f"rank {student['campaign_rank']} of {student['candidates']}",
                    student["campaign_rank"] == 1 and student["candidates"] >= 100,
                )
            )
    rows.append(
        (
            "clean students' p-values uniform (KS p > 0.01)",
            f"KS p = {summary['clean_students_ks_p_value']:.3g} "
            f"over {summary['clean_students_p_values']} p-values",
            summary["clean_students_ks_p_value"] > 0.01,
        )
    )
    return rows


def build_html(result: DemoResult) -> str:
    """The whole report page."""
    summary = result.summary()
    students = summary["students"]
    campaign_students = [s for s in students if s["watermarked_fraction"] > 0]

    fraction = go.Figure()
    shares = [100 * s["watermarked_fraction"] for s in campaign_students]
    fraction.add_trace(
        go.Scatter(
            x=shares,
            y=_neg_log10([s["campaign_p_value"] for s in campaign_students]),
            mode="lines+markers",
            name="with de-duplication",
        )
    )
    fraction.add_trace(
        go.Scatter(
            x=shares,
            y=_neg_log10([s["campaign_p_value_no_dedup"] for s in campaign_students]),
            mode="lines+markers",
            name="without (invalid)",
            line={"dash": "dot"},
        )
    )
    fraction.add_hline(y=5, line_dash="dash", annotation_text="p = 1e-5")
    fraction.update_layout(
        title="Campaign p-value vs watermarked share of the student's data",
        xaxis_title="watermarked share of training documents (%)",
        yaxis_title="-log10 p",
    )

    ranking = go.Figure()
    target = f"campaign:{'campaign-A'}"
    for student in result.students:
        if student.fraction <= 0:
            continue
        groups = student.reading.groups
        values = np.concatenate([groups.p_value, student.wrong_keys.keys.p_value])
        labels = list(groups.ids) + [
            f"never-issued key {i}" for i in range(student.wrong_keys.keys.p_value.size)
        ]
        order = np.argsort(values)[:30]
        colors = ["#b00020" if labels[i] == target else "#7a7a7a" for i in order]
        ranking.add_trace(
            go.Bar(
                x=[f"{rank + 1}" for rank in range(order.size)],
                y=_neg_log10(values[order]),
                marker_color=colors,
                name=student.name,
                hovertext=[labels[i] for i in order],
            )
        )
    ranking.update_layout(
        title="Top 30 candidates per campaign student (red: the true campaign)",
        xaxis_title="rank",
        yaxis_title="-log10 p",
        barmode="group",
    )

    qq = go.Figure()
    for name, values in (
        ("clean students", result.clean_p_values),
        ("clean students, no de-duplication", result.clean_no_dedup_p_values),
        ("wrong and innocent keys", result.wrong_key_p_values),
    ):
        if values.size:
            ordered = np.sort(values)
            expected = (np.arange(1, ordered.size + 1) - 0.5) / ordered.size
            qq.add_trace(
                go.Scatter(x=_neg_log10(expected), y=_neg_log10(ordered), mode="markers", name=name)
            )
    top = float(
        np.max(
            _neg_log10(
                np.concatenate([[0.5], result.clean_no_dedup_p_values, result.clean_p_values])
            )
        )
    )
    qq.add_trace(
        go.Scatter(x=[0, 4], y=[0, 4], mode="lines", name="uniform", line={"dash": "dash"})
    )
    qq.update_layout(
        title="Null p-values against the uniform distribution (QQ, -log10)",
        xaxis_title="expected -log10 p",
        yaxis_title="observed -log10 p",
        yaxis_range=[0, min(top, 40) + 1],
    )

    controls = [
        (
            "clean students, all issued keys",
            int(result.clean_p_values.size),
            float(result.clean_p_values.min(initial=1.0)),
            result.clean_ks_p_value,
        ),
        (
            "clean students, no de-duplication",
            int(result.clean_no_dedup_p_values.size),
            float(result.clean_no_dedup_p_values.min(initial=1.0)),
            result.clean_no_dedup_ks_p_value,
        ),
        (
            "wrong keys (never issued) and innocent accounts' keys",
            int(result.wrong_key_p_values.size),
            float(result.wrong_key_p_values.min(initial=1.0)),
            result.wrong_key_ks_p_value,
        ),
    ]
    closed = []
    for name, closed_result in result.closed.items():
        record = closed_result.groups.get(target)
        closed.append(
            (
                name,
                closed_result.scored_tokens,
                record["p_value"],
                closed_result.groups.records(1)[0]["id"],
            )
        )
    environment = Environment(autoescape=True)
    return environment.from_string(_TEMPLATE).render(
        plotly_js=Markup(get_plotlyjs()),
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        machine=f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        timings=result.timings,
        teacher_parameters=result.teacher_parameters,
        student_parameters=result.student_parameters,
        keying=result.settings.keying,
        config=result.settings.watermark,
        top_k=result.settings.top_k,
        targets=targets(result),
        students=students,
        controls=controls,
        closed=closed,
        ppl_plain=result.perplexity_plain,
        ppl_marked=result.perplexity_watermarked,
        detection=result.served_detection_rate,
        samples=result.sample_texts,
        figure_fraction=_figure_html(fraction),
        figure_ranking=_figure_html(ranking),
        figure_qq=_figure_html(qq),
    )


def build_markdown(result: DemoResult) -> str:
    """A plain-text summary with the same figures as the HTML page."""
    summary = result.summary()
    lines = [
        "# Watermark radioactivity experiment",
        "",
        f"Total time {result.timings['total']:.0f} s; keys per {result.settings.keying}.",
        "",
        "| target | measured | met |",
        "| --- | --- | --- |",
    ]
    lines += [
        f"| {name} | {measured} | {'yes' if met else 'no'} |"
        for name, measured, met in targets(result)
    ]
    lines += [
        "",
        "| student | watermarked share | campaign p | rank | p without dedup |",
        "| --- | --- | --- | --- | --- |",
    ]
    for student in summary["students"]:
        lines.append(
            f"| {student['name']} | {student['watermarked_fraction']:.0%} "
            f"| {student['campaign_p_value']:.2e} "
            f"| {student['campaign_rank']} / {student['candidates']} "
            f"| {student['campaign_p_value_no_dedup']:.2e} |"
        )
    lines += [
        "",
        f"- clean students: {summary['clean_students_p_values']} p-values, smallest "
        f"{summary['clean_students_min_p_value']:.2e}, "
        f"KS p = {summary['clean_students_ks_p_value']:.3g}",
        "- clean students without de-duplication: smallest p "
        f"{summary['clean_students_no_dedup_min_p_value']:.2e}, "
        f"KS p = {summary['clean_students_no_dedup_ks_p_value']:.3g}",
        f"- wrong and innocent keys: smallest p {summary['wrong_keys_min_p_value']:.2e}, "
        f"KS p = {summary['wrong_keys_ks_p_value']:.3g}",
        f"- perplexity under the teacher: plain {summary['perplexity_plain']:.2f}, "
        f"watermarked {summary['perplexity_watermarked']:.2f}",
    ]
    for name, closed in summary["closed_mode"].items():
        lines.append(
            f"- closed mode, {name}: top candidate {closed['top_groups'][0]['id']} "
            f"(p = {closed['top_groups'][0]['p_value']:.2e}, {closed['scored_tokens']} tuples)"
        )
    return "\n".join(lines) + "\n"


def write_report(result: DemoResult, out_dir: str | Path) -> dict[str, Path]:
    """Write ``report.html``, ``report.md`` and ``results.json`` into ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "html": out / "report.html",
        "markdown": out / "report.md",
        "json": out / "results.json",
    }
    paths["html"].write_text(build_html(result), "utf-8")
    paths["markdown"].write_text(build_markdown(result), "utf-8")
    payload: dict[str, Any] = result.summary()
    paths["json"].write_text(json.dumps(payload, indent=2, default=str), "utf-8")
    return paths
