"""Validating the lines people enter on purchase orders, and a line's budgetary arithmetic.

The encumbrance rule, one formula for every event: while a PO is approved, each line keeps encumbered
``max(0, ordered amount − accrued)``, where accrued is what receipts (3- and 4-way) or approved invoices
(2-way) have turned into expenditure at the PO price. Approval, receipts, returns, 2-way approvals and change
orders each post only the change that keeps the rule true; closing the PO releases what is left.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ledger.entries import MAX_AMOUNT_MINOR
from payments.ap.ap_errors import AmountTooLarge, InvalidDocument, PriceTooPrecise, QuantityTooPrecise, UnknownCoding
from payments.ap.ap_ports import APUnitOfWork
from payments.ap.ap_records import LineBudget
from payments.ap.budget_service import require_coding
from payments.ap.documents import AccountCoding, LineKind, MatchLevel, POLine

MAX_QUANTITY_PLACES = 6


@dataclass(frozen=True, slots=True)
class NewPOLine:
    line_no: int
    item: str
    quantity: Decimal
    unit_of_measure: str
    unit_price_minor: Decimal
    coding: AccountCoding
    kind: LineKind = LineKind.GOODS
    match_level: MatchLevel | None = None  # default: 2-way for services, 3-way for goods
    category: str | None = None

    def to_line(self) -> POLine:
        level = self.match_level or (MatchLevel.TWO_WAY if self.kind is LineKind.SERVICES else MatchLevel.THREE_WAY)
        return POLine(self.line_no, self.item.strip(), self.quantity, self.unit_of_measure.strip(),
                      self.unit_price_minor, self.coding, self.kind, level, self.category or None)


def _places(value: Decimal) -> int:
    """Digits after the point of a finite Decimal (its exponent is an int once it is finite)."""
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) else 0


def check_quantity(value: Decimal, field: str, *, positive: bool = True, allow_zero: bool = False) -> None:
    if not value.is_finite():
        raise InvalidDocument("must be a number", field=field)
    if _places(value) > MAX_QUANTITY_PLACES and value != value.quantize(Decimal(1).scaleb(-MAX_QUANTITY_PLACES)):
        raise QuantityTooPrecise(f"at most {MAX_QUANTITY_PLACES} decimal places", field=field)
    if positive and (value < 0 or (value == 0 and not allow_zero)):
        raise InvalidDocument("must be more than zero", field=field)


def check_price(value: Decimal, field: str) -> None:
    if not value.is_finite() or value < 0:
        raise InvalidDocument("a unit price may not be negative", field=field)
    if _places(value) > 6:
        raise PriceTooPrecise("a unit price has at most 6 places after the minor unit", field=field)


def check_line_amount(quantity: Decimal, unit_price_minor: Decimal, field: str) -> None:
    """Quantity × unit price within what the journal and the amount columns hold (``MAX_AMOUNT_MINOR``)."""
    if quantity.is_finite() and unit_price_minor.is_finite() and \
            abs(quantity * unit_price_minor) > MAX_AMOUNT_MINOR:
        raise AmountTooLarge(f"quantity × unit price is more than the most one line may carry "
                             f"({MAX_AMOUNT_MINOR} minor units)", field=field)


def validate_lines(uow: APUnitOfWork, lines: Sequence[NewPOLine]) -> tuple[POLine, ...]:
    """Every line well-formed and charged to a coding that has budget accounts; the first fault is raised."""
    if not lines:
        raise InvalidDocument("a purchase order needs at least one line", field="lines")
    seen: set[int] = set()
    checked_codings: set[AccountCoding] = set()
    out = []
    for i, line in enumerate(lines):
        where = f"lines[{i}]"
        if line.line_no < 1 or line.line_no in seen:
            raise InvalidDocument("line numbers are positive and unique", field=f"{where}.line_no")
        seen.add(line.line_no)
        if not line.item.strip():
            raise InvalidDocument("item may not be blank", field=f"{where}.item")
        if not line.unit_of_measure.strip():
            raise InvalidDocument("unit_of_measure may not be blank", field=f"{where}.unit_of_measure")
        check_quantity(line.quantity, f"{where}.quantity")
        check_price(line.unit_price_minor, f"{where}.unit_price")
        check_line_amount(line.quantity, line.unit_price_minor, f"{where}.quantity")
        if line.coding not in checked_codings:
            try:
                require_coding(uow, line.coding)
            except UnknownCoding as exc:  # say which line carries the coding
                raise UnknownCoding(exc.details["coding"], field=f"{where}.coding") from None
            checked_codings.add(line.coding)
        out.append(line.to_line())
    return tuple(out)


def encumbrance_target(line: POLine, accrued_minor: int, *, open_: bool = True) -> int:
    """What a line should keep encumbered: ordered − accrued, never below zero nor above ordered; nothing once
    closed. (Accrued dips below zero when a 2-way line is credited before the invoice it credits is approved.)"""
    return max(0, line.amount_minor - max(0, accrued_minor)) if open_ else 0


def rebalance(line: POLine, budget: LineBudget, accrued_delta_minor: int = 0, *,
              open_: bool = True) -> tuple[LineBudget, int]:
    """The line's new budgetary state after ``accrued_delta_minor`` more is accrued, and the encumbrance change."""
    accrued = budget.accrued_minor + accrued_delta_minor
    target = encumbrance_target(line, accrued, open_=open_)
    return LineBudget(target, accrued), target - budget.encumbered_minor


def line_snapshot(line: POLine) -> Mapping[str, Any]:
    c = line.coding
    return {"line_no": line.line_no, "item": line.item, "quantity": format(line.quantity.normalize(), "f"),
            "unit_of_measure": line.unit_of_measure, "unit_price_minor": format(line.unit_price_minor.normalize(), "f"),
            "amount_minor": line.amount_minor, "fund": c.fund, "department": c.department,
            "object_code": c.object_code, "kind": line.kind.value, "match_level": int(line.match_level),
            "category": line.category}
