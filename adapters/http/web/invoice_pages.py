"""``/invoices/{id}``: one invoice for staff — its lines beside the purchase-order lines and receipts, each open
hold with expected versus actual and the limit the tolerance allowed, the timeline, the payment plan — and its
actions: approve (a second approver where the policy asks), release a hold or override a duplicate with a reason,
cancel. Each action is a form posting to the same use case as the API (POST-redirect-GET); a refusal comes back
as the invoice page with the service's message and status, nothing changed."""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Callable
from typing import Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from adapters.http.web.i18n import N_
from adapters.http.web.labels import HOLDS, INVOICE_STATUSES
from adapters.http.web.pages import redirect, render, web_router
from adapters.http.web.viewer import Viewer, page
from payments.ap.invoice_service import InvoiceView
from payments.errors import DomainError, NotFound
from payments.identity import Action

router = web_router()
_CLOSED = frozenset({"paid", "cancelled", "returned"})


@dataclass(frozen=True, slots=True)
class Step:
    at: str | None
    what: str  # a msgid
    detail: str = ""  # data (a reason, a hold's kind): shown as it is, never translated
    who: str | None = None
    hold: str | None = None  # the hold's code, shown by its label


def _timeline(view: InvoiceView) -> list[Step]:
    rec = view.record
    steps = [Step(rec.entered.at, N_("Entered"), who=rec.entered.by)]
    if rec.last_changed.at and rec.last_changed.at != rec.entered.at:
        steps.append(Step(rec.last_changed.at, N_("Corrected"), who=rec.last_changed.by))
    for h in view.holds:
        steps.append(Step(h.raised_at, N_("Hold raised"), hold=h.hold))
        if h.released_at:
            steps.append(Step(h.released_at, N_("Hold released by hand") if h.release_kind == "manual"
                              else N_("Hold cleared by a later document"), h.reason or "", h.released_by, h.hold))
    for who, at in view.approvals:
        steps.append(Step(at.isoformat(), N_("Approval given"), who=who))
    if rec.approved_at:
        steps.append(Step(rec.approved_at, N_("Approved for payment")))
    if rec.returned.at:
        steps.append(Step(rec.returned.at, N_("Returned to the vendor"), who=rec.returned.by))
    return sorted(steps, key=lambda s: s.at or "")


def _plan(state: Any, invoice_id: str) -> Any:
    # The payment plan (when a run pays it, discount and interest) comes from the payment service's own pricing.
    return state.payments.pay_plan(invoice_id)


def invoice_context(request: Request, invoice_id: str) -> dict[str, Any]:
    state = request.app.state
    ap = state.ap
    view = ap.invoices.view(invoice_id)
    inv = view.record.invoice
    pos: dict[str, Any] = {}
    receipts: dict[str, list[Any]] = {}
    for po_id in dict.fromkeys(x.po_id for x in inv.lines if x.po_id):
        try:
            pos[po_id] = ap.purchase_orders.get(po_id)
        except NotFound:
            continue
        receipts[po_id] = ap.receipts.list(after=None, limit=200, po_id=po_id)
    received: dict[tuple[str, int], Any] = {}
    for po_id, rows in receipts.items():
        for r in rows:
            for line in r.receipt.lines:
                key = (po_id, line.po_line_no)
                received[key] = received.get(key, 0) + line.quantity_received
    payments = [p for p in state.payments.list_payments(vendor_id=inv.vendor_id, limit=200)
                if any(i.invoice_id == inv.id for i in p.items)]
    status = inv.status.value
    return {"view": view, "inv": inv, "vendor": ap.vendors.get(inv.vendor_id), "pos": pos, "receipts": receipts,
            "received": received, "open_holds": [h for h in view.holds if h.status == "open"],
            "timeline": _timeline(view), "plan": _plan(state, inv.id), "payments": payments,
            "statuses": INVOICE_STATUSES, "holds_words": HOLDS, "closed": status in _CLOSED,
            "approved_by": {who for who, _at in view.approvals}}


@router.get("/invoices/{invoice_id}")
def invoice_page(request: Request, invoice_id: str, viewer: Viewer = page(Action.INVOICE_READ)) -> Response:
    done = request.query_params.get("done", "")
    return render(request, "invoice.html", done=done if done in _DONE else "", problem=None,
                  **invoice_context(request, invoice_id))


_DONE = {"approved", "approval_added", "released", "overridden", "cancelled", "entered"}


async def _fields(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v.strip() for k, v in form.items() if isinstance(v, str)}


def _reason(fields: dict[str, str]) -> str:
    """The reason typed: each hold's form names its box ``reason-<hold id>`` (ids on a page are unique)."""
    return next((v for k, v in fields.items() if k == "reason" or k.startswith("reason-")), "")[:500]


def _act(request: Request, invoice_id: str, action: Any, done: str | Callable[[Any], str]) -> Response:
    """Run ``action``; on a refusal show the invoice again with the service's message, nothing changed."""
    try:
        outcome = action()
    except NotFound:
        raise
    except DomainError as exc:
        from adapters.http.problems import status_for

        return render(request, "invoice.html", status=status_for(exc), done="", problem=exc,
                      **invoice_context(request, invoice_id))
    if callable(done):
        done = done(outcome)
    return redirect(f"/invoices/{invoice_id}?done={done}")


@router.post("/invoices/{invoice_id}/approve")
def approve(request: Request, invoice_id: str, viewer: Viewer = page(Action.INVOICE_APPROVE)) -> Response:
    approvals = request.app.state.ap.approvals
    return _act(request, invoice_id, lambda: approvals.approve(viewer.principal, invoice_id),
                lambda outcome: "approved" if outcome.fully_approved else "approval_added")


@router.post("/invoices/{invoice_id}/release-hold")
async def release_hold(request: Request, invoice_id: str, viewer: Viewer = page(Action.INVOICE_RELEASE_HOLD)) -> Response:
    fields = await _fields(request)
    approvals = request.app.state.ap.approvals
    return await run_in_threadpool(_act, request, invoice_id, lambda: approvals.release_hold(
        viewer.principal, invoice_id, fields.get("hold_id", "")[:40], _reason(fields)), "released")


@router.post("/invoices/{invoice_id}/override-duplicate")
async def override_duplicate(request: Request, invoice_id: str,
                             viewer: Viewer = page(Action.INVOICE_RELEASE_HOLD)) -> Response:
    fields = await _fields(request)
    approvals = request.app.state.ap.approvals
    return await run_in_threadpool(_act, request, invoice_id, lambda: approvals.override_duplicate(
        viewer.principal, invoice_id, _reason(fields)), "overridden")


@router.post("/invoices/{invoice_id}/cancel")
async def cancel(request: Request, invoice_id: str, viewer: Viewer = page(Action.INVOICE_CREATE)) -> Response:
    fields = await _fields(request)
    cancellations = request.app.state.ap.cancellations
    return await run_in_threadpool(_act, request, invoice_id, lambda: cancellations.cancel(
        viewer.principal, invoice_id, _reason(fields)), "cancelled")
