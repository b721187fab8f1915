"""One error tree for the whole toolkit; every error says where it happened.

Every error distillguard raises on purpose is a :class:`DistillguardError`; the command
line turns one into a single line on stderr and exit code 2. ``where`` names the place
(a file, ``file:row``, a configuration file or setting, a workspace) and the message
starts with it. The stages' own errors derive from the classes here:
``engines.spark.SparkJobError``, ``engines.sql_dialect.SqlTranslationError``,
``intel.importing.BundleError``, ``online.guard.OnlineEventError``,
``online.store.StateUnavailable``, ``watermark.inputs.TokenizerLoadError``,
``watermark.keys.WatermarkKeyError``. Bad rows are never errors: they go to quarantine
with a reason.

A feature whose optional dependencies are not installed raises
:class:`MissingExtraError`, which names the extra to install; :func:`require_extra` and
:func:`missing_extra` are the one way to raise it.
"""

from __future__ import annotations

import importlib


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


class ConfigError(DistillguardError):
    """A configuration file or value is invalid; the message names the key."""


class InputFileError(DistillguardError):
    """A whole input file cannot be read (missing, unreadable, wrong format).

    Row-level problems never raise: they go to quarantine with a reason.
    """

    def __init__(self, path: str, cause: str) -> None:
        self.path = path
        self.cause = cause
        super().__init__(f"cannot read {path}: {cause}")
        self.where = path


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
