"""The reconciliation pages in Chromium the day a run settles (``tests/e2e/recon_world.py``): a treasurer imports
the bank's statement through the upload form, opens the exceptions queue and matches an exception by hand, by
keyboard alone (the file itself is chosen with Playwright's file chooser: a native dialog is the browser's, not the
page's); the report, the import form (and its error), the import summary, the queue and the exception (before and
after) pass axe at desktop, 200 % zoom and 320 px."""

from __future__ import annotations

import re

import pytest

from tests.browser.axe import check_page
from tests.browser.test_sign_in_pages import _tab_to
from tests.browser.worlds import new_tab, serve_world, sign_in_as


@pytest.fixture(scope="module")
def settlement_day(tmp_path_factory):  # noqa: ANN001, ANN201
    from tests.e2e.recon_world import awkward_statement, sent_run
    from tests.e2e.treasury_world import payable_agency

    made = {}

    def prepare(c) -> None:  # noqa: ANN001
        payable_agency(c)
        made["sent"] = sent = sent_run(c)
        made["statement"] = awkward_statement(c, sent)

    tmp = tmp_path_factory.mktemp("settlement-day")
    with serve_world(tmp, prepare) as server:
        (tmp / "statement.bai2").write_bytes(made["statement"])
        server.statement_file = tmp / "statement.bai2"  # type: ignore[attr-defined]
        server.sent = made["sent"]  # type: ignore[attr-defined]
        yield server


def test_journey_by_keyboard_an_exception_is_matched_by_hand(browser, settlement_day):
    server = settlement_day
    with new_tab(browser, server) as tab:
        sign_in_as(tab, server, "treasurer")
        tab.goto("/reconciliation/import")
        tab.get_by_role("button", name="Import the file").click()  # nothing chosen: the form says so
        check_page(tab, "recon-import-error")
        tab.set_input_files("#file", str(server.statement_file))
        _tab_to(tab, lambda f: f["tag"] == "BUTTON" and f["text"] == "Import the file", limit=40)
        tab.keyboard.press("Enter")
        tab.wait_for_url(re.compile(r"/reconciliation/files/\w+$"))
        assert tab.get_by_role("status").filter(has_text="The file is imported.").is_visible()
        check_page(tab, "recon-file")
        _tab_to(tab, lambda f: f["tag"] == "A" and f["text"] == "Work the exceptions queue", limit=40)
        tab.keyboard.press("Enter")
        tab.wait_for_url("**/reconciliation/exceptions")
        check_page(tab, "recon-exceptions")
        payments = server.sent.payments
        together = payments["Acme Furniture Co."][1] + payments["Summit Office Supply"][1]
        amount = f"-${together / 100:,.2f}"
        row = tab.get_by_role("row").filter(has_text=amount)
        exception_id = row.get_by_role("link").inner_text()
        _tab_to(tab, lambda f: f["tag"] == "A" and f["text"] == exception_id, limit=40)
        tab.keyboard.press("Enter")
        tab.wait_for_url(f"**/reconciliation/exceptions/{exception_id}")
        check_page(tab, "recon-exception-open")
        wanted = {f"pay-{payments[p][0]}" for p in ("Acme Furniture Co.", "Summit Office Supply")}
        in_order = [b for b in tab.locator("input[name=payment_ids]").evaluate_all("els => els.map(e => e.id)")
                    if b in wanted]
        for box in in_order:  # the boxes in the order Tab reaches them
            _tab_to(tab, lambda f, want=box: f["id"] == want, limit=40)
            tab.keyboard.press("Space")
        _tab_to(tab, lambda f: f["id"] == "reason", limit=10)
        tab.keyboard.type("the bank booked Acme's and Summit's payments as one debit")
        tab.keyboard.press("Tab")
        tab.keyboard.press("Enter")
        tab.wait_for_url(re.compile(r"\?done=matched$"))
        assert tab.get_by_role("status").filter(has_text="Matched by hand").is_visible()
        assert "Resolved" in tab.locator("dl").first.inner_text()
        check_page(tab, "recon-exception-matched")
        tab.goto(f"/reconciliation?on={server.sent.settles.isoformat()}")
        assert tab.get_by_role("heading", name=re.compile("Bank account .*, USD")).is_visible()
        check_page(tab, "recon-report")
