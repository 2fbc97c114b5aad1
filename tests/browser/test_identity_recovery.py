"""Browser journeys of identity recovery: the buyer who lost the phone gets back in after review
and the waiting period; the real owner stops a takeover from the e-mail link."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from mfa.people import Person, add_account, add_totp
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from goodstanding.kit.clock import clock
from goodstanding.kit.db import Database
from goodstanding.mfa.totp import auth
from goodstanding.models.mfa_authenticator import MfaAuthenticator
from goodstanding.notify.email import memory_outbox

CANCEL_LINK = re.compile(r"https?://\S+?(/recovery/cancel/\S+?)(?=[\s\"<])")


def passport_photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 220), (200, 210, 220)).save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture
def buyer(database: Database) -> Person:
    person = add_account(database, name="Vzor Specimen", email="vzor@example.com")
    add_totp(database, person)  # on the phone she lost
    return person


@pytest.fixture
def reviewer(database: Database) -> Person:
    return add_account(
        database,
        name="Rita Reviewer",
        email="rita@example.com",
        phone="+14155550103",
        roles=["reviewer"],
    )


def sign_in(page: Page, site: str, person: Person) -> None:
    page.goto(site + "/sign-in")
    page.get_by_label("E-mail address or phone number").fill(person.email)
    page.get_by_label("Password", exact=True).fill(person.password)
    page.get_by_role("button", name="Sign in").click()


def send_identity_document(page: Page, site: str, person: Person) -> None:
    sign_in(page, site, person)
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it's you")
    page.get_by_role("link", name="Recover with an identity document").click()
    page.get_by_label("Passport or identity card").set_input_files(
        {"name": "passport.jpg", "mimeType": "image/jpeg", "buffer": passport_photo()}
    )
    # Tests run jobs at once: the answer waits for the OCR pre-check (queued in production).
    page.get_by_role("button", name="Send for review").click(timeout=90_000)
    expect(page.locator("#recovery-status")).to_contain_text("We received your document")


def approve_oldest_case(browser: Browser, site: str, reviewer: Person) -> None:
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    sign_in(page, site, reviewer)
    page.goto(site + "/console/recovery")
    page.get_by_role("button", name="Take the oldest case").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Identity recovery case")
    page.get_by_label("Reason (sent to the person)").fill("The document matches the account.")
    page.get_by_role("button", name="Approve").click()
    expect(page.locator("#case-status")).to_have_text("approved")
    context.close()


def test_lost_phone_recovered_with_identity_document(
    page: Page,
    browser: Browser,
    live_server: str,
    buyer: Person,
    reviewer: Person,
    database: Database,
) -> None:
    send_identity_document(page, live_server, buyer)
    approve_oldest_case(browser, live_server, reviewer)
    page.goto(live_server + "/recovery/identity")
    expect(page.locator("#recovery-status")).to_contain_text("Approved")

    clock.advance(timedelta(hours=73))  # the waiting period passes
    page.context.clear_cookies()
    sign_in(page, live_server, buyer)
    expect(page).to_have_url(re.compile(r"/account$"))  # no second step: the factors are gone

    page.goto(live_server + "/account/security/two-step/totp")
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Code from the app").fill(
        auth.code_at_step(secret, auth.time_step(clock.now()))
    )
    page.get_by_label("Name for this app").fill("New phone")
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your backup codes")
    expect(page.locator("#backup-codes li")).to_have_count(10)
    with database.transaction() as db:
        labels = {f.label for f in db.query(MfaAuthenticator).filter_by(account_id=buyer.id)}
    assert "New phone" in labels and "Phone" not in labels


def test_owner_cancels_takeover_from_the_email_link(
    page: Page,
    browser: Browser,
    live_server: str,
    buyer: Person,
    reviewer: Person,
    database: Database,
) -> None:
    send_identity_document(page, live_server, buyer)  # someone who knows the password
    approve_oldest_case(browser, live_server, reviewer)
    notice = [e for e in memory_outbox if e.to == buyer.email and "recovering" in e.subject][-1]
    found = CANCEL_LINK.search(notice.text)
    assert found, notice.text

    owner = browser.new_context(locale="en-US").new_page()
    owner.goto(live_server + found.group(1))
    owner.get_by_role("button", name="This wasn't me: stop the recovery").click()
    expect(owner.get_by_role("heading", level=1)).to_have_text("The recovery is stopped")
    owner.context.close()

    clock.advance(timedelta(hours=80))
    page.context.clear_cookies()
    sign_in(page, live_server, buyer)
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it's you")
    with database.transaction() as db:
        assert db.query(MfaAuthenticator).filter_by(account_id=buyer.id).count() == 1
