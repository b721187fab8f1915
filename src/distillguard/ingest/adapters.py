"""Input formats: our own event format and adapters for two formats that are not ours.

Every format turns a record into the canonical columns of contract 1 before
validation. For JSON Lines this is one DuckDB query per batch (``from_json`` parses
each line once into a struct); for flat containers (CSV, Parquet) a flat format is a
column renaming. The mappings are documented column by column in ``docs/formats.md``.

Formats:

- ``events``: contract 1 itself; keys are the canonical column names.
- ``glasswally``: event JSONL of the Glasswally detector (``client_ip``,
  ``token_count``, ``h2_settings_fp``, ``campaign_label`` ...). It has no request id:
  one is synthesised from the row content. ``campaign_label`` is a label, returned
  separately, never an input column.
- ``openai_log``: OpenAI-style chat-completion request logs as LLM gateways write them
  (LiteLLM spend logs and standard logging payloads, or any record with ``messages``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from distillguard.ingest.validate import TEXT_COLUMNS, ValidationPolicy
from distillguard.schema import EVENT_COLUMNS


@dataclass(frozen=True)
class Adapter:
    """How one input format maps onto contract 1."""

    name: str
    #: source key -> canonical column, for formats that are a renaming (None: JSON only).
    renames: Mapping[str, str] | None
    #: canonical column -> source keys; a file where none of them occurs is rejected.
    required: Mapping[str, tuple[str, ...]]
    policy: ValidationPolicy = field(default_factory=ValidationPolicy)
    #: source key holding a campaign label (returned as labels, never as input).
    label_key: str | None = None
    #: Whether the format's id is the request's own (contract 1). When not (a gateway
    #: log's id may be the upstream's answer id), a repeated id is a duplicate only with
    #: the same content (:mod:`distillguard.ingest.duplicates`).
    ids_identify_requests: bool = True

    def source_keys(self) -> tuple[str, ...]:
        """The source keys this format reads from a flat record."""
        keys = tuple(self.renames or ())
        return (*keys, self.label_key) if self.label_key else keys


EVENTS = Adapter(
    name="events",
    renames={name: name for name in EVENT_COLUMNS},
    required={name: (name,) for name in ("request_id", "timestamp", "account_id")},
)

GLASSWALLY = Adapter(
    name="glasswally",
    renames={
        "request_id": "request_id",
        "account_id": "account_id",
        "timestamp": "timestamp",
        "model": "model",
        "prompt": "prompt",
        "system_prompt": "system_prompt",
        "token_count": "prompt_tokens",
        "max_tokens": "max_tokens",
        "client_ip": "ip",
        "user_agent": "user_agent",
        "h2_settings_fp": "tls_fingerprint",
    },
    required={"timestamp": ("timestamp",), "account_id": ("account_id",)},
    policy=ValidationPolicy(request_id_prefix="gw-"),
    label_key="campaign_label",
)

_OPENAI_TIME_KEYS = ("startTime", "start_time", "created_at", "created", "timestamp")
_OPENAI_ACCOUNT_KEYS = ("account_id", "user", "metadata", "api_key", "end_user")

OPENAI_LOG = Adapter(
    name="openai_log",
    renames=None,
    required={
        "timestamp": (*_OPENAI_TIME_KEYS, "response"),
        "account_id": _OPENAI_ACCOUNT_KEYS,
    },
    policy=ValidationPolicy(request_id_prefix="oai-", epoch_seconds_allowed=True),
    ids_identify_requests=False,
)

ADAPTERS: dict[str, Adapter] = {a.name: a for a in (EVENTS, GLASSWALLY, OPENAI_LOG)}
FORMATS: tuple[str, ...] = tuple(ADAPTERS)

GLASSWALLY_MARKERS = frozenset(
    {"client_ip", "token_count", "campaign_label", "h2_settings_fp", "asn_org", "asn_number",
     "system_prompt_hash"}
)  # fmt: skip
OPENAI_MARKERS = frozenset(
    {"messages", "model_parameters", "proxy_server_request", "call_type", "usage"}
)


def detect(keys: Iterable[str]) -> str:
    """The format of records with these top-level keys.

    Our own format wins when all of its required keys are present; otherwise
    ``messages`` (and other gateway-log keys) mean ``openai_log``, Glasswally's
    telltale keys mean ``glasswally``, and anything else is read as ``events`` (whose
    missing required column is then reported).
    """
    present = set(keys)
    if {"request_id", "timestamp", "account_id"} <= present:
        return EVENTS.name
    if present & OPENAI_MARKERS:
        return OPENAI_LOG.name
    if present & GLASSWALLY_MARKERS:
        return GLASSWALLY.name
    return EVENTS.name


def missing_required(adapter: Adapter, keys: Iterable[str]) -> str | None:
    """The first required canonical column none of whose source keys is present."""
    present = set(keys)
    for name, sources in adapter.required.items():
        if not present.intersection(sources):
            return name
    return None


# -- JSON Lines: the first query, from lines to canonical columns -----------------

JSON_MACROS = """
CREATE OR REPLACE MACRO dg_json_kind(t) AS CASE t
    WHEN 'ARRAY' THEN 'an array' WHEN 'VARCHAR' THEN 'a string' WHEN 'NULL' THEN 'null'
    WHEN 'BOOLEAN' THEN 'a boolean' ELSE 'a number' END;
CREATE OR REPLACE MACRO dg_json_unwrap(x, kind) AS CASE json_type(x)
    WHEN kind THEN x
    WHEN 'VARCHAR' THEN CASE WHEN json_valid(json_extract_string(x, '$')) THEN
        CASE WHEN json_type(json_extract_string(x, '$')) = kind
             THEN json(json_extract_string(x, '$')) END END END;
CREATE OR REPLACE MACRO dg_json_array(x) AS dg_json_unwrap(x, 'ARRAY');
CREATE OR REPLACE MACRO dg_json_object(x) AS dg_json_unwrap(x, 'OBJECT');
CREATE OR REPLACE MACRO dg_content_text(c) AS nullif(CASE json_type(c)
    WHEN 'VARCHAR' THEN json_extract_string(c, '$')
    WHEN 'ARRAY' THEN array_to_string(list_transform(json_extract(c, '$[*]'), lambda part:
        CASE WHEN json_type(part) = 'VARCHAR' THEN json_extract_string(part, '$')
             WHEN json_extract_string(part, 'type') IN ('text', 'input_text')
             THEN json_extract_string(part, 'text') END), chr(10))
    END, '');
-- Text that is not a JSON container in a string: LiteLLM spend logs write messages they
-- did not keep as the string "{}" (or "[]"), which is no prompt.
CREATE OR REPLACE MACRO dg_plain_text(c) AS CASE
    WHEN json_type(c) = 'VARCHAR' AND json_valid(json_extract_string(c, '$'))
         AND json_type(json_extract_string(c, '$')) IN ('OBJECT', 'ARRAY') THEN NULL
    ELSE dg_content_text(c) END;
"""


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _i(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _struct_type(fields: Mapping[str, str]) -> str:
    body = ", ".join(f'"{key}": "{kind}"' for key, kind in fields.items())
    return _q("{" + body + "}")


def _parse_lines_sql(struct_fields: Mapping[str, str]) -> str:
    """Lines -> (__pre, line, __j): invalid JSON and non-objects become line problems."""
    return f"""
WITH a AS (
  SELECT __pre, line,
    CASE WHEN __pre IS NOT NULL THEN NULL
         WHEN NOT json_valid(line) THEN 'INVALID'
         WHEN ascii(line) = 123 THEN 'OBJECT'  -- starts with an opening brace
         ELSE json_type(line) END AS __jt
  FROM __lines
), b AS (
  SELECT line,
    coalesce(__pre, CASE
        WHEN __jt = 'INVALID' THEN 'invalid JSON'
        WHEN __jt <> 'OBJECT' THEN 'not a JSON object (' || dg_json_kind(__jt) || ')'
      END) AS __pre,
    CASE WHEN __jt = 'OBJECT' THEN from_json(line, {_struct_type(struct_fields)}) END AS __j
  FROM a
)"""


def json_stage_sql(adapter: Adapter) -> str:
    """The query from table ``__lines(line, __pre)`` to staged canonical columns.

    The result has one row per line, in order: ``__pre``, the canonical columns the
    format provides, ``__type`` and, for labelled formats, ``__label``.
    """
    if adapter.renames is None:
        return _openai_sql()
    fields = {key: "VARCHAR" for key in adapter.source_keys()}
    columns = [f"__j.{_i(key)} AS {_i(name)}" for key, name in adapter.renames.items()]
    type_checks = [
        f"CASE WHEN left(__j.{_i(key)}, 1) IN ('{{', '[') "
        f"AND json_type(line, {_q('$.' + _i(key))}) IN ('OBJECT', 'ARRAY') "
        f"THEN 'wrong type for {name} (' || lower(json_type(line, {_q('$.' + _i(key))})) || ')' END"
        for key, name in adapter.renames.items()
        if name in TEXT_COLUMNS
    ]
    label = f", __j.{_i(adapter.label_key)} AS __label" if adapter.label_key else ""
    # Only a line with a nested value (':' then '{' or '[') can have a structural error.
    nested = "regexp_matches(line, ':\\s*[\\[{]')"
    return f"""{_parse_lines_sql(fields)}
SELECT __pre, {", ".join(columns)},
  CASE WHEN {nested} THEN coalesce({", ".join(type_checks)}) END AS __type{label}
FROM b"""


_OPENAI_SCALARS = (
    "request_id", "id", "litellm_call_id", "call_id", *_OPENAI_TIME_KEYS, "account_id",
    "user", "end_user", "api_key", "api_key_id", "org_id", "organization_id", "team_id",
    "ip", "requester_ip_address", "client_ip", "user_agent", "model", "model_group",
    "prompt_tokens", "completion_tokens", "max_tokens", "max_completion_tokens",
    "max_output_tokens", "temperature", "n", "logprobs", "status", "error_str", "session_id",
    "conversation_id", "email", "country", "access_path", "payment_fingerprint", "tls_fingerprint",
    "account_created_at",
)  # fmt: skip
_OPENAI_NESTED = (
    "messages", "prompt", "system", "tools", "functions", "metadata", "usage", "response",
    "model_parameters", "proxy_server_request", "error",
)  # fmt: skip


def _s(key: str) -> str:
    return f"nullif(__j.{_i(key)}, '')"


def _meta(key: str) -> str:
    return _jxs("__j.metadata", f"$.{key}")


def _key_meta(key: str) -> str:
    """An account field kept in the LiteLLM key's metadata (logged by the proxy)."""
    return _jxs("__j.metadata", f"$.user_api_key_auth_metadata.{key}")


def _param(key: str) -> str:
    """A request parameter: top level, then model_parameters, then the proxied body."""
    return _first(
        _s(key),
        _jxs("__j.model_parameters", f"$.{key}"),
        _jxs("__j.proxy_server_request", f"$.body.{key}"),
        _jxs("__j.proxy_server_request", f"$.{key}"),
    )


def _first(*expressions: str) -> str:
    return f"coalesce({', '.join(expressions)})"


def _jx(value: str, path: str) -> str:
    """A JSON value at ``path`` (None-safe)."""
    return f"json_extract({value}, {_q(path)})"


def _jxs(value: str, path: str) -> str:
    """A string at ``path``, with empty strings as null."""
    return f"nullif(json_extract_string({value}, {_q(path)}), '')"


def _openai_columns() -> dict[str, str]:
    """Canonical column -> expression over the CTEs of :func:`_openai_sql`."""
    status = _s("status")
    failed = (
        f"{_s('error_str')} IS NOT NULL OR coalesce(json_type(__j.error), 'NULL') <> 'NULL'"
    )
    return {
        "request_id": _first(
            _s("request_id"), _s("id"), _s("litellm_call_id"), _s("call_id"),
            _jxs("__resp", "$.id"),
        ),
        "timestamp": _first(*(_s(k) for k in _OPENAI_TIME_KEYS), _jxs("__resp", "$.created")),
        "account_id": _first(
            _s("account_id"), _s("user"), _meta("user_api_key_user_id"), _s("api_key"),
            _meta("user_api_key_hash"), _s("end_user"),
        ),
        "prompt": _first(
            f"dg_content_text({_jx('__users[-1]', '$.content')})",
            "CASE WHEN __msgs IS NULL THEN dg_plain_text(__j.messages) END",
            "dg_content_text(__j.prompt)",
        ),
        "org_id": _first(
            _s("org_id"), _s("organization_id"), _meta("user_api_key_org_id"), _s("team_id"),
            _meta("user_api_key_team_id"),
        ),
        "api_key_id": _first(
            _s("api_key_id"), _s("api_key"), _meta("user_api_key_hash"),
            _meta("user_api_key_alias"),
        ),
        "ip": _first(
            _s("ip"), _s("requester_ip_address"), _meta("requester_ip_address"), _s("client_ip")
        ),
        "user_agent": _first(
            _s("user_agent"), _meta("user_agent"),
            _jxs("__j.proxy_server_request", '$.headers."user-agent"'),
            _jxs("__j.metadata", '$.headers."user-agent"'),
        ),
        "tls_fingerprint": _s("tls_fingerprint"),
        "payment_fingerprint": _first(_s("payment_fingerprint"), _key_meta("payment_fingerprint")),
        "email": _first(_s("email"), _meta("user_api_key_user_email")),
        "account_created_at": _first(_s("account_created_at"), _key_meta("account_created_at")),
        "access_path": _first(_s("access_path"), _key_meta("access_path")),
        "country": _first(_s("country"), _key_meta("country")),
        # LiteLLM: model_group is the model the client asked for; model is the deployment.
        "model": _first(_s("model_group"), _s("model"), _jxs("__resp", "$.model")),
        "system_prompt": _first(
            "nullif(array_to_string(list_transform(__systems, lambda m: "
            f"dg_content_text({_jx('m', '$.content')})), chr(10)), '')",
            "dg_content_text(__j.system)",
        ),
        "conversation_id": _first(_s("conversation_id"), _s("session_id"), _meta("session_id")),
        "turn": "CASE WHEN len(__users) > 0 THEN len(__users) - 1 END",
        "response": "__response_text",
        "prompt_tokens": _first(
            _s("prompt_tokens"), _jxs("__usage", "$.prompt_tokens"),
            _jxs("__usage", "$.input_tokens"),
        ),
        "completion_tokens": _first(
            _s("completion_tokens"), _jxs("__usage", "$.completion_tokens"),
            _jxs("__usage", "$.output_tokens"),
        ),
        "max_tokens": _first(
            _param("max_tokens"), _param("max_completion_tokens"), _param("max_output_tokens")
        ),
        "temperature": _param("temperature"),
        "n": _param("n"),
        "logprobs": _param("logprobs"),
        "tool_count": "CASE WHEN __tools IS NOT NULL THEN json_array_length(__tools) END",
        "status": f"""CASE
    WHEN {status} IS NOT NULL THEN CASE
      WHEN lower({status}) IN ('success', 'ok', '200') THEN 'ok'
      WHEN lower({status}) IN ('failure', 'failed', 'fail', 'error') THEN 'error'
      WHEN lower({status}) IN ('refused', 'content_filter', 'blocked') THEN 'refused'
      ELSE {status} END
    WHEN {failed} THEN 'error'
    WHEN {_jxs("__resp", "$.choices[0].finish_reason")} = 'content_filter' THEN 'refused'
    WHEN __resp IS NOT NULL OR __response_text IS NOT NULL THEN 'ok'
  END""",
    }  # fmt: skip


def _openai_sql() -> str:
    fields = {key: "VARCHAR" for key in _OPENAI_SCALARS}
    fields.update({key: "JSON" for key in _OPENAI_NESTED})
    arrays = (
        "__j.tools", _jx("__j.model_parameters", "$.tools"),
        _jx("__j.proxy_server_request", "$.body.tools"), "__j.functions",
        _jx("__j.model_parameters", "$.functions"),
    )  # fmt: skip
    tools = _first(*(f"CASE WHEN json_type({a}) = 'ARRAY' THEN {a} END" for a in arrays))
    messages = _first(
        "dg_json_array(__j.messages)",
        f"dg_json_array({_jx('__j.proxy_server_request', '$.body.messages')})",
        f"dg_json_array({_jx('__j.proxy_server_request', '$.messages')})",
    )
    role = "json_extract_string(m, 'role')"
    response_text = _first(
        f"dg_content_text({_jx('__resp', '$.choices[0].message.content')})",
        _jxs("__resp", "$.choices[0].text"),
        "CASE WHEN __resp IS NULL AND json_type(__j.response) = 'VARCHAR' "
        "THEN json_extract_string(__j.response, '$') END",
    )
    select = ",\n  ".join(f"{expr} AS {_i(name)}" for name, expr in _openai_columns().items())
    return f"""{_parse_lines_sql(fields)}, c AS (
  SELECT __pre, __j,
    {messages} AS __msgs,
    dg_json_object(__j.response) AS __resp,
    {tools} AS __tools
  FROM b
), d AS (
  SELECT *,
    CASE WHEN __msgs IS NOT NULL THEN {_jx("__msgs", "$[*]")} END AS __list,
    coalesce(CASE WHEN json_type(__j.usage) = 'OBJECT' THEN __j.usage END,
             {_jx("__resp", "$.usage")}) AS __usage
  FROM c
), e AS (
  SELECT *,
    list_filter(__list, lambda m: {role} = 'user') AS __users,
    list_filter(__list, lambda m: {role} IN ('system', 'developer')) AS __systems,
    {response_text} AS __response_text
  FROM d
)
SELECT __pre,
  {select},
  CAST(NULL AS VARCHAR) AS __type
FROM e"""
