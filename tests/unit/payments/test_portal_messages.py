"""What a vendor is told about each hold: its own facts in plain words, never our tolerance or another vendor."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from payments.ap.ap_records import InvoiceRecord, PromptPayDates, Stamp
from payments.ap.documents import Invoice, InvoiceLine, InvoiceStatus
from payments.ap.matching.match_findings import Hold
from payments.portal.portal_messages import NOT_YOUR_PO, VendorContext, hold_message, improper_message, vendor_code
from payments.portal.portal_timeline import InterestRules, accrued_interest
from payments.ap.prompt_pay import InterestRate, PromptPayPolicy, RateTable

ACME_PO, OTHER_PO = "po_01ACME", "po_01SUMMIT"
ACME = VendorContext("USD", {ACME_PO: "PO-2027-0001"}, {"inv_01EARLIER": ("A-2002", "2026-10-05")})


def finding(hold: Hold | str, *, po_id: str | None = ACME_PO, **extra) -> dict:  # noqa: ANN003
    value = hold.value if isinstance(hold, Hold) else hold
    return {"hold": value, "rule": "r", "subject": "s", "po_id": po_id, "po_line_no": 1, "invoice_line_nos": [1],
            "expected": "8", "actual": "10", "limit": "8.4", "related_ids": [], "detail": [],
            "explanation": "we can accept at most 8.4", **extra}


@pytest.mark.parametrize("hold", list(Hold))
def test_every_hold_of_matching_has_its_own_vendor_sentence_without_the_tolerance(hold):
    f = finding(hold)
    if hold is Hold.INVOICE_NOT_PROPER:
        f.update(po_id=None, detail=["missing_remit_to"])
    if hold is Hold.PRICE:
        f.update(expected="45000", actual="47000", limit="45900")
    text = hold_message(hold.value, f, ACME)
    assert text and "8.4" not in text and "459.00" not in text and "accept" not in text
    assert "staff are reviewing" not in text  # a sentence of its own, not the fallback


def test_a_quantity_hold_says_what_was_billed_and_received_on_the_vendors_own_order():
    text = hold_message("qty_received", finding(Hold.QTY_RECEIVED), ACME)
    assert text.startswith("Line 1 of this invoice bills purchase order PO-2027-0001 line 1.")
    assert "10 have now been billed, but we have received 8 so far" in text


def test_a_finding_about_another_vendors_purchase_order_names_nothing_of_it():
    for hold in (Hold.PRICE, Hold.QTY_ORDERED, Hold.VENDOR_MISMATCH, Hold.MAX_TOTAL):
        f = finding(hold, po_id=OTHER_PO, expected="ven_01SUMMIT")
        assert vendor_code(hold.value, f, ACME) == "vendor_mismatch"
        assert hold_message(hold.value, f, ACME) == NOT_YOUR_PO


def test_a_duplicate_is_named_only_when_the_earlier_invoice_is_the_vendors_own():
    own = finding(Hold.DUPLICATE_SUSPECTED, po_id=None, related_ids=["inv_01EARLIER"], detail=["same_number"])
    assert "your invoice A-2002 dated 2026-10-05" in hold_message("duplicate_suspected", own, ACME)
    assert "same invoice number" in hold_message("duplicate_suspected", own, ACME)
    foreign = finding(Hold.DUPLICATE_SUSPECTED, po_id=None, related_ids=["inv_01SOMEONE"], detail=["same_file"])
    text = hold_message("duplicate_suspected", foreign, ACME)
    assert "inv_01SOMEONE" not in text and "looks like one we already have" in text


def test_an_improper_invoice_lists_every_defect_in_one_message():
    defects = [finding(Hold.INVOICE_NOT_PROPER, po_id=None, detail=["missing_remit_to"], invoice_line_nos=[]),
               finding(Hold.INVOICE_NOT_PROPER, po_id=None, detail=["total_does_not_add_up"], invoice_line_nos=[],
                       expected="90000", actual="95000")]
    text = improper_message(defects, "USD")
    assert "does not say where to send payment" in text
    assert "The invoice total is 950.00 USD, but its lines add up to 900.00 USD." in text


def test_a_returned_payment_says_the_reason_code_and_what_to_do():
    text = hold_message("payment_returned", {"reason_code": "R02"}, ACME)
    assert "R02" in text and "closed" in text
    assert "confirm your bank details" in hold_message("bank_account_shared", {}, ACME)
    assert "another vendor" not in hold_message("bank_account_shared", {}, ACME)
    over = hold_message("over_rail_limit", {"detail": ["100000000"]}, ACME)
    assert "another way" in over and "100000000" not in over


# -- interest -----------------------------------------------------------------------------------------------

RULES = InterestRules(PromptPayPolicy("test"), RateTable([InterestRate(dt.date(2026, 7, 1), Decimal("0.045"))]))


def _approved(total_minor: int, due: dt.date) -> InvoiceRecord:
    invoice = Invoice("inv_01X", "ven_01X", "A-1", dt.date(2026, 10, 5), "USD",
                      (InvoiceLine(1, "po_1", 1, Decimal(1), Decimal(total_minor)),), status=InvoiceStatus.APPROVED)
    return InvoiceRecord(invoice, 1, Stamp(), Stamp(),
                         prompt_pay=PromptPayDates(receipt_date=due - dt.timedelta(days=30), due_date=due))


def test_ten_thousand_dollars_45_days_late_earn_56_dollars_32():
    """One whole 30-day period and 15 days at 4.5 %: 1,000,000 x ((1 + 0.045/12) x (1 + 0.045/360 x 15) - 1)
    = 1,000,000 x (1.00375 x 1.001875 - 1) = 5,632.03 cents -> 56.32."""
    got = accrued_interest(_approved(1_000_000, dt.date(2026, 11, 5)), "approved", [], 0, RULES, dt.date(2026, 12, 20))
    assert (got.state, got.days_late, got.annual_rate, got.interest_minor) == ("accruing", 45, Decimal("0.045"), 5632)


def test_no_interest_before_the_due_date_nor_while_held_and_under_a_dollar_is_not_payable():
    record = _approved(1_000_000, dt.date(2026, 11, 5))
    assert accrued_interest(record, "approved", [], 0, RULES, dt.date(2026, 11, 5)).state == "not_due"
    assert accrued_interest(record, "approved", [], 1, RULES, dt.date(2026, 12, 20)).state == "on_hold"
    small = accrued_interest(_approved(10_000, dt.date(2026, 11, 5)), "approved", [], 0, RULES, dt.date(2026, 11, 9))
    assert (small.interest_minor, small.payable_minor) == (5, 0)  # 100.00 x 4.5 %/360 x 4 = 0.05: owed, not paid
