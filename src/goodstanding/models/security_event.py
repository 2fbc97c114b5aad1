from __future__ import annotations

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from goodstanding.kit.db import Base, RecordMixin


class SecurityEvent(RecordMixin, Base):
    """Something that happened to an account's access: shown on "Security activity"."""

    __tablename__ = "security_events"

    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    tag: Mapped[str] = mapped_column(String(60))
    ip: Mapped[str | None] = mapped_column(String(64), default=None)
    user_agent: Mapped[str | None] = mapped_column(String(512), default=None)
    details: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
