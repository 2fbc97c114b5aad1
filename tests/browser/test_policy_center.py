from __future__ import annotations

from playwright.sync_api import Page, expect


def test_policy_center_in_english_then_spanish(page: Page, live_server: str) -> None:
    page.goto(live_server + "/policies")
    expect(page.get_by_role("heading", level=1)).to_have_text("Seller policies")
    expect(page.get_by_role("heading", name="Cancellation rate")).to_be_visible()
    table = page.get_by_role("table")
    expect(table.get_by_role("row")).to_have_count(8)  # a header row and one per standing
    page.get_by_role("link", name="Español").click()
    expect(page.get_by_role("heading", name="Tasa de cancelación")).to_be_visible()
    expect(page.get_by_role("rowheader", name="Suspendida")).to_be_visible()
