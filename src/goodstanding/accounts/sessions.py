"""Server-side browser sessions: created lazily, stored hashed, revocable one by one or all."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from goodstanding.kit.clock import utcnow
from goodstanding.models.web_session import WebSession

SESSION_COOKIE = "gs_session"
# Writing last_seen_at on every request would make every read a write; a minute is precise enough.
TOUCH_INTERVAL = timedelta(minutes=1)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class NewSession:
    token: str
    row: WebSession


class SessionService:
    def __init__(self, idle_lifetime: timedelta) -> None:
        self.idle_lifetime = idle_lifetime

    def load(self, db: Session, token: str | None) -> WebSession | None:
        if not token:
            return None
        row = db.get(WebSession, token_hash(token))
        now = utcnow()
        if row is None or row.revoked_at is not None or row.expires_at <= now:
            return None
        if now - row.last_seen_at > TOUCH_INTERVAL:
            row.last_seen_at = now
            row.expires_at = now + self.idle_lifetime
        return row

    def create(self, db: Session, *, ip: str | None, user_agent: str | None) -> NewSession:
        token = secrets.token_urlsafe(32)
        now = utcnow()
        row = WebSession(
            id=token_hash(token),
            csrf_token=secrets.token_urlsafe(32),
            data={},
            ip=ip,
            user_agent=(user_agent or "")[:512] or None,
            created_at=now,
            last_seen_at=now,
            expires_at=now + self.idle_lifetime,
        )
        db.add(row)
        db.flush()
        return NewSession(token=token, row=row)

    def rotate(self, db: Session, current: WebSession) -> NewSession:
        """A new id on privilege change (sign-in), so a planted session id gains nothing."""
        fresh = self.create(db, ip=current.ip, user_agent=current.user_agent)
        fresh.row.data = dict(current.data)
        current.revoked_at = utcnow()
        return fresh

    def revoke(self, db: Session, session_id: str, *, account_id: str) -> bool:
        result = db.execute(
            update(WebSession)
            .where(
                WebSession.id == session_id,
                WebSession.account_id == account_id,
                WebSession.revoked_at.is_(None),
            )
            .values(revoked_at=utcnow())
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def revoke_all(self, db: Session, *, account_id: str, keep: str | None = None) -> int:
        statement = update(WebSession).where(
            WebSession.account_id == account_id, WebSession.revoked_at.is_(None)
        )
        if keep is not None:
            statement = statement.where(WebSession.id != keep)
        result = db.execute(statement.values(revoked_at=utcnow()))
        return int(result.rowcount)  # type: ignore[attr-defined]

    def active_for(self, db: Session, account_id: str) -> list[WebSession]:
        now = utcnow()
        rows = db.scalars(
            select(WebSession)
            .where(WebSession.account_id == account_id, WebSession.revoked_at.is_(None))
            .order_by(WebSession.last_seen_at.desc())
        ).all()
        return [row for row in rows if row.expires_at > now]
