"""Documents: status transitions, money rounding and display."""

from datetime import date
from decimal import Decimal

import pytest

from payments.ap.documents import (CreditMemoStatus, DiversityCertification, InvoiceStatus, POStatus,
                                   ReceiptStatus, TransitionNotAllowed, Vendor, VendorStatus, allowed_targets,
                                   counts_as_billed, transition)
from payments.ap.amounts import extend_minor, format_money

from .stories import po_line, purchase_order, receipt


def test_a_po_goes_from_draft_to_approved_to_closed_and_may_reopen_until_finally_closed():
    status = transition(POStatus.DRAFT, POStatus.APPROVED)
    status = transition(status, POStatus.CLOSED)
    status = transition(status, POStatus.APPROVED)
    status = transition(status, POStatus.FINALLY_CLOSED)
    with pytest.raises(TransitionNotAllowed) as err:
        transition(status, POStatus.APPROVED)
    assert err.value.code == "transition_not_allowed"
    assert err.value.details == {"kind": "POStatus", "current": "finally_closed", "target": "approved"}


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (POStatus.DRAFT, POStatus.CLOSED),
        (InvoiceStatus.PAID, InvoiceStatus.CANCELLED),
        (InvoiceStatus.RETURNED, InvoiceStatus.MATCHED),
        (InvoiceStatus.HELD, InvoiceStatus.APPROVED),  # a held invoice must match (or be released) first
        (InvoiceStatus.HELD, InvoiceStatus.HELD),
        (ReceiptStatus.POSTED, ReceiptStatus.DRAFT),
        (CreditMemoStatus.APPLIED, CreditMemoStatus.CANCELLED),
        (VendorStatus.PENDING, VendorStatus.ON_HOLD),
        (POStatus.DRAFT, InvoiceStatus.MATCHED),  # a status of another kind of document
    ],
)
def test_transitions_that_are_refused(current, target):
    with pytest.raises(TransitionNotAllowed):
        transition(current, target)


def test_an_invoice_path_through_hold_to_payment():
    status = InvoiceStatus.ENTERED
    for target in (InvoiceStatus.HELD, InvoiceStatus.MATCHED, InvoiceStatus.APPROVED, InvoiceStatus.PAID):
        status = transition(status, target)
    assert status is InvoiceStatus.PAID


def test_only_matched_approved_and_paid_invoices_count_as_billed():
    assert {s for s in InvoiceStatus if counts_as_billed(s)} == {
        InvoiceStatus.MATCHED, InvoiceStatus.APPROVED, InvoiceStatus.PAID,
    }


def test_every_status_has_a_row_in_the_transition_table():
    for enum_type in (VendorStatus, POStatus, ReceiptStatus, InvoiceStatus, CreditMemoStatus):
        for member in enum_type:
            assert allowed_targets(member) <= set(enum_type)


def test_sub_cent_unit_prices_round_half_up_once_on_the_extended_amount():
    # 2,500 sheets at 0.4 cents = 1,000 cents; 3 sheets at 0.5 cents = 1.5 cents -> 2
    assert extend_minor(Decimal(2500), Decimal("0.4")) == 1000
    assert extend_minor(Decimal(3), Decimal("0.5")) == 2
    assert purchase_order("PO-1", po_line(qty=10, price_minor=12_000)).total_minor == 120_000


def test_money_is_shown_with_the_currency_s_own_decimals():
    assert format_money(123_456, "USD") == "1,234.56 USD"
    assert format_money(500, "JPY") == "500 JPY"
    assert format_money(Decimal("0.4"), "USD") == "0.004 USD"


def test_diversity_certifications_are_valid_only_within_their_dates():
    cert = DiversityCertification("woman_owned", "SBA", date(2025, 1, 1), date(2026, 12, 31))
    vendor = Vendor("ven_1", "Acme Furniture LLC", VendorStatus.ACTIVE, "net 30", True, (cert,))
    assert vendor.certifications_valid_on(date(2026, 6, 1)) == (cert,)
    assert vendor.certifications_valid_on(date(2027, 1, 1)) == ()


def test_a_return_to_vendor_is_a_negative_receipt():
    assert receipt("r9", (1, -2)).is_return
    assert not receipt("r1", (1, 2)).is_return
