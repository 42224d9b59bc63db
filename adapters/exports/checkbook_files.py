"""The open checkbook on disk: ``checkbook.csv``, ``checkbook.json`` and ``datapackage.json`` in one folder.

``datapackage.json`` is a Frictionless Data Package whose two resources share one Table Schema (the data
dictionary: every field, its type, what it means). The rows are written once, to both data files at the same time,
as they stream in; each goes to a temporary file beside its target and replaces it with ``os.replace`` only when
its bytes differ, so a reader never sees half a file and publishing unchanged data touches nothing.

CSV cells go through ``csv_export`` (formula injection neutralised: a text cell starting ``=`` gets a leading
apostrophe there, never in the JSON); amounts are in major units with the currency's decimals (``1234.50``),
with ``amount_minor`` beside them.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from adapters.exports.csv_export import Cell, csv_lines
from ledger.money import minor_exponent
from payments.reporting.checkbook import CheckbookRow, CheckbookStatus, Publication

CSV_NAME, JSON_NAME, PACKAGE_NAME = "checkbook.csv", "checkbook.json", "datapackage.json"

# (name, Table Schema type, required, description): the data dictionary, in column order.
FIELDS: tuple[tuple[str, str, bool, str], ...] = (
    ("payment_id", "string", True, "Disburse's id of the payment (pay_...); one payment may pay several invoices"),
    ("invoice_id", "string", True, "Disburse's id of the invoice this row pays (inv_...)"),
    ("payment_date", "date", True, "The payment's effective (settlement) date"),
    ("payee", "string", True, "The vendor's legal name, or 'Redacted payee' when the payee is a person"),
    ("payee_redacted", "boolean", True, "true when the payee is a natural person and the name is withheld"),
    ("amount", "number", True, "What this payment paid for this invoice (after discount, with interest), major units"),
    ("amount_minor", "integer", True, "The same amount in minor units (cents)"),
    ("currency", "string", True, "ISO 4217 currency code"),
    ("fund", "string", True, "The fund charged"),
    ("department", "string", False, "The department charged (the invoice's first line)"),
    ("object_code", "string", False, "The object (category of spend) charged"),
    ("description", "string", False, "What was bought: the purchase order's description"),
    ("method", "string", True, "How the money moved: ACH or credit transfer"),
    ("po_number", "string", False, "The purchase order (contract) number"),
    ("invoice_number", "string", False, "The vendor's invoice number (withheld when the payee is redacted)"),
    ("status", "string", True, "paid, or returned when the payee's bank sent the money back"),
)


def table_schema() -> dict[str, Any]:
    fields: list[dict[str, Any]] = []
    for name, kind, required, description in FIELDS:
        field: dict[str, Any] = {"name": name, "type": kind, "description": description}
        constraints: dict[str, Any] = {"required": True} if required else {}
        if name == "status":
            constraints["enum"] = [s.value for s in CheckbookStatus]
        if name == "currency":
            constraints["pattern"] = "[A-Z]{3}"
        if constraints:
            field["constraints"] = constraints
        if kind == "boolean":
            field.update(trueValues=["true"], falseValues=["false"])
        fields.append(field)
    return {"fields": fields, "primaryKey": ["payment_id", "invoice_id"], "missingValues": [""]}


def data_package() -> dict[str, Any]:
    schema = table_schema()
    return {
        "name": "open-checkbook",
        "title": "Open checkbook: every payment the agency made",
        "description": "One row per invoice paid. Payments to people are published as 'Redacted payee'; no bank "
                       "account, TIN or address is ever published. Returned payments stay, marked returned.",
        "licenses": [{"name": "CC0-1.0", "path": "https://creativecommons.org/publicdomain/zero/1.0/",
                      "title": "CC0 1.0"}],
        "resources": [
            {"name": "checkbook", "path": CSV_NAME, "profile": "tabular-data-resource", "format": "csv",
             "mediatype": "text/csv", "encoding": "utf-8", "schema": schema},
            {"name": "checkbook-json", "path": JSON_NAME, "profile": "tabular-data-resource", "format": "json",
             "mediatype": "application/json", "encoding": "utf-8", "schema": schema},
        ],
    }


def _major(amount_minor: int, currency: str) -> Decimal:
    exponent = minor_exponent(currency)
    return Decimal(amount_minor).scaleb(-exponent).quantize(Decimal(1).scaleb(-exponent))


def checkbook_cells(row: CheckbookRow) -> list[Cell]:
    """One row's cells in ``FIELDS`` order: the published files', and the public pages' downloads."""
    return [row.payment_id, row.invoice_id, row.payment_date.isoformat(), row.payee, row.payee_redacted,
            _major(row.amount_minor, row.currency), row.amount_minor, row.currency, row.fund, row.department,
            row.object_code, row.description, row.method, row.po_number, row.invoice_number or None,
            row.status.value]


def _json_object(cells: list[Cell]) -> str:
    """One row as a JSON object; the amount is written as the exact decimal text, never through a float."""
    parts = []
    for (name, _kind, _required, _description), value in zip(FIELDS, cells, strict=True):
        text = format(value, "f") if isinstance(value, Decimal) else json.dumps(value, ensure_ascii=False)
        parts.append(f"{json.dumps(name)}: {text}")
    return "{" + ", ".join(parts) + "}"


class StagedFile:
    """A file written beside its target and hashed as it goes; ``commit`` replaces the target only on a change."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        self.digest = hashlib.sha256()
        self.stream: IO[bytes] = self.temp.open("wb")

    def write(self, text: str) -> None:
        data = text.encode("utf-8")
        self.digest.update(data)
        self.stream.write(data)

    def commit(self) -> bool:
        self.stream.close()
        if self.target.exists() and _sha256(self.target) == self.digest.hexdigest():
            self.temp.unlink()
            return False
        os.replace(self.temp, self.target)
        return True

    def abandon(self) -> None:
        self.stream.close()
        self.temp.unlink(missing_ok=True)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class CheckbookFiles:
    """``CheckbookWriter`` over a publication folder (created if missing)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def publish(self, rows: Iterable[CheckbookRow]) -> Publication:
        self.folder.mkdir(parents=True, exist_ok=True)
        staged = [StagedFile(self.folder / name) for name in (CSV_NAME, JSON_NAME, PACKAGE_NAME)]
        csv_file, json_file, package_file = staged
        count = 0
        try:
            def cells() -> Iterable[list[Cell]]:
                nonlocal count
                json_file.write("[")
                for row in rows:
                    values = checkbook_cells(row)
                    json_file.write(("\n" if count == 0 else ",\n") + _json_object(values))
                    count += 1
                    yield values
                json_file.write("\n]\n")

            for line in csv_lines([f[0] for f in FIELDS], cells()):
                csv_file.write(line)
            package_file.write(json.dumps(data_package(), indent=2, ensure_ascii=False) + "\n")
        except BaseException:
            for s in staged:
                s.abandon()
            raise
        changed = [s.commit() for s in staged]
        return Publication(rows=count, changed=any(changed), files=tuple(str(s.target) for s in staged))
