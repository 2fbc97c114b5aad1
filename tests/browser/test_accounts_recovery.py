"""Journeys through "Can't sign in?": a buyer resets a forgotten password by e-mail code and by
text-message code, and recovers which e-mail address the account uses. The captcha widget runs
for real in Chromium (with a small puzzle)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from goodstanding.accounts import captcha
from goodstanding.accounts import web as accounts_web
from goodstanding.kit.db import Database
from goodstanding.notify.email import memory_outbox
from goodstanding.notify.sms import memory_sms_outbox
from tests.accounts.conftest import (
    PASSWORD,
    Person,
    add_account,
    last_email_code,
    last_sms_code,
    other_code,
)

NEW_PASSWORD = "purple otters juggle winter lanterns"


@pytest.fixture
def store() -> str:
    """Journeys run on SQLite only; the API tests cover both stores."""
    return "sqlite"


@pytest.fixture(autouse=True)
def _small_puzzle(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(captcha, "MAX_COUNTER", 300)
    monkeypatch.setattr(accounts_web, "REPLY_FLOOR_SECONDS", 0.0)


@pytest.fixture
def ana(database: Database) -> Person:
    return add_account(database)


def ask_for_code(page: Page, live_server: str, identifier: str) -> None:
    page.goto(live_server + "/forgot-password")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your password")
    page.get_by_label("E-mail address or phone number").fill(identifier)
    expect(page.locator("input[name=altcha]")).not_to_have_value("", timeout=20_000)
    page.get_by_role("button", name="Send the code").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter the code")


def enter_code(page: Page, code: str) -> None:
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Continue").click()


def choose_password(page: Page, password: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    page.get_by_label("New password").fill(password)
    page.get_by_role("button", name="Save the new password").click()


def sign_in(page: Page, live_server: str, identifier: str, password: str) -> None:
    page.goto(live_server + "/sign-in")
    page.get_by_label("E-mail address or phone number").fill(identifier)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_reset_by_email_code(page: Page, live_server: str, ana: Person) -> None:
    ask_for_code(page, live_server, ana.email)
    enter_code(page, last_email_code(ana.email))
    choose_password(page, NEW_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your password has been changed")
    sign_in(page, live_server, ana.email, NEW_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")


def test_reset_by_sms_code(page: Page, live_server: str, ana: Person) -> None:
    ask_for_code(page, live_server, ana.phone)
    enter_code(page, last_sms_code(ana.phone))
    choose_password(page, NEW_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your password has been changed")


def test_five_wrong_codes_void_the_code(page: Page, live_server: str, ana: Person) -> None:
    ask_for_code(page, live_server, ana.email)
    right = last_email_code(ana.email)
    for left in (4, 3, 2, 1):
        enter_code(page, other_code(right))
        expect(page.locator("#code-error")).to_contain_text(f"{left} tries left")
        expect(page.get_by_label("Code")).to_have_attribute("aria-invalid", "true")
    enter_code(page, other_code(right))
    expect(page.locator("#code-error")).to_contain_text("five times")
    enter_code(page, right)
    expect(page.locator("#code-error")).to_contain_text("can no longer be used")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter the code")


def test_unknown_email_sees_exactly_what_a_known_one_sees(
    page: Page, live_server: str, ana: Person
) -> None:
    ask_for_code(page, live_server, ana.email)
    known = page.locator("main").inner_text()
    ask_for_code(page, live_server, "nobody@example.com")
    assert page.locator("main").inner_text() == known
    assert [email.to for email in memory_outbox] == [ana.email]


def test_after_a_reset_the_old_browser_session_is_signed_out(
    page: Page, browser: Browser, live_server: str, ana: Person
) -> None:
    sign_in(page, live_server, ana.email, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    other: BrowserContext = browser.new_context(locale="en-US")
    try:
        elsewhere = other.new_page()
        ask_for_code(elsewhere, live_server, ana.email)
        enter_code(elsewhere, last_email_code(ana.email))
        choose_password(elsewhere, NEW_PASSWORD)
        expect(elsewhere.get_by_role("heading", level=1)).to_have_text(
            "Your password has been changed"
        )
    finally:
        other.close()
    page.goto(live_server + "/account")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")


def test_forgot_username_shows_only_masked_identifiers(
    page: Page, live_server: str, ana: Person
) -> None:
    page.goto(live_server + "/cant-sign-in")
    page.get_by_label("I don't remember which e-mail address I used").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Find your account")
    page.get_by_label("Mobile phone number").fill(ana.phone)
    expect(page.locator("input[name=altcha]")).not_to_have_value("", timeout=20_000)
    page.get_by_role("button", name="Send the code").click()
    enter_code(page, last_sms_code(ana.phone))
    expect(page.get_by_role("heading", level=1)).to_have_text("This is your account")
    shown = page.locator("main").inner_text()
    assert "a***@e***.com" in shown
    assert ana.email not in shown
    assert ana.phone not in shown
    page.get_by_role("link", name="Choose a new password").click()
    choose_password(page, NEW_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your password has been changed")
    assert len(memory_sms_outbox) >= 2  # the code, then the "password changed" notice
