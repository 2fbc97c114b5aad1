from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from goodstanding.kit.db import Base, RecordMixin


class AccountLink(RecordMixin, Base):
    """A single-use link sent in a notice: "this wasn't me" or "undo this change".

    The URL carries a random token; only its hash is stored.
    """

    __tablename__ = "account_links"

    class Purpose(StrEnum):
        not_me = "not_me"
        undo_email_change = "undo_email_change"
        undo_phone_change = "undo_phone_change"

    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[str] = mapped_column(String(32))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    data: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None] = mapped_column(default=None)
