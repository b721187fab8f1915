"""Finding input files, telling their container and compression, and opening them.

A file's *container* is how rows are stored (``parquet``, ``jsonl`` or ``csv``); its
*format* (``events``, ``glasswally``, ...) is what the rows mean, decided later by
looking at the column names. Compression is recognised by its magic bytes, so a
gzip file is read correctly even when its name lacks ``.gz``; a name that promises
compression the bytes do not have is an error.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa

from distillguard.errors import InputFileError

CONTAINER_SUFFIXES: dict[str, str] = {
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".csv": "csv",
}
COMPRESSION_SUFFIXES: dict[str, str] = {
    ".gz": "gzip",
    ".gzip": "gzip",
    ".zst": "zstd",
    ".zstd": "zstd",
}
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x1f\x8b", "gzip"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
)
PARQUET_MAGIC = b"PAR1"


class ByteStream(Protocol):
    """Anything with ``read(size)`` returning bytes-like data (a pyarrow stream)."""

    def read(self, size: int) -> Any: ...

    def readinto(self, view: memoryview) -> int: ...


@dataclass(frozen=True)
class InputFile:
    """An input file with its container and compression resolved."""

    path: Path
    container: str  # "parquet" | "jsonl" | "csv"
    compression: str | None  # None | "gzip" | "zstd"


def split_suffixes(path: Path) -> tuple[str | None, str | None]:
    """(container, compression) promised by the file name; None where it says nothing."""
    suffixes = [s.lower() for s in path.suffixes]
    compression = None
    if suffixes and suffixes[-1] in COMPRESSION_SUFFIXES:
        compression = COMPRESSION_SUFFIXES[suffixes.pop()]
    container = CONTAINER_SUFFIXES.get(suffixes[-1]) if suffixes else None
    return container, compression


def is_supported_name(path: Path) -> bool:
    """Whether a file found inside a folder is one we read (by its name)."""
    container, compression = split_suffixes(path)
    if container is None:
        return False
    # Compressed Parquet makes no sense (Parquet compresses its pages itself).
    return not (container == "parquet" and compression is not None)


def os_cause(exc: OSError) -> str:
    """A one-line, human cause for an operating-system error."""
    if isinstance(exc, FileNotFoundError):
        return "no such file or directory"
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, IsADirectoryError):
        return "is a directory"
    return one_line(exc.strerror or str(exc))


def one_line(text: str, limit: int = 200) -> str:
    """Collapse whitespace and cut, so a cause always prints on one line."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def list_input_files(paths: Sequence[str | Path]) -> list[Path]:
    """Files as given; folders expanded recursively to the supported files in them.

    Parameters
    ----------
    paths:
        Files or folders. A file is kept whatever its name (its content is sniffed
        later); a folder contributes every ``.parquet``, ``.jsonl``, ``.ndjson``,
        ``.json`` and ``.csv`` file below it, also with ``.gz`` / ``.zst``, sorted
        by path so the order is deterministic. Hidden files and folders (a name
        starting with ``.``) are skipped.

    Returns
    -------
    The files, in the order given, each folder's files sorted. A file named twice
    appears once.

    Raises
    ------
    InputFileError
        For a path that does not exist ("no such file or directory").
    """
    found: list[Path] = []
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            candidates = sorted(_walk(path))
        elif path.exists():
            candidates = [path]
        else:
            raise InputFileError(str(path), "no such file or directory")
        for candidate in candidates:
            key = candidate.resolve()
            if key not in seen:
                seen.add(key)
                found.append(candidate)
    return found


def _walk(folder: Path) -> list[Path]:
    files: list[Path] = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in names:
            candidate = Path(root) / name
            if not name.startswith(".") and is_supported_name(candidate):
                files.append(candidate)
    return files


def read_head(path: Path, size: int = 8) -> bytes:
    """The first ``size`` bytes of a file; OS errors become :class:`InputFileError`."""
    try:
        with path.open("rb") as handle:
            return handle.read(size)
    except OSError as exc:
        raise InputFileError(str(path), os_cause(exc)) from None


def resolve(path: Path) -> InputFile:
    """Decide a file's container and compression from its name and first bytes."""
    if path.is_dir():
        raise InputFileError(str(path), "is a directory")
    head = read_head(path)
    named_container, named_compression = split_suffixes(path)
    magic_compression = next((name for magic, name in _MAGIC if head.startswith(magic)), None)
    if named_compression is not None and magic_compression != named_compression:
        raise InputFileError(
            str(path), f"not {named_compression}-compressed (corrupt or missing header)"
        )
    compression = magic_compression
    if head.startswith(PARQUET_MAGIC):
        container = "parquet"
    elif named_container == "parquet":
        raise InputFileError(str(path), "not a Parquet file (no PAR1 header)")
    elif named_container is not None:
        container = named_container
    else:
        container = "jsonl" if _looks_like_json(path, compression) else "csv"
    if container == "parquet" and compression is not None:
        raise InputFileError(str(path), "compressed Parquet files are not supported")
    return InputFile(path=path, container=container, compression=compression)


def _looks_like_json(path: Path, compression: str | None) -> bool:
    """A file without a telling name: JSON Lines if its first non-blank byte is '{'."""
    with open_stream(InputFile(path, "jsonl", compression)) as stream:
        head = read_stream(path, stream, 4096)
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return stripped.startswith(b"{")


def open_stream(source: InputFile) -> pa.NativeFile:
    """A stream of the file's (decompressed) bytes."""
    try:
        return pa.input_stream(str(source.path), compression=source.compression)
    except OSError as exc:
        raise InputFileError(str(source.path), os_cause(exc)) from None
    except pa.ArrowException as exc:
        raise InputFileError(str(source.path), one_line(str(exc))) from None


def read_stream(path: Path, stream: ByteStream, size: int) -> bytes:
    """Read up to ``size`` bytes; decompression and I/O failures name the file."""
    try:
        return bytes(stream.read(size))
    except (OSError, pa.ArrowException) as exc:
        cause = os_cause(exc) if isinstance(exc, OSError) and exc.errno else str(exc)
        raise InputFileError(str(path), f"cannot decompress or read: {one_line(cause)}") from None


def read_into(path: Path, stream: ByteStream, view: memoryview) -> int:
    """Fill ``view`` from the stream (fewer bytes only at the end); returns the count."""
    filled = 0
    try:
        while filled < len(view):
            got = int(stream.readinto(view[filled:]))
            if got <= 0:
                break
            filled += got
    except (OSError, pa.ArrowException) as exc:
        cause = os_cause(exc) if isinstance(exc, OSError) and exc.errno else str(exc)
        raise InputFileError(str(path), f"cannot decompress or read: {one_line(cause)}") from None
    return filled
