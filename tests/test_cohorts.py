"""Cohorts: who holds a shared value, against the population (detect/cohorts.py)."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pytest

from distillguard.detect.cohorts import CohortSettings, cohort_anomalies


def _population() -> tuple[pa.Table, list[tuple[str, str, str]]]:
    """300 ordinary accounts (own network, a common browser stack, registered apart), a
    60-account bot registered in three bursts on one uncommon client stack from 60
    networks, and a 60-student class registered in three bursts on its school's client
    stack from the school's one network."""
    rows: list[dict[str, object]] = []
    indicators: list[tuple[str, str, str]] = []

    def add(account: str, window: int, network: str, client: str) -> None:
        rows.append({"account_id": account, "created_window": window, "fresh": False,
                     "churn": 0.05, "harvest": 0.1, "org_key": None})
        indicators.extend([(account, "ip_prefix", network), (account, "tls_fingerprint", client)])

    for i in range(300):
        add(f"user-{i:03d}", 1000 + i, f"home-{i}", "browser")
    for i in range(60):
        add(f"bot-{i:02d}", 5000 + i % 3, f"residential-{i}", "odd-stack")
    for i in range(60):
        add(f"student-{i:02d}", 6000 + i % 3, "school", "school-stack")
    return pa.Table.from_pylist(rows), indicators


@pytest.fixture(scope="module")
def cohorts() -> dict[str, dict[str, float]]:
    accounts, indicators = _population()
    con = duckdb.connect()
    con.execute("CREATE TEMP TABLE account_indicators (account_id VARCHAR, kind VARCHAR, "
                "value VARCHAR)")
    con.executemany("INSERT INTO account_indicators VALUES (?, ?, ?)", indicators)
    table = cohort_anomalies(con, accounts, CohortSettings())
    return {f"{row['kind']}:{row['value']}": row for row in table.to_pylist()}


def test_both_burst_cohorts_are_anomalous_and_the_common_client_is_not(
        cohorts: dict[str, dict[str, float]]) -> None:
    assert cohorts["tls_fingerprint:odd-stack"]["anomaly"] >= 0.5
    assert cohorts["tls_fingerprint:school-stack"]["anomaly"] >= 0.5
    assert cohorts["tls_fingerprint:browser"]["anomaly"] == 0.0


def test_a_client_stack_registered_together_from_everywhere_conceals(
        cohorts: dict[str, dict[str, float]]) -> None:
    bot = cohorts["tls_fingerprint:odd-stack"]
    assert bot["colocated"] == pytest.approx(1 / 60)
    assert bot["concealment"] >= 0.9


def test_a_class_registered_together_at_one_place_hides_nothing(
        cohorts: dict[str, dict[str, float]]) -> None:
    school = cohorts["tls_fingerprint:school-stack"]
    assert school["colocated"] == pytest.approx(1.0)
    assert school["concealment"] == pytest.approx(0.0)
    # The school's network is a place, not a client: registering together there is not
    # concealment either.
    assert cohorts["ip_prefix:school"]["concealment"] == pytest.approx(0.0)
