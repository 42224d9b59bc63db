"""Matching on a real database, as worked examples (SQLite and PostgreSQL): holds raised, released, overridden."""

import datetime as dt
from decimal import Decimal

import pytest

from payments.ap.ap_errors import StaleState
from payments.controls import HoldReleaseForbidden, HoldReleaseReasonRequired
from payments.ap.documents import LineKind, MatchLevel, POStatus
from payments.identity import ActionNotAllowed
from tests.integration.ap_story import (APPROVER, CLERK, SERVICES, ap, approved_po, budget, credit, holds_of, inv_line,
                                        invoice, po_line, receive, status_of, vendor)


@pytest.fixture
def s(container):  # noqa: ANN001, ANN201
    services = ap(container)
    budget(services)
    budget(services, SERVICES)
    return services


def test_ten_chairs_eight_received_billed_ten_is_held_qty_received_and_released_when_two_more_arrive(s):
    acme = vendor(s)
    po = approved_po(s, acme)
    receive(s, po, (1, 8))

    bill = invoice(s, acme, inv_line(1, po, 10))

    assert bill.invoice.status.value == "held"
    view = s.invoices.view(bill.invoice.id)
    (hold,) = view.holds
    assert (hold.hold, hold.status, hold.finding["expected"], hold.finding["actual"]) == ("qty_received", "open", "8", "10")
    assert "10 have now been billed, but 8 have been received" in hold.finding["explanation"]

    receive(s, po, (1, 2), on=dt.date(2026, 10, 9))

    view = s.invoices.view(bill.invoice.id)
    assert view.record.invoice.status.value == "matched"
    (hold,) = view.holds
    assert (hold.status, hold.release_kind, hold.released_by) == ("released", "auto", "system")
    assert view.match.status_after == "matched" and view.match.trigger == "receipt" and view.match.findings == ()


def test_price_three_percent_over_a_two_percent_tolerance_is_held_price(container, s):
    import main
    from payments.ap.ap_policy import APPolicies

    container.policy["tolerances"].update(price_pct="2", version="tol-2pct")
    container.ap = None
    s = main.ap_services(container)
    assert isinstance(s.deps.policies, APPolicies)
    acme = vendor(s)
    po = approved_po(s, acme)
    receive(s, po, (1, 10))

    over_3 = invoice(s, acme, inv_line(1, po, 10, 12_360), number="INV-3")  # $123.60 a chair
    view = s.invoices.view(over_3.invoice.id)
    assert "price" in holds_of(s, over_3.invoice.id) and view.match.policy_version == "tol-2pct"
    price = next(h for h in view.holds if h.hold == "price")
    assert (price.finding["expected"], price.finding["actual"], price.finding["limit"]) == ("12000", "12360", "12240")


def test_services_are_matched_two_way_with_no_receipt(s):
    acme = vendor(s, "Riverton IT Services", "98-7654321")
    po = approved_po(s, acme, po_line(1, 12, 250_000, item="help desk", uom="month", coding=SERVICES,
                                      kind=LineKind.SERVICES), number="PO-SVC")
    march = invoice(s, acme, inv_line(1, po, 1, 250_000), number="IT-03")
    assert march.invoice.status.value == "matched"
    thirteen = invoice(s, acme, inv_line(1, po, 12, 250_000), number="IT-04")
    assert holds_of(s, thirteen.invoice.id) == ["amount_ordered", "max_total", "qty_ordered"]


def test_four_way_with_a_rejected_quantity_is_held_qty_accepted_until_billed_for_what_passed(s):
    acme = vendor(s)
    po = approved_po(s, acme, po_line(1, 10, level=MatchLevel.FOUR_WAY))
    receive(s, po, (1, 10, 8))  # two chairs failed inspection

    ten = invoice(s, acme, inv_line(1, po, 10))
    assert holds_of(s, ten.invoice.id) == ["qty_accepted"]
    eight = invoice(s, acme, inv_line(1, po, 8), number="INV-1002")
    assert eight.invoice.status.value == "matched"


def test_partial_receipts_over_three_invoices_and_a_fourth_that_overbills(s):
    acme = vendor(s)
    po = approved_po(s, acme)
    for n, (qty, day) in enumerate([(4, 1), (3, 10), (3, 20)], start=1):  # 3 and 3 dated >7 days apart
        receive(s, po, (1, qty), on=dt.date(2026, 10, day))
        bill = invoice(s, acme, inv_line(1, po, qty), number=f"INV-{n}", invoice_date=dt.date(2026, 10, day + 1),
                       received_on=dt.date(2026, 10, day + 2))
        assert bill.invoice.status.value == "matched", n
    extra = invoice(s, acme, inv_line(1, po, 1), number="INV-4", invoice_date=dt.date(2026, 10, 28),
                    received_on=dt.date(2026, 10, 29))
    assert holds_of(s, extra.invoice.id) == ["amount_ordered", "max_total", "qty_ordered", "qty_received"]


def test_a_credit_memo_restores_quantity_and_releases_the_held_rebill(s):
    acme = vendor(s)
    po = approved_po(s, acme)
    receive(s, po, (1, 10))
    first = invoice(s, acme, inv_line(1, po, 10))
    s.approvals.approve(APPROVER, first.invoice.id)
    rebill = invoice(s, acme, inv_line(1, po, 2), number="INV-1002", invoice_date=dt.date(2026, 10, 28),
                     received_on=dt.date(2026, 10, 29))
    assert holds_of(s, rebill.invoice.id) == ["amount_ordered", "max_total", "qty_ordered", "qty_received"]

    credit(s, acme, po, 2, 24_000)

    assert status_of(s, rebill.invoice.id) == "matched"
    assert holds_of(s, rebill.invoice.id, "released") == ["amount_ordered", "max_total", "qty_ordered", "qty_received"]


def test_a_credit_memo_may_not_credit_more_than_was_billed(s):
    acme = vendor(s)
    po = approved_po(s, acme)
    receive(s, po, (1, 10))
    invoice(s, acme, inv_line(1, po, 5))
    with pytest.raises(Exception) as refused:
        credit(s, acme, po, 6, 72_000)
    assert refused.value.code == "exceeds_billed_quantity"


@pytest.mark.parametrize("signal", ["same_number", "same_amount_near_date", "same_file"])
def test_duplicates_are_suspected_by_each_signal_and_overridden_only_with_a_reason(s, signal):
    acme = vendor(s)
    po = approved_po(s, acme)
    receive(s, po, (1, 10))
    digest = "ab" * 32
    first = invoice(s, acme, inv_line(1, po, 2), number="INV-0042", file_digest=digest if signal == "same_file" else None)
    second_lines = {"same_number": (inv_line(1, po, 3),), "same_amount_near_date": (inv_line(1, po, 2),),
                    "same_file": (inv_line(1, po, 1),)}[signal]
    second = invoice(s, acme, *second_lines, number="inv 42" if signal == "same_number" else "INV-77",
                     invoice_date=dt.date(2026, 10, 7), received_on=dt.date(2026, 10, 8),
                     file_digest=digest if signal == "same_file" else None)

    view = s.invoices.view(second.invoice.id)
    (dup,) = [h for h in view.holds if h.hold == "duplicate_suspected"]
    assert dup.finding["detail"] == [signal] and dup.finding["related_ids"] == [first.invoice.id]
    assert status_of(s, first.invoice.id) == "matched"  # the original is never the suspect

    with pytest.raises(HoldReleaseReasonRequired):
        s.approvals.override_duplicate(APPROVER, second.invoice.id, "  ")
    with pytest.raises(HoldReleaseForbidden):
        s.approvals.override_duplicate(CLERK, second.invoice.id, "a second delivery")
    after = s.approvals.override_duplicate(APPROVER, second.invoice.id, "vendor confirmed a second delivery")
    assert after.record.invoice.status.value == "matched"
    (dup,) = [h for h in after.holds if h.hold == "duplicate_suspected"]
    assert (dup.release_kind, dup.released_by, dup.reason) == ("manual", "usr_bob", "vendor confirmed a second delivery")


def test_a_manual_release_covers_the_finding_as_it_was_and_a_person_must_say_why(s):
    acme = vendor(s)
    po = approved_po(s, acme)
    receive(s, po, (1, 8))
    bill = invoice(s, acme, inv_line(1, po, 10))
    (hold,) = s.invoices.view(bill.invoice.id).holds
    with pytest.raises(HoldReleaseReasonRequired):
        s.approvals.release_hold(APPROVER, bill.invoice.id, hold.id, "")
    with pytest.raises(HoldReleaseForbidden):
        s.approvals.release_hold(CLERK, bill.invoice.id, hold.id, "dock says all ten came")
    view = s.approvals.release_hold(APPROVER, bill.invoice.id, hold.id, "dock says all ten came")
    assert view.record.invoice.status.value == "matched"


def test_an_improper_invoice_lists_every_defect_and_its_return_by_date(s):
    acme = vendor(s)
    po = approved_po(s, acme)
    receive(s, po, (1, 10))
    bad = invoice(s, acme, inv_line(1, po, 10), stated_total_minor=None, number="")
    assert holds_of(s, bad.invoice.id) == ["invoice_not_proper", "invoice_not_proper"]
    rec = s.invoices.view(bad.invoice.id).record
    assert {d["defect"] for d in rec.defects} == {"missing_total", "missing_invoice_number"}
    assert rec.return_by == dt.date(2026, 10, 13) and rec.prompt_pay.due_date is None
    returned = s.invoices.return_to_vendor(CLERK, bad.invoice.id)
    assert returned.invoice.status.value == "returned"


def test_a_proper_invoice_gets_its_prompt_pay_receipt_and_due_dates(s):
    acme = vendor(s)
    po = approved_po(s, acme)
    receive(s, po, (1, 10), on=dt.date(2026, 10, 1))
    bill = invoice(s, acme, inv_line(1, po, 10), received_on=dt.date(2026, 10, 6))
    pp = s.invoices.view(bill.invoice.id).record.prompt_pay
    # Acceptance deemed 7 days after delivery (Oct 8) is later than receipt of the invoice (Oct 6).
    assert (pp.acceptance_date, pp.receipt_date, pp.due_date) == (
        dt.date(2026, 10, 8), dt.date(2026, 10, 8), dt.date(2026, 11, 7))


def test_a_corrected_invoice_is_rematched_and_its_hold_released(s):
    acme = vendor(s)
    po = approved_po(s, acme)
    receive(s, po, (1, 8))
    bill = invoice(s, acme, inv_line(1, po, 10))
    from payments.ap.invoice_service import NewInvoice
    corrected = NewInvoice(acme, "INV-1001", dt.date(2026, 10, 5), "USD", (inv_line(1, po, 8),), dt.date(2026, 10, 6),
                           "net 30", 96_000, "Acme Furniture, 1 Main St", "Pat Lee, 555-0100")
    after = s.invoices.correct(CLERK, bill.invoice.id, corrected, expected_version=1)
    assert (after.invoice.status.value, after.version) == ("matched", 2)
    with pytest.raises(StaleState):
        s.invoices.correct(CLERK, bill.invoice.id, corrected, expected_version=1)


def test_a_status_change_guarded_on_a_state_someone_else_already_left_is_stale(container, s):
    acme = vendor(s)
    po = approved_po(s, acme)
    with container.uow() as uow, pytest.raises(StaleState) as stale:
        uow.purchase_orders.set_status(po, POStatus.DRAFT, POStatus.APPROVED)
    assert stale.value.code == "stale_state"
    with pytest.raises(ActionNotAllowed):
        s.purchase_orders.approve(CLERK, po)


def test_quantities_are_exact_decimals_in_sql_sums(s):
    acme = vendor(s)
    po = approved_po(s, acme, po_line(1, "2.5", 40_000, item="mulch", uom="ton"))
    receive(s, po, (1, "0.1"))
    receive(s, po, (1, "0.2"))
    bill = invoice(s, acme, inv_line(1, po, "0.3", 40_000))
    assert bill.invoice.status.value == "matched"
    assert s.invoices.view(bill.invoice.id).record.invoice.lines[0].quantity == Decimal("0.3")
