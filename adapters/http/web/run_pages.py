"""``/payment-runs``: treasury's payment runs — the list (by status, keyset pages, CSV and XLSX), the preview of what
a run would pay (vendors, invoices, credits applied, discounts taken, interest paid, effective date, rail) that
writes nothing, creating the run, its page (status, releases, payments, what was left out and why), and its
actions: release by a treasurer (a second one where the policy asks), submit to the rail, cancel with a reason,
and the file sent, downloaded by those allowed to submit it (the download is audited).

Every action is a form posting to the same ``PaymentService`` use case as ``/v1/payment-runs``; a refusal comes
back as the run's page with the service's message and status, nothing changed."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from typing import Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from adapters.http.problems import status_for
from adapters.http.web.i18n import N_
from adapters.http.web.labels import PAYMENT_STATUSES, RUN_STATUSES, SKIP_REASONS
from adapters.http.web.page_lists import EXPORT_FORMATS, cursor_of, export, position_of, query_with
from adapters.http.web.pages import error_page, redirect, render, web_router
from adapters.http.web.viewer import Viewer, page
from ledger.money import from_minor
from payments.disbursements.payment_states import RunStatus
from payments.errors import DomainError, NotFound
from payments.identity import Action

router = web_router()
PAGE_SIZE = 50
EXPORT_MAX = 10_000
_DONE = {"created", "released", "release_added", "submitted", "cancelled"}
_BAD_DATE = N_("Enter a date as YYYY-MM-DD.")


def _status_filter(request: Request) -> str | None:
    """The ``status`` filter, checked; None for a value no run has."""
    status = request.query_params.get("status", "")
    return status if status == "" or status in RUN_STATUSES else None


@router.get("/payment-runs")
def run_list(request: Request, cursor: str | None = None, viewer: Viewer = page(Action.PAYMENT_RUN_READ)) -> Response:
    status = _status_filter(request)
    if status is None:
        return error_page(request, 422, "invalid_filter")
    found = position_of(cursor)
    runs = request.app.state.payments.list_runs(status=RunStatus(status) if status else None,
                                                after=found[1] if found else None, limit=PAGE_SIZE + 1)
    more, runs = len(runs) > PAGE_SIZE, runs[:PAGE_SIZE]
    params: dict[str, str | None] = {"status": status}
    return render(request, "runs.html", runs=runs, status_filter=status, statuses=RUN_STATUSES, first_page=not cursor,
                  next_url="/payment-runs" + query_with(params, cursor=cursor_of(None, runs[-1].id))
                  if more and runs else None, first_url="/payment-runs" + query_with(params),
                  csv_url="/payment-runs.csv" + query_with(params), xlsx_url="/payment-runs.xlsx" + query_with(params))


EXPORT_HEADER = ("run_id", "status", "run_date", "effective_date", "rail", "currency", "total", "total_minor",
                 "payments", "created_by", "released_by", "required_releases")


@router.get("/payment-runs.{fmt}")
def run_export(request: Request, fmt: str, viewer: Viewer = page(Action.PAYMENT_RUN_READ)) -> Response:
    status = _status_filter(request)
    if status is None or fmt not in EXPORT_FORMATS:
        return error_page(request, 422 if status is None else 404, "invalid_filter" if status is None else "not_found")
    service = request.app.state.payments
    rows: list[Any] = []
    after = None
    while len(rows) < EXPORT_MAX:  # keyset, page by page
        batch = service.list_runs(status=RunStatus(status) if status else None, after=after, limit=500)
        rows += batch
        if len(batch) < 500:
            break
        after = batch[-1].id
    cells = ([r.id, r.status.value, r.run_date.isoformat(), r.effective_date.isoformat(), r.rail, r.currency,
              from_minor(r.total_minor, r.currency).amount, r.total_minor, r.payment_count, r.created_by,
              " ".join(r.releasers), r.required_releases] for r in rows[:EXPORT_MAX])
    return export(fmt, "payment-runs", EXPORT_HEADER, cells)


# -- preview and create ------------------------------------------------------------------------------------

def _run_date(text: str) -> dt.date | None | str:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return "bad"


@router.get("/payment-runs/preview")
def preview(request: Request, viewer: Viewer = page(Action.PAYMENT_RUN_CREATE)) -> Response:
    """What a run would pay, planned exactly as creating it plans, with nothing written."""
    q = request.query_params
    values = {"run_date": q.get("run_date", "")[:20], "same_day": "1" if q.get("same_day") == "1" else ""}
    when = _run_date(values["run_date"])
    if when == "bad":
        return render(request, "run_preview.html", status=422, values=values, plan=None, problem=None,
                      errors=[("run_date", _BAD_DATE)], **_preview_context(request))
    service = request.app.state.payments
    try:
        plan = service.preview(run_date=when, same_day=values["same_day"] == "1")
    except NotFound:
        raise
    except DomainError as exc:
        return render(request, "run_preview.html", status=status_for(exc), values=values, plan=None, problem=exc,
                      errors=[], **_preview_context(request))
    return render(request, "run_preview.html", values=values, plan=plan, problem=None, errors=[],
                  run_key=secrets.token_urlsafe(16), **_preview_context(request, plan))


def _preview_context(request: Request, plan: Any = None) -> dict[str, Any]:
    state = request.app.state
    names: dict[str, str] = {}
    if plan is not None:
        for p in plan.payments:
            names[p.vendor_id] = p.payee_name
    return {"rail": state.payments.default_rail, "skip_reasons": SKIP_REASONS, "vendor_names": names,
            "threshold_minor": state.payments.policy.dual_release_threshold_minor}


@router.post("/payment-runs")
async def create(request: Request, viewer: Viewer = page(Action.PAYMENT_RUN_CREATE)) -> Response:
    fields = await _fields(request)
    return await run_in_threadpool(_create, request, viewer, fields)


def _create(request: Request, viewer: Viewer, fields: dict[str, str]) -> Response:
    values = {"run_date": fields.get("run_date", "")[:20], "same_day": "1" if fields.get("same_day") == "1" else ""}
    when = _run_date(values["run_date"])
    if when == "bad":
        return render(request, "run_preview.html", status=422, values=values, plan=None, problem=None,
                      errors=[("run_date", _BAD_DATE)], **_preview_context(request))
    service = request.app.state.payments
    # The key the preview page handed out: the same form sent twice finds the run the first made.
    key = fields.get("run_key", "")[:64] or None
    try:
        result = service.create_run(run_date=when, run_key=f"web:{key}" if key else None,
                                    created_by=viewer.principal.user_id, same_day=values["same_day"] == "1")
    except DomainError as exc:
        return render(request, "run_preview.html", status=status_for(exc), values=values, plan=None, problem=exc,
                      errors=[], **_preview_context(request))
    if result.run is None:
        return render(request, "run_preview.html", status=409, values=values, plan=result.plan, problem=None,
                      errors=[], nothing_payable=True, run_key=None, **_preview_context(request, result.plan))
    return redirect(f"/payment-runs/{result.run.id}?done=created")


# -- one run -----------------------------------------------------------------------------------------------

def run_context(request: Request, run_id: str) -> dict[str, Any]:
    state = request.app.state
    run = state.payments.get_run(run_id)
    payments = state.payments.payments_of_run(run_id)
    cancelled = sum(p.amount_minor for p in payments if p.status.value == "cancelled")
    return {"run": run, "payments": payments, "statuses": RUN_STATUSES, "payment_statuses": PAYMENT_STATUSES,
            "skip_reasons": SKIP_REASONS, "in_force_minor": run.total_minor - cancelled,
            "discount_minor": sum(i.discount_minor for p in payments for i in p.items),
            "interest_minor": sum(i.interest_minor for p in payments for i in p.items),
            "credits_minor": sum(c.amount_minor for p in payments for c in getattr(p, "credits", ())),
            "file_sent": run.submission_id is not None and run.status.value in ("sent", "closed")}


@router.get("/payment-runs/{run_id}")
def run_page(request: Request, run_id: str, viewer: Viewer = page(Action.PAYMENT_RUN_READ)) -> Response:
    done = request.query_params.get("done", "")
    return render(request, "run.html", done=done if done in _DONE else "", problem=None,
                  **run_context(request, run_id))


async def _fields(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v.strip() for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}


def _act(request: Request, run_id: str, action: Callable[[], Any], done: str | Callable[[Any], str]) -> Response:
    """Run ``action``; on a refusal show the run again with the service's message, nothing changed."""
    try:
        outcome = action()
    except NotFound:
        raise
    except DomainError as exc:
        return render(request, "run.html", status=status_for(exc), done="", problem=exc,
                      **run_context(request, run_id))
    return redirect(f"/payment-runs/{run_id}?done={done(outcome) if callable(done) else done}")


@router.post("/payment-runs/{run_id}/release")
def release(request: Request, run_id: str, viewer: Viewer = page(Action.PAYMENT_RUN_RELEASE)) -> Response:
    service = request.app.state.payments
    return _act(request, run_id, lambda: service.release(viewer.principal, run_id),
                lambda run: "released" if run.status.value == "released" else "release_added")


@router.post("/payment-runs/{run_id}/submit")
def submit(request: Request, run_id: str, viewer: Viewer = page(Action.PAYMENT_RUN_SUBMIT)) -> Response:
    service = request.app.state.payments
    return _act(request, run_id, lambda: service.submit_run(viewer.principal, run_id), "submitted")


@router.post("/payment-runs/{run_id}/cancel")
async def cancel(request: Request, run_id: str, viewer: Viewer = page(Action.PAYMENT_RUN_CREATE)) -> Response:
    fields = await _fields(request)
    service = request.app.state.payments
    return await run_in_threadpool(_act, request, run_id, lambda: service.cancel(
        viewer.principal, run_id, reason=fields.get("reason", "")[:500]), "cancelled")


@router.get("/payment-runs/{run_id}/file")
def sent_file(request: Request, run_id: str, viewer: Viewer = page(Action.PAYMENT_RUN_SUBMIT)) -> Response:
    """The file exactly as handed to the rail; each download is an audit event (it carries account numbers)."""
    found = request.app.state.payments.sent_file(viewer.principal, run_id)
    return Response(found.data, media_type=found.media_type,
                    headers={"Content-Disposition": f'attachment; filename="{found.name}"'})
