"""The City of Riverton's accounts payable for ``disburse init --example``: vendors, budgets, purchase orders,
receipts, invoices and a credit memo, chosen so that the example shows a clean match (approved and posted),
every named hold, a suspected duplicate and an applied credit memo.

It runs after ``example_agency`` has posted the adopted budget, through the same use cases as the API, so every
document leaves the same journal entries a person's would.
"""

from __future__ import annotations

from typing import Any
import datetime as dt
from decimal import Decimal

from ledger.money import decimal_to_minor
from payments.ap.ap_services import APServices
from payments.ap.credit_memo_service import NewCreditMemo, NewCreditMemoLine
from payments.ap.documents import AccountCoding, LineKind, MatchLevel, ReceiptLine, VendorStatus
from payments.example.example_agency import APPROPRIATIONS, FISCAL_YEAR
from payments.identity import Principal, Role
from payments.ap.invoice_service import NewInvoice, NewInvoiceLine
from payments.ap.po_lines import NewPOLine
from payments.ap.po_service import NewPurchaseOrder
from payments.ap.receipt_service import NewReceipt
from payments.ap.vendor_service import VendorDetails

CLERK = Principal.staff("usr_example_clerk", Role.AP_CLERK)
APPROVER = Principal.staff("usr_example_approver", Role.AP_APPROVER)
ADMIN = Principal.staff("usr_example_vendor_admin", Role.VENDOR_ADMIN)
TREASURER = Principal.staff("usr_example_treasurer", Role.TREASURER)

FURNITURE = AccountCoding("100", "PW", "5710")
IT_SERVICES = AccountCoding("100", "IT", "5210")
OFFICE = AccountCoding("100", "FIN", "5110")
PAVING = AccountCoding("400", "PW", "5810")
PARKS = AccountCoding("100", "PR", "5120")

VENDORS = {  # number: (legal name, TIN, terms)
    "V-1001": ("Acme Furniture Co.", "52-1234567", "2/10 net 30"),
    "V-1002": ("Riverton IT Services LLC", "47-7654321", "net 30"),
    "V-1003": ("Blue River Paving Inc.", "61-2468135", "net 45"),
    "V-1004": ("Summit Office Supply", "38-1357924", "1/15 net 30"),
}


def D(x: object) -> Decimal:  # noqa: N802
    return Decimal(str(x))


def _line(n: int, item: str, qty: object, dollars: str, uom: str, coding: AccountCoding, *,
          kind: LineKind = LineKind.GOODS, level: MatchLevel | None = None, category: str | None = None) -> NewPOLine:
    return NewPOLine(n, item, D(qty), uom, D(dollars) * 100, coding, kind, level, category)


def load_example_documents(ap: APServices) -> dict[str, str]:
    """Load the example documents; returns a few ids by name (for the demo and tests)."""
    ids: dict[str, str] = {}
    _record_adopted_budgets(ap)
    vendor = {}
    for number, (name, tin, terms) in VENDORS.items():
        record, _ = ap.vendors.create(ADMIN, VendorDetails(name, number, tin, terms=terms,
                                                           addresses=({"kind": "remit", "line1": f"{name}, PO Box 1"},)))
        ap.vendors.set_status(ADMIN, record.vendor.id, VendorStatus.ACTIVE)
        vendor[number] = record.vendor.id
    acme, it, paving, summit = (vendor[n] for n in VENDORS)

    def po(number: str, vendor_id: str, *lines: NewPOLine, approve: bool = True, max_total: int | None = None) -> str:
        record, _ = ap.purchase_orders.create(CLERK, NewPurchaseOrder(number, vendor_id, "USD", lines, max_total))
        if approve:
            ap.purchase_orders.approve(APPROVER, record.po.id)
        ids[number] = record.po.id
        return record.po.id

    chairs = po("PO-2027-0001", acme, _line(1, "stacking chair", 10, "120.00", "each", FURNITURE, category="furniture"),
                _line(2, "standing desk", 2, "450.00", "each", FURNITURE, category="furniture"))
    helpdesk = po("PO-2027-0002", it, _line(1, "help desk support", 12, "2500.00", "month", IT_SERVICES,
                                            kind=LineKind.SERVICES))
    paper = po("PO-2027-0003", summit, _line(1, "copy paper", 500, "4.25", "ream", OFFICE),
               _line(2, "toner cartridge", 20, "89.00", "each", OFFICE))
    asphalt = po("PO-2027-0004", paving, _line(1, "hot-mix asphalt", 100, "95.00", "ton", PAVING,
                                               level=MatchLevel.FOUR_WAY))
    draft = po("PO-2027-0005", acme, _line(1, "bookcase", 4, "180.00", "each", FURNITURE), approve=False)
    mulch = po("PO-2027-0006", summit, _line(1, "playground mulch", 10, "38.00", "cubic yard", PARKS))
    blanket = po("PO-2027-0007", summit, _line(1, "janitorial supplies", 100, "20.00", "case", PARKS),
                 max_total=150_000)

    def receive(po_id: str, day: int, *lines: tuple[int, ...]) -> None:
        ap.receipts.create(CLERK, NewReceipt(po_id, dt.date(2026, 9, day), tuple(
            ReceiptLine(t[0], D(t[1]), None if len(t) < 3 else D(t[2])) for t in lines)))

    receive(chairs, 15, (1, 8), (2, 2))
    receive(paper, 10, (1, 500), (2, 20))
    receive(asphalt, 20, (1, 100, 90))  # ten tons failed the density test
    receive(mulch, 12, (1, 10))
    receive(blanket, 18, (1, 100))
    ap.purchase_orders.close(CLERK, mulch, final=False, reason="season over; remaining balance released")

    def bill(key: str, vendor_id: str, number: str, *lines: tuple[Any, ...], currency: str = "USD", proper: bool = True,
             day: int = 5) -> str:
        """``lines`` are (po id, po line, quantity, unit price in dollars)."""
        inv_lines = tuple(NewInvoiceLine(n, p, pl, D(q), D(price) * 100) for n, (p, pl, q, price) in enumerate(lines, 1))
        total = sum(int((line.quantity * line.unit_price_minor).to_integral_value()) for line in inv_lines)
        record, _ = ap.invoices.create(CLERK, NewInvoice(
            vendor_id, number, dt.date(2026, 10, day), currency, inv_lines, dt.date(2026, 10, day + 1), "net 30",
            total if proper else None, "Remit to the address on file" if proper else "",
            "Accounts receivable desk, 555-0100"))
        ids[key] = record.invoice.id
        return record.invoice.id

    clean = bill("clean", summit, "S-1001", (paper, 1, 500, "4.25"), (paper, 2, 20, "89.00"))
    bill("qty_received", acme, "A-2001", (chairs, 1, 10, "120.00"))
    bill("price", acme, "A-2002", (chairs, 2, 1, "470.00"))
    bill("qty_ordered", it, "IT-0913", (helpdesk, 1, 13, "2500.00"))
    bill("qty_accepted", paving, "BRP-77", (asphalt, 1, 100, "95.00"))
    bill("max_total", summit, "S-1002", (blanket, 1, 100, "20.00"))
    bill("po_not_approved", acme, "A-2003", (draft, 1, 4, "180.00"))
    bill("po_closed", summit, "S-1003", (mulch, 1, 2, "38.00"), day=8)
    bill("currency_mismatch", acme, "A-2004", (chairs, 1, 1, "120.00"), currency="CAD", day=9)
    bill("vendor_mismatch", summit, "S-1005", (chairs, 2, 1, "450.00"), day=12)
    bill("invoice_not_proper", paving, "BRP-78", (asphalt, 1, 5, "95.00"), proper=False, day=14)
    bill("duplicate_suspected", acme, "a 2002", (chairs, 2, 1, "450.00"), day=7)  # the desk bill, again
    ap.approvals.approve(APPROVER, clean)
    memo, _ = ap.credit_memos.create(CLERK, NewCreditMemo(
        summit, "CM-S-1", dt.date(2026, 10, 20), "USD", (NewCreditMemoLine(paper, 1, D(20), 8_500),),
        invoice_id=clean, reason="20 reams arrived water-damaged"))
    ids["credit_memo"] = memo.memo.id
    return ids


def _record_adopted_budgets(ap: APServices) -> None:
    """The adopted budget is already in the journal (``example_agency``): record its lines as budgets."""
    with ap.deps.uow() as uow:
        entries = {e.draft.references.get("fund"): e.id
                   for e in uow.ledger_queries.list_entries(code="budget_adopted", limit=100)}
        for (fund, dept, obj), dollars in APPROPRIATIONS.items():
            ap.budgets.record_adopted_in(uow, TREASURER, FISCAL_YEAR, AccountCoding(fund, dept, obj),
                                         decimal_to_minor(dollars, "USD"), entries.get(fund))
        uow.commit()
