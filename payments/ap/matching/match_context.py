"""The numbers matching reads: pre-aggregated facts per PO and per PO line.

Matching never walks receipts or earlier invoices itself; it reads sums. Sums do not care in which order
receipts arrived, so neither does the result, and a batch matcher can compute every sum for 100,000
invoices with a few set-based queries instead of one query per invoice. ``build_context`` is the reference
implementation of those queries over in-memory documents; a repository must return the same numbers:

.. code-block:: sql

    -- one row per PO line referenced by the batch (:ids = the invoices being matched)
    SELECT pl.po_id, pl.line_no, pl.item, pl.unit_of_measure, pl.quantity, pl.unit_price_minor,
           pl.kind, pl.match_level, pl.category,
           COALESCE(r.received, 0), COALESCE(r.accepted, 0),
           COALESCE(b.quantity, 0), COALESCE(b.amount_minor, 0),
           COALESCE(c.quantity, 0), COALESCE(c.amount_minor, 0)
      FROM po_line pl
      LEFT JOIN (SELECT rl.po_id, rl.po_line_no, SUM(rl.quantity_received) AS received,
                        SUM(COALESCE(rl.quantity_accepted, 0)) AS accepted
                   FROM receipt_line rl JOIN receipt r ON r.id = rl.receipt_id AND r.status = 'posted'
                  GROUP BY 1, 2) r USING (po_id, line_no)
      LEFT JOIN (SELECT il.po_id, il.po_line_no, SUM(il.quantity) AS quantity, SUM(il.amount_minor) AS amount_minor
                   FROM invoice_line il JOIN invoice i ON i.id = il.invoice_id
                  WHERE i.status IN ('matched', 'approved', 'paid') AND i.id NOT IN (:ids)
                  GROUP BY 1, 2) b USING (po_id, line_no)
      LEFT JOIN (SELECT cl.po_id, cl.po_line_no, SUM(cl.quantity) AS quantity, SUM(cl.amount_minor) AS amount_minor
                   FROM credit_memo_line cl JOIN credit_memo c ON c.id = cl.credit_memo_id AND c.status = 'applied'
                  GROUP BY 1, 2) c USING (po_id, line_no)
     WHERE (pl.po_id, pl.line_no) IN (SELECT po_id, po_line_no FROM invoice_line WHERE invoice_id IN (:ids));
    -- and one row per PO: its vendor, currency, status, ceiling and the same billed/credited sums by PO.

Store each invoice line's ``amount_minor`` (rounded once, as ``extend_minor`` does) so the sums agree.
Exclude every invoice of the batch from the billed sums: ``match_batch`` adds back those that pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from payments.ap.documents import (COUNTED_CREDIT_STATUSES, CreditMemo, Invoice, LineKind, MatchLevel, POStatus,
                                   PurchaseOrder, Receipt, ReceiptStatus, counts_as_billed)
from payments.ap.amounts import extend_minor

_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class POLineFacts:
    """A PO line and the sums of everything counted against it (excluding the invoices being matched)."""

    po_id: str
    line_no: int
    item: str
    unit_of_measure: str
    quantity_ordered: Decimal
    unit_price_minor: Decimal
    kind: LineKind = LineKind.GOODS
    match_level: MatchLevel = MatchLevel.THREE_WAY
    category: str | None = None
    quantity_received: Decimal = _ZERO
    quantity_accepted: Decimal = _ZERO
    quantity_billed: Decimal = _ZERO
    amount_billed_minor: int = 0
    quantity_credited: Decimal = _ZERO
    amount_credited_minor: int = 0
    # Derived at construction: ordered quantity x unit price, rounded once.
    amount_ordered_minor: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount_ordered_minor", extend_minor(self.quantity_ordered, self.unit_price_minor))

    @property
    def net_quantity_billed(self) -> Decimal:
        return self.quantity_billed - self.quantity_credited

    @property
    def net_amount_billed_minor(self) -> int:
        return self.amount_billed_minor - self.amount_credited_minor


@dataclass(frozen=True, slots=True)
class POFacts:
    """A PO header and the sums billed and credited against the whole PO."""

    po_id: str
    vendor_id: str
    currency: str
    status: POStatus
    ceiling_minor: int
    amount_billed_minor: int = 0
    amount_credited_minor: int = 0

    @property
    def net_amount_billed_minor(self) -> int:
        return self.amount_billed_minor - self.amount_credited_minor


@dataclass(frozen=True)
class MatchContext:
    """Everything matching needs to know besides the invoice: facts keyed by PO id and (PO id, line no)."""

    pos: Mapping[str, POFacts] = field(default_factory=dict)
    lines: Mapping[tuple[str, int], POLineFacts] = field(default_factory=dict)

    @classmethod
    def of(cls, pos: Iterable[POFacts], lines: Iterable[POLineFacts]) -> MatchContext:
        return cls(pos={p.po_id: p for p in pos}, lines={(f.po_id, f.line_no): f for f in lines})


def build_context(
    purchase_orders: Iterable[PurchaseOrder],
    receipts: Iterable[Receipt] = (),
    invoices: Iterable[Invoice] = (),
    credit_memos: Iterable[CreditMemo] = (),
    *,
    exclude_invoice_ids: Iterable[str] = (),
) -> MatchContext:
    """Aggregate documents into a context: the in-memory twin of the repository's set-based queries.

    Only posted receipts, invoices that count as billed (``counts_as_billed``) and applied credit memos
    count; invoices in ``exclude_invoice_ids`` (the ones about to be matched) never do.
    """
    excluded = frozenset(exclude_invoice_ids)
    received: dict[tuple[str, int], Decimal] = {}
    accepted: dict[tuple[str, int], Decimal] = {}
    billed_qty: dict[tuple[str, int], Decimal] = {}
    billed_amt: dict[tuple[str, int], int] = {}
    credit_qty: dict[tuple[str, int], Decimal] = {}
    credit_amt: dict[tuple[str, int], int] = {}
    po_billed: dict[str, int] = {}
    po_credited: dict[str, int] = {}

    for receipt in receipts:
        if receipt.status is not ReceiptStatus.POSTED:
            continue
        for rl in receipt.lines:
            key = (receipt.po_id, rl.po_line_no)
            received[key] = received.get(key, _ZERO) + rl.quantity_received
            accepted[key] = accepted.get(key, _ZERO) + (rl.quantity_accepted or _ZERO)
    for invoice in invoices:
        if invoice.id in excluded or not counts_as_billed(invoice.status):
            continue
        for il in invoice.lines:
            if il.po_id is None or il.po_line_no is None:
                continue
            key = (il.po_id, il.po_line_no)
            billed_qty[key] = billed_qty.get(key, _ZERO) + il.quantity
            billed_amt[key] = billed_amt.get(key, 0) + il.amount_minor
            po_billed[il.po_id] = po_billed.get(il.po_id, 0) + il.amount_minor
    for memo in credit_memos:
        if memo.status not in COUNTED_CREDIT_STATUSES:
            continue
        for cl in memo.lines:
            key = (cl.po_id, cl.po_line_no)
            credit_qty[key] = credit_qty.get(key, _ZERO) + cl.quantity
            credit_amt[key] = credit_amt.get(key, 0) + cl.amount_minor
            po_credited[cl.po_id] = po_credited.get(cl.po_id, 0) + cl.amount_minor

    pos: list[POFacts] = []
    lines: list[POLineFacts] = []
    for po in purchase_orders:
        pos.append(
            POFacts(
                po_id=po.id,
                vendor_id=po.vendor_id,
                currency=po.currency,
                status=po.status,
                ceiling_minor=po.ceiling_minor,
                amount_billed_minor=po_billed.get(po.id, 0),
                amount_credited_minor=po_credited.get(po.id, 0),
            )
        )
        for pl in po.lines:
            key = (po.id, pl.line_no)
            lines.append(
                POLineFacts(
                    po_id=po.id,
                    line_no=pl.line_no,
                    item=pl.item,
                    unit_of_measure=pl.unit_of_measure,
                    quantity_ordered=pl.quantity,
                    unit_price_minor=pl.unit_price_minor,
                    kind=pl.kind,
                    match_level=pl.match_level,
                    category=pl.category,
                    quantity_received=received.get(key, _ZERO),
                    quantity_accepted=accepted.get(key, _ZERO),
                    quantity_billed=billed_qty.get(key, _ZERO),
                    amount_billed_minor=billed_amt.get(key, 0),
                    quantity_credited=credit_qty.get(key, _ZERO),
                    amount_credited_minor=credit_amt.get(key, 0),
                )
            )
    return MatchContext.of(pos, lines)
