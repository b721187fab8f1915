"""The per-batch ingest function the Spark engine runs in ``mapInArrow``.

It is the embedded engine's ingest, batch by batch: the same validation
(:func:`distillguard.ingest.validate.validate_staged`, DuckDB SQL over Arrow, here in an
in-process DuckDB on the executor), the same features
(:func:`distillguard.detect.features.event_features`) and the same pseudonymisation. Valid rows
and quarantined rows leave in one Arrow schema, told apart by ``dg_part``, so one Spark
pass writes both. Nothing here imports Spark: it is plain Arrow in, Arrow out, and is
tested without a JVM.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote, urlparse

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from distillguard.config import FeatureConfig, PrivacyConfig
from distillguard.detect.features import FEATURE_FIELDS, event_features
from distillguard.ingest.adapters import EVENTS
from distillguard.ingest.readers import _decode_binary
from distillguard.ingest.validate import Limits, prepare_connection, validate_staged
from distillguard.privacy import pseudonymise, withhold_personal_quarantine
from distillguard.schema import EVENT_COLUMNS, EVENT_FIELDS

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


def local_name(uri: str) -> str:
    """A ``file:`` URI as the local path it names; any other URI unchanged."""
    parsed = urlparse(uri)
    if parsed.scheme == "file":
        return unquote(parsed.path)
    return uri


@dataclass(frozen=True)
class BatchIngest:
    """Validate, featurise and (when configured) pseudonymise batches of raw events.

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
        if result.valid.num_rows:
            featured = event_features(result.valid, self.features)
            if self.privacy.pseudonymise_at_ingest:
                if self.pii_key is None:
                    raise ValueError("pseudonymisation is configured but no key was given")
                featured = pseudonymise(
                    featured, self.pii_key, keep_domains=self.privacy.public_email_domains
                )
            yield _stage_batch(featured, source_file, result.valid_rows, None, None, EVENT_PART)
        quarantine = withhold_personal_quarantine(result.quarantine, self.privacy)
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
