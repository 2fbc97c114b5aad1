"""Full recompute of every seller's metrics from the stored events with DuckDB (embedded).

The events are a relation with the stored-event columns ``event_id, type, occurred_at, data``
(``events.schemas.StoredEvent``): an Arrow table, a Parquet file or a table already in DuckDB.
The query itself is compiled from the metric definitions by ``batch_sql``.

A log whose per-order grouping does not fit in memory (tens of millions of orders on a small
machine) is run by order partitions: one pass parses the events and writes them to Parquet split
by a hash of the order id, each part is grouped on its own into per-seller partial sums, and the
sums are added up. The result is the same; only the memory needed changes.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa

from goodstanding.events.schemas import Event, to_stored
from goodstanding.metrics.batch_sql import (
    DUCKDB,
    combined_query,
    metrics_query,
    partial_sums_query,
    partitioned_events_query,
)
from goodstanding.metrics.definitions import MetricsConfig
from goodstanding.metrics.results import MetricRow, rows_from_arrow

__all__ = ["compute_arrow", "compute_metrics", "events_table", "rows_from_arrow"]

STORED_EVENT_SCHEMA = pa.schema(
    [
        ("event_id", pa.string()),
        ("type", pa.string()),
        ("occurred_at", pa.string()),
        ("data", pa.string()),
    ]
)


def events_table(events: Iterable[Event]) -> pa.Table:
    """Validated events in their stored form, as an Arrow table the engines read."""
    stored = [to_stored(event) for event in events]
    return pa.table(
        {name: [getattr(row, name) for row in stored] for name in STORED_EVENT_SCHEMA.names},
        schema=STORED_EVENT_SCHEMA,
    )


def compute_arrow(
    events: pa.Table | Path | str,
    as_of: date,
    config: MetricsConfig,
    connection: duckdb.DuckDBPyConnection | None = None,
    *,
    partitions: int = 1,
    work_dir: Path | None = None,
) -> pa.Table:
    """Every metric of every seller as an Arrow table with ``batch_sql.OUTPUT_COLUMNS``.

    ``events`` is an Arrow table, a Parquet file path, or the name of a table in ``connection``.
    With ``partitions`` > 1 the events are grouped by that many order partitions, written to a
    temporary folder in ``work_dir`` (default: the system's temporary folder) and removed after.
    """
    if partitions < 1:
        raise ValueError(f"partitions must be at least 1, not {partitions}")
    own_connection = connection is None
    con = duckdb.connect() if connection is None else connection
    try:
        if isinstance(events, pa.Table):
            con.register("stored_events", events)
            source = "stored_events"
        elif isinstance(events, Path):
            source = f"read_parquet('{_sql_text(str(events))}')"
        else:
            source = events
        if partitions == 1:
            return con.sql(metrics_query(source, as_of, config, DUCKDB)).to_arrow_table()
        return _by_partitions(con, source, as_of, config, partitions, work_dir)
    finally:
        if own_connection:
            con.close()


def _by_partitions(
    con: duckdb.DuckDBPyConnection,
    source: str,
    as_of: date,
    config: MetricsConfig,
    partitions: int,
    work_dir: Path | None,
) -> pa.Table:
    with tempfile.TemporaryDirectory(prefix="goodstanding-parts-", dir=work_dir) as folder:
        parts = Path(folder)
        con.execute(
            f"COPY ({partitioned_events_query(source, as_of, partitions)}) "
            f"TO '{_sql_text(folder)}' (FORMAT parquet, PARTITION_BY (part))"
        )
        # A part that no order hashed to has no folder; with no events at all there are none,
        # and the (empty) parsed events give the sums their columns.
        relations = [
            f"read_parquet('{_sql_text(str(part / '*.parquet'))}')"
            for part in sorted(parts.glob("part=*"))
        ] or [f"({partitioned_events_query(source, as_of, partitions)})"]
        partial = pa.concat_tables(
            con.sql(partial_sums_query(relation, as_of, config, DUCKDB)).to_arrow_table()
            for relation in relations
        )
    con.register("partial_sums", partial)
    try:
        return con.sql(combined_query("partial_sums", config, DUCKDB)).to_arrow_table()
    finally:
        con.unregister("partial_sums")


def compute_metrics(
    events: pa.Table | Path | str,
    as_of: date,
    config: MetricsConfig,
    connection: duckdb.DuckDBPyConnection | None = None,
    *,
    partitions: int = 1,
    work_dir: Path | None = None,
) -> list[MetricRow]:
    table = compute_arrow(
        events, as_of, config, connection, partitions=partitions, work_dir=work_dir
    )
    return rows_from_arrow(table, as_of, config)


def _sql_text(value: str) -> str:
    return value.replace("'", "''")
