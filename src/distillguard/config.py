"""Configuration: one documented YAML file of defaults (``defaults.yaml``), overridable.

Every threshold, weight and pattern the engine uses lives in ``defaults.yaml`` next to
this module, with a comment explaining it. A user file (``--config FILE``) overrides any
subset. Unknown keys and wrong types are errors that name the key, so a typo never
silently falls back to a default.
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from distillguard.errors import ConfigError


@dataclass(frozen=True)
class IngestConfig:
    max_prompt_chars: int
    max_text_chars: int
    max_quarantine_row_chars: int
    timestamp_min: str
    timestamp_max_future_days: int
    max_token_count: int
    max_temperature: float
    max_n: int
    max_tool_count: int
    batch_rows: int
    max_record_bytes: int
    max_json_depth: int
    max_decompression_ratio: float
    decompression_floor_bytes: int
    max_duplicate_share: float


@dataclass(frozen=True)
class FeatureConfig:
    skeleton_chars: int
    cot_patterns: list[str]
    rubric_patterns: list[str]
    capabilities: dict[str, str]
    long_max_tokens: int


@dataclass(frozen=True)
class LinkageConfig:
    indicators: dict[str, float]
    max_indicator_share: float
    max_pair_accounts: int
    min_link_weight: float
    rotator_ip_churn: float
    rotator_min_ips: int
    lockstep_bucket_seconds: int
    lockstep_min_similarity: float
    lockstep_min_events: int
    lockstep_weight: float
    lockstep_popular_phase: float
    template_min_events: int
    seed_exclusive_share: float
    cotiming: dict[str, float]
    cohorts: dict[str, float]
    boilerplate_file: str


@dataclass(frozen=True)
class ScoringConfig:
    weights: dict[str, float]
    signal_params: dict[str, float]
    campaign_harvest_weights: dict[str, float]
    campaign_coordination_weights: dict[str, float]
    campaign_openness_weight: float
    campaign_concealed_payment_weight: float
    harvest_org_min_accounts: int
    harvest_org_strong_share: float
    harvest_org_young_share: float
    harvest_org_colocated_max: float
    min_campaign_accounts: int
    min_campaign_member_risk: float
    campaign_attach_weight: float
    community_resolution: float
    community_min_modularity: float
    community_max_conductance: float
    community_merge_association: float
    community_rejoin_share: float
    community_rejoin_bridges: int
    community_rejoin_similarity: float
    community_rejoin_kit_prior: float
    community_rejoin_owner_share: float
    hub_member_min_risk: float
    campaign_blend: float
    lone_account_factor: float
    lone_open_max_risk: float
    lone_concealment_min: float
    anonymous_sweep_followup_max: float
    harvest_review_uses: list[str]
    supervised_weight: float
    thresholds: dict[str, float]


@dataclass(frozen=True)
class ReportConfig:
    max_prompt_chars: int
    example_prompts: int
    max_campaign_accounts_listed: int


@dataclass(frozen=True)
class OnlineConfig:
    throttle_risk: float
    throttle_retry_after_seconds: int
    lone_min_events: int
    rate_limit_per_minute: int
    on_state_error: str
    rescore_events: int
    rescore_interval_ms: int
    rescore_chunk: int
    rescore_growth: float
    max_scan_chars: int
    max_indicator_values: int
    max_index_members: int
    max_link_candidates: int
    max_templates: int
    distinct_sketch_size: int
    max_accounts: int
    redis_key_prefix: str
    redis_timeout_ms: int
    log_rotate_mib: int
    log_rotate_minutes: int
    log_responses: bool
    client_ip_header: str
    tls_fingerprint_header: str


@dataclass(frozen=True)
class UIConfig:
    max_prompt_chars: int
    example_prompts: int
    members_per_page: int
    graph_max_accounts: int
    graph_max_indicators: int
    max_neighbours: int
    neighbour_max_share: int
    session_hours: float


@dataclass(frozen=True)
class LabelsConfig:
    allowlist_days: float


@dataclass(frozen=True)
class IntelConfig:
    min_risk: float
    producer: str
    tlp: str
    hashed_kinds: list[str]
    min_member_accounts: int
    max_outside_ratio: float
    max_indicators_per_campaign: int
    valid_days: float
    max_description_chars: int
    max_bundle_bytes: int
    max_objects: int
    max_text_chars: int
    match_weights: dict[str, float]
    max_local_share: float
    max_evidence: int


@dataclass(frozen=True)
class PrivacyConfig:
    pseudonymise_at_ingest: bool
    pii_key_file: str
    public_email_domains: list[str]


@dataclass(frozen=True)
class WorkspaceConfig:
    memory_limit: str


@dataclass(frozen=True)
class Config:
    ingest: IngestConfig
    features: FeatureConfig
    linkage: LinkageConfig
    scoring: ScoringConfig
    report: ReportConfig
    ui: UIConfig
    labels: LabelsConfig
    online: OnlineConfig
    intel: IntelConfig
    privacy: PrivacyConfig
    workspace: WorkspaceConfig
    source: str = field(default="defaults")

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data.pop("source")
        return data


_SECTIONS: dict[str, type] = {
    "ingest": IngestConfig,
    "features": FeatureConfig,
    "linkage": LinkageConfig,
    "scoring": ScoringConfig,
    "report": ReportConfig,
    "ui": UIConfig,
    "labels": LabelsConfig,
    "online": OnlineConfig,
    "intel": IntelConfig,
    "privacy": PrivacyConfig,
    "workspace": WorkspaceConfig,
}


def default_config_text() -> str:
    """The documented default configuration, as shipped."""
    return resources.files("distillguard").joinpath("defaults.yaml").read_text("utf-8")


def _merge(base: dict[str, Any], override: dict[str, Any], where: str, source: str) -> None:
    for key, value in override.items():
        path = f"{where}.{key}" if where else str(key)
        if key not in base:
            raise ConfigError(f"unknown setting '{path}'", where=source)
        current = base[key]
        open_mapping = isinstance(current, dict) and (
            path.startswith("features.capabilities") or not current
        )
        if isinstance(current, dict) and not open_mapping:
            if not isinstance(value, dict):
                raise ConfigError(f"setting '{path}' must be a mapping", where=source)
            _merge(current, value, path, source)
        elif isinstance(current, dict):
            if not isinstance(value, dict):
                raise ConfigError(f"setting '{path}' must be a mapping", where=source)
            base[key] = value
        else:
            base[key] = _coerce(current, value, path, source)


def _coerce(current: Any, value: Any, path: str, source: str) -> Any:
    if isinstance(current, bool):
        if not isinstance(value, bool):
            raise ConfigError(f"setting '{path}' must be true or false", where=source)
        return value
    if isinstance(current, int) and not isinstance(value, bool) and isinstance(value, int):
        return value
    if isinstance(current, float) and isinstance(value, int | float) and not isinstance(
        value, bool
    ):
        return float(value)
    if isinstance(current, str) and isinstance(value, str):
        return value
    if isinstance(current, list) and isinstance(value, list):
        return value
    raise ConfigError(
        f"setting '{path}' must be of type {type(current).__name__}, "
        f"got {type(value).__name__}", where=source,
    )


def load_config(path: str | Path | None = None) -> Config:
    """Load the defaults, then the user's file on top (unknown keys are errors)."""
    data: dict[str, Any] = yaml.safe_load(default_config_text())
    source = "defaults"
    if path is not None:
        source = str(path)
        try:
            text = Path(path).read_text("utf-8")
        except OSError as exc:
            raise ConfigError(str(exc.strerror or exc), where=str(path)) from None
        try:
            user = yaml.safe_load(text) or {}
        except yaml.YAMLError as exc:
            raise ConfigError(f"not valid YAML ({exc})", where=str(path)) from None
        if not isinstance(user, dict):
            raise ConfigError("the top level must be a mapping of sections", where=str(path))
        merged = copy.deepcopy(data)
        _merge(merged, user, "", source)
        data = merged
    sections = {name: cls(**data[name]) for name, cls in _SECTIONS.items()}
    return Config(**sections, source=source)


_DEFAULT: Config | None = None


def default_config() -> Config:
    """The shipped defaults (cached)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = load_config()
    return _DEFAULT
