"""Duplicate invoices: each signal on its own, the normalized number, and how a match reports them."""

from dataclasses import replace
from datetime import date, datetime, timezone

import pytest

from payments.ap.matching.duplicates import (
    DuplicateIndex,
    DuplicateKey,
    DuplicateSignal,
    find_duplicates,
    normalize_invoice_number,
)
from payments.ap.matching.match_context import build_context
from payments.ap.matching.match_findings import Hold
from payments.ap.matching.match_holds import ReleaseReasonRequired, active_hold_keys, release_manually
from payments.ap.matching.matching import match_batch, match_invoice

from .stories import ZERO_POLICY, inv_line, invoice, purchase_order, receipt


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("INV-00123", "inv 123"),
        ("INV-00123", "INV00123"),
        ("inv/0123", "INV.123"),
        ("10O1", "1001"),  # letter O typed for zero
        ("A-I7", "a-17"),  # I for one
        ("L7", "17"),  # l for one
        ("ＩＮＶ１２３", "INV-123"),  # full-width forms
        ("INV-٠١٢٣", "INV 123"),  # Arabic-Indic digits
        ("2024-001", "2024-1"),
        ("0000", "0"),
    ],
)
def test_spellings_of_one_number_normalize_alike(a, b):
    assert normalize_invoice_number(a) == normalize_invoice_number(b)


@pytest.mark.parametrize(("a", "b"), [("INV-123", "INV-124"), ("100", "10"), ("A1", "B1"), ("12-3", "1-23x")])
def test_different_numbers_stay_different(a, b):
    assert normalize_invoice_number(a) != normalize_invoice_number(b)


def test_normalized_numbers_are_stable_strings_for_an_indexed_column():
    assert normalize_invoice_number("INV-00123") == "1nv123"
    assert normalize_invoice_number("--- / ---") == ""


def _key(invoice_id, *, vendor="ven_acme", number="INV-1", total=10_000, day=date(2026, 3, 2), digest=None):
    return DuplicateKey(invoice_id, vendor, normalize_invoice_number(number), "USD", total, day, digest)


def test_same_vendor_same_number_fires_same_number_only():
    (match,) = find_duplicates(_key("b", number="inv 0001", total=5), [_key("a", number="INV-1")], 7)
    assert match.other_invoice_id == "a" and match.signals == (DuplicateSignal.SAME_NUMBER,)


def test_another_vendor_may_use_the_same_number():
    assert find_duplicates(_key("b", vendor="ven_other"), [_key("a")], 7) == ()


def test_same_amount_within_the_window_fires_and_outside_it_does_not():
    earlier = _key("a", number="X-1")
    within = _key("b", number="Y-2", day=date(2026, 3, 9))  # 7 days later
    outside = _key("c", number="Z-3", day=date(2026, 3, 10))
    assert find_duplicates(within, [earlier], 7)[0].signals == (DuplicateSignal.SAME_AMOUNT_NEAR_DATE,)
    assert find_duplicates(outside, [earlier], 7) == ()
    assert find_duplicates(outside, [earlier], 8)[0].signals == (DuplicateSignal.SAME_AMOUNT_NEAR_DATE,)


def test_the_same_file_fires_even_for_another_vendor():
    (match,) = find_duplicates(
        _key("b", vendor="ven_other", number="Q", total=1, digest="ab" * 32), [_key("a", digest="ab" * 32)], 7
    )
    assert match.signals == (DuplicateSignal.SAME_FILE,)


def test_all_signals_are_reported_together_and_an_invoice_never_matches_itself():
    a = _key("a", digest="cd" * 32)
    assert find_duplicates(_key("b", digest="cd" * 32), [a], 7)[0].signals == (
        DuplicateSignal.SAME_NUMBER, DuplicateSignal.SAME_AMOUNT_NEAR_DATE, DuplicateSignal.SAME_FILE,
    )
    assert find_duplicates(a, [a], 7) == ()


def test_the_index_answers_like_the_three_lookups():
    index = DuplicateIndex(window_days=7)
    index.add(_key("a", number="INV-1", total=100))
    index.add(_key("b", number="INV-2", total=200, digest="ee" * 32))
    found = index.matches(_key("c", number="inv 2", total=100, day=date(2026, 3, 5), digest="ee" * 32))
    assert [(m.other_invoice_id, [s.value for s in m.signals]) for m in found] == [
        ("a", ["same_amount_near_date"]),
        ("b", ["same_number", "same_file"]),
    ]


def test_a_suspected_duplicate_is_held_and_the_finding_says_which_signals_fired():
    context = build_context([purchase_order()], [receipt("r1", (1, 10))])
    first = invoice("inv-1", inv_line(1, 5), number="ACME-0042")
    again = invoice("inv-2", inv_line(1, 5), number="acme 42")
    result = match_invoice(again, context, ZERO_POLICY,
                           duplicates=find_duplicates(DuplicateKey.of(again), [DuplicateKey.of(first)], 7))
    (finding,) = result.findings
    assert finding.hold is Hold.DUPLICATE_SUSPECTED
    assert finding.related_ids == ("inv-1",)
    assert finding.detail == ("same_number", "same_amount_near_date")
    assert "same invoice number" in finding.explanation and "same amount" in finding.explanation


def test_overriding_a_duplicate_needs_a_reason():
    context = build_context([purchase_order()], [receipt("r1", (1, 10))])
    again = invoice("inv-2", inv_line(1, 5), number="INV-1")
    dupes = find_duplicates(DuplicateKey.of(again), [DuplicateKey.of(invoice("inv-1", inv_line(1, 5)))], 7)
    result = match_invoice(again, context, ZERO_POLICY, duplicates=dupes)
    (finding,) = result.findings
    now = datetime(2026, 3, 5, 12, tzinfo=timezone.utc)
    with pytest.raises(ReleaseReasonRequired) as err:
        release_manually(finding, reason="  ", released_by="usr_ann", released_at=now)
    assert err.value.code == "release_reason_required"
    override = release_manually(finding, reason="Second delivery, vendor reused the number", released_by="usr_ann",
                                released_at=now)
    assert active_hold_keys(result, [override]) == frozenset()


def test_in_one_batch_the_later_copy_is_the_one_suspected():
    context = build_context([purchase_order()], [receipt("r1", (1, 10))])
    original = invoice("inv-b", inv_line(1, 5), number="77", received_on=date(2026, 3, 3))
    copy = replace(original, id="inv-a", received_on=date(2026, 3, 6))
    results = match_batch([copy, original], context, ZERO_POLICY, duplicate_index=DuplicateIndex(7))
    assert results["inv-b"].is_clean
    assert results["inv-a"].holds == {Hold.DUPLICATE_SUSPECTED}
