"""Addenda Record type 99: returns (and the dishonored / contested return variants).

Standard layout: 1 ``7``; 2-3 ``99``; 4-6 return reason code; 7-21 original entry trace number; 22-27 date
of death (R14/R15) YYMMDD; 28-35 original RDFI identification; 36-79 addenda information; 80-94 trace number
(the return entry's own trace). Dishonored (R61-R70) and contested (R71-R77) returns reuse 1-21 and 28-35
and pack the return's trace, settlement date and reason after that (moov-io ``addenda99Dishonored.go`` /
``addenda99Contested.go``); :class:`ReturnNotice` exposes those parts too.

:func:`return_entry` builds the entry a (simulated) RDFI sends back, so tests and the sandbox bank produce
real return files with the same builder that writes payments.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .entry_detail import Entry
from .fields import parse_yymmdd
from .return_codes import return_reason, return_variant
from .transaction_codes import RETURN_CODE_FOR

LAYOUT = (
    ("record_type", 1, 1),
    ("addenda_type_code", 2, 3),
    ("return_reason_code", 4, 6),
    ("original_entry_trace_number", 7, 21),
    ("date_of_death", 22, 27),
    ("original_rdfi_identification", 28, 35),
    ("addenda_information", 36, 79),
    ("trace_number", 80, 94),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Addenda99:
    """A return addenda to write. ``original_rdfi`` is the 8-digit RDFI id of the entry being returned."""

    reason_code: str
    original_trace: str
    original_rdfi: str
    date_of_death: date | None = None
    information: str = ""


def format_addenda99(a: Addenda99, trace_number: str) -> str:
    dod = a.date_of_death
    dod_text = f"{dod.year % 100:02d}{dod.month:02d}{dod.day:02d}" if dod else "      "
    return f"799{a.reason_code}{a.original_trace}{dod_text}{a.original_rdfi}{a.information:<44}{trace_number}"


def return_entry(
    original: Entry,
    *,
    reason_code: str,
    trace_number: str,
    original_odfi_routing: str,
    date_of_death: date | None = None,
    information: str = "",
) -> Entry:
    """The return of ``original``, as the RDFI sends it back to the ODFI.

    The return entry goes to the original ODFI (``original_odfi_routing``, 9 digits), carries the matching
    return transaction code (22 -> 21, 27 -> 26, 32 -> 31 ...), the original amount, account and name, a new
    ``trace_number`` prefixed by the returning bank, and one Addenda99 pointing at the original trace.
    """
    return Entry(
        transaction_code=RETURN_CODE_FOR.get(original.transaction_code, original.transaction_code),
        rdfi_routing=original_odfi_routing,
        account_number=original.account_number,
        amount_cents=original.amount_cents,
        receiver_name=original.receiver_name,
        identification=original.identification,
        discretionary=original.discretionary,
        trace_number=trace_number,
        addenda=(
            Addenda99(
                reason_code=reason_code,
                original_trace=original.trace_number,
                original_rdfi=original.rdfi_routing[:8],
                date_of_death=date_of_death,
                information=information,
            ),
        ),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class ReturnNotice:
    """A return read from a file: what reconciliation needs to find and reverse the original payment.

    Match it to the payment by ``original_trace`` (plus amount and RDFI), never by the return's own trace.
    ``reason`` is a plain-English meaning ('' for codes outside the Nacha table, which are also reported).
    """

    line: int
    entry_line: int
    reason_code: str
    reason: str
    variant: str
    original_trace: str
    original_rdfi: str
    date_of_death: date | None
    information: str
    trace_number: str
    transaction_code: int | None
    amount_cents: int
    rdfi_routing: str
    account_number: str
    receiver_name: str
    identification: str
    sec_code: str
    company_id: str
    company_name: str
    batch_number: str
    # Dishonored / contested variants only (None for plain returns):
    return_trace_number: str | None = None
    return_settlement_date: str | None = None
    return_reason_code: str | None = None
    dishonored_return_trace_number: str | None = None
    dishonored_return_settlement_date: str | None = None
    dishonored_return_reason_code: str | None = None
    date_original_entry_returned: str | None = None
    original_settlement_date: str | None = None
    raw: str = ""


def read_return(addenda: str, line: int, entry, batch_header: str) -> ReturnNotice:
    """Build a :class:`ReturnNotice` from the raw addenda, its :class:`ReadEntry` and the batch header."""
    code = addenda[3:6]
    variant = return_variant(code)
    extra: dict[str, str | None] = {}
    date_of_death = None
    information = ""
    if variant == "return":
        date_of_death = parse_yymmdd(addenda[21:27])
        information = addenda[35:79].strip()
    elif variant == "dishonored":
        extra = dict(
            return_trace_number=addenda[38:53].strip(),
            return_settlement_date=addenda[53:56].strip(),
            return_reason_code=addenda[56:58].strip(),
        )
        information = addenda[58:79].strip()
    else:
        extra = dict(
            date_original_entry_returned=addenda[21:27].strip(),
            original_settlement_date=addenda[35:38].strip(),
            return_trace_number=addenda[38:53].strip(),
            return_settlement_date=addenda[53:56].strip(),
            return_reason_code=addenda[56:58].strip(),
            dishonored_return_trace_number=addenda[58:73].strip(),
            dishonored_return_settlement_date=addenda[73:76].strip(),
            dishonored_return_reason_code=addenda[76:78].strip(),
        )
    return ReturnNotice(
        line=line,
        entry_line=entry.line,
        reason_code=code,
        reason=return_reason(code) or "",
        variant=variant,
        original_trace=addenda[6:21].strip(),
        original_rdfi=addenda[27:35].strip(),
        date_of_death=date_of_death,
        information=information,
        trace_number=entry.trace_number,
        transaction_code=entry.transaction_code,
        amount_cents=entry.amount_cents,
        rdfi_routing=entry.rdfi_routing,
        account_number=entry.account_number,
        receiver_name=entry.receiver_name,
        identification=entry.identification,
        sec_code=batch_header[50:53],
        company_id=batch_header[40:50].strip(),
        company_name=batch_header[4:20].strip(),
        batch_number=batch_header[87:94],
        raw=addenda,
        **extra,
    )


__all__ = ["LAYOUT", "Addenda99", "ReturnNotice", "format_addenda99", "read_return", "return_entry"]
