"""Online account state: bounded sketches, and the batch profile's columns by name."""

from __future__ import annotations

import math

import duckdb
import pyarrow.parquet as pq
import pytest

from distillguard.config import default_config
from distillguard.detect.features import event_features
from distillguard.detect.profiles import build_profiles
from distillguard.online.features import EventFeatureExtractor
from distillguard.online.profile import (
    PROFILE_COLUMNS,
    AccountState,
    Population,
    ProfileSettings,
    available,
    template_key,
    to_epoch_seconds,
    unavailable_columns,
)
from distillguard.online.sketches import DistinctSketch, MedianSketch, TopCounts, Welford
from distillguard.simulate import Scenario, simulate

CONFIG = default_config()
SETTINGS = ProfileSettings.from_config(CONFIG)
# Columns read from sketches (estimates) and how far they may be off, absolute.
APPROXIMATE = {
    "distinct_prompts": None, "distinct_ips": None, "conversations": None,
    "distinct_templates": None, "models": None,
    "distinct_temperatures": None, "gap_median": None,
    "repeated_prompt_share": 0.1, "ip_churn": 0.1, "template_reuse": 0.1,
    "top_template_share": 0.05,
}
RELATIVE = 0.1  # for the counts above


def test_when_fewer_values_than_k_then_distinct_count_is_exact():
    sketch = DistinctSketch(64)
    for i in range(200):
        sketch.add(str(i % 50))
    assert sketch.count() == 50 and not sketch.saturated


@pytest.mark.parametrize("n", [65, 1_000, 50_000])
def test_when_many_values_then_distinct_estimate_is_close_and_survives_a_round_trip(n):
    sketch = DistinctSketch(64)
    for i in range(n):
        sketch.add(f"value-{i}")
    assert sketch.saturated
    assert abs(sketch.count() - n) / n < 0.08
    assert DistinctSketch.from_data(sketch.to_data()).count() == sketch.count()


def test_when_table_is_full_then_top_count_is_a_guaranteed_lower_bound():
    top = TopCounts(8)  # 130 events / 8 slots: counts are off by at most 17 < 30
    for _ in range(30):
        top.add("frequent")
    for i in range(100):
        top.add(f"rare-{i}")
    assert top.top() == ("frequent", 30)
    assert len(top.counts) == 8
    assert max(top.counts.values()) > 1 and max(top.guaranteed(k) for k in top.counts
                                                  if k != "frequent") < 30
    assert TopCounts.from_data(top.to_data()).top() == ("frequent", 30)


def test_when_few_values_then_median_is_exact_as_sql_quantile_cont():
    sketch = MedianSketch(8)
    for value in (4.0, 1.0, 3.0, 10.0):
        sketch.add(value)
    assert sketch.median() == 3.5
    for value in range(100):
        sketch.add(float(value))
    assert sketch.median() == pytest.approx(49, rel=0.05)


def test_when_values_stream_then_welford_gives_population_sd():
    w = Welford()
    for x in (2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0):
        w.add(x)
    assert (w.mean, w.sd()) == (5.0, 2.0)


@pytest.mark.parametrize(("value", "seconds"), [
    ("2026-02-01T00:00:00Z", 1769904000.0),
    ("2026-02-01T01:00:00+01:00", 1769904000.0),
    (1769904000000, 1769904000.0),
])
def test_when_timestamp_in_any_contract_form_then_epoch_seconds(value, seconds):
    assert to_epoch_seconds(value) == seconds


def test_when_batch_has_a_column_the_state_lacks_then_it_is_reported_unavailable():
    assert unavailable_columns(["account_id", "events", "brand_new_column"]) == [
        "brand_new_column"]


def test_when_state_serialised_then_it_reads_back_identically():
    state = AccountState("a", SETTINGS)
    extractor = EventFeatureExtractor(CONFIG.features)
    for i in range(120):
        event = {"prompt": f"solve {i} step by step", "ip": f"10.0.{i}.1", "turn": i % 3,
                 "temperature": 0.1 * (i % 4), "max_tokens": 8192, "model": "m"}
        state.observe(event, 1_770_000_000 + 7.0 * i, extractor.extract(event), SETTINGS)
    again = AccountState.from_data(state.to_data(), SETTINGS)
    for name in PROFILE_COLUMNS:
        assert again.column(name) == state.column(name), name


def test_when_simulated_day_then_online_profile_matches_batch_profile(tmp_path):
    simulate(Scenario(accounts=150, hours=12, seed=3), tmp_path)
    table = pq.read_table(tmp_path / "events.parquet").sort_by("timestamp")
    con = duckdb.connect()
    con.register("t", event_features(table, CONFIG.features))
    con.execute("CREATE TABLE events AS SELECT * FROM t")
    batch = build_profiles(con, CONFIG).to_pylist()
    extractor = EventFeatureExtractor(CONFIG.features)
    states: dict[str, AccountState] = {}
    releases: dict[str, float] = {}
    for event in table.to_pylist():
        state = states.setdefault(event["account_id"], AccountState(event["account_id"],
                                                                     SETTINGS))
        ts = to_epoch_seconds(event["timestamp"])
        state.observe(event, ts, extractor.extract(event), SETTINGS)
        if event["model"] is not None:
            releases.setdefault(event["model"], ts)
    population = Population(to_epoch_seconds(table["timestamp"][0].as_py()), releases)
    compared = 0
    for row in batch:
        state = states[row["account_id"]]
        for name, expected in row.items():
            if name == "account_id" or not available(name):
                continue
            got = state.column(name, population)
            compared += 1
            if expected is None or got is None or isinstance(expected, str):
                if name != "top_capability":  # ties are broken arbitrarily by SQL
                    assert got == expected, (name, row["account_id"])
            elif name == "top_template_count":  # a lower bound, off by < prompts / slots
                assert expected - row["prompts"] / SETTINGS.max_templates <= got <= expected
            elif name in APPROXIMATE:
                tolerance = APPROXIMATE[name]
                if tolerance is None:
                    assert math.isclose(got, expected, rel_tol=RELATIVE, abs_tol=1e-6), name
                else:
                    assert abs(got - expected) <= tolerance, name
            elif hasattr(expected, "timestamp"):
                assert got == expected, name
            else:
                assert math.isclose(float(got), float(expected), rel_tol=1e-6,
                                    abs_tol=1e-6), (name, row["account_id"], got, expected)
    assert compared > 150 * 30


def test_when_state_was_written_with_raw_template_keys_then_it_is_read_with_hashed_keys():
    state = AccountState("a", SETTINGS)
    data = state.to_data()
    del data["template_keys"]  # as written before template keys were hashed
    data["templates"] = [32, {"solve problem 0 and explain": 5, template_key("x"): 2},
                         {"solve problem 0 and explain": 1}]
    restored = AccountState.from_data(data, SETTINGS)
    assert restored.templates.guaranteed(template_key("solve problem 0 and explain")) == 4
    assert restored.templates.guaranteed(template_key("x")) == 2


def test_when_exact_distinct_sketch_round_trips_then_its_hashes_are_kept_sorted():
    sketch = DistinctSketch(64)
    for value in ("b", "a", "c", "a"):
        sketch.add(value)
    data = sketch.to_data()
    assert data[1] == sorted(data[1]) and len(data[1]) == 3
    legacy = [64, list(reversed(data[1]))]  # any order, as older versions wrote a set
    restored = DistinctSketch.from_data(legacy)
    restored.add("a")
    assert restored.count() == 3 and restored.to_data() == data
