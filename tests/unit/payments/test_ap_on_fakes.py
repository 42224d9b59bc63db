"""The real vendor, budget and purchase-order use cases on the in-memory fakes of AP's ports (tests/ap_fakes.py):
no database, so each runs in milliseconds, and the Protocols are shown to be all these use cases need.

The city's Parks department (fund 100, department PARKS, object 5300 supplies) has $5,000 for FY2027 (Tom, a
treasurer, sets it). Vera enters the vendor Acme Paving, Bea an order of $3,000 of gravel; Tess approves it and
$3,000 is encumbered; a second order of $2,550 would overrun the line and is refused with nothing written.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from adapters.clock import FixedClock
from ledger.accounts import fund_chart
from ledger.journal import Journal
from ledger.verify import verify_journal
from payments.ap.ap_deps import APDeps
from payments.ap.ap_policy import APPolicies
from payments.ap.budget_service import BudgetService, SetBudget
from payments.ap.ap_records import VendorRecord
from payments.ap.documents import AccountCoding, POStatus, VendorStatus
from payments.ap.po_lines import NewPOLine
from payments.ap.po_service import NewPurchaseOrder, PurchaseOrderService
from payments.ap.vendor_service import VendorDetails, VendorService
from payments.audit import AuditTrail
from payments.errors import CodedError
from payments.identity import Principal, Role
from payments.ledger_service import LedgerService
from tests.ap_fakes import InMemoryAPDatabase
from tests.fakes import InMemoryJournalStore
from tests.kernel_fakes import MemoryKeyVault

NOW = datetime(2026, 11, 4, 15, 0, tzinfo=UTC)  # FY2027 (July to June)
SUPPLIES = AccountCoding("100", "PARKS", "5300")
bea = Principal.staff("usr_bea", Role.AP_CLERK)  # enters orders
tess = Principal.staff("usr_tess", Role.AP_APPROVER)  # approves them
tom = Principal.staff("usr_tom", Role.TREASURER)  # sets budgets
vera = Principal.staff("usr_vera", Role.VENDOR_ADMIN)  # keeps the vendor master


@pytest.fixture
def ap():
    clock, vault = FixedClock(NOW), MemoryKeyVault()
    db = InMemoryAPDatabase(InMemoryJournalStore(fund_chart("100", "General Fund")))
    Journal(db.committed.ledger, vault.create("ledger"), clock).genesis()
    deps = APDeps(db, LedgerService(db, vault, clock).journal_for, clock, APPolicies.from_policy({}),
                  AuditTrail(db, vault, clock))
    return db, VendorService(deps), BudgetService(deps), PurchaseOrderService(deps)


def acme_paving(vendors: VendorService, number: str | None = None) -> VendorRecord:
    """Entered pending, then activated: orders go to active vendors only."""
    acme, _ = vendors.create(vera, VendorDetails("Acme Paving", number=number))
    assert acme.vendor.status is VendorStatus.PENDING
    vendors.set_status(vera, acme.vendor.id, VendorStatus.ACTIVE)
    return vendors.get(acme.vendor.id)  # as stored: the activation moved its version on


def gravel(quantity: str) -> NewPOLine:
    return NewPOLine(1, "crushed gravel", Decimal(quantity), "ton", Decimal(30_000), SUPPLIES)  # $300 a ton


def test_an_order_within_its_budget_is_approved_and_encumbered(ap):
    db, vendors, budgets, orders = ap
    budgets.set(tom, SetBudget(2027, SUPPLIES, 500_000))
    acme = acme_paving(vendors, "V-100")

    po, _ = orders.create(bea, NewPurchaseOrder("PO-1", acme.vendor.id, "USD", (gravel("10"),)))
    approved = orders.approve(tess, po.po.id)

    assert approved.po.status is POStatus.APPROVED and approved.budget[1].encumbered_minor == 300_000
    line = budgets.availability(SUPPLIES, fiscal_year=2027)
    assert (line.appropriated_minor, line.encumbered_minor, line.available_minor) == (500_000, 300_000, 200_000)
    assert [e.draft.code for e in db.committed.ledger.rows] == ["ledger_genesis", "budget_adopted", "po_encumbered"]
    assert verify_journal(db.committed.ledger.rows, {k.key_id: k for k in db.committed.ledger.keys()}, workers=1).ok


def test_an_order_that_would_overrun_its_budget_line_is_refused_and_nothing_is_written(ap):
    db, vendors, budgets, orders = ap
    budgets.set(tom, SetBudget(2027, SUPPLIES, 500_000))
    acme = acme_paving(vendors)
    first, _ = orders.create(bea, NewPurchaseOrder("PO-1", acme.vendor.id, "USD", (gravel("10"),)))
    orders.approve(tess, first.po.id)
    second, _ = orders.create(bea, NewPurchaseOrder("PO-2", acme.vendor.id, "USD", (gravel("8.5"),)))
    commits, entries = db.commits, len(db.committed.ledger.rows)

    with pytest.raises(CodedError) as refused:
        orders.approve(tess, second.po.id)

    assert (refused.value.code, refused.value.details["available_minor"]) == ("insufficient_funds", 200_000)
    assert (db.commits, len(db.committed.ledger.rows)) == (commits, entries)
    assert orders.get(second.po.id).po.status is POStatus.DRAFT


def test_whoever_entered_an_order_may_not_approve_it(ap):
    _db, vendors, budgets, orders = ap
    budgets.set(tom, SetBudget(2027, SUPPLIES, 500_000))
    acme = acme_paving(vendors)
    po, _ = orders.create(bea, NewPurchaseOrder("PO-1", acme.vendor.id, "USD", (gravel("1"),)))
    approver_and_clerk = Principal.staff("usr_bea", Role.AP_CLERK, Role.AP_APPROVER)
    with pytest.raises(CodedError) as refused:
        orders.approve(approver_and_clerk, po.po.id)
    assert refused.value.code == "self_approval_forbidden"


def test_a_vendor_number_is_taken_once_and_an_update_from_a_stale_copy_is_refused(ap):
    db, vendors, _budgets, _orders = ap
    acme = acme_paving(vendors, "V-100")
    with pytest.raises(CodedError) as taken:
        vendors.create(vera, VendorDetails("Acme Paving Again", number="V-100"))
    assert (taken.value.code, taken.value.details["field"]) == ("duplicate_number", "number")

    vendors.update(vera, acme.vendor.id, VendorDetails("Acme Paving LLC", number="V-100"),
                   expected_version=acme.version)
    with pytest.raises(CodedError) as stale:
        vendors.update(vera, acme.vendor.id, VendorDetails("Acme Paving Inc", number="V-100"),
                       expected_version=acme.version)
    assert stale.value.code == "stale_state"
    assert vendors.get(acme.vendor.id).vendor.legal_name == "Acme Paving LLC"


def test_an_order_for_a_suspended_vendor_is_refused(ap):
    _db, vendors, budgets, orders = ap
    budgets.set(tom, SetBudget(2027, SUPPLIES, 500_000))
    acme = acme_paving(vendors)
    vendors.set_status(vera, acme.vendor.id, VendorStatus.ON_HOLD)
    with pytest.raises(CodedError) as refused:
        orders.create(bea, NewPurchaseOrder("PO-1", acme.vendor.id, "USD", (gravel("1"),)))
    assert refused.value.code == "vendor_not_active"
