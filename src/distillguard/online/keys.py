"""API keys → accounts: the gateway's mapping file.

A YAML (or JSON) file with one entry per key. The key may be written as it is, or as
``sha256:<hex>`` of the key so the file holds no secret; either way only the SHA-256 of
a key is kept in memory. What the provider knows about the account travels with it and
is written into every logged event (contract 1)::

    keys:
      sk-live-0001:                     # or "sha256:9f86d0..."
        account_id: acct-1              # required
        org_id: org-7
        api_key_id: key-1               # defaults to the first 12 hex digits of the hash
        payment_fingerprint: pay-3f1c
        email: someone@example.com
        account_created_at: "2026-01-02T03:04:05Z"
        access_path: direct
        country: DE
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from distillguard.errors import ConfigError

#: Fields an entry may carry besides ``account_id`` (the account's contract-1 columns).
ACCOUNT_FIELDS: tuple[str, ...] = (
    "org_id", "api_key_id", "payment_fingerprint", "email", "account_created_at",
    "access_path", "country",
)


@dataclass(frozen=True)
class KeyRecord:
    """The account behind one API key, and its contract-1 account columns."""

    account_id: str
    fields: dict[str, str]


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class KeyRing:
    """Look up API keys (by SHA-256) in a mapping loaded from a file or a dict."""

    def __init__(self, entries: dict[str, KeyRecord]) -> None:
        self._by_digest = entries

    def __len__(self) -> int:
        return len(self._by_digest)

    def lookup(self, key: str) -> KeyRecord | None:
        return self._by_digest.get(key_digest(key))

    @classmethod
    def from_mapping(cls, data: Any, source: str = "keys") -> KeyRing:
        if not isinstance(data, dict) or set(data) != {"keys"} or not isinstance(
            data["keys"], dict
        ):
            raise ConfigError(f"{source}: expected a mapping with one entry, 'keys'")
        entries: dict[str, KeyRecord] = {}
        for number, (raw_key, entry) in enumerate(data["keys"].items(), start=1):
            key = str(raw_key)
            where = f"{source}: entry {number}"  # never echo a key, even in part
            if not isinstance(entry, dict):
                raise ConfigError(f"{where}: expected a mapping of account fields")
            unknown = sorted(set(entry) - {"account_id", *ACCOUNT_FIELDS})
            if unknown:
                raise ConfigError(f"{where}: unknown field '{unknown[0]}'")
            account = entry.get("account_id")
            if not isinstance(account, str) or not account:
                raise ConfigError(f"{where}: account_id is required")
            digest = key[7:].lower() if key.startswith("sha256:") else key_digest(key)
            if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
                raise ConfigError(f"{where}: a sha256 entry needs 64 hex digits")
            nested = sorted(k for k, v in entry.items() if isinstance(v, dict | list))
            if nested:
                raise ConfigError(f"{where}: field '{nested[0]}' must be text, not a structure")
            fields = {k: str(v) for k, v in entry.items() if k in ACCOUNT_FIELDS and v is not None}
            fields.setdefault("api_key_id", digest[:12])
            entries[digest] = KeyRecord(account, fields)
        return cls(entries)

    @classmethod
    def load(cls, path: str | Path) -> KeyRing:
        """Read a keys file (YAML or JSON). Raises ConfigError naming the problem."""
        try:
            text = Path(path).read_text("utf-8")
        except OSError as exc:
            raise ConfigError(f"{path}: {exc.strerror or exc}") from None
        try:
            data = json.loads(text) if str(path).endswith(".json") else yaml.safe_load(text)
        except (yaml.YAMLError, json.JSONDecodeError) as exc:
            raise ConfigError(f"{path}: not valid YAML/JSON ({exc})") from None
        return cls.from_mapping(data, str(path))
