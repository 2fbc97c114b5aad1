"""One computed metric of one seller, as every engine returns it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pyarrow as pa

from goodstanding.metrics.definitions import MetricsConfig
from goodstanding.metrics.status import Status, value


@dataclass(frozen=True, slots=True)
class MetricRow:
    seller_id: str
    metric: str
    numerator: int
    denominator: int
    target: Decimal
    status: Status
    window_start: date
    window_end: date

    @property
    def value(self) -> Fraction | None:
        """numerator / denominator exactly; None when the denominator is 0."""
        return value(self.numerator, self.denominator)


def rows_from_arrow(table: pa.Table, as_of: date, config: MetricsConfig) -> list[MetricRow]:
    """Rows from a batch engine's output table (``batch_sql.OUTPUT_COLUMNS``)."""
    metrics = {metric.name: metric for metric in config.metrics}
    rows = []
    for record in table.to_pylist():
        metric = metrics[record["metric"]]
        first, last = metric.window(as_of)
        rows.append(
            MetricRow(
                seller_id=record["seller_id"],
                metric=metric.name,
                numerator=record["numerator"],
                denominator=record["denominator"],
                target=Decimal(record["target"]),
                status=Status(record["status"]),
                window_start=first,
                window_end=last,
            )
        )
    return rows
