"""A LiteLLM logging callback that writes what the proxy served as contract-1 events.

For a proxy without the guardrail (or to log more than it decides), in ``config.yaml``::

    litellm_settings:
      callbacks: ["distillguard.integrations.litellm.event_log"]

with the folder in ``DISTILLGUARD_LITELLM_LOG_DIR`` (and optionally
``DISTILLGUARD_LITELLM_ACCOUNT_FROM``, ``DISTILLGUARD_LITELLM_ACCOUNTS``,
``DISTILLGUARD_LITELLM_LOG_RESPONSES=1``). Each success or failure LiteLLM logs becomes
one event (:func:`~distillguard.integrations.litellm.mapping.event_from_payload`: the
model group as ``model``, a guardrail's refusal as ``refused``), appended to rotated
JSON Lines files (:class:`~distillguard.online.eventlog.EventLog`) that
``distillguard scan LOGDIR`` reads.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from litellm.integrations.custom_logger import CustomLogger

from distillguard.config import default_config
from distillguard.errors import ConfigError
from distillguard.integrations.litellm.accounts import AccountDirectory
from distillguard.integrations.litellm.mapping import (
    COMPLETION_CALLS,
    check_account_from,
    event_from_payload,
)
from distillguard.online.eventlog import EventLog

LOG_DIR_ENV = "DISTILLGUARD_LITELLM_LOG_DIR"
ACCOUNT_FROM_ENV = "DISTILLGUARD_LITELLM_ACCOUNT_FROM"
ACCOUNTS_ENV = "DISTILLGUARD_LITELLM_ACCOUNTS"
LOG_RESPONSES_ENV = "DISTILLGUARD_LITELLM_LOG_RESPONSES"


class EventLogCallback(CustomLogger):
    """Write each logged LiteLLM call as a contract-1 event (see the module doc)."""

    def __init__(self, log_dir: str, *, account_from: str = "user",
                 directory: AccountDirectory | None = None, log_responses: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        online = default_config().online
        self.account_from = check_account_from(account_from)
        self.directory = directory
        self.log_responses = log_responses
        self.log = EventLog(log_dir, rotate_bytes=online.log_rotate_mib << 20,
                            rotate_seconds=online.log_rotate_minutes * 60.0,
                            flush_seconds=0.5)
        self._keeper: asyncio.Task[None] | None = None
        #: Logged calls without an account (nothing identifies the caller).
        self.skipped = 0

    @classmethod
    def from_environment(cls) -> EventLogCallback:
        log_dir = os.environ.get(LOG_DIR_ENV)
        if not log_dir:
            raise ConfigError(f"the distillguard event log needs {LOG_DIR_ENV} (a folder)")
        return cls(log_dir, account_from=os.environ.get(ACCOUNT_FROM_ENV, "user"),
                   directory=AccountDirectory.from_setting(os.environ.get(ACCOUNTS_ENV)),
                   log_responses=os.environ.get(LOG_RESPONSES_ENV, "") in ("1", "true"))

    async def async_log_success_event(self, kwargs: Any, response_obj: Any, start_time: Any,
                                      end_time: Any) -> None:
        self.write(kwargs)

    async def async_log_failure_event(self, kwargs: Any, response_obj: Any, start_time: Any,
                                      end_time: Any) -> None:
        self.write(kwargs)

    def write(self, kwargs: Any) -> None:
        if self._keeper is None:  # flushes, rotates, closes when the loop stops
            self._keeper = asyncio.get_running_loop().create_task(self.log.maintain())
            self.log.close_on_exit()
        payload = kwargs.get("standard_logging_object") if isinstance(kwargs, dict) else None
        if not isinstance(payload, dict) or payload.get("call_type") not in COMPLETION_CALLS:
            return  # chat and text completions only
        event = event_from_payload(payload, self.account_from,
                                   log_responses=self.log_responses)
        if event is None:
            self.skipped += 1
            return
        if self.directory is not None:
            for name, value in self.directory.fields(event["account_id"]).items():
                if event.get(name) is None:
                    event[name] = value
        self.log.write(event)
