"""Time the investigation UI's pages over a scan (in-process, FastAPI's TestClient).

    .venv/bin/python benchmarks/ui_pages.py --scan demo-out/scan [--repeat 5]

Prints the median time per page: campaign list, the largest campaign, its highest-risk
member, flagged accounts, a hashed-indicator search, and saving a label (on a copy of the
workspace, so the scan is left as it was).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from distillguard.privacy import display_hash
from distillguard.ui.app import UISettings, create_app
from distillguard.ui.data import ScanFiles, WorkspaceAccess, select_events

TOKEN = "benchmark-read-token-0123456789"
LABEL_TOKEN = "benchmark-label-token-0123456789"


def timed(action: Callable[[], object], repeat: int) -> float:
    seconds = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scan", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        scan_dir = Path(tmp) / "scan"
        shutil.copytree(args.scan, scan_dir)
        workspace = scan_dir / "workspace.duckdb"
        state = ScanFiles(scan_dir).current()
        largest = max(state.campaigns, key=lambda c: len(c.get("accounts") or []))
        member = state.account_rows(list(largest["accounts"]))["account_id"][0].as_py()
        with WorkspaceAccess(workspace).read() as con:
            select_events(con, [member])
            card = con.execute("SELECT any_value(payment_fingerprint) FROM ui_events "
                               "WHERE payment_fingerprint IS NOT NULL").fetchone()
        events = state.outputs.summary.get("rows_valid")
        print(f"scan: {events:,} events, {state.accounts.num_rows:,} accounts, "
              f"{len(state.campaigns)} campaigns; largest campaign "
              f"{largest['campaign_id']} with {len(largest['accounts'])} accounts")
        app = create_app(UISettings(workspace=workspace, scan_dir=scan_dir, read_token=TOKEN,
                                    label_token=LABEL_TOKEN))
        ui = TestClient(app, headers={"Authorization": f"Bearer {TOKEN}"})
        pages = {
            "campaign list": "/",
            "campaign page": f"/campaign?id={largest['campaign_id']}",
            "account page": f"/account?id={member}",
            "flagged accounts": "/accounts",
        }
        if card and card[0]:
            pages["hashed search"] = f"/search?q={display_hash('payment_fingerprint', card[0])}"
        for name, url in pages.items():
            assert ui.get(url).status_code == 200, url
            print(f"  {name:<18} {1000 * timed(lambda url=url: ui.get(url), args.repeat):8.1f} ms")

        def label() -> None:
            response = ui.post("/labels", headers={"Authorization": f"Bearer {LABEL_TOKEN}"},
                               data={"target_kind": "campaign",
                                     "target_id": largest["campaign_id"],
                                     "verdict": "confirmed", "note": "benchmark",
                                     "analyst": "bench"}, follow_redirects=False)
            assert response.status_code == 303

        print(f"  {'save a label':<18} {1000 * timed(label, args.repeat):8.1f} ms")


if __name__ == "__main__":
    main()
