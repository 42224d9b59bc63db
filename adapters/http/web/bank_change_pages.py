"""``/bank-changes``: vendors' bank-account change requests, the classic way to steal a payment, and the controls on
each — the list (by status), and one change with its call-back record (who called which number on file and what
they heard), its approval, the cooling-off countdown, the prenote's status and any fraud signal; the forms to record
the call-back, approve, reject, block or clear a shared-account signal. The same ``BankAccountService`` as
``/v1/bank-account-changes``: whoever asked may not call back or approve, the caller may not approve."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from adapters.http.problems import status_for
from adapters.http.web.i18n import N_
from adapters.http.web.labels import BANK_CHANGE_STATUSES, CALLBACK_OUTCOMES
from adapters.http.web.page_lists import cursor_of, position_of, query_with
from adapters.http.web.pages import error_page, redirect, render, web_router
from adapters.http.web.viewer import Viewer, page
from payments.errors import DomainError, NotFound
from payments.identity import Action
from payments.people.bank_accounts import BankChangeStatus, CallbackOutcome

router = web_router()
PAGE_SIZE = 50
_DONE = {"callback_recorded", "approved", "rejected", "blocked", "signal_cleared"}
_PICK_OUTCOME = N_("Choose what the call established.")
_NUMBER = N_("Enter the number you called.")


@router.get("/bank-changes")
def change_list(request: Request, cursor: str | None = None, viewer: Viewer = page(Action.VENDOR_READ)) -> Response:
    status = request.query_params.get("status", "")
    if status and status not in BANK_CHANGE_STATUSES:
        return error_page(request, 422, "invalid_filter")
    state = request.app.state
    at = position_of(cursor)
    rows = state.bank_accounts.list_changes(viewer.principal, status=BankChangeStatus(status) if status else None,
                                            after=at[1] if at else None, limit=PAGE_SIZE + 1)
    more, rows = len(rows) > PAGE_SIZE, rows[:PAGE_SIZE]
    names = {v: _vendor_name(state, v) for v in {r.change.vendor_id for r in rows}}
    params: dict[str, str | None] = {"status": status}
    return render(request, "bank_changes.html", rows=rows, names=names, status_filter=status,
                  statuses=BANK_CHANGE_STATUSES, first_page=not cursor, first_url="/bank-changes" + query_with(params),
                  next_url="/bank-changes" + query_with(params, cursor=cursor_of(None, rows[-1].change.change_id))
                  if more and rows else None)


def _vendor_name(state: Any, vendor_id: str) -> str:
    try:
        return str(state.ap.vendors.get(vendor_id).vendor.legal_name)
    except NotFound:
        return vendor_id


def _waits(state: Any, change: Any) -> dict[str, Any]:
    """The cooling-off countdown and the prenote's waiting window, from the service's own policy."""
    now = state.clock.now()
    left = change.cooling_off_until - now if change.cooling_off_until else None
    prenote_clears = (change.prenote_sent_at + dt.timedelta(days=state.bank_accounts.policy.prenote_wait_days)
                      if change.prenote_sent_at else None)
    return {"now": now, "cooling_left": left if left is not None and left.total_seconds() > 0 else None,
            "cooling_days": left.days if left is not None else None,
            "cooling_hours": (left.seconds // 3600) if left is not None else None,
            "prenote_clears": prenote_clears, "prenote_cleared": prenote_clears is not None and now >= prenote_clears}


def change_context(request: Request, change_id: str, viewer: Viewer) -> dict[str, Any]:
    state = request.app.state
    record = state.bank_accounts.get_change(viewer.principal, change_id)
    c = record.change
    return {"r": record, "c": c, "vendor_name": _vendor_name(state, c.vendor_id), "statuses": BANK_CHANGE_STATUSES,
            "outcomes": CALLBACK_OUTCOMES, "me": viewer.principal.user_id, **_waits(state, c)}


@router.get("/bank-changes/{change_id}")
def change_page(request: Request, change_id: str, viewer: Viewer = page(Action.VENDOR_READ)) -> Response:
    done = request.query_params.get("done", "")
    return render(request, "bank_change.html", done=done if done in _DONE else "", problem=None, errors=[],
                  values={}, **change_context(request, change_id, viewer))


def _act(request: Request, viewer: Viewer, change_id: str, action: Callable[[], Any], done: str,
         values: dict[str, str], errors: list[tuple[str, str]] | None = None) -> Response:
    if errors:
        return render(request, "bank_change.html", status=422, done="", problem=None, errors=errors, values=values,
                      **change_context(request, change_id, viewer))
    try:
        action()
    except NotFound:
        raise
    except DomainError as exc:
        return render(request, "bank_change.html", status=status_for(exc), done="", problem=exc, errors=[],
                      values=values, **change_context(request, change_id, viewer))
    return redirect(f"/bank-changes/{change_id}?done={done}")


async def _fields(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v.strip()[:500] for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}


@router.post("/bank-changes/{change_id}/callback")
async def record_callback(request: Request, change_id: str,
                          viewer: Viewer = page(Action.BANK_ACCOUNT_CALLBACK)) -> Response:
    f = await _fields(request)
    errors = []
    if f.get("outcome", "") not in {o.value for o in CallbackOutcome}:
        errors.append(("outcome", _PICK_OUTCOME))
    if not f.get("number_called"):
        errors.append(("number_called", _NUMBER))
    service = request.app.state.bank_accounts
    return await run_in_threadpool(_act, request, viewer, change_id, lambda: service.record_callback(
        viewer.principal, change_id, number_called=f["number_called"][:40], outcome=f["outcome"],
        note=f.get("note", "")), "callback_recorded", f, errors)


@router.post("/bank-changes/{change_id}/approve")
def approve(request: Request, change_id: str, viewer: Viewer = page(Action.BANK_ACCOUNT_APPROVE)) -> Response:
    service = request.app.state.bank_accounts
    return _act(request, viewer, change_id, lambda: service.approve(viewer.principal, change_id), "approved", {})


@router.post("/bank-changes/{change_id}/{decision}")
async def close(request: Request, change_id: str, decision: str,
                viewer: Viewer = page(Action.BANK_ACCOUNT_APPROVE)) -> Response:
    """Reject, block, or clear the shared-account signal: each with a reason, kept in the audit trail."""
    steps = {"reject": ("reject", "rejected"), "block": ("block", "blocked"),
             "clear-shared-signal": ("clear_shared_signal", "signal_cleared")}
    if decision not in steps:
        return error_page(request, 404, "not_found")
    f = await _fields(request)
    method, done = steps[decision]
    service = request.app.state.bank_accounts
    return await run_in_threadpool(_act, request, viewer, change_id, lambda: getattr(service, method)(
        viewer.principal, change_id, reason=f.get(f"{method}_reason", "")), done, f)
