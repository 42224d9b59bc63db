"""Checks on a vendor credit memo before it is applied.

An applied credit memo reduces a PO line's net billed quantity and amount, which lets more be billed: so a
memo may only credit what was billed (counted invoices, minus credits already applied), on PO lines of the
same vendor and currency. Like matching, this returns every problem, not the first.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal

from payments.ap.documents import CreditMemo
from payments.ap.amounts import format_money, format_quantity
from payments.ap.matching.match_context import MatchContext

_ZERO = Decimal(0)


class CreditProblem(enum.Enum):
    """Why a credit memo cannot be applied as it stands."""

    UNKNOWN_PO_LINE = "unknown_po_line"
    """It credits a PO line we do not have."""
    VENDOR_MISMATCH = "vendor_mismatch"
    """The PO belongs to another vendor."""
    CURRENCY_MISMATCH = "currency_mismatch"
    """The memo is in another currency than the PO."""
    NEGATIVE_CREDIT = "negative_credit"
    """A line credits a negative quantity or amount (that would be a charge)."""
    EXCEEDS_BILLED_QUANTITY = "exceeds_billed_quantity"
    """More quantity credited in total than was billed."""
    EXCEEDS_BILLED_AMOUNT = "exceeds_billed_amount"
    """More money credited in total than was billed."""


@dataclass(frozen=True, slots=True)
class CreditMemoFinding:
    problem: CreditProblem
    po_id: str
    po_line_no: int | None
    expected: Decimal | int | str
    actual: Decimal | int | str
    explanation: str


def check_credit_memo(memo: CreditMemo, context: MatchContext) -> tuple[CreditMemoFinding, ...]:
    """Every problem with applying ``memo``; ``context`` must not count ``memo`` itself as applied."""
    found: list[CreditMemoFinding] = []
    quantity: dict[tuple[str, int], Decimal] = {}
    amount: dict[tuple[str, int], int] = {}
    for line in memo.lines:
        key = (line.po_id, line.po_line_no)
        if key not in context.lines or line.po_id not in context.pos:
            found.append(CreditMemoFinding(
                CreditProblem.UNKNOWN_PO_LINE, line.po_id, line.po_line_no, "a PO line we issued", "unknown",
                f"Purchase order {line.po_id} line {line.po_line_no} is not one we issued to you.",
            ))
            continue
        if line.quantity < _ZERO or line.amount_minor < 0:
            found.append(CreditMemoFinding(
                CreditProblem.NEGATIVE_CREDIT, line.po_id, line.po_line_no, "not negative",
                f"{format_quantity(line.quantity)} / {line.amount_minor}",
                "A credit memo line may not credit a negative quantity or amount; send an invoice for a charge.",
            ))
        quantity[key] = quantity.get(key, _ZERO) + line.quantity
        amount[key] = amount.get(key, 0) + line.amount_minor

    for po_id in sorted({po_id for po_id, _ in quantity}):
        po = context.pos[po_id]
        if po.vendor_id != memo.vendor_id:
            found.append(CreditMemoFinding(
                CreditProblem.VENDOR_MISMATCH, po_id, None, po.vendor_id, memo.vendor_id,
                f"Purchase order {po_id} was issued to a different vendor than the one on this credit memo.",
            ))
        if po.currency != memo.currency:
            found.append(CreditMemoFinding(
                CreditProblem.CURRENCY_MISMATCH, po_id, None, po.currency, memo.currency,
                f"This credit memo is in {memo.currency}, but purchase order {po_id} is in {po.currency}.",
            ))

    for key in sorted(quantity):
        facts = context.lines[key]
        po_id, line_no = key
        credited_qty = facts.quantity_credited + quantity[key]
        if credited_qty > facts.quantity_billed:
            found.append(CreditMemoFinding(
                CreditProblem.EXCEEDS_BILLED_QUANTITY, po_id, line_no, facts.quantity_billed, credited_qty,
                f"Purchase order {po_id} line {line_no}: {format_quantity(credited_qty)} {facts.unit_of_measure} "
                f"would be credited in total, but only {format_quantity(facts.quantity_billed)} were billed.",
            ))
        credited_amount = facts.amount_credited_minor + amount[key]
        if credited_amount > facts.amount_billed_minor:
            currency = context.pos[po_id].currency
            found.append(CreditMemoFinding(
                CreditProblem.EXCEEDS_BILLED_AMOUNT, po_id, line_no, facts.amount_billed_minor, credited_amount,
                f"Purchase order {po_id} line {line_no}: {format_money(credited_amount, currency)} would be credited "
                f"in total, but only {format_money(facts.amount_billed_minor, currency)} was billed.",
            ))
    return tuple(found)
