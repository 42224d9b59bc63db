"""The invoice pages in Chromium: the list, an invoice on hold and the entry form pass axe at desktop, 200 % zoom
and 320 px; the journeys run by keyboard alone — a clerk enters an invoice that lands on hold, an approver
releases the hold and approves it — and a large invoice waits for a second approver."""

from __future__ import annotations

import re

from tests.browser.axe import check_page
from tests.browser.test_sign_in_pages import _focused, _tab_to


def _invoice_url(page, number: str) -> str:  # noqa: ANN001
    page.goto("/invoices")
    return page.get_by_role("link", name=number, exact=True).get_attribute("href")


def test_the_invoice_list_and_a_held_invoice_pass_axe(page, sign_in):
    sign_in(page, "approver")
    page.goto("/invoices?status=held&sort=total&order=desc")
    assert page.get_by_role("heading", level=1).inner_text() == "Invoices"
    assert page.get_by_role("table").get_by_role("row").count() > 5
    check_page(page, "invoices-held")
    page.goto(_invoice_url(page, "A-2002"))
    assert page.get_by_role("row", name=re.compile("Price above the purchase order")).is_visible()
    check_page(page, "invoice-held-approver")


def test_the_entry_form_with_its_errors_passes_axe(page, sign_in):
    sign_in(page, "clerk")
    page.goto("/invoices/new")
    check_page(page, "invoice-new")
    page.get_by_role("button", name="Enter invoice").click()
    assert "The invoice was not entered" in page.get_by_role("alert").inner_text()
    assert page.title().startswith("Error: ")
    check_page(page, "invoice-new-errors")


def test_journey_by_keyboard_a_clerk_enters_an_invoice_that_lands_on_hold(page, sign_in, web_server):
    sign_in(page, "clerk")
    page.goto("/invoices/new")
    _tab_to(page, lambda f: f["id"] == "vendor_id", limit=25)
    page.keyboard.type("Acme")
    for field_id, text in (("invoice_number", "A-3101"), ("invoice_date", "10302026"), ("received_on", "10312026"),
                           ("terms", "net 30"), ("total", "1080.00")):
        _tab_to(page, lambda f, want=field_id: f["id"] == want, limit=6)
        page.keyboard.type(text)
    _tab_to(page, lambda f: f["id"] == "line1_po_id", limit=3)
    page.keyboard.type("PO-2027-0001")
    for field_id, text in (("line1_po_line_no", "1"), ("line1_quantity", "9"), ("line1_unit_price", "120.00")):
        _tab_to(page, lambda f, want=field_id: f["id"] == want, limit=3)
        page.keyboard.type(text)
    _tab_to(page, lambda f: f["tag"] == "BUTTON" and f["text"] == "Enter invoice", limit=30)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/invoices/inv_\w+\?done=entered$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Invoice A-3101"
    assert "More billed than received" in page.locator("main").inner_text()
    check_page(page, "invoice-entered-on-hold")


def test_journey_by_keyboard_an_approver_releases_the_hold_and_approves(page, sign_in):
    sign_in(page, "approver")
    page.goto(_invoice_url(page, "A-2001"))
    while page.get_by_role("button", name="Release hold").count():
        box = page.locator("textarea[id^=reason-]").first.get_attribute("id")
        _tab_to(page, lambda f, want=box: f["id"] == want, limit=60)
        page.keyboard.type("the rest arrived today, seen on the dock")
        page.keyboard.press("Tab")
        assert _focused(page)["text"] == "Release hold"
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"\?done=released$"))
    assert "On hold" not in page.locator("dl").inner_text()
    _tab_to(page, lambda f: f["tag"] == "BUTTON" and f["text"] == "Approve for payment", limit=60)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"\?done=approved$"))
    assert page.get_by_role("status").filter(has_text="Approved for payment.").is_visible()
    check_page(page, "invoice-approved")


def test_journey_a_second_approver_approves_a_large_invoice(page, sign_in):
    sign_in(page, "approver")
    url = _invoice_url(page, "IT-0913")
    page.goto(url)
    while page.get_by_role("button", name="Release hold").count():
        page.locator("textarea[id^=reason-]").first.fill("thirteenth month agreed in writing")
        page.get_by_role("button", name="Release hold").first.click()
        page.wait_for_url(re.compile(r"\?done=released$"))
    page.get_by_role("button", name="Approve for payment").click()
    page.wait_for_url(re.compile(r"\?done=approval_added$"))
    assert "needs another approver" in page.get_by_role("status").last.inner_text()
    assert page.get_by_role("button", name="Approve for payment").count() == 0
    check_page(page, "invoice-awaiting-second-approver")
    page.context.clear_cookies()
    sign_in(page, "approver2")
    page.goto(url)
    page.get_by_role("button", name="Approve for payment").click()
    page.wait_for_url(re.compile(r"\?done=approved$"))
    assert "Approved" in page.locator("dl").inner_text()
