"""A purchase order's life through the ledger (SQLite and PostgreSQL): draft, approved, changed by new versions,
closed, reopened, finally closed. Every step that moves the encumbrance posts it; the reserve follows."""

import datetime as dt

import pytest

from payments.ap.ap_errors import LineHasActivity, PONotOpen, StaleState
from payments.ap.documents import TransitionNotAllowed
from payments.identity import Principal, Role
from payments.ap.po_service import ChangeOrder, NewPurchaseOrder
from tests.integration.ap_story import (APPROVER, CLERK, FURNITURE, ap, balance, budget, po_line, receive, vendor)

ENC, RESERVE, EXP = "100-8030-PW-5710", "100-3050", "100-5000-PW-5710"
BUYER = Principal.staff("usr_sue", Role.AP_CLERK, Role.AP_APPROVER)  # writes change orders that commit more


@pytest.fixture
def s(container):  # noqa: ANN001, ANN201
    services = ap(container)
    budget(services)
    return services


def _encumbered(container) -> tuple[int, int]:  # noqa: ANN001
    return balance(container, ENC), balance(container, RESERVE)


def _codes(container, po_id: str) -> list[str]:  # noqa: ANN001
    with container.uow(read_only=True) as uow:
        entries = uow.ledger_queries.list_entries(limit=10_000)
    return [e.draft.code for e in entries if e.draft.references.get("purchase_order") == po_id]


def test_an_order_for_chairs_from_draft_to_finally_closed(container, s):
    acme = vendor(s)
    record, _ = s.purchase_orders.create(CLERK, NewPurchaseOrder("PO-LIFE", acme, "USD", (po_line(1, 10, 12_000),)))
    po = record.po.id
    assert _encumbered(container) == (0, 0)  # a draft commits no money
    with pytest.raises(PONotOpen):
        receive(s, po, (1, 1))

    s.purchase_orders.approve(APPROVER, po)
    assert _encumbered(container) == (120_000, 120_000)

    # Change order: 15 chairs (version 2). More money committed: approval by someone else, and a funds check.
    s.purchase_orders.change(BUYER, po, ChangeOrder(1, (_line(15),), "five more for the annex"))
    assert _encumbered(container) == (120_000, 120_000)  # waits in pending_approval
    s.purchase_orders.approve(APPROVER, po)
    assert _encumbered(container) == (180_000, 180_000)
    with pytest.raises(StaleState):  # written against version 1, which is no longer current
        s.purchase_orders.change(BUYER, po, ChangeOrder(1, (_line(12),), "stale screen"))
    assert [v.version for v in s.purchase_orders.versions(po)] == [1, 2]

    receive(s, po, (1, 5))
    assert (balance(container, EXP), *_encumbered(container)) == (60_000, 120_000, 120_000)
    with pytest.raises(LineHasActivity):
        s.purchase_orders.change(BUYER, po, ChangeOrder(2, (_line(4),), "fewer than arrived"))

    s.purchase_orders.close(CLERK, po, final=False, reason="annex on hold")
    assert _encumbered(container) == (0, 0)
    with pytest.raises(PONotOpen):
        receive(s, po, (1, 1), on=dt.date(2026, 10, 20))

    s.purchase_orders.reopen(APPROVER, po, reason="annex back on")
    assert _encumbered(container) == (120_000, 120_000)  # the ten not yet received

    s.purchase_orders.close(CLERK, po, final=True, reason="vendor out of stock for good")
    assert _encumbered(container) == (0, 0)
    with pytest.raises(TransitionNotAllowed):
        s.purchase_orders.reopen(APPROVER, po, reason="try again")
    assert _codes(container, po) == ["po_encumbered", "po_changed", "receipt_accrued", "po_closed", "po_reopened",
                                     "po_closed"]
    assert s.budgets.availability(FURNITURE).available_minor == 10_000_000 - 60_000
    assert container.ledger.verify().ok


def test_reopening_needs_the_years_money_still_there(container, s):
    from payments.ap.ap_errors import InsufficientFunds
    from payments.ap.budget_service import SetBudget
    from tests.integration.ap_story import TREASURER, approved_po

    acme = vendor(s)
    po = approved_po(s, acme)  # $1,200
    s.purchase_orders.close(CLERK, po, final=False, reason="paused")
    s.budgets.set(TREASURER, SetBudget(2027, FURNITURE, 100_000))  # cut to $1,000 while it was closed
    with pytest.raises(InsufficientFunds):
        s.purchase_orders.reopen(APPROVER, po, reason="resume")
    assert s.purchase_orders.get(po).po.status.value == "closed" and _encumbered(container) == (0, 0)


def _line(qty: int):  # noqa: ANN202
    return po_line(1, qty, 12_000)
