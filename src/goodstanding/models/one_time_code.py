from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from goodstanding.kit.db import Base, RecordMixin


class OneTimeCode(RecordMixin, Base):
    """A 6-digit code sent to an e-mail address or phone; only its keyed hash is kept.

    Bound to the browser session that asked for it and to one purpose. ``account_id`` is empty
    when nobody owns the address: the code is still made (same work, same reply) but never sent.
    """

    __tablename__ = "one_time_codes"

    purpose: Mapped[str] = mapped_column(String(40))
    web_session_id: Mapped[str] = mapped_column(String(64), index=True)
    account_id: Mapped[str | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True, default=None
    )
    channel: Mapped[str] = mapped_column(String(8))  # "email" or "sms"
    destination: Mapped[str] = mapped_column(String(320))
    code_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime]
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[datetime | None] = mapped_column(default=None)
    voided_at: Mapped[datetime | None] = mapped_column(default=None)
    payload: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
