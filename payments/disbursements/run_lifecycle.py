"""Payment-run use cases: preview and create the day's run, release it, cancel it, and the file it sent.

Each use case runs in one unit of work and commits once. Submission to the rail lives in ``payment_submission``,
everything after it (status, settlement, returns) in ``payment_followup``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass


from payments.disbursements.payment_errors import NoFileSent, PaymentRunNotFound, SentFileNotFound
from payments.errors import ReasonRequired, StaleState
from payments.controls import RunItem
from payments.disbursements.payment_rules import (InvoiceAlreadyScheduled, PaymentHold, PaymentStep, RunStep,
                                                  check_run_step, decide_release, new_payment_id, new_run_id,
                                                  releases_required)
from payments.identity import Action, Principal, authorize
from payments.disbursements.credit_offsets import apply_credits
from payments.disbursements.payment_records import (PaymentItemRecord, PaymentRecord, PaymentRunRecord,
                                                    SubmissionState)
from payments.disbursements.rails import RailCapabilities
from payments.disbursements.sent_files import SentFile, media_type_of
from payments.disbursements.payment_runs import PayableInvoice, RunPlan, Skipped, plan_run
from payments.disbursements.payment_states import PaymentKind, PaymentStatus, RunStatus, SkipReason
from payments.disbursements.payment_ports import PaymentsUnitOfWork, TreasuryIssue
from payments.disbursements.payments_core import PaymentsCore, require_run


@dataclass(frozen=True, slots=True)
class CreateRunResult:
    """The run (None when nothing is payable), whether this call created it, and the plan it made."""

    run: PaymentRunRecord | None
    created: bool
    plan: RunPlan | None = None


class RunLifecycle:
    """Create, preview, release and cancel payment runs, and hand out the file a run sent."""

    def __init__(self, core: PaymentsCore) -> None:
        self._core = core

    def create_run(self, *, run_date: dt.date | None = None, run_key: str | None = None, created_by: str = "system",
                   rail: str | None = None, attempts: int = 8, same_day: bool = False) -> CreateRunResult:
        """Plan and store the run for ``run_date`` (default: today's business day, after the cut-off tomorrow's).

        ``same_day`` asks for same-day settlement: refused (``same_day_unavailable``) unless the rail offers it
        and today's same-day cut-off has not passed; payments above the same-day limit settle the next day.

        Idempotent per ``run_key``: the second caller gets the first caller's run. Without a key, two runs racing
        for one invoice are settled by the store's unique constraint: the loser plans again without it.
        """
        now = self._core.clock.now()
        run_date, rail, capabilities, invoices = self._inputs(now, run_date, rail)
        for _ in range(attempts):
            try:
                with self._core.uow() as uow:
                    if run_key is not None:
                        existing = uow.payments.find_run_by_key(run_key)
                        if existing is not None:
                            return CreateRunResult(existing, False)
                    plan = self._plan(uow, invoices, run_date=run_date, now=now, capabilities=capabilities,
                                      same_day=same_day)
                    self._flag_over_limit(uow, plan, rail, now)
                    if not plan.payments:
                        uow.commit()
                        return CreateRunResult(None, False, plan)
                    run = self._store_plan(uow, plan, run_key=run_key, created_by=created_by, rail=rail, now=now)
                    uow.commit()
                    return CreateRunResult(run, True, plan)
            except InvoiceAlreadyScheduled:
                continue  # another process scheduled some of these invoices (or took the run key): plan again
        raise StaleState("payment run", run_key or run_date.isoformat(), "plannable")

    def preview(self, *, run_date: dt.date | None = None, rail: str | None = None, same_day: bool = False) -> RunPlan:
        """What ``create_run`` would plan now, planned the same way, with nothing written: no run, no invoice
        scheduled, no hold or queue item for a payment over the rail's limit (those are skipped, said why)."""
        now = self._core.clock.now()
        run_date, _rail, capabilities, invoices = self._inputs(now, run_date, rail)
        with self._core.uow(read_only=True) as uow:
            return self._plan(uow, invoices, run_date=run_date, now=now, capabilities=capabilities, same_day=same_day)

    def _inputs(self, now: dt.datetime, run_date: dt.date | None,
                rail: str | None) -> tuple[dt.date, str, RailCapabilities, list[PayableInvoice]]:
        """The run date (checked, or today's business day), the rail and what it carries, and the approved invoices."""
        if run_date is not None:
            self._core.policy.run_dates().check(run_date, "run_date", now.date())
        run_date = run_date or self._core.policy.calendar.effective_business_date(now)
        rail = rail or self._core.default_rail
        capabilities = self._core.rails(rail).capabilities()
        # Every approved invoice, not only those due by the horizon: the run's report lists the ones not yet due too
        # (skipped not_yet_due, with the day a run will pay them), so it says what is waiting as well as what is paid.
        return run_date, rail, capabilities, list(self._core.invoices.find(through=dt.date.max,
                                                                      currency=self._core.policy.currency))

    def _plan(self, uow: PaymentsUnitOfWork, invoices: list[PayableInvoice], *, run_date: dt.date, now: dt.datetime,
              capabilities: RailCapabilities, same_day: bool) -> RunPlan:
        """The run these invoices make today, less those a live payment already holds: the one planning that both
        ``create_run`` and ``preview`` use."""
        live = uow.payments.live_invoice_ids(i.invoice_id for i in invoices)
        candidates = [i for i in invoices if i.invoice_id not in live]
        accounts = {v: self._core.accounts.for_vendor(v) for v in sorted({i.vendor_id for i in candidates})}
        awaiting = list(getattr(self._core.accounts, "awaiting_prenote", list)())
        prenotes = uow.payments.prenotes([a.account_id for a in accounts.values() if a is not None]
                                         + [a.account_id for a in awaiting])
        plan = plan_run(candidates, accounts, prenotes, run_date=run_date, now=now, policy=self._core.policy,
                        awaiting_prenote=awaiting, capabilities=capabilities, same_day=same_day)
        # The vendors' open credits come off their payments (re-read on every attempt: a concurrent run that took one
        # makes this one plan again, see payment_credit_rows.store_credits).
        return apply_credits(plan, uow.vendor_credits.for_vendors({p.vendor_id for p in plan.payments}, plan.currency),
                             capabilities)

    @staticmethod
    def _flag_over_limit(uow: PaymentsUnitOfWork, plan: RunPlan, rail: str, now: dt.datetime) -> None:
        """Invoices whose payment is over the rail's limit stay out of the run, visibly: an ``over_rail_limit`` hold
        on each (the AP and treasury views show it, the next run skips it as held rather than trying again), one
        event per invoice, and one ``over_rail_limit`` exception per payment left out in the reconciliation
        exceptions queue, where treasury works what needs a person; it is resolved (dismissed) with a reason
        saying how the vendor was paid. Releasing the holds says someone arranged it."""
        over = [s for s in plan.skipped if s.reason is SkipReason.OVER_RAIL_LIMIT]
        for s in over:
            uow.paid_invoices.hold([s.invoice_id], payment_id=f"rail:{rail}", hold=PaymentHold.OVER_RAIL_LIMIT.value,
                                   reason_code=SkipReason.OVER_RAIL_LIMIT.value, message=s.detail, at=now)
            uow.payments.add_outbox("payment.over_rail_limit", f"payment.over_rail_limit:{rail}:{s.invoice_id}",
                                    {"invoice_id": s.invoice_id, "rail": rail, "detail": s.detail}, now)
        left_out: dict[tuple[str, str], list[Skipped]] = {}
        for s in over:
            left_out.setdefault((s.vendor_id, s.detail), []).append(s)
        for (vendor_id, detail), skips in sorted(left_out.items()):
            ids = sorted(s.invoice_id for s in skips)
            # One per payment left out of one day's run: planning the day again (a retry, a second process) finds
            # it; a later day's run skips the held invoices, so it only comes back if someone released the holds.
            key = hashlib.sha256(" ".join(ids).encode()).hexdigest()[:24]
            uow.treasury_queue.open(
                TreasuryIssue.OVER_RAIL_LIMIT, f"{detail} (invoices {', '.join(ids)}; rail {rail}, run of "
                f"{plan.run_date.isoformat()})", -skips[0].payment_minor, plan.currency, now=now,
                dedup_key=f"over_rail_limit:{rail}:{plan.run_date.isoformat()}:{vendor_id}:{key}")

    def _store_plan(self, uow: PaymentsUnitOfWork, plan: RunPlan, *, run_key: str | None, created_by: str, rail: str,
                    now: dt.datetime) -> PaymentRunRecord:
        run_id = new_run_id()
        records = []
        for planned in plan.payments:
            items = tuple(PaymentItemRecord(i.invoice_id, i.invoice_number, i.amount_minor, i.discount_minor,
                                            i.interest_minor, i.invoice_date, i.due_date, i.fund,
                                            i.expenditure_account, i.approver_ids, i.interest_rule)
                          for i in planned.items)
            records.append(PaymentRecord(
                id=new_payment_id(), run_id=run_id, vendor_id=planned.vendor_id, account_id=planned.account_id,
                payee_name=planned.payee_name, currency=planned.currency, amount_minor=planned.amount_minor,
                kind=planned.kind, sec_code=planned.sec_code, status=PaymentStatus.SCHEDULED,
                effective_date=planned.effective_date or plan.effective_date, created_at=now, items=items,
                same_day=planned.same_day, credits=planned.credits))
        total = plan.total_minor
        skipped = tuple({"invoice_id": s.invoice_id, "reason": s.reason.value, "detail": s.detail} for s in plan.skipped)
        run = PaymentRunRecord(
            id=run_id, run_date=plan.run_date, effective_date=plan.effective_date, status=RunStatus.DRAFT,
            currency=plan.currency, rail=rail, created_at=now, created_by=created_by, total_minor=total,
            payment_count=len(records), run_key=run_key,
            required_releases=releases_required(total, self._core.policy.dual_release_threshold_minor), skipped=skipped,
            same_day=plan.same_day)
        uow.payments.add_run(run, records)
        uow.payments.add_outbox("payment_run.created", f"payment_run.created:{run_id}",
                                {"run_id": run_id, "payments": len(records), "total_minor": total}, now)
        return run

    def release(self, principal: Principal, run_id: str) -> PaymentRunRecord:
        """A treasurer releases a draft run; a run above the threshold needs a second, different treasurer."""
        authorize(principal, Action.PAYMENT_RUN_RELEASE)
        now = self._core.clock.now()
        with self._core.uow() as uow:
            run = uow.payments.get_run(run_id, for_update=True)
            if run is None:
                raise PaymentRunNotFound(f"payment run {run_id} does not exist")
            check_run_step(run_id, run.status, RunStep.RELEASE)
            payments = uow.payments.payments_of_run(run_id)
            items = [RunItem(i.invoice_id, p.vendor_id, i.approver_ids) for p in payments for i in p.items]
            items += [RunItem(f"prenote:{p.id}", p.vendor_id, frozenset()) for p in payments
                      if p.kind is PaymentKind.PRENOTE]
            decision = decide_release(principal, run_id=run_id, created_by=run.created_by, items=items,
                                      prior_releasers=run.releasers, required=run.required_releases,
                                      restraints=self._core.restraints(sorted({p.vendor_id for p in payments})), now=now)
            uow.payments.add_release(run_id, principal.user_id, now)
            if decision.complete:
                if not uow.payments.transition_run(run_id, RunStep.RELEASE, at=now, expected=run.status):
                    raise StaleState("payment run", run_id, run.status.value)
                uow.payments.add_outbox("payment_run.released", f"payment_run.released:{run_id}",
                                        {"run_id": run_id, "released_by": list(decision.releasers)}, now)
            uow.commit()
        return self._core.get_run(run_id)

    def cancel(self, principal: Principal, run_id: str, *, reason: str) -> PaymentRunRecord:
        """Withdraw a run not yet submitted (draft or released), saying why: its payments are cancelled, their
        invoices become payable again, and the audit trail records who and why (``payment_run_cancelled``)."""
        authorize(principal, Action.PAYMENT_RUN_CREATE)
        why = (reason or "").strip()[:1000]
        if not why:
            raise ReasonRequired("say why the run is cancelled", field="reason")
        now = self._core.clock.now()
        with self._core.uow() as uow:
            run = uow.payments.get_run(run_id, for_update=True)
            if run is None:
                raise PaymentRunNotFound(f"payment run {run_id} does not exist")
            check_run_step(run_id, run.status, RunStep.CANCEL)
            if not uow.payments.transition_run(run_id, RunStep.CANCEL, at=now, expected=run.status):
                raise StaleState("payment run", run_id, run.status.value)
            ids = [p.id for p in uow.payments.payments_of_run(run_id)]
            uow.payments.transition_payments(ids, PaymentStep.WITHDRAW,
                                             reason=f"run cancelled by {principal.user_id}: {why}", at=now)
            uow.payments.add_outbox("payment_run.cancelled", f"payment_run.cancelled:{run_id}",
                                    {"run_id": run_id, "cancelled_by": principal.user_id, "reason": why}, now)
            self._core.audit.record(uow, principal, "payment_run_cancelled", run_id, {"status": run.status.value},
                               {"status": "cancelled"}, object_type="payment_run",
                               detail={"reason": why, "payments": len(ids), "total_minor": run.total_minor})
            uow.commit()
        return self._core.get_run(run_id)

    def sent_file(self, principal: Principal, run_id: str) -> SentFile:
        """The file a sent run handed to its rail, exactly as handed over (it carries full account numbers): for those
        who may submit runs, and every download is an audit event (``payment_file_downloaded``) with its digest."""
        authorize(principal, Action.PAYMENT_RUN_SUBMIT)
        with self._core.uow() as uow:
            run = require_run(uow.payments.get_run(run_id), run_id)
            submission = uow.payments.get_submission(run.submission_id) if run.submission_id else None
            if submission is None or submission.state is not SubmissionState.ACCEPTED or not submission.reference:
                raise NoFileSent(f"payment run {run_id} has no file its rail accepted",
                                 run_id=run_id, status=run.status.value)
            data = self._core.sent_files.sent_file(run.rail, submission.reference) if self._core.sent_files else None
            if data is None:
                raise SentFileNotFound(f"the {run.rail} rail keeps no file {submission.reference}")
            found = SentFile(submission.reference, data, media_type_of(submission.reference))
            self._core.audit.record(uow, principal, "payment_file_downloaded", run_id, object_type="payment_run",
                               detail={"file": found.name, "sha256": found.sha256, "bytes": len(data),
                                       "rail": run.rail, "submission_id": submission.id})
            uow.commit()
        return found
