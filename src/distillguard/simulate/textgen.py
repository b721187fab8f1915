"""Vectorised text building: templates with slots, random ids, IP addresses.

Every function here builds whole Arrow string arrays at once (``take`` from small pools,
``binary_join_element_wise`` to glue the pieces); Python loops run over template parts
and pool entries, never over events.

A template is a string with ``{slot}`` placeholders. A slot names a pool in the
vocabulary (a list of strings, whose entries may themselves contain slots), or is a
number range ``{int:LOW-HIGH}``. ``{{`` and ``}}`` are literal braces.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

Vocabulary = Mapping[str, Sequence[str]]

_SLOT = re.compile(r"\{\{|\}\}|\{([a-z_][a-z_0-9]*)(?::(\d+)-(\d+))?\}")
_HEX_DIGITS = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
#: Nested slots deeper than this are a vocabulary bug (a pool referring to itself).
_MAX_DEPTH = 6


@dataclass(frozen=True)
class Slot:
    """A placeholder: a vocabulary pool, or an integer range when ``low`` is set."""

    name: str
    low: int | None = None
    high: int | None = None


Segment = str | Slot


@cache
def parse_template(text: str) -> tuple[Segment, ...]:
    """Split a template into literal strings and slots (cached: templates are constants)."""
    segments: list[Segment] = []
    literal: list[str] = []
    position = 0
    for match in _SLOT.finditer(text):
        literal.append(text[position : match.start()])
        position = match.end()
        token = match.group(0)
        if token in ("{{", "}}"):
            literal.append(token[0])
            continue
        if literal and "".join(literal):
            segments.append("".join(literal))
        literal = []
        name, low, high = match.group(1), match.group(2), match.group(3)
        if low is not None and high is not None:
            segments.append(Slot(name, int(low), int(high)))
        else:
            segments.append(Slot(name))
    literal.append(text[position:])
    if "".join(literal):
        segments.append("".join(literal))
    return tuple(segments)


@cache
def text_scalar(text: str) -> pa.Scalar:
    """A cached string scalar.

    Converting Python strings to Arrow is slow-ish per call (pyarrow probes for optional
    date libraries each time), so literals used over and over are converted once.
    """
    return pa.scalar(text, pa.string())


@cache
def text_pool(values: tuple[str | None, ...]) -> pa.Array:
    """A cached string array of a constant pool."""
    return pa.array(list(values), pa.string())


def has_slots(text: str) -> bool:
    return any(isinstance(segment, Slot) for segment in parse_template(text))


def join_columns(parts: Sequence[pa.Array | pa.Scalar | str], length: int) -> pa.Array:
    """Concatenate string arrays and literals element-wise (no separator)."""
    if not parts:
        return constant("", length)
    if all(isinstance(part, str | pa.Scalar) for part in parts):
        text = "".join(part if isinstance(part, str) else str(part.as_py()) for part in parts)
        return constant(text, length)
    values = [text_scalar(part) if isinstance(part, str) else part for part in parts]
    return pc.binary_join_element_wise(*values, text_scalar(""))


def constant(text: str | None, length: int) -> pa.Array:
    """A string array repeating one value (or all nulls)."""
    if text is None:
        return pa.nulls(length, pa.string())
    return text_pool((text,)).take(np.zeros(length, dtype=np.int64))


def pick(pool: Sequence[str] | pa.Array, rng: np.random.Generator, length: int,
         weights: Sequence[float] | np.ndarray | None = None) -> pa.Array:
    """Draw ``length`` values from a pool (uniformly, or with the given weights)."""
    array = pool if isinstance(pool, pa.Array) else text_pool(tuple(pool))
    if weights is None:
        index = rng.integers(0, len(array), size=length)
    else:
        p = np.asarray(weights, dtype=np.float64)
        index = rng.choice(len(array), size=length, p=p / p.sum())
    return array.take(index)


def integers_as_text(values: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(np.asarray(values, dtype=np.int64)), pa.string())


def scatter(parts: Sequence[pa.Array], groups: np.ndarray) -> pa.Array:
    """Put per-group arrays back in event order.

    ``groups[i]`` is the group of event ``i``; ``parts`` holds one array per distinct
    group, in ascending group order, each with its values in event order.
    """
    length = len(groups)
    if length == 0:
        return pa.array([], pa.string())
    positions = np.argsort(groups, kind="stable")
    joined = pa.concat_arrays([part.cast(pa.string()) for part in parts])
    inverse = np.empty(length, dtype=np.int64)
    inverse[positions] = np.arange(length, dtype=np.int64)
    return joined.take(inverse)


class TemplateRenderer:
    """Render templates against a vocabulary, vectorised over events."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self._vocabulary = vocabulary
        self._plain: dict[str, pa.Array] = {}
        self._nested: dict[str, bool] = {}

    def _pool(self, name: str) -> Sequence[str]:
        try:
            return self._vocabulary[name]
        except KeyError:
            raise KeyError(f"template slot '{{{name}}}' has no vocabulary pool") from None

    def _is_nested(self, name: str) -> bool:
        if name not in self._nested:
            self._nested[name] = any(has_slots(entry) for entry in self._pool(name))
        return self._nested[name]

    def _plain_array(self, name: str) -> pa.Array:
        if name not in self._plain:
            self._plain[name] = text_pool(tuple(self._pool(name)))
        return self._plain[name]

    def render(self, template: str, rng: np.random.Generator, length: int,
               depth: int = 0) -> pa.Array:
        """Fill one template ``length`` times with independently drawn slot values."""
        if depth > _MAX_DEPTH:
            raise RecursionError(f"template nesting deeper than {_MAX_DEPTH}: {template!r}")
        parts: list[pa.Array | str] = []
        for segment in parse_template(template):
            if isinstance(segment, str):
                parts.append(segment)
            elif segment.low is not None and segment.high is not None:
                parts.append(integers_as_text(
                    rng.integers(segment.low, segment.high + 1, size=length)))
            elif self._is_nested(segment.name):
                parts.append(self.render_any(self._pool(segment.name), rng, length, depth + 1))
            else:
                parts.append(pick(self._plain_array(segment.name), rng, length))
        return join_columns(parts, length)

    def render_any(self, templates: Sequence[str], rng: np.random.Generator, length: int,
                   depth: int = 0, weights: Sequence[float] | None = None) -> pa.Array:
        """Choose one template per event (optionally weighted) and render each."""
        if length == 0:
            return pa.array([], pa.string())
        if weights is None:
            choice = rng.integers(0, len(templates), size=length)
        else:
            p = np.asarray(weights, dtype=np.float64)
            choice = rng.choice(len(templates), size=length, p=p / p.sum())
        used = np.unique(choice)
        counts = np.bincount(choice, minlength=len(templates))
        parts = [self.render(templates[int(k)], rng, int(counts[k]), depth) for k in used]
        return scatter(parts, choice)


def random_hex(rng: np.random.Generator, length: int, nbytes: int,
               prefix: str = "") -> pa.Array:
    """``length`` random lower-case hex strings of ``2 * nbytes`` digits, built from buffers."""
    raw = rng.integers(0, 256, size=(length, nbytes), dtype=np.uint8)
    digits = np.empty((length, 2 * nbytes), dtype=np.uint8)
    digits[:, 0::2] = _HEX_DIGITS[raw >> 4]
    digits[:, 1::2] = _HEX_DIGITS[raw & 15]
    offsets = np.arange(length + 1, dtype=np.int32) * (2 * nbytes)
    array = pa.Array.from_buffers(
        pa.string(), length, [None, pa.py_buffer(offsets), pa.py_buffer(digits.tobytes())]
    )
    return join_columns([prefix, array], length) if prefix else array


@cache
def _hex_words() -> pa.Array:
    return pa.array([f"{value:x}" for value in range(65536)], pa.string())


def ipv4(first: np.ndarray, second: np.ndarray, third: np.ndarray,
         fourth: np.ndarray) -> pa.Array:
    """Dotted IPv4 strings from four octet arrays."""
    octets = [integers_as_text(part) for part in (first, second, third, fourth)]
    return pc.binary_join_element_wise(*octets, text_scalar("."))


def ipv6(words: np.ndarray) -> pa.Array:
    """Full IPv6 strings from an ``(n, 8)`` array of 16-bit words."""
    table = _hex_words()
    columns = [table.take(words[:, k].astype(np.int64)) for k in range(8)]
    return pc.binary_join_element_wise(*columns, text_scalar(":"))


def random_public_ipv4(rng: np.random.Generator, length: int,
                       first_octets: Sequence[int]) -> pa.Array:
    """Random addresses whose first octet comes from ``first_octets``."""
    first = np.asarray(first_octets, dtype=np.int64)[rng.integers(0, len(first_octets), length)]
    return ipv4(first, rng.integers(0, 256, length), rng.integers(0, 256, length),
                rng.integers(1, 255, length))


def subnet_hosts(prefixes: np.ndarray, hosts: np.ndarray) -> pa.Array:
    """Addresses ``a.b.c.h`` from an ``(n, 3)`` array of /24 prefixes and host numbers."""
    return ipv4(prefixes[:, 0], prefixes[:, 1], prefixes[:, 2], hosts)
