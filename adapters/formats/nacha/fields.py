"""Small shared helpers for fixed-width NACHA fields: routing check digits, dates, money text.

Money is always integer cents here; the only place cents become text with a decimal point is
:func:`cents_to_decimal_text`, for the X12 remittance segments, and it never goes through a float.
"""

from __future__ import annotations

import re
from datetime import date

# Weights of the ABA routing-number checksum over the first 8 digits (FORMATS.md §1.3).
_WEIGHTS = (3, 7, 1, 3, 7, 1, 3, 7)
_DIGITS = re.compile(r"[0-9]+")
_DIGIT8 = re.compile(r"[0-9]{8}")
_DIGIT9 = re.compile(r"[0-9]{9}")


def routing_check_digit(first8: str) -> int:
    """The check digit (0-9) for an 8-digit RDFI/ODFI identification. ``first8`` must be 8 ASCII digits."""
    total = 0
    for weight, ch in zip(_WEIGHTS, first8):
        total += weight * (ord(ch) - 48)
    return (10 - total % 10) % 10


def is_valid_routing(routing: str) -> bool:
    """True when ``routing`` is 9 ASCII digits whose last digit is the ABA check digit of the first 8."""
    return (
        isinstance(routing, str)
        and _DIGIT9.fullmatch(routing) is not None
        and routing_check_digit(routing[:8]) == ord(routing[8]) - 48
    )


def is_digits(value: str, length: int | None = None) -> bool:
    """ASCII digits only (``str.isdigit`` also accepts '²' and other Unicode digits, which NACHA does not)."""
    if _DIGITS.fullmatch(value) is None:
        return False
    return length is None or len(value) == length


def is_printable_ascii(value: str) -> bool:
    """Printable ASCII (0x20-0x7E): the only bytes NACHA alphanumeric fields may hold."""
    return value.isascii() and value.isprintable()


def parse_yymmdd(text: str) -> date | None:
    """A YYMMDD field as a date (years 2000-2099, as every current NACHA file means), or None if not one."""
    if len(text) != 6 or _DIGITS.fullmatch(text) is None:
        return None
    try:
        return date(2000 + int(text[:2]), int(text[2:4]), int(text[4:]))
    except ValueError:
        return None


def is_hhmm(text: str) -> bool:
    """A valid HHMM time of day."""
    return len(text) == 4 and _DIGITS.fullmatch(text) is not None and int(text[:2]) < 24 and int(text[2:]) < 60


def format_yymmdd(value: date) -> str:
    return f"{value.year % 100:02d}{value.month:02d}{value.day:02d}"


def cents_to_decimal_text(cents: int) -> str:
    """12345 -> '123.45'; exact integer arithmetic, never a float."""
    if cents < 0:
        return "-" + cents_to_decimal_text(-cents)
    return f"{cents // 100}.{cents % 100:02d}"


def decimal_text_to_cents(text: str) -> int | None:
    """'123.45' / '123.4' / '123' -> cents; None when the text is not such an amount."""
    m = re.fullmatch(r"(-?)([0-9]+)(?:\.([0-9]{1,2}))?", text)
    if m is None:
        return None
    cents = int(m.group(2)) * 100 + int((m.group(3) or "0").ljust(2, "0"))
    return -cents if m.group(1) else cents


__all__ = [
    "cents_to_decimal_text",
    "decimal_text_to_cents",
    "format_yymmdd",
    "is_digits",
    "is_hhmm",
    "is_printable_ascii",
    "is_valid_routing",
    "parse_yymmdd",
    "routing_check_digit",
]
