from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from goodstanding.kit.db import Base


class MetricCounter(Base):
    """One seller's per-day counters of one channel: a (numerator, denominator) column pair per
    measure (``metrics.definitions.Measure``; a test checks that every measure has its pair).

    ``day`` is the order's basis day for the measure (placed, shipped, expected delivery, feedback),
    so a metric over a window is the sum of its measure's columns over the window's days. Intake
    adds ``counter_changes`` deltas with one upsert per row.

    One row per (seller, day, channel) rather than per measure as well: a 10,000-event batch of
    the ingest benchmark changes about 9,200 (seller, measure, channel, day) counters but 4,000
    rows, upserted under SQLite's write lock, and its commit logs 425 counter pages instead of
    1,124 (``bench/sqlite_wal_pages.py``); a seller's online read is a row per day and channel
    instead of up to eight. The key is ordered seller then day, and on SQLite the rows live in
    the key's own tree (``WITHOUT ROWID``), so a seller's read is one range of the key.
    """

    __tablename__ = "metric_counters"
    __table_args__ = {"sqlite_with_rowid": False}

    seller_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    order_defect_numerator: Mapped[int] = mapped_column(BigInteger, default=0)
    order_defect_denominator: Mapped[int] = mapped_column(BigInteger, default=0)
    seller_cancel_numerator: Mapped[int] = mapped_column(BigInteger, default=0)
    seller_cancel_denominator: Mapped[int] = mapped_column(BigInteger, default=0)
    late_shipment_numerator: Mapped[int] = mapped_column(BigInteger, default=0)
    late_shipment_denominator: Mapped[int] = mapped_column(BigInteger, default=0)
    valid_tracking_numerator: Mapped[int] = mapped_column(BigInteger, default=0)
    valid_tracking_denominator: Mapped[int] = mapped_column(BigInteger, default=0)
    on_time_delivery_numerator: Mapped[int] = mapped_column(BigInteger, default=0)
    on_time_delivery_denominator: Mapped[int] = mapped_column(BigInteger, default=0)
    sales_numerator: Mapped[int] = mapped_column(BigInteger, default=0)
    sales_denominator: Mapped[int] = mapped_column(BigInteger, default=0)
    feedback_stars_numerator: Mapped[int] = mapped_column(BigInteger, default=0)
    feedback_stars_denominator: Mapped[int] = mapped_column(BigInteger, default=0)
    negative_feedback_numerator: Mapped[int] = mapped_column(BigInteger, default=0)
    negative_feedback_denominator: Mapped[int] = mapped_column(BigInteger, default=0)
