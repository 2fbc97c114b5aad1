"""Staff who sign in with an authenticator app, and clients signed in as them."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from accounts.conftest import _small_captcha_and_short_padding  # noqa: F401  (autouse)
from fastapi import FastAPI
from fastapi.testclient import TestClient
from mfa.people import MfaApi, Person, add_account, add_totp, totp_now

from goodstanding.kit.db import Database

Login = Callable[[Person], TestClient]


def add_staff(
    database: Database, name: str, email: str, phone: str, roles: list[str], *, totp: bool = True
) -> tuple[Person, str | None]:
    person = add_account(database, name=name, email=email, phone=phone, roles=roles)
    return person, add_totp(database, person) if totp else None


@pytest.fixture
def login(app: FastAPI) -> Iterator[Callable[[Person, str | None], TestClient]]:
    """A new browser signed in as the person (with the TOTP second step when they have one)."""
    clients: list[TestClient] = []

    def sign_in(person: Person, secret: str | None = None) -> TestClient:
        client = TestClient(app, base_url="http://testserver")
        clients.append(client)
        api = MfaApi(client)
        answer = api.sign_in(person.email).json()
        if secret is not None:
            assert answer["next"] == "second_factor", answer
            assert api.second_step("totp", totp_now(secret)).status_code == 200
        client.headers["x-csrf-token"] = api.csrf
        return client

    yield sign_in
    for client in clients:
        client.close()


def csrf(client: TestClient) -> str:
    return str(client.headers["x-csrf-token"])
