"""Finding input files, telling their container and compression, and opening them.

A file's *container* is how rows are stored (``parquet``, ``jsonl`` or ``csv``); its
*format* (``events``, ``glasswally``, ...) is what the rows mean, decided later by
looking at the column names. Compression is recognised by its magic bytes, so a
gzip file is read correctly even when its name lacks ``.gz``; a name that promises
compression the bytes do not have is an error.

Only regular files are read (a named pipe, a socket or a device is refused: a file is
opened several times, and ``/dev/zero`` never ends), and a compressed file may expand
to at most :attr:`ReadLimits.max_decompressed_bytes` of its own size: past it (a gzip
bomb) the whole file is refused.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa

from distillguard.config import IngestConfig, default_config
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
class ReadLimits:
    """The bounds on reading a file, from the ``ingest`` settings (``defaults.yaml``)."""

    #: A record (line, CSV row) longer than this is quarantined unread.
    max_record_bytes: int = 64 << 20
    #: A JSON record nested deeper than this is quarantined (0: no bound).
    max_json_depth: int = 128
    #: A compressed file may decompress to this many times its size ...
    max_decompression_ratio: float = 200.0
    #: ... or to this many bytes, whichever is larger (0 and 0: no bound).
    decompression_floor_bytes: int = 256 << 20

    @classmethod
    def from_config(cls, config: IngestConfig | None = None) -> ReadLimits:
        settings = config if config is not None else default_config().ingest
        return cls(
            max_record_bytes=max(1, int(settings.max_record_bytes)),
            max_json_depth=max(0, int(settings.max_json_depth)),
            max_decompression_ratio=max(0.0, float(settings.max_decompression_ratio)),
            decompression_floor_bytes=max(0, int(settings.decompression_floor_bytes)),
        )

    def decompressed_budget(self, compressed_bytes: int) -> int | None:
        """The most bytes a compressed file of this size may expand to (None: no bound)."""
        if self.max_decompression_ratio <= 0 and self.decompression_floor_bytes <= 0:
            return None
        return max(int(self.max_decompression_ratio * compressed_bytes),
                   self.decompression_floor_bytes)


@dataclass(frozen=True)
class InputFile:
    """An input file with its container and compression resolved."""

    path: Path
    container: str  # "parquet" | "jsonl" | "csv"
    compression: str | None  # None | "gzip" | "zstd"
    #: A compressed file: the most bytes it may decompress to (None: no bound).
    max_decompressed: int | None = None


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


def check_regular(path: Path) -> int:
    """Refuse what is not a regular file (before opening it); return the file's size."""
    try:
        info = path.stat()
    except OSError as exc:
        raise InputFileError(str(path), os_cause(exc)) from None
    if stat.S_ISREG(info.st_mode):
        return int(info.st_size)
    if stat.S_ISDIR(info.st_mode):
        raise InputFileError(str(path), "is a directory")
    kind = ("a named pipe (FIFO)" if stat.S_ISFIFO(info.st_mode)
            else "a socket" if stat.S_ISSOCK(info.st_mode)
            else "a device" if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode)
            else "not a regular file")
    raise InputFileError(
        str(path), f"{kind}, not a regular file: write the data to a file first "
        "(a file is read more than once)"
    )


def resolve(path: Path, limits: ReadLimits | None = None) -> InputFile:
    """Decide a file's container and compression from its name and first bytes."""
    size = check_regular(path)
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
    budget = None
    if compression is not None:
        budget = (limits if limits is not None else ReadLimits()).decompressed_budget(size)
    return InputFile(path=path, container=container, compression=compression,
                     max_decompressed=budget)


def _looks_like_json(path: Path, compression: str | None) -> bool:
    """A file without a telling name: JSON Lines if its first non-blank byte is '{'."""
    with open_stream(InputFile(path, "jsonl", compression)) as stream:
        head = read_stream(path, stream, 4096)
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return stripped.startswith(b"{")


def open_stream(source: InputFile) -> pa.NativeFile | BoundedStream:
    """A stream of the file's (decompressed) bytes, bounded for a compressed file."""
    try:
        stream = pa.input_stream(str(source.path), compression=source.compression)
    except OSError as exc:
        raise InputFileError(str(source.path), os_cause(exc)) from None
    except pa.ArrowException as exc:
        raise InputFileError(str(source.path), one_line(str(exc))) from None
    if source.max_decompressed is None:
        return stream
    return BoundedStream(source.path, stream, source.max_decompressed)


class BoundedStream:
    """A decompressing stream that refuses to give more than ``limit`` bytes in all.

    Reading one byte past the limit raises :class:`InputFileError` (a gzip or zstd
    bomb): the file is refused whole, since what follows was never read.
    """

    def __init__(self, path: Path, stream: pa.NativeFile, limit: int) -> None:
        self.path = path
        self.stream = stream
        self.limit = limit
        self.given = 0

    def _count(self, got: int) -> int:
        self.given += got
        if self.given > self.limit:
            raise InputFileError(
                str(self.path),
                f"decompresses to more than {self.limit:,} bytes (a compression bomb?); "
                "raise ingest.max_decompression_ratio or ingest.decompression_floor_bytes "
                "if the file is genuine",
            )
        return got

    def read(self, size: int) -> bytes:
        data = bytes(self.stream.read(min(size, self.limit + 1 - self.given)))
        self._count(len(data))
        return data

    def readinto(self, view: memoryview) -> int:
        room = self.limit + 1 - self.given
        target = view if len(view) <= room else view[:room]
        return self._count(int(self.stream.readinto(target)))

    def close(self) -> None:
        self.stream.close()

    def __enter__(self) -> BoundedStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


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
