"""DuckDB SQL → Spark SQL: the few rules our aggregation queries need, and nothing more.

The per-account queries (``profiles.profile_sql``, ``linkage.indicators_sql``) are written
once, in DuckDB's dialect, and translated here for the Spark engine, so that a column the
detection logic adds to a profile is computed by Spark without anyone copying the query.
The translation is a small tokenizer (string literals, quoted identifiers and comments are
left alone) plus a table of rules:

================================  ======================================================
DuckDB                            Spark SQL
================================  ======================================================
``epoch(ts)``                     ``(unix_micros(ts) / 1e6)`` (seconds, as a double)
``epoch_us(ts)``/``epoch_ms(ts)`` ``unix_micros(ts)`` / ``unix_millis(ts)``
``quantile_cont(x, q)``           ``percentile(x, q)`` (both interpolate linearly)
``median(x)``                     ``percentile(x, 0.5)``
``arg_max`` / ``arg_min``         ``max_by`` / ``min_by``
``hash(x, ...)``                  ``xxhash64(x, ...)`` (64-bit; only equality is portable)
``strlen(x)``                     ``octet_length(x)`` (bytes)
``log(x)``                        ``log10(x)`` (DuckDB's one-argument log is base 10)
``list(x)``                       ``collect_list(x)``
``list(x ORDER BY x)``            ``array_sort(collect_list(x))``
``row(a, b)``                     ``struct(a, b)`` (e.g. ``arg_max(x, row(c, x))``: ties by x)
``to_timestamp(seconds)``         ``timestamp_seconds(seconds)``
``make_timestamptz(micros)``      ``timestamp_micros(micros)``
``VARCHAR``                       ``STRING``
``TIMESTAMPTZ``                   ``TIMESTAMP`` (Spark's TIMESTAMP is an instant)
``HUGEINT``                       ``DECIMAL(38, 0)``
``"ident"``                       ```ident```
``SEMI JOIN`` / ``ANTI JOIN``     ``LEFT SEMI JOIN`` / ``LEFT ANTI JOIN``
``a // b``                        ``a div b``
================================  ======================================================

Text of a time differs: DuckDB writes a ``TIMESTAMPTZ`` as ``2026-01-26 01:30:00+00``,
Spark a ``TIMESTAMP`` as ``2026-01-26 01:30:00``. Where a time becomes text (an indicator
value), cast it to ``TIMESTAMP`` first: ``CAST(CAST(t AS TIMESTAMP) AS VARCHAR)`` reads
the same in both (the engine gives Spark the driver DuckDB's time zone).

Constructs both engines share are kept as they are: ``count(*) FILTER (WHERE ...)``,
``GROUP BY ALL``, ``mode``, window functions, ``CASE``, ``||``, ``md5``, ``ln``. DuckDB-only
constructs without a safe equivalent (``::`` casts, ``struct_pack``, DuckDB regular
expressions, ``strftime`` patterns, ...) raise :class:`SqlTranslationError` naming the
construct, so a query that cannot run the same way on both engines fails loudly instead
of silently computing something else. Regular-expression work belongs in
:func:`distillguard.detect.features.event_features`, which both engines run unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from distillguard.errors import DistillguardError


class SqlTranslationError(DistillguardError):
    """A DuckDB construct that has no faithful Spark SQL translation."""


Rule = Callable[[list[str]], str]


def _arity(name: str, args: list[str], *counts: int) -> None:
    if len(args) not in counts:
        expected = " or ".join(str(c) for c in counts)
        raise SqlTranslationError(
            f"{name}() with {len(args)} arguments has no Spark translation (expected {expected})"
        )


def _renamed(duck: str, spark: str, *counts: int) -> Rule:
    def rule(args: list[str]) -> str:
        if counts:
            _arity(duck, args, *counts)
        return f"{spark}({', '.join(args)})"

    return rule


def _epoch(args: list[str]) -> str:
    _arity("epoch", args, 1)
    return f"(unix_micros({args[0]}) / 1e6)"


def _median(args: list[str]) -> str:
    _arity("median", args, 1)
    return f"percentile({args[0]}, 0.5)"


def _log(args: list[str]) -> str:
    _arity("log", args, 1, 2)
    return f"log10({args[0]})" if len(args) == 1 else f"log({args[0]}, {args[1]})"


_ORDER_BY = re.compile(r"\s+ORDER\s+BY\s+", re.IGNORECASE)


def _list(args: list[str]) -> str:
    _arity("list", args, 1)
    value, *order = _ORDER_BY.split(args[0], maxsplit=1)
    if value.lstrip().upper().startswith("DISTINCT "):
        raise SqlTranslationError("list(DISTINCT ...) has no order-preserving Spark equivalent")
    if not order:
        return f"collect_list({value.strip()})"
    key = re.sub(r"(?i)\s+ASC$", "", order[0].strip())
    if _squash(key) != _squash(value):
        raise SqlTranslationError(
            "list(x ORDER BY y) translates only when y is x (sorted values); got "
            f"list({args[0].strip()})"
        )
    return f"array_sort(collect_list({value.strip()}))"


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


#: Function rules: DuckDB name (lower case) → rewrite of the (translated) arguments.
FUNCTION_RULES: dict[str, Rule] = {
    "epoch": _epoch,
    "epoch_us": _renamed("epoch_us", "unix_micros", 1),
    "epoch_ms": _renamed("epoch_ms", "unix_millis", 1),
    "quantile_cont": _renamed("quantile_cont", "percentile", 2),
    "median": _median,
    "arg_max": _renamed("arg_max", "max_by", 2),
    "arg_min": _renamed("arg_min", "min_by", 2),
    "max_by": _renamed("max_by", "max_by", 2),
    "min_by": _renamed("min_by", "min_by", 2),
    "hash": _renamed("hash", "xxhash64"),
    "strlen": _renamed("strlen", "octet_length", 1),
    "log": _log,
    "list": _list,
    "row": _renamed("row", "struct"),
    "to_timestamp": _renamed("to_timestamp", "timestamp_seconds", 1),
    "make_timestamptz": _renamed("make_timestamptz", "timestamp_micros", 1),
}

#: Bare words (not function calls) renamed: DuckDB type names.
WORD_RULES: dict[str, str] = {
    "varchar": "STRING",
    "timestamptz": "TIMESTAMP",
    "hugeint": "DECIMAL(38, 0)",
}

#: DuckDB-only functions and keywords, with what to do instead.
UNSUPPORTED: dict[str, str] = {
    "struct_pack": "DuckDB structs; build a Spark-compatible expression or compute it per event",
    "list_value": "DuckDB list literals",
    "unnest": "DuckDB unnest (Spark uses explode with other semantics)",
    "regexp_matches": "regular expressions differ (RE2 vs Java): derive it in event_features",
    "regexp_extract": "regular expressions differ (RE2 vs Java): derive it in event_features",
    "regexp_replace": "regular expressions differ (RE2 vs Java): derive it in event_features",
    "strftime": "format patterns differ between DuckDB and Spark",
    "strptime": "format patterns differ between DuckDB and Spark",
    "quantile_disc": "no Spark aggregate with the same call form",
    "qualify": "QUALIFY; filter a subquery on the window column instead",
    "exclude": "SELECT * EXCLUDE; name the columns",
}


def to_spark_sql(sql: str) -> str:
    """Translate one DuckDB query to Spark SQL with the rules of this module.

    Raises
    ------
    SqlTranslationError
        For a DuckDB-only construct (see :data:`UNSUPPORTED`), a ``::`` cast, or a
        rule applied to arguments it cannot translate faithfully.
    """
    # A CTE hint for DuckDB's planner ("inline this, do not materialise it"); Spark
    # always inlines, so the plain form is the same query.
    sql = _NOT_MATERIALIZED.sub("AS (", sql)
    return _Translator(sql).run()


_NOT_MATERIALIZED = re.compile(r"\bAS\s+NOT\s+MATERIALIZED\s*\(", re.IGNORECASE)


class _Translator:
    """A single left-to-right pass; function arguments are translated recursively."""

    def __init__(self, sql: str) -> None:
        self.sql = sql
        self.pos = 0
        self.out: list[str] = []
        self.previous_word = ""

    def run(self) -> str:
        sql = self.sql
        while self.pos < len(sql):
            char = sql[self.pos]
            if char == "'":
                self._copy(_literal_end(sql, self.pos, "'"))
            elif char == '"':
                end = _literal_end(sql, self.pos, '"')
                name = sql[self.pos + 1 : end - 1].replace('""', '"')
                self.out.append("`" + name.replace("`", "``") + "`")
                self.pos = end
            elif sql.startswith("--", self.pos):
                newline = sql.find("\n", self.pos)
                self._copy(len(sql) if newline < 0 else newline)
            elif sql.startswith("/*", self.pos):
                close = sql.find("*/", self.pos + 2)
                self._copy(len(sql) if close < 0 else close + 2)
            elif sql.startswith("::", self.pos):
                raise SqlTranslationError("DuckDB '::' cast; write CAST(x AS type)")
            elif sql.startswith("//", self.pos):
                self.out.append(" div ")
                self.pos += 2
            elif char.isalpha() or char == "_":
                self._word()
            else:
                self._copy(self.pos + 1)
        return "".join(self.out)

    def _copy(self, end: int) -> None:
        self.out.append(self.sql[self.pos : end])
        self.pos = end

    def _word(self) -> None:
        sql = self.sql
        end = self.pos
        while end < len(sql) and (sql[end].isalnum() or sql[end] in "_$"):
            end += 1
        word = sql[self.pos : end]
        lower = word.lower()
        after = end
        while after < len(sql) and sql[after].isspace():
            after += 1
        is_call = after < len(sql) and sql[after] == "("
        qualified = self.pos > 0 and sql[self.pos - 1] == "."  # t.hash is a column
        if lower in UNSUPPORTED and not qualified and (is_call or lower in ("qualify", "exclude")):
            raise SqlTranslationError(f"{word}: {UNSUPPORTED[lower]}")
        if is_call and not qualified and lower in FUNCTION_RULES:
            close = _matching_paren(sql, after)
            args = [to_spark_sql(arg) for arg in _split_args(sql[after + 1 : close])]
            self.out.append(FUNCTION_RULES[lower](args))
            self.pos = close + 1
        elif not is_call and not qualified and lower in WORD_RULES:
            self.out.append(WORD_RULES[lower])
            self.pos = end
        elif (
            lower in ("semi", "anti")
            and self.previous_word.lower() != "left"
            and sql[after : after + 4].lower() == "join"
        ):
            self.out.append(f"LEFT {word}")
            self.pos = end
        else:
            self._copy(end)
        self.previous_word = word


def _literal_end(sql: str, start: int, quote: str) -> int:
    """Index after the literal starting at ``start`` (a doubled quote escapes itself)."""
    pos = start + 1
    while True:
        pos = sql.find(quote, pos)
        if pos < 0:
            raise SqlTranslationError(f"unterminated {quote} in SQL")
        if sql.startswith(quote * 2, pos):
            pos += 2
            continue
        return pos + 1


def _matching_paren(sql: str, open_at: int) -> int:
    depth = 0
    pos = open_at
    while pos < len(sql):
        char = sql[pos]
        if char in "'\"":
            pos = _literal_end(sql, pos, char)
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return pos
        pos += 1
    raise SqlTranslationError("unbalanced parentheses in SQL")


def _split_args(text: str) -> list[str]:
    """Top-level comma-separated arguments (commas inside parentheses or literals stay)."""
    if not text.strip():
        return []
    args: list[str] = []
    depth = 0
    start = pos = 0
    while pos < len(text):
        char = text[pos]
        if char in "'\"":
            pos = _literal_end(text, pos, char)
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            args.append(text[start:pos].strip())
            start = pos + 1
        pos += 1
    args.append(text[start:].strip())
    return args
