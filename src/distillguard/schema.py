"""The records every stage shares: contract 1 (the event) as Arrow types, the quarantine,
labels and accounts columns, and the typed :class:`Reason` and :class:`Campaign` records.

See ``docs/formats.md``, ``docs/outputs.md`` and ``../shared/DESIGN.md``. Only the first
three event columns are required; everything downstream degrades gracefully when an
optional column is absent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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

#: Columns :func:`distillguard.detect.features.event_features` adds to each event, with
#: their types (the workspace stores them with the events).
FEATURE_FIELDS: tuple[pa.Field, ...] = (
    pa.field("prompt_chars", pa.int64()),
    pa.field("cot", pa.bool_()),
    pa.field("rubric", pa.bool_()),
    pa.field("capability", pa.string()),
    pa.field("skeleton", pa.string()),
    pa.field("ip_prefix", pa.string()),
    pa.field("email_domain", pa.string()),
    pa.field("email_pattern", pa.string()),
    pa.field("long_output", pa.bool_()),
    # Added after the others (stored workspaces written before it lack it).
    pa.field("ip_block", pa.string()),
)
FEATURE_COLUMNS: tuple[str, ...] = tuple(f.name for f in FEATURE_FIELDS)

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


@dataclass(frozen=True)
class Reason:
    """One piece of evidence behind a risk, explained (the shape of Presidio's
    ``AnalysisExplanation``).

    ``signal`` names the signal or rule (``cot_elicitation``, ``shared_payment``,
    ``campaign``, ``allowlist``...), ``value`` is its raw value where it has one (a
    signal's strength, a share of members, a campaign's risk), ``contribution`` what it
    added to the risk where it adds (a signal's weight times its strength), and ``text``
    the sentence a person reads. Contract 2 stores the texts, most important first
    (``accounts.parquet``'s ``reasons``, ``campaigns.json``'s ``reasons``).
    """

    signal: str
    text: str
    value: float | None = None
    contribution: float | None = None

    def __str__(self) -> str:
        return self.text


@dataclass
class Campaign:
    """A campaign the scan found: its accounts, risk, reasons and evidence.

    :meth:`to_dict` is its record in ``campaigns.json`` (contract 2). ``signals`` are the
    group signals its risk was computed from (shares of members, size); ``first_seen``,
    ``last_seen``, ``exchanges`` and ``evidence`` are filled in from the events
    (:func:`distillguard.detect.campaigns.add_evidence`).
    """

    campaign_id: str
    accounts: list[str]
    risk: float
    reasons: list[Reason]
    signals: dict[str, float]
    first_seen: str | None = None
    last_seen: str | None = None
    exchanges: int | None = None
    #: Shared indicators, templates, example prompts, capability mix, models, signals,
    #: timeline; empty until the evidence is added.
    evidence: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The campaign's record in ``campaigns.json`` (before its evidence is added: the
        group signals in its place)."""
        record: dict[str, Any] = {
            "campaign_id": self.campaign_id,
            "accounts": list(self.accounts),
            "risk": self.risk,
            "reasons": [reason.text for reason in self.reasons],
        }
        if not self.evidence:
            record["signals"] = dict(self.signals)
            return record
        record.update(first_seen=self.first_seen, last_seen=self.last_seen,
                      exchanges=self.exchanges, evidence=self.evidence)
        return record
