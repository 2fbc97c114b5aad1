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
from sqlalchemy import select

from goodstanding.kit.clock import clock
from goodstanding.kit.db import Database
from goodstanding.mfa.totp import auth
from goodstanding.models.case import Case
from goodstanding.models.mfa_authenticator import MfaAuthenticator
from goodstanding.notify.email import memory_outbox
from tests.browser.signing import sign_in

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


Staff = tuple[Person, str]


@pytest.fixture
def reviewers(database: Database) -> tuple[Staff, Staff]:
    """Two senior reviewers (identity recovery is their queue) with an authenticator app each:
    completing a recovery takes both."""
    pair = []
    for name, email, phone in (
        ("Rita Reviewer", "rita@example.com", "+14155550103"),
        ("Sol Senior", "sol@example.com", "+14155550104"),
    ):
        person = add_account(
            database, name=name, email=email, phone=phone, roles=["senior_reviewer"]
        )
        pair.append((person, add_totp(database, person)))
    return pair[0], pair[1]


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


def approve_next_case(browser: Browser, site: str, reviewer: Staff, reason: str) -> None:
    """One reviewer, in their own browser signed in with the authenticator app, takes the next
    identity recovery in the console, reads the pre-check and approves it."""
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    sign_in(page, site, *reviewer)
    page.goto(site + "/console/queues/identity_recovery")
    page.get_by_role("button", name="Work on the next case").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Identity recovery")
    expect(page.locator("#precheck")).to_be_visible()
    expect(page.get_by_role("img", name="Document: Passport or identity card")).to_be_visible()
    page.get_by_label("Approve").check()
    page.get_by_label("Reason (sent to the person)").fill(reason)
    page.get_by_role("button", name="Record the decision").click()
    context.close()


def approve_with_four_eyes(
    browser: Browser, site: str, reviewers: tuple[Staff, Staff], database: Database
) -> None:
    first, second = reviewers
    approve_next_case(browser, site, first, "The document matches the account.")
    with database.transaction() as db:  # one approval is not enough
        assert db.scalars(select(Case.status)).one() == Case.Status.open
    approve_next_case(browser, site, second, "Agreed: the document matches.")
    with database.transaction() as db:
        assert db.scalars(select(Case.status)).one() == Case.Status.approved


def test_lost_phone_recovered_with_identity_document(
    page: Page,
    browser: Browser,
    live_server: str,
    buyer: Person,
    reviewers: tuple[Staff, Staff],
    database: Database,
) -> None:
    send_identity_document(page, live_server, buyer)
    approve_with_four_eyes(browser, live_server, reviewers, database)
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
    reviewers: tuple[Staff, Staff],
    database: Database,
) -> None:
    send_identity_document(page, live_server, buyer)  # someone who knows the password
    approve_with_four_eyes(browser, live_server, reviewers, database)
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
