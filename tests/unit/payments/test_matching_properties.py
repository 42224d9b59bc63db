"""Properties of matching that must hold for any documents, not just the worked examples.

Counting rule under test: an invoice counts as billed only while MATCHED (or later, APPROVED/PAID); it
becomes MATCHED only when a match finds nothing; held invoices do not count; applied credit memos subtract.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from payments.ap.documents import InvoiceStatus, MatchLevel, counts_as_billed
from payments.ap.matching.match_context import build_context
from payments.ap.matching.matching import match_batch, match_invoice
from payments.ap.matching.tolerance import Tolerance, TolerancePolicy, Tolerances

from .stories import credit_memo, inv_line, invoice, po_line, purchase_order, receipt

quantities = st.integers(min_value=1, max_value=12).map(Decimal)
levels = st.sampled_from(list(MatchLevel))
tolerances = st.builds(
    Tolerance,
    pct=st.sampled_from([Decimal(0), Decimal(5), Decimal("12.5")]),
    absolute=st.sampled_from([Decimal(0), Decimal(1), Decimal(250)]),
)
policies = st.builds(
    lambda q, a, t, p: TolerancePolicy("prop", Tolerances(price=p, quantity=q, line_amount=a, max_total=t)),
    tolerances, tolerances, tolerances, tolerances,
)


@st.composite
def receipt_lines(draw):
    received = draw(st.integers(min_value=-3, max_value=8))
    accepted = draw(st.one_of(st.none(), st.integers(min_value=min(received, 0), max_value=max(received, 0))))
    line_no = draw(st.integers(1, 2))
    return (line_no, received) if accepted is None else (line_no, received, accepted)


@settings(max_examples=150, deadline=None)
@given(
    levels=st.tuples(levels, levels),
    receipts=st.lists(st.lists(receipt_lines(), min_size=1, max_size=3), max_size=6),
    billed=st.tuples(quantities, quantities),
    policy=policies,
    data=st.data(),
)
def test_the_match_result_does_not_depend_on_the_order_receipts_arrived_in(levels, receipts, billed, policy, data):
    po = purchase_order("PO-1", po_line(1, level=levels[0]), po_line(2, item="desk", level=levels[1]))
    docs = [receipt(f"r{i}", *lines) for i, lines in enumerate(receipts)]
    shuffled = data.draw(st.permutations(docs))
    bill = invoice("inv-1", inv_line(1, billed[0]), inv_line(2, billed[1], po_line_no=2))

    a = match_invoice(bill, build_context([po], docs), policy)
    b = match_invoice(bill, build_context([po], shuffled), policy)

    assert a == b and a.digest() == b.digest()


@settings(max_examples=100, deadline=None)
@given(
    quantities_billed=st.lists(quantities, min_size=1, max_size=8),
    received=st.integers(0, 30),
    policy=policies,
    data=st.data(),
)
def test_a_batch_gives_the_same_results_whatever_order_the_invoices_are_handed_in(
    quantities_billed, received, policy, data
):
    context = build_context([purchase_order()], [receipt("r", (1, received))])
    bills = [invoice(f"inv-{i:02}", inv_line(1, q)) for i, q in enumerate(quantities_billed)]
    shuffled = data.draw(st.permutations(bills))
    assert match_batch(bills, context, policy) == match_batch(shuffled, context, policy)


# --- cumulative billed never exceeds the cap ---------------------------------------------------------

events = st.one_of(
    st.tuples(st.just("receive"), st.integers(1, 6), st.integers(0, 6)),
    st.tuples(st.just("invoice"), st.integers(1, 8), st.sampled_from([12_000, 11_500, 12_100, 12_600])),
    st.tuples(st.just("credit"), st.integers(1, 4), st.just(0)),
)


@settings(max_examples=200, deadline=None)
@given(level=levels, policy=policies, script=st.lists(events, min_size=1, max_size=25))
def test_cumulative_billed_never_exceeds_the_cap_after_any_sequence_of_documents(level, policy, script):
    po = purchase_order("PO-1", po_line(qty=10, price_minor=12_000, level=level))
    receipts, invoices, memos = [], [], []

    def context(excluding):
        return build_context([po], receipts, invoices, memos, exclude_invoice_ids=[excluding])

    def rematch_held():
        # A later receipt or credit memo re-matches every held invoice, oldest first; clean ones count.
        for i, inv in enumerate(invoices):
            if inv.status is InvoiceStatus.HELD and match_invoice(inv, context(inv.id), policy).is_clean:
                invoices[i] = replace(inv, status=InvoiceStatus.MATCHED)

    for step, (kind, qty, extra) in enumerate(script):
        if kind == "receive":
            receipts.append(receipt(f"r{step}", (1, qty, min(extra, qty))))
            rematch_held()
        elif kind == "invoice":
            inv = invoice(f"inv-{step:02}", inv_line(1, qty, extra))
            clean = match_invoice(inv, context(inv.id), policy).is_clean
            invoices.append(replace(inv, status=InvoiceStatus.MATCHED if clean else InvoiceStatus.HELD))
        else:
            facts = build_context([po], receipts, invoices, memos).lines[("PO-1", 1)]
            if facts.net_quantity_billed >= qty:  # a vendor cannot credit more than it billed
                memos.append(credit_memo(f"cm{step}", (1, qty, qty * 12_000)))
                rematch_held()

        facts = build_context([po], receipts, invoices, memos).lines[("PO-1", 1)]
        tol = policy.resolve("ven_acme", "furniture")
        caps = [facts.quantity_ordered, facts.quantity_received, facts.quantity_accepted][: level - 1]
        for cap in caps:
            assert facts.net_quantity_billed <= tol.quantity.limit(cap)
        assert facts.net_amount_billed_minor <= tol.line_amount.limit(facts.amount_ordered_minor)
        po_facts = build_context([po], receipts, invoices, memos).pos["PO-1"]
        assert po_facts.net_amount_billed_minor <= policy.resolve("ven_acme", None).max_total.limit(
            po_facts.ceiling_minor
        )
        assert all(counts_as_billed(i.status) == (i.status is InvoiceStatus.MATCHED) for i in invoices)
