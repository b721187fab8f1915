"""Privacy: keyed pseudonyms at ingest keep linkage and decisions, and no raw personal value
(nor the key) reaches the workspace; display hashes for outputs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from distillguard.cli import app
from distillguard.config import Config, default_config
from distillguard.detect.features import event_features
from distillguard.engines.embedded import EmbeddedWorkspace
from distillguard.errors import ConfigError
from distillguard.privacy import (
    KEY_ENV,
    display_hash,
    display_value,
    is_pseudonym,
    pseudonymise,
    with_pseudonymisation,
)
from distillguard.scan import scan
from distillguard.simulate import Scenario, simulate

KEY = "pii-key-for-tests-0123456789"
runner = CliRunner()


def _featured() -> pa.Table:
    table = pa.table({
        "request_id": ["r1", "r2", "r3", "r4"],
        "ip": ["203.0.113.7", "203.0.113.7", "203.0.113.9", None],
        "email": ["john.smith42@gmail.com", "jane7@acme-research.example", "x@gmail.com", None],
        "payment_fingerprint": ["card-1", "card-1", "card-2", None],
    })
    return event_features(table, default_config().features)


def test_display_hash_is_stable_and_keyed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    unkeyed = display_hash("ip", "203.0.113.7")
    assert unkeyed.startswith("ip:") and len(unkeyed) == 15
    assert display_hash("ip", "203.0.113.7") == unkeyed
    monkeypatch.setenv(KEY_ENV, KEY)
    assert display_hash("ip", "203.0.113.7") != unkeyed
    assert display_value("user_agent", "curl/8") == "curl/8"
    assert display_value("email", "a@b.c", show_pii=True) == "a@b.c"


def test_pseudonymise_replaces_personal_values_and_keeps_equality() -> None:
    before = _featured()
    after = pseudonymise(before, KEY.encode(), keep_domains=["gmail.com"])
    rows = after.to_pylist()
    for name in ("ip", "ip_prefix", "email", "payment_fingerprint"):
        values = after.column(name).to_pylist()
        assert all(v is None or is_pseudonym(v) for v in values), name
        assert not set(values) & set(before.column(name).to_pylist()) - {None}
        # equal raw values → equal pseudonyms, different → different, null → null
        raw = before.column(name).to_pylist()
        for i in range(len(raw)):
            for j in range(len(raw)):
                assert (raw[i] == raw[j]) == (values[i] == values[j])
    assert [r["email_domain"] for r in rows[::2]] == ["gmail.com", "gmail.com"]
    assert is_pseudonym(rows[1]["email_domain"])
    assert rows[0]["email_pattern"] == "a.a0@gmail.com"  # the shape survives
    assert rows[1]["email_pattern"] == "a0@" + rows[1]["email_domain"]
    assert rows[3]["email_pattern"] is None
    other = pseudonymise(before, b"another-key-0123456789", keep_domains=["gmail.com"])
    assert other.column("ip").to_pylist() != after.column("ip").to_pylist()


def test_pseudonymise_leaves_other_columns_and_missing_columns_alone() -> None:
    table = pa.table({"request_id": ["r1"], "prompt": ["hello"]})
    assert pseudonymise(table, KEY.encode()).equals(table)


def test_when_pseudonymisation_is_on_without_a_key_then_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    with pytest.raises(ConfigError, match=f"set {KEY_ENV}"):
        with_pseudonymisation(default_config(), True, None)
    (tmp_path / "short").write_text("abc")
    with pytest.raises(ConfigError, match="too short"):
        with_pseudonymisation(default_config(), True, tmp_path / "short")
    with pytest.raises(ConfigError, match="cannot read"):
        with_pseudonymisation(default_config(), True, tmp_path / "missing")
    assert not with_pseudonymisation(default_config(), False, None).privacy.pseudonymise_at_ingest
    result = runner.invoke(app, ["scan", str(tmp_path), "--out", str(tmp_path / "o"),
                                 "--pseudonymise"])
    assert result.exit_code == 2 and KEY_ENV in result.output
    assert "Traceback" not in result.output


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sim")
    simulate(Scenario(accounts=300, hours=12, seed=5), out)
    return out


def _on(key_file: Path) -> Config:
    return with_pseudonymisation(default_config(), True, key_file)


def test_scan_decisions_and_campaigns_are_the_same_with_pseudonymisation(
    sim: Path, tmp_path: Path
) -> None:
    (tmp_path / "key").write_text(KEY + "\n")
    events = sim / "events.parquet"
    plain = scan([events], tmp_path / "plain", write_report=False)
    hidden = scan([events], tmp_path / "hidden", write_report=False, config=_on(tmp_path / "key"))
    cols = ["account_id", "risk", "decision", "campaign_id"]
    assert plain.summary["campaigns"] >= 1
    assert hidden.accounts.select(cols).equals(plain.accounts.select(cols))
    assert [c["accounts"] for c in hidden.campaigns] == [c["accounts"] for c in plain.campaigns]
    # Nothing raw in the workspace: no stored IP, e-mail or card equals an input value,
    # and the key is nowhere in the workspace file.
    raw = pq.read_table(events, columns=["ip", "email", "payment_fingerprint"])
    with EmbeddedWorkspace(tmp_path / "hidden" / "workspace.duckdb") as ws:
        for column in raw.column_names:
            ws.con.register("raw_values", pa.table({"v": pc.unique(raw.column(column))}))
            found = ws.con.execute(
                f"SELECT count(*) FROM events WHERE {column} IN (SELECT v FROM raw_values)"
            ).fetchone()
            assert found == (0,), column
            ws.con.unregister("raw_values")
    assert KEY.encode() not in (tmp_path / "hidden" / "workspace.duckdb").read_bytes()
    assert KEY not in json.dumps(hidden.summary)
    # Shared from a pseudonymised workspace, ranges are pseudonyms too: they travel hashed.
    from distillguard.intel.export import export_bundle

    bundle = export_bundle(tmp_path / "hidden", key=b"community-sharing-key", config=_on(
        tmp_path / "key"), min_risk=0.0)
    text = bundle.to_json()
    assert bundle.pseudonymised_values > 0
    assert "ipv4-addr" not in text
    assert re.search(r"(?:ip|net|email|pay|dom)~[0-9a-f]{32}", text) is None


def test_when_raw_and_pseudonymised_events_would_mix_then_clear_error(
    sim: Path, tmp_path: Path
) -> None:
    events = sim / "events.parquet"
    small = pq.read_table(events).slice(0, 200)
    pq.write_table(small.slice(0, 100), tmp_path / "a.parquet")
    pq.write_table(small.slice(100), tmp_path / "b.parquet")
    (tmp_path / "key").write_text(KEY)
    (tmp_path / "key2").write_text(KEY + "-rotated")
    config = default_config()
    with EmbeddedWorkspace(tmp_path / "raw.duckdb") as ws:
        ws.ingest([tmp_path / "a.parquet"], config)
        with pytest.raises(ConfigError, match="not pseudonymised"):
            ws.ingest([tmp_path / "b.parquet"], _on(tmp_path / "key"))
    with EmbeddedWorkspace(tmp_path / "hidden.duckdb") as ws:
        ws.ingest([tmp_path / "a.parquet"], _on(tmp_path / "key"))
        with pytest.raises(ConfigError, match="another key"):
            ws.ingest([tmp_path / "b.parquet"], _on(tmp_path / "key2"))
        with pytest.raises(ConfigError, match="holds pseudonymised events"):
            ws.ingest([tmp_path / "b.parquet"], config)
        report = ws.ingest([tmp_path / "b.parquet"], _on(tmp_path / "key"))
        assert report.rows_valid == 100  # the failed attempts left nothing behind


def test_when_pseudonymised_then_quarantine_keeps_reasons_not_raw_personal_values(
    tmp_path: Path
) -> None:
    lines = [
        {"request_id": "q1", "timestamp": "2026-02-01T00:00:00Z", "account_id": "a",
         "ip": "not-an-ip-but-personal"},
        {"request_id": "q2", "timestamp": "yesterday", "account_id": "a",
         "email": "person@example.com"},
    ]
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    (tmp_path / "key").write_text(KEY)
    config = _on(tmp_path / "key")
    with EmbeddedWorkspace(tmp_path / "ws.duckdb") as ws:
        ws.ingest([path], config)
        rows = ws.quarantine_rows().to_pylist()
    assert [r["reason"] for r in rows] == ["invalid ip (value withheld)",
                                           "unparseable timestamp 'yesterday'"]
    assert all(r["raw"] is None for r in rows)
    assert "person@example.com" not in (tmp_path / "ws.duckdb").read_bytes().decode("latin-1")


def test_when_pseudonymised_then_a_duplicate_request_keeps_its_reason_not_its_raw_text(
    tmp_path: Path,
) -> None:
    rows = [{"request_id": "r1", "timestamp": "2026-02-01T00:00:00Z", "account_id": "a",
             "ip": "203.0.113.7", "email": "jo@example.org", "prompt": "hi"}] * 2
    (tmp_path / "dup.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (tmp_path / "key").write_text(KEY)
    for name, config in (("raw", default_config()), ("hidden", _on(tmp_path / "key"))):
        with EmbeddedWorkspace(tmp_path / f"{name}.duckdb") as ws:
            report = ws.ingest([tmp_path / "dup.jsonl"], config)
            quarantined = ws.quarantine_rows().to_pylist()
        assert report.duplicates == 1
        assert [q["reason"] for q in quarantined] == ["duplicate request_id"]
        raw = quarantined[0]["raw"]
        if name == "raw":
            assert json.loads(raw)["ip"] == "203.0.113.7"
        else:  # as for every quarantined row under pseudonymisation (Spark's too)
            assert raw is None
