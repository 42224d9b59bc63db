"""Two requests racing for one unique key get a conflict with a stable code, never a server error.

The use cases look a number up before inserting it; a racer can commit between the look-up and the insert. The
examples below replay that interleaving deterministically: on both databases by hiding the winner from the
look-up (as an uncommitted winner is hidden), and on PostgreSQL also with two real transactions, the loser's
INSERT waiting on the winner's uncommitted row.
"""

import datetime as dt
import threading
import time

import pytest
from sqlalchemy import text

from payments.ap.ap_errors import CreatedConcurrently, DuplicateNumber
from payments.ap.ap_records import new_id
from payments.controls import SameApproverTwice
from payments.ap.credit_memo_service import NewCreditMemo, NewCreditMemoLine
from payments.ap.invoice_service import NewInvoice
from payments.ap.po_service import NewPurchaseOrder
from payments.ap.vendor_service import VendorDetails
from tests.integration.ap_story import (APPROVER, CLERK, D, VENDOR_ADMIN, ap, approved_po, budget, inv_line, invoice,
                                        po_line, receive, vendor)


@pytest.fixture
def s(container):  # noqa: ANN001, ANN201
    services = ap(container)
    budget(services)
    return services


def _blind(repo, method: str) -> None:  # noqa: ANN001
    """The look-up ran before the other request committed: it saw nothing."""
    setattr(repo, method, lambda *a, **k: None)


def test_two_purchase_orders_numbered_alike_the_loser_gets_duplicate_number(container, s):
    acme = vendor(s)
    first, _ = s.purchase_orders.create(CLERK, NewPurchaseOrder("PO-2027-0042", acme, "USD", (po_line(),)))
    with container.uow() as uow:
        _blind(uow.purchase_orders, "get_by_number")
        with pytest.raises(DuplicateNumber) as lost:
            s.purchase_orders.create_in(uow, CLERK, NewPurchaseOrder("PO-2027-0042", acme, "USD", (po_line(),)))
        # The transaction survives (a savepoint): an import can go on listing the other rows' errors.
        assert uow.purchase_orders.get(first.po.id).number == "PO-2027-0042"
    assert lost.value.details == {"kind": "purchase order", "number": "PO-2027-0042"}


def test_one_client_id_created_twice_at_once_is_created_concurrently(container, s):
    acme = vendor(s)
    po = approved_po(s, acme)
    receive(s, po, (1, 10))
    cmd = NewInvoice(acme, "INV-7", dt.date(2026, 10, 5), "USD", (inv_line(1, po, 10),), dt.date(2026, 10, 6),
                     "net 30", 120_000, "Acme Furniture, 1 Main St", "Pat Lee, 555-0100")
    chosen = new_id("invoice")
    s.invoices.create(CLERK, cmd, id=chosen)
    with container.uow() as uow:
        _blind(uow.invoices, "get")
        with pytest.raises(CreatedConcurrently) as lost:
            s.invoices.create_in(uow, CLERK, cmd, id=chosen)
    assert lost.value.code == "created_concurrently" and lost.value.details["object_id"] == chosen
    # Retried, the request is recognized and replayed.
    again, created = s.invoices.create(CLERK, cmd, id=chosen)
    assert (again.invoice.id, created) == (chosen, False)


def test_a_vendor_number_and_a_credit_memo_number_taken_by_a_racer(container, s):
    acme = vendor(s)
    s.vendors.create(VENDOR_ADMIN, VendorDetails(legal_name="Bolt Supply", tin="11-1111111", number="V-9"))
    with container.uow() as uow:
        _blind(uow.vendors, "get_by_number")
        with pytest.raises(DuplicateNumber):
            s.vendors.create_in(uow, VENDOR_ADMIN, VendorDetails(legal_name="Bolt Supply Co", tin="22-2222222",
                                                                 number="V-9"))
    po = approved_po(s, acme)
    receive(s, po, (1, 10))
    s.approvals.approve(APPROVER, invoice(s, acme, inv_line(1, po, 10)).invoice.id)
    memo = NewCreditMemo(acme, "CM-1", dt.date(2026, 10, 20), "USD", (NewCreditMemoLine(po, 1, D(1), 12_000),))
    s.credit_memos.create(CLERK, memo)
    with container.uow() as uow:
        _blind(uow.credit_memos, "get_by_number")
        with pytest.raises(DuplicateNumber) as lost:
            s.credit_memos.create_in(uow, CLERK, memo)
    assert lost.value.details["kind"] == "credit memo"


def test_one_approver_clicking_twice_at_once_is_same_approver_twice(container, s):
    acme = vendor(s)
    po = approved_po(s, acme, po_line(1, 250, 12_000))  # above the dual-approval threshold
    receive(s, po, (1, 250))
    bill = invoice(s, acme, inv_line(1, po, 250))
    s.approvals.approve(APPROVER, bill.invoice.id)
    with container.uow() as uow:
        uow.invoices.approvals = lambda *a, **k: []  # the other click had not committed when this one read
        with pytest.raises(SameApproverTwice):
            s.approvals.approve_in(uow, APPROVER, bill.invoice.id)


@pytest.mark.postgres
def test_two_transactions_race_for_one_po_number_on_postgresql(pg_url, tmp_path, clock):  # noqa: ANN001
    import main
    from payments.example.example_agency import example_accounts
    from tests.conftest import make_settings

    c = main.build(make_settings(pg_url, tmp_path), clock=clock, migrate=True)
    try:
        main.initialize(c, example=False)
        c.ledger.add_accounts(example_accounts())
        s = ap(c)
        budget(s)
        acme = vendor(s)
        cmd = NewPurchaseOrder("PO-RACE", acme, "USD", (po_line(),))
        outcome: dict = {}

        def loser() -> None:
            with c.uow() as uow:
                try:
                    s.purchase_orders.create_in(uow, CLERK, cmd)
                    uow.commit()
                    outcome["result"] = "created"
                except Exception as exc:  # noqa: BLE001 - the test inspects it
                    outcome["result"] = exc

        with c.uow() as winner:
            s.purchase_orders.create_in(winner, CLERK, cmd)  # inserted, not yet committed
            thread = threading.Thread(target=loser)
            thread.start()
            deadline = time.monotonic() + 30
            with c.engine.connect() as probe:  # wait until the loser's INSERT is blocked on our row
                while not probe.execute(text(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                        "AND datname = current_database()")).scalar_one():
                    assert thread.is_alive() and time.monotonic() < deadline, \
                        f"the second insert never waited on the first one's row: {outcome}"
                    probe.commit()
                    thread.join(0.01)
            winner.commit()
        thread.join()
        assert isinstance(outcome["result"], DuplicateNumber), outcome
    finally:
        c.engine.dispose()
