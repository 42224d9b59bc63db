"""Small builders for the worked examples: a furniture vendor, chairs at $120, an approved PO."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from payments.ap.documents import (
    AccountCoding,
    CreditMemo,
    CreditMemoLine,
    CreditMemoStatus,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    LineKind,
    MatchLevel,
    POLine,
    POStatus,
    PurchaseOrder,
    Receipt,
    ReceiptLine,
)
from payments.ap.matching.tolerance import TolerancePolicy

VENDOR = "ven_acme"
CODING = AccountCoding(fund="general", department="facilities", object_code="5200")
ZERO_POLICY = TolerancePolicy(version="test-zero")


def D(x: object) -> Decimal:  # noqa: N802 - reads like a literal
    return Decimal(str(x))


def po_line(
    line_no: int = 1,
    *,
    item: str = "chair",
    qty: object = 10,
    price_minor: object = 12_000,
    uom: str = "each",
    kind: LineKind = LineKind.GOODS,
    level: MatchLevel = MatchLevel.THREE_WAY,
    category: str | None = "furniture",
) -> POLine:
    return POLine(line_no, item, D(qty), uom, D(price_minor), CODING, kind, level, category)


def purchase_order(
    po_id: str = "PO-1",
    *lines: POLine,
    vendor: str = VENDOR,
    status: POStatus = POStatus.APPROVED,
    currency: str = "USD",
    max_total_minor: int | None = None,
) -> PurchaseOrder:
    return PurchaseOrder(po_id, vendor, currency, lines or (po_line(),), status, 1, max_total_minor)


def inv_line(line_no: int, qty: object, price_minor: object = 12_000, *, po: str = "PO-1", po_line_no: int = 1,
             uom: str | None = None) -> InvoiceLine:
    return InvoiceLine(line_no, po, po_line_no, D(qty), D(price_minor), "", uom)


def invoice(
    invoice_id: str,
    *lines: InvoiceLine,
    number: str | None = None,
    vendor: str = VENDOR,
    currency: str = "USD",
    invoice_date: date = date(2026, 3, 2),
    received_on: date | None = date(2026, 3, 4),
    status: InvoiceStatus = InvoiceStatus.ENTERED,
    file_digest: str | None = None,
    stated_total_minor: int | None = -1,
    terms: str = "net 30",
) -> Invoice:
    total = sum(line.amount_minor for line in lines)
    return Invoice(
        id=invoice_id,
        vendor_id=vendor,
        invoice_number=number if number is not None else invoice_id.upper(),
        invoice_date=invoice_date,
        currency=currency,
        lines=lines,
        received_on=received_on,
        terms=terms,
        stated_total_minor=total if stated_total_minor == -1 else stated_total_minor,
        remit_to="Acme Furniture, 1 Main St, Springfield",
        defect_contact="Pat Lee, AR, 555-0100",
        file_digest=file_digest,
        status=status,
    )


def receipt(receipt_id: str, *lines: tuple, po: str = "PO-1", on: date = date(2026, 3, 1)) -> Receipt:
    """``lines`` are (po_line_no, received) or (po_line_no, received, accepted)."""
    return Receipt(
        receipt_id, po, on,
        tuple(ReceiptLine(t[0], D(t[1]), None if len(t) < 3 else D(t[2])) for t in lines),
    )


def credit_memo(memo_id: str, *lines: tuple, po: str = "PO-1",
                status: CreditMemoStatus = CreditMemoStatus.APPLIED) -> CreditMemo:
    """``lines`` are (po_line_no, quantity, amount_minor)."""
    return CreditMemo(
        memo_id, VENDOR, memo_id.upper(), date(2026, 3, 20), "USD",
        tuple(CreditMemoLine(po, t[0], D(t[1]), t[2]) for t in lines), status,
    )
