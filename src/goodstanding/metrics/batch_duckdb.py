"""Full recompute of every seller's metrics from the stored events with DuckDB (embedded).

The events are a relation with the stored-event columns ``event_id, type, occurred_at, data``
(``events.schemas.StoredEvent``): an Arrow table, a Parquet file or a table already in DuckDB.
The query itself is compiled from the metric definitions by ``batch_sql``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa

from goodstanding.events.schemas import Event, to_stored
from goodstanding.metrics.batch_sql import DUCKDB, metrics_query
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
) -> pa.Table:
    """Every metric of every seller as an Arrow table with ``batch_sql.OUTPUT_COLUMNS``.

    ``events`` is an Arrow table, a Parquet file path, or the name of a table in ``connection``.
    """
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
        return con.sql(metrics_query(source, as_of, config, DUCKDB)).to_arrow_table()
    finally:
        if own_connection:
            con.close()


def compute_metrics(
    events: pa.Table | Path | str,
    as_of: date,
    config: MetricsConfig,
    connection: duckdb.DuckDBPyConnection | None = None,
) -> list[MetricRow]:
    return rows_from_arrow(compute_arrow(events, as_of, config, connection), as_of, config)


def _sql_text(value: str) -> str:
    return value.replace("'", "''")
