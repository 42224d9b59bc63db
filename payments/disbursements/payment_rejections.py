"""A payment the bank refused after the rail took it (a pain.002 RJCT such as AC04, account closed), applied the
same way whichever path brought the news: the rail's status poll (``PaymentService.apply_status``) or a status
report imported by reconciliation (``ReconciliationService``). One function, inside the caller's unit of work
(the caller commits), so both paths leave the same state and neither can apply it twice.

A sent payment becomes ``failed`` (guarded), its ``payment_sent`` entry and the discount and interest priced
for it are reversed (entry ids derived from the payment: a second attempt is refused by the journal), and its
invoices go back to approved-and-unpaid with a ``payment_failed`` hold saying why in plain words. A rejection of
a payment already failed is a replay and changes nothing. A rejection of a payment the bank statement already
showed settling (or that came back as a return) contradicts the books: it goes to a person, once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from ledger.entries import reversal_of
from ledger.journal import Journal
from payments.disbursements.payment_rules import (LedgerItem, PaymentHold, PaymentStep, credit_items, entry_id_for,
                                                  payment_can, sent_entries)
from payments.disbursements.payment_records import PaymentRecord
from payments.disbursements.payment_states import PaymentKind, PaymentStatus
from payments.disbursements.payment_ports import PaymentsUnitOfWork, TreasuryIssue

FAILED = "failed"
UNCHANGED = "unchanged"
EXCEPTION = "exception"
UNKNOWN = "unknown_payment"


def ledger_items(payment: PaymentRecord) -> list[LedgerItem]:
    """What the payment's ledger entries were priced from, invoice by invoice, and the credits it deducts."""
    return [LedgerItem(i.invoice_id, i.amount_minor, i.discount_minor, i.interest_minor, i.fund, i.expenditure_account,
                       interest_rule=i.interest_rule) for i in payment.items] + credit_items(payment.credits)


def apply_rejection(uow: PaymentsUnitOfWork, journal: Callable[[], Journal], payment_id: str, *, reason_code: str | None,
                    text: str | None, on: dt.date, now: dt.datetime) -> str:
    """Apply the bank's refusal of one payment: ``failed``, ``unchanged`` (a replay, or nothing to fail),
    ``exception`` (a person must look) or ``unknown_payment``. ``journal`` is asked for only when posting."""
    reason = reason_code or "rejected"
    p: PaymentRecord | None = uow.payments.get_payment(payment_id)
    if p is None:
        return UNKNOWN
    if p.status in (PaymentStatus.SETTLED, PaymentStatus.RETURNED):
        opened = uow.treasury_queue.open(
            TreasuryIssue.PAYMENT_REJECTED, f"the bank rejected {p.id} ({p.status.value} on our books): {reason} "
            f"{text or ''}".strip(), -p.amount_minor, p.currency, dedup_key=f"rejected:{p.id}", now=now,
            payment_ids=(p.id,))
        return EXCEPTION if opened else UNCHANGED
    if not payment_can(p.status, PaymentStep.FAIL) or not uow.payments.transition_payments(
            [p.id], PaymentStep.FAIL, reason=reason, at=now):
        return UNCHANGED
    if p.kind is PaymentKind.LIVE:
        drafts = sent_entries(p.id, p.run_id, p.currency, ledger_items(p), p.effective_date)
        journal().post_many([reversal_of(d, entry_id=entry_id_for(p.id, f"reversal_{d.code}"), effective_date=on,
                                         memo=f"payment failed: {reason}") for d in drafts])
        uow.paid_invoices.reopen(
            [i.invoice_id for i in p.items], payment_id=p.id, hold=PaymentHold.PAYMENT_FAILED.value,
            reason_code=reason, at=now,
            message=f"The bank refused our payment ({reason}{': ' + text if text else ''}). We will pay again once "
                    "the bank details are checked.")
    uow.payments.add_outbox("payment.failed", f"payment.failed:{p.id}",
                            {"payment_id": p.id, "run_id": p.run_id, "reason_code": reason, "reason": text,
                             "kind": p.kind.value, "account_id": p.account_id}, now)
    return FAILED
