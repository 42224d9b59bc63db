"""Shared pieces of the AP routes: decimal-string fields, money conversion at the edge, list pages, output shapes.

Amounts, quantities and prices travel as decimal strings ("120.00", "2.5"), or as JSON numbers read exactly (never
through a float: ``adapters.http.json_numbers``); amounts are in major units and become integer minor units here,
once, refused when they carry more decimals than the currency has. Unit prices may carry fractions of a cent ("0.004").
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Callable, overload

from fastapi import Request
from pydantic import AfterValidator, BeforeValidator, StringConstraints

from adapters.http.ap.invoice_staff import payment_hold_explanation
from adapters.http.json_numbers import exact_decimal_text
from adapters.http.pagination import decode_cursor, page
from ledger.errors import LedgerError
from ledger.money import check_currency, from_minor, minor_exponent, to_minor
from moneyed import Money
from payments.ap.ap_records import HoldRecord, MatchRecord, Stamp
from payments.ap.documents import POLine
from payments.ap.amounts import format_quantity

# ASCII digits only: \d would also take Arabic-Indic or fullwidth digits, which Decimal() happily reads as numbers.
Quantity = Annotated[str, StringConstraints(pattern=r"^-?[0-9]{1,12}(\.[0-9]{1,6})?$"), BeforeValidator(exact_decimal_text)]
Amount = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,13}(\.[0-9]{1,4})?$"), BeforeValidator(exact_decimal_text)]
UnitPrice = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,13}(\.[0-9]{1,8})?$"), BeforeValidator(exact_decimal_text)]


def _known_currency(code: str) -> str:
    try:
        return check_currency(code)
    except LedgerError as exc:
        raise ValueError(exc.message) from None


Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$"), AfterValidator(_known_currency)]
Code = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_]{1,20}$")]
Text = Annotated[str, StringConstraints(max_length=500)]


def services(request: Request) -> Any:
    return request.app.state.ap


@overload
def minor(amount: None, currency: str) -> None: ...
@overload
def minor(amount: str, currency: str) -> int: ...
def minor(amount: str | None, currency: str) -> int | None:
    """'1250.00' USD -> 125000; refuses more decimals than the currency has."""
    return None if amount is None else to_minor(Money(Decimal(amount), currency))[0]


def price_minor(price: str, currency: str) -> Decimal:
    """A unit price in major units -> minor units, keeping fractions of a minor unit."""
    return Decimal(price).scaleb(minor_exponent(currency))


def major(amount_minor: int | None, currency: str) -> str | None:
    return None if amount_minor is None else format(from_minor(amount_minor, currency).amount, "f")


def price_major(price_minor_: Decimal, currency: str) -> str:
    value = price_minor_.scaleb(-minor_exponent(currency))
    exponent = minor_exponent(currency)
    text = format(value.normalize(), "f")
    whole, _, frac = text.partition(".")
    return f"{whole}.{frac.ljust(exponent, '0')}" if exponent else text


def qty(value: Decimal | None) -> str | None:
    return None if value is None else format_quantity(value)


def day(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def stamp(s: Stamp) -> dict[str, str | None]:
    return {"by": s.by, "at": s.at}


def listing(rows: list[Any], limit: int, id_of: Callable[[Any], str], out: Callable[[Any], dict]) -> dict:
    """A page fetched with limit+1 rows, cursor = the last id, items shaped by ``out``."""
    result = page(rows, limit, lambda r: {"after": id_of(r)})
    result["items"] = [out(r) for r in result["items"]]
    return result


def after(cursor: str | None) -> str | None:
    value = decode_cursor(cursor).get("after")
    return str(value) if value else None


def created(pair: tuple[Any, bool], out: Callable[[Any], dict]) -> tuple[int, dict]:
    record, is_new = pair
    return (201 if is_new else 200), out(record)


def po_line_out(line: POLine, currency: str, budget: Any = None) -> dict:
    c = line.coding
    out = {"line_no": line.line_no, "item": line.item, "quantity": qty(line.quantity),
           "unit_of_measure": line.unit_of_measure, "unit_price": price_major(line.unit_price_minor, currency),
           "amount": major(line.amount_minor, currency), "amount_minor": line.amount_minor,
           "fund": c.fund, "department": c.department, "object_code": c.object_code, "kind": line.kind.value,
           "match_level": int(line.match_level), "category": line.category}
    if budget is not None:
        out.update(encumbered_minor=budget.encumbered_minor, accrued_minor=budget.accrued_minor)
    return out


def hold_out(h: HoldRecord) -> dict:
    explanation = h.finding.get("explanation") or payment_hold_explanation(h.hold, dict(h.finding))
    return {"id": h.id, "hold": h.hold, "rule": h.rule, "subject": h.subject, "status": h.status,
            "expected": h.finding.get("expected"), "actual": h.finding.get("actual"), "limit": h.finding.get("limit"),
            "explanation": explanation, "reason_code": h.finding.get("reason_code"),
            "payment_id": h.finding.get("payment_id"), "raised_at": h.raised_at, "released_at": h.released_at,
            "released_by": h.released_by, "release_kind": h.release_kind, "reason": h.reason}


def match_out(m: MatchRecord | None) -> dict | None:
    if m is None:
        return None
    return {"id": m.id, "invoice_version": m.invoice_version, "matched_at": m.matched_at, "trigger": m.trigger,
            "policy_version": m.policy_version, "digest": m.digest, "status_after": m.status_after,
            "findings": list(m.findings)}
