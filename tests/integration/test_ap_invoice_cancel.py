"""Cancelling an invoice (SQLite and PostgreSQL): nothing to undo before approval, the approval undone after."""

import pytest

from payments.ap.ap_errors import InvalidDocument
from payments.ap.documents import LineKind, TransitionNotAllowed
from payments.identity import ActionNotAllowed, Principal, Role
from tests.integration.ap_story import (APPROVER, CLERK, SERVICES, ap, approved_po, balance, budget, holds_of,
                                        inv_line, invoice, po_line, receive, status_of, vendor)

ENC, EXP, GRNI, VP = "100-8030-PW-5710", "100-5000-PW-5710", "100-2020", "100-2010"
SUPERVISOR = Principal.staff("usr_sue", Role.AP_CLERK, Role.AP_APPROVER)


@pytest.fixture
def s(container):  # noqa: ANN001, ANN201
    services = ap(container)
    budget(services)
    budget(services, SERVICES)
    return services


def _entries(container) -> list:  # noqa: ANN001
    with container.uow(read_only=True) as uow:
        return uow.ledger_queries.list_entries(limit=10_000)


def test_a_held_invoice_entered_in_error_is_cancelled_and_nothing_is_posted(container, s):
    acme = vendor(s)
    po = approved_po(s, acme)
    receive(s, po, (1, 8))
    bill = invoice(s, acme, inv_line(1, po, 10))
    before = len(_entries(container))
    with pytest.raises(InvalidDocument):
        s.cancellations.cancel(CLERK, bill.invoice.id, "  ")

    s.cancellations.cancel(CLERK, bill.invoice.id, "keyed twice by mistake")

    assert status_of(s, bill.invoice.id) == "cancelled" and len(_entries(container)) == before
    (hold,) = s.invoices.view(bill.invoice.id).holds
    assert (hold.status, hold.release_kind, hold.reason) == ("released", "cancel", "invoice cancelled: keyed twice by mistake")
    with pytest.raises(TransitionNotAllowed):
        s.cancellations.cancel(CLERK, bill.invoice.id, "again")
    if getattr(container, "audit", None) is not None:
        (event,) = container.audit.search(object_id=bill.invoice.id, action="invoice_cancelled")
        assert (event.actor, event.detail["reason"], event.detail["entry_id"]) == ("usr_ann", "keyed twice by mistake", None)


def test_cancelling_a_matched_invoice_frees_what_it_billed_for_the_one_held_behind_it(s):
    acme = vendor(s)
    po = approved_po(s, acme)
    receive(s, po, (1, 10))
    wrong = invoice(s, acme, inv_line(1, po, 10), number="INV-77")
    right = invoice(s, acme, inv_line(1, po, 10), number="INV-78")
    assert "qty_received" in holds_of(s, right.invoice.id)

    s.cancellations.cancel(CLERK, wrong.invoice.id, "vendor withdrew INV-77 and sent INV-78")

    assert status_of(s, right.invoice.id) == "matched"


def test_an_approved_invoice_is_cancelled_by_undoing_its_approval_in_the_ledger(container, s):
    acme = vendor(s)
    po = approved_po(s, acme)
    receive(s, po, (1, 10))
    bill = invoice(s, acme, inv_line(1, po, 10, 12_100))  # $1 a chair over: a price variance
    for hold in s.invoices.view(bill.invoice.id).holds:  # price, and the line and order amounts it pushes over
        s.approvals.release_hold(APPROVER, bill.invoice.id, hold.id, "price rise agreed")
    approval = s.approvals.approve(APPROVER, bill.invoice.id)
    assert (balance(container, GRNI), balance(container, VP), balance(container, EXP)) == (0, 121_000, 121_000)
    with pytest.raises(ActionNotAllowed):
        s.cancellations.cancel(CLERK, bill.invoice.id, "paid by card instead")  # undoing a posting: approvers

    cancelled = s.cancellations.cancel(SUPERVISOR, bill.invoice.id, "paid by card instead")

    assert cancelled.invoice.status.value == "cancelled"
    assert (balance(container, GRNI), balance(container, VP), balance(container, EXP)) == (120_000, 0, 120_000)
    entry = _entries(container)[-1]
    assert (entry.draft.code, entry.draft.references["undoes"]) == ("invoice_cancelled", approval.entry_id)
    assert container.ledger.verify().ok


def test_a_cancelled_month_of_services_is_re_encumbered(container, s):
    it = vendor(s, "Riverton IT", "98-7654321")
    po = approved_po(s, it, po_line(1, 12, 250_000, item="help desk", uom="month", coding=SERVICES,
                                    kind=LineKind.SERVICES), number="PO-IT")
    march = invoice(s, it, inv_line(1, po, 1, 250_000), number="IT-03")
    s.approvals.approve(APPROVER, march.invoice.id)
    assert (balance(container, "100-5000-IT-5210"), balance(container, "100-8030-IT-5210")) == (250_000, 2_750_000)

    s.cancellations.cancel(SUPERVISOR, march.invoice.id, "billed to the wrong agency")

    assert (balance(container, "100-5000-IT-5210"), balance(container, "100-8030-IT-5210")) == (0, 3_000_000)
    assert balance(container, VP) == 0
    assert s.budgets.availability(SERVICES).encumbered_minor == 3_000_000
