"""Keep raw personal data out of outputs: stable display hashes for indicator values.

Reports, ``campaigns.json`` and exports show ``kind:hash`` instead of raw IPs, e-mails and
payment fingerprints unless the operator asks for raw values (``--show-pii``). The hash is
an HMAC keyed by ``DISTILLGUARD_PII_KEY`` when that variable is set (recommended: without a
key, anyone can hash candidate IPv4 addresses and match them). The key is never written
anywhere by distillguard.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import hmac
import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from distillguard.errors import ConfigError

if TYPE_CHECKING:
    import duckdb

    from distillguard.config import Config, PrivacyConfig

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


# -- keys ------------------------------------------------------------------------------

#: Shortest accepted key: a keyed hash is only as strong as its key.
MIN_KEY_BYTES = 16


def read_key(env: str, key_file: str | Path | None, what: str) -> bytes:
    """A secret key from ``key_file`` (its bytes, surrounding whitespace removed) or ``env``.

    Raises
    ------
    ConfigError
        When neither gives a key, the file cannot be read, or the key is shorter than
        :data:`MIN_KEY_BYTES` (the message names the source, never the key).
    """
    if key_file:
        try:
            key = Path(key_file).read_bytes().strip()
        except OSError as exc:
            raise ConfigError(f"cannot read the {what} key file {key_file}: "
                              f"{exc.strerror or exc}") from None
        source = f"key file {key_file}"
    else:
        key = os.environ.get(env, "").strip().encode("utf-8")
        if not key:
            raise ConfigError(f"the {what} needs a key: set {env} or pass a key file")
        source = env
    if len(key) < MIN_KEY_BYTES:
        raise ConfigError(f"the {what} key from {source} is too short "
                          f"({len(key)} bytes; at least {MIN_KEY_BYTES})")
    return key


def key_id(key: bytes, purpose: str) -> str:
    """A 16-hex identifier of ``key``: tells whether two parties hold the same key.

    It is an HMAC of a fixed text under the key, so it reveals nothing about the key.
    """
    return hmac.new(key, f"distillguard key id\x00{purpose}".encode(), hashlib.sha256
                    ).hexdigest()[:16]


def hash_distinct(
    values: pa.ChunkedArray | pa.Array, transform: Callable[[str], str]
) -> pa.Array:
    """``transform`` applied to each *distinct* value of a string column, mapped back.

    Hashing is Python-level work; doing it once per distinct value (not per event) keeps
    it proportional to the number of IPs, cards or e-mails, not of requests.
    """
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    encoded = pc.dictionary_encode(values)
    dictionary = encoded.dictionary.cast(pa.string()).to_pylist()
    mapped = pa.array([transform(v) for v in dictionary], pa.string())
    return pc.take(mapped, encoded.indices)


# -- pseudonymisation at ingest --------------------------------------------------------

#: Columns replaced by pseudonyms at ingest, and the label each pseudonym starts with.
PSEUDONYM_LABELS: dict[str, str] = {
    "ip": "ip",
    "ip_prefix": "net",
    "ip_block": "blk",
    "email": "email",
    "payment_fingerprint": "pay",
    "email_domain": "dom",
}
_PSEUDONYM = re.compile(r"(?:ip|net|blk|email|pay|dom)~[0-9a-f]{32}")
_META_KEY = "pii_key_id"
_KEY_PURPOSE = "pii pseudonyms"


def pseudonym(key: bytes, kind: str, value: str) -> str:
    """``label~32-hex``: HMAC-SHA256 of the value under ``key``, separated by kind."""
    digest = hmac.new(key, f"distillguard pseudonym\x00{kind}\x00{value}".encode(),
                      hashlib.sha256).hexdigest()
    return f"{PSEUDONYM_LABELS.get(kind, kind)}~{digest[:32]}"


def is_pseudonym(value: str) -> bool:
    """Whether ``value`` is a pseudonym written by :func:`pseudonymise`."""
    return _PSEUDONYM.fullmatch(value) is not None


def pseudonymise(
    batch: pa.Table, key: bytes, *, keep_domains: Iterable[str] = ()
) -> pa.Table:
    """Replace personal columns of a featured batch by keyed pseudonyms.

    ``ip``, ``email``, ``payment_fingerprint`` and the derived ``ip_prefix`` and
    ``ip_block`` become ``label~hash`` (equal values stay equal, so linkage and distinct
    counts are unchanged); ``email_domain`` is kept when it is one of ``keep_domains``
    (big free-mail providers) and hashed otherwise, and ``email_pattern`` keeps its
    shape with the same domain. Run it *after*
    :func:`distillguard.detect.features.event_features`: the structural columns are
    derived from the raw values first. Columns absent from ``batch`` are left out; a pure
    function over one Arrow table (hashing per distinct value).
    """
    def replace(table: pa.Table, name: str, column: pa.Array) -> pa.Table:
        index = table.schema.get_field_index(name)
        return table.set_column(index, table.schema.field(name), column)

    for name in ("ip", "ip_prefix", "ip_block", "email", "payment_fingerprint"):
        if name in batch.column_names:
            batch = replace(batch, name, hash_distinct(
                batch.column(name), functools.partial(pseudonym, key, name)))
    if "email_domain" in batch.column_names:
        kept = frozenset(d.lower() for d in keep_domains)
        domain = hash_distinct(
            batch.column("email_domain"),
            lambda v: v if v in kept else pseudonym(key, "email_domain", v),
        )
        batch = replace(batch, "email_domain", domain)
        if "email_pattern" in batch.column_names:
            shape = pc.replace_substring_regex(
                batch.column("email_pattern"), pattern=r"@[^@]*$", replacement="")
            if isinstance(shape, pa.ChunkedArray):
                shape = shape.combine_chunks()
            batch = replace(batch, "email_pattern", pc.binary_join_element_wise(shape, domain, "@"))
    return batch


def ingest_key(config: PrivacyConfig) -> bytes:
    """The pseudonymisation key: ``privacy.pii_key_file`` or ``DISTILLGUARD_PII_KEY``."""
    return read_key(KEY_ENV, config.pii_key_file or None, "pseudonymisation")


def with_pseudonymisation(config: Config, enable: bool, key_file: Path | None) -> Config:
    """``config`` with the command line's ``--pseudonymise``/``--pii-key-file`` applied.

    The key is read once here, so a missing key fails before any file is read.
    """
    privacy = config.privacy
    if enable or key_file is not None:
        privacy = dataclasses.replace(
            privacy,
            pseudonymise_at_ingest=privacy.pseudonymise_at_ingest or enable,
            pii_key_file=str(key_file) if key_file is not None else privacy.pii_key_file,
        )
    if privacy.pseudonymise_at_ingest:
        ingest_key(privacy)
    return dataclasses.replace(config, privacy=privacy)


def check_workspace_key(con: duckdb.DuckDBPyConnection, config: PrivacyConfig) -> None:
    """Keep a workspace whole: raw and pseudonymised events never mix in it.

    Raw and pseudonymised events must not mix in one workspace (they would never link),
    nor pseudonyms made with two keys: the workspace's ``meta`` table records the key's
    id (:func:`key_id`; never the key), and a mismatch is a :class:`ConfigError`. The
    ingest recipe (:class:`distillguard.engines.batches.IngestRecipe`) pseudonymises.
    """
    row = con.execute("SELECT value FROM meta WHERE key = ?", [_META_KEY]).fetchone()
    recorded = row[0] if row else None
    if not config.pseudonymise_at_ingest:
        if recorded:
            raise ConfigError(
                "this workspace holds pseudonymised events: ingest into it with "
                "--pseudonymise and the same key, or use another workspace")
        return
    current = key_id(ingest_key(config), _KEY_PURPOSE)
    if recorded is None:
        held = con.execute("SELECT count(*) FROM events").fetchone()
        if held and held[0]:
            raise ConfigError(
                "this workspace already holds events that are not pseudonymised: "
                "use a new workspace for --pseudonymise")
        con.execute("INSERT INTO meta VALUES (?, ?)", [_META_KEY, current])
    elif recorded != current:
        raise ConfigError(
            f"this workspace was pseudonymised with another key (key id {recorded}, "
            f"this key {current}): use the same key or another workspace")


#: Quarantine reasons that quote a personal value (see CHECK_ORDER in ingest/validate.py).
_PERSONAL_REASON = (
    r"^((?:invalid ip|wrong type for '(?:ip|email|payment_fingerprint)'|"
    r"'(?:ip|email|payment_fingerprint)' too long)).*$"
)


def withhold_personal_quarantine(quarantine: pa.Table, config: PrivacyConfig) -> pa.Table:
    """Under pseudonymisation, quarantined rows keep their reason but not their raw text.

    A rejected row is stored as its original text, personal values included; with
    ``privacy.pseudonymise_at_ingest`` the ``raw`` column is emptied (null) and reasons
    that quote an IP, e-mail or payment fingerprint lose the quote. Without it, the table
    is returned unchanged.
    """
    if not config.pseudonymise_at_ingest or quarantine.num_rows == 0:
        return quarantine
    reason = pc.replace_substring_regex(
        quarantine.column("reason"), pattern=_PERSONAL_REASON, replacement=r"\1 (value withheld)")
    quarantine = quarantine.set_column(
        quarantine.schema.get_field_index("reason"), quarantine.schema.field("reason"), reason)
    raw = quarantine.schema.get_field_index("raw")
    return quarantine.set_column(
        raw, quarantine.schema.field("raw"), pa.nulls(quarantine.num_rows, pa.string()))
