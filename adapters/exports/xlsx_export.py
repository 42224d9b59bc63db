"""Every XLSX Disburse writes goes through ``write_xlsx``: the same cells as ``csv_export.write_csv``, neutralised
the same way, in a workbook a spreadsheet opens without a prompt.

* A **text** cell is stored as a string, never a formula, and one that starts with ``=``, ``+``, ``-``, ``@``, a tab
  or a carriage return gets the same leading apostrophe as in the CSV (``csv_export.neutralise``), so that
  editing the cell and pressing Enter cannot turn it into a formula either. Characters XML cannot hold (NUL and
  the other C0 controls but tab, line feed and carriage return) are dropped.
* An ``int`` or ``Decimal`` is a number (a Decimal keeps its digits: it is written as its exact text, which the
  spreadsheet reads as a number); a float is refused, as in the CSV.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from adapters.exports.csv_export import Cell, neutralise

_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _value(value: Cell) -> object:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} is not a number a spreadsheet can hold")
        return value
    if isinstance(value, float):
        raise TypeError("a float has no place in an export: pass int minor units or a Decimal")
    return neutralise(_NOT_XML.sub("", str(value)))


def write_xlsx(header: Sequence[str], rows: Iterable[Sequence[Cell]], *, sheet: str = "Export") -> bytes:
    """The table as an XLSX workbook of one sheet: a header row, then one row per item."""
    book = Workbook(write_only=True)
    ws = book.create_sheet(title=sheet[:31])
    ws.append([_text_cell(ws, neutralise(h)) for h in header])
    for row in rows:
        if len(row) != len(header):
            raise ValueError(f"a row of {len(row)} cells under a header of {len(header)}")
        ws.append([_text_cell(ws, v) if isinstance(v, str) else v for v in map(_value, row)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _text_cell(ws: object, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=text)
    cell.data_type = "s"  # a string, whatever it starts with: never a formula
    return cell
