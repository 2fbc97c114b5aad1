"""Single-use links in notices ("this wasn't me", "undo this change"): random token, hash stored."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from goodstanding.accounts.errors import LinkUnusable
from goodstanding.kit.clock import utcnow
from goodstanding.kit.i18n import gettext as _
from goodstanding.models.account_link import AccountLink

NOT_ME_LIFETIME = timedelta(days=30)
UNDO_LIFETIME = timedelta(days=7)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def make_link(
    db: Session,
    *,
    account_id: str,
    purpose: AccountLink.Purpose,
    lifetime: timedelta,
    data: dict[str, Any] | None = None,
) -> str:
    """Store a new link and return its token (the only copy of it)."""
    token = secrets.token_urlsafe(32)
    db.add(
        AccountLink(
            account_id=account_id,
            purpose=purpose.value,
            token_hash=_hash(token),
            data=data or {},
            expires_at=utcnow() + lifetime,
        )
    )
    db.flush()
    return token


def find_link(db: Session, token: str, purposes: tuple[AccountLink.Purpose, ...]) -> AccountLink:
    link = db.scalars(select(AccountLink).where(AccountLink.token_hash == _hash(token))).first()
    if (
        link is None
        or link.purpose not in {purpose.value for purpose in purposes}
        or link.used_at is not None
        or link.expires_at <= utcnow()
    ):
        raise LinkUnusable(_("This link has expired or was already used."))
    return link


def use_link(db: Session, link: AccountLink) -> None:
    """Mark the link used; a second, parallel use of the same link fails here."""
    result = db.execute(
        update(AccountLink)
        .where(AccountLink.id == link.id, AccountLink.used_at.is_(None))
        .values(used_at=utcnow())
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise LinkUnusable(_("This link has expired or was already used."))
