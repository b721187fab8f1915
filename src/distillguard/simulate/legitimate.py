"""Legitimate people: casual users, developers, students behind a NAT, company teams.

None of these must be flagged by a good detector. Several look like campaigns on one
axis on purpose: developers are high-volume and coding-heavy, a university puts many
fresh accounts behind one address range, a company team shares one card and org.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from distillguard.simulate import identity
from distillguard.simulate.base import (
    Accounts,
    Archetype,
    Context,
    Events,
    new_account_ids,
    register,
)
from distillguard.simulate.customers import CustomerProfile
from distillguard.simulate.human import Habits, human_blocks
from distillguard.simulate.prompts import SYSTEM_PROMPTS
from distillguard.simulate.textgen import (
    constant,
    pick,
    random_hex,
    subnet_hosts,
)


def maybe(rng: np.random.Generator, values: pa.Array, share_null: float) -> pa.Array:
    """``values`` with about ``share_null`` of them replaced by null."""
    if share_null <= 0:
        return values
    return pc.if_else(pa.array(rng.random(len(values)) < share_null),
                      pa.nulls(len(values), values.type), values)


def created_before(ctx: Context, ages_us: np.ndarray) -> np.ndarray:
    return ctx.start_us - ages_us


def per_account_choice(rng: np.random.Generator, n: int, values: tuple[float, ...],
                       weights: tuple[float, ...]) -> np.ndarray:
    p = np.asarray(weights, dtype=np.float64)
    return np.asarray(values)[rng.choice(len(values), size=n, p=p / p.sum())]


@register
@dataclass(frozen=True)
class Casual(Archetype):
    """Ordinary people chatting: heavy-tailed volume, evenings, many topics, home IPs."""

    name: ClassVar[str] = "casual"
    customer: ClassVar[CustomerProfile] = CustomerProfile(verified_share=0.05)
    per_day_median: float = 8.0
    per_day_sigma: float = 1.0
    mean_turns: float = 2.2
    free_tier_share: float = 0.35
    account_age_median_days: float = 240.0
    app_system_prompt_share: float = 0.4

    def habits(self) -> Habits:
        return Habits(per_day_median=self.per_day_median, per_day_sigma=self.per_day_sigma,
                      mean_turns=self.mean_turns, max_per_day=150)

    def make_accounts(self, ctx: Context, count: int) -> Accounts:
        rng = ctx.rng
        country = identity.countries(rng, count)
        agents, tls = identity.clients(rng, count, identity.CONSUMER_CLIENTS)
        ages = identity.account_ages_us(rng, count, self.account_age_median_days, 1.0, 48)
        columns = {
            "email": identity.personal_emails(rng, country),
            "payment_fingerprint": maybe(rng, identity.cards(rng, count), self.free_tier_share),
            "account_created_at": pa.array(created_before(ctx, ages)),
            "country": identity.country_codes(country),
            "access_path": constant("direct", count),
            "user_agent": agents,
            "tls_fingerprint": tls,
            "ip": identity.residential_ips(rng, count),
            "system_prompt": maybe(rng, pick(SYSTEM_PROMPTS["consumer"], rng, count),
                                   1 - self.app_system_prompt_share),
        }
        traits = {
            "country": country,
            "utc_offset": identity.utc_offsets(rng, country),
            "max_tokens": per_account_choice(rng, count, (1024, 2048, 4096), (0.5, 0.3, 0.2)),
            "temperature": per_account_choice(rng, count, (0.7, 1.0), (0.5, 0.5)),
            "tools": (rng.random(count) < 0.2).astype(np.int64),
        }
        aux = {"ip_2": identity.residential_ips(rng, count, ipv6_share=0.4)}
        return Accounts(new_account_ids(rng, count), columns, traits, aux)

    def make_events(self, ctx: Context, accounts: Accounts) -> Iterator[Events]:
        habits = self.habits()
        yield from human_blocks(ctx, accounts, habits)


DEVELOPER_TOPICS = {"coding": 0.58, "agentic": 0.12, "data_analysis": 0.08, "rubric": 0.04,
                    "reasoning": 0.04, "writing": 0.07, "chitchat": 0.05, "vision": 0.02}


def developer_habits(per_day_median: float, mean_turns: float) -> Habits:
    return Habits(per_day_median=per_day_median, per_day_sigma=0.7, max_per_day=1500,
                  mean_turns=mean_turns, gap_median_s=25.0, profile="office",
                  weekend_factor=0.15, capabilities=DEVELOPER_TOPICS,
                  native_language_share=0.1, step_phrase_share=0.04, tool_session_share=0.45,
                  tools_per_session=(2, 16), new_model_final_share=0.4,
                  new_model_ramp_hours=24.0, completion_median=700.0, second_ip_share=0.15)


def developer_columns(rng: np.random.Generator, count: int) -> tuple[dict[str, pa.Array],
                                                                    dict[str, np.ndarray]]:
    """Client, sampling and size settings of people writing software."""
    agents, tls = identity.clients(rng, count, identity.DEVELOPER_CLIENTS)
    columns = {
        "user_agent": agents,
        "tls_fingerprint": tls,
        "system_prompt": maybe(rng, pick(SYSTEM_PROMPTS["coding"], rng, count), 0.3),
    }
    traits = {
        "max_tokens": per_account_choice(rng, count, (2048, 4096, 8192, 16384),
                                         (0.2, 0.4, 0.3, 0.1)),
        "temperature": per_account_choice(rng, count, (0.0, 0.2, 0.7, 1.0),
                                          (0.25, 0.3, 0.25, 0.2)),
    }
    return columns, traits


@register
@dataclass(frozen=True)
class Developer(Archetype):
    """Coding-assistant traffic: hundreds of requests a day, office hours, tools offered."""

    name: ClassVar[str] = "developer"
    customer: ClassVar[CustomerProfile] = CustomerProfile(verified_share=0.3)
    per_day_median: float = 220.0
    mean_turns: float = 9.0
    work_email_share: float = 0.4
    cloud_share: float = 0.2

    def make_accounts(self, ctx: Context, count: int) -> Accounts:
        rng = ctx.rng
        country = identity.countries(rng, count)
        columns, traits = developer_columns(rng, count)
        work = pa.array(rng.random(count) < self.work_email_share)
        work_domains = pa.array([identity.company_domain(rng) for _ in range(min(count, 64))])
        work_mail = identity.domain_emails(rng, count, pick(work_domains, rng, count))
        ages = identity.account_ages_us(rng, count, 400.0, 0.9, 72)
        columns.update({
            "email": pc.if_else(work, work_mail, identity.personal_emails(rng, country)),
            "payment_fingerprint": identity.cards(rng, count),
            "account_created_at": pa.array(created_before(ctx, ages)),
            "country": identity.country_codes(country),
            "access_path": pick(("direct", "cloud"), rng, count,
                                weights=(1 - self.cloud_share, self.cloud_share)),
            "org_id": random_hex(rng, count, 6, prefix="org_"),
            "ip": identity.residential_ips(rng, count, ipv6_share=0.1),
        })
        traits.update({"country": country, "utc_offset": identity.utc_offsets(rng, country)})
        cloud_boxes = identity.addresses_in(rng, identity.hosting_prefixes(rng, 24), count)
        return Accounts(new_account_ids(rng, count), columns, traits, {"ip_2": cloud_boxes})

    def make_events(self, ctx: Context, accounts: Accounts) -> Iterator[Events]:
        habits = developer_habits(self.per_day_median, self.mean_turns)
        yield from human_blocks(ctx, accounts, habits)


def groups_of(count: int, size: int) -> np.ndarray:
    """Group number per account, in groups of about ``size``."""
    groups = max(1, round(count / max(size, 1)))
    return (np.arange(count) * groups) // max(count, 1)


@register
@dataclass(frozen=True)
class NatUniversity(Archetype):
    """Students: many accounts behind one university NAT, signed up in one burst."""

    name: ClassVar[str] = "nat_university"
    customer: ClassVar[CustomerProfile] = CustomerProfile(programme_verified_share=0.95)
    accounts_per_university: int = 40
    nat_addresses: int = 3
    per_day_median: float = 10.0
    signup_burst_hours: float = 36.0

    def make_accounts(self, ctx: Context, count: int) -> Accounts:
        rng = ctx.rng
        group = groups_of(count, self.accounts_per_university)
        n_groups = int(group.max()) + 1
        home = identity.countries(rng, n_groups, only=tuple(identity.UNIVERSITY_DOMAINS))
        country = home[group]
        codes = identity.country_codes(home).to_pylist()
        domains = pa.array([identity.university_domain(rng, str(code)) for code in codes])
        prefixes = identity.residential_prefixes(rng, n_groups)
        nat_host = rng.integers(1, 255, size=(n_groups, max(1, self.nat_addresses)))
        pick_host = rng.integers(0, nat_host.shape[1], size=(count, 2))
        signup = ctx.start_us - (rng.uniform(7, 40, n_groups) * 86_400e6).astype(np.int64)
        created = signup[group] + (rng.random(count) * self.signup_burst_hours * 3_600e6).astype(
            np.int64)
        agents, tls = identity.clients(rng, count, {**identity.CONSUMER_CLIENTS,
                                                    "python_sdk": 0.15, "ide": 0.1})
        columns = {
            "email": identity.domain_emails(
                rng, count, domains.take(group),
                ("{first}.{last}", "{first}{last}{int:1-99}", "{initial}{last}{int:10-99}")),
            "payment_fingerprint": maybe(rng, identity.cards(rng, count), 0.3),
            "account_created_at": pa.array(created),
            "country": identity.country_codes(country),
            "access_path": constant("education", count),
            "user_agent": agents,
            "tls_fingerprint": tls,
            "ip": subnet_hosts(prefixes[group], nat_host[group, pick_host[:, 0]]),
        }
        offsets_by_group = identity.utc_offsets(rng, home)
        traits = {
            "country": country,
            "utc_offset": offsets_by_group[group],
            "max_tokens": per_account_choice(rng, count, (1024, 2048, 4096), (0.4, 0.3, 0.3)),
            "temperature": per_account_choice(rng, count, (0.7, 1.0), (0.5, 0.5)),
        }
        aux = {"ip_2": subnet_hosts(prefixes[group], nat_host[group, pick_host[:, 1]])}
        return Accounts(new_account_ids(rng, count), columns, traits, aux)

    def make_events(self, ctx: Context, accounts: Accounts) -> Iterator[Events]:
        habits = Habits(per_day_median=self.per_day_median, mean_turns=3.0, profile="student",
                        capabilities={"chitchat": 0.22, "writing": 0.2, "coding": 0.2,
                                      "reasoning": 0.2, "data_analysis": 0.07, "creative": 0.04,
                                      "politics": 0.04, "rubric": 0.03},
                        step_phrase_share=0.12, second_ip_share=0.5,
                        new_model_final_share=0.3, new_model_ramp_hours=24.0)
        yield from human_blocks(ctx, accounts, habits)


@register
@dataclass(frozen=True)
class CompanyTeam(Archetype):
    """Engineers of one company: shared org and company card, one office range."""

    name: ClassVar[str] = "company_team"
    customer: ClassVar[CustomerProfile] = CustomerProfile(
        tiers={"pay_as_you_go": 0.7, "enterprise": 0.3}, verified_share=0.8)
    team_size: int = 8
    per_day_median: float = 150.0
    startup_share: float = 0.4

    def make_accounts(self, ctx: Context, count: int) -> Accounts:
        rng = ctx.rng
        team = groups_of(count, self.team_size)
        n_teams = int(team.max()) + 1
        home = identity.countries(rng, n_teams)
        domains = pa.array([identity.company_domain(rng) for _ in range(n_teams)])
        columns, traits = developer_columns(rng, count)
        office = identity.hosting_prefixes(rng, n_teams)
        office_host = rng.integers(1, 30, size=n_teams)
        ages = identity.account_ages_us(rng, count, 150.0, 0.8, 72)
        columns.update({
            "email": identity.domain_emails(rng, count, domains.take(team),
                                            ("{first}.{last}", "{first}", "{initial}{last}")),
            "payment_fingerprint": identity.cards(rng, n_teams).take(team),
            "org_id": random_hex(rng, n_teams, 6, prefix="org_").take(team),
            "account_created_at": pa.array(created_before(ctx, ages)),
            "country": identity.country_codes(home[team]),
            "access_path": pick(("direct", "startup"), rng, n_teams,
                                weights=(1 - self.startup_share, self.startup_share)).take(team),
            "ip": subnet_hosts(office[team], office_host[team]),
        })
        traits.update({"country": home[team],
                       "utc_offset": identity.utc_offsets(rng, home)[team]})
        aux = {"ip_2": identity.residential_ips(rng, count, ipv6_share=0.1)}
        return Accounts(new_account_ids(rng, count), columns, traits, aux)

    def make_events(self, ctx: Context, accounts: Accounts) -> Iterator[Events]:
        habits = developer_habits(self.per_day_median, 8.0)
        yield from human_blocks(ctx, accounts, habits)
