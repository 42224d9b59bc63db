"""Review pages for the documents an invoice points to: a vendor (bank accounts masked, certifications, the 1099
flag, its recent invoices), a purchase order (lines with what is encumbered, receipts, change orders) and a
receipt. Read only, through the same services as ``/v1/vendors``, ``/v1/purchase-orders`` and ``/v1/receipts``."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from starlette.responses import Response

from adapters.http.web.labels import INVOICE_STATUSES, PO_STATUSES
from adapters.http.web.pages import render, web_router
from adapters.http.web.viewer import Viewer, page
from payments.ap.worklist import InvoiceFilter, Worklist
from payments.identity import Action

router = web_router()


HISTORY = 50


def vendor_history(state: Any, viewer: Viewer, vendor_id: str) -> list[Any]:
    """The vendor's record and its bank-account changes as the audit trail tells them, newest first; only for
    those who may read the trail (the same ``AuditTrail.search`` as ``/v1/audit``)."""
    if not viewer.may(Action.AUDIT_READ):
        return []
    ids = [vendor_id, *(r.change.change_id for r in state.bank_accounts.list_changes(viewer.principal,
                                                                                     vendor_id=vendor_id))]
    events = [e for object_id in ids for e in state.audit.search(object_id=object_id, limit=1000)]
    return sorted(events, key=lambda e: e.sequence, reverse=True)[:HISTORY]


@router.get("/vendors/{vendor_id}")
def vendor_page(request: Request, vendor_id: str, viewer: Viewer = page(Action.VENDOR_READ)) -> Response:
    state = request.app.state
    record = state.ap.vendors.get(vendor_id)
    invoices = Worklist(state.uow).invoices(InvoiceFilter(vendor_id=vendor_id), descending=True, limit=20)
    return render(request, "vendor.html", v=record, today=state.ap.deps.today(),
                  accounts=state.bank_accounts.list_accounts(viewer.principal, vendor_id), invoices=invoices,
                  statuses=INVOICE_STATUSES, history=vendor_history(state, viewer, vendor_id))


def po_context(request: Request, po_id: str) -> dict[str, Any]:
    ap = request.app.state.ap
    record = ap.purchase_orders.get(po_id)
    return {"r": record, "vendor": ap.vendors.get(record.po.vendor_id),
            "receipts": ap.receipts.list(after=None, limit=200, po_id=po_id),
            "versions": ap.purchase_orders.versions(po_id), "statuses": PO_STATUSES}


_PO_DONE = {"entered", "approved", "changed", "changed_needs_approval"}


@router.get("/purchase-orders/{po_id}")
def po_page(request: Request, po_id: str, viewer: Viewer = page(Action.INVOICE_READ)) -> Response:
    done = request.query_params.get("done", "")
    return render(request, "purchase_order.html", done=done if done in _PO_DONE else "", problem=None,
                  **po_context(request, po_id))


@router.get("/receipts/{receipt_id}")
def receipt_page(request: Request, receipt_id: str, viewer: Viewer = page(Action.INVOICE_READ)) -> Response:
    ap = request.app.state.ap
    record = ap.receipts.get(receipt_id)
    return render(request, "receipt.html", r=record, po=ap.purchase_orders.get(record.receipt.po_id),
                  done=request.query_params.get("done", "") == "entered")
