"""A word-level tokenizer the project builds itself (no model-hub download).

Watermarks live on token ids, so detection must tokenize text exactly as the serving
model did. The demo's tiny models use this tokenizer; a provider serving a Hugging Face
model passes that model's tokenizer (a local directory) instead.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from distillguard.errors import InputFileError

PAD, BOS, UNK = "<pad>", "<bos>", "<unk>"
SPECIAL_TOKENS = (PAD, BOS, UNK)
_FORMAT = "distillguard-word-tokenizer"
_WORD = re.compile(r"\w+|[^\w\s]")


class TextTokenizer(Protocol):
    """What detection needs from a tokenizer."""

    def encode_text(self, text: str) -> list[int]:
        """Token ids of ``text`` (no special tokens added)."""
        ...


class WordTokenizer:
    """Lower-cased words and punctuation marks; unknown words map to ``<unk>``."""

    def __init__(self, words: Sequence[str]) -> None:
        vocabulary = list(SPECIAL_TOKENS) + [word for word in words if word not in SPECIAL_TOKENS]
        if len(set(vocabulary)) != len(vocabulary):
            raise ValueError("the vocabulary has duplicate words")
        self.vocabulary = vocabulary
        self._index = {word: index for index, word in enumerate(vocabulary)}

    @property
    def vocab_size(self) -> int:
        return len(self.vocabulary)

    @property
    def pad_id(self) -> int:
        return self._index[PAD]

    @property
    def bos_id(self) -> int:
        return self._index[BOS]

    @property
    def unk_id(self) -> int:
        return self._index[UNK]

    def token_id(self, word: str) -> int:
        return self._index.get(word, self.unk_id)

    def encode_text(self, text: str) -> list[int]:
        return [self.token_id(word) for word in _WORD.findall(text.lower())]

    def decode(self, ids: Sequence[int]) -> str:
        words = [self.vocabulary[int(i)] for i in ids if 0 <= int(i) < len(self.vocabulary)]
        text = " ".join(word for word in words if word not in (PAD, BOS))
        return re.sub(r" ([.,;:!?])", r"\1", text)

    def save(self, path: str | Path) -> None:
        payload = {"format": _FORMAT, "vocabulary": self.vocabulary}
        Path(path).write_text(json.dumps(payload, ensure_ascii=False), "utf-8")

    @classmethod
    def load(cls, path: str | Path) -> WordTokenizer:
        try:
            payload = json.loads(Path(path).read_text("utf-8"))
        except OSError as exc:
            raise InputFileError(str(path), exc.strerror or str(exc)) from None
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise InputFileError(str(path), "not a distillguard tokenizer file (JSON)") from None
        if not isinstance(payload, dict) or payload.get("format") != _FORMAT:
            raise InputFileError(str(path), "not a distillguard tokenizer file")
        vocabulary = payload.get("vocabulary")
        if not isinstance(vocabulary, list) or list(vocabulary[:3]) != list(SPECIAL_TOKENS):
            raise InputFileError(str(path), "the tokenizer vocabulary is malformed")
        return cls([str(word) for word in vocabulary[3:]])
