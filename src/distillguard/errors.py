"""One error tree for the whole toolkit; every error says where it happened."""

from __future__ import annotations


class DistillguardError(Exception):
    """Base class of every error distillguard raises on purpose."""


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


class WorkspaceError(DistillguardError):
    """The workspace file is missing, locked or from an incompatible version."""
