"""``/audit/{object_id}``: the audit trail of one document (an invoice, a payment run, a bank-account change, a
vendor, an exception): who did what, when, with which roles, and the digests of its state before and after, read
from the signed audit journal through the same ``AuditTrail.search`` as ``/v1/audit``. For those who may read the
trail (auditors, administrators)."""

from __future__ import annotations

from fastapi import Request
from starlette.responses import Response

from adapters.http.web.pages import render, web_router
from adapters.http.web.viewer import Viewer, page
from payments.identity import Action

router = web_router()
LIMIT = 1000


@router.get("/audit/{object_id}")
def document_trail(request: Request, object_id: str, viewer: Viewer = page(Action.AUDIT_READ)) -> Response:
    events = request.app.state.audit.search(object_id=object_id[:128], limit=LIMIT + 1)
    return render(request, "audit_trail.html", object_id=object_id, events=events[:LIMIT], more=len(events) > LIMIT)
