"""In-memory fakes of accounts payable's ports (``payments/ap/ap_ports.py``) for vendors, budgets, purchase
orders and receipts, and a unit of work over them whose changes others see only once it commits.

They behave as the SQL adapters do where a use case can tell (tests/integration/test_ap_fakes_contract.py runs the
same cases on both): guarded writes raise ``StaleState``, a taken vendor or order number ``DuplicateNumber``, a
taken id ``CreatedConcurrently``, a receipt counts only once posted, and lists page by id. A unit of work works
on a copy of the committed state and swaps it in on ``commit``; leaving without commit drops it. Concurrency is not
modelled: units of work run one after another.

Not faked (their use cases still run on the database only): invoices, credit memos, matching's queries, prompt
pay's records and vendor credits. A unit of work here has no such attribute, so a use case that reaches for one
fails loudly instead of running against a stand-in.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, TypeVar

from payments.ap.ap_errors import CreatedConcurrently, DuplicateNumber
from payments.ap.ap_postings import BudgetEffect, BudgetKey
from payments.ap.ap_records import BudgetRecord, LineBudget, PORecord, POVersion, ReceiptRecord, Stamp, VendorRecord, new_id
from payments.ap.documents import POStatus, PurchaseOrder, ReceiptStatus, VendorStatus
from payments.ap.ap_ports import BudgetRepository, PurchaseOrderRepository, ReceiptRepository, VendorRepository
from payments.errors import StaleState
from tests.fakes import InMemoryJournalStore
from tests.kernel_fakes import CopyOnCommitDatabase, CopyOnCommitUnitOfWork, KernelState, copy_repos

T = TypeVar("T")


def _page(rows: Mapping[str, T], after: str | None, limit: int) -> builtins.list[T]:
    """By id after the cursor, as ``page_after`` orders the SQL lists."""
    return [r for k, r in sorted(rows.items()) if after is None or k > after][:limit]


class InMemoryVendors:
    def __init__(self) -> None:
        self.rows: dict[str, VendorRecord] = {}
        self.tin_fingerprints: dict[str, str | None] = {}

    def add(self, record: VendorRecord, *, tin_ciphertext: bytes | None, tin_fingerprint: str | None) -> None:
        if record.number and self.get_by_number(record.number) is not None:
            raise DuplicateNumber("vendor", record.number)
        if record.vendor.id in self.rows:
            raise CreatedConcurrently("vendor", record.vendor.id)
        self.rows[record.vendor.id] = record
        self.tin_fingerprints[record.vendor.id] = tin_fingerprint

    def get(self, vendor_id: str) -> VendorRecord | None:
        return self.rows.get(vendor_id)

    def get_by_number(self, number: str) -> VendorRecord | None:
        return next((r for r in self.rows.values() if r.number == number), None)

    def list(self, *, after: str | None, limit: int, status: str | None = None) -> builtins.list[VendorRecord]:
        return _page({k: r for k, r in self.rows.items() if not status or r.vendor.status.value == status},
                     after, limit)

    def update(self, record: VendorRecord, *, expected_version: int, tin_ciphertext: bytes | None = None,
               tin_fingerprint: str | None = None) -> None:
        current = self.rows.get(record.vendor.id)
        if current is None or current.version != expected_version:
            raise StaleState("vendor", record.vendor.id, f"version {expected_version}")
        # The status is not among the details an update writes (set_status moves it).
        self.rows[record.vendor.id] = replace(record, vendor=replace(record.vendor, status=current.vendor.status),
                                              created=current.created, create_digest=current.create_digest)
        if tin_ciphertext is not None:
            self.tin_fingerprints[record.vendor.id] = tin_fingerprint

    def set_status(self, vendor_id: str, expected: VendorStatus, new: VendorStatus, stamp: Stamp) -> None:
        current = self.rows.get(vendor_id)
        if current is None or current.vendor.status is not expected:
            raise StaleState("vendor", vendor_id, expected.value)
        self.rows[vendor_id] = replace(current, vendor=replace(current.vendor, status=new),
                                       version=current.version + 1, updated=stamp)

    def ids_with_tin(self, tin_fingerprint: str) -> builtins.list[str]:
        return sorted(k for k, f in self.tin_fingerprints.items() if f == tin_fingerprint)


class InMemoryBudgets:
    def __init__(self) -> None:
        self.rows: dict[str, BudgetRecord] = {}

    def get(self, fiscal_year: int, fund: str, department: str, object_code: str, currency: str) -> BudgetRecord | None:
        return next((b for b in self.rows.values()
                     if (b.fiscal_year, b.fund, b.department, b.object_code, b.currency)
                     == (fiscal_year, fund, department, object_code, currency)), None)

    def upsert(self, record: BudgetRecord, *, expected_version: int | None) -> None:
        if expected_version is None:
            if record.id in self.rows or self.get(record.fiscal_year, record.fund, record.department,
                                                  record.object_code, record.currency) is not None:
                raise StaleState("budget", f"FY{record.fiscal_year} {record.fund}-{record.department}-"
                                 f"{record.object_code}", "not yet set")
            self.rows[record.id] = replace(record, encumbered_minor=0, expended_minor=0)
            return
        current = self.rows.get(record.id)
        if current is None or current.version != expected_version:
            raise StaleState("budget", record.id, f"version {expected_version}")
        # The running sums are the postings' (add_effects), never the caller's copy of them.
        self.rows[record.id] = replace(record, encumbered_minor=current.encumbered_minor,
                                       expended_minor=current.expended_minor)

    def add_effects(self, effects: Mapping[BudgetKey, BudgetEffect]) -> None:
        for (year, fund, department, object_code, currency), e in sorted(effects.items()):
            if not (e.encumbered_minor or e.expended_minor):
                continue
            line = self.get(year, fund, department, object_code, currency)
            if line is None:  # spent against a year with no appropriation: it appears overspent, as in SQL
                line = BudgetRecord(new_id("budget"), year, fund, department, object_code, currency, 0, None, 1,
                                    Stamp())
            self.rows[line.id] = replace(line, encumbered_minor=line.encumbered_minor + e.encumbered_minor,
                                         expended_minor=line.expended_minor + e.expended_minor)

    def reset_totals(self) -> None:
        self.rows = {k: replace(b, encumbered_minor=0, expended_minor=0) for k, b in self.rows.items()}

    def list(self, *, after: str | None, limit: int, fiscal_year: int | None = None,
             fund: str | None = None) -> builtins.list[BudgetRecord]:
        return _page({k: b for k, b in self.rows.items() if (fiscal_year is None or b.fiscal_year == fiscal_year)
                      and (not fund or b.fund == fund)}, after, limit)


class InMemoryReceipts:
    def __init__(self) -> None:
        self.rows: dict[str, ReceiptRecord] = {}

    def add(self, record: ReceiptRecord) -> None:
        if record.receipt.id in self.rows:
            raise CreatedConcurrently("receipt", record.receipt.id)
        self.rows[record.receipt.id] = record

    def get(self, receipt_id: str) -> ReceiptRecord | None:
        return self.rows.get(receipt_id)

    def list(self, *, after: str | None, limit: int, po_id: str | None = None) -> builtins.list[ReceiptRecord]:
        return _page({k: r for k, r in self.rows.items() if not po_id or r.receipt.po_id == po_id}, after, limit)

    def find_number(self, po_id: str, number: str) -> builtins.list[str]:
        return [k for k, r in self.rows.items() if r.receipt.po_id == po_id and r.number == number]

    def totals(self, po_id: str) -> dict[int, tuple[Decimal, Decimal]]:
        """Received and accepted per order line, of posted receipts only (a draft does not count yet)."""
        out: dict[int, tuple[Decimal, Decimal]] = {}
        for r in self.rows.values():
            if r.receipt.po_id != po_id or r.receipt.status is not ReceiptStatus.POSTED:
                continue
            for line in r.receipt.lines:
                got, ok = out.get(line.po_line_no, (Decimal(0), Decimal(0)))
                out[line.po_line_no] = (got + line.quantity_received, ok + (line.quantity_accepted or 0))
        return out


class InMemoryPurchaseOrders:
    def __init__(self, receipts: InMemoryReceipts) -> None:
        self.rows: dict[str, PORecord] = {}
        self.history: dict[str, list[POVersion]] = {}
        self._receipts = receipts

    def add(self, record: PORecord, version: POVersion) -> None:
        if self.get_by_number(record.number) is not None:
            raise DuplicateNumber("purchase order", record.number)
        if record.po.id in self.rows:
            raise CreatedConcurrently("purchase order", record.po.id)
        self.rows[record.po.id] = replace(record, budget={line.line_no: record.budget.get(line.line_no, LineBudget())
                                                          for line in record.po.lines})
        self.history[record.po.id] = [version]

    def get(self, po_id: str, *, for_update: bool = False) -> PORecord | None:
        return self.rows.get(po_id)

    def get_by_number(self, number: str) -> PORecord | None:
        return next((r for r in self.rows.values() if r.number == number), None)

    def list(self, *, after: str | None, limit: int, vendor_id: str | None = None,
             status: str | None = None) -> builtins.list[PORecord]:
        return _page({k: r for k, r in self.rows.items() if (not vendor_id or r.po.vendor_id == vendor_id)
                      and (not status or r.po.status.value == status)}, after, limit)

    def set_status(self, po_id: str, expected: POStatus, new: POStatus, *, approved: Stamp | None = None,
                   closed: Stamp | None = None, close_reason: str | None = None,
                   fiscal_year: int | None = None) -> None:
        current = self.rows.get(po_id)
        if current is None or current.po.status is not expected:
            raise StaleState("purchase order", po_id, expected.value)
        changes: dict[str, Any] = {"po": replace(current.po, status=new)}
        for name, value in (("approved", approved), ("closed", closed), ("close_reason", close_reason),
                            ("fiscal_year", fiscal_year)):
            if value is not None:
                changes[name] = value
        self.rows[po_id] = replace(current, **changes)

    def set_fiscal_year(self, po_id: str, fiscal_year: int) -> None:
        if po_id in self.rows:
            self.rows[po_id] = replace(self.rows[po_id], fiscal_year=fiscal_year)

    def set_line_budgets(self, po_id: str, budgets: Mapping[int, LineBudget]) -> None:
        current = self.rows[po_id]
        # Only the order's own lines have a budget row to update, as in SQL.
        kept = {n: budgets.get(n, b) for n, b in current.budget.items()}
        self.rows[po_id] = replace(current, budget=kept)

    def replace(self, po: PurchaseOrder, *, expected_version: int, budgets: Mapping[int, LineBudget],
                version: POVersion, updated: Stamp) -> None:
        current = self.rows.get(po.id)
        if current is None or current.po.version != expected_version:
            raise StaleState("purchase order", po.id, f"version {expected_version}")
        # The status stays the stored one: a change order moves it with set_status.
        self.rows[po.id] = replace(current, po=replace(po, status=current.po.status), updated=updated,
                                   budget={line.line_no: budgets.get(line.line_no, LineBudget()) for line in po.lines})
        self.history[po.id].append(version)

    def versions(self, po_id: str) -> builtins.list[POVersion]:
        return sorted(self.history.get(po_id, []), key=lambda v: v.version)

    def activity(self, po_id: str) -> dict[int, tuple[Decimal, Decimal]]:
        """Received and billed per line: billed is zero here, since invoices are not faked."""
        return {n: (got, Decimal(0)) for n, (got, _ok) in self._receipts.totals(po_id).items()}


@dataclass
class APState(KernelState):
    """Everything the fake database holds; a unit of work works on a copy of it."""

    vendors: InMemoryVendors = field(default_factory=InMemoryVendors)
    budgets: InMemoryBudgets = field(default_factory=InMemoryBudgets)
    receipts: InMemoryReceipts = field(default_factory=InMemoryReceipts)

    def __post_init__(self) -> None:
        super().__post_init__()
        self.purchase_orders = InMemoryPurchaseOrders(self.receipts)

    def copy(self) -> APState:
        state = copy_repos(self)
        state.purchase_orders.history = {k: list(v) for k, v in self.purchase_orders.history.items()}
        state.ledger_queries._journal = state.ledger
        state.purchase_orders._receipts = state.receipts
        return state


class InMemoryAPUnitOfWork(CopyOnCommitUnitOfWork[APState]):
    # Declared as the ports' types, so that binding each fake below is mypy's proof that it satisfies its Protocol
    # (tests/unit/people/test_bank_account_service_on_fakes.py runs mypy over the fakes).
    vendors: VendorRepository
    budgets: BudgetRepository
    purchase_orders: PurchaseOrderRepository
    receipts: ReceiptRepository

    def _bind(self, state: APState) -> None:
        self._state = state
        self.ledger, self.audit, self.audit_index = state.ledger, state.audit, state.audit_index
        self.ledger_queries = state.ledger_queries
        self.vendors, self.budgets = state.vendors, state.budgets
        self.purchase_orders, self.receipts = state.purchase_orders, state.receipts


class InMemoryAPDatabase(CopyOnCommitDatabase[APState]):
    """The committed state and the factory of units of work over it (``UowFactory[APUnitOfWork]``, for the ports
    above)."""

    def __init__(self, ledger: InMemoryJournalStore | None = None) -> None:
        super().__init__(APState(ledger=ledger or InMemoryJournalStore()))

    def __call__(self, read_only: bool = False) -> InMemoryAPUnitOfWork:
        return InMemoryAPUnitOfWork(self, read_only)
