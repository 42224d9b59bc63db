"""Following each payment after the rail took it: prenote events to the bank-account workflow, the rails'
verdicts (a refusal fails the payment, a return returns it), and closing a run once every payment is final.

Composed into ``PaymentService`` (``service.follow_up``); the service's ``poll_status``, ``apply_status``,
``mark_returned`` and ``relay_prenote_events`` are this class's. Settlement is never taken from a rail: the bank
statement says it, and reconciliation posts ``payment_settled`` (one path, so never a second settlement entry).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from ledger.entries import reversal_of
from ledger.journal import Journal
from payments.disbursements.payment_ports import PaymentsUnitOfWork
from payments.disbursements.payment_rejections import apply_rejection, ledger_items
from payments.disbursements.treasury_accounts import TreasuryAccounts
from payments.disbursements.payment_rules import (PaymentHold, PaymentStep, RunStep, entry_id_for, payment_can,
                                                  returned_entry, sent_entries)
from payments.disbursements.payment_states import FINAL_PAYMENT_STATUSES, PaymentKind, PaymentStatus, RunStatus
from payments.disbursements.rails import RailOutcome, RailPaymentStatus, RailSubmission
from payments.ports import Clock, UowFactory

PRENOTE_SENT = "bank_account.prenote_sent"
PRENOTE_RETURNED = "bank_account.prenote_returned"


class PaymentFollowUp:
    def __init__(self, uow_factory: UowFactory[PaymentsUnitOfWork], clock: Clock, rails: Callable[[str], Any],
                 journal: Callable[[PaymentsUnitOfWork], Journal], treasury: TreasuryAccounts = TreasuryAccounts()) -> None:
        self._uow = uow_factory
        self._clock = clock
        self._rails = rails
        self._journal = journal
        self._treasury = treasury  # which bank account (and so which Cash) each rail's payments leave from

    def relay_prenote_events(self, handle: Callable[[str, dict[str, Any]], None]) -> int:
        """Hand each unprocessed prenote event to ``handle(topic, payload)`` (the bank-account workflow), once."""
        with self._uow(read_only=True) as uow:
            rows = [r for topic in (PRENOTE_SENT, PRENOTE_RETURNED)
                    for r in uow.payments.outbox(topic, pending_only=True)]
        done = 0
        for row in rows:
            handle(row["topic"], row["payload"])
            with self._uow() as uow:
                done += uow.payments.mark_outbox_processed(row["key"], self._clock.now())
                uow.commit()
        return done

    def poll_status(self) -> dict[str, int]:
        """Ask each rail about the payments of sent runs and apply what it says; close finished runs."""
        with self._uow(read_only=True) as uow:
            runs = uow.payments.runs_in_status(RunStatus.SENT, limit=200)
            subs = {r.id: uow.payments.get_submission(r.submission_id) for r in runs if r.submission_id}
        counts: dict[str, int] = {}
        for run in runs:
            sub = subs.get(run.id)
            if sub is None or sub.reference is None:
                continue
            receipt = RailSubmission(sub.id, sub.rail, sub.reference, sub.created_at, 0, 0)
            for status in self._rails(run.rail).status(receipt):
                result = self.apply_status(status)
                counts[result] = counts.get(result, 0) + 1
            self.close_if_final(run.id)
        return counts

    def apply_status(self, status: RailPaymentStatus, *, on: dt.date | None = None) -> str:
        """Apply one rail verdict: a rejection fails the payment, a return returns it; anything else is news only.

        Settlement is not taken from a rail: the bank statement says it, and reconciliation posts
        ``payment_settled`` from the statement (one path, so never a second settlement entry).
        """
        on = on or self._clock.now().date()
        if status.bank_reference:  # the bank's own reference for it (pain.002 AcctSvcrRef): kept and shown
            with self._uow() as uow:
                if uow.bank_reference_log.learn(status.payment_id, status.bank_reference, source="status_report",
                                                at=self._clock.now()):
                    uow.commit()
        if status.outcome is RailOutcome.REJECTED:
            return self._fail_sent(status.payment_id, status.reason_code or "rejected", on, status.reason)
        if status.outcome is RailOutcome.RETURNED:
            return self.mark_returned(status.payment_id, reason_code=status.reason_code or "R00", on=on)
        return "unchanged"

    def _fail_sent(self, payment_id: str, reason: str, on: dt.date, text: str | None = None) -> str:
        # The same function reconciliation applies to an imported pain.002: one mechanism, one state, one reversal.
        with self._uow() as uow:
            result = apply_rejection(uow, lambda: self._journal(uow), payment_id, reason_code=reason, text=text,
                                     on=on, now=self._clock.now())
            uow.commit()
        return result

    def mark_returned(self, payment_id: str, *, reason_code: str, on: dt.date) -> str:
        """Sent or settled → returned: the liability comes back and the invoices become payable again."""
        with self._uow() as uow:
            p = uow.payments.get_payment(payment_id)
            if p is None or not payment_can(p.status, PaymentStep.RETURN):
                return "unchanged"
            settled = p.status is PaymentStatus.SETTLED
            if not uow.payments.transition_payments([p.id], PaymentStep.RETURN, reason=reason_code,
                                                    at=self._clock.now(), expected=p.status):
                return "unchanged"
            if p.kind is PaymentKind.PRENOTE:
                uow.payments.add_outbox(PRENOTE_RETURNED, f"{PRENOTE_RETURNED}:{p.id}",
                                        {"payment_id": p.id, "account_id": p.account_id, "reason_code": reason_code},
                                        self._clock.now())
            if p.kind is PaymentKind.LIVE:
                journal = self._journal(uow)
                run = uow.payments.get_run(p.run_id)
                entry = returned_entry(p.id, p.currency, ledger_items(p), on, settled=settled, reason_code=reason_code,
                                       cash=self._treasury.for_rail(run.rail if run else None).cash)
                drafts = [entry] if entry else []
                # The discount and interest were priced for this payment; a later payment prices them afresh.
                drafts += [reversal_of(d, entry_id=entry_id_for(p.id, f"reversal_{d.code}"), effective_date=on,
                                       memo=f"payment returned {reason_code}")
                           for d in sent_entries(p.id, p.run_id, p.currency, ledger_items(p), p.effective_date)
                           if d.code != "payment_sent"]
                journal.post_many(drafts)
                # Reconciliation, reading the same return from the bank's file, finds the hold and adds nothing.
                uow.paid_invoices.reopen(
                    [i.invoice_id for i in p.items], payment_id=p.id, hold=PaymentHold.PAYMENT_RETURNED.value,
                    reason_code=reason_code, at=self._clock.now(),
                    message=f"Your bank returned our payment ({reason_code}). We will pay again once the bank "
                            "details are checked.")
            uow.commit()
        return "returned"

    def close_if_final(self, run_id: str) -> None:
        with self._uow() as uow:
            payments = uow.payments.payments_of_run(run_id)
            if payments and all(p.status in FINAL_PAYMENT_STATUSES for p in payments):
                uow.payments.transition_run(run_id, RunStep.FINISH, at=self._clock.now())
            uow.commit()
