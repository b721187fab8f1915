"""Validating a staged batch against contract 1, in one DuckDB query.

A *staged* table is what a reader produced for one batch: the canonical columns that
the file has (any Arrow type: text from JSON and CSV, typed from Parquet) plus
bookkeeping columns:

- ``__row``   (int64)  1-based line / row number in the source file;
- ``__pre``   (string) a problem already found while reading (invalid UTF-8, invalid
  JSON, malformed CSV row, ...), or null;
- ``__raw``   (string) the record's original text where there is one (JSON Lines,
  malformed CSV rows), or null (the row is then shown as JSON in the quarantine);
- ``__type``  (string) a structural type error found in JSON (an object where text was
  expected), or null;
- ``__label`` (string, optional) a campaign label an adapter found.

The query parses every column once, evaluates all checks as one OR of bare conditions
(most rows pass and stop there) and, for a failing row only, takes the first failing
check's message in the order of :data:`CHECK_ORDER`. Text columns that pass through
unchanged are not sent back through DuckDB: they are taken from the staged table (an
identifier that is blank, which becomes null, by a flag the query returns). IP
addresses are checked with the standard library's ``ipaddress`` over the batch's
*distinct* values only (canonical dotted quads and eight-group IPv6 by regular
expressions), then mapped back with Arrow.

Before the query, :mod:`distillguard.ingest.screen` clears the rows of a typed batch
that plainly pass every check with Arrow alone; only the others go through the query,
which gives exactly the same result for them (most batches of a Parquet file have none).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from distillguard.addresses import canonical_forms
from distillguard.ingest.rules import (
    BOOL_COLUMNS,
    EMPTY_IS_NULL,
    TEXT_COLUMNS,
    TIME_COLUMNS,
    Limits,
    ValidationPolicy,
)
from distillguard.ingest.screen import screen
from distillguard.schema import EVENT_SCHEMA, LABEL_SCHEMA, QUARANTINE_SCHEMA

#: The order in which checks run; a row with several problems gets the first.
CHECK_ORDER: tuple[str, ...] = (
    "line problems: invalid UTF-8, record too long, JSON nested too deep, invalid JSON, "
    "not a JSON object, malformed CSV row",
    "missing required field (request_id, timestamp, account_id)",
    "wrong type (JSON object/array where text is expected, then numbers and booleans)",
    "unparseable timestamp, then unparseable account_created_at",
    "timestamp out of range",
    "text too long (prompt, then the other text columns)",
    "NUL byte in text",
    "number out of range",
    "invalid status",
    "invalid ip",
)

#: Epoch values beyond this many milliseconds (about year 5138) are not timestamps.
_MAX_EPOCH_MS = 1e14
#: Numbers below this are epoch *seconds* where an adapter allows both units.
_SECONDS_BELOW = 1e11
_EXCERPT_CHARS = 60

_BOOL_TRUE = ("true", "t", "yes", "y", "1")
_BOOL_FALSE = ("false", "f", "no", "n", "0")
#: Columns hashed into a synthesised request id (adapters whose logs have none).
_ID_HASH_COLUMNS: tuple[str, ...] = (
    "account_id", "timestamp", "model", "prompt", "system_prompt", "ip", "user_agent",
    "tls_fingerprint", "prompt_tokens", "max_tokens",
)  # fmt: skip

MACROS = f"""
CREATE OR REPLACE MACRO dg_excerpt(x) AS regexp_replace(
    CASE WHEN strlen(x) > {_EXCERPT_CHARS} AND length(x) > {_EXCERPT_CHARS}
         THEN left(x, {_EXCERPT_CHARS - 3}) || '...' ELSE x END,
    '[\\x00-\\x1f\\x7f]', ' ', 'g');
CREATE OR REPLACE MACRO dg_present(x) AS CASE WHEN x IS NULL OR x = '' THEN false
    WHEN ascii(x) IN (9, 10, 13, 32) THEN trim(x, ' \t\r\n') <> '' ELSE true END;
"""


@dataclass(frozen=True)
class Validated:
    """One validated batch."""

    valid: pa.Table
    valid_rows: pa.Array
    quarantine: pa.Table
    labels: pa.Table | None


def kind_of(data_type: pa.DataType) -> str:
    """How a staged column's Arrow type is parsed: text, int, float, bool, time or null."""
    if pa.types.is_dictionary(data_type):
        return kind_of(data_type.value_type)
    if pa.types.is_string(data_type) or pa.types.is_large_string(data_type):
        return "text"
    if pa.types.is_string_view(data_type):
        return "text"
    if pa.types.is_integer(data_type):
        return "int"
    if pa.types.is_floating(data_type) or pa.types.is_decimal(data_type):
        return "float"
    if pa.types.is_boolean(data_type):
        return "bool"
    if pa.types.is_timestamp(data_type) or pa.types.is_date(data_type):
        return "time"
    if pa.types.is_null(data_type):
        return "null"
    return "unsupported"


@lru_cache(maxsize=200_000)
def canonical_ip(text: str) -> str | None:
    """The compressed canonical form of an IPv4/IPv6 address, or None if invalid."""
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def canonical_ips(values: pa.Array) -> pa.Array:
    """Canonical IPs for a column: null where the value is absent or not an address.

    Works on the *distinct* values: dotted quads already in canonical form (no leading
    zeros, each part 0..255) and IPv6 addresses in canonical eight-group form are
    recognised with vectorised regular expressions; the remaining ones (compressed IPv6,
    oddities, garbage) go through :mod:`ipaddress` (cached).
    """
    text = values.cast(pa.string())
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    encoded = pc.dictionary_encode(text)
    distinct = encoded.dictionary
    fast = pc.or_(*canonical_forms(distinct))
    rest = distinct.filter(pc.invert(fast))
    canonical = pc.if_else(fast, distinct, pa.nulls(len(distinct), pa.string()))
    if len(rest):
        slow = pa.array([canonical_ip(v) for v in rest.to_pylist()], pa.string())
        canonical = pc.replace_with_mask(canonical, pc.invert(fast), slow)
    return pc.take(canonical, encoded.indices)


def _duckdb_type(data_type: pa.DataType) -> str:
    if pa.types.is_string(data_type):
        return "VARCHAR"
    if pa.types.is_timestamp(data_type):
        return "TIMESTAMPTZ"
    if pa.types.is_boolean(data_type):
        return "BOOLEAN"
    if pa.types.is_floating(data_type):
        return "DOUBLE"
    return "BIGINT"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _ts_literal(moment: datetime) -> str:
    return f"TIMESTAMPTZ '{moment.isoformat()}'"


def present_kinds(staged: pa.Table) -> dict[str, str]:
    """The canonical columns a staged batch has values in, with how each is parsed.

    A column null in every row is left out: no check can fail on it.
    """
    schema = staged.schema
    return {
        name: kind_of(schema.field(name).type)
        for name in EVENT_SCHEMA.names
        if name in schema.names and staged.column(name).null_count < staged.num_rows
    }


class _QueryBuilder:
    """Builds the validation query for one staged batch.

    The query has two steps: ``p`` parses every column once (text, number, presence),
    ``r`` evaluates the checks on the parsed values; the outer select keeps the first
    failing check as the reason and the parsed values as the canonical columns.
    Columns that are null in every row of the batch are treated as absent: no check
    can fail on them, so they cost nothing.
    """

    def __init__(
        self,
        staged: pa.Table,
        limits: Limits,
        policy: ValidationPolicy,
        kinds: Mapping[str, str] | None = None,
    ) -> None:
        self.kinds = dict(kinds) if kinds is not None else present_kinds(staged)
        self.limits = limits
        self.policy = policy
        self.has_label = "__label" in staged.schema.names
        self.parsed: list[str] = []  # select list of the parse step
        self.values: dict[str, str] = {}  # canonical column -> value expression
        #: Canonical columns taken from the staged table after the query, not sent back
        #: through it: name -> (staged column, blank flag). With a flag, the query returns
        #: ``__blank_<name>`` (a blank value, made null in Arrow); text passes through as is.
        self.taken: dict[str, tuple[str, str | None]] = {}
        self.checks: dict[str, list[tuple[str, str]]] = {}  # group -> (condition, message)
        #: Cheap conditions, true whenever some check fails (true more often is harmless).
        self.guards: list[str] = []

    def check(self, group: str, condition: str, message: str, *, guarded: bool = False) -> None:
        """Add a check; unless ``guarded`` (a guard covering it was added), it is its own."""
        self.checks.setdefault(group, []).append((condition, message))
        if not guarded:
            self.guards.append(condition)

    def build(self) -> str:
        for name in EVENT_SCHEMA.names:
            if name in self.kinds:
                self._column(name)
            else:
                self.values[name] = f"CAST(NULL AS {_duckdb_type(EVENT_SCHEMA.field(name).type)})"
        self._required()
        groups = ("pre", "missing", "type", "parse", "range_ts", "long", "nul", "range", "status",
                  "ip")  # fmt: skip
        checks = [check for group in groups for check in self.checks.get(group, [])]
        # Most rows pass: one OR over cheap guards decides; only a row that may fail
        # evaluates the exact checks, in order, to find its first problem.
        failing = " OR ".join(f"({guard})" for guard in self.guards)
        first = ", ".join(f"CASE WHEN {c} THEN {message} END" for c, message in checks)
        reason = f"CASE WHEN {failing} THEN coalesce({first}) END"
        self._request_id()
        values = ",\n  ".join(
            [f"{expr} AS {_ident(name)}" for name, expr in self.values.items()
             if name not in self.taken]
            + [f"{flag} AS {_ident('__blank_' + name)}" for name, (_, flag) in self.taken.items()
               if flag is not None]
        )
        label = ", nullif(trim(__label), '') AS __label" if self.has_label else ""
        pack = ", ".join(f"{_ident(n)} := {_ident('src_' + n)}" for n in self.kinds) or "x := 1"
        keep = ["__row", "__pre", "__raw", "__type"] + (["__label"] if self.has_label else [])
        keep += [f"{_ident(n)} AS {_ident('src_' + n)}" for n in self.kinds]
        parsed = ",\n    ".join(keep + self.parsed)
        return f"""
WITH p AS (
  SELECT {parsed}
  FROM __staged
), r AS (
  SELECT *, {reason} AS __reason FROM p
)
SELECT __row, __reason,
  CASE WHEN __reason IS NOT NULL THEN left(coalesce(rtrim(__raw, chr(13) || chr(10)),
       CAST(to_json(struct_pack({pack})) AS VARCHAR)), {self.limits.max_raw_chars})
  END AS __raw{label},
  {values}
FROM r
"""

    # -- per-column parsing ---------------------------------------------------------

    def _column(self, name: str) -> None:
        kind = self.kinds[name]
        src = _ident(name)
        # The column as text (for messages) and whether it holds a value at all.
        shown, present = _ident(f"x_{name}"), _ident(f"pr_{name}")
        if kind == "text":
            self.parsed += [f"{src} AS {shown}", f"dg_present({src}) AS {present}"]
        elif name in TEXT_COLUMNS:  # a typed value where text is expected: its text form
            self.parsed += [f"CAST({src} AS VARCHAR) AS {shown}", f"{src} IS NOT NULL AS {present}"]
        else:  # shown only in messages, so cast there: only failing rows pay for it
            self.parsed.append(f"{src} IS NOT NULL AS {present}")
            shown = f"CAST({_ident('src_' + name)} AS VARCHAR)"
        if name in TIME_COLUMNS:
            self._time(name, kind, src, shown, present)
        elif name in self.limits.int_bounds:
            self._number(name, kind, src, shown, present, integer=True)
        elif name in self.limits.float_bounds:
            self._number(name, kind, src, shown, present, integer=False)
        elif name in BOOL_COLUMNS:
            self._boolean(name, kind, src, shown, present)
        else:
            self._text(name, shown, present)

    def _text(self, name: str, text: str, present: str) -> None:
        label = _quote(name)
        cap = self.limits.max_prompt_chars if name == "prompt" else self.limits.max_text_chars
        self.guards.append(f"strlen({text}) > {cap}")  # bytes >= characters
        self.check(
            "long",
            f"strlen({text}) > {cap} AND length({text}) > {cap}",
            f"{label} || ' too long (' || length({text}) || ' chars > {cap})'",
            guarded=True,
        )
        self.check("nul", f"strpos({text}, chr(0)) > 0", f"'NUL byte in ' || {label}")
        if name == "status":
            allowed = ", ".join(_quote(v) for v in ("ok", "refused", "error"))
            norm = f"lower(trim({text}, ' \t\r\n'))"
            self.check(
                "status",
                f"{present} AND {norm} NOT IN ({allowed})",
                f"'invalid status ''' || dg_excerpt({text}) || ''''",
            )
            self.values[name] = f"CASE WHEN {present} THEN {norm} END"
        elif name == "ip":
            self.parsed.append("__ip")
            self.check(
                "ip",
                f"{present} AND __ip IS NULL",
                f"'invalid ip ''' || dg_excerpt({text}) || ''''",
            )
            self.values[name] = "__ip"
            self.taken[name] = ("__ip", None)  # computed in Arrow (``canonical_ips``)
        elif name in EMPTY_IS_NULL:
            # The expression stays in ``values`` for a synthesised request id.
            self.values[name] = f"CASE WHEN {present} THEN {text} END"
            if self.kinds[name] == "text":
                self.taken[name] = (name, f"{text} IS NOT NULL AND NOT {present}")
        else:
            self.values[name] = text
            if self.kinds[name] == "text":
                self.taken[name] = (name, None)

    def _number(
        self, name: str, kind: str, src: str, shown: str, present: str, *, integer: bool
    ) -> None:
        number = _ident(f"d_{name}")
        if kind == "text":  # the cast itself skips surrounding whitespace
            self.parsed.append(f"TRY_CAST({src} AS DOUBLE) AS {number}")
        elif kind in ("int", "float"):
            self.parsed.append(f"CAST({src} AS DOUBLE) AS {number}")
        else:
            self.parsed.append(f"CAST(NULL AS DOUBLE) AS {number}")
        bad_type = f"{number} IS NULL"
        if integer:
            bad_type += f" OR (isfinite({number}) AND {number} <> trunc({number}))"
        else:
            bad_type += f" OR isnan({number})"
        label = _quote(name)
        low, high = self.limits.int_bounds[name] if integer else self.limits.float_bounds[name]
        # One guard for both checks: present, and not a finite (whole) number in range.
        # NaN and infinities fall outside BETWEEN.
        good = f"{number} BETWEEN {low} AND {high}"
        if integer:
            good += f" AND {number} = trunc({number})"
        self.guards.append(f"{present} AND NOT coalesce({good}, false)")
        self.check(
            "type",
            f"{present} AND ({bad_type})",
            f"'wrong type for ' || {label} || ' (''' || dg_excerpt({shown}) || ''')'",
            guarded=True,
        )
        outside = f"NOT isfinite({number}) OR {number} < {low} OR {number} > {high}"
        self.check(
            "range",
            outside,
            f"{label} || ' out of range (' || dg_excerpt({shown}) || ')'",
            guarded=True,
        )
        inside = f"isfinite({number}) AND {number} BETWEEN {low} AND {high}"
        target = "BIGINT" if integer else "DOUBLE"
        self.values[name] = f"CASE WHEN {inside} THEN CAST({number} AS {target}) END"

    def _boolean(self, name: str, kind: str, src: str, shown: str, present: str) -> None:
        value = _ident(f"b_{name}")
        if kind == "bool":
            expr = src
        elif kind in ("int", "float"):
            expr = f"CASE WHEN {src} = 1 THEN true WHEN {src} = 0 THEN false END"
        elif kind == "text":
            norm = f"lower(trim({src}, ' \t\r\n'))"
            true_set = ", ".join(_quote(v) for v in _BOOL_TRUE)
            false_set = ", ".join(_quote(v) for v in _BOOL_FALSE)
            expr = (
                f"CASE WHEN {norm} IN ({true_set}) THEN true "
                f"WHEN {norm} IN ({false_set}) THEN false END"
            )
        else:
            expr = "CAST(NULL AS BOOLEAN)"
        self.parsed.append(f"{expr} AS {value}")
        self.check(
            "type",
            f"{present} AND {value} IS NULL",
            f"'wrong type for ' || {_quote(name)} || ' (''' || dg_excerpt({shown}) || ''')'",
        )
        self.values[name] = value

    def _time(self, name: str, kind: str, src: str, shown: str, present: str) -> None:
        moment, number = _ident(f"ts_{name}"), _ident(f"n_{name}")
        if kind in ("text", "int", "float"):
            cast = "TRY_CAST" if kind == "text" else "CAST"
            self.parsed.append(f"{cast}({src} AS DOUBLE) AS {number}")
            millis = number
            if self.policy.epoch_seconds_allowed:
                millis = (
                    f"(CASE WHEN abs({number}) < {_SECONDS_BELOW} "
                    f"THEN {number} * 1000 ELSE {number} END)"
                )
            from_number = (
                f"CASE WHEN isfinite({number}) AND abs({millis}) < {_MAX_EPOCH_MS} THEN "
                f"CAST(make_timestamp(CAST(round({millis} * 1000) AS BIGINT)) AS TIMESTAMPTZ) END"
            )
            parse = from_number
            if kind == "text":
                parse = (
                    f"CASE WHEN {number} IS NOT NULL THEN {from_number} "
                    f"ELSE TRY_CAST({src} AS TIMESTAMPTZ) END"
                )
        elif kind == "time":
            self.parsed.append(f"CAST(NULL AS DOUBLE) AS {number}")
            parse = f"CAST({src} AS TIMESTAMPTZ)"
        else:
            self.parsed.append(f"CAST(NULL AS DOUBLE) AS {number}")
            parse = "CAST(NULL AS TIMESTAMPTZ)"
        self.parsed.append(f"{parse} AS {moment}")
        quoted = f"'''' || dg_excerpt({shown}) || ''''"
        # A finite number we could not convert is too large: out of range, not garbage.
        numeric = f"({number} IS NOT NULL AND isfinite({number}))"
        low, high = self.limits.timestamp_min, self.limits.timestamp_max
        if name == "timestamp":  # one guard: present but not a time within the range
            within = f"{moment} BETWEEN {_ts_literal(low)} AND {_ts_literal(high)}"
            self.guards.append(f"{present} AND NOT coalesce({within}, false)")
        else:
            self.guards.append(f"{present} AND {moment} IS NULL")
        self.check(
            "parse",
            f"{present} AND {moment} IS NULL AND NOT {numeric}",
            f"'unparseable ' || {_quote(name)} || ' ' || {quoted}",
            guarded=True,
        )
        if name == "timestamp":
            self.check(
                "range_ts",
                f"{numeric} AND {moment} IS NULL",
                f"'timestamp out of range (' || {quoted} || ')'",
                guarded=True,
            )
            self.check(
                "range_ts",
                f"NOT isfinite({moment}) OR {moment} < {_ts_literal(low)}",
                f"'timestamp out of range (' || {quoted} || ' is before {_iso(low)})'",
                guarded=True,
            )
            self.check(
                "range_ts",
                f"{moment} > {_ts_literal(high)}",
                f"'timestamp out of range (' || {quoted} || ' is after {_iso(high)})'",
                guarded=True,
            )
        self.values[name] = f"CASE WHEN isfinite({moment}) THEN {moment} END"

    def _required(self) -> None:
        self.checks.setdefault("pre", []).append(("__pre IS NOT NULL", "__pre"))
        self.checks.setdefault("type", []).insert(0, ("__type IS NOT NULL", "__type"))
        self.guards += ["__pre IS NOT NULL", "__type IS NOT NULL"]
        for name in ("request_id", "timestamp", "account_id"):
            if name == "request_id" and self.policy.request_id_prefix is not None:
                continue
            condition = f"NOT {_ident('pr_' + name)}" if name in self.kinds else "true"
            self.check("missing", condition, _quote(f"missing required field '{name}'"))

    def _request_id(self) -> None:
        prefix = self.policy.request_id_prefix
        if prefix is None:
            return
        parts = []
        for name in _ID_HASH_COLUMNS:
            value = self.values[name]
            if name == "timestamp":
                value = f"epoch_us({value})"
            parts.append(f"coalesce(CAST({value} AS VARCHAR), '')")
        digest = f"{_quote(prefix)} || md5(concat_ws(chr(31), {', '.join(parts)}))"
        self.taken.pop("request_id", None)
        if "request_id" in self.kinds:
            given = self.values["request_id"]
            present = _ident("pr_request_id")
            self.values["request_id"] = f"CASE WHEN {present} THEN {given} ELSE {digest} END"
        else:
            self.values["request_id"] = digest


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def prepare_connection(con: duckdb.DuckDBPyConnection) -> None:
    """Session settings and macros the ingest queries rely on."""
    con.execute("SET TimeZone = 'UTC'")
    # One thread: the batches are already large, and results must keep row order.
    con.execute("SET threads = 1")
    con.execute("SET preserve_insertion_order = true")
    con.execute(MACROS)


def validate_staged(
    con: duckdb.DuckDBPyConnection,
    staged: pa.Table,
    *,
    source_file: str,
    limits: Limits,
    policy: ValidationPolicy,
    screen_rows: bool = True,
) -> Validated:
    """Validate one staged batch; see the module docstring for its columns.

    With ``screen_rows``, the rows that plainly pass are cleared with Arrow first
    (:mod:`distillguard.ingest.screen`) and only the others go through the query; the
    result is the same either way, in the staged order.

    Returns
    -------
    :class:`Validated`: the valid rows as ``EVENT_SCHEMA`` (with their source rows),
    the quarantined rows as ``QUARANTINE_SCHEMA``, and labels when the batch has any.
    """
    for name, default in (("__pre", pa.string()), ("__raw", pa.large_string()),
                          ("__type", pa.string())):  # fmt: skip
        if name not in staged.schema.names:
            staged = staged.append_column(name, pa.nulls(staged.num_rows, default))
    if "ip" in staged.schema.names:
        staged = staged.append_column("__ip", canonical_ips(staged.column("ip").combine_chunks()))
    # The columns with values in the whole batch: a quarantined row's JSON lists them all
    # even when only some rows go through the query.
    kinds = present_kinds(staged)
    screened = None
    if screen_rows:
        screened = screen(staged, kinds, limits, policy)
    if screened is None:
        return _validate_query(con, staged, kinds, source_file, limits, policy)[0]
    if screened.clean.all():
        return Validated(
            valid=screened.valid,
            valid_rows=screened.rows,
            quarantine=QUARANTINE_SCHEMA.empty_table(),
            labels=None,
        )
    others = np.flatnonzero(~screened.clean)
    checked, good = _validate_query(
        con, staged.take(pa.array(others)), kinds, source_file, limits, policy
    )
    # Interleave the two sets of valid rows back into staged order.
    positions = np.concatenate([np.flatnonzero(screened.clean), others[good]])
    order = pa.array(np.argsort(positions, kind="stable"))
    valid = pa.concat_tables([screened.valid, checked.valid]).take(order)
    rows = pa.concat_arrays([screened.rows, checked.valid_rows]).take(order)
    return Validated(valid=valid, valid_rows=rows, quarantine=checked.quarantine, labels=None)


def _validate_query(
    con: duckdb.DuckDBPyConnection,
    staged: pa.Table,
    kinds: Mapping[str, str],
    source_file: str,
    limits: Limits,
    policy: ValidationPolicy,
) -> tuple[Validated, np.ndarray]:
    """The validation query over a staged batch; also which of its rows are valid."""
    builder = _QueryBuilder(staged, limits, policy, kinds)
    sql = builder.build()
    con.register("__staged", staged)
    try:
        result = con.execute(sql).to_arrow_table()
    finally:
        con.unregister("__staged")
    # One thread and insertion order kept: result rows align with staged rows.
    for name, (column, blank) in sorted(builder.taken.items()):
        values = staged.column(column)
        if blank is not None:
            is_blank = result.column("__blank_" + name)
            if pc.any(is_blank).as_py():
                values = pc.if_else(is_blank, pa.scalar(None, values.type), values)
        result = result.append_column(name, values)
    return _split(result, source_file)


def _split(result: pa.Table, source_file: str) -> tuple[Validated, np.ndarray]:
    reason = result.column("__reason")
    if reason.null_count == result.num_rows:
        good, bad = result, result.slice(0, 0)
        is_good = np.ones(result.num_rows, dtype=bool)
    else:
        is_bad = pc.is_valid(reason)
        good, bad = result.filter(pc.invert(is_bad)), result.filter(is_bad)
        is_good = ~np.asarray(is_bad.to_numpy(zero_copy_only=False), dtype=bool)
    valid = pa.Table.from_arrays(
        [good.column(f.name).cast(f.type) for f in EVENT_SCHEMA], schema=EVENT_SCHEMA
    )
    quarantine = pa.Table.from_arrays(
        [
            pa.nulls(bad.num_rows, pa.string()).fill_null(source_file),
            bad.column("__row").cast(pa.int64()),
            bad.column("__reason").cast(pa.string()),
            bad.column("__raw").cast(pa.string()),
        ],
        schema=QUARANTINE_SCHEMA,
    )
    labels = None
    if "__label" in result.schema.names:
        labels = _labels(good)
    rows = good.column("__row").cast(pa.int64()).combine_chunks()
    validated = Validated(valid=valid, valid_rows=rows, quarantine=quarantine, labels=labels)
    return validated, is_good


def _labels(good: pa.Table) -> pa.Table:
    """One label row per account: any campaign label wins over none."""
    grouped = (
        pa.table({"account_id": good.column("account_id"), "label": good.column("__label")})
        .group_by("account_id", use_threads=False)
        .aggregate([("label", "max")])
    )
    label = grouped.column("label_max").cast(pa.string())
    archetype = pc.if_else(pc.is_valid(label), "campaign", "legitimate")
    table = pa.Table.from_arrays(
        [grouped.column("account_id").cast(pa.string()), archetype, label], schema=LABEL_SCHEMA
    )
    return table.sort_by("account_id")
