"""``/payments/{id}``: one payment for staff — who was paid, at which account (masked), its status and why, the
trace number and EndToEndId, its run, and its remittance advice (each invoice with discount, interest and what was
paid, the credits it deducted), printable with the print stylesheet and downloadable as a PDF
(``/payments/{id}/remittance.pdf``, the same fpdf2 writer as the vendor portal's). Read only, through the same
``PaymentService`` as ``/v1/payments/{id}``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Request
from starlette.responses import Response

from adapters.http.disbursements.payment_routes import bank_references
from adapters.http.web.i18n import language_of
from adapters.http.web.labels import PAYMENT_STATUSES
from adapters.http.web.pages import render, web_router
from adapters.http.web.remittance_pdf import remittance_pdf
from adapters.http.web.viewer import Viewer, page
from payments.disbursements.payment_records import PaymentRecord
from payments.identity import Action

router = web_router()


@dataclass(frozen=True, slots=True)
class StaffRemittance:
    """What the remittance writer reads: the payment and the last four digits of the account it went to."""

    payment: PaymentRecord
    account_last4: str | None


def _remittance(request: Request, viewer: Viewer, payment_id: str) -> StaffRemittance:
    state = request.app.state
    payment = state.payments.get_payment(payment_id)
    accounts = state.bank_accounts.list_accounts(viewer.principal, payment.vendor_id)
    last4 = next((a.last4 for a in accounts if a.account_id == payment.account_id), None)
    return StaffRemittance(payment, last4)


@router.get("/payments/{payment_id}")
def payment_page(request: Request, payment_id: str, viewer: Viewer = page(Action.PAYMENT_RUN_READ)) -> Response:
    found = _remittance(request, viewer, payment_id)
    run = request.app.state.payments.get_run(found.payment.run_id)
    bank_ref = bank_references(request, [found.payment]).get(found.payment.id)  # a credit transfer's, once known
    return render(request, "payment.html", v=found, run=run, bank_ref=bank_ref, payment_statuses=PAYMENT_STATUSES)


@router.get("/payments/{payment_id}/remittance.pdf")
def payment_remittance_pdf(request: Request, payment_id: str,
                           viewer: Viewer = page(Action.PAYMENT_RUN_READ)) -> Response:
    found: Any = _remittance(request, viewer, payment_id)
    body = remittance_pdf(found, language_of(request), request.app.state.settings.timezone)
    return Response(body, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="remittance-{payment_id}.pdf"'})
