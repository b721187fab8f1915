"""Scenario families: named generators of scenarios whose every tactic and look-alike is
sampled per seed from wide ranges, so that an evaluation cannot be tuned to one mix.

A family has a theme, its own background population of ordinary users, its legitimate
look-alikes and its campaigns. ``family_scenario(name, seed)`` draws one member:
window length and start, release time, background size and mix, and for each look-alike
and campaign its size and knobs (campaign sizes from 10 to 5,000 accounts, account ages
from minutes to months, client mimicry, IP stickiness, harvesting share 10–100 %,
rates, sign-up and scheduling patterns). The same ``(name, seed, scale)`` always gives
the same scenario. Each family's ``role`` says whether it may tune the detector or is
held out; ``docs/simulator.md`` lists every range.

An *independent* family (:data:`INDEPENDENT`) has no scenario here: its generator was
written apart, by someone who had not read the detection code, and writes
``events.parquet``, ``labels.parquet`` and ``customers.parquet`` itself from a seed and a
scale (``meridian``: :mod:`distillguard.simulate.independent`). :func:`simulate_family`
simulates a member of either kind; :data:`ALL_FAMILIES` lists both.
"""

from __future__ import annotations

import importlib
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np

from distillguard.errors import ConfigError
from distillguard.simulate.engine import (
    CUSTOMERS_FILE,
    EVENTS_FILE,
    LABELS_FILE,
    SimulationResult,
    simulate,
)
from distillguard.simulate.scenario import (
    DEFAULT_ARCHETYPE_SHARES,
    CampaignSpec,
    Evasion,
    GroupSpec,
    Scenario,
)

#: Which families the detector may be tuned on and which are held out (reported apart).
TUNING = "tuning"
HELD_OUT = "held_out"


class Draw:
    """Sampling helpers over one random stream; ``scale`` shrinks sizes and volumes."""

    def __init__(self, rng: np.random.Generator, scale: float = 1.0) -> None:
        self.rng = rng
        self.scale = scale

    def uniform(self, low: float, high: float) -> float:
        return float(self.rng.uniform(low, high))

    def log_uniform(self, low: float, high: float) -> float:
        return float(np.exp(self.rng.uniform(np.log(low), np.log(max(high, low)))))

    def integer(self, low: int, high: int) -> int:
        """An integer in ``[low, high]`` (both included)."""
        return int(self.rng.integers(low, high + 1))

    def chance(self, p: float) -> bool:
        return bool(self.rng.random() < p)

    def choice(self, options: Sequence[Any]) -> Any:
        return options[int(self.rng.integers(0, len(options)))]

    def span(self, low: tuple[float, float], width: tuple[float, float]) -> tuple[float, float]:
        """A range: its start from ``low``, its width from ``width``."""
        start = self.uniform(*low)
        return (round(start, 3), round(start + self.uniform(*width), 3))

    def size(self, low: float, high: float, minimum: int = 1) -> int:
        """An account count, log-uniform, times ``scale`` (at least ``minimum``)."""
        return max(minimum, round(self.log_uniform(low, high) * self.scale))

    def volume(self, low: float, high: float) -> tuple[float, float]:
        """A per-account request range around a log-uniform draw, times ``scale``."""
        middle = self.log_uniform(low, high) * max(self.scale, 0.02)
        return (round(max(1.0, middle * 0.6), 1), round(max(2.0, middle * 1.4), 1))


@dataclass
class Members:
    """What a family builder returns: background, look-alikes, campaigns."""

    background: int
    shares: dict[str, float]
    groups: list[GroupSpec] = field(default_factory=list)
    campaigns: list[CampaignSpec] = field(default_factory=list)
    knobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    evasion: Evasion | str = "none"


@dataclass(frozen=True)
class Family:
    name: str
    description: str
    role: str
    build: Callable[[Draw, float], Members]


# ---- tactics: each a region of the operator's space -------------------------------------------


def _free(d: Draw, **fixed: Any) -> dict[str, Any]:
    """Operator knobs sampled over their full ranges, then the tactic's ``fixed`` ones."""
    knobs: dict[str, Any] = {
        "signup": d.choice(["burst", "burst", "spread", "aged"]),
        "burst_size": d.integer(10, 300), "burst_minutes": round(d.uniform(2, 60), 1),
        "signup_lead_hours": d.span((0.5, 24.0), (24.0, 500.0)),
        "age_days": d.span((20.0, 60.0), (60.0, 700.0)),
        "email_mode": d.choice(["farm", "personal"]),
        "card_share": round(d.uniform(0.0, 1.0), 2),
        "accounts_per_card": round(d.log_uniform(1.0, 20.0), 1),
        "ip_mode": d.choice(["server", "datacenter", "sticky_home", "own_datacenter",
                             "fresh_residential"]),
        "ip_pool": d.integer(1, 12),
        "client_mode": d.choice(["uncommon_shared", "sdk_shared", "varied_sdk", "browser"]),
        "client_stacks": d.integer(1, 3),
        "schedule": d.choice(["uniform", "diurnal", "waves", "lockstep", "batches"]),
        "lockstep_jitter_ms": round(d.log_uniform(1.0, 200.0), 1),
        "accounts_per_tick": (d.integer(2, 5), d.integer(5, 20)),
        "batch_size": (d.integer(2, 5), d.integer(5, 20)),
        "batch_every_hours": d.span((1.0, 6.0), (1.0, 12.0)),
        "shared_batches": d.chance(0.5),
        "harvest_share": round(d.uniform(0.1, 1.0), 2),
        "replay_share": round(d.uniform(0.0, 1.0), 2),
        "elicitation_share": round(d.uniform(0.0, 0.8), 2),
        "foreign_share": round(d.uniform(0.0, 0.5), 2),
        "paraphrase_share": round(d.uniform(0.0, 0.8), 2),
        "completion_median": round(d.uniform(800.0, 3000.0)),
        "max_tokens": d.choice([(4096, 8192), (8192, 16384), (8192, 16384, 32000), (32000,)]),
        "new_model_final_share": round(d.uniform(0.0, 0.95), 2),
        "new_model_ramp_hours": round(d.log_uniform(1.0, 48.0), 1),
        "post_release_boost": round(d.uniform(1.0, 3.0), 2),
    }
    knobs.update(fixed)
    return knobs


def _budget(d: Draw, size: int, low: float, high: float, per_account: tuple[float, float]
            ) -> tuple[float, float]:
    """Per-account requests from a campaign total, kept inside ``per_account``."""
    total = d.log_uniform(3000.0, 40000.0) * d.scale
    middle = min(max(total / max(size, 1), per_account[0]), per_account[1])
    return (round(max(low, middle * 0.6), 1), round(max(low + 1, min(high, middle * 1.4)), 1))


def hydra(d: Draw, size: tuple[float, float] = (100.0, 5000.0)) -> CampaignSpec:
    accounts = d.size(*size, minimum=10)
    start = d.uniform(10.0, 20.0)
    knobs = _free(d, signup="burst", burst_size=d.integer(50, 200),
                  burst_minutes=round(d.uniform(3, 30), 1),
                  active_hours=d.span((1.0, 6.0), (2.0, 24.0)),
                  requests_per_account=(round(start, 1), round(start + d.uniform(10, 30), 1)),
                  email_mode="farm", card_share=round(d.uniform(0.0, 0.5), 2),
                  ip_mode=d.choice(["fresh_residential"] * 3 + ["datacenter"]),
                  client_mode=d.choice(["uncommon_shared"] * 3 + ["sdk_shared"]),
                  schedule=d.choice(["uniform", "waves"]),
                  harvest_share=round(d.uniform(0.5, 1.0), 2),
                  replay_share=round(d.uniform(0.5, 1.0), 2),
                  new_model_final_share=round(d.uniform(0.4, 0.95), 2),
                  new_model_ramp_hours=round(d.log_uniform(1.0, 24.0), 1))
    return CampaignSpec("campaign_hydra_network", accounts=accounts, knobs=knobs)


def replay(d: Draw, size: tuple[float, float] = (10.0, 120.0)) -> CampaignSpec:
    accounts = d.size(*size, minimum=5)
    knobs = _free(d, signup="burst", burst_size=10_000, burst_minutes=round(d.uniform(10, 60), 1),
                  signup_lead_hours=d.span((0.5, 12.0), (1.0, 72.0)),
                  email_mode="personal", ip_mode=d.choice(["sticky_home", "own_datacenter"]),
                  client_mode="browser", schedule="lockstep",
                  lockstep_jitter_ms=round(d.log_uniform(1.0, 50.0), 1),
                  requests_per_account=_budget(d, accounts, 20, 2000, (30.0, 800.0)),
                  harvest_share=round(d.uniform(0.6, 1.0), 2), replay_share=1.0,
                  mean_turns=round(d.uniform(2.0, 6.0), 1),
                  turn_gap_s=round(d.uniform(10, 90), 1),
                  elicitation_share=round(d.uniform(0.0, 0.3), 2), system_prompt_share=0.0)
    return CampaignSpec("campaign_replay_network", accounts=accounts, knobs=knobs)


def mimicry(d: Draw, size: tuple[float, float] = (50.0, 1000.0)) -> CampaignSpec:
    accounts = d.size(*size, minimum=5)
    knobs = _free(d, signup="aged", email_mode="personal", ip_mode="sticky_home",
                  client_mode="browser", schedule="diurnal", claimed_countries=(),
                  accounts_per_card=1.0, card_share=round(d.uniform(0.3, 0.9), 2),
                  requests_per_account=_budget(d, accounts, 20, 600, (30.0, 400.0)),
                  harvest_share=round(d.uniform(0.1, 0.4), 2), system_prompt_share=0.0)
    return CampaignSpec("campaign_consumer_mimicry", accounts=accounts, knobs=knobs)


def routed(d: Draw, key: str, size: tuple[float, float] = (1.0, 60.0)) -> CampaignSpec:
    accounts = d.size(*size, minimum=1)
    knobs = _free(d, signup="spread", signup_lead_hours=d.span((24.0, 200.0), (100.0, 3000.0)),
                  email_mode="infrastructure", ip_mode="infrastructure",
                  client_mode="infrastructure", infrastructure_key=key, card_share=0.0,
                  access_paths={"reseller": 1.0}, schedule=d.choice(["uniform", "diurnal"]),
                  requests_per_account=_budget(d, accounts, 50, 8000, (100.0, 5000.0)),
                  harvest_share=round(d.uniform(0.1, 0.9), 2), system_prompt_share=0.0)
    return CampaignSpec("campaign_reseller_routed", accounts=accounts, knobs=knobs)


def low_slow(d: Draw, size: tuple[float, float] = (20.0, 400.0)) -> CampaignSpec:
    accounts = d.size(*size, minimum=5)
    knobs = _free(d, signup=d.choice(["spread", "aged"]), schedule="batches",
                  ip_mode=d.choice(["sticky_home", "datacenter", "own_datacenter"]),
                  client_mode=d.choice(["varied_sdk", "browser", "sdk_shared"]),
                  requests_per_account=_budget(d, accounts, 5, 150, (10.0, 100.0)),
                  harvest_share=round(d.uniform(0.6, 1.0), 2))
    return CampaignSpec("campaign_low_slow", accounts=accounts, knobs=knobs)


def pivot(d: Draw, size: tuple[float, float] = (20.0, 600.0)) -> CampaignSpec:
    accounts = d.size(*size, minimum=5)
    knobs = _free(d, schedule=d.choice(["waves", "uniform", "lockstep"]),
                  requests_per_account=_budget(d, accounts, 20, 2000, (30.0, 800.0)),
                  harvest_share=round(d.uniform(0.6, 1.0), 2),
                  harvest_topics={"agentic": 0.4, "coding": 0.4, "trace_reconstruction": 0.1,
                                  "data_analysis": 0.1},
                  mean_turns=round(d.uniform(2.0, 8.0), 1), turn_gap_s=round(d.uniform(2, 20), 1),
                  new_model_final_share=round(d.uniform(0.5, 1.0), 2),
                  new_model_ramp_hours=round(d.uniform(0.5, 24.0), 1),
                  post_release_boost=round(d.uniform(1.5, 4.0), 2))
    return CampaignSpec("campaign_model_pivot", accounts=accounts, knobs=knobs)


def cot(d: Draw, size: tuple[float, float] = (10.0, 300.0)) -> CampaignSpec:
    accounts = d.size(*size, minimum=5)
    knobs = _free(d, requests_per_account=_budget(d, accounts, 20, 3000, (50.0, 1500.0)),
                  accounts_per_card=round(d.log_uniform(3.0, 20.0), 1),
                  card_share=round(d.uniform(0.6, 1.0), 2),
                  harvest_share=round(d.uniform(0.5, 1.0), 2),
                  elicitation_share=round(d.uniform(0.4, 0.9), 2),
                  foreign_share=round(d.uniform(0.1, 0.5), 2))
    return CampaignSpec("campaign_cot_harvest", accounts=accounts, knobs=knobs)


def agentic(d: Draw, size: tuple[float, float] = (20.0, 400.0)) -> CampaignSpec:
    accounts = d.size(*size, minimum=5)
    knobs = _free(d, requests_per_account=_budget(d, accounts, 20, 2500, (50.0, 1200.0)),
                  accounts_per_org=round(d.uniform(1.0, 6.0), 1),
                  harvest_share=round(d.uniform(0.5, 1.0), 2),
                  mean_turns=round(d.uniform(3.0, 10.0), 1), turn_gap_s=round(d.uniform(2, 15), 1))
    return CampaignSpec("campaign_agentic_harvest", accounts=accounts, knobs=knobs)


def transparent(d: Draw, size: tuple[float, float] = (5.0, 60.0)) -> CampaignSpec:
    accounts = d.size(*size, minimum=3)
    knobs = _free(d, requests_per_account=_budget(d, accounts, 50, 5000, (200.0, 3000.0)),
                  schedule=d.choice(["uniform", "waves", "lockstep"]),
                  harvest_share=round(d.uniform(0.7, 1.0), 2), elicitation_share=0.0,
                  max_tokens=(8192,))
    return CampaignSpec("campaign_transparent_template", accounts=accounts, knobs=knobs)


def pathway(d: Draw, path: str = "education",
            size: tuple[float, float] = (20.0, 300.0)) -> CampaignSpec:
    accounts = d.size(*size, minimum=5)
    knobs = _free(d, signup="burst", burst_size=d.integer(20, 80),
                  burst_minutes=round(d.uniform(10, 60), 1), email_mode="edu", card_share=0.0,
                  access_paths={path: 1.0}, programme_verified=round(d.uniform(0.0, 0.4), 2),
                  ip_mode=d.choice(["datacenter", "sticky_home", "server"]),
                  client_mode=d.choice(["browser", "varied_sdk"]),
                  requests_per_account=_budget(d, accounts, 20, 1500, (30.0, 600.0)),
                  harvest_share=round(d.uniform(0.5, 1.0), 2))
    return CampaignSpec("campaign_edu_pathway", accounts=accounts, knobs=knobs)


# ---- look-alikes -----------------------------------------------------------------------------


def classrooms(d: Draw) -> GroupSpec:
    size = d.integer(15, 60)
    classes = max(1, round(d.integer(2, 10) * min(1.0, d.scale * 2)))
    return GroupSpec("classroom", accounts=classes * size, knobs={
        "class_size": size, "signup_minutes": round(d.uniform(5, 60), 1),
        "signup_in_window_share": round(d.uniform(0.3, 1.0), 2),
        "lessons": (1, d.integer(1, 4)), "lesson_minutes": round(d.uniform(40, 90)),
        "requests_per_lesson": (d.integer(2, 5), d.integer(6, 20)),
        "homework_prompts": (d.integer(1, 3), d.integer(3, 8)),
        "chromebook_share": round(d.uniform(0.0, 1.0), 2),
        "evening_per_day": round(d.uniform(1.0, 6.0), 1),
        "programme_share": round(d.uniform(0.3, 1.0), 2)})


def hackathon(d: Draw, hours: float) -> GroupSpec:
    return GroupSpec("hackathon", accounts=d.size(100, 800, minimum=5), knobs={
        "signup_minutes": round(d.uniform(20, 60), 1),
        "kickoff_hours": round(d.uniform(0.05, 0.5) * hours, 2),
        "event_hours": d.span((18.0, 24.0), (4.0, 24.0)),
        "venue_addresses": d.integer(1, 8), "venue_share": round(d.uniform(0.6, 0.95), 2),
        "per_hour_median": round(d.uniform(2.0, 8.0), 1),
        "starter_kit_share": round(d.uniform(0.3, 0.9), 2)})


def carrier_nat(d: Draw) -> GroupSpec:
    return GroupSpec("carrier_nat", accounts=d.size(300, 3000, minimum=5), knobs={
        "nat_addresses": d.integer(4, 40), "per_day_median": round(d.uniform(3.0, 10.0), 1),
        "mobile_share": round(d.uniform(0.6, 0.95), 2)})


def power_users(d: Draw) -> GroupSpec:
    return GroupSpec("power_user", accounts=d.size(30, 300), knobs={
        "per_day_median": round(d.uniform(30.0, 120.0), 1),
        "step_phrase_share": round(d.uniform(0.05, 0.3), 2)})


def cron_jobs(d: Draw) -> GroupSpec:
    return GroupSpec("cron_job", accounts=d.size(50, 400, minimum=3), knobs={
        "items_per_run": (1, d.integer(2, 12)),
        "on_the_hour_share": round(d.uniform(0.5, 0.9), 2),
        "scheduler_delay_ms": (round(d.uniform(1, 20), 1), round(d.uniform(50, 3000), 1)),
        "bot_share": round(d.uniform(0.2, 0.7), 2),
        "serverless_share": round(d.uniform(0.1, 0.5), 2),
        "completion_median": round(d.uniform(150, 600))})


def short_batches(d: Draw) -> GroupSpec:
    return GroupSpec("short_batch", accounts=d.size(3, 20, minimum=1), knobs={
        "requests_per_job": d.volume(1000, 10000),
        "output_tokens": (1, d.integer(10, 40)),
        "max_tokens_options": d.choice([(64,), (16, 32, 64), (32, 64, 100), (64, 128)]),
        "shared_template_share": round(d.uniform(0.2, 0.7), 2),
        "requests_per_second": d.span((1.0, 5.0), (2.0, 25.0)),
        "jobs_per_company": d.integer(1, 4),
        "shared_range_share": round(d.uniform(0.1, 0.6), 2)})


def coding_agents(d: Draw) -> GroupSpec:
    return GroupSpec("coding_agent", accounts=d.size(40, 300, minimum=3), knobs={
        "ci_share": round(d.uniform(0.2, 0.6), 2),
        "sessions_per_day": round(d.uniform(4.0, 15.0), 1),
        "ci_runs_per_day": round(d.uniform(4.0, 24.0), 1),
        "mean_steps": round(d.uniform(5.0, 20.0), 1),
        "step_gap_s": round(d.uniform(2.0, 12.0), 1),
        "completion_median": round(d.uniform(250, 900))})


def benchmark_reruns(d: Draw) -> GroupSpec:
    fewest = d.integer(50, 200)
    most = max(fewest, round(d.integer(300, 1500) * min(1.0, d.scale * 4)))
    return GroupSpec("benchmark_rerun", accounts=d.size(4, 30, minimum=1), knobs={
        "lab_size": d.integer(1, 4), "items_per_run": (fewest, most),
        "runs_before_release": (0, d.integer(0, 2)),
        "hours_after_release": d.span((0.2, 1.0), (0.5, 7.0)),
        "reruns_after_release": (1, d.integer(1, 3)),
        "requests_per_second": d.span((0.5, 3.0), (1.0, 8.0)),
        "cot_share": round(d.uniform(0.5, 0.9), 2)})


def data_vendor(d: Draw) -> GroupSpec:
    return GroupSpec("data_vendor", accounts=d.integer(1, 6), knobs={
        "requests_per_account": d.volume(800, 6000),
        "completion_median": round(d.uniform(1200, 3500)),
        "schedule": d.choice(["uniform", "waves"]),
        "elicitation_share": round(d.uniform(0.0, 0.6), 2),
        "new_model_final_share": round(d.uniform(0.3, 0.95), 2)})


def declared_reseller(d: Draw, key: str) -> GroupSpec:
    return GroupSpec("declared_reseller", accounts=d.integer(1, 3), knobs={
        "infrastructure_key": key, "requests_per_account": d.volume(1500, 10000)})


def background(d: Draw, extra: Mapping[str, float] | None = None) -> tuple[
        dict[str, float], dict[str, dict[str, Any]]]:
    """Ordinary users: shares and knobs of the background archetypes."""
    shares = {"casual": d.uniform(0.75, 0.9), "developer": d.uniform(0.015, 0.04),
              "company_team": d.uniform(0.01, 0.03), "nat_university": d.uniform(0.0, 0.06),
              **(extra or {})}
    knobs: dict[str, dict[str, Any]] = {"casual": {"per_day_median": round(d.uniform(5.0, 12.0), 1),
                        "account_age_median_days": round(d.log_uniform(60, 600))},
             "developer": {"per_day_median": round(d.uniform(60.0, 200.0))},
             "company_team": {"per_day_median": round(d.uniform(60.0, 150.0))}}
    return shares, knobs


def _background_size(d: Draw) -> int:
    return d.size(1500, 3500, minimum=20)


# ---- the families ----------------------------------------------------------------------------


def _classic(d: Draw, hours: float) -> Members:
    del hours
    shares = {name: share * d.uniform(0.5, 2.0) for name, share in
              DEFAULT_ARCHETYPE_SHARES.items()}
    evasion = Evasion(
        ip_rotation=round(d.uniform(0, 1), 2), rate_scale=round(d.uniform(0.2, 1.0), 2),
        paraphrase=round(d.uniform(0, 1), 2), camouflage=round(d.uniform(0, 0.6), 2),
        timing_jitter=round(d.uniform(0, 1), 2), distinct_payments=d.chance(0.4),
        aged_accounts=d.chance(0.4), elicitation=round(d.uniform(0.2, 1.0), 2),
        mimic_clients=d.chance(0.5))
    campaigns = [
        CampaignSpec(name, accounts=d.size(low, high, minimum=4), knobs={
            "per_account_per_day": round(base * d.uniform(0.3, 1.5)),
            "accounts_per_card": round(d.log_uniform(1.5, 20.0), 1),
            "signup_bursts": d.integer(1, 15),
            "elicitation_share": round(d.uniform(0.2, 0.9), 2),
            "new_model_final_share": round(d.uniform(0.1, 0.9), 2)})
        for name, base, low, high in (("campaign_reasoning", 300, 10, 150),
                                      ("campaign_agentic", 250, 10, 200),
                                      ("campaign_hydra", 40, 20, 400),
                                      ("campaign_template_farm", 600, 4, 40))]
    return Members(background=d.size(2000, 4000, minimum=20), shares=shares,
                   campaigns=campaigns, evasion=evasion)


def _hydra_networks(d: Draw, hours: float) -> Members:
    del hours
    shares, knobs = background(d, {"power_user": d.uniform(0.0, 0.03)})
    return Members(
        background=_background_size(d), shares=shares, knobs=knobs,
        groups=[carrier_nat(d), declared_reseller(d, "reseller-1"),
                declared_reseller(d, "reseller-2"), cron_jobs(d), short_batches(d),
                benchmark_reruns(d)],
        campaigns=[hydra(d), replay(d), routed(d, "reseller-1"), pivot(d, (10.0, 150.0))])


def _education(d: Draw, hours: float) -> Members:
    shares, knobs = background(d, {"nat_university": d.uniform(0.04, 0.12)})
    return Members(
        background=_background_size(d), shares=shares, knobs=knobs,
        groups=[classrooms(d), hackathon(d, hours), power_users(d)],
        campaigns=[pathway(d), cot(d, (10.0, 200.0)), replay(d, (10.0, 80.0)),
                   mimicry(d, (20.0, 300.0))])


def _automation(d: Draw, hours: float) -> Members:
    del hours
    shares, knobs = background(d, {"enterprise_batch": d.uniform(0.001, 0.005)})
    return Members(
        background=_background_size(d), shares=shares, knobs=knobs,
        groups=[cron_jobs(d), short_batches(d), coding_agents(d), data_vendor(d)],
        campaigns=[agentic(d), transparent(d), low_slow(d)])


def _research(d: Draw, hours: float) -> Members:
    del hours
    shares, knobs = background(d, {"power_user": d.uniform(0.01, 0.04),
                                   "benchmark_runner": d.uniform(0.001, 0.004)})
    return Members(
        background=_background_size(d), shares=shares, knobs=knobs,
        groups=[benchmark_reruns(d), data_vendor(d), data_vendor(d), coding_agents(d)],
        campaigns=[pivot(d), cot(d), agentic(d, (20.0, 200.0)), hydra(d, (50.0, 500.0)),
                   pathway(d, "research", (10.0, 100.0))])


def _mimicry(d: Draw, hours: float) -> Members:
    del hours
    shares, knobs = background(d, {"power_user": d.uniform(0.02, 0.08)})
    return Members(
        background=_background_size(d), shares=shares, knobs=knobs,
        groups=[carrier_nat(d), power_users(d), declared_reseller(d, "reseller-1"),
                declared_reseller(d, "reseller-2")],
        campaigns=[mimicry(d), routed(d, d.choice(["reseller-1", "reseller-2"])), low_slow(d)])


FAMILIES: Mapping[str, Family] = MappingProxyType({family.name: family for family in (
    Family("classic", "today's archetypes and campaigns with sampled sizes, knobs and evasion",
           TUNING, _classic),
    Family("hydra_networks", "reseller hydras, replay networks, reseller-routed harvest and a "
           "model pivot, beside carrier NAT, declared resellers, cron, short batches and "
           "benchmark re-runs", TUNING, _hydra_networks),
    Family("automation", "agentic harvest, the transparent-reasoning template and low-and-slow "
           "batches, beside cron at :00, short-output batches, coding agents and a contracted "
           "data vendor", TUNING, _automation),
    Family("education", "an education-pathway campaign, chain-of-thought harvest, a replay "
           "network and consumer mimicry, beside classrooms, a hackathon and power users",
           HELD_OUT, _education),
    Family("research", "a model pivot, chain-of-thought and agentic harvest, a small hydra and "
           "a research-pathway campaign, beside benchmark re-runs, data vendors and coding "
           "agents", HELD_OUT, _research),
    Family("mimicry", "consumer mimicry, reseller-routed harvest and low-and-slow batches, "
           "beside carrier NAT, power users and declared resellers", HELD_OUT, _mimicry),
)})


@dataclass(frozen=True)
class IndependentFamily:
    """A family whose generator was written apart from this simulator and the detector.

    It writes ``events.parquet`` (contract 1), ``labels.parquet`` (contract 3) and
    ``customers.parquet`` itself; its window and population are its own (``seed`` and
    ``scale`` only), so no scenario is drawn and ``hours`` does not apply.
    """

    name: str
    description: str
    role: str
    #: The generator's public function (``module.function``), as reports name it.
    generator: str

    def generate(self, out_dir: Path, *, seed: int, scale: float,
                 corpus: Path | None) -> Mapping[str, Any]:
        """Write one member into ``out_dir``; its counts (``events``, ``accounts``,
        ``campaigns``). The generator's module is imported only here."""
        module, function = self.generator.rsplit(".", 1)
        generate: Callable[..., Mapping[str, Any]] = getattr(
            importlib.import_module(module), function)
        return generate(out_dir, seed=seed, scale=scale, corpus=corpus)


_INDEPENDENT_PACKAGE = "distillguard.simulate.independent"
INDEPENDENT: Mapping[str, IndependentFamily] = MappingProxyType({family.name: family for family in (
    IndependentFamily("meridian", "Meridian, a 72-hour scenario written by someone who had not "
                      "read the detection code (simulate/independent/MERIDIAN.md)", HELD_OUT,
                      f"{_INDEPENDENT_PACKAGE}.meridian.generate"),
    IndependentFamily("tidewater", "Tidewater, a 96-hour scenario with a mid-window model "
                      "release, written by someone who had read neither the detection code nor "
                      "meridian (simulate/independent/TIDEWATER.md)", HELD_OUT,
                      f"{_INDEPENDENT_PACKAGE}.tidewater.generate"),
    IndependentFamily("saltmarsh", "Saltmarsh, a five-day scenario with a mid-window model "
                      "release, written by someone who had read neither the detection code nor "
                      "the other independent families (simulate/independent/SALTMARSH.md)",
                      HELD_OUT, f"{_INDEPENDENT_PACKAGE}.saltmarsh.generate"),
    IndependentFamily("fenland", "Fenland, a six-day scenario with a mid-window model release, "
                      "written by someone who had read neither the detection code nor the other "
                      "independent families (simulate/independent/FENLAND.md)", HELD_OUT,
                      f"{_INDEPENDENT_PACKAGE}.fenland.generate"),
    IndependentFamily("harrow", "Harrow, a seven-day scenario with a mid-window model release, "
                      "written by someone who had read neither the detection code nor the other "
                      "independent families (simulate/independent/HARROW.md)", HELD_OUT,
                      f"{_INDEPENDENT_PACKAGE}.harrow.generate"),
    IndependentFamily("ironbridge", "Ironbridge, a twelve-day scenario with a model release "
                      "on day nine, written by someone who had read neither the detection code nor "
                      "the other independent families (simulate/independent/IRONBRIDGE.md)",
                      HELD_OUT, f"{_INDEPENDENT_PACKAGE}.ironbridge.generate"),
    IndependentFamily("kestrel", "Kestrel, an eight-day scenario with a model release on day "
                      "five, written by someone who had read neither the detection code nor the "
                      "other independent families (simulate/independent/KESTREL.md)", HELD_OUT,
                      f"{_INDEPENDENT_PACKAGE}.kestrel.generate"),
    IndependentFamily("larkspur", "Larkspur, a nine-day scenario with a model release on day "
                      "six, written by someone who had read neither the detection code nor the "
                      "other independent families (simulate/independent/LARKSPUR.md)", HELD_OUT,
                      f"{_INDEPENDENT_PACKAGE}.larkspur.generate"),
    IndependentFamily("nightjar", "Nightjar, a nine-day scenario with a model release on day "
                      "four, written by someone who had read neither the detection code nor the "
                      "other independent families (simulate/independent/NIGHTJAR.md)", HELD_OUT,
                      f"{_INDEPENDENT_PACKAGE}.nightjar.generate"),
    IndependentFamily("osprey", "Osprey, a nine-day scenario with a model release on day "
                      "six, written by someone who had read neither the detection code nor the "
                      "other independent families (simulate/independent/OSPREY.md)", HELD_OUT,
                      f"{_INDEPENDENT_PACKAGE}.osprey.generate"),
    IndependentFamily("plover", "Plover, a nine-day scenario with a model release on day "
                      "four, written by someone who had read neither the detection code nor the "
                      "other independent families (simulate/independent/PLOVER.md)", HELD_OUT,
                      f"{_INDEPENDENT_PACKAGE}.plover.generate"),
)})
#: Every family, scenario families first, then the independent ones.
ALL_FAMILIES: Mapping[str, Family | IndependentFamily] = MappingProxyType(
    {**FAMILIES, **INDEPENDENT})


def _known() -> str:
    return ", ".join(ALL_FAMILIES)


def roles(held_out: Sequence[str] | None = None) -> dict[str, str]:
    """Family → role; ``held_out`` (names) overrides the defaults when given."""
    if held_out is None:
        return {name: family.role for name, family in ALL_FAMILIES.items()}
    unknown = sorted(set(held_out) - set(ALL_FAMILIES))
    if unknown:
        raise ConfigError(f"unknown family '{unknown[0]}' (known: {_known()})")
    return {name: HELD_OUT if name in held_out else TUNING for name in ALL_FAMILIES}


def family_names(text: str) -> list[str]:
    """``all``, ``none`` or a comma-separated list of family names, validated."""
    if text.strip() == "all":
        return list(ALL_FAMILIES)
    if text.strip() == "none":
        return []
    names = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [name for name in names if name not in ALL_FAMILIES]
    if unknown or not names:
        raise ConfigError(f"unknown family '{unknown[0] if unknown else text}' "
                          f"(known: {_known()}, or all)")
    return names


def simulate_family(name: str, seed: int, out_dir: str | Path, *, scale: float = 1.0,
                    hours: float | None = None, corpus: Path | None = None,
                    ) -> tuple[SimulationResult, dict[str, Any]]:
    """Simulate one member of the family ``name`` into ``out_dir``, with the customer table.

    Returns where the files are, and the member's parameters: :func:`describe` of its
    drawn scenario, or an independent family's generator, seed and scale.
    """
    independent = INDEPENDENT.get(name)
    if independent is None:
        scenario = family_scenario(name, seed, scale=scale, hours=hours, corpus=corpus)
        return simulate(scenario, out_dir), describe(scenario)
    if hours is not None:
        raise ConfigError(f"family '{name}' has its own window: hours do not apply")
    if not scale > 0:
        raise ConfigError("family scale must be positive")
    out = Path(out_dir)
    counts = independent.generate(out, seed=seed, scale=scale, corpus=corpus)
    result = SimulationResult(
        events_path=out / EVENTS_FILE, labels_path=out / LABELS_FILE,
        events=int(counts["events"]), accounts=int(counts["accounts"]),
        campaigns=int(counts["campaigns"]), customers_path=out / CUSTOMERS_FILE)
    return result, {"generator": independent.generator, "seed": seed, "scale": scale}


def family_scenario(name: str, seed: int, *, scale: float = 1.0, hours: float | None = None,
                    corpus: Path | None = None) -> Scenario:
    """One member of the family ``name``: the same arguments give the same scenario."""
    if name in INDEPENDENT:
        raise ConfigError(f"family '{name}' has no scenario: its own generator writes its "
                          "files (simulate_family)")
    try:
        family = FAMILIES[name]
    except KeyError:
        raise ConfigError(f"unknown family '{name}' (known: {_known()})") from None
    if not scale > 0:
        raise ConfigError("family scale must be positive")
    d = Draw(np.random.default_rng([seed, zlib.crc32(name.encode())]), scale)
    window = hours if hours is not None else round(d.uniform(36.0, 72.0), 1)
    start = datetime(2026, 2, 1, tzinfo=UTC) + timedelta(days=d.integer(0, 120))
    release = round(window * d.uniform(0.2, 0.7), 2)
    members = family.build(d, window)
    total = (members.background + sum(group.accounts for group in members.groups)
             + sum(spec.accounts or 0 for spec in members.campaigns))
    return Scenario(
        accounts=total, hours=window, seed=seed, start=start, model_release_hours=release,
        evasion=members.evasion, archetype_shares=MappingProxyType(members.shares),
        campaigns=tuple(members.campaigns), groups=tuple(members.groups), corpus=corpus,
        knobs=MappingProxyType(members.knobs), customers=True, responses="sized")


def describe(scenario: Scenario) -> dict[str, Any]:
    """The drawn parameters of a scenario as plain JSON-ready data."""
    def plain(value: Any) -> Any:
        if isinstance(value, Mapping):
            return {str(k): plain(v) for k, v in value.items()}
        if isinstance(value, tuple | list):
            return [plain(v) for v in value]
        if isinstance(value, np.generic):
            return value.item()
        return value

    evasion = scenario.evasion if isinstance(scenario.evasion, str) else asdict(
        scenario.evasion)
    return plain({
        "accounts": scenario.accounts, "hours": scenario.hours, "seed": scenario.seed,
        "start": scenario.start.isoformat(), "model_release_hours": scenario.model_release_hours,
        "evasion": evasion, "background_shares": dict(scenario.archetype_shares),
        "background_knobs": dict(scenario.knobs),
        "groups": [{"archetype": g.archetype, "accounts": g.accounts, "knobs": dict(g.knobs)}
                   for g in scenario.groups],
        "campaigns": [{"archetype": c.archetype, "accounts": c.accounts, "knobs": dict(c.knobs)}
                      for c in scenario.campaigns],
    })
