"""What the provider knows about an account that LiteLLM does not: a lookup by account id.

Payment fingerprints, sign-up dates and access paths live in the provider's billing
system, not in the proxy. An :class:`AccountDirectory` answers them by account id, from
a table (a Parquet, CSV or JSON Lines file, or a dict) loaded once, or from a callable
the provider writes (``my_billing.account_fields``, called with the account id, returns
a mapping or None), whose answers are cached for ``ttl_seconds`` in a bounded cache. A
failing callable costs the request its account columns, never the request (counted in
``errors``).
"""

from __future__ import annotations

import importlib
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from distillguard.errors import ConfigError
from distillguard.online.keys import ACCOUNT_FIELDS

#: The callable form: account id -> its columns (any of ACCOUNT_FIELDS), or None.
AccountLookup = Callable[[str], Mapping[str, Any] | None]
logger = logging.getLogger(__name__)


class AccountDirectory:
    """Account columns by account id (see the module doc)."""

    def __init__(self, *, table: Mapping[str, Mapping[str, Any]] | None = None,
                 lookup: AccountLookup | None = None, ttl_seconds: float = 300.0,
                 max_cached: int = 100_000) -> None:
        self._table = {str(k): _clean(v) for k, v in (table or {}).items()}
        self._lookup = lookup
        self._ttl = ttl_seconds
        self._max = max_cached
        self._cache: OrderedDict[str, tuple[float, dict[str, str]]] = OrderedDict()
        self.errors = 0

    @classmethod
    def from_file(cls, path: str | Path) -> AccountDirectory:
        """A table with an ``account_id`` column and any of the account columns."""
        import pyarrow.csv as pacsv
        import pyarrow.json as pajson
        import pyarrow.parquet as pq

        name = str(path)
        try:
            if name.endswith(".parquet"):
                table = pq.read_table(name)
            elif name.endswith(".csv"):
                table = pacsv.read_csv(name)
            elif name.endswith((".jsonl", ".json")):
                table = pajson.read_json(name)
            else:
                raise ConfigError(f"{name}: accounts table must be .parquet, .csv or .jsonl")
        except OSError as exc:
            raise ConfigError(f"{name}: {exc}") from None
        if "account_id" not in table.column_names:
            raise ConfigError(f"{name}: accounts table needs an account_id column")
        columns = [c for c in ACCOUNT_FIELDS if c in table.column_names]
        ids = table.column("account_id").cast("string").to_pylist()
        values = {c: _as_text(table.column(c)).to_pylist() for c in columns}
        rows = {
            str(account): {c: values[c][i] for c in columns}
            for i, account in enumerate(ids) if account is not None
        }
        return cls(table=rows)

    @classmethod
    def from_setting(cls, accounts: str | None = None, account_lookup: str | None = None,
                     ) -> AccountDirectory | None:
        """From configuration text: a table path and/or a dotted path to a callable."""
        if accounts is None and account_lookup is None:
            return None
        directory = cls.from_file(accounts) if accounts else cls()
        if account_lookup:
            directory._lookup = load_callable(account_lookup)
        return directory

    def fields(self, account_id: str) -> dict[str, str]:
        """The account's columns (empty when unknown)."""
        found = self._table.get(account_id)
        if found is not None or self._lookup is None:
            return dict(found or {})
        now = time.monotonic()
        cached = self._cache.get(account_id)
        if cached is not None and now - cached[0] < self._ttl:
            self._cache.move_to_end(account_id)
            return dict(cached[1])
        try:
            answer = _clean(self._lookup(account_id) or {})
        except Exception:  # the provider's code: a failure costs the columns only
            self.errors += 1
            logger.exception("distillguard: account lookup failed")
            return {}
        self._cache[account_id] = (now, answer)
        self._cache.move_to_end(account_id)
        while len(self._cache) > self._max:
            self._cache.popitem(last=False)
        return dict(answer)


def _as_text(column: Any) -> Any:
    """A column as text; timestamps (inferred from CSV/JSON too) as ISO-8601 in UTC."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_timestamp(column.type):
        if column.type.tz is not None:
            column = column.cast(pa.timestamp(column.type.unit, "UTC"))
        return pc.strftime(column, format="%Y-%m-%dT%H:%M:%SZ")
    return column.cast(pa.string())


def _clean(row: Mapping[str, Any]) -> dict[str, str]:
    return {k: str(v) for k, v in row.items()
            if k in ACCOUNT_FIELDS and v is not None and not isinstance(v, dict | list)}


def load_callable(dotted: str) -> AccountLookup:
    """``package.module.function`` → the function (a clear error when it is not one)."""
    module_name, _, attribute = dotted.rpartition(".")
    if not module_name:
        raise ConfigError(f"account_lookup must be module.function, got {dotted!r}")
    try:
        found = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"account_lookup {dotted!r}: {exc}") from None
    if not callable(found):
        raise ConfigError(f"account_lookup {dotted!r} is not callable")
    return found
