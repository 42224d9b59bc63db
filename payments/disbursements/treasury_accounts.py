"""The agency's own bank accounts, each with its own Cash account in the ledger (issue 11, defect 7). Pure.

Policy ``[[treasury.bank_accounts]]`` names each account the agency holds at a bank: how its statements name it
(``account_id``: the BAI2 ``03`` account number or the camt ``Acct/Id``), its Cash account in the chart (``cash``:
``<fund>-<cash>`` in every fund whose money it holds) and the rails that debit it. One account may hold several
funds' cash (pooled cash): each fund's share is its own ``<fund>-<cash>`` balance.

Postings follow the money: a statement line settles, or is written off, against the Cash of the account its
statement is for; a return puts the money back into the Cash of the account its payment's rail debited. The cash
proof ties out per bank account: statement closing - ledger Cash of that account = its reconciling items.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ledger.accounts import Account, AccountType, Direction

DEFAULT_CASH = "1010"


@dataclass(frozen=True, slots=True)
class AgencyBankAccount:
    name: str
    account_id: str | None = None  # how statements name it; None: any statement no other account claims
    cash: str = DEFAULT_CASH  # the chart account (per fund) that is this bank account's Cash
    rails: frozenset[str] = frozenset()  # the rails whose payments it funds; empty: any rail no other claims
    currency: str = "USD"

    def cash_account(self, fund: str) -> str:
        return f"{fund}-{self.cash}"


@dataclass(frozen=True, slots=True)
class TreasuryAccounts:
    """The agency's bank accounts; the first is the default for a statement or rail no other names."""

    accounts: tuple[AgencyBankAccount, ...] = field(default=(AgencyBankAccount("operating"),))

    @property
    def default(self) -> AgencyBankAccount:
        return self.accounts[0]

    def for_statement(self, account_id: str | None) -> AgencyBankAccount:
        for a in self.accounts:
            if a.account_id is not None and a.account_id == account_id:
                return a
        return self.default

    def for_rail(self, rail: str | None) -> AgencyBankAccount:
        for a in self.accounts:
            if rail in a.rails:
                return a
        return self.default

    def by_name(self, name: str) -> AgencyBankAccount:
        return next((a for a in self.accounts if a.name == name), self.default)

    def cash_chart(self, funds: Iterable[str]) -> list[Account]:
        """The Cash account of every bank account in each of ``funds`` (the default chart has ``1010`` already)."""
        return [Account(a.cash_account(fund), f"Cash: {a.name} bank account", AccountType.ASSET, Direction.DEBIT,
                        fund=fund) for fund in sorted(set(funds)) for a in self.accounts]

    def cash_codes(self) -> dict[str, AgencyBankAccount]:
        """Each Cash chart account (``1010`` …) and the bank account it is."""
        return {a.cash: a for a in self.accounts}

    @classmethod
    def from_policy(cls, policy: Mapping[str, Any]) -> TreasuryAccounts:
        rows: Iterable[Mapping[str, Any]] = (policy.get("treasury", {}) or {}).get("bank_accounts", []) or []
        accounts = tuple(AgencyBankAccount(str(r["name"]), str(r["account_id"]) if r.get("account_id") else None,
                                           str(r.get("cash", DEFAULT_CASH)), frozenset(map(str, r.get("rails", []))),
                                           str(r.get("currency", "USD"))) for r in rows)
        codes = [a.cash for a in accounts]
        if len(set(codes)) != len(codes) or len({a.name for a in accounts}) != len(accounts):
            raise ValueError("[[treasury.bank_accounts]]: each bank account needs its own name and its own cash account")
        return cls(accounts) if accounts else cls()
