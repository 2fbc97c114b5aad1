from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from goodstanding.kit.clock import utcnow
from goodstanding.kit.db import Base, RecordMixin


class WebhookDelivery(RecordMixin, Base):
    """One message for one endpoint: its attempts, and the delivery log operators read."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("endpoint_id", "message_sequence"),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    )

    class Status(StrEnum):
        pending = "pending"  # waiting for its first or next attempt
        delivered = "delivered"
        dead = "dead"  # out of attempts; an operator may redeliver

    endpoint_id: Mapped[str] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), index=True
    )
    message_sequence: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"),
        ForeignKey("webhook_messages.sequence", ondelete="CASCADE"),
    )
    subject_id: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default=Status.pending)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_status_code: Mapped[int | None] = mapped_column(Integer, default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)
