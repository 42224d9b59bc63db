"""A statement's settlements are booked per (booking date, fund, currency): a line settling one payment takes the
short path ``add_one``, which must book exactly what ``add`` books for that same line."""

from __future__ import annotations

from datetime import date

from payments.reconciliation.recon_postings import SettlementBook
from payments.reconciliation.recon_records import BookPayment

BOOKED = date(2026, 9, 23)
SENT = date(2026, 9, 22)
PLAIN = BookPayment("pay_A", 10_000, "USD", SENT, "sent", funds=(("100", 10_000),))
SPLIT = BookPayment("pay_B", 7_500, "USD", SENT, "sent", funds=(("100", 5_000), ("200", 2_500)))
UNKNOWN_FUND = BookPayment("pay_C", 1_234, "USD", SENT, "sent")  # no invoice items: the default fund
LATER = BookPayment("pay_D", 99, "USD", SENT, "sent", funds=(("200", 99),))


def _book(one_at_a_time: bool) -> tuple[list, list]:
    book = SettlementBook("rfl_1")
    returned = []
    for booked, p in ((BOOKED, PLAIN), (BOOKED, SPLIT), (BOOKED, UNKNOWN_FUND), (date(2026, 9, 24), LATER),
                      (BOOKED, PLAIN)):
        returned.append(book.add_one(booked, p) if one_at_a_time else book.add(booked, [p]))
    # Entry ids are drawn fresh per book: compare where each line's share went, by (date, fund) of the entry.
    where = {d.id: (d.effective_date, d.references["fund"]) for d in book.drafts()}
    drafts = [(d.effective_date, d.references, d.postings, d.data) for d in book.drafts()]
    return [where[e] for e in returned], drafts


def test_one_payment_books_as_a_line_of_one():
    assert _book(True) == _book(False)


def test_a_payment_split_over_two_funds_counts_its_line_once_in_each_entry():
    book = SettlementBook("rfl_1")
    first = book.add_one(BOOKED, SPLIT)
    by_fund = {d.references["fund"]: d for d in book.drafts()}
    assert first == by_fund["100"].id
    assert by_fund["100"].data["lines"] == by_fund["200"].data["lines"] == 1
    assert [p.amount_minor for p in by_fund["200"].postings] == [2_500, 2_500]


def test_payments_the_database_matched_book_as_lines_of_one():
    one, shares = SettlementBook("rfl_1"), SettlementBook("rfl_1")
    for p in (PLAIN, UNKNOWN_FUND, LATER):
        one.add_one(BOOKED, p)
    # As the set-based match hands them over: per (date, fund, currency), the fund '' of a payment without items
    # already turned into the default fund.
    shares.add_shares(BOOKED, "100", "USD", [("pay_A", 10_000)])
    shares.add_shares(BOOKED, "100", "USD", [("pay_C", 1_234)])
    shares.add_shares(BOOKED, "200", "USD", [("pay_D", 99)])
    assert [(d.effective_date, d.references, d.postings, d.data) for d in one.drafts()] == [
        (d.effective_date, d.references, d.postings, d.data) for d in shares.drafts()]
