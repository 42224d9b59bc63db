"""Entry Detail record (type 6) and :class:`Entry`.

Generic layout (CCD, PPD, WEB, COR, returns and every other non-IAT, non-ADV SEC code): 1 ``6``; 2-3
transaction code; 4-11 RDFI identification; 12 check digit; 13-29 account number; 30-39 amount (cents);
40-54 identification number; 55-76 receiver name; 77-78 discretionary data; 79 addenda record indicator;
80-94 trace number.

CTX (and ATX, TRX, ENR) differ at 55-58, the number of addenda records, 59-74 the receiving company name
and 75-76 reserved. IAT keeps 2-12, 30-39 and 79-94 but holds the addenda count at 13-16 and the foreign
account at 40-74. ADV (operator advices) has a 15-character account at 13-27 and a 12-digit amount at 28-39.

The reader checks a record's numeric and mandatory fields with one compiled regex per layout and only
runs :func:`diagnose_entry`, which names the failing field, when that regex does not match.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Union

if TYPE_CHECKING:
    from .addenda05 import Addenda05
    from .addenda98 import Addenda98
    from .addenda99 import Addenda99

    Addenda = Union[Addenda05, Addenda98, Addenda99]

AddProblem = Callable[[int, str, "str | None", str, str], None]

LAYOUTS = {
    "std": (
        ("record_type", 1, 1), ("transaction_code", 2, 3), ("rdfi_identification", 4, 11), ("check_digit", 12, 12),
        ("dfi_account_number", 13, 29), ("amount", 30, 39), ("identification_number", 40, 54),
        ("receiver_name", 55, 76), ("discretionary_data", 77, 78), ("addenda_record_indicator", 79, 79),
        ("trace_number", 80, 94),
    ),
    "ctx": (
        ("record_type", 1, 1), ("transaction_code", 2, 3), ("rdfi_identification", 4, 11), ("check_digit", 12, 12),
        ("dfi_account_number", 13, 29), ("amount", 30, 39), ("identification_number", 40, 54),
        ("number_of_addenda_records", 55, 58), ("receiving_company_name", 59, 74), ("reserved", 75, 76),
        ("discretionary_data", 77, 78), ("addenda_record_indicator", 79, 79), ("trace_number", 80, 94),
    ),
    "iat": (
        ("record_type", 1, 1), ("transaction_code", 2, 3), ("rdfi_identification", 4, 11), ("check_digit", 12, 12),
        ("number_of_addenda_records", 13, 16), ("reserved", 17, 29), ("amount", 30, 39),
        ("foreign_receiver_account_number", 40, 74), ("reserved", 75, 76), ("ofac_screening_indicators", 77, 78),
        ("addenda_record_indicator", 79, 79), ("trace_number", 80, 94),
    ),
    "adv": (
        ("record_type", 1, 1), ("transaction_code", 2, 3), ("rdfi_identification", 4, 11), ("check_digit", 12, 12),
        ("dfi_account_number", 13, 27), ("amount", 28, 39), ("advice_routing_number", 40, 48),
        ("file_identification", 49, 53), ("ach_operator_data", 54, 54), ("receiver_name", 55, 76),
        ("discretionary_data", 77, 78), ("addenda_record_indicator", 79, 79), ("ach_operator_trace", 80, 94),
    ),
}

# One regex per layout: digits where digits belong, a non-blank account, indicator 0/1, numeric trace. The
# groups are the same for every layout - (transaction code, RDFI 8, check digit, amount, indicator, trace) -
# so one fullmatch().groups() call replaces six slices on the reader's hot path.
ENTRY_MATCH = {
    "std": re.compile(r"6([0-9]{2})([0-9]{8})([0-9])(?! {17}).{17}([0-9]{10}).{39}([01])([0-9]{15})", re.S).fullmatch,
    "ctx": re.compile(r"6([0-9]{2})([0-9]{8})([0-9])(?! {17}).{17}([0-9]{10}).{15}[0-9]{4}.{20}([01])([0-9]{15})", re.S).fullmatch,
    "iat": re.compile(r"6([0-9]{2})([0-9]{8})([0-9]).{17}([0-9]{10}).{39}([01])([0-9]{15})", re.S).fullmatch,
    "adv": re.compile(r"6([0-9]{2})([0-9]{8})([0-9])(?! {15}).{15}([0-9]{12}).{39}([01])(.{15})", re.S).fullmatch,
}
# Amount slice per layout (0-based): ADV amounts are 12 digits.
AMOUNT_SLICE = {"std": (29, 39), "ctx": (29, 39), "iat": (29, 39), "adv": (27, 39)}


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    """One payment (or return / NOC) to write. ``rdfi_routing`` is the full 9-digit routing number.

    ``trace_number`` (15 digits) is given by the caller, who derives it stably from the payment id; it must
    start with the batch's ``odfi_id`` and ascend within the batch. For CTX batches ``receiver_name`` is
    limited to 16 characters (positions 59-74).
    """

    transaction_code: int
    rdfi_routing: str
    account_number: str
    amount_cents: int
    receiver_name: str
    trace_number: str
    identification: str = ""
    discretionary: str = ""
    addenda: Sequence[Addenda] = field(default_factory=tuple)


# The formatters use str.ljust/zfill inside plain f-strings: format specs ({x:<17}) cost about three times
# as much per field in CPython, and these run once per payment. Overlong values are *not* truncated: the
# builder detects them by the record's length and then names the field.
def format_entry(e: Entry, indicator: str) -> str:
    """Generic layout; the builder validated the codes, amount, routing and trace (2-digit transaction code)."""
    return (
        f"6{e.transaction_code}{e.rdfi_routing}{e.account_number.ljust(17)}{str(e.amount_cents).zfill(10)}"
        f"{e.identification.ljust(15)}{e.receiver_name.ljust(22)}{e.discretionary.ljust(2)}{indicator}{e.trace_number}"
    )


def format_ctx_entry(e: Entry, addenda_count: int) -> str:
    """CTX layout: addenda count at 55-58, a 16-character name, two reserved blanks."""
    return (
        f"6{e.transaction_code}{e.rdfi_routing}{e.account_number.ljust(17)}{str(e.amount_cents).zfill(10)}"
        f"{e.identification.ljust(15)}{addenda_count:04d}{e.receiver_name.ljust(16)}  {e.discretionary.ljust(2)}"
        f"{1 if addenda_count else 0}{e.trace_number}"
    )


def _digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def diagnose_entry(rec: str, line: int, add: AddProblem, kind: str) -> None:
    """Name each field that made the layout regex fail (slow path; only for broken records)."""
    r = "entry_detail"
    if not _digits(rec[3:11]):
        add(line, r, "rdfi_identification", "invalid_format", f"RDFI identification {rec[3:11]!r} is not 8 digits")
    if not _digits(rec[11]):
        add(line, r, "check_digit", "invalid_format", f"check digit {rec[11]!r} is not a digit")
    if kind == "adv":
        account, amount = rec[12:27], rec[27:39]
    else:
        account, amount = rec[12:29], rec[29:39]
    if kind != "iat" and not account.strip():
        add(line, r, "dfi_account_number", "required", "account number is blank")
    if not _digits(amount):
        add(line, r, "amount", "invalid_format", f"amount {amount!r} is not all digits")
    if kind == "ctx" and not _digits(rec[54:58]):
        add(line, r, "number_of_addenda_records", "invalid_format", f"number of addenda records {rec[54:58]!r} is not 4 digits")
    if rec[78] not in ("0", "1"):
        add(line, r, "addenda_record_indicator", "addenda_indicator", f"addenda record indicator {rec[78]!r} must be 0 or 1")
    if kind != "adv" and not _digits(rec[79:94]):
        add(line, r, "trace_number", "invalid_format", f"trace number {rec[79:94]!r} is not 15 digits")


def to_int(text: str) -> int:
    """Digits as int, anything else as 0 (the problem has already been reported)."""
    return int(text) if text.isascii() and text.isdigit() else 0


class ReadEntry:
    """An entry as read: its line, the raw 94-character record, its layout kind and its addenda.

    Fields are sliced on access so that reading a 100,000-entry file creates one small object per entry.
    """

    __slots__ = ("line", "raw", "kind", "addenda")

    def __init__(self, line: int, raw: str, kind: str) -> None:
        self.line = line
        self.raw = raw
        self.kind = kind
        self.addenda: list = []

    @property
    def transaction_code(self) -> int | None:
        tc = self.raw[1:3]
        return int(tc) if _digits(tc) else None

    rdfi_routing = property(lambda self: self.raw[3:12])
    addenda_record_indicator = property(lambda self: self.raw[78])
    trace_number = property(lambda self: self.raw[79:94])

    @property
    def amount_cents(self) -> int:
        s, e = AMOUNT_SLICE[self.kind]
        return to_int(self.raw[s:e])

    @property
    def account_number(self) -> str:
        if self.kind == "iat":
            return self.raw[39:74].strip()
        return self.raw[12:27 if self.kind == "adv" else 29].strip()

    @property
    def identification(self) -> str:
        return "" if self.kind in ("iat", "adv") else self.raw[39:54].strip()

    @property
    def receiver_name(self) -> str:
        if self.kind == "ctx":
            return self.raw[58:74].strip()
        return "" if self.kind == "iat" else self.raw[54:76].strip()

    @property
    def discretionary_data(self) -> str:
        return self.raw[76:78].strip()

    def __repr__(self) -> str:
        return f"ReadEntry(line={self.line}, trace={self.trace_number!r}, amount_cents={self.amount_cents})"


__all__ = [
    "AMOUNT_SLICE",
    "ENTRY_MATCH",
    "LAYOUTS",
    "Entry",
    "ReadEntry",
    "diagnose_entry",
    "format_ctx_entry",
    "format_entry",
    "to_int",
]
