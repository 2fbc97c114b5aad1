"""Builders for the policy engine's stored objects and the metric rows it reads."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from goodstanding.kit.clock import utcnow
from goodstanding.metrics.results import MetricRow
from goodstanding.metrics.status import Status
from goodstanding.models.seller import Seller


def today() -> date:
    return utcnow().date()


def add_seller(db: Session, seller_id: str = "seller-1", **fields: Any) -> Seller:
    values: dict[str, Any] = {
        "display_name": "Sam's Shop",
        "contact_email": f"{seller_id}@shop.example",
        "orders_in_lookback": 500,
    }
    values.update(fields)
    seller = Seller(id=seller_id, **values)
    db.add(seller)
    db.flush()
    return seller


def metric_row(
    metric: str,
    numerator: int,
    denominator: int,
    *,
    window_days: int = 60,
    as_of: date | None = None,
    seller_id: str = "seller-1",
) -> MetricRow:
    end = as_of or today()
    return MetricRow(
        seller_id=seller_id,
        metric=metric,
        numerator=numerator,
        denominator=denominator,
        target=Decimal("0.01"),
        status=Status.GOOD,
        window_start=end - timedelta(days=window_days - 1),
        window_end=end,
    )


def odr(numerator: int, denominator: int, **fields: Any) -> list[MetricRow]:
    """The seller-shipped order defect rate, the policy most tests walk through."""
    return [metric_row("order_defect_rate_seller", numerator, denominator, **fields)]
