"""Lone accounts: who is capped as an open customer, and who is not (``scan.analyse``)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from distillguard.config import default_config
from distillguard.scan import scan
from tests.helpers import T0, events_table

CFG = default_config()
QUESTIONS = ["why the sky is blue", "the rule of the chain", "the primes are infinite",
             "bonds fall when rates rise", "the sum of angles is 180", "heat flows to cold",
             "supply meets demand", "the derivative of sine", "entropy grows",
             "the median resists outliers", "light bends in water", "the tides follow the moon",
             "interest compounds", "the square root of two is irrational"]


def _harvester(account: str, created_days_ago: float, ip: str, conversing: bool,
               turns: bool = True, every_minutes: float = 300.0,
               completion_tokens: int = 1400) -> list[dict[str, Any]]:
    """Fourteen reasoning-trace requests, one question every ``every_minutes`` (five hours:
    three days), long answers; one conversation of three turns per question when
    ``conversing``, else one independent request each (with no turn or conversation
    logged unless ``turns``)."""
    rows = []
    for i, question in enumerate(QUESTIONS):
        for turn in range(3 if conversing else 1):  # turn 0 opens a conversation
            rows.append({
                "account_id": account, "ip": ip, "user_agent": "python-httpx/0.28",
                "timestamp": T0 + timedelta(minutes=every_minutes * i + 2 * turn),
                "account_created_at": T0 - timedelta(days=created_days_ago),
                "prompt": (f"Think step by step and show all of your reasoning: explain {question}"
                           if turn == 0 else "And what follows from that, step by step?"),
                "conversation_id": f"{account}-{i}" if turns else None,
                "turn": turn if turns else None, "model": "m1",
                "prompt_tokens": 40, "completion_tokens": completion_tokens,
                "max_tokens": 8192,
                "status": "ok",
            })
    return rows


def _people(n: int) -> list[dict[str, Any]]:
    return [{"account_id": f"user{i:03d}", "ip": f"10.{i}.0.1", "user_agent": "Mozilla/5.0",
             "timestamp": T0 + timedelta(hours=i % 60, minutes=j),
             "account_created_at": T0 - timedelta(days=400),
             "prompt": f"hello, what is a good recipe for dinner number {j}",
             "conversation_id": f"c{i}", "turn": j, "model": "m1",
             "prompt_tokens": 12, "completion_tokens": 150, "max_tokens": None, "status": "ok"}
            for i in range(n) for j in range(4)]


@pytest.fixture(scope="module")
def accounts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    rows = (_people(80)
            + _harvester("sweep", 5, "203.0.113.7", conversing=False, every_minutes=15)
            # Questions a quarter of an hour apart: a session, not a paced harvest.
            + _harvester("aged", 700, "198.51.100.7", conversing=False, every_minutes=15)
            + _harvester("newdev", 5, "192.0.2.7", conversing=True)
            # An aged account collecting one long answer every five hours, and one asking
            # for reasoning as often but getting short answers (homework).
            + _harvester("paced", 700, "198.51.100.9", conversing=False)
            + _harvester("homework", 700, "198.51.100.11", conversing=False,
                         completion_tokens=300)
            + _harvester("plain", 5, "203.0.114.7", conversing=False, turns=False,
                         every_minutes=15))
    tmp = tmp_path_factory.mktemp("lone")
    pq.write_table(events_table(rows), tmp / "events.parquet")
    scan([tmp / "events.parquet"], tmp / "out", write_report=False)
    table = pq.read_table(tmp / "out" / "accounts.parquet").to_pylist()
    return {row["account_id"]: row for row in table}


def test_a_new_unnamed_account_sweeping_questions_is_not_capped_as_open(
    accounts: dict[str, dict[str, Any]]
) -> None:
    cap = CFG.scoring.lone_open_max_risk * CFG.scoring.lone_account_factor
    sweep, aged, newdev = accounts["sweep"], accounts["aged"], accounts["newdev"]
    # All three harvest reasoning traces alone, hiding nothing.
    assert min(sweep["own_risk"], aged["own_risk"], newdev["own_risk"]) > (
        CFG.scoring.lone_open_max_risk)
    assert sweep["campaign_id"] is None
    # The new account that nobody can name and that sends independent questions keeps
    # its own risk; an account registered two years ago, and a new one that converses
    # (a developer trying the API), are customers to talk to.
    assert sweep["risk"] == pytest.approx(sweep["own_risk"] * CFG.scoring.lone_account_factor)
    assert sweep["decision"] in {"review", "block"}
    assert any("nobody can name" in reason for reason in sweep["reasons"])
    assert not any("nobody can name" in reason for reason in aged["reasons"])
    assert aged["risk"] <= cap + 1e-9 and newdev["risk"] <= cap + 1e-9
    assert aged["decision"] not in {"review", "block"}
    assert newdev["decision"] not in {"review", "block"}


def test_long_answers_collected_hours_apart_are_a_paced_harvest_not_an_open_customer(
    accounts: dict[str, dict[str, Any]]
) -> None:
    paced, homework, aged = accounts["paced"], accounts["homework"], accounts["aged"]
    # Fourteen long answers, one every five hours, never a follow-up: the pace hides the
    # harvest, so the account is not capped as an open customer however old it is.
    assert paced["signal_paced_harvest"] == pytest.approx(1.0)
    assert paced["own_risk"] > aged["own_risk"]
    assert paced["risk"] == pytest.approx(paced["own_risk"] * CFG.scoring.lone_account_factor)
    assert paced["decision"] in {"review", "block"}
    assert any(reason.startswith("paced_harvest: paced harvest: 100% of 14 answers are long, "
                                 "requests a median 5.0 h apart")
               for reason in paced["reasons"])
    # The same pace for short answers is no harvest to hide; a session is no pace.
    assert homework["signal_paced_harvest"] == 0.0
    assert aged["signal_paced_harvest"] == 0.0
    cap = CFG.scoring.lone_open_max_risk * CFG.scoring.lone_account_factor
    assert homework["risk"] <= cap + 1e-9


def test_requests_without_a_turn_in_a_log_with_turns_are_independent(
    accounts: dict[str, dict[str, Any]]
) -> None:
    # Single requests outside any conversation carry no turn where others' do: no
    # follow-up, a sweep like any other.
    plain = accounts["plain"]
    assert plain["followup_share"] is None
    assert plain["risk"] == pytest.approx(plain["own_risk"] * CFG.scoring.lone_account_factor)


def test_without_turns_in_the_log_nobody_is_known_to_sweep(tmp_path: Path) -> None:
    rows = _people(80) + _harvester("plain", 5, "203.0.114.7", conversing=False, turns=False)
    for row in rows:
        row["turn"] = row["conversation_id"] = None
    pq.write_table(events_table(rows), tmp_path / "events.parquet")
    scan([tmp_path / "events.parquet"], tmp_path / "out", write_report=False)
    table = pq.read_table(tmp_path / "out" / "accounts.parquet").to_pylist()
    plain = next(row for row in table if row["account_id"] == "plain")
    cap = CFG.scoring.lone_open_max_risk * CFG.scoring.lone_account_factor
    assert plain["own_risk"] > CFG.scoring.lone_open_max_risk
    assert plain["risk"] <= cap + 1e-9
    # Nor paced: one question every five hours may be a conversation's turns.
    assert plain["signal_paced_harvest"] == 0.0



def test_aged_harvesters_on_one_rented_block_a_machine_each_are_one_campaign(
    tmp_path: Path
) -> None:
    # Ten aged accounts, each collecting reasoning traces in a session from a machine of
    # its own in one hosting /24; ten colleagues doing the same behind their office's
    # one address. Each writes its own prompts on its own schedule. Each alone is an open
    # customer; the rack is one operator's, and an office is a place.
    words = ["amber", "birch", "cedar", "delta", "ember", "fjord", "grove", "heron", "indigo",
             "juniper", "kestrel", "lagoon", "meadow", "nectar", "oasis", "prairie", "quartz",
             "russet", "saffron", "tundra"]
    rows = _people(80)
    for i in range(10):
        for j, name, ip in ((i, f"rack{i}", f"192.0.2.{10 + i}"),
                            (10 + i, f"office{i}", "198.51.100.50")):
            rows += [{**row, "prompt": f"On {words[j]} matters: {row['prompt']}",
                      "timestamp": row["timestamp"] + timedelta(minutes=97 * j, seconds=7 * j)}
                     for row in _harvester(name, 300 + 40 * i, ip, conversing=False,
                                           every_minutes=15)]
    pq.write_table(events_table(rows), tmp_path / "events.parquet")
    scan([tmp_path / "events.parquet"], tmp_path / "out", write_report=False)
    table = {row["account_id"]: row for row in
             pq.read_table(tmp_path / "out" / "accounts.parquet").to_pylist()}
    rack = [table[f"rack{i}"] for i in range(10)]
    office = [table[f"office{i}"] for i in range(10)]
    assert len({row["campaign_id"] for row in rack}) == 1 and rack[0]["campaign_id"]
    assert all(row["decision"] in {"review", "block"} for row in rack)
    assert not {row["campaign_id"] for row in office} & {rack[0]["campaign_id"]}


def test_a_stated_reseller_that_harvests_is_not_capped_verified_or_not(tmp_path: Path) -> None:
    # Three aged accounts harvesting alike in the open. Two state in the customer table
    # that their traffic is their customers' (a reseller: the harvest is someone else's),
    # one of them unverified; the third states a batch use, which explains nothing.
    rows = (_people(80)
            + _harvester("resold", 700, "198.51.100.21", conversing=False, every_minutes=15)
            + _harvester("vetted", 700, "198.51.100.22", conversing=False, every_minutes=15)
            + _harvester("batchjob", 700, "198.51.100.23", conversing=False,
                         every_minutes=15))
    pq.write_table(events_table(rows), tmp_path / "events.parquet")
    pq.write_table(pa.table({
        "account_id": ["resold", "vetted", "batchjob"],
        "verified": [False, True, False],
        "declared_use": ["reseller", "reseller", "batch"],
    }), tmp_path / "customers.parquet")
    scan([tmp_path / "events.parquet"], tmp_path / "out", write_report=False,
         customers=tmp_path / "customers.parquet")
    table = {row["account_id"]: row
             for row in pq.read_table(tmp_path / "out" / "accounts.parquet").to_pylist()}
    cap = CFG.scoring.lone_open_max_risk * CFG.scoring.lone_account_factor
    for name in ("resold", "vetted", "batchjob"):
        assert table[name]["campaign_id"] is None
        assert table[name]["own_risk"] > CFG.scoring.lone_open_max_risk
    for name in ("resold", "vetted"):
        assert table[name]["risk"] == pytest.approx(
            table[name]["own_risk"] * CFG.scoring.lone_account_factor)
        assert table[name]["decision"] == "review"
    assert table["batchjob"]["risk"] <= cap + 1e-9
    assert table["batchjob"]["decision"] not in {"review", "block"}
