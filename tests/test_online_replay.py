"""Replay (in process and through a gateway) and the online detection metrics."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from typer.testing import CliRunner

from distillguard.cli import app as cli_app
from distillguard.online.evaluate import online_detection
from distillguard.online.gateway import create_app
from distillguard.online.guard import Guard
from distillguard.online.mock_upstream import MockUpstream
from distillguard.online.replay import DECISION_SCHEMA, _Pacer, chat_request, replay
from distillguard.simulate import Scenario, simulate
from tests.test_online_gateway import serving

T0 = datetime(2026, 2, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def small_sim(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sim")
    simulate(Scenario(accounts=60, hours=3, seed=4), out)
    return out


def decisions_table(rows: list[tuple[str, int, str]]) -> pa.Table:
    return pa.table({
        "request_id": [f"r{i}" for i in range(len(rows))],
        "account_id": [r[0] for r in rows],
        "timestamp": [T0 + timedelta(minutes=r[1]) for r in rows],
        "action": [r[2] for r in rows],
        "risk": [0.0] * len(rows),
        "campaign_id": [None] * len(rows),
    }, schema=DECISION_SCHEMA)


LABELS = pa.table({
    "account_id": ["c1", "c2", "l1", "l2", "l3"],
    "archetype": ["camp", "camp", "casual", "casual", "batch"],
    "campaign_id": ["K", "K", None, None, None],
})


def test_when_a_campaign_is_flagged_then_leakage_counts_what_came_before():
    decisions = decisions_table([
        ("c1", 0, "allow"), ("c2", 30, "allow"), ("c1", 60, "allow"), ("c2", 90, "review"),
        ("c1", 120, "allow"), ("c1", 150, "block"), ("c2", 180, "throttle"),
        ("c1", 210, "block"), ("l1", 0, "allow"), ("l2", 5, "review"), ("l2", 6, "allow"),
        ("l3", 7, "allow"),
    ])
    result = online_detection(decisions, LABELS)
    [campaign] = result["campaigns"]
    assert campaign["exchanges"] == 8 and campaign["accounts_flagged"] == 2
    assert campaign["hours_to_detection"] == 1.5
    assert campaign["leakage"] == 3 / 8  # three requests before c2's review
    assert campaign["account_leakage"] == 4 / 8  # 3 of c1's before its block, 1 of c2's
    assert campaign["served_after_detection"] == 2  # the review itself and c1's allow
    assert result["false_positive_rate"] == pytest.approx(1 / 3)
    assert result["false_positive_rate_final"] == 0.0
    assert result["fpr_by_archetype"]["casual"] == {
        "accounts": 2, "flagged": 1, "flagged_final": 0, "fpr": 0.5, "fpr_final": 0.0}
    assert result["recall"] == 1.0 and result["campaigns_detected"] == 1


def test_when_a_campaign_is_never_flagged_then_all_of_it_leaked():
    decisions = decisions_table([("c1", 0, "allow"), ("c2", 1, "monitor")])
    result = online_detection(decisions, LABELS)
    assert result["leakage"] == 1.0 and result["campaigns_detected"] == 0
    assert result["campaigns"][0]["hours_to_detection"] is None
    assert result["false_positive_rate"] is None  # no legitimate account sent anything


def test_when_replayed_in_process_then_decisions_follow_the_events(small_sim, tmp_path):
    result = replay([small_sim / "events.parquet"], labels=small_sim / "labels.parquet",
                    out_dir=tmp_path)
    events = pq.read_table(small_sim / "events.parquet")
    decisions = pq.read_table(tmp_path / "decisions.parquet")
    assert decisions.schema.equals(DECISION_SCHEMA)
    assert decisions.num_rows == events.num_rows == result.summary["events"]
    times = decisions.column("timestamp").to_pylist()
    assert times == sorted(times)
    assert set(decisions.column("action").to_pylist()) <= {
        "allow", "monitor", "review", "throttle", "block"}
    report = json.loads((tmp_path / "replay.json").read_text())
    assert report["detection"]["campaigns_total"] == result.detection["campaigns_total"] > 0
    assert sum(report["summary"]["actions"].values()) == events.num_rows


def test_when_replay_command_runs_then_it_prints_detection(small_sim, tmp_path):
    done = CliRunner().invoke(cli_app, [
        "replay", str(small_sim / "events.parquet"), "--labels",
        str(small_sim / "labels.parquet"), "--out", str(tmp_path)])
    assert done.exit_code == 0, done.output
    assert "online detection" in done.output and "campaigns detected" in done.output
    assert (tmp_path / "decisions.parquet").is_file()


@pytest.mark.parametrize(("args", "message"), [
    (["missing.parquet"], "missing.parquet"),
    (["{sim}", "--gateway", "http://127.0.0.1:9"], "needs --keys"),
    (["{sim}", "--speed", "-1"], "--speed must be 0"),
])
def test_when_replay_is_misused_then_one_line_error(small_sim, args, message):
    args = [a.replace("{sim}", str(small_sim / "events.parquet")) for a in args]
    done = CliRunner().invoke(cli_app, ["replay", *args])
    assert done.exit_code == 2
    assert message in done.output and len(done.output.strip().splitlines()) == 1


def test_when_replayed_through_a_gateway_then_the_gateway_decides(small_sim, tmp_path):
    accounts = sorted(set(pq.read_table(small_sim / "labels.parquet")
                          .column("account_id").to_pylist()))
    keys = tmp_path / "keys.yaml"
    keys.write_text(yaml.safe_dump({"keys": {f"sk-{a}": {"account_id": a}
                                             for a in accounts}}))
    events = pq.read_table(small_sim / "events.parquet").slice(0, 120)
    pq.write_table(events, tmp_path / "part.parquet")
    guard = Guard()
    with serving(MockUpstream()) as upstream, \
            serving(create_app(guard, upstream, expose_decision=True,
                               keys=_ring(keys))) as url:
        result = replay([tmp_path / "part.parquet"], gateway=url, keys_file=keys,
                        concurrency=8)
    assert result.summary["mode"] == "gateway" and result.decisions.num_rows == 120
    assert "error" not in result.summary["actions"]
    assert guard.stats.events == 120
    assert sum(result.summary["actions"].values()) == 120


def _ring(path: Path):
    from distillguard.online.keys import KeyRing

    return KeyRing.load(path)


def test_when_an_event_is_replayed_as_a_request_then_its_fields_are_kept():
    body = chat_request({"system_prompt": "sys", "prompt": "p", "turn": 2, "max_tokens": 5,
                         "temperature": 0.0, "n": 2, "logprobs": True, "tool_count": 1,
                         "model": None})
    assert [m["role"] for m in body["messages"]] == [
        "system", "user", "assistant", "user", "assistant", "user"]
    assert body["messages"][-1]["content"] == "p" and len(body["tools"]) == 1
    assert (body["max_tokens"], body["temperature"], body["n"], body["logprobs"]) == (
        5, 0.0, 2, True)


def test_when_speed_is_set_then_event_time_runs_that_much_faster():
    pacer = _Pacer(60.0)
    assert pacer.delay(1000.0) == 0.0
    assert 0.9 < pacer.delay(1060.0) <= 1.0  # a minute of events = one second
    assert _Pacer(0.0).delay(5000.0) == 0.0
