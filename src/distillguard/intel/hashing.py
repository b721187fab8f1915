"""Keyed hashes of indicator values: what two providers compare without revealing values.

An indicator value is shared as ``HMAC-SHA256(key, "distillguard-intel-v1" NUL kind NUL
normalise(kind, value))`` in hex, where ``key`` is a sharing key the community of
providers agreed on (``DISTILLGUARD_INTEL_KEY`` or a key file; never written to a bundle
or a workspace). A provider that holds the same value and the same key computes the same
hash; anyone else learns nothing, not even by hashing guesses (an unkeyed hash of an IPv4
address is reversed by trying all 2^32). :func:`normalise` makes spelling differences
(case, spaces, IPv6 forms, Unicode forms) irrelevant, so both sides hash the same text.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import ipaddress
import os
import re
import unicodedata
from pathlib import Path

import pyarrow as pa

from distillguard.privacy import hash_distinct, key_id, read_key

KEY_ENV = "DISTILLGUARD_INTEL_KEY"
#: Version tag mixed into every hash; a new normalisation gets a new tag.
SCHEME = "distillguard-intel-v1"
_KEY_PURPOSE = "intel sharing"
HEX_DIGEST = re.compile(r"[0-9a-f]{64}")
_SPACES = re.compile(r"\s+")
_FORMAT_CHARS = re.compile(r"[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def intel_key(key_file: str | Path | None = None) -> bytes:
    """The sharing key from ``key_file`` or ``DISTILLGUARD_INTEL_KEY`` (ConfigError if none)."""
    return read_key(KEY_ENV, key_file, "intel sharing")


def optional_intel_key(key_file: str | Path | None = None) -> bytes | None:
    """Like :func:`intel_key`, but None when no key is configured at all."""
    if not key_file and not os.environ.get(KEY_ENV, "").strip():
        return None
    return intel_key(key_file)


def intel_key_id(key: bytes) -> str:
    """Identifier of a sharing key (written into bundles; reveals nothing about the key)."""
    return key_id(key, _KEY_PURPOSE)


def _text(value: str) -> str:
    value = unicodedata.normalize("NFKC", value)
    return _SPACES.sub(" ", _FORMAT_CHARS.sub("", value)).strip()


_IPV4 = re.compile(r"(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}"
                   r"(?:/(3[0-2]|[12]?\d))?")


def _ipv4_fast(value: str, network: bool) -> str | None:
    """Canonical text of a plain dotted-quad address or network (``None``: not one).

    The same result as :mod:`ipaddress` for the inputs it accepts, without its cost
    (matching normalises every distinct address of a workspace).
    """
    if _IPV4.fullmatch(value) is None:
        return None
    address, _, length = value.partition("/")
    if not network:
        return None if length else address
    bits = int(length) if length else 32
    number = 0
    for octet in address.split("."):
        number = number * 256 + int(octet)
    number &= (0xFFFFFFFF << (32 - bits)) & 0xFFFFFFFF
    return ".".join(str((number >> shift) & 255) for shift in (24, 16, 8, 0)) + f"/{bits}"


def canonical_ip(value: str, *, network: bool = False, prefix_length: int | None = None
                 ) -> str | None:
    """Canonical address text, or with ``network`` the canonical network text (at
    ``prefix_length`` when given); ``None`` when ``value`` is not an address or network."""
    if prefix_length is not None:
        base = canonical_ip(value)
        if base is None or not 0 <= prefix_length <= (128 if ":" in base else 32):
            return None
        value, network = f"{base}/{prefix_length}", True
    fast = _ipv4_fast(value, network)
    if fast is not None:
        return fast
    try:
        if network:
            return str(ipaddress.ip_network(value, strict=False))
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def normalise(kind: str, value: str) -> str:
    """The text that is hashed for a value of ``kind`` (documented in docs/intel.md)."""
    value = value.strip()
    if kind in ("ip", "ip_prefix"):
        canonical = canonical_ip(value, network=kind == "ip_prefix")
        return canonical if canonical is not None else value.lower()
    if kind in ("email", "email_pattern"):
        return _text(value).lower()
    if kind in ("system_prompt", "user_agent"):
        return _text(value)
    return value  # payment and TLS fingerprints, templates (skeletons are normalised)


def indicator_hash(key: bytes, kind: str, value: str) -> str:
    """The keyed hash of one value of ``kind`` (64 hex characters)."""
    message = f"{SCHEME}\x00{kind}\x00{normalise(kind, value)}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def indicator_hashes(key: bytes, kind: str, values: pa.ChunkedArray | pa.Array) -> pa.Array:
    """Keyed hashes of a column of values, computed once per distinct value."""
    return hash_distinct(values, functools.partial(indicator_hash, key, kind))
