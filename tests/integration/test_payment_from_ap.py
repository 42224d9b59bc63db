"""From AP to the bank: an invoice approved in AP is selected by the run from the real AP tables and paid once."""

import datetime as dt


from payments.identity import Principal, Role
from payments.disbursements.payment_states import PaymentStatus
from tests.payment_fakes import FakeAccounts, MemoryRail

TREASURER = Principal("usr_tina", frozenset({Role.TREASURER}))


def test_an_approved_invoice_for_ten_chairs_is_paid_by_the_run(container):
    import main
    from tests.integration.ap_story import (APPROVER, ap, approved_po, budget, inv_line, invoice, receive,
                                            status_of, vendor)

    s = ap(container)
    acme = vendor(s)
    budget(s)
    po = approved_po(s, acme)
    receive(s, po, (1, 10, 10))
    chairs = invoice(s, acme, inv_line(1, po, 10)).invoice.id
    held = invoice(s, acme, inv_line(1, po, 2), number="INV-1002").invoice.id  # over-billed: held qty_received
    s.approvals.approve(APPROVER, chairs)
    assert status_of(s, chairs) == "approved"

    rail = MemoryRail(name="nacha")
    svc = main.wire_payments(container, accounts=FakeAccounts(), rails=lambda _name: rail)
    too_early = svc.create_run()  # due 7 November: with a 2-day lead it is paid from the 5th
    assert too_early.run is None
    run = svc.create_run(run_date=dt.date(2026, 11, 5)).run
    (payment,) = svc.payments_of_run(run.id)
    assert [i.invoice_id for i in payment.items] == [chairs] and held not in {i.invoice_id for i in payment.items}
    assert payment.amount_minor == 120_000 and payment.items[0].expenditure_account == "100-5000-PW-5710"
    svc.release(TREASURER, run.id)
    assert [o.result for o in svc.submit_released()] == ["accepted"]
    assert svc.get_payment(payment.id).status is PaymentStatus.SENT
    assert svc.create_run(run_date=dt.date(2026, 11, 5)).run is None  # paid once
    assert container.ledger.verify().ok
