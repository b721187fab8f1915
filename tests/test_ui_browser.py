"""The investigation UI in a real headless Chromium, against the real server.

The server is ``distillguard ui`` in a child process on a free loopback port, over one
small simulated scan with hostile text injected (see ``test_ui.py``). Uses Debian's
Chromium (``/usr/bin/chromium``) driven by Playwright with ``executable_path``; nothing
downloads a browser. Skipped when Chromium is absent.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from distillguard.store.labels import account_labels, connect_workspace
from distillguard.ui.screenshots import CHROMIUM, CHROMIUM_ARGS, running_ui, take_screenshots
from tests.test_ui import HOSTILE_PROMPT, LABEL, READ, build_hostile_scan, campaign_of

pytest.importorskip("fastapi")
sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    built = build_hostile_scan(tmp_path_factory.mktemp("ui-browser"))
    with running_ui(built["workspace"], built["scan"], read_token=READ,
                    label_token=LABEL) as base:
        yield {**built, "base": base}


@pytest.fixture(scope="module")
def browser(served: dict[str, Any]) -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def watched_page(browser: Any, errors: list[str], requests: list[str]) -> Any:
    page = browser.new_context().new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: requests.append(request.url))
    page.on("dialog", lambda dialog: dialog.accept())  # "label all N members?"
    return page


def test_when_no_token_then_the_server_answers_401(served: dict[str, Any]) -> None:
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(served["base"] + "/", timeout=10)
    assert caught.value.code == 401
    assert "script-src 'self'" in caught.value.headers["Content-Security-Policy"]


def test_an_analyst_confirms_a_campaign_and_the_label_persists(served, browser) -> None:
    errors: list[str] = []
    requests: list[str] = []
    page = watched_page(browser, errors, requests)
    page.goto(f"{served['base']}/?token={LABEL}")
    assert "token=" not in page.url  # the token left the address bar
    first = served["campaigns"][0]
    page.locator(f'#campaigns a[href="/campaign?id={first["campaign_id"]}"]').click()
    page.wait_for_selector("[data-charts-drawn]")
    assert page.locator("svg.linkage circle.acct").count() == len(first["accounts"])
    assert page.locator("#chart-traffic svg.main-svg").count() >= 1  # plotly drew under CSP
    page.check('input[name="verdict"][value="confirmed"]')
    page.fill("#label-note", "shared cards and one template; checked by hand")
    page.fill("#label-analyst", "Dana")
    page.click("#label-form button[type=submit]")
    page.wait_for_load_state("load")
    page.reload()
    label = page.inner_text("#label")
    assert "confirmed" in label and "shared cards and one template" in label and "Dana" in label
    page.goto(served["base"] + "/")
    assert "confirmed" in page.inner_text("#campaigns")
    with connect_workspace(served["workspace"], read_only=True) as con:
        labels = account_labels(con, served["campaigns"])
    confirmed = {row["account_id"] for row in labels.to_pylist()
                 if row["archetype"] == "analyst_confirmed" and
                 row["campaign_id"] == first["campaign_id"]}
    assert confirmed == set(first["accounts"])
    assert errors == []
    assert all(url.startswith(served["base"]) for url in requests)  # nothing fetched elsewhere


def test_hostile_prompts_render_as_text_and_run_nothing(served, browser) -> None:
    errors: list[str] = []
    requests: list[str] = []
    page = watched_page(browser, errors, requests)
    page.goto(f"{served['base']}/account?id={served['target']}&token={READ}")
    page.wait_for_selector("[data-charts-drawn]")
    assert HOSTILE_PROMPT in page.inner_text("#prompts")  # shown as text, markup and all
    assert page.evaluate("typeof window.__pwned") == "undefined"
    record = campaign_of(served, served["target"])
    page.goto(f"{served['base']}/campaign?id={record['campaign_id']}")
    page.wait_for_selector("[data-charts-drawn]")
    page.goto(f"{served['base']}/search?q=svg+onload")
    page.locator("table a").first.click()  # the account whose id is markup
    page.wait_for_selector("[data-charts-drawn]")
    assert "<svg onload=window.__pwned=1>" in page.inner_text("h1")
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert errors == []
    assert all(url.startswith(served["base"]) for url in requests)


def test_a_read_only_token_cannot_label(served, browser) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{served['base']}/campaign?id=C0001&token={READ}")
    assert page.locator("#label-form").count() == 0
    assert "Read-only" in page.inner_text("#label")
    response = context.request.post(f"{served['base']}/labels", form={
        "target_kind": "campaign", "target_id": "C0001", "verdict": "dismissed",
        "note": "", "analyst": "mallory"})
    assert response.status == 403
    context.close()


def test_screenshots_of_the_main_pages(served, browser, tmp_path: Path) -> None:
    written = take_screenshots(served["base"], READ, tmp_path, browser=browser)
    assert [p.name for p in written] == ["ui_campaigns.png", "ui_campaign.png", "ui_account.png"]
    for path in written:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 20_000
