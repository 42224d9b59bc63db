"""The SQL unit of work: one connection, one transaction, the repositories bound to it."""

from __future__ import annotations

from sqlalchemy.engine import Connection, Engine

from adapters.db.ap.ap_uow import bind_ap_repositories
from adapters.db.ledger.audit_repo import bind_identity_repositories
from adapters.db.ledger.journal_store import SqlJournalStore
from adapters.db.ledger.ledger_queries import SqlLedgerQueries
from adapters.db.ledger.ledger_tables import AUDIT, LEDGER
from adapters.db.reconciliation.recon_repo import bind_recon_repositories
from adapters.db.disbursements.payment_invoices import SqlPaidInvoices
from adapters.db.disbursements.payment_repo import SqlPaymentStore


class SqlUnitOfWork:
    """Use as ``with uow_factory() as uow: ...; uow.commit()``; leaving without commit rolls back."""

    def __init__(self, engine: Engine, *, read_only: bool = False) -> None:
        self._engine = engine
        self._read_only = read_only
        self.conn: Connection | None = None

    def __enter__(self) -> "SqlUnitOfWork":
        # SQLAlchemy 2 begins on first use ("autobegin"); on SQLite that BEGIN is IMMEDIATE.
        self.conn = self._engine.connect()
        if self._read_only:
            # Readers must not take SQLite's write lock (a long verify would stall every writer).
            self.conn = self.conn.execution_options(disburse_read_only=True)
        self.ledger = SqlJournalStore(self.conn, LEDGER)
        self.audit = SqlJournalStore(self.conn, AUDIT)
        self.ledger_queries = SqlLedgerQueries(self.conn)
        bind_ap_repositories(self, self.conn)
        self.payments = SqlPaymentStore(self.conn)
        self.paid_invoices = SqlPaidInvoices(self.conn)
        bind_recon_repositories(self, self.conn)
        bind_identity_repositories(self, self.conn)
        return self

    def commit(self) -> None:
        self.conn.commit()

    def rollback(self) -> None:
        self.conn.rollback()

    def __exit__(self, *exc: object) -> None:
        try:
            if self.conn.in_transaction():
                self.conn.rollback()
        finally:
            self.conn.close()
            self.conn = None
