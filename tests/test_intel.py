"""STIX 2.1 sharing end to end: provider A exports a campaign, provider B imports it and
catches the same operator earlier and at a lower volume; no raw personal data travels."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
import stix2
from typer.testing import CliRunner

from distillguard.cli import app
from distillguard.config import default_config
from distillguard.intel.export import export_bundle
from distillguard.intel.hashing import KEY_ENV, indicator_hash
from distillguard.intel.importing import import_bundle
from distillguard.intel.matching import account_intel
from distillguard.scan import analyse, scan
from distillguard.schema import FLAGGED_DECISIONS
from distillguard.simulate import Scenario, simulate
from distillguard.store.workspace import Workspace

KEY = "community-sharing-key-for-tests"
NOW = datetime(2026, 2, 3, tzinfo=UTC)
#: The campaign both providers see: a hydra (reseller proxy) operator. At B it runs only
#: two of its accounts at a tenth of A's volume, too little for B to flag on its own.
SHARED_ARCHETYPE = "campaign_hydra"
B_ACCOUNTS = 2
B_VOLUME = 0.1
CFG = default_config()
runner = CliRunner()


@pytest.fixture(scope="module")
def provider_a(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("provider_a")
    simulate(Scenario(accounts=400, hours=24, seed=11), root / "sim")
    scan([root / "sim" / "events.parquet"], root / "scan", write_report=False)
    return root


@pytest.fixture(scope="module")
def bundle_path(provider_a: Path) -> Path:
    result = export_bundle(provider_a / "scan", key=KEY.encode(), config=CFG, now=NOW,
                           producer="Provider A")
    path = provider_a / "bundle.json"
    path.write_text(result.to_json())
    return path


@pytest.fixture(scope="module")
def provider_b(provider_a: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, set[str]]:
    """B's own traffic (another seed, no campaign) plus the shared operator's rows, re-keyed
    into B's accounts: same cards, servers, clients and templates, new ids."""
    root = tmp_path_factory.mktemp("provider_b")
    simulate(Scenario(accounts=400, hours=24, seed=12, campaigns=()), root / "sim")
    labels = pq.read_table(provider_a / "sim" / "labels.parquet").to_pylist()
    members = sorted(r["account_id"] for r in labels if r["archetype"] == SHARED_ARCHETYPE)
    events_a = pq.read_table(provider_a / "sim" / "events.parquet")
    rows = events_a.filter(pc.is_in(events_a.column("account_id"), pa.array(members[:B_ACCOUNTS])))
    rows = rows.filter(pa.array(np.random.default_rng(5).random(rows.num_rows) < B_VOLUME))
    for name in ("account_id", "request_id", "conversation_id"):
        rekeyed = pc.binary_join_element_wise("b-", rows.column(name), "")
        rows = rows.set_column(rows.schema.get_field_index(name), name, rekeyed)
    events_b = pq.read_table(root / "sim" / "events.parquet")
    (root / "in").mkdir()
    pq.write_table(pa.concat_tables([events_b, rows.cast(events_b.schema)]).sort_by("timestamp"),
                   root / "in" / "events.parquet")
    return root, {f"b-{m}" for m in members[:B_ACCOUNTS]}


def _flagged(accounts: pa.Table, wanted: set[str]) -> set[str]:
    return {
        r["account_id"] for r in accounts.select(["account_id", "decision"]).to_pylist()
        if r["account_id"] in wanted and r["decision"] in FLAGGED_DECISIONS
    }


def _first_detection(ws: Workspace, wanted: set[str], start: datetime) -> int | None:
    for hours in (6, 12, 24):
        accounts, _, _ = analyse(ws, CFG, until=start + timedelta(hours=hours))
        if _flagged(accounts, wanted):
            return hours
    return None


def test_when_b_imports_a_bundle_then_b_catches_the_shared_campaign_earlier_at_lower_volume(
    provider_b: tuple[Path, set[str]], bundle_path: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(KEY_ENV, KEY)
    root, shared = provider_b
    events = root / "in" / "events.parquet"
    start = pq.read_table(events, columns=["timestamp"]).column("timestamp")[0].as_py()
    alone = scan([events], tmp_path / "alone", write_report=False)
    with Workspace(tmp_path / "alone" / "workspace.duckdb") as ws:
        alone_hours = _first_detection(ws, shared, start)
    ws_path = tmp_path / "informed" / "workspace.duckdb"
    with Workspace(ws_path) as ws:
        result = import_bundle(bundle_path, ws.con, CFG.intel, now=NOW)
    assert result.source == "Provider A" and result.added == result.indicators > 0
    informed = scan([events], tmp_path / "informed", write_report=False)
    with Workspace(ws_path) as ws:
        informed_hours = _first_detection(ws, shared, start)

    assert _flagged(alone.accounts, shared) == set()  # too little for B on its own
    assert _flagged(informed.accounts, shared) == shared  # caught with A's indicators
    assert informed_hours is not None
    assert alone_hours is None or informed_hours < alone_hours
    flagged_alone = set(_flagged(alone.accounts, set(alone.accounts["account_id"].to_pylist())))
    flagged_informed = _flagged(informed.accounts, set(informed.accounts["account_id"].to_pylist()))
    assert flagged_informed - flagged_alone == shared  # and no ordinary customer of B
    signal = informed.accounts.filter(pc.is_in(informed.accounts["account_id"],
                                               pa.array(sorted(shared))))
    assert all(v > 0.5 for v in signal["signal_shared_intel"].to_pylist())
    # Each caught account says which shared indicator, from whom (the analyst's evidence).
    assert all(any(r.startswith("shared intel: matches") and "Provider A" in r for r in rs)
               for rs in signal["reasons"].to_pylist())
    assert "shared_intel" not in informed.summary["signals_unavailable"]
    assert "shared_intel" in alone.summary["signals_unavailable"]


def test_bundle_is_valid_stix_with_campaigns_indicators_relationships_and_marking(
    bundle_path: Path, provider_a: Path
) -> None:
    parsed = stix2.parse(bundle_path.read_text(), allow_custom=True, version="2.1")
    types = [o.type for o in parsed.objects]
    campaigns = json.loads((provider_a / "scan" / "campaigns.json").read_text())
    above = [c for c in campaigns if c["risk"] >= CFG.intel.min_risk]
    assert types.count("campaign") == len(above) >= 1
    assert types.count("identity") == 1 and types.count("marking-definition") == 1
    indicators = [o for o in parsed.objects if o.type == "indicator"]
    relationships = [o for o in parsed.objects if o.type == "relationship"]
    assert len(relationships) == len(indicators) > 0
    ids = {str(o.id) for o in parsed.objects}
    assert all(r.relationship_type == "indicates" and str(r.source_ref) in ids
               and str(r.target_ref) in ids for r in relationships)
    marking = next(o for o in parsed.objects if o.type == "marking-definition")
    assert marking.name == "TLP:AMBER"
    assert all(o.object_marking_refs == [marking.id] for o in indicators)
    assert all(1 <= o.confidence <= 100 and o.valid_until > o.valid_from for o in indicators)
    patterns = " ".join(str(o.pattern) for o in indicators)
    assert "ipv4-addr:value = '" in patterns and "/24'" in patterns  # plain ranges
    assert "x-distillguard-keyed-hash:kind = 'payment_fingerprint'" in patterns


def test_bundle_holds_no_raw_personal_value_of_the_scan(bundle_path: Path, provider_a: Path
                                                        ) -> None:
    text = bundle_path.read_text()
    # Every word of the bundle (split at spaces, quotes, brackets and CIDR slashes).
    words = set(re.split(r"[\s'\"\[\]=,;()/]+", text))
    events = pq.read_table(provider_a / "sim" / "events.parquet",
                           columns=["ip", "email", "payment_fingerprint", "system_prompt"])
    for column in events.column_names:
        values = {v for v in pc.unique(events.column(column)).to_pylist() if v}
        if column == "system_prompt":
            leaked = [v for v in values if v in text]
        else:
            leaked = sorted(values & words)
        assert leaked == [], f"raw {column} in the bundle: {leaked[:3]}"
    # The check sees plain values where there are some: the shared client's user agent.
    agents = set(pq.read_table(provider_a / "sim" / "events.parquet", columns=["user_agent"])
                 .column("user_agent").to_pylist())
    assert any(agent in text for agent in agents if agent)
    # The hashes are the keyed ones: matching needs the key, not just the value.
    card = next(v for v in pc.unique(events.column("payment_fingerprint")).to_pylist() if v)
    assert indicator_hash(b"another-key-of-16-bytes", "payment_fingerprint", card) not in text


def test_export_is_deterministic_and_reimport_is_idempotent(
    provider_a: Path, bundle_path: Path, tmp_path: Path
) -> None:
    again = export_bundle(provider_a / "scan", key=KEY.encode(), config=CFG, now=NOW,
                          producer="Provider A")
    assert again.to_json() == bundle_path.read_text()
    with Workspace(tmp_path / "ws.duckdb") as ws:
        first = import_bundle(bundle_path, ws.con, CFG.intel, source="A")
        table = ws.con.execute("SELECT * EXCLUDE (imported_at) FROM intel_indicators "
                               "ORDER BY ALL").fetchall()
        second = import_bundle(bundle_path, ws.con, CFG.intel, source="A")
        assert ws.con.execute("SELECT * EXCLUDE (imported_at) FROM intel_indicators "
                              "ORDER BY ALL").fetchall() == table
    assert first.added > 0 and (second.added, second.updated, second.removed) == (0, 0, 0)


def test_when_min_risk_is_above_every_campaign_then_bundle_has_no_campaign(provider_a: Path
                                                                           ) -> None:
    result = export_bundle(provider_a / "scan", key=KEY.encode(), config=CFG, min_risk=1.01)
    assert (result.campaigns, result.indicators) == (0, 0) and result.below_floor >= 1


def test_intel_cli_exports_and_imports_with_one_line_errors(
    provider_a: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    out = tmp_path / "b.json"
    missing = runner.invoke(app, ["intel", "export", "--scan", str(provider_a / "scan"),
                                  "--out", str(out)])
    assert missing.exit_code == 2 and KEY_ENV in missing.output
    assert "Traceback" not in missing.output
    (tmp_path / "key").write_text(KEY + "\n")
    done = runner.invoke(app, ["intel", "export", "--scan", str(provider_a / "scan"), "--out",
                               str(out), "--key-file", str(tmp_path / "key"), "--producer", "A"])
    assert done.exit_code == 0, done.output
    assert KEY not in out.read_text()
    imported = runner.invoke(app, ["intel", "import", str(out), "--workspace",
                                   str(tmp_path / "ws.duckdb"), "--key-file",
                                   str(tmp_path / "key")])
    assert imported.exit_code == 0, imported.output
    assert "added" in imported.output
    neither = runner.invoke(app, ["intel", "import", str(out)])
    assert neither.exit_code == 2 and "--workspace" in neither.output


def test_when_no_intel_was_imported_then_account_intel_is_none(provider_a: Path) -> None:
    with Workspace(provider_a / "scan" / "workspace.duckdb") as ws:
        assert account_intel(ws.con) is None
