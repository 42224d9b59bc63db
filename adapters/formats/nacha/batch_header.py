"""Company/Batch Header record (type 5) and :class:`Batch`.

Layout: 1 ``5``; 2-4 service class; 5-20 company name; 21-40 company discretionary data; 41-50 company
identification; 51-53 SEC code; 54-63 company entry description; 64-69 company descriptive date; 70-75
effective entry date YYMMDD; 76-78 settlement date (Julian, inserted by the ACH Operator: we leave it blank);
79 originator status code; 80-87 ODFI identification; 88-94 batch number.

IAT batch headers share positions 1-4, 41-53 (originator identification, SEC), 54-63 and 70-94, which is
all the reader relies on for them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from .fields import is_digits, parse_yymmdd
from .sec_codes import STANDARD_SEC_CODES

if TYPE_CHECKING:
    from .entry_detail import Entry

LAYOUT = (
    ("record_type", 1, 1),
    ("service_class_code", 2, 4),
    ("company_name", 5, 20),
    ("company_discretionary_data", 21, 40),
    ("company_identification", 41, 50),
    ("sec_code", 51, 53),
    ("company_entry_description", 54, 63),
    ("company_descriptive_date", 64, 69),
    ("effective_entry_date", 70, 75),
    ("settlement_date", 76, 78),
    ("originator_status_code", 79, 79),
    ("odfi_identification", 80, 87),
    ("batch_number", 88, 94),
)

AddProblem = Callable[[int, str, "str | None", str, str], None]


@dataclass(frozen=True, slots=True, kw_only=True)
class Batch:
    """One company/batch: header fields plus entries. Batch number, counts, hash and totals are computed.

    ``odfi_id`` is the first 8 digits of the originating bank's routing number; every entry's trace number
    must start with it. ``originator_status`` is 1 (ODFI is a depository institution) or 2 (federal agency).
    """

    service_class: int
    company_name: str
    company_id: str
    sec_code: str
    entry_description: str
    effective_date: date
    odfi_id: str
    entries: Sequence[Entry] = field(default_factory=tuple)
    company_discretionary: str = ""
    descriptive_date: str = ""
    originator_status: int = 1


def format_batch_header(b: Batch, batch_number: int) -> str:
    d = b.effective_date
    return (
        f"5{b.service_class:03d}{b.company_name:<16}{b.company_discretionary:<20}{b.company_id:<10}"
        f"{b.sec_code}{b.entry_description:<10}{b.descriptive_date:<6}"
        f"{d.year % 100:02d}{d.month:02d}{d.day:02d}   {b.originator_status}{b.odfi_id}{batch_number:07d}"
    )


def check_batch_header(rec: str, line: int, add: AddProblem, is_iat: bool, *, check_date: bool = True) -> None:
    """Field checks of a batch header (once per batch). ``check_date=False`` leaves the effective entry date to
    the caller, who knows only when the batch closes whether it holds returns (read leniently) or not."""
    r = "batch_header"
    scc = rec[1:4]
    if scc not in ("200", "220", "225", "280"):
        add(line, r, "service_class_code", "invalid_service_class", f"service class code {scc!r} is not 200, 220, 225 or 280")
    if not is_iat and not rec[4:20].strip():
        add(line, r, "company_name", "required", "company name (5-20) is blank")
    if not rec[40:50].strip():
        add(line, r, "company_identification", "required", "company identification (41-50) is blank")
    sec = rec[50:53]
    if sec not in STANDARD_SEC_CODES:
        add(line, r, "sec_code", "invalid_sec_code", f"SEC code {sec!r} is not a Nacha standard entry class code")
    if not rec[53:63].strip():
        add(line, r, "company_entry_description", "required", "company entry description (54-63) is blank")
    # IAT files in the wild carry 000000 here; IAT fields are not validated (see problems.RULES).
    if check_date and not is_iat and parse_yymmdd(rec[69:75]) is None:
        add(line, r, "effective_entry_date", "invalid_date", f"effective entry date {rec[69:75]!r} is not a valid YYMMDD date")
    settle = rec[75:78]
    if settle.strip() and not (is_digits(settle) and 1 <= int(settle) <= 366):
        add(line, r, "settlement_date", "invalid_format", f"settlement date {settle!r} must be blank or a Julian day 001-366")
    status = rec[78]
    if status not in ("1", "2") and not (status == "0" and (scc == "280" or sec == "ADV")):
        add(line, r, "originator_status_code", "invalid_originator_status",
            f"originator status code {status!r} must be 1 or 2 (0 only in ADV batches)")
    odfi = rec[79:87]
    if not is_digits(odfi, 8):
        add(line, r, "odfi_identification", "invalid_format", f"ODFI identification {odfi!r} is not 8 digits")
    elif odfi == "00000000":
        add(line, r, "odfi_identification", "required", "ODFI identification is all zeros; it must be the ODFI's routing prefix")
    if not is_digits(rec[87:94], 7):
        add(line, r, "batch_number", "invalid_format", f"batch number {rec[87:94]!r} is not 7 digits")


class BatchHeaderView:
    """Read-only view of a batch header; fields are sliced on access."""

    __slots__ = ("line", "raw")

    def __init__(self, line: int, raw: str) -> None:
        self.line = line
        self.raw = raw

    service_class_code = property(lambda self: self.raw[1:4])
    company_name = property(lambda self: self.raw[4:20].strip())
    company_discretionary_data = property(lambda self: self.raw[20:40].strip())
    company_identification = property(lambda self: self.raw[40:50].strip())
    sec_code = property(lambda self: self.raw[50:53])
    company_entry_description = property(lambda self: self.raw[53:63].strip())
    company_descriptive_date = property(lambda self: self.raw[63:69].strip())
    effective_entry_date = property(lambda self: parse_yymmdd(self.raw[69:75]))
    settlement_date = property(lambda self: self.raw[75:78].strip())
    originator_status_code = property(lambda self: self.raw[78])
    odfi_identification = property(lambda self: self.raw[79:87])
    batch_number = property(lambda self: self.raw[87:94])


__all__ = ["LAYOUT", "Batch", "BatchHeaderView", "check_batch_header", "format_batch_header"]
