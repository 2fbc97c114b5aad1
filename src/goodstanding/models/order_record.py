from __future__ import annotations

from sqlalchemy import BigInteger, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from goodstanding.kit.db import Base


class OrderRecord(Base):
    """One order's state as folded from its events so far (``metrics.order_state.OrderState``,
    serialised by ``metrics.state_codec``), kept so that a late event recomputes the order exactly.

    An order whose ``order.placed`` has not arrived yet has a partial state and no seller;
    ``placed_micros`` and ``seller_id`` fill in when it arrives. ``last_event_micros`` is the
    latest occurred_at among its events: an order with events after a day D is one whose counters
    must be corrected to answer "as of D".

    Times are whole microseconds since the Unix epoch (UTC), as in the state
    (``order_state.micros``): intake writes a record for every order a batch touches and reads
    it back twice, and converting datetimes to and from SQLite's text was about 4% of its CPU.
    """

    __tablename__ = "order_records"
    __table_args__ = (
        Index("ix_order_records_seller_last_event", "seller_id", "last_event_micros"),
    )

    order_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    seller_id: Mapped[str | None] = mapped_column(String(200), default=None)
    placed_micros: Mapped[int | None] = mapped_column(BigInteger, default=None)
    last_event_micros: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(Text)
