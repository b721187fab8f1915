"""Harvest organisations end to end: a new organisation whose members all harvest is one
campaign, and its name does not make its members open customers; an established lab
doing the same is neither."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from distillguard.config import default_config
from distillguard.scan import scan
from tests.helpers import T0, events_table

TOPICS = ["sorting", "graphs", "probability", "contracts", "chemistry", "poetry", "history",
          "tax law", "optics", "compilers"]


def traffic(registered_days_before: int) -> list[dict[str, Any]]:
    """Sixty ordinary users, and eight accounts of one organisation, each on an address
    of its own, sending forty chain-of-thought problems for long answers."""
    rows: list[dict[str, Any]] = [
        {"account_id": f"user{i:02d}", "ip": f"198.{i}.{j}.9", "user_agent": "Mozilla/5.0",
         "prompt": f"help me with {TOPICS[(i + j) % 10]} question {i} {j}",
         "completion_tokens": 200, "max_tokens": 1024, "email": f"u{i}@gmail.com",
         "account_created_at": T0 - timedelta(days=300),
         "timestamp": T0 + timedelta(minutes=37 * i + 5 * j)}
        for i in range(60) for j in range(4)]
    rows += [
        {"account_id": f"member{a}", "org_id": "org_lab", "ip": f"203.0.{a}.{j % 3 + 1}",
         "user_agent": "python-httpx/0.27", "email": f"m{a}@lab.example",
         "prompt": ("Think step by step and show your complete reasoning. "
                    f"Problem {a * 100 + j}: prove the bound on {TOPICS[j % 10]} case {j}"),
         "completion_tokens": 3500, "max_tokens": 32000, "temperature": 0.0,
         "account_created_at": T0 + timedelta(minutes=a) - timedelta(days=registered_days_before),
         "timestamp": T0 + timedelta(hours=1, minutes=7 * a + 31 * j)}
        for a in range(8) for j in range(40)]
    return rows


def members_after_scan(tmp_path: Path, days: int, min_campaign_accounts: int = 3
                       ) -> tuple[dict[str, dict[str, Any]], list[Any]]:
    pq.write_table(events_table(traffic(days)), tmp_path / "events.parquet")
    config = default_config()
    config = replace(config, scoring=replace(config.scoring,
                                             min_campaign_accounts=min_campaign_accounts))
    result = scan([tmp_path / "events.parquet"], tmp_path / "out", config=config,
                  write_report=False)
    rows = {r["account_id"]: r for r in result.accounts.to_pylist()
            if r["account_id"].startswith("member")}
    return rows, result.campaign_records


def test_a_new_organisation_of_harvesters_is_one_campaign(tmp_path: Path) -> None:
    members, campaigns = members_after_scan(tmp_path, days=0)
    assert [sorted(c.accounts) for c in campaigns] == [sorted(members)]
    assert campaigns[0].signals["harvest_org"] == 1.0
    assert any(r.signal == "harvest_org" for r in campaigns[0].reasons)
    assert all(m["decision"] == "block" for m in members.values())


def test_an_established_lab_doing_the_same_is_no_campaign(tmp_path: Path) -> None:
    members, campaigns = members_after_scan(tmp_path, days=300)
    assert campaigns == []
    # Each is a customer harvesting in the open under its name: capped below review.
    cap = default_config().scoring.lone_open_max_risk
    assert all(m["risk"] <= cap + 1e-9 and m["decision"] in {"allow", "monitor"}
               for m in members.values())


@pytest.mark.parametrize("days", [0, 300])
def test_a_front_s_organisation_does_not_make_it_an_open_customer(tmp_path: Path,
                                                                   days: int) -> None:
    # With no campaign at all (groups of 100 or more only), the new organisation's
    # members keep their own risk; the lab's are capped as open customers.
    members, campaigns = members_after_scan(tmp_path, days, min_campaign_accounts=100)
    assert campaigns == []
    cap = default_config().scoring.lone_open_max_risk
    factor = default_config().scoring.lone_account_factor
    risks = [m["risk"] for m in members.values()]
    if days == 0:
        assert min(risks) > cap and all(m["own_risk"] * factor == pytest.approx(m["risk"])
                                        for m in members.values())
    else:
        assert max(risks) <= cap
