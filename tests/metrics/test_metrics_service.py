"""Reading metrics online: one seller, past days, unknown sellers, snapshots and trends."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from goodstanding.events.service import event_service
from goodstanding.kit.db import Database
from goodstanding.metrics.errors import UnknownMetric, UnknownSeller
from goodstanding.metrics.service import metrics_service
from goodstanding.metrics.status import Status
from goodstanding.models.seller import Seller
from tests.events.factories import placed, raw


def ingest(database: Database, raws: list[Any]) -> None:
    with database.transaction() as db:
        event_service.ingest(db, raws, reevaluate=False)


def metric(database: Database, seller_id: str, name: str, as_of: date) -> tuple[int, int]:
    with database.transaction() as db:
        rows = metrics_service.seller_metrics(db, seller_id, as_of)
    [row] = [row for row in rows if row.metric == name]
    return row.numerator, row.denominator


CANCELLED_LATER = [
    placed("p1", "o1", "2024-06-28T10:00:00Z"),
    placed("p2", "o2", "2024-06-28T11:00:00Z"),
    raw("c1", "order.cancelled", "2024-07-01T10:00:00Z", order_id="o1", by="seller"),
]


class TestSellerMetrics:
    def test_a_past_day_does_not_count_later_events(self, database: Database) -> None:
        ingest(database, CANCELLED_LATER)

        assert metric(database, "s1", "cancel_rate", date(2024, 6, 30)) == (0, 2)
        assert metric(database, "s1", "cancel_rate", date(2024, 7, 1)) == (1, 2)
        assert metric(database, "s1", "sales_per_week", date(2024, 6, 30)) == (2, 4)
        assert metric(database, "s1", "sales_per_week", date(2024, 7, 1)) == (1, 4)

    def test_every_metric_carries_window_target_and_status(self, database: Database) -> None:
        ingest(database, CANCELLED_LATER)

        with database.transaction() as db:
            rows = metrics_service.seller_metrics(db, "s1", date(2024, 7, 1))

        cancel = next(row for row in rows if row.metric == "cancel_rate")
        assert (cancel.window_start, cancel.window_end) == (date(2024, 6, 25), date(2024, 7, 1))
        assert cancel.status is Status.NOT_ENOUGH_ORDERS  # 2 orders, fewer than the minimum
        assert len(rows) == 10

    def test_unknown_seller_is_refused(self, database: Database) -> None:
        with database.transaction() as db, pytest.raises(UnknownSeller):
            metrics_service.seller_metrics(db, "nobody", date(2024, 7, 1))

    def test_a_registered_seller_without_orders_has_empty_metrics(self, database: Database) -> None:
        with database.transaction() as db:
            db.add(Seller(id="quiet"))
        assert metric(database, "quiet", "cancel_rate", date(2024, 7, 1)) == (0, 0)


class TestExport:
    def test_only_sellers_with_an_order_placed_by_the_day(self, database: Database) -> None:
        ingest(
            database, [*CANCELLED_LATER, placed("p3", "o3", "2024-07-01T09:00:00Z", seller_id="s2")]
        )

        with database.transaction() as db:
            before = {row.seller_id for row in metrics_service.all_metrics(db, date(2024, 6, 30))}
            after = {row.seller_id for row in metrics_service.all_metrics(db, date(2024, 7, 1))}

        assert (before, after) == ({"s1"}, {"s1", "s2"})


class TestSnapshotsAndTrend:
    def test_trend_reads_snapshots_and_fills_missing_days_exactly(self, database: Database) -> None:
        ingest(database, CANCELLED_LATER)
        with database.transaction() as db:
            written = metrics_service.take_snapshots(db, date(2024, 6, 30))
        assert written == 10
        # A snapshot is what the day looked like when taken; a later change of definition or a
        # late event shows in days computed afresh, so a stale snapshot is visible here.
        ingest(
            database,
            [raw("c2", "order.cancelled", "2024-06-30T12:00:00Z", order_id="o2", by="seller")],
        )

        with database.transaction() as db:
            points = metrics_service.trend(db, "s1", "cancel_rate", days=3, as_of=date(2024, 7, 1))

        assert [(p.day, p.numerator, p.denominator) for p in points] == [
            (date(2024, 6, 29), 0, 2),
            (date(2024, 6, 30), 0, 2),
            (date(2024, 7, 1), 2, 2),
        ]

    def test_trend_refuses_unknown_metric_and_seller(self, database: Database) -> None:
        ingest(database, CANCELLED_LATER)
        with database.transaction() as db:
            with pytest.raises(UnknownMetric):
                metrics_service.trend(db, "s1", "speed", as_of=date(2024, 7, 1))
            with pytest.raises(UnknownSeller):
                metrics_service.trend(db, "nobody", "cancel_rate", as_of=date(2024, 7, 1))

    def test_snapshot_task_writes_yesterday(self, database: Database) -> None:
        from goodstanding.kit.clock import utcnow
        from goodstanding.metrics.tasks import snapshot_day

        ingest(
            database,
            [placed("p1", "o1", (utcnow() - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ"))],
        )

        assert snapshot_day(utcnow().date() - timedelta(days=1)) == 10
