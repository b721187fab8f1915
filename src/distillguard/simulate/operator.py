"""A campaign operator whose every tactic is a knob: the base of the tactic archetypes.

``Operator`` generates one campaign from independent choices, so that scenario families
can sample each of them from wide ranges (``families.py``):

- **who**: sign-up pattern (bursts of accounts within minutes, spread out, or aged
  accounts), account lifetimes, mailboxes, cards, access paths, organisations;
- **from where**: one server, shared datacenter ranges, a sticky home address per
  account, a fresh residential address per request, or a reseller's infrastructure;
- **with what client**: one uncommon stack shared only by the operator, one common SDK,
  varied SDKs, or browser-like clients that differ per account;
- **when**: independent round-the-clock or diurnal times, the operator's on/off waves,
  one shared schedule co-timed within milliseconds, or low-and-slow batches; a surge
  and a pivot to a new model after its release;
- **what**: the share of requests that harvest (the rest is cover traffic that looks
  like an ordinary user's conversations), which capabilities, how often the chain of
  thought is asked for (in which languages), whether prompts are replayed real ones,
  single requests or multi-turn conversations, and long outputs.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import ClassVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from distillguard.errors import ConfigError
from distillguard.simulate import behaviour, identity, schedules
from distillguard.simulate.activity import Work, chat_events, conversations, time_slices
from distillguard.simulate.base import Accounts, Archetype, Context, Events, new_account_ids
from distillguard.simulate.behaviour import US_PER_DAY, US_PER_HOUR, US_PER_SECOND
from distillguard.simulate.commons import infrastructure, uncommon_clients
from distillguard.simulate.customers import CustomerProfile
from distillguard.simulate.legitimate import maybe
from distillguard.simulate.outputs import kinds_of, sized_responses
from distillguard.simulate.prompts import (
    CAMPAIGN_ELICITATION,
    PARAPHRASED_ELICITATION,
    SYSTEM_PROMPTS,
    TEMPLATE_FARM,
    append_phrases,
)
from distillguard.simulate.textgen import constant, pick, random_hex, text_pool

SIGNUPS = ("burst", "spread", "aged")
IP_MODES = ("server", "datacenter", "sticky_home", "own_datacenter", "fresh_residential",
            "infrastructure")
CLIENT_MODES = ("uncommon_shared", "sdk_shared", "varied_sdk", "browser", "infrastructure")
EMAIL_MODES = ("farm", "personal", "edu", "corporate", "infrastructure")
SCHEDULES = ("uniform", "diurnal", "waves", "lockstep", "batches")
#: What cover requests ask, weighted like ordinary people's.
COVER_TOPICS: Mapping[str, float] = MappingProxyType({
    "chitchat": 0.45, "writing": 0.2, "creative": 0.08, "coding": 0.12, "reasoning": 0.08,
    "politics": 0.04, "vision": 0.03})
#: Harvest topic names beyond the prompt capabilities.
TEMPLATE_TOPIC = "template_farm"
#: Where replayed real prompts come from, per capability (corpus pool names).
REPLAY_POOLS: Mapping[str, str] = MappingProxyType({
    "chitchat": "human", "writing": "human", "creative": "human", "reasoning": "reasoning",
    "coding": "coding", "agentic": "tool_use", "data_analysis": "human"})


def frozen_weights(values: Mapping[str, float]) -> Mapping[str, float]:
    return MappingProxyType(dict(values))


@dataclass(frozen=True)
class Operator(Archetype):
    """A configurable distillation operator (see the module docstring for the knobs)."""

    campaign: ClassVar[bool] = True
    # ---- who -------------------------------------------------------------------------
    signup: str = "burst"
    burst_size: int = 100
    burst_minutes: float = 15.0
    signup_lead_hours: tuple[float, float] = (0.5, 72.0)
    age_days: tuple[float, float] = (30.0, 300.0)
    active_hours: tuple[float, float] | None = None
    email_mode: str = "farm"
    card_share: float = 0.5
    accounts_per_card: float = 5.0
    accounts_per_org: float = 1.0
    access_paths: Mapping[str, float] = field(
        default_factory=lambda: frozen_weights({"direct": 1.0}))
    programme_verified: float = 0.15
    claimed_countries: tuple[str, ...] = ("US", "SG", "HK", "GB", "JP", "KR", "DE", "CA", "TW")
    # ---- from where, with what ---------------------------------------------------------
    ip_mode: str = "fresh_residential"
    ip_pool: int = 4
    client_mode: str = "uncommon_shared"
    client_stacks: int = 1
    infrastructure_key: str = ""
    system_prompt_share: float = 0.3
    # ---- how much, when ------------------------------------------------------------------
    requests_per_account: tuple[float, float] = (15.0, 40.0)
    schedule: str = "uniform"
    lockstep_jitter_ms: float = 20.0
    accounts_per_tick: tuple[int, int] = (2, 8)
    batch_size: tuple[int, int] = (3, 12)
    batch_every_hours: tuple[float, float] = (4.0, 12.0)
    shared_batches: bool = False
    post_release_boost: float = 1.0
    # ---- what --------------------------------------------------------------------------
    harvest_share: float = 1.0
    harvest_topics: Mapping[str, float] = field(
        default_factory=lambda: frozen_weights({"reasoning": 0.5, "coding": 0.3, "agentic": 0.2}))
    replay_share: float = 0.0
    mean_turns: float = 1.0
    turn_gap_s: float = 20.0
    elicitation_share: float = 0.5
    foreign_share: float = 0.2
    paraphrase_share: float = 0.0
    max_tokens: tuple[int, ...] = (8192, 16384, 32000)
    completion_median: float = 1800.0
    temperatures: tuple[float, ...] = (0.7, 1.0)
    tools: tuple[int, int] = (4, 24)
    logprobs_share: float = 0.05
    new_model_final_share: float = 0.5
    new_model_ramp_hours: float = 12.0

    def __post_init__(self) -> None:
        for name, value, allowed in (("signup", self.signup, SIGNUPS),
                                     ("ip_mode", self.ip_mode, IP_MODES),
                                     ("client_mode", self.client_mode, CLIENT_MODES),
                                     ("email_mode", self.email_mode, EMAIL_MODES),
                                     ("schedule", self.schedule, SCHEDULES)):
            if value not in allowed:
                raise ConfigError(f"scenario: archetype '{self.name}': {name} must be one of "
                                  f"{', '.join(allowed)}, got '{value}'")
        uses_infrastructure = "infrastructure" in (self.ip_mode, self.client_mode,
                                                   self.email_mode)
        if uses_infrastructure and not self.infrastructure_key:
            raise ConfigError(f"scenario: archetype '{self.name}' uses infrastructure without "
                              "an infrastructure_key")

    def customer_profile(self) -> CustomerProfile:
        if self.infrastructure_key:  # a reseller's sub-accounts: the reseller's records
            return CustomerProfile(tiers={"enterprise": 0.5, "pay_as_you_go": 0.5},
                                   free_without_card=False, verified_share=1.0,
                                   declared_use="reseller", declared_share=1.0,
                                   contract_share=0.5)
        return CustomerProfile(programme_verified_share=self.programme_verified)

    # ---- who -------------------------------------------------------------------------
    def make_accounts(self, ctx: Context, count: int) -> Accounts:
        rng = ctx.rng
        country = identity.countries(rng, count, only=self.claimed_countries or None)
        created, begin, end = self._lifecycle(ctx, count)
        paths = list(self.access_paths)
        path = identity.weighted_keys(rng, dict(self.access_paths), count)
        columns: dict[str, pa.Array] = {
            "email": self._emails(ctx, count, country),
            "payment_fingerprint": self._cards(rng, count),
            "account_created_at": pa.array(created),
            "country": identity.country_codes(country),
            "access_path": pa.array(paths, pa.string()).take(path),
            "org_id": self._orgs(ctx, count),
        }
        columns["user_agent"], columns["tls_fingerprint"] = self._clients(ctx, count)
        servers = identity.hosting_prefixes(rng, 1 if self.ip_mode == "server"
                                            else max(1, self.ip_pool))
        columns["ip"] = self._account_ips(ctx, count, servers)
        system = pick(SYSTEM_PROMPTS["harvest_reasoning"] + SYSTEM_PROMPTS["harvest_agentic"],
                      rng, count)
        columns["system_prompt"] = maybe(rng, system, 1 - self.system_prompt_share)
        low, high = self.requests_per_account
        requests = np.exp(rng.uniform(np.log(max(low, 1.0)), np.log(max(high, low, 1.0)), count))
        traits = {
            "country": country, "utc_offset": identity.utc_offsets(rng, country),
            "begin": begin, "end": end, "servers": servers,
            "requests": np.maximum(1, np.round(requests)).astype(np.int64),
            "max_tokens": rng.choice(np.asarray([1024, 2048, 4096]), count),
            "temperature": rng.choice(np.asarray([0.7, 1.0]), count),
        }
        return Accounts(new_account_ids(rng, count), columns, traits)

    def _lifecycle(self, ctx: Context, count: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Creation time and active interval ``[begin, end)`` per account."""
        rng = ctx.rng
        start, stop = ctx.start_us, ctx.end_us
        window = stop - start
        life = (None if self.active_hours is None else
                np.minimum(rng.uniform(*self.active_hours, count) * US_PER_HOUR, window))
        lead_low, lead_high = (max(x, 1e-3) for x in self.signup_lead_hours)
        if self.signup == "aged":
            days = np.exp(rng.uniform(np.log(max(self.age_days[0], 0.1)),
                                      np.log(max(self.age_days[1], self.age_days[0], 0.1)),
                                      count))
            created = start - (days * US_PER_DAY).astype(np.int64)
            begin = np.full(count, start, np.int64)
        elif self.signup == "spread":
            lead = np.exp(rng.uniform(np.log(lead_low), np.log(max(lead_high, lead_low)), count))
            created = start - (lead * US_PER_HOUR).astype(np.int64)
            begin = np.full(count, start, np.int64)
        else:
            bursts = max(1, -(-count // max(self.burst_size, 1)))
            if life is not None:  # waves of burner accounts, created as the harvest goes
                first = start - int(lead_low * US_PER_HOUR)
                when = np.sort(rng.uniform(first, stop - 2 * US_PER_HOUR, bursts))
            else:
                lead = np.exp(rng.uniform(np.log(lead_low), np.log(max(lead_high, lead_low)),
                                          bursts))
                when = start - lead * US_PER_HOUR
            burst_of = np.minimum(np.arange(count) // max(self.burst_size, 1), bursts - 1)
            created = (when[burst_of] + rng.random(count) * self.burst_minutes * 60
                       * US_PER_SECOND).astype(np.int64)
            lag = (rng.uniform(1, 30, count) * 60 * US_PER_SECOND).astype(np.int64)
            begin = np.maximum(start, created + lag)
        if life is not None and self.signup != "burst":
            begin = begin + (rng.random(count) * np.maximum(window - life, 0)).astype(np.int64)
        latest = stop - 10 * 60 * US_PER_SECOND
        begin = np.minimum(begin, latest)
        created = np.minimum(created, begin)
        end = (np.full(count, stop, np.int64) if life is None
               else np.minimum(stop, begin + life.astype(np.int64)))
        end = np.maximum(end, begin + 60 * US_PER_SECOND)
        return created, begin, np.minimum(end, stop)

    def _emails(self, ctx: Context, count: int, country: np.ndarray) -> pa.Array:
        rng = ctx.rng
        if self.email_mode == "personal":
            return identity.personal_emails(rng, country)
        if self.email_mode == "edu":
            campus = pa.array([identity.university_domain(rng, code) for code in
                               ("US", "GB", "IN", "AU", "CA", "KR")])
            return identity.domain_emails(rng, count, pick(campus, rng, count),
                                          ("{first}{last}{int:10-99}", "{first}.{last}",
                                           "{initial}{last}{int:1-999}"))
        if self.email_mode == "corporate":
            domain = identity.company_domain(rng)
            return identity.domain_emails(rng, count, domain,
                                          ("{first}.{last}", "{first}", "dev{int:1-99}"))
        if self.email_mode == "infrastructure":
            domain = infrastructure(ctx, self.infrastructure_key).domain
            return identity.domain_emails(rng, count, domain,
                                          ("customer{int:100-99999}", "sub-{int:1000-9999}"))
        return identity.farm_emails(rng, count)

    def _cards(self, rng: np.random.Generator, count: int) -> pa.Array:
        if self.accounts_per_card <= 1:
            cards = identity.cards(rng, count)
        else:
            cards = identity.shared_cards(rng, count, int(np.ceil(count / self.accounts_per_card)))
        return maybe(rng, cards, 1 - self.card_share)

    def _orgs(self, ctx: Context, count: int) -> pa.Array:
        rng = ctx.rng
        if self.email_mode == "infrastructure" or self.client_mode == "infrastructure":
            return constant(infrastructure(ctx, self.infrastructure_key).org_id, count)
        if self.accounts_per_org <= 1:
            return random_hex(rng, count, 6, prefix="org_")
        pool = random_hex(rng, max(1, int(np.ceil(count / self.accounts_per_org))), 6,
                          prefix="org_")
        return pool.take(np.arange(count) % len(pool))

    def _clients(self, ctx: Context, count: int) -> tuple[pa.Array, pa.Array]:
        rng = ctx.rng
        if self.client_mode == "browser":
            return identity.clients(rng, count, identity.CONSUMER_CLIENTS)
        if self.client_mode == "varied_sdk":
            return identity.clients(rng, count, identity.DEVELOPER_CLIENTS)
        if self.client_mode == "sdk_shared":
            agent, tls = identity.one_client(rng, "python_sdk")
            return constant(agent, count), constant(tls, count)
        if self.client_mode == "infrastructure":
            infra = infrastructure(ctx, self.infrastructure_key)
            return constant(infra.user_agent, count), constant(infra.tls, count)
        stack_agents, stack_tls = uncommon_clients(rng, self.client_stacks)
        which = rng.integers(0, len(stack_agents), count)
        return (pa.array(stack_agents, pa.string()).take(which),
                pa.array(stack_tls, pa.string()).take(which))

    def _account_ips(self, ctx: Context, count: int, servers: np.ndarray) -> pa.Array:
        """The address column per account (per-request modes replace it per event)."""
        rng = ctx.rng
        if self.ip_mode == "own_datacenter":
            return identity.addresses_in(rng, identity.hosting_prefixes(rng, count), count)
        if self.ip_mode in ("server", "datacenter"):
            hosts = max(1, self.ip_pool) if self.ip_mode == "server" else 254
            return identity.addresses_in(rng, servers, count, hosts)
        if self.ip_mode == "infrastructure":
            return infrastructure(ctx, self.infrastructure_key).addresses(rng, count)
        return identity.residential_ips(rng, count, ipv6_share=0.1)

    def event_ips(self, ctx: Context, accounts: Accounts, account: np.ndarray) -> pa.Array:
        rng, n = ctx.rng, len(account)
        if self.ip_mode == "fresh_residential":
            return identity.residential_ips(rng, n, ipv6_share=0.05)
        if self.ip_mode == "datacenter":
            return identity.addresses_in(rng, accounts.traits["servers"], n)
        if self.ip_mode == "server":
            return identity.addresses_in(rng, accounts.traits["servers"], n, max(1, self.ip_pool))
        if self.ip_mode == "infrastructure":
            return infrastructure(ctx, self.infrastructure_key).addresses(rng, n)
        own = accounts.columns["ip"].take(account)
        if self.ip_mode == "sticky_home":  # now and then from the phone or another network
            other = identity.residential_ips(rng, n, ipv6_share=0.3)
            return pc.if_else(pa.array(rng.random(n) < 0.15), other, own)
        return own

    # ---- when and what ---------------------------------------------------------------------
    def make_events(self, ctx: Context, accounts: Accounts) -> Iterator[Events]:
        rng = ctx.rng
        requests = accounts.traits["requests"]
        harvest = rng.binomial(requests, min(max(self.harvest_share, 0.0), 1.0))
        if self.harvest_share > 0:
            harvest = np.maximum(harvest, 1)
        cover = requests - harvest
        if harvest.sum() > 0:
            yield from self.harvest_events(ctx, accounts, harvest)
        if cover.sum() > 0:
            yield from self.cover_events(ctx, accounts, cover)

    def _weight(self, ctx: Context, accounts: Accounts) -> schedules.Weight | None:
        rng = ctx.rng
        base: schedules.Weight | None = None
        if self.schedule == "diurnal":
            base = schedules.diurnal_weight(accounts.traits["utc_offset"],
                                            behaviour.CONSUMER_PROFILE)
        elif self.schedule in ("waves", "lockstep"):
            base = schedules.waves_weight(rng, ctx.start_us, ctx.end_us,
                                          float(rng.uniform(30, 120)), float(rng.uniform(10, 60)))
        return schedules.surge(base, ctx.release_us, self.post_release_boost)

    def harvest_times(self, ctx: Context, accounts: Accounts,
                      counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        rng = ctx.rng
        begin, end = accounts.traits["begin"], accounts.traits["end"]
        if self.schedule == "batches":
            return schedules.batches(rng, counts, begin, end, size=self.batch_size,
                                     every_hours=self.batch_every_hours,
                                     shared=self.shared_batches)
        weight = self._weight(ctx, accounts)
        if self.schedule == "lockstep":
            per_tick = rng.uniform(*self.accounts_per_tick)
            ticks = schedules.tick_times(rng, max(1, int(counts.sum() / max(per_tick, 1.0))),
                                         ctx.start_us, ctx.end_us, weight)
            return schedules.lockstep(rng, counts, begin, end, ticks, self.lockstep_jitter_ms)
        return schedules.in_intervals(rng, counts, begin, end, weight)

    def harvest_events(self, ctx: Context, accounts: Accounts,
                       counts: np.ndarray) -> Iterator[Events]:
        rng = ctx.rng
        turns_mean = max(self.mean_turns, 1.0)
        sessions = np.maximum(np.round(counts / turns_mean), 1).astype(np.int64)
        sessions = np.where(counts > 0, sessions, 0)
        starter, starts = self.harvest_times(ctx, accounts, sessions)
        order = np.argsort(starts, kind="stable")
        starter, starts = starter[order], starts[order]
        turns = (rng.geometric(1.0 / turns_mean, len(starts)) if turns_mean > 1
                 else np.ones(len(starts), np.int64))
        # One script drives a lockstep network: the same wait between turns for everyone.
        sigma = 0.0 if self.schedule == "lockstep" else 0.6
        talk = behaviour.expand_conversations(rng, starter, starts, turns, ctx.end_us,
                                              self.turn_gap_s, sigma)
        names = list(self.harvest_topics)
        p = np.asarray(list(self.harvest_topics.values()), dtype=np.float64)
        topic = rng.choice(len(names), len(starts), p=p / p.sum())
        model = behaviour.choose_models(rng, starts, ctx.release_us,
                                        final_share=self.new_model_final_share,
                                        ramp_hours=self.new_model_ramp_hours,
                                        base=("frontier-1",), base_weights=(1.0,))
        replayed = rng.random(len(starts)) < self.replay_share
        for part in time_slices(ctx, talk.time_us):
            session = talk.session[part]
            codes = topic[session]
            later = talk.turn[part] > 0
            prompts = self.harvest_prompts(ctx, names, codes, replayed[session], later)
            yield self._harvest_block(ctx, accounts, talk, part, names, codes, prompts,
                                      model.take(session))

    def harvest_prompts(self, ctx: Context, names: list[str], codes: np.ndarray,
                        replayed: np.ndarray, later: np.ndarray) -> pa.Array:
        """Prompts per harvest event: replayed real ones, templates, or the farm template."""
        rng, n = ctx.rng, len(codes)
        farm = names.index(TEMPLATE_TOPIC) if TEMPLATE_TOPIC in names else -1
        capabilities = [name if name != TEMPLATE_TOPIC else "data_analysis" for name in names]
        prompts = ctx.prompts.mix(capabilities, codes, rng, followup=later)
        real = replayed & ~later
        corpus = ctx.prompts.corpus
        if corpus is not None and real.any():
            for k, name in enumerate(names):
                pool = corpus.pool(REPLAY_POOLS.get(name, ""))
                mask = real & (codes == k)
                if pool is not None and len(pool) and mask.any():
                    chosen = pick(pool, rng, n)
                    prompts = pc.if_else(pa.array(mask), chosen, prompts)
        follow = replayed & later
        if corpus is not None and corpus.followups is not None and follow.any():
            # Replayed conversations go on with real second turns.
            prompts = pc.if_else(pa.array(follow), pick(corpus.followups, rng, n), prompts)
        if farm >= 0 and (codes == farm).any():
            mask = (codes == farm) & ~later
            farmed = ctx.prompts.render(TEMPLATE_FARM, rng, n)
            prompts = pc.if_else(pa.array(mask), farmed, prompts)
        eligible = ~later & (codes != farm)
        return self.elicit(rng, prompts, eligible)

    def elicit(self, rng: np.random.Generator, prompts: pa.Array,
               eligible: np.ndarray) -> pa.Array:
        """Append a chain-of-thought request (some not in English, some paraphrased)."""
        n = len(prompts)
        english = [p for p in CAMPAIGN_ELICITATION if p.isascii()]
        foreign = [p for p in CAMPAIGN_ELICITATION if not p.isascii()]
        phrases = pc.if_else(pa.array(rng.random(n) < self.foreign_share), pick(foreign, rng, n),
                             pick(english, rng, n))
        phrases = pc.if_else(pa.array(rng.random(n) < self.paraphrase_share),
                             pick(PARAPHRASED_ELICITATION, rng, n), phrases)
        return append_phrases(prompts, phrases, rng, self.elicitation_share, eligible=eligible)

    def _harvest_block(self, ctx: Context, accounts: Accounts, talk: behaviour.Conversations,
                       part: np.ndarray, names: list[str], codes: np.ndarray, prompts: pa.Array,
                       model: pa.Array) -> Events:
        rng, n = ctx.rng, len(part)
        account = talk.account[part]
        max_tokens = np.asarray(self.max_tokens)[rng.integers(0, len(self.max_tokens), n)]
        completion = np.minimum(rng.lognormal(np.log(self.completion_median), 0.5, n),
                                max_tokens).astype(np.int64)
        agentic = np.isin(codes, [k for k, name in enumerate(names)
                                  if name in ("agentic", "trace_reconstruction")])
        tools = np.where(agentic, rng.integers(self.tools[0], self.tools[1] + 1, n), 0)
        refusal = np.isin(codes, [k for k, name in enumerate(names) if name == "safe_rewrite"])
        refused = rng.random(n) < np.where(refusal, 0.1, 0.004)
        status = text_pool(("ok", "refused")).take(refused.astype(np.int64))
        columns: dict[str, pa.Array | np.ndarray] = {
            "prompt": prompts, "model": model, "ip": self.event_ips(ctx, accounts, account),
            "turn": talk.turn[part], "max_tokens": max_tokens, "completion_tokens": completion,
            "temperature": np.asarray(self.temperatures)[
                rng.integers(0, len(self.temperatures), n)],
            "logprobs": rng.random(n) < self.logprobs_share,
            "tool_count": tools.astype(np.int32), "status": status,
            "response": sized_responses(rng, kinds_of(names, codes), completion, status),
        }
        if self.mean_turns > 1:
            columns["conversation_id"] = talk.conversation_id.take(part)
        return Events(account, talk.time_us[part], columns)

    def cover_events(self, ctx: Context, accounts: Accounts,
                     counts: np.ndarray) -> Iterator[Events]:
        """Ordinary-looking conversations in each account's daytime (the cover traffic)."""
        sessions = np.where(counts > 0, np.maximum(np.round(counts / 2.2), 1), 0).astype(np.int64)
        weight = schedules.diurnal_weight(accounts.traits["utc_offset"],
                                          behaviour.CONSUMER_PROFILE)
        talk = conversations(ctx, sessions, accounts.traits["begin"], accounts.traits["end"],
                             weight, 2.2, 45.0)
        yield from chat_events(ctx, accounts, talk, Work(topics=COVER_TOPICS),
                               ips=lambda account: self.event_ips(ctx, accounts, account))
