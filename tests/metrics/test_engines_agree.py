"""Reference, DuckDB and Spark agree exactly on random event streams."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from pyspark.sql import SparkSession

from goodstanding.events.schemas import OrderEvent
from goodstanding.metrics import batch_duckdb, batch_spark, reference
from goodstanding.metrics.definitions import MetricsConfig
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
