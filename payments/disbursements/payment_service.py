"""``PaymentService``: every payment use case behind one object for the adapters, composed of its parts.

The parts share one ``PaymentsCore`` (collaborators and reads) and each lives in a module named for what it does:
``RunLifecycle`` (preview, create, release, cancel, the file sent), ``PaymentSubmission`` (claim, deliver,
record, recover) and ``PaymentFollowUp`` (the rail's status, returns, prenote events). The service only delegates;
no use case is written here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from payments.disbursements.pay_plan import PayPlan
from payments.disbursements.payment_followup import PaymentFollowUp
from payments.disbursements.payment_records import PaymentRecord, PaymentRunRecord
from payments.disbursements.payment_runs import RunPlan, RunPolicy
from payments.disbursements.payment_states import RunStatus
from payments.disbursements.payment_submission import PaymentSubmission, SubmitOutcome
from payments.disbursements.payments_core import PaymentsCore, require_run
from payments.disbursements.rails import RailPaymentStatus
from payments.disbursements.run_lifecycle import CreateRunResult, RunLifecycle
from payments.disbursements.sent_files import SentFile
from payments.disbursements.payment_ports import PaymentsUnitOfWork
from payments.identity import Principal
from payments.ports import UowFactory

__all__ = ["CreateRunResult", "PaymentService", "SubmitOutcome", "require_run"]


class PaymentService:
    """Reads, run lifecycle, submission and follow-up over one ``PaymentsCore`` (composition, not a class chain).

    Takes exactly what ``PaymentsCore`` takes. ``core`` is public for the composition root and for tests that set
    the crash hook (``service.core.crash``) or reach the rails and payee accounts it holds.
    """

    def __init__(self, uow_factory: UowFactory[PaymentsUnitOfWork], **collaborators: Any) -> None:
        self.core = PaymentsCore(uow_factory, **collaborators)
        self.runs = RunLifecycle(self.core)
        self.submission = PaymentSubmission(self.core)
        self.follow_up = PaymentFollowUp(self.core.uow, self.core.clock, self.core.rails, self.core.journal,
                                         self.core.policy.treasury)

    @property
    def policy(self) -> RunPolicy:
        return self.core.policy

    @property
    def default_rail(self) -> str:
        return self.core.default_rail

    # -- reads ---------------------------------------------------------------------------------------------
    def get_run(self, run_id: str) -> PaymentRunRecord:
        return self.core.get_run(run_id)

    def list_runs(self, *, status: RunStatus | None = None, after: str | None = None,
                  limit: int = 50) -> list[PaymentRunRecord]:
        return self.core.list_runs(status=status, after=after, limit=limit)

    def get_payment(self, payment_id: str) -> PaymentRecord:
        return self.core.get_payment(payment_id)

    def list_payments(self, **filters: Any) -> list[PaymentRecord]:
        return self.core.list_payments(**filters)

    def payments_of_run(self, run_id: str) -> list[PaymentRecord]:
        return self.core.payments_of_run(run_id)

    def pay_plan(self, invoice_id: str) -> PayPlan | None:
        return self.core.pay_plan(invoice_id)

    # -- runs ----------------------------------------------------------------------------------------------
    def create_run(self, *, run_date: dt.date | None = None, run_key: str | None = None, created_by: str = "system",
                   rail: str | None = None, attempts: int = 8, same_day: bool = False) -> CreateRunResult:
        return self.runs.create_run(run_date=run_date, run_key=run_key, created_by=created_by, rail=rail,
                                    attempts=attempts, same_day=same_day)

    def preview(self, *, run_date: dt.date | None = None, rail: str | None = None, same_day: bool = False) -> RunPlan:
        return self.runs.preview(run_date=run_date, rail=rail, same_day=same_day)

    def release(self, principal: Principal, run_id: str) -> PaymentRunRecord:
        return self.runs.release(principal, run_id)

    def cancel(self, principal: Principal, run_id: str, *, reason: str) -> PaymentRunRecord:
        return self.runs.cancel(principal, run_id, reason=reason)

    def sent_file(self, principal: Principal, run_id: str) -> SentFile:
        return self.runs.sent_file(principal, run_id)

    # -- submission ----------------------------------------------------------------------------------------
    def submit_released(self, *, max_runs: int = 20) -> list[SubmitOutcome]:
        return self.submission.submit_released(max_runs=max_runs)

    def recover(self) -> list[SubmitOutcome]:
        return self.submission.recover()

    def submit_run(self, principal: Principal, run_id: str) -> SubmitOutcome:
        return self.submission.submit_run(principal, run_id)

    # -- after the rail took it ----------------------------------------------------------------------------
    def relay_prenote_events(self, handle: Callable[[str, dict[str, Any]], None]) -> int:
        return self.follow_up.relay_prenote_events(handle)

    def poll_status(self) -> dict[str, int]:
        return self.follow_up.poll_status()

    def apply_status(self, status: RailPaymentStatus, *, on: dt.date | None = None) -> str:
        return self.follow_up.apply_status(status, on=on)

    def mark_returned(self, payment_id: str, *, reason_code: str, on: dt.date) -> str:
        return self.follow_up.mark_returned(payment_id, reason_code=reason_code, on=on)
