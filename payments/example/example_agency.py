"""The example agency loaded by ``disburse init --example``: the City of Riverton.

Two funds (General, Capital Projects), four departments, a handful of object codes, opening
balances and the adopted FY2027 budget, all posted as signed journal entries. Later parts of the
example (vendors, purchase orders, receipts, invoices) build on these accounts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ledger.accounts import Account, Direction, coded_account, fund_chart
from ledger.entries import EntryDraft, Posting
from ledger.money import decimal_to_minor

AGENCY_NAME = "City of Riverton"
FISCAL_YEAR = 2027
FY_START = dt.date(2026, 7, 1)
FUNDS = {"100": "General Fund", "400": "Capital Projects Fund"}
DEPARTMENTS = {"PW": "Public Works", "PR": "Parks and Recreation", "FIN": "Finance", "IT": "Information Technology"}
OBJECTS = {"5110": "Office supplies", "5120": "Operating supplies", "5210": "Professional services",
           "5410": "Repairs and maintenance", "5710": "Furniture and equipment", "5810": "Construction"}

# (fund, department, object) -> appropriation in dollars
APPROPRIATIONS: dict[tuple[str, str, str], str] = {
    ("100", "PW", "5120"): "850000.00", ("100", "PW", "5410"): "1200000.00", ("100", "PW", "5710"): "300000.00",
    ("100", "PR", "5120"): "400000.00", ("100", "PR", "5410"): "350000.00", ("100", "PR", "5710"): "150000.00",
    ("100", "FIN", "5110"): "60000.00", ("100", "FIN", "5210"): "450000.00", ("100", "FIN", "5710"): "80000.00",
    ("100", "IT", "5110"): "40000.00", ("100", "IT", "5210"): "900000.00", ("100", "IT", "5710"): "650000.00",
    ("400", "PW", "5810"): "3200000.00", ("400", "PR", "5810"): "900000.00", ("400", "PW", "5210"): "250000.00",
}
ESTIMATED_REVENUES = {"100": "5600000.00", "400": "4500000.00"}
OPENING_CASH = {"100": "12500000.00", "400": "4000000.00"}


@dataclass(frozen=True)
class LedgerExample:
    accounts: list[Account]
    entries: list[EntryDraft]


def example_accounts() -> list[Account]:
    accounts: list[Account] = []
    for fund, name in FUNDS.items():
        accounts.extend(fund_chart(fund, name))
    for (fund, dept, obj) in APPROPRIATIONS:
        label = f"{FUNDS[fund]}: {DEPARTMENTS[dept]} {OBJECTS[obj]}"
        for base, kind in (("5000", "expenditures"), ("8020", "appropriations"), ("8030", "encumbrances")):
            accounts.append(coded_account(fund, base, dept, obj, f"{label} ({kind})"))
    return accounts


def example_ledger(entry_ids: list[str]) -> LedgerExample:
    """Opening balances and the adopted budget; ``entry_ids`` (4 fresh ids) make re-loading idempotent."""
    ids = iter(entry_ids)
    usd = "USD"
    entries: list[EntryDraft] = []
    for fund in FUNDS:
        cash = decimal_to_minor(OPENING_CASH[fund], usd)
        entries.append(EntryDraft(
            id=next(ids), effective_date=FY_START, code="opening_balance", memo=f"{FUNDS[fund]} opening balance",
            references={"fund": fund},
            postings=(Posting(f"{fund}-1010", Direction.DEBIT, cash, usd),
                      Posting(f"{fund}-3010", Direction.CREDIT, cash, usd))))
    for fund in FUNDS:
        revenue = decimal_to_minor(ESTIMATED_REVENUES[fund], usd)
        legs = [Posting(f"{fund}-8010", Direction.DEBIT, revenue, usd)]
        approp_total = 0
        for (f, dept, obj), amount in APPROPRIATIONS.items():
            if f == fund:
                minor = decimal_to_minor(amount, usd)
                approp_total += minor
                legs.append(Posting(f"{fund}-8020-{dept}-{obj}", Direction.CREDIT, minor, usd))
        # Planned use of fund balance when appropriations exceed estimated revenues, and vice versa.
        diff = revenue - approp_total
        if diff:
            legs.append(Posting(f"{fund}-8040", Direction.CREDIT if diff > 0 else Direction.DEBIT, abs(diff), usd))
        entries.append(EntryDraft(
            id=next(ids), effective_date=FY_START, code="budget_adopted",
            memo=f"FY{FISCAL_YEAR} adopted budget, {FUNDS[fund]}", references={"fund": fund, "fiscal_year": str(FISCAL_YEAR)},
            postings=tuple(legs)))
    return LedgerExample(example_accounts(), entries)
