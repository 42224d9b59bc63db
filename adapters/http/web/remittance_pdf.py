"""A payment's remittance advice as a PDF, written by fpdf2 (pure Python: ``pip install`` alone brings it, no
system library), in the reader's language: who was paid, how much, when, the trace number and EndToEndId, and
each invoice with its amount, discount, interest and what was paid for it.

The core PDF font covers Latin-1, which English and Spanish need; anything outside it (a payee's name in
another script) is written with a replacement character rather than failing the download.
"""

from __future__ import annotations

from typing import Any

from fpdf import FPDF

from adapters.http.web.formatting import money_text
from adapters.http.web.i18n import Language, translations
from payments.portal.portal_service import PaymentForVendor


def _latin1(text: str) -> str:
    return text.encode("latin-1", "replace").decode("latin-1")


def remittance_pdf(found: PaymentForVendor | Any, language: Language, timezone: str) -> bytes:
    """``found`` has ``payment`` (a PaymentRecord) and ``account_last4``: the portal's view or the staff page's."""
    _ = translations(language.code).gettext
    p = found.payment
    currency = p.currency

    def money(minor: int) -> str:
        return money_text(minor, currency, language.locale)

    pdf = FPDF(format="Letter")
    pdf.set_title(_latin1(_("Remittance advice") + f" {p.id}"))
    pdf.set_lang(language.code)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, _latin1(_("Remittance advice")), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    facts: list[tuple[str, Any]] = [
        (_("Paid to"), p.payee_name), (_("Payment"), p.id), (_("Amount"), money(p.amount_minor)),
        (_("Effective date"), p.effective_date.isoformat()), (_("Trace number"), p.trace_number or "-"),
        (_("EndToEndId"), p.external_id),
        (_("Account"), f"****{found.account_last4}" if found.account_last4 else "-"),
    ]
    for label, value in facts:
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(45, 6, _latin1(label))
        pdf.set_font("Helvetica", "", 10)
        pdf.cell(0, 6, _latin1(str(value)), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    widths = (40, 28, 30, 30, 30, 32)
    header = (_("Invoice"), _("Invoice date"), _("Amount"), _("Discount"), _("Interest"), _("Paid"))
    pdf.set_font("Helvetica", "B", 9)
    for w, h in zip(widths, header):
        pdf.cell(w, 7, _latin1(h), border="B")
    pdf.ln()
    pdf.set_font("Helvetica", "", 9)
    for i in p.items:
        cells = (i.invoice_number, i.invoice_date.isoformat() if i.invoice_date else "", money(i.amount_minor),
                 money(i.discount_minor), money(i.interest_minor), money(i.paid_minor))
        for n, (w, text) in enumerate(zip(widths, cells)):
            pdf.cell(w, 6, _latin1(text), align="R" if n >= 2 else "L")
        pdf.ln()
    for c in getattr(p, "credits", ()):  # the vendor's credits this payment deducted
        pdf.cell(sum(widths[:5]), 6, _latin1(_("Credit memo %(number)s") % {"number": c.memo_number}))
        pdf.cell(widths[5], 6, _latin1(money(-c.amount_minor)), align="R")
        pdf.ln()
    pdf.set_font("Helvetica", "B", 9)
    pdf.cell(sum(widths[:5]), 7, _latin1(_("Total paid")), border="T")
    pdf.cell(widths[5], 7, _latin1(money(p.amount_minor)), border="T", align="R")
    return bytes(pdf.output())
