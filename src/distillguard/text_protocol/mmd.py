"""The published text-only baseline: MMD between a window's sentence embeddings and benign ones.

Re-implemented from the description of arXiv 2606.05725 ("An Embarrassingly Simple
Detector for Model Extraction Attacks in Large Language Model API Traffic") and its
artifact's README: embed every query, compare the window with historical benign traffic
by the unbiased squared maximum mean discrepancy with a Gaussian (RBF) kernel whose
bandwidth comes from the median heuristic (a mixture of 0.5, 1, 2 and 4 times the median
distance), and flag windows whose statistic exceeds a threshold set on benign windows.
See ``docs/text_protocol.md`` for what differs from the paper.

Each distinct prompt is embedded once. A window's statistic needs three kernel sums:
window × window, window × reference and reference × reference. The last is fixed at
``fit``; the middle one is a per-text mean kernel to the reference, so a window's cross
term is a count-weighted average; the first is either ``cᵀKc`` over the distinct texts
the windows use (one Gram matrix for all windows) or one Gram matrix per window,
whichever costs less.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Literal, Self

import numpy as np
from scipy import sparse

from distillguard.errors import DistillguardError
from distillguard.text_protocol.calibration import WindowDetector, Windows
from distillguard.text_protocol.embedders import Embedder, SentenceEmbedder
from distillguard.text_protocol.windows import as_window_set, distinct_with_counts

#: Bandwidths, as multiples of the median distance, averaged in the kernel (the paper's
#: released configuration runs with this multi-kernel mixture).
PAPER_BANDWIDTH_MULTIPLIERS: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0)

ProgressCallback = Callable[[str, int, int], None]


def squared_distances(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Pairwise squared Euclidean distances, ``(len(x), len(y))``, clipped at 0."""
    xx = np.einsum("ij,ij->i", x, x)[:, None]
    yy = np.einsum("ij,ij->i", y, y)[None, :]
    d2 = xx + yy - 2.0 * (x @ y.T)
    return np.maximum(d2, 0.0, out=d2)


def rbf_mixture(d2: np.ndarray, sigmas: Sequence[float]) -> np.ndarray:
    """Mean of Gaussian kernels ``exp(-d² / 2σ²)`` over ``sigmas``."""
    total = np.zeros_like(d2)
    for sigma in sigmas:
        total += np.exp(d2 * (-0.5 / (sigma * sigma)))
    total /= len(sigmas)
    return total


def mmd2_unbiased(x: np.ndarray, y: np.ndarray, sigmas: Sequence[float]) -> float:
    """Unbiased MMD² between samples ``x`` and ``y`` (direct O(n²); for small inputs).

    ``(Σ_{i≠j} k(xᵢ,xⱼ))/(m(m-1)) + (Σ_{i≠j} k(yᵢ,yⱼ))/(n(n-1)) - 2 Σ k(xᵢ,yⱼ)/(mn)``.
    """
    m, n = len(x), len(y)
    if m < 2 or n < 2:
        raise DistillguardError("unbiased MMD needs at least 2 points on each side")
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    k_xx = rbf_mixture(squared_distances(x, x), sigmas)
    k_yy = rbf_mixture(squared_distances(y, y), sigmas)
    k_xy = rbf_mixture(squared_distances(x, y), sigmas)
    xx = (k_xx.sum() - np.trace(k_xx)) / (m * (m - 1))
    yy = (k_yy.sum() - np.trace(k_yy)) / (n * (n - 1))
    return float(xx + yy - 2.0 * k_xy.mean())


def median_bandwidth(vectors: np.ndarray) -> float:
    """Median of the positive pairwise distances (the median heuristic); 1 if none."""
    d2 = squared_distances(vectors, vectors)
    upper = d2[np.triu_indices(len(vectors), k=1)]
    positive = upper[upper > 1e-12]
    return float(np.sqrt(np.median(positive))) if positive.size else 1.0


def _kernel_blocks(
    x: np.ndarray, y: np.ndarray, sigmas: Sequence[float], block: int, *, same: bool
) -> Iterator[tuple[int, int, np.ndarray]]:
    # Column blocks of K(x, y); with same=True (x is y) the diagonal distance is exactly 0.
    for start in range(0, len(y), block):
        stop = min(start + block, len(y))
        d2 = squared_distances(x, y[start:stop])
        if same:
            d2[np.arange(start, stop), np.arange(stop - start)] = 0.0
        yield start, stop, rbf_mixture(d2, sigmas)


class MMDWindowDetector(WindowDetector):
    """MMD² between a window's prompt embeddings and reference benign prompts.

    Parameters
    ----------
    embedder:
        Callable from texts to vectors; default :class:`SentenceEmbedder` (MiniLM,
        needs the ``text`` extra).
    bandwidth_multipliers:
        Kernel bandwidths as multiples of the median pairwise distance in the reference.
    max_chars:
        Prompts are cut to this many characters before embedding.
    bandwidth_sample:
        Reference requests used to estimate the median distance.
    block_size:
        Columns of the kernel matrix computed at a time (bounds memory).
    embed_chunk:
        Texts per embedder call (progress is reported between calls).
    seed:
        Seed of the bandwidth sample.
    within_strategy:
        How the window × window kernel sum is computed: ``"counts"`` (one Gram matrix
        over the distinct texts of all windows), ``"per_window"`` (one Gram matrix per
        window) or ``"auto"`` (whichever costs less). All give the same statistic.
    progress:
        Optional ``progress(stage, done, total)`` callback (stage ``"embed"``).

    Examples
    --------
    >>> from distillguard.text_protocol import HashingEmbedder
    >>> detector = MMDWindowDetector(embedder=HashingEmbedder()).fit(["hi", "hello there"] * 20)
    >>> detector.score_windows([["hi", "hello there"] * 5]).shape
    (1,)
    """

    name = "mmd"

    def __init__(
        self,
        *,
        embedder: Embedder | None = None,
        bandwidth_multipliers: Sequence[float] = PAPER_BANDWIDTH_MULTIPLIERS,
        max_chars: int = 512,
        bandwidth_sample: int = 1000,
        block_size: int = 1024,
        embed_chunk: int = 512,
        seed: int = 0,
        within_strategy: Literal["auto", "counts", "per_window"] = "auto",
        progress: ProgressCallback | None = None,
    ) -> None:
        self.embedder = embedder
        self.bandwidth_multipliers = tuple(bandwidth_multipliers)
        self.max_chars = max_chars
        self.bandwidth_sample = bandwidth_sample
        self.block_size = block_size
        self.embed_chunk = embed_chunk
        self.seed = seed
        self.within_strategy = within_strategy
        self.progress = progress
        self._rows: dict[str, int] = {}
        self._chunks: list[np.ndarray] = []
        self._matrix: np.ndarray | None = None

    # -- embeddings, once per distinct (cut) text ---------------------------------------
    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of ``texts`` (cut to ``max_chars``), embedding only unseen ones."""
        if self.embedder is None:
            self.embedder = SentenceEmbedder()
        cut = [text[: self.max_chars] for text in texts]
        missing = sorted({t for t in cut if t not in self._rows}, key=len)
        done = 0
        for start in range(0, len(missing), self.embed_chunk):
            chunk = missing[start : start + self.embed_chunk]
            vectors = np.asarray(self.embedder(chunk), dtype=np.float32)
            if vectors.shape[0] != len(chunk) or vectors.ndim != 2:
                raise DistillguardError("the embedder must return one vector per text")
            for text in chunk:
                self._rows[text] = len(self._rows)
            self._chunks.append(vectors)
            self._matrix = None
            done += len(chunk)
            if self.progress is not None:
                self.progress("embed", done, len(missing))
        if not cut:
            return np.zeros((0, 0), dtype=np.float32)
        if self._matrix is None:
            self._matrix = np.concatenate(self._chunks)
            self._chunks = [self._matrix]
        rows = np.fromiter((self._rows[t] for t in cut), dtype=np.int64, count=len(cut))
        return self._matrix[rows]

    # -- fit ------------------------------------------------------------------------------
    def fit(self, reference_prompts: Sequence[str]) -> Self:
        """Embed the reference, pick the bandwidths, and sum its own kernel matrix."""
        texts, counts = distinct_with_counts(reference_prompts)
        total = float(counts.sum())
        if total < 2:
            raise DistillguardError("the MMD reference needs at least 2 prompts")
        vectors = self.embed(texts)
        rng = np.random.default_rng(self.seed)
        sample_size = min(self.bandwidth_sample, int(total))
        sample = rng.choice(len(texts), size=sample_size, replace=True, p=counts / total)
        self.median_distance_ = median_bandwidth(vectors[sample].astype(np.float64))
        self.sigmas_ = tuple(m * self.median_distance_ for m in self.bandwidth_multipliers)
        pair_sum = 0.0
        for start, stop, kernel in _kernel_blocks(
            vectors, vectors, self.sigmas_, self.block_size, same=True
        ):
            pair_sum += float(counts @ (kernel.astype(np.float64) @ counts[start:stop]))
        self.reference_vectors_ = vectors
        self.reference_counts_ = counts
        self.reference_size_ = int(total)
        # Σ over ordered pairs of distinct reference requests (self-pairs are exactly 1).
        self.reference_term_ = (pair_sum - total) / (total * (total - 1.0))
        return self

    # -- score ----------------------------------------------------------------------------
    def score_windows(self, windows: Windows) -> np.ndarray:
        """Unbiased MMD² between each window and the reference (higher = more different)."""
        if not hasattr(self, "reference_term_"):
            raise DistillguardError("mmd: call fit() before scoring")
        window_set = as_window_set(windows)
        used, counts = window_set.counts()
        vectors = self.embed([window_set.texts[i] for i in used])
        n = float(window_set.size)
        cross = counts @ self._mean_kernel_to_reference(vectors) / n
        strategy = self.within_strategy
        if strategy == "auto":
            cheaper = used.size**2 <= window_set.windows * window_set.size**2
            strategy = "counts" if cheaper else "per_window"
        if strategy == "counts":
            within = self._within_by_counts(vectors, counts)
        else:
            position = np.searchsorted(used, window_set.index)
            within = np.array([self._within_one(vectors[row]) for row in position])
        within_term = (within - n) / (n * (n - 1.0))
        return np.asarray(within_term + self.reference_term_ - 2.0 * cross, dtype=np.float64)

    def _mean_kernel_to_reference(self, vectors: np.ndarray) -> np.ndarray:
        # Mean kernel of each text to the reference requests, by blocks of texts.
        result = np.empty(len(vectors), dtype=np.float64)
        weights = self.reference_counts_ / self.reference_size_
        for start in range(0, len(vectors), self.block_size):
            stop = min(start + self.block_size, len(vectors))
            kernel = rbf_mixture(
                squared_distances(vectors[start:stop], self.reference_vectors_), self.sigmas_
            )
            result[start:stop] = kernel.astype(np.float64) @ weights
        return result

    def _within_by_counts(self, vectors: np.ndarray, counts: sparse.csr_array) -> np.ndarray:
        # diag(C K Cᵀ) for all windows at once, self-pairs included.
        within = np.zeros(counts.shape[0], dtype=np.float64)
        for start, stop, kernel in _kernel_blocks(
            vectors, vectors, self.sigmas_, self.block_size, same=True
        ):
            weighted = np.asarray(counts @ kernel.astype(np.float64))
            within += np.einsum("ij,ij->i", weighted, counts[:, start:stop].toarray())
        return within

    def _within_one(self, rows: np.ndarray) -> float:
        d2 = squared_distances(rows, rows)
        np.fill_diagonal(d2, 0.0)
        return float(rbf_mixture(d2, self.sigmas_).sum(dtype=np.float64))
