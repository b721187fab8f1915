"""distillguard.report: the HTML report is self-contained, escaped, PII-free and complete."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Sequence
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from distillguard.config import ReportConfig
from distillguard.errors import InputFileError
from distillguard.evaluation.evaluate import evaluate
from distillguard.report import render_report
from distillguard.report.charts import chart_label

SCRIPT_TAG = "<script>alert(1)</script>"
IMG_TAG = "<img src=x onerror=alert(1)>"
ANSI_RED = "\x1b[31m"
QUARANTINED_IP = "203.0.113.77"
QUARANTINED_EMAIL = "victim.person@example.org"
SMALL_CONFIG = ReportConfig(max_prompt_chars=60, example_prompts=2, max_campaign_accounts_listed=5)


def campaign(campaign_id: str, accounts: list[str], risk: float, **evidence: Any) -> dict[str, Any]:
    return {
        "campaign_id": campaign_id,
        "accounts": accounts,
        "risk": risk,
        "first_seen": "2026-02-01T00:00:03+00:00",
        "last_seen": "2026-02-02T23:59:58+00:00",
        "exchanges": 41234,
        "reasons": [f"{len(accounts)} accounts share 1 payment fingerprint"],
        "evidence": {
            "shared_indicators": [
                {"kind": "payment_fingerprint", "value": "pay:9f86d081884c", "accounts": 3}
            ],
            "templates": [
                {"skeleton": "analyze the following dataset", "requests": 9, "accounts": 3}
            ],
            "example_prompts": ["what is 2+2, step by step"],
            "capability_mix": {"reasoning": 0.61, "coding": 0.2, "general": 0.19},
            "models": {"frontier-1": 30000, "frontier-2": 11234},
            "signals": {"member_risk": 0.8, "shared_payment": 1.0},
            "timeline": [
                {"hour": "2026-02-01T00:00:00+00:00", "requests": 812},
                {"hour": "2026-02-01T01:00:00+00:00", "requests": 400},
            ],
            **evidence,
        },
    }


def write_scan(
    directory: Path,
    accounts: Sequence[tuple[str, float, str, str | None, list[str]]],
    campaigns: list[dict[str, Any]],
    quarantine_rows: list[tuple[str, str]] | None = None,
) -> Path:
    """A scan directory (contract 2) written by hand."""
    directory.mkdir(parents=True, exist_ok=True)
    ids = [row[0] for row in accounts]
    pq.write_table(
        pa.table(
            {
                "account_id": pa.array(ids, pa.string()),
                "risk": pa.array([row[1] for row in accounts], pa.float64()),
                "decision": pa.array([row[2] for row in accounts], pa.string()),
                "campaign_id": pa.array([row[3] for row in accounts], pa.string()),
                "reasons": pa.array([row[4] for row in accounts], pa.list_(pa.string())),
                "own_risk": pa.array([row[1] / 2 for row in accounts], pa.float64()),
            }
        ),
        directory / "accounts.parquet",
    )
    (directory / "campaigns.json").write_text(json.dumps(campaigns), "utf-8")
    flagged = sum(row[2] in ("review", "block") for row in accounts)
    quarantined = len(quarantine_rows or [])
    summary = {
        "rows_read": 100 + quarantined,
        "rows_valid": 100,
        "rows_quarantined": quarantined,
        "duplicates": 0,
        "accounts": len(accounts),
        "flagged_accounts": flagged,
        "campaigns": len(campaigns),
        "files": [
            {
                "path": "events.jsonl",
                "rows_read": 100,
                "rows_valid": 100,
                "rows_quarantined": 0,
                "skipped": False,
            }
        ],
        "signals_unavailable": ["tls_fingerprint"],
        "seconds": 1.5,
        "started_at": "2026-02-03T10:00:00+00:00",
        "version": "0.1.0",
    }
    (directory / "summary.json").write_text(json.dumps(summary), "utf-8")
    if quarantine_rows is not None:
        pq.write_table(
            pa.table(
                {
                    "source_file": ["events.jsonl"] * quarantined,
                    "source_row": list(range(1, quarantined + 1)),
                    "reason": [reason for reason, _ in quarantine_rows],
                    "raw": [raw for _, raw in quarantine_rows],
                },
                schema=pa.schema(
                    [
                        ("source_file", pa.string()),
                        ("source_row", pa.int64()),
                        ("reason", pa.string()),
                        ("raw", pa.string()),
                    ]
                ),
            ),
            directory / "quarantine.parquet",
        )
    return directory


def basic_accounts() -> list[tuple[str, float, str, str | None, list[str]]]:
    members = [
        (f"m{i:02d}", 0.99 - i * 0.01, "block", "C0001", ["cot elicitation"]) for i in range(8)
    ]
    others = [
        ("b0", 0.70, "review", "C0002", ["template reuse"]),
        ("b1", 0.65, "review", "C0002", ["template reuse"]),
        ("b2", 0.62, "review", "C0002", []),
        ("legit0", 0.05, "allow", None, []),
        ("legit1", 0.35, "monitor", None, ["high volume"]),
    ]
    return members + others


def basic_campaigns() -> list[dict[str, Any]]:
    # Written lowest risk first on purpose: the report must rank them itself.
    return [
        campaign("C0002", ["b0", "b1", "b2"], 0.71),
        campaign("C0001", [f"m{i:02d}" for i in reversed(range(8))], 0.97),
    ]


class _Collector(HTMLParser):
    """Every start tag with its attributes, and the text of each <script> and <style>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self._inside: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._inside = tag
            (self.scripts if tag == "script" else self.styles).append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._inside:
            self._inside = None

    def handle_data(self, data: str) -> None:
        if self._inside == "script":
            self.scripts[-1] += data
        elif self._inside == "style":
            self.styles[-1] += data


def parse(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector


@pytest.fixture
def hostile_report(tmp_path: Path) -> str:
    """Attacker text everywhere it can reach: prompts, skeletons, ids, reasons, models."""
    accounts = [
        (f"acct{SCRIPT_TAG}", 0.97, "block", "C0001", [f"reason {IMG_TAG}"]),
        ("acct-2", 0.96, "block", "C0001", [f"{ANSI_RED}red reason"]),
        ("acct-3", 0.95, "block", "C0001", []),
    ]
    hostile = campaign(
        "C0001",
        [row[0] for row in accounts],
        0.97,
        example_prompts=[f"{SCRIPT_TAG} please", f"{IMG_TAG} {ANSI_RED}now"],
        templates=[{"skeleton": f"analyze {SCRIPT_TAG}", "requests": 9, "accounts": 3}],
        models={f"model{IMG_TAG}": 10},
        capability_mix={f"<b onmouseover=alert(1)>x</b>{SCRIPT_TAG}": 1.0},
        shared_indicators=[{"kind": "ip", "value": f"ip:{IMG_TAG}", "accounts": 3}],
        signals={f"sig{SCRIPT_TAG}": 0.5},
        timeline=[
            {"hour": f"2026-02-01T00:00:00{SCRIPT_TAG}", "requests": 3},
            {"hour": "2026-02-01T01:00:00+00:00", "requests": 5},
        ],
    )
    hostile["reasons"] = [f"{IMG_TAG} shared"]
    scan = write_scan(tmp_path, accounts, [hostile], [(f"bad prompt {SCRIPT_TAG}", "{}")])
    path = render_report(scan, config=SMALL_CONFIG, title=f"report {IMG_TAG}")
    return path.read_text("utf-8")


def test_when_attacker_text_then_it_is_escaped_everywhere(hostile_report: str) -> None:
    html = hostile_report
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "onmouseover=alert" not in html.replace("onmouseover=alert(1)&gt;", "")
    assert "\x1b" not in html
    assert "[31mred reason" in html and "[31mnow" in html  # shown, minus the escape byte


def test_when_attacker_text_in_chart_labels_then_only_safe_characters(
    hostile_report: str,
) -> None:
    scripts = parse(hostile_report).scripts
    chart_scripts = [s for s in scripts if s.startswith("(function(){var f=")]
    # Decisions, risk histogram, capability mix, timeline; plus the plotly.js bundle.
    assert len(chart_scripts) == 4 and len(scripts) == 5
    for script in chart_scripts:
        # No tag can start inside a chart script (JSON escapes "<", ">" and "&").
        assert "<" not in script and ">" not in script and "&" not in script
    figures = {
        re.search(r'newPlot\("([\w-]+)"', s).group(1): json.loads(  # type: ignore[union-attr]
            s[len("(function(){var f=") : s.index(";Plotly.newPlot")]
        )
        for s in chart_scripts
    }
    labels = figures["campaign-1-capabilities"]["data"][0]["y"]
    assert labels == ["_b onmouseover_alert_1__x_/b__script_al…"]
    # The hour that was not a timestamp is dropped, the valid one kept.
    assert figures["campaign-1-timeline"]["data"][0]["x"] == ["2026-02-01 01:00"]


def test_chart_label_keeps_only_harmless_characters() -> None:
    assert chart_label("<b>coding</b>") == "_b_coding_/b_"
    assert chart_label("reasoning\x1b[1m") == "reasoning_1m"
    assert chart_label("2026-02-01 00:00") == "2026-02-01 00:00"
    assert chart_label("x" * 500) == "x" * 39 + "…"


def test_report_is_self_contained(tmp_path: Path) -> None:
    scan = write_scan(tmp_path, basic_accounts(), basic_campaigns(), [])
    html = render_report(scan).read_text("utf-8")
    page = parse(html)
    names = [tag for tag, _ in page.tags]
    for forbidden in (
        "link",
        "img",
        "iframe",
        "object",
        "embed",
        "base",
        "frame",
        "audio",
        "video",
        "source",
        "form",
    ):
        assert forbidden not in names
    for tag, attrs in page.tags:
        assert "src" not in attrs, tag
        assert "srcset" not in attrs, tag
        if "href" in attrs:
            assert (attrs["href"] or "").startswith("#"), attrs
    for style in page.styles:
        assert "url(" not in style and "@import" not in style
    # The only URLs are inside the inlined plotly.js bundle (licence comments, map code
    # for traces we never draw); everything else on the page names none.
    bundle = max(page.scripts, key=len)
    assert "plotly.js" in bundle[:200]
    outside_bundle = html.replace(bundle, "")
    assert "http://" not in outside_bundle and "https://" not in outside_bundle
    assert "cdn" not in outside_bundle.lower()


def test_content_security_policy_blocks_fetches_and_allows_exactly_the_page_scripts(
    tmp_path: Path,
) -> None:
    scan = write_scan(tmp_path, basic_accounts(), basic_campaigns(), [])
    page = parse(render_report(scan).read_text("utf-8"))
    csp = next(
        attrs["content"] or ""
        for tag, attrs in page.tags
        if tag == "meta" and attrs.get("http-equiv") == "Content-Security-Policy"
    )
    assert "default-src 'none'" in csp
    allowed = set(re.findall(r"'sha256-([A-Za-z0-9+/=]+)'", csp))
    hashes = {
        base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode() for s in page.scripts
    }
    assert hashes == allowed
    assert len(page.scripts) == 1 + 2 + 2 * 2  # bundle, overview, two charts per campaign


def test_when_quarantine_rows_hold_pii_then_only_reason_counts_are_shown(
    tmp_path: Path,
) -> None:
    raw = json.dumps({"ip": QUARANTINED_IP, "email": QUARANTINED_EMAIL, "prompt": "hi"})
    rows = [("invalid timestamp", raw)] * 3 + [("duplicate request_id", raw)] * 2
    scan = write_scan(tmp_path, basic_accounts(), basic_campaigns(), rows)
    html = render_report(scan).read_text("utf-8")
    assert QUARANTINED_IP not in html
    assert QUARANTINED_EMAIL not in html
    assert "example.org" not in html
    quarantine = html[html.index('id="quarantine"') :]
    assert re.search(r"invalid timestamp</td><td class=\"num\">3<", quarantine)
    assert re.search(r"duplicate request_id</td><td class=\"num\">2<", quarantine)
    assert "5 rows were rejected" in quarantine


def test_campaign_sections_ranked_with_right_counts_and_capped_accounts(tmp_path: Path) -> None:
    scan = write_scan(tmp_path, basic_accounts(), basic_campaigns(), [])
    html = render_report(scan, config=SMALL_CONFIG).read_text("utf-8")
    first, second = html.index('id="campaign-1"'), html.index('id="campaign-2"')
    assert first < second
    section_1, section_2 = html[first:second], html[second : html.index('id="flagged"')]
    assert "Campaign C0001" in section_1 and "· 8 accounts" in section_1
    assert "Campaign C0002" in section_2 and "· 3 accounts" in section_2
    # Five highest-risk members listed (cap 5), the other three summarised.
    listed = re.findall(r'<td class="mono">(m\d\d)</td>', section_1)
    assert listed == ["m00", "m01", "m02", "m03", "m04"]
    assert "and 3 more accounts" in section_1
    assert re.findall(r'<td class="mono">(b\d)</td>', section_2) == ["b0", "b1", "b2"]
    assert "more accounts" not in section_2
    assert "pay:9f86d081884c" in section_1  # indicator shown as the scan wrote it
    assert "Timeline (1,212 requests)" in section_1


def test_top_flagged_accounts_table_lists_flagged_only_by_risk(tmp_path: Path) -> None:
    scan = write_scan(tmp_path, basic_accounts(), basic_campaigns(), [])
    html = render_report(scan, top_accounts=4).read_text("utf-8")
    table = html[html.index('id="flagged"') : html.index('id="quarantine"')]
    assert re.findall(r'<td class="mono">(\w+)</td><td class="num">', table) == [
        "m00",
        "m01",
        "m02",
        "m03",
    ]
    assert "and 7 more flagged accounts" in table  # 11 flagged in all
    assert "legit" not in table


def test_when_no_campaigns_then_report_renders(tmp_path: Path) -> None:
    accounts: list[tuple[str, float, str, str | None, list[str]]] = [
        ("legit0", 0.05, "allow", None, []),
        ("legit1", 0.35, "monitor", None, []),
    ]
    scan = write_scan(tmp_path, accounts, [], None)
    html = render_report(scan).read_text("utf-8")
    assert "No campaign was found in this scan." in html
    assert 'class="campaign"' not in html
    assert "No account was flagged." in html
    assert "No quarantine file" in html


def test_when_no_accounts_then_no_script_at_all(tmp_path: Path) -> None:
    scan = write_scan(tmp_path, [], [], [])
    html = render_report(scan).read_text("utf-8")
    page = parse(html)
    assert page.scripts == []
    csp = next(
        a["content"] for t, a in page.tags if a.get("http-equiv") == "Content-Security-Policy"
    )
    assert csp is not None and "script-src 'none'" in csp
    assert "No rows were rejected." in html


def test_when_prompt_is_long_then_it_is_truncated(tmp_path: Path) -> None:
    long_campaign = campaign(
        "C0001",
        ["m00", "m01", "m02"],
        0.9,
        example_prompts=["A" * 5000, "B" * 10, "C" * 10],  # only 2 examples shown
        templates=[{"skeleton": "S" * 5000, "requests": 5, "accounts": 3}],
    )
    scan = write_scan(tmp_path, basic_accounts(), [long_campaign], [])
    html = render_report(scan, config=SMALL_CONFIG).read_text("utf-8")
    assert "A" * 59 + "…" in html and "A" * 60 not in html
    assert "S" * 59 + "…" in html and "S" * 60 not in html
    assert "B" * 10 in html and "C" * 10 not in html


def test_when_eval_result_given_then_evaluation_block_shown(tmp_path: Path) -> None:
    scan = write_scan(tmp_path / "scan", basic_accounts(), basic_campaigns(), [])
    ids = [row[0] for row in basic_accounts()]
    labels = pa.table(
        {
            "account_id": ids,
            "archetype": ["campaign_x" if i.startswith(("m", "b")) else "casual" for i in ids],
            "campaign_id": ["T1" if i.startswith(("m", "b")) else None for i in ids],
        }
    )
    result = evaluate(labels, scan)
    html = render_report(scan, eval_result=result).read_text("utf-8")
    block = html[html.index('id="evaluation"') : html.index('id="campaigns"')]
    assert '<div class="value">1.000</div><div class="label">precision</div>' in block
    assert '<div class="value">0.00%</div><div class="label">false-positive rate</div>' in block
    assert "<td>casual</td>" in block


def test_out_path_and_missing_files(tmp_path: Path) -> None:
    scan = write_scan(tmp_path / "scan", basic_accounts(), basic_campaigns(), [])
    target = render_report(scan, out_path=tmp_path / "elsewhere" / "r.html")
    assert target == tmp_path / "elsewhere" / "r.html" and target.stat().st_size > 0
    assert not (scan / "report.html").exists()
    (scan / "campaigns.json").unlink()
    with pytest.raises(InputFileError, match=r"campaigns\.json"):
        render_report(scan)
    (scan / "campaigns.json").write_text("{not json", "utf-8")
    with pytest.raises(InputFileError, match="not valid JSON"):
        render_report(scan)
