"""Each purchase order is charged to one fiscal year's appropriation (SQLite and PostgreSQL).

Riverton's fiscal year starts on July 1 (FY2027 runs from 2026-07-01 to 2027-06-30); the clock reads 2026-11-02.
Approving an order checks only its year's budget line: available = appropriation − encumbrances − expenditures
of that year. What the order posts later counts against the same year, and the journal alone says so.
"""

import datetime as dt

import pytest

from payments.ap.ap_errors import InsufficientFunds
from payments.ap.ap_postings import budget_effects
from payments.ap.budget_service import SetBudget
from payments.ap.po_service import NewPurchaseOrder
from tests.integration.ap_story import (APPROVER, CLERK, FURNITURE, TREASURER, ap, credit, inv_line, invoice, po_line,
                                        receive, vendor)


@pytest.fixture
def s(container):  # noqa: ANN001, ANN201
    # Riverton still charges last year's appropriation while it closes that year.
    container.policy.setdefault("budget", {})["po_fiscal_years_before"] = 1
    services = ap(container)
    services.budgets.set(TREASURER, SetBudget(2026, FURNITURE, 1_000_000))  # $10,000 left over from last year
    services.budgets.set(TREASURER, SetBudget(2027, FURNITURE, 100_000))  # $1,000 this year
    return services


def _order(s, vendor_id: str, number: str, *lines, fiscal_year: int | None = None) -> str:  # noqa: ANN001
    record, _ = s.purchase_orders.create(CLERK, NewPurchaseOrder(number, vendor_id, "USD", lines or (po_line(),),
                                                                 fiscal_year=fiscal_year))
    return record.po.id


def _journal_years(container) -> dict:  # noqa: ANN001
    with container.uow(read_only=True) as uow:
        entries = uow.ledger_queries.list_entries(limit=10_000)
    return budget_effects(e.draft for e in entries)


def test_this_years_order_cannot_spend_last_years_money(s):
    acme = vendor(s)
    chairs = _order(s, acme, "PO-FY27-1")  # 10 chairs at $120, entered in FY2027

    with pytest.raises(InsufficientFunds) as refused:
        s.purchase_orders.approve(APPROVER, chairs)

    assert refused.value.details["coding"].startswith("FY2027 ")
    assert (refused.value.details["needed_minor"], refused.value.details["available_minor"]) == (120_000, 100_000)
    assert s.budgets.availability(FURNITURE, fiscal_year=2026).available_minor == 1_000_000  # untouched


def test_an_order_charged_to_last_year_spends_only_last_years_line(container, s):
    acme = vendor(s)
    chairs = _order(s, acme, "PO-FY26-1", fiscal_year=2026)
    s.purchase_orders.approve(APPROVER, chairs)
    assert s.purchase_orders.get(chairs).fiscal_year == 2026

    last, this = (s.budgets.availability(FURNITURE, fiscal_year=y) for y in (2026, 2027))
    assert (last.encumbered_minor, last.available_minor) == (120_000, 880_000)
    assert (this.encumbered_minor, this.available_minor) == (0, 100_000)
    assert s.budgets.availability(FURNITURE).fiscal_year == 2027  # the default is the current year

    receive(s, chairs, (1, 10))  # delivered in FY2027: still charged to FY2026's appropriation
    last = s.budgets.availability(FURNITURE, fiscal_year=2026)
    assert (last.encumbered_minor, last.expended_minor, last.available_minor) == (0, 120_000, 880_000)
    assert s.budgets.availability(FURNITURE, fiscal_year=2027).available_minor == 100_000


def test_the_budget_lines_are_what_the_journal_says_each_year_was_charged(container, s):
    acme = vendor(s)
    old = _order(s, acme, "PO-FY26-2", po_line(1, 10, 12_000), fiscal_year=2026)
    new = _order(s, acme, "PO-FY27-2", po_line(1, 5, 12_000))
    s.purchase_orders.approve(APPROVER, old)
    s.purchase_orders.approve(APPROVER, new)
    receive(s, old, (1, 10))
    receive(s, new, (1, 5))
    # One invoice billing both orders, $1 a chair over on each: the variance splits by year.
    bill = invoice(s, acme, inv_line(1, old, 10, 12_100), inv_line(2, new, 5, 12_100))
    for hold in s.invoices.view(bill.invoice.id).holds:
        s.approvals.release_hold(APPROVER, bill.invoice.id, hold.id, "price rise agreed by phone")
    s.approvals.approve(APPROVER, bill.invoice.id)
    credit(s, acme, new, 0, 2_000)  # $20 off this year's chairs
    s.purchase_orders.close(CLERK, old, final=True, reason="done")

    years = _journal_years(container)
    for year, (enc, exp) in {2026: (0, 120_000 + 1_000), 2027: (0, 60_000 + 500 - 2_000)}.items():
        line = s.budgets.availability(FURNITURE, fiscal_year=year)
        effect = years[(year, "100", "PW", "5710", "USD")]
        assert (line.encumbered_minor, line.expended_minor) == (enc, exp)
        assert (effect.encumbered_minor, effect.expended_minor) == (enc, exp)
        assert effect.appropriated_minor == line.appropriated_minor
    # The coded accounts hold both years together.
    with container.uow(read_only=True) as uow:
        from payments.ap.budget_service import ledger_availability
        both = ledger_availability(uow, FURNITURE, "USD")
    assert both.expended_minor == 121_000 + 58_500 and both.appropriated_minor == 1_100_000
    assert container.ledger.verify().ok


def test_a_budget_cut_is_checked_against_its_own_year(s):
    acme = vendor(s)
    s.purchase_orders.approve(APPROVER, _order(s, acme, "PO-FY26-3", po_line(1, 50, 12_000), fiscal_year=2026))
    s.budgets.set(TREASURER, SetBudget(2027, FURNITURE, 0))  # nothing committed this year: may go to zero
    with pytest.raises(InsufficientFunds):
        s.budgets.set(TREASURER, SetBudget(2026, FURNITURE, 500_000))  # $6,000 is committed last year
    assert s.budgets.availability(FURNITURE, fiscal_year=2026).available_minor == 400_000


def test_a_draft_from_before_fiscal_years_were_kept_is_charged_to_the_year_it_is_approved_in(container, s):
    from sqlalchemy import update

    from adapters.db.ap.ap_tables import purchase_orders

    acme = vendor(s)
    chairs = _order(s, acme, "PO-LEGACY", po_line(1, 5, 12_000))
    with container.uow() as uow:  # as migration 0009 left it
        uow.conn.execute(update(purchase_orders).where(purchase_orders.c.id == chairs).values(fiscal_year=None))
        uow.commit()
    s.purchase_orders.approve(APPROVER, chairs)
    assert s.purchase_orders.get(chairs).fiscal_year == 2027
    assert s.budgets.availability(FURNITURE).encumbered_minor == 60_000


def test_fiscal_years_by_start_month():
    from payments.ap.ap_policy import APPolicies

    july = APPolicies.from_policy({})
    october = APPolicies.from_policy({"budget": {"fiscal_year_start_month": 10}})
    january = APPolicies.from_policy({"budget": {"fiscal_year_start_month": 1}})
    assert [july.fiscal_year_of(dt.date(2026, m, 1)) for m in (6, 7)] == [2026, 2027]
    assert [october.fiscal_year_of(dt.date(2026, m, 30)) for m in (9, 10)] == [2026, 2027]
    assert [january.fiscal_year_of(dt.date(2026, m, 1)) for m in (1, 12)] == [2026, 2026]


def test_an_order_may_be_charged_only_to_an_open_year(container, s):
    from payments.ap.ap_errors import InvalidDocument

    acme = vendor(s)
    for year in (2026, 2027, 2028):  # last year (opened by Riverton's policy), this year, next year
        _order(s, acme, f"PO-OPEN-{year}", fiscal_year=year)
    for year in (2025, 2029, 1901, 2999):
        with pytest.raises(InvalidDocument) as refused:
            _order(s, acme, f"PO-SHUT-{year}", fiscal_year=year)
        assert refused.value.code == "fiscal_year_not_open"


def test_by_default_an_order_is_charged_to_this_year_or_the_next():
    from payments.ap.ap_policy import APPolicies

    default = APPolicies.from_policy({})
    assert list(default.po_fiscal_years(dt.date(2026, 11, 2))) == [2027, 2028]
    wide = APPolicies.from_policy({"budget": {"po_fiscal_years_before": 1, "po_fiscal_years_after": 2}})
    assert list(wide.po_fiscal_years(dt.date(2026, 11, 2))) == [2026, 2027, 2028, 2029]
    with pytest.raises(ValueError):
        APPolicies.from_policy({"budget": {"po_fiscal_years_after": -1}})


def test_an_entry_posted_again_counts_once_on_its_budget_line(container, s):
    from payments.ap.ap_postings import EncumbranceChange, encumbrance_entry

    held = encumbrance_entry("po_encumbered", [EncumbranceChange(FURNITURE, 5_000)], currency="USD",
                             effective_date=dt.date(2026, 11, 2), memo="a retried approval", references={},
                             fiscal_year=2027)
    for _ in range(2):  # the second post is a replay of the same id: the journal keeps one entry
        with container.uow() as uow:
            s.deps.post(uow, [held])
            uow.commit()
    assert s.budgets.availability(FURNITURE, fiscal_year=2027).encumbered_minor == 5_000
