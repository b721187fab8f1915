"""The traffic simulator: determinism, contracts 1 and 3, and the shape of each archetype."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from distillguard.config import default_config
from distillguard.errors import ConfigError
from distillguard.schema import EVENT_SCHEMA, LABEL_SCHEMA
from distillguard.simulate import (
    ARCHETYPES,
    DEFAULT_ARCHETYPE_SHARES,
    DEFAULT_CAMPAIGNS,
    CampaignSpec,
    Evasion,
    Scenario,
    plan,
    simulate,
)
from distillguard.simulate.prompts import CAPABILITIES, PromptBank, vocabulary
from distillguard.simulate.textgen import Slot, TemplateRenderer, parse_template, random_hex
from tests.helpers import one, simulation_views

RELEASE_HOURS = 12.0
HOURS = 36.0
START_MS = int(Scenario().start.timestamp() * 1000)
RELEASE_MS = START_MS + int(RELEASE_HOURS * 3_600_000)


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sim")
    simulate(Scenario(accounts=400, hours=HOURS, seed=11, model_release_hours=RELEASE_HOURS), out)
    return out


@pytest.fixture(scope="module")
def db(sim: Path) -> duckdb.DuckDBPyConnection:
    """Events, labels (and customers) as views; ``x`` joins events with labels."""
    return simulation_views(sim)


# ---- determinism ---------------------------------------------------------------------


def small(seed: int = 5, **kwargs: Any) -> Scenario:
    return Scenario(accounts=120, hours=8, seed=seed, model_release_hours=4, **kwargs)


def test_same_scenario_gives_byte_identical_files(tmp_path: Path) -> None:
    first = simulate(small(), tmp_path / "a")
    simulate(small(), tmp_path / "b")
    assert first.events > 0
    for name in ("events.parquet", "labels.parquet"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert not list((tmp_path / "a").glob(".simulate-*")), "spill folder must be cleaned up"


def test_different_seed_gives_different_traffic(tmp_path: Path) -> None:
    simulate(small(seed=5), tmp_path / "a")
    simulate(small(seed=6), tmp_path / "b")
    assert (tmp_path / "a" / "events.parquet").read_bytes() != (
        tmp_path / "b" / "events.parquet").read_bytes()
    ids_a = set(pq.read_table(tmp_path / "a" / "labels.parquet")["account_id"].to_pylist())
    ids_b = set(pq.read_table(tmp_path / "b" / "labels.parquet")["account_id"].to_pylist())
    assert not ids_a & ids_b


def test_progress_reports_accounts_up_to_the_total(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    result = simulate(small(), tmp_path, progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (result.accounts, result.accounts) == (120, 120)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


# ---- contracts -----------------------------------------------------------------------


def test_files_have_exactly_the_contract_schemas(sim: Path) -> None:
    events = pq.read_schema(sim / "events.parquet")
    labels = pq.read_schema(sim / "labels.parquet")
    assert events.equals(EVENT_SCHEMA, check_metadata=False)
    assert labels.equals(LABEL_SCHEMA, check_metadata=False)


def test_events_are_sorted_by_time_then_request_id_with_unique_ids(sim: Path) -> None:
    table = pq.read_table(sim / "events.parquet", columns=["timestamp", "request_id"])
    assert table.num_rows > 10_000
    assert table.equals(table.sort_by([("timestamp", "ascending"), ("request_id", "ascending")]))
    assert pc.count_distinct(table["request_id"]).as_py() == table.num_rows


def test_every_account_in_events_has_exactly_one_label(sim: Path) -> None:
    labels = pq.read_table(sim / "labels.parquet")
    events = pq.read_table(sim / "events.parquet", columns=["account_id"])
    labelled = labels["account_id"].to_pylist()
    assert len(labelled) == len(set(labelled)) == 400
    assert set(pc.unique(events["account_id"]).to_pylist()) == set(labelled)


def test_campaign_id_is_set_exactly_for_campaign_archetypes(sim: Path) -> None:
    for row in pq.read_table(sim / "labels.parquet").to_pylist():
        if ARCHETYPES[row["archetype"]].campaign:
            assert re.fullmatch(r"camp-[a-z-]+-\d+", row["campaign_id"]), row
        else:
            assert row["campaign_id"] is None, row


def test_default_mix_has_every_default_archetype(db: duckdb.DuckDBPyConnection) -> None:
    present = {row[0] for row in db.execute("SELECT DISTINCT archetype FROM l").fetchall()}
    campaigns = {spec.archetype for spec in DEFAULT_CAMPAIGNS}
    assert all(ARCHETYPES[name].campaign for name in campaigns)
    assert present == set(DEFAULT_ARCHETYPE_SHARES) | campaigns
    assert len(campaigns) >= 2


def test_times_fall_in_the_window_and_after_account_creation(
        db: duckdb.DuckDBPyConnection) -> None:
    low, high, early = one(db, "SELECT min(ms), max(ms), count(*) FILTER (WHERE ms < created_ms) "
                               "FROM x")
    assert low >= START_MS and high < START_MS + HOURS * 3_600_000
    assert early == 0


def test_sizes_and_parameters_are_plausible(db: duckdb.DuckDBPyConnection) -> None:
    bad = one(db, "SELECT count(*) FROM x WHERE prompt_tokens < 1 OR completion_tokens < 0 "
                  "OR completion_tokens > max_tokens OR temperature < 0 OR n < 1 "
                  "OR status NOT IN ('ok', 'refused', 'error') OR prompt IS NULL OR ip IS NULL")
    assert bad == 0
    ratio = one(db, "SELECT median(prompt_tokens / (length(prompt) / 4.0)) FROM x WHERE turn = 0 "
                    "AND system_prompt IS NULL")
    assert 0.9 < ratio < 1.3  # ≈ characters / 4


# ---- legitimate archetypes -------------------------------------------------------------


def test_casual_users_chat_a_few_times_a_day_in_conversations(
        db: duckdb.DuckDBPyConnection) -> None:
    per_day = [row[0] for row in db.execute(
        "SELECT count(*) / ? FROM x WHERE archetype = 'casual' GROUP BY account_id",
        [HOURS / 24]).fetchall()]
    in_range = np.mean([(1 <= v <= 60) for v in per_day])
    assert in_range > 0.75 and max(per_day) > 5 * np.median(per_day)  # heavy tail
    followups, agents = one(db, "SELECT avg((turn > 0)::INT), count(DISTINCT user_agent) FROM x "
                                "WHERE archetype = 'casual'")
    assert followups > 0.3 and agents > 50


def test_developers_are_heavy_tool_users_with_sdk_clients(db: duckdb.DuckDBPyConnection) -> None:
    median, tools, browsers = one(db, """
        SELECT median(n), avg(tools), avg(browser) FROM (
          SELECT account_id, count(*) n, avg((tool_count > 0)::INT) tools,
                 avg((user_agent LIKE 'Mozilla%')::INT) browser
          FROM x WHERE archetype = 'developer' GROUP BY account_id)""")
    assert median > 100 and tools > 0.25 and browsers == 0


def test_enterprise_batch_is_one_template_at_temperature_zero_on_a_cadence(
        db: duckdb.DuckDBPyConnection) -> None:
    rows = db.execute("""
        SELECT account_id, count(*), count(DISTINCT left(prompt, 40)), max(temperature),
               count(DISTINCT model), min(org_id IS NOT NULL)
        FROM x WHERE archetype = 'enterprise_batch' GROUP BY account_id""").fetchall()
    assert rows
    for _, count, templates, temperature, models, has_org in rows:
        assert count >= 100 and templates == 1 and temperature == 0 and models == 1 and has_org
    spread = one(db, """
        WITH g AS (SELECT account_id, ms - lag(ms) OVER (PARTITION BY account_id ORDER BY ms) gap
                   FROM x WHERE archetype = 'enterprise_batch')
        SELECT median(stddev_gap / mean_gap) FROM (
          SELECT account_id, stddev(gap) stddev_gap, avg(gap) mean_gap FROM g
          WHERE gap < 60000 GROUP BY account_id)""")
    assert spread < 0.2  # cron-like, not human


def test_benchmark_runner_asks_step_by_step_and_runs_on_the_new_model_at_once(
        db: duckdb.DuckDBPyConnection) -> None:
    first_new, zero_temp, step = one(db, """
        SELECT min(ms) FILTER (WHERE model = 'frontier-2'),
               avg((temperature = 0)::INT) FILTER (WHERE n = 1),
               avg((prompt ILIKE '%step by step%')::INT) FILTER (WHERE prompt NOT ILIKE '%score%')
        FROM x WHERE archetype = 'benchmark_runner'""")
    assert RELEASE_MS <= first_new <= RELEASE_MS + 4.1 * 3_600_000
    assert zero_temp == 1.0 and step > 0.5


def test_university_accounts_share_a_nat_and_a_mail_domain_and_signed_up_together(
        db: duckdb.DuckDBPyConnection) -> None:
    per_prefix, domains, signup_hours = one(db, """
        SELECT max(accounts), max(domains), max(span) FROM (
          SELECT regexp_extract(ip, '^(\\d+\\.\\d+\\.\\d+)\\.', 1) prefix,
                 count(DISTINCT account_id) accounts,
                 count(DISTINCT split_part(email, '@', 2)) domains,
                 (max(created_ms) - min(created_ms)) / 3600000 span
          FROM x WHERE archetype = 'nat_university' GROUP BY prefix)""")
    assert per_prefix >= 10 and domains == 1 and signup_hours <= 36


def test_company_team_shares_org_and_card(db: duckdb.DuckDBPyConnection) -> None:
    rows = db.execute("""
        SELECT org_id, count(DISTINCT account_id), count(DISTINCT payment_fingerprint)
        FROM x WHERE archetype = 'company_team' GROUP BY org_id""").fetchall()
    assert rows and all(cards == 1 for _, _, cards in rows)
    assert max(accounts for _, accounts, _ in rows) > 1


# ---- campaigns -----------------------------------------------------------------------


def cot_share(db: duckdb.DuckDBPyConnection, archetype: str) -> float:
    pattern = "(?i)(" + "|".join(default_config().features.cot_patterns) + ")"
    return float(one(db, "SELECT avg(regexp_matches(prompt, ?)::INT) FROM x WHERE archetype = ?",
                     pattern, archetype))


def test_reasoning_campaign_shares_cards_and_asks_for_long_chains_of_thought(
        db: duckdb.DuckDBPyConnection) -> None:
    accounts, cards, single_shot, long_outputs, fresh_days = one(db, """
        SELECT count(DISTINCT account_id), count(DISTINCT payment_fingerprint),
               avg((turn = 0)::INT), median(max_tokens),
               max((? - created_ms) / 86400000.0)
        FROM x WHERE archetype = 'campaign_reasoning'""", START_MS)
    assert cards * 3 <= accounts and single_shot == 1 and long_outputs >= 8192
    assert fresh_days <= 7
    assert cot_share(db, "campaign_reasoning") > 0.5 > 0.1 > cot_share(db, "casual")


def bucket_jaccard(db: duckdb.DuckDBPyConnection, archetype: str) -> float:
    """Mean Jaccard similarity of the 5-minute buckets in which two accounts were active."""
    buckets = db.execute("SELECT account_id, list(DISTINCT ms // 300000) FROM x "
                         "WHERE archetype = ? GROUP BY account_id", [archetype]).fetchall()
    sets = [set(b) for _, b in buckets]
    scores = [len(a & b) / len(a | b) for i, a in enumerate(sets) for b in sets[i + 1:]]
    return float(np.mean(scores))


def test_reasoning_campaign_accounts_move_in_lockstep(db: duckdb.DuckDBPyConnection) -> None:
    assert bucket_jaccard(db, "campaign_reasoning") > 3 * bucket_jaccard(db, "developer")


def test_agentic_campaign_spreads_over_access_paths_and_hosting_ranges(
        db: duckdb.DuckDBPyConnection) -> None:
    paths, prefixes, tools = one(db, """
        SELECT count(DISTINCT access_path),
               count(DISTINCT regexp_extract(ip, '^(\\d+\\.\\d+\\.\\d+)\\.', 1)),
               avg((tool_count > 0)::INT)
        FROM x WHERE archetype = 'campaign_agentic'""")
    assert paths >= 3 and prefixes <= 3 and tools > 0.8


def test_agentic_campaign_pivots_to_the_new_model_after_release(
        db: duckdb.DuckDBPyConnection) -> None:
    def share(archetype: str, since_h: float, until_h: float) -> float:
        return float(one(db, "SELECT avg((model = 'frontier-2')::INT) FROM x WHERE archetype = ? "
                             "AND ms >= ? AND ms < ?", archetype, RELEASE_MS + since_h * 3.6e6,
                         RELEASE_MS + until_h * 3.6e6))
    assert share("campaign_agentic", -RELEASE_HOURS, 0) == 0
    assert share("campaign_agentic", 12, 24) > 0.35
    assert share("campaign_agentic", 12, 24) > share("casual", 12, 24) + 0.15
    assert share("enterprise_batch", 0, 24) == 0


def test_template_farm_sends_one_prompt_with_small_variations(
        db: duckdb.DuckDBPyConnection) -> None:
    total, distinct, transparent = one(db, """
        SELECT count(*), count(DISTINCT prompt),
               avg((prompt LIKE '%complete and transparent reasoning%')::INT)
        FROM x WHERE archetype = 'campaign_template_farm'""")
    assert transparent == 1 and distinct > 0.9 * total


def token_document_frequency(prompts: pa.Array) -> dict[str, int]:
    """How many prompts contain each lower-cased word token (vectorised with Arrow)."""
    tokens = pc.split_pattern_regex(pc.utf8_lower(prompts), r"[^\w]+")
    pairs = pa.table({"doc": pc.list_parent_indices(tokens), "tok": pc.list_flatten(tokens)})
    pairs = pairs.filter(pc.not_equal(pairs["tok"], "")).group_by(["tok", "doc"]).aggregate([])
    counts = pairs.group_by("tok").aggregate([("doc", "count")])
    return dict(zip(counts["tok"].to_pylist(), counts["doc_count"].to_pylist(), strict=True))


def test_no_single_word_gives_a_campaign_away(sim: Path) -> None:
    events = pq.read_table(sim / "events.parquet", columns=["account_id", "prompt"])
    events = events.join(pq.read_table(sim / "labels.parquet"), "account_id")
    campaign = pc.starts_with(events["archetype"], "campaign_")
    legit = events.filter(pc.invert(campaign))
    legit_df = token_document_frequency(legit["prompt"].combine_chunks())
    for archetype in sorted(set(events.filter(campaign)["archetype"].to_pylist())):
        prompts = events.filter(pc.equal(events["archetype"], archetype))["prompt"]
        campaign_df = token_document_frequency(prompts.combine_chunks())
        giveaways = [token for token, count in campaign_df.items()
                     if count >= 0.9 * len(prompts)
                     and legit_df.get(token, 0) < 0.01 * legit.num_rows]
        assert not giveaways, (archetype, giveaways)


def test_strong_evasion_removes_the_shared_infrastructure(tmp_path: Path) -> None:
    scenario = Scenario(accounts=300, hours=8, seed=3, evasion="strong",
                        campaigns=(CampaignSpec("campaign_reasoning", accounts=12),))
    simulate(scenario, tmp_path)
    con = duckdb.connect()
    accounts, cards, prefixes, agents, created = con.execute(f"""
        SELECT count(DISTINCT account_id), count(DISTINCT payment_fingerprint),
               count(DISTINCT regexp_extract(ip, '^(\\d+\\.\\d+\\.\\d+)\\.', 1)),
               count(DISTINCT user_agent), min(epoch_ms(account_created_at))
        FROM read_parquet('{tmp_path / 'events.parquet'}') e
        JOIN read_parquet('{tmp_path / 'labels.parquet'}') l USING (account_id)
        WHERE l.archetype = 'campaign_reasoning'""").fetchone() or ()
    assert accounts == cards == 12 and prefixes > 20 and agents > 3
    assert created < START_MS - 14 * 86_400_000  # aged accounts


# ---- scenario, templates, corpus ----------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=1, max_value=20_000))
def test_plan_splits_exactly_the_requested_accounts(accounts: int) -> None:
    groups = plan(Scenario(accounts=accounts))
    assert sum(group.accounts for group in groups) == accounts
    assert all(group.accounts > 0 for group in groups)
    assert sum(group.accounts for group in groups if group.campaign_id) <= accounts // 2


@pytest.mark.parametrize("make, match", [
    (lambda: Scenario(evasion="sneaky"), "evasion must be one of"),
    (lambda: Scenario(accounts=0), "accounts must be at least 1"),
    (lambda: Scenario.from_dict({"acounts": 5}), "unknown scenario setting 'acounts'"),
    (lambda: Scenario.from_dict({"campaigns": [{"archetype": "campaign_reasoning", "size": 3}]}),
     r"campaigns\[0\]: unknown setting 'size'"),
    (lambda: plan(Scenario(campaigns=(CampaignSpec("casual"),))), "not a campaign archetype"),
    (lambda: plan(Scenario(archetype_shares={"campaign_hydra": 1.0})),
     "not a legitimate archetype"),
])
def test_when_scenario_is_invalid_then_config_error_names_the_problem(
        make: Callable[[], object], match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        make()


def test_unknown_knob_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="has no knob 'speed'"):
        simulate(Scenario(accounts=20, hours=1, knobs={"casual": {"speed": 2}}), tmp_path)


def test_scenario_from_dict_reads_evasion_switches_and_campaigns() -> None:
    scenario = Scenario.from_dict({
        "accounts": 50, "start": "2026-03-01T00:00:00Z",
        "evasion": {"ip_rotation": 0.4, "distinct_payments": True},
        "campaigns": [{"archetype": "campaign_agentic", "accounts": 7}],
    })
    assert scenario.evasion_settings.ip_rotation == 0.4
    assert scenario.evasion_settings.distinct_payments
    assert [(g.archetype, g.accounts) for g in plan(scenario) if g.campaign_id] == [
        ("campaign_agentic", 7)]


@pytest.mark.parametrize("template, expected", [
    ("plain", ("plain",)),
    ("a {name} b", ("a ", Slot("name"), " b")),
    ("{int:2-9}x", (Slot("int", 2, 9), "x")),
    ("{{literal}} {x}", ("{literal} ", Slot("x"))),
    (r"regex \d{3}", (r"regex \d{3}",)),
])
def test_when_template_is_parsed_then_slots_and_literals_split(
        template: str, expected: tuple[object, ...]) -> None:
    assert parse_template(template) == expected


def test_every_template_slot_has_a_vocabulary_pool() -> None:
    renderer = TemplateRenderer(vocabulary())
    rng = np.random.default_rng(0)
    for name, capability in CAPABILITIES.items():
        for template in (*capability.openers, *capability.followups):
            # A slot without a pool raises KeyError here.
            rendered = renderer.render(template, rng, 3).to_pylist()
            assert all(text.strip() for text in rendered), (name, template)


def test_rendering_draws_slots_independently_per_event() -> None:
    renderer = TemplateRenderer({"w": ("a", "b", "c", "d")})
    values = renderer.render("{w}-{int:0-999}", np.random.default_rng(1), 500).to_pylist()
    assert len(set(values)) > 300 and all(re.fullmatch(r"[abcd]-\d+", v) for v in values)


def test_random_hex_ids_have_fixed_width() -> None:
    ids = random_hex(np.random.default_rng(0), 1000, 6, prefix="x_").to_pylist()
    assert all(re.fullmatch(r"x_[0-9a-f]{12}", i) for i in ids) and len(set(ids)) == 1000


def test_corpus_prompts_are_mixed_in_when_given(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "human").mkdir(parents=True)
    (corpus / "batch").mkdir()
    (corpus / "human" / "q.jsonl").write_text(
        "\n".join(json.dumps({"prompt": f"ZEBRA question number {k}"}) for k in range(30))
        + "\nnot json\n")
    (corpus / "batch" / "t0_job.jsonl").write_text(
        "\n".join(json.dumps({"prompt": f"Label this: QUOKKA {k}"}) for k in range(30)))
    bank = PromptBank.from_path(corpus)
    assert bank.corpus is not None and bank.corpus.batch_jobs() == ["batch/t0_job"]
    simulate(Scenario(accounts=150, hours=6, seed=2, corpus=corpus), tmp_path / "out")
    prompts = pq.read_table(tmp_path / "out" / "events.parquet", columns=["prompt"])["prompt"]
    assert pc.any(pc.match_substring(prompts, "ZEBRA question")).as_py()
    assert pc.any(pc.match_substring(prompts, "QUOKKA")).as_py()


def test_docs_describe_every_archetype_knob_and_evasion_switch() -> None:
    text = (Path(__file__).parents[1] / "docs" / "simulator.md").read_text("utf-8")
    for name, cls in ARCHETYPES.items():
        assert f"`{name}`" in text, name
        for knob in dataclasses.fields(cls):  # type: ignore[arg-type]
            assert f"`{knob.name}`" in text, (name, knob.name)
    for switch in dataclasses.fields(Evasion):
        assert f"`{switch.name}`" in text, switch.name
