"""Where a scan keeps its data: the workspace (events, quarantine, bookkeeping) and
analyst labels.

- :mod:`~distillguard.store.workspace`: the DuckDB workspace file and its Parquet segments.
- :mod:`~distillguard.store.labels`: analyst labels and the allow-list they imply.
"""
