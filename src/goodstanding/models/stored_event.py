from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from goodstanding.kit.clock import utcnow
from goodstanding.kit.db import Base


class StoredEventRow(Base):
    """The raw event log: every accepted event once, in its canonical stored form.

    ``occurred_at`` and ``data`` are the exact text of ``events.schemas.StoredEvent`` (fixed-width
    UTC time, JSON with sorted keys) rather than a datetime and a JSON column: this table is the
    input of the batch engines, which compare times as fixed-width text, and keeping the text means
    a recompute reads back byte for byte what was fingerprinted at intake.
    """

    __tablename__ = "stored_events"

    event_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    type: Mapped[str] = mapped_column(String(40))
    occurred_at: Mapped[str] = mapped_column(String(27))
    fingerprint: Mapped[str] = mapped_column(String(64))
    data: Mapped[str] = mapped_column(Text)
    # The order an order event is about, so an order's events can be read back to recompute it.
    order_id: Mapped[str | None] = mapped_column(String(200), index=True, default=None)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
