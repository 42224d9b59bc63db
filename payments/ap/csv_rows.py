"""Reading ERP exports: CSV rows to document groups, every fault named by row and column (docs/csv-import.md).

A file holds one kind of document, one row per line; the header fields of a document (its number, vendor,
dates) repeat on each of its rows and must agree. Parsing never stops at the first fault: it returns every
one, so a clerk can fix a file in one pass.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from payments.errors import InvalidInput
from payments.text_rules import find_forbidden

HEADER_ROW = 1


@dataclass(frozen=True, slots=True)
class RowError:
    """One fault: the 1-based row of the file (the header is row 1), the column, and what is wrong."""

    row: int
    column: str
    message: str
    code: str = "invalid_value"

    def describe(self) -> str:
        where = f"row {self.row}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message} ({self.code})"


class ImportRejected(InvalidInput):
    """The file was refused as a whole; nothing was written."""

    code = "import_rejected"

    def __init__(self, errors: Sequence[RowError]) -> None:
        self.errors = sorted(errors, key=lambda e: (e.row, e.column))
        super().__init__(f"the file has {len(self.errors)} error(s); nothing was imported",
                         errors=[e.describe() for e in self.errors])


@dataclass(frozen=True)
class Layout:
    """The columns of one kind of file: required, optional, and which identify a document."""

    required: tuple[str, ...]
    optional: tuple[str, ...]
    key: tuple[str, ...]
    header_fields: tuple[str, ...]


LAYOUTS: Mapping[str, Layout] = {
    "purchase-orders": Layout(
        required=("po_number", "vendor", "line_no", "item", "quantity", "unit_of_measure", "unit_price", "fund",
                  "department", "object_code"),
        optional=("currency", "description", "max_total", "kind", "match_level", "category"),
        key=("po_number",), header_fields=("vendor", "currency", "description", "max_total")),
    "receipts": Layout(
        required=("receipt_number", "po_number", "received_on", "line_no", "quantity_received"),
        optional=("accepted_on", "quantity_accepted", "note"),
        key=("receipt_number",), header_fields=("po_number", "received_on", "accepted_on", "note")),
    "invoices": Layout(
        required=("vendor", "invoice_number", "line_no", "quantity", "unit_price"),
        optional=("invoice_date", "received_on", "currency", "terms", "total", "remit_to", "defect_contact",
                  "po_number", "po_line_no", "unit_of_measure", "description"),
        key=("vendor", "invoice_number"),
        header_fields=("invoice_date", "received_on", "currency", "terms", "total", "remit_to", "defect_contact")),
}


@dataclass
class Group:
    """One document's rows: ``rows[i]`` is the file row of line ``i``."""

    key: tuple[str, ...]
    rows: list[int] = field(default_factory=list)
    values: list[dict[str, str]] = field(default_factory=list)

    @property
    def first_row(self) -> int:
        return self.rows[0]

    def header(self, column: str) -> str:
        return self.values[0].get(column, "").strip()


def read_groups(kind: str, text: str) -> tuple[list[Group], list[RowError]]:
    """Split a CSV file into documents; check the header, blank required cells and disagreeing headers."""
    layout = LAYOUTS[kind]
    errors: list[RowError] = []
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    columns = [c.strip() for c in reader.fieldnames or []]
    reader.fieldnames = columns
    for missing in [c for c in layout.required if c not in columns]:
        errors.append(RowError(HEADER_ROW, missing, "required column is missing", "missing_column"))
    for unknown in [c for c in columns if c not in layout.required + layout.optional]:
        errors.append(RowError(HEADER_ROW, unknown, "unknown column", "unknown_column"))
    if errors:
        return [], errors
    groups: dict[tuple[str, ...], Group] = {}
    for offset, raw in enumerate(reader):
        row = offset + 2
        if None in raw:
            errors.append(RowError(row, "", "more cells than columns", "extra_cells"))
            continue
        values = {k: (v or "").strip() for k, v in raw.items()}
        if not any(values.values()):
            continue  # a blank line
        for column, value in values.items():
            if (bad := find_forbidden(value, multiline=False)) is not None:
                errors.append(RowError(row, column, f"holds the control or bidirectional character {bad}",
                                       "forbidden_character"))
        for column in layout.required:
            if not values.get(column):
                errors.append(RowError(row, column, "required value is blank", "blank"))
        key = tuple(values.get(c, "") for c in layout.key)
        group = groups.setdefault(key, Group(key))
        if group.rows:
            for column in layout.header_fields:
                if values.get(column, "") != group.header(column):
                    errors.append(RowError(row, column, f"differs from row {group.first_row} of the same document",
                                           "header_differs"))
        group.rows.append(row)
        group.values.append(values)
    if not groups and not errors:
        errors.append(RowError(HEADER_ROW, "", "the file has no rows", "empty_file"))
    return list(groups.values()), errors


class Cells:
    """Typed access to one row's cells; every failure is recorded, the caller gets None and carries on."""

    def __init__(self, row: int, values: Mapping[str, str], errors: list[RowError]) -> None:
        self.row, self._values, self._errors = row, values, errors

    def fail(self, column: str, message: str, code: str = "invalid_value") -> None:
        self._errors.append(RowError(self.row, column, message, code))

    def text(self, column: str, default: str = "") -> str:
        return self._values.get(column, "") or default

    def _parse(self, column: str, parse: Callable[[str], Any], what: str) -> Any:
        raw = self._values.get(column, "")
        if not raw:
            return None
        try:
            return parse(raw)
        except (ValueError, InvalidOperation, ArithmeticError):
            self.fail(column, f"{raw!r} is not {what}")
            return None

    def decimal(self, column: str) -> Decimal | None:
        value: Decimal | None = self._parse(column, lambda s: Decimal(_ascii(s).replace(",", "")),
                                            "a decimal number in ASCII digits")
        if value is not None and not value.is_finite():
            self.fail(column, "is not a finite number")
            return None
        return value

    def integer(self, column: str) -> int | None:
        value: int | None = self._parse(column, lambda s: int(_ascii(s)), "a whole number in ASCII digits")
        return value

    def date(self, column: str) -> dt.date | None:
        value: dt.date | None = self._parse(column, dt.date.fromisoformat, "a date (YYYY-MM-DD)")
        return value

    def choice(self, column: str, allowed: Iterable[str]) -> str | None:
        raw = self._values.get(column, "")
        allowed = tuple(allowed)
        if raw and raw not in allowed:
            self.fail(column, f"{raw!r} is not one of {', '.join(allowed)}")
            return None
        return raw or None


def _ascii(text: str) -> str:
    """Numbers in ASCII digits only: int() and Decimal() also read Arabic-Indic and fullwidth digits."""
    if not text.isascii():
        raise ValueError(text)
    return text


def to_minor_units(amount: Decimal, exponent: int) -> int | None:
    """A major-unit amount as minor units, or None if it has more places than the currency."""
    scaled = amount.scaleb(exponent)
    return int(scaled) if scaled == scaled.to_integral_value() else None
