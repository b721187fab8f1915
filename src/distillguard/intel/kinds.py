"""Indicator kinds: where each is read in the workspace and how it is written in STIX.

The kinds are those of :mod:`distillguard.detect.indicators` that are exchanged. STIX 2.1 has native
objects for some (``ipv4-addr``/``ipv6-addr`` for addresses and CIDR ranges,
``email-addr``, the HTTP request extension of ``network-traffic`` for user agents) and
none for the others, which use custom observable types (``x-distillguard-...``) in
ordinary STIX patterns. Keyed hashes of any kind use one custom type,
``x-distillguard-keyed-hash``, with the kind and the hash as two properties.

Every pattern distillguard writes has one of the exact shapes below, and an import
accepts only these shapes (:func:`parse_pattern`): a pattern that is valid STIX but
asks for something else (a comparison other than ``=``, a different object path, an
observation expression) is rejected rather than half-understood.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from distillguard.detect.indicators import INDICATOR_KINDS, KIND
from distillguard.intel.hashing import HEX_DIGEST

#: How each kind is read from the workspace's events (the stored column; the catalogue:
#: :mod:`distillguard.detect.indicators`).
WORKSPACE_VALUES: dict[str, str] = {k.name: k.column for k in INDICATOR_KINDS if k.shared}
KINDS: tuple[str, ...] = tuple(WORKSPACE_VALUES)
#: Kinds that describe one thing are correlated evidence: an address and its network, a
#: client's user agent and its TLS fingerprint (a common library has both), an e-mail and
#: its shape. Matching counts each family once, by its strongest match.
EVIDENCE_FAMILIES: dict[str, str] = {
    k.name: k.family for k in INDICATOR_KINDS if k.shared and k.family is not None
}


def value_condition(kind: str) -> str:
    """The condition a stored value of ``kind`` must meet beyond being present (SQL)."""
    extra = KIND[kind].condition
    return f"{WORKSPACE_VALUES[kind]} IS NOT NULL" + (f" AND {extra}" if extra else "")


HASH_OBJECT = "x-distillguard-keyed-hash"
#: The object path of each kind's plain value (``ip`` and ``ip_prefix`` use the address
#: type of their IP version; a range is an address value with a ``/prefix``).
PLAIN_PATHS: dict[str, str] = {
    "payment_fingerprint": "x-distillguard-payment-fingerprint:value",
    "tls_fingerprint": "x-distillguard-tls-fingerprint:value",
    "user_agent": "network-traffic:extensions.'http-request-ext'.request_header.'User-Agent'",
    "email": "email-addr:value",
    "email_pattern": "x-distillguard-email-pattern:value",
    "system_prompt": "x-distillguard-system-prompt:value",
    "template": "x-distillguard-prompt-template:skeleton",
}
_ADDRESS_PATHS = ("ipv4-addr:value", "ipv6-addr:value")
_LITERAL = r"'((?:[^'\\]|\\['\\])*)'"
_HASHED_PATTERN = re.compile(
    rf"\[{HASH_OBJECT}:kind = '([a-z_]{{1,32}})' AND {HASH_OBJECT}:hmac_sha256 = "
    r"'([0-9a-f]{64})'\]"
)
_PLAIN_PATTERN = re.compile(
    r"\[(" + "|".join(re.escape(p) for p in (*_ADDRESS_PATHS, *PLAIN_PATHS.values()))
    + r") = " + _LITERAL + r"\]"
)
_KIND_OF_PATH = {path: kind for kind, path in PLAIN_PATHS.items()}


class PatternError(ValueError):
    """A STIX pattern that is not one of the shapes distillguard reads."""


@dataclass(frozen=True)
class ParsedPattern:
    kind: str
    #: The plain value, or None for a keyed hash.
    value: str | None
    #: The keyed hash (64 hex), or None for a plain value.
    value_hash: str | None


def _literal(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _unescape(literal: str) -> str:
    return re.sub(r"\\(['\\])", r"\1", literal)


def hashed_pattern(kind: str, digest: str) -> str:
    """The pattern of a keyed hash of a ``kind`` value."""
    if kind not in KINDS or not HEX_DIGEST.fullmatch(digest):
        raise PatternError(f"not a keyed hash of a known kind: {kind}")
    return f"[{HASH_OBJECT}:kind = '{kind}' AND {HASH_OBJECT}:hmac_sha256 = '{digest}']"


def plain_pattern(kind: str, value: str) -> str | None:
    """The pattern of a plain value, or None when the value cannot be written plainly
    (an ``ip`` or ``ip_prefix`` that is no address or network, e.g. a pseudonym)."""
    if kind in ("ip", "ip_prefix"):
        try:
            address = (
                ipaddress.ip_address(value) if kind == "ip"
                else ipaddress.ip_network(value, strict=False)
            )
        except ValueError:
            return None
        path = _ADDRESS_PATHS[0] if address.version == 4 else _ADDRESS_PATHS[1]
        return f"[{path} = {_literal(str(address))}]"
    return f"[{PLAIN_PATHS[kind]} = {_literal(value)}]"


def parse_pattern(pattern: str) -> ParsedPattern:
    """Kind and value (or hash) of a pattern distillguard reads; :class:`PatternError`
    for anything else."""
    hashed = _HASHED_PATTERN.fullmatch(pattern)
    if hashed:
        kind, digest = hashed.groups()
        if kind not in KINDS:
            raise PatternError(f"unknown indicator kind '{kind}'")
        return ParsedPattern(kind, None, digest)
    plain = _PLAIN_PATTERN.fullmatch(pattern)
    if plain is None:
        raise PatternError("not one of the indicator patterns distillguard reads "
                           "(see docs/intel.md)")
    path, literal = plain.groups()
    value = _unescape(literal)
    if path in _ADDRESS_PATHS:
        return ParsedPattern(_address_kind(path, value), value, None)
    return ParsedPattern(_KIND_OF_PATH[path], value, None)


def _address_kind(path: str, value: str) -> str:
    version = 4 if path == _ADDRESS_PATHS[0] else 6
    try:
        network = ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise PatternError(f"{path} is not an address or range: {value[:60]!r}") from None
    if network.version != version:
        raise PatternError(f"{path} holds an IPv{network.version} value")
    if "/" not in value:
        return "ip"
    return "ip_prefix"
