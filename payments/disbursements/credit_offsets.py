"""Deducting a vendor's open credits from its payments in a run. Pure.

A run plans each vendor's payment from its approved invoices; then the vendor's open credits (``VendorCredit``) in
the same fund are taken against it, oldest first, the part already off Vouchers payable before the part in Vendor
credits receivable, never more than the payment's invoices come to in that fund. The payment's amount is what its
invoices come to less the credits it takes, and its remittance names each credit: two or more lines, so a rail that
carries CTX sends the X12 820 with an ADX adjustment per credit.

An early-payment discount is for money paid early: the part of an invoice the vendor's own credit settles earns
none. Where the credit already off Vouchers payable in a fund is more than the payment's invoices come to after their
discounts, the discounts shrink by the difference (``_discount_for_credit``), so that the credit taken covers what
the invoices left on Vouchers payable and none of it is left counted against a liability that is gone: otherwise
the discount and the credit together would take Vouchers payable below zero (found by issue 11's invariants).

A payment whose credits cover all of it moves no money: it is settled by offset alone (``payment_submission``
keeps it out of the rail's file and records it sent and settled with the rest of its run).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from payments.ap.vendor_credits import CreditTaken, VendorCredit, take
from payments.disbursements.payment_records import PaymentRecord
from payments.disbursements.payment_runs import PlannedItem, PlannedPayment, RunPlan
from payments.disbursements.payment_states import PaymentKind
from payments.disbursements.rails import RailCapabilities, RailSec


OFFSET_ONLY = "offset-only"
"""The receipt reference of a run whose every payment is settled by credits alone (nothing went to the rail)."""


def offset_only(p: PaymentRecord) -> bool:
    """A live payment its vendor's credits cover whole: it moves no money and never goes to the rail."""
    return p.kind is PaymentKind.LIVE and p.amount_minor == 0 and bool(p.credits)


def _taken(credit: VendorCredit, taken: CreditTaken) -> VendorCredit:
    return replace(credit, applied_minor=credit.applied_minor + taken.payable_minor,
                   offset_receivable_minor=credit.offset_receivable_minor + taken.receivable_minor)


def _sec(payment: PlannedPayment, capabilities: RailCapabilities | None) -> RailSec:
    """Invoice and credit are two remittance lines: CTX where the rail carries it (a person's PPD stays PPD)."""
    if payment.sec_code is RailSec.CCD and (capabilities is None or RailSec.CTX in capabilities.sec_codes):
        return RailSec.CTX
    return payment.sec_code


def _discount_for_credit(items: tuple[PlannedItem, ...], fund: str, payable_open_minor: int
                         ) -> tuple[PlannedItem, ...]:
    """``items`` with the discounts of ``fund``'s invoices cut by what of the payable credit would exceed what they
    come to after discount (never below zero; invoices in id order)."""
    excess = payable_open_minor - sum(i.paid_minor for i in items if i.fund == fund)
    if excess <= 0:
        return items
    out = []
    for item in sorted(items, key=lambda i: i.invoice_id):
        cut = min(item.discount_minor, excess) if item.fund == fund else 0
        excess -= cut
        out.append(replace(item, discount_minor=item.discount_minor - cut) if cut else item)
    order = {i.invoice_id: n for n, i in enumerate(items)}
    return tuple(sorted(out, key=lambda i: order[i.invoice_id]))


def apply_credits(plan: RunPlan, credits: Iterable[VendorCredit],
                  capabilities: RailCapabilities | None = None) -> RunPlan:
    """``plan`` with each live payment's open credits taken (deterministic: same inputs, same credits)."""
    open_: dict[tuple[str, str, str], VendorCredit] = {
        (c.vendor_id, c.credit_memo_id, c.fund): c for c in credits if c.currency == plan.currency and c.open_minor > 0}
    if not open_:
        return plan
    payments = []
    for payment in plan.payments:
        if payment.kind is not PaymentKind.LIVE:
            payments.append(payment)
            continue
        mine = [c for (vendor, _, _), c in open_.items() if vendor == payment.vendor_id]
        for fund in sorted({i.fund for i in payment.items if i.discount_minor}):
            payable = sum(c.payable_open_minor for c in mine if c.fund == fund)
            payment = replace(payment, items=_discount_for_credit(payment.items, fund, payable))
        by_fund: dict[str, int] = {}
        for item in payment.items:
            by_fund[item.fund] = by_fund.get(item.fund, 0) + item.paid_minor
        taken: list[CreditTaken] = []
        for fund, gross in sorted(by_fund.items()):
            for t in take(mine, fund, gross):
                key = (payment.vendor_id, t.credit_memo_id, t.fund)
                open_[key] = _taken(open_[key], t)  # a later payment of this vendor sees what is left
                taken.append(t)
        if taken:
            payment = replace(payment, credits=tuple(taken))
            payment = replace(payment, sec_code=_sec(payment, capabilities))
        payments.append(payment)
    return replace(plan, payments=tuple(payments))
