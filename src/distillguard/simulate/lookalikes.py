"""Legitimate people who look like a campaign on some axis: classrooms, hackathons, a
carrier's NAT, power users.

A classroom signs up within minutes behind one school address and pastes the same
homework at the same hour; a hackathon creates hundreds of accounts within an hour on
venue Wi-Fi and asks for long code; a mobile carrier puts thousands of unrelated people
behind a few addresses; power users are aged consumer accounts that ask for long
reasoning and code every day. None of them is a campaign.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from distillguard.simulate import behaviour, identity, schedules
from distillguard.simulate.activity import Work, chat_events, conversations, per_day_sessions
from distillguard.simulate.base import (
    Accounts,
    Archetype,
    Context,
    Events,
    new_account_ids,
    register,
)
from distillguard.simulate.behaviour import US_PER_DAY, US_PER_HOUR, US_PER_SECOND
from distillguard.simulate.commons import render_client
from distillguard.simulate.customers import CustomerProfile
from distillguard.simulate.human import Habits, human_blocks
from distillguard.simulate.legitimate import groups_of, maybe, per_account_choice
from distillguard.simulate.outputs import sized_responses
from distillguard.simulate.prompts import LEGIT_STEP_PHRASES, SYSTEM_PROMPTS, append_phrases
from distillguard.simulate.textgen import constant, join_columns, pick, random_hex, subnet_hosts

SCHOOL_SUFFIXES = ("-high.k12.{st}.us", "-academy.org", "-school.edu", ".sch.uk",
                   "-gymnasium.de", "-college.edu.au")
US_STATES = ("ca", "tx", "ny", "wa", "il", "ma", "fl", "oh")
#: School-managed laptops: one browser build and TLS stack for a whole school.
CHROMEBOOK = ("Mozilla/5.0 (X11; CrOS x86_64 {int:15000-15900}.{int:0-90}.0) AppleWebKit/537.36 "
              "(KHTML, like Gecko) Chrome/{int:120-133}.0.0.0 Safari/537.36")
HOMEWORK_TOPICS = ("reasoning", "writing", "coding", "data_analysis")
HOMEWORK_PASTE = ("", "", "", "pls help ", "Question {int:1-9}: ", "can you explain this? ",
                  "Homework: ", "I don't get this one. ")
STUDENT_WORK = Work(topics={"chitchat": 0.25, "writing": 0.25, "reasoning": 0.25,
                            "coding": 0.15, "creative": 0.1},
                    completion_median=450.0, step_phrase_share=0.15)


def school_domain(rng: np.random.Generator) -> str:
    word = identity.UNIVERSITY_WORDS[int(rng.integers(0, len(identity.UNIVERSITY_WORDS)))]
    suffix = SCHOOL_SUFFIXES[int(rng.integers(0, len(SCHOOL_SUFFIXES)))]
    return word + suffix.format(st=US_STATES[int(rng.integers(0, len(US_STATES)))])


@register
@dataclass(frozen=True)
class Classroom(Archetype):
    """Classes of students: accounts created within minutes at the first lesson, one school
    address, the same homework prompts pasted in the same hour, evenings at home."""

    name: ClassVar[str] = "classroom"
    customer: ClassVar[CustomerProfile] = CustomerProfile(
        tiers={"free": 1.0}, programme_verified_share=0.9)
    class_size: int = 30
    signup_minutes: float = 20.0
    signup_in_window_share: float = 0.5
    lessons: tuple[int, int] = (1, 3)
    lesson_minutes: float = 50.0
    requests_per_lesson: tuple[int, int] = (3, 12)
    homework_prompts: tuple[int, int] = (2, 6)
    chromebook_share: float = 0.7
    evening_per_day: float = 3.0
    programme_share: float = 0.6

    def make_accounts(self, ctx: Context, count: int) -> Accounts:
        rng = ctx.rng
        klass = groups_of(count, self.class_size)
        n_classes = int(klass.max()) + 1
        home = identity.countries(rng, n_classes, only=("US", "GB", "DE", "AU", "CA", "IN"))
        offsets = identity.utc_offsets(rng, home)
        lessons = [self._lesson_starts(ctx, float(offsets[c])) for c in range(n_classes)]
        first = np.asarray([times[0] for times in lessons])
        in_window = rng.random(n_classes) < self.signup_in_window_share
        signup = np.where(in_window, first,
                          first - (rng.uniform(1, 30, n_classes) * US_PER_DAY).astype(np.int64))
        created = signup[klass] + (rng.random(count) * self.signup_minutes * 60
                                   * US_PER_SECOND).astype(np.int64)
        school_ip = subnet_hosts(identity.residential_prefixes(rng, n_classes),
                                 rng.integers(1, 255, n_classes))
        chromebook = identity.CLIENTS["chrome"]
        book_agent = render_client(CHROMEBOOK, rng, n_classes)
        agents, tls = identity.clients(rng, count, identity.CONSUMER_CLIENTS)
        on_book = pa.array(rng.random(count) < self.chromebook_share)
        enrolled = (rng.random(n_classes) < self.programme_share)[klass]
        domains = pa.array([school_domain(rng) for _ in range(n_classes)])
        columns = {
            "email": identity.domain_emails(rng, count, domains.take(klass),
                                            ("{first}.{last}{int:10-99}", "{initial}{last}",
                                             "{first}{int:2025-2031}")),
            "payment_fingerprint": maybe(rng, identity.cards(rng, count), 0.85),
            "account_created_at": pa.array(created),
            "country": identity.country_codes(home[klass]),
            "access_path": pa.array(np.where(enrolled, "education", "direct").tolist()),
            "user_agent": pc.if_else(on_book, book_agent.take(klass), agents),
            "tls_fingerprint": pc.if_else(on_book, constant(chromebook.tls[0], count),
                                                  tls),
            "ip": school_ip.take(klass),
        }
        traits = {
            "country": home[klass], "utc_offset": offsets[klass], "class": klass,
            "created": created,
            "max_tokens": per_account_choice(rng, count, (1024, 2048, 4096), (0.4, 0.3, 0.3)),
            "temperature": np.full(count, 1.0),
        }
        # Lesson starts per class (rows), padded with -1.
        table = np.full((n_classes, max(len(t) for t in lessons)), -1, np.int64)
        for c, times in enumerate(lessons):
            table[c, : len(times)] = times
        traits["lessons"] = table
        return Accounts(new_account_ids(rng, count), columns, traits,
                        {"ip_2": identity.residential_ips(rng, count)})

    def _lesson_starts(self, ctx: Context, offset_hours: float) -> np.ndarray:
        """Lesson start times (UTC µs) at school hours of the class's time zone."""
        rng = ctx.rng
        local_start = ctx.start_us + int(offset_hours * US_PER_HOUR)
        days = np.arange(local_start // US_PER_DAY, (ctx.end_us + int(offset_hours * US_PER_HOUR))
                         // US_PER_DAY + 1)
        hours = rng.uniform(8.0, 15.0, len(days))
        starts = days * US_PER_DAY + (hours * US_PER_HOUR).astype(np.int64) - int(
            offset_hours * US_PER_HOUR)
        latest = ctx.end_us - int(self.lesson_minutes * 60 * US_PER_SECOND)
        starts = starts[(starts >= ctx.start_us) & (starts < latest)]
        if len(starts) == 0:  # a short window: the lesson is whenever it fits
            starts = np.asarray([ctx.start_us + int(rng.random() * max(latest - ctx.start_us, 1))])
        wanted = int(rng.integers(self.lessons[0], self.lessons[1] + 1))
        return np.sort(rng.choice(starts, size=min(wanted, len(starts)), replace=False))

    def make_events(self, ctx: Context, accounts: Accounts) -> Iterator[Events]:
        klass = accounts.traits["class"]
        for c, starts in enumerate(accounts.traits["lessons"]):
            members = np.flatnonzero(klass == c)
            yield from self._lesson_events(ctx, accounts, members, starts[starts >= 0])
        yield from self._home_events(ctx, accounts)

    def _lesson_events(self, ctx: Context, accounts: Accounts, members: np.ndarray,
                       starts: np.ndarray) -> Iterator[Events]:
        rng = ctx.rng
        topic = HOMEWORK_TOPICS[int(rng.integers(0, len(HOMEWORK_TOPICS)))]
        size = int(rng.integers(self.homework_prompts[0], self.homework_prompts[1] + 1))
        assignment = ctx.prompts.generate(topic, rng, size)
        lesson_us = int(self.lesson_minutes * 60 * US_PER_SECOND)
        created = accounts.traits["created"][members]
        for start in starts:
            begin = np.maximum(start, created + 60 * US_PER_SECOND)
            active = begin < start + lesson_us
            if not active.any():
                continue
            who = members[active]
            counts = rng.integers(self.requests_per_lesson[0], self.requests_per_lesson[1] + 1,
                                  len(who))
            # One conversation per student per lesson: the homework, then follow-ups.
            ends = np.full(len(who), start + lesson_us, np.int64)
            first = begin[active] + (rng.random(len(who)) * np.maximum(
                ends - begin[active], 1) * 0.3).astype(np.int64)
            talk = behaviour.expand_conversations(rng, who, first, counts, int(ends.max()), 90.0)
            n = len(talk.account)
            later = talk.turn > 0
            pasted = join_columns([ctx.prompts.render(HOMEWORK_PASTE, rng, n),
                                   pick(assignment, rng, n)], n)
            pasted = append_phrases(pasted, LEGIT_STEP_PHRASES, rng, 0.3)
            prompts = pc.if_else(pa.array(later),
                                         ctx.prompts.generate(topic, rng, n, followup=True),
                                         pasted)
            completion = np.minimum(rng.lognormal(np.log(450), 0.6, n),
                                    accounts.traits["max_tokens"][talk.account]).astype(np.int64)
            yield Events(talk.account, talk.time_us, {
                "prompt": prompts, "conversation_id": talk.conversation_id, "turn": talk.turn,
                "model": constant("frontier-1", n), "completion_tokens": completion,
                "max_tokens": accounts.traits["max_tokens"][talk.account],
                "temperature": accounts.traits["temperature"][talk.account],
                "response": sized_responses(rng, "reasoning" if topic != "coding" else "code",
                                            completion),
            })

    def _home_events(self, ctx: Context, accounts: Accounts) -> Iterator[Events]:
        rng, count = ctx.rng, len(accounts)
        begin = np.maximum(accounts.traits["created"] + US_PER_HOUR, ctx.start_us)
        end = np.full(count, ctx.end_us, np.int64)
        days = np.maximum(end - begin, 0) / US_PER_DAY
        sessions = np.where(begin < end, per_day_sessions(rng, count, self.evening_per_day, 0.8,
                                                          days, 2.5), 0)
        weight = schedules.diurnal_weight(accounts.traits["utc_offset"],
                                          behaviour.STUDENT_PROFILE)
        talk = conversations(ctx, sessions, begin, np.maximum(end, begin + 1), weight, 2.5, 60.0)
        home = accounts.aux["ip_2"]
        yield from chat_events(ctx, accounts, talk, STUDENT_WORK,
                               ips=lambda account: home.take(account))


HACKATHON_WORK = Work(topics={"coding": 0.55, "agentic": 0.15, "data_analysis": 0.1,
                              "writing": 0.1, "chitchat": 0.1},
                      completion_median=1400.0, completion_sigma=0.7, tool_share=0.3,
                      tools=(2, 12), step_phrase_share=0.05, new_model_final_share=0.6,
                      new_model_ramp_hours=6.0)
#: A sponsor's starter kit ships one system prompt to every team.
STARTER_KIT_PROMPT = ("You are the assistant of the {event} starter kit. Help the team build "
                      "their prototype quickly; prefer complete, runnable code.")


@register
@dataclass(frozen=True)
class Hackathon(Archetype):
    """A hackathon: hundreds of accounts created within an hour at kick-off, venue Wi-Fi,
    long coding outputs through the night."""

    name: ClassVar[str] = "hackathon"
    customer: ClassVar[CustomerProfile] = CustomerProfile(
        tiers={"free": 1.0}, verified_share=0.1, programme_verified_share=0.8)
    signup_minutes: float = 45.0
    kickoff_hours: float = 6.0
    event_hours: tuple[float, float] = (24.0, 36.0)
    venue_addresses: int = 4
    venue_share: float = 0.85
    per_hour_median: float = 5.0
    starter_kit_share: float = 0.6

    def make_accounts(self, ctx: Context, count: int) -> Accounts:
        rng = ctx.rng
        window_h = (ctx.end_us - ctx.start_us) / US_PER_HOUR
        kickoff = ctx.start_us + int(min(max(self.kickoff_hours, 0.0), window_h - 2)
                                     * US_PER_HOUR)
        created = kickoff + (rng.random(count) * self.signup_minutes * 60 * US_PER_SECOND
                             ).astype(np.int64)
        country = identity.countries(rng, count)
        venue_country = country[0]
        agents, tls = identity.clients(rng, count, identity.DEVELOPER_CLIENTS)
        event = ("hack", "build", "ship", "devjam", "ai-sprint")[int(rng.integers(0, 5))]
        kit = STARTER_KIT_PROMPT.format(event=f"{event}-{int(rng.integers(2024, 2027))}")
        student = pa.array(rng.random(count) < 0.4)
        campus = identity.university_domain(rng, "US")
        columns = {
            "email": pc.if_else(student, identity.domain_emails(rng, count, campus),
                                        identity.personal_emails(rng, country)),
            "payment_fingerprint": maybe(rng, identity.cards(rng, count), 0.9),
            "account_created_at": pa.array(created),
            "country": identity.country_codes(np.full(count, venue_country)),
            "access_path": pick(("direct", "startup"), rng, count, weights=(0.6, 0.4)),
            "user_agent": agents, "tls_fingerprint": tls,
            "system_prompt": maybe(rng, constant(kit, count), 1 - self.starter_kit_share),
            "ip": identity.residential_ips(rng, count),
        }
        life = rng.uniform(*self.event_hours) * US_PER_HOUR
        begin = created + (rng.uniform(2, 40, count) * 60 * US_PER_SECOND).astype(np.int64)
        end = np.minimum(ctx.end_us, kickoff + int(life))
        traits = {
            "country": np.full(count, venue_country),
            "utc_offset": np.full(count, identity.utc_offsets(rng, country[:1])[0]),
            "begin": np.minimum(begin, ctx.end_us - 60 * US_PER_SECOND),
            "end": np.maximum(end, np.minimum(begin, ctx.end_us - 60 * US_PER_SECOND) + 1),
            "max_tokens": per_account_choice(rng, count, (4096, 8192, 16384), (0.3, 0.4, 0.3)),
            "temperature": per_account_choice(rng, count, (0.2, 0.7, 1.0), (0.3, 0.4, 0.3)),
        }
        venue = subnet_hosts(np.repeat(identity.residential_prefixes(rng, 1), self.venue_addresses,
                                       axis=0),
                             rng.integers(1, 255, max(1, self.venue_addresses)))
        return Accounts(new_account_ids(rng, count), columns, traits, {"venue": venue})

    def make_events(self, ctx: Context, accounts: Accounts) -> Iterator[Events]:
        rng, count = ctx.rng, len(accounts)
        begin, end = accounts.traits["begin"], accounts.traits["end"]
        hours = (end - begin) / US_PER_HOUR
        sessions = np.maximum(rng.poisson(rng.lognormal(np.log(self.per_hour_median), 0.7, count)
                                          * hours / 5.0), 1)
        # Awake through the night, with a dip before dawn.
        night = np.asarray([0.6, 0.5, 0.35, 0.2, 0.15, 0.2, 0.4, 0.7] + [1.0] * 16)
        weight = schedules.diurnal_weight(accounts.traits["utc_offset"], night)
        talk = conversations(ctx, sessions, begin, end, weight, 5.0, 30.0)
        venue, own = accounts.aux["venue"], accounts.columns["ip"]

        def ips(account: np.ndarray) -> pa.Array:
            at_venue = pa.array(rng.random(len(account)) < self.venue_share)
            return pc.if_else(at_venue, pick(venue, rng, len(account)),
                                      own.take(account))

        yield from chat_events(ctx, accounts, talk, HACKATHON_WORK, ips=ips)


@register
@dataclass(frozen=True)
class CarrierNat(Archetype):
    """A mobile carrier's carrier-grade NAT: thousands of unrelated people, one country,
    a handful of shared addresses reassigned per connection."""

    name: ClassVar[str] = "carrier_nat"
    customer: ClassVar[CustomerProfile] = CustomerProfile(verified_share=0.02)
    nat_addresses: int = 16
    per_day_median: float = 6.0
    mobile_share: float = 0.85

    def make_accounts(self, ctx: Context, count: int) -> Accounts:
        rng = ctx.rng
        code = ("IN", "ID", "NG", "PH", "BR", "MX", "VN", "TR")[int(rng.integers(0, 8))]
        country = identity.countries(rng, count, only=(code,))
        mobile = {"mobile_app": self.mobile_share, "chrome": (1 - self.mobile_share) * 0.8,
                  "safari": (1 - self.mobile_share) * 0.2}
        agents, tls = identity.clients(rng, count, mobile)
        prefixes = identity.residential_prefixes(rng, 2)
        hosts = rng.integers(1, 255, max(1, self.nat_addresses))
        pool = subnet_hosts(prefixes[np.arange(len(hosts)) % 2], hosts)
        ages = identity.account_ages_us(rng, count, 200.0, 1.0, 48)
        columns = {
            "email": identity.personal_emails(rng, country),
            "payment_fingerprint": maybe(rng, identity.cards(rng, count), 0.6),
            "account_created_at": pa.array(ctx.start_us - ages),
            "country": identity.country_codes(country), "access_path": constant("direct", count),
            "user_agent": agents, "tls_fingerprint": tls,
            "system_prompt": maybe(rng, pick(SYSTEM_PROMPTS["consumer"], rng, count), 0.5),
            "ip": pick(pool, rng, count),
        }
        traits = {"country": country, "utc_offset": identity.utc_offsets(rng, country),
                  "max_tokens": per_account_choice(rng, count, (1024, 2048), (0.6, 0.4)),
                  "temperature": np.full(count, 0.7)}
        return Accounts(new_account_ids(rng, count), columns, traits, {"pool": pool})

    def make_events(self, ctx: Context, accounts: Accounts) -> Iterator[Events]:
        pool = accounts.aux["pool"]
        habits = Habits(per_day_median=self.per_day_median, max_per_day=120)
        for events in human_blocks(ctx, accounts, habits):
            events.columns["ip"] = pick(pool, ctx.rng, len(events))
            yield events


POWER_WORK_TOPICS = {"writing": 0.25, "reasoning": 0.25, "coding": 0.2, "data_analysis": 0.1,
                     "chitchat": 0.1, "creative": 0.05, "rubric": 0.05}


@register
@dataclass(frozen=True)
class PowerUser(Archetype):
    """Heavy consumers (writers, analysts, students): aged accounts, browsers, home
    addresses, tens to hundreds of long reasoning and writing requests a day."""

    name: ClassVar[str] = "power_user"
    customer: ClassVar[CustomerProfile] = CustomerProfile(verified_share=0.15)
    per_day_median: float = 60.0
    step_phrase_share: float = 0.15

    def make_accounts(self, ctx: Context, count: int) -> Accounts:
        rng = ctx.rng
        country = identity.countries(rng, count)
        agents, tls = identity.clients(rng, count, {"chrome": 0.5, "safari": 0.25,
                                                    "firefox": 0.1, "mobile_app": 0.15})
        ages = identity.account_ages_us(rng, count, 300.0, 0.8, 24 * 30)
        columns = {
            "email": identity.personal_emails(rng, country),
            "payment_fingerprint": maybe(rng, identity.cards(rng, count), 0.1),
            "account_created_at": pa.array(ctx.start_us - ages),
            "country": identity.country_codes(country), "access_path": constant("direct", count),
            "org_id": random_hex(rng, count, 6, prefix="org_"),
            "user_agent": agents, "tls_fingerprint": tls,
            "ip": identity.residential_ips(rng, count),
        }
        traits = {"country": country, "utc_offset": identity.utc_offsets(rng, country),
                  "max_tokens": per_account_choice(rng, count, (4096, 8192, 16384),
                                                   (0.4, 0.4, 0.2)),
                  "temperature": per_account_choice(rng, count, (0.7, 1.0), (0.5, 0.5))}
        aux = {"ip_2": identity.residential_ips(rng, count, ipv6_share=0.5)}
        return Accounts(new_account_ids(rng, count), columns, traits, aux)

    def make_events(self, ctx: Context, accounts: Accounts) -> Iterator[Events]:
        habits = Habits(per_day_median=self.per_day_median, per_day_sigma=0.7, max_per_day=600,
                        mean_turns=4.0, capabilities=POWER_WORK_TOPICS,
                        step_phrase_share=self.step_phrase_share, completion_median=1200.0,
                        new_model_final_share=0.4, new_model_ramp_hours=24.0,
                        second_ip_share=0.2)
        yield from human_blocks(ctx, accounts, habits)
