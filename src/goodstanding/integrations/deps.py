"""FastAPI dependency: ``Authorization: Bearer gs_...`` with the scope a route needs."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request

from goodstanding.integrations.service import Scope, api_keys
from goodstanding.kit.errors import Unauthorized
from goodstanding.models.api_key import ApiKey
from goodstanding.web.deps import DbSession


def require_api_key(scope: Scope) -> Callable[[Request, DbSession], ApiKey]:
    def dependency(request: Request, db: DbSession) -> ApiKey:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("Send the API key as 'Authorization: Bearer <key>'.")
        return api_keys.authenticate(db, token.strip(), scope)

    return dependency
