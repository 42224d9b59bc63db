"""The demo's bank: a run paid through the sandbox rail, one payment returned R03 by the bank, statements out."""

import datetime as dt

from adapters.formats.nacha.reader import read
from payments.identity import Principal, Role
from payments.disbursements.payment_runs import PayableInvoice
from payments.disbursements.payment_states import PaymentStatus, RunStatus

TREASURER = Principal("usr_tina", frozenset({Role.TREASURER}))


def test_paid_through_the_sandbox_returned_by_it_and_seen_on_its_statements(container, tmp_path):
    import main
    from tests.payment_fakes import FakeAccounts, FakePayables

    invoices = FakePayables([PayableInvoice(f"inv_{n}", f"ven_{n}", f"INV-{n}", "USD", 100_000 + n, dt.date(2026, 11, 4),
                                            approver_ids=frozenset({"usr_ann"})) for n in range(3)])
    svc = main.wire_payments(container, invoices=invoices, accounts=FakeAccounts())
    run = svc.create_run(rail="sandbox").run
    svc.release(TREASURER, run.id)
    assert [o.result for o in svc.submit_released()] == ["accepted"]
    bank = svc.core.rails("sandbox").transport
    payments = {p.trace_number: p for p in svc.payments_of_run(run.id)}
    assert sorted(e.original.trace_number for e in bank.entries()) == sorted(payments)

    returned_trace = sorted(payments)[0]
    bank.return_entry(returned_trace, "R03", on=dt.date(2026, 11, 2))
    assert svc.poll_status() == {"returned": 1, "unchanged": 2}
    assert svc.get_payment(payments[returned_trace].id).status is PaymentStatus.RETURNED
    assert svc.get_run(run.id).status is RunStatus.SENT  # the others wait for the bank statement

    returns = read(bank.returns_file(on=dt.date(2026, 11, 2)), strict=True)
    assert returns.ok and [r.original_trace for r in returns.returns] == [returned_trace]
    # Created Monday 2 November before the cut-off: sent that day, dated (and settled) Tuesday the 3rd.
    settled_on = run.effective_date
    assert settled_on == dt.date(2026, 11, 3)
    bai2 = bank.bai2(settled_on)
    assert f",466,{sum(p.amount_minor for p in payments.values())}," in bai2
    assert b"<Ntry>" in bank.camt053(settled_on)
    assert container.ledger.verify().ok
