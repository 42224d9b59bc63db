"""The SQL unit of work: one connection, one transaction, every repository bound to it in one place.

It implements each feature's unit-of-work Protocol (``payments.ports.UnitOfWork``, ``APUnitOfWork``,
``PaymentsUnitOfWork``, ``ReconUnitOfWork``, ``IdentityUnitOfWork``, ``PortalUnitOfWork``): the attributes below
are typed with the domain's ports, and ``__enter__`` binds them all.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection, Engine

from adapters.db.ap.ap_invoice_repo import SqlCreditMemoRepository, SqlInvoiceRepository
from adapters.db.ap.ap_match_queries import SqlMatchQueries
from adapters.db.ap.ap_po_repo import SqlPurchaseOrderRepository, SqlReceiptRepository
from adapters.db.ap.ap_repo import SqlBudgetRepository, SqlVendorRepository
from adapters.db.ap.prompt_pay_repo import SqlPromptPayRecords
from adapters.db.ap.ap_worklist_queries import SqlWorklistQueries
from adapters.db.ap.vendor_credit_repo import SqlVendorCreditStore
from adapters.db.disbursements.bank_reference_log import SqlBankReferenceLog
from adapters.db.disbursements.payment_invoices import SqlPaidInvoices
from adapters.db.disbursements.payment_repo import SqlPaymentStore
from adapters.db.disbursements.search_queries import SqlSearchQueries
from adapters.db.ledger.audit_repo import SqlAuditIndex
from adapters.db.ledger.journal_store import SqlJournalStore
from adapters.db.ledger.ledger_queries import SqlLedgerQueries
from adapters.db.ledger.ledger_tables import AUDIT, LEDGER
from adapters.db.people.bank_account_repo import (SqlBankAccountRepository, SqlOutboxRepository,
                                                  SqlVendorContactRepository)
from adapters.db.people.identity_repo import (SqlSessionRepository, SqlThrottleRepository, SqlTokenRepository,
                                              SqlUserRepository)
from adapters.db.portal.portal_queries import SqlPortalQueries
from adapters.db.reconciliation.bank_reference_queries import SqlBankReferences
from adapters.db.reconciliation.recon_payments import SqlReconPayments
from adapters.db.reconciliation.recon_repo import SqlReconRepository
from adapters.db.reconciliation.recon_trace import SqlTraceMatch
from payments.ap.ap_ports import (BudgetRepository, CreditMemoRepository, InvoiceRepository, MatchQueries,
                                  PurchaseOrderRepository, ReceiptRepository, VendorRepository)
from payments.ap.vendor_credits import VendorCreditStore
from payments.ap.prompt_pay_records import PromptPayRecords
from payments.ap.worklist import WorklistQueries
from payments.disbursements.payment_ports import BankReferenceLog, PaidInvoices, PaymentStore, TreasuryQueue
from payments.disbursements.search import SearchQueries
from payments.people.identity_ports import (BankAccountRepository, OutboxRepository, SessionRepository,
                                            ThrottleRepository, TokenRepository, UserRepository,
                                            VendorContactRepository)
from payments.portal.portal_ports import PortalQueries
from payments.ports import AuditIndex, JournalStore, LedgerQueries
from payments.reconciliation.bank_references import BankReferences
from payments.reconciliation.recon_ports import ReconPayments, ReconRepository, TraceMatch
from payments.reconciliation.treasury_queue import ReconTreasuryQueue


class SqlUnitOfWork:
    """Use as ``with uow_factory() as uow: ...; uow.commit()``; leaving without commit rolls back."""

    # the journals (payments.ports.UnitOfWork)
    ledger: JournalStore
    audit: JournalStore
    ledger_queries: LedgerQueries
    audit_index: AuditIndex
    # accounts payable (APUnitOfWork)
    vendors: VendorRepository
    budgets: BudgetRepository
    purchase_orders: PurchaseOrderRepository
    receipts: ReceiptRepository
    invoices: InvoiceRepository
    credit_memos: CreditMemoRepository
    vendor_credits: VendorCreditStore
    match_queries: MatchQueries
    prompt_pay: PromptPayRecords
    # payments (PaymentsUnitOfWork)
    payments: PaymentStore
    paid_invoices: PaidInvoices
    treasury_queue: TreasuryQueue
    bank_reference_log: BankReferenceLog
    # reconciliation (ReconUnitOfWork)
    recon: ReconRepository
    recon_payments: ReconPayments
    recon_trace: TraceMatch
    bank_references: BankReferences  # the bank's own reference for a payment, from the line that settled it
    # people and controls (IdentityUnitOfWork)
    users: UserRepository
    tokens: TokenRepository
    sessions: SessionRepository
    sign_in_throttle: ThrottleRepository
    vendor_contacts: VendorContactRepository
    bank_accounts: BankAccountRepository
    outbox: OutboxRepository
    # the vendor portal (PortalUnitOfWork)
    portal: PortalQueries
    # the staff pages' worklists and search (WorklistUnitOfWork, SearchUnitOfWork)
    worklist: WorklistQueries
    search: SearchQueries

    def __init__(self, engine: Engine, *, read_only: bool = False) -> None:
        self._engine = engine
        self._read_only = read_only
        self._conn: Connection | None = None

    @property
    def conn(self) -> Connection:
        """The open connection (only between ``__enter__`` and ``__exit__``)."""
        if self._conn is None:
            raise RuntimeError("the unit of work is not open: use it as `with uow_factory() as uow:`")
        return self._conn

    def __enter__(self) -> SqlUnitOfWork:
        # SQLAlchemy 2 begins on first use ("autobegin"); on SQLite that BEGIN is IMMEDIATE.
        conn = self._engine.connect()
        if self._read_only:
            # Readers must not take SQLite's write lock (a long verify would stall every writer).
            conn = conn.execution_options(disburse_read_only=True)
        self._conn = conn
        self._bind(conn)
        return self

    def _bind(self, conn: Connection) -> None:
        """Every repository, on this unit's connection: the one place that says which adapter serves which port."""
        self.ledger = SqlJournalStore(conn, LEDGER)
        self.audit = SqlJournalStore(conn, AUDIT)
        self.ledger_queries = SqlLedgerQueries(conn)
        self.audit_index = SqlAuditIndex(conn)

        self.vendors = SqlVendorRepository(conn)
        self.budgets = SqlBudgetRepository(conn)
        self.purchase_orders = SqlPurchaseOrderRepository(conn)
        self.receipts = SqlReceiptRepository(conn)
        self.invoices = SqlInvoiceRepository(conn)
        self.credit_memos = SqlCreditMemoRepository(conn)
        self.vendor_credits = SqlVendorCreditStore(conn)
        self.match_queries = SqlMatchQueries(conn)
        self.prompt_pay = SqlPromptPayRecords(conn)

        self.payments = SqlPaymentStore(conn)
        self.paid_invoices = SqlPaidInvoices(conn)
        self.bank_reference_log = SqlBankReferenceLog(conn)

        self.recon = SqlReconRepository(conn)
        recon_payments = SqlReconPayments(conn)
        self.recon_payments = recon_payments
        self.recon_trace = SqlTraceMatch(conn, recon_payments)
        self.bank_references = SqlBankReferences(conn)
        # Treasury items the payments hand over land in reconciliation's exceptions queue.
        self.treasury_queue = ReconTreasuryQueue(self.recon)

        self.users = SqlUserRepository(conn)
        self.tokens = SqlTokenRepository(conn)
        self.sessions = SqlSessionRepository(conn)
        self.sign_in_throttle = SqlThrottleRepository(conn)
        self.vendor_contacts = SqlVendorContactRepository(conn)
        self.bank_accounts = SqlBankAccountRepository(conn)
        self.outbox = SqlOutboxRepository(conn)

        self.portal = SqlPortalQueries(conn)
        self.worklist = SqlWorklistQueries(conn)
        self.search = SqlSearchQueries(conn)

    def commit(self) -> None:
        self.conn.commit()

    def rollback(self) -> None:
        self.conn.rollback()

    def __exit__(self, *exc: object) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            if conn.in_transaction():
                conn.rollback()
        finally:
            conn.close()
