"""Addenda Record type 05 (remittance) and the generic read-side addenda view.

Layout: 1 ``7``; 2-3 ``05``; 4-83 payment related information (80); 84-87 addenda sequence number
(0001, 0002, ...); 88-94 entry detail sequence number = the last 7 digits of the parent entry's trace.

CCD/PPD/WEB allow one Addenda05 per entry (CCD+ carries an X12 ``RMR`` segment in it); CTX allows up to
9,999, which together hold an X12 820 transaction set (see :mod:`.remittance`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LAYOUT = (
    ("record_type", 1, 1),
    ("addenda_type_code", 2, 3),
    ("payment_related_information", 4, 83),
    ("addenda_sequence_number", 84, 87),
    ("entry_detail_sequence_number", 88, 94),
)
# Addenda02 (POS/SHR/MTE terminal data) and the IAT addenda 10-18 are read structurally; these coarse
# layouts only serve to name the field that holds a bad byte.
OTHER_LAYOUTS = {
    "02": (("record_type", 1, 1), ("addenda_type_code", 2, 3), ("terminal_data", 4, 79), ("trace_number", 80, 94)),
    "iat": (("record_type", 1, 1), ("addenda_type_code", 2, 3), ("iat_information", 4, 87), ("entry_detail_sequence_number", 88, 94)),
}

# Groups: (addenda sequence number, entry detail sequence number).
ADDENDA05_MATCH = re.compile(r"705.{80}([0-9]{4})([0-9]{7})", re.S).fullmatch

# "0001".."9999" precomputed: the reader compares sequence numbers as text, with no int() per record.
SEQUENCE_TEXT = tuple(f"{i:04d}" for i in range(10001))


@dataclass(frozen=True, slots=True)
class Addenda05:
    """Up to 80 characters of remittance text; sequence numbers are assigned by the builder."""

    payment_related_information: str


def format_addenda05(info: str, sequence: int, trace_number: str) -> str:
    return f"705{info.ljust(80)}{SEQUENCE_TEXT[sequence]}{trace_number[8:]}"


class ReadAddenda:
    """An addenda record as read: line, raw record and type code; fields sliced on access."""

    __slots__ = ("line", "raw")

    def __init__(self, line: int, raw: str) -> None:
        self.line = line
        self.raw = raw

    type_code = property(lambda self: self.raw[1:3])
    payment_related_information = property(lambda self: self.raw[3:83])
    addenda_sequence_number = property(lambda self: self.raw[83:87])
    entry_detail_sequence_number = property(lambda self: self.raw[87:94])

    def __repr__(self) -> str:
        return f"ReadAddenda(line={self.line}, type_code={self.type_code!r})"


__all__ = ["ADDENDA05_MATCH", "LAYOUT", "OTHER_LAYOUTS", "SEQUENCE_TEXT", "Addenda05", "ReadAddenda", "format_addenda05"]
