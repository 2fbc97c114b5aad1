"""People with second factors, and an API client that signs them in (shared by the mfa, recovery
and browser tests)."""

from __future__ import annotations

import base64
from typing import Any

from accounts.conftest import PASSWORD, Api, Person, add_account
from fastapi.testclient import TestClient

from goodstanding.kit.clock import utcnow
from goodstanding.kit.crypto import Keyring
from goodstanding.kit.db import Database, new_id
from goodstanding.mfa.totp import auth
from goodstanding.models.mfa_authenticator import MfaAuthenticator

__all__ = [
    "PASSWORD",
    "Api",
    "MfaApi",
    "Person",
    "add_account",
    "add_sms_code",
    "add_totp",
    "totp_now",
]

TEST_KEY = base64.b64decode("ZGV2LW9ubHktZW5jcnlwdGlvbi1rZXktMzJieXRlcyE=")


def add_totp(database: Database, person: Person, *, label: str = "Phone") -> str:
    """Give the person an authenticator app directly in the store; returns its secret."""
    secret = auth.new_secret()
    factor_id = new_id()
    with database.transaction() as db:
        db.add(
            MfaAuthenticator(
                id=factor_id,
                account_id=person.id,
                kind=MfaAuthenticator.Kind.totp,
                label=label,
                secret=Keyring.single(TEST_KEY).encrypt(secret.encode(), factor_id.encode()),
            )
        )
    return secret


def add_sms_code(database: Database, person: Person) -> None:
    """Let the person confirm sign-ins with a code texted to their (verified) phone."""
    with database.transaction() as db:
        db.add(
            MfaAuthenticator(
                account_id=person.id, kind=MfaAuthenticator.Kind.sms_code, label="Text message"
            )
        )


def totp_now(secret: str, steps: int = 0) -> str:
    return auth.code_at_step(secret, auth.time_step(utcnow()) + steps)


class MfaApi(Api):
    """The accounts test client, plus the /api/v1/mfa calls."""

    def __init__(self, client: TestClient) -> None:
        super().__init__(client)

    def mfa_post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.client.post(
            f"/api/v1/mfa{path}", json=body or {}, headers={"x-csrf-token": self.csrf}
        )

    def mfa_get(self, path: str) -> Any:
        return self.client.get(f"/api/v1/mfa{path}")

    def mfa_delete(self, path: str) -> Any:
        return self.client.delete(f"/api/v1/mfa{path}", headers={"x-csrf-token": self.csrf})

    def second_step(self, method: str, code: str, *, trust: bool = False) -> Any:
        response = self.mfa_post(
            "/second-step/code", {"method": method, "code": code, "trust": trust}
        )
        self.refresh_csrf()
        return response
