"""Keep raw personal data out of outputs: stable display hashes for indicator values.

Reports, ``campaigns.json`` and exports show ``kind:hash`` instead of raw IPs, e-mails and
payment fingerprints unless the operator asks for raw values (``--show-pii``). The hash is
an HMAC keyed by ``DISTILLGUARD_PII_KEY`` when that variable is set (recommended: without a
key, anyone can hash candidate IPv4 addresses and match them). The key is never written
anywhere by distillguard.
"""

from __future__ import annotations

import hashlib
import hmac
import os

#: Indicator kinds whose values are personal data (or derived from it).
PERSONAL_KINDS: frozenset[str] = frozenset(
    {"ip", "ip_prefix", "email", "payment_fingerprint"}
)
_PREFIX = {"ip": "ip", "ip_prefix": "net", "email": "email", "payment_fingerprint": "pay"}
_DEFAULT_KEY = b"distillguard-display-v1"
KEY_ENV = "DISTILLGUARD_PII_KEY"


def _key() -> bytes:
    configured = os.environ.get(KEY_ENV)
    return configured.encode("utf-8") if configured else _DEFAULT_KEY


def display_hash(kind: str, value: str) -> str:
    """``kind:12-hex`` keyed hash of a personal value (same value → same hash)."""
    digest = hmac.new(_key(), f"{kind}\x00{value}".encode(), hashlib.sha256).hexdigest()
    return f"{_PREFIX.get(kind, kind)}:{digest[:12]}"


def display_value(kind: str, value: str, *, show_pii: bool = False) -> str:
    """What an output shows for an indicator value: hashed when personal."""
    if kind in PERSONAL_KINDS and not show_pii:
        return display_hash(kind, value)
    return value
