"""Traffic windows: sets of prompts, sampled from benign and attacker pools.

A window is a multiset of prompts (one per request), stored as indices into a table of
*distinct* texts, so the expensive per-text work (embeddings, features) runs once per
distinct prompt however many windows and requests repeat it. :class:`WindowSet` holds
many windows of one size; :func:`sample_windows` draws them with an exact attacker share;
:func:`load_pools` turns simulator output (events + labels) into disjoint pools.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from scipy import sparse

from distillguard.errors import DistillguardError, InputFileError

#: How the benign requests are divided between reference, calibration and test pools.
SplitMode = Literal["event", "account"]


@dataclass(frozen=True)
class WindowSet:
    """Equal-sized windows of prompts, as rows of indices into ``texts``.

    Parameters
    ----------
    texts:
        Distinct prompt texts (may hold texts no window uses).
    index:
        ``(windows, window_size)`` integer array; ``index[w, i]`` is the text of the
        ``i``-th request of window ``w``. A text may occur many times (a repeated prompt).
    """

    texts: Sequence[str]
    index: np.ndarray

    def __post_init__(self) -> None:
        index = np.asarray(self.index)
        if index.ndim != 2 or index.shape[1] < 2:
            raise DistillguardError("a WindowSet needs a 2-D index, 2 or more prompts a window")
        if not np.issubdtype(index.dtype, np.integer):
            raise DistillguardError("WindowSet.index must hold integers")
        if index.size and (index.min() < 0 or index.max() >= len(self.texts)):
            raise DistillguardError("WindowSet.index points outside texts")
        object.__setattr__(self, "index", index.astype(np.int64, copy=False))

    @classmethod
    def from_prompts(cls, windows: Sequence[Sequence[str]]) -> WindowSet:
        """Build from lists of prompt strings (all windows the same length)."""
        sizes = {len(w) for w in windows}
        if len(sizes) != 1:
            raise DistillguardError("all windows must hold the same number of prompts")
        flat = pa.array([text for window in windows for text in window], pa.string())
        encoded = pc.dictionary_encode(flat)
        texts = encoded.dictionary.to_pylist()
        codes = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
        return cls(texts=texts, index=codes.reshape(len(windows), sizes.pop()))

    @property
    def windows(self) -> int:
        return int(self.index.shape[0])

    @property
    def size(self) -> int:
        """Prompts per window."""
        return int(self.index.shape[1])

    def counts(self) -> tuple[np.ndarray, sparse.csr_array]:
        """The distinct texts used and how often each window uses each.

        Returns
        -------
        used:
            Sorted indices into ``texts`` of the texts at least one window uses.
        counts:
            Sparse ``(windows, len(used))`` matrix; row sums equal :attr:`size`.
        """
        used, inverse = np.unique(self.index, return_inverse=True)
        rows = np.repeat(np.arange(self.windows), self.size)
        data = np.ones(rows.size, dtype=np.float64)
        matrix = sparse.coo_array(
            (data, (rows, inverse.reshape(-1))), shape=(self.windows, used.size)
        ).tocsr()
        matrix.sum_duplicates()
        return used, matrix


def as_window_set(windows: WindowSet | Sequence[Sequence[str]]) -> WindowSet:
    """Accept a :class:`WindowSet` or plain lists of prompts."""
    return windows if isinstance(windows, WindowSet) else WindowSet.from_prompts(windows)


def distinct_with_counts(prompts: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """Distinct texts of ``prompts`` and how many times each occurs (float counts)."""
    encoded = pc.dictionary_encode(pa.array(list(prompts), pa.string()))
    codes = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    counts = np.bincount(codes, minlength=len(encoded.dictionary)).astype(np.float64)
    return encoded.dictionary.to_pylist(), counts


def attackers_per_window(window: int, share: float) -> int:
    """Attacker requests in a window of ``window`` requests at attacker ``share``."""
    if not 0.0 <= share <= 1.0:
        raise DistillguardError(f"attacker share must be within [0, 1], got {share}")
    return round(share * window)


def _draw(pool: np.ndarray, count: int, size: int, rng: np.random.Generator) -> np.ndarray:
    # Without replacement inside a window whenever the pool allows it: a repeated prompt
    # in a window is then a repeated request in the traffic, never a sampling artefact.
    replace = pool.size < size
    return np.stack([rng.choice(pool, size=size, replace=replace) for _ in range(count)])


def sample_windows(
    benign_pool: np.ndarray,
    attacker_pool: np.ndarray,
    *,
    window: int,
    share: float,
    count: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Draw ``count`` windows with exactly ``round(share * window)`` attacker requests.

    Parameters
    ----------
    benign_pool, attacker_pool:
        Text indices, one per request (a text repeated in traffic appears repeatedly).
    window:
        Requests per window.
    share:
        Attacker share in ``[0, 1]``.
    count:
        Windows to draw; each is drawn independently (requests are drawn without
        replacement within a window when the pool holds enough requests, else with).
    rng:
        The random generator (seeded by the caller).

    Returns
    -------
    ``(count, window)`` array of text indices, each row in random order.
    """
    attackers = attackers_per_window(window, share)
    benign = window - attackers
    if benign and not benign_pool.size:
        raise DistillguardError("the benign pool is empty")
    if attackers and not attacker_pool.size:
        raise DistillguardError("the attacker pool is empty")
    parts = []
    if benign:
        parts.append(_draw(benign_pool, count, benign, rng))
    if attackers:
        parts.append(_draw(attacker_pool, count, attackers, rng))
    return rng.permuted(np.concatenate(parts, axis=1), axis=1)


@dataclass(frozen=True)
class PromptPools:
    """Disjoint pools of requests, as indices into one table of distinct texts.

    ``reference`` fits the detectors, ``calibration`` sets their thresholds,
    ``benign_test`` and ``attacker`` make the test windows. No request is in two pools.
    """

    texts: list[str]
    reference: np.ndarray
    calibration: np.ndarray
    benign_test: np.ndarray
    attacker: np.ndarray
    split: SplitMode
    benign_requests: int
    attacker_requests: int

    def sizes(self) -> dict[str, int]:
        return {
            "benign_requests": self.benign_requests,
            "attacker_requests": self.attacker_requests,
            "reference": int(self.reference.size),
            "calibration_pool": int(self.calibration.size),
            "benign_test_pool": int(self.benign_test.size),
            "attacker_pool": int(self.attacker.size),
            "distinct_texts": len(self.texts),
        }


_EVENT_COLUMNS = ("account_id", "prompt")
_LABEL_COLUMNS = ("account_id", "archetype", "campaign_id")


def _read_columns(source: str | Path | pa.Table, columns: tuple[str, ...], what: str) -> pa.Table:
    if isinstance(source, pa.Table):
        name = f"{what} table"
        missing = [c for c in columns if c not in source.column_names]
        if missing:
            raise InputFileError(name, f"{what} lack column(s) {', '.join(missing)}")
        table = source.select(list(columns))
    else:
        path = Path(source)
        name = str(path)
        try:
            present = pq.read_schema(path).names
            missing = [c for c in columns if c not in present]
            if missing:
                raise InputFileError(name, f"{what} lack column(s) {', '.join(missing)}")
            table = pq.read_table(path, columns=list(columns))
        except FileNotFoundError:
            raise InputFileError(name, f"{what} file not found") from None
        except (OSError, pa.ArrowException) as exc:
            raise InputFileError(name, f"not a readable Parquet file ({exc})") from None
    try:
        return table.cast(pa.schema([(c, pa.string()) for c in columns]))
    except (pa.ArrowException, ValueError) as exc:
        raise InputFileError(name, f"{what} columns must be strings ({exc})") from None


def _sample(indices: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    return rng.choice(indices, size=min(size, indices.size), replace=False)


def _split_sizes(available: int, wanted: tuple[int, int, int]) -> tuple[int, int, int]:
    # Shrink all three pools in proportion when there are too few benign requests.
    total = sum(wanted)
    if available >= total:
        return wanted
    scale = available / total
    reference, calibration, _ = (int(w * scale) for w in wanted)
    return reference, calibration, available - reference - calibration


def load_pools(
    events: str | Path | pa.Table,
    labels: str | Path | pa.Table,
    *,
    reference_size: int,
    pool_size: int,
    attacker_pool_size: int,
    seed: int,
    split: SplitMode = "event",
) -> PromptPools:
    """Disjoint request pools from simulator output (contract 1 events + contract 3 labels).

    Benign requests are those of accounts whose ``campaign_id`` is null, attacker
    requests those of campaign accounts; requests without a prompt are left out.

    Parameters
    ----------
    events, labels:
        Parquet paths or Arrow tables (only ``account_id``/``prompt`` and
        ``account_id``/``archetype``/``campaign_id`` are read).
    reference_size, pool_size, attacker_pool_size:
        Requests in the reference pool, in each of the calibration and benign test
        pools, and in the attacker pool (all shrink when the data hold fewer).
    seed:
        Seed of the sampling.
    split:
        ``"event"``: benign requests are divided at random (the same text sent by two
        requests may fall in two pools, as common follow-ups do in real traffic);
        ``"account"``: whole accounts are divided (test traffic from unseen customers).
    """
    if split not in ("event", "account"):
        raise DistillguardError(f"split must be 'event' or 'account', got {split!r}")
    table = _read_columns(events, _EVENT_COLUMNS, "events")
    label_table = _read_columns(labels, _LABEL_COLUMNS, "labels")
    table = table.filter(pc.fill_null(pc.greater(pc.utf8_length(table["prompt"]), 0), False))
    campaign_accounts = label_table.filter(pc.is_valid(label_table["campaign_id"]))["account_id"]
    is_attacker = np.asarray(
        pc.is_in(table["account_id"], value_set=campaign_accounts).to_numpy(zero_copy_only=False)
    )
    rng = np.random.default_rng(seed)
    benign_rows = np.flatnonzero(~is_attacker)
    attacker_rows = np.flatnonzero(is_attacker)
    sizes = _split_sizes(benign_rows.size, (reference_size, pool_size, pool_size))
    if split == "event":
        chosen = _sample(benign_rows, sum(sizes), rng)
        cut = np.cumsum(sizes)[:-1]
        reference, calibration, benign_test = np.split(chosen, cut)
    else:
        reference, calibration, benign_test = _split_by_account(table, benign_rows, sizes, rng)
    attacker = _sample(attacker_rows, attacker_pool_size, rng)
    chosen_rows = np.concatenate([reference, calibration, benign_test, attacker])
    encoded = pc.dictionary_encode(table["prompt"].take(pa.array(chosen_rows))).combine_chunks()
    codes = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    parts = np.split(codes, np.cumsum([reference.size, calibration.size, benign_test.size]))
    return PromptPools(
        texts=encoded.dictionary.to_pylist(),
        reference=parts[0],
        calibration=parts[1],
        benign_test=parts[2],
        attacker=parts[3],
        split=split,
        benign_requests=int(benign_rows.size),
        attacker_requests=int(attacker_rows.size),
    )


def _split_by_account(
    table: pa.Table, benign_rows: np.ndarray, sizes: tuple[int, int, int], rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    # Accounts in random order are dealt to the pools until each pool holds its share of
    # the benign requests (shares proportional to the wanted sizes); each pool is then
    # sampled down to its size. Whole accounts move, so pools share no account.
    encoded = pc.dictionary_encode(table["account_id"].take(pa.array(benign_rows)))
    account = np.asarray(
        encoded.combine_chunks().indices.to_numpy(zero_copy_only=False), dtype=np.int64
    )
    accounts = int(account.max()) + 1 if account.size else 0
    position = np.empty(accounts, dtype=np.int64)
    position[rng.permutation(accounts)] = np.arange(accounts)
    requests_in_order = np.bincount(position[account], minlength=accounts)
    cumulative = np.cumsum(requests_in_order)
    fractions = np.cumsum(sizes)[:-1] / max(sum(sizes), 1)
    boundaries = np.searchsorted(cumulative, fractions * account.size, side="left")
    pool_of_account = np.searchsorted(boundaries, position, side="left")
    pool_of_row = pool_of_account[account]
    reference, calibration, benign_test = (
        _sample(benign_rows[pool_of_row == k], size, rng) for k, size in enumerate(sizes)
    )
    return reference, calibration, benign_test
