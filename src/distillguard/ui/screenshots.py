"""Screenshots of the UI's main pages, for the docs, taken in Debian's headless Chromium.

Starts the real server (``distillguard ui`` in a child process, on a free loopback port),
logs in, and saves the campaign list, the highest-risk campaign and its highest-risk
account::

    python -m distillguard.ui.screenshots --workspace scan/workspace.duckdb --out docs/

Needs the ``dev`` extra (Playwright) and ``/usr/bin/chromium``; never downloads a browser.
:func:`running_ui` is also what the browser tests use to start the server.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from distillguard.ui import LABEL_TOKEN_ENV, TOKEN_ENV

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
VIEWPORT = {"width": 1360, "height": 900}
#: Full-page shots are cut to this height (a campaign page can be very long).
MAX_SHOT_HEIGHT = 2000
START_TIMEOUT_S = 60.0


def free_port() -> int:
    """A TCP port free on the loopback interface right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_ui(
    workspace: Path,
    scan_dir: Path | None,
    *,
    read_token: str,
    label_token: str | None = None,
    extra_args: tuple[str, ...] = (),
) -> Iterator[str]:
    """Run ``distillguard ui`` in a child process; yield its base URL; always stop it."""
    port = free_port()
    command = [sys.executable, "-m", "distillguard.cli", "ui", "--workspace", str(workspace),
               "--port", str(port), "--host", "127.0.0.1", *extra_args]
    if scan_dir is not None:
        command += ["--scan", str(scan_dir)]
    env = {**os.environ, TOKEN_ENV: read_token}
    if label_token is not None:
        env[LABEL_TOKEN_ENV] = label_token
    else:
        env.pop(LABEL_TOKEN_ENV, None)
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    try:
        _wait_until_up(process, base)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


def _wait_until_up(process: subprocess.Popen[str], base: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout is not None else ""
            raise RuntimeError(f"distillguard ui exited with {process.returncode}: {output}")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise RuntimeError("distillguard ui did not start in time")


def take_screenshots(base: str, token: str, out_dir: Path, campaign_id: str | None = None,
                     account_id: str | None = None, browser: Any = None) -> list[Path]:
    """Save ``ui_campaigns.png``, ``ui_campaign.png`` and ``ui_account.png`` to ``out_dir``.

    Without ``campaign_id``/``account_id``: the first campaign of the list and the first
    member of its table (highest risk). ``browser``: a Playwright browser to use (default:
    launch Chromium for the occasion).
    """
    if browser is not None:
        return _take(browser, base, token, out_dir, campaign_id, account_id)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            return _take(launched, base, token, out_dir, campaign_id, account_id)
        finally:
            launched.close()


def _take(browser: Any, base: str, token: str, out_dir: Path, campaign_id: str | None,
          account_id: str | None) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        page.goto(f"{base}/?token={token}")
        written = [_shot(page, out_dir / "ui_campaigns.png")]
        if campaign_id is None:
            page.locator("#campaigns tbody a").first.click()
        else:
            page.goto(f"{base}/campaign?id={campaign_id}")
        page.wait_for_selector("[data-charts-drawn]")
        written.append(_shot(page, out_dir / "ui_campaign.png"))
        if account_id is None:
            page.locator("#members tbody td.mono a").first.click()
        else:
            page.goto(f"{base}/account?id={account_id}")
        page.wait_for_selector("[data-charts-drawn]")
        written.append(_shot(page, out_dir / "ui_account.png"))
    finally:
        context.close()
    return written


def _shot(page: Any, path: Path) -> Path:
    height = int(page.evaluate("document.documentElement.scrollHeight"))
    clip = {"x": 0, "y": 0, "width": VIEWPORT["width"], "height": min(height, MAX_SHOT_HEIGHT)}
    page.screenshot(path=str(path), full_page=True, clip=clip)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workspace", type=Path, required=True)
    parser.add_argument("--scan", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=Path("docs"))
    parser.add_argument("--campaign", default=None, help="campaign id (default: the first)")
    parser.add_argument("--account", default=None, help="account id (default: its first)")
    args = parser.parse_args(argv)
    token = "screenshot-" + os.urandom(12).hex()
    with running_ui(args.workspace, args.scan, read_token=token) as base:
        for path in take_screenshots(base, token, args.out, args.campaign, args.account):
            print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
