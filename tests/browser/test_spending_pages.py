"""Where the money goes, and the manager reports, in Chromium: the example agency's run of 5 November 2026 pays
Summit Office Supply (department FIN) and Jane Q. Public, a person (PW), among others. A resident chooses the year,
a department, a payee and a payment by keyboard alone; no public page ever shows Jane's name or invoice number;
every new page passes axe at desktop, 200 % zoom and 320 px."""

from __future__ import annotations

import datetime as dt
import re
from contextlib import contextmanager

import pytest

from tests.browser.axe import check_page
from tests.browser.conftest import START, WebServer, _missing, _serve, _unavailable, browser_policy
from tests.browser.test_sign_in_pages import _focused, _tab_to
from tests.browser.worlds import new_tab, sign_in_as

JANE = ("Jane Q. Public", "JQP-1", "Oak Lane")  # her name, her invoice number, the street on her PO is public


@contextmanager
def _served(tmp):  # noqa: ANN001, ANN202
    """The example agency on 2 November 2026 (tests/browser/worlds.py's serve_world is dated 1 October, before a
    November run may be dated), Jane's fence repair bought, and the run of 5 November sent."""
    reason = _missing()
    if reason:
        _unavailable(reason)
    import main
    from adapters.clock import FixedClock
    from tests.conftest import make_settings
    from tests.e2e.people import FAST_HASHER
    from tests.integration.ap_story import ap, budget
    from tests.integration.test_open_checkbook import TREASURER, _bought, _vendor
    from tests.payment_fakes import FakeAccounts, MemoryRail

    c = main.build(make_settings(f"sqlite:///{tmp / 'disburse.db'}", tmp, policy_file=browser_policy(tmp)),
                   migrate=True, clock=FixedClock(START), password_hasher=FAST_HASHER)
    main.initialize(c, example=True)
    s = ap(c)
    budget(s)
    jane = _vendor(s, JANE[0], "987-65-4321", individual=True)
    _bought(s, jane, "PO-2027-8002", "Fence repair, 9 Oak Lane", 2, 7_500, JANE[1])
    svc = main.wire_payments(c, accounts=FakeAccounts(), rails=lambda _n: MemoryRail(name="nacha"))
    run = svc.create_run(run_date=dt.date(2026, 11, 5)).run
    svc.release(TREASURER, run.id)
    assert [o.result for o in svc.submit_released()] == ["accepted"]
    server, thread, url = _serve(main.create_app(c))
    try:
        yield WebServer(url, c, {u: p for u, _n, p in c.example_sign_ins})
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        c.engine.dispose()


@pytest.fixture(scope="module")
def paid(tmp_path_factory):  # noqa: ANN001, ANN201
    with _served(tmp_path_factory.mktemp("spending")) as server:
        yield server


def _enter(tab, predicate, url, limit: int = 60) -> None:  # noqa: ANN001
    _tab_to(tab, predicate, limit=limit)
    tab.keyboard.press("Enter")
    tab.wait_for_url(url)


def test_journey_by_keyboard_year_then_department_then_payee_then_payment(browser, paid):
    with new_tab(browser, paid) as tab:
        tab.goto("/spending?fiscal_year=2026")
        assert tab.get_by_text("No payment was made in this period.").is_visible()
        _tab_to(tab, lambda f: f["id"] == "fiscal_year", limit=20)
        tab.keyboard.press("ArrowUp")  # 2027, the year above
        assert _focused(tab)["text"].startswith("2027") or tab.locator("#fiscal_year").input_value() == "2027"
        _enter(tab, lambda f: f["tag"] == "BUTTON" and f["text"] == "Show spending", re.compile(r"fiscal_year=2027"))
        check_page(tab, "spending")
        _enter(tab, lambda f: f["tag"] == "A" and f["text"] == "FIN", re.compile(r"department=FIN"))
        assert tab.get_by_role("listitem").filter(has_text="Department: FIN").is_visible()
        _enter(tab, lambda f: f["tag"] == "A" and f["text"] == "Summit Office Supply",
               re.compile(r"/spending/payments\?"))
        check_page(tab, "spending-payments")
        _enter(tab, lambda f: f["tag"] == "A" and f["text"].startswith("Summit Office Supply"),
               re.compile(r"/spending/payments/pay_\w+$"), limit=40)
        assert tab.get_by_role("heading", level=1).inner_text().startswith("Payment pay_")
        assert tab.get_by_role("table", name=re.compile("What this payment paid")).is_visible()
        check_page(tab, "spending-payment")


def test_no_public_page_shows_a_redacted_payee(browser, paid):
    with new_tab(browser, paid) as tab:
        tab.goto("/spending?fiscal_year=2027&department=PW")
        assert tab.get_by_role("link", name="Redacted payee").first.is_visible()
        seen = [tab.content()]
        tab.get_by_role("link", name="Redacted payee").first.click()
        tab.wait_for_url(re.compile(r"payee=Redacted"))
        seen.append(tab.content())
        tab.locator("main table a[href^='/spending/payments/pay_']").first.click()
        tab.wait_for_url(re.compile(r"/spending/payments/pay_\w+$"))
        assert tab.get_by_text("Redacted payee").first.is_visible()
        seen.append(tab.content())
        for path in ("/spending/payments?fiscal_year=2027", "/spending/payments?fiscal_year=2027&q=fence",
                     "/spending/payments.csv?fiscal_year=2027", "/spending/totals.csv?fiscal_year=2027"):
            seen.append(tab.request.get(path).text())
        for text in seen:
            assert "Redacted payee" in text
            assert not [word for word in JANE[:2] if word in text]


def test_the_spanish_page_and_the_report_pages_pass_axe(browser, paid):
    with new_tab(browser, paid) as tab:
        tab.goto("/language/es?next=/spending%3Ffiscal_year%3D2027")
        assert tab.get_by_role("heading", level=1).inner_text() == "Adónde va el dinero"
        check_page(tab, "spending-es")
        tab.goto("/language/en?next=/")
        sign_in_as(tab, paid, "auditor")
        _enter(tab, lambda f: f["tag"] == "A" and f["text"] == "Reports", "**/reports", limit=30)
        check_page(tab, "reports")
        for name, query in (("spend", "fiscal_year=2027"), ("aging", "as_of=2026-12-31"),
                            ("prompt-pay", "from=2026-11-01&to=2026-11-30"),
                            ("diversity", "from=2026-11-01&to=2026-11-30"),
                            ("split-purchases", "from=2026-10-01&to=2026-11-30"),
                            ("cash-forecast", "as_of=2026-11-02&business_days=10"),
                            ("suppliers", "from=2026-10-01&to=2026-11-30"),
                            ("local", "from=2026-11-01&to=2026-11-30"),
                            ("signals", "from=2026-07-01&to=2026-11-30&include_dismissed=1")):
            tab.goto(f"/reports/{name}?{query}")
            assert tab.get_by_role("heading", level=1).is_visible()
            check_page(tab, f"report-{name}")


def test_an_approver_dismisses_an_assist_signal_by_keyboard_with_a_reason(browser, paid):
    """Jane was paid days after she became a vendor: a signal. The approver explains it and dismisses it."""
    with new_tab(browser, paid) as tab:
        sign_in_as(tab, paid, "approver")
        tab.goto("/reports/signals?from=2026-07-01&to=2026-11-30")
        check_page(tab, "signals")
        before = tab.locator("main tbody tr").count()
        assert before >= 1
        _tab_to(tab, lambda f: f["tag"] == "TEXTAREA", limit=40)
        tab.keyboard.type("A new vendor for an urgent fence repair, checked by phone")
        tab.keyboard.press("Tab")
        assert _focused(tab)["text"] == "Dismiss this signal"
        tab.keyboard.press("Enter")
        tab.wait_for_url(re.compile(r"done=dismissed"))
        assert tab.get_by_text("Dismissed with your reason.").is_visible()
        assert tab.locator("main tbody tr").count() == before - 1
        check_page(tab, "signals-dismissed")
