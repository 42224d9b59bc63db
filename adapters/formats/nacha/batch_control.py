"""Company/Batch Control record (type 8).

Layout: 1 ``8``; 2-4 service class (= header); 5-10 entry/addenda count (6 and 7 records only); 11-20 entry
hash (low 10 digits of the sum of the entries' 8-digit RDFI ids); 21-32 total debits; 33-44 total credits;
45-54 company identification (= header); 55-73 message authentication code; 74-79 reserved; 80-87 ODFI
identification (= header); 88-94 batch number (= header). ADV batch controls carry 20-digit totals at 21-40
and 41-60.

The reader compares these values, as written, with what it counted in the records; it never recomputes the
control first (the pitfall FORMATS.md §2.2 describes in moov-io's ``Create()``).
"""

from __future__ import annotations

from collections.abc import Callable

LAYOUT = (
    ("record_type", 1, 1),
    ("service_class_code", 2, 4),
    ("entry_addenda_count", 5, 10),
    ("entry_hash", 11, 20),
    ("total_debit_amount", 21, 32),
    ("total_credit_amount", 33, 44),
    ("company_identification", 45, 54),
    ("message_authentication_code", 55, 73),
    ("reserved", 74, 79),
    ("odfi_identification", 80, 87),
    ("batch_number", 88, 94),
)
# (debit slice, credit slice), 0-based, per batch kind.
TOTAL_SLICES = {False: ((20, 32), (32, 44)), True: ((20, 40), (40, 60))}

AddProblem = Callable[[int, str, "str | None", str, str], None]


def format_batch_control(
    service_class: int, count: int, entry_hash: int, debit: int, credit: int, company_id: str, odfi: str, number: int
) -> str:
    return (
        f"8{service_class:03d}{count:06d}{entry_hash % 10_000_000_000:010d}{debit:012d}{credit:012d}"
        f"{company_id:<10}{'':25}{odfi}{number:07d}"
    )


def check_batch_control(rec: str, line: int, add: AddProblem, adv: bool) -> dict[str, int | None]:
    """Format checks; returns the numeric fields (None where not numeric, already reported)."""
    r = "batch_control"
    (ds, de), (cs, ce) = TOTAL_SLICES[adv]
    values: dict[str, int | None] = {}
    for name, s, e in (
        ("entry_addenda_count", 4, 10),
        ("entry_hash", 10, 20),
        ("total_debit_amount", ds, de),
        ("total_credit_amount", cs, ce),
    ):
        text = rec[s:e]
        if text.isascii() and text.isdigit():
            values[name] = int(text)
        else:
            values[name] = None
            add(line, r, name, "invalid_format", f"{name.replace('_', ' ')} {text!r} is not all digits")
    return values


class BatchControlView:
    __slots__ = ("line", "raw")

    def __init__(self, line: int, raw: str) -> None:
        self.line = line
        self.raw = raw

    service_class_code = property(lambda self: self.raw[1:4])
    entry_addenda_count = property(lambda self: self.raw[4:10])
    entry_hash = property(lambda self: self.raw[10:20])
    company_identification = property(lambda self: self.raw[44:54].strip())
    odfi_identification = property(lambda self: self.raw[79:87])
    batch_number = property(lambda self: self.raw[87:94])


__all__ = ["LAYOUT", "TOTAL_SLICES", "BatchControlView", "check_batch_control", "format_batch_control"]
