"""Budgets (appropriations) per fiscal year, fund, department and object code, and the funds check.

Setting a budget posts the appropriation (``budget_adopted``, later ``budget_amended`` for the difference). A
purchase order is charged to one fiscal year's appropriation: approving it checks that year's line only,
available = appropriation − encumbrances − expenditures of that year, and everything it posts afterwards
(receipts, invoices, credits, the release on closing) counts against the same year, whichever day it happens.
The coded accounts hold all years together; each AP entry carries its split by year (``data["budget_years"]``),
and the budget line keeps the running sums of that split (``ap_postings.budget_effects``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ledger.accounts import coded_account
from ledger.money import check_currency
from payments.ap.ap_deps import APDeps
from payments.ap.ap_ports import APUnitOfWork
from payments.ap.ap_errors import InsufficientFunds, InvalidDocument, UnknownCoding, UnknownFund
from payments.ap.ap_postings import budget_entry, coding_label
from payments.ap.ap_records import BudgetRecord, new_id
from payments.ap.documents import AccountCoding
from payments.identity import Action, Principal, authorize

_BASES = (("5000", "expenditures"), ("8020", "appropriations"), ("8030", "encumbrances"))


@dataclass(frozen=True, slots=True)
class SetBudget:
    fiscal_year: int
    coding: AccountCoding
    amount_minor: int
    currency: str = "USD"


@dataclass(frozen=True, slots=True)
class Availability:
    coding: AccountCoding
    currency: str
    appropriated_minor: int
    encumbered_minor: int
    expended_minor: int
    fiscal_year: int | None = None

    @property
    def available_minor(self) -> int:
        return self.appropriated_minor - self.encumbered_minor - self.expended_minor


def availability(uow: APUnitOfWork, coding: AccountCoding, currency: str, fiscal_year: int) -> Availability:
    """One fiscal year's budget line: its appropriation, and what that year's orders encumbered and expended.

    The two sums are kept with every AP posting from the year split the entries carry, so they are the
    journal's own (``ap_postings.budget_effects`` over the journal gives them back). A year with no budget
    line has nothing available. Spending outside purchase orders (a discount taken on payment) is not charged
    to a year; the all-years balances of the coded accounts stay in the ledger (``ledger_availability``).
    """
    line = uow.budgets.get(fiscal_year, coding.fund, coding.department, coding.object_code, currency)
    if line is None:
        return Availability(coding, currency, 0, 0, 0, fiscal_year)
    return Availability(coding, currency, line.amount_minor, line.encumbered_minor, line.expended_minor, fiscal_year)


def ledger_availability(uow: APUnitOfWork, coding: AccountCoding, currency: str) -> Availability:
    """The three coded balances of one fund, department and object over all years, read from the ledger."""
    rows = uow.ledger_queries.balances(fund=coding.fund, department=coding.department,
                                       object_code=coding.object_code, currency=currency)
    by_account = {r.account: r.balance_minor for r in rows}
    base = f"{coding.department}-{coding.object_code}"
    return Availability(coding, currency, by_account.get(f"{coding.fund}-8020-{base}", 0),
                        by_account.get(f"{coding.fund}-8030-{base}", 0), by_account.get(f"{coding.fund}-5000-{base}", 0))


def check_funds(uow: APUnitOfWork, needs: dict[AccountCoding, int], currency: str, fiscal_year: int) -> None:
    """Raise ``insufficient_funds`` for the first coding whose need exceeds what ``fiscal_year`` has available.

    Callers lock the journal head first (``uow.ledger.lock_head()``), so two approvals cannot both spend the
    same dollars: the check and the encumbrance post under one lock.

    The need must also fit what the coded accounts hold over all years together. The per-year sums on the
    budget line are kept beside the journal, and a copy can fall behind it: a database upgraded from before
    they were kept starts them at zero until ``BudgetTotals.rebuild`` runs, and a fault in keeping them would
    be silent. The ledger balances are the journal itself, so an order that would over-commit the fund,
    department and object as a whole is refused whatever the per-year sums say.
    """
    for coding in sorted(needs, key=lambda c: (c.fund, c.department, c.object_code)):
        need = needs[coding]
        if need <= 0:
            continue
        have = availability(uow, coding, currency, fiscal_year).available_minor
        if need > have:
            raise InsufficientFunds(f"FY{fiscal_year} {coding_label(coding)}", need, have, currency)
        overall = ledger_availability(uow, coding, currency).available_minor
        if need > overall:
            raise InsufficientFunds(f"all years {coding_label(coding)}", need, overall, currency)


def require_coding(uow: APUnitOfWork, coding: AccountCoding) -> None:
    """The coded expenditure, appropriation and encumbrance accounts exist (a budget was set for them)."""
    codes = [f"{coding.fund}-{base}-{coding.department}-{coding.object_code}" for base, _ in _BASES]
    if len(uow.ledger.accounts(codes)) != len(codes):
        raise UnknownCoding(coding_label(coding))


class BudgetService:
    def __init__(self, deps: APDeps) -> None:
        self._d = deps

    def set(self, principal: Principal, cmd: SetBudget) -> BudgetRecord:
        with self._d.uow() as uow:
            record = self.set_in(uow, principal, cmd)
            uow.commit()
        return record

    def set_in(self, uow: APUnitOfWork, principal: Principal, cmd: SetBudget) -> BudgetRecord:
        authorize(principal, Action.BUDGET_MANAGE)
        check_currency(cmd.currency)
        if cmd.amount_minor < 0:
            raise InvalidDocument("a budget may not be negative", field="amount")
        if not 1900 < cmd.fiscal_year < 3000:
            raise InvalidDocument("fiscal_year must be a four-digit year", field="fiscal_year")
        c = cmd.coding
        for name, value in (("fund", c.fund), ("department", c.department), ("object_code", c.object_code)):
            if not value or not value.replace("_", "").isalnum() or len(value) > 20:
                raise InvalidDocument(f"{name} must be 1-20 letters or digits", field=name)
        if not uow.ledger.accounts([f"{c.fund}-8040"]):
            raise UnknownFund(c.fund)
        uow.ledger_queries.add_accounts(
            coded_account(c.fund, base, c.department, c.object_code, f"Fund {c.fund}: {c.department} {c.object_code} ({kind})")
            for base, kind in _BASES)
        uow.ledger.lock_head()
        existing = uow.budgets.get(cmd.fiscal_year, c.fund, c.department, c.object_code, cmd.currency)
        delta = cmd.amount_minor - (existing.amount_minor if existing else 0)
        if delta < 0:
            # Cutting a budget below what the year has already committed would leave negative funds available.
            left = availability(uow, c, cmd.currency, cmd.fiscal_year).available_minor
            if -delta > left:
                raise InsufficientFunds(f"FY{cmd.fiscal_year} {coding_label(c)}", -delta, left, cmd.currency)
        entry = budget_entry(c, delta, first=existing is None, currency=cmd.currency, effective_date=self._d.today(),
                             fiscal_year=cmd.fiscal_year)
        ids = self._d.post(uow, [entry])
        record = BudgetRecord(
            id=existing.id if existing else new_id("budget"), fiscal_year=cmd.fiscal_year, fund=c.fund,
            department=c.department, object_code=c.object_code, currency=cmd.currency, amount_minor=cmd.amount_minor,
            entry_id=ids[0] if ids else (existing.entry_id if existing else None),
            version=(existing.version + 1) if existing else 1, set=self._d.stamp(principal),
            encumbered_minor=existing.encumbered_minor if existing else 0,
            expended_minor=existing.expended_minor if existing else 0)
        uow.budgets.upsert(record, expected_version=existing.version if existing else None)
        self._d.record(uow, principal, "budget_set", record.id,
                       {"amount_minor": existing.amount_minor} if existing else None,
                       {"amount_minor": record.amount_minor}, detail={"coding": coding_label(c)})
        return record

    def record_adopted_in(self, uow: APUnitOfWork, principal: Principal, fiscal_year: int, coding: AccountCoding,
                          amount_minor: int, entry_id: str | None, currency: str = "USD") -> None:
        """Record a budget line whose appropriation is already in the journal (an adopted budget posted whole)."""
        authorize(principal, Action.BUDGET_MANAGE)
        c = coding
        if uow.budgets.get(fiscal_year, c.fund, c.department, c.object_code, currency) is None:
            uow.budgets.upsert(BudgetRecord(new_id("budget"), fiscal_year, c.fund, c.department, c.object_code,
                                            currency, amount_minor, entry_id, 1, self._d.stamp(principal)),
                               expected_version=None)

    def list(self, *, after: str | None, limit: int, fiscal_year: int | None = None,
             fund: str | None = None) -> list[BudgetRecord]:
        with self._d.uow(read_only=True) as uow:
            return uow.budgets.list(after=after, limit=limit, fiscal_year=fiscal_year, fund=fund)

    def availability(self, coding: AccountCoding, currency: str = "USD", fiscal_year: int | None = None) -> Availability:
        """What ``fiscal_year`` (by default the current one) has left on this budget line."""
        year = fiscal_year if fiscal_year is not None else self._d.policies.fiscal_year_of(self._d.today())
        with self._d.uow(read_only=True) as uow:
            return availability(uow, coding, currency, year)
