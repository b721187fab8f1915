"""Reading texts to test: plain text files and JSON Lines of served or suspect outputs.

JSON Lines records carry either ``token_ids`` (the whole sequence as integers, used as
is) with an optional ``prompt_tokens`` (how many leading ids are prompt, never scored),
or text in ``text`` or ``response`` (tokenized with the serving tokenizer) with an
optional ``prompt`` (tokenized and put before it, never scored); and, for served logs, the
``account_id`` (or ``key_id``) of the key the response was watermarked with.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from distillguard.errors import DistillguardError, InputFileError, missing_extra
from distillguard.watermark.tokenizer import TextTokenizer, WordTokenizer


def read_utf8_text(path: Path) -> str:
    """A whole UTF-8 text file; unreadable or non-UTF-8 files are one clear error."""
    try:
        return path.read_text("utf-8")
    except OSError as exc:
        raise InputFileError(str(path), exc.strerror or str(exc)) from None
    except UnicodeDecodeError:
        raise InputFileError(str(path), "not UTF-8 text") from None


class TokenizerLoadError(DistillguardError):
    """The tokenizer named on the command line cannot be loaded."""


class _HuggingFaceTokenizer:
    def __init__(self, path: Path) -> None:
        try:
            from transformers import AutoTokenizer
        except ImportError as exc:
            raise missing_extra("watermark", f"{path}: a Hugging Face tokenizer directory",
                                exc) from None
        try:
            self._tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
        except (OSError, ValueError) as exc:
            raise TokenizerLoadError(f"{path}: not a tokenizer directory ({exc})") from None

    def encode_text(self, text: str) -> list[int]:
        return list(self._tokenizer.encode(text, add_special_tokens=False))


def load_tokenizer(path: str | Path) -> TextTokenizer:
    """A distillguard word tokenizer (JSON file) or a local Hugging Face tokenizer directory."""
    path = Path(path)
    if path.is_dir():
        return _HuggingFaceTokenizer(path)
    if not path.exists():
        raise InputFileError(str(path), "no such file or directory")
    return WordTokenizer.load(path)


@dataclass(frozen=True)
class Document:
    """One text to score: its tokens, where scoring starts, and the key it was served under."""

    tokens: np.ndarray
    start: int
    key_id: str | None
    name: str


def _tokens_of(
    record: dict[str, Any], tokenizer: TextTokenizer | None, where: str
) -> tuple[list[int], int]:
    if "token_ids" in record:  # exact ids: the whole sequence, prompt included
        ids = record["token_ids"]
        if not isinstance(ids, list) or not all(isinstance(i, int) and i >= 0 for i in ids):
            raise DistillguardError(f"{where}: 'token_ids' must be a list of non-negative integers")
        start = record.get("prompt_tokens", 0)
        if not isinstance(start, int) or start < 0:
            raise DistillguardError(f"{where}: 'prompt_tokens' must be a non-negative integer")
        return ids, start
    prompt: list[int] = []
    if isinstance(record.get("prompt"), str):
        if tokenizer is None:
            raise DistillguardError(f"{where}: text needs a tokenizer (--tokenizer)")
        prompt = tokenizer.encode_text(record["prompt"])
    text = record.get("text", record.get("response"))
    if not isinstance(text, str):
        raise DistillguardError(f"{where}: needs 'text', 'response' or 'token_ids'")
    if tokenizer is None:
        raise DistillguardError(f"{where}: text needs a tokenizer (--tokenizer)")
    return prompt + tokenizer.encode_text(text), len(prompt)


def read_documents(
    path: str | Path, tokenizer: TextTokenizer | None, *, per_line: bool = False
) -> list[Document]:
    """Documents of a ``.jsonl`` file (one per record) or a text file (one, or one per line)."""
    path = Path(path)
    content = read_utf8_text(path)
    documents: list[Document] = []
    if path.suffix.lower() in {".jsonl", ".ndjson"}:
        for number, line in enumerate(content.splitlines(), start=1):  # records of one input file
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputFileError(str(path), f"line {number} is not JSON ({exc.msg})") from None
            if not isinstance(record, dict):
                raise DistillguardError(f"{where}: each line must be a JSON object")
            tokens, start = _tokens_of(record, tokenizer, where)
            key = record.get("key_id", record.get("account_id"))
            documents.append(
                Document(
                    np.asarray(tokens, dtype=np.int64),
                    start,
                    str(key) if key is not None else None,
                    where,
                )
            )
        return documents
    if tokenizer is None:
        raise DistillguardError(f"{path}: text needs a tokenizer (--tokenizer)")
    pieces = content.splitlines() if per_line else [content]
    for number, piece in enumerate(pieces, start=1):
        if piece.strip():
            ids = np.asarray(tokenizer.encode_text(piece), dtype=np.int64)
            documents.append(Document(ids, 0, None, f"{path}:{number}" if per_line else str(path)))
    return documents
