"""What a change order to an approved purchase order raises, which sends it back for approval.

Committing more money takes a second person and a funds check, whoever proposes it: a version that raises the
total commitment, any unit price or quantity, the not-to-exceed ceiling, adds a line, or changes a line's account
coding (refused outright on an approved line: add a new line instead) waits in ``pending_approval`` for someone
other than its author. A version that only lowers quantities, prices or the ceiling stands at once, releasing
what it no longer commits.
"""

from __future__ import annotations

from collections.abc import Sequence

from payments.ap.documents import POLine, PurchaseOrder
from payments.ap.amounts import format_money, format_quantity


def change_raises(before: PurchaseOrder, lines: Sequence[POLine], max_total_minor: int | None) -> list[str]:
    """Why the new version needs approval, one reason per rise; empty when it only lowers or keeps."""
    old = {line.line_no: line for line in before.lines}
    currency = before.currency
    reasons = []
    for line in lines:
        was = old.get(line.line_no)
        if was is None:
            reasons.append(f"line {line.line_no} is new")
            continue
        if line.quantity > was.quantity:
            reasons.append(f"line {line.line_no} quantity {format_quantity(was.quantity)} -> "
                           f"{format_quantity(line.quantity)}")
        if line.unit_price_minor > was.unit_price_minor:
            reasons.append(f"line {line.line_no} unit price {format_money(was.unit_price_minor, currency)} -> "
                           f"{format_money(line.unit_price_minor, currency)}")
        if line.coding != was.coding:
            reasons.append(f"line {line.line_no} coding changed")
    total = sum(line.amount_minor for line in lines)
    if total > before.total_minor:
        reasons.append(f"total {format_money(before.total_minor, currency)} -> {format_money(total, currency)}")
    if before.max_total_minor is not None and (max_total_minor is None or max_total_minor > before.max_total_minor):
        reasons.append("the not-to-exceed ceiling is raised or removed")
    return reasons
