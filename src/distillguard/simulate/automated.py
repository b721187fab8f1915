"""Legitimate machines: enterprise batch jobs, benchmark runners, resellers.

They share much with campaigns (one template at huge volume; chain-of-thought asked
for at temperature 0 on a brand-new model; one account serving many end users from
datacenter addresses) and must still not be flagged.
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
    chunks,
    new_account_ids,
    register,
)
from distillguard.simulate.behaviour import US_PER_DAY, US_PER_HOUR, US_PER_SECOND
from distillguard.simulate.customers import CustomerProfile
from distillguard.simulate.human import Habits, human_events
from distillguard.simulate.legitimate import (
    DEVELOPER_TOPICS,
    created_before,
    maybe,
)
from distillguard.simulate.prompts import SYSTEM_PROMPTS
from distillguard.simulate.textgen import constant, join_columns, pick, random_hex, subnet_hosts

#: One job = one template with slots, filled from the job's own data.
BATCH_TEMPLATES = (
    "Classify the following support ticket into exactly one of: billing, shipping, returns, "
    "technical, other. Reply with the label only.\n\nTicket: {sentence} {sentence}",
    "Extract the company name, invoice number and total amount from this text as JSON with "
    "keys company, invoice, total.\n\nInvoice INV-{int:10000-99999} from {name} "
    "Logistics Ltd. Amount due: {int:20-9000}.{int:10-99} EUR. {sentence}",
    "Translate the following product description into {language}. Keep the formatting and "
    "do not add anything.\n\n{paragraph}",
    "Summarize this customer call transcript in two sentences for the CRM.\n\nAgent: "
    "{sentence}\nCustomer: {sentence}\nAgent: {sentence}\nCustomer: {sentence}",
    "Is this product review positive or negative? Answer 'positive' or 'negative'.\n\n"
    "Review: {sentence} {sentence}",
    "Write a one-line SEO title (max 60 characters) for this listing: {purchase}, "
    "{int:1-5} years old, {reason}.",
)
BENCHMARK_SUFFIXES = ("Let's think step by step.", "Let's think step by step.",
                      "Think step by step, then give the final answer after '####'.", "")
BATCH_SYSTEM_PROMPTS = ("You are a classification service. Output only the label.",
                        "You are a data extraction service. Output valid JSON only.",
                        "You are a professional translator.", None)


def server_accounts(ctx: Context, count: int, *, access: tuple[str, ...],
                    access_weights: tuple[float, ...], email_styles: tuple[str, ...],
                    org_size: int, addresses: int) -> Accounts:
    """Service accounts of organisations: work mailboxes, company cards, cloud addresses."""
    rng = ctx.rng
    org = (np.arange(count) * max(1, -(-count // max(org_size, 1)))) // max(count, 1)
    n_orgs = int(org.max()) + 1
    home = identity.countries(rng, n_orgs, only=("US", "GB", "DE", "FR", "JP", "IN", "CA",
                                                 "NL", "SG", "KR", "BR"))
    domains = pa.array([identity.company_domain(rng) for _ in range(n_orgs)])
    agents, tls = identity.clients(rng, count, identity.SERVER_CLIENTS)
    prefixes = identity.hosting_prefixes(rng, n_orgs)
    hosts = rng.integers(1, 255, size=(count, max(1, addresses)))
    ages = identity.account_ages_us(rng, count, 300.0, 0.7, 24 * 14)
    columns = {
        "email": identity.domain_emails(rng, count, domains.take(org), email_styles),
        "payment_fingerprint": identity.cards(rng, n_orgs).take(org),
        "org_id": random_hex(rng, n_orgs, 6, prefix="org_").take(org),
        "account_created_at": pa.array(created_before(ctx, ages)),
        "country": identity.country_codes(home[org]),
        "access_path": pick(access, rng, count, weights=access_weights),
        "user_agent": agents,
        "tls_fingerprint": tls,
        "ip": subnet_hosts(prefixes[org], hosts[:, 0]),
    }
    traits = {"country": home[org], "utc_offset": identity.utc_offsets(rng, home)[org],
              "org": org}
    aux = {"ip_2": subnet_hosts(prefixes[org], hosts[:, -1])}
    return Accounts(new_account_ids(rng, count), columns, traits, aux)


def at_least_one(rng: np.random.Generator, times: np.ndarray, start_us: int, end_us: int,
                 burst: int = 5) -> np.ndarray:
    """Guarantee a job shows up: a short burst at a random time if its schedule missed."""
    if len(times):
        return times
    first = start_us + int(rng.random() * max(end_us - start_us - burst * US_PER_SECOND, 1))
    return first + np.arange(burst, dtype=np.int64) * US_PER_SECOND


@register
@dataclass(frozen=True)
class EnterpriseBatch(Archetype):
    """A nightly job: one template, thousands of requests at a fixed cadence, temperature 0."""

    name: ClassVar[str] = "enterprise_batch"
    customer: ClassVar[CustomerProfile] = CustomerProfile(
        tiers={"enterprise": 0.8, "pay_as_you_go": 0.2}, verified_share=0.95,
        declared_use="batch", declared_share=0.7, contract_share=0.6)
    interval_seconds: tuple[float, float] = (4.0, 15.0)
    window_hours: tuple[float, float] = (1.0, 3.0)
    hourly_share: float = 0.3
    hourly_burst: tuple[int, int] = (20, 80)

    def make_accounts(self, ctx: Context, count: int) -> Accounts:
        accounts = server_accounts(
            ctx, count, access=("cloud", "direct"), access_weights=(0.5, 0.5),
            email_styles=("ml-batch", "data-platform+{int:1-9}", "ops-{int:1-99}",
                          "{first}.{last}"), org_size=2, addresses=2)
        rng = ctx.rng
        accounts.traits.update({
            "template": rng.integers(0, len(BATCH_TEMPLATES), count),
            "hourly": (rng.random(count) < self.hourly_share).astype(np.int64),
            "max_tokens": rng.choice(np.asarray([16, 64, 128, 256]), count),
            "night_start": rng.uniform(0.5, 3.0, count),
        })
        system = [BATCH_SYSTEM_PROMPTS[int(k) % len(BATCH_SYSTEM_PROMPTS)]
                  for k in accounts.traits["template"]]
        accounts.columns["system_prompt"] = pa.array(system, pa.string())
        return accounts

    def make_events(self, ctx: Context, accounts: Accounts) -> Iterator[Events]:
        rng = ctx.rng
        corpus = ctx.prompts.corpus
        corpus_jobs = corpus.batch_jobs() if corpus is not None else []
        for k in range(len(accounts)):  # a handful of jobs: one loop per job is fine
            times = self._schedule(ctx, accounts, k)
            n = len(times)
            template = int(accounts.traits["template"][k])
            # With a corpus, every other job replays one real one-template batch file.
            pool = (corpus.pool(corpus_jobs[k // 2 % len(corpus_jobs)])
                    if corpus is not None and corpus_jobs and k % 2 == 0 else None)
            prompts = (pick(pool, rng, n) if pool is not None
                       else ctx.prompts.render((BATCH_TEMPLATES[template],), rng, n))
            model = "frontier-1-mini" if template % 2 else "frontier-1"
            max_tokens = int(accounts.traits["max_tokens"][k])
            yield Events(
                account=np.full(n, k, dtype=np.int64), time_us=times,
                columns={
                    "prompt": prompts, "model": constant(model, n), "turn": np.zeros(n, np.int32),
                    "temperature": np.zeros(n), "max_tokens": np.full(n, max_tokens),
                    "completion_tokens": rng.integers(2, max_tokens + 1, n),
                    "status": pick(("ok", "error"), rng, n, weights=(0.995, 0.005)),
                })

    def _schedule(self, ctx: Context, accounts: Accounts, k: int) -> np.ndarray:
        rng = ctx.rng
        offset = int(accounts.traits["utc_offset"][k] * US_PER_HOUR)
        interval = rng.uniform(*self.interval_seconds) * US_PER_SECOND
        first_day = (ctx.start_us + offset) // US_PER_DAY - 1
        last_day = (ctx.end_us + offset) // US_PER_DAY + 1
        runs = []
        if accounts.traits["hourly"][k]:
            burst = int(rng.integers(*self.hourly_burst))
            minute = int(rng.integers(0, 60)) * 60 * US_PER_SECOND
            hours = np.arange(ctx.start_us // US_PER_HOUR, ctx.end_us // US_PER_HOUR + 1)
            spacing = int(rng.uniform(0.2, 1.0) * US_PER_SECOND)
            for hour in hours:
                runs.append(hour * US_PER_HOUR + minute + np.arange(burst) * spacing)
        else:
            length = rng.uniform(*self.window_hours) * US_PER_HOUR
            night = int(accounts.traits["night_start"][k] * US_PER_HOUR)
            for day in range(int(first_day), int(last_day) + 1):
                begin = day * US_PER_DAY + night - offset
                runs.append(begin + np.arange(0, length, interval).astype(np.int64))
        times = np.concatenate(runs) if runs else np.zeros(0, np.int64)
        # Cron jitter: tens of milliseconds, the signature of a scheduler, not a person.
        times = times + rng.normal(0, 30_000, len(times)).astype(np.int64)
        times = times[(times >= ctx.start_us) & (times < ctx.end_us)]
        return at_least_one(rng, np.sort(times), ctx.start_us, ctx.end_us)


@register
@dataclass(frozen=True)
class BenchmarkRunner(Archetype):
    """Evaluation runs: public-benchmark-style questions with "think step by step"."""

    name: ClassVar[str] = "benchmark_runner"
    customer: ClassVar[CustomerProfile] = CustomerProfile(
        tiers={"pay_as_you_go": 0.6, "enterprise": 0.4}, verified_share=0.8,
        declared_use="benchmark", declared_share=0.5)
    questions: tuple[int, int] = (300, 1000)
    requests_per_second: tuple[float, float] = (0.5, 3.0)
    runs_before_release: tuple[int, int] = (1, 2)
    hours_after_release: tuple[float, float] = (0.3, 4.0)
    judge_share: float = 0.3
    pass_at_k_share: float = 0.25

    def make_accounts(self, ctx: Context, count: int) -> Accounts:
        accounts = server_accounts(
            ctx, count, access=("research", "direct"), access_weights=(0.6, 0.4),
            email_styles=("evals", "{first}.{last}", "benchmarks+{int:1-9}"), org_size=3,
            addresses=3)
        rng = ctx.rng
        accounts.traits.update({
            "judge": (rng.random(count) < self.judge_share).astype(np.int64),
            "pass_at_k": (rng.random(count) < self.pass_at_k_share).astype(np.int64),
            "logprobs": (rng.random(count) < 0.3).astype(np.int64),
        })
        accounts.columns["system_prompt"] = maybe(
            rng, pick(SYSTEM_PROMPTS["evaluation"], rng, count), 0.4)
        return accounts

    def _question_set(self, ctx: Context, judge: bool, size: int) -> pa.Array:
        rng = ctx.rng
        if judge:
            return ctx.prompts.generate("rubric", rng, size)
        math = ctx.prompts.corpus.pool("reasoning") if ctx.prompts.corpus else None
        kind = rng.random()
        if math is not None and kind < 0.4:
            base = pick(math, rng, size)
        elif kind < 0.7:
            base = ctx.prompts.render(("{word_problem}",), rng, size)
        else:
            base = ctx.prompts.render(("Question: {mc_item}\nAnswer with the letter of the "
                                       "correct option.",), rng, size)
        # One harness, one instruction appended to every question of the set.
        suffix = str(pick(BENCHMARK_SUFFIXES, rng, 1)[0].as_py())
        return join_columns([base, "\n\n" + suffix], size) if suffix else base

    def make_events(self, ctx: Context, accounts: Accounts) -> Iterator[Events]:
        rng = ctx.rng
        for k in range(len(accounts)):  # a few runners, a few runs each
            judge = bool(accounts.traits["judge"][k])
            questions = self._question_set(ctx, judge, int(rng.integers(*self.questions)))
            runs = self._run_plan(ctx)
            for run_start, model in runs:
                rate = rng.uniform(*self.requests_per_second)
                gaps = rng.exponential(1.0 / rate, len(questions)) * US_PER_SECOND
                times = run_start + np.cumsum(gaps).astype(np.int64)
                keep = times < ctx.end_us
                n = int(keep.sum())
                if n == 0:
                    continue
                sampled = bool(accounts.traits["pass_at_k"][k]) and rng.random() < 0.5
                yield Events(
                    account=np.full(n, k, dtype=np.int64), time_us=times[keep],
                    columns={
                        "prompt": questions.filter(pa.array(keep)), "model": constant(model, n),
                        "turn": np.zeros(n, np.int32),
                        "temperature": np.full(n, 0.8 if sampled else 0.0),
                        "n": np.full(n, 5 if sampled else 1, dtype=np.int32),
                        "logprobs": np.full(n, bool(accounts.traits["logprobs"][k])),
                        "max_tokens": np.full(n, 1024 if judge else 2048),
                        "completion_tokens": rng.lognormal(np.log(320), 0.6, n).astype(np.int64),
                        "status": pick(("ok", "error"), rng, n, weights=(0.99, 0.01)),
                    })

    def _run_plan(self, ctx: Context) -> list[tuple[int, str]]:
        """When each run starts and on which model: the new model right after release."""
        rng = ctx.rng
        plan: list[tuple[int, str]] = []
        before_end = ctx.release_us if ctx.release_us is not None else ctx.end_us
        for _ in range(int(rng.integers(self.runs_before_release[0],
                                        self.runs_before_release[1] + 1))):
            span = max(before_end - ctx.start_us - US_PER_HOUR, 1)
            plan.append((ctx.start_us + int(rng.random() * span), "frontier-1"))
        if ctx.release_us is not None and ctx.release_us < ctx.end_us:
            delay = rng.uniform(*self.hours_after_release) * US_PER_HOUR
            start = min(ctx.release_us + int(delay), ctx.end_us - US_PER_SECOND)
            plan.append((start, "frontier-2"))
        return plan


@register
@dataclass(frozen=True)
class Reseller(Archetype):
    """A legitimate router: one account relaying many end users' ordinary requests."""

    name: ClassVar[str] = "reseller"
    customer: ClassVar[CustomerProfile] = CustomerProfile(
        tiers={"enterprise": 0.7, "pay_as_you_go": 0.3}, verified_share=1.0,
        declared_use="reseller", declared_share=1.0, contract_share=0.7)
    end_users: int = 150

    def make_accounts(self, ctx: Context, count: int) -> Accounts:
        accounts = server_accounts(
            ctx, count, access=("reseller",), access_weights=(1.0,),
            email_styles=("platform", "api+{int:1-9}", "billing"), org_size=1, addresses=4)
        accounts.traits["max_tokens"] = np.full(count, 4096)
        accounts.traits["temperature"] = np.full(count, 0.7)
        return accounts

    def make_events(self, ctx: Context, accounts: Accounts) -> Iterator[Events]:
        habits = Habits(capabilities={**DEVELOPER_TOPICS, "chitchat": 0.3})
        for k in range(len(accounts)):
            yield from relay_end_users(ctx, self.end_users, np.asarray([k]), habits)


def relay_end_users(ctx: Context, users: int, target: np.ndarray,
                    habits: Habits) -> Iterator[Events]:
    """Ordinary conversations of ``users`` people, sent through the ``target`` accounts.

    Each conversation goes through one target account (picked at random), so the
    targets carry a real mix of human requests; the targets' own account columns
    (client, address, ...) apply. Generated in chunks of people to bound memory.
    """
    rng = ctx.rng
    for members in chunks(users, ctx.accounts_per_block(habits.mean_events(ctx.days))):
        count = len(members)
        country = identity.countries(rng, count)
        people = Accounts(
            ids=constant("", count), columns={},
            traits={"country": country, "utc_offset": identity.utc_offsets(rng, country),
                    "max_tokens": np.full(count, 4096), "temperature": np.full(count, 0.7)})
        events = human_events(ctx, people, np.arange(count), habits)
        conversation = events.columns["conversation_id"]
        assert isinstance(conversation, pa.Array)
        # All turns of one conversation go through the same target account.
        codes = pc.dictionary_encode(conversation).indices.to_numpy()
        route = rng.integers(0, len(target), int(codes.max()) + 1 if len(codes) else 1)
        events.account = target[route[codes]]
        yield events
