"""Entry forms in Chromium, on the example agency: a clerk enters a purchase order by keyboard alone, an approver
approves it, the clerk records what arrived and opens a change order; a vendor sends an invoice by form by
keyboard alone and reads its credits. Each form, with its errors, and each page passes axe at desktop, 200 % zoom
and 320 px."""

from __future__ import annotations

import re

import pytest

from tests.browser.axe import check_page
from tests.browser.test_sign_in_pages import _tab_to
from tests.browser.worlds import new_tab, serve_world, sign_in_as


@pytest.fixture(scope="module")
def agency(tmp_path_factory):  # noqa: ANN001, ANN201
    with serve_world(tmp_path_factory.mktemp("entry"), lambda _c: None) as server:
        yield server


def _type_fields(tab, fields: list[tuple[str, str]]) -> None:  # noqa: ANN001
    for field_id, text in fields:
        _tab_to(tab, lambda f, want=field_id: f["id"] == want, limit=40)
        tab.keyboard.type(text)


def test_journey_by_keyboard_a_clerk_enters_a_purchase_order_that_is_approved_and_received(browser, agency):
    with new_tab(browser, agency) as tab:
        sign_in_as(tab, agency, "clerk")
        _tab_to(tab, lambda f: f["tag"] == "A" and f["text"] == "Enter a purchase order", limit=30)
        tab.keyboard.press("Enter")
        tab.wait_for_url("**/purchase-orders/new")
        check_page(tab, "po-new")
        _tab_to(tab, lambda f: f["tag"] == "BUTTON" and f["text"] == "Enter purchase order", limit=80)
        tab.keyboard.press("Enter")
        assert "The purchase order was not entered" in tab.get_by_role("alert").inner_text()
        check_page(tab, "po-new-errors")
        _tab_to(tab, lambda f: f["id"] == "vendor_id", limit=40)
        tab.keyboard.type("Summit")
        _type_fields(tab, [("number", "PO-2027-0200"), ("description", "toner for the clerk's office"),
                           ("line1_item", "toner cartridges"), ("line1_quantity", "10"),
                           ("line1_unit_of_measure", "each"), ("line1_unit_price", "45.00"), ("line1_fund", "100"),
                           ("line1_department", "FIN"), ("line1_object_code", "5110")])
        _tab_to(tab, lambda f: f["tag"] == "BUTTON" and f["text"] == "Enter purchase order", limit=80)
        tab.keyboard.press("Enter")
        tab.wait_for_url(re.compile(r"/purchase-orders/po_\w+\?done=entered$"))
        url = tab.url.split("?")[0]
        check_page(tab, "po-entered")
    with new_tab(browser, agency) as tab:
        sign_in_as(tab, agency, "approver")
        tab.goto(url)
        _tab_to(tab, lambda f: f["tag"] == "BUTTON" and f["text"] == "Approve this purchase order", limit=40)
        tab.keyboard.press("Enter")
        tab.wait_for_url(re.compile(r"\?done=approved$"))
    with new_tab(browser, agency) as tab:
        sign_in_as(tab, agency, "clerk")
        tab.goto(url)
        _tab_to(tab, lambda f: f["tag"] == "A" and f["text"] == "Record what was received", limit=40)
        tab.keyboard.press("Enter")
        tab.wait_for_url(re.compile(r"/receipts/new\?po_id="))
        check_page(tab, "receipt-new")
        _type_fields(tab, [("received_on", "11022026"), ("line1_received", "10")])
        _tab_to(tab, lambda f: f["tag"] == "BUTTON" and f["text"] == "Record the receipt", limit=20)
        tab.keyboard.press("Enter")
        tab.wait_for_url(re.compile(r"/receipts/rct_\w+\?done=entered$"))
        check_page(tab, "receipt-entered")
        tab.goto(url + "/change")
        assert tab.locator("#line1_item").input_value() == "toner cartridges"
        check_page(tab, "po-change")


def test_journey_by_keyboard_a_vendor_sends_an_invoice_and_reads_its_credits(browser, agency):
    with new_tab(browser, agency) as tab:
        sign_in_as(tab, agency, "summit-office-supply")
        _tab_to(tab, lambda f: f["tag"] == "A" and f["text"] == "Send an invoice", limit=30)
        tab.keyboard.press("Enter")
        tab.wait_for_url("**/portal/invoices/new")
        check_page(tab, "portal-submit")
        _type_fields(tab, [("invoice_number", "S-2101"), ("invoice_date", "10302026"), ("total", "42.50"),
                           ("line1_po_number", "PO-2027-0003"), ("line1_po_line_no", "1"), ("line1_quantity", "10"),
                           ("line1_unit_price", "4.25")])
        _tab_to(tab, lambda f: f["tag"] == "BUTTON" and f["text"] == "Send the invoice", limit=40)
        tab.keyboard.press("Enter")
        tab.wait_for_url(re.compile(r"/portal/invoices/inv_\w+\?sent=1$"))
        assert tab.get_by_role("status").filter(has_text="We received your invoice.").is_visible()
        tab.goto("/portal/invoices/new")
        tab.get_by_role("button", name="Send the file").click()  # no file chosen
        assert "Choose the invoice file (CSV)." in tab.get_by_role("alert").inner_text()
        check_page(tab, "portal-submit-errors")
        tab.goto("/portal/credits")
        assert tab.get_by_role("table").is_visible()
        check_page(tab, "portal-credits")
        tab.goto("/language/es?next=/portal/credits")
        assert tab.get_by_role("heading", level=1).inner_text() == "Mis créditos"
        check_page(tab, "portal-credits-es")
