"""The money invariants (issue 11), checked against a world after every step of a history.

Each check reads through the same services and queries the API and the portal use, and names what it found
wrong: a failing history says which promise broke, for which payment, invoice or fund.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from payments.identity import Principal
from tests.integration.money_world import APPROPRIATION, FURNITURE, World

LIVE = frozenset({"scheduled", "submitted", "sent", "settled"})
MONEY_OUT = frozenset({"sent", "settled"})
# What the portal may call an invoice, given its staff status (and whether its latest payment came back).
PORTAL_WORDS = {"entered": {"received"}, "held": {"held"}, "matched": {"matched"}, "cancelled": {"cancelled"},
                "returned": {"returned_to_vendor"}, "approved": {"approved", "scheduled", "returned"},
                "paid": {"paid", "sent"}}


def _credits(p: Any) -> int:
    return sum(c.amount_minor for c in getattr(p, "credits", ()))


def payments_equal_their_remittance(payments: list[Any]) -> None:
    """Each payment's amount is its remittance lines: invoice - discount + interest, less credits applied."""
    for p in payments:
        lines = sum(i.paid_minor for i in p.items)
        assert p.amount_minor == lines - _credits(p), (
            f"payment {p.id} is {p.amount_minor} but its remittance says {lines} - credits {_credits(p)}")
        assert p.amount_minor >= 0, f"payment {p.id} is negative: {p.amount_minor}"


def no_invoice_in_two_live_payments(payments: list[Any]) -> None:
    carried = Counter(i.invoice_id for p in payments if p.status.value in LIVE for i in p.items)
    twice = {invoice: n for invoice, n in carried.items() if n > 1}
    assert not twice, f"invoices in more than one live payment: {twice}"


def invoices_agree_with_payments(invoices: list[Any], payments: list[Any]) -> None:
    """An invoice is paid exactly when one sent or settled payment carries it (per vendor: what was sent minus what
    came back is what was approved, less discounts and credits, plus interest)."""
    out = {i.invoice_id: p for p in payments if p.status.value in MONEY_OUT for i in p.items}
    for r in invoices:
        inv = r.invoice
        paid_by = out.get(inv.id)
        if inv.status.value == "paid":
            assert paid_by is not None, f"invoice {inv.id} is paid but no sent or settled payment carries it"
            assert paid_by.vendor_id == inv.vendor_id, f"invoice {inv.id} paid to vendor {paid_by.vendor_id}"
            [item] = [i for i in paid_by.items if i.invoice_id == inv.id]
            assert item.amount_minor == inv.total_minor, (
                f"payment {paid_by.id} carries invoice {inv.id} for {item.amount_minor}, not its {inv.total_minor}")
        else:
            assert paid_by is None, f"invoice {inv.id} is {inv.status.value} yet payment {paid_by.id} paid it"


def paid_only_to_cleared_accounts(world: World, sent_now: list[Any], accounts: dict[str, Any],
                                  holds: dict[str, list[str]]) -> None:
    """A payment the rail accepted went to an account that was active and carried no hold when it was claimed."""
    for p in sent_now:
        account = accounts.get(p.account_id)
        assert account is not None and account.status.value == "active", (
            f"payment {p.id} went to account {p.account_id}, which was "
            f"{account.status.value if account else 'unknown'} when the run was claimed")
        assert not holds.get(p.vendor_id), f"payment {p.id} paid {p.vendor_id} despite holds {holds[p.vendor_id]}"


def budget_not_overrun(world: World, invoices: list[Any]) -> None:
    """Encumbered + expended stay within the appropriation, beyond it only by what treasurers overrode."""
    line = world.ap.budgets.availability(FURNITURE, fiscal_year=2027)
    used = line.encumbered_minor + line.expended_minor
    allowed = sum(int(h.finding.get("need_minor", 0)) for r in invoices for h in world.ap.invoices.view(
        r.invoice.id).holds if h.hold == "insufficient_funds" and h.release_kind == "manual") if used > APPROPRIATION \
        else 0
    assert used <= APPROPRIATION + allowed, (
        f"furniture FY2027: encumbered {line.encumbered_minor} + expended {line.expended_minor} = {used} > "
        f"appropriation {APPROPRIATION} + overrides {allowed}")


def journal_balances_and_verifies(world: World, invoices: list[Any]) -> None:
    with world.container.uow(read_only=True) as uow:
        rows = uow.ledger_queries.balances()
    per_fund: dict[tuple[str | None, str], int] = {}
    balance = {}
    for r in rows:
        key = (r.fund, r.currency)
        per_fund[key] = per_fund.get(key, 0) + r.debit_minor - r.credit_minor
        balance[(r.account, r.currency)] = r.balance_minor
    assert all(v == 0 for v in per_fund.values()), f"the journal does not balance per fund: {per_fund}"
    vouchers = balance.get(("100-2010", "USD"), 0)
    assert vouchers >= 0, f"Vouchers payable is below zero: {vouchers}"
    if not world.credits:
        # Without credit memos the liability is exactly what was approved and not yet sent.
        approved = sum(r.invoice.total_minor for r in invoices if r.invoice.status.value == "approved")
        assert vouchers == approved, f"Vouchers payable {vouchers} != approved, unsent invoices {approved}"
    result = world.container.ledger.verify()
    assert result.ok, result.describe()


def credits_sit_where_they_should(world: World, invoices: list[Any], payments: list[Any]) -> None:
    """With credit memos: Vouchers payable is what was approved and not sent, less the part of credits posted
    against it that no sent payment has taken; Vendor credits receivable is the rest of the credits, less what sent
    payments took of it and what refunds and write-offs cleared. Neither ever goes below zero."""
    if not world.credits:
        return
    with world.container.uow(read_only=True) as uow:
        credits = uow.vendor_credits.for_vendors(world.vendors.values(), open_only=False)
        balance = {(r.account, r.currency): r.balance_minor for r in uow.ledger_queries.balances()}
    taken = [t for p in payments if p.status.value in MONEY_OUT for t in p.credits]
    approved = sum(r.invoice.total_minor for r in invoices if r.invoice.status.value == "approved")
    vouchers = approved - sum(c.amount_minor - c.receivable_minor for c in credits) + sum(
        t.amount_minor - t.receivable_minor for t in taken)
    receivable = sum(c.receivable_minor - c.cleared_minor for c in credits) - sum(t.receivable_minor for t in taken)
    assert (balance.get(("100-2010", "USD"), 0), balance.get(("100-1310", "USD"), 0)) == (vouchers, receivable), (
        f"Vouchers payable / Vendor credits receivable {balance.get(('100-2010', 'USD'), 0)} / "
        f"{balance.get(('100-1310', 'USD'), 0)}, expected {vouchers} / {receivable}")
    for vendor in world.vendors.values():  # the same, vendor by vendor: what we owe each never goes below zero
        owed = sum(r.invoice.total_minor for r in invoices
                   if r.invoice.status.value == "approved" and r.invoice.vendor_id == vendor) - sum(
            c.amount_minor - c.receivable_minor for c in credits if c.vendor_id == vendor) + sum(
            t.amount_minor - t.receivable_minor for p in payments if p.status.value in MONEY_OUT
            and p.vendor_id == vendor for t in p.credits)
        assert owed >= 0, f"Vouchers payable for vendor {vendor} is below zero: {owed}"
    assert receivable >= 0 and all(c.payable_open_minor >= 0 and c.receivable_open_minor >= 0 for c in credits), (
        f"a credit's open part went below zero: {credits}")


def portal_agrees_with_staff(world: World, invoices: list[Any], payments: list[Any]) -> None:
    by_id = {p.id: p for p in payments}
    for r in invoices:
        inv = r.invoice
        seen = world.portal.invoice(Principal.vendor_user(f"usr_{inv.vendor_id}", inv.vendor_id), inv.id)
        assert seen.record.invoice.total_minor == inv.total_minor, f"portal total of {inv.id} differs"
        assert seen.status in PORTAL_WORDS[inv.status.value], (
            f"invoice {inv.id} is {inv.status.value} to staff but {seen.status!r} in the portal")
        for shown in seen.payments:
            staff = by_id.get(shown.payment.id)
            assert staff is not None and staff.vendor_id == inv.vendor_id, f"portal shows {shown.payment.id}"
            assert (shown.payment.trace_number, shown.payment.amount_minor, shown.payment.status) == (
                staff.trace_number, staff.amount_minor, staff.status), f"portal and staff differ on {staff.id}"
            assert shown.payment.effective_date == staff.effective_date
            assert shown.payment.external_id == staff.external_id, f"portal and staff differ on {staff.id}'s EndToEndId"
            assert [(i.invoice_id, i.paid_minor, i.interest_minor) for i in shown.payment.items] == [
                (i.invoice_id, i.paid_minor, i.interest_minor) for i in staff.items], f"remittance of {staff.id} differs"


def reconciliation_ties_out(world: World, on: dt.date) -> None:
    """With every statement through ``on`` imported as the sandbox bank wrote it, Cash ties out to the cent and
    nothing is left for a person."""
    world.recon.service.reconcile(on)
    report = world.recon.queries.report(on)
    assert report.ties_out, report.describe()
    left = world.recon.queries.list_exceptions(status=None, kind=None, after=None, limit=100)
    still_open = [(e.kind, e.detail) for e in left if str(getattr(e.status, "value", e.status)) == "open"]
    assert not still_open, f"open exceptions with a mirrored bank: {still_open}"


def check_all(world: World) -> None:
    payments = world.payments.list_payments(limit=100_000)
    invoices = world.ap.invoices.list(after=None, limit=100_000)
    payments_equal_their_remittance(payments)
    no_invoice_in_two_live_payments(payments)
    invoices_agree_with_payments(invoices, payments)
    budget_not_overrun(world, invoices)
    journal_balances_and_verifies(world, invoices)
    credits_sit_where_they_should(world, invoices, payments)
    portal_agrees_with_staff(world, invoices, payments)
