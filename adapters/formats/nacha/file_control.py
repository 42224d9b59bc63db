"""File Control record (type 9) and the 9-fill that blocks a file to a multiple of 10 records.

Layout: 1 ``9``; 2-7 batch count; 8-13 block count (= ceil(records / 10), fill included); 14-21 entry/addenda
count; 22-31 entry hash (low 10 digits); 32-43 total debits; 44-55 total credits; 56-94 reserved. ADV file
controls carry 20-digit totals at 32-51 and 52-71. Fill records are 94 ``9`` characters.

moov-io's reader never checks the block count's value nor requires the fill (FORMATS.md §2.2); ours does.
"""

from __future__ import annotations

from collections.abc import Callable

LAYOUT = (
    ("record_type", 1, 1),
    ("batch_count", 2, 7),
    ("block_count", 8, 13),
    ("entry_addenda_count", 14, 21),
    ("entry_hash", 22, 31),
    ("total_debit_amount", 32, 43),
    ("total_credit_amount", 44, 55),
    ("reserved", 56, 94),
)
TOTAL_SLICES = {False: ((31, 43), (43, 55)), True: ((31, 51), (51, 71))}
FILL_RECORD = "9" * 94
BLOCKING_FACTOR = 10

AddProblem = Callable[[int, str, "str | None", str, str], None]


def format_file_control(batches: int, blocks: int, count: int, entry_hash: int, debit: int, credit: int) -> str:
    return f"9{batches:06d}{blocks:06d}{count:08d}{entry_hash % 10_000_000_000:010d}{debit:012d}{credit:012d}{'':39}"


def check_file_control(rec: str, line: int, add: AddProblem, adv: bool) -> dict[str, int | None]:
    """Format checks; returns the numeric fields (None where not numeric, already reported)."""
    (ds, de), (cs, ce) = TOTAL_SLICES[adv]
    values: dict[str, int | None] = {}
    for name, s, e in (
        ("batch_count", 1, 7),
        ("block_count", 7, 13),
        ("entry_addenda_count", 13, 21),
        ("entry_hash", 21, 31),
        ("total_debit_amount", ds, de),
        ("total_credit_amount", cs, ce),
    ):
        text = rec[s:e]
        if text.isascii() and text.isdigit():
            values[name] = int(text)
        else:
            values[name] = None
            add(line, "file_control", name, "invalid_format", f"{name.replace('_', ' ')} {text!r} is not all digits")
    return values


class FileControlView:
    __slots__ = ("line", "raw")

    def __init__(self, line: int, raw: str) -> None:
        self.line = line
        self.raw = raw

    batch_count = property(lambda self: self.raw[1:7])
    block_count = property(lambda self: self.raw[7:13])
    entry_addenda_count = property(lambda self: self.raw[13:21])
    entry_hash = property(lambda self: self.raw[21:31])
    total_debit_amount = property(lambda self: self.raw[31:43])
    total_credit_amount = property(lambda self: self.raw[43:55])


__all__ = [
    "BLOCKING_FACTOR",
    "FILL_RECORD",
    "LAYOUT",
    "TOTAL_SLICES",
    "FileControlView",
    "check_file_control",
    "format_file_control",
]
