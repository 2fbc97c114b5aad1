"""A seller suspended for order defect rate sees why, writes a plan of action, is asked for more
information, answers; a reviewer and then a second reviewer approve; the seller sells again.
The same journey in Spanish."""

from __future__ import annotations

from typing import Any

import pytest
from mfa.people import Person, add_account, add_totp
from playwright.sync_api import Browser, Page, expect

from goodstanding.kit.db import Database
from goodstanding.models.webhook_message import WebhookMessage
from tests.browser.signing import sign_in
from tests.cases.appeal_factories import GOOD_PLAN, suspended_for_order_defects

pytestmark = pytest.mark.browser

SELLER_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "locale": "en-US",
        "suspended": "Suspended",
        "reinstated": "Reinstated",
        "reactivate": "Reactivate your account",
        "why": "order defect rate",
        "root": "Root cause",
        "actions": "Corrective actions you have taken",
        "measures": "Preventive measures",
        "submit": "Submit",
        "with_team": "With our review team",
        "answer": "Your answer",
        "send_answer": "Send the answer",
        "accepted": "Accepted: selling restored",
        "can_list": "Can list products: Yes",
    },
    "es": {
        "locale": "es-ES",
        "suspended": "Suspendida",
        "reinstated": "Restablecida",
        "reactivate": "Reactiva tu cuenta",
        "why": "tasa de pedidos defectuosos",
        "root": "Causa raíz",
        "actions": "Medidas correctivas que has tomado",
        "measures": "Medidas preventivas",
        "submit": "Enviar",
        "with_team": "En manos de nuestro equipo de revisión",
        "answer": "Tu respuesta",
        "send_answer": "Enviar la respuesta",
        "accepted": "Aceptado: venta restablecida",
        "can_list": "Puede publicar productos: Sí",
    },
}


def reviewer_page(browser: Browser, site: str, person: Person, secret: str) -> Page:
    """A reviewer's own browser, signed in once (an authenticator code works only once)."""
    page = browser.new_context(locale="en-US").new_page()
    page.set_default_timeout(10_000)
    sign_in(page, site, person, secret)
    return page


def decide_next(page: Page, site: str, decision: str, message: str) -> None:
    page.goto(site + "/console/queues/appeal")
    page.get_by_role("button", name="Work on the next case").click()
    expect(page.locator("#case-status")).to_contain_text("open")
    page.get_by_label(decision).check()
    page.get_by_label("Message to the seller (reason, or the information you need)").fill(message)
    page.get_by_role("button", name="Record the decision").click()


@pytest.mark.parametrize("language", ["en", "es"])
def test_suspended_seller_appeals_and_sells_again(
    language: str, browser: Browser, live_server: str, database: Database
) -> None:
    text = SELLER_TEXT[language]
    sam = add_account(
        database,
        name="Sam Seller",
        email="sam@shop.example",
        roles=["seller"],
        locale=language,
    )
    suspended_for_order_defects(database, sam.id, orders=1500)
    rita = add_account(
        database,
        name="Rita Reviewer",
        email="rita@staff.example",
        phone="+14155550103",
        roles=["reviewer"],
    )
    sol = add_account(
        database,
        name="Sol Senior",
        email="sol@staff.example",
        phone="+14155550104",
        roles=["senior_reviewer"],
    )
    rita_secret, sol_secret = add_totp(database, rita), add_totp(database, sol)

    seller_context = browser.new_context(locale=text["locale"])
    seller = seller_context.new_page()
    seller.set_default_timeout(10_000)
    sign_in(seller, live_server, sam, language=language)
    seller.goto(live_server + "/account-health")
    expect(seller.locator("#standing")).to_have_text(text["suspended"])
    expect(seller.get_by_text(text["why"], exact=False).first).to_be_visible()
    seller.get_by_role("link", name=text["reactivate"]).first.click()
    seller.get_by_label(text["root"]).fill(GOOD_PLAN.root_cause)
    seller.get_by_label(text["actions"]).fill(GOOD_PLAN.corrective_actions)
    seller.get_by_label(text["measures"]).fill(GOOD_PLAN.preventive_measures)
    seller.get_by_role("button", name=text["submit"], exact=True).click()
    expect(seller.locator("#appeal-status")).to_have_text(text["with_team"])
    appeal_url = seller.url

    rita_page = reviewer_page(browser, live_server, rita, rita_secret)
    decide_next(
        rita_page,
        live_server,
        "Ask the seller for more information",
        "Send the courier's report for March.",
    )

    seller.goto(appeal_url)
    expect(seller.locator("#question")).to_contain_text("courier's report")
    seller.get_by_label(text["answer"]).fill("The report shows 14 lost parcels, all refunded.")
    seller.get_by_role("button", name=text["send_answer"]).click()
    expect(seller.locator("#appeal-status")).to_have_text(text["with_team"])

    reinstate = "Reinstate: restore selling privileges and listings"
    decide_next(rita_page, live_server, reinstate, "The plan is credible.")
    expect(rita_page.get_by_text("First approval by Rita Reviewer")).to_be_visible()
    rita_page.context.close()

    sol_page = reviewer_page(browser, live_server, sol, sol_secret)
    decide_next(sol_page, live_server, reinstate, "Agreed: reinstate.")
    expect(sol_page.locator("#case-status")).to_contain_text("completed")
    sol_page.context.close()

    seller.goto(appeal_url)
    expect(seller.locator("#appeal-status")).to_have_text(text["accepted"])
    seller.goto(live_server + "/account-health")
    expect(seller.locator("#standing")).to_have_text(text["reinstated"])
    expect(seller.get_by_text(text["can_list"])).to_be_visible()
    seller_context.close()
    with database.transaction() as db:
        restored: list[Any] = (
            db.query(WebhookMessage)
            .filter(WebhookMessage.event_type == "seller.listings_restored")
            .all()
        )
        assert len(restored) == 1
