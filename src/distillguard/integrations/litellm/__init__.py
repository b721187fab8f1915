"""distillguard inside a LiteLLM proxy: a guardrail, an event-log callback, a mapping.

- :class:`DistillguardGuardrail` (:mod:`.guardrail`): the online guard decides each
  request before LiteLLM calls the model;
- ``event_log`` (:mod:`.logger`): a logging callback writing contract-1 events, made
  from ``DISTILLGUARD_LITELLM_LOG_DIR`` when LiteLLM first asks for it;
- :mod:`.mapping` and :mod:`.accounts`: LiteLLM's request, key and log records as
  events, and account columns from the provider's own records (no LiteLLM import).

The guardrail and the callback need the ``litellm`` extra
(``pip install 'distillguard[litellm]'``); SpendLogs in files or PostgreSQL are read by
:mod:`distillguard.ingest.litellm`. See ``docs/online.md``, "Use with LiteLLM".
"""

from __future__ import annotations

from typing import Any

__all__ = ["DistillguardGuardrail", "EventLogCallback", "event_log"]

_event_log: Any = None


def __getattr__(name: str) -> Any:
    """The LiteLLM-dependent names, imported when first asked for."""
    global _event_log
    if name == "DistillguardGuardrail":
        from distillguard.integrations.litellm.guardrail import DistillguardGuardrail

        return DistillguardGuardrail
    if name == "EventLogCallback":
        from distillguard.integrations.litellm.logger import EventLogCallback

        return EventLogCallback
    if name == "event_log":
        if _event_log is None:
            from distillguard.integrations.litellm.logger import EventLogCallback

            _event_log = EventLogCallback.from_environment()
        return _event_log
    raise AttributeError(name)
