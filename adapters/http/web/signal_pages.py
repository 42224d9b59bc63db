"""``/reports/signals``: the assist signals' review queue as a page, and each signal's dismissal with a reason.

The same service as ``/v1/reports/signals`` (``request.app.state.reports.signals``, payments/reporting/signal_queue.py)
with the API's permissions: staff who may read the ledger see the queue (``ledger.read``); an approver dismisses
(``invoice.approve``), checked on the POST itself, not only by hiding the form. A dismissal with no reason, or of a
signal whose facts changed since the page was drawn, comes back as the queue with the service's words and nothing
written. A signal helps someone look twice; the page never holds or releases anything.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from adapters.http.problems import status_for
from adapters.http.web.i18n import N_
from adapters.http.web.page_lists import query_with
from adapters.http.web.pages import error_page, redirect, render, web_router
from adapters.http.web.viewer import Viewer, page
from payments.errors import DomainError, NotFound
from payments.identity import Action

router = web_router()
MAX_DAYS = 3660
SIGNALS = {"split_suspected": N_("Split purchase"), "shared_bank_account": N_("One bank account on two vendors"),
           "paid_soon_after_creation": N_("Paid soon after the vendor was created"),
           "paid_soon_after_bank_change": N_("Paid soon after a bank change"),
           "bank_change_after_contact_change": N_("Bank change soon after a contact change"),
           "just_under_threshold": N_("Just under an approval threshold"),
           "round_amount": N_("Round amount unusual for the vendor"),
           "invoice_number_reused": N_("Invoice number used by two vendors"),
           "invoice_number_out_of_sequence": N_("Invoice number out of sequence"),
           "same_amount_same_day": N_("Same amount paid to two vendors on one day"),
           "benford": N_("First digits far from Benford's law")}
LINKS = {"invoice": "/invoices/", "vendor": "/vendors/", "payment": "/payments/"}


def _period(request: Request, source: Any) -> tuple[dt.date, dt.date] | None:
    today = request.app.state.clock.now().date()
    try:
        start = dt.date.fromisoformat(str(source.get("from") or "").strip()[:10] or today.replace(day=1).isoformat())
        end = dt.date.fromisoformat(str(source.get("to") or "").strip()[:10] or today.isoformat())
    except ValueError:
        return None
    return (start, end) if start <= end and (end - start).days <= MAX_DAYS else None


def _queue(request: Request, viewer: Viewer, start: dt.date, end: dt.date, include_dismissed: bool, *,
           status: int = 200, problem: Any = None, values: dict[str, str] | None = None) -> Response:
    queue = request.app.state.reports.signals.queue(start, end, include_dismissed=include_dismissed)
    params = {"from": start.isoformat(), "to": end.isoformat(), "include_dismissed": "1" if include_dismissed else None}
    done = request.query_params.get("done") == "dismissed"
    return render(request, "signals.html", status=status, items=queue["items"], dismissed=queue["dismissed"],
                  params=params, include_dismissed=include_dismissed, signals=SIGNALS, links=LINKS, done=done,
                  may_dismiss=viewer.may(Action.INVOICE_APPROVE), problem=problem, values=values or {},
                  api_csv="/v1/reports/signals" + query_with(params, format="csv"))


@router.get("/reports/signals")
def signals_page(request: Request, viewer: Viewer = page(Action.LEDGER_READ)) -> Response:
    period = _period(request, request.query_params)
    if period is None:
        return error_page(request, 422, "invalid_filter")
    return _queue(request, viewer, *period, request.query_params.get("include_dismissed") == "1")


@router.post("/reports/signals/{key}/dismiss")
async def dismiss(request: Request, key: str, viewer: Viewer = page(Action.INVOICE_APPROVE)) -> Response:
    form = await request.form()
    fields = {k: v.strip()[:1000] for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    period = _period(request, fields)
    try:
        on = dt.date.fromisoformat(fields.get("date", "")[:10])
    except ValueError:
        period = None
    if period is None or len(key) > 64:
        return error_page(request, 422, "invalid_filter")
    service = request.app.state.reports.signals
    try:
        await run_in_threadpool(service.dismiss, viewer.principal, key, on=on, reason=fields.get("reason", ""))
    except DomainError as refused:
        status = 404 if isinstance(refused, NotFound) else status_for(refused)
        return await run_in_threadpool(_queue, request, viewer, *period, False, status=status, problem=refused,
                                       values={"key": key, "reason": fields.get("reason", "")})
    return redirect("/reports/signals" + query_with({"from": period[0].isoformat(), "to": period[1].isoformat()},
                                                    done="dismissed"))
