"""Per-event features: one pure function over an Arrow table.

``event_features`` adds derived columns to a batch of validated events. It has no state
and reads nothing but its input, so the same function runs in the embedded engine
(DuckDB), in Spark (``mapInArrow``) and in the online guard. Everything here is an Arrow
compute kernel over the whole batch; the only Python-level work is on the *distinct*
IP values of a batch (to derive network prefixes), never per event.
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache

import pyarrow as pa
import pyarrow.compute as pc

from distillguard.config import FeatureConfig

#: Columns ``event_features`` adds, with their types (the workspace creates them).
FEATURE_FIELDS: tuple[pa.Field, ...] = (
    pa.field("prompt_chars", pa.int64()),
    pa.field("cot", pa.bool_()),
    pa.field("rubric", pa.bool_()),
    pa.field("capability", pa.string()),
    pa.field("skeleton", pa.string()),
    pa.field("ip_prefix", pa.string()),
    pa.field("email_domain", pa.string()),
    pa.field("email_pattern", pa.string()),
    pa.field("long_output", pa.bool_()),
)
FEATURE_COLUMNS: tuple[str, ...] = tuple(f.name for f in FEATURE_FIELDS)

# Skeletons bound their work: only this many characters of a prompt are looked at.
_SKELETON_SCAN_CHARS = 2000


def _any_pattern(patterns: list[str]) -> str:
    return "|".join(f"(?:{p})" for p in patterns)


def _matches(text: pa.ChunkedArray | pa.Array, pattern: str) -> pa.Array:
    return pc.match_substring_regex(text, pattern=pattern, ignore_case=True)


def elicits_reasoning(text: pa.ChunkedArray | pa.Array, config: FeatureConfig) -> pa.Array:
    """True where a text asks the model to expose its reasoning (null text: null)."""
    return _matches(text, _any_pattern(config.cot_patterns))


def capability_of(text: pa.ChunkedArray | pa.Array, config: FeatureConfig) -> pa.Array:
    """The first capability area whose pattern matches, else ``general``."""
    result = pa.nulls(len(text), pa.string())
    decided = pa.repeat(False, len(text))
    for name, pattern in config.capabilities.items():
        hit = pc.and_(pc.fill_null(_matches(text, pattern), False), pc.invert(decided))
        result = pc.if_else(hit, pa.scalar(name), result)
        decided = pc.or_(decided, hit)
    general = pc.and_(pc.invert(decided), pc.is_valid(text))
    return pc.if_else(general, pa.scalar("general"), result)


def prompt_skeleton(text: pa.ChunkedArray | pa.Array, config: FeatureConfig) -> pa.Array:
    """Mask what varies between instances of one template, keep the wording.

    Lower-cased; e-mail-like tokens, URLs, quoted strings and numbers masked; spaces
    collapsed; cut to ``features.skeleton_chars``. Two prompts from one template with
    different numbers or quoted inputs get the same skeleton.
    """
    s = pc.utf8_slice_codeunits(text, 0, _SKELETON_SCAN_CHARS)
    s = pc.utf8_lower(s)
    s = pc.replace_substring_regex(s, pattern=r"https?://\S+", replacement="<url>")
    s = pc.replace_substring_regex(s, pattern=r"\S+@\S+\.\S+", replacement="<email>")
    s = pc.replace_substring_regex(s, pattern=r"\"[^\"]{0,400}\"", replacement="<q>")
    s = pc.replace_substring_regex(s, pattern=r"\d+(?:[.,:/-]\d+)*", replacement="0")
    s = pc.replace_substring_regex(s, pattern=r"\s+", replacement=" ")
    s = pc.utf8_trim_whitespace(s)
    return pc.utf8_slice_codeunits(s, 0, config.skeleton_chars)


@lru_cache(maxsize=200_000)
def _network_prefix(ip: str) -> str | None:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return None
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def network_prefix(ips: pa.ChunkedArray | pa.Array) -> pa.Array:
    """The /24 (IPv4) or /48 (IPv6) network of each address, computed per distinct value."""
    encoded = pc.dictionary_encode(ips)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    prefixes = pa.array(
        [_network_prefix(v) if v is not None else None for v in encoded.dictionary.to_pylist()],
        pa.string(),
    )
    return pc.take(prefixes, encoded.indices)


def email_parts(emails: pa.ChunkedArray | pa.Array) -> tuple[pa.Array, pa.Array]:
    """E-mail domain, and the local part's shape plus domain (``john.smith42`` → ``a.a0``).

    The shape finds sign-up scripts (``user8231@``, ``user9922@``) without keeping the
    address itself.
    """
    lowered = pc.utf8_lower(pc.utf8_trim_whitespace(emails))
    domain = pc.struct_field(pc.extract_regex(lowered, pattern=r"@(?P<d>[^@]+)$"), "d")
    local = pc.replace_substring_regex(lowered, pattern=r"@[^@]*$", replacement="")
    shape = pc.replace_substring_regex(local, pattern=r"[a-z]+", replacement="a")
    shape = pc.replace_substring_regex(shape, pattern=r"[0-9]+", replacement="0")
    shape = pc.replace_substring_regex(shape, pattern=r"[^a0._+-]+", replacement="?")
    pattern = pc.binary_join_element_wise(shape, domain, "@")
    return domain, pattern


def _column(table: pa.Table, name: str, typ: pa.DataType) -> pa.ChunkedArray | pa.Array:
    if name in table.column_names:
        return table.column(name)
    return pa.nulls(table.num_rows, typ)


def event_features(table: pa.Table, config: FeatureConfig) -> pa.Table:
    """Return ``table`` with the columns of :data:`FEATURE_FIELDS` appended.

    Parameters
    ----------
    table:
        Validated events (contract 1). Optional columns may be absent.
    config:
        The ``features`` section of the configuration.

    Returns
    -------
    The same rows with derived columns; a null prompt gives null text features.
    """
    prompt = _column(table, "prompt", pa.string())
    system_prompt = _column(table, "system_prompt", pa.string())
    asked = pc.or_(
        pc.fill_null(elicits_reasoning(prompt, config), False),
        pc.fill_null(elicits_reasoning(system_prompt, config), False),
    )
    has_text = pc.or_(pc.is_valid(prompt), pc.is_valid(system_prompt))
    cot = pc.if_else(has_text, asked, pa.scalar(None, pa.bool_()))
    rubric = _matches(prompt, _any_pattern(config.rubric_patterns))
    domain, pattern = email_parts(_column(table, "email", pa.string()))
    max_tokens = _column(table, "max_tokens", pa.int64())
    columns = {
        "prompt_chars": pc.cast(pc.utf8_length(prompt), pa.int64()),
        "cot": cot,
        "rubric": rubric,
        "capability": capability_of(prompt, config),
        "skeleton": prompt_skeleton(prompt, config),
        "ip_prefix": network_prefix(_column(table, "ip", pa.string())),
        "email_domain": domain,
        "email_pattern": pattern,
        "long_output": pc.greater_equal(max_tokens, config.long_max_tokens),
    }
    for field in FEATURE_FIELDS:
        table = table.append_column(field, pc.cast(columns[field.name], field.type))
    return table


def validate_patterns(config: FeatureConfig) -> None:
    """Compile every configured pattern once, so a bad regex fails at start-up."""
    for pattern in [*config.cot_patterns, *config.rubric_patterns, *config.capabilities.values()]:
        re.compile(pattern)
