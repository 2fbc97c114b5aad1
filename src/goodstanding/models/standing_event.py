from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from goodstanding.kit.clock import utcnow
from goodstanding.kit.db import Base, RecordMixin


class StandingEvent(RecordMixin, Base):
    """One applied change of a seller's standing: from, to, why, who, under which policy."""

    __tablename__ = "standing_events"

    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id", ondelete="CASCADE"), index=True)
    from_standing: Mapped[str] = mapped_column(String(24))
    to_standing: Mapped[str] = mapped_column(String(24))
    reason: Mapped[str] = mapped_column(Text)
    # "policy-engine", "account:<id>", "api-key:<name>": who or what made the change.
    actor: Mapped[str] = mapped_column(String(120))
    policy_id: Mapped[str | None] = mapped_column(String(64), default=None)
    at: Mapped[datetime] = mapped_column(default=utcnow)
