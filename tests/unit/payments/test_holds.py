"""Holds over time: released by a re-match, released by a person with a reason, raised again if worse."""

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from payments.ap.documents import InvoiceStatus
from payments.ap.matching.match_context import build_context
from payments.ap.matching.match_findings import Hold
from payments.ap.matching.match_holds import (
    ReleaseReasonRequired,
    active_hold_keys,
    diff_holds,
    release_manually,
    status_after_match,
)
from payments.ap.matching.matching import match_batch, match_invoice
from payments.ap.matching.tolerance import Tolerance, TolerancePolicy, Tolerances

from .stories import ZERO_POLICY, inv_line, invoice, purchase_order, receipt

NOW = datetime(2026, 3, 10, 15, tzinfo=timezone.utc)
CHAIRS = purchase_order()


def test_diff_sorts_holds_into_released_raised_and_kept():
    old = {("price", "r", "a"), ("qty_received", "r", "b")}
    change = diff_holds(old, {("price", "r", "a"), ("max_total", "r", "c")})
    assert change.released == {("qty_received", "r", "b")}
    assert change.raised == {("max_total", "r", "c")}
    assert change.kept == {("price", "r", "a")}
    assert change.changed and not diff_holds(set(), set()).changed


def test_a_price_hold_released_by_a_person_stays_released_while_the_numbers_are_the_same():
    context = build_context([CHAIRS], [receipt("r1", (1, 10))])
    bill = invoice("inv-1", inv_line(1, 5, price_minor=12_500))
    result = match_invoice(bill, context, ZERO_POLICY)
    price = next(f for f in result.findings if f.hold is Hold.PRICE)
    release = release_manually(price, reason="Price rise agreed by the buyer on 3 March", released_by="usr_bo",
                               released_at=NOW)
    assert release.reason == "Price rise agreed by the buyer on 3 March"

    # Re-matched after another receipt: same price finding, so the release still covers it ...
    again = match_invoice(bill, build_context([CHAIRS], [receipt("r1", (1, 10)), receipt("r2", (1, 0))]),
                          ZERO_POLICY)
    assert Hold.PRICE not in {Hold(k[0]) for k in active_hold_keys(again, [release])}

    # ... but a corrected invoice at an even higher price is a new decision nobody made.
    dearer = match_invoice(invoice("inv-1", inv_line(1, 5, price_minor=13_000)), context, ZERO_POLICY)
    assert Hold.PRICE in {Hold(k[0]) for k in active_hold_keys(dearer, [release])}


def test_a_manual_release_needs_a_reason():
    context = build_context([CHAIRS])
    (finding, *_) = match_invoice(invoice("inv-1", inv_line(1, 1)), context, ZERO_POLICY).findings
    for reason in ("", "   ", "\n"):
        with pytest.raises(ReleaseReasonRequired):
            release_manually(finding, reason=reason, released_by="usr_bo", released_at=NOW)


def test_status_after_match_is_held_while_any_hold_is_active():
    context = build_context([CHAIRS], [receipt("r1", (1, 8))])
    result = match_invoice(invoice("inv-1", inv_line(1, 10)), context, ZERO_POLICY)
    assert status_after_match(result) is InvoiceStatus.HELD
    releases = [release_manually(f, reason="Short-shipped; paying in full by agreement", released_by="usr_bo",
                                 released_at=NOW) for f in result.findings]
    assert status_after_match(result, releases) is InvoiceStatus.MATCHED


def test_a_batch_counts_each_clean_invoice_before_matching_the_next():
    context = build_context([CHAIRS], [receipt("r1", (1, 10))])
    march_3 = invoice("inv-z", inv_line(1, 6), received_on=date(2026, 3, 3))
    march_4 = invoice("inv-a", inv_line(1, 6), received_on=date(2026, 3, 4))  # fits alone, not after inv-z
    results = match_batch([march_4, march_3], context, ZERO_POLICY)
    assert results["inv-z"].is_clean
    assert results["inv-a"].holds == {Hold.QTY_RECEIVED, Hold.QTY_ORDERED, Hold.AMOUNT_ORDERED, Hold.MAX_TOTAL}


def test_a_batch_counts_an_invoice_whose_holds_were_all_released_by_hand():
    policy = TolerancePolicy("p", Tolerances(price=Tolerance(pct=Decimal(0))))
    context = build_context([CHAIRS], [receipt("r1", (1, 10))])
    first = invoice("inv-1", inv_line(1, 6), received_on=date(2026, 3, 3), stated_total_minor=None)
    second = invoice("inv-2", inv_line(1, 6), received_on=date(2026, 3, 4))
    alone = match_batch([first, second], context, policy)
    assert alone["inv-2"].is_clean  # inv-1 is held (no total printed), so it does not count

    (missing_total,) = alone["inv-1"].findings
    release = release_manually(missing_total, reason="Total confirmed by phone", released_by="usr_bo",
                               released_at=NOW)
    counted = match_batch([first, second], context, policy, releases={"inv-1": [release]})
    assert Hold.QTY_RECEIVED in counted["inv-2"].holds
