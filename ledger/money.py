"""Money in the ledger: integer minor units plus an ISO 4217 code; ``moneyed.Money`` only at the edges."""

from __future__ import annotations

from decimal import Decimal, ROUND_HALF_UP

from moneyed import Money, get_currency
from moneyed.classes import CurrencyDoesNotExist
from ledger.errors import AmountPrecisionExceeded, LedgerError



class UnknownCurrency(LedgerError):
    code = "unknown_currency"

    def __init__(self, currency: str) -> None:
        super().__init__(f"{currency!r} is not an ISO 4217 currency code", currency=currency)


def minor_exponent(currency: str) -> int:
    """Digits after the decimal point for ``currency`` (USD 2, JPY 0, KWD 3); raises ``unknown_currency``."""
    return _EXPONENTS[currency] if currency in _EXPONENTS else _lookup_exponent(currency)


_EXPONENTS: dict[str, int] = {}


# ISO 4217 codes that are not money one pays a vendor in: no currency (XXX), testing (XTS), precious metals, and
# the IMF's and bond markets' units of account.
NOT_PAYABLE = frozenset({"XXX", "XTS", "XAU", "XAG", "XPD", "XPT", "XDR", "XBA", "XBB", "XBC", "XBD", "XSU",
                         "XUA"})


def _lookup_exponent(currency: str) -> int:
    if not (isinstance(currency, str) and len(currency) == 3 and currency.isascii() and currency.isalpha()
            and currency.isupper()) or currency in NOT_PAYABLE:
        raise UnknownCurrency(str(currency))
    try:
        sub_unit = get_currency(currency).sub_unit
    except CurrencyDoesNotExist:
        raise UnknownCurrency(currency) from None
    exponent = len(str(sub_unit)) - 1 if sub_unit else 0
    _EXPONENTS[currency] = exponent
    return exponent


def check_currency(currency: str) -> str:
    """Return ``currency`` if it is a known ISO 4217 code, else raise ``unknown_currency``."""
    minor_exponent(currency)
    return currency


def to_minor(money: Money) -> tuple[int, str]:
    """Convert a ``moneyed.Money`` to (minor units, code); refuses fractions of a minor unit."""
    code = money.currency.code
    exponent = minor_exponent(code)
    scaled = money.amount.scaleb(exponent)
    if scaled != scaled.to_integral_value():
        raise AmountPrecisionExceeded(f"{money.amount} {code} has more than {exponent} decimal places",
                                      amount=str(money.amount), currency=code)
    return int(scaled), code


def from_minor(amount_minor: int, currency: str) -> Money:
    """Build a ``moneyed.Money`` from integer minor units."""
    return Money(Decimal(amount_minor).scaleb(-minor_exponent(currency)), currency)


def decimal_to_minor(amount: Decimal | str, currency: str, rounding: str = ROUND_HALF_UP) -> int:
    """Quantize a decimal amount to minor units once, with an explicit rounding mode."""
    exponent = minor_exponent(currency)
    value = Decimal(amount).scaleb(exponent).quantize(Decimal(1), rounding=rounding)
    return int(value)


def minor_text(amount_minor: int, currency: str) -> str:
    """The plain decimal of an amount, exactly ('1234.50' for 123450 USD, '1234' for 1234 JPY), for texts that
    machines may read (remittance lines); no grouping, no currency."""
    return str(Decimal(amount_minor).scaleb(-minor_exponent(currency)))


def major_amount(amount_minor: int, currency: str) -> Decimal:
    """The amount in major units with exactly the currency's decimals (Decimal('1234.50') for 123450 USD,
    Decimal('1234') for 1234 JPY): the number a report or CSV shows, minor units being only an extra column."""
    return Decimal(amount_minor).scaleb(-minor_exponent(currency))


def format_minor(amount_minor: int, currency: str) -> str:
    """'1234.50 USD' style text for people and reports (never parsed back)."""
    exponent = minor_exponent(currency)
    sign = "-" if amount_minor < 0 else ""
    whole, frac = divmod(abs(amount_minor), 10**exponent) if exponent else (abs(amount_minor), 0)
    body = f"{whole:,}" + (f".{frac:0{exponent}d}" if exponent else "")
    return f"{sign}{body} {currency}"
