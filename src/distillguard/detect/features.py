"""Per-event features: one pure function over an Arrow table.

``event_features`` adds derived columns to a batch of validated events. It has no state
and reads nothing but its input, so the same function runs in the embedded engine
(DuckDB), in Spark (``mapInArrow``) and in the online guard. Everything here is an Arrow
compute kernel over the whole batch; the only Python-level work is on the *distinct*
IP values of a batch (to derive network prefixes), never per event.

Text features are computed once per *distinct* text of a batch and spread back to its
rows (templates, retries and evaluation runs repeat prompts verbatim), and each rewrite
of the skeleton runs only on the strings it can change: a search is far cheaper than a
rewrite. Both give exactly the values of the plain per-row computation.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from functools import lru_cache
from typing import TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from distillguard.addresses import canonical_forms
from distillguard.config import FeatureConfig
from distillguard.detect.rules import (
    EMAIL_DOMAIN,
    EMAIL_DOMAIN_TAIL,
    EMAIL_SHAPES,
    SKELETON_MASKS,
    SKELETON_SCAN_CHARS,
    any_pattern,
    with_folded,
)
from distillguard.schema import FEATURE_FIELDS
from distillguard.textsafe import matchable_text

#: Above this share of strings to rewrite, rewriting them all is cheaper than picking.
_REWRITE_ALL_SHARE = 0.5

#: Rows sampled to tell whether a batch repeats its values (see _all_distinct_in_sample).
_DISTINCT_SAMPLE = 4096

Column: TypeAlias = pa.ChunkedArray | pa.Array


def _by_distinct_value(
    values: Column, compute: Callable[[pa.Array], list[pa.Array]]
) -> list[Column]:
    """``compute`` over the distinct values of ``values``, spread back to every row.

    ``compute`` maps an array to arrays of the same length; a null value gives null.
    """
    if isinstance(values, pa.ChunkedArray):
        if values.num_chunks > 1:  # per chunk: a combined array could overflow its offsets
            parts = [_by_distinct_value(chunk, compute) for chunk in values.chunks]
            return [pa.chunked_array(list(column)) for column in zip(*parts, strict=True)]
        values = values.combine_chunks()
    if _all_distinct_in_sample(values):  # nothing to share: spare finding the distinct ones
        return compute(values)
    encoded = pc.dictionary_encode(values)
    return [pc.take(result, encoded.indices) for result in compute(encoded.dictionary)]


def _all_distinct_in_sample(values: pa.Array) -> bool:
    """Whether no value occurs twice among a random sample of the rows (all of a small
    array). A batch that repeats a fifth of its values shows dozens of repeats in the
    sample; one that shows none repeats next to nothing, and finding its distinct values
    would cost more than it saves. Either way the results are the same."""
    sample = values
    if len(values) > _DISTINCT_SAMPLE:
        rows = np.random.default_rng(0).integers(0, len(values), _DISTINCT_SAMPLE)
        sample = values.take(pa.array(np.unique(rows)))
    present = len(sample) - sample.null_count
    return present > 0 and pc.count_distinct(sample).as_py() == present


def _chunkwise(text: Column, transform: Callable[[pa.Array], pa.Array]) -> Column:
    if isinstance(text, pa.ChunkedArray):
        return pa.chunked_array([transform(chunk) for chunk in text.chunks], text.type)
    return transform(text)


def _where(
    text: pa.Array,
    mask: pa.Array,
    transform: Callable[[pa.Array], pa.Array],
    *,
    identity_elsewhere: bool = False,
) -> pa.Array:
    """``text`` with ``transform`` applied to the rows where ``mask`` is true only.

    With ``identity_elsewhere`` (``transform`` leaves the other rows as they are), a
    mask true on most rows transforms the whole array instead of picking rows.
    """
    mask = pc.fill_null(mask, False)
    hits = pc.sum(mask).as_py() or 0
    if hits == 0:
        return text
    if hits == len(text) or (identity_elsewhere and hits > _REWRITE_ALL_SHARE * len(text)):
        return transform(text)
    return pc.replace_with_mask(text, mask, transform(text.filter(mask)).cast(text.type))


def _replace_where_found(
    text: pa.Array, pattern: str, replacement: str, hint: str | None
) -> pa.Array:
    """``replace_substring_regex``, run only on the strings that match ``hint`` (all of
    them without one: a string without a match is left as it is)."""
    def rewrite(part: pa.Array) -> pa.Array:
        return pc.replace_substring_regex(part, pattern=pattern, replacement=replacement)

    if hint is None:
        return rewrite(text)
    return _where(
        text, pc.match_substring_regex(text, pattern=hint), rewrite, identity_elsewhere=True
    )


def _lower(text: pa.Array) -> pa.Array:
    """``utf8_lower``; ASCII strings take the byte-wise path, which gives the same."""
    non_ascii = pc.invert(pc.string_is_ascii(text))
    return _where(pc.ascii_lower(text), non_ascii, lambda _: pc.utf8_lower(text.filter(
        pc.fill_null(non_ascii, False))))


def _first_chars(text: pa.Array, count: int) -> pa.Array:
    """``utf8_slice_codeunits(text, 0, count)``; skipped when no string is longer in bytes."""
    if len(text) == 0 or (pc.max(pc.binary_length(text)).as_py() or 0) <= count:
        return text
    return pc.utf8_slice_codeunits(text, 0, count)


def _matches(text: pa.ChunkedArray | pa.Array, pattern: str) -> pa.Array:
    return pc.match_substring_regex(text, pattern=with_folded(pattern), ignore_case=True)


def elicits_reasoning(text: pa.ChunkedArray | pa.Array, config: FeatureConfig) -> pa.Array:
    """True where a text asks the model to expose its reasoning (null text: null)."""
    return _matches(text, any_pattern(config.cot_patterns))


def capability_of(text: pa.ChunkedArray | pa.Array, config: FeatureConfig) -> pa.Array:
    """The first capability area whose pattern matches, else ``general``.

    One search for any area's pattern first; each area's own pattern then runs only on
    the texts still undecided (most texts match no area, or the first ones).
    """
    names = [*config.capabilities, "general"]
    array = text.combine_chunks() if isinstance(text, pa.ChunkedArray) else text
    # Index into ``names`` per row: "general" unless an area matches; null text: null.
    codes = np.full(len(array), len(names) - 1, dtype=np.int32)
    undecided = np.flatnonzero(
        pc.fill_null(_matches(array, any_pattern(list(config.capabilities.values()))), False)
        .to_numpy(zero_copy_only=False)
    )
    for code, pattern in enumerate(config.capabilities.values()):
        if len(undecided) == 0:
            break
        hit = pc.fill_null(_matches(array.take(undecided), pattern), False)
        hit_rows = hit.to_numpy(zero_copy_only=False)
        codes[undecided[hit_rows]] = code
        undecided = undecided[~hit_rows]
    indices = pa.array(codes, mask=~array.is_valid().to_numpy(zero_copy_only=False))
    return pa.DictionaryArray.from_arrays(indices, pa.array(names, pa.string())).cast(pa.string())


def prompt_skeleton(text: pa.ChunkedArray | pa.Array, config: FeatureConfig) -> pa.Array:
    """Mask what varies between instances of one template, keep the wording.

    Lower-cased; e-mail-like tokens, URLs, quoted strings and numbers masked; spaces
    collapsed (:data:`~distillguard.detect.rules.SKELETON_MASKS`); cut to
    ``features.skeleton_chars``. Two prompts from one template with
    different numbers or quoted inputs get the same skeleton.
    """
    return _chunkwise(text, lambda part: _skeleton(part, config.skeleton_chars))


def _skeleton(text: pa.Array, keep: int) -> pa.Array:
    s = _lower(_first_chars(text, SKELETON_SCAN_CHARS))
    for pattern, replacement, hint in SKELETON_MASKS:
        s = _replace_where_found(s, pattern, replacement, hint)
    return _first_chars(pc.utf8_trim_whitespace(s), keep)


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
    return _by_distinct_value(ips, lambda values: [_network_prefixes(values)])[0]


def networks_and_blocks(ips: pa.ChunkedArray | pa.Array) -> tuple[Column, Column]:
    """Per address, its network (:func:`network_prefix`) and its address block (IPv4 /8,
    IPv6 /32: :func:`network_block`), computed per distinct value."""
    def both(values: pa.Array) -> list[pa.Array]:
        prefixes = _network_prefixes(values)
        return [prefixes, _network_blocks(prefixes)]

    prefixes, blocks = _by_distinct_value(ips, both)
    return prefixes, blocks


@lru_cache(maxsize=200_000)
def network_block(network: str) -> str | None:
    """The address block (IPv4 /8, IPv6 /32) of a network written as
    :func:`network_prefix` writes it. A cloud provider's or a carrier's addresses stay in a
    few blocks; a residential proxy pool exits through the ISPs of many countries. Derived
    at ingest, before pseudonymisation hides the network."""
    try:
        net = ipaddress.ip_network(network, strict=False)
    except ValueError:
        return None
    return str(net.supernet(new_prefix=8 if net.version == 4 else 32))


def _network_blocks(prefixes: pa.Array) -> pa.Array:
    # An IPv4 /24 by string rewriting; IPv6 networks by ipaddress (one per distinct one).
    text = prefixes.cast(pa.string())
    quad = pc.fill_null(pc.ends_with(text, "/24"), False)
    blocks = pc.if_else(
        quad,
        pc.replace_substring_regex(text, pattern=r"^([0-9]+)\..*$", replacement="\\1.0.0.0/8"),
        pa.nulls(len(text), pa.string()),
    )
    other = pc.and_(pc.invert(quad), pc.is_valid(text))
    if not pc.any(other).as_py():
        return blocks
    return pc.replace_with_mask(blocks, other, pa.array(
        [network_block(v) for v in text.filter(other).to_pylist()], pa.string()))


def _network_prefixes(values: pa.Array) -> pa.Array:
    # Canonical dotted quads and eight-group IPv6 by string rewriting; the rest
    # (compressed IPv6, oddities) by ipaddress.
    text = values.cast(pa.string())
    quad, eight = canonical_forms(text)  # their /24 and /48 are string operations
    prefixes = pc.if_else(
        quad,
        pc.replace_substring_regex(text, pattern=r"\.[0-9]+$", replacement=".0/24"),
        pa.nulls(len(text), pa.string()),
    )
    prefixes = _where(prefixes, eight, lambda _: _ipv6_prefixes(text.filter(eight)))
    other = pc.and_(pc.invert(pc.or_(quad, eight)), pc.is_valid(text))
    return _where(prefixes, other, lambda _: pa.array(
        [_network_prefix(v) for v in text.filter(other).to_pylist()], pa.string()
    ))


def _ipv6_prefixes(addresses: pa.Array) -> pa.Array:
    """The /48 of canonical eight-group IPv6 addresses (``addresses.canonical_forms``).

    The network keeps the first three groups and zeroes the other five, which are then
    written ``::``; a zero third group joins that run (a zero second one cannot be next
    to it: the address would have had two zero groups in a row).
    """
    head = pc.replace_substring_regex(
        addresses, pattern=r"^([0-9a-f]+:[0-9a-f]+:[0-9a-f]+):.*$", replacement=r"\1::/48"
    )
    return pc.replace_substring_regex(head, pattern=r":0::/48$", replacement="::/48")


def email_parts(emails: pa.ChunkedArray | pa.Array) -> tuple[pa.Array, pa.Array]:
    """E-mail domain, and the local part's shape plus domain (``john.smith42`` → ``a.a0``).

    The shape finds sign-up scripts (``user8231@``, ``user9922@``) without keeping the
    address itself. Computed per distinct address.
    """
    domain, pattern = _by_distinct_value(emails, lambda values: list(_email_parts(values)))
    return domain, pattern


def _email_parts(emails: pa.Array) -> tuple[pa.Array, pa.Array]:
    lowered = pc.utf8_lower(pc.utf8_trim_whitespace(emails))
    domain = pc.struct_field(pc.extract_regex(lowered, pattern=EMAIL_DOMAIN), "domain")
    shape = pc.replace_substring_regex(lowered, pattern=EMAIL_DOMAIN_TAIL, replacement="")
    for pattern, replacement in EMAIL_SHAPES:
        shape = pc.replace_substring_regex(shape, pattern=pattern, replacement=replacement)
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
    raw_prompt = _column(table, "prompt", pa.string())
    raw_system_prompt = _column(table, "system_prompt", pa.string())
    # Once per distinct text. Patterns see normalised text (NFKC, no zero-width
    # characters, look-alikes folded).
    prompt_cot, rubric, capability, skeleton = _by_distinct_value(
        raw_prompt, lambda text: _prompt_features(matchable_text(text), config)
    )
    (system_cot,) = _by_distinct_value(
        raw_system_prompt, lambda text: [elicits_reasoning(matchable_text(text), config)]
    )
    asked = pc.or_(pc.fill_null(prompt_cot, False), pc.fill_null(system_cot, False))
    has_text = pc.or_(pc.is_valid(raw_prompt), pc.is_valid(raw_system_prompt))
    cot = pc.if_else(has_text, asked, pa.scalar(None, pa.bool_()))
    domain, pattern = email_parts(_column(table, "email", pa.string()))
    max_tokens = _column(table, "max_tokens", pa.int64())
    networks = networks_and_blocks(_column(table, "ip", pa.string()))
    columns = {
        "prompt_chars": pc.cast(pc.utf8_length(raw_prompt), pa.int64()),
        "cot": cot,
        "rubric": rubric,
        "capability": capability,
        "skeleton": skeleton,
        "ip_prefix": networks[0],
        "ip_block": networks[1],
        "email_domain": domain,
        "email_pattern": pattern,
        "long_output": pc.greater_equal(max_tokens, config.long_max_tokens),
    }
    for field in FEATURE_FIELDS:
        table = table.append_column(field, pc.cast(columns[field.name], field.type))
    return table


def _prompt_features(prompt: pa.Array, config: FeatureConfig) -> list[pa.Array]:
    """Chain-of-thought, rubric, capability and skeleton of (normalised) prompts."""
    return [
        elicits_reasoning(prompt, config),
        _matches(prompt, any_pattern(config.rubric_patterns)),
        capability_of(prompt, config),
        prompt_skeleton(prompt, config),
    ]


def validate_patterns(config: FeatureConfig) -> None:
    """Compile every configured pattern once, so a bad regex fails at start-up."""
    for pattern in [*config.cot_patterns, *config.rubric_patterns, *config.capabilities.values()]:
        re.compile(pattern)
