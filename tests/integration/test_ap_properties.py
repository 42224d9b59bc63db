"""Properties through the database (SQLite): the SQL match context equals the domain's reference aggregation,
receipts' order never changes a match, and net billed never passes its cap after any sequence of documents."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from payments.ap.documents import InvoiceStatus
from payments.ap.matching.match_context import build_context
from tests.integration.ap_story import (APPROVER, ap, approved_po, budget, credit, inv_line, invoice, po_line,
                                        receive, vendor)

PROPERTY = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
quantities = st.integers(min_value=1, max_value=6)


@pytest.fixture
def world(container, db_url):  # noqa: ANN001, ANN201
    if not db_url.startswith("sqlite"):
        pytest.skip("properties run on SQLite; the worked examples cover PostgreSQL")
    services = ap(container)
    budget(services, dollars=10_000_000)
    return container, services, vendor(services), iter(range(10_000))


@PROPERTY
@given(receipts=st.lists(quantities, min_size=1, max_size=4), bills=st.lists(quantities, min_size=1, max_size=4),
       credit_qty=st.integers(min_value=0, max_value=2))
def test_the_sql_context_is_the_reference_aggregation_and_billed_never_passes_the_cap(world, receipts, bills,
                                                                                     credit_qty):
    container, s, acme, counter = world
    n = next(counter)
    po = approved_po(s, acme, po_line(1, 10), po_line(2, 5, 4_000, item="lamp"), number=f"PO-P{n}")
    for day, qty in enumerate(receipts, 1):
        receive(s, po, (1, qty), (2, 1), on=dt.date(2026, 9, day))
    for k, qty in enumerate(bills):
        day0 = dt.date(2026, 1, 1) + dt.timedelta(days=50 * n + 8 * k)
        invoice(s, acme, inv_line(1, po, qty), inv_line(2, po, 1, 4_000, po_line_no=2), number=f"P{n}-{k}",
                invoice_date=day0, received_on=day0 + dt.timedelta(days=1))
    counted = [r for r in s.invoices.list(after=None, limit=100, po_id=po)
               if r.invoice.status in (InvoiceStatus.MATCHED, InvoiceStatus.APPROVED)]
    billed = sum(line.quantity for r in counted for line in r.invoice.lines if line.po_line_no == 1)
    credit_qty = min(credit_qty, int(billed))  # a memo may credit only what was billed
    if credit_qty:
        credit(s, acme, po, credit_qty, credit_qty * 12_000, number=f"CM-P{n}")

    with container.uow(read_only=True) as uow:
        record = uow.purchase_orders.get(po)
        docs = [r.receipt for r in uow.receipts.list(after=None, limit=100, po_id=po)]
        invoices = [r.invoice for r in uow.invoices.list(after=None, limit=100, po_id=po)]
        memos = [m.memo for m in uow.credit_memos.list(after=None, limit=100, vendor_id=acme)
                 if any(line.po_id == po for line in m.memo.lines)]
        sql = uow.match_queries.context_for_pos([po])
    reference = build_context([record.po], docs, invoices, memos)
    assert sql.lines == reference.lines and sql.pos == reference.pos

    line = sql.lines[(po, 1)]
    assert line.net_quantity_billed <= min(line.quantity_ordered, line.quantity_received)  # zero tolerance


@PROPERTY
@given(receipts=st.permutations([3, 1, 4, 2]))
def test_the_order_receipts_arrive_in_never_changes_the_match(world, receipts):
    container, s, acme, counter = world
    n = next(counter)
    po = approved_po(s, acme, number=f"PO-O{n}")
    day0 = dt.date(2026, 1, 1) + dt.timedelta(days=10 * n)  # apart from other examples' identical bills
    bill = invoice(s, acme, inv_line(1, po, 10), number=f"O{n}", invoice_date=day0,
                   received_on=day0 + dt.timedelta(days=1))
    for day, qty in enumerate(receipts, 1):
        receive(s, po, (1, qty), on=dt.date(2026, 10, day))
    view = s.invoices.view(bill.invoice.id)
    assert view.record.invoice.status.value == "matched" and view.match.findings == ()
    reference = _reference_digest(s)
    assert view.match.digest == reference
    s.approvals.approve(APPROVER, bill.invoice.id)


def _reference_digest(s) -> str:  # noqa: ANN001
    from payments.ap.matching.match_findings import MatchResult

    return MatchResult.of("any", [], s.deps.policies.tolerance.version).digest()


def test_quantities_sum_exactly_where_floats_would_not():
    # 0.1 + 0.2 in SQL over REAL columns is 0.30000000000000004; our quantities are integer millionths.
    from adapters.db.ap.ap_tables import from_micros, to_micros

    assert from_micros(to_micros(Decimal("0.1")) + to_micros(Decimal("0.2"))) == Decimal("0.3")
