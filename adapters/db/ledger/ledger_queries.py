"""Read side of the ledger and the chart of accounts, on one connection."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable, Sequence

from sqlalchemy import and_, case, func, insert, select, true
from sqlalchemy.engine import Connection

from adapters.db.ledger.journal_store import SqlJournalStore, account_from_row
from adapters.db.ledger.ledger_tables import LEDGER, accounts, checkpoints
from ledger.accounts import Account
from ledger.checkpoint import Checkpoint
from ledger.entries import SealedEntry


@dataclass(frozen=True, slots=True)
class BalanceRow:
    """Debits, credits and the balance on the account's normal side, per account and currency."""

    account: str
    name: str
    type: str
    fund: str | None
    department: str | None
    object_code: str | None
    currency: str
    debit_minor: int
    credit_minor: int
    balance_minor: int  # signed on the account's normal side: a liability with a debit balance is negative
    normal: str = "debit"  # the account's normal balance, debit or credit


class SqlLedgerQueries:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._store = SqlJournalStore(conn, LEDGER)

    # -- chart -----------------------------------------------------------------------------------------
    def add_accounts(self, items: Iterable[Account]) -> int:
        """Insert the accounts that do not exist yet; return how many were added."""
        items = list(items)
        have = {r[0] for r in self._conn.execute(select(accounts.c.code).where(
            accounts.c.code.in_([a.code for a in items])))}
        rows = [{"code": a.code, "name": a.name, "type": a.type.value, "normal": a.normal.value, "fund": a.fund,
                 "department": a.department, "object_code": a.object_code, "active": a.active}
                for a in items if a.code not in have]
        if rows:
            self._conn.execute(insert(accounts), rows)
        return len(rows)

    def list_accounts(self, *, fund: str | None = None, type_: str | None = None) -> list[Account]:
        stmt = select(accounts).order_by(accounts.c.code)
        if fund:
            stmt = stmt.where(accounts.c.fund == fund)
        if type_:
            stmt = stmt.where(accounts.c.type == type_)
        return [account_from_row(r) for r in self._conn.execute(stmt)]

    # -- entries ---------------------------------------------------------------------------------------
    def get_entry(self, entry_id: str) -> SealedEntry | None:
        return self._store.entries_by_id([entry_id]).get(entry_id)

    def list_entries(self, *, after_sequence: int = 0, limit: int = 50, code: str | None = None,
                     account: str | None = None) -> list[SealedEntry]:
        e = LEDGER.entries
        stmt = select(e).where(e.c.sequence > after_sequence).order_by(e.c.sequence).limit(limit)
        if code:
            stmt = stmt.where(e.c.code == code)
        if account:
            p = LEDGER.postings
            stmt = stmt.where(e.c.sequence.in_(select(p.c.entry_sequence).where(p.c.account == account)))
        return self._store._hydrate(self._conn.execute(stmt).all())

    def count_entries(self) -> int:
        return int(self._conn.execute(select(func.count()).select_from(LEDGER.entries)).scalar_one())

    # -- balances --------------------------------------------------------------------------------------
    def balances(self, *, as_of: dt.date | None = None, fund: str | None = None, department: str | None = None,
                 object_code: str | None = None, account: str | None = None,
                 currency: str | None = None) -> list[BalanceRow]:
        p, a = LEDGER.postings, accounts
        debit = func.coalesce(func.sum(case((p.c.direction == "debit", p.c.amount_minor), else_=0)), 0)
        credit = func.coalesce(func.sum(case((p.c.direction == "credit", p.c.amount_minor), else_=0)), 0)
        conds = []
        if as_of:
            conds.append(p.c.effective_date <= as_of)
        for col, value in ((a.c.fund, fund), (a.c.department, department), (a.c.object_code, object_code),
                           (a.c.code, account), (p.c.currency, currency)):
            if value:
                conds.append(col == value)
        stmt = (select(a.c.code, a.c.name, a.c.type, a.c.normal, a.c.fund, a.c.department, a.c.object_code,
                       p.c.currency, debit.label("d"), credit.label("c"))
                .select_from(p.join(a, a.c.code == p.c.account))
                .where(and_(*conds) if conds else true())
                .group_by(a.c.code, a.c.name, a.c.type, a.c.normal, a.c.fund, a.c.department, a.c.object_code,
                          p.c.currency)
                .order_by(a.c.code, p.c.currency))
        out = []
        for r in self._conn.execute(stmt):
            d, c = int(r.d), int(r.c)
            out.append(BalanceRow(r.code, r.name, r.type, r.fund, r.department, r.object_code, r.currency, d, c,
                                  d - c if r.normal == "debit" else c - d, r.normal))
        return out

    # -- checkpoints -----------------------------------------------------------------------------------
    def add_checkpoint(self, cp: Checkpoint) -> None:
        self._conn.execute(insert(checkpoints).values(
            journal=cp.journal, sequence=cp.sequence, head_hash=cp.head_hash, merkle_root=cp.merkle_root,
            balances_digest=cp.balances_digest, created_at=cp.created_at, key_id=cp.key_id, signature=cp.signature))

    def checkpoints(self, journal: str = "ledger") -> Sequence[Checkpoint]:
        rows = self._conn.execute(select(checkpoints).where(checkpoints.c.journal == journal)
                                  .order_by(checkpoints.c.sequence)).all()
        return [Checkpoint(r.journal, r.sequence, bytes(r.head_hash), bytes(r.merkle_root), bytes(r.balances_digest),
                           r.created_at, r.key_id, bytes(r.signature)) for r in rows]
