"""The online guard as a LiteLLM guardrail: decide before LiteLLM calls the model.

Configured in the proxy's ``config.yaml`` (``docs/online.md``, "Use with LiteLLM")::

    guardrails:
      - guardrail_name: usage-policy        # sent to clients in x-litellm-applied-guardrails
        litellm_params:
          guardrail: distillguard.integrations.litellm.DistillguardGuardrail
          mode: pre_call
          default_on: true
          redis_url: redis://127.0.0.1:6379/0   # shared state for several workers
          log_dir: /var/log/distillguard        # contract-1 events, for later scans

It does for LiteLLM what the gateway (:mod:`distillguard.online.gateway`) does in front
of a model server: ``async_pre_call_hook`` turns the request and the key's metadata into
an event (:mod:`.mapping`), asks the guard with ``rescore=False`` and refuses a
``throttle`` (429 with ``Retry-After``) or a ``block`` (403) with the gateway's fixed
bodies in OpenAI's error shape; the success and failure logging hooks fold in the
completion tokens (streamed answers included: LiteLLM logs a stream once it has ended),
write the event log and then run one step of re-scoring, so no request waits for it.
Each LiteLLM worker process builds its own guardrail; with ``redis_url`` they share the
guard's state.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from typing import Any

from litellm.integrations.custom_guardrail import CustomGuardrail
from litellm.proxy._types import ProxyException
from litellm.types.guardrails import GuardrailEventHooks

from distillguard.config import default_config, load_config
from distillguard.errors import DistillguardError
from distillguard.integrations.litellm.accounts import AccountDirectory
from distillguard.integrations.litellm.mapping import (
    COMPLETION_CALLS,
    check_account_from,
    event_from_request,
    response_text,
)
from distillguard.online.chat import REFUSALS, as_int
from distillguard.online.eventlog import EventLog
from distillguard.online.guard import REFUSED_ACTIONS, Decision, Guard, guard_with_state

logger = logging.getLogger(__name__)
#: Requests decided and not yet logged, kept to join the answer to its event (bounded:
#: a request whose log never comes must not stay for ever).
_MAX_PENDING = 10_000
#: Requests in a row that skip the re-scoring step while others are in flight (as the
#: gateway): the next one runs it anyway.
_MAX_BUSY_SKIPS = 8
_LOG_FLUSH_SECONDS = 0.5


class DistillguardGuardrail(CustomGuardrail):
    """A LiteLLM ``CustomGuardrail`` that asks distillguard's online guard.

    Parameters (the guardrail's ``litellm_params`` in ``config.yaml``)
    ----------
    distillguard_config:
        distillguard configuration file (YAML); the defaults when not given. (Not
        ``config``: LiteLLM's guardrail settings have a field of that name.)
    redis_url:
        Guard state in Redis (several LiteLLM workers share it); in process otherwise.
    account_from:
        Which LiteLLM entity is the account: ``user`` (default), ``key``, ``team``,
        ``org`` or ``end_user`` (:mod:`.mapping`).
    accounts, account_lookup:
        Account columns LiteLLM lacks (payment fingerprint, creation date, access path):
        a table file, and/or ``module.function`` called with the account id
        (:class:`~distillguard.integrations.litellm.accounts.AccountDirectory`).
    log_dir:
        Write every request (refused ones too) as contract-1 JSON Lines here.
    guard:
        A guard to use (tests, embedding); overrides ``distillguard_config`` and
        ``redis_url``.
    """

    def __init__(self, guardrail_name: str | None = None, *,
                 distillguard_config: str | None = None,
                 redis_url: str | None = None, account_from: str = "user",
                 accounts: str | None = None, account_lookup: str | None = None,
                 log_dir: str | None = None, guard: Guard | None = None,
                 **kwargs: Any) -> None:
        super().__init__(guardrail_name=guardrail_name, **kwargs)
        cfg = load_config(distillguard_config) if distillguard_config else default_config()
        self.guard = guard if guard is not None else guard_with_state(cfg, redis_url)
        self.online = self.guard.config.online
        self.account_from = check_account_from(account_from)
        self.directory = AccountDirectory.from_setting(accounts, account_lookup)
        self.log = EventLog(log_dir, rotate_bytes=self.online.log_rotate_mib << 20,
                            rotate_seconds=self.online.log_rotate_minutes * 60.0,
                            flush_seconds=_LOG_FLUSH_SECONDS) if log_dir else None
        self._pending: OrderedDict[str, tuple[dict[str, Any], Decision]] = OrderedDict()
        self._busy_skips = 0
        self._flusher: asyncio.Task[None] | None = None
        #: Requests that could not be decided (no account in the request, bad event).
        self.undecided = 0

    # -- before the model is called ---------------------------------------------------

    async def async_pre_call_hook(self, user_api_key_dict: Any, cache: Any, data: dict,
                                  call_type: Any) -> dict | None:
        del user_api_key_dict, cache  # everything needed is in data["metadata"]
        if str(getattr(call_type, "value", call_type)) not in COMPLETION_CALLS \
                or not isinstance(data, dict):
            return data
        self._start_flusher()
        event = event_from_request(data, self.account_from,
                                   client_ip_header=self.online.client_ip_header,
                                   tls_fingerprint_header=self.online.tls_fingerprint_header)
        if event is None:
            self.undecided += 1
            return data
        if self.directory is not None:
            for name, value in self.directory.fields(event["account_id"]).items():
                if event.get(name) is None:
                    event[name] = value
        try:
            decision = self.guard.observe(event, rescore=False)
        except DistillguardError:
            self.undecided += 1
            logger.exception("distillguard: request not decided")
            return data
        if decision.action in REFUSED_ACTIONS:
            self._write(event, "refused")
            self._note_intervention(data, decision)
            asyncio.get_running_loop().call_soon(self._step)
            raise refusal(decision.action, self.online.throttle_retry_after_seconds)
        self._pending[event["request_id"]] = (event, decision)
        while len(self._pending) > _MAX_PENDING:
            self._pending.popitem(last=False)
        return data

    def _note_intervention(self, data: dict, decision: Decision) -> None:
        """Tell LiteLLM's logging that this guardrail stopped the request (its logs, and
        the event-log callback, then show ``guardrail_intervened``); the action and risk
        only, never the reasons."""
        try:
            self.add_standard_logging_guardrail_information_to_request_data(
                guardrail_json_response={"action": decision.action, "risk": decision.risk},
                request_data=data, guardrail_status="guardrail_intervened",
                event_type=GuardrailEventHooks.pre_call)
        except Exception:  # logging detail: never a reason to fail the refusal
            logger.debug("distillguard: guardrail information not recorded", exc_info=True)

    # -- after the answer -------------------------------------------------------------

    async def async_log_success_event(self, kwargs: Any, response_obj: Any, start_time: Any,
                                      end_time: Any) -> None:
        self._finish(kwargs, ok=True)

    async def async_log_failure_event(self, kwargs: Any, response_obj: Any, start_time: Any,
                                      end_time: Any) -> None:
        self._finish(kwargs, ok=False)

    def _finish(self, kwargs: Any, *, ok: bool) -> None:
        payload = kwargs.get("standard_logging_object") if isinstance(kwargs, dict) else None
        payload = payload if isinstance(payload, dict) else {}
        call_id = payload.get("litellm_call_id") or (
            kwargs.get("litellm_call_id") if isinstance(kwargs, dict) else None)
        pending = self._pending.pop(str(call_id), None) if call_id else None
        if pending is None:  # not ours (refused before, not a completion, evicted)
            return
        event, decision = pending
        tokens = as_int(payload.get("completion_tokens"))
        if ok and tokens is not None:
            self.guard.record_outcome(decision.account_id, tokens)
        if ok:
            event["prompt_tokens"] = as_int(payload.get("prompt_tokens"))
            event["completion_tokens"] = tokens
            if self.online.log_responses:
                event["response"] = response_text(payload.get("response"))
        self._write(event, "ok" if ok else "error")
        self._step()

    def _step(self) -> None:
        """One re-scoring step once an answer is out (skipped a few times while other
        requests are in flight, as in the gateway)."""
        if self._pending and self._busy_skips < _MAX_BUSY_SKIPS:
            self._busy_skips += 1
            return
        self._busy_skips = 0
        self.guard.rescore_step()

    # -- the event log ----------------------------------------------------------------

    def _write(self, event: dict[str, Any], status: str) -> None:
        if self.log is not None:
            event["status"] = status
            self.log.write(event)

    def _start_flusher(self) -> None:
        if self.log is not None and self._flusher is None:
            self._flusher = asyncio.get_running_loop().create_task(
                self.log.maintain(_LOG_FLUSH_SECONDS))
            self.log.close_on_exit()



def refusal(action: str, retry_after: int) -> ProxyException:
    """LiteLLM's OpenAI-shaped error for a refused request: the gateway's fixed texts."""
    status, body = REFUSALS[action]
    error = body["error"]
    headers = {"retry-after": str(retry_after)} if action == "throttle" else None
    return ProxyException(message=error["message"], type=error["type"], param=None,
                          code=status, headers=headers, openai_code=error["code"])
