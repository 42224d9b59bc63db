"""The vendor, purchase-order and receipt review pages in Chromium: reached by keyboard from an invoice, and
axe-clean at desktop, 200 % zoom and 320 px."""

from __future__ import annotations

import re

from tests.browser.axe import check_page
from tests.browser.test_sign_in_pages import _tab_to


def test_from_an_invoice_to_its_po_receipt_and_vendor(page, sign_in):
    sign_in(page, "clerk")
    page.goto("/invoices?hold=price")
    page.get_by_role("link", name="A-2002", exact=True).click()
    _tab_to(page, lambda f: f["tag"] == "A" and f["text"] == "PO-2027-0001", limit=40)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/purchase-orders/po_\w+$"))
    check_page(page, "purchase-order")
    page.locator("a[href^='/receipts/rct_']").first.click()
    page.wait_for_url(re.compile(r"/receipts/rct_\w+$"))
    check_page(page, "receipt")
    page.get_by_role("link", name="PO-2027-0001").click()
    page.get_by_role("link", name="Acme Furniture Co.").click()
    page.wait_for_url(re.compile(r"/vendors/ven_\w+$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Acme Furniture Co."
    check_page(page, "vendor")
