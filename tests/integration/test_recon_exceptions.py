"""The exceptions queue and the daily report, on SQLite and PostgreSQL: a person matches by hand, two people
write off a bank fee, and the ledger's Cash ties out to the bank's closing balance."""

from __future__ import annotations

import datetime as dt

import pytest

from payments.controls import SelfApprovalForbidden
from payments.errors import DomainError
from payments.identity import Principal, Role
from payments.reconciliation.recon_exceptions_service import ReconExceptions
from payments.reconciliation.recon_queries import ReconQueries
from payments.reconciliation.recon_records import ExceptionKind, ExceptionStatus
from payments.business_days import BusinessCalendar
from tests.unit.reconciliation.statement_files import bai2

from .recon_support import opening_cash, pid, recon_service, seed_payments, trace

WED = dt.date(2026, 9, 23)
ANA = Principal.staff("usr_ana", Role.TREASURER)
BEN = Principal.staff("usr_ben", Role.TREASURER)
CLERK = Principal.staff("usr_clerk", Role.AP_CLERK)


def queries(c) -> ReconQueries:  # noqa: ANN001
    return ReconQueries(c.uow, calendar=BusinessCalendar(), unsettled_after=3, lookback_days=120)


@pytest.fixture
def city(container):  # noqa: ANN001, ANN201
    opening_cash(container, 100_000_000)
    seed_payments(container, "run_1", [("redwood", 745000, 1), ("acme", 1999, 2)])
    seed_payments(container, "run_2", [("blue", 125000, 3)])
    recon_service(container).import_file(bai2([
        ("466", 746999, "ACH20260923CCD", "run_1", "ACH SETTLEMENT"),
        ("466", 125000, "ACH20260923PPD", trace(3), "ACH SETTLEMENT"),
        ("469", 2500, "SVC0923", "", "ACCOUNT SERVICE CHARGE")], opening=100_000_000))
    return container


def _fee(c):  # noqa: ANN001, ANN202
    [fee] = queries(c).list_exceptions(kind=ExceptionKind.UNMATCHED_LINE)
    return fee


def test_the_report_ties_out_with_the_bank_fee_as_the_one_reconciling_item(city):
    report = queries(city).report(WED)
    [cash] = report.cash
    assert (cash.ledger_cash_minor, cash.bank_closing_minor, cash.difference_minor) == (
        100_000_000 - 871_999, 100_000_000 - 874_499, -2500)
    assert [(i.kind, i.amount_minor) for i in cash.items] == [("unmatched_line", -2500)]
    assert cash.ties_out and report.ties_out
    assert len(report.matched) == 2 and {m["method"] for m in report.matched} == {"batch_reference", "trace"}
    assert "TIES OUT" in report.describe() and report.table()[0][0] == "section"


def test_a_write_off_needs_a_second_treasurer_and_then_brings_the_books_to_the_bank(city):
    service = ReconExceptions(city.uow, city.vault, city.clock)
    fee = _fee(city)
    with pytest.raises(DomainError):
        service.request_write_off(CLERK, fee.id, reason="bank fee")  # not a treasurer's colleague: no right
    with pytest.raises(DomainError) as caught:
        service.request_write_off(ANA, fee.id, reason="  ")
    assert caught.value.code == "reason_required"
    service.request_write_off(ANA, fee.id, reason="monthly account service charge", account="100-5000")
    with pytest.raises(SelfApprovalForbidden):
        service.approve_write_off(ANA, fee.id)
    done = service.approve_write_off(BEN, fee.id)
    assert (done.status, done.approved_by, done.write_off_requested_by) == (ExceptionStatus.WRITTEN_OFF, "usr_ben",
                                                                            "usr_ana")
    with city.uow(read_only=True) as uow:
        [entry] = uow.ledger_queries.list_entries(code="write_off")
    assert {(p.account, p.direction.value, p.amount_minor) for p in entry.draft.postings} == {
        ("100-5000", "debit", 2500), ("100-1010", "credit", 2500)}
    [cash] = queries(city).report(WED).cash
    assert (cash.difference_minor, cash.items, cash.ties_out) == (0, (), True)


def test_an_ambiguous_line_is_matched_by_hand_with_a_reason(container):
    seed_payments(container, "run_a", [("oak", 50000, 11)])
    seed_payments(container, "run_b", [("elm", 50000, 12)])
    recon_service(container).import_file(bai2([("455", 50000, "", "", "ACH DEBIT")]))
    [exc] = queries(container).list_exceptions()
    assert exc.kind is ExceptionKind.AMBIGUOUS_MATCH and set(exc.candidates) == {pid("oak"), pid("elm")}
    service = ReconExceptions(container.uow, container.vault, container.clock)
    with pytest.raises(DomainError) as caught:
        service.resolve_by_match(ANA, exc.id, payment_ids=[pid("oak"), pid("elm")], reason="both?")
    assert caught.value.code == "match_amounts_differ"
    done = service.resolve_by_match(ANA, exc.id, payment_ids=[pid("elm")], reason="bank confirmed by phone: elm")
    assert (done.status, done.resolution, done.resolved_by) == (ExceptionStatus.RESOLVED, "manual_match", "usr_ana")
    with container.uow(read_only=True) as uow:
        assert uow.payments.get_payment(pid("elm")).status.value == "settled"
        assert uow.payments.get_payment(pid("oak")).status.value == "sent"
        [m] = uow.recon.matches_between(WED, WED)
    assert (m.method, m.confidence_pct, m.matched_by, m.reason) == ("manual", 100, "usr_ana",
                                                                   "bank confirmed by phone: elm")
    with pytest.raises(DomainError):
        service.resolve_by_match(ANA, exc.id, payment_ids=[pid("oak")], reason="again")


def test_a_payment_no_statement_shows_after_three_business_days_is_flagged_daily_once(container):
    seed_payments(container, "run_old", [("late", 31400, 21)], sent_on=dt.date(2026, 9, 14))
    service = recon_service(container)
    first = service.reconcile(WED)
    again = service.reconcile(WED)
    assert (first["unsettled_flagged"], again["unsettled_flagged"]) == (1, 0)
    report = queries(container).report(WED)
    assert [(p["payment_id"], p["business_days"]) for p in report.unsettled] == [(pid("late"), 7)]
    [exc] = queries(container).list_exceptions(kind=ExceptionKind.UNSETTLED_PAYMENT)
    assert exc.payment_ids == (pid("late"),)
    # The statement that finally shows it closes the exception by itself.
    service.import_file(bai2([("466", 31400, "ACH0924", trace(21), "ACH")], on=dt.date(2026, 9, 24)))
    assert queries(container).list_exceptions(kind=ExceptionKind.UNSETTLED_PAYMENT) == []
