"""The payment use cases on SQLite and PostgreSQL: create, release, submit, timeouts, status and returns."""

import datetime as dt

import pytest

from payments.controls import ApproverCannotRelease
from payments.disbursements.payment_rules import AlreadyReleasedBy, IllegalTransition, RunCreatorCannotRelease
from payments.identity import Principal, Role
from payments.disbursements.payment_records import SubmissionState
from payments.disbursements.payment_runs import PayableInvoice
from payments.disbursements.payment_states import PaymentStatus, RunStatus
from payments.disbursements.payment_service import PaymentService
from payments.disbursements.rails import RailOutcome, RailPaymentStatus
from tests.payment_fakes import FakeAccounts, FakePayables, MemoryRail, policy

TREASURER = Principal("usr_tina", frozenset({Role.TREASURER}))
SECOND = Principal("usr_sam", frozenset({Role.TREASURER}))


def invoice(n, vendor="ven_A", amount=125_000, due=dt.date(2026, 11, 4), approvers=frozenset({"usr_ann"})):
    return PayableInvoice(f"inv_{n:04d}", vendor, f"INV-{n}", "USD", amount, due, approver_ids=approvers)


def service(container, rail=None, payables=None, **policy_overrides):
    rail = rail or MemoryRail()
    svc = PaymentService(container.uow, vault=container.vault, clock=container.clock, policy=policy(**policy_overrides),
                         invoices=payables or FakePayables(), accounts=FakeAccounts(), rails=lambda _name: rail,
                         default_rail="memory")
    return svc, rail


def test_a_run_pays_each_vendor_once_and_posts_the_ledger_when_the_rail_accepts(container):
    payables = FakePayables([invoice(1), invoice(2), invoice(3, vendor="ven_B", amount=50_000)])
    svc, rail = service(container, payables=payables)
    created = svc.create_run(run_key="daily@2026-11-02")
    assert created.created and created.run.payment_count == 2 and created.run.total_minor == 300_000
    again = svc.create_run(run_key="daily@2026-11-02")
    assert not again.created and again.run.id == created.run.id
    assert svc.create_run().run is None  # every invoice already has a live payment

    svc.release(TREASURER, created.run.id)
    outcomes = svc.submit_released()
    assert [o.result for o in outcomes] == ["accepted"]
    assert svc.get_run(created.run.id).status is RunStatus.SENT
    payments = svc.payments_of_run(created.run.id)
    assert {p.status for p in payments} == {PaymentStatus.SENT}
    assert all(p.trace_number and p.trace_number.startswith("23138010") for p in payments)
    with container.uow(read_only=True) as uow:
        sent = uow.ledger_queries.list_entries(code="payment_sent")
        assert sum(p.amount_minor for e in sent for p in e.draft.postings if p.direction.value == "debit") == 300_000
    assert svc.submit_released() == []  # nothing left to do: no second submission
    assert rail.submits == 1
    assert container.ledger.verify().ok


def test_separation_of_duties_and_dual_release(container):
    payables = FakePayables([invoice(1, amount=90_000_000), invoice(2, vendor="ven_B", amount=20_000_000,
                                                                      approvers=frozenset({"usr_tina"}))])
    svc, _ = service(container, payables=payables)
    run = svc.create_run(created_by="usr_sam").run
    assert run.required_releases == 2  # $1.1M is above the $1M threshold
    with pytest.raises(ApproverCannotRelease):
        svc.release(TREASURER, run.id)  # Tina approved inv_0002
    with pytest.raises(RunCreatorCannotRelease):
        svc.release(SECOND, run.id)
    third = Principal("usr_ray", frozenset({Role.TREASURER}))
    assert svc.release(third, run.id).status is RunStatus.DRAFT
    with pytest.raises(AlreadyReleasedBy):
        svc.release(third, run.id)
    fourth = Principal("usr_liz", frozenset({Role.TREASURER}))
    assert svc.release(fourth, run.id).status is RunStatus.RELEASED
    with pytest.raises(IllegalTransition):
        svc.release(Principal("usr_max", frozenset({Role.TREASURER})), run.id)


def test_a_timeout_after_the_rail_took_the_file_is_reconciled_not_resent(container):
    svc, rail = service(container, payables=FakePayables([invoice(1), invoice(2, vendor="ven_B")]))
    run = svc.create_run().run
    svc.release(TREASURER, run.id)
    rail.timeout_after_accept = True
    assert [o.result for o in svc.submit_released()] == ["unknown"]
    with container.uow(read_only=True) as uow:
        assert uow.payments.get_submission(svc.get_run(run.id).submission_id).state is SubmissionState.UNKNOWN
    assert svc.get_run(run.id).status is RunStatus.SUBMITTED
    outcomes = svc.submit_released()  # the next pass asks the rail first, and records what it holds
    assert [o.result for o in outcomes] == ["accepted"]
    assert rail.submits == 1 and len(rail.received) == 1
    assert svc.get_run(run.id).status is RunStatus.SENT


def test_a_rejection_fails_the_payment_reverses_the_ledger_and_frees_the_invoice(container):
    payables = FakePayables([invoice(1), invoice(2, vendor="ven_B")])
    svc, rail = service(container, payables=payables)
    run = svc.create_run().run
    svc.release(TREASURER, run.id)
    svc.submit_released()
    bad, good = svc.payments_of_run(run.id)
    rail.verdicts[bad.id] = RailPaymentStatus(bad.id, RailOutcome.REJECTED, "AC04", "closed account")
    rail.verdicts[good.id] = RailPaymentStatus(good.id, RailOutcome.SETTLED)
    assert svc.poll_status() == {"failed": 1, "unchanged": 1}
    assert svc.get_payment(bad.id).status is PaymentStatus.FAILED
    assert svc.get_payment(bad.id).status_reason == "AC04"
    assert svc.get_payment(good.id).status is PaymentStatus.SENT  # settlement comes from the bank statement
    assert svc.get_run(run.id).status is RunStatus.SENT
    rerun = svc.create_run().run  # the failed payment's invoice is payable again
    assert [i.invoice_id for p in svc.payments_of_run(rerun.id) for i in p.items] == \
        [i.invoice_id for i in bad.items]
    with container.uow(read_only=True) as uow:
        assert len(uow.ledger_queries.list_entries(code="reversal")) == 1
        assert uow.ledger_queries.list_entries(code="payment_settled") == []
    assert container.ledger.verify().ok


def test_a_returned_payment_puts_the_liability_back_once(container):
    svc, _ = service(container, payables=FakePayables([invoice(1)]))
    run = svc.create_run().run
    svc.release(TREASURER, run.id)
    svc.submit_released()
    (payment,) = svc.payments_of_run(run.id)
    assert svc.mark_returned(payment.id, reason_code="R03", on=dt.date(2026, 11, 6)) == "returned"
    assert svc.mark_returned(payment.id, reason_code="R03", on=dt.date(2026, 11, 6)) == "unchanged"
    with container.uow(read_only=True) as uow:
        assert len(uow.ledger_queries.list_entries(code="payment_returned")) == 1
    assert container.ledger.verify().ok


def test_cancelling_a_draft_run_frees_its_invoices(container):
    svc, _ = service(container, payables=FakePayables([invoice(1)]))
    run = svc.create_run().run
    svc.cancel(TREASURER, run.id, reason="withdrawn in a test")
    assert {p.status for p in svc.payments_of_run(run.id)} == {PaymentStatus.CANCELLED}
    assert svc.create_run().run is not None


def test_a_prenote_is_sent_once_and_the_bank_account_workflow_hears_of_it_once(container):
    from payments.disbursements.payment_runs import PayeeAccount
    from payments.disbursements.payment_states import PayeeAccountStatus, PaymentKind
    from payments.disbursements.rails import RailAccountType

    svc, rail = service(container)
    changed = PayeeAccount("ba_ven_C", "ven_C", "CHANGED VENDOR", "231380104", RailAccountType.SAVINGS,
                           PayeeAccountStatus.PENDING, prenote_due=True, change_id="chg_1")
    svc.core.accounts.awaiting.append(changed)
    run = svc.create_run().run
    (prenote,) = svc.payments_of_run(run.id)
    assert prenote.kind is PaymentKind.PRENOTE and prenote.amount_minor == 0
    assert svc.create_run().run is None  # the prenote is live: no second one
    svc.release(TREASURER, run.id)
    svc.submit_released()
    heard = []
    assert svc.relay_prenote_events(lambda topic, payload: heard.append((topic, payload["account_id"]))) == 1
    assert svc.relay_prenote_events(lambda topic, payload: heard.append(topic)) == 0
    assert heard == [("bank_account.prenote_sent", "ba_ven_C")]
    assert rail.received[svc.get_run(run.id).submission_id].payments[0].prenote
    with container.uow(read_only=True) as uow:
        assert uow.ledger_queries.list_entries(code="payment_sent") == []  # a prenote moves no money


def test_a_run_closes_when_every_payment_is_final(container):
    svc, rail = service(container, payables=FakePayables([invoice(1)]))
    run = svc.create_run().run
    svc.release(TREASURER, run.id)
    svc.submit_released()
    (payment,) = svc.payments_of_run(run.id)
    rail.verdicts[payment.id] = RailPaymentStatus(payment.id, RailOutcome.RETURNED, "R02")
    assert svc.poll_status() == {"returned": 1}
    assert svc.get_run(run.id).status is RunStatus.CLOSED
    assert svc.poll_status() == {}


def test_an_account_gone_before_submission_leaves_the_run_waiting_not_half_sent(container):
    svc, rail = service(container, payables=FakePayables([invoice(1)]))
    run = svc.create_run().run
    svc.release(TREASURER, run.id)
    # Gone after the claim, while the file is being built: nothing is handed over and the pass is retried.
    svc.core.crash = lambda point: svc.core.accounts.set("ven_A", None) if point == "after_claiming" else None
    assert [o.result for o in svc.submit_released()] == ["retry"]
    assert rail.submits == 0 and svc.get_run(run.id).status is RunStatus.SUBMITTED
    svc.core.accounts.overrides.clear()
    assert [o.result for o in svc.submit_released()] == ["accepted"]


def test_an_account_blocked_after_the_run_was_planned_is_not_paid_its_payment_is_withdrawn(container):
    """Planned against an active account that is blocked before submission: the claim withdraws the payment (its
    invoice is free for a later run) rather than hand the rail a file paying a frozen account."""
    from dataclasses import replace

    from payments.disbursements.payment_states import PayeeAccountStatus

    svc, rail = service(container, payables=FakePayables([invoice(1)]))
    run = svc.create_run().run
    svc.release(TREASURER, run.id)
    svc.core.accounts.set("ven_A", replace(svc.core.accounts.default("ven_A"), status=PayeeAccountStatus.BLOCKED))
    assert [o.result for o in svc.submit_released()] == ["withdrawn"]
    (payment,) = svc.payments_of_run(run.id)
    assert payment.status is PaymentStatus.CANCELLED and "bank_account_blocked" in payment.status_reason
    assert rail.submits == 0 and svc.get_run(run.id).status is RunStatus.CLOSED
