"""Amounts as AP computes and shows them: a line's extension (quantity x unit price, rounded once, half up, to
whole minor units) and money and quantities written for people."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from ledger.money import UnknownCurrency, minor_exponent


def extend_minor(quantity: Decimal, unit_price_minor: Decimal) -> int:
    """Quantity x unit price, rounded half-up to whole minor units (the one place a line becomes money)."""
    return int((quantity * unit_price_minor).to_integral_value(rounding=ROUND_HALF_UP))


def _minor_exponent(currency: str) -> int:
    try:
        return minor_exponent(currency)
    except UnknownCurrency:
        return 2  # only for display: an unknown code is refused elsewhere, not here


def format_money(amount_minor: int | Decimal, currency: str) -> str:
    """Minor units as people read them: ``format_money(123456, "USD") == "1,234.56 USD"``.

    A sub-cent unit price keeps its extra digits (``0.004 USD``) rather than being rounded for display.
    """
    exponent = _minor_exponent(currency)
    major = Decimal(amount_minor).scaleb(-exponent)
    if major == major.quantize(Decimal(1).scaleb(-exponent), rounding=ROUND_HALF_UP):
        return f"{major:,.{exponent}f} {currency}"
    return f"{major.normalize():,f} {currency}"


def format_quantity(quantity: Decimal | int) -> str:
    """A quantity without exponent or trailing zeros: 10, 2.5, 0.125."""
    text = format(Decimal(quantity).normalize(), "f")
    return "0" if text == "-0" else text


# --- statuses and their transitions -------------------------------------------------------------------
