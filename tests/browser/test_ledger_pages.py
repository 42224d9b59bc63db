"""The ledger and audit pages in Chromium (the example agency brought to a pay day): an auditor verifies the
journal and opens an entry and a document's audit trail by keyboard alone; the journal, the verification, the
balances, the entries, an entry and an audit trail pass axe at desktop, 200 % zoom and 320 px."""

from __future__ import annotations

import re

import pytest

from tests.browser.axe import check_page
from tests.browser.test_sign_in_pages import _tab_to
from tests.browser.worlds import new_tab, serve_world, sign_in_as


@pytest.fixture(scope="module")
def pay_day(tmp_path_factory):  # noqa: ANN001, ANN201
    from tests.e2e.treasury_world import payable_agency

    def prepare(c) -> None:  # noqa: ANN001
        payable_agency(c)
        c.ledger.checkpoint()

    with serve_world(tmp_path_factory.mktemp("ledger"), prepare) as server:
        yield server


def test_journey_by_keyboard_an_auditor_verifies_the_journal_and_reads_an_entry(browser, pay_day):
    with new_tab(browser, pay_day) as tab:
        sign_in_as(tab, pay_day, "auditor")
        _tab_to(tab, lambda f: f["tag"] == "A" and f["text"] == "Ledger", limit=30)
        tab.keyboard.press("Enter")
        tab.wait_for_url("**/ledger")
        check_page(tab, "ledger")
        _tab_to(tab, lambda f: f["tag"] == "A" and f["text"] == "Verify the journal now", limit=30)
        tab.keyboard.press("Enter")
        tab.wait_for_url("**/ledger/verification")
        assert tab.get_by_role("status").filter(has_text="The journal verifies").is_visible()
        check_page(tab, "ledger-verification")
        tab.goto("/ledger/entries?code=invoice_approved")
        check_page(tab, "ledger-entries")
        first = tab.locator("main table a").first.inner_text()
        _tab_to(tab, lambda f: f["tag"] == "A" and f["text"] == first, limit=40)
        tab.keyboard.press("Enter")
        tab.wait_for_url(re.compile(r"/ledger/entries/\w+$"))
        assert tab.locator("main").inner_text().count("Checked") == 3
        check_page(tab, "ledger-entry")
        reference = tab.locator("main ul a[href^='/audit/']").first
        name = reference.inner_text()
        _tab_to(tab, lambda f: f["tag"] == "A" and f["text"] == name, limit=40)
        tab.keyboard.press("Enter")
        tab.wait_for_url(re.compile(r"/audit/.+$"))
        check_page(tab, "audit-trail")


def test_the_balances_pass_axe(browser, pay_day):
    with new_tab(browser, pay_day) as tab:
        sign_in_as(tab, pay_day, "clerk")
        tab.goto("/ledger/balances?fund=100&group=object_code")
        assert tab.get_by_role("table", name=re.compile("Balances summed by Object code")).is_visible()
        check_page(tab, "ledger-balances")
