"""Handing released runs to their rail exactly once (following each payment afterwards: ``payment_followup``).

The hand-over is three steps, each safe to repeat:

1. **Claim** (one transaction): lock a released run (``FOR UPDATE SKIP LOCKED``), move it and its payments to
   ``submitted`` with guarded updates, store their trace numbers and a pending submission whose id is derived
   from the run, and write the outbox row - all committed together. Payments that can no longer settle on their
   date (a same-day run released after the same-day cut-off) are re-dated here, once (``payment_dates``).
2. **Deliver** (no transaction open): first ask the rail whether it already holds the submission id; only if
   it does not, build the batch (decrypting account numbers now, each one an audit event committed first) and
   submit it under that same id.
3. **Record** (one transaction): the submission becomes ``accepted``, payments ``sent``, the run ``sent``,
   and discount, interest and ``payment_sent`` entries are posted with ids derived from each payment.

A crash between any two steps leaves a pending submission; the next pass (the submit job, or
``disburse payments submit``) picks it up at step 2. A timeout marks it ``unknown`` and the next pass
asks the rail before anything else: a timeout means "reconcile", never "send again".
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, replace

from payments.audit import SYSTEM_ACTOR
from payments.disbursements.payment_errors import BankAccountMissing, SubmissionNotFound
from payments.disbursements.payment_rules import (PaymentStep, RunStep, check_run_step, run_can,
                                                  sent_entries, submission_id_for, trace_numbers)
from payments.errors import DomainError, StaleState
from payments.identity import Action, Principal, authorize
from payments.disbursements.payment_dates import redate_for_submission, repricing
from payments.disbursements.payment_records import PaymentRecord, PaymentRunRecord, SubmissionRecord, SubmissionState
from payments.disbursements.payment_followup import PRENOTE_SENT
from payments.disbursements.payment_rejections import ledger_items
from payments.disbursements.credit_offsets import OFFSET_ONLY, offset_only as _offset_only
from payments.disbursements.payee_checks import payee_refusals
from payments.disbursements.payment_states import PaymentKind, PaymentStatus, RunStatus
from payments.disbursements.payment_ports import PaymentsUnitOfWork
from payments.disbursements.payments_core import PaymentsCore, require_run
from payments.disbursements.rails import (RailBatch, RailPayment, RailRejected, RailSubmission,
                            RailTimeout, RailUnavailable, RemittanceLine)

_OPEN = (SubmissionState.PENDING, SubmissionState.UNKNOWN)


@dataclass(frozen=True, slots=True)
class SubmitOutcome:
    """What one pass did with one submission: accepted, already_recorded, unknown, retry, rejected, busy or
    withdrawn (every payment of the run was withdrawn at submission; nothing was handed over)."""

    submission_id: str
    run_id: str
    result: str
    reference: str | None = None
    detail: str = ""


class PaymentSubmission:
    """Claim, deliver and record: released runs handed to their rail exactly once, and recovery of what a crash or a
    timeout left open, over the shared ``PaymentsCore``."""

    def __init__(self, core: PaymentsCore) -> None:
        self._core = core

    # -- submit --------------------------------------------------------------------------------------------
    def submit_released(self, *, max_runs: int = 20) -> list[SubmitOutcome]:
        """Finish any open submission, then claim and deliver released runs. Safe to run anywhere, any time."""
        outcomes = self.recover()
        for _ in range(max_runs):
            submission = self._claim()
            if submission is None:
                break
            if isinstance(submission, SubmitOutcome):
                outcomes.append(submission)
                continue
            self._core.crash("after_claiming")
            outcomes.append(self._deliver(submission.id))
        return outcomes

    def recover(self) -> list[SubmitOutcome]:
        """Deliver (after asking the rail) every submission a crash or a timeout left open."""
        with self._core.uow(read_only=True) as uow:
            open_ids = [s.id for s in uow.payments.open_submissions()]
        return [self._deliver(sid) for sid in open_ids]

    def submit_run(self, principal: Principal, run_id: str) -> SubmitOutcome:
        """Submit one released run now (the HTTP ``:submit``), or finish its open submission."""
        authorize(principal, Action.PAYMENT_RUN_SUBMIT)
        run = self._core.get_run(run_id)
        if run.status is RunStatus.SUBMITTED and run.submission_id:
            outcome = self._deliver(run.submission_id, principal)
            if outcome.result == "busy":
                # Another attempt holds it, or it finished since we read the run: then the answer is the 409.
                now_status = self._core.get_run(run_id).status
                if now_status is not RunStatus.SUBMITTED:
                    check_run_step(run_id, now_status, RunStep.CLAIM)
            return outcome
        check_run_step(run_id, run.status, RunStep.CLAIM)
        submission = self._claim(run_id)
        if submission is None:
            raise StaleState("payment run", run_id, RunStatus.RELEASED.value)
        if isinstance(submission, SubmitOutcome):
            return submission
        self._core.crash("after_claiming")
        return self._deliver(submission.id, principal)

    def _claim(self, run_id: str | None = None) -> SubmissionRecord | SubmitOutcome | None:
        now = self._core.clock.now()
        with self._core.uow() as uow:
            if run_id is None:
                run = uow.payments.claim_released_run()
            else:
                run = uow.payments.get_run(run_id, for_update=True)
                run = run if run is not None and run_can(run.status, RunStep.CLAIM) else None
            if run is None:
                return None
            submission_id = submission_id_for(run.id)
            scheduled = [p for p in uow.payments.payments_of_run(run.id) if p.status is PaymentStatus.SCHEDULED]
            scheduled = self._withdraw_unpayable(uow, scheduled, now)
            if scheduled:
                scheduled = self._fix_dates(uow, run, scheduled, now)
            if not scheduled:
                # Every payment was withdrawn: nothing to hand over, so no submission and no empty file.
                if not uow.payments.transition_run(run.id, RunStep.WITHDRAW_ALL, at=now):
                    raise StaleState("payment run", run.id, RunStatus.RELEASED.value)
                uow.commit()
                return SubmitOutcome(submission_id, run.id, "withdrawn",
                                     detail="every payment was withdrawn: its invoices were held or cancelled after "
                                            "release, or the date it can still settle would change its pricing")
            if not uow.payments.transition_run(run.id, RunStep.CLAIM, at=now, submission_id=submission_id):
                raise StaleState("payment run", run.id, RunStatus.RELEASED.value)
            ids = [p.id for p in scheduled]
            traces: dict[str, str | None] = (dict(trace_numbers(ids, self._core.odfi_id))
                                             if self._core.rails(run.rail).capabilities().ach_traces else dict.fromkeys(ids))
            uow.payments.assign_submission(run.id, submission_id, traces, now)
            submission = SubmissionRecord(submission_id, run.id, run.rail, SubmissionState.PENDING, now)
            uow.payments.add_submission(submission)
            uow.payments.add_outbox("rail.submit", f"rail.submit:{submission_id}",
                                    {"submission_id": submission_id, "run_id": run.id, "rail": run.rail}, now)
            uow.commit()
        return submission

    def _withdraw_unpayable(self, uow: PaymentsUnitOfWork, scheduled: list[PaymentRecord], now: dt.datetime) -> list[PaymentRecord]:
        """Cancel the payments whose invoices were held, cancelled or paid, or whose account was blocked or held,
        since the run was planned.

        The run was released on what it showed; an invoice put on hold after that must not leave with it. The
        payment's other invoices are freed by the cancellation and the next run pays them.
        """
        blocked = uow.paid_invoices.not_payable([i.invoice_id for p in scheduled for i in p.items])
        keep = []
        for p in scheduled:
            why = sorted(f"{i.invoice_id}: {blocked[i.invoice_id]}" for i in p.items if i.invoice_id in blocked)
            why += payee_refusals(p, self._core.accounts.get(p.account_id))
            if not why:
                keep.append(p)
                continue
            self._withdraw(uow, p, why, now)
        return keep

    @staticmethod
    def _withdraw(uow: PaymentsUnitOfWork, p: PaymentRecord, why: list[str] | tuple[str, ...], now: dt.datetime,
                  cause: str = "invoice_not_payable") -> None:
        """Guarded ``scheduled -> cancelled``: the invoices leave the live-payment slot with it, so the next
        run selects and prices them again."""
        if uow.payments.transition_payments([p.id], PaymentStep.WITHDRAW,
                                            reason=f"withdrawn at submission: {'; '.join(why)}", at=now) != 1:
            raise StaleState("payment", p.id, PaymentStatus.SCHEDULED.value)
        uow.payments.add_outbox("payment.withdrawn", f"payment.withdrawn:{p.id}",
                                {"payment_id": p.id, "run_id": p.run_id, "cause": cause, "reasons": list(why)}, now)

    def _fix_dates(self, uow: PaymentsUnitOfWork, run: PaymentRunRecord, scheduled: list[PaymentRecord],
                   now: dt.datetime) -> list[PaymentRecord]:
        """Re-date what can no longer settle on its date (a same-day run past its cut-off), in the claim's
        transaction: the dates are fixed before any delivery can read them (see ``payment_dates``). A payment
        the new date would price differently (a discount no longer ours, interest owed) is withdrawn instead."""
        redating = redate_for_submission(run, scheduled, now, self._core.policy.calendar,
                                         self._core.rails(run.rail).capabilities())
        if redating is None:
            return scheduled
        by_id = {p.id: p for p in scheduled}
        moving = [by_id[pid] for pid, _, _ in redating.moved if by_id[pid].items]
        withdrawn: dict[str, tuple[str, ...]] = {}
        if moving:
            # Only invoices due, or discountable, by the new date can price differently on it.
            invoices = {i.invoice_id: i for i in self._core.invoices.find(through=redating.to, currency=run.currency)}
            for p in moving:
                why = repricing(p, invoices, to=redating.to, run_date=run.run_date, policy=self._core.policy)
                if why:
                    withdrawn[p.id] = why
        redating = redating.withdrawing(withdrawn)
        for pid, why in redating.withdrawn:
            self._withdraw(uow, by_id[pid], why, now, cause="repriced_by_redating")
        detail = redating.as_detail()
        if uow.payments.redate(run.id, redating.moved, to=redating.to, detail=detail, at=now) != len(redating.moved):
            raise StaleState("payment run", run.id, RunStatus.RELEASED.value)
        uow.payments.add_outbox("payment_run.redated", f"payment_run.redated:{run.id}", {"run_id": run.id, **detail},
                                now)
        moved = {pid for pid, _, _ in redating.moved}
        return [replace(p, effective_date=redating.to, same_day=False) if p.id in moved else p
                for p in scheduled if p.id not in withdrawn]

    def _deliver(self, submission_id: str, actor: Principal | str = SYSTEM_ACTOR) -> SubmitOutcome:
        now = self._core.clock.now()
        # The lease belongs to this attempt, not to the process: a second request on the same server is "busy".
        attempt = f"{self._core.holder}/{secrets.token_hex(6)}"
        with self._core.uow() as uow:
            leased = uow.payments.lease_submission(submission_id, attempt, now, self._core.lease_s)
            submission = uow.payments.get_submission(submission_id)
            uow.commit()
        if submission is None:
            raise SubmissionNotFound(f"submission {submission_id} does not exist")
        if not leased:
            return SubmitOutcome(submission_id, submission.run_id, "busy")
        rail = self._core.rails(submission.rail)
        # The status check comes first, always: whatever the rail already holds is recorded, never re-sent.
        receipt = rail.lookup(submission_id)
        if receipt is None:
            try:
                batch = self._batch(submission, actor)
            except DomainError as exc:
                # Nothing was handed over: say why and try again on the next pass (a person may need to act).
                self._mark(submission, attempt, SubmissionState.PENDING, f"{exc.code}: {exc.message}")
                return SubmitOutcome(submission_id, submission.run_id, "retry", detail=exc.message)
            if not batch.payments:  # every payment is settled by offset against credits: nothing for the rail
                return self._record_accepted(submission, RailSubmission(submission_id, submission.rail, OFFSET_ONLY,
                                                                        now, 0, 0))
            try:
                receipt = rail.submit(batch)
            except RailTimeout as exc:
                self._mark(submission, attempt, SubmissionState.UNKNOWN, exc.message)
                return SubmitOutcome(submission_id, submission.run_id, "unknown", detail=exc.message)
            except RailUnavailable as exc:
                self._mark(submission, attempt, SubmissionState.PENDING, exc.message)
                return SubmitOutcome(submission_id, submission.run_id, "retry", detail=exc.message)
            except RailRejected as exc:
                self._reject(submission, exc.message)
                return SubmitOutcome(submission_id, submission.run_id, "rejected", detail=exc.message)
        self._core.crash("after_rail_accepted")
        return self._record_accepted(submission, receipt)

    def _mark(self, submission: SubmissionRecord, attempt: str, state: SubmissionState, detail: str) -> None:
        """The attempt ends with the submission still open: say why and give up its lease, if it still holds it."""
        with self._core.uow() as uow:
            uow.payments.transition_submission(submission.id, _OPEN, state, at=self._core.clock.now(), detail=detail,
                                               attempted=True, holder=attempt)
            uow.commit()

    def _batch(self, submission: SubmissionRecord, actor: Principal | str) -> RailBatch:
        with self._core.uow(read_only=True) as uow:
            run = require_run(uow.payments.get_run(submission.run_id), submission.run_id)
            payments = [p for p in uow.payments.payments_of_run(submission.run_id)
                        if p.submission_id == submission.id and p.status is PaymentStatus.SUBMITTED
                        and not _offset_only(p)]
        accounts = {}
        for p in payments:
            account = self._core.accounts.get(p.account_id)
            if account is None:
                raise BankAccountMissing(f"bank account {p.account_id} of payment {p.id} is gone")
            accounts[p.id] = account
        self._audit_decryptions(actor, submission, payments)
        out = []
        for p in payments:
            account = accounts[p.id]
            out.append(RailPayment(
                payment_id=p.id, external_id=p.external_id, amount_minor=p.amount_minor, currency=p.currency,
                payee_name=p.payee_name, payee_id=p.vendor_id, routing_number=account.routing_number,
                account_number=self._core.accounts.account_number(p.account_id), account_type=account.account_type,
                sec_code=p.sec_code, prenote=p.kind is PaymentKind.PRENOTE, trace_number=p.trace_number,
                effective_date=p.effective_date, same_day=p.same_day,
                remittance=tuple(RemittanceLine(i.invoice_number, i.amount_minor, i.discount_minor, i.interest_minor,
                                                i.invoice_date, interest_rule=i.interest_rule) for i in p.items)
                + tuple(RemittanceLine(c.memo_number, -c.amount_minor, invoice_date=c.memo_date, credit_memo=True)
                        for c in p.credits)))
        return RailBatch(submission.id, submission.run_id, submission.created_at, run.effective_date, tuple(out))

    def _audit_decryptions(self, actor: Principal | str, submission: SubmissionRecord,
                           payments: list[PaymentRecord]) -> None:
        """One audit event per account number about to be opened, committed before the first is decrypted: a
        crash after decrypting (or while the rail holds the numbers) still leaves the record. Each delivery
        attempt that builds a file opens the numbers again and is recorded again; a retry that finds the batch
        already at the rail builds nothing and records nothing."""
        with self._core.uow() as uow:
            self._core.audit.record_many(uow, actor, "bank_account_used_for_payment", [
                (p.account_id, {"payment_id": p.id, "submission_id": submission.id, "run_id": p.run_id,
                                "vendor_id": p.vendor_id, "kind": p.kind.value}) for p in payments])
            uow.commit()

    def _record_accepted(self, submission: SubmissionRecord, receipt: RailSubmission) -> SubmitOutcome:
        now = self._core.clock.now()
        with self._core.uow() as uow:
            if not uow.payments.transition_submission(submission.id, _OPEN, SubmissionState.ACCEPTED, at=now,
                                                      reference=receipt.reference, attempted=True):
                return SubmitOutcome(submission.id, submission.run_id, "already_recorded", receipt.reference)
            payments = [p for p in uow.payments.payments_of_run(submission.run_id)
                        if p.submission_id == submission.id and p.status is PaymentStatus.SUBMITTED]
            moved = uow.payments.transition_payments([p.id for p in payments], PaymentStep.ACCEPT, at=now)
            if moved != len(payments):
                raise StaleState("submission", submission.id, "submitted")
            uow.payments.transition_run(submission.run_id, RunStep.ACCEPT, at=now)
            drafts = [d for p in payments if p.kind is PaymentKind.LIVE
                      for d in sent_entries(p.id, p.run_id, p.currency, ledger_items(p), p.effective_date)]
            if drafts:
                self._core.journal(uow).post_many(drafts)
            # Settled by offset alone: no money moves, so no statement will ever show it; it is settled now.
            uow.payments.transition_payments([p.id for p in payments if _offset_only(p)], PaymentStep.SETTLE, at=now,
                                             reason="settled by offset against the vendor's credits")
            for p in payments:
                if p.kind is PaymentKind.LIVE:
                    self._invoices_paid(uow, p, now)
                uow.payments.add_outbox("payment.sent", f"payment.sent:{p.id}",
                                        {"payment_id": p.id, "amount_minor": p.amount_minor, "trace": p.trace_number,
                                         "reference": receipt.reference, "kind": p.kind.value,
                                         "account_id": p.account_id}, now)
                if p.kind is PaymentKind.PRENOTE:
                    # The bank-account workflow waits for this: the account's prenote is on its way.
                    uow.payments.add_outbox(PRENOTE_SENT, f"{PRENOTE_SENT}:{p.id}",
                                            {"payment_id": p.id, "account_id": p.account_id,
                                             "effective_date": p.effective_date.isoformat()}, now)
            self._core.crash("before_commit")
            uow.commit()
        return SubmitOutcome(submission.id, submission.run_id, "accepted", receipt.reference)

    @staticmethod
    def _invoices_paid(uow: PaymentsUnitOfWork, p: PaymentRecord, now: dt.datetime) -> None:
        """The rail took the payment: its invoices are paid (the vendor sees the trace through the payment)."""
        stuck = uow.paid_invoices.mark_paid([i.invoice_id for i in p.items], payment_id=p.id, at=now)
        for i in p.items:
            if i.invoice_id in stuck:
                continue
            uow.payments.add_outbox("invoice.paid", f"invoice.paid:{p.id}:{i.invoice_id}",
                                    {"invoice_id": i.invoice_id, "payment_id": p.id, "trace": p.trace_number,
                                     "effective_date": p.effective_date.isoformat(), "paid_minor": i.paid_minor}, now)
        if stuck:
            # The money has left; an invoice that moved meanwhile is a person's to look at, never a second payment.
            uow.payments.add_outbox("payment.invoice_not_approved", f"payment.invoice_not_approved:{p.id}",
                                    {"payment_id": p.id, "invoice_ids": stuck}, now)

    def _reject(self, submission: SubmissionRecord, detail: str) -> None:
        now = self._core.clock.now()
        with self._core.uow() as uow:
            if uow.payments.transition_submission(submission.id, _OPEN, SubmissionState.REJECTED, at=now,
                                                  detail=detail, attempted=True):
                ids = [p.id for p in uow.payments.payments_of_run(submission.run_id) if p.submission_id == submission.id]
                uow.payments.transition_payments(ids, PaymentStep.REJECT, reason=f"rail rejected the batch: {detail}",
                                                 at=now)
                uow.payments.transition_run(submission.run_id, RunStep.REJECT, at=now)
            uow.commit()
