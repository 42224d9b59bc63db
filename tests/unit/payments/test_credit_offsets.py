"""Worked examples of taking a vendor's credits against its payment (``credit_offsets.apply_credits``), and of the
early-payment discount the credit's part of an invoice does not earn."""

from __future__ import annotations

import datetime as dt

from payments.ap.vendor_credits import VendorCredit
from payments.disbursements.credit_offsets import apply_credits
from payments.disbursements.payment_runs import PlannedItem, PlannedPayment, RunPlan
from payments.disbursements.payment_states import PaymentKind
from payments.disbursements.rails import RailSec

DAY = dt.date(2026, 11, 16)


def plan_paying(*items: PlannedItem) -> RunPlan:
    payment = PlannedPayment("ven_acme", "bac_1", "Acme", "USD", PaymentKind.LIVE, RailSec.CCD, items)
    return RunPlan(DAY, DAY + dt.timedelta(days=1), "USD", (payment,))


def chairs(amount: int, discount: int, invoice_id: str = "inv_1") -> PlannedItem:
    return PlannedItem(invoice_id, invoice_id.upper(), amount, discount, 0, DAY, DAY)


def credit(amount: int, receivable: int = 0) -> VendorCredit:
    return VendorCredit("cm_1", "100", "ven_acme", "USD", "CM-1", DAY, amount, receivable)


def test_a_credit_smaller_than_the_discounted_invoice_leaves_the_discount_whole():
    [paid] = apply_credits(plan_paying(chairs(20_000, 400)), [credit(10_000)]).payments
    assert (paid.items[0].discount_minor, paid.credits[0].amount_minor, paid.amount_minor) == (400, 10_000, 9_600)


def test_the_part_of_an_invoice_a_credit_settles_earns_no_discount():
    # $198 of credit against a $200 invoice with a $4 discount: $196 after discount would leave $2 of credit
    # counted against a liability that is gone; the discount shrinks to $2 and the credit settles it all.
    [paid] = apply_credits(plan_paying(chairs(20_000, 400)), [credit(19_800)]).payments
    assert (paid.items[0].discount_minor, paid.credits[0].amount_minor, paid.amount_minor) == (200, 19_800, 0)
    [whole] = apply_credits(plan_paying(chairs(20_000, 400)), [credit(30_000)]).payments
    assert (whole.items[0].discount_minor, whole.credits[0].amount_minor, whole.amount_minor) == (0, 20_000, 0)


def test_a_credit_already_in_vendor_credits_receivable_does_not_cut_the_discount():
    # Only the part still counted against Vouchers payable can be left over; a receivable part clears on its own.
    [paid] = apply_credits(plan_paying(chairs(20_000, 400)), [credit(30_000, receivable=30_000)]).payments
    assert (paid.items[0].discount_minor, paid.credits[0].receivable_minor, paid.amount_minor) == (400, 19_600, 0)
