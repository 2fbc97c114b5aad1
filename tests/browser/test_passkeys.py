"""A real passkey in Chromium: registration, then passwordless sign-in, through the browser's
virtual authenticator (Chrome DevTools Protocol, WebAuthn domain)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from mfa.people import Person, add_account
from playwright.sync_api import BrowserContext, Page, expect

from goodstanding.config import Settings
from goodstanding.kit.db import Database
from goodstanding.models.mfa_authenticator import MfaAuthenticator


@pytest.fixture
def site(live_server: str, settings: Settings) -> Iterator[str]:
    """WebAuthn refuses IP addresses as relying-party ids: use the live server as localhost."""
    url = live_server.replace("127.0.0.1", "localhost")
    original = settings.base_url
    settings.base_url = url
    yield url
    settings.base_url = original


def add_virtual_authenticator(context: BrowserContext, page: Page) -> None:
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )


def sign_in_with_password(page: Page, site: str, person: Person) -> None:
    """Through the accounts API from inside the browser context (its cookies are the page's)."""
    csrf = page.request.get(f"{site}/api/v1/auth/session").json()["csrf_token"]
    answer = page.request.post(
        f"{site}/api/v1/auth/sign-in",
        data={"identifier": person.email, "password": person.password},
        headers={"x-csrf-token": csrf},
    )
    assert answer.json()["next"] == "done"


def test_register_a_passkey_then_sign_in_without_password(
    page: Page, context: BrowserContext, site: str, database: Database
) -> None:
    ana = add_account(database)
    add_virtual_authenticator(context, page)
    page.goto(site + "/")  # the first request creates the browser session
    sign_in_with_password(page, site, ana)

    page.goto(site + "/account/security/two-step/passkey")
    page.get_by_label("Name for this passkey").fill("Laptop")
    page.get_by_role("button", name="Add passkey").click()
    page.wait_for_url("**/account/security/two-step")
    expect(page.get_by_role("cell", name="Passkey or security key")).to_be_visible()
    with database.transaction() as db:
        factor = db.query(MfaAuthenticator).one()
        assert (factor.kind, factor.label, factor.account_id) == ("webauthn", "Laptop", ana.id)

    context.clear_cookies()  # a new visit, signed out
    page.goto(site + "/sign-in/passkey")
    page.get_by_role("button", name="Sign in with a passkey").click()
    page.wait_for_url("**/account")
    state = page.request.get(f"{site}/api/v1/auth/session").json()
    assert state["signed_in"] is True
    assert state["account"]["email"] == ana.email
