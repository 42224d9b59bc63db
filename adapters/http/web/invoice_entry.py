"""``/invoices/new``: a clerk enters a vendor's invoice by form; it is matched at once by the same
``InvoiceService.create`` as ``POST /v1/invoices``, and the browser goes to the invoice (POST-redirect-GET),
where any hold it landed on is shown. Bad input comes back as the form, 422, each field with its message."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from adapters.http.problems import status_for
from adapters.http.web.i18n import N_
from adapters.http.web.pages import redirect, render, web_router
from adapters.http.web.viewer import Viewer, page
from ledger.money import minor_exponent
from payments.ap.invoice_service import NewInvoice, NewInvoiceLine
from payments.errors import DomainError
from payments.identity import Action

router = web_router()
LINES = 3
_QTY_MAX, _MONEY_MAX = Decimal("1e12"), Decimal("1e13")


def _choices(request: Request) -> dict[str, Any]:
    ap = request.app.state.ap
    vendors = [(v.vendor.id, v.vendor.legal_name) for v in ap.vendors.list(after=None, limit=500)
               if v.vendor.status.value != "inactive"]
    pos = [(p.po.id, f"{p.number} · {p.description or p.po.vendor_id}", p.po.vendor_id)
           for p in ap.purchase_orders.list(after=None, limit=500)]
    return {"vendors": vendors, "pos": pos, "line_count": LINES}


@router.get("/invoices/new")
def new_invoice(request: Request, viewer: Viewer = page(Action.INVOICE_CREATE)) -> Response:
    return render(request, "invoice_new.html", values={}, errors=[], **_choices(request))


def _decimal(text: str, *, places: int | None = None) -> Decimal | None:
    try:
        value = Decimal(text.replace(",", "").lstrip("$").strip())
    except InvalidOperation:
        return None
    if not value.is_finite() or value < 0:
        return None
    if places is not None and value.as_tuple().exponent < -places:  # type: ignore[operator]
        return None
    return value


def _date(text: str) -> dt.date | None | str:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return "bad"


def read_form(values: dict[str, str]) -> tuple[NewInvoice | None, list[tuple[str, str]]]:
    """The command the form describes, or the (field, msgid) of every problem."""
    errors: list[tuple[str, str]] = []
    vendor_id, number = values.get("vendor_id", ""), values.get("invoice_number", "")
    if not vendor_id:
        errors.append(("vendor_id", N_("Choose the vendor.")))
    if not number:
        errors.append(("invoice_number", N_("Enter the vendor's invoice number.")))
    elif len(number) > 80:
        errors.append(("invoice_number", N_("An invoice number is at most 80 characters.")))
    dates = {}
    for name in ("invoice_date", "received_on"):
        dates[name] = _date(values.get(name, ""))
        if dates[name] == "bad":
            errors.append((name, N_("Enter a date as YYYY-MM-DD.")))
    currency = "USD"
    total = None
    if values.get("total"):
        total = _decimal(values["total"], places=minor_exponent(currency))
        if total is None or total >= _MONEY_MAX:
            errors.append(("total", N_("Enter the total as an amount, such as 1200.00.")))
    lines = []
    for n in range(1, LINES + 1):
        qty_text, price_text = values.get(f"line{n}_quantity", ""), values.get(f"line{n}_unit_price", "")
        po_id, po_line = values.get(f"line{n}_po_id", ""), values.get(f"line{n}_po_line_no", "")
        if not (qty_text or price_text or po_id or po_line):
            continue
        qty = _decimal(qty_text, places=6)
        price = _decimal(price_text, places=8)
        if qty is None or qty >= _QTY_MAX:
            errors.append((f"line{n}_quantity", N_("Enter the quantity billed as a number, such as 10.")))
        if price is None or price >= _MONEY_MAX:
            errors.append((f"line{n}_unit_price", N_("Enter the unit price as an amount, such as 120.00.")))
        line_no = int(po_line) if po_line.isdigit() and 0 < int(po_line) < 10000 else None
        if po_id and line_no is None:
            errors.append((f"line{n}_po_line_no", N_("Enter the purchase-order line number this line bills.")))
        if qty is not None and price is not None:
            lines.append(NewInvoiceLine(n, po_id or None, line_no, qty, price.scaleb(minor_exponent(currency)),
                                        values.get(f"line{n}_description", "")[:500]))
    if not lines and not any(f.startswith("line") for f, _m in errors):
        errors.append(("line1_quantity", N_("Enter at least one line.")))
    if errors:
        return None, errors
    total_minor = None if total is None else int(total.scaleb(minor_exponent(currency)))
    invoice_date, received_on = dates["invoice_date"], dates["received_on"]
    assert not isinstance(invoice_date, str) and not isinstance(received_on, str)
    return NewInvoice(vendor_id, number, invoice_date, currency, tuple(lines), received_on,
                      values.get("terms", "")[:40], total_minor), []


@router.post("/invoices/new")
async def enter_invoice(request: Request, viewer: Viewer = page(Action.INVOICE_CREATE)) -> Response:
    form = await request.form()
    values = {k: v.strip() for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    return await run_in_threadpool(_enter, request, viewer, values)


def _enter(request: Request, viewer: Viewer, values: dict[str, str]) -> Response:
    cmd, errors = read_form(values)
    if cmd is not None:
        try:
            record, _new = request.app.state.ap.invoices.create(viewer.principal, cmd)
        except DomainError as exc:
            field = str(exc.details.get("field", "")) if getattr(exc, "details", None) else ""
            return render(request, "invoice_new.html", status=status_for(exc) if status_for(exc) != 400 else 422,
                          values=values, errors=[], problem=exc.message, problem_field=_form_field(field),
                          **_choices(request))
        return redirect(f"/invoices/{record.invoice.id}?done=entered")
    return render(request, "invoice_new.html", status=422, values=values, errors=errors, **_choices(request))


def _form_field(api_field: str) -> str:
    """``lines[0].quantity`` → ``line1_quantity``: the service names the field it refuses."""
    if api_field.startswith("lines[") and "]." in api_field:
        index, _, rest = api_field[6:].partition("].")
        if index.isdigit():
            return f"line{int(index) + 1}_{rest}"
    return api_field
