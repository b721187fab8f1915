"""Optional real prompt corpora, read from a folder laid out like ``shared/corpora``.

The simulator never needs them; with them, part of the traffic carries prompts that
real people wrote (``human/``), real benchmark questions (``reasoning/``), real coding
and tool-use instructions from public distillation data sets (``coding/``,
``tool_use/``), and real one-template batch jobs (``batch/``).

Files are JSON Lines or one JSON array; each record's prompt is taken from the first
of ``prompt``, ``question``, ``instruction`` (plus ``input`` when present) or
``turns[0]``. Unknown files are skipped, so a folder with extra files still works.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from distillguard.errors import InputFileError

#: Sub-folders read, and the pool each one fills.
POOL_FOLDERS: dict[str, str] = {
    "human": "human",
    "reasoning": "reasoning",
    "coding": "coding",
    "tool_use": "tool_use",
}
#: Real prompts can be very long; cut them so one event stays a reasonable size.
MAX_PROMPT_CHARS = 6000


@dataclass
class Corpus:
    """Prompt pools by name (``human``, ``reasoning``, ..., and ``batch/<file stem>``)."""

    pools: dict[str, pa.Array] = field(default_factory=dict)
    followups: pa.Array | None = None

    def pool(self, name: str) -> pa.Array | None:
        return self.pools.get(name)

    def batch_jobs(self) -> list[str]:
        """Names of the one-template batch pools, sorted (deterministic)."""
        return sorted(name for name in self.pools if name.startswith("batch/"))

    @classmethod
    def load(cls, root: str | Path) -> Corpus:
        """Read every known sub-folder of ``root``; a missing sub-folder is just skipped."""
        base = Path(root)
        if not base.is_dir():
            raise InputFileError(str(base), "corpus folder not found")
        corpus = cls()
        second_turns: list[str] = []
        for pool, folder in POOL_FOLDERS.items():
            prompts: list[str] = []
            for path in _data_files(base / folder):
                for record in _records(path):
                    text = _prompt_of(record)
                    if text:
                        prompts.append(text[:MAX_PROMPT_CHARS])
                    turns = record.get("turns")
                    if isinstance(turns, list) and len(turns) > 1 and isinstance(turns[1], str):
                        second_turns.append(turns[1][:MAX_PROMPT_CHARS])
            if prompts:
                corpus.pools[pool] = pa.array(prompts, pa.string())
        for path in _data_files(base / "batch"):
            prompts = [_prompt_of(record)[:MAX_PROMPT_CHARS] for record in _records(path)]
            prompts = [text for text in prompts if text]
            if prompts:
                corpus.pools[f"batch/{path.stem}"] = pa.array(prompts, pa.string())
        if second_turns:
            corpus.followups = pa.array(second_turns, pa.string())
        return corpus


def _data_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".jsonl", ".json") and p.is_file())


def _records(path: Path) -> Iterator[dict[str, Any]]:
    """Records of a JSON Lines file or a JSON array; malformed lines are skipped."""
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(str(path), str(exc)) from None
    if path.suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputFileError(str(path), f"not valid JSON ({exc})") from None
        rows = data if isinstance(data, list) else []
    else:
        rows = []
        for line in text.splitlines():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    for row in rows:
        if isinstance(row, dict):
            yield row


def _prompt_of(record: dict[str, Any]) -> str:
    for key in ("prompt", "question"):
        value = record.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    instruction = record.get("instruction")
    if isinstance(instruction, str) and instruction.strip():
        extra = record.get("input")
        if isinstance(extra, str) and extra.strip():
            return f"{instruction.strip()}\n\n{extra.strip()}"
        return instruction.strip()
    turns = record.get("turns")
    if isinstance(turns, list) and turns and isinstance(turns[0], str):
        return turns[0].strip()
    return ""
