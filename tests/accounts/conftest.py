"""Fixtures for the accounts tests: people, an API client with its CSRF token, solved captchas,
and the last code sent by e-mail or text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import altcha
import pytest
from fastapi.testclient import TestClient

from goodstanding.accounts import captcha
from goodstanding.accounts import web as accounts_web
from goodstanding.accounts.passwords import hash_password
from goodstanding.kit.clock import utcnow
from goodstanding.kit.db import Database
from goodstanding.models.account import Account
from goodstanding.notify.email import memory_outbox
from goodstanding.notify.sms import memory_sms_outbox

PASSWORD = "correct horse battery staple"
CODE_PATTERN = re.compile(r"\b(\d{6})\b")


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    email: str
    phone: str
    password: str


@pytest.fixture(autouse=True)
def _small_captcha_and_short_padding(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests solve captchas in Python: a small puzzle keeps them fast; same code path."""
    monkeypatch.setattr(captcha, "MAX_COUNTER", 300)
    monkeypatch.setattr(accounts_web, "REPLY_FLOOR_SECONDS", 0.0)


def add_account(
    database: Database,
    *,
    name: str = "Ana Buyer",
    email: str = "ana@example.com",
    phone: str = "+14155550101",
    password: str = PASSWORD,
    **fields: Any,
) -> Person:
    now = utcnow()
    with database.transaction() as db:
        values: dict[str, Any] = {"email_verified_at": now, "phone_verified_at": now, **fields}
        account = Account(
            name=name, email=email, phone=phone, password_hash=hash_password(password), **values
        )
        db.add(account)
        db.flush()
        return Person(account.id, name, email, phone, password)


@pytest.fixture
def ana(database: Database) -> Person:
    return add_account(database)


class Api:
    """A TestClient that carries the browser session's CSRF token, like the pages' scripts do."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.csrf = str(client.get("/api/v1/auth/session").json()["csrf_token"])

    def refresh_csrf(self) -> None:
        self.csrf = str(self.client.get("/api/v1/auth/session").json()["csrf_token"])

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.client.post(
            f"/api/v1/auth{path}", json=body or {}, headers={"x-csrf-token": self.csrf}
        )

    def delete(self, path: str) -> Any:
        return self.client.delete(f"/api/v1/auth{path}", headers={"x-csrf-token": self.csrf})

    def get(self, path: str) -> Any:
        return self.client.get(f"/api/v1/auth{path}")

    def captcha(self) -> str:
        challenge = altcha.Challenge.from_dict(self.get("/captcha").json())
        solution = altcha.solve_challenge(challenge)
        assert solution is not None
        return altcha.Payload(challenge, solution).to_base64()

    def sign_in(self, identifier: str, password: str = PASSWORD) -> Any:
        response = self.post("/sign-in", {"identifier": identifier, "password": password})
        self.refresh_csrf()
        return response


@pytest.fixture
def api(client: TestClient) -> Iterator[Api]:
    yield Api(client)


def last_email_code(to: str) -> str:
    for email in reversed(memory_outbox):
        if email.to == to:
            found = CODE_PATTERN.search(email.subject)
            assert found, email.subject
            return found.group(1)
    raise AssertionError(f"no code was e-mailed to {to}")


def last_sms_code(to: str) -> str:
    for sms in reversed(memory_sms_outbox):
        if sms.to == to:
            found = CODE_PATTERN.search(sms.body)
            assert found, sms.body
            return found.group(1)
    raise AssertionError(f"no code was texted to {to}")


def other_code(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"
