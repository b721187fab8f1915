"""Importing bundles from outside: every malformed or hostile bundle is rejected whole,
with one clear error, and nothing of it is stored; matching on hand-made workspaces."""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from distillguard.config import default_config
from distillguard.intel.export import build_bundle
from distillguard.intel.hashing import indicator_hash, intel_key_id
from distillguard.intel.importing import BundleError, import_bundle, validate_bundle
from distillguard.intel.kinds import hashed_pattern, parse_pattern, plain_pattern
from distillguard.intel.matching import account_intel
from tests.helpers import T0, connection_with_events

KEY = b"community-sharing-key-for-tests"
INTEL = default_config().intel
CARD = "card-7f3a91"
SKELETON = "solve the following and show your complete reasoning step by step: 0"


def _bundle(**intel_changes: Any) -> dict[str, Any]:
    """A small bundle as distillguard writes it: one campaign, one card, one range, one agent."""
    campaign = {
        "campaign_id": "C0001", "accounts": ["a1", "a2", "a3"], "risk": 0.9,
        "first_seen": T0.isoformat(), "last_seen": (T0 + timedelta(hours=5)).isoformat(),
        "exchanges": 300, "reasons": ["3 of 3 accounts share payment fingerprints"],
    }
    rows = [
        {"campaign_id": "C0001", "kind": kind, "value": value, "accounts": 3, "outside": 0,
         "first_seen": T0, "last_seen": T0 + timedelta(hours=5)}
        for kind, value in (("payment_fingerprint", CARD), ("ip_prefix", "203.0.113.0/24"),
                            ("user_agent", "harvester/1.0"), ("template", SKELETON))
    ]
    config = dataclasses.replace(INTEL, **intel_changes)
    bundle, _, _ = build_bundle([campaign], rows, key=KEY, config=config, producer="Provider A",
                                now=T0 + timedelta(days=1))
    data: dict[str, Any] = json.loads(bundle.serialize())
    return data


def _write(tmp_path: Path, data: dict[str, Any] | bytes | str) -> Path:
    path = tmp_path / "bundle.json"
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def _objects(data: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [o for o in data["objects"] if o["type"] == kind]


def _set_description(data: dict[str, Any]) -> None:
    _objects(data, "campaign")[0]["description"] = "see <script>alert(1)</script>"


def _set_pattern(pattern: str) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        _objects(data, "indicator")[0]["pattern"] = pattern
    return change


def _many_objects(data: dict[str, Any]) -> None:
    data["objects"] = [  # small objects, so the count (not the size) is what is over
        {"type": "identity", "id": f"identity--00000000-0000-4000-8000-{i:012d}"}
        for i in range(100_000)
    ]


def _deeply_nested(data: dict[str, Any]) -> None:
    nested: Any = "x"
    for _ in range(40):
        nested = {"x_deeper": nested}
    _objects(data, "campaign")[0]["x_distillguard_extra"] = nested


def _dangling_relationship(data: dict[str, Any]) -> None:
    _objects(data, "relationship")[0]["target_ref"] = (
        "campaign--11111111-1111-4111-8111-111111111111")


def _wrong_relationship(data: dict[str, Any]) -> None:
    _objects(data, "relationship")[0]["relationship_type"] = "uses"


def _duplicate_id(data: dict[str, Any]) -> None:
    data["objects"].append(copy.deepcopy(_objects(data, "indicator")[0]))


def _wrong_type(data: dict[str, Any]) -> None:
    data["objects"].append({"type": "malware", "spec_version": "2.1",
                            "id": "malware--22222222-2222-4222-8222-222222222222",
                            "created": "2026-02-01T00:00:00Z", "modified": "2026-02-01T00:00:00Z",
                            "name": "x", "is_family": False})


def _escape_in_name(data: dict[str, Any]) -> None:
    _objects(data, "identity")[0]["name"] = "Provider \x1b[31mA\x1b[0m"


def _long_text(data: dict[str, Any]) -> None:
    _objects(data, "campaign")[0]["description"] = "a" * (INTEL.max_text_chars + 1)


def _pattern_type(data: dict[str, Any]) -> None:
    _objects(data, "indicator")[0]["pattern_type"] = "yara"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_wrong_type, "has type 'malware'"),
        (_set_description, "contains markup"),
        (_escape_in_name, "control characters"),
        (_long_text, "more than intel.max_text_chars"),
        (_set_pattern("[ipv4-addr:value = '203.0.113.0/24'"), "not valid STIX 2.1"),
        (_set_pattern("[ipv4-addr:value LIKE '203.%']"), "not one of the indicator patterns"),
        (_set_pattern("[ipv4-addr:value = '999.1.2.0/24']"), "not an address or range"),
        (_set_pattern("[ipv4-addr:value = '2001:db8::/48']"), "holds an IPv6 value"),
        (_set_pattern("[x-distillguard-keyed-hash:kind = 'ip' AND "
                      "x-distillguard-keyed-hash:hmac_sha256 = 'ABCD']"), "not one of"),
        (_set_pattern("[x-distillguard-keyed-hash:kind = 'bitcoin' AND "
                      "x-distillguard-keyed-hash:hmac_sha256 = '" + "a" * 64 + "']"),
         "unknown indicator kind"),
        (_pattern_type, "only 'stix' patterns"),
        (_many_objects, "100000 objects, more than intel.max_objects"),
        (_deeply_nested, "nested more than"),
        (_dangling_relationship, "distillguard reads only 'indicates'"),
        (_wrong_relationship, "distillguard reads only 'indicates'"),
        (_duplicate_id, "duplicate id"),
    ],
)
def test_when_bundle_is_hostile_then_it_is_rejected_with_a_clear_error_and_nothing_stored(
    tmp_path: Path, change: Callable[[dict[str, Any]], None], message: str
) -> None:
    data = _bundle()
    change(data)
    con = duckdb.connect()
    with pytest.raises(BundleError, match=message) as caught:
        import_bundle(_write(tmp_path, data), con, INTEL)
    assert "\n" not in str(caught.value) and len(str(caught.value)) < 400
    assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = "
                       "'intel_indicators'").fetchone() == (0,)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xfe{}", "not UTF-8"),
        ("{not json", "not valid JSON"),
        ('{"type": "bundle", "type": "bundle", "id": "x"}', "duplicate JSON key"),
        ('{"type": "bundle", "objects": [], "x_n": NaN}', "not strict JSON"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply|not a STIX bundle"),
        ('{"type": "indicator"}', "not a STIX bundle"),
        ('{"type": "bundle", "id": "bundle--1", "objects": {}}', "'objects' must be a list"),
        ('{"type": "bundle", "objects": [42]}', "object 0 is not a JSON object"),
    ],
)
def test_when_bundle_is_not_json_or_not_a_bundle_then_clear_error(
    tmp_path: Path, data: bytes | str, message: str
) -> None:
    with pytest.raises(BundleError, match=message):
        import_bundle(_write(tmp_path, data), duckdb.connect(), INTEL)


def test_when_bundle_is_larger_than_the_cap_then_it_is_not_even_parsed(tmp_path: Path) -> None:
    small = dataclasses.replace(INTEL, max_bundle_bytes=1000)
    path = _write(tmp_path, b" " * 5000)
    with pytest.raises(BundleError, match=r"more than intel\.max_bundle_bytes"):
        import_bundle(path, duckdb.connect(), small)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400) | st.text(max_size=400).map(str.encode))
def test_when_bytes_are_arbitrary_then_only_bundle_errors(data: bytes) -> None:
    with contextlib.suppress(BundleError):  # anything else escaping is a bug
        validate_bundle(data, INTEL)


_mutable_paths = st.sampled_from(["type", "id", "pattern", "valid_from", "confidence",
                                  "relationship_type", "source_ref", "name", "created"])
_junk = st.one_of(st.none(), st.integers(), st.floats(allow_nan=False), st.text(max_size=40),
                  st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5),
                                                                        st.integers(), max_size=2))


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 9), _mutable_paths, _junk)
def test_when_a_property_is_replaced_by_junk_then_only_bundle_errors(
    index: int, name: str, junk: object
) -> None:
    data = _bundle()
    target = data["objects"][index % len(data["objects"])]
    target[name] = junk
    with contextlib.suppress(BundleError):  # anything else escaping is a bug
        validate_bundle(json.dumps(data).encode(), INTEL)


@pytest.mark.parametrize(
    ("kind", "value"),
    [("ip", "203.0.113.7"), ("ip", "2001:db8::1"), ("ip_prefix", "10.0.0.0/8"),
     ("user_agent", "it's a \\ test"), ("tls_fingerprint", "t13d1516h2_8daaf6152771"),
     ("email", "a@b.example"), ("template", "<url> with \"quotes\" and 'apostrophes'")],
)
def test_plain_patterns_parse_back_to_their_value(kind: str, value: str) -> None:
    pattern = plain_pattern(kind, value)
    assert pattern is not None
    parsed = parse_pattern(pattern)
    assert (parsed.kind, parsed.value, parsed.value_hash) == (kind, value, None)
    digest = indicator_hash(KEY, kind, value)
    assert parse_pattern(hashed_pattern(kind, digest)).value_hash == digest


# -- matching ---------------------------------------------------------------------------


def _events(rows: int = 6) -> list[dict[str, Any]]:
    """a1 and a2 use the card, the range and the template; ordinary accounts o1..o30 do not."""
    events: list[dict[str, Any]] = []
    for account, ip in (("a1", "203.0.113.7"), ("a2", "203.0.113.9")):
        events += [{"account_id": account, "payment_fingerprint": CARD, "ip": ip,
                    "user_agent": "harvester/1.0", "prompt": f"Solve the following and show "
                    f"your complete reasoning step by step: {k}"} for k in range(rows)]
    events += [{"account_id": f"o{k}", "ip": f"198.51.100.{k}", "payment_fingerprint": f"c{k}",
                "user_agent": "browser/1.0", "prompt": "hello there"} for k in range(30)]
    for i, event in enumerate(events):
        event["request_id"], event["timestamp"] = f"r{i}", T0 + timedelta(minutes=i)
    return events


def _intel(tmp_path: Path, con: duckdb.DuckDBPyConnection, **changes: Any) -> None:
    import_bundle(_write(tmp_path, _bundle(**changes)), con, INTEL, source="Provider A",
                  local_key_id=intel_key_id(KEY))


def test_when_accounts_use_shared_values_then_they_match_with_evidence(tmp_path: Path) -> None:
    con = connection_with_events(_events())
    _intel(tmp_path, con)
    result = account_intel(con, key=KEY)
    assert result is not None
    rows = {r["account_id"]: r for r in result.to_pylist()}
    assert sorted(rows) == ["a1", "a2"]  # the ordinary accounts match nothing
    a1 = rows["a1"]
    assert a1["intel_matches"] == 4  # card, range, agent, template
    assert 0.9 < a1["intel_strength"] <= 1.0
    assert a1["intel_evidence"][0] == ("matches payment_fingerprint indicator from Provider A "
                                       "(campaign Provider A C0001, confidence 90)")


def test_when_the_key_differs_or_is_missing_then_only_plain_indicators_match(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    con = connection_with_events(_events())
    _intel(tmp_path, con)
    monkeypatch.delenv("DISTILLGUARD_INTEL_KEY", raising=False)
    for key in (None, b"some-other-key-of-16-bytes"):
        result = account_intel(con, key=key)
        assert result is not None
        kinds = {line.split()[1] for r in result.to_pylist() for line in r["intel_evidence"]}
        assert kinds == {"ip_prefix", "user_agent"}


def test_when_a_plain_range_is_wider_then_addresses_inside_it_match(tmp_path: Path) -> None:
    con = connection_with_events(_events())
    data = _bundle(hashed_kinds=[])
    indicator = next(o for o in _objects(data, "indicator") if "ipv4-addr" in o["pattern"])
    indicator["pattern"] = "[ipv4-addr:value = '198.51.0.0/16']"
    import_bundle(_write(tmp_path, data), con, INTEL)
    result = account_intel(con, key=KEY, config=dataclasses.replace(INTEL, max_local_share=1.0))
    assert result is not None
    matched = {r["account_id"] for r in result.to_pylist()
               if any("ip_prefix" in line for line in r["intel_evidence"])}
    assert matched == {f"o{k}" for k in range(30)}


def test_when_a_shared_value_is_common_here_then_it_does_not_match(tmp_path: Path) -> None:
    events = _events()
    for event in events:
        event["user_agent"] = "harvester/1.0"  # everyone here uses this client
    con = connection_with_events(events)
    _intel(tmp_path, con)
    result = account_intel(con, key=KEY)
    assert result is not None
    lines = [line for r in result.to_pylist() for line in r["intel_evidence"]]
    assert lines and not any("user_agent" in line for line in lines)


def test_when_indicator_expired_before_first_use_then_it_does_not_match(tmp_path: Path) -> None:
    late = [dict(e, timestamp=e["timestamp"] + timedelta(days=400)) for e in _events()]
    con = connection_with_events(late)
    _intel(tmp_path, con)
    assert account_intel(con, key=KEY) is not None
    assert account_intel(con, key=KEY).num_rows == 0  # type: ignore[union-attr]


def test_when_an_indicator_is_revoked_then_reimport_removes_it(tmp_path: Path) -> None:
    con = connection_with_events(_events())
    data = _bundle()
    import_bundle(_write(tmp_path, data), con, INTEL)
    indicator = _objects(data, "indicator")[0]
    indicator["revoked"] = True
    indicator["modified"] = (datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    result = import_bundle(_write(tmp_path, data), con, INTEL)
    assert result.removed == 1
    remaining = con.execute("SELECT count(*) FROM intel_indicators").fetchone()
    assert remaining == (len(_objects(data, "indicator")) - 1,)
