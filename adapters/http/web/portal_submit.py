"""The vendor portal's invoice submission and credits: ``/portal/invoices/new`` sends us an invoice by form, or as a
CSV file of its lines (one invoice per file, the columns below), through the same ``VendorPortal.submit_invoice``
as ``POST /v1/portal/invoices`` (received today, matched at once, another vendor's purchase order refused the same
way as one that does not exist); ``/portal/credits`` lists the vendor's own credits and what is still open, from the
same ``VendorCreditService.for_vendor`` as ``/v1/portal/credits``, scoped to the signed-in vendor.

The file: a header row and one row per invoice line, UTF-8, comma-separated::

    invoice_number,invoice_date,terms,total,po_number,po_line_no,quantity,unit_price,description
    INV-77,2026-10-30,net 30,1080.00,PO-2027-0001,1,9,120.00,desks

``invoice_number``, ``invoice_date``, ``terms`` and ``total`` are read from the first row and must not differ on
the others. A problem is named by row and column and nothing is sent.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.responses import Response

from adapters.http.body_guard import raw_body
from adapters.http.problems import status_for
from adapters.http.web.form_values import MONEY_MAX, QUANTITY_MAX, Unreadable, date, decimal, whole
from adapters.http.web.i18n import N_
from adapters.http.web.pages import redirect, render, web_router
from adapters.http.web.viewer import Viewer, page
from ledger.money import minor_exponent
from payments.errors import DomainError
from payments.identity import Action
from payments.portal.portal_service import VendorInvoice, VendorInvoiceLine

router = web_router()
LINES = 3
CURRENCY = "USD"
FILE_COLUMNS = ("invoice_number", "invoice_date", "terms", "total", "po_number", "po_line_no", "quantity",
                "unit_price", "description")
MAX_FILE_ROWS = 1000
_E = {
    "number": N_("Enter your invoice number."), "date": N_("Enter a date as YYYY-MM-DD."),
    "total": N_("Enter the total as an amount, such as 1200.00."),
    "quantity": N_("Enter the quantity as a number, such as 10."),
    "unit_price": N_("Enter the unit price as an amount, such as 120.00."),
    "po_line_no": N_("Enter the purchase-order line number."), "lines": N_("Enter at least one line."),
    "file": N_("Choose the invoice file (CSV)."),
    "columns": N_("The file's first row must name these columns: %(columns)s."),
    "row": N_("Row %(row)s, column %(column)s: %(why)s"),
    "differs": N_("differs from the first row: a file holds one invoice"),
    "unreadable": N_("not readable"), "not_text": N_("The file is not UTF-8 text."),
    "too_long": N_("The file has more than %(max)s rows."),
}


def _page(request: Request, *, values: dict[str, str], errors: list[tuple[str, Any]], status: int = 200,
          problem: str | None = None, problem_field: str = "") -> Response:
    return render(request, "portal_submit.html", status=status, values=values, errors=errors, problem=problem,
                  problem_field=problem_field, line_count=LINES, file_columns=",".join(FILE_COLUMNS))


@router.get("/portal/invoices/new")
def submit_form(request: Request, viewer: Viewer = page(Action.PORTAL_SUBMIT_INVOICE)) -> Response:
    return _page(request, values={}, errors=[])


def _line(n: int, row: dict[str, str], errors: list[tuple[str, Any]], where: Any) -> VendorInvoiceLine | None:
    """One line from form fields or a file row; ``where(column)`` names the field or the row and column."""
    qty = price = None
    line_no = None
    try:
        qty = decimal(row.get("quantity", ""), places=6, maximum=QUANTITY_MAX)
    except Unreadable:
        pass
    if qty is None or qty <= 0:
        errors.append(where("quantity"))
    try:
        price = decimal(row.get("unit_price", ""), places=8, maximum=MONEY_MAX)
    except Unreadable:
        pass
    if price is None:
        errors.append(where("unit_price"))
    try:
        line_no = whole(row.get("po_line_no", ""), low=1, high=9999)
    except Unreadable:
        errors.append(where("po_line_no"))
    if qty is None or qty <= 0 or price is None:
        return None
    return VendorInvoiceLine(n, row.get("po_number", "")[:40] or None, line_no, qty,
                             price.scaleb(minor_exponent(CURRENCY)), row.get("description", "")[:500])


def _header(values: dict[str, str], errors: list[tuple[str, Any]], where: Any) -> tuple[Any, Any, Any] | None:
    number = values.get("invoice_number", "")[:80]
    if not number:
        errors.append(where("invoice_number"))
    day = total = None
    try:
        day = date(values.get("invoice_date", ""))
    except Unreadable:
        errors.append(where("invoice_date"))
    try:
        total = decimal(values.get("total", ""), places=minor_exponent(CURRENCY), maximum=MONEY_MAX)
    except Unreadable:
        errors.append(where("total"))
    return (number, day, None if total is None else int(total.scaleb(minor_exponent(CURRENCY)))) if number else None


_FIELD_ERROR = {"invoice_number": "number", "invoice_date": "date", "total": "total", "quantity": "quantity",
                "unit_price": "unit_price", "po_line_no": "po_line_no"}


def read_form(values: dict[str, str]) -> tuple[VendorInvoice | None, list[tuple[str, Any]]]:
    errors: list[tuple[str, Any]] = []
    head = _header(values, errors, lambda c: (c, _E[_FIELD_ERROR[c]]))
    lines = []
    for n in range(1, LINES + 1):
        row = {k: values.get(f"line{n}_{k}", "") for k in ("po_number", "po_line_no", "quantity", "unit_price",
                                                           "description")}
        if not any(row.values()):
            continue
        line = _line(n, row, errors, lambda c, n=n: (f"line{n}_{c}", _E[_FIELD_ERROR[c]]))
        if line:
            lines.append(line)
    if not lines and not any(f.startswith("line") for f, _m in errors):
        errors.append(("line1_quantity", _E["lines"]))
    if errors or head is None:
        return None, errors
    return VendorInvoice(head[0], head[1], CURRENCY, tuple(lines), values.get("terms", "")[:40], head[2]), []


def read_file(data: bytes) -> tuple[VendorInvoice | None, list[tuple[str, Any]]]:
    """The file's invoice, or every problem as ("file", (msgid, values)) by row and column."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, [("file", (_E["not_text"], {}))]
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or [c.strip().lower() for c in rows[0]] != list(FILE_COLUMNS):
        return None, [("file", (_E["columns"], {"columns": ", ".join(FILE_COLUMNS)}))]
    body = [dict(zip(FILE_COLUMNS, (c.strip() for c in r))) for r in rows[1:] if any(c.strip() for c in r)]
    if len(body) > MAX_FILE_ROWS:
        return None, [("file", (_E["too_long"], {"max": MAX_FILE_ROWS}))]
    errors: list[tuple[str, Any]] = []

    def at(row: int) -> Any:
        return lambda column, why=_E["unreadable"]: ("file", (_E["row"], {"row": row, "column": column, "why": why}))

    if not body:
        return None, [("file", (_E["lines"], {}))]
    head = _header(body[0], errors, at(2))
    for n, row in enumerate(body[1:], start=3):
        for column in ("invoice_number", "invoice_date", "terms", "total"):
            if row[column] and row[column] != body[0][column]:
                errors.append(at(n)(column, _E["differs"]))
    lines = [line for n, row in enumerate(body, start=2) if (line := _line(n - 1, row, errors, at(n)))]
    if errors or head is None:
        return None, errors
    return VendorInvoice(head[0], head[1], CURRENCY, tuple(lines), body[0].get("terms", "")[:40], head[2]), []


@router.post("/portal/invoices/new")
@raw_body  # the file form posts multipart; the upload cap applies (docs/web.md)
async def submit(request: Request, viewer: Viewer = page(Action.PORTAL_SUBMIT_INVOICE)) -> Response:
    form = await request.form()
    values = {k: v.strip() for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    upload = form.get("file")
    data = await upload.read(2 * 2**20 + 1) if isinstance(upload, UploadFile) else None
    return await run_in_threadpool(_submit, request, viewer, values, data)


def _submit(request: Request, viewer: Viewer, values: dict[str, str], data: bytes | None) -> Response:
    by_file = values.get("how") == "file"
    if by_file:
        invoice, errors = read_file(data) if data else (None, [("file", (_E["file"], {}))])
    else:
        invoice, errors = read_form(values)
    if invoice is None:
        return _page(request, values=values, errors=errors, status=422)
    try:
        found = request.app.state.portal.submit_invoice(viewer.principal, invoice)
    except DomainError as exc:
        field = str(exc.details.get("field", "")) if getattr(exc, "details", None) else ""
        if field.startswith("lines[") and "]." in field and not by_file:
            index, _, rest = field[6:].partition("].")
            field = f"line{int(index) + 1}_{rest}" if index.isdigit() else field
        status = status_for(exc)
        return _page(request, values=values, errors=[], status=422 if status == 400 else status, problem=exc.message,
                     problem_field="file" if by_file else field)
    return redirect(f"/portal/invoices/{found.record.invoice.id}?sent=1")


@router.get("/portal/credits")
def my_credits(request: Request, viewer: Viewer = page(Action.PORTAL_READ)) -> Response:
    credits = request.app.state.ap.vendor_credits.for_vendor(viewer.principal, viewer.principal.vendor_id or "")
    return render(request, "portal_credits.html", credits=credits)
