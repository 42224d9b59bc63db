"""Who releases a hold, and where it is written down (SQLite and PostgreSQL).

Matching releases the holds it raised when a later document clears them, as the actor ``system``, and the signed
audit trail says which document did it. A person releases a hold only as an ``ap_approver`` with a reason. A hold
matching did not raise (reconciliation's ``payment_returned``) is never matching's to release.
"""

import datetime as dt
import json

import pytest
from sqlalchemy import insert

from payments.controls import HoldReleaseForbidden, HoldReleaseReasonRequired
from payments.ap.documents import LineKind
from payments.ap.invoice_service import NewInvoice
from tests.integration.ap_story import (APPROVER, CLERK, SERVICES, ap, approved_po, budget, credit, holds_of, inv_line,
                                        invoice, po_line, receive, status_of, vendor)


@pytest.fixture
def s(container):  # noqa: ANN001, ANN201
    services = ap(container)
    budget(services)
    budget(services, SERVICES)
    return services


def _auto_releases(container, invoice_id: str) -> list:  # noqa: ANN001
    return [e for e in container.audit.search(object_id=invoice_id, action="invoice_hold_released")
            if e.detail.get("kind") == "auto"]


def test_two_more_chairs_arrive_and_the_audit_trail_says_the_receipt_released_the_hold(container, s):
    acme = vendor(s)
    po = approved_po(s, acme)
    receive(s, po, (1, 8))
    bill = invoice(s, acme, inv_line(1, po, 10))
    assert holds_of(s, bill.invoice.id) == ["qty_received"]

    second = receive(s, po, (1, 2), on=dt.date(2026, 10, 9))

    (event,) = _auto_releases(container, bill.invoice.id)
    assert (event.actor, event.detail["hold"]) == ("system", "qty_received")
    assert (event.detail["trigger"], event.detail["document"]) == ("receipt", second)
    (hold,) = s.invoices.view(bill.invoice.id).holds
    assert event.detail["hold_id"] == hold.id and hold.released_by == "system"
    assert hold.reason == f"cleared by re-match (receipt {second})"
    assert container.audit.verify().ok


def test_a_credit_memo_that_clears_an_overbilled_line_is_the_document_named(container, s):
    it = vendor(s, "Riverton IT", "98-7654321")
    po = approved_po(s, it, po_line(1, 12, 250_000, item="help desk", uom="month", coding=SERVICES,
                                    kind=LineKind.SERVICES), number="PO-IT")
    invoice(s, it, inv_line(1, po, 12, 250_000), number="IT-ALL")  # the whole year, matched
    march = invoice(s, it, inv_line(1, po, 1, 250_000), number="IT-03")  # a thirteenth month: held
    assert "qty_ordered" in holds_of(s, march.invoice.id)

    memo = credit(s, it, po, 1, 250_000, number="CM-IT-1")

    events = _auto_releases(container, march.invoice.id)
    assert events and {e.detail["document"] for e in events} == {memo.memo.id}
    assert {e.detail["trigger"] for e in events} == {"credit_memo"} and {e.actor for e in events} == {"system"}
    assert status_of(s, march.invoice.id) == "matched"


def test_a_corrected_invoice_names_itself(container, s):
    acme = vendor(s)
    po = approved_po(s, acme)
    receive(s, po, (1, 8))
    bill = invoice(s, acme, inv_line(1, po, 10))
    cmd = NewInvoice(acme, "INV-1001", dt.date(2026, 10, 5), "USD", (inv_line(1, po, 8),), dt.date(2026, 10, 6),
                     "net 30", 96_000, "Acme Furniture, 1 Main St", "Pat Lee, 555-0100")

    s.invoices.correct(CLERK, bill.invoice.id, cmd, expected_version=1)

    (event,) = _auto_releases(container, bill.invoice.id)
    assert (event.detail["trigger"], event.detail["document"]) == ("corrected", bill.invoice.id)


def test_a_person_releases_only_as_an_ap_approver_with_a_reason_and_is_named(container, s):
    acme = vendor(s)
    po = approved_po(s, acme)
    receive(s, po, (1, 8))
    bill = invoice(s, acme, inv_line(1, po, 10))
    (hold,) = s.invoices.view(bill.invoice.id).holds
    with pytest.raises(HoldReleaseForbidden):
        s.approvals.release_hold(CLERK, bill.invoice.id, hold.id, "I counted ten")
    with pytest.raises(HoldReleaseReasonRequired):
        s.approvals.release_hold(APPROVER, bill.invoice.id, hold.id, "   ")
    s.approvals.release_hold(APPROVER, bill.invoice.id, hold.id, "counted at the dock again: ten")
    (event,) = container.audit.search(object_id=bill.invoice.id, action="invoice_hold_released")
    assert (event.actor, event.detail["reason"]) == ("usr_bob", "counted at the dock again: ten")
    assert "kind" not in event.detail  # a person's release, not matching's
    assert _auto_releases(container, bill.invoice.id) == []


def test_a_re_match_leaves_a_hold_reconciliation_raised_open(container, s):
    """A bank return put ``payment_returned`` on the invoice; two more chairs arriving clear only matching's hold."""
    from adapters.db.ap.ap_tables import invoice_holds

    acme = vendor(s)
    po = approved_po(s, acme)
    receive(s, po, (1, 8))
    bill = invoice(s, acme, inv_line(1, po, 10))
    with container.uow() as uow:  # what reconciliation writes for a returned payment
        uow.conn.execute(insert(invoice_holds).values(
            id="hold_01JRETURNEDPAYMENT00000000", invoice_id=bill.invoice.id, hold="payment_returned",
            rule="payment_returned", subject="payment pay_1", fingerprint="f" * 64,
            finding_json=json.dumps({"reason_code": "R03"}), status="open", raised_at="2026-10-20T00:00:00Z",
            match_result_id="pay_1"))
        uow.commit()

    receive(s, po, (1, 2), on=dt.date(2026, 10, 9))

    assert holds_of(s, bill.invoice.id) == ["payment_returned"]
    assert holds_of(s, bill.invoice.id, "released") == ["qty_received"]
    assert [e.detail["hold"] for e in _auto_releases(container, bill.invoice.id)] == ["qty_received"]
