"""What a payment posts, as worked examples on SQLite and PostgreSQL (DESIGN.md's posting table), and a bank's
pain.002 rejection followed from the file in the rail's status folder to a failed payment and a reversed ledger.

Monday 2 November 2026; ordinary ACH, so the payments are dated (and posted) Tuesday 3 November.
"""

import datetime as dt

from adapters.rails.iso20022.rail import Iso20022Rail
from payments.identity import Principal, Role
from payments.disbursements.payment_runs import PayableInvoice
from payments.disbursements.payment_states import PaymentStatus
from payments.disbursements.payment_service import PaymentService
from payments.ap.terms import parse_terms
from tests.payment_fakes import FakeAccounts, FakePayables, MemoryRail, policy
from tests.unit.rails.test_iso20022_rail import CFG, pain002

TREASURER = Principal("usr_tina", frozenset({Role.TREASURER}))
TUESDAY = dt.date(2026, 11, 3)


def _run(container, payables, rail):  # noqa: ANN001, ANN202
    svc = PaymentService(container.uow, vault=container.vault, clock=container.clock, policy=policy(),
                         invoices=payables, accounts=FakeAccounts(), rails=lambda _name: rail, default_rail="x")
    run = svc.create_run().run
    svc.release(TREASURER, run.id)
    svc.submit_released()
    return svc, run


def _legs(container, code: str) -> set[tuple[str, str, int]]:  # noqa: ANN001
    with container.uow(read_only=True) as uow:
        return {(p.account, p.direction.value, p.amount_minor) for e in uow.ledger_queries.list_entries(code=code)
                for p in e.draft.postings}


def test_a_discount_taken_and_prompt_pay_interest_are_posted_with_the_payment(container):
    # Oak bills $10,000.00 on 2/10 net 30 from 24 October: paid by the 3 November discount date, $200.00 off.
    # Elm's $10,000.00 was due 2 September: paid 3 November, 62 days late, $75.50 interest at 4.375 %.
    oak = PayableInvoice("inv_oak", "ven_oak", "OAK-1", "USD", 1_000_000, dt.date(2026, 11, 23),
                         terms=parse_terms("2/10 net 30"), terms_base_date=dt.date(2026, 10, 24),
                         expenditure_account="100-5000-PW-5710")
    elm = PayableInvoice("inv_elm", "ven_elm", "ELM-1", "USD", 1_000_000, dt.date(2026, 9, 2))
    svc, run = _run(container, FakePayables([oak, elm]), MemoryRail())
    paid = {p.vendor_id: p for p in svc.payments_of_run(run.id)}
    assert paid["ven_oak"].amount_minor == 980_000 and paid["ven_elm"].amount_minor == 1_007_550
    assert _legs(container, "discount_taken") == {("100-2010", "debit", 20_000),
                                                  ("100-5000-PW-5710", "credit", 20_000)}
    assert _legs(container, "interest_owed") == {("100-5900", "debit", 7_550), ("100-2010", "credit", 7_550)}
    assert _legs(container, "payment_sent") == {("100-2010", "debit", 980_000), ("100-1050", "credit", 980_000),
                                                ("100-2010", "debit", 1_007_550),
                                                ("100-1050", "credit", 1_007_550)}
    with container.uow(read_only=True) as uow:
        entries = [e for code in ("discount_taken", "interest_owed", "payment_sent")
                   for e in uow.ledger_queries.list_entries(code=code)]
        # Vouchers payable falls by exactly what was approved: 20,000 + 980,000 + 1,007,550 - 7,550.
        vouchers = sum(p.amount_minor if p.direction.value == "debit" else -p.amount_minor
                       for e in entries for p in e.draft.postings if p.account == "100-2010")
    assert vouchers == 2_000_000 and {e.draft.effective_date for e in entries} == {TUESDAY}
    assert container.ledger.verify().ok


def test_a_pain002_ac04_rejection_fails_the_payment_end_to_end(container, tmp_path):
    rail = Iso20022Rail(CFG, tmp_path / "iso")
    bills = FakePayables([PayableInvoice("inv_red", "ven_red", "RED-1", "USD", 745_000, dt.date(2026, 11, 4)),
                          PayableInvoice("inv_acme", "ven_acme", "ACME-1", "USD", 1_999, dt.date(2026, 11, 4))])
    svc, run = _run(container, bills, rail)
    by_vendor = {p.vendor_id: p for p in svc.payments_of_run(run.id)}
    assert {p.status for p in by_vendor.values()} == {PaymentStatus.SENT}
    submission = svc.get_run(run.id).submission_id
    (tmp_path / "iso" / "status").mkdir()
    (tmp_path / "iso" / "status" / "sts-1.xml").write_bytes(
        pain002(submission, by_vendor["ven_red"].id, by_vendor["ven_acme"].id))
    assert svc.poll_status() == {"failed": 1, "unchanged": 1}
    red = svc.get_payment(by_vendor["ven_red"].id)
    assert (red.status, red.status_reason) == (PaymentStatus.FAILED, "AC04")
    assert svc.get_payment(by_vendor["ven_acme"].id).status is PaymentStatus.SENT
    assert svc.poll_status() == {"unchanged": 2}  # the same report read again: no second failure, no second reversal
    assert ("100-1050", "debit", 745_000) in _legs(container, "reversal")  # payment_sent undone
    rerun = svc.create_run().run  # Redwood's invoice is payable again (by a later run, once checked)
    assert [i.invoice_id for p in svc.payments_of_run(rerun.id) for i in p.items] == ["inv_red"]
    assert container.ledger.verify().ok
