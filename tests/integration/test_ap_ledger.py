"""What AP events post (DESIGN.md §2), read back through the ledger's balances; funds checks; approvals."""

import datetime as dt

import pytest

from payments.ap.ap_errors import InsufficientFunds
from payments.controls import SameApproverTwice, SelfApprovalForbidden
from payments.ap.documents import LineKind
from payments.identity import Principal, Role
from payments.ap.po_service import NewPurchaseOrder
from tests.integration.ap_story import (APPROVER, APPROVER_2, CLERK, FURNITURE, SERVICES, ap, approved_po, balance,
                                        budget, inv_line, invoice, po_line, receive, vendor)

ENC, RESERVE, EXP = "100-8030-PW-5710", "100-3050", "100-5000-PW-5710"
GRNI, VP, APPROP = "100-2020", "100-2010", "100-8020-PW-5710"


@pytest.fixture
def s(container):  # noqa: ANN001, ANN201
    services = ap(container)
    budget(services)
    budget(services, SERVICES)
    return services


def test_encumbrance_accrual_liquidation_and_payable_through_the_ledger(container, s):
    acme = vendor(s)
    po = approved_po(s, acme)  # 10 chairs at $120
    assert (balance(container, ENC), balance(container, RESERVE)) == (120_000, 120_000)

    receive(s, po, (1, 8))
    assert (balance(container, EXP), balance(container, GRNI)) == (96_000, 96_000)
    assert (balance(container, ENC), balance(container, RESERVE)) == (24_000, 24_000)

    bill = invoice(s, acme, inv_line(1, po, 8))
    outcome = s.approvals.approve(APPROVER, bill.invoice.id)
    assert outcome.fully_approved
    assert (balance(container, GRNI), balance(container, VP)) == (0, 96_000)
    with container.uow(read_only=True) as uow:
        entry = uow.ledger_queries.get_entry(outcome.entry_id)
    assert entry.draft.code == "invoice_approved"
    assert entry.draft.data["match_digest"] == outcome.view.match.digest
    assert entry.draft.data["policy_version"] == outcome.view.match.policy_version
    assert entry.draft.references["invoice"] == bill.invoice.id

    s.purchase_orders.close(CLERK, po, final=True, reason="two chairs back-ordered for good")
    assert (balance(container, ENC), balance(container, RESERVE)) == (0, 0)
    # available = appropriation - encumbrances - expenditures
    assert s.budgets.availability(FURNITURE).available_minor == 10_000_000 - 96_000
    assert container.ledger.verify().ok


def test_a_return_to_the_vendor_reverses_the_accrual_and_re_encumbers(container, s):
    acme = vendor(s)
    po = approved_po(s, acme)
    receive(s, po, (1, 10))
    assert (balance(container, EXP), balance(container, ENC)) == (120_000, 0)
    receive(s, po, (1, -3), on=dt.date(2026, 10, 3))
    assert (balance(container, EXP), balance(container, GRNI), balance(container, ENC)) == (84_000, 84_000, 36_000)


def test_a_price_variance_goes_to_expenditures_when_a_price_hold_is_released(container, s):
    acme = vendor(s)
    po = approved_po(s, acme)
    receive(s, po, (1, 10))
    bill = invoice(s, acme, inv_line(1, po, 5, 12_100))  # $121: a dollar a chair over
    (price,) = [h for h in s.invoices.view(bill.invoice.id).holds if h.hold == "price"]
    s.approvals.release_hold(APPROVER, bill.invoice.id, price.id, "freight surcharge agreed")
    s.approvals.approve(APPROVER, bill.invoice.id)
    assert (balance(container, GRNI), balance(container, VP)) == (120_000 - 60_000, 60_500)
    assert balance(container, EXP) == 120_000 + 500


def test_a_services_invoice_is_expensed_and_liquidated_on_approval(container, s):
    it = vendor(s, "Riverton IT", "98-7654321")
    po = approved_po(s, it, po_line(1, 12, 250_000, item="help desk", uom="month", coding=SERVICES,
                                    kind=LineKind.SERVICES), number="PO-IT")
    enc = "100-8030-IT-5210"
    assert balance(container, enc) == 3_000_000
    march = invoice(s, it, inv_line(1, po, 1, 250_000), number="IT-03")
    s.approvals.approve(APPROVER, march.invoice.id)
    assert (balance(container, "100-5000-IT-5210"), balance(container, enc), balance(container, VP)) == (
        250_000, 2_750_000, 250_000)
    assert balance(container, GRNI) == 0


def test_the_funds_check_refuses_an_order_larger_than_what_is_left(container, s):
    from payments.ap.budget_service import SetBudget
    from tests.integration.ap_story import TREASURER

    s.budgets.set(TREASURER, SetBudget(2027, FURNITURE, 100_000))  # cut to $1,000
    acme = vendor(s)
    big, _ = s.purchase_orders.create(CLERK, NewPurchaseOrder("PO-BIG", acme, "USD", (po_line(),)))
    with pytest.raises(InsufficientFunds) as refused:
        s.purchase_orders.approve(APPROVER, big.po.id)
    assert (refused.value.details["needed_minor"], refused.value.details["available_minor"]) == (120_000, 100_000)
    assert s.purchase_orders.get(big.po.id).po.status.value == "draft" and balance(container, ENC) == 0

    approved_po(s, acme, po_line(1, 7, 12_000), number="PO-SEVEN")  # $840 fits
    five, _ = s.purchase_orders.create(CLERK, NewPurchaseOrder("PO-FIVE", acme, "USD", (po_line(1, 5),)))
    with pytest.raises(InsufficientFunds):
        s.purchase_orders.approve(APPROVER, five.po.id)  # $600 does not fit in the $160 left
    with pytest.raises(InsufficientFunds):
        s.budgets.set(TREASURER, SetBudget(2027, FURNITURE, 50_000))  # below what is already committed
    assert s.budgets.availability(FURNITURE).available_minor == 16_000


def test_separation_of_duties_and_two_approvers_above_the_threshold(container, s):
    acme = vendor(s)
    po = approved_po(s, acme, po_line(1, 250, 12_000))  # $30,000: above the $25,000 dual-approval threshold
    receive(s, po, (1, 250))
    both = Principal.staff("usr_dee", Role.AP_CLERK, Role.AP_APPROVER)
    bill = invoice(s, acme, inv_line(1, po, 250), who=both)
    with pytest.raises(SelfApprovalForbidden):
        s.approvals.approve(both, bill.invoice.id)
    first = s.approvals.approve(APPROVER, bill.invoice.id)
    assert not first.fully_approved and first.view.record.invoice.status.value == "matched"
    assert first.view.approvals_required == 2 and balance(container, VP) == 0
    with pytest.raises(SameApproverTwice):
        s.approvals.approve(APPROVER, bill.invoice.id)
    second = s.approvals.approve(APPROVER_2, bill.invoice.id)
    assert second.fully_approved and balance(container, VP) == 3_000_000
    with container.uow(read_only=True) as uow:
        entry = uow.ledger_queries.get_entry(second.entry_id)
    assert entry.draft.data["approvers"] == ["usr_bob", "usr_cy"]
    assert container.ledger.verify().ok


def test_an_approver_who_changed_the_vendors_bank_account_may_not_approve_while_it_cools_off(s):
    from payments.controls import BankChangeCoolingOff, BankChangeRestraint

    acme = vendor(s)
    po = approved_po(s, acme)
    receive(s, po, (1, 10))
    bill = invoice(s, acme, inv_line(1, po, 10))
    until = dt.datetime(2099, 1, 1, tzinfo=dt.timezone.utc)
    s.deps.restraints = lambda _uow, vendor_id: [BankChangeRestraint(vendor_id, frozenset({"usr_bob"}), until)]
    with pytest.raises(BankChangeCoolingOff):
        s.approvals.approve(APPROVER, bill.invoice.id)
    assert s.approvals.approve(APPROVER_2, bill.invoice.id).fully_approved


def test_ap_state_changes_are_in_the_signed_audit_trail(container, s):
    acme = vendor(s)
    po = approved_po(s, acme)
    receive(s, po, (1, 8))
    bill = invoice(s, acme, inv_line(1, po, 10))
    (hold,) = s.invoices.view(bill.invoice.id).holds
    s.approvals.release_hold(APPROVER, bill.invoice.id, hold.id, "counted at the dock again: ten")
    s.approvals.approve(APPROVER, bill.invoice.id)
    assert [e.action for e in container.audit.search(object_id=po)] == ["po_created", "po_approved"]
    events = container.audit.search(object_id=bill.invoice.id)
    assert [e.action for e in events] == ["invoice_entered", "invoice_hold_released", "invoice_approved"]
    assert events[1].actor == "usr_bob" and events[1].detail["reason"] == "counted at the dock again: ten"
    assert container.audit.verify().ok


def test_two_chairs_sent_back_and_credited_leave_expenditures_at_eight_and_two_chairs_encumbered(container, s):
    """Received 10, billed and approved 10; 2 go back to the vendor (a negative receipt), who credits them."""
    from tests.integration.ap_story import credit

    acme = vendor(s)
    po = approved_po(s, acme)
    receive(s, po, (1, 10))
    s.approvals.approve(APPROVER, invoice(s, acme, inv_line(1, po, 10)).invoice.id)
    receive(s, po, (1, -2), on=dt.date(2026, 10, 12))
    # The return reverses the accrual and re-encumbers; GRNI is a debit: billed for chairs we no longer hold.
    assert (balance(container, EXP), balance(container, ENC), balance(container, GRNI)) == (96_000, 24_000, -24_000)

    credit(s, acme, po, 2, 24_000)

    # The credit clears GRNI and what we owe; it does not take the chairs off Expenditures a second time.
    assert (balance(container, EXP), balance(container, GRNI), balance(container, VP)) == (96_000, 0, 96_000)
    assert (balance(container, ENC), balance(container, RESERVE)) == (24_000, 24_000)  # they may be re-delivered
    s.purchase_orders.close(CLERK, po, final=True, reason="vendor will not re-deliver")
    assert (balance(container, ENC), balance(container, RESERVE)) == (0, 0)
    assert s.budgets.availability(FURNITURE).available_minor == 10_000_000 - 96_000
    assert container.ledger.verify().ok


def test_a_credit_for_chairs_billed_but_kept_moves_them_back_to_received_not_invoiced(container, s):
    from tests.integration.ap_story import credit

    acme = vendor(s)
    po = approved_po(s, acme)
    receive(s, po, (1, 10))
    s.approvals.approve(APPROVER, invoice(s, acme, inv_line(1, po, 10)).invoice.id)

    credit(s, acme, po, 2, 24_000)  # billed in error: the vendor will bill them again later

    assert (balance(container, EXP), balance(container, GRNI), balance(container, VP)) == (120_000, 24_000, 96_000)
    assert balance(container, ENC) == 0  # received in full: nothing left to encumber


def test_a_price_credit_comes_off_expenditures_and_leaves_the_encumbrance_alone(container, s):
    from tests.integration.ap_story import credit

    acme = vendor(s)
    po = approved_po(s, acme)
    receive(s, po, (1, 5))
    s.approvals.approve(APPROVER, invoice(s, acme, inv_line(1, po, 5)).invoice.id)
    assert (balance(container, EXP), balance(container, ENC)) == (60_000, 60_000)

    credit(s, acme, po, 0, 2_500)  # $25 off for scratches

    assert (balance(container, EXP), balance(container, ENC), balance(container, VP)) == (57_500, 60_000, 57_500)
    assert balance(container, GRNI) == 0


def test_a_credited_month_of_services_is_re_encumbered_while_the_order_is_open(container, s):
    from tests.integration.ap_story import credit

    it = vendor(s, "Riverton IT", "98-7654321")
    po = approved_po(s, it, po_line(1, 12, 250_000, item="help desk", uom="month", coding=SERVICES,
                                    kind=LineKind.SERVICES), number="PO-IT")
    enc, exp = "100-8030-IT-5210", "100-5000-IT-5210"
    s.approvals.approve(APPROVER, invoice(s, it, inv_line(1, po, 2, 250_000), number="IT-0304").invoice.id)
    assert (balance(container, exp), balance(container, enc)) == (500_000, 2_500_000)

    credit(s, it, po, 1, 250_000, number="CM-IT-04")  # April's help desk was not staffed

    assert (balance(container, exp), balance(container, enc), balance(container, VP)) == (250_000, 2_750_000, 250_000)
    assert s.purchase_orders.get(po).budget[1].encumbered_minor == 2_750_000
    s.purchase_orders.close(CLERK, po, final=True, reason="contract ended")
    assert balance(container, enc) == 0 and balance(container, "100-3050") == 0
    assert container.ledger.verify().ok
