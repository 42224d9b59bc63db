"""An AP invoice follows its payment: paid when the rail takes it, approved-and-unpaid with a named hold when the
bank returns or refuses it, on SQLite and PostgreSQL. Acme bills the City of Riverton $1,200 for ten chairs."""

from __future__ import annotations

import datetime as dt

import pytest

from payments.identity import Principal, Role
from payments.disbursements.payment_states import PaymentStatus, RunStatus
from payments.disbursements.rails import RailOutcome, RailPaymentStatus
from tests.payment_fakes import FakeAccounts, MemoryRail

TREASURER = Principal("usr_tina", frozenset({Role.TREASURER}))
PAY_DAY = dt.date(2026, 11, 5)


@pytest.fixture
def chairs(container):  # noqa: ANN001, ANN201
    """Ten chairs received and invoiced by Acme, the invoice approved and due 7 November."""
    import main
    from tests.integration.ap_story import APPROVER, ap, approved_po, budget, inv_line, invoice, receive, vendor

    s = ap(container)
    acme = vendor(s)
    budget(s)
    po = approved_po(s, acme)
    receive(s, po, (1, 10, 10))
    invoice_id = invoice(s, acme, inv_line(1, po, 10)).invoice.id
    s.approvals.approve(APPROVER, invoice_id)
    rail = MemoryRail(name="nacha")
    svc = main.wire_payments(container, accounts=FakeAccounts(), rails=lambda _name: rail)
    return s, svc, rail, invoice_id


def _status(s, invoice_id: str) -> str:  # noqa: ANN001
    return s.invoices.view(invoice_id).record.invoice.status.value


def _open_holds(container, invoice_id: str) -> list[str]:  # noqa: ANN001
    with container.uow(read_only=True) as uow:
        return sorted(h.hold for h in uow.invoices.holds(invoice_id, status="open"))


def _sent(svc):  # noqa: ANN001, ANN202
    run = svc.create_run(run_date=PAY_DAY).run
    svc.release(TREASURER, run.id)
    assert [o.result for o in svc.submit_released()] == ["accepted"]
    (payment,) = svc.payments_of_run(run.id)
    return run, svc.get_payment(payment.id)


def test_the_invoice_is_paid_when_the_rail_takes_the_payment_and_the_vendor_can_see_the_trace(container, chairs):
    s, svc, _, invoice_id = chairs
    run = svc.create_run(run_date=PAY_DAY).run
    assert _status(s, invoice_id) == "approved"  # scheduled is not paid
    svc.release(TREASURER, run.id)
    svc.submit_released()
    (payment,) = svc.payments_of_run(run.id)
    assert payment.status is PaymentStatus.SENT and _status(s, invoice_id) == "paid"
    with container.uow(read_only=True) as uow:
        live = uow.payments.live_payments_of_invoices([invoice_id])
        [event] = [r for r in uow.payments.outbox("invoice.paid")]
    assert live[invoice_id].trace_number == payment.trace_number and payment.trace_number.startswith("23138010")
    assert event["payload"] == {"invoice_id": invoice_id, "payment_id": payment.id, "trace": payment.trace_number,
                                "effective_date": payment.effective_date.isoformat(), "paid_minor": 120_000}
    assert svc.submit_released() == [] and _status(s, invoice_id) == "paid"  # a second pass changes nothing


def test_a_return_reported_by_the_rail_reopens_the_invoice_with_a_payment_returned_hold(container, chairs):
    s, svc, rail, invoice_id = chairs
    run, payment = _sent(svc)
    rail.verdicts[payment.id] = RailPaymentStatus(payment.id, RailOutcome.RETURNED, "R03")
    assert svc.poll_status() == {"returned": 1}
    assert _status(s, invoice_id) == "approved" and _open_holds(container, invoice_id) == ["payment_returned"]
    assert svc.poll_status() == {} and _open_holds(container, invoice_id) == ["payment_returned"]
    assert svc.create_run(run_date=PAY_DAY).run is None  # held: not paid again to the same account
    assert svc.get_run(run.id).status is RunStatus.CLOSED
    assert container.ledger.verify().ok


def test_the_same_return_from_the_banks_file_agrees_with_the_rail_and_adds_nothing(container, chairs):
    import main
    from adapters.formats.nacha import Batch, Entry, NachaFile, return_batch, return_entry, write

    s, svc, rail, invoice_id = chairs
    _, payment = _sent(svc)
    original = Entry(transaction_code=22, rdfi_routing="231380104", account_number="4400019921",
                     amount_cents=payment.amount_minor, identification=payment.id[-15:], receiver_name="ACME",
                     trace_number=payment.trace_number)
    sent = Batch(service_class=220, company_name="CITY OF RIVERTON", company_id="1234567890", sec_code="CCD",
                 entry_description="VENDOR PAY", effective_date=payment.effective_date, odfi_id="23138010",
                 entries=(original,))
    back = return_entry(original, reason_code="R03", trace_number="091000010000001",
                        original_odfi_routing="231380104")
    on = payment.effective_date + dt.timedelta(days=1)
    data = write(NachaFile(immediate_destination="231380104", immediate_origin="091000019", creation_date=on,
                           creation_time=dt.time(6, 15), file_id_modifier="R", immediate_destination_name="CITY",
                           immediate_origin_name="VENDORS BANK",
                           batches=(return_batch(sent, [back], odfi_id="09100001", effective_date=on),)))
    result = main.wire_recon(container).service.import_file(data, name="returns.ach")
    assert result.returns_posted == 1 and result.invoices_reopened == 1
    assert _status(s, invoice_id) == "approved" and _open_holds(container, invoice_id) == ["payment_returned"]
    rail.verdicts[payment.id] = RailPaymentStatus(payment.id, RailOutcome.RETURNED, "R03")
    assert svc.poll_status() == {"unchanged": 1}  # reconciliation already returned it
    assert _open_holds(container, invoice_id) == ["payment_returned"]
    with container.uow(read_only=True) as uow:
        assert len(uow.ledger_queries.list_entries(code="payment_returned")) == 1
    assert container.ledger.verify().ok


def test_a_rejection_after_sending_reopens_the_invoice_with_a_payment_failed_hold(container, chairs):
    s, svc, rail, invoice_id = chairs
    _, payment = _sent(svc)
    rail.verdicts[payment.id] = RailPaymentStatus(payment.id, RailOutcome.REJECTED, "AC04", "closed account")
    assert svc.poll_status() == {"failed": 1}
    assert _status(s, invoice_id) == "approved" and _open_holds(container, invoice_id) == ["payment_failed"]
    with container.uow(read_only=True) as uow:
        [hold] = uow.invoices.holds(invoice_id, status="open")
    assert hold.finding["reason_code"] == "AC04" and "closed account" in hold.finding["message"]


def test_an_invoice_held_after_the_run_was_released_does_not_leave_with_it(container, chairs):
    s, svc, rail, invoice_id = chairs
    run = svc.create_run(run_date=PAY_DAY).run
    svc.release(TREASURER, run.id)
    with container.uow() as uow:  # someone stops the payment between release and submission
        uow.paid_invoices.reopen([invoice_id], payment_id="pay_stop", hold="stop_payment", reason_code="",
                                 message="vendor dispute", at=dt.datetime(2026, 11, 5, 15, tzinfo=dt.timezone.utc))
        uow.commit()
    assert [o.result for o in svc.submit_released()] == ["withdrawn"]
    assert rail.submits == 0 and svc.get_run(run.id).status is RunStatus.CLOSED
    (payment,) = svc.payments_of_run(run.id)
    assert payment.status is PaymentStatus.CANCELLED and "stop_payment" in payment.status_reason
    assert _status(s, invoice_id) == "approved"


def test_a_payment_over_the_rails_limit_stays_out_visibly_with_a_hold_and_an_event(container, chairs):
    import main
    from dataclasses import dataclass

    from payments.disbursements.payment_states import SkipReason
    from payments.disbursements.rails import RailCapabilities, RailSec

    @dataclass
    class SmallRail(MemoryRail):
        def capabilities(self) -> RailCapabilities:  # a bank that takes at most $1,000.00 per payment
            return RailCapabilities(frozenset(RailSec), max_payment_minor=100_000)

    s, _, _, invoice_id = chairs
    rail = SmallRail(name="nacha")
    svc = main.wire_payments(container, accounts=FakeAccounts(), rails=lambda _name: rail)
    first = svc.create_run(run_date=PAY_DAY)
    assert first.run is None
    [skip] = first.plan.skipped
    assert skip.reason is SkipReason.OVER_RAIL_LIMIT and "1,200.00 USD, over the rail's per-payment limit of 1,000.00" \
        in skip.detail
    assert _status(s, invoice_id) == "approved" and _open_holds(container, invoice_id) == ["over_rail_limit"]
    with container.uow(read_only=True) as uow:
        [event] = uow.payments.outbox("payment.over_rail_limit")
    assert event["payload"]["invoice_id"] == invoice_id
    again = svc.create_run(run_date=PAY_DAY)  # the hold keeps it out quietly: no second event, no second hold
    assert again.run is None and again.plan.skipped[0].reason is SkipReason.HELD
    with container.uow(read_only=True) as uow:
        assert len(uow.payments.outbox("payment.over_rail_limit")) == 1
    assert _open_holds(container, invoice_id) == ["over_rail_limit"]


def test_a_payment_over_the_rails_limit_waits_in_treasurys_exceptions_queue_until_resolved_with_a_reason(
        container, chairs):
    import main
    from dataclasses import dataclass

    from payments.reconciliation.recon_records import ExceptionKind, ExceptionStatus
    from payments.disbursements.rails import RailCapabilities, RailSec

    @dataclass
    class SmallRail(MemoryRail):
        def capabilities(self) -> RailCapabilities:  # a bank that takes at most $1,000.00 per payment
            return RailCapabilities(frozenset(RailSec), max_payment_minor=100_000)

    s, _, _, invoice_id = chairs
    svc = main.wire_payments(container, accounts=FakeAccounts(), rails=lambda _name: SmallRail(name="nacha"))
    assert svc.create_run(run_date=PAY_DAY).run is None
    recon = main.wire_recon(container)  # what GET /v1/reconciliation/exceptions reads
    [waiting] = recon.queries.list_exceptions(kind=ExceptionKind.OVER_RAIL_LIMIT)
    assert waiting.status is ExceptionStatus.OPEN and waiting.line_id is None
    assert (waiting.amount_minor, waiting.currency) == (-120_000, "USD")
    assert "over the rail's per-payment limit of 1,000.00" in waiting.detail and invoice_id in waiting.detail
    assert svc.create_run(run_date=PAY_DAY).run is None  # planned again the same day: still one exception
    assert len(recon.queries.list_exceptions(kind=ExceptionKind.OVER_RAIL_LIMIT)) == 1

    done = recon.exceptions.dismiss(TREASURER, waiting.id, reason="paid by Fedwire IMAD 20261105MMQFMP9B000123")
    assert (done.status, done.resolution, done.resolved_by) == (ExceptionStatus.RESOLVED, "explained", "usr_tina")
    assert recon.queries.list_exceptions(kind=ExceptionKind.OVER_RAIL_LIMIT) == []
    assert svc.create_run(run_date=PAY_DAY).run is None  # the invoice stays held: no new exception, no payment
    assert recon.queries.list_exceptions(kind=ExceptionKind.OVER_RAIL_LIMIT) == []
    assert _open_holds(container, invoice_id) == ["over_rail_limit"]
