"""Legitimate machines that look like harvesting: cron jobs, short-output batches, coding
agents, benchmark re-runs, contracted data vendors and declared resellers.

Companies' hourly jobs fire at :00 within milliseconds of each other and many run the
same open-source bot's system prompt; enterprise batches send one template tens of
thousands of times for one-word answers; coding agents ask for 32k tokens round the
clock from CI; research labs re-run the same public benchmarks with "think step by
step" at temperature 0 on a new model within hours of its release; a contracted vendor
generates long, diverse outputs at volume (its contract is in the customer table); a
reseller relays its end users from one account.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from distillguard.simulate import behaviour, identity, schedules
from distillguard.simulate.activity import conversations, per_day_sessions, time_slices
from distillguard.simulate.automated import server_accounts
from distillguard.simulate.base import (
    Accounts,
    Archetype,
    Context,
    Events,
    new_account_ids,
    register,
)
from distillguard.simulate.behaviour import US_PER_DAY, US_PER_HOUR, US_PER_SECOND
from distillguard.simulate.commons import (
    AGENT_TOOLS,
    BENCHMARK_ITEMS,
    POPULAR_BOT_PROMPTS,
    PUBLIC_BENCHMARKS,
    benchmark_items,
    render_client,
    shared_rng,
    uncommon_clients,
)
from distillguard.simulate.customers import CustomerProfile
from distillguard.simulate.legitimate import per_account_choice
from distillguard.simulate.operator import Operator, frozen_weights
from distillguard.simulate.outputs import OUTPUT_KINDS, short_completions, sized_responses
from distillguard.simulate.textgen import (
    constant,
    join_columns,
    pick,
    random_hex,
    scatter,
    text_pool,
)

# ---- cron jobs ---------------------------------------------------------------------------

CRON_TEMPLATES = (
    "Summarize the following {int:3-40} support tickets from the last hour into a short "
    "digest:\n\n{sentence} {sentence}\n{sentence}",
    "Here are the alerts fired in the last hour:\n{tool_result}\n{tool_result}\nGroup them "
    "and rank them by severity.",
    "Write release notes for these merged pull requests:\n- {sentence}\n- {sentence}\n"
    "- {sentence}",
    "Translate the new product listing into {language}:\n\n{paragraph}",
    "Daily standup summary for the team from these updates:\n{sentence}\n{sentence}\n"
    "{sentence}",
    "New messages in #general since the last run:\n{sentence}\n{sentence}\nWrite a two-line "
    "summary.",
)


def serverless_egress(ctx: Context, prefixes: int = 3) -> np.ndarray:
    """A cloud platform's shared egress ranges: many unrelated customers leave from them."""
    return identity.hosting_prefixes(shared_rng(ctx, "serverless-egress"), prefixes)


@register
@dataclass(frozen=True)
class CronJob(Archetype):
    """Companies' scheduled jobs: runs at :00 (or :15, :30) within milliseconds, a few
    requests per run, often the same open-source bot's system prompt."""

    name: ClassVar[str] = "cron_job"
    customer: ClassVar[CustomerProfile] = CustomerProfile(
        tiers={"pay_as_you_go": 0.85, "enterprise": 0.15}, verified_share=0.3,
        declared_use="cron", declared_share=0.15)
    period_minutes: tuple[int, ...] = (60, 60, 60, 30, 15)
    on_the_hour_share: float = 0.7
    items_per_run: tuple[int, int] = (1, 12)
    scheduler_delay_ms: tuple[float, float] = (5.0, 2000.0)
    bot_share: float = 0.5
    serverless_share: float = 0.3
    uncommon_client_share: float = 0.1
    completion_median: float = 300.0

    def make_accounts(self, ctx: Context, count: int) -> Accounts:
        accounts = server_accounts(
            ctx, count, access=("direct", "cloud"), access_weights=(0.7, 0.3),
            email_styles=("ops", "alerts", "bot+{int:1-9}", "{first}.{last}"), org_size=1,
            addresses=1)
        rng = ctx.rng
        serverless = pa.array(rng.random(count) < self.serverless_share)
        accounts.columns["ip"] = pc.if_else(
            serverless, identity.addresses_in(rng, serverless_egress(ctx), count),
            accounts.columns["ip"])
        rare = rng.random(count) < self.uncommon_client_share
        if rare.any():
            agents, tls = uncommon_clients(rng, int(rare.sum()))
            for column, values in (("user_agent", agents), ("tls_fingerprint", tls)):
                filled = np.asarray(accounts.columns[column].to_pylist(), dtype=object)
                filled[rare] = values
                accounts.columns[column] = pa.array(filled.tolist(), pa.string())
        bot = rng.random(count) < self.bot_share
        popular = pick(POPULAR_BOT_PROMPTS, rng, count, weights=(0.5, 0.25, 0.15, 0.1))
        accounts.columns["system_prompt"] = pc.if_else(pa.array(bot), popular,
                                                       pa.nulls(count, pa.string()))
        minute = np.where(rng.random(count) < self.on_the_hour_share, 0,
                          rng.choice([15, 30, 45, 5, 10], count))
        accounts.traits.update({
            "period": rng.choice(np.asarray(self.period_minutes), count),
            "minute": minute,
            "delay_ms": rng.uniform(*self.scheduler_delay_ms, count),
            "template": rng.integers(0, len(CRON_TEMPLATES), count),
            "max_tokens": per_account_choice(rng, count, (512, 1024, 2048), (0.3, 0.4, 0.3)),
            "temperature": per_account_choice(rng, count, (0.0, 0.2, 0.7), (0.4, 0.3, 0.3)),
            "upgrade": (rng.random(count) < 0.15).astype(np.int64),
        })
        return accounts

    def make_events(self, ctx: Context, accounts: Accounts) -> Iterator[Events]:
        rng = ctx.rng
        owners, times = [], []
        for k in range(len(accounts)):  # one schedule per job; vectorised within
            period = int(accounts.traits["period"][k]) * 60 * US_PER_SECOND
            first = (ctx.start_us // US_PER_HOUR) * US_PER_HOUR + int(
                accounts.traits["minute"][k]) * 60 * US_PER_SECOND
            slots = np.arange(first, ctx.end_us, period, dtype=np.int64)
            slots = slots[slots >= ctx.start_us]
            if len(slots) == 0:
                slots = np.asarray([ctx.start_us], np.int64)
            items = rng.integers(self.items_per_run[0], self.items_per_run[1] + 1, len(slots))
            # The scheduler fires a few ms after the minute; items follow one by one.
            base = slots + int(accounts.traits["delay_ms"][k] * 1000) + rng.integers(
                0, 40_000, len(slots))
            run_of = np.repeat(np.arange(len(slots)), items)
            step = np.arange(len(run_of)) - np.repeat(np.cumsum(items) - items, items)
            when = base[run_of] + step * rng.integers(500_000, 4 * US_PER_SECOND, len(run_of))
            when = when[when < ctx.end_us]
            owners.append(np.full(len(when), k))
            times.append(when)
        account = np.concatenate(owners)
        when = np.concatenate(times)
        upgrade_at = (ctx.release_us or ctx.end_us) + (rng.uniform(2, 20, len(accounts))
                                                       * US_PER_HOUR).astype(np.int64)
        for part in time_slices(ctx, when):
            n, who = len(part), account[part]
            template = accounts.traits["template"][who]
            prompts = scatter([ctx.prompts.render((CRON_TEMPLATES[int(t)],), rng,
                                                  int(np.count_nonzero(template == t)))
                               for t in np.unique(template)], template)
            upgraded = (accounts.traits["upgrade"][who] == 1) & (when[part] >= upgrade_at[who])
            max_tokens = accounts.traits["max_tokens"][who]
            completion = np.minimum(rng.lognormal(np.log(self.completion_median), 0.6, n),
                                    max_tokens).astype(np.int64)
            status = pick(("ok", "error"), rng, n, weights=(0.995, 0.005))
            yield Events(who, when[part], {
                "prompt": prompts, "turn": np.zeros(n, np.int32),
                "model": text_pool(("frontier-1", "frontier-2")).take(upgraded.astype(np.int64)),
                "max_tokens": max_tokens, "temperature": accounts.traits["temperature"][who],
                "completion_tokens": completion, "status": status,
                "response": sized_responses(rng, "prose", completion, status),
            })


# ---- short-output batches ------------------------------------------------------------------

#: (template, output kind). The first is a popular tutorial's prompt, copied by many.
SHORT_TEMPLATES: tuple[tuple[str, str], ...] = (
    ("Classify the sentiment of the following review as positive, negative or neutral. "
     "Reply with one word.\n\nReview: {sentence}", "label"),
    ("Classify the following support ticket into exactly one of: billing, shipping, returns, "
     "technical, other. Reply with the label only.\n\nTicket: {sentence} {sentence}", "label"),
    ("Extract the company name, invoice number and total amount from this text as JSON with "
     "keys company, invoice, total.\n\nInvoice INV-{int:10000-99999} from {name} Logistics "
     "Ltd. Amount due: {int:20-9000}.{int:10-99} EUR.", "json"),
    ("Does this message contain personal data? Answer yes or no.\n\n{sentence}", "label"),
    ("Assign a priority (low, medium, high) to this incident report: {sentence}", "label"),
    ("Detect the language of this text and reply with its ISO 639-1 code only: "
     "{everyday_sentence}", "label"),
    ("Return the person's name and city as JSON.\n\n{name} moved to {city} last year. "
     "{sentence}", "json"),
)
SHORT_SYSTEM_PROMPTS = ("You are a classification service. Output only the label.",
                        "You are a data extraction service. Output valid JSON only.", None)


@register
@dataclass(frozen=True)
class ShortBatch(Archetype):
    """Enterprise batch jobs with short outputs: one template, ``max_tokens`` about 64,
    answers of 1–40 tokens, thousands of requests per run."""

    name: ClassVar[str] = "short_batch"
    customer: ClassVar[CustomerProfile] = CustomerProfile(
        tiers={"enterprise": 0.7, "pay_as_you_go": 0.3}, verified_share=0.9,
        declared_use="batch", declared_share=0.6, contract_share=0.5)
    requests_per_job: tuple[float, float] = (2000.0, 20000.0)
    max_tokens_options: tuple[int, ...] = (16, 32, 64, 64, 100)
    output_tokens: tuple[int, int] = (1, 40)
    shared_template_share: float = 0.4
    requests_per_second: tuple[float, float] = (2.0, 20.0)
    runs_per_day: tuple[int, int] = (1, 3)
    jobs_per_company: int = 3
    shared_range_share: float = 0.4

    def make_accounts(self, ctx: Context, count: int) -> Accounts:
        accounts = server_accounts(
            ctx, count, access=("cloud", "direct"), access_weights=(0.5, 0.5),
            email_styles=("ml-batch", "data-platform+{int:1-9}", "etl-{int:1-99}"),
            org_size=self.jobs_per_company, addresses=2)
        rng = ctx.rng
        shared = pa.array(rng.random(count) < self.shared_range_share)
        accounts.columns["ip"] = pc.if_else(
            shared, identity.addresses_in(rng, serverless_egress(ctx, 2), count),
            accounts.columns["ip"])
        popular = rng.random(count) < self.shared_template_share
        template = np.where(popular, 0, rng.integers(1, len(SHORT_TEMPLATES), count))
        kind = np.asarray([SHORT_TEMPLATES[int(t)][1] == "json" for t in template])
        system = [SHORT_SYSTEM_PROMPTS[0] if t == 0 else SHORT_SYSTEM_PROMPTS[int(k) % 3]
                  for t, k in zip(template, rng.integers(0, 3, count), strict=True)]
        accounts.columns["system_prompt"] = pa.array(system, pa.string())
        low, high = self.requests_per_job
        accounts.traits.update({
            "template": template, "json": kind.astype(np.int64),
            "requests": np.exp(rng.uniform(np.log(low), np.log(max(high, low)), count)).astype(
                np.int64),
            "max_tokens": rng.choice(np.asarray(self.max_tokens_options), count),
            "rate": rng.uniform(*self.requests_per_second, count),
            "night": (rng.random(count) < 0.6).astype(np.int64),
        })
        return accounts

    def make_events(self, ctx: Context, accounts: Accounts) -> Iterator[Events]:
        rng = ctx.rng
        corpus = ctx.prompts.corpus
        jobs = corpus.batch_jobs() if corpus is not None else []
        for k in range(len(accounts)):  # a handful of jobs, each vectorised
            times = self._schedule(ctx, accounts, k)
            n = len(times)
            template, kind = SHORT_TEMPLATES[int(accounts.traits["template"][k])]
            pool = (corpus.pool(jobs[k // 2 % len(jobs)])
                    if corpus is not None and jobs and k % 2 == 1 else None)
            prompts = (pick(pool, rng, n) if pool is not None
                       else ctx.prompts.render((template,), rng, n))
            max_tokens = int(accounts.traits["max_tokens"][k])
            low, high = self.output_tokens
            completion = np.minimum(short_completions(rng, n, low, high), max_tokens)
            status = pick(("ok", "error"), rng, n, weights=(0.997, 0.003))
            for part in time_slices(ctx, times):
                yield Events(np.full(len(part), k, np.int64), times[part], {
                    "prompt": prompts.take(part), "turn": np.zeros(len(part), np.int32),
                    "model": constant("frontier-1-mini" if k % 3 else "frontier-1", len(part)),
                    "temperature": np.zeros(len(part)),
                    "max_tokens": np.full(len(part), max_tokens),
                    "completion_tokens": completion[part], "status": status.take(part),
                    "response": sized_responses(rng, kind, completion[part], status.take(part)),
                })

    def _schedule(self, ctx: Context, accounts: Accounts, k: int) -> np.ndarray:
        rng = ctx.rng
        days = max((ctx.end_us - ctx.start_us) / US_PER_DAY, 1 / 24)
        runs = max(1, round(rng.integers(self.runs_per_day[0], self.runs_per_day[1] + 1) * days))
        per_run = max(1, int(accounts.traits["requests"][k]) // runs)
        offset = int(accounts.traits["utc_offset"][k] * US_PER_HOUR)
        hour = rng.uniform(0.5, 4.0, runs) if accounts.traits["night"][k] else rng.uniform(
            8.0, 18.0, runs)
        day = rng.integers(0, max(1, int(np.ceil(days))), runs)
        local_midnight = ((ctx.start_us + offset) // US_PER_DAY) * US_PER_DAY - offset
        starts = local_midnight + day * US_PER_DAY + (hour * US_PER_HOUR).astype(np.int64)
        starts = np.where((starts >= ctx.start_us) & (starts < ctx.end_us), starts,
                          ctx.start_us + (rng.random(runs) * (ctx.end_us - ctx.start_us)).astype(
                              np.int64))
        rate = float(accounts.traits["rate"][k])
        gaps = rng.exponential(1.0 / rate, (runs, per_run)) * US_PER_SECOND
        times = (starts[:, None] + np.cumsum(gaps, axis=1)).astype(np.int64).reshape(-1)
        times = np.sort(times[times < ctx.end_us])
        return times if len(times) else np.asarray([ctx.start_us], np.int64)


# ---- coding agents --------------------------------------------------------------------------


@register
@dataclass(frozen=True)
class CodingAgent(Archetype):
    """Developers running coding agents: the tool's 32k ``max_tokens`` default, tools in
    every request, long agent loops in office hours and round the clock from CI."""

    name: ClassVar[str] = "coding_agent"
    customer: ClassVar[CustomerProfile] = CustomerProfile(
        tiers={"pay_as_you_go": 0.9, "enterprise": 0.1}, verified_share=0.3,
        declared_use="agent", declared_share=0.1)
    ci_share: float = 0.4
    sessions_per_day: float = 12.0
    ci_runs_per_day: float = 24.0
    mean_steps: float = 12.0
    step_gap_s: float = 6.0
    context_tokens: tuple[int, int] = (4000, 60000)
    completion_median: float = 450.0

    def make_accounts(self, ctx: Context, count: int) -> Accounts:
        rng = ctx.rng
        country = identity.countries(rng, count)
        tool = rng.choice(len(AGENT_TOOLS), count, p=[0.45, 0.2, 0.15, 0.2])
        agents = scatter([render_client(AGENT_TOOLS[int(t)].user_agent, rng,
                                        int(np.count_nonzero(tool == t)))
                          for t in np.unique(tool)], tool)
        tools = text_pool(tuple(t.tls for t in AGENT_TOOLS))
        prompts = text_pool(tuple(t.system_prompt for t in AGENT_TOOLS))
        default = np.asarray([t.max_tokens for t in AGENT_TOOLS])[tool]
        custom = rng.random(count) < 0.2
        ages = identity.account_ages_us(rng, count, 250.0, 0.9, 72)
        work = pa.array(rng.random(count) < 0.5)
        domains = pa.array([identity.company_domain(rng) for _ in range(max(1, count // 3))])
        columns = {
            "email": pc.if_else(work, identity.domain_emails(rng, count,
                                                             pick(domains, rng, count)),
                                identity.personal_emails(rng, country)),
            "payment_fingerprint": identity.cards(rng, count),
            "account_created_at": pa.array(ctx.start_us - ages),
            "country": identity.country_codes(country),
            "access_path": pick(("direct", "cloud"), rng, count, weights=(0.8, 0.2)),
            "org_id": pick(random_hex(rng, max(1, count // 2), 6, prefix="org_"), rng, count),
            "user_agent": agents, "tls_fingerprint": tools.take(tool),
            "system_prompt": prompts.take(tool),
            "ip": identity.residential_ips(rng, count, ipv6_share=0.1),
        }
        traits = {
            "country": country, "utc_offset": identity.utc_offsets(rng, country),
            "tool": tool, "ci": (rng.random(count) < self.ci_share).astype(np.int64),
            "max_tokens": np.where(custom, rng.choice([8192, 16384, 64000], count), default),
            "temperature": np.where(tool % 2 == 0, 0.0, 1.0),
            "tools": rng.integers(8, 41, count),
            "context": rng.integers(self.context_tokens[0], self.context_tokens[1] + 1, count),
        }
        return Accounts(new_account_ids(rng, count), columns, traits)

    def make_events(self, ctx: Context, accounts: Accounts) -> Iterator[Events]:
        rng, count = ctx.rng, len(accounts)
        begin = np.full(count, ctx.start_us, np.int64)
        end = np.full(count, ctx.end_us, np.int64)
        days = ctx.days
        office = schedules.diurnal_weight(accounts.traits["utc_offset"], behaviour.OFFICE_PROFILE)
        desk = conversations(ctx, per_day_sessions(rng, count, self.sessions_per_day / 3, 0.8,
                                                   days, 1.0),
                             begin, end, office, self.mean_steps, self.step_gap_s, 0.6)
        yield from self._agent_events(ctx, accounts, desk, None)
        ci = accounts.traits["ci"] == 1
        if ci.any():
            runs = np.where(ci, per_day_sessions(rng, count, self.ci_runs_per_day, 0.7, days,
                                                 1.0), 0)
            nightly = conversations(ctx, runs, begin, end, None, self.mean_steps,
                                    self.step_gap_s, 0.6)
            egress = identity.hosting_prefixes(shared_rng(ctx, "ci-egress"), 6)
            yield from self._agent_events(ctx, accounts, nightly, egress)

    def _agent_events(self, ctx: Context, accounts: Accounts, talk: behaviour.Conversations,
                      egress: np.ndarray | None) -> Iterator[Events]:
        rng = ctx.rng
        n_sessions = int(talk.session.max()) + 1 if len(talk.session) else 0
        coding = rng.random(n_sessions) < 0.6
        first = np.full(n_sessions, np.iinfo(np.int64).max)
        np.minimum.at(first, talk.session, talk.time_us)
        model = behaviour.choose_models(rng, first, ctx.release_us, final_share=0.7,
                                        ramp_hours=12.0, base=("frontier-1",),
                                        base_weights=(1.0,))
        for part in time_slices(ctx, talk.time_us):
            n, who = len(part), talk.account[part]
            session, turn = talk.session[part], talk.turn[part]
            codes = np.where(coding[session], 0, 1)
            prompts = ctx.prompts.mix(("coding", "agentic"), np.where(turn > 0, 1, codes), rng,
                                      followup=turn > 0)
            max_tokens = accounts.traits["max_tokens"][who]
            completion = np.minimum(rng.lognormal(np.log(self.completion_median), 1.0, n),
                                    max_tokens).astype(np.int64)
            status = pick(("ok", "error"), rng, n, weights=(0.99, 0.01))
            kind = np.where(turn > 0, OUTPUT_KINDS.index("agent"), OUTPUT_KINDS.index("code"))
            columns: dict[str, pa.Array | np.ndarray] = {
                "prompt": prompts, "model": model.take(session),
                "conversation_id": talk.conversation_id.take(part), "turn": turn,
                "tool_count": accounts.traits["tools"][who].astype(np.int32),
                "max_tokens": max_tokens, "temperature": accounts.traits["temperature"][who],
                "prompt_tokens": np.minimum(accounts.traits["context"][who] + turn * 1200,
                                            180_000),
                "completion_tokens": completion, "status": status,
                "response": sized_responses(rng, kind, completion, status),
            }
            if egress is not None:
                columns["ip"] = identity.addresses_in(rng, egress, n)
            yield Events(who, talk.time_us[part], columns)


# ---- benchmark re-runs ------------------------------------------------------------------------

COT_SUFFIX = ("Let's think step by step.", "Think step by step, then give the final answer.",
              "Explain your reasoning, then answer.")


@register
@dataclass(frozen=True)
class BenchmarkRerun(Archetype):
    """Research labs re-running the same public benchmarks (chain of thought requested,
    temperature 0) and moving to a newly released model within hours."""

    name: ClassVar[str] = "benchmark_rerun"
    customer: ClassVar[CustomerProfile] = CustomerProfile(
        tiers={"pay_as_you_go": 0.6, "enterprise": 0.4}, verified_share=0.8,
        declared_use="benchmark", declared_share=0.4)
    lab_size: int = 2
    benchmarks_per_run: tuple[int, int] = (1, 3)
    items_per_run: tuple[int, int] = (200, 1500)
    runs_before_release: tuple[int, int] = (0, 2)
    hours_after_release: tuple[float, float] = (0.3, 6.0)
    reruns_after_release: tuple[int, int] = (1, 4)
    requests_per_second: tuple[float, float] = (1.0, 8.0)
    cot_share: float = 0.7
    pass_at_k_share: float = 0.2

    def make_accounts(self, ctx: Context, count: int) -> Accounts:
        accounts = server_accounts(
            ctx, count, access=("research", "direct"), access_weights=(0.6, 0.4),
            email_styles=("evals", "{first}.{last}", "bench+{int:1-9}"), org_size=self.lab_size,
            addresses=3)
        rng = ctx.rng
        accounts.traits.update({
            "logprobs": (rng.random(count) < 0.3).astype(np.int64),
            "max_tokens": rng.choice(np.asarray([1024, 2048, 4096]), count),
        })
        return accounts

    def make_events(self, ctx: Context, accounts: Accounts) -> Iterator[Events]:
        rng = ctx.rng
        names = list(PUBLIC_BENCHMARKS)
        for k in range(len(accounts)):  # a few labs, a few runs each
            for start, model in self._runs(ctx):
                low, high = self.benchmarks_per_run
                how_many = min(len(names), int(rng.integers(low, high + 1)))
                chosen = rng.choice(len(names), max(1, how_many), replace=False)
                for b in chosen:
                    yield from self._run(ctx, accounts, k, start, model, names[int(b)])

    def _run(self, ctx: Context, accounts: Accounts, k: int, start: int, model: str,
             benchmark: str) -> Iterator[Events]:
        rng = ctx.rng
        items = benchmark_items(ctx, benchmark)
        size = min(len(items), int(rng.integers(self.items_per_run[0], self.items_per_run[1] + 1)),
                   BENCHMARK_ITEMS)
        questions = items.slice(0, size)  # the same first items for every lab
        cot = rng.random() < self.cot_share
        if cot:
            questions = join_columns([questions, "\n\n" + str(rng.choice(COT_SUFFIX))], size)
        rate = rng.uniform(*self.requests_per_second)
        times = start + np.cumsum(rng.exponential(1.0 / rate, size) * US_PER_SECOND).astype(
            np.int64)
        keep = times < ctx.end_us
        n = int(keep.sum())
        if n == 0:
            return
        sampled = rng.random() < self.pass_at_k_share
        max_tokens = int(accounts.traits["max_tokens"][k])
        median = 350.0 if cot else 12.0
        completion = np.minimum(rng.lognormal(np.log(median), 0.6, n), max_tokens).astype(
            np.int64)
        completion = np.maximum(completion, 1)
        status = pick(("ok", "error"), rng, n, weights=(0.99, 0.01))
        yield Events(np.full(n, k, np.int64), times[keep], {
            "prompt": questions.filter(pa.array(keep)), "model": constant(model, n),
            "turn": np.zeros(n, np.int32), "temperature": np.full(n, 0.8 if sampled else 0.0),
            "n": np.full(n, 5 if sampled else 1, np.int32),
            "logprobs": np.full(n, bool(accounts.traits["logprobs"][k])),
            "max_tokens": np.full(n, max_tokens), "completion_tokens": completion,
            "status": status,
            "response": sized_responses(rng, "reasoning" if cot else "label", completion,
                                        status),
        })

    def _runs(self, ctx: Context) -> list[tuple[int, str]]:
        """Run starts and models: the old model before the release, the new one after."""
        rng = ctx.rng
        before_end = ctx.release_us if ctx.release_us is not None else ctx.end_us
        plan: list[tuple[int, str]] = []
        for _ in range(int(rng.integers(self.runs_before_release[0],
                                        self.runs_before_release[1] + 1))):
            span = max(before_end - ctx.start_us - US_PER_HOUR, 1)
            plan.append((ctx.start_us + int(rng.random() * span), "frontier-1"))
        if ctx.release_us is not None and ctx.release_us < ctx.end_us:
            at = ctx.release_us + int(rng.uniform(*self.hours_after_release) * US_PER_HOUR)
            for _ in range(int(rng.integers(self.reruns_after_release[0],
                                            self.reruns_after_release[1] + 1))):
                if at < ctx.end_us:
                    plan.append((at, "frontier-2"))
                at += int(rng.uniform(0.5, 4.0) * US_PER_HOUR)
        if not plan:  # no release in the window and no run drawn: one run on the old model
            plan.append((ctx.start_us + int(rng.random() * max(before_end - ctx.start_us
                                                                - US_PER_HOUR, 1)), "frontier-1"))
        return plan


# ---- contracted vendors and declared resellers (operators without a campaign) -------------


@register
@dataclass(frozen=True)
class DataVendor(Operator):
    """A contracted synthetic-data vendor: long, diverse outputs at high volume round the
    clock, on a new model soon after release. Its traffic is a harvest; its contract in
    the customer table is what makes it legitimate."""

    name: ClassVar[str] = "data_vendor"
    campaign: ClassVar[bool] = False
    signup: str = "aged"
    age_days: tuple[float, float] = (60.0, 700.0)
    email_mode: str = "corporate"
    card_share: float = 1.0
    accounts_per_card: float = 1000.0
    accounts_per_org: float = 1000.0
    access_paths: Mapping[str, float] = field(
        default_factory=lambda: frozen_weights({"direct": 0.6, "cloud": 0.4}))
    claimed_countries: tuple[str, ...] = ("US", "GB", "DE", "SG", "IN", "FR")
    ip_mode: str = "datacenter"
    ip_pool: int = 2
    client_mode: str = "sdk_shared"
    requests_per_account: tuple[float, float] = (3000.0, 20000.0)
    harvest_topics: Mapping[str, float] = field(default_factory=lambda: frozen_weights({
        "reasoning": 0.2, "coding": 0.2, "writing": 0.15, "data_analysis": 0.1, "agentic": 0.1,
        "chitchat": 0.1, "creative": 0.05, "foreign_reasoning": 0.05, "rubric": 0.05}))
    replay_share: float = 0.3
    elicitation_share: float = 0.3
    completion_median: float = 2000.0
    new_model_final_share: float = 0.8

    def customer_profile(self) -> CustomerProfile:
        return CustomerProfile(tiers={"enterprise": 1.0}, free_without_card=False,
                               verified_share=1.0, declared_use="synthetic_data",
                               declared_share=1.0, contract_share=1.0)


@register
@dataclass(frozen=True)
class DeclaredReseller(Operator):
    """A declared reseller or router: one or a few accounts relaying many end users'
    ordinary conversations from its own address range and client."""

    name: ClassVar[str] = "declared_reseller"
    campaign: ClassVar[bool] = False
    signup: str = "spread"
    signup_lead_hours: tuple[float, float] = (500.0, 5000.0)
    email_mode: str = "infrastructure"
    card_share: float = 0.0
    access_paths: Mapping[str, float] = field(
        default_factory=lambda: frozen_weights({"reseller": 1.0}))
    claimed_countries: tuple[str, ...] = ()
    ip_mode: str = "infrastructure"
    client_mode: str = "infrastructure"
    infrastructure_key: str = "reseller-1"
    system_prompt_share: float = 0.0
    requests_per_account: tuple[float, float] = (2000.0, 20000.0)
    harvest_share: float = 0.0

    def customer_profile(self) -> CustomerProfile:
        return CustomerProfile(tiers={"enterprise": 0.7, "pay_as_you_go": 0.3},
                               free_without_card=False, verified_share=1.0,
                               declared_use="reseller", declared_share=1.0, contract_share=0.7)
