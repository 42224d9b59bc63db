"""The bank-account change pages in Chromium: an approver records the call-back to the number on file by keyboard
alone, a treasurer approves and sees the cooling-off countdown; the list, the change waiting for its call-back, the
form with its error, and the change cooling off pass axe at desktop, 200 % zoom and 320 px."""

from __future__ import annotations

import re

import pytest

from tests.browser.axe import check_page
from tests.browser.test_sign_in_pages import _tab_to
from tests.browser.worlds import new_tab, serve_world, sign_in_as


@pytest.fixture(scope="module")
def change_asked(tmp_path_factory):  # noqa: ANN001, ANN201
    from payments.example.demo import VENDOR_ADMIN
    from tests.e2e.treasury_world import payable_agency

    def prepare(c) -> None:  # noqa: ANN001
        payable_agency(c)
        summit = next(v.vendor for v in c.ap.vendors.list(after=None, limit=100) if v.number == "V-1004")
        c.bank_accounts.request_change(VENDOR_ADMIN, summit.id, routing_number="021000021",
                                       account_number="55501234", account_type="checking")

    with serve_world(tmp_path_factory.mktemp("bank-change"), prepare) as server:
        yield server


def test_journey_by_keyboard_a_call_back_is_recorded_and_the_change_approved(browser, change_asked):
    server = change_asked
    with new_tab(browser, server) as tab:
        sign_in_as(tab, server, "approver")
        _tab_to(tab, lambda f: f["tag"] == "A" and "awaiting a call-back" in f["text"], limit=30)
        tab.keyboard.press("Enter")
        tab.wait_for_url("**/bank-changes?status=requested")
        check_page(tab, "bank-changes")
        _tab_to(tab, lambda f: f["tag"] == "A" and f["text"] == "Summit Office Supply", limit=40)
        tab.keyboard.press("Enter")
        tab.wait_for_url(re.compile(r"/bank-changes/\w+$"))
        check_page(tab, "bank-change-requested")
        _tab_to(tab, lambda f: f["tag"] == "BUTTON" and f["text"] == "Record the call-back", limit=60)
        tab.keyboard.press("Enter")  # no outcome chosen: the form comes back with its error
        assert "Choose what the call established." in tab.get_by_role("alert").inner_text()
        check_page(tab, "bank-change-callback-error")
        _tab_to(tab, lambda f: f["id"] == "outcome", limit=60)
        tab.keyboard.type("Confirmed")
        _tab_to(tab, lambda f: f["id"] == "note", limit=3)
        tab.keyboard.type("spoke to the owner on the number on file")
        _tab_to(tab, lambda f: f["tag"] == "BUTTON" and f["text"] == "Record the call-back", limit=3)
        tab.keyboard.press("Enter")
        tab.wait_for_url(re.compile(r"\?done=callback_recorded$"))
        url = tab.url.split("?")[0]
    with new_tab(browser, server) as tab:
        sign_in_as(tab, server, "treasurer")
        tab.goto(url)
        _tab_to(tab, lambda f: f["tag"] == "BUTTON" and f["text"] == "Approve this change", limit=60)
        tab.keyboard.press("Enter")
        tab.wait_for_url(re.compile(r"\?done=approved$"))
        assert "for 10 days and 0 hours more" in tab.locator(".countdown").inner_text()
        check_page(tab, "bank-change-cooling-off")
