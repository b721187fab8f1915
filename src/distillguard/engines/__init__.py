"""Engines: where the event-level work of a scan runs.

``duckdb`` (the default, :mod:`~distillguard.engines.embedded`) ingests into a DuckDB
workspace on one machine.
``spark`` runs the same per-event validation and features in Spark's ``mapInArrow`` and
the same per-account aggregation queries (translated to Spark SQL), then hands the
compact per-account tables to the driver, where the account-level stages run with the
code the embedded engine uses. See ``docs/scaling.md``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from distillguard.errors import ConfigError
from distillguard.store.workspace import Workspace

if TYPE_CHECKING:
    from distillguard.engines.embedded import EmbeddedWorkspace
    from distillguard.engines.spark import SparkWorkspace

ENGINES: tuple[str, ...] = ("duckdb", "spark")


def open_workspace(
    engine: str,
    path: Path,
    *,
    spark_master: str | None = None,
    spark_stage: str | None = None,
    until: datetime | None = None,
) -> EmbeddedWorkspace | SparkWorkspace:
    """The workspace a scan ingests into, for ``engine``.

    Raises
    ------
    ConfigError
        For an unknown engine, or ``spark`` without the ``spark`` extra installed.
    """
    if engine == "duckdb":
        if spark_master is not None or spark_stage is not None:
            raise ConfigError("--spark-master and --spark-stage need --engine spark")
        from distillguard.engines.embedded import EmbeddedWorkspace

        return EmbeddedWorkspace(path)
    if engine == "spark":
        from distillguard.engines.spark import SparkWorkspace, require_pyspark

        require_pyspark()
        return SparkWorkspace(path, master=spark_master, stage=spark_stage, until=until)
    raise ConfigError(f"unknown engine {engine!r}; expected one of {', '.join(ENGINES)}")


def precomputed_aggregates(ws: Workspace) -> tuple[pa.Table | None, pa.Table | None]:
    """(profile, account_indicators) when the engine computed them, else (None, None)."""
    from distillguard.engines.spark import SparkWorkspace

    if isinstance(ws, SparkWorkspace) and ws.aggregates is not None:
        return ws.aggregates.profile, ws.aggregates.indicators
    return None, None
