"""Reference, DuckDB and Spark agree exactly on random event streams."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyspark.sql import SparkSession

from goodstanding.events.schemas import OrderEvent, OrderPlaced
from goodstanding.metrics import batch_duckdb, batch_spark, reference
from goodstanding.metrics.definitions import DEFAULT_CONFIG, MetricsConfig
from tests.metrics.event_streams import as_of_days, configs, event_streams


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    session = batch_spark.local_session("local[1]", shuffle_partitions=1)
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _duckdb_table(events: list[OrderEvent], as_of: date, config: MetricsConfig) -> pa.Table:
    return batch_duckdb.compute_arrow(batch_duckdb.events_table(events), as_of, config)


class TestDuckDBMatchesReference:
    @settings(max_examples=80, deadline=None)
    @given(events=event_streams(), as_of=as_of_days, config=configs())
    def test_same_rows(self, events: list[OrderEvent], as_of: date, config: MetricsConfig) -> None:
        expected = reference.compute_metrics(events, as_of, config)
        table = _duckdb_table(events, as_of, config)

        assert batch_duckdb.rows_from_arrow(table, as_of, config) == expected
        assert table.column("value").to_pylist() == [
            None if row.value is None else row.numerator / row.denominator for row in expected
        ]


class TestDuckDBByOrderPartitions:
    @settings(max_examples=30, deadline=None)
    @given(
        events=event_streams(),
        as_of=as_of_days,
        config=configs(),
        partitions=st.integers(min_value=2, max_value=7),
    )
    def test_same_table_as_in_one_query(
        self, events: list[OrderEvent], as_of: date, config: MetricsConfig, partitions: int
    ) -> None:
        stored = batch_duckdb.events_table(events)

        by_parts = batch_duckdb.compute_arrow(stored, as_of, config, partitions=partitions)

        in_one = batch_duckdb.compute_arrow(stored, as_of, config)
        assert by_parts.schema == in_one.schema
        assert by_parts.to_pylist() == in_one.to_pylist()

    def test_sellers_spread_over_parts_sum_their_orders(self, tmp_path: Path) -> None:
        # 40 orders of one seller land in several of 8 parts; its counts are the sum over them.
        events = [
            OrderPlaced.model_validate(
                {
                    "event_id": f"e{number}",
                    "type": "order.placed",
                    "occurred_at": "2024-06-27T10:00:00Z",
                    "data": {
                        "order_id": f"o{number}",
                        "seller_id": "s1",
                        "buyer_id": "b1",
                        "channel": "seller",
                        "amount": "10.00",
                        "currency": "USD",
                        "expected_ship_by": "2024-06-29T10:00:00Z",
                        "expected_delivery_by": "2024-07-02T10:00:00Z",
                        "items": [{"listing_id": "l1", "quantity": 1}],
                    },
                }
            )
            for number in range(40)
        ]
        rows = batch_duckdb.compute_metrics(
            batch_duckdb.events_table(events),
            date(2024, 6, 30),
            DEFAULT_CONFIG,
            partitions=8,
            work_dir=tmp_path,
        )

        cancel_rate = next(row for row in rows if row.metric == "cancel_rate")
        assert (cancel_rate.numerator, cancel_rate.denominator) == (0, 40)
        assert list(tmp_path.iterdir()) == []  # the parts are removed

    def test_no_events_gives_no_rows(self) -> None:
        empty = batch_duckdb.events_table([])

        table = batch_duckdb.compute_arrow(empty, date(2024, 6, 30), DEFAULT_CONFIG, partitions=4)

        assert table.num_rows == 0

    def test_fewer_than_one_partition_is_refused(self) -> None:
        with pytest.raises(ValueError, match="at least 1"):
            batch_duckdb.compute_arrow(
                batch_duckdb.events_table([]), date(2024, 6, 30), DEFAULT_CONFIG, partitions=0
            )


@pytest.mark.slow
class TestSparkMatchesDuckDB:
    # Spark takes seconds per query, so few examples; the DuckDB test above covers the breadth.
    @settings(
        max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(events=event_streams(), as_of=as_of_days, config=configs())
    def test_same_table(
        self, spark: SparkSession, events: list[OrderEvent], as_of: date, config: MetricsConfig
    ) -> None:
        duckdb_table = _duckdb_table(events, as_of, config)
        frame = batch_spark.events_frame(spark, batch_duckdb.events_table(events))
        spark_table = batch_spark.compute_arrow(frame, as_of, config)

        assert spark_table.to_pylist() == duckdb_table.to_pylist()
        assert batch_spark.rows_from_arrow(spark_table, as_of, config) == (
            reference.compute_metrics(events, as_of, config)
        )
