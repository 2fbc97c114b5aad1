"""API keys: ``gs_<prefix>_<secret>``, shown once, stored as a SHA-256 of the secret.

The secret is 256 random bits, so a fast hash is enough (no password stretching needed), and the
comparison is constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodstanding.kit.clock import utcnow
from goodstanding.kit.errors import Forbidden, NotFound, Unauthorized
from goodstanding.models.api_key import ApiKey

KEY_PREFIX = "gs"
# Writing last_used_at on every call would turn each read into a write.
LAST_USED_PRECISION = timedelta(minutes=5)


class Scope(StrEnum):
    events_write = "events:write"
    sellers_read = "sellers:read"
    sellers_write = "sellers:write"
    cases_read = "cases:read"
    webhooks_manage = "webhooks:manage"


@dataclass(frozen=True)
class IssuedKey:
    key: ApiKey
    plaintext: str


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiKeyService:
    def issue(self, db: Session, *, name: str, scopes: list[Scope]) -> IssuedKey:
        if not scopes:
            raise ValueError("an API key needs at least one scope")
        prefix = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        key = ApiKey(
            name=name,
            prefix=prefix,
            secret_hash=_digest(secret),
            scopes=sorted(scope.value for scope in scopes),
        )
        db.add(key)
        db.flush()
        return IssuedKey(key=key, plaintext=f"{KEY_PREFIX}_{prefix}_{secret}")

    def authenticate(self, db: Session, presented: str, scope: Scope) -> ApiKey:
        parts = presented.split("_", 2)
        if len(parts) != 3 or parts[0] != KEY_PREFIX:
            raise Unauthorized("The API key is malformed.")
        key = db.scalar(select(ApiKey).where(ApiKey.prefix == parts[1]))
        valid = key is not None and hmac.compare_digest(key.secret_hash, _digest(parts[2]))
        if key is None or not valid or key.revoked_at is not None:
            raise Unauthorized("The API key is unknown or revoked.")
        if scope.value not in key.scopes:
            raise Forbidden(f"This API key lacks the scope {scope.value}.")
        now = utcnow()
        if key.last_used_at is None or now - key.last_used_at > LAST_USED_PRECISION:
            key.last_used_at = now
        return key

    def revoke(self, db: Session, prefix: str) -> ApiKey:
        key = db.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
        if key is None:
            raise NotFound(f"No API key with prefix {prefix}.")
        if key.revoked_at is None:
            key.revoked_at = utcnow()
        return key

    def list(self, db: Session) -> list[ApiKey]:
        return list(db.scalars(select(ApiKey).order_by(ApiKey.created_at)).all())


api_keys = ApiKeyService()
