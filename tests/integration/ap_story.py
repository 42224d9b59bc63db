"""Builders for the AP worked examples on a real database: the City of Riverton buys chairs from Acme."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from payments.ap.budget_service import SetBudget
from payments.ap.credit_memo_service import NewCreditMemo, NewCreditMemoLine
from payments.ap.documents import AccountCoding, LineKind, MatchLevel, ReceiptLine, VendorStatus
from payments.identity import Principal, Role
from payments.ap.invoice_service import NewInvoice, NewInvoiceLine
from payments.ap.po_lines import NewPOLine
from payments.ap.po_service import NewPurchaseOrder
from payments.ap.receipt_service import NewReceipt
from payments.ap.vendor_service import VendorDetails

CLERK = Principal.staff("usr_ann", Role.AP_CLERK)
APPROVER = Principal.staff("usr_bob", Role.AP_APPROVER)
APPROVER_2 = Principal.staff("usr_cy", Role.AP_APPROVER)
TREASURER = Principal.staff("usr_tess", Role.TREASURER)
VENDOR_ADMIN = Principal.staff("usr_val", Role.VENDOR_ADMIN)
FURNITURE = AccountCoding("100", "PW", "5710")
SERVICES = AccountCoding("100", "IT", "5210")


def D(x: object) -> Decimal:  # noqa: N802 - reads like a literal
    return Decimal(str(x))


def ap(container):  # noqa: ANN001, ANN201
    import main

    return main.ap_services(container)


def vendor(services, name: str = "Acme Furniture", tin: str = "12-3456789") -> str:
    record, _ = services.vendors.create(VENDOR_ADMIN, VendorDetails(legal_name=name, tin=tin, terms="2/10 net 30"))
    services.vendors.set_status(VENDOR_ADMIN, record.vendor.id, VendorStatus.ACTIVE)
    return record.vendor.id


def budget(services, coding: AccountCoding = FURNITURE, dollars: int = 100_000) -> None:
    services.budgets.set(TREASURER, SetBudget(2027, coding, dollars * 100))


def po_line(line_no: int = 1, qty: object = 10, price_minor: object = 12_000, *, item: str = "chair",
            uom: str = "each", coding: AccountCoding = FURNITURE, kind: LineKind = LineKind.GOODS,
            level: MatchLevel | None = None) -> NewPOLine:
    return NewPOLine(line_no, item, D(qty), uom, D(price_minor), coding, kind, level, "furniture")


def approved_po(services, vendor_id: str, *lines: NewPOLine, number: str = "PO-2027-0001",
                max_total_minor: int | None = None) -> str:
    record, _ = services.purchase_orders.create(
        CLERK, NewPurchaseOrder(number, vendor_id, "USD", lines or (po_line(),), max_total_minor))
    services.purchase_orders.approve(APPROVER, record.po.id)
    return record.po.id


def receive(services, po_id: str, *lines: tuple, on: dt.date = dt.date(2026, 10, 1)) -> str:
    """``lines`` are (po_line_no, received) or (po_line_no, received, accepted)."""
    record, _ = services.receipts.create(CLERK, NewReceipt(
        po_id, on, tuple(ReceiptLine(t[0], D(t[1]), None if len(t) < 3 else D(t[2])) for t in lines)))
    return record.receipt.id


def inv_line(line_no: int, po_id: str, qty: object, price_minor: object = 12_000, po_line_no: int = 1):  # noqa: ANN201
    return NewInvoiceLine(line_no, po_id, po_line_no, D(qty), D(price_minor))


def invoice(services, vendor_id: str, *lines: NewInvoiceLine, number: str = "INV-1001",
            invoice_date: dt.date = dt.date(2026, 10, 5), received_on: dt.date = dt.date(2026, 10, 6),
            file_digest: str | None = None, stated_total_minor: int | None = -1, who: Principal = CLERK):
    total = sum(int((l.quantity * l.unit_price_minor).to_integral_value()) for l in lines)
    cmd = NewInvoice(vendor_id, number, invoice_date, "USD", tuple(lines), received_on, "net 30",
                     total if stated_total_minor == -1 else stated_total_minor, "Acme Furniture, 1 Main St",
                     "Pat Lee, 555-0100", file_digest)
    record, _ = services.invoices.create(who, cmd)
    return record


def credit(services, vendor_id: str, po_id: str, qty: object, amount_minor: int, *, number: str = "CM-1",
           po_line_no: int = 1):  # noqa: ANN201
    record, _ = services.credit_memos.create(CLERK, NewCreditMemo(
        vendor_id, number, dt.date(2026, 10, 20), "USD", (NewCreditMemoLine(po_id, po_line_no, D(qty), amount_minor),)))
    return record


def holds_of(services, invoice_id: str, status: str = "open") -> list[str]:
    view = services.invoices.view(invoice_id)
    return sorted(h.hold for h in view.holds if h.status == status)


def status_of(services, invoice_id: str) -> str:
    return services.invoices.view(invoice_id).record.invoice.status.value


def balance(container, account: str) -> int:
    with container.uow(read_only=True) as uow:
        rows = uow.ledger_queries.balances(account=account)
    return sum(r.balance_minor for r in rows)
