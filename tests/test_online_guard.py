"""The online guard: decisions, actions, failure modes, and convergence to the batch scan.

The convergence test replays a simulated day (400 accounts, 24 h, seed 11) through the
guard and scans the same events in batch. Measured on 2026-11-27: Spearman correlation of
final risks 0.99999, flagged set identical for 100 % of accounts. The thresholds below
(0.98 and 97 %) leave room for scoring changes that make the two paths differ slightly
(sketch estimates, lockstep timing not computed online), not for a broken guard.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq
import pytest
import yaml
from scipy.stats import spearmanr

from distillguard.config import Config, default_config, load_config
from distillguard.errors import ConfigError
from distillguard.online.guard import (
    FLAG_LONE_ACCOUNT,
    FLAG_RATE_LIMIT,
    FLAG_STATE_UNAVAILABLE,
    FLAG_THROTTLE_BAND,
    FLAGGED_ACTIONS,
    STATE_UNAVAILABLE,
    Guard,
    OnlineEventError,
    _median,
)
from distillguard.online.store import MemoryStore, StateUnavailable
from distillguard.scan import scan
from distillguard.simulate import Scenario, simulate

T0 = datetime(2026, 2, 1, tzinfo=UTC)


def config_with(tmp_path: Path, overrides: dict[str, Any]) -> Config:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(overrides))
    return load_config(path)


def harvester_events(account: str, count: int, start: int = 0) -> list[dict[str, Any]]:
    """A distiller's requests: reasoning elicited, long outputs, one per minute, each from
    a new residential proxy address in another network (it hides who it is)."""
    return [{
        "request_id": f"{account}-{start + i}", "account_id": account,
        "timestamp": T0 + timedelta(minutes=start + i),
        "prompt": f"Solve problem {start + i} and explain your full reasoning step by step.",
        "max_tokens": 16000, "temperature": 0.2 * (i % 5), "turn": 0,
        "completion_tokens": 1500,
        "ip": f"{60 + (start + i) % 150}.{(start + i) % 200}.{(start + i) // 200}.7",
    } for i in range(count)]


@pytest.fixture(scope="module")
def simulated_day(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("day")
    simulate(Scenario(accounts=400, hours=24, seed=11), root / "sim")
    scan([root / "sim" / "events.parquet"], root / "scan", write_report=False)
    return root / "sim", root / "scan"


def test_when_a_simulated_day_is_replayed_then_online_risk_converges_to_batch(simulated_day):
    sim, scanned = simulated_day
    events = pq.read_table(sim / "events.parquet").sort_by(
        [("timestamp", "ascending"), ("request_id", "ascending")])
    guard = Guard()
    for batch in events.to_batches(8192):
        for event in batch.to_pylist():
            guard.observe(event)
    guard.flush(everything=True)
    batch_accounts = pq.read_table(scanned / "accounts.parquet").to_pylist()
    online = {row["account_id"]: guard.assess(row["account_id"]) for row in batch_accounts}
    batch_risk = [row["risk"] for row in batch_accounts]
    online_risk = [online[row["account_id"]].risk for row in batch_accounts]
    agree = np.mean([
        (row["decision"] in ("review", "block"))
        == (online[row["account_id"]].action in FLAGGED_ACTIONS)
        for row in batch_accounts
    ])
    assert len(batch_accounts) == 400
    assert spearmanr(batch_risk, online_risk).statistic >= 0.98
    assert agree >= 0.97
    flagged = [a for a, d in online.items() if d.action in FLAGGED_ACTIONS]
    assert flagged, "the simulated campaigns must be flagged online"
    assert any(online[a].campaign_id for a in flagged)


def test_when_an_account_harvests_reasoning_then_it_is_flagged_with_reasons():
    guard = Guard()
    decisions = [guard.observe(e) for e in harvester_events("h", 300)]
    guard.flush()
    first, last = decisions[0], guard.assess("h")
    assert first.action == "allow" and first.risk == 0.0
    assert last is not None and last.action in FLAGGED_ACTIONS
    assert any("chain-of-thought" in reason for reason in last.reasons)
    assert last.own_risk >= last.risk  # a lone account keeps lone_account_factor of it


def test_when_risk_is_in_the_throttle_band_then_throttle(tmp_path):
    config = config_with(tmp_path, {
        "scoring": {"thresholds": {"monitor": 0.3, "review": 0.4, "block": 0.999}},
        "online": {"throttle_risk": 0.5, "rescore_events": 1, "lone_min_events": 0},
    })
    guard = Guard(config)
    actions = [guard.observe(e).action for e in harvester_events("h", 200)]
    assert actions[0] == "allow"
    assert "review" in actions and "throttle" in actions and "block" not in actions
    assert actions.index("review") < actions.index("throttle")
    throttled = guard.observe(harvester_events("h", 1, start=500)[0])
    assert throttled.action == "throttle" and not throttled.served
    assert throttled.reasons[0].startswith("throttled: risk")
    assert throttled.flags == (FLAG_THROTTLE_BAND,)


def test_when_a_lone_account_has_few_requests_then_it_is_only_monitored(tmp_path):
    config = config_with(tmp_path, {"online": {"rescore_events": 1, "lone_min_events": 30}})
    guard = Guard(config)
    decisions = [guard.observe(e) for e in harvester_events("h", 40)]
    early = [d for d in decisions[:29] if d.risk >= 0.6]
    assert early, "the harvester's risk passes review before 30 requests"
    assert all(d.action == "monitor" for d in early)
    assert early[0].reasons[0].startswith("under watch, not flagged yet")
    assert all(FLAG_LONE_ACCOUNT in d.flags for d in early)
    assert decisions[-1].action in FLAGGED_ACTIONS


def test_when_a_watched_account_exceeds_the_rate_limit_then_throttle(tmp_path):
    config = config_with(tmp_path, {
        "scoring": {"thresholds": {"monitor": 0.01, "review": 0.98, "block": 0.99}},
        "online": {"throttle_risk": 0.985, "rate_limit_per_minute": 5, "rescore_events": 1},
    })
    guard = Guard(config)
    for event in harvester_events("h", 60):  # one a minute: watched, under the limit
        assert guard.observe(event).action in ("allow", "monitor")
    burst = [{**e, "timestamp": T0 + timedelta(hours=2, seconds=i)}
             for i, e in enumerate(harvester_events("h", 8, start=100))]
    actions = [guard.observe(e).action for e in burst]
    assert actions[:5] == ["monitor"] * 5 and actions[5:] == ["throttle"] * 3
    again = guard.observe({**burst[0], "request_id": "again"})
    assert "over the limit of 5" in again.reasons[0]
    assert again.flags == (FLAG_RATE_LIMIT,)


class BrokenStore(MemoryStore):
    """A store that fails once ``broken`` is set, as Redis does when it goes away."""

    broken = False

    def update_account(self, account_id: str, apply: Callable[..., Any]) -> Any:
        if self.broken:
            raise StateUnavailable("connection refused")
        return super().update_account(account_id, apply)


@pytest.mark.parametrize(("policy", "action"), [("fail_open", "allow"),
                                                ("fail_closed", "block")])
def test_when_state_is_unavailable_then_fail_open_or_closed(tmp_path, policy, action):
    config = config_with(tmp_path, {"online": {"on_state_error": policy}})
    store = BrokenStore(Guard(config).settings)
    guard = Guard(config, store=store)
    assert guard.observe(harvester_events("a", 1)[0]).action == "allow"
    store.broken = True
    decision = guard.observe(harvester_events("a", 1, start=1)[0])
    assert decision.action == action
    assert decision.reasons[0].startswith(STATE_UNAVAILABLE)
    assert decision.flags == (FLAG_STATE_UNAVAILABLE,)
    assert guard.stats.state_errors == 1


@pytest.mark.parametrize(("event", "message"), [
    ({"timestamp": T0}, "no account_id"),
    ({"account_id": "a"}, "no timestamp"),
    ({"account_id": "a", "timestamp": "yesterday"}, "unreadable timestamp"),
])
def test_when_event_lacks_identity_then_online_event_error(event, message):
    with pytest.raises(OnlineEventError, match=message):
        Guard().observe(event)


@pytest.mark.parametrize(("overrides", "message"), [
    ({"online": {"on_state_error": "maybe"}}, "fail_open or fail_closed"),
    ({"online": {"throttle_risk": 0.1}}, "at least scoring.thresholds.review"),
    ({"online": {"max_templates": 0}}, "max_templates must be at least 1"),
])
def test_when_online_settings_are_wrong_then_config_error(tmp_path, overrides, message):
    with pytest.raises(ConfigError, match=message):
        Guard(config_with(tmp_path, overrides))


def test_when_linked_accounts_harvest_then_they_share_one_campaign(tmp_path):
    # Rounds every online.rescore_events events only: with the wall-clock trigger too, a
    # busy machine re-scores more often, and the outcome depended on the machine's load
    # (re-scoring every 64 events or fewer, no campaign forms here, old code and new).
    guard = Guard(config_with(tmp_path, {"online": {"rescore_interval_ms": 10**9}}))
    for k in range(6):
        for event in harvester_events(f"c{k}", 120):
            guard.observe({**event, "payment_fingerprint": "card-shared",
                           "ip": f"203.0.113.{k}", "user_agent": "farm/1.0"})
    for k in range(40):  # ordinary accounts, so the shared card is rare
        guard.observe({"request_id": f"o{k}", "account_id": f"o{k}", "timestamp": T0,
                       "prompt": "hello", "payment_fingerprint": f"card-{k}"})
    guard.flush(everything=True)
    decisions = [guard.assess(f"c{k}") for k in range(6)]
    campaigns = {d.campaign_id for d in decisions if d is not None}
    assert len(campaigns) == 1 and None not in campaigns
    assert all(d is not None and d.action == "block" for d in decisions)
    assert guard.assess("o1") is not None and guard.assess("o1").campaign_id is None


@pytest.mark.parametrize(("histogram", "median"), [
    ({1: 3}, 1.0), ({1: 1, 3: 1}, 2.0), ({1: 2, 5: 1, 9: 1}, 3.0), ({}, 1.0),
])
def test_when_population_histogram_then_median_as_numpy(histogram, median):
    assert _median(histogram) == median


def test_guard_uses_the_shipped_defaults_when_given_no_config():
    assert Guard().config == default_config()


def test_when_max_accounts_is_reached_then_the_idlest_are_forgotten_and_campaigns_kept(
        tmp_path):
    guard = Guard(config_with(tmp_path, {"online": {"max_accounts": 60}}))

    def ordinary(k: int, seconds: int) -> None:
        guard.observe({"request_id": f"o{k}", "account_id": f"o{k}",
                       "timestamp": T0 + timedelta(seconds=seconds), "prompt": "hello",
                       "payment_fingerprint": f"card-{k}", "ip": f"198.51.100.{k % 250}"})

    for k in range(40):  # ordinary accounts first, so the campaign's card is rare
        ordinary(k, 0)
    for k in range(6):  # a campaign: its members must survive the eviction
        for event in harvester_events(f"c{k}", 120):
            guard.observe({**event, "payment_fingerprint": "card-shared",
                           "ip": f"203.0.113.{k}", "user_agent": "farm/1.0"})
    guard.flush(everything=True)
    assert guard.assess("c0").campaign_id is not None  # type: ignore[union-attr]
    for k in range(40, 240):
        ordinary(k, k)
        # o0 stays active: the least recently *used* account goes, not the first seen
        guard.observe({"request_id": f"again{k}", "account_id": "o0",
                       "timestamp": T0 + timedelta(seconds=k), "prompt": "hello again"})
    known = set(guard.known_accounts())
    store = guard.store
    assert isinstance(store, MemoryStore)
    assert len(known) == 60 and store.evicted == 246 - 60
    assert {f"c{k}" for k in range(6)} | {"o0", "o239"} <= known and "o5" not in known
    assert store.population().accounts == 60
    assert sum(store.population().events_histogram.values()) == 60
    # The index only counts accounts still known: each key's count = its live holders.
    holders: dict[str, int] = {}
    for state in store.accounts(sorted(known)):
        assert state is not None
        for key in (k for held in state.indicators.values() for k in held):
            holders[key] = holders.get(key, 0) + 1
    assert [count for count, _ in store.index_get(sorted(holders))] == \
        [holders[k] for k in sorted(holders)]
    assert len(store._index) == len(holders)
    decision = guard.assess("c0")
    assert decision is not None and decision.campaign_id is not None
    back = guard.observe({"request_id": "back", "account_id": "o5", "timestamp": T0,
                          "prompt": "hello"})
    assert back.action == "allow" and guard.profile("o5")["events"] == 1  # type: ignore[index]


def test_when_rescoring_is_deferred_then_observe_never_scores_and_steps_do(tmp_path):
    """The gateway decides with ``rescore=False`` and runs the steps after answering."""
    config = config_with(tmp_path, {"online": {"rescore_events": 10}})
    deferred, inline = Guard(config), Guard(config)
    events = harvester_events("h", 80)
    for event in events:
        deferred.observe(event, rescore=False)
        inline.observe(event)
    assert deferred.stats.rescored == 0 and inline.stats.rescored > 0
    steps = 0
    while deferred.rescore_step():
        steps += 1
    deferred.flush()
    inline.flush()
    assert steps >= 1
    assert deferred.assess("h").risk == pytest.approx(inline.assess("h").risk)
    assert deferred.assess("h").action == inline.assess("h").action
    assert deferred.assess("h").action in FLAGGED_ACTIONS
