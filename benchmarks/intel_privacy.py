"""Cost of sharing and privacy: STIX export/import, intel matching, pseudonymisation at
ingest, and the text normalisation that keeps invisible characters from evading features.

Simulates one scenario, scans it (with and without ``--pseudonymise``), exports its
campaigns as a STIX bundle, imports the bundle into the same workspace and times
``account_intel`` over every event. Prints seconds per step.

    .venv/bin/python benchmarks/intel_privacy.py --accounts 3000 --hours 48
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq

from distillguard.config import default_config
from distillguard.detect.features import event_features
from distillguard.intel.export import export_bundle
from distillguard.intel.importing import import_bundle
from distillguard.intel.matching import account_intel
from distillguard.privacy import pseudonymise, with_pseudonymisation
from distillguard.scan import scan
from distillguard.simulate import Scenario, simulate
from distillguard.store.workspace import Workspace
from distillguard.textsafe import matchable_text

KEY = b"benchmark-sharing-key-0123456789"


def timed(label: str, action: object) -> object:
    start = time.perf_counter()
    result = action() if callable(action) else None
    print(f"  {label:<44} {time.perf_counter() - start:7.2f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=3000)
    parser.add_argument("--hours", type=float, default=48.0)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    config = default_config()
    print(f"machine: {platform.processor() or platform.machine()}, "
          f"python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        sim = simulate(Scenario(accounts=args.accounts, hours=args.hours, seed=args.seed),
                       root / "sim")
        events = pq.read_table(sim.events_path)
        print(f"events: {events.num_rows:,}  accounts: {sim.accounts:,}")
        prompts = events.column("prompt")
        timed("matchable_text over every prompt", lambda: matchable_text(prompts))
        featured = event_features(events, config.features)
        timed("event_features (all, normalisation included)",
              lambda: event_features(events, config.features))
        timed("pseudonymise (featured events)",
              lambda: pseudonymise(featured, KEY, keep_domains=config.privacy.public_email_domains))
        timed("scan", lambda: scan([sim.events_path], root / "scan", write_report=False))
        (root / "key").write_bytes(KEY)
        hidden = with_pseudonymisation(config, True, root / "key")
        timed("scan --pseudonymise", lambda: scan([sim.events_path], root / "hidden",
                                                  write_report=False, config=hidden))
        exported = timed("intel export", lambda: export_bundle(root / "scan", key=KEY,
                                                               config=config))
        bundle = root / "bundle.json"
        bundle.write_text(exported.to_json())  # type: ignore[attr-defined]
        print(f"  bundle: {exported.indicators} indicators, "  # type: ignore[attr-defined]
              f"{bundle.stat().st_size / 1024:.0f} KiB")
        with Workspace(root / "scan" / "workspace.duckdb") as ws:
            timed("intel import", lambda: import_bundle(bundle, ws.con, config.intel))
            matched = timed("account_intel (all events)", lambda: account_intel(ws.con, key=KEY))
        print(f"  matched accounts: {matched.num_rows}")  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
