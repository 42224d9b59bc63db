"""Form 1099-NEC files for the IRS's IRIS Taxpayer Portal (CSV upload), and the pre-filing report.

The columns, their header text and rules come from one data file per form and tax year
(``adapters/exports/iris/1099-NEC-<year>.toml``); a year without its file is refused by name. Every value is checked
against its column's rules before anything is written: a problem names the vendor, the column and why, and no
file is written (a portal upload that fails half-way is worse than none). Files are split at the per-file limit:
``1099-NEC-2026-001.csv``, ``-002`` … The filing files carry the full TIN (the IRS needs it); the pre-filing report
(``1099-NEC-2026-prefiling.csv``) masks it and lists vendors over the threshold with no TIN on file, who are left
out of the filing files until one is.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from adapters.exports.csv_export import Cell, csv_lines
from ledger.money import minor_exponent
from payments.reporting.form_1099 import Form1099Year, VendorYear, mask

TEMPLATES = Path(__file__).with_name("iris")


class IrisFileRefused(Exception):
    code = "iris_file_refused"

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


@dataclass(frozen=True, slots=True)
class Payer:
    tin: str
    name: str
    address: str
    city: str
    state: str
    zip: str


def template(form: str, year: int) -> dict[str, Any]:
    path = TEMPLATES / f"{form}-{year}.toml"
    if not path.exists():
        known = sorted(p.stem for p in TEMPLATES.glob(f"{form}-*.toml"))
        raise IrisFileRefused([f"no IRIS template for {form} tax year {year} ({path.name}); known: {', '.join(known)}"])
    return tomllib.loads(path.read_text(encoding="utf-8"))


def _money(amount_minor: int, currency: str) -> Decimal:
    exponent = minor_exponent(currency)
    return Decimal(amount_minor).scaleb(-exponent).quantize(Decimal(1).scaleb(-exponent))


def _values(v: VendorYear, payer: Payer) -> dict[str, Cell]:
    a = v.address
    return {
        "payer_tin": payer.tin.replace("-", ""), "payer_name": payer.name, "payer_address": payer.address,
        "payer_city": payer.city, "payer_state": payer.state, "payer_zip": payer.zip,
        "recipient_tin_type": "SSN" if v.is_individual else "EIN", "recipient_tin": v.tin,
        "recipient_name": v.name, "recipient_address": a.get("line1"), "recipient_city": a.get("city"),
        "recipient_state": a.get("state"), "recipient_zip": a.get("zip") or a.get("postal_code"),
        "account_number": v.vendor_id[-20:], "box1_nonemployee_compensation": _money(v.paid_minor, v.currency),
        "box4_federal_income_tax_withheld": Decimal("0.00"),
    }


def _check(columns: list[Mapping[str, Any]], who: str, values: Mapping[str, Cell]) -> list[str]:
    problems = []
    for c in columns:
        value = values.get(c["field"])
        text = "" if value is None else str(value)
        where = f"{who}: {c['header']} ({c['field']})"
        if c.get("required") and not text:
            problems.append(f"{where} is required and empty")
        elif "max_length" in c and len(text) > c["max_length"]:
            problems.append(f"{where} is {len(text)} characters, over {c['max_length']}")
        elif c.get("digits") and text and (not text.isdigit() or len(text) != c["max_length"]):
            problems.append(f"{where} must be exactly {c['max_length']} digits")
    return problems


def write_1099_files(run: Form1099Year, payer: Payer, out: Path, *, max_per_file: int | None = None,
                     form: str = "1099-NEC") -> list[Path]:
    spec = template(form, run.year)
    columns = spec["columns"]
    filed = list(run.filed)  # a vendor missing a TIN or held for a TIN mismatch waits in the pre-filing report
    rows = [_values(v, payer) for v in filed]
    problems = [p for v, values in zip(filed, rows, strict=True) for p in _check(columns, f"vendor {v.vendor_id}", values)]
    if problems:
        raise IrisFileRefused(problems)
    limit = max_per_file or int(spec["max_records_per_file"])
    if limit < 1:
        raise IrisFileRefused([f"max_records_per_file must be at least 1, not {limit}"])
    out.mkdir(parents=True, exist_ok=True)
    written = []
    header = [c["header"] for c in columns]
    for n, start in enumerate(range(0, len(rows), limit), start=1):
        path = out / f"{form}-{run.year}-{n:03d}.csv"
        chunk = ([values.get(c["field"]) for c in columns] for values in rows[start:start + limit])
        path.write_text("".join(csv_lines(header, chunk)), encoding="utf-8")
        written.append(path)
    prefiling = out / f"{form}-{run.year}-prefiling.csv"
    report = [[v.vendor_id, v.name, mask(v.tin, v.tin_last4), _money(v.paid_minor, v.currency), "missing TIN"]
              for v in run.missing_tin]
    report += [[v.vendor_id, v.name, mask(v.tin, v.tin_last4), _money(v.paid_minor, v.currency),
                run.tin_mismatch[v.vendor_id]] for v in run.reportable if v.vendor_id in run.tin_mismatch]
    prefiling.write_text("".join(csv_lines(["vendor_id", "name", "tin", "paid", "problem"], report)),
                         encoding="utf-8")
    return [*written, prefiling]
