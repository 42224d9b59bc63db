"""Staff pages send as many SQL statements for a long page as for a short one: the invoice list reads a page in
one query (each row's open holds counted in it), and the home page counts each card's invoices up to its cap in
one query, whatever the page size or the number of invoices."""

from __future__ import annotations

import pytest

from tests.e2e.statements import statements
from tests.e2e.web import _riverton_template, riverton_web, web_sign_in  # noqa: F401


@pytest.mark.parametrize("query", ["?status=held", ""])
def test_an_invoice_list_page_of_three_sends_what_a_page_of_one_does(riverton_web, monkeypatch, query):
    from adapters.http.web import invoice_list_routes

    clerk = riverton_web.client()
    web_sign_in(clerk, "clerk", riverton_web.passwords["clerk"])
    sent_for = {}
    for size in (1, 3):
        monkeypatch.setattr(invoice_list_routes, "PAGE_SIZE", size)
        with statements(riverton_web.c.engine) as sent:
            page = clerk.get(f"/invoices{query}")
        assert page.status_code == 200 and page.text.count('<td><a href="/invoices/inv_') == size
        sent_for[size] = len(sent)
    assert sent_for[1] == sent_for[3], sent_for


def test_the_home_page_counts_with_one_statement_a_card(riverton_web, monkeypatch):
    """With the cap at 1 or at 100 the home sends the same statements: a count stops at the cap in the query."""
    from adapters.http.web import home_queue

    clerk = riverton_web.client()
    web_sign_in(clerk, "clerk", riverton_web.passwords["clerk"])
    sent_for, pages = {}, {}
    for cap in (1, 100):
        monkeypatch.setattr(home_queue, "CAP", cap)
        with statements(riverton_web.c.engine) as sent:
            pages[cap] = clerk.get("/")
        assert pages[cap].status_code == 200
        sent_for[cap] = len(sent)
    assert sent_for[1] == sent_for[100], sent_for
    # The example agency has eleven invoices on hold: past a cap of 1, said as such.
    assert '<span class="queue__count">1+</span>' in pages[1].text
    assert '<span class="queue__count">11</span>' in pages[100].text
