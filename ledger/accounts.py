"""Accounts of the governmental-fund chart: a type, a normal side and reporting dimensions."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from ledger.errors import InvalidAccountCode



class AccountType(str, enum.Enum):
    """What an account measures, which fixes its normal balance."""

    ASSET = "asset"
    """Resources the fund holds (cash, receivables); normal debit."""
    LIABILITY = "liability"
    """Amounts the fund owes (vouchers payable, goods received not invoiced); normal credit."""
    FUND_BALANCE = "fund_balance"
    """Net position of the fund, including reserves; normal credit."""
    REVENUE = "revenue"
    """Inflows (taxes, grants); normal credit."""
    EXPENDITURE = "expenditure"
    """Outflows by object code; normal debit."""
    BUDGETARY = "budgetary"
    """Budget and encumbrance memo accounts; normal side given per account."""


class Direction(str, enum.Enum):
    """Side of a posting."""

    DEBIT = "debit"
    """Left side: increases assets and expenditures."""
    CREDIT = "credit"
    """Right side: increases liabilities, fund balance and revenue."""


_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")


@dataclass(frozen=True, slots=True)
class Account:
    """One account of the chart. ``code`` is the posting key, e.g. ``101-1010`` (fund-account)."""

    code: str
    name: str
    type: AccountType
    normal: Direction
    fund: str | None = None
    department: str | None = None
    object_code: str | None = None
    active: bool = True

    def __post_init__(self) -> None:
        if not _CODE.match(self.code):
            raise InvalidAccountCode(f"account code {self.code!r} must be 1-64 letters, digits or . _ : -",
                                     account=self.code)


# The governmental-fund chart of DESIGN.md §2, per fund. Object-coded expenditure accounts are added
# by the agency (or the example) with their dimensions.
CHART_TEMPLATE: tuple[tuple[str, str, AccountType, Direction], ...] = (
    ("1010", "Cash", AccountType.ASSET, Direction.DEBIT),
    ("1050", "Disbursements in transit", AccountType.ASSET, Direction.CREDIT),
    ("1310", "Vendor credits receivable", AccountType.ASSET, Direction.DEBIT),
    ("2010", "Vouchers payable", AccountType.LIABILITY, Direction.CREDIT),
    ("2020", "Goods received not invoiced", AccountType.LIABILITY, Direction.CREDIT),
    ("3010", "Fund balance", AccountType.FUND_BALANCE, Direction.CREDIT),
    ("3050", "Reserve for encumbrances", AccountType.BUDGETARY, Direction.CREDIT),
    ("4000", "Revenues", AccountType.REVENUE, Direction.CREDIT),
    ("5000", "Expenditures", AccountType.EXPENDITURE, Direction.DEBIT),
    ("5900", "Interest expense", AccountType.EXPENDITURE, Direction.DEBIT),
    ("8010", "Estimated revenues", AccountType.BUDGETARY, Direction.DEBIT),
    ("8020", "Appropriations", AccountType.BUDGETARY, Direction.CREDIT),
    ("8030", "Encumbrances", AccountType.BUDGETARY, Direction.DEBIT),
    ("8040", "Budgetary fund balance", AccountType.BUDGETARY, Direction.CREDIT),
)


def fund_chart(fund: str, fund_name: str) -> list[Account]:
    """The default chart for one fund: account codes are ``<fund>-<account>``."""
    return [Account(f"{fund}-{num}", f"{fund_name}: {name}", typ, normal, fund=fund)
            for num, name, typ, normal in CHART_TEMPLATE]


def coded_account(fund: str, base: str, department: str, object_code: str, name: str) -> Account:
    """A chart account split by department and object code: ``<fund>-<base>-<dept>-<object>``.

    Used for expenditures (5000), appropriations (8020) and encumbrances (8030), so that available
    budget = appropriation − encumbrances − expenditures can be read per fund, department and object.
    """
    template = {num: (typ, normal) for num, _n, typ, normal in CHART_TEMPLATE}
    typ, normal = template[base]
    return Account(f"{fund}-{base}-{department}-{object_code}", name, typ, normal,
                   fund=fund, department=department, object_code=object_code)
