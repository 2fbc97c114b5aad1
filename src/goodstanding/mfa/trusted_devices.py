"""Trusted devices: "don't ask again on this browser" for 30 days, server-side and revocable.

The cookie holds a random token and the table only its hash. A device is valid while it is not
revoked, not expired, and the account's credentials fingerprint (password hash plus enrolled
factors) is the one recorded when it was trusted — so a changed password or factor voids every
device even where no code path remembered to call :func:`revoke_all`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from fastapi import Request
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from goodstanding.config import Settings
from goodstanding.kit.clock import utcnow
from goodstanding.models.account import Account
from goodstanding.models.mfa_authenticator import MfaAuthenticator
from goodstanding.models.trusted_device import TrustedDevice

TRUSTED_DEVICE_COOKIE = "gs_trusted"
TRUST_LIFETIME = timedelta(days=30)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def credentials_fingerprint(db: Session, account: Account, secret_key: str) -> str:
    """A keyed hash that changes whenever the password or the set of factors changes."""
    factor_ids = db.scalars(
        select(MfaAuthenticator.id)
        .where(MfaAuthenticator.account_id == account.id)
        .order_by(MfaAuthenticator.id)
    ).all()
    material = "\n".join([account.id, account.password_hash, *factor_ids])
    return hmac.new(secret_key.encode(), material.encode(), hashlib.sha256).hexdigest()


def trust_browser(db: Session, account: Account, request: Request) -> str:
    """Record this browser as trusted and queue its cookie; returns the token (for tests)."""
    settings: Settings = request.app.state.settings
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.add(
        TrustedDevice(
            account_id=account.id,
            token_hash=_token_hash(token),
            credentials_fingerprint=credentials_fingerprint(db, account, settings.secret_key),
            user_agent=(request.headers.get("user-agent") or "")[:512] or None,
            ip=request.client.host if request.client else None,
            expires_at=now + TRUST_LIFETIME,
        )
    )
    secure = request.state.https or settings.environment == "production"
    cookie = (
        f"{TRUSTED_DEVICE_COOKIE}={token}; Path=/; Max-Age={int(TRUST_LIFETIME.total_seconds())}; "
        "HttpOnly; SameSite=Lax"
    )
    if secure:
        cookie += "; Secure"
    request.scope.setdefault("state", {}).setdefault("set_cookies", []).append(cookie)
    return token


def is_trusted_browser(db: Session, account: Account, request: Request) -> bool:
    token = request.cookies.get(TRUSTED_DEVICE_COOKIE)
    if not token:
        return False
    device = db.scalar(
        select(TrustedDevice).where(
            TrustedDevice.token_hash == _token_hash(token),
            TrustedDevice.account_id == account.id,
            TrustedDevice.revoked_at.is_(None),
        )
    )
    now = utcnow()
    if device is None or device.expires_at <= now:
        return False
    settings: Settings = request.app.state.settings
    current = credentials_fingerprint(db, account, settings.secret_key)
    if not hmac.compare_digest(device.credentials_fingerprint, current):
        return False
    device.last_used_at = now
    return True


def active_devices(db: Session, account_id: str) -> list[TrustedDevice]:
    """Trusted devices still in force by date, newest first (for "Your devices and sessions")."""
    now = utcnow()
    rows = db.scalars(
        select(TrustedDevice)
        .where(TrustedDevice.account_id == account_id, TrustedDevice.revoked_at.is_(None))
        .order_by(TrustedDevice.created_at.desc())
    ).all()
    return [row for row in rows if row.expires_at > now]


def revoke(db: Session, account_id: str, device_id: str) -> bool:
    result = db.execute(
        update(TrustedDevice)
        .where(
            TrustedDevice.id == device_id,
            TrustedDevice.account_id == account_id,
            TrustedDevice.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def revoke_all(db: Session, account_id: str) -> int:
    """Void every trusted device of the account (password reset, factor change, recovery)."""
    result = db.execute(
        update(TrustedDevice)
        .where(TrustedDevice.account_id == account_id, TrustedDevice.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
