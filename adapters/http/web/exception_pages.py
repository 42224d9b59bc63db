"""``/reconciliation/exceptions``: the queue of what reconciliation could not explain by itself (filtered by status
and kind, keyset pages, CSV and XLSX), and one exception with what a person can do about it: match its statement
line by hand to the payments it settles, dismiss one that moved no money, or write a line off — asked for by one
person, approved by another. Each action posts to the same ``ReconExceptions`` use case as the API; a refusal comes
back as the exception's page with the service's message, nothing changed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from adapters.http.problems import status_for
from adapters.http.web.labels import EXCEPTION_KINDS, EXCEPTION_STATUSES, PAYMENT_STATUSES
from adapters.http.web.page_lists import EXPORT_FORMATS, cursor_of, export, position_of, query_with
from adapters.http.web.pages import error_page, redirect, render, web_router
from adapters.http.web.viewer import Viewer, page
from ledger.money import from_minor
from payments.disbursements.payment_states import PaymentKind, PaymentStatus
from payments.errors import DomainError, NotFound
from payments.identity import Action
from payments.reconciliation.recon_records import ExceptionKind, ExceptionStatus

router = web_router()
PAGE_SIZE = 50
_DONE = {"matched", "dismissed", "write_off_requested", "written_off"}
CANDIDATES = 200


def _filters(request: Request) -> tuple[str, str] | None:
    q = request.query_params
    status, kind = q.get("status", "open"), q.get("kind", "")
    if status and status not in EXCEPTION_STATUSES or kind and kind not in EXCEPTION_KINDS:
        return None
    return status, kind


def _rows(request: Request, status: str, kind: str, after: str | None, limit: int) -> list[Any]:
    return request.app.state.recon.queries.list_exceptions(
        status=ExceptionStatus(status) if status else None, kind=ExceptionKind(kind) if kind else None,
        after=after, limit=limit)


@router.get("/reconciliation/exceptions")
def queue(request: Request, cursor: str | None = None, viewer: Viewer = page(Action.RECONCILIATION_READ)) -> Response:
    found = _filters(request)
    if found is None:
        return error_page(request, 422, "invalid_filter")
    status, kind = found
    at = position_of(cursor)
    rows = _rows(request, status, kind, at[1] if at else None, PAGE_SIZE + 1)
    more, rows = len(rows) > PAGE_SIZE, rows[:PAGE_SIZE]
    params: dict[str, str | None] = {"status": status, "kind": kind}
    base = "/reconciliation/exceptions"
    return render(request, "recon_exceptions.html", rows=rows, status_filter=status, kind_filter=kind,
                  kinds=EXCEPTION_KINDS, statuses=EXCEPTION_STATUSES, first_page=not cursor,
                  next_url=base + query_with(params, cursor=cursor_of(None, rows[-1].id)) if more and rows else None,
                  first_url=base + query_with(params), csv_url=f"{base}.csv" + query_with(params),
                  xlsx_url=f"{base}.xlsx" + query_with(params))


EXPORT_HEADER = ("exception_id", "kind", "status", "opened_at", "amount", "currency", "detail", "line_id",
                 "payment_ids", "resolution", "resolved_by", "reason", "amount_minor")


@router.get("/reconciliation/exceptions.{fmt}")
def queue_export(request: Request, fmt: str, viewer: Viewer = page(Action.RECONCILIATION_READ)) -> Response:
    found = _filters(request)
    if found is None or fmt not in EXPORT_FORMATS:
        return error_page(request, 422 if found is None else 404, "invalid_filter" if found is None else "not_found")
    rows: list[Any] = []
    after = None
    while len(rows) < 100_000:
        batch = _rows(request, found[0], found[1], after, 500)
        rows += batch
        if len(batch) < 500:
            break
        after = batch[-1].id
    cells = ([e.id, e.kind.value, e.status.value, e.opened_at.isoformat(), from_minor(e.amount_minor, e.currency).amount,
              e.currency, e.detail, e.line_id, " ".join(e.payment_ids), e.resolution, e.resolved_by, e.reason,
              e.amount_minor] for e in rows)
    return export(fmt, "reconciliation-exceptions", EXPORT_HEADER, cells)


# -- one exception --------------------------------------------------------------------------------------------

def exception_context(request: Request, exception_id: str, viewer: Viewer) -> dict[str, Any]:
    state = request.app.state
    exc = state.recon.queries.get_exception(exception_id)
    line = None
    if exc.line_id:
        with state.uow(read_only=True) as uow:
            line = uow.recon.get_line(exc.line_id)
    involved = [state.payments.get_payment(pid) for pid in exc.payment_ids]
    candidates: list[Any] = []
    if exc.status is ExceptionStatus.OPEN and line is not None and line.direction == "debit" \
            and viewer.may(Action.RECONCILIATION_RESOLVE):
        # Payments sent and not yet seen leaving the bank, in the line's currency (a zero-dollar prenote moves no
        # money): what a line may settle.
        candidates = [p for p in state.payments.list_payments(status=PaymentStatus.SENT, limit=CANDIDATES)
                      if p.currency == line.currency and p.kind is not PaymentKind.PRENOTE]
    return {"exc": exc, "line": line, "involved": involved, "candidates": candidates, "kinds": EXCEPTION_KINDS,
            "statuses": EXCEPTION_STATUSES, "payment_statuses": PAYMENT_STATUSES,
            "is_open": exc.status is ExceptionStatus.OPEN}


@router.get("/reconciliation/exceptions/{exception_id}")
def exception_page(request: Request, exception_id: str,
                   viewer: Viewer = page(Action.RECONCILIATION_READ)) -> Response:
    done = request.query_params.get("done", "")
    return render(request, "recon_exception.html", done=done if done in _DONE else "", problem=None, values={},
                  **exception_context(request, exception_id, viewer))


def _act(request: Request, viewer: Viewer, exception_id: str, action: Callable[[], Any], done: str,
         values: dict[str, Any]) -> Response:
    try:
        action()
    except NotFound:
        raise
    except DomainError as exc:
        return render(request, "recon_exception.html", status=status_for(exc), done="", problem=exc, values=values,
                      **exception_context(request, exception_id, viewer))
    return redirect(f"/reconciliation/exceptions/{exception_id}?done={done}")


async def _form(request: Request) -> tuple[dict[str, str], list[str]]:
    form = await request.form()
    fields = {k: v.strip() for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    ids = [v.strip() for v in form.getlist("payment_ids") if isinstance(v, str) and v.strip()]
    ids += [t for t in fields.get("other_payment_ids", "").replace(",", " ").split() if t]
    return fields, ids[:10_000]


@router.post("/reconciliation/exceptions/{exception_id}/match")
async def match(request: Request, exception_id: str, viewer: Viewer = page(Action.RECONCILIATION_RESOLVE)) -> Response:
    fields, ids = await _form(request)
    service = request.app.state.recon.exceptions
    return await run_in_threadpool(_act, request, viewer, exception_id, lambda: service.resolve_by_match(
        viewer.principal, exception_id, reason=fields.get("reason", "")[:1000], payment_ids=ids),
        "matched", {"reason": fields.get("reason", ""), "payment_ids": ids})


@router.post("/reconciliation/exceptions/{exception_id}/dismiss")
async def dismiss(request: Request, exception_id: str, viewer: Viewer = page(Action.RECONCILIATION_RESOLVE)) -> Response:
    fields, _ids = await _form(request)
    service = request.app.state.recon.exceptions
    return await run_in_threadpool(_act, request, viewer, exception_id, lambda: service.dismiss(
        viewer.principal, exception_id, reason=fields.get("dismiss_reason", "")[:1000]), "dismissed", fields)


@router.post("/reconciliation/exceptions/{exception_id}/write-off")
async def write_off(request: Request, exception_id: str,
                    viewer: Viewer = page(Action.RECONCILIATION_WRITE_OFF)) -> Response:
    fields, _ids = await _form(request)
    service = request.app.state.recon.exceptions
    return await run_in_threadpool(_act, request, viewer, exception_id, lambda: service.request_write_off(
        viewer.principal, exception_id, reason=fields.get("write_off_reason", "")[:1000],
        account=fields.get("account", "")[:64] or None), "write_off_requested", fields)


@router.post("/reconciliation/exceptions/{exception_id}/write-off/approve")
def approve_write_off(request: Request, exception_id: str,
                      viewer: Viewer = page(Action.RECONCILIATION_WRITE_OFF)) -> Response:
    service = request.app.state.recon.exceptions
    return _act(request, viewer, exception_id, lambda: service.approve_write_off(viewer.principal, exception_id),
                "written_off", {})
