"""Scenario families: deterministic draws that cover wide ranges, and the family suite."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from distillguard.cli import app
from distillguard.errors import ConfigError
from distillguard.evaluation.family_suite import (
    FamilySuiteResult,
    pool,
    remove_scratch,
    run_family_suite,
    scan_events,
)
from distillguard.simulate import ARCHETYPES, DEFAULT_CAMPAIGNS, simulate
from distillguard.simulate.families import (
    ALL_FAMILIES,
    FAMILIES,
    HELD_OUT,
    INDEPENDENT,
    TUNING,
    describe,
    family_names,
    family_scenario,
    roles,
    simulate_family,
)
from distillguard.simulate.lookalikes import Classroom
from distillguard.simulate.services import DataVendor

SEEDS = range(30)
LOOKALIKES = ("classroom", "hackathon", "cron_job", "coding_agent", "carrier_nat",
              "benchmark_rerun", "data_vendor", "short_batch", "declared_reseller", "power_user")


@pytest.fixture(scope="module")
def drawn() -> dict[str, list[dict[str, Any]]]:
    return {name: [describe(family_scenario(name, seed)) for seed in SEEDS] for name in FAMILIES}


def knob_values(draws: list[dict[str, Any]], archetype: str, knob: str) -> list[Any]:
    return [spec["knobs"][knob] for draw in draws for spec in draw["campaigns"] + draw["groups"]
            if spec["archetype"] == archetype and knob in spec["knobs"]]


def test_same_family_and_seed_draw_the_same_scenario_and_seeds_differ() -> None:
    for name in FAMILIES:
        assert describe(family_scenario(name, 3)) == describe(family_scenario(name, 3))
        assert describe(family_scenario(name, 3)) != describe(family_scenario(name, 4))


def test_every_lookalike_is_in_a_family_and_most_tactics_in_two(
        drawn: dict[str, list[dict[str, Any]]]) -> None:
    where: dict[str, set[str]] = {}
    for name, draws in drawn.items():
        for draw in draws:
            for spec in draw["groups"] + draw["campaigns"]:
                where.setdefault(spec["archetype"], set()).add(name)
    assert set(LOOKALIKES) <= set(where)
    classic = {spec.archetype for spec in DEFAULT_CAMPAIGNS}
    tactics = [name for name, cls in ARCHETYPES.items()
               if cls.campaign and name in where and name not in classic]
    assert len(tactics) >= 10 and where.keys() >= classic
    assert sum(len(where[t]) >= 2 for t in tactics) >= 0.75 * len(tactics)


def test_draws_cover_wide_ranges_across_seeds(drawn: dict[str, list[dict[str, Any]]]) -> None:
    everywhere = [d for draws in drawn.values() for d in draws]
    sizes = [spec["accounts"] for d in everywhere for spec in d["campaigns"]]
    assert min(sizes) <= 12 and max(sizes) >= 2000 and max(sizes) <= 5000
    hydra = [spec["accounts"] for d in drawn["hydra_networks"] for spec in d["campaigns"]
             if spec["archetype"] == "campaign_hydra_network"]
    assert max(hydra) > 10 * min(hydra)
    harvest = knob_values(everywhere, "campaign_consumer_mimicry", "harvest_share")
    assert min(harvest) < 0.2 and max(harvest) > 0.3 and all(0.1 <= h <= 0.4 for h in harvest)
    shares = [v for d in everywhere for spec in d["campaigns"]
              for k, v in spec["knobs"].items() if k == "harvest_share"]
    assert min(shares) < 0.2 and max(shares) > 0.95
    for knob in ("ip_mode", "client_mode", "schedule", "signup"):
        seen = set()
        for d in everywhere:
            seen |= {spec["knobs"][knob] for spec in d["campaigns"] if knob in spec["knobs"]}
        assert len(seen) >= 3, (knob, seen)
    hours = [d["hours"] for d in everywhere]
    assert min(hours) < 42 and max(hours) > 66


def test_scale_shrinks_sizes_and_explicit_hours_win() -> None:
    full = family_scenario("hydra_networks", 1)
    small = family_scenario("hydra_networks", 1, scale=0.05, hours=6)
    assert small.accounts < 0.15 * full.accounts and small.hours == 6
    assert small.customers and small.responses == "sized"


def test_roles_are_declared_in_one_place_and_can_be_overridden() -> None:
    default = roles()
    assert set(default.values()) == {TUNING, HELD_OUT}
    assert {name for name, role in default.items() if role == HELD_OUT} == {
        name for name, family in ALL_FAMILIES.items() if family.role == HELD_OUT}
    assert roles(["classic"]) == {name: HELD_OUT if name == "classic" else TUNING
                                  for name in ALL_FAMILIES}
    assert family_names("all") == list(ALL_FAMILIES) and family_names("none") == []
    with pytest.raises(ConfigError, match="unknown family 'nope'"):
        family_names("classic,nope")
    with pytest.raises(ConfigError, match="unknown family"):
        family_scenario("nope", 1)


def test_a_family_member_is_byte_identical_for_the_same_seed(tmp_path: Path) -> None:
    scenario = family_scenario("mimicry", 5, scale=0.03, hours=6)
    first = simulate(scenario, tmp_path / "a")
    simulate(family_scenario("mimicry", 5, scale=0.03, hours=6), tmp_path / "b")
    assert first.customers_path is not None and first.events > 0
    for name in ("events.parquet", "labels.parquet", "customers.parquet"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_knobs_have_the_documented_defaults_and_reject_bad_modes() -> None:
    assert Classroom().class_size == 30 and DataVendor().campaign is False
    from distillguard.simulate.base import build_archetype

    with pytest.raises(ConfigError, match="ip_mode must be one of"):
        build_archetype("campaign_hydra_network", {"ip_mode": "moon"})
    with pytest.raises(ConfigError, match="without an infrastructure_key"):
        build_archetype("campaign_hydra_network", {"ip_mode": "infrastructure"})


# ---- the family suite ----------------------------------------------------------------------


def test_scan_events_passes_the_customer_table_when_asked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import distillguard.scan as scan_module
    from distillguard.config import default_config

    seen: dict[str, Any] = {}

    def recording_scan(inputs: Any, out: Any, *, config: Any, write_report: bool,
                       customers: Path | None = None) -> Any:
        seen["customers"] = customers
        return SimpleNamespace(summary={"rows_quarantined": 3})

    table = tmp_path / "customers.parquet"
    monkeypatch.setattr(scan_module, "scan", recording_scan)
    outcome = scan_events(tmp_path, tmp_path, config=default_config(), customers=table)
    assert outcome.customers == "used" and outcome.rows_quarantined == 3
    assert seen["customers"] == table
    assert scan_events(tmp_path, tmp_path, config=default_config(),
                       customers=None).customers == "off"
    assert seen["customers"] is None


def test_pooling_sums_counts_before_dividing() -> None:
    def run(family: str, tp: int, fp: int, positives: int) -> dict[str, Any]:
        return {"family": family, "true_positives": tp, "false_positives": fp,
                "positives": positives, "legitimate": 100, "events": 10, "accounts": 5,
                "fpr_by_archetype": {"casual": {"accounts": 100, "flagged": fp, "fpr": 0}},
                "campaigns": [{"tactic": "t", "found": tp > 0, "accounts": positives,
                               "flagged": tp}],
                "campaigns_found": int(tp > 0), "campaigns_total": 1,
                "adjusted_rand_index": None, "metadata_only": None, "scan_seconds": 1.0,
                "simulation_seconds": 1.0}
    pooled = pool([run("a", 9, 1, 10), run("b", 0, 0, 90)])
    assert pooled is not None
    assert pooled["precision"] == 0.9 and pooled["recall"] == 0.09
    assert pooled["fpr_by_archetype"]["casual"]["fpr"] == 1 / 200
    assert pooled["campaigns_found"] == 1 and pooled["adjusted_rand_index"] is None
    assert pool([]) is None


def test_suite_md_warns_when_a_generator_wrote_invalid_events() -> None:
    def run(seed: int, quarantined: int) -> dict[str, Any]:
        return {"family": "tidewater", "role": HELD_OUT, "seed": seed, "events": 10,
                "accounts": 5, "precision": 1.0, "recall": 0.5, "true_positives": 1,
                "false_positives": 0, "positives": 2, "legitimate": 3,
                "fpr_by_archetype": {"casual": {"accounts": 3, "flagged": 0, "fpr": 0.0}},
                "worst_fpr": 0.0, "worst_fpr_archetype": "casual", "campaigns": [],
                "campaigns_found": 0, "campaigns_total": 1, "adjusted_rand_index": None,
                "metadata_only": None, "scan_seconds": 1.0, "simulation_seconds": 1.0,
                "customers": "used", "rows_quarantined": quarantined,
                "missing_from_scan": 1 if quarantined else 0}
    settings = {"families": ["tidewater"], "seeds": [1, 2], "scale": 1.0, "customers": True,
                "version": "0", "date": "2026-12-06", "tuning_families": [],
                "held_out_families": ["tidewater"]}
    clean = FamilySuiteResult(settings=settings, runs=[run(1, 0), run(2, 0)]).to_markdown()
    assert "Invalid traffic" not in clean
    text = FamilySuiteResult(settings=settings, runs=[run(1, 0), run(2, 1234)]).to_markdown()
    assert ("**Invalid traffic**: the scan quarantined rows of tidewater seed 2 (1,234 rows, "
            "1 labelled accounts missing from the scan)") in text


@pytest.mark.slow
def test_family_suite_at_a_tiny_scale_writes_held_out_and_tuning_results(tmp_path: Path) -> None:
    result = run_family_suite(tmp_path, families=["hydra_networks", "mimicry"], seeds=1,
                              first_seed=2, scale=0.03, hours=6)
    saved = json.loads((tmp_path / "suite.json").read_text())
    assert saved["settings"]["held_out_families"] == ["mimicry"]
    assert saved["settings"]["tuning_families"] == ["hydra_networks"]
    assert saved["held_out"]["families"] == ["mimicry"] and saved["tuning"]["runs"] == 1
    for run in saved["runs"]:
        assert run["campaigns"] and all(c["tactic"].startswith("campaign_")
                                        for c in run["campaigns"])
        assert run["metadata_only"] is not None and run["parameters"]["hours"] == 6
        assert run["worst_fpr_archetype"] in run["fpr_by_archetype"]
        assert run["rows_quarantined"] == 0 and run["missing_from_scan"] == 0
    text = (tmp_path / "suite.md").read_text()
    assert "## Held-out families, pooled" in text and "| mimicry | held_out | 2 |" in text
    assert result.to_markdown() == text
    sim = tmp_path / "mimicry" / "seed-2" / "sim"
    assert pq.read_table(sim / "customers.parquet").num_rows == saved["runs"][1]["accounts"]
    # Scored runs keep their traffic and results, not their workspaces (gigabytes at scale).
    for run_root in (tmp_path / "hydra_networks" / "seed-2", tmp_path / "mimicry" / "seed-2"):
        assert (run_root / "sim" / "events.parquet").is_file()
        assert not (run_root / "sim" / "events_metadata_only.parquet").exists()
        for scan_dir in (run_root / "scan", run_root / "scan_metadata_only"):
            assert (scan_dir / "accounts.parquet").is_file()
            assert (scan_dir / "campaigns.json").is_file()
            assert not list(scan_dir.glob("workspace.duckdb*"))


def test_remove_scratch_removes_only_the_workspaces_and_the_metadata_only_copy(
        tmp_path: Path) -> None:
    kept = [tmp_path / "sim" / "events.parquet", tmp_path / "sim" / "labels.parquet",
            tmp_path / "scan" / "accounts.parquet", tmp_path / "scan" / "campaigns.json"]
    scratch = [tmp_path / "sim" / "events_metadata_only.parquet",
               tmp_path / "scan" / "workspace.duckdb",
               tmp_path / "scan" / "workspace.duckdb.wal",
               tmp_path / "scan" / "workspace.duckdb.events" / "a-run1.parquet",
               tmp_path / "scan_metadata_only" / "workspace.duckdb"]
    for path in kept + scratch:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    removed = remove_scratch(tmp_path)
    assert sorted(removed) == sorted([*scratch[:3], scratch[3].parent, scratch[4]])
    assert all(path.is_file() for path in kept)
    assert not any(path.exists() for path in scratch)
    assert remove_scratch(tmp_path) == []


def test_cli_runs_families_and_simulates_one(tmp_path: Path) -> None:
    runner = CliRunner()
    bad = runner.invoke(app, ["eval", "--suite", "--families", "nope", "--suite-out",
                              str(tmp_path / "s")])
    assert bad.exit_code == 2 and "unknown family 'nope'" in bad.output
    done = runner.invoke(app, ["simulate", "--family", "education", "--seed", "4", "--scale",
                               "0.03", "--hours", "4", "--out", str(tmp_path / "sim")])
    assert done.exit_code == 0, done.output
    assert (tmp_path / "sim" / "customers.parquet").exists()
    plain = runner.invoke(app, ["simulate", "--accounts", "40", "--hours", "2", "--customers",
                                "--out", str(tmp_path / "plain")])
    assert plain.exit_code == 0, plain.output
    assert pq.read_table(tmp_path / "plain" / "customers.parquet").num_rows == 40


# ---- the independent family -----------------------------------------------------------------


def test_meridian_is_an_independent_held_out_family_in_all() -> None:
    assert list(INDEPENDENT) == ["meridian", "tidewater", "saltmarsh", "fenland", "harrow",
                                 "ironbridge", "kestrel", "larkspur", "nightjar", "osprey",
                                 "plover"]
    assert "meridian" not in FAMILIES
    assert "tidewater" not in FAMILIES and "saltmarsh" not in FAMILIES
    assert list(ALL_FAMILIES) == [*FAMILIES, "meridian", "tidewater", "saltmarsh", "fenland",
                                  "harrow", "ironbridge", "kestrel", "larkspur", "nightjar",
                                  "osprey", "plover"]
    assert roles()["tidewater"] == HELD_OUT and roles()["saltmarsh"] == HELD_OUT
    assert roles()["fenland"] == HELD_OUT and "fenland" not in FAMILIES
    assert roles()["harrow"] == HELD_OUT and "harrow" not in FAMILIES
    assert roles()["ironbridge"] == HELD_OUT and "ironbridge" not in FAMILIES
    assert roles()["kestrel"] == HELD_OUT and "kestrel" not in FAMILIES
    assert roles()["larkspur"] == HELD_OUT and "larkspur" not in FAMILIES
    assert roles()["nightjar"] == HELD_OUT and "nightjar" not in FAMILIES
    assert roles()["osprey"] == HELD_OUT and "osprey" not in FAMILIES
    assert roles()["plover"] == HELD_OUT and "plover" not in FAMILIES
    assert roles()["meridian"] == HELD_OUT and "meridian" in family_names("all")
    assert family_names("classic, meridian") == ["classic", "meridian"]
    with pytest.raises(ConfigError, match="'meridian' has no scenario"):
        family_scenario("meridian", 1)
    with pytest.raises(ConfigError, match="own window"):
        simulate_family("meridian", 1, "unused", hours=5)


def test_simulate_family_runs_meridian_s_own_generator(tmp_path: Path) -> None:
    result, parameters = simulate_family("meridian", 1, tmp_path, scale=0.05)
    assert parameters == {"generator": "distillguard.simulate.independent.meridian.generate",
                          "seed": 1, "scale": 0.05}
    assert pq.read_metadata(result.events_path).num_rows == result.events > 0
    assert pq.read_table(result.labels_path).num_rows == result.accounts > 0
    assert result.customers_path is not None and result.customers_path.exists()
    assert result.campaigns > 0


@pytest.mark.slow
def test_eval_suite_runs_meridian_like_the_other_families(tmp_path: Path) -> None:
    runner = CliRunner()
    bad = runner.invoke(app, ["simulate", "--family", "meridian", "--hours", "3", "--out",
                              str(tmp_path / "x")])
    assert bad.exit_code == 2 and "--seed, --scale and --corpus only" in bad.output
    out = tmp_path / "suite"
    done = runner.invoke(app, ["eval", "--suite", "--families", "meridian", "--seeds", "1",
                               "--seed", "1", "--scale", "0.05", "--no-metadata-only",
                               "--suite-out", str(out), "--json"])
    assert done.exit_code == 0, done.output
    saved = json.loads((out / "suite.json").read_text())
    assert saved["settings"]["held_out_families"] == ["meridian"]
    assert saved["held_out"]["families"] == ["meridian"] and saved["tuning"] is None
    (run,) = saved["runs"]
    assert (run["family"], run["role"], run["seed"]) == ("meridian", HELD_OUT, 1)
    assert run["parameters"]["generator"].endswith("meridian.generate")
    assert run["campaigns_total"] > 0 and run["customers"] == "used"
    sim = out / "meridian" / "seed-1" / "sim"
    assert pq.read_table(sim / "customers.parquet").num_rows > 0
    assert (out / "meridian" / "seed-1" / "scan" / "accounts.parquet").exists()
    assert "| meridian | held_out | 1 |" in (out / "suite.md").read_text()
