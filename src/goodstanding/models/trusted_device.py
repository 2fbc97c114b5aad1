from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from goodstanding.kit.db import Base, RecordMixin


class TrustedDevice(RecordMixin, Base):
    """A browser where the person said "don't ask again": the second step is skipped there.

    The cookie holds a random token; only its SHA-256 is stored. ``credentials_fingerprint`` is a
    keyed hash of the password hash and the enrolled factors at the time of trust, so changing any
    of them voids the device even if nobody calls ``revoke_all``.
    """

    __tablename__ = "trusted_devices"

    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    credentials_fingerprint: Mapped[str] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(512), default=None)
    ip: Mapped[str | None] = mapped_column(String(64), default=None)
    expires_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
