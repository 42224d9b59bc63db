"""The Protocols the accounts-payable use cases consume; ``adapters/db`` implements them on the unit of work.

A unit of work used by the AP services carries, besides ``ledger`` and ``ledger_queries``: ``vendors``,
``budgets``, ``purchase_orders``, ``receipts``, ``invoices``, ``credit_memos`` and ``match_queries``.
Repositories never commit. Every status change is a guarded update (``... WHERE status = :expected``) that
raises ``payments.ap.ap_errors.StaleState`` when no row matched.
"""

from __future__ import annotations

import builtins
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Protocol

from payments.ap.ap_records import (BudgetRecord, CreditMemoRecord, HoldRecord, InvoiceRecord, LineBudget, MatchRecord,
                                 PORecord, POVersion, PromptPayDates, ReceiptRecord, Stamp, VendorRecord)
from payments.ap.documents import Invoice, InvoiceStatus, POStatus, PurchaseOrder, VendorStatus
from payments.ap.prompt_pay_records import PromptPayRecords
from payments.ap.matching.duplicates import DuplicateKey
from payments.ap.matching.match_context import MatchContext
from payments.ap.matching.match_holds import ManualRelease
from payments.ap.vendor_credits import VendorCreditStore
from payments.ap.split_purchases import SplitCandidate
from payments.identity import Principal
from payments.ports import UnitOfWork


class AuditRecorder(Protocol):
    """The audit trail (``payments.audit.AuditTrail``): one event per state change, in the caller's transaction."""

    def record(self, uow: UnitOfWork, actor: Principal | str, action: str, object_id: str, before: Any = None, after: Any = None,
               *, object_type: str | None = None, detail: Mapping[str, Any] | None = None) -> Any:
        """Append an event to the audit journal inside ``uow``; the caller commits."""
        ...


class VendorRepository(Protocol):
    def add(self, record: VendorRecord, *, tin_ciphertext: bytes | None, tin_fingerprint: str | None) -> None:
        """Insert a new vendor."""
        ...

    def get(self, vendor_id: str) -> VendorRecord | None:
        """One vendor, TIN masked to its last four digits."""
        ...

    def get_by_number(self, number: str) -> VendorRecord | None:
        """The vendor with this agency vendor number."""
        ...

    def list(self, *, after: str | None, limit: int, status: str | None = None) -> list[VendorRecord]:
        """Vendors by id after the cursor."""
        ...

    def update(self, record: VendorRecord, *, expected_version: int, tin_ciphertext: bytes | None = None,
               tin_fingerprint: str | None = None) -> None:
        """Replace the vendor's details if its version is still ``expected_version``; bump the version."""
        ...

    def set_status(self, vendor_id: str, expected: VendorStatus, new: VendorStatus, stamp: Stamp) -> None:
        """Guarded status change."""
        ...

    def ids_with_tin(self, tin_fingerprint: str) -> builtins.list[str]:
        """Vendors whose TIN has this keyed fingerprint."""
        ...


class BudgetRepository(Protocol):
    def get(self, fiscal_year: int, fund: str, department: str, object_code: str, currency: str) -> BudgetRecord | None:
        """The budget line for this coding and year."""
        ...

    def upsert(self, record: BudgetRecord, *, expected_version: int | None) -> None:
        """Insert (``expected_version`` None) or replace the line if still at ``expected_version``."""
        ...

    def add_effects(self, effects: Mapping[Any, Any]) -> None:
        """Add encumbered and expended amounts (``ap_postings.budget_effects``) to each year's line; a line
        missing is created with nothing appropriated."""
        ...

    def reset_totals(self) -> None:
        """Set every line's encumbered and expended sums to zero (before they are counted again)."""
        ...

    def list(self, *, after: str | None, limit: int, fiscal_year: int | None = None,
             fund: str | None = None) -> list[BudgetRecord]:
        """Budget lines by id after the cursor."""
        ...


class PurchaseOrderRepository(Protocol):
    def add(self, record: PORecord, version: POVersion) -> None:
        """Insert a PO, its lines and its first version."""
        ...

    def get(self, po_id: str, *, for_update: bool = False) -> PORecord | None:
        """One PO with its lines and their budgetary state (row-locked on PostgreSQL with ``for_update``)."""
        ...

    def get_by_number(self, number: str) -> PORecord | None:
        """The PO with this number."""
        ...

    def list(self, *, after: str | None, limit: int, vendor_id: str | None = None,
             status: str | None = None) -> list[PORecord]:
        """POs by id after the cursor."""
        ...

    def set_status(self, po_id: str, expected: POStatus, new: POStatus, *, approved: Stamp | None = None,
                   closed: Stamp | None = None, close_reason: str | None = None,
                   fiscal_year: int | None = None) -> None:
        """Guarded status change, stamping who approved or closed (and, given, the fiscal year charged)."""
        ...

    def set_fiscal_year(self, po_id: str, fiscal_year: int) -> None:
        """Charge an order approved before fiscal years were kept to ``fiscal_year``."""
        ...

    def set_line_budgets(self, po_id: str, budgets: Mapping[int, LineBudget]) -> None:
        """Store the encumbered and accrued amounts of some lines."""
        ...

    def replace(self, po: PurchaseOrder, *, expected_version: int, budgets: Mapping[int, LineBudget],
                version: POVersion, updated: Stamp) -> None:
        """A change order: new lines and ceiling under a new version, guarded on the old version."""
        ...

    def versions(self, po_id: str) -> builtins.list[POVersion]:
        """Every version of the PO, oldest first."""
        ...

    def activity(self, po_id: str) -> Mapping[int, tuple[Decimal, Decimal]]:
        """Per line: (net quantity received, quantity on live invoices and applied credit memos, net)."""
        ...


class ReceiptRepository(Protocol):
    def add(self, record: ReceiptRecord) -> None:
        """Insert a posted receipt and its lines."""
        ...

    def get(self, receipt_id: str) -> ReceiptRecord | None:
        """One receipt."""
        ...

    def list(self, *, after: str | None, limit: int, po_id: str | None = None) -> list[ReceiptRecord]:
        """Receipts by id after the cursor."""
        ...

    def find_number(self, po_id: str, number: str) -> builtins.list[str]:
        """Receipts of this PO with this number (an import run twice)."""
        ...

    def totals(self, po_id: str) -> Mapping[int, tuple[Decimal, Decimal]]:
        """Per PO line: (net received, net accepted) over posted receipts."""
        ...


class InvoiceRepository(Protocol):
    def add(self, record: InvoiceRecord) -> None:
        """Insert a new invoice and its lines."""
        ...

    def get(self, invoice_id: str) -> InvoiceRecord | None:
        """One invoice."""
        ...

    def get_many(self, invoice_ids: Sequence[str]) -> list[InvoiceRecord]:
        """Many invoices in a few queries (missing ids are skipped)."""
        ...

    def list(self, *, after: str | None, limit: int, status: str | None = None, vendor_id: str | None = None,
             po_id: str | None = None) -> list[InvoiceRecord]:
        """Invoices by id after the cursor."""
        ...

    def replace(self, record: InvoiceRecord, *, expected_version: int, expected_status: InvoiceStatus) -> None:
        """A corrected invoice: header and lines replaced, version bumped, guarded on version and status."""
        ...

    def set_status(self, invoice_id: str, expected: InvoiceStatus, new: InvoiceStatus, *,
                   approval_entry_id: str | None = None, approved_at: str | None = None,
                   returned: Stamp | None = None) -> None:
        """Guarded status change."""
        ...

    def find_number(self, vendor_id: str, invoice_number: str) -> builtins.list[str]:
        """Live invoices of this vendor with exactly this number (an import run twice)."""
        ...

    def ids_to_rematch(self, po_ids: Iterable[str], statuses: Iterable[InvoiceStatus]) -> builtins.list[str]:
        """Invoices in ``statuses`` with a line on any of these POs."""
        ...

    def ids_in_status(self, status: InvoiceStatus, *, limit: int) -> builtins.list[str]:
        """Invoices in a status, oldest received first (the batch matcher's order)."""
        ...

    def approvals(self, invoice_id: str, version: int) -> builtins.list[tuple[str, dt.datetime]]:
        """(approver, when) for this version of the invoice."""
        ...

    def add_approval(self, invoice_id: str, version: int, approver_id: str, at: str) -> None:
        """Record one approval (a second one by the same person cannot be stored)."""
        ...

    def holds(self, invoice_id: str, *, status: str | None = None) -> builtins.list[HoldRecord]:
        """Holds of an invoice, oldest first."""
        ...

    def release_hold(self, hold_id: str, *, released_by: str, at: str, reason: str, kind: str) -> None:
        """Guarded: open -> released."""
        ...

    def match_result(self, match_id: str) -> MatchRecord | None:
        """One stored match result."""
        ...

    def add_hold(self, hold: HoldRecord) -> None:
        """Put a hold on an invoice that matching did not raise (matching neither keeps nor clears it)."""
        ...

    def split_candidates(self, vendor_id: str, currency: str, since: dt.date, until: dt.date,
                         max_amount_minor: int) -> builtins.list[SplitCandidate]:
        """The vendor's invoices in ``currency`` dated ``since``..``until``, each at most ``max_amount_minor``, not
        cancelled or returned: what ``payments.ap.split_purchases`` weighs."""
        ...


class CreditMemoRepository(Protocol):
    def add(self, record: CreditMemoRecord) -> None:
        """Insert an applied credit memo and its lines."""
        ...

    def get(self, memo_id: str) -> CreditMemoRecord | None:
        """One credit memo."""
        ...

    def get_by_number(self, vendor_id: str, memo_number: str) -> CreditMemoRecord | None:
        """The vendor's memo with this number."""
        ...

    def list(self, *, after: str | None, limit: int, vendor_id: str | None = None) -> list[CreditMemoRecord]:
        """Credit memos by id after the cursor."""
        ...


class MatchQueries(Protocol):
    """The set-based reads of a batch match, and its bulk writes."""

    def load(self, invoice_ids: Sequence[str]) -> tuple[list[InvoiceRecord], list[DuplicateKey]]:
        """The invoices as matching reads them (in the order asked) and their stored duplicate keys."""
        ...

    def context_for(self, invoices: Sequence[Invoice]) -> MatchContext:
        """Facts for every PO line the invoices bill, excluding the invoices themselves from billed sums."""
        ...

    def context_for_pos(self, po_ids: Sequence[str]) -> MatchContext:
        """Facts for every line of these POs, every counted invoice and applied credit included."""
        ...

    def duplicate_pool(self, keys: Sequence[DuplicateKey]) -> list[DuplicateKey]:
        """Invoices entered before a key's invoice (smaller id) that share its vendor and number, its vendor,
        currency and total, or its file (returned and cancelled ones left out): the possible originals.
        The keys are of stored invoices: their stored columns are what the database compares."""
        ...

    def manual_releases(self, invoice_ids: Sequence[str]) -> Mapping[str, list[ManualRelease]]:
        """Holds people released by hand, by invoice."""
        ...

    def open_holds(self, invoice_ids: Sequence[str]) -> Mapping[str, list[HoldRecord]]:
        """Open holds, by invoice."""
        ...

    def deliveries(self, po_ids: Sequence[str]) -> Mapping[tuple[str, int], tuple[dt.date | None, dt.date | None]]:
        """Per PO line: (last delivery date, last recorded acceptance date) over posted receipts."""
        ...

    def save(self, outcomes: Sequence[Any]) -> None:
        """Store match results, hold changes and invoice statuses in bulk; ``StaleState`` if any invoice moved."""
        ...


class LivePayments(Protocol):
    """What AP asks of the payments (``payments.disbursements.payment_ports.PaymentStore`` provides it): AP sits
    below disbursements, so it names the one question it needs rather than importing the payment store."""

    def live_invoice_ids(self, invoice_ids: Iterable[str]) -> set[str]:
        """Those of ``invoice_ids`` held by a live payment (scheduled, submitted, sent or settled)."""
        ...


class APUnitOfWork(UnitOfWork, Protocol):
    """The unit of work the AP use cases run in: the journals plus AP's repositories."""

    prompt_pay: PromptPayRecords  # vendors' and orders' prompt-pay terms, disputes, clock stops (issue 18)

    vendors: VendorRepository
    budgets: BudgetRepository
    purchase_orders: PurchaseOrderRepository
    receipts: ReceiptRepository
    invoices: InvoiceRepository
    credit_memos: CreditMemoRepository
    vendor_credits: VendorCreditStore
    match_queries: MatchQueries

    @property
    def payments(self) -> LivePayments:
        """Whether an invoice is in a live payment (a cancel is refused then)."""
        ...


__all__ = ["APUnitOfWork", "AuditRecorder", "LivePayments", "BudgetRepository", "CreditMemoRepository", "InvoiceRepository", "MatchQueries",
           "PromptPayDates", "PurchaseOrderRepository", "ReceiptRepository", "VendorRepository"]
