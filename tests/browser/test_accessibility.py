"""axe-core (bundled with axe-playwright-python, so it runs offline) on every main page of the
app: no serious or critical violation. A page that does not exist yet is skipped, saying so."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from mfa.people import Person, add_account, add_totp
from playwright.sync_api import Browser

from goodstanding.cases.appeals import AppealPath, appeal_service
from goodstanding.config import Settings
from goodstanding.kit.db import Database
from goodstanding.models.account import Account
from goodstanding.policy.service import active_policies
from tests.browser.signing import sign_in
from tests.cases.appeal_factories import GOOD_PLAN, invoice, suspended_for_order_defects

pytestmark = pytest.mark.browser
BLOCKING_IMPACTS = ("serious", "critical")


@dataclass(frozen=True)
class MainPage:
    name: str
    path: str
    who: str | None = None  # "seller" or "reviewer" when the page needs a sign-in


MAIN_PAGES = (
    MainPage("home", "/"),
    MainPage("sign-in", "/sign-in"),
    MainPage("sign-up", "/sign-up"),
    MainPage("can't sign in", "/cant-sign-in"),
    MainPage("policies", "/policies"),
    MainPage("account health", "/account-health", "seller"),
    MainPage("appeal", "/account-health/appeal", "seller"),
    MainPage("appeal status", "/account-health/appeals/{case_id}", "seller"),
    MainPage("console queue", "/console/queues/appeal", "reviewer"),
    MainPage("case view", "/console/cases/{case_id}", "reviewer"),
    MainPage("transparency report", "/transparency"),
)


def _open_appeal(database: Database, settings: Settings, seller: Person, violation_id: str) -> str:
    with database.transaction() as db:
        account = db.get(Account, seller.id)
        assert account is not None
        return appeal_service.submit(
            db,
            account=account,
            violation_ids=[violation_id],
            path=AppealPath.PLAN,
            plan=GOOD_PLAN,
            statement="",
            uploads=[invoice()],
            settings=settings,
            policies=active_policies(),
        ).id


@pytest.mark.parametrize("main_page", MAIN_PAGES, ids=[page.name for page in MAIN_PAGES])
def test_no_serious_or_critical_violations(
    main_page: MainPage,
    browser: Browser,
    live_server: str,
    database: Database,
    settings: Settings,
) -> None:
    # CSP forbids the injected axe script; bypassing it changes nothing that axe checks.
    context = browser.new_context(locale="en-US", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    path = main_page.path
    if main_page.who is not None:
        seller = add_account(
            database, name="Sam Seller", email="sam@shop.example", roles=["seller"]
        )
        violation_id = suspended_for_order_defects(database, seller.id)
        if "{case_id}" in path:
            path = path.format(case_id=_open_appeal(database, settings, seller, violation_id))
        if main_page.who == "seller":
            sign_in(page, live_server, seller)
        else:
            rita = add_account(
                database,
                name="Rita Reviewer",
                email="rita@staff.example",
                phone="+14155550103",
                roles=["reviewer"],
            )
            sign_in(page, live_server, rita, add_totp(database, rita))
    response = page.goto(live_server + path)
    if response is None or response.status == 404:
        context.close()
        pytest.skip(f"the {main_page.name} page ({path}) does not exist yet")
    assert response.status == 200, f"{path} answered {response.status}"
    results = Axe().run(page)
    context.close()
    assert results.response["testEngine"]["name"] == "axe-core"  # it really ran
    blocking = [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(str(node["target"]) for node in violation["nodes"])
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]
    assert blocking == []
