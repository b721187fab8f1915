"""The report in a real headless Chromium: attacker text runs nothing, the page fetches nothing.

Uses Debian's Chromium (``/usr/bin/chromium``, installed by ``.ci/run``) driven by Playwright
with ``executable_path``; no test tool downloads a browser. Skipped when Chromium is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from distillguard.report import render_report
from tests.test_report import campaign, write_scan

sync_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed")

SCRIPT = "<script>window.__xss = 'script'</script>"
IMG = "<img src=x onerror=\"window.__xss = 'img'\">"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def hostile_scan(tmp_path: Path) -> Path:
    accounts = [
        (f"acct{SCRIPT}", 0.97, "block", "C0001", [f"reason {IMG}"]),
        ("acct-2", 0.96, "block", "C0001", ["plain reason"]),
        ("acct-3", 0.20, "allow", None, []),
    ]
    record = campaign(
        "C0001", [row[0] for row in accounts[:2]], 0.97,
        example_prompts=[f"{SCRIPT} please", f"{IMG} now"],
        templates=[{"skeleton": f"analyze {SCRIPT}", "requests": 9, "accounts": 2}],
        models={f"model{IMG}": 10},
    )
    record["reasons"] = [f"{IMG} shared"]
    return write_scan(tmp_path, accounts, [record])


def test_report_in_chromium_runs_no_attacker_code_and_fetches_nothing(tmp_path: Path) -> None:
    report = render_report(hostile_scan(tmp_path))
    requests: list[str] = []
    page_errors: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page()
            page.on("request", lambda request: requests.append(request.url))
            page.on("pageerror", lambda error: page_errors.append(str(error)))
            page.goto(report.as_uri())
            page.wait_for_load_state("load")
            injected = page.evaluate("window.__xss")
            text = page.inner_text("body")
            charts = page.locator("svg.main-svg").count()
        finally:
            browser.close()
    assert injected is None, "attacker markup executed"
    assert SCRIPT in text and "onerror" in text  # shown as text
    assert [url for url in requests if not url.startswith(("file://", "data:"))] == []
    assert requests == [report.as_uri()]  # the page itself, and nothing else
    assert charts >= 1, "the report's own (inlined) chart code should run under its CSP"
    assert page_errors == []
