"""The ingest recipe, written once for every engine, and the per-batch function Spark runs.

:class:`IngestRecipe` is what ingest does to the rows of each validated chunk: features
(:func:`distillguard.detect.features.event_features`), then pseudonymisation when
configured; rejected rows lose what they quote of personal values under
pseudonymisation. :class:`DuplicateRule` is what happens to a repeated ``request_id``.
The embedded engine (:mod:`~distillguard.engines.embedded`) and the Spark engine
(:mod:`~distillguard.engines.spark`) both apply them.

:class:`BatchIngest` is the embedded engine's ingest, batch by batch, for Spark's
``mapInArrow``: the same validation (:func:`distillguard.ingest.validate.validate_staged`,
DuckDB SQL over Arrow, here in an in-process DuckDB on the executor) and the same
recipe. Valid rows and quarantined rows leave in one Arrow schema, told apart by
``dg_part``, so one Spark pass writes both. Nothing here imports Spark: it is plain
Arrow in, Arrow out, and is tested without a JVM.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote, urlparse

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from distillguard.config import Config, FeatureConfig, PrivacyConfig
from distillguard.detect.features import event_features
from distillguard.ingest.adapters import EVENTS
from distillguard.ingest.readers import _decode_binary
from distillguard.ingest.rules import Limits
from distillguard.ingest.validate import prepare_connection, validate_staged
from distillguard.privacy import ingest_key, pseudonymise, withhold_personal_quarantine
from distillguard.schema import EVENT_COLUMNS, EVENT_FIELDS, FEATURE_FIELDS

#: Input bookkeeping columns: the file a row came from, and its 1-based row in the file.
FILE_COLUMN = "dg_file"
ROW_COLUMN = "dg_row"
#: Output: ``event`` for a valid row, ``quarantine`` for a rejected one.
PART_COLUMN = "dg_part"
EVENT_PART = "event"
QUARANTINE_PART = "quarantine"

#: What the batch function yields: the stored event columns (all nullable, since a
#: quarantined row has none), the quarantine columns, and the part.
STAGE_SCHEMA = pa.schema([
    *(field.with_nullable(True) for field in EVENT_FIELDS),
    *FEATURE_FIELDS,
    pa.field("source_file", pa.string()),
    pa.field("source_row", pa.int64()),
    pa.field("reason", pa.string()),
    pa.field("raw", pa.string()),
    pa.field(PART_COLUMN, pa.string()),
])
#: The event columns of :data:`STAGE_SCHEMA` (the workspace's events, less ``run_id``).
STAGED_EVENT_COLUMNS: tuple[str, ...] = (
    *EVENT_COLUMNS, *(f.name for f in FEATURE_FIELDS), "source_file", "source_row"
)


@dataclass(frozen=True)
class IngestRecipe:
    """What ingest does to each validated chunk, in every engine.

    Valid rows get their features, then (with ``privacy.pseudonymise_at_ingest``) keyed
    hashes in place of their personal values; rejected rows keep their reason and, under
    pseudonymisation, lose their raw text and any personal value their reason quotes.
    Picklable: Spark ships it to the executors (the key with it, when one is set).
    """

    features: FeatureConfig
    privacy: PrivacyConfig
    pii_key: bytes | None = None

    @classmethod
    def from_config(cls, config: Config) -> IngestRecipe:
        """The recipe of ``config``, its pseudonymisation key read when it is needed."""
        pseudonymising = config.privacy.pseudonymise_at_ingest
        key = ingest_key(config.privacy) if pseudonymising else None
        return cls(config.features, config.privacy, key)

    def events(self, valid: pa.Table) -> pa.Table:
        """Valid rows as stored: with features, pseudonymised when configured."""
        featured = event_features(valid, self.features)
        if not self.privacy.pseudonymise_at_ingest:
            return featured
        if self.pii_key is None:
            raise ValueError("pseudonymisation is configured but no key was given")
        return pseudonymise(featured, self.pii_key, keep_domains=self.privacy.public_email_domains)

    def quarantine(self, rejected: pa.Table) -> pa.Table:
        """Rejected rows as stored (personal values withheld under pseudonymisation)."""
        return withhold_personal_quarantine(rejected, self.privacy)


#: The quarantine reason of a repeated ``request_id``.
DUPLICATE_REASON = "duplicate request_id"


@dataclass(frozen=True)
class DuplicateRule:
    """Repeated ``request_id`` s, in every engine.

    The first copy stays (the embedded engine: events already in the workspace, then
    the file's rows in order; Spark: by file path and row); every other copy goes to
    quarantine with :data:`DUPLICATE_REASON` and, as ``raw``, the event's columns as JSON
    cut to ``ingest.max_quarantine_row_chars`` — withheld (null) under pseudonymisation,
    as for every quarantined row (:meth:`IngestRecipe.quarantine`). In a format whose ids
    may not be the request's own (``Adapter.ids_identify_requests`` false: gateway logs,
    read by the embedded engine only), a repeat is a duplicate only with the same content;
    the others are kept under a digest id (:mod:`distillguard.ingest.duplicates`).
    """

    max_raw_chars: int
    withhold_raw: bool

    @classmethod
    def from_config(cls, config: Config) -> DuplicateRule:
        return cls(int(config.ingest.max_quarantine_row_chars),
                   bool(config.privacy.pseudonymise_at_ingest))

    def raw_sql(self, columns: Iterable[str], dialect: str) -> str:
        """The ``raw`` of a duplicate as SQL over its row: ``duckdb`` or ``spark``."""
        if dialect == "duckdb":
            if self.withhold_raw:
                return "CAST(NULL AS VARCHAR)"
            packed = ", ".join(columns)
            return (f"left(CAST(to_json(struct_pack({packed})) AS VARCHAR), "
                    f"{self.max_raw_chars})")
        if dialect == "spark":
            if self.withhold_raw:
                return "CAST(NULL AS STRING)"
            packed = ", ".join(f"`{name}`" for name in columns)
            return f"substring(to_json(struct({packed})), 1, {self.max_raw_chars})"
        raise ValueError(f"unknown SQL dialect {dialect!r}")


def local_name(uri: str) -> str:
    """A ``file:`` URI as the local path it names; any other URI unchanged."""
    parsed = urlparse(uri)
    if parsed.scheme == "file":
        return unquote(parsed.path)
    return uri


@dataclass(frozen=True)
class BatchIngest:
    """Validate batches of raw events and apply the :class:`IngestRecipe` to them.

    Called by Spark with an iterator of record batches holding the contract-1 columns a
    file has (any Arrow type; absent columns are simply missing) plus ``dg_file`` and
    ``dg_row``; yields record batches of :data:`STAGE_SCHEMA`. Picklable: it travels to
    the executors with the task (the pseudonymisation key with it, when one is set).
    """

    limits: Limits
    features: FeatureConfig
    privacy: PrivacyConfig
    pii_key: bytes | None = None
    #: Local file path → the name outputs give it (the embedded engine's name).
    file_names: Mapping[str, str] = field(default_factory=dict)

    def __call__(self, batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        con = duckdb.connect(":memory:")
        try:
            prepare_connection(con)
            for batch in batches:
                yield from self.batch(con, pa.Table.from_batches([batch]))
        finally:
            con.close()

    def batch(self, con: duckdb.DuckDBPyConnection, table: pa.Table) -> Iterator[pa.RecordBatch]:
        """One input batch; a batch spanning several files is split by file."""
        if table.num_rows == 0:
            return
        files = table.column(FILE_COLUMN)
        distinct = pc.unique(files).to_pylist()
        for uri in distinct:  # per file in the batch (usually one), never per row
            part = table if len(distinct) == 1 else table.filter(pc.equal(files, uri))
            path = local_name(str(uri))
            yield from self._file_part(con, part, self.file_names.get(path, path))

    def _file_part(
        self, con: duckdb.DuckDBPyConnection, part: pa.Table, source_file: str
    ) -> Iterator[pa.RecordBatch]:
        columns = [name for name in part.column_names if name in EVENT_COLUMNS]
        staged, problems = _decode_binary(part.select(columns))
        staged = staged.append_column("__pre", problems)
        staged = staged.append_column("__row", part.column(ROW_COLUMN).cast(pa.int64()))
        result = validate_staged(
            con, staged, source_file=source_file, limits=self.limits, policy=EVENTS.policy
        )
        recipe = IngestRecipe(self.features, self.privacy, self.pii_key)
        if result.valid.num_rows:
            stored = recipe.events(result.valid)
            yield _stage_batch(stored, source_file, result.valid_rows, None, None, EVENT_PART)
        quarantine = recipe.quarantine(result.quarantine)
        if quarantine.num_rows:
            yield _stage_batch(
                None,
                source_file,
                quarantine.column("source_row"),
                quarantine.column("reason"),
                quarantine.column("raw"),
                QUARANTINE_PART,
            )


def _stage_batch(
    featured: pa.Table | None,
    source_file: str,
    rows: pa.Array | pa.ChunkedArray,
    reason: pa.ChunkedArray | None,
    raw: pa.ChunkedArray | None,
    part: str,
) -> pa.RecordBatch:
    """Rows in :data:`STAGE_SCHEMA`: event columns from ``featured`` (null when None)."""
    n = len(rows)
    given: dict[str, pa.Array | pa.ChunkedArray] = {
        "source_file": pa.repeat(pa.scalar(source_file, pa.string()), n),
        "source_row": rows,
        PART_COLUMN: pa.repeat(pa.scalar(part, pa.string()), n),
    }
    if reason is not None:
        given["reason"] = reason
    if raw is not None:
        given["raw"] = raw
    arrays = []
    for stage_field in STAGE_SCHEMA:
        name = stage_field.name
        if featured is not None and name in featured.column_names:
            column = featured.column(name)
        elif name in given:
            column = given[name]
        else:
            column = pa.nulls(n, stage_field.type)
        if isinstance(column, pa.ChunkedArray):
            column = column.combine_chunks()
        arrays.append(column.cast(stage_field.type))
    return pa.RecordBatch.from_arrays(arrays, schema=STAGE_SCHEMA)
