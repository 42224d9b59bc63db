"""The in-memory fakes of AP's ports (tests/ap_fakes.py) answer as the SQL adapters do, on the same cases: the
unit tests that run AP's use cases on the fakes (tests/unit/payments/test_ap_on_fakes.py) prove something about
production only while this holds.

Each case runs once on the fakes and once on the database (SQLite, and PostgreSQL when it is there), through the
repositories of one unit of work, and compares what a use case could observe: records, codes of refusals,
versions, totals.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from payments.ap.ap_postings import BudgetEffect
from payments.ap.ap_records import BudgetRecord, LineBudget, PORecord, POVersion, ReceiptRecord, Stamp, VendorRecord
from payments.ap.documents import (AccountCoding, POLine, POStatus, PurchaseOrder, Receipt, ReceiptLine, ReceiptStatus,
                                   Vendor, VendorStatus)
from payments.errors import CodedError
from tests.ap_fakes import InMemoryAPDatabase

AT = Stamp("usr_bea", "2026-11-04T15:00:00.000000Z")
SUPPLIES = AccountCoding("100", "PARKS", "5300")
ACME, ZENITH = "ven_01JZ0000000000000000000001", "ven_01JZ0000000000000000000002"
PO = "po_01JZ0000000000000000000001"


def vendor(vendor_id: str, number: str | None, status: VendorStatus = VendorStatus.ACTIVE,
           version: int = 1) -> VendorRecord:
    return VendorRecord(Vendor(vendor_id, "Acme Paving", status, ""), number, None, (), (), version, AT, AT)


def budget(budget_id: str, year: int = 2027, amount: int = 500_000, version: int = 1) -> BudgetRecord:
    return BudgetRecord(budget_id, year, "100", "PARKS", "5300", "USD", amount, None, version, AT)


def order() -> PORecord:
    line = POLine(1, "gravel", Decimal(10), "ton", Decimal(30_000), SUPPLIES)
    return PORecord(PurchaseOrder(PO, ACME, "USD", (line,), POStatus.APPROVED), "PO-1", "", AT,
                    budget={1: LineBudget(300_000)}, fiscal_year=2027)


def receipt(receipt_id: str, quantity: str, status: ReceiptStatus) -> ReceiptRecord:
    return ReceiptRecord(Receipt(receipt_id, PO, dt.date(2026, 11, 4),
                                 (ReceiptLine(1, Decimal(quantity), Decimal(quantity)),), status), None, "", AT)


Uow = Callable[[], Any]


@pytest.fixture(params=["fake", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def uow(request, tmp_path, clock) -> Iterator[Uow]:  # noqa: ANN001
    """A factory of units of work: the fake's, or the wired application's over a fresh migrated database."""
    if request.param == "fake":
        yield InMemoryAPDatabase()
        return
    import main
    from tests.conftest import _pg_database, copy_of_template, make_settings

    if request.param == "sqlite":
        path = tmp_path / "ap.db"
        copy_of_template(path, request.getfixturevalue("sqlite_template"))
        urls: Iterator[str] = iter([f"sqlite:///{path}"])
    else:
        urls = _pg_database(request.getfixturevalue("pg_template"))
    for url in urls:
        c = main.build(make_settings(url, tmp_path), clock=clock, migrate=True)
        main.initialize(c, example=False)
        yield c.uow
        c.engine.dispose()


@contextmanager
def refused_with(code: str) -> Iterator[None]:
    with pytest.raises(CodedError) as refused:
        yield
    assert refused.value.code == code


def test_vendors_numbers_ids_versions_and_statuses(uow: Uow):
    with uow() as u:
        u.vendors.add(vendor(ACME, "V-100"), tin_ciphertext=None, tin_fingerprint="fp-1")
        u.vendors.add(vendor(ZENITH, None), tin_ciphertext=None, tin_fingerprint="fp-1")
        u.commit()
    with uow() as u, refused_with("duplicate_number"):
        u.vendors.add(vendor("ven_01JZ0000000000000000000003", "V-100"), tin_ciphertext=None, tin_fingerprint=None)
    with uow() as u, refused_with("created_concurrently"):
        u.vendors.add(vendor(ACME, "V-999"), tin_ciphertext=None, tin_fingerprint=None)
    with uow() as u:
        assert u.vendors.get_by_number("V-100").vendor.id == ACME
        assert [r.vendor.id for r in u.vendors.list(after=None, limit=10)] == [ACME, ZENITH]
        assert [r.vendor.id for r in u.vendors.list(after=ACME, limit=10)] == [ZENITH]
        assert u.vendors.ids_with_tin("fp-1") == [ACME, ZENITH]
        u.vendors.set_status(ACME, VendorStatus.ACTIVE, VendorStatus.ON_HOLD, AT)
        u.commit()
    with uow() as u:
        held = u.vendors.get(ACME)
        assert (held.vendor.status, held.version) == (VendorStatus.ON_HOLD, 2)  # a status change moves the version
        with refused_with("stale_state"):
            u.vendors.set_status(ACME, VendorStatus.ACTIVE, VendorStatus.INACTIVE, AT)
    with uow() as u, refused_with("stale_state"):
        u.vendors.update(vendor(ACME, "V-100", version=2), expected_version=1)
    with uow() as u:
        u.vendors.update(vendor(ACME, "V-101", version=3), expected_version=2)
        u.commit()
    with uow() as u:
        assert (u.vendors.get(ACME).number, u.vendors.get(ACME).version) == ("V-101", 3)


def test_budget_lines_are_set_once_then_by_version_and_keep_the_postings_sums(uow: Uow):
    with uow() as u:
        u.budgets.upsert(budget("bud_01JZ0000000000000000000001"), expected_version=None)
        u.commit()
    with uow() as u, refused_with("stale_state"):  # a second first "set" of the same line
        u.budgets.upsert(budget("bud_01JZ0000000000000000000002"), expected_version=None)
    with uow() as u:
        key = (2027, "100", "PARKS", "5300", "USD")
        u.budgets.add_effects({key: BudgetEffect(encumbered_minor=300_000),
                                (2028, *key[1:]): BudgetEffect(expended_minor=1_000)})
        u.budgets.upsert(budget("bud_01JZ0000000000000000000001", amount=600_000, version=2), expected_version=1)
        u.commit()
    with uow() as u:
        line = u.budgets.get(*key)
        assert (line.amount_minor, line.version, line.encumbered_minor, line.expended_minor) == (600_000, 2, 300_000, 0)
        overspent = u.budgets.get(2028, "100", "PARKS", "5300", "USD")  # spent where nothing was appropriated
        assert (overspent.amount_minor, overspent.expended_minor) == (0, 1_000)
        assert [b.fiscal_year for b in sorted(u.budgets.list(after=None, limit=10, fund="100"),
                                              key=lambda b: b.fiscal_year)] == [2027, 2028]
        with refused_with("stale_state"):
            u.budgets.upsert(budget("bud_01JZ0000000000000000000001", amount=1, version=2), expected_version=1)


def test_orders_move_by_guarded_steps_and_count_posted_receipts_only(uow: Uow):
    with uow() as u:
        u.vendors.add(vendor(ACME, None), tin_ciphertext=None, tin_fingerprint=None)
        record = order()
        u.purchase_orders.add(record, POVersion(PO, 1, "entered", 300_000, None, (), AT))
        u.receipts.add(receipt("rcp_01JZ0000000000000000000001", "4", ReceiptStatus.POSTED))
        u.receipts.add(receipt("rcp_01JZ0000000000000000000002", "3", ReceiptStatus.DRAFT))
        u.commit()
    other = "po_01JZ0000000000000000000002"
    with uow() as u, refused_with("duplicate_number"):  # another order, the same number
        u.purchase_orders.add(replace(order(), po=replace(order().po, id=other)),
                              POVersion(other, 1, "entered", 300_000, None, (), AT))
    with uow() as u, refused_with("created_concurrently"):  # the same order, entered twice at once
        u.purchase_orders.add(replace(order(), number="PO-2"), POVersion(PO, 1, "entered", 300_000, None, (), AT))
    with uow() as u:
        assert u.receipts.totals(PO) == {1: (Decimal(4), Decimal(4))}
        assert u.purchase_orders.activity(PO) == {1: (Decimal(4), Decimal(0))}
        with refused_with("stale_state"):
            u.purchase_orders.set_status(PO, POStatus.DRAFT, POStatus.APPROVED)
        u.purchase_orders.set_status(PO, POStatus.APPROVED, POStatus.CLOSED, closed=AT, close_reason="done")
        u.purchase_orders.set_line_budgets(PO, {1: LineBudget(0, 120_000)})
        u.commit()
    with uow() as u:
        closed = u.purchase_orders.get(PO)
        assert (closed.po.status, closed.close_reason, closed.closed, closed.budget) == (
            POStatus.CLOSED, "done", AT, {1: LineBudget(0, 120_000)})
        assert [v.reason for v in u.purchase_orders.versions(PO)] == ["entered"]
