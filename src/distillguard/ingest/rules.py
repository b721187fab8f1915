"""The rules a row must meet (contract 1 as checks): column kinds, limits, policies.

Read by both validation paths: the Arrow screen (:mod:`distillguard.ingest.screen`) and
the DuckDB query (:mod:`distillguard.ingest.validate`), which give the same result.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pyarrow as pa

from distillguard.config import IngestConfig
from distillguard.errors import ConfigError
from distillguard.schema import EVENT_SCHEMA

INT32_MAX = 2**31 - 1

TEXT_COLUMNS: tuple[str, ...] = tuple(
    f.name for f in EVENT_SCHEMA if pa.types.is_string(f.type)
)
TIME_COLUMNS: tuple[str, ...] = ("timestamp", "account_created_at")
BOOL_COLUMNS: tuple[str, ...] = ("logprobs",)
#: Text columns where an empty string means "absent" (identifiers, fingerprints):
#: an empty payment fingerprint must not link every account that lacks one.
EMPTY_IS_NULL: frozenset[str] = frozenset(
    {
        "org_id", "api_key_id", "user_agent", "tls_fingerprint", "payment_fingerprint",
        "email", "access_path", "country", "model", "conversation_id",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Limits:
    """The numeric side of :class:`IngestConfig`, resolved against ``now``."""

    max_prompt_chars: int
    max_text_chars: int
    max_raw_chars: int
    timestamp_min: datetime
    timestamp_max: datetime
    int_bounds: Mapping[str, tuple[int, int]]
    float_bounds: Mapping[str, tuple[float, float]]

    @classmethod
    def from_config(cls, config: IngestConfig, now: datetime) -> Limits:
        try:
            low = datetime.fromisoformat(config.timestamp_min)
        except ValueError:
            raise ConfigError(
                f"setting 'ingest.timestamp_min' is not an ISO-8601 time: {config.timestamp_min!r}"
            ) from None
        low = low if low.tzinfo else low.replace(tzinfo=UTC)
        now = now if now.tzinfo else now.replace(tzinfo=UTC)
        tokens = (0, int(config.max_token_count))
        return cls(
            max_prompt_chars=int(config.max_prompt_chars),
            max_text_chars=int(config.max_text_chars),
            max_raw_chars=int(config.max_quarantine_row_chars),
            timestamp_min=low.astimezone(UTC),
            timestamp_max=(now + timedelta(days=config.timestamp_max_future_days)).astimezone(UTC),
            int_bounds={
                "turn": (0, INT32_MAX),
                "prompt_tokens": tokens,
                "completion_tokens": tokens,
                "max_tokens": tokens,
                "n": (1, min(int(config.max_n), INT32_MAX)),
                "tool_count": (0, min(int(config.max_tool_count), INT32_MAX)),
            },
            float_bounds={"temperature": (0.0, float(config.max_temperature))},
        )


@dataclass(frozen=True)
class ValidationPolicy:
    """What an adapter asks of validation beyond contract 1."""

    #: Synthesise ``request_id`` (prefix + hash of the row) when the row has none.
    request_id_prefix: str | None = None
    #: Numeric timestamps below 1e11 are seconds (else milliseconds).
    epoch_seconds_allowed: bool = False
