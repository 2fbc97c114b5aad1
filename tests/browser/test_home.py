from __future__ import annotations

from playwright.sync_api import Page, expect


def test_home_in_english_then_spanish(page: Page, live_server: str) -> None:
    page.goto(live_server + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Your marketplace account, in good standing"
    )
    page.get_by_role("link", name="Español").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tu cuenta del mercado, en regla")
    expect(page.locator("html")).to_have_attribute("lang", "es")
