"""Money, dates and times as the reader expects them: by currency and language (Babel), in the agency's time zone.

Amounts arrive as integer minor units and a currency code (never a float) and are turned into a ``Decimal`` with
the currency's own exponent before Babel writes them. Instants are stored in UTC and shown in the agency's zone
(``DISBURSE_TIMEZONE``), so "sent at 4:05 PM" means the agency's 4:05 PM whoever is reading.
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_time
from babel.numbers import format_currency, format_decimal
from jinja2 import pass_context

from ledger.money import minor_exponent


@functools.lru_cache(maxsize=32)
def _babel(locale: str) -> Locale:
    """Babel's locale for a code, parsed once. Given a string, Babel parses it again on every call (looking up its
    data each time): a list page of 50 invoices formats ~150 values, and parsing was most of its rendering."""
    return Locale.parse(locale)


def money_text(amount_minor: int, currency: str, locale: str) -> str:
    """``123456, "USD", "en_US"`` → ``$1,234.56``; ``"es_US"`` → ``$1,234.56`` too (a US agency's convention)."""
    if isinstance(amount_minor, bool) or not isinstance(amount_minor, int):
        raise TypeError(f"money is integer minor units, not {type(amount_minor).__name__}")
    amount = Decimal(amount_minor).scaleb(-minor_exponent(currency))
    # Never rounded: where ISO 4217 and CLDR disagree on a currency's decimals, every minor unit still shows.
    return format_currency(amount, currency, locale=_babel(locale), decimal_quantization=False)


def local_datetime(value: dt.datetime, zone: str) -> dt.datetime:
    """An aware instant in the agency's zone; a naive one is taken to be UTC, as stored."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(ZoneInfo(zone))


def _parse(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value.replace("Z", "+00:00")) if "T" in value \
                else dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


# -- Jinja filters: the locale and the zone come from the page's context (see pages.render) ------------------

@pass_context
def money_filter(ctx: Any, amount_minor: int, currency: str) -> str:
    """``{{ invoice.amount_minor|money(invoice.currency) }}``"""
    return money_text(amount_minor, currency, ctx["locale"])


@pass_context
def datetime_filter(ctx: Any, value: Any, format: str = "medium") -> str:  # noqa: A002 - Babel's own word
    """``{{ payment.sent_at|datetime }}``: the agency's local date and time, in the reader's language."""
    value = _parse(value)
    if not isinstance(value, dt.datetime):
        return "" if value is None else str(value)
    return format_datetime(local_datetime(value, ctx["timezone"]), format, locale=_babel(ctx["locale"]))


@pass_context
def time_filter(ctx: Any, value: Any, format: str = "short") -> str:  # noqa: A002
    value = _parse(value)
    if not isinstance(value, dt.datetime):
        return "" if value is None else str(value)
    return format_time(local_datetime(value, ctx["timezone"]), format, locale=_babel(ctx["locale"]))


@pass_context
def date_filter(ctx: Any, value: Any, format: str = "medium") -> str:  # noqa: A002
    """``{{ invoice.due_date|date }}``: a calendar date (no zone shift); an instant shows its local date."""
    value = _parse(value)
    if isinstance(value, dt.datetime):
        value = local_datetime(value, ctx["timezone"]).date()
    if not isinstance(value, dt.date):
        return "" if value is None else str(value)
    return format_date(value, format, locale=_babel(ctx["locale"]))


@pass_context
def price_filter(ctx: Any, price_minor: Decimal | int, currency: str) -> str:
    """``{{ line.unit_price_minor|price(currency) }}``: a unit price, which may hold fractions of a minor unit."""
    if isinstance(price_minor, (bool, float)):
        raise TypeError("a price is a Decimal of minor units")
    amount = Decimal(price_minor).scaleb(-minor_exponent(currency))
    return format_currency(amount, currency, locale=_babel(ctx["locale"]), decimal_quantization=False)


@pass_context
def number_filter(ctx: Any, value: Any) -> str:
    return format_decimal(value, locale=_babel(ctx["locale"]))


FILTERS = {"money": money_filter, "datetime": datetime_filter, "time": time_filter, "date": date_filter,
           "number": number_filter, "price": price_filter}
