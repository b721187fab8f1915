"""Watermarked generation for models served with Hugging Face transformers (needs torch).

``AccountWatermarkLogitsProcessor`` adds ``delta`` to the logits of the green tokens of
each batch row, with **one key per row**: a batch mixing requests from many accounts is
watermarked for each account in a single ``generate`` call::

    from transformers import LogitsProcessorList
    keys = [account_key(secret, request.account_id) for request in batch]
    processor = AccountWatermarkLogitsProcessor(seeds_array(keys), WatermarkConfig())
    model.generate(input_ids, logits_processor=LogitsProcessorList([processor]), do_sample=True)

Why not transformers' own ``WatermarkLogitsProcessor``: its key is one integer per
processor (so one key per ``generate`` call), its default "lefthash" seeding uses only
the last token whatever ``context_width`` says, and it draws a vocabulary permutation per
row and step in a Python loop. The green lists here come from
:mod:`distillguard.watermark.greenlist`, the same vectorised hash the detectors use.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from transformers import LogitsProcessor

from distillguard.watermark.greenlist import WatermarkConfig, green_mask, window_states


class AccountWatermarkLogitsProcessor(LogitsProcessor):
    """Green-list watermark (Kirchenbauer et al., 2023) keyed per batch row.

    Parameters
    ----------
    seeds:
        One ``uint64`` key seed per batch row (:func:`~distillguard.watermark.keys.seeds_array`).
        When ``generate`` expands rows (``num_return_sequences``, beams), each seed is
        repeated for the expanded rows of its input row.
    config:
        ``gamma`` (green fraction), ``delta`` (bias) and ``context_width``.
    enabled:
        Optional boolean per row; rows where it is false are left unwatermarked.
    """

    def __init__(
        self,
        seeds: Sequence[int] | np.ndarray,
        config: WatermarkConfig,
        enabled: Sequence[bool] | np.ndarray | None = None,
    ) -> None:
        self.seeds = np.asarray(seeds, dtype=np.uint64).ravel()
        self.config = config
        self.enabled = None if enabled is None else np.asarray(enabled, dtype=bool).ravel()
        if self.enabled is not None and self.enabled.shape != self.seeds.shape:
            raise ValueError("enabled needs one entry per seed")

    def _per_row(self, values: np.ndarray, rows: int) -> np.ndarray:
        if values.shape[0] == rows:
            return values
        if values.shape[0] and rows % values.shape[0] == 0:
            return np.repeat(values, rows // values.shape[0])
        raise ValueError(f"the processor has {values.shape[0]} keys for a batch of {rows} rows")

    def green_mask(self, input_ids: torch.Tensor, vocab_size: int) -> np.ndarray:
        """Green tokens for the next position of every row: boolean ``(rows, vocab_size)``."""
        rows = int(input_ids.shape[0])
        windows = input_ids[:, -self.config.context_width :].detach().cpu().numpy()
        states = window_states(self._per_row(self.seeds, rows), windows)
        mask = green_mask(states, vocab_size, self.config.gamma)
        if self.enabled is not None:
            mask &= self._per_row(self.enabled, rows)[:, None]
        return mask

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        if input_ids.shape[-1] < self.config.context_width:
            return scores  # no full window yet: detectors skip these positions too
        mask = self.green_mask(input_ids, int(scores.shape[-1]))
        if scores.device.type == "cpu" and scores.dtype == torch.float32:
            # NumPy, single-threaded, is much faster than torch's thread pool for this small add
            biased = scores.detach().numpy() + np.float32(self.config.delta) * mask
            return torch.from_numpy(biased)  # type: ignore[return-value]
        bias = torch.from_numpy(mask).to(device=scores.device, dtype=scores.dtype)
        return scores + bias * self.config.delta  # type: ignore[return-value]
