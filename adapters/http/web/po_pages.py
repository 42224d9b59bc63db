"""Purchase orders and receipts by form: ``/purchase-orders/new`` (a clerk enters one), its approval by someone
else (``/purchase-orders/{id}/approve``, which encumbers it, and re-approves a change order that committed more),
``/purchase-orders/{id}/change`` (a change order: every line as it should now be, with why), and
``/receipts/new`` (what arrived against an approved order). Each posts to the same use case as
``/v1/purchase-orders`` and ``/v1/receipts``; bad input comes back as the form, 422, each field with its message."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from adapters.http.problems import status_for
from adapters.http.web.form_values import MONEY_MAX, QUANTITY_MAX, Unreadable, date, decimal, whole
from adapters.http.web.i18n import N_
from adapters.http.web.pages import redirect, render, web_router
from adapters.http.web.viewer import Viewer, page
from ledger.money import minor_exponent
from payments.ap.documents import AccountCoding, LineKind, ReceiptLine
from payments.ap.po_lines import NewPOLine
from payments.ap.po_service import ChangeOrder, NewPurchaseOrder
from payments.ap.receipt_service import NewReceipt
from payments.errors import DomainError, NotFound
from payments.identity import Action

router = web_router()
NEW_LINES, EXTRA_LINES = 4, 2
CURRENCY = "USD"
_ERR = {
    "vendor_id": N_("Choose the vendor."), "number": N_("Enter the purchase-order number."),
    "item": N_("Say what is bought on this line."), "quantity": N_("Enter the quantity as a number, such as 10."),
    "unit_of_measure": N_("Enter the unit, such as each or hour."),
    "unit_price": N_("Enter the unit price as an amount, such as 120.00."),
    "coding": N_("Enter the fund, department and object code this line is charged to."),
    "max_total": N_("Enter the ceiling as an amount, such as 5000.00, or leave it blank."),
    "fiscal_year": N_("Enter a year such as 2027, or leave it blank."), "lines": N_("Enter at least one line."),
    "reason": N_("Say why the order changes."), "date": N_("Enter a date as YYYY-MM-DD."),
    "received": N_("Enter the quantity received as a number; negative for goods sent back."),
    "nothing_received": N_("Enter what was received on at least one line."),
}


async def _values(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v.strip() for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}


def _form_field(api_field: str) -> str:
    """``lines[0].quantity`` → ``line1_quantity``: the service names the field it refuses."""
    if api_field.startswith("lines[") and "]." in api_field:
        index, _, rest = api_field[6:].partition("].")
        if index.isdigit():
            return f"line{int(index) + 1}_{rest}"
    return api_field


def _refusal(exc: DomainError) -> tuple[int, str, str]:
    field = str(exc.details.get("field", "")) if getattr(exc, "details", None) else ""
    status = status_for(exc)
    return (422 if status == 400 else status), exc.message, _form_field(field)


# -- lines of a purchase order ----------------------------------------------------------------------------------

def read_lines(values: dict[str, str], count: int, errors: list[tuple[str, str]]) -> list[NewPOLine]:
    lines = []
    for n in range(1, count + 1):
        f = {k: values.get(f"line{n}_{k}", "") for k in ("line_no", "item", "quantity", "unit_of_measure",
                                                        "unit_price", "fund", "department", "object_code", "kind")}
        if not any(f[k] for k in ("item", "quantity", "unit_price")):
            continue
        quantity = price = line_no = None
        try:
            quantity = decimal(f["quantity"], places=6, maximum=QUANTITY_MAX)
        except Unreadable:
            pass
        if quantity is None or quantity <= 0:
            errors.append((f"line{n}_quantity", _ERR["quantity"]))
        try:
            price = decimal(f["unit_price"], places=8, maximum=MONEY_MAX)
        except Unreadable:
            pass
        if price is None:
            errors.append((f"line{n}_unit_price", _ERR["unit_price"]))
        try:
            line_no = whole(f["line_no"], low=1, high=9999) or n
        except Unreadable:
            line_no = n
        for key in ("item", "unit_of_measure"):
            if not f[key]:
                errors.append((f"line{n}_{key}", _ERR[key]))
        if not (f["fund"] and f["department"] and f["object_code"]):
            errors.append((f"line{n}_fund", _ERR["coding"]))
        if quantity and price is not None and f["item"] and f["unit_of_measure"] and f["fund"] and f["department"] \
                and f["object_code"]:
            lines.append(NewPOLine(line_no, f["item"][:200], quantity, f["unit_of_measure"][:20],
                                   price.scaleb(minor_exponent(CURRENCY)),
                                   AccountCoding(f["fund"][:20], f["department"][:20], f["object_code"][:20]),
                                   LineKind.SERVICES if f["kind"] == "services" else LineKind.GOODS))
    if not lines and not errors:
        errors.append(("line1_item", _ERR["lines"]))
    return lines


def _max_total(values: dict[str, str], errors: list[tuple[str, str]]) -> int | None:
    try:
        ceiling = decimal(values.get("max_total", ""), places=minor_exponent(CURRENCY), maximum=MONEY_MAX)
    except Unreadable:
        errors.append(("max_total", _ERR["max_total"]))
        return None
    return None if ceiling is None else int(ceiling.scaleb(minor_exponent(CURRENCY)))


# -- a new purchase order ---------------------------------------------------------------------------------------

def _vendors(request: Request) -> list[tuple[str, str]]:
    return [(v.vendor.id, v.vendor.legal_name) for v in request.app.state.ap.vendors.list(after=None, limit=500)
            if v.vendor.status.value == "active"]


def _new_po_page(request: Request, values: dict[str, str], errors: list[tuple[str, str]], status: int = 200,
                 problem: str | None = None, problem_field: str = "") -> Response:
    return render(request, "po_new.html", status=status, values=values, errors=errors, problem=problem,
                  problem_field=problem_field, vendors=_vendors(request), line_count=NEW_LINES)


@router.get("/purchase-orders/new")
def new_po(request: Request, viewer: Viewer = page(Action.PO_CREATE)) -> Response:
    return _new_po_page(request, {}, [])


@router.post("/purchase-orders/new")
async def enter_po(request: Request, viewer: Viewer = page(Action.PO_CREATE)) -> Response:
    values = await _values(request)
    return await run_in_threadpool(_enter_po, request, viewer, values)


def _enter_po(request: Request, viewer: Viewer, values: dict[str, str]) -> Response:
    errors: list[tuple[str, str]] = []
    if not values.get("vendor_id"):
        errors.append(("vendor_id", _ERR["vendor_id"]))
    if not values.get("number"):
        errors.append(("number", _ERR["number"]))
    lines = read_lines(values, NEW_LINES, errors)
    ceiling = _max_total(values, errors)
    year = None
    try:
        year = whole(values.get("fiscal_year", ""), low=1901, high=2999)
    except Unreadable:
        errors.append(("fiscal_year", _ERR["fiscal_year"]))
    if errors:
        return _new_po_page(request, values, errors, 422)
    cmd = NewPurchaseOrder(values["number"][:40], values["vendor_id"][:40], CURRENCY, tuple(lines), ceiling,
                           values.get("description", "")[:500], year)
    try:
        record, _new = request.app.state.ap.purchase_orders.create(viewer.principal, cmd)
    except DomainError as exc:
        status, message, field = _refusal(exc)
        return _new_po_page(request, values, [], status, message, field)
    return redirect(f"/purchase-orders/{record.po.id}?done=entered")


# -- approval and change orders ---------------------------------------------------------------------------------

def _po_act(request: Request, po_id: str, action: Callable[[], Any], done: Callable[[Any], str] | str) -> Response:
    from adapters.http.web.document_pages import po_context

    try:
        outcome = action()
    except NotFound:
        raise
    except DomainError as exc:
        return render(request, "purchase_order.html", status=status_for(exc), done="", problem=exc,
                      **po_context(request, po_id))
    return redirect(f"/purchase-orders/{po_id}?done={done(outcome) if callable(done) else done}")


@router.post("/purchase-orders/{po_id}/approve")
def approve_po(request: Request, po_id: str, viewer: Viewer = page(Action.PO_APPROVE)) -> Response:
    orders = request.app.state.ap.purchase_orders
    return _po_act(request, po_id, lambda: orders.approve(viewer.principal, po_id), "approved")


def _change_values(record: Any) -> dict[str, str]:
    po = record.po
    values = {"expected_version": str(po.version),
              "max_total": "" if po.max_total_minor is None
              else f"{Decimal(po.max_total_minor).scaleb(-minor_exponent(po.currency)):f}"}
    for n, line in enumerate(po.lines, start=1):
        values.update({f"line{n}_line_no": str(line.line_no), f"line{n}_item": line.item,
                       f"line{n}_quantity": f"{line.quantity.normalize():f}", f"line{n}_unit_of_measure": line.unit_of_measure,
                       f"line{n}_unit_price": f"{line.unit_price_minor.scaleb(-minor_exponent(po.currency)).normalize():f}",
                       f"line{n}_fund": line.coding.fund, f"line{n}_department": line.coding.department,
                       f"line{n}_object_code": line.coding.object_code, f"line{n}_kind": line.kind.value})
    return values


def _change_page(request: Request, po_id: str, values: dict[str, str] | None, errors: list[tuple[str, str]],
                 status: int = 200, problem: str | None = None, problem_field: str = "") -> Response:
    record = request.app.state.ap.purchase_orders.get(po_id)
    shown = values if values is not None else _change_values(record)
    return render(request, "po_change.html", status=status, r=record, values=shown, errors=errors, problem=problem,
                  problem_field=problem_field, line_count=len(record.po.lines) + EXTRA_LINES)


@router.get("/purchase-orders/{po_id}/change")
def change_form(request: Request, po_id: str, viewer: Viewer = page(Action.PO_CREATE)) -> Response:
    return _change_page(request, po_id, None, [])


@router.post("/purchase-orders/{po_id}/change")
async def change_po(request: Request, po_id: str, viewer: Viewer = page(Action.PO_CREATE)) -> Response:
    values = await _values(request)
    return await run_in_threadpool(_change, request, viewer, po_id, values)


def _change(request: Request, viewer: Viewer, po_id: str, values: dict[str, str]) -> Response:
    orders = request.app.state.ap.purchase_orders
    record = orders.get(po_id)
    errors: list[tuple[str, str]] = []
    lines = read_lines(values, len(record.po.lines) + EXTRA_LINES, errors)
    ceiling = _max_total(values, errors)
    if not values.get("reason"):
        errors.append(("reason", _ERR["reason"]))
    try:
        expected = whole(values.get("expected_version", ""), low=1, high=2**31 - 1) or record.po.version
    except Unreadable:
        expected = record.po.version
    if errors:
        return _change_page(request, po_id, values, errors, 422)
    try:
        changed = orders.change(viewer.principal, po_id, ChangeOrder(expected, tuple(lines), values["reason"][:500],
                                                                     ceiling))
    except NotFound:
        raise
    except DomainError as exc:
        status, message, field = _refusal(exc)
        return _change_page(request, po_id, values, [], status, message, field)
    return redirect(f"/purchase-orders/{po_id}?done=" + ("changed_needs_approval"
                                                        if changed.po.status.value == "pending_approval" else "changed"))


# -- receipts -----------------------------------------------------------------------------------------------

def _receipt_page(request: Request, po_id: str, values: dict[str, str], errors: list[tuple[str, str]],
                  status: int = 200, problem: str | None = None) -> Response:
    ap = request.app.state.ap
    record = ap.purchase_orders.get(po_id) if po_id else None
    orders = [(p.po.id, f"{p.number} · {p.description or p.po.vendor_id}")
              for p in ap.purchase_orders.list(after=None, limit=500) if p.po.status.value == "approved"]
    return render(request, "receipt_new.html", status=status, r=record, orders=orders, values=values, errors=errors,
                  problem=problem)


@router.get("/receipts/new")
def new_receipt(request: Request, viewer: Viewer = page(Action.RECEIPT_CREATE)) -> Response:
    return _receipt_page(request, request.query_params.get("po_id", "")[:40], {}, [])


@router.post("/receipts/new")
async def enter_receipt(request: Request, viewer: Viewer = page(Action.RECEIPT_CREATE)) -> Response:
    values = await _values(request)
    return await run_in_threadpool(_enter_receipt, request, viewer, values)


def _enter_receipt(request: Request, viewer: Viewer, values: dict[str, str]) -> Response:
    po_id = values.get("po_id", "")[:40]
    record = request.app.state.ap.purchase_orders.get(po_id)
    errors: list[tuple[str, str]] = []
    days = {}
    for name in ("received_on", "accepted_on"):
        try:
            days[name] = date(values.get(name, ""))
        except Unreadable:
            errors.append((name, _ERR["date"]))
    if "received_on" not in [e[0] for e in errors] and days.get("received_on") is None:
        errors.append(("received_on", _ERR["date"]))
    lines = []
    for line in record.po.lines:
        key = f"line{line.line_no}_received"
        try:
            received = decimal(values.get(key, ""), places=6, maximum=QUANTITY_MAX, negative=True)
            accepted = decimal(values.get(f"line{line.line_no}_accepted", ""), places=6, maximum=QUANTITY_MAX)
        except Unreadable:
            errors.append((key, _ERR["received"]))
            continue
        if received:
            lines.append(ReceiptLine(line.line_no, received, accepted))
    if not lines and not errors:
        errors.append((f"line{record.po.lines[0].line_no}_received", _ERR["nothing_received"]))
    if errors:
        return _receipt_page(request, po_id, values, errors, 422)
    received_on = days["received_on"]
    assert received_on is not None  # refused above when blank
    cmd = NewReceipt(po_id, received_on, tuple(lines), days.get("accepted_on"),
                     values.get("number", "")[:40] or None, values.get("note", "")[:500])
    try:
        created, _new = request.app.state.ap.receipts.create(viewer.principal, cmd)
    except DomainError as exc:
        return _receipt_page(request, po_id, values, [], _refusal(exc)[0], exc.message)
    return redirect(f"/receipts/{created.receipt.id}?done=entered")
