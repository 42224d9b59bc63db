"""Hangs the accounts-payable repositories on a unit of work's connection."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection

from adapters.db.ap.ap_invoice_repo import SqlCreditMemoRepository, SqlInvoiceRepository
from adapters.db.ap.ap_match_queries import SqlMatchQueries
from adapters.db.ap.ap_po_repo import SqlPurchaseOrderRepository, SqlReceiptRepository
from adapters.db.ap.ap_repo import SqlBudgetRepository, SqlVendorRepository


def bind_ap_repositories(uow: Any, conn: Connection) -> None:
    uow.vendors = SqlVendorRepository(conn)
    uow.budgets = SqlBudgetRepository(conn)
    uow.purchase_orders = SqlPurchaseOrderRepository(conn)
    uow.receipts = SqlReceiptRepository(conn)
    uow.invoices = SqlInvoiceRepository(conn)
    uow.credit_memos = SqlCreditMemoRepository(conn)
    uow.match_queries = SqlMatchQueries(conn)
