from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from goodstanding.kit.db import Base, RecordMixin


class MfaAuthenticator(RecordMixin, Base):
    """One enrolled second factor: an authenticator app, a passkey or security key, a phone or
    e-mail address that receives codes, or a set of backup codes.

    One table for every kind keeps "does this account have a factor?" a single query; what differs
    per kind lives in ``secret`` (encrypted, TOTP only) and ``data`` (public WebAuthn values).
    """

    __tablename__ = "mfa_authenticators"

    class Kind(StrEnum):
        # Ordered strongest first: the second step asks for the first one the account has.
        webauthn = "webauthn"
        totp = "totp"
        sms_code = "sms_code"
        email_code = "email_code"
        backup_codes = "backup_codes"

    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(80))
    # AES-GCM envelope (kit/crypto) bound to the authenticator id; TOTP seeds only.
    secret: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    # TOTP: the last accepted time step, so a code cannot be used twice.
    last_used_step: Mapped[int | None] = mapped_column(Integer, default=None)
    # WebAuthn: credential_id, public_key (base64url), sign_count, transports, discoverable.
    data: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    # WebAuthn: base64url credential id, indexed for passwordless look-up.
    credential_id: Mapped[str | None] = mapped_column(String(512), unique=True, default=None)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
