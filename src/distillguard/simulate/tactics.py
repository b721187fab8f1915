"""Campaign tactics: ``Operator`` presets named after what real operators were seen doing.

Each tactic is an ``Operator`` with its own defaults; scenario families override the
knobs with values sampled from wide ranges (``families.py``), so a tactic is a region
of the operator's space, not one fixed behaviour. The public record these follow is in
``../shared/DESIGN.md`` ("What the public record says").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar

from distillguard.simulate.base import register
from distillguard.simulate.operator import Operator, frozen_weights

HARVEST_MIX = {"reasoning": 0.35, "coding": 0.25, "agentic": 0.15, "foreign_reasoning": 0.1,
               "data_analysis": 0.1, "writing": 0.05}


@register
@dataclass(frozen=True)
class HydraNetwork(Operator):
    """A reseller "hydra": hundreds to thousands of burner accounts, each sending 15–40
    requests from a fresh residential address per request, created in bursts of about a
    hundred within minutes, all behind one uncommon client stack; replayed real prompts,
    fast pivot to a new model."""

    name: ClassVar[str] = "campaign_hydra_network"
    short: ClassVar[str] = "hydra-network"
    burst_size: int = 100
    burst_minutes: float = 10.0
    active_hours: tuple[float, float] | None = (2.0, 18.0)
    card_share: float = 0.2
    accounts_per_card: float = 8.0
    harvest_share: float = 0.8
    harvest_topics: Mapping[str, float] = field(default_factory=lambda: frozen_weights(HARVEST_MIX))
    replay_share: float = 0.8
    elicitation_share: float = 0.4
    new_model_final_share: float = 0.7
    new_model_ramp_hours: float = 6.0
    post_release_boost: float = 1.5


@register
@dataclass(frozen=True)
class ReplayNetwork(Operator):
    """Tens of accounts created within one hour, replaying real conversations on one shared
    schedule (co-timed within milliseconds), each with its own address and browser."""

    name: ClassVar[str] = "campaign_replay_network"
    short: ClassVar[str] = "replay-network"
    burst_size: int = 1000
    burst_minutes: float = 60.0
    signup_lead_hours: tuple[float, float] = (1.0, 48.0)
    email_mode: str = "personal"
    card_share: float = 0.3
    accounts_per_card: float = 1.0
    ip_mode: str = "sticky_home"
    client_mode: str = "browser"
    system_prompt_share: float = 0.0
    requests_per_account: tuple[float, float] = (60.0, 400.0)
    schedule: str = "lockstep"
    accounts_per_tick: tuple[int, int] = (3, 12)
    harvest_topics: Mapping[str, float] = field(default_factory=lambda: frozen_weights({
        "chitchat": 0.25, "writing": 0.2, "reasoning": 0.25, "coding": 0.2, "creative": 0.1}))
    replay_share: float = 1.0
    mean_turns: float = 3.0
    turn_gap_s: float = 30.0
    elicitation_share: float = 0.15
    max_tokens: tuple[int, ...] = (4096, 8192)
    completion_median: float = 900.0
    new_model_final_share: float = 0.4


@register
@dataclass(frozen=True)
class ConsumerMimicry(Operator):
    """Aged accounts with browser-like clients and sticky home addresses, living an
    ordinary user's day, harvesting on a minority of their requests."""

    name: ClassVar[str] = "campaign_consumer_mimicry"
    short: ClassVar[str] = "mimicry"
    signup: str = "aged"
    email_mode: str = "personal"
    card_share: float = 0.6
    accounts_per_card: float = 1.0
    claimed_countries: tuple[str, ...] = ()
    ip_mode: str = "sticky_home"
    client_mode: str = "browser"
    system_prompt_share: float = 0.0
    requests_per_account: tuple[float, float] = (40.0, 300.0)
    schedule: str = "diurnal"
    harvest_share: float = 0.25
    harvest_topics: Mapping[str, float] = field(default_factory=lambda: frozen_weights({
        "reasoning": 0.4, "coding": 0.3, "data_analysis": 0.15, "foreign_reasoning": 0.15}))
    replay_share: float = 0.5
    elicitation_share: float = 0.3
    max_tokens: tuple[int, ...] = (4096, 8192, 16384)
    completion_median: float = 1500.0
    new_model_final_share: float = 0.3
    new_model_ramp_hours: float = 24.0


@register
@dataclass(frozen=True)
class ResellerRouted(Operator):
    """Harvesting routed through a declared reseller: the reseller's own (sub-)accounts,
    org, addresses and client, the harvest mixed with its end users' ordinary requests."""

    name: ClassVar[str] = "campaign_reseller_routed"
    short: ClassVar[str] = "reseller-routed"
    signup: str = "spread"
    signup_lead_hours: tuple[float, float] = (24.0, 2000.0)
    email_mode: str = "infrastructure"
    card_share: float = 0.0
    access_paths: Mapping[str, float] = field(
        default_factory=lambda: frozen_weights({"reseller": 1.0}))
    ip_mode: str = "infrastructure"
    client_mode: str = "infrastructure"
    infrastructure_key: str = "reseller-1"
    system_prompt_share: float = 0.0
    requests_per_account: tuple[float, float] = (200.0, 2000.0)
    harvest_share: float = 0.5
    replay_share: float = 0.5


@register
@dataclass(frozen=True)
class LowAndSlow(Operator):
    """Many quiet accounts, each sending a few requests in short batches hours apart."""

    name: ClassVar[str] = "campaign_low_slow"
    short: ClassVar[str] = "low-slow"
    signup: str = "spread"
    signup_lead_hours: tuple[float, float] = (48.0, 2000.0)
    email_mode: str = "personal"
    card_share: float = 0.7
    accounts_per_card: float = 1.0
    ip_mode: str = "sticky_home"
    client_mode: str = "varied_sdk"
    requests_per_account: tuple[float, float] = (10.0, 80.0)
    schedule: str = "batches"


@register
@dataclass(frozen=True)
class ModelPivot(Operator):
    """Agentic coding at volume that surges onto a newly released model within hours."""

    name: ClassVar[str] = "campaign_model_pivot"
    short: ClassVar[str] = "pivot"
    burst_size: int = 30
    card_share: float = 0.6
    accounts_per_card: float = 6.0
    ip_mode: str = "datacenter"
    ip_pool: int = 3
    client_mode: str = "sdk_shared"
    requests_per_account: tuple[float, float] = (100.0, 800.0)
    schedule: str = "waves"
    post_release_boost: float = 3.0
    harvest_topics: Mapping[str, float] = field(default_factory=lambda: frozen_weights({
        "agentic": 0.4, "coding": 0.4, "trace_reconstruction": 0.1, "data_analysis": 0.1}))
    mean_turns: float = 5.0
    turn_gap_s: float = 5.0
    elicitation_share: float = 0.2
    new_model_final_share: float = 0.9
    new_model_ramp_hours: float = 3.0


@register
@dataclass(frozen=True)
class CotHarvest(Operator):
    """Campaign A of the public record: reasoning traces (many not in English), rubric
    grading and "safe" rewrites, synchronized accounts sharing payment methods."""

    name: ClassVar[str] = "campaign_cot_harvest"
    short: ClassVar[str] = "cot"
    burst_size: int = 40
    card_share: float = 0.9
    accounts_per_card: float = 10.0
    ip_mode: str = "server"
    ip_pool: int = 8
    requests_per_account: tuple[float, float] = (200.0, 1500.0)
    schedule: str = "waves"
    harvest_topics: Mapping[str, float] = field(default_factory=lambda: frozen_weights({
        "reasoning": 0.4, "foreign_reasoning": 0.15, "rubric": 0.2, "safe_rewrite": 0.15,
        "chitchat": 0.1}))
    elicitation_share: float = 0.75
    foreign_share: float = 0.3
    max_tokens: tuple[int, ...] = (8192, 16000, 32000)
    completion_median: float = 2400.0
    logprobs_share: float = 0.25


@register
@dataclass(frozen=True)
class AgenticHarvest(Operator):
    """Campaigns B and C: agentic coding and tool use, reasoning-trace reconstruction,
    accounts across the direct API, cloud and the education/research/startup programmes."""

    name: ClassVar[str] = "campaign_agentic_harvest"
    short: ClassVar[str] = "agentic-harvest"
    burst_size: int = 50
    card_share: float = 0.6
    accounts_per_card: float = 6.0
    accounts_per_org: float = 4.0
    access_paths: Mapping[str, float] = field(default_factory=lambda: frozen_weights({
        "direct": 0.3, "cloud": 0.25, "education": 0.15, "research": 0.15, "startup": 0.15}))
    ip_mode: str = "datacenter"
    ip_pool: int = 3
    client_mode: str = "sdk_shared"
    requests_per_account: tuple[float, float] = (150.0, 1200.0)
    schedule: str = "waves"
    harvest_topics: Mapping[str, float] = field(default_factory=lambda: frozen_weights({
        "agentic": 0.35, "coding": 0.25, "data_analysis": 0.12, "trace_reconstruction": 0.15,
        "vision": 0.08, "reasoning": 0.05}))
    mean_turns: float = 6.0
    turn_gap_s: float = 5.0
    elicitation_share: float = 0.25
    foreign_share: float = 0.1
    tools: tuple[int, int] = (5, 30)
    new_model_final_share: float = 0.5


@register
@dataclass(frozen=True)
class TransparentTemplate(Operator):
    """One data-analysis prompt asking for "complete and transparent reasoning", sent tens
    of thousands of times with small variations."""

    name: ClassVar[str] = "campaign_transparent_template"
    short: ClassVar[str] = "transparent"
    burst_size: int = 20
    card_share: float = 0.9
    accounts_per_card: float = 6.0
    ip_mode: str = "server"
    requests_per_account: tuple[float, float] = (300.0, 1500.0)
    harvest_topics: Mapping[str, float] = field(
        default_factory=lambda: frozen_weights({"template_farm": 1.0}))
    elicitation_share: float = 0.0
    max_tokens: tuple[int, ...] = (8192,)
    temperatures: tuple[float, ...] = (1.0,)


@register
@dataclass(frozen=True)
class EducationPathway(Operator):
    """Accounts on the education programme with farmed university mailboxes and a weakly
    verified programme entry, signed up together like a class, harvesting reasoning and
    code."""

    name: ClassVar[str] = "campaign_edu_pathway"
    short: ClassVar[str] = "edu-pathway"
    burst_size: int = 50
    burst_minutes: float = 30.0
    email_mode: str = "edu"
    card_share: float = 0.0
    access_paths: Mapping[str, float] = field(
        default_factory=lambda: frozen_weights({"education": 1.0}))
    programme_verified: float = 0.25
    ip_mode: str = "datacenter"
    ip_pool: int = 1
    client_mode: str = "browser"
    requests_per_account: tuple[float, float] = (50.0, 400.0)
    schedule: str = "waves"
    harvest_topics: Mapping[str, float] = field(default_factory=lambda: frozen_weights({
        "reasoning": 0.4, "coding": 0.35, "foreign_reasoning": 0.1, "data_analysis": 0.15}))
