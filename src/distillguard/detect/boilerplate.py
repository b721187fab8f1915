"""Boilerplate: shared values that come with common software, not with an operator.

In a large population a value thousands of unrelated customers share weighs nothing
(rarity, cohorts). In a small log the same value is held by a handful of accounts and
looks rare: five companies' cron jobs running one popular bot's system prompt, three
teams on the default SDK. What is boilerplate is known in advance, so it ships as data
(``boilerplate.yaml``: SDK and HTTP-client user agents, default system prompts; TLS
stacks are the provider's to list) and a provider adds its own with
``linkage.boilerplate_file``. Boilerplate values are removed from the shared indicators
before anything is weighed: they never link accounts and make no cohort.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import yaml

from distillguard.errors import ConfigError

_KEYS = ("user_agents", "system_prompts", "tls_fingerprints")


@dataclass(frozen=True)
class Boilerplate:
    """User-agent patterns, system prompt texts and TLS fingerprints that never link."""

    user_agents: tuple[str, ...]
    system_prompts: tuple[str, ...]
    tls_fingerprints: tuple[str, ...]

    def user_agent_pattern(self) -> str:
        """One case-insensitive RE2 pattern matching any listed user agent at its start."""
        return "(?i)^(?:" + "|".join(f"(?:{p})" for p in self.user_agents) + ")"

    def system_prompt_hashes(self) -> list[str]:
        """MD5 of each listed prompt as the indicator stores it (``md5(system_prompt)``),
        for the usual spellings: as listed, lower-case, with a trailing newline."""
        spellings = {v for text in self.system_prompts
                     for v in (text, text.lower(), text + "\n", text.lower() + "\n")}
        return sorted(hashlib.md5(v.encode("utf-8")).hexdigest() for v in spellings)


def _read(text: str, source: str) -> dict[str, tuple[str, ...]]:
    try:
        data: Any = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"not valid YAML ({exc})", where=source) from None
    if not isinstance(data, dict):
        raise ConfigError("a boilerplate file is a mapping", where=source)
    unknown = sorted(set(data) - set(_KEYS))
    if unknown:
        raise ConfigError(f"unknown boilerplate list '{unknown[0]}'", where=source)
    lists: dict[str, tuple[str, ...]] = {}
    for key in _KEYS:
        values = data.get(key) or []
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise ConfigError(f"boilerplate '{key}' must be a list of strings", where=source)
        lists[key] = tuple(values)
    return lists


@lru_cache(maxsize=8)
def load_boilerplate(extra_file: str = "") -> Boilerplate:
    """The shipped boilerplate, plus the lists of ``extra_file`` when given."""
    shipped = resources.files("distillguard.detect").joinpath("boilerplate.yaml")
    lists = _read(shipped.read_text("utf-8"), "boilerplate.yaml")
    if extra_file:
        try:
            text = Path(extra_file).read_text("utf-8")
        except OSError as exc:
            raise ConfigError(str(exc.strerror or exc), where=extra_file) from None
        for key, values in _read(text, extra_file).items():
            lists[key] = lists[key] + values
    return Boilerplate(**lists)


def drop_boilerplate(con: duckdb.DuckDBPyConnection, boilerplate: Boilerplate) -> None:
    """Remove boilerplate values from the ``account_indicators`` table."""
    con.execute(
        """
        DELETE FROM account_indicators
        WHERE (kind = 'user_agent' AND regexp_matches(value, ?))
           OR (kind = 'system_prompt' AND list_contains(?, value))
           OR (kind = 'tls_fingerprint' AND list_contains(?, value))
        """,
        [boilerplate.user_agent_pattern(), boilerplate.system_prompt_hashes(),
         list(boilerplate.tls_fingerprints)],
    )
