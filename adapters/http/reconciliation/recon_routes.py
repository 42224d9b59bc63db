"""/v1/statements (upload a bank file) and /v1/reconciliation (reports, the exceptions queue, runs).

The upload is the raw file as the request body (any content type): statements (BAI2, camt.052/053/054),
pain.002 status reports and NACHA returns/NOC files. It is idempotent by the file's digest; an Idempotency-Key
also replays the first response. A malformed file is a 422 problem naming the line or element and the reason.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from typing import Callable

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse
from starlette.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from adapters.gc_pause import LARGE_STATEMENT_BYTES, cyclic_gc_paused
from adapters.http.ap.ap_io import Amount, minor
from adapters.http.ap.vendor_credit_routes import credit_out
from adapters.http.auth import require
from adapters.http.body_guard import raw_body
from adapters.http.http_errors import EmptyUpload
from adapters.http.idempotency import run_idempotent
from adapters.http.pagination import decode_cursor, page
from adapters.exports.csv_export import write_csv
from payments.identity import Action, Principal
from payments.reconciliation.recon_records import ExceptionKind, ExceptionStatus
from payments.reconciliation.recon_rows import ExceptionRecord
from payments.reconciliation.vendor_refunds import RefundedCredit

router = APIRouter(tags=["reconciliation"])
_BANK_FILE = {"requestBody": {"required": True, "content": {"application/octet-stream": {
    "schema": {"type": "string", "format": "binary"}}}}}


def exception_out(e: ExceptionRecord) -> dict:
    return {
        "id": e.id, "kind": e.kind.value, "status": e.status.value, "line_id": e.line_id,
        "payment_ids": list(e.payment_ids), "candidates": list(e.candidates), "notice_ref": e.notice_ref,
        "amount_minor": e.amount_minor, "currency": e.currency, "detail": e.detail,
        "opened_at": e.opened_at.isoformat(), "resolved_at": e.resolved_at.isoformat() if e.resolved_at else None,
        "resolved_by": e.resolved_by, "resolution": e.resolution, "reason": e.reason,
        "write_off": None if e.write_off_requested_by is None else {
            "requested_by": e.write_off_requested_by, "reason": e.write_off_reason, "account": e.write_off_account,
            "requested_at": e.write_off_requested_at.isoformat() if e.write_off_requested_at else None,
            "approved_by": e.approved_by},
        "entry_id": e.entry_id,
    }


@router.post("/v1/statements", status_code=201, openapi_extra=_BANK_FILE)
@raw_body  # capped at the upload limit (settings.max_upload_body_bytes) by the body guard, not the JSON one
async def upload_statement(request: Request, format: str | None = Query(None, max_length=20),  # noqa: A002
                           dry_run: bool = False, name: str | None = Query(None, max_length=200),
                           strict: bool = Query(False, description="also validate an ISO 20022 message against its "
                                                "official XSD; refused if it breaks it or none is held"),
                           history: bool = Query(False, description="older history, back to the date policy's "
                                                 "history_from, is accepted"),
                           principal: Principal = require(Action.STATEMENTS_IMPORT)):
    data = await request.body()
    if not data:
        raise EmptyUpload("the request body must be the bank file")
    service = request.app.state.recon.service

    def handler():
        with cyclic_gc_paused(len(data) >= LARGE_STATEMENT_BYTES):
            result = service.import_file(data, format=format, name=name, actor=principal.user_id, dry_run=dry_run,
                                     strict=strict, history=history)
        return (200 if result.duplicate_file or dry_run else 201), result.to_dict()

    payload = {"sha256": hashlib.sha256(data).hexdigest(), "format": format, "dry_run": dry_run, "strict": strict,
               "history": history}
    # The import is synchronous database work: off the event loop, like FastAPI's own sync routes.
    # Safe to re-run after a crash: an import is one transaction, and a file already imported is known by its digest.
    return await run_in_threadpool(functools.partial(run_idempotent, rerun_safe=True), request, principal, payload,
                                   handler)


@router.get("/v1/reconciliation/reports/{on}")
def report(request: Request, on: dt.date, format: str = Query("json", pattern="^(json|csv)$"),  # noqa: A002
           _p: Principal = require(Action.RECONCILIATION_READ)):
    built = request.app.state.recon.queries.report(on)
    if format == "csv":
        return PlainTextResponse(write_csv(*built.table()), media_type="text/csv", headers={
            "Content-Disposition": f'attachment; filename="reconciliation-{on.isoformat()}.csv"'})
    return built.to_dict()


class RunIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    date: dt.date | None = None


@router.post("/v1/reconciliation/runs")
def run(request: Request, body: RunIn, principal: Principal = require(Action.RECONCILIATION_RESOLVE)):
    """Match what is still open, flag what is unsettled too long, retry bank actions: idempotent by itself, so a
    retry after a crash runs it again."""
    return run_idempotent(request, principal, body.model_dump(mode="json"), lambda: (
        200, request.app.state.recon.service.reconcile(body.date, actor=principal.user_id)), rerun_safe=True)


@router.get("/v1/reconciliation/exceptions")
def list_exceptions(request: Request, status: ExceptionStatus | None = ExceptionStatus.OPEN,
                    kind: ExceptionKind | None = None, cursor: str | None = None,
                    limit: int = Query(50, ge=1, le=500), _p: Principal = require(Action.RECONCILIATION_READ)) -> dict:
    after = decode_cursor(cursor).get("after")
    rows = request.app.state.recon.queries.list_exceptions(status=status, kind=kind, after=after, limit=limit + 1)
    result = page(rows, limit, lambda e: {"after": e.id})
    result["items"] = [exception_out(e) for e in result["items"]]
    return result


@router.get("/v1/reconciliation/exceptions/{exception_id}")
def get_exception(request: Request, exception_id: str, _p: Principal = require(Action.RECONCILIATION_READ)) -> dict:
    return exception_out(request.app.state.recon.queries.get_exception(exception_id))


class ResolveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=1000)
    payment_ids: list[str] = Field(default_factory=list, max_length=10_000)
    line_id: str | None = Field(default=None, max_length=40)


class ReasonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=1000)


class WriteOffIn(ReasonIn):
    account: str | None = Field(default=None, max_length=64, description="default: the fund's Expenditures "
                                "(a bank debit) or Revenues (a bank credit)")


@router.post("/v1/reconciliation/exceptions/{exception_id}/resolve")
def resolve(request: Request, exception_id: str, body: ResolveIn,
            principal: Principal = require(Action.RECONCILIATION_RESOLVE)):
    def handler():
        done = request.app.state.recon.exceptions.resolve_by_match(
            principal, exception_id, reason=body.reason, payment_ids=body.payment_ids, line_id=body.line_id)
        return 200, exception_out(done)
    return run_idempotent(request, principal, body.model_dump(mode="json") | {"id": exception_id}, handler,
                          on_takeover=_done_by(request, exception_id, lambda e: e.status is ExceptionStatus.RESOLVED
                                               and e.resolved_by == principal.user_id and e.resolution == "manual_match"
                                               and e.reason == body.reason.strip()))


def _done_by(request: Request, exception_id: str, mark: Callable[[ExceptionRecord], bool]):  # noqa: ANN202
    """``on_takeover`` for a step on one exception: the exception as it stands, when it bears this request's
    ``mark`` (closed or asked for by this caller, for this reason); None, and the step runs, when it does not."""
    def found() -> tuple[int, dict] | None:
        e = request.app.state.recon.queries.get_exception(exception_id)
        return (200, exception_out(e)) if mark(e) else None
    return found


@router.post("/v1/reconciliation/exceptions/{exception_id}/dismiss")
def dismiss(request: Request, exception_id: str, body: ReasonIn,
            principal: Principal = require(Action.RECONCILIATION_RESOLVE)):
    return run_idempotent(request, principal, body.model_dump(mode="json") | {"id": exception_id}, lambda: (
        200, exception_out(request.app.state.recon.exceptions.dismiss(principal, exception_id, reason=body.reason))),
        on_takeover=_done_by(request, exception_id, lambda e: e.status is ExceptionStatus.RESOLVED
                             and e.resolved_by == principal.user_id and e.resolution == "explained"
                             and e.reason == body.reason.strip()))


@router.post("/v1/reconciliation/exceptions/{exception_id}/write-off")
def request_write_off(request: Request, exception_id: str, body: WriteOffIn,
                      principal: Principal = require(Action.RECONCILIATION_WRITE_OFF)):
    return run_idempotent(request, principal, body.model_dump(mode="json") | {"id": exception_id}, lambda: (
        200, exception_out(request.app.state.recon.exceptions.request_write_off(
            principal, exception_id, reason=body.reason, account=body.account))),
        on_takeover=_done_by(request, exception_id, lambda e: e.write_off_requested_by == principal.user_id
                             and e.write_off_reason == body.reason.strip() and e.write_off_account == body.account))


@router.post("/v1/reconciliation/exceptions/{exception_id}/write-off/approve")
def approve_write_off(request: Request, exception_id: str,
                      principal: Principal = require(Action.RECONCILIATION_WRITE_OFF)):
    def handler():
        return 200, exception_out(request.app.state.recon.exceptions.approve_write_off(principal, exception_id))
    return run_idempotent(request, principal, {"id": exception_id, "approve": True}, handler,
                          on_takeover=_done_by(request, exception_id, lambda e: e.status is ExceptionStatus.WRITTEN_OFF
                                               and e.approved_by == principal.user_id))


class RefundedCreditIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    credit_memo_id: str = Field(min_length=1, max_length=40)
    fund: str = Field(min_length=1, max_length=20)
    amount: Amount | None = Field(default=None, description="major units, in the line's currency; default: all that "
                                  "is open of the credit in Vendor credits receivable")


class RefundIn(ReasonIn):
    credits: list[RefundedCreditIn] = Field(min_length=1, max_length=100)


@router.post("/v1/reconciliation/exceptions/{exception_id}/refund")
def resolve_as_refund(request: Request, exception_id: str, body: RefundIn,
                      principal: Principal = require(Action.RECONCILIATION_RESOLVE)):
    """A bank credit line that is a vendor's refund of credits we hold in Vendor credits receivable: Dr the line's
    bank account's Cash, Cr ``<fund>-1310``, fund by fund; the named credits must add up to the line."""
    recon = request.app.state.recon

    def handler():
        currency = recon.queries.get_exception(exception_id).currency or "USD"
        named = [RefundedCredit(c.credit_memo_id, c.fund, minor(c.amount, currency)) for c in body.credits]
        entry_id, credits = recon.refunds.resolve_as_refund(principal, exception_id, credits=named,
                                                            reason=body.reason)
        return 200, {**exception_out(recon.queries.get_exception(exception_id)), "entry_id": entry_id,
                     "credits": [credit_out(c) for c in credits]}

    def refunded_by_this_request() -> tuple[int, dict] | None:
        """The mark a refund leaves: the exception resolved as a vendor refund by this caller for this reason. Found,
        the answer is the exception, its entry and the named credits as they stand; not found, the refund runs."""
        e = recon.queries.get_exception(exception_id)
        if not (e.status is ExceptionStatus.RESOLVED and e.resolution == "vendor_refund"
                and e.resolved_by == principal.user_id and e.reason == body.reason.strip()[:1000]):
            return None
        credits = [request.app.state.ap.vendor_credits.get(c.credit_memo_id, c.fund) for c in body.credits]
        return 200, {**exception_out(e), "entry_id": e.entry_id, "credits": [credit_out(c) for c in credits]}
    return run_idempotent(request, principal, body.model_dump(mode="json") | {"id": exception_id}, handler,
                          on_takeover=refunded_by_this_request)
