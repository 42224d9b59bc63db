"""The journal entries AP events post (DESIGN.md §2), built as drafts by pure functions.

Accounts follow ``ledger.accounts``: per fund ``<fund>-2010`` Vouchers payable, ``-2020`` Goods received not
invoiced, ``-3050`` Reserve for encumbrances, ``-8040`` Budgetary fund balance; per fund, department and
object ``<fund>-5000-<dept>-<obj>`` Expenditures, ``-8020-…`` Appropriations, ``-8030-…`` Encumbrances.

Legs are collected as signed amounts per account and netted, so an entry never debits and credits the same
account, and a negative amount (a return, a price below the PO's) lands on the other side.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ledger.accounts import Direction
from ledger.entries import EntryDraft, Posting, new_entry_id
from payments.ap.documents import AccountCoding
from payments.ap.vendor_credits import vendor_credits_receivable


def expenditures(c: AccountCoding) -> str:
    return f"{c.fund}-5000-{c.department}-{c.object_code}"


def appropriations(c: AccountCoding) -> str:
    return f"{c.fund}-8020-{c.department}-{c.object_code}"


def encumbrances(c: AccountCoding) -> str:
    return f"{c.fund}-8030-{c.department}-{c.object_code}"


def vouchers_payable(fund: str) -> str:
    return f"{fund}-2010"


def goods_received_not_invoiced(fund: str) -> str:
    return f"{fund}-2020"


def reserve_for_encumbrances(fund: str) -> str:
    return f"{fund}-3050"


def budgetary_fund_balance(fund: str) -> str:
    return f"{fund}-8040"


def coding_label(c: AccountCoding) -> str:
    return f"fund {c.fund}, department {c.department}, object {c.object_code}"


_BUDGET_BASES = {"5000": "expended", "8020": "appropriated", "8030": "encumbered"}


def _coded_base(account: str) -> str | None:
    """``5000``/``8020``/``8030`` for a coded account (``<fund>-<base>-<dept>-<object>``), else None.
    (Fund, department and object are letters, digits and underscores: the hyphens are the separators.)"""
    parts = account.split("-")
    return parts[1] if len(parts) == 4 and parts[1] in _BUDGET_BASES else None


class Legs:
    """Signed amounts per account (debit positive), netted into postings.

    While ``fiscal_year`` is set, what lands on a coded budget account is also tallied for that year: an entry
    may touch one account for two years (an invoice billing POs of two fiscal years), which the netted postings
    cannot show, so the entry carries the split in ``data["budget_years"]``.
    """

    def __init__(self, currency: str, fiscal_year: int | None = None) -> None:
        self.currency = currency
        self.fiscal_year = fiscal_year
        self._net: dict[str, int] = {}
        self._years: dict[tuple[int, str], int] = {}

    def debit(self, account: str, amount_minor: int) -> Legs:
        self._net[account] = self._net.get(account, 0) + amount_minor
        if self.fiscal_year is not None and _coded_base(account):
            key = (self.fiscal_year, account)
            self._years[key] = self._years.get(key, 0) + amount_minor
        return self

    def credit(self, account: str, amount_minor: int) -> Legs:
        return self.debit(account, -amount_minor)

    def postings(self) -> tuple[Posting, ...]:
        out = []
        for account in sorted(self._net):
            amount = self._net[account]
            if amount:
                side = Direction.DEBIT if amount > 0 else Direction.CREDIT
                out.append(Posting(account, side, abs(amount), self.currency))
        return tuple(out)

    def budget_years(self) -> list[list[Any]]:
        """``[fiscal_year, account, signed amount (debit positive)]`` per year and coded account, none zero."""
        return [[year, account, amount] for (year, account), amount in sorted(self._years.items()) if amount]


def _entry(code: str, legs: Legs, *, effective_date: dt.date, memo: str, references: Mapping[str, str],
           data: Mapping[str, Any] | None = None) -> EntryDraft | None:
    postings = legs.postings()
    if not postings:
        return None  # nothing moved (e.g. a zero-amount change)
    data = dict(data or {})
    years = legs.budget_years()
    if years:
        data["budget_years"] = years
    return EntryDraft(id=new_entry_id(), effective_date=effective_date, code=code, postings=postings, memo=memo,
                      references=dict(references), data=data)


@dataclass(frozen=True, slots=True)
class BudgetEffect:
    """What entries did to one fiscal year's budget line, each on its normal side."""

    appropriated_minor: int = 0
    encumbered_minor: int = 0
    expended_minor: int = 0


BudgetKey = tuple[int, str, str, str, str]  # fiscal year, fund, department, object code, currency


def budget_effects(drafts: Iterable[EntryDraft]) -> dict[BudgetKey, BudgetEffect]:
    """Per fiscal year and coding, what ``drafts`` appropriated, encumbered and expended, read from the split
    they carry (``data["budget_years"]``). Summed over the whole journal, this is each year's budget line."""
    out: dict[BudgetKey, list[int]] = {}
    for draft in drafts:
        currency = draft.postings[0].currency if draft.postings else ""
        for year, account, amount in draft.data.get("budget_years", ()):
            fund, base, department, object_code = account.split("-")
            sums = out.setdefault((int(year), fund, department, object_code, currency), [0, 0, 0])
            if base == "8020":
                sums[0] -= amount  # appropriations are credits
            else:
                sums[1 if base == "8030" else 2] += amount
    return {key: BudgetEffect(*sums) for key, sums in out.items() if any(sums)}


def encumber(legs: Legs, coding: AccountCoding, amount_minor: int) -> None:
    """Dr Encumbrances, Cr Reserve for encumbrances; a negative amount liquidates (the reverse)."""
    legs.debit(encumbrances(coding), amount_minor).credit(reserve_for_encumbrances(coding.fund), amount_minor)


def accrue(legs: Legs, coding: AccountCoding, amount_minor: int) -> None:
    """Dr Expenditures, Cr Goods received not invoiced; negative for a return to the vendor."""
    legs.debit(expenditures(coding), amount_minor).credit(goods_received_not_invoiced(coding.fund), amount_minor)


@dataclass(frozen=True, slots=True)
class EncumbranceChange:
    coding: AccountCoding
    amount_minor: int  # positive encumbers, negative liquidates


def encumbrance_entry(code: str, changes: Iterable[EncumbranceChange], *, currency: str, effective_date: dt.date,
                      memo: str, references: Mapping[str, str], fiscal_year: int | None = None) -> EntryDraft | None:
    """``po_encumbered`` (approval), ``po_changed`` (change order), ``po_closed`` (remainder released) or
    ``po_reopened`` (encumbered again), charged
    to the purchase order's ``fiscal_year``."""
    legs = Legs(currency, fiscal_year)
    for change in changes:
        encumber(legs, change.coding, change.amount_minor)
    return _entry(code, legs, effective_date=effective_date, memo=memo, references=references)


@dataclass(frozen=True, slots=True)
class ReceiptAccrual:
    coding: AccountCoding
    accrued_minor: int  # received quantity x PO unit price (negative on a return)
    encumbrance_minor: int  # the change in encumbrance: negative liquidates, positive re-encumbers


def receipt_entry(accruals: Iterable[ReceiptAccrual], *, currency: str, effective_date: dt.date, memo: str,
                  references: Mapping[str, str], fiscal_year: int | None = None) -> EntryDraft | None:
    """``receipt_accrued``: the accrual and the liquidation of that part of the encumbrance, in one entry,
    charged to the purchase order's ``fiscal_year`` whatever day the goods arrive."""
    legs = Legs(currency, fiscal_year)
    for a in accruals:
        accrue(legs, a.coding, a.accrued_minor)
        encumber(legs, a.coding, a.encumbrance_minor)
    return _entry("receipt_accrued", legs, effective_date=effective_date, memo=memo, references=references)


@dataclass(frozen=True, slots=True)
class ApprovedLine:
    """One invoice line as approval posts it."""

    coding: AccountCoding
    amount_minor: int  # what the vendor billed for the line
    at_po_price_minor: int  # billed quantity x PO unit price
    two_way: bool  # nothing was accrued at receipt: expense now and liquidate the encumbrance
    encumbrance_minor: int = 0  # 2-way only: the change in encumbrance (negative liquidates)
    fiscal_year: int | None = None  # the fiscal year of the line's purchase order


def invoice_approved_entry(lines: Iterable[ApprovedLine], *, currency: str, effective_date: dt.date, memo: str,
                           references: Mapping[str, str], data: Mapping[str, Any]) -> EntryDraft | None:
    """``invoice_approved``: Dr GRNI at PO price (+ price variance to Expenditures), Cr Vouchers payable;
    a 2-way line: Dr Expenditures and liquidate its encumbrance, Cr Vouchers payable."""
    legs = Legs(currency)
    for line in lines:
        legs.fiscal_year = line.fiscal_year
        if line.two_way:
            legs.debit(expenditures(line.coding), line.amount_minor)
            encumber(legs, line.coding, line.encumbrance_minor)
        else:
            legs.debit(goods_received_not_invoiced(line.coding.fund), line.at_po_price_minor)
            legs.debit(expenditures(line.coding), line.amount_minor - line.at_po_price_minor)
        legs.credit(vouchers_payable(line.coding.fund), line.amount_minor)
    return _entry("invoice_approved", legs, effective_date=effective_date, memo=memo, references=references,
                  data=data)


@dataclass(frozen=True, slots=True)
class CreditedLine:
    """One credit memo line as it posts: the reverse of what approving that much of an invoice posted."""

    coding: AccountCoding
    amount_minor: int  # what the vendor credits
    at_po_price_minor: int  # credited quantity x PO unit price (0 for a price-only credit)
    two_way: bool  # expensed at approval: the credit comes off Expenditures and re-encumbers
    encumbrance_minor: int = 0  # 2-way only: the change in encumbrance (positive re-encumbers)
    fiscal_year: int | None = None  # the fiscal year of the line's purchase order


def credit_memo_entry(lines: Iterable[CreditedLine], *, currency: str, effective_date: dt.date, memo: str,
                      references: Mapping[str, str], code: str = "credit_memo_applied",
                      data: Mapping[str, Any] | None = None,
                      receivable_by_fund: Mapping[str, int] | None = None) -> EntryDraft | None:
    """``credit_memo_applied``: Dr Vouchers payable; a 3-/4-way line Cr Goods received not invoiced at PO price
    (the credited goods are received but, net, no longer invoiced) and the price difference to Expenditures;
    a 2-way line Cr Expenditures and re-encumber what it no longer spends while the PO is open.

    ``invoice_cancelled`` posts the same for every line of an approved invoice: its approval undone.
    (Not the ledger's mirror-image ``reversal``: a 2-way line re-encumbers by today's rule, which differs
    from the approval's liquidation when other invoices billed the line since.)

    ``receivable_by_fund``: the part of a credit that exceeds what the fund owes the vendor goes to Vendor
    credits receivable instead of Vouchers payable (``vendor_credits.split_credit``)."""
    legs = Legs(currency)
    for line in lines:
        legs.fiscal_year = line.fiscal_year
        legs.debit(vouchers_payable(line.coding.fund), line.amount_minor)
        if line.two_way:
            legs.credit(expenditures(line.coding), line.amount_minor)
            encumber(legs, line.coding, line.encumbrance_minor)
        else:
            legs.credit(goods_received_not_invoiced(line.coding.fund), line.at_po_price_minor)
            legs.credit(expenditures(line.coding), line.amount_minor - line.at_po_price_minor)
    legs.fiscal_year = None
    for fund, amount in sorted((receivable_by_fund or {}).items()):
        legs.debit(vendor_credits_receivable(fund), amount).credit(vouchers_payable(fund), amount)
    return _entry(code, legs, effective_date=effective_date, memo=memo, references=references, data=data)


def budget_entry(coding: AccountCoding, delta_minor: int, *, first: bool, currency: str, effective_date: dt.date,
                 fiscal_year: int) -> EntryDraft | None:
    """``budget_adopted`` (first amount) or ``budget_amended``: Cr Appropriations, Dr Budgetary fund balance."""
    legs = Legs(currency, fiscal_year)
    legs.debit(budgetary_fund_balance(coding.fund), delta_minor).credit(appropriations(coding), delta_minor)
    code = "budget_adopted" if first else "budget_amended"
    return _entry(code, legs, effective_date=effective_date,
                  memo=f"FY{fiscal_year} appropriation, {coding_label(coding)}",
                  references={"fund": coding.fund, "department": coding.department,
                              "object_code": coding.object_code, "fiscal_year": str(fiscal_year)})
