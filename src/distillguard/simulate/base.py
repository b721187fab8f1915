"""The archetype contract: accounts first, then their events in chunks; and the registry.

An archetype is a small frozen dataclass whose fields are its knobs (rates, shares,
sizes), registered by name with ``@register``. ``make_accounts`` returns the
account-level columns (who they are); ``make_events`` yields blocks of events (what
they send, when), each small enough to hold in memory. Columns an event block does not
set are taken from its account; columns neither sets stay null.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeAlias

import numpy as np
import pyarrow as pa

from distillguard.errors import ConfigError
from distillguard.simulate.customers import CustomerProfile
from distillguard.simulate.prompts import PromptBank
from distillguard.simulate.scenario import Evasion, Scenario
from distillguard.simulate.textgen import integers_as_text, join_columns, random_hex

ColumnValues: TypeAlias = pa.Array | np.ndarray


@dataclass
class Accounts:
    """Account-level data.

    ``columns`` are event columns constant per account (named as in the schema);
    ``traits`` are numbers the event generator needs (time zone, volume, ...);
    ``aux`` are other per-account strings (a second IP address, ...).
    """

    ids: pa.Array
    columns: dict[str, pa.Array] = field(default_factory=dict)
    traits: dict[str, np.ndarray] = field(default_factory=dict)
    aux: dict[str, pa.Array] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ids)


@dataclass
class Events:
    """A block of events: which account sent each, when, and per-event columns."""

    account: np.ndarray
    time_us: np.ndarray
    columns: dict[str, ColumnValues] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.account)

    def select(self, keep: np.ndarray) -> Events:
        """The events where ``keep`` (a boolean mask) is true."""
        mask = pa.array(keep)
        columns: dict[str, ColumnValues] = {
            name: values.filter(mask) if isinstance(values, pa.Array) else values[keep]
            for name, values in self.columns.items()}
        return Events(self.account[keep], self.time_us[keep], columns)


@dataclass
class Context:
    """What an archetype needs to generate one group."""

    scenario: Scenario
    rng: np.random.Generator
    prompts: PromptBank
    evasion: Evasion
    start_us: int
    end_us: int
    release_us: int | None
    campaign_id: str | None = None
    #: Accounts per event block for archetypes that chunk over accounts.
    chunk_accounts: int = 2000
    #: Rough upper bound of events per block (bounds memory for heavy archetypes).
    block_events: int = 100_000

    @property
    def days(self) -> float:
        return (self.end_us - self.start_us) / 86_400e6

    def accounts_per_block(self, events_per_account: float) -> int:
        """How many accounts to generate at once so a block stays near ``block_events``."""
        by_volume = int(self.block_events / max(events_per_account, 1.0))
        return max(1, min(self.chunk_accounts, by_volume))


class Archetype(ABC):
    """Base of every traffic archetype. Subclasses are frozen dataclasses of knobs."""

    name: ClassVar[str]
    campaign: ClassVar[bool] = False
    #: Short name used in campaign ids (``camp-<short>-1``).
    short: ClassVar[str] = ""
    #: How its accounts appear in the customer table (``customers.parquet``).
    customer: ClassVar[CustomerProfile] = CustomerProfile(
        tiers={"free": 0.3, "pay_as_you_go": 0.7})

    def customer_profile(self) -> CustomerProfile:
        """The customer-table profile (a knob-dependent one where an archetype needs it)."""
        return self.customer

    @abstractmethod
    def make_accounts(self, ctx: Context, count: int) -> Accounts:
        """Who the ``count`` accounts are."""

    @abstractmethod
    def make_events(self, ctx: Context, accounts: Accounts) -> Iterator[Events]:
        """What they send: blocks of events, every account at least once."""


ARCHETYPES: dict[str, type[Archetype]] = {}


def register(cls: type[Archetype]) -> type[Archetype]:
    """Class decorator: make an archetype available by its ``name``."""
    if cls.name in ARCHETYPES:
        raise ValueError(f"archetype '{cls.name}' registered twice")
    ARCHETYPES[cls.name] = cls
    return cls


def build_archetype(name: str, knobs: Mapping[str, Any]) -> Archetype:
    """Instantiate a registered archetype with knob overrides (unknown knobs fail)."""
    try:
        cls = ARCHETYPES[name]
    except KeyError:
        raise ConfigError(f"scenario: unknown archetype '{name}' "
                          f"(known: {', '.join(sorted(ARCHETYPES))})") from None
    known = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(knobs) - known)
    if unknown:
        raise ConfigError(f"scenario: archetype '{name}' has no knob '{unknown[0]}'")
    return cls(**knobs)


def new_account_ids(rng: np.random.Generator, count: int) -> pa.Array:
    return random_hex(rng, count, 8, prefix="acct_")


def api_keys(rng: np.random.Generator, account_ids: pa.Array, account: np.ndarray,
             keys_per_account: int = 2) -> pa.Array:
    """An API key id per event: one of a few keys per account."""
    key_no = rng.integers(0, max(1, keys_per_account), len(account))
    base = account_ids.take(account)
    return join_columns(["key_", base, "_", integers_as_text(key_no)], len(account))


def chunks(count: int, size: int) -> Iterator[np.ndarray]:
    """Index ranges of at most ``size`` accounts."""
    for begin in range(0, count, max(1, size)):
        yield np.arange(begin, min(count, begin + size))
