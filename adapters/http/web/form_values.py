"""Reading what a person typed into a form: amounts, quantities and dates, refused rather than guessed. Each reader
returns the value or None (blank) or raises ``Unreadable`` (typed, but not a value), so a form can say which."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

MONEY_MAX, QUANTITY_MAX = Decimal("1e13"), Decimal("1e12")


class Unreadable(ValueError):
    """The text is not a value of the kind asked for."""


def decimal(text: str, *, places: int, maximum: Decimal, negative: bool = False) -> Decimal | None:
    text = text.replace(",", "").lstrip("$").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise Unreadable(text) from None
    if not value.is_finite() or abs(value) >= maximum or (value < 0 and not negative) \
            or value.as_tuple().exponent < -places:  # type: ignore[operator]
        raise Unreadable(text)
    return value


def date(text: str) -> dt.date | None:
    if not text.strip():
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise Unreadable(text) from None


def whole(text: str, *, low: int, high: int) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not text.isdigit() or not low <= int(text) <= high:
        raise Unreadable(text)
    return int(text)
