"""Addenda Record type 98: notifications of change (NOC / COR) and refused NOCs.

Layout: 1 ``7``; 2-3 ``98``; 4-6 change code; 7-21 original entry trace number; 22-27 reserved; 28-35
original RDFI identification; 36-64 corrected data (29, laid out per change code); 65-79 reserved; 80-94
trace number (the COR entry's own trace).

:func:`noc_entry` builds the zero-dollar COR entry a (simulated) RDFI sends; :class:`ChangeNotice` is what
the reader returns for each NOC, with the corrected data already split by change code.
"""

from __future__ import annotations

from dataclasses import dataclass

from .change_codes import REFUSED_CHANGE_CODES, CorrectedData, change_reason, format_corrected_data, parse_corrected_data
from .entry_detail import Entry
from .transaction_codes import RETURN_CODE_FOR

LAYOUT = (
    ("record_type", 1, 1),
    ("addenda_type_code", 2, 3),
    ("change_code", 4, 6),
    ("original_entry_trace_number", 7, 21),
    ("reserved", 22, 27),
    ("original_rdfi_identification", 28, 35),
    ("corrected_data", 36, 64),
    ("reserved", 65, 79),
    ("trace_number", 80, 94),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Addenda98:
    """A NOC addenda to write; ``corrected_data`` is the raw 29-character field (see :func:`noc_entry`)."""

    change_code: str
    original_trace: str
    original_rdfi: str
    corrected_data: str


def format_addenda98(a: Addenda98, trace_number: str) -> str:
    return f"798{a.change_code}{a.original_trace}      {a.original_rdfi}{a.corrected_data:<29}{'':15}{trace_number}"


def noc_entry(
    original: Entry,
    *,
    change_code: str,
    corrected: CorrectedData | str,
    trace_number: str,
    original_odfi_routing: str,
) -> Entry:
    """The zero-dollar COR entry telling the originator to correct ``original``.

    ``corrected`` is either structured (:class:`CorrectedData`, laid out per change code) or the raw
    29-character text. The entry goes to the original ODFI with the matching return/NOC transaction code.
    """
    raw = corrected if isinstance(corrected, str) else format_corrected_data(change_code, corrected)
    return Entry(
        transaction_code=RETURN_CODE_FOR.get(original.transaction_code, original.transaction_code),
        rdfi_routing=original_odfi_routing,
        account_number=original.account_number,
        amount_cents=0,
        receiver_name=original.receiver_name,
        identification=original.identification,
        discretionary=original.discretionary,
        trace_number=trace_number,
        addenda=(
            Addenda98(
                change_code=change_code,
                original_trace=original.trace_number,
                original_rdfi=original.rdfi_routing[:8],
                corrected_data=raw,
            ),
        ),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class ChangeNotice:
    """A notification of change read from a file. Apply ``corrected`` to the vendor's bank details of the
    payment whose trace is ``original_trace`` (within 6 banking days or before the next entry)."""

    line: int
    entry_line: int
    change_code: str
    reason: str
    refused: bool
    original_trace: str
    original_rdfi: str
    corrected_data: str
    corrected: CorrectedData
    trace_number: str
    transaction_code: int | None
    account_number: str
    receiver_name: str
    identification: str
    sec_code: str
    company_id: str
    company_name: str
    batch_number: str
    raw: str = ""


def read_change(addenda: str, line: int, entry, batch_header: str) -> ChangeNotice:
    """Build a :class:`ChangeNotice` from the raw addenda, its :class:`ReadEntry` and the batch header."""
    code = addenda[3:6]
    corrected_raw = addenda[35:64]
    return ChangeNotice(
        line=line,
        entry_line=entry.line,
        change_code=code,
        reason=change_reason(code) or "",
        refused=code in REFUSED_CHANGE_CODES,
        original_trace=addenda[6:21].strip(),
        original_rdfi=addenda[27:35].strip(),
        corrected_data=corrected_raw.strip(),
        corrected=parse_corrected_data(code, corrected_raw),
        trace_number=entry.trace_number,
        transaction_code=entry.transaction_code,
        account_number=entry.account_number,
        receiver_name=entry.receiver_name,
        identification=entry.identification,
        sec_code=batch_header[50:53],
        company_id=batch_header[40:50].strip(),
        company_name=batch_header[4:20].strip(),
        batch_number=batch_header[87:94],
        raw=addenda,
    )


__all__ = ["LAYOUT", "Addenda98", "ChangeNotice", "format_addenda98", "noc_entry", "read_change"]
