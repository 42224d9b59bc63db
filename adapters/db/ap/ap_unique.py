"""Unique keys of the AP tables, and what it means when an insert loses a race for one.

The use cases look a number up before inserting it, but two requests can both look before either commits: on
PostgreSQL the second INSERT waits for the first transaction and then fails with a unique violation. (SQLite's
writers are serialized by ``BEGIN IMMEDIATE``, so there the look-up sees the winner; the translation still
applies to any insert that collides.) That failure is a conflict the caller can act on, not a server error: it
becomes the domain error the look-up would have raised (``duplicate_number``, ``same_approver_twice``) or, for a
client-chosen id, ``created_concurrently`` (retrying replays the winner's document).

Each insert runs in a savepoint, so that the transaction survives the failure on PostgreSQL (the CSV importer
goes on collecting every row's errors in the same transaction).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from payments.errors import DomainError

# constraint name (PostgreSQL) or "table.columns" (SQLite's message) -> which key it is
KEYS: dict[str, str] = {
    "uq_vendors_number": "number", "vendors.number": "number",
    "uq_purchase_orders_number": "number", "purchase_orders.number": "number",
    "uq_credit_memos_vendor_number": "number", "credit_memos.vendor_id, credit_memos.memo_number": "number",
    "uq_budgets_coding": "coding",
    "budgets.fiscal_year, budgets.fund, budgets.department, budgets.object_code, budgets.currency": "coding",
    "pk_invoice_approvals": "approver",
    "invoice_approvals.invoice_id, invoice_approvals.invoice_version, invoice_approvals.approver_id": "approver",
}
for _table in ("vendors", "budgets", "purchase_orders", "receipts", "invoices", "credit_memos"):
    KEYS.update({f"pk_{_table}": "id", f"{_table}.id": "id"})


def violated_key(exc: IntegrityError) -> str | None:
    """Which of ``KEYS`` a unique violation hit, or None (another constraint, e.g. a foreign key)."""
    orig = exc.orig
    diag = getattr(orig, "diag", None)
    name = getattr(diag, "constraint_name", None)
    if name is None:
        text = str(orig)
        prefix = "UNIQUE constraint failed: "
        name = text[len(prefix):].strip() if text.startswith(prefix) else None
    return KEYS.get(name) if name else None


@contextmanager
def unique_or(conn: Connection, errors: Mapping[str, Callable[[], DomainError]]) -> Iterator[None]:
    """Run inserts; a unique violation on a key named in ``errors`` raises that domain error instead."""
    try:
        with conn.begin_nested():
            yield
    except IntegrityError as exc:
        make = errors.get(violated_key(exc) or "")
        if make is None:
            raise
        raise make() from None
