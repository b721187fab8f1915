"""``simulate()``: run every archetype group of a scenario and write events + labels."""

from __future__ import annotations

import os
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from distillguard.errors import ConfigError
from distillguard.schema import CUSTOMER_SCHEMA, LABEL_SCHEMA
from distillguard.simulate.assemble import build_table
from distillguard.simulate.base import ARCHETYPES, Context, build_archetype
from distillguard.simulate.behaviour import US_PER_HOUR
from distillguard.simulate.customers import customer_table
from distillguard.simulate.prompts import PromptBank
from distillguard.simulate.scenario import Group, Scenario, allocate
from distillguard.simulate.textgen import constant
from distillguard.simulate.writer import SortedEventWriter, write_table

EVENTS_FILE = "events.parquet"
LABELS_FILE = "labels.parquet"
CUSTOMERS_FILE = "customers.parquet"


@dataclass(frozen=True)
class SimulationResult:
    """Where the files are and how much was written."""

    events_path: Path
    labels_path: Path
    events: int
    accounts: int
    campaigns: int
    #: ``customers.parquet`` when the scenario asked for it (``Scenario.customers``).
    customers_path: Path | None = None


def plan(scenario: Scenario) -> list[Group]:
    """The groups a scenario expands to (archetype, size, campaign id), validated."""
    shorts = {name: cls.short for name, cls in ARCHETYPES.items() if cls.campaign}
    for name in scenario.archetype_shares:
        cls = ARCHETYPES.get(name)
        if cls is None or cls.campaign:
            raise ConfigError(f"scenario: archetype_shares names '{name}', which is not a "
                              "legitimate archetype")
    for spec in scenario.campaigns:
        cls = ARCHETYPES.get(spec.archetype)
        if cls is None or not cls.campaign:
            raise ConfigError(f"scenario: campaigns names '{spec.archetype}', which is not a "
                              "campaign archetype")
    for group in scenario.groups:
        cls = ARCHETYPES.get(group.archetype)
        if cls is None or cls.campaign:
            raise ConfigError(f"scenario: groups names '{group.archetype}', which is not a "
                              "legitimate archetype")
    return allocate(scenario, shorts)


def _micros(scenario: Scenario) -> tuple[int, int, int | None]:
    start = round(scenario.start.timestamp() * 1_000_000)
    end = start + round(scenario.hours * US_PER_HOUR)
    release = (None if scenario.model_release_hours is None
               else start + round(scenario.model_release_hours * US_PER_HOUR))
    return start, end, release


def group_rng(seed: int, index: int, archetype: str) -> np.random.Generator:
    """One independent, reproducible stream per group (stable across Python runs)."""
    return np.random.default_rng([seed, index, zlib.crc32(archetype.encode())])


def simulate(scenario: Scenario, out_dir: str | Path, *,
             progress: Callable[[int, int], None] | None = None) -> SimulationResult:
    """Generate the scenario's traffic into ``out_dir``.

    Writes ``events.parquet`` (contract 1, sorted by ``timestamp`` then ``request_id``)
    and ``labels.parquet`` (contract 3, sorted by ``account_id``), and with
    ``scenario.customers`` also ``customers.parquet`` (``schema.CUSTOMER_SCHEMA``, sorted
    by ``account_id``). The same scenario
    gives byte-identical files. ``progress(done, total)`` is called after each group
    with the number of accounts generated so far.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    groups = plan(scenario)
    prompts = PromptBank.from_path(scenario.corpus)
    start_us, end_us, release_us = _micros(scenario)
    total_accounts = sum(group.accounts for group in groups)
    label_parts: list[pa.Table] = []
    customer_parts: list[pa.Table] = []
    done = 0
    events_tmp = out / (EVENTS_FILE + ".partial")
    with SortedEventWriter(events_tmp, start_us, window_us=US_PER_HOUR) as writer:
        for index, group in enumerate(groups):
            archetype = build_archetype(group.archetype, group.knobs)
            ctx = Context(scenario=scenario, rng=group_rng(scenario.seed, index, group.archetype),
                          prompts=prompts, evasion=scenario.evasion_settings, start_us=start_us,
                          end_us=end_us, release_us=release_us, campaign_id=group.campaign_id)
            accounts = archetype.make_accounts(ctx, group.accounts)
            for block in archetype.make_events(ctx, accounts):
                writer.add(build_table(ctx, accounts, block))
            count = len(accounts)
            label_parts.append(pa.Table.from_arrays(
                [accounts.ids, constant(group.archetype, count),
                 constant(group.campaign_id, count)], schema=LABEL_SCHEMA))
            if scenario.customers:
                # Its own stream, so that asking for the table changes no event.
                rng = group_rng(scenario.seed, index, group.archetype + "/customers")
                customer_parts.append(customer_table(archetype.customer_profile(),
                                                     accounts.ids, accounts.columns, rng))
            done += count
            if progress is not None:
                progress(done, total_accounts)
        events = writer.finish()
    events_path = out / EVENTS_FILE
    os.replace(events_tmp, events_path)
    labels = pa.concat_tables(label_parts).sort_by("account_id") if label_parts else (
        LABEL_SCHEMA.empty_table())
    labels_path = out / LABELS_FILE
    write_table(labels, labels_path)
    customers_path = None
    if scenario.customers:
        customers = (pa.concat_tables(customer_parts).sort_by("account_id") if customer_parts
                     else CUSTOMER_SCHEMA.empty_table())
        customers_path = out / CUSTOMERS_FILE
        write_table(customers, customers_path)
    campaigns = len({group.campaign_id for group in groups if group.campaign_id})
    return SimulationResult(events_path=events_path, labels_path=labels_path, events=events,
                            accounts=labels.num_rows, campaigns=campaigns,
                            customers_path=customers_path)
