from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from goodstanding.kit.db import Base


class MetricCounter(Base):
    """One seller's per-day counter of one measure and channel (``order_state.CounterKey``).

    ``day`` is the order's basis day for the measure (placed, shipped, expected delivery, feedback),
    so a metric over a window is the sum of its rows over the window's days. Intake adds
    ``counter_changes`` deltas with one upsert per key; the key is the primary key.

    The key is ordered seller, day, then measure and channel, and on SQLite the rows live in the
    key's own tree (``WITHOUT ROWID``): a batch changes a few days of each seller, and all of one
    seller's counters for a day then share a page. Led by seller and measure, every (measure,
    channel) of a seller sat on its own page of the key's index, plus the row's page in the table:
    a 10,000-event intake commit wrote 2,428 counter pages, now 1,124 (bench/sqlite_wal_pages.py).
    A seller's read is one range of the key either way.
    """

    __tablename__ = "metric_counters"
    __table_args__ = {"sqlite_with_rowid": False}

    seller_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    measure: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    numerator: Mapped[int] = mapped_column(BigInteger, default=0)
    denominator: Mapped[int] = mapped_column(BigInteger, default=0)
