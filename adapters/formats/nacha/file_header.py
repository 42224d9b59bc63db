"""File Header record (type 1) and :class:`NachaFile`, the builder's root input.

Layout (1-based, inclusive): 1 ``1``; 2-3 priority ``01``; 4-13 Immediate Destination (blank + routing);
14-23 Immediate Origin; 24-29 creation date YYMMDD; 30-33 creation time HHMM; 34 File ID Modifier;
35-37 ``094``; 38-39 ``10``; 40 ``1``; 41-63 destination name; 64-86 origin name; 87-94 reference code.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, time
from typing import TYPE_CHECKING

from .fields import is_digits, is_hhmm, is_valid_routing, parse_yymmdd

if TYPE_CHECKING:
    from .batch_header import Batch

LAYOUT = (
    ("record_type", 1, 1),
    ("priority_code", 2, 3),
    ("immediate_destination", 4, 13),
    ("immediate_origin", 14, 23),
    ("file_creation_date", 24, 29),
    ("file_creation_time", 30, 33),
    ("file_id_modifier", 34, 34),
    ("record_size", 35, 37),
    ("blocking_factor", 38, 39),
    ("format_code", 40, 40),
    ("immediate_destination_name", 41, 63),
    ("immediate_origin_name", 64, 86),
    ("reference_code", 87, 94),
)

AddProblem = Callable[[int, str, "str | None", str, str], None]


@dataclass(frozen=True, slots=True, kw_only=True)
class NachaFile:
    """A whole file to write: the File Header fields plus its batches (totals are computed, never given).

    ``immediate_destination`` is the 9-digit routing number of the receiving point (your ODFI or the ACH
    Operator); ``immediate_origin`` is either a 9-digit routing number or the 10 characters your ODFI
    assigned (often ``1`` + EIN).
    """

    immediate_destination: str
    immediate_origin: str
    creation_date: date
    creation_time: time | None = None
    file_id_modifier: str = "A"
    immediate_destination_name: str = ""
    immediate_origin_name: str = ""
    reference_code: str = ""
    batches: Sequence[Batch] = field(default_factory=tuple)


def format_file_header(f: NachaFile, origin10: str) -> str:
    """The 94-character record; fields must already be validated (the builder does that)."""
    d = f.creation_date
    hhmm = f"{f.creation_time.hour:02d}{f.creation_time.minute:02d}" if f.creation_time else "    "
    return (
        f"101 {f.immediate_destination}{origin10}{d.year % 100:02d}{d.month:02d}{d.day:02d}{hhmm}"
        f"{f.file_id_modifier}094101{f.immediate_destination_name:<23}{f.immediate_origin_name:<23}"
        f"{f.reference_code:<8}"
    )


def check_file_header(rec: str, line: int, add: AddProblem) -> None:
    """Field checks of a File Header record (it occurs once, so clarity beats speed here)."""
    r = "file_header"
    if rec[1:3] != "01":
        add(line, r, "priority_code", "invalid_format", f"priority code must be '01', found {rec[1:3]!r}")
    dest = rec[3:13].strip()
    if not dest:
        add(line, r, "immediate_destination", "required", "Immediate Destination (4-13) is blank; it must hold a routing number")
    elif not is_digits(dest, 9):
        add(line, r, "immediate_destination", "invalid_format", f"Immediate Destination {dest!r} is not a 9-digit routing number")
    elif not is_valid_routing(dest):
        add(line, r, "immediate_destination", "routing_check_digit", f"Immediate Destination {dest} fails the routing check digit")
    origin = rec[13:23].strip()
    if not origin or origin.strip("0") == "":
        add(line, r, "immediate_origin", "required", "Immediate Origin (14-23) is blank or all zeros")
    if parse_yymmdd(rec[23:29]) is None:
        add(line, r, "file_creation_date", "invalid_date", f"file creation date {rec[23:29]!r} is not a valid YYMMDD date")
    if rec[29:33].strip() and not is_hhmm(rec[29:33]):
        add(line, r, "file_creation_time", "invalid_format", f"file creation time {rec[29:33]!r} is not HHMM")
    mod = rec[33]
    if not (mod.isascii() and (mod.isdigit() or mod.isupper())):
        add(line, r, "file_id_modifier", "invalid_format", f"File ID Modifier {mod!r} must be A-Z or 0-9")
    for name, value, want in (("record_size", rec[34:37], "094"), ("blocking_factor", rec[37:39], "10"), ("format_code", rec[39], "1")):
        if value != want:
            add(line, r, name, "invalid_format", f"{name.replace('_', ' ')} must be {want!r}, found {value!r}")


class FileHeaderView:
    """Read-only view of a File Header record; fields are sliced on access."""

    __slots__ = ("line", "raw")

    def __init__(self, line: int, raw: str) -> None:
        self.line = line
        self.raw = raw

    immediate_destination = property(lambda self: self.raw[3:13].strip())
    immediate_origin = property(lambda self: self.raw[13:23].strip())
    creation_date = property(lambda self: parse_yymmdd(self.raw[23:29]))
    creation_time = property(lambda self: self.raw[29:33].strip())
    file_id_modifier = property(lambda self: self.raw[33])
    immediate_destination_name = property(lambda self: self.raw[40:63].strip())
    immediate_origin_name = property(lambda self: self.raw[63:86].strip())
    reference_code = property(lambda self: self.raw[86:94].strip())


__all__ = ["LAYOUT", "FileHeaderView", "NachaFile", "check_file_header", "format_file_header"]
