"""Seller metrics for pages, the API, the CLI and the policy engine: read online from the per-day
counters (``online``), recomputed in batch from the stored events (DuckDB or Spark), and kept as
daily snapshots for trend charts."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy.orm import Session

from goodstanding.events.repository import event_repository
from goodstanding.kit.clock import utcnow
from goodstanding.metrics import batch_duckdb
from goodstanding.metrics.definitions import DEFAULT_CONFIG, MetricsConfig
from goodstanding.metrics.errors import UnknownMetric, UnknownSeller
from goodstanding.metrics.online import metric_rows, seller_metric_rows
from goodstanding.metrics.repository import metrics_repository
from goodstanding.metrics.results import MetricRow
from goodstanding.metrics.status import Status


class BatchEngine(StrEnum):
    DUCKDB = "duckdb"
    SPARK = "spark"


@dataclass(frozen=True, slots=True)
class TrendPoint:
    day: date
    numerator: int
    denominator: int
    status: Status


class MetricsService:
    def seller_metrics(
        self, db: Session, seller_id: str, as_of: date, config: MetricsConfig = DEFAULT_CONFIG
    ) -> list[MetricRow]:
        """Every metric of one seller as of the end of ``as_of``, from a few counter rows."""
        rows, counted = seller_metric_rows(db, seller_id, as_of, config)
        # A seller with counters has orders, so only one without any needs looking up.
        if not counted and not metrics_repository.is_known_seller(db, seller_id):
            raise UnknownSeller(f"There is no seller {seller_id}.")
        return rows

    def all_metrics(
        self, db: Session, as_of: date, config: MetricsConfig = DEFAULT_CONFIG
    ) -> list[MetricRow]:
        """Every metric of every seller with an order placed by the end of ``as_of`` (the export
        contract), from the online counters."""
        return metric_rows(db, as_of, config)

    def recompute(
        self,
        db: Session,
        as_of: date,
        engine: BatchEngine,
        config: MetricsConfig = DEFAULT_CONFIG,
        *,
        partitions: int = 1,
    ) -> list[MetricRow]:
        """The same rows recomputed from the stored events by a batch engine (a check on the
        online counters, and the path for a new metric definition). DuckDB groups the orders in
        ``partitions`` parts one at a time (see ``batch_duckdb``), reading the log from a
        temporary Parquet file written batch by batch, so neither step holds the whole log in
        memory; Spark partitions on its own."""
        if engine is BatchEngine.DUCKDB and partitions > 1:
            with tempfile.TemporaryDirectory(prefix="goodstanding-events-") as folder:
                path = Path(folder) / "events.parquet"
                with pq.ParquetWriter(path, batch_duckdb.STORED_EVENT_SCHEMA) as writer:
                    for batch in _stored_event_batches(db):
                        writer.write_batch(batch)
                return batch_duckdb.compute_metrics(
                    path, as_of, config, partitions=partitions, work_dir=Path(folder)
                )
        table = stored_events_table(db)
        if engine is BatchEngine.DUCKDB:
            return batch_duckdb.compute_metrics(table, as_of, config)
        from goodstanding.metrics import batch_spark

        spark = batch_spark.local_session()
        try:
            frame = batch_spark.events_frame(spark, table)
            return batch_spark.compute_metrics(frame, as_of, config)
        finally:
            spark.stop()

    def take_snapshots(self, db: Session, day: date, config: MetricsConfig = DEFAULT_CONFIG) -> int:
        """Store every seller's metrics as of ``day`` (replacing an earlier snapshot of that day);
        returns the number of rows written."""
        now = utcnow()
        rows = [
            {
                "seller_id": row.seller_id,
                "metric": row.metric,
                "day": day,
                "numerator": row.numerator,
                "denominator": row.denominator,
                "target": format(row.target, "f"),
                "status": row.status.value,
                "window_start": row.window_start,
                "window_end": row.window_end,
                "taken_at": now,
            }
            for row in self.all_metrics(db, day, config)
        ]
        metrics_repository.save_snapshots(db, rows)
        return len(rows)

    def trend(
        self,
        db: Session,
        seller_id: str,
        metric: str,
        days: int = 90,
        *,
        as_of: date | None = None,
        config: MetricsConfig = DEFAULT_CONFIG,
    ) -> list[TrendPoint]:
        """One metric of one seller for each of the ``days`` days ending ``as_of`` (default:
        yesterday), oldest first: the daily snapshots, and for a day without one its exact value
        computed from the counters."""
        try:
            definition = config.by_name(metric)
        except KeyError:
            raise UnknownMetric(f"There is no metric {metric}.") from None
        if not metrics_repository.is_known_seller(db, seller_id):
            raise UnknownSeller(f"There is no seller {seller_id}.")
        single = MetricsConfig(metrics=(definition,))
        last = as_of or utcnow().date() - timedelta(days=1)
        first = last - timedelta(days=days - 1)
        taken = {
            snapshot.day: TrendPoint(
                snapshot.day, snapshot.numerator, snapshot.denominator, Status(snapshot.status)
            )
            for snapshot in metrics_repository.snapshots(db, seller_id, metric, first, last)
        }
        points = []
        for offset in range(days):
            day = first + timedelta(days=offset)
            if day not in taken:
                (row,) = metric_rows(db, day, single, [seller_id])
                taken[day] = TrendPoint(day, row.numerator, row.denominator, row.status)
            points.append(taken[day])
        return points


def _stored_event_batches(db: Session) -> Iterator[pa.RecordBatch]:
    names = batch_duckdb.STORED_EVENT_SCHEMA.names
    for part in event_repository.stream(db):
        yield pa.record_batch(
            [[getattr(event, name) for event in part] for name in names],
            schema=batch_duckdb.STORED_EVENT_SCHEMA,
        )


def stored_events_table(db: Session) -> pa.Table:
    """The whole stored event log as the Arrow table the batch engines read."""
    return pa.Table.from_batches(
        list(_stored_event_batches(db)), schema=batch_duckdb.STORED_EVENT_SCHEMA
    )


metrics_service = MetricsService()
seller_metrics = metrics_service.seller_metrics
trend = metrics_service.trend
