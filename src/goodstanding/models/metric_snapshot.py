from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from goodstanding.kit.clock import utcnow
from goodstanding.kit.db import Base


class MetricSnapshot(Base):
    """One seller's metric as of the end of one day, written by the daily snapshot job for trend
    charts (``metrics.service.trend``)."""

    __tablename__ = "metric_snapshots"

    seller_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    metric: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    numerator: Mapped[int] = mapped_column(BigInteger)
    denominator: Mapped[int] = mapped_column(BigInteger)
    # The target's exact decimal text ("0.025"): SQLite has no exact decimal type.
    target: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(24))
    window_start: Mapped[date]
    window_end: Mapped[date]
    taken_at: Mapped[datetime] = mapped_column(default=utcnow)
