"""API shapes of the metrics service."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from goodstanding.metrics.export import format_value
from goodstanding.metrics.results import MetricRow


class MetricOut(BaseModel):
    metric: str
    numerator: int
    denominator: int
    value: str | None
    """numerator / denominator as exact decimal text (6 places at most, as in the CSV export);
    null when the denominator is 0."""
    window_start: date
    window_end: date
    target: str
    status: str

    @classmethod
    def of(cls, row: MetricRow) -> MetricOut:
        return cls(
            metric=row.metric,
            numerator=row.numerator,
            denominator=row.denominator,
            value=format_value(row.numerator, row.denominator) or None,
            window_start=row.window_start,
            window_end=row.window_end,
            target=format(row.target, "f"),
            status=row.status.value,
        )


class SellerMetricsOut(BaseModel):
    seller_id: str
    as_of: date
    metrics: list[MetricOut]
