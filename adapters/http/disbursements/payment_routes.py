"""/v1/payment-runs (create, :preview by POST or GET, get, list, :release, :cancel, :submit) and /v1/payments
(get, list)."""

from __future__ import annotations

import datetime as dt
import hashlib

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from adapters.http.auth import require
from adapters.http.idempotency import run_idempotent
from adapters.http.pagination import decode_cursor, page
from ledger.money import format_minor
from payments.identity import Action, Principal
from payments.disbursements.payment_records import PaymentRecord, PaymentRunRecord
from payments.disbursements.payment_states import PaymentStatus, RunStatus
from payments.disbursements.plan_view import plan_view
from payments.reconciliation.bank_references import bank_reference_view

router = APIRouter(tags=["payments"])


class RunIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    run_date: dt.date | None = Field(default=None, description="the business day to pay for (default: today)")
    rail: str | None = Field(default=None, max_length=40, description="nacha, iso20022, sandbox or an installed rail")
    same_day: bool = Field(default=False, description="settle today (same-day ACH): 409 same_day_unavailable when the "
                           "rail has no same-day service or its cut-off has passed")


def run_out(run: PaymentRunRecord, payments: list[PaymentRecord] | None = None,
            learned: dict[str, dict | None] | None = None) -> dict:
    body = {
        "id": run.id, "status": run.status.value, "run_date": run.run_date.isoformat(),
        "effective_date": run.effective_date.isoformat(), "currency": run.currency, "rail": run.rail,
        "total_minor": run.total_minor, "total": format_minor(run.total_minor, run.currency),
        "payment_count": run.payment_count, "created_by": run.created_by,
        "created_at": run.created_at.isoformat().replace("+00:00", "Z"), "run_key": run.run_key,
        "required_releases": run.required_releases, "released_by": list(run.releasers),
        "submission_id": run.submission_id, "skipped": list(run.skipped), "same_day": run.same_day,
        "redated": run.redated,
    }
    if payments is not None:
        # The run's total is what was released; payments withdrawn at submission (cancelled) never left, so the
        # total still in force is what the rail's file and the bank debit add up to.
        cancelled = [p.amount_minor for p in payments if p.status is PaymentStatus.CANCELLED]
        body["cancelled"] = {"payment_count": len(cancelled), "total_minor": sum(cancelled),
                             "total": format_minor(sum(cancelled), run.currency)}
        body["total_in_force_minor"] = run.total_minor - sum(cancelled)
        body["payments"] = [payment_out(p, learned) for p in payments]
    return body


def bank_references(request: Request, payments: list[PaymentRecord]) -> dict[str, dict | None]:
    """The bank's own reference for each credit transfer (no ACH trace) a statement line has settled."""
    ids = [p.id for p in payments if not p.trace_number]
    if not ids:
        return {}
    with request.app.state.uow(read_only=True) as uow:
        found = uow.bank_references.for_payments(ids)
    return {pid: bank_reference_view(found.get(pid)) for pid in ids}


def payment_out(p: PaymentRecord, learned: dict[str, dict | None] | None = None) -> dict:
    return {
        "id": p.id, "run_id": p.run_id, "status": p.status.value, "kind": p.kind.value, "sec_code": p.sec_code.value,
        "vendor_id": p.vendor_id, "account_id": p.account_id, "payee_name": p.payee_name, "currency": p.currency,
        "amount_minor": p.amount_minor, "amount": format_minor(p.amount_minor, p.currency),
        "effective_date": p.effective_date.isoformat(), "same_day": p.same_day, "trace_number": p.trace_number,
        "end_to_end_id": p.external_id, "status_reason": p.status_reason,
        # What the banks show for it: the ACH trace, or for a credit transfer (no trace) its EndToEndId.
        "bank_reference": {"kind": "trace_number", "value": p.trace_number} if p.trace_number else
        {"kind": "end_to_end_id", "value": p.external_id},
        # The bank's own reference for a credit transfer once a statement books it (camt AcctSvcrRef): null before.
        "bank_own_reference": (learned or {}).get(p.id),
        "remittance": [{"invoice_id": i.invoice_id, "invoice_number": i.invoice_number,
                        "amount_minor": i.amount_minor, "discount_minor": i.discount_minor,
                        "interest_minor": i.interest_minor, "interest_rule": i.interest_rule,
                        "paid_minor": i.paid_minor} for i in p.items],
        # The vendor's credits this payment deducts (amount_minor = gross_minor - their total).
        "gross_minor": p.gross_minor,
        "credits": [{"credit_memo_id": c.credit_memo_id, "memo_number": c.memo_number, "fund": c.fund,
                     "amount_minor": c.amount_minor, "from_receivable_minor": c.receivable_minor} for c in p.credits],
    }


@router.post("/v1/payment-runs", status_code=201)
def create_run(request: Request, body: RunIn, principal: Principal = require(Action.PAYMENT_RUN_CREATE)):
    service = request.app.state.payments

    def handler():
        # The Idempotency-Key is the run key too: a retry that takes over the claim of a request that died after
        # creating the run gets that run back (create_run is idempotent per run key), not "nothing payable".
        key = request.headers.get("Idempotency-Key")
        run_key = None if key is None else "http:" + hashlib.sha256(f"{principal.user_id} {key}".encode()).hexdigest()
        result = service.create_run(run_date=body.run_date, rail=body.rail, created_by=principal.user_id,
                                    same_day=body.same_day, run_key=run_key)
        if result.run is None:
            skipped = [{"invoice_id": s.invoice_id, "reason": s.reason.value, "detail": s.detail}
                       for s in (result.plan.skipped if result.plan else ())]
            return 200, {"run": None, "detail": "nothing is payable in this window", "skipped": skipped}
        return 201, run_out(result.run, service.payments_of_run(result.run.id))
    return run_idempotent(request, principal, body.model_dump(mode="json"), handler, rerun_safe=True)


class CancelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=1000, description="why the run is withdrawn (kept in the audit trail)")


@router.post("/v1/payment-runs:preview")
def preview_run(request: Request, body: RunIn, _p: Principal = require(Action.PAYMENT_RUN_CREATE)) -> dict:
    """What ``POST /v1/payment-runs`` would create now, planned the same way; writes nothing (no run, nothing
    locked, no hold), so it needs no Idempotency-Key."""
    return plan_view(request.app.state.payments.preview(run_date=body.run_date, rail=body.rail,
                                                       same_day=body.same_day))


@router.get("/v1/payment-runs:preview")
def preview_run_get(request: Request, run_date: dt.date | None = Query(None, description="the business day to pay "
                                                                        "for (default: today)"),
                    rail: str | None = Query(None, max_length=40), same_day: bool = False,
                    _p: Principal = require(Action.PAYMENT_RUN_CREATE)) -> dict:
    """The same preview as a GET (query ``run_date``, ``rail``, ``same_day``): planning reads and never writes, so a
    link, a bookmark or a repeated request is safe; it answers exactly what the POST form answers."""
    return plan_view(request.app.state.payments.preview(run_date=run_date, rail=rail, same_day=same_day))


@router.post("/v1/payment-runs/{run_id}:cancel")
def cancel_run(request: Request, run_id: str, body: CancelIn,
               principal: Principal = require(Action.PAYMENT_RUN_CREATE)):
    """Withdraw a run not yet submitted (draft or released), with a reason: its payments are cancelled and their
    invoices freed for a later run; 409 illegal_transition once it was submitted."""
    service = request.app.state.payments

    def handler():
        run = service.cancel(principal, run_id, reason=body.reason)
        return 200, run_out(run, service.payments_of_run(run_id))

    def cancelled_by_this_request():  # a retry after a crash: the run its cancel left, if it committed
        run, payments = service.get_run(run_id), service.payments_of_run(run_id)
        mark = f"run cancelled by {principal.user_id}: {body.reason.strip()}"[:200]  # as the payments keep it
        if run.status is RunStatus.CANCELLED and any(p.status_reason == mark for p in payments):
            return 200, run_out(run, payments)
        return None
    return run_idempotent(request, principal, {"run_id": run_id, **body.model_dump()}, handler,
                          on_takeover=cancelled_by_this_request)


@router.get("/v1/payment-runs")
def list_runs(request: Request, cursor: str | None = None, limit: int = Query(50, ge=1, le=200),
              status: RunStatus | None = None, _p: Principal = require(Action.PAYMENT_RUN_READ)) -> dict:
    after = decode_cursor(cursor).get("before")
    runs = request.app.state.payments.list_runs(status=status, after=after, limit=limit + 1)
    result = page(runs, limit, lambda r: {"before": r.id})
    result["items"] = [run_out(r) for r in result["items"]]
    return result


@router.get("/v1/payment-runs/{run_id}")
def get_run(request: Request, run_id: str, _p: Principal = require(Action.PAYMENT_RUN_READ)) -> dict:
    service = request.app.state.payments
    payments = service.payments_of_run(run_id)
    return run_out(service.get_run(run_id), payments, bank_references(request, payments))


@router.post("/v1/payment-runs/{run_id}:release")
def release_run(request: Request, run_id: str, principal: Principal = require(Action.PAYMENT_RUN_RELEASE)):
    service = request.app.state.payments

    def handler():
        return 200, run_out(service.release(principal, run_id))

    def released_by_this_request():  # a retry after a crash: the run as its release left it, if it committed
        run = service.get_run(run_id)
        return (200, run_out(run)) if principal.user_id in run.releasers else None
    return run_idempotent(request, principal, {"run_id": run_id}, handler, on_takeover=released_by_this_request)


@router.post("/v1/payment-runs/{run_id}:submit")
def submit_run(request: Request, run_id: str, principal: Principal = require(Action.PAYMENT_RUN_SUBMIT)):
    service = request.app.state.payments

    def handler():
        outcome = service.submit_run(principal, run_id)
        return 200, {"submission_id": outcome.submission_id, "result": outcome.result, "reference": outcome.reference,
                     "detail": outcome.detail, "run": run_out(service.get_run(run_id))}
    return run_idempotent(request, principal, {"run_id": run_id}, handler, rerun_safe=True)


@router.get("/v1/payments")
def list_payments(request: Request, cursor: str | None = None, limit: int = Query(50, ge=1, le=200),
                  run_id: str | None = None, status: PaymentStatus | None = None, vendor_id: str | None = None,
                  _p: Principal = require(Action.PAYMENT_RUN_READ)) -> dict:
    after = decode_cursor(cursor).get("before")
    items = request.app.state.payments.list_payments(run_id=run_id, status=status, vendor_id=vendor_id, after=after,
                                                     limit=limit + 1)
    result = page(items, limit, lambda p: {"before": p.id})
    learned = bank_references(request, result["items"])
    result["items"] = [payment_out(p, learned) for p in result["items"]]
    return result


@router.get("/v1/payments/{payment_id}")
def get_payment(request: Request, payment_id: str, _p: Principal = require(Action.PAYMENT_RUN_READ)) -> dict:
    payment = request.app.state.payments.get_payment(payment_id)
    return payment_out(payment, bank_references(request, [payment]))
