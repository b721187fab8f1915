"""What to simulate: the traffic mix (``Scenario``), its campaigns and evasion settings.

A scenario is plain, frozen data. ``Scenario()`` is the default mix used by the demo:
about 3,000 accounts over 48 hours with four campaigns; ``accounts`` scales every
archetype proportionally. ``Scenario.from_dict`` reads the same fields from a mapping
(a YAML or JSON scenario file), rejecting unknown keys by name.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

from distillguard.errors import ConfigError


@dataclass(frozen=True)
class Evasion:
    """How hard campaigns try to look ordinary. Each field is one switch.

    ``ip_rotation``: share of a campaign's requests sent from a large rotating
    residential proxy pool instead of its own servers. ``rate_scale``: per-account
    volume multiplier ("low and slow" when below 1). ``paraphrase``: share of fixed
    phrases replaced by softer, varied wording. ``camouflage``: share of a campaign's
    requests that are ordinary human-looking requests. ``timing_jitter``: 0 keeps the
    round-robin lockstep across accounts, 1 gives every account its own schedule.
    ``distinct_payments``: one payment instrument per account. ``aged_accounts``:
    accounts registered weeks to months before use. ``elicitation``: multiplier on the
    share of prompts that ask explicitly for the chain of thought. ``mimic_clients``:
    browser/SDK-like client fingerprints that vary across accounts.
    """

    ip_rotation: float = 0.0
    rate_scale: float = 1.0
    paraphrase: float = 0.0
    camouflage: float = 0.0
    timing_jitter: float = 0.0
    distinct_payments: bool = False
    aged_accounts: bool = False
    elicitation: float = 1.0
    mimic_clients: bool = False


EVASION_LEVELS: Mapping[str, Evasion] = MappingProxyType({
    "none": Evasion(),
    "moderate": Evasion(ip_rotation=0.5, rate_scale=0.5, paraphrase=0.5, camouflage=0.2,
                        timing_jitter=0.5, elicitation=0.6, mimic_clients=True),
    "strong": Evasion(ip_rotation=1.0, rate_scale=0.25, paraphrase=1.0, camouflage=0.5,
                      timing_jitter=1.0, distinct_payments=True, aged_accounts=True,
                      elicitation=0.3, mimic_clients=True),
})


@dataclass(frozen=True)
class CampaignSpec:
    """One campaign in the mix.

    ``share`` is its share of all accounts (so it scales with ``Scenario.accounts``);
    ``accounts`` fixes the size instead. ``min_accounts`` keeps small scenarios
    meaningful. ``knobs`` overrides the archetype's own parameters by name.
    ``campaign_id`` defaults to ``camp-<kind>-<k>``.
    """

    archetype: str
    share: float = 0.01
    accounts: int | None = None
    min_accounts: int = 4
    campaign_id: str | None = None
    knobs: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class GroupSpec:
    """A legitimate group of a fixed size with its own knobs (in addition to the shares).

    Several groups may name the same archetype with different knobs (three classrooms of
    different sizes, say); scenario families are built from them.
    """

    archetype: str
    accounts: int
    knobs: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


#: How ``response`` is filled: a short opening of the reply (the demo), or text whose
#: length follows ``completion_tokens`` (about 4 characters a token, capped).
RESPONSE_STYLES = ("openings", "sized")


DEFAULT_ARCHETYPE_SHARES: Mapping[str, float] = MappingProxyType({
    "casual": 0.80,
    "developer": 0.05,
    "nat_university": 0.08,
    "company_team": 0.04,
    "enterprise_batch": 0.004,
    "benchmark_runner": 0.003,
    "reseller": 0.001,
})

DEFAULT_CAMPAIGNS: tuple[CampaignSpec, ...] = (
    CampaignSpec("campaign_reasoning", share=0.012),
    CampaignSpec("campaign_agentic", share=0.02),
    CampaignSpec("campaign_hydra", share=0.03),
    CampaignSpec("campaign_template_farm", share=0.005),
)


@dataclass(frozen=True)
class Scenario:
    """The traffic mix. Defaults give the default scenario.

    ``model_release_hours``: a new model (``frontier-2``) is released this many hours
    after ``start``; ``None`` means no release in the window. ``archetype_shares``:
    share of the legitimate accounts per legitimate archetype (normalised).
    ``knobs``: per-archetype parameter overrides, ``{"casual": {"median_per_day": 5}}``.
    ``corpus``: optional folder of real prompts laid out like ``shared/corpora``.
    ``groups``: legitimate groups of fixed size and knobs, after the shared-out ones.
    ``customers``: also write ``customers.parquet`` (the business-context table).
    ``responses``: ``openings`` or ``sized`` (see ``RESPONSE_STYLES``).
    """

    accounts: int = 3000
    hours: float = 48.0
    seed: int = 7
    start: datetime = datetime(2026, 2, 1, tzinfo=UTC)
    model_release_hours: float | None = 24.0
    evasion: str | Evasion = "none"
    archetype_shares: Mapping[str, float] = field(default_factory=lambda: DEFAULT_ARCHETYPE_SHARES)
    campaigns: Sequence[CampaignSpec] = DEFAULT_CAMPAIGNS
    corpus: Path | None = None
    knobs: Mapping[str, Mapping[str, Any]] = field(
        default_factory=lambda: MappingProxyType({}))
    groups: Sequence[GroupSpec] = ()
    customers: bool = False
    responses: str = "openings"

    def __post_init__(self) -> None:
        if self.accounts < 1:
            raise ConfigError("scenario: accounts must be at least 1")
        if not self.hours > 0:
            raise ConfigError("scenario: hours must be positive")
        if self.start.tzinfo is None:
            raise ConfigError("scenario: start must be timezone-aware (UTC)")
        if isinstance(self.evasion, str) and self.evasion not in EVASION_LEVELS:
            raise ConfigError(f"scenario: evasion must be one of {', '.join(EVASION_LEVELS)}, "
                              f"got '{self.evasion}'")
        if any(share < 0 for share in self.archetype_shares.values()):
            raise ConfigError("scenario: archetype_shares must be non-negative")
        for spec in self.campaigns:
            if spec.share < 0 or (spec.accounts is not None and spec.accounts < 1):
                raise ConfigError(f"scenario: campaign '{spec.archetype}' has an invalid size")
        for group in self.groups:
            if group.accounts < 1:
                raise ConfigError(f"scenario: group '{group.archetype}' has an invalid size")
        if self.responses not in RESPONSE_STYLES:
            raise ConfigError(f"scenario: responses must be one of {', '.join(RESPONSE_STYLES)}, "
                              f"got '{self.responses}'")

    @property
    def evasion_settings(self) -> Evasion:
        return self.evasion if isinstance(self.evasion, Evasion) else EVASION_LEVELS[self.evasion]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str = "scenario") -> Scenario:
        """Build a scenario from plain data (a parsed YAML/JSON file); unknown keys fail."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"{source}: unknown scenario setting '{unknown[0]}'")
        values: dict[str, Any] = dict(data)
        if isinstance(values.get("start"), str):
            values["start"] = datetime.fromisoformat(values["start"].replace("Z", "+00:00"))
        if isinstance(values.get("evasion"), Mapping):
            values["evasion"] = _build(Evasion, values["evasion"], f"{source}: evasion")
        if "campaigns" in values:
            values["campaigns"] = tuple(
                _build(CampaignSpec, item, f"{source}: campaigns[{k}]")
                for k, item in enumerate(values["campaigns"]))
        if "groups" in values:
            values["groups"] = tuple(
                _build(GroupSpec, item, f"{source}: groups[{k}]")
                for k, item in enumerate(values["groups"]))
        if values.get("corpus") is not None:
            values["corpus"] = Path(values["corpus"])
        try:
            return cls(**values)
        except TypeError as exc:
            raise ConfigError(f"{source}: {exc}") from None


def _build(kind: type[Any], data: Any, where: str) -> Any:
    if not isinstance(data, Mapping):
        raise ConfigError(f"{where} must be a mapping")
    known = {f.name for f in dataclasses.fields(kind)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"{where}: unknown setting '{unknown[0]}'")
    return kind(**data)


@dataclass(frozen=True)
class Group:
    """One block of accounts to generate: an archetype, its size, its campaign id."""

    archetype: str
    accounts: int
    campaign_id: str | None = None
    knobs: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


def allocate(scenario: Scenario, campaign_short_names: Mapping[str, str]) -> list[Group]:
    """Split ``scenario.accounts`` into groups: campaigns first, legitimate by share.

    A campaign gets ``max(min_accounts, share * accounts)`` accounts, but campaigns sized
    by share never take more than half of all accounts (tiny scenarios shrink or drop
    them). Sizes given explicitly (``CampaignSpec.accounts``) are honoured as they are.
    Every legitimate archetype with a positive share gets at least one account when
    there is room; the rest is split by largest remainder, so the total is exact and
    deterministic. Fixed-size legitimate ``groups`` come last; the shares get what they
    leave (so ``accounts`` is exact unless the fixed sizes alone exceed it).
    """
    wanted = {
        k: spec.accounts if spec.accounts is not None
        else max(spec.min_accounts, round(spec.share * scenario.accounts))
        for k, spec in enumerate(scenario.campaigns)}
    by_share = {k: size for k, size in wanted.items() if scenario.campaigns[k].accounts is None}
    room = max(0, scenario.accounts // 2 - (sum(wanted.values()) - sum(by_share.values())))
    if sum(by_share.values()) > room:
        shrunk = _largest_remainder({str(k): float(v) for k, v in by_share.items()}, room,
                                    at_least_one=False)
        wanted.update({k: shrunk.get(str(k), 0) for k in by_share})
    groups: list[Group] = []
    numbering: dict[str, int] = {}
    for k, spec in enumerate(scenario.campaigns):
        if wanted[k] <= 0:
            continue
        numbering[spec.archetype] = numbering.get(spec.archetype, 0) + 1
        short = campaign_short_names.get(spec.archetype, spec.archetype)
        campaign_id = spec.campaign_id or f"camp-{short}-{numbering[spec.archetype]}"
        knobs = {**scenario.knobs.get(spec.archetype, {}), **spec.knobs}
        groups.append(Group(spec.archetype, wanted[k], campaign_id, MappingProxyType(knobs)))
    fixed = sum(group.accounts for group in scenario.groups)
    legit_total = max(0, scenario.accounts - sum(group.accounts for group in groups) - fixed)
    shares = {name: share for name, share in scenario.archetype_shares.items() if share > 0}
    for name, count in _largest_remainder(shares, legit_total).items():
        if count > 0:
            own = MappingProxyType(dict(scenario.knobs.get(name, {})))
            groups.append(Group(name, count, None, own))
    for fixed_group in scenario.groups:
        knobs = {**scenario.knobs.get(fixed_group.archetype, {}), **fixed_group.knobs}
        groups.append(Group(fixed_group.archetype, fixed_group.accounts, None,
                            MappingProxyType(knobs)))
    return groups


def _largest_remainder(shares: Mapping[str, float], total: int, *,
                       at_least_one: bool = True) -> dict[str, int]:
    if not shares or total <= 0:
        return {}
    names = list(shares)
    weight = sum(shares.values())
    base = {name: 1 if at_least_one and total >= len(names) else 0 for name in names}
    rest = total - sum(base.values())
    exact = {name: rest * shares[name] / weight for name in names}
    counts = {name: base[name] + int(exact[name]) for name in names}
    leftover = total - sum(counts.values())
    by_remainder = sorted(names, key=lambda n: (-(exact[n] - int(exact[n])), n))
    for name in by_remainder[:leftover]:
        counts[name] += 1
    return counts


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario file (YAML, or TOML when it ends in ``.toml``); unknown keys fail."""
    import tomllib

    import yaml

    file = Path(path)
    try:
        text = file.read_text("utf-8")
    except OSError as exc:
        raise ConfigError(f"{file}: {exc.strerror or exc}") from None
    try:
        data = tomllib.loads(text) if file.suffix == ".toml" else yaml.safe_load(text)
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"{file}: not a valid scenario file ({exc})") from None
    if not isinstance(data, Mapping):
        raise ConfigError(f"{file}: a scenario file is a mapping of settings")
    return Scenario.from_dict(data, source=str(file))


def with_evasion_switches(scenario: Scenario, switches: Mapping[str, str]) -> Scenario:
    """The scenario with individual evasion switches (``name -> value`` text) overridden."""
    if not switches:
        return scenario
    fields = {f.name: f for f in dataclasses.fields(Evasion)}
    base = scenario.evasion_settings
    values: dict[str, Any] = {}
    for name, text in switches.items():
        if name not in fields:
            raise ConfigError(
                f"unknown evasion switch '{name}' (known: {', '.join(sorted(fields))})"
            )
        current = getattr(base, name)
        if isinstance(current, bool):
            if text.lower() not in ("true", "false", "1", "0", "yes", "no"):
                raise ConfigError(f"evasion switch '{name}' takes true or false, got '{text}'")
            values[name] = text.lower() in ("true", "1", "yes")
        else:
            try:
                values[name] = float(text)
            except ValueError:
                raise ConfigError(f"evasion switch '{name}' takes a number, got '{text}'") from None
    return dataclasses.replace(scenario, evasion=dataclasses.replace(base, **values))
