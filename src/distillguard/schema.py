"""Contract 1 (the event) as Arrow types: the one place that names the columns.

See ``docs/schema.md`` and ``../shared/DESIGN.md``. Only the first four columns are
required; everything downstream degrades gracefully when an optional column is absent.
"""

from __future__ import annotations

import pyarrow as pa

TIMESTAMP = pa.timestamp("us", tz="UTC")

#: Canonical event columns in order, with their Arrow types after validation.
EVENT_FIELDS: tuple[pa.Field, ...] = (
    pa.field("request_id", pa.string(), nullable=False),
    pa.field("timestamp", TIMESTAMP, nullable=False),
    pa.field("account_id", pa.string(), nullable=False),
    pa.field("prompt", pa.string()),
    pa.field("org_id", pa.string()),
    pa.field("api_key_id", pa.string()),
    pa.field("ip", pa.string()),
    pa.field("user_agent", pa.string()),
    pa.field("tls_fingerprint", pa.string()),
    pa.field("payment_fingerprint", pa.string()),
    pa.field("email", pa.string()),
    pa.field("account_created_at", TIMESTAMP),
    pa.field("access_path", pa.string()),
    pa.field("country", pa.string()),
    pa.field("model", pa.string()),
    pa.field("system_prompt", pa.string()),
    pa.field("conversation_id", pa.string()),
    pa.field("turn", pa.int32()),
    pa.field("response", pa.string()),
    pa.field("prompt_tokens", pa.int64()),
    pa.field("completion_tokens", pa.int64()),
    pa.field("max_tokens", pa.int64()),
    pa.field("temperature", pa.float64()),
    pa.field("n", pa.int32()),
    pa.field("logprobs", pa.bool_()),
    pa.field("tool_count", pa.int32()),
    pa.field("status", pa.string()),
)

EVENT_SCHEMA = pa.schema(list(EVENT_FIELDS))
EVENT_COLUMNS: tuple[str, ...] = tuple(f.name for f in EVENT_FIELDS)
REQUIRED_COLUMNS: tuple[str, ...] = ("request_id", "timestamp", "account_id")
#: The contract lists ``prompt`` among the first four, but it may be null or absent
#: (metadata-only input), so it is not required for a row to be valid.
PERSONAL_COLUMNS: tuple[str, ...] = ("ip", "email", "payment_fingerprint")
STATUS_VALUES: tuple[str, ...] = ("ok", "refused", "error")

#: Columns of the quarantine file: where the row came from, why it was rejected, and
#: the row itself as JSON text (truncated to ``ingest.max_quarantine_row_chars``).
QUARANTINE_SCHEMA = pa.schema(
    [
        pa.field("source_file", pa.string(), nullable=False),
        pa.field("source_row", pa.int64(), nullable=False),
        pa.field("reason", pa.string(), nullable=False),
        pa.field("raw", pa.string()),
    ]
)

#: Contract 3: simulator labels.
LABEL_SCHEMA = pa.schema(
    [
        pa.field("account_id", pa.string(), nullable=False),
        pa.field("archetype", pa.string(), nullable=False),
        pa.field("campaign_id", pa.string()),
    ]
)

#: Optional business context: one row per account, as a provider's customer records
#: know it (``distillguard simulate --customers`` writes ``customers.parquet``; see
#: ``docs/formats.md``). ``tier`` is one of ``CUSTOMER_TIERS``; ``declared_use`` is what
#: the customer told the provider it uses the API for (``batch``, ``benchmark``,
#: ``reseller``, ``synthetic_data``, ``education``, ``research``, ``startup``, ``agent``,
#: ``cron``), or null; ``contract`` says a signed contract covers that use.
CUSTOMER_SCHEMA = pa.schema(
    [
        pa.field("account_id", pa.string(), nullable=False),
        pa.field("org_id", pa.string()),
        pa.field("tier", pa.string(), nullable=False),
        pa.field("verified", pa.bool_(), nullable=False),
        pa.field("declared_use", pa.string()),
        pa.field("contract", pa.bool_(), nullable=False),
    ]
)
CUSTOMER_TIERS: tuple[str, ...] = ("free", "pay_as_you_go", "enterprise")

#: Contract 2: the columns of ``accounts.parquet`` every consumer may rely on. A scan
#: writes more (the account's signal values) after these.
ACCOUNT_CONTRACT_FIELDS: tuple[pa.Field, ...] = (
    pa.field("account_id", pa.string(), nullable=False),
    pa.field("risk", pa.float64(), nullable=False),
    pa.field("decision", pa.string(), nullable=False),
    pa.field("campaign_id", pa.string()),
    pa.field("reasons", pa.list_(pa.string()), nullable=False),
)
DECISIONS: tuple[str, ...] = ("allow", "monitor", "review", "block")
FLAGGED_DECISIONS: tuple[str, ...] = ("review", "block")
