"""Matching, as worked examples: each test is a small story with the findings it must produce."""

from dataclasses import replace
from decimal import Decimal

from payments.ap.documents import CreditMemoStatus, InvoiceStatus, LineKind, MatchLevel, POStatus
from payments.ap.matching.match_context import build_context
from payments.ap.matching.match_findings import Hold, Rule
from payments.ap.matching.matching import diff_holds, match_invoice
from payments.ap.matching.tolerance import Tolerance, TolerancePolicy, Tolerances

from .stories import ZERO_POLICY, credit_memo, inv_line, invoice, po_line, purchase_order, receipt

CHAIRS = purchase_order("PO-1")  # 10 chairs at $120.00, 3-way


def holds_of(result):
    return sorted(f.hold.value for f in result.findings)


def test_ten_chairs_billed_eight_received_is_held_qty_received_then_released_when_two_more_arrive():
    bill = invoice("inv-1", inv_line(1, 10))
    context = build_context([CHAIRS], [receipt("r1", (1, 8))])

    first = match_invoice(bill, context, ZERO_POLICY)

    assert holds_of(first) == ["qty_received"]
    (finding,) = first.findings
    assert finding.rule is Rule.BILLED_QTY_WITHIN_RECEIVED
    assert (finding.expected, finding.actual, finding.limit) == (Decimal(8), Decimal(10), Decimal(8))
    assert (finding.po_id, finding.po_line_no, finding.invoice_line_nos) == ("PO-1", 1, (1,))
    assert "10 have now been billed, but 8 have been received" in finding.explanation

    context = build_context([CHAIRS], [receipt("r1", (1, 8)), receipt("r2", (1, 2))])
    second = match_invoice(bill, context, ZERO_POLICY)

    assert second.is_clean
    change = diff_holds(first.hold_keys, second.hold_keys)
    assert [k[0] for k in change.released] == ["qty_received"] and not change.raised and not change.kept


def test_price_three_percent_over_with_a_two_percent_tolerance_is_held_price():
    policy = TolerancePolicy("p2", Tolerances(price=Tolerance(pct=Decimal(2))))
    context = build_context([CHAIRS], [receipt("r1", (1, 10))])
    over_3 = invoice("inv-1", inv_line(1, 10, price_minor=12_360))  # $123.60
    over_2 = invoice("inv-2", inv_line(1, 10, price_minor=12_240))  # $122.40: exactly at the limit

    result = match_invoice(over_3, context, policy)

    assert Hold.PRICE in result.holds
    price = next(f for f in result.findings if f.hold is Hold.PRICE)
    assert (price.expected, price.actual, price.limit) == (Decimal(12_000), Decimal(12_360), Decimal(12_240))
    assert "123.60 USD per each" in price.explanation and "up to 122.40 USD" in price.explanation
    assert Hold.PRICE not in match_invoice(over_2, context, policy).holds


def test_a_blank_tolerance_is_zero_so_one_cent_over_is_held():
    context = build_context([CHAIRS], [receipt("r1", (1, 10))])
    result = match_invoice(invoice("inv-1", inv_line(1, 10, price_minor=12_001)), context, ZERO_POLICY)
    assert Hold.PRICE in result.holds


def test_a_lower_price_than_the_po_is_never_held():
    context = build_context([CHAIRS], [receipt("r1", (1, 10))])
    assert match_invoice(invoice("inv-1", inv_line(1, 10, price_minor=11_000)), context, ZERO_POLICY).is_clean


def test_services_are_matched_two_way_without_any_receipt():
    cleaning = purchase_order(
        "PO-S", po_line(1, item="office cleaning", qty=12, uom="month", price_minor=250_000,
                        kind=LineKind.SERVICES, level=MatchLevel.TWO_WAY, category="services"),
    )
    context = build_context([cleaning])
    march = invoice("inv-mar", inv_line(1, 1, 250_000, po="PO-S"))
    assert match_invoice(march, context, ZERO_POLICY).is_clean

    thirteen_months = invoice("inv-13", inv_line(1, 13, 250_000, po="PO-S"))
    result = match_invoice(thirteen_months, context, ZERO_POLICY)
    assert holds_of(result) == ["amount_ordered", "max_total", "qty_ordered"]


def test_four_way_with_three_chairs_rejected_at_inspection_is_held_qty_accepted():
    chairs = purchase_order("PO-4", po_line(level=MatchLevel.FOUR_WAY))
    context = build_context([chairs], [receipt("r1", (1, 10, 7), po="PO-4")])

    billed_ten = match_invoice(invoice("inv-1", inv_line(1, 10, po="PO-4")), context, ZERO_POLICY)
    assert holds_of(billed_ten) == ["qty_accepted"]
    assert "have passed inspection" in billed_ten.findings[0].explanation

    corrected = match_invoice(invoice("inv-1b", inv_line(1, 7, po="PO-4")), context, ZERO_POLICY)
    assert corrected.is_clean


def test_partial_receipts_billed_over_three_invoices():
    first, second, third = (
        invoice("inv-a", inv_line(1, 4)),
        invoice("inv-b", inv_line(1, 3)),
        invoice("inv-c", inv_line(1, 3)),
    )
    receipts = [receipt("r1", (1, 4))]
    assert match_invoice(first, build_context([CHAIRS], receipts), ZERO_POLICY).is_clean
    first = replace(first, status=InvoiceStatus.MATCHED)

    receipts.append(receipt("r2", (1, 3)))
    assert match_invoice(second, build_context([CHAIRS], receipts, [first]), ZERO_POLICY).is_clean
    second = replace(second, status=InvoiceStatus.MATCHED)

    # The third invoice arrives before the last three chairs do.
    early = match_invoice(third, build_context([CHAIRS], receipts, [first, second]), ZERO_POLICY)
    assert holds_of(early) == ["qty_received"]
    assert early.findings[0].actual == Decimal(10) and early.findings[0].expected == Decimal(7)

    receipts.append(receipt("r3", (1, 3)))
    assert match_invoice(third, build_context([CHAIRS], receipts, [first, second]), ZERO_POLICY).is_clean


def test_a_credit_memo_restores_billable_quantity():
    paid = invoice("inv-a", inv_line(1, 10), status=InvoiceStatus.PAID)
    rebill = invoice("inv-b", inv_line(1, 2))  # two chairs billed again after a dispute
    receipts = [receipt("r1", (1, 10))]

    held = match_invoice(rebill, build_context([CHAIRS], receipts, [paid]), ZERO_POLICY)
    assert holds_of(held) == ["amount_ordered", "max_total", "qty_ordered", "qty_received"]

    # The vendor credits the two chairs on inv-a (they were billed at the wrong price); once the credit
    # memo is applied, net billed is 8 and the re-bill of 2 fits again.
    memo = credit_memo("cm-1", (1, 2, 24_000))
    unapplied = replace(memo, status=CreditMemoStatus.ENTERED)
    assert match_invoice(rebill, build_context([CHAIRS], receipts, [paid], [unapplied]), ZERO_POLICY).holds
    released = match_invoice(rebill, build_context([CHAIRS], receipts, [paid], [memo]), ZERO_POLICY)
    assert released.is_clean
    assert {k[0] for k in diff_holds(held.hold_keys, released.hold_keys).released} == {
        "amount_ordered", "max_total", "qty_ordered", "qty_received",
    }


def test_a_line_billed_at_a_tolerated_price_can_still_exceed_the_ordered_amount():
    policy = TolerancePolicy("p", Tolerances(price=Tolerance(pct=Decimal(2))))
    context = build_context([CHAIRS], [receipt("r1", (1, 10))])
    result = match_invoice(invoice("inv-1", inv_line(1, 10, price_minor=12_100)), context, policy)
    # $121 is within 2% of $120, but $1,210 is more than the $1,200 ordered with no amount tolerance.
    assert holds_of(result) == ["amount_ordered", "max_total"]


def test_quantity_tolerance_allows_five_percent_over_and_no_more():
    policy = TolerancePolicy(
        "q5",
        Tolerances(
            quantity=Tolerance(pct=Decimal(5)),
            line_amount=Tolerance(pct=Decimal(5)),
            max_total=Tolerance(pct=Decimal(5)),
        ),
    )
    paper = purchase_order("PO-P", po_line(item="paper", qty=100, uom="ream", price_minor=500))
    context = build_context([paper], [receipt("r1", (1, 110), po="PO-P")])
    assert match_invoice(invoice("inv-1", inv_line(1, 105, 500, po="PO-P")), context, policy).is_clean
    assert holds_of(match_invoice(invoice("inv-2", inv_line(1, 106, 500, po="PO-P")), context, policy)) == [
        "amount_ordered", "max_total", "qty_ordered",
    ]


def test_a_blanket_po_ceiling_holds_max_total():
    blanket = purchase_order("PO-B", po_line(qty=100), max_total_minor=500_000)  # $5,000 not to exceed
    prior = invoice("inv-a", inv_line(1, 40, po="PO-B"), status=InvoiceStatus.APPROVED)  # $4,800
    context = build_context([blanket], [receipt("r1", (1, 100), po="PO-B")], [prior])
    result = match_invoice(invoice("inv-b", inv_line(1, 2, po="PO-B")), context, ZERO_POLICY)
    assert holds_of(result) == ["max_total"]
    (finding,) = result.findings
    assert (finding.expected, finding.actual) == (500_000, 504_000)


def test_one_invoice_may_span_two_purchase_orders_and_bill_a_line_twice():
    desks = purchase_order("PO-2", po_line(item="desk", qty=5, price_minor=40_000))
    context = build_context(
        [CHAIRS, desks], [receipt("r1", (1, 10)), receipt("r2", (1, 5), po="PO-2")]
    )
    bill = invoice("inv-1", inv_line(1, 6), inv_line(2, 4), inv_line(3, 5, 40_000, po="PO-2"))
    assert match_invoice(bill, context, ZERO_POLICY).is_clean
    too_many = invoice("inv-2", inv_line(1, 6), inv_line(2, 5), inv_line(3, 5, 40_000, po="PO-2"))
    result = match_invoice(too_many, context, ZERO_POLICY)
    qty = [f for f in result.findings if f.hold is Hold.QTY_RECEIVED]
    assert len(qty) == 1 and qty[0].invoice_line_nos == (1, 2) and qty[0].actual == Decimal(11)


def test_every_finding_is_reported_not_just_the_first():
    draft = purchase_order("PO-D", po_line(), vendor="ven_other", status=POStatus.DRAFT, currency="EUR")
    closed = purchase_order("PO-C", po_line(), status=POStatus.FINALLY_CLOSED)
    context = build_context([draft, closed], [receipt("r1", (1, 10), po="PO-C")])
    bill = invoice(
        "inv-1",
        inv_line(1, 1, po="PO-D"),
        inv_line(2, 1, po="PO-C", uom="box"),
        inv_line(3, 1, po="PO-C", po_line_no=9),
        stated_total_minor=1,
    )
    bill = replace(bill, remit_to="")
    result = match_invoice(bill, context, ZERO_POLICY)
    assert holds_of(result) == [
        "currency_mismatch", "invoice_not_proper", "invoice_not_proper", "invoice_not_proper",
        "invoice_not_proper", "po_closed", "po_not_approved", "qty_received", "vendor_mismatch",
    ]  # qty_received: nothing has been received on PO-D
    defects = sorted(f.detail[0] for f in result.findings if f.hold is Hold.INVOICE_NOT_PROPER)
    assert defects == ["missing_remit_to", "total_does_not_add_up", "unit_of_measure_differs", "unknown_po_reference"]
    assert all(f.explanation for f in result.findings)


def test_the_policy_version_is_recorded_and_part_of_the_digest():
    context = build_context([CHAIRS], [receipt("r1", (1, 8))])
    bill = invoice("inv-1", inv_line(1, 10))
    a = match_invoice(bill, context, TolerancePolicy("2026-01"))
    b = match_invoice(bill, context, TolerancePolicy("2026-02"))
    assert (a.policy_version, b.policy_version) == ("2026-01", "2026-02")
    assert a.findings == b.findings and a.digest() != b.digest()
    assert len(a.digest()) == 64 and a.digest() == match_invoice(bill, context, TolerancePolicy("2026-01")).digest()


def test_the_digest_does_not_depend_on_line_order_or_how_a_quantity_is_written():
    context = build_context([CHAIRS, purchase_order("PO-2", po_line(item="desk"))], [receipt("r1", (1, 8))])
    a = invoice("inv-1", inv_line(1, "10.0"), inv_line(2, 3, po="PO-2"))
    b = invoice("inv-1", inv_line(2, 3, po="PO-2"), inv_line(1, "1E+1"))
    assert match_invoice(a, context, ZERO_POLICY).digest() == match_invoice(b, context, ZERO_POLICY).digest()
