"""Distillation campaigns, modelled on the public record (see ``docs/simulator.md``).

Every campaign shares the operator's habits: accounts registered in bursts, a few
payment instruments across many accounts, the operator's own servers and tooling, and
one request stream spread over the accounts. The ``Evasion`` switches of the scenario
take each of those habits away in turn.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from distillguard.simulate import activity, behaviour, identity
from distillguard.simulate.automated import relay_end_users
from distillguard.simulate.base import (
    Accounts,
    Archetype,
    Context,
    Events,
    new_account_ids,
    register,
)
from distillguard.simulate.behaviour import US_PER_DAY, US_PER_HOUR, US_PER_SECOND
from distillguard.simulate.customers import CustomerProfile
from distillguard.simulate.human import Habits
from distillguard.simulate.legitimate import maybe
from distillguard.simulate.prompts import (
    CAMPAIGN_ELICITATION,
    PARAPHRASED_ELICITATION,
    SYSTEM_PROMPTS,
    TEMPLATE_FARM,
    TEMPLATE_FARM_PARAPHRASED,
    append_phrases,
)
from distillguard.simulate.textgen import constant, pick, random_hex, text_pool

#: Countries that fraudulent sign-ups claim (supported regions).
CLAIMED_COUNTRIES = ("US", "SG", "HK", "GB", "JP", "KR", "DE", "CA", "TW")
#: What camouflage requests ask: the everyday mix.
CAMOUFLAGE_TOPICS = ("chitchat", "writing", "coding", "creative")


@dataclass(frozen=True)
class CampaignBase(Archetype):
    """Shared operator habits; subclasses choose what they harvest and how fast."""

    campaign: ClassVar[bool] = True
    #: Free or pay-as-you-go (by card); programme entries obtained with weak checks.
    customer: ClassVar[CustomerProfile] = CustomerProfile(programme_verified_share=0.15)
    per_account_per_day: float = 300.0
    accounts_per_card: float = 10.0
    server_subnets: int = 1
    server_hosts: int = 8
    client_family: str = "httpx"
    signup_bursts: int = 3
    elicitation_share: float = 0.6
    new_model_final_share: float = 0.3
    new_model_ramp_hours: float = 12.0

    # ---- who -------------------------------------------------------------------
    def operator_accounts(self, ctx: Context, count: int) -> Accounts:
        rng, evasion = ctx.rng, ctx.evasion
        country = identity.countries(rng, count, only=CLAIMED_COUNTRIES)
        if evasion.aged_accounts:
            created = ctx.start_us - identity.account_ages_us(rng, count, 150.0, 0.8, 24 * 14)
            email = identity.personal_emails(rng, country)
        else:
            # Registered in a few bursts, minutes apart, in the days before the harvest.
            bursts = ctx.start_us - (rng.uniform(2, 24 * 6, self.signup_bursts)
                                     * US_PER_HOUR).astype(np.int64)
            created = bursts[rng.integers(0, len(bursts), count)] + (
                rng.random(count) * 20 * 60 * US_PER_SECOND).astype(np.int64)
            email = identity.farm_emails(rng, count)
        if evasion.distinct_payments:
            payment = identity.cards(rng, count)
        else:
            distinct = int(np.ceil(count / self.accounts_per_card))
            payment = identity.shared_cards(rng, count, distinct)
        if evasion.mimic_clients:
            agents, tls = identity.clients(rng, count, identity.DEVELOPER_CLIENTS)
        else:
            agent, fingerprint = identity.one_client(rng, self.client_family)
            agents, tls = constant(agent, count), constant(fingerprint, count)
        servers = identity.hosting_prefixes(rng, max(1, self.server_subnets))
        columns = {
            "email": email,
            "payment_fingerprint": payment,
            "account_created_at": pa.array(created),
            "country": identity.country_codes(country),
            "access_path": constant("direct", count),
            "user_agent": agents,
            "tls_fingerprint": tls,
            "org_id": random_hex(rng, count, 6, prefix="org_"),
            "ip": identity.addresses_in(rng, servers, count, self.server_hosts),
        }
        traits = {"country": country, "utc_offset": identity.utc_offsets(rng, country),
                  "servers": servers.reshape(-1)}
        return Accounts(new_account_ids(rng, count), columns, traits)

    # ---- from where --------------------------------------------------------------
    def event_ips(self, ctx: Context, accounts: Accounts, n: int,
                  base_rotation: float = 0.0) -> pa.Array:
        """Operator servers, or (share ``ip_rotation``) a fresh residential proxy per request."""
        rng = ctx.rng
        servers = accounts.traits["servers"].reshape(-1, 3)
        ips = identity.addresses_in(rng, servers, n, self.server_hosts)
        rotation = max(base_rotation, ctx.evasion.ip_rotation)
        if rotation <= 0:
            return ips
        proxy = identity.residential_ips(rng, n, ipv6_share=0.05)
        return pc.if_else(pa.array(rng.random(n) < rotation), proxy, ips)

    # ---- when -------------------------------------------------------------------
    def total_requests(self, ctx: Context, count: int, per_day: float | None = None) -> int:
        rate = (per_day or self.per_account_per_day) * ctx.evasion.rate_scale
        return max(count, int(ctx.rng.poisson(max(rate * count * ctx.days, 1.0))))

    def stream(self, ctx: Context, accounts: Accounts, total: int, on_minutes: float = 50.0,
               off_minutes: float = 15.0) -> tuple[np.ndarray, np.ndarray]:
        """One operator stream spread round-robin over the accounts (lockstep in time).

        ``timing_jitter`` moves that share of requests to per-account schedules in each
        account's claimed time zone, which breaks the lockstep.
        """
        rng, count = ctx.rng, len(accounts)
        free = round(total * ctx.evasion.timing_jitter)
        synced = total - free
        accounts_out, times_out = [], []
        if synced:
            weights = behaviour.on_off_schedule(rng, ctx.start_us, ctx.end_us, on_minutes,
                                                off_minutes)
            times = behaviour.times_from_bins(rng, synced, ctx.start_us, ctx.end_us, weights)
            accounts_out.append((np.arange(synced) + int(rng.integers(0, count))) % count)
            times_out.append(times)
        if free or synced < count:
            counts = rng.multinomial(free, np.full(count, 1.0 / count)) if free else np.zeros(
                count, np.int64)
            if synced < count:
                counts = np.maximum(counts, 1)
            who, when = behaviour.sample_times(rng, counts, accounts.traits["utc_offset"],
                                               ctx.start_us, ctx.end_us,
                                               behaviour.CONSUMER_PROFILE)
            accounts_out.append(who)
            times_out.append(when)
        return np.concatenate(accounts_out), np.concatenate(times_out)

    # ---- what ---------------------------------------------------------------------
    def elicit(self, ctx: Context, prompts: pa.Array, share: float | None = None,
               foreign_share: float = 0.3) -> pa.Array:
        """Append chain-of-thought requests: explicit, multilingual, or paraphrased."""
        rng, evasion = ctx.rng, ctx.evasion
        share = (self.elicitation_share if share is None else share) * evasion.elicitation
        english = [p for p in CAMPAIGN_ELICITATION if p.isascii()]
        foreign = [p for p in CAMPAIGN_ELICITATION if not p.isascii()]
        n = len(prompts)
        phrases = pick(english, rng, n)
        phrases = pc.if_else(pa.array(rng.random(n) < foreign_share), pick(foreign, rng, n),
                             phrases)
        phrases = pc.if_else(pa.array(rng.random(n) < evasion.paraphrase),
                             pick(PARAPHRASED_ELICITATION, rng, n), phrases)
        return append_phrases(prompts, phrases, rng, share)

    def camouflage(self, ctx: Context, events: Events) -> Events:
        """Replace ``evasion.camouflage`` of the requests by ordinary-looking ones."""
        share = ctx.evasion.camouflage
        n = len(events)
        if share <= 0 or n == 0:
            return events
        rng = ctx.rng
        mask = rng.random(n) < share
        count = int(mask.sum())
        if count == 0:
            return events
        ordinary = ctx.prompts.mix(CAMOUFLAGE_TOPICS, rng.integers(0, len(CAMOUFLAGE_TOPICS),
                                                                   count), rng)
        slots = np.full(n, -1, dtype=np.int64)
        slots[mask] = np.arange(count)
        replace = pa.array(mask)
        prompt = events.columns["prompt"]
        assert isinstance(prompt, pa.Array)
        events.columns["prompt"] = pc.if_else(replace, ordinary.take(np.maximum(slots, 0)),
                                              prompt)
        for name, value in (("max_tokens", 2048), ("temperature", 0.7)):
            current: np.ndarray = np.asarray(events.columns[name])
            events.columns[name] = np.where(mask, value, current)
        return events

    def model_and_sizes(self, ctx: Context, times: np.ndarray, *,
                        max_tokens: Sequence[int], max_tokens_p: Sequence[float],
                        temperatures: Sequence[float], completion_median: float
                        ) -> dict[str, pa.Array | np.ndarray]:
        rng, n = ctx.rng, len(times)
        p = np.asarray(max_tokens_p, dtype=np.float64)
        return {
            "model": behaviour.choose_models(
                rng, times, ctx.release_us, final_share=self.new_model_final_share,
                ramp_hours=self.new_model_ramp_hours, base=("frontier-1",), base_weights=(1.0,)),
            "max_tokens": np.asarray(max_tokens)[rng.choice(len(p), n, p=p / p.sum())],
            "temperature": np.asarray(temperatures)[rng.integers(0, len(temperatures), n)],
            "completion_tokens": rng.lognormal(np.log(completion_median), 0.5, n).astype(
                np.int64),
        }

    def time_slices(self, ctx: Context, times: np.ndarray,
                    hours: float = 6.0) -> Iterator[np.ndarray]:
        """Event positions in slices of ``hours`` (bounded memory for big campaigns)."""
        return activity.time_slices(ctx, times, hours)


@register
@dataclass(frozen=True)
class CampaignReasoning(CampaignBase):
    """Campaign A-like: synchronized accounts harvesting reasoning, grading and rewrites."""

    name: ClassVar[str] = "campaign_reasoning"
    short: ClassVar[str] = "reasoning"
    topic_weights: tuple[float, float, float, float, float] = (0.38, 0.12, 0.2, 0.15, 0.15)
    elicitation_share: float = 0.75

    topics: ClassVar[tuple[str, ...]] = ("reasoning", "foreign_reasoning", "rubric",
                                          "safe_rewrite", "chitchat")

    def make_accounts(self, ctx: Context, count: int) -> Accounts:
        accounts = self.operator_accounts(ctx, count)
        rng = ctx.rng
        system = pick(SYSTEM_PROMPTS["harvest_reasoning"], rng, count)
        accounts.columns["system_prompt"] = maybe(
            rng, system, 0.7 if ctx.evasion.mimic_clients else 0.1)
        return accounts

    def make_events(self, ctx: Context, accounts: Accounts) -> Iterator[Events]:
        rng = ctx.rng
        account, times = self.stream(ctx, accounts, self.total_requests(ctx, len(accounts)))
        for part in self.time_slices(ctx, times):
            n = len(part)
            p = np.asarray(self.topic_weights, dtype=np.float64)
            topic = rng.choice(len(self.topics), n, p=p / p.sum())
            prompts = self.elicit(ctx, ctx.prompts.mix(self.topics, topic, rng))
            rewrite = topic == self.topics.index("safe_rewrite")
            refused = rng.random(n) < np.where(rewrite, 0.12, 0.005)
            columns = self.model_and_sizes(
                ctx, times[part], max_tokens=(8192, 16000, 32000), max_tokens_p=(0.2, 0.5, 0.3),
                temperatures=(1.0, 0.7), completion_median=2400)
            columns.update({
                "prompt": prompts, "ip": self.event_ips(ctx, accounts, n),
                "turn": np.zeros(n, np.int32),
                "n": np.where(rng.random(n) < 0.1, 4, 1).astype(np.int32),
                "logprobs": rng.random(n) < (0.05 if ctx.evasion.mimic_clients else 0.25),
                "status": text_pool(("ok", "refused")).take(refused.astype(np.int64)),
            })
            yield self.camouflage(ctx, Events(account[part], times[part], columns))


AGENTIC_ACCESS = {"direct": 0.3, "cloud": 0.25, "education": 0.15, "research": 0.15,
                  "startup": 0.15}


@register
@dataclass(frozen=True)
class CampaignAgentic(CampaignBase):
    """Campaign B/C-like: agentic coding and tool use over many access paths, quick pivot."""

    name: ClassVar[str] = "campaign_agentic"
    short: ClassVar[str] = "agentic"
    per_account_per_day: float = 250.0
    accounts_per_card: float = 6.0
    server_subnets: int = 3
    server_hosts: int = 60
    client_family: str = "python_sdk"
    mean_turns: float = 6.0
    gap_median_s: float = 5.0
    elicitation_share: float = 0.25
    new_model_final_share: float = 0.5
    topic_weights: tuple[float, float, float, float, float] = (0.35, 0.25, 0.12, 0.15, 0.08)

    topics: ClassVar[tuple[str, ...]] = ("agentic", "coding", "data_analysis",
                                          "trace_reconstruction", "vision")

    def make_accounts(self, ctx: Context, count: int) -> Accounts:
        accounts = self.operator_accounts(ctx, count)
        rng = ctx.rng
        paths = list(AGENTIC_ACCESS)
        path = identity.weighted_keys(rng, AGENTIC_ACCESS, count)
        path[: min(count, len(paths))] = np.arange(min(count, len(paths)))  # every path used
        path_name = pa.array(paths).take(path)
        accounts.columns["access_path"] = path_name
        # Programme credits and cloud billing carry no card of the operator's.
        no_card = pa.array(np.isin(path, [paths.index(p) for p in ("cloud", "education",
                                                                     "research")]))
        accounts.columns["payment_fingerprint"] = pc.if_else(
            no_card, pa.nulls(count, pa.string()), accounts.columns["payment_fingerprint"])
        if not ctx.evasion.aged_accounts:
            campus = pa.array([identity.university_domain(rng, code) for code in
                               ("US", "GB", "IN", "AU", "CA")])
            student_mail = identity.domain_emails(rng, count, pick(campus, rng, count),
                                                  ("{first}{last}{int:10-99}",))
            is_student = pa.array(path == paths.index("education"))
            accounts.columns["email"] = pc.if_else(is_student, student_mail,
                                                   accounts.columns["email"])
        fake_startups = random_hex(rng, max(1, count // 4), 6, prefix="org_")
        startup = pa.array(path == paths.index("startup"))
        accounts.columns["org_id"] = pc.if_else(startup, pick(fake_startups, rng, count),
                                                accounts.columns["org_id"])
        accounts.columns["system_prompt"] = maybe(
            rng, pick(SYSTEM_PROMPTS["harvest_agentic"], rng, count), 0.3)
        return accounts

    def make_events(self, ctx: Context, accounts: Accounts) -> Iterator[Events]:
        rng = ctx.rng
        episodes = max(len(accounts), self.total_requests(ctx, len(accounts)) // int(
            max(self.mean_turns, 1)))
        starter, starts = self.stream(ctx, accounts, episodes, on_minutes=90, off_minutes=20)
        turns = rng.geometric(1.0 / max(self.mean_turns, 1.0), len(starts))
        talk = behaviour.expand_conversations(rng, starter, starts, turns, ctx.end_us,
                                              self.gap_median_s, 0.6)
        p = np.asarray(self.topic_weights, dtype=np.float64)
        topic = rng.choice(len(self.topics), len(starts), p=p / p.sum())
        tools = np.where(topic == self.topics.index("vision"), rng.integers(0, 3, len(starts)),
                         rng.integers(5, 31, len(starts)))
        model = behaviour.choose_models(rng, starts, ctx.release_us,
                                        final_share=self.new_model_final_share,
                                        ramp_hours=self.new_model_ramp_hours,
                                        base=("frontier-1",), base_weights=(1.0,))
        for part in self.time_slices(ctx, talk.time_us):
            n = len(part)
            session = talk.session[part]
            prompts = ctx.prompts.mix(self.topics, topic[session], rng,
                                      followup=talk.turn[part] > 0)
            prompts = self.elicit(ctx, prompts, foreign_share=0.1)
            columns = self.model_and_sizes(ctx, talk.time_us[part], max_tokens=(8192, 16384),
                                           max_tokens_p=(0.6, 0.4), temperatures=(0.2, 0.6, 1.0),
                                           completion_median=1500)
            columns.update({
                "prompt": prompts, "model": model.take(session),
                "ip": self.event_ips(ctx, accounts, n),
                "conversation_id": talk.conversation_id.take(part), "turn": talk.turn[part],
                "tool_count": tools[session].astype(np.int32),
                "status": pick(("ok", "refused", "error"), rng, n, weights=(0.985, 0.005, 0.01)),
            })
            events = Events(talk.account[part], talk.time_us[part], columns)
            yield self.camouflage(ctx, events)


@register
@dataclass(frozen=True)
class CampaignHydra(CampaignBase):
    """A reseller "hydra" network: many low-volume accounts mixing real customers' requests
    with harvesting."""

    name: ClassVar[str] = "campaign_hydra"
    short: ClassVar[str] = "hydra"
    per_account_per_day: float = 40.0
    accounts_per_card: float = 2.5
    server_subnets: int = 4
    server_hosts: int = 200
    client_family: str = "go"
    customer_share: float = 0.6
    residential_proxy_share: float = 0.5
    signup_bursts: int = 12
    new_model_final_share: float = 0.4
    new_model_ramp_hours: float = 18.0

    topics: ClassVar[tuple[str, ...]] = ("reasoning", "agentic", "coding", "foreign_reasoning")

    def make_accounts(self, ctx: Context, count: int) -> Accounts:
        return self.operator_accounts(ctx, count)

    def make_events(self, ctx: Context, accounts: Accounts) -> Iterator[Events]:
        rng, count = ctx.rng, len(accounts)
        total = self.total_requests(ctx, count)
        habits = Habits(per_day_median=8.0)
        per_user = habits.per_day_median * np.exp(habits.per_day_sigma**2 / 2) * 0.6 * ctx.days
        users = max(1, round(total * self.customer_share / max(per_user, 1e-9)))
        relayed = 0
        for customers in relay_end_users(ctx, users, np.arange(count), habits):
            customers.columns["ip"] = self.event_ips(ctx, accounts, len(customers),
                                                     self.residential_proxy_share)
            relayed += len(customers)
            yield customers
        # The harvest: single-shot, spread at random over the pool, round the clock.
        harvest = max(count, total - relayed)
        account = np.concatenate([np.arange(count), rng.integers(0, count, harvest - count)])
        weights = np.ones(int(np.ceil((ctx.end_us - ctx.start_us) / behaviour.BIN_US)))
        times = rng.permutation(behaviour.times_from_bins(rng, harvest, ctx.start_us, ctx.end_us,
                                                          weights))
        for part in self.time_slices(ctx, times):
            n = len(part)
            topic = rng.choice(len(self.topics), n, p=[0.45, 0.25, 0.2, 0.1])
            columns = self.model_and_sizes(ctx, times[part], max_tokens=(4096, 8192, 16384),
                                           max_tokens_p=(0.3, 0.4, 0.3),
                                           temperatures=(0.7, 1.0), completion_median=1800)
            columns.update({
                "prompt": self.elicit(ctx, ctx.prompts.mix(self.topics, topic, rng)),
                "ip": self.event_ips(ctx, accounts, n, self.residential_proxy_share),
                "turn": np.zeros(n, np.int32),
                "tool_count": np.where(topic == 1, rng.integers(3, 20, n), 0).astype(np.int32),
            })
            yield self.camouflage(ctx, Events(account[part], times[part], columns))


@register
@dataclass(frozen=True)
class CampaignTemplateFarm(CampaignBase):
    """One data-analysis prompt asking for complete and transparent reasoning, sent tens of
    thousands of times with small variations."""

    name: ClassVar[str] = "campaign_template_farm"
    short: ClassVar[str] = "template-farm"
    per_account_per_day: float = 600.0
    accounts_per_card: float = 6.0
    server_hosts: int = 4
    client_family: str = "aiohttp"
    interval_jitter: float = 0.08
    new_model_final_share: float = 0.5

    def make_accounts(self, ctx: Context, count: int) -> Accounts:
        return self.operator_accounts(ctx, count)

    def make_events(self, ctx: Context, accounts: Accounts) -> Iterator[Events]:
        rng, count = ctx.rng, len(accounts)
        rate = self.per_account_per_day * ctx.evasion.rate_scale
        interval = US_PER_DAY / max(rate, 1e-6)
        per_account = max(1, int(np.ceil((ctx.end_us - ctx.start_us) / interval)))
        # A fixed-cadence loop per account; timing jitter turns it into irregular gaps.
        sigma = self.interval_jitter + 0.9 * ctx.evasion.timing_jitter
        gaps = interval * rng.lognormal(-sigma**2 / 2, sigma, size=(count, per_account))
        first = rng.random((count, 1)) * interval
        times = (ctx.start_us + first + np.cumsum(gaps, axis=1) - gaps[:, :1]).astype(np.int64)
        account = np.repeat(np.arange(count), per_account)
        times = times.reshape(-1)
        keep = times < ctx.end_us
        keep[np.arange(count) * per_account] = True  # every account sends its first request
        account, times = account[keep], np.minimum(times[keep], ctx.end_us - 1)
        paraphrased = ctx.evasion.paraphrase
        for part in self.time_slices(ctx, times):
            n = len(part)
            prompts = ctx.prompts.render((*TEMPLATE_FARM, *TEMPLATE_FARM_PARAPHRASED), rng, n,
                                         weights=(1 - paraphrased, paraphrased / 2,
                                                  paraphrased / 2))
            columns = self.model_and_sizes(ctx, times[part], max_tokens=(8192,),
                                           max_tokens_p=(1.0,), temperatures=(1.0,),
                                           completion_median=1800)
            columns.update({"prompt": prompts, "ip": self.event_ips(ctx, accounts, n),
                            "turn": np.zeros(n, np.int32)})
            yield self.camouflage(ctx, Events(account[part], times[part], columns))


