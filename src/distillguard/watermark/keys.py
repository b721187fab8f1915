"""Per-account and per-campaign watermark keys.

A provider holds one master secret. Each account's key is derived from it,
``key = HMAC-SHA256(master_secret, account_id)``, so the watermark in a text says which
account received it, and no per-account key has to be stored: any key can be re-derived
from the secret and the account id. A campaign key (one key shared by every account of a
suspected campaign) is ``HMAC-SHA256(master_secret, "campaign" NUL campaign_id)``; account
ids may not contain NUL, so the two kinds of key cannot collide.

The master secret is read from the environment variable ``DISTILLGUARD_WATERMARK_SECRET``
or from a file, and is never written into any output. Key-set files list the keys to test
(JSON or CSV): account ids, optional campaign ids, or precomputed hexadecimal keys.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from distillguard.errors import DistillguardError, InputFileError
from distillguard.watermark.inputs import read_utf8_text

SECRET_ENV = "DISTILLGUARD_WATERMARK_SECRET"
MIN_SECRET_BYTES = 16
_CAMPAIGN_PREFIX = b"campaign\x00"


class WatermarkKeyError(DistillguardError):
    """A master secret or key set is missing or invalid."""


@dataclass(frozen=True)
class WatermarkKey:
    """One key to watermark with or test for.

    ``key_id`` names it in every output (the account id for account keys,
    ``campaign:<id>`` for campaign keys); the key bytes are never printed.
    """

    key_id: str
    key: bytes
    account_id: str | None = None
    campaign_id: str | None = None

    @property
    def seed(self) -> int:
        """The 64-bit integer the green-list hash is keyed with."""
        return key_seed(self.key)

    @property
    def fingerprint(self) -> str:
        """A short, one-way tag to check two parties hold the same key (safe to show)."""
        return hashlib.sha256(b"distillguard-fingerprint\x00" + self.key).hexdigest()[:12]

    @property
    def group(self) -> str:
        """The unit of attribution: the campaign when one is given, else the key itself."""
        return f"campaign:{self.campaign_id}" if self.campaign_id else self.key_id

    def __repr__(self) -> str:  # keep key bytes out of logs and tracebacks
        return (
            f"WatermarkKey(key_id={self.key_id!r}, account_id={self.account_id!r}, "
            f"campaign_id={self.campaign_id!r}, fingerprint={self.fingerprint!r})"
        )


def _check_identifier(value: str, what: str) -> str:
    if not value:
        raise WatermarkKeyError(f"empty {what}")
    if "\x00" in value:
        raise WatermarkKeyError(f"{what} {value!r} contains a NUL character")
    return value


def derive_account_key(master_secret: bytes, account_id: str) -> bytes:
    """``HMAC-SHA256(master_secret, account_id)`` (32 bytes)."""
    _check_identifier(account_id, "account id")
    return hmac.new(master_secret, account_id.encode("utf-8"), hashlib.sha256).digest()


def derive_campaign_key(master_secret: bytes, campaign_id: str) -> bytes:
    """``HMAC-SHA256(master_secret, "campaign" NUL campaign_id)`` (32 bytes)."""
    _check_identifier(campaign_id, "campaign id")
    message = _CAMPAIGN_PREFIX + campaign_id.encode("utf-8")
    return hmac.new(master_secret, message, hashlib.sha256).digest()


def key_seed(key: bytes) -> int:
    """The first 8 bytes of a key as an unsigned 64-bit integer (big-endian)."""
    if len(key) < 8:
        raise WatermarkKeyError("a watermark key needs at least 8 bytes")
    return int.from_bytes(key[:8], "big")


def seeds_array(keys: Sequence[WatermarkKey]) -> np.ndarray:
    """The keys' 64-bit seeds as a ``uint64`` array, in order."""
    return np.array([key.seed for key in keys], dtype=np.uint64)


def account_key(
    master_secret: bytes, account_id: str, campaign_id: str | None = None
) -> WatermarkKey:
    """The key an account's outputs are watermarked with."""
    return WatermarkKey(
        key_id=account_id,
        key=derive_account_key(master_secret, account_id),
        account_id=account_id,
        campaign_id=campaign_id,
    )


def campaign_key(master_secret: bytes, campaign_id: str) -> WatermarkKey:
    """One key shared by all the accounts of a campaign."""
    return WatermarkKey(
        key_id=f"campaign:{campaign_id}",
        key=derive_campaign_key(master_secret, campaign_id),
        campaign_id=campaign_id,
    )


def load_master_secret(secret_file: str | Path | None = None) -> bytes:
    """Read the master secret from ``secret_file`` or, without one, the environment.

    Raises
    ------
    WatermarkKeyError
        When no secret is configured or it is shorter than 16 bytes.
    """
    if secret_file is not None:
        path = Path(secret_file)
        try:
            secret = path.read_bytes().rstrip(b"\r\n")
        except OSError as exc:
            raise InputFileError(str(path), exc.strerror or str(exc)) from None
        source = str(path)
    else:
        value = os.environ.get(SECRET_ENV)
        if value is None:
            raise WatermarkKeyError(
                f"no master secret: set {SECRET_ENV} or pass --secret-file FILE"
            )
        secret = value.encode("utf-8")
        source = SECRET_ENV
    if len(secret) < MIN_SECRET_BYTES:
        raise WatermarkKeyError(
            f"the master secret in {source} is too short ({len(secret)} bytes; "
            f"at least {MIN_SECRET_BYTES} are needed)"
        )
    return secret


def _parse_hex_key(value: str, where: str) -> bytes:
    try:
        key = bytes.fromhex(value.strip())
    except ValueError:
        raise WatermarkKeyError(f"{where}: 'key' is not hexadecimal") from None
    if len(key) < 8:
        raise WatermarkKeyError(f"{where}: 'key' must have at least 16 hex digits")
    return key


def _entry_to_key(entry: dict[str, Any], master_secret: bytes | None, where: str) -> WatermarkKey:
    def text(name: str) -> str | None:
        value = entry.get(name)
        if value is None or value == "":
            return None
        if not isinstance(value, str | int):
            raise WatermarkKeyError(f"{where}: '{name}' must be a string")
        return str(value)

    account_id = text("account_id")
    campaign_id = text("campaign_id")
    hex_key = text("key")
    key_id = text("key_id")
    if hex_key is not None:
        key_id = key_id or account_id or (f"campaign:{campaign_id}" if campaign_id else None)
        if key_id is None:
            raise WatermarkKeyError(
                f"{where}: a precomputed 'key' needs a 'key_id' or 'account_id'"
            )
        return WatermarkKey(key_id, _parse_hex_key(hex_key, where), account_id, campaign_id)
    if master_secret is None:
        raise WatermarkKeyError(
            f"{where}: keys must be derived from the master secret: set {SECRET_ENV} "
            "or pass --secret-file FILE (or give precomputed 'key' values)"
        )
    try:
        if account_id is not None:
            return account_key(master_secret, account_id, campaign_id)
        if campaign_id is not None:
            return campaign_key(master_secret, campaign_id)
    except WatermarkKeyError as exc:
        raise WatermarkKeyError(f"{where}: {exc}") from None
    raise WatermarkKeyError(f"{where}: needs 'account_id', 'campaign_id' or 'key'")


def _read_entries(path: Path) -> list[tuple[dict[str, Any], str]]:
    text = read_utf8_text(path)
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputFileError(
                str(path), f"not valid JSON ({exc.msg}, line {exc.lineno})"
            ) from None
        if isinstance(data, dict):
            data = data.get("keys")
        if not isinstance(data, list):
            raise InputFileError(str(path), 'expected a JSON list of keys (or {"keys": [...]})')
        entries: list[tuple[dict[str, Any], str]] = []
        for index, item in enumerate(data):
            where = f"{path}: entry {index}"
            if isinstance(item, str):
                item = {"account_id": item}
            if not isinstance(item, dict):
                raise WatermarkKeyError(f"{where}: expected an object or an account id")
            entries.append((item, where))
        return entries
    reader = csv.DictReader(text.splitlines())
    fields = set(reader.fieldnames or [])
    if not fields & {"account_id", "campaign_id", "key"}:
        raise InputFileError(
            str(path), "CSV needs a header with 'account_id', 'campaign_id' or 'key'"
        )
    return [(dict(row), f"{path}: line {index + 2}") for index, row in enumerate(reader)]


def load_key_set(path: str | Path, master_secret: bytes | None = None) -> list[WatermarkKey]:
    """Read a key-set file (JSON or CSV) into keys.

    Each entry has an ``account_id`` (key derived per account), or only a ``campaign_id``
    (one campaign key), or a precomputed hexadecimal ``key`` with a ``key_id``. An entry
    with both ``account_id`` and ``campaign_id`` is an account key whose results are also
    pooled into its campaign. JSON may be a list of such objects, a list of account ids,
    or ``{"keys": [...]}``; CSV needs a header row.

    Raises
    ------
    InputFileError, WatermarkKeyError
        When the file cannot be read, an entry is invalid, or a key id repeats.
    """
    path = Path(path)
    keys = [_entry_to_key(entry, master_secret, where) for entry, where in _read_entries(path)]
    if not keys:
        raise WatermarkKeyError(f"{path}: the key set is empty")
    check_unique_ids(keys, str(path))
    return keys


def check_unique_ids(keys: Iterable[WatermarkKey], where: str) -> None:
    """Raise when two keys share a ``key_id`` (results would be ambiguous)."""
    seen: set[str] = set()
    for key in keys:
        if key.key_id in seen:
            raise WatermarkKeyError(f"{where}: key id {key.key_id!r} appears twice")
        seen.add(key.key_id)


def export_keys(keys: Sequence[WatermarkKey]) -> list[dict[str, str | None]]:
    """Precomputed keys for a serving gateway that must not hold the master secret.

    The result contains secret key material: store it like the secret itself.
    """
    return [
        {
            "key_id": key.key_id,
            "account_id": key.account_id,
            "campaign_id": key.campaign_id,
            "key": key.key.hex(),
        }
        for key in keys
    ]
