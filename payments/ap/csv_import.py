"""``disburse import purchase-orders|receipts|invoices FILE.csv``: a whole file in one transaction, or nothing.

Every row is parsed, every document is checked by the same use cases the API calls (``create_in`` inside one
unit of work), and every fault is collected with its row and column. If there is any, the transaction is
rolled back and ``ImportRejected`` lists them all; else it commits once. Imported invoices are matched together
at the end, in one batch. Re-importing a file is refused (the numbers already exist), never doubled.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ledger.money import minor_exponent
from payments.ap.ap_ports import APUnitOfWork
from payments.ap.ap_records import PORecord
from payments.ap.ap_services import APServices
from payments.ap.csv_rows import HEADER_ROW, Cells, Group, ImportRejected, RowError, read_groups, to_minor_units
from payments.ap.documents import AccountCoding, LineKind, MatchLevel, ReceiptLine
from payments.ap.ap_errors import DuplicateNumber
from payments.errors import DomainError
from payments.identity import Principal
from payments.ap.invoice_service import NewInvoice, NewInvoiceLine
from payments.ap.po_lines import NewPOLine
from payments.ap.po_service import NewPurchaseOrder
from payments.ap.receipt_service import NewReceipt

_LINE_FIELD = re.compile(r"^lines\[(\d+)\](?:\.(\w+))?$")
# domain field name -> CSV column, per kind
_COLUMNS = {
    "purchase-orders": {"number": "po_number", "vendor_id": "vendor", "max_total": "max_total", "unit_price": "unit_price",
                        "coding": "fund", "lines": "line_no"},
    "receipts": {"po_id": "po_number", "po_line_no": "line_no", "lines": "line_no"},
    "invoices": {"vendor_id": "vendor", "unit_price": "unit_price", "lines": "line_no"},
}
# refusals that name no field, by code -> the column they are about
_BY_CODE = {"vendor_not_active": "vendor", "duplicate_number": "po_number", "po_not_open": "po_number",
            "unknown_vendor": "vendor"}


@dataclass(frozen=True, slots=True)
class ImportResult:
    kind: str
    documents: int
    rows: int
    ids: tuple[str, ...]


class CsvImporter:
    def __init__(self, services: APServices) -> None:
        self._ap = services

    def run(self, kind: str, text: str, principal: Principal,
            progress: Callable[[int, int], None] | None = None) -> ImportResult:
        groups, errors = read_groups(kind, text)
        if any(e.row == HEADER_ROW for e in errors):
            raise ImportRejected(errors)  # the columns themselves are wrong: nothing below can be read
        bad_rows = {e.row for e in errors}
        build = {"purchase-orders": self._purchase_order, "receipts": self._receipt, "invoices": self._invoice}[kind]
        ids: list[str] = []
        with self._ap.deps.uow() as uow:
            cache: dict[Any, Any] = {"bad_rows": bad_rows}
            for n, group in enumerate(groups, 1):
                try:
                    made = build(uow, principal, group, errors, cache)
                except DomainError as exc:
                    errors.append(_locate(kind, group, exc))
                    made = None
                if made is not None:
                    ids.append(made)
                if progress is not None:
                    progress(n, len(groups))
            if errors:
                raise ImportRejected(errors)  # leaving the unit of work without commit rolls everything back
            if kind == "invoices":
                self._ap.matcher.rematch_in(uow, ids, trigger="import")
            uow.commit()
        return ImportResult(kind, len(groups), sum(len(g.rows) for g in groups), tuple(ids))

    # -- references ------------------------------------------------------------------------------------
    def _vendor(self, uow: APUnitOfWork, cells: Cells, cache: dict[Any, Any]) -> str | None:
        ref = cells.text("vendor")
        if ("vendor", ref) not in cache:
            record = uow.vendors.get(ref) if ref.startswith("ven_") else uow.vendors.get_by_number(ref)
            cache[("vendor", ref)] = record.vendor.id if record else None
        vendor_id: str | None = cache[("vendor", ref)]
        if vendor_id is None:
            cells.fail("vendor", f"no vendor has the id or number {ref!r}", "unknown_vendor")
        return vendor_id

    def _po_ref(self, uow: APUnitOfWork, cells: Cells, column: str, cache: dict[Any, Any]) -> PORecord | None:
        number = cells.text(column)
        if not number:
            return None
        if ("po", number) not in cache:
            cache[("po", number)] = uow.purchase_orders.get_by_number(number)
        po: PORecord | None = cache[("po", number)]
        if po is None:
            cells.fail(column, f"no purchase order is numbered {number!r}", "unknown_po")
        return po

    # -- documents -------------------------------------------------------------------------------------
    def _purchase_order(self, uow: APUnitOfWork, principal: Principal, group: Group, errors: list[RowError],
                        cache: dict[Any, Any]) -> str | None:
        head = Cells(group.first_row, group.values[0], errors)
        before = len(errors)
        vendor_id = self._vendor(uow, head, cache)
        currency = head.text("currency", "USD")
        exponent = _exponent(head, currency)
        max_total = _money(head, "max_total", exponent)
        lines = []
        for row, values in zip(group.rows, group.values):
            c = Cells(row, values, errors)
            kind = c.choice("kind", ("goods", "services"))
            level = c.choice("match_level", ("2", "3", "4"))
            price, quantity = c.decimal("unit_price"), c.decimal("quantity")
            if quantity is not None and quantity <= 0:
                c.fail("quantity", "must be more than zero")
            if price is not None and price < 0:
                c.fail("unit_price", "may not be negative")
            line = NewPOLine(c.integer("line_no") or 0, c.text("item"), quantity or Decimal(0),
                             c.text("unit_of_measure"), (price or Decimal(0)).scaleb(exponent),
                             AccountCoding(c.text("fund"), c.text("department"), c.text("object_code")),
                             LineKind(kind or "goods"), MatchLevel(int(level)) if level else None,
                             c.text("category") or None)
            lines.append(line)
        if _faulty(group, errors, before, cache) or vendor_id is None:
            return None
        cmd = NewPurchaseOrder(group.header("po_number"), vendor_id, currency, tuple(lines), max_total,
                               head.text("description"))
        return self._ap.purchase_orders.create_in(uow, principal, cmd)[0].po.id

    def _receipt(self, uow: APUnitOfWork, principal: Principal, group: Group, errors: list[RowError],
                 cache: dict[Any, Any]) -> str | None:
        head = Cells(group.first_row, group.values[0], errors)
        before = len(errors)
        po = self._po_ref(uow, head, "po_number", cache)
        received_on, accepted_on = head.date("received_on"), head.date("accepted_on")
        lines = []
        for row, values in zip(group.rows, group.values):
            c = Cells(row, values, errors)
            lines.append(ReceiptLine(c.integer("line_no") or 0, c.decimal("quantity_received") or Decimal(0),
                                     c.decimal("quantity_accepted")))
        number = group.header("receipt_number")
        if po is not None and uow.receipts.find_number(po.po.id, number):
            head.fail("receipt_number", f"receipt {number!r} was already imported for this PO", "duplicate_number")
        if _faulty(group, errors, before, cache) or po is None or received_on is None:
            return None
        cmd = NewReceipt(po.po.id, received_on, tuple(lines), accepted_on, number, head.text("note"))
        return self._ap.receipts.create_in(uow, principal, cmd)[0].receipt.id

    def _invoice(self, uow: APUnitOfWork, principal: Principal, group: Group, errors: list[RowError],
                 cache: dict[Any, Any]) -> str | None:
        head = Cells(group.first_row, group.values[0], errors)
        before = len(errors)
        vendor_id = self._vendor(uow, head, cache)
        currency = head.text("currency", "USD")
        exponent = _exponent(head, currency)
        total = _money(head, "total", exponent)
        invoice_date, received_on = head.date("invoice_date"), head.date("received_on")
        lines = []
        for row, values in zip(group.rows, group.values):
            c = Cells(row, values, errors)
            po = self._po_ref(uow, c, "po_number", cache)
            price = c.decimal("unit_price")
            lines.append(NewInvoiceLine(c.integer("line_no") or 0, po.po.id if po else None, c.integer("po_line_no"),
                                        c.decimal("quantity") or Decimal(0), (price or Decimal(0)).scaleb(exponent),
                                        c.text("description"), c.text("unit_of_measure") or None))
        number = group.header("invoice_number")
        if vendor_id is not None and uow.invoices.find_number(vendor_id, number):
            head.fail("invoice_number", f"invoice {number!r} of this vendor is already on file", "duplicate_number")
        if _faulty(group, errors, before, cache) or vendor_id is None:
            return None
        cmd = NewInvoice(vendor_id, number, invoice_date, currency, tuple(lines), received_on, head.text("terms"),
                         total, head.text("remit_to"), head.text("defect_contact"))
        return self._ap.invoices.create_in(uow, principal, cmd, match=False)[0].invoice.id


def _faulty(group: Group, errors: list[RowError], before: int, cache: dict[Any, Any]) -> bool:
    """This document already has faults (read earlier or just now): check no further, write nothing."""
    return len(errors) > before or any(row in cache["bad_rows"] for row in group.rows)


def _exponent(cells: Cells, currency: str) -> int:
    try:
        return minor_exponent(currency)
    except Exception:  # unknown_currency
        cells.fail("currency", f"{currency!r} is not an ISO 4217 currency", "unknown_currency")
        return 2


def _money(cells: Cells, column: str, exponent: int) -> int | None:
    amount = cells.decimal(column)
    if amount is None:
        return None
    minor = to_minor_units(amount, exponent)
    if minor is None:
        cells.fail(column, f"has more than {exponent} decimal places", "amount_precision_exceeded")
    return minor


def _locate(kind: str, group: Group, exc: DomainError) -> RowError:
    """Point a use case's refusal at the row and column it is about."""
    field = str(exc.details.get("field") or "")
    columns = _COLUMNS[kind]
    m = _LINE_FIELD.match(field)
    if m:
        index = int(m.group(1))
        row = group.rows[index] if index < len(group.rows) else group.first_row
        name = m.group(2) or "line_no"
        return RowError(row, columns.get(name, name), exc.message, exc.code)
    column = columns.get(field, field) if field else _BY_CODE.get(exc.code, "")
    if kind == "invoices" and isinstance(exc, DuplicateNumber):
        column = "invoice_number"
    return RowError(group.first_row, column, exc.message, exc.code)
