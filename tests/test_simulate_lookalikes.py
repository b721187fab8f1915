"""New legitimate look-alikes and campaign tactics generate the properties they claim.

One small scenario holds every new archetype (a few hundred accounts, 12 hours); each
test asserts one claimed behaviour with SQL over its events, labels and customer table.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import duckdb
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from distillguard.schema import CUSTOMER_SCHEMA, CUSTOMER_TIERS, EVENT_SCHEMA, LABEL_SCHEMA
from distillguard.simulate import ARCHETYPES, CampaignSpec, Scenario, simulate
from distillguard.simulate.commons import benchmark_items
from distillguard.simulate.prompts import PromptBank
from distillguard.simulate.scenario import GroupSpec
from tests.helpers import one, simulation_views

HOURS = 12.0
RELEASE_HOURS = 4.0
START_MS = int(Scenario().start.timestamp() * 1000)
RELEASE_MS = START_MS + int(RELEASE_HOURS * 3_600_000)

GROUPS = (
    GroupSpec("classroom", 40, {"class_size": 20, "signup_in_window_share": 1.0,
                                "lessons": (1, 2), "signup_minutes": 15.0}),
    GroupSpec("hackathon", 60, {"kickoff_hours": 1.0, "event_hours": (8.0, 10.0),
                                "signup_minutes": 40.0, "venue_addresses": 3}),
    GroupSpec("carrier_nat", 80, {"nat_addresses": 6}),
    GroupSpec("power_user", 10, {"per_day_median": 20.0}),
    GroupSpec("cron_job", 12, {"items_per_run": (1, 3), "on_the_hour_share": 1.0,
                               "scheduler_delay_ms": (2.0, 30.0), "bot_share": 1.0}),
    GroupSpec("short_batch", 2, {"requests_per_job": (300.0, 500.0)}),
    GroupSpec("coding_agent", 10, {"ci_share": 1.0, "ci_runs_per_day": 6.0}),
    GroupSpec("benchmark_rerun", 3, {"lab_size": 1, "items_per_run": (50, 100),
                                     "runs_before_release": (1, 1)}),
    GroupSpec("data_vendor", 1, {"requests_per_account": (300.0, 500.0)}),
    GroupSpec("declared_reseller", 1, {"requests_per_account": (300.0, 500.0)}),
)
CAMPAIGNS = (
    CampaignSpec("campaign_hydra_network", accounts=150, knobs={"burst_size": 50}),
    CampaignSpec("campaign_replay_network", accounts=12,
                 knobs={"requests_per_account": (30.0, 60.0)}),
    CampaignSpec("campaign_consumer_mimicry", accounts=15,
                 knobs={"requests_per_account": (30.0, 60.0)}),
    CampaignSpec("campaign_reseller_routed", accounts=3,
                 knobs={"requests_per_account": (50.0, 100.0)}),
    CampaignSpec("campaign_low_slow", accounts=10),
    CampaignSpec("campaign_model_pivot", accounts=8,
                 knobs={"requests_per_account": (60.0, 120.0)}),
    CampaignSpec("campaign_cot_harvest", accounts=8, knobs={"requests_per_account": (30.0, 60.0)}),
    CampaignSpec("campaign_agentic_harvest", accounts=8,
                 knobs={"requests_per_account": (30.0, 60.0)}),
    CampaignSpec("campaign_transparent_template", accounts=4,
                 knobs={"requests_per_account": (50.0, 100.0)}),
    CampaignSpec("campaign_edu_pathway", accounts=8, knobs={"requests_per_account": (20.0, 40.0)}),
)
NEW = {g.archetype for g in GROUPS} | {c.archetype for c in CAMPAIGNS}


def scenario() -> Scenario:
    fixed = sum(g.accounts for g in GROUPS) + sum(c.accounts or 0 for c in CAMPAIGNS)
    return Scenario(accounts=fixed + 100, hours=HOURS, seed=21,
                    model_release_hours=RELEASE_HOURS, archetype_shares={"casual": 1.0},
                    groups=GROUPS, campaigns=CAMPAIGNS, customers=True, responses="sized")


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("lookalikes")
    simulate(scenario(), out)
    return out


@pytest.fixture(scope="module")
def db(sim: Path) -> duckdb.DuckDBPyConnection:
    """Events, labels (and customers) as views; ``x`` joins events with labels."""
    return simulation_views(sim)


# ---- contracts ---------------------------------------------------------------------------


def test_files_follow_the_contracts_and_every_account_has_one_label_and_customer_row(
        sim: Path) -> None:
    assert pq.read_schema(sim / "events.parquet").equals(EVENT_SCHEMA, check_metadata=False)
    labels = pq.read_table(sim / "labels.parquet")
    customers = pq.read_table(sim / "customers.parquet")
    assert labels.schema.equals(LABEL_SCHEMA, check_metadata=False)
    assert customers.schema.equals(CUSTOMER_SCHEMA, check_metadata=False)
    events = pq.read_table(sim / "events.parquet", columns=["account_id"])
    ids = labels["account_id"].to_pylist()
    assert len(ids) == len(set(ids)) == scenario().accounts
    assert set(pc.unique(events["account_id"]).to_pylist()) == set(ids)
    assert customers["account_id"].to_pylist() == ids  # both sorted by account id
    assert set(customers["tier"].to_pylist()) <= set(CUSTOMER_TIERS)
    assert {row["archetype"] for row in labels.to_pylist()} >= NEW
    for row in labels.to_pylist():
        assert (row["campaign_id"] is not None) == ARCHETYPES[row["archetype"]].campaign, row


def test_events_fall_in_the_window_after_creation_with_plausible_sizes(
        db: duckdb.DuckDBPyConnection) -> None:
    low, high, early, bad = one(db, """
        SELECT min(ms), max(ms), count(*) FILTER (WHERE ms < created_ms),
               count(*) FILTER (WHERE completion_tokens > max_tokens OR completion_tokens < 0
                                OR prompt IS NULL OR ip IS NULL OR temperature < 0)
        FROM x""")
    assert low >= START_MS and high < START_MS + HOURS * 3_600_000
    assert early == 0 and bad == 0


def test_response_length_follows_completion_tokens(db: duckdb.DuckDBPyConnection) -> None:
    short, long = one(db, """
        SELECT median(length(response)) FILTER (WHERE completion_tokens <= 40),
               median(length(response)) FILTER (WHERE completion_tokens >= 1000)
        FROM x WHERE status = 'ok'""")
    assert short < 60 and long >= 600


# ---- legitimate look-alikes -----------------------------------------------------------------


def test_classroom_signs_up_together_behind_one_address_and_pastes_the_same_homework(
        db: duckdb.DuckDBPyConnection) -> None:
    rows = db.execute("""
        SELECT ip, count(DISTINCT account_id), (max(created_ms) - min(created_ms)) / 60000
        FROM x WHERE archetype = 'classroom' AND turn = 0 GROUP BY ip
        ORDER BY 2 DESC LIMIT 2""").fetchall()
    assert all(accounts >= 15 and minutes <= 15 for _, accounts, minutes in rows), rows
    shared = one(db, """
        SELECT max(accounts) FROM (
          SELECT count(DISTINCT account_id) accounts FROM x
          WHERE archetype = 'classroom' AND turn = 0 GROUP BY ms // 3600000, prompt)""")
    assert shared >= 3


def test_hackathon_signs_up_within_the_hour_on_venue_wifi_with_long_code(
        db: duckdb.DuckDBPyConnection) -> None:
    span, venue_share, completion = one(db, """
        WITH top AS (SELECT ip FROM x WHERE archetype = 'hackathon' GROUP BY ip
                     ORDER BY count(*) DESC LIMIT 3)
        SELECT (max(created_ms) - min(created_ms)) / 60000,
               avg((ip IN (SELECT ip FROM top))::INT), median(completion_tokens)
        FROM x WHERE archetype = 'hackathon'""")
    assert span <= 40 and venue_share > 0.6 and completion >= 800


def test_carrier_nat_puts_many_unrelated_people_on_few_addresses(
        db: duckdb.DuckDBPyConnection) -> None:
    accounts, addresses, domains = one(db, """
        SELECT count(DISTINCT account_id), count(DISTINCT ip),
               count(DISTINCT split_part(email, '@', 2))
        FROM x WHERE archetype = 'carrier_nat'""")
    assert accounts == 80 and addresses <= 6 and domains >= 2


def test_cron_jobs_fire_on_the_hour_with_a_shared_bot_prompt(
        db: duckdb.DuckDBPyConnection) -> None:
    on_quarter, on_hour, orgs = one(db, """
        SELECT avg(((ms % 900000) < 60000)::INT), avg(((ms % 3600000) < 60000)::INT),
               (SELECT max(n) FROM (SELECT count(DISTINCT org_id) n FROM x
                                    WHERE archetype = 'cron_job' GROUP BY system_prompt))
        FROM x WHERE archetype = 'cron_job'""")
    assert on_quarter > 0.9 and on_hour > 0.25 and orgs >= 3


def test_short_batch_sends_one_template_for_tiny_outputs(db: duckdb.DuckDBPyConnection) -> None:
    rows = db.execute("""
        SELECT account_id, count(*), count(DISTINCT left(prompt, 40)), max(completion_tokens),
               max(max_tokens), max(temperature), max(length(response))
        FROM x WHERE archetype = 'short_batch' GROUP BY account_id""").fetchall()
    assert len(rows) == 2
    for _, count, templates, completion, max_tokens, temperature, length in rows:
        assert count >= 150 and templates == 1 and completion <= 40 and max_tokens <= 128
        assert temperature == 0 and length <= 120


def test_coding_agents_ask_for_32k_with_tools_from_shared_ci_ranges(
        db: duckdb.DuckDBPyConnection) -> None:
    tools, max_tokens, steps, shared_ips = one(db, """
        SELECT min(tool_count), median(max_tokens), avg((turn > 0)::INT),
               (SELECT count(*) FROM (SELECT ip FROM x WHERE archetype = 'coding_agent'
                                      GROUP BY ip HAVING count(DISTINCT account_id) >= 2))
        FROM x WHERE archetype = 'coding_agent'""")
    assert tools >= 8 and max_tokens >= 16384 and steps > 0.7 and shared_ips >= 1


def test_benchmark_reruns_repeat_public_items_at_temperature_zero_on_the_new_model(
        db: duckdb.DuckDBPyConnection) -> None:
    first_new, zero, shared = one(db, """
        SELECT min(ms) FILTER (WHERE model = 'frontier-2'), avg((temperature = 0)::INT)
               FILTER (WHERE n = 1),
               (SELECT count(*) FROM (SELECT prompt FROM x WHERE archetype = 'benchmark_rerun'
                                      GROUP BY prompt HAVING count(DISTINCT org_id) >= 2))
        FROM x WHERE archetype = 'benchmark_rerun'""")
    assert RELEASE_MS <= first_new <= RELEASE_MS + 6.1 * 3_600_000
    assert zero == 1.0 and shared >= 20


def test_contracted_vendor_and_declared_reseller_are_in_the_customer_table(
        db: duckdb.DuckDBPyConnection) -> None:
    rows = dict((r[0], r[1:]) for r in db.execute("""
        SELECT l.archetype, any_value(tier), bool_and(verified), any_value(declared_use),
               bool_and(contract)
        FROM c JOIN l USING (account_id)
        WHERE l.archetype IN ('data_vendor', 'declared_reseller') GROUP BY 1""").fetchall())
    assert rows["data_vendor"] == ("enterprise", True, "synthetic_data", True)
    assert rows["declared_reseller"][1:3] == (True, "reseller")
    assert one(db, "SELECT median(completion_tokens) FROM x WHERE archetype = 'data_vendor'") > 1000


def test_most_cron_and_agent_users_declare_nothing(db: duckdb.DuckDBPyConnection) -> None:
    declared = one(db, """SELECT avg((declared_use IS NOT NULL)::INT) FROM c JOIN l USING
                          (account_id) WHERE archetype IN ('cron_job', 'coding_agent')""")
    assert declared < 0.5


# ---- campaign tactics ---------------------------------------------------------------------


def test_hydra_uses_a_fresh_address_per_request_bursts_and_its_own_rare_client(
        db: duckdb.DuckDBPyConnection) -> None:
    events, addresses, per_account, stacks = one(db, """
        SELECT count(*), count(DISTINCT ip), median(per_account), count(DISTINCT tls_fingerprint)
        FROM x JOIN (SELECT account_id, count(*) per_account FROM x GROUP BY 1) USING (account_id)
        WHERE archetype = 'campaign_hydra_network'""")
    assert addresses >= 0.95 * events and 12 <= per_account <= 45 and stacks == 1
    foreign = one(db, """
        SELECT count(*) FROM x WHERE archetype NOT LIKE 'campaign_hydra%' AND tls_fingerprint IN
        (SELECT tls_fingerprint FROM x WHERE archetype = 'campaign_hydra_network')""")
    assert foreign == 0
    # Created in bursts of 50 within 10 minutes: nearly everyone has 40 peers that close.
    in_burst = one(db, """
        WITH h AS (SELECT DISTINCT account_id, created_ms FROM x
                   WHERE archetype = 'campaign_hydra_network')
        SELECT avg((peers >= 40)::INT) FROM (
          SELECT a.account_id, count(b.account_id) peers FROM h a LEFT JOIN h b
          ON a.account_id <> b.account_id AND abs(a.created_ms - b.created_ms) <= 600000
          GROUP BY 1)""")
    assert in_burst > 0.8


def test_replay_network_is_created_within_an_hour_and_co_timed_within_milliseconds(
        db: duckdb.DuckDBPyConnection) -> None:
    created_span, browsers = one(db, """
        SELECT (max(created_ms) - min(created_ms)) / 60000,
               avg((user_agent LIKE 'Mozilla%' OR user_agent LIKE 'AssistantApp%')::INT)
        FROM x WHERE archetype = 'campaign_replay_network'""")
    assert created_span <= 60 and browsers == 1.0
    co_timed = one(db, """
        WITH r AS (SELECT account_id, ms FROM x WHERE archetype = 'campaign_replay_network')
        SELECT avg(hit::INT) FROM (
          SELECT a.account_id, a.ms, bool_or(b.account_id IS NOT NULL) hit
          FROM r a LEFT JOIN r b ON b.account_id <> a.account_id AND abs(b.ms - a.ms) <= 50
          GROUP BY 1, 2)""")
    own_address = one(db, """
        SELECT min(modal) FROM (SELECT account_id, max(k) / sum(k) modal FROM (
          SELECT account_id, ip, count(*) k FROM x WHERE archetype = 'campaign_replay_network'
          GROUP BY 1, 2) GROUP BY 1)""")
    assert co_timed > 0.5 and own_address > 0.6


def test_consumer_mimicry_is_aged_browser_like_sticky_and_harvests_a_minority(
        db: duckdb.DuckDBPyConnection) -> None:
    age_days, browsers, long_share = one(db, """
        SELECT min((? - created_ms) / 86400000), avg((user_agent LIKE 'Mozilla%' OR
               user_agent LIKE 'AssistantApp%')::INT), avg((completion_tokens > 900)::INT)
        FROM x WHERE archetype = 'campaign_consumer_mimicry'""", START_MS)
    assert age_days >= 20 and browsers == 1.0 and 0.05 < long_share < 0.5


def test_reseller_routed_harvest_shares_the_declared_resellers_org_and_range(
        db: duckdb.DuckDBPyConnection) -> None:
    orgs, prefixes, paths = one(db, """
        SELECT count(DISTINCT org_id), count(DISTINCT regexp_extract(ip, '^(\\d+\\.\\d+)\\.', 1)),
               count(DISTINCT access_path)
        FROM x WHERE archetype IN ('declared_reseller', 'campaign_reseller_routed')""")
    assert orgs == 1 and prefixes <= 2 and paths == 1


def test_low_and_slow_sends_short_batches_hours_apart(db: duckdb.DuckDBPyConnection) -> None:
    split = one(db, """
        SELECT avg((gap < 60000 OR gap > 1800000)::INT) FROM (
          SELECT ms - lag(ms) OVER (PARTITION BY account_id ORDER BY ms) gap
          FROM x WHERE archetype = 'campaign_low_slow') WHERE gap IS NOT NULL""")
    assert split > 0.9


def test_model_pivot_surges_onto_the_new_model(db: duckdb.DuckDBPyConnection) -> None:
    before, after, new_share = one(db, """
        SELECT count(*) FILTER (WHERE ms < ?) / ?, count(*) FILTER (WHERE ms >= ?) / ?,
               avg((model = 'frontier-2')::INT) FILTER (WHERE ms >= ? + 4 * 3600000)
        FROM x WHERE archetype = 'campaign_model_pivot'""",
        RELEASE_MS, RELEASE_HOURS, RELEASE_MS, HOURS - RELEASE_HOURS, RELEASE_MS)
    assert after > 1.5 * before and new_share > 0.6


def test_harvest_tactics_ask_for_reasoning_and_long_outputs(
        db: duckdb.DuckDBPyConnection) -> None:
    transparent = one(db, """SELECT avg((prompt LIKE '%complete and transparent reasoning%')::INT)
                             FROM x WHERE archetype = 'campaign_transparent_template'""")
    assert transparent == 1.0
    median_output, foreign = one(db, """
        SELECT median(completion_tokens), avg((NOT regexp_matches(prompt, '^[ -~\\s]*$'))::INT)
        FROM x WHERE archetype = 'campaign_cot_harvest'""")
    assert median_output >= 1500 and foreign > 0.05


def test_education_pathway_holds_weakly_verified_programme_entries(
        db: duckdb.DuckDBPyConnection) -> None:
    path, declared, verified = one(db, """
        SELECT min(access_path), min(declared_use), avg(verified::INT)
        FROM c JOIN l USING (account_id) JOIN (SELECT DISTINCT account_id, access_path FROM x)
        USING (account_id) WHERE archetype = 'campaign_edu_pathway'""")
    assert path == "education" and declared == "education" and verified < 0.6


def test_with_a_corpus_tactics_replay_real_conversations_and_labs_use_its_benchmark(
        tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "human").mkdir(parents=True)
    (corpus / "reasoning").mkdir()
    (corpus / "human" / "chat.jsonl").write_text("\n".join(
        f'{{"turns": ["ZEBRA opener {k}", "ZEBRA follow-up {k}"]}}' for k in range(40)))
    (corpus / "reasoning" / "gsm.jsonl").write_text("\n".join(
        f'{{"question": "QUOKKA problem {k}"}}' for k in range(40)))
    scenario = Scenario(
        accounts=30, hours=6, seed=3, model_release_hours=2, archetype_shares={"casual": 1.0},
        corpus=corpus,
        campaigns=(CampaignSpec("campaign_replay_network", accounts=5, knobs={
            "harvest_topics": {"chitchat": 1.0}, "requests_per_account": (20.0, 30.0)}),))
    simulate(scenario, tmp_path / "out")
    con = duckdb.connect()
    rows = dict(con.execute(f"""
        SELECT l.archetype, avg((prompt LIKE '%ZEBRA%' OR prompt LIKE '%QUOKKA%')::INT)
        FROM read_parquet('{tmp_path / 'out' / 'events.parquet'}') e
        JOIN read_parquet('{tmp_path / 'out' / 'labels.parquet'}') l USING (account_id)
        GROUP BY 1""").fetchall())
    assert rows["campaign_replay_network"] > 0.9
    followups = con.execute(f"""
        SELECT avg((prompt LIKE 'ZEBRA follow-up%')::INT)
        FROM read_parquet('{tmp_path / 'out' / 'events.parquet'}') e
        JOIN read_parquet('{tmp_path / 'out' / 'labels.parquet'}') l USING (account_id)
        WHERE l.archetype = 'campaign_replay_network' AND turn > 0""").fetchone()
    assert followups is not None and followups[0] == 1.0
    gsm = benchmark_items(SimpleNamespace(prompts=PromptBank.from_path(corpus)), "gsm-style")
    assert gsm.to_pylist()[:2] == ["QUOKKA problem 0", "QUOKKA problem 1"]
