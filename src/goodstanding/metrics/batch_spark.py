"""The same full recompute on Apache Spark, for a history that outgrows one machine.

It runs the query ``batch_sql`` compiles from the metric definitions, in Spark's dialect, over a
DataFrame of stored events (``event_id, type, occurred_at, data``), so it returns exactly what the
DuckDB engine returns. Tests run it in local mode.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa
from pyspark.sql import DataFrame, SparkSession

from goodstanding.metrics.batch_sql import SPARK, metrics_query
from goodstanding.metrics.definitions import MetricsConfig
from goodstanding.metrics.results import MetricRow, rows_from_arrow

__all__ = [
    "compute_arrow",
    "compute_frame",
    "compute_metrics",
    "events_frame",
    "local_session",
    "rows_from_arrow",
]

_VIEW = "goodstanding_stored_events"


def local_session(master: str = "local[*]", shuffle_partitions: int = 4) -> SparkSession:
    """A local SparkSession set up for the metrics (UTC session, no UI)."""
    return (
        SparkSession.builder.master(master)
        .appName("goodstanding-metrics")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
        .config("spark.ui.enabled", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )


def events_frame(spark: SparkSession, events: pa.Table | Path) -> DataFrame:
    """Stored events as a DataFrame, from an Arrow table or a Parquet file."""
    if isinstance(events, Path):
        return spark.read.parquet(str(events))
    return spark.createDataFrame(events)


def compute_frame(events: DataFrame, as_of: date, config: MetricsConfig) -> DataFrame:
    """Every metric of every seller as a DataFrame with ``batch_sql.OUTPUT_COLUMNS``."""
    events.createOrReplaceTempView(_VIEW)
    return events.sparkSession.sql(metrics_query(_VIEW, as_of, config, SPARK))


def compute_arrow(events: DataFrame, as_of: date, config: MetricsConfig) -> pa.Table:
    table: pa.Table = compute_frame(events, as_of, config).toArrow()
    return table


def compute_metrics(events: DataFrame, as_of: date, config: MetricsConfig) -> list[MetricRow]:
    return rows_from_arrow(compute_arrow(events, as_of, config), as_of, config)
