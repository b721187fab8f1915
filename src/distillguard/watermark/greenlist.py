"""Keyed green lists: which next tokens a watermark favours after a given context window.

Kirchenbauer et al. (2023) seed a random-number generator from the key and the previous
token(s), draw a permutation of the vocabulary and call its first ``gamma * |V|`` tokens
"green". We use an equivalent, vectorisable form: token ``t`` is green after the window
``w`` under key ``K`` when a 64-bit keyed hash of ``(K, w, t)`` falls in the lowest
``gamma`` fraction of its range. Each token is then green with probability ``gamma``,
independently of every other (key, window, token) triple, which is exactly what the
binomial test of the detector assumes. The same NumPy function serves generation (a
``[batch, vocab]`` mask) and detection (one bit per scored token, for thousands of keys),
so the two can never disagree. The hash is SplitMix64's finaliser, a bijection on 64-bit
integers with full avalanche; its security comes from the key, which is an HMAC output.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from distillguard.errors import ConfigError

_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)
_WINDOW_STEP = np.uint64(0x9E3779B97F4A7C15)
_TOKEN_STEP = np.uint64(0xD6E8FEB86659FD93)
_HASH_BITS = 53


@dataclass(frozen=True)
class WatermarkConfig:
    """Parameters shared by the watermarking processor and every detector.

    Parameters
    ----------
    gamma:
        Fraction of the vocabulary that is green after any context (0 < gamma < 1).
    delta:
        Bias added to the logits of green tokens at generation.
    context_width:
        Number of previous tokens that seed the green list (the "watermark window").
        Smaller windows make the watermark more radioactive (a student learns it more
        easily) and easier to learn for an adversary; larger ones resist that better.
    """

    gamma: float = 0.25
    delta: float = 2.0
    context_width: int = 1

    def __post_init__(self) -> None:
        if not 0.0 < self.gamma < 1.0:
            raise ConfigError(f"watermark gamma must be in (0, 1), got {self.gamma}")
        if self.delta < 0.0:
            raise ConfigError(f"watermark delta must be >= 0, got {self.delta}")
        if not 1 <= self.context_width <= 16:
            raise ConfigError(f"watermark context_width must be in 1..16, got {self.context_width}")


def _mix(values: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser on a ``uint64`` array (wrapping arithmetic)."""
    z = values ^ (values >> np.uint64(30))
    z = z * _MIX_1
    z = z ^ (z >> np.uint64(27))
    z = z * _MIX_2
    return z ^ (z >> np.uint64(31))


def _as_tokens(tokens: np.ndarray) -> np.ndarray:
    array = np.asarray(tokens)
    if array.size and array.min() < 0:
        raise ValueError("token ids must be non-negative")
    return array.astype(np.uint64) + np.uint64(1)


def window_states(seeds: np.ndarray, windows: np.ndarray) -> np.ndarray:
    """Hash each key with its context window.

    Parameters
    ----------
    seeds:
        ``uint64`` key seeds, broadcastable against ``windows[..., 0]``.
    windows:
        Token ids, shape ``(..., context_width)``: the tokens before the scored one, oldest first.

    Returns
    -------
    numpy.ndarray
        ``uint64`` states of the broadcast shape; feed them to :func:`green_mask` or
        :func:`is_green`.
    """
    windows = np.asarray(windows)
    if windows.ndim == 0:
        raise ValueError("windows need a last axis of length context_width")
    with np.errstate(over="ignore"):
        state = _mix(np.asarray(seeds, dtype=np.uint64) ^ _WINDOW_STEP)
        codes = _as_tokens(windows) * _WINDOW_STEP
        for position in range(windows.shape[-1]):  # a few positions: the window width
            state = _mix(state ^ codes[..., position])
    return np.asarray(state, dtype=np.uint64)


def green_threshold(gamma: float) -> np.uint64:
    """Hash values (top 53 bits) below this are green: probability ``gamma`` exactly to 2^-53."""
    return np.uint64(round(gamma * (1 << _HASH_BITS)))


def is_green(states: np.ndarray, tokens: np.ndarray, gamma: float) -> np.ndarray:
    """Whether each ``tokens`` entry is green after the window hashed into ``states``.

    ``states`` and ``tokens`` broadcast against each other; the result is boolean.
    """
    with np.errstate(over="ignore"):
        hashed = _mix(np.asarray(states, dtype=np.uint64) ^ (_as_tokens(tokens) * _TOKEN_STEP))
    return np.asarray((hashed >> np.uint64(64 - _HASH_BITS)) < green_threshold(gamma))


def green_mask(states: np.ndarray, vocab_size: int, gamma: float) -> np.ndarray:
    """The green list of every state over the whole vocabulary: shape ``(*states.shape, vocab)``."""
    vocabulary = np.arange(vocab_size, dtype=np.int64)
    return is_green(np.asarray(states, dtype=np.uint64)[..., None], vocabulary, gamma)


def sliding_windows(tokens: np.ndarray, context_width: int) -> np.ndarray:
    """Windows before each scorable position of a 1-D token array.

    Position ``j`` (for ``j >= context_width``) is scored with the window
    ``tokens[j - context_width : j]``; returns shape ``(len - context_width, context_width)``.
    """
    tokens = np.asarray(tokens)
    if tokens.shape[0] <= context_width:
        return np.empty((0, context_width), dtype=tokens.dtype)
    view = np.lib.stride_tricks.sliding_window_view(tokens, context_width)
    return np.ascontiguousarray(view[:-1])
