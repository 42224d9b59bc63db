"""The staff home page's worklists and search in Chromium: axe-clean at desktop, 200 % zoom and 320 px; by keyboard
alone a clerk follows a hold kind to the filtered list, and finds an invoice by its amount."""

from __future__ import annotations

import re

from tests.browser.axe import check_page
from tests.browser.test_sign_in_pages import _tab_to


def test_a_clerk_follows_a_hold_kind_from_home_to_the_filtered_list_by_keyboard(page, sign_in):
    sign_in(page, "clerk")
    assert page.get_by_role("table", name=re.compile("Open holds by kind")).is_visible()
    check_page(page, "home-clerk-worklists")
    _tab_to(page, lambda f: f["tag"] == "A" and f["text"] == "Possible duplicate", limit=40)
    page.keyboard.press("Enter")
    page.wait_for_url("**/invoices?hold=duplicate_suspected")
    assert page.get_by_label("Open hold").input_value() == "duplicate_suspected"


def test_search_finds_an_invoice_by_amount_by_keyboard(page, sign_in):
    sign_in(page, "approver")
    _tab_to(page, lambda f: f["tag"] == "A" and f["text"] == "Search", limit=20)
    page.keyboard.press("Enter")
    page.wait_for_url("**/search")
    _tab_to(page, lambda f: f["id"] == "q", limit=20)
    page.keyboard.type("$1,200.00")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q="))
    assert page.get_by_role("link", name="A-2001", exact=True).is_visible()
    check_page(page, "search-results")
