"""Small, bounded summaries that per-account online state is built from.

Every structure here has a fixed maximum size, so the state of an account (and the work
per event) stays bounded however much traffic it sends. Each one serialises to plain
JSON-ready data (``to_data`` / ``from_data``) for shared state in Redis.
"""

from __future__ import annotations

import base64
import hashlib
import math
from array import array
from bisect import bisect_left
from functools import lru_cache
from typing import Any

#: Values up to this long are hashed through a cache (models, IPs, temperatures and
#: conversation ids repeat from event to event); longer ones (prompts, templates) rarely
#: repeat, and a cache keyed by them would keep tens of MiB of prompt text alive.
CACHED_VALUE_CHARS = 64


def _hash64(value: str) -> int:
    return int.from_bytes(hashlib.blake2b(value.encode("utf-8", "surrogatepass"),
                                          digest_size=8).digest(), "big")


_cached_hash64 = lru_cache(maxsize=8192)(_hash64)


def hash64(value: str) -> int:
    """A stable 64-bit hash (the same in every process and after a restart)."""
    return _cached_hash64(value) if len(value) <= CACHED_VALUE_CHARS else _hash64(value)


def short_hash(value: str) -> str:
    """A stable 16-hex-digit hash, used to key values in state instead of the values."""
    return hashlib.blake2b(value.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


#: 2 ** -rank for every HyperLogLog register value.
_INVERSE_POWERS = [2.0 ** -rank for rank in range(65)]


class DistinctSketch:
    """Count distinct values: exact up to ``k`` values, then a HyperLogLog estimate.

    Below ``k`` distinct values the hashes themselves are kept (exact count), as a sorted
    array of 64-bit integers (8 bytes each: a Python set of the same ints takes about
    nine times that, and an account holds six of these sketches). Beyond, a
    HyperLogLog of 1,024 one-byte registers takes over (Flajolet et al. 2007; relative
    standard error about 3 %, linear counting while the count is small), so a sketch
    never holds more than ``max(k, 1024)`` small numbers whatever the traffic.
    """

    __slots__ = ("_hashes", "_inverse_sum", "_registers", "_zeros", "k")

    REGISTER_BITS = 10
    REGISTERS = 1 << REGISTER_BITS
    _REST_BITS = 64 - REGISTER_BITS
    _REST_MASK = (1 << (64 - REGISTER_BITS)) - 1
    _ALPHA = 0.7213 / (1.0 + 1.079 / REGISTERS)

    def __init__(self, k: int) -> None:
        self.k = k
        self._hashes: array[int] | None = array("Q")
        self._registers: bytearray | None = None
        # Kept up to date register by register, so a count costs O(1).
        self._inverse_sum = 0.0
        self._zeros = 0

    @property
    def saturated(self) -> bool:
        return self._registers is not None

    def add(self, value: str) -> None:
        self.add_hash(hash64(value))

    def add_hash(self, h: int) -> None:
        hashes = self._hashes
        if hashes is not None:
            at = bisect_left(hashes, h)
            if at < len(hashes) and hashes[at] == h:
                return
            hashes.insert(at, h)
            if len(hashes) > self.k:
                self._hashes = None
                self._start_registers(bytearray(self.REGISTERS))
                for old in hashes:
                    self._register(old)
            return
        self._register(h)

    def _start_registers(self, registers: bytearray) -> None:
        self._registers = registers
        self._inverse_sum = math.fsum(map(_INVERSE_POWERS.__getitem__, registers))
        self._zeros = registers.count(0)

    def _register(self, h: int) -> None:
        registers = self._registers
        assert registers is not None
        index = h >> self._REST_BITS
        rank = self._REST_BITS - (h & self._REST_MASK).bit_length() + 1
        old = registers[index]
        if rank > old:
            registers[index] = rank
            self._inverse_sum += 2.0 ** -rank - 2.0 ** -old
            if old == 0:
                self._zeros -= 1

    def count(self) -> float:
        if self._hashes is not None:
            return float(len(self._hashes))
        m = self.REGISTERS
        estimate = self._ALPHA * m * m / self._inverse_sum
        if estimate <= 2.5 * m and self._zeros:
            return m * math.log(m / self._zeros)
        return estimate

    def to_data(self) -> list[Any]:
        if self._hashes is not None:
            return [self.k, self._hashes.tolist()]
        assert self._registers is not None
        # The running sums travel too: recomputing them costs more than the rest of a
        # state's decoding (Redis state is decoded at every request).
        return [self.k, base64.b64encode(bytes(self._registers)).decode("ascii"),
                self._inverse_sum, self._zeros]

    @classmethod
    def from_data(cls, data: list[Any]) -> DistinctSketch:
        sketch = cls(int(data[0]))
        if isinstance(data[1], str):
            sketch._hashes = None
            registers = bytearray(base64.b64decode(data[1]))
            if len(data) >= 4:
                sketch._registers = registers
                sketch._inverse_sum, sketch._zeros = float(data[2]), int(data[3])
            else:  # written before the sums were kept
                sketch._start_registers(registers)
        else:
            sketch._hashes = array("Q", sorted({int(h) for h in data[1]}))
        return sketch


class TopCounts:
    """Counts of the most frequent keys (space-saving, Metwally et al. 2005).

    Holds at most ``capacity`` keys. A new key when full replaces the key with the
    smallest count and inherits that count plus one; the inherited part is remembered
    as the key's possible error. :meth:`top` reports the largest *guaranteed* count
    (count minus error): exact for every key while fewer than ``capacity`` distinct keys
    were seen, and exact for a frequent key that arrived before the table filled.
    """

    __slots__ = ("capacity", "counts", "errors")

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.counts: dict[str, int] = {}
        self.errors: dict[str, int] = {}

    def add(self, key: str) -> int:
        """Count one occurrence; returns the key's guaranteed count."""
        counts = self.counts
        if key in counts:
            counts[key] += 1
        elif len(counts) < self.capacity:
            counts[key] = 1
        else:
            victim = min(counts, key=counts.__getitem__)
            inherited = counts.pop(victim)
            self.errors.pop(victim, None)
            counts[key] = inherited + 1
            self.errors[key] = inherited
        return counts[key] - self.errors.get(key, 0)

    def guaranteed(self, key: str) -> int:
        return self.counts.get(key, 0) - self.errors.get(key, 0)

    def top(self) -> tuple[str | None, int]:
        if not self.counts:
            return None, 0
        key = max(self.counts, key=self.guaranteed)
        return key, self.guaranteed(key)

    def to_data(self) -> list[Any]:
        return [self.capacity, self.counts, self.errors]

    @classmethod
    def from_data(cls, data: list[Any]) -> TopCounts:
        top = cls(int(data[0]))
        top.counts = {str(k): int(v) for k, v in data[1].items()}
        top.errors = {str(k): int(v) for k, v in data[2].items()} if len(data) > 2 else {}
        return top


class LogHistogram:
    """A histogram of non-negative values in logarithmic bins, for approximate quantiles.

    Zero has its own bin; positive values fall into bins ``bins_per_octave`` per
    doubling, so a quantile is known to within a factor ``2 ** (1 / bins_per_octave)``
    (about 4.4 % with 16 bins per doubling). Bins are kept sparsely.
    """

    __slots__ = ("bins", "bins_per_octave", "total")

    def __init__(self, bins_per_octave: int = 16) -> None:
        self.bins_per_octave = bins_per_octave
        self.bins: dict[int, int] = {}
        self.total = 0

    def _bin(self, value: float) -> int:
        if value <= 0:
            return -(1 << 30)
        return math.floor(math.log2(value) * self.bins_per_octave)

    def add(self, value: float, count: int = 1) -> None:
        key = self._bin(value)
        self.bins[key] = self.bins.get(key, 0) + count
        self.total += count

    def quantile(self, q: float) -> float | None:
        """The q-quantile (interpolated inside its bin, geometrically)."""
        if self.total <= 0:
            return None
        target = q * self.total
        seen = 0.0
        for key in sorted(self.bins):
            count = self.bins[key]
            if seen + count >= target:
                if key == -(1 << 30):
                    return 0.0
                inside = (target - seen) / count
                return float(2 ** ((key + inside) / self.bins_per_octave))
            seen += count
        return None

    def to_data(self) -> list[Any]:
        return [self.bins_per_octave, [[k, v] for k, v in self.bins.items()]]

    @classmethod
    def from_data(cls, data: list[Any]) -> LogHistogram:
        hist = cls(int(data[0]))
        hist.bins = {int(k): int(v) for k, v in data[1]}
        hist.total = sum(hist.bins.values())
        return hist


class Welford:
    """Running mean and population variance (Welford's algorithm)."""

    __slots__ = ("m2", "mean", "n")

    def __init__(self) -> None:
        self.n = 0
        self.mean = 0.0
        self.m2 = 0.0

    def add(self, x: float) -> None:
        self.n += 1
        delta = x - self.mean
        self.mean += delta / self.n
        self.m2 += delta * (x - self.mean)

    def sd(self) -> float | None:
        return math.sqrt(self.m2 / self.n) if self.n else None

    def to_data(self) -> list[float]:
        return [self.n, self.mean, self.m2]

    @classmethod
    def from_data(cls, data: list[float]) -> Welford:
        w = cls()
        w.n, w.mean, w.m2 = int(data[0]), float(data[1]), float(data[2])
        return w


class MedianSketch:
    """A median: exact (interpolated, as SQL's ``quantile_cont``) for up to ``k`` values,
    then read from a :class:`LogHistogram` (within about 4 %)."""

    __slots__ = ("_values", "hist", "k")

    def __init__(self, k: int = 64) -> None:
        self.k = k
        self._values: array[float] | None = array("d")  # 8 bytes a value, not 32
        self.hist = LogHistogram()

    def add(self, value: float) -> None:
        self.hist.add(value)
        if self._values is not None:
            self._values.append(value)
            if len(self._values) > self.k:
                self._values = None

    def median(self) -> float | None:
        if self._values is None:
            return self.hist.quantile(0.5)
        if not self._values:
            return None
        ordered = sorted(self._values)
        middle = (len(ordered) - 1) / 2
        low, high = ordered[math.floor(middle)], ordered[math.ceil(middle)]
        return low + (high - low) * (middle - math.floor(middle))

    def to_data(self) -> list[Any]:
        values = None if self._values is None else self._values.tolist()
        return [self.k, values, self.hist.to_data()]

    @classmethod
    def from_data(cls, data: list[Any]) -> MedianSketch:
        sketch = cls(int(data[0]))
        sketch._values = None if data[1] is None else array("d", map(float, data[1]))
        sketch.hist = LogHistogram.from_data(data[2])
        return sketch
