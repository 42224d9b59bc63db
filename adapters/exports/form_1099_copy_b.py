"""A vendor's Form 1099-NEC, Copy B (For Recipient), as a printable PDF written by fpdf2 (the library of the
remittance advice PDFs: pure Python, no system library).

This is a *substitute* recipient statement, as Publication 1179 (*General Rules and Specifications for Substitute
Forms 1096, 1098, 1099, 5498, and Certain Other Information Returns*) allows a payer to furnish: it carries the
form's title, tax year, the payer's name, address and TIN, the recipient's name, address and TIN, the account
number, box 1 (nonemployee compensation) and box 4 (federal income tax withheld, which Disburse never withholds),
and the legend the official Copy B bears. The recipient's TIN is truncated to its last four digits, which Treasury
Regulation 301.6109-4 permits on payee statements; the full TIN goes only into the filing file.
"""

from __future__ import annotations

from decimal import Decimal

from fpdf import FPDF

from adapters.exports.iris_csv import Payer
from ledger.money import minor_exponent
from payments.reporting.form_1099 import VendorYear

LEGEND = ("This is important tax information and is being furnished to the IRS. If you are required to file a "
          "return, a negligence penalty or other sanction may be imposed on you if this income is taxable and the "
          "IRS determines that it has not been reported.")


def _latin1(text: str) -> str:
    return text.encode("latin-1", "replace").decode("latin-1")


def _dollars(minor: int, currency: str) -> str:
    return f"${Decimal(minor).scaleb(-minor_exponent(currency)):,.2f}"


def _payer_tin(tin: str) -> str:
    digits = "".join(c for c in tin if c.isdigit())
    return f"{digits[:2]}-{digits[2:]}" if len(digits) == 9 else tin


def copy_b_pdf(vendor: VendorYear, payer: Payer, year: int) -> bytes:
    """Copy B for one reported vendor (``vendor`` as the 1099 run found it, its TIN masked)."""
    pdf = FPDF(format="Letter")
    pdf.set_title(_latin1(f"Form 1099-NEC {year} Copy B - {vendor.name}"))
    pdf.set_lang("en")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 9, f"Form 1099-NEC  Nonemployee Compensation  {year}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(0, 7, "Copy B - For Recipient", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    address = vendor.address
    street = address.get("line1", "")
    place = " ".join(x for x in (address.get("city", ""), address.get("state", ""),
                                 address.get("zip", "") or address.get("postal_code", "")) if x)
    facts = [
        ("PAYER'S name and address", f"{payer.name}, {payer.address}, {payer.city} {payer.state} {payer.zip}"),
        ("PAYER'S TIN", _payer_tin(payer.tin)),
        ("RECIPIENT'S name", vendor.name),
        ("Street address", street),
        ("City, state, ZIP", place),
        ("RECIPIENT'S TIN", f"***-**-{vendor.tin_last4}" if vendor.tin_last4 else "-"),
        ("Account number", vendor.vendor_id),
        ("1 Nonemployee compensation", _dollars(vendor.paid_minor, vendor.currency)),
        ("4 Federal income tax withheld", _dollars(0, vendor.currency)),
    ]
    for label, value in facts:
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(70, 7, _latin1(label), border="B")
        pdf.set_font("Helvetica", "", 10)
        pdf.cell(0, 7, _latin1(value), border="B", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(5)
    pdf.set_font("Helvetica", "", 9)
    pdf.multi_cell(0, 5, LEGEND)
    pdf.ln(2)
    pdf.multi_cell(0, 5, "Substitute statement (Publication 1179). Keep for your records. Department of the Treasury "
                         "- Internal Revenue Service.")
    return bytes(pdf.output())
