from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from goodstanding.kit.db import Base, RecordMixin


class MfaBackupCode(RecordMixin, Base):
    """One single-use backup code of a set (an ``MfaAuthenticator`` of kind backup_codes).

    Only an Argon2id hash is kept; ``used_at`` burns the code.
    """

    __tablename__ = "mfa_backup_codes"

    authenticator_id: Mapped[str] = mapped_column(
        ForeignKey("mfa_authenticators.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(255))
    used_at: Mapped[datetime | None] = mapped_column(default=None)
