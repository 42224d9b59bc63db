"""Worked examples of the statement-line matcher: the City pays three vendors and reads its bank's statement."""

from __future__ import annotations

from datetime import date

from payments.reconciliation.recon_records import BookPayment, ExceptionKind, MatchMethod, RecordedReturn
from payments.reconciliation.recon_rows import StoredLine
from payments.reconciliation.recon_matcher import match_lines

TUE = date(2026, 9, 22)
WED = date(2026, 9, 23)


def pay(pid: str, amount: int, *, trace: str | None = None, batch: str | None = None, sent: date = TUE,
        status: str = "sent") -> BookPayment:
    return BookPayment(pid, amount, "USD", sent, status, trace_number=trace, end_to_end_id=pid, batch_ref=batch)


def debit(line_id: str, amount: int, *refs: str, e2e: tuple[str, ...] = (), on: date = WED) -> StoredLine:
    return StoredLine(line_id, "acct", "debit", amount, "USD", on, references=refs, end_to_end_ids=e2e)


def credit(line_id: str, amount: int, *refs: str, is_return: bool = False, on: date = WED) -> StoredLine:
    return StoredLine(line_id, "acct", "credit", amount, "USD", on, references=refs, is_return=is_return,
                    kind="ach_return" if is_return else "other")


def test_a_line_carrying_the_trace_number_settles_that_payment_with_full_confidence():
    result = match_lines([debit("L1", 745000, "231380104567890")],
                         [pay("pay_redwood", 745000, trace="231380104567890")])
    [m] = result.matches
    assert (m.method, m.payment_ids, m.confidence_pct, m.line_id) == (MatchMethod.TRACE, ("pay_redwood",), 100, "L1")
    assert result.exceptions == []


def test_one_bank_debit_for_a_whole_ach_batch_settles_every_payment_in_it():
    payments = [pay("pay_a", 745000, batch="run_1"), pay("pay_b", 1999, batch="run_1")]
    by_ref = match_lines([debit("L1", 746999, "ACH20260923CCD", "run_1")], payments)
    assert [(m.method, set(m.payment_ids)) for m in by_ref.matches] == [
        (MatchMethod.BATCH_REFERENCE, {"pay_a", "pay_b"})]
    by_total = match_lines([debit("L1", 746999, "ACH20260923CCD")], payments)
    [m] = by_total.matches
    assert (m.method, set(m.payment_ids), m.confidence_pct) == (MatchMethod.BATCH_TOTAL, {"pay_a", "pay_b"}, 75)


def test_a_camt_batch_entry_lists_end_to_end_ids_and_settles_each_payment():
    payments = [pay("pay_a", 745000), pay("pay_b", 1999)]
    [m] = match_lines([debit("L1", 746999, e2e=("pay_a", "pay_b"))], payments).matches
    assert (m.method, m.payment_ids) == (MatchMethod.END_TO_END_ID, ("pay_a", "pay_b"))


def test_an_altered_amount_is_flagged_and_settles_nothing():
    result = match_lines([debit("L1", 745001, "pay_a")], [pay("pay_a", 745000)])
    assert result.matches == []
    [e] = result.exceptions
    assert (e.kind, e.payment_ids, e.line_id) == (ExceptionKind.AMOUNT_MISMATCH, ("pay_a",), "L1")


def test_a_second_line_for_the_same_payment_is_a_duplicate():
    result = match_lines([debit("L1", 745000, "pay_a"), debit("L2", 745000, "pay_a")], [pay("pay_a", 745000)])
    assert [m.line_id for m in result.matches] == ["L1"]
    assert [(e.kind, e.line_id) for e in result.exceptions] == [(ExceptionKind.DUPLICATE_LINE, "L2")]


def test_a_line_for_a_payment_an_earlier_statement_settled_is_a_duplicate_found_in_one_bulk_lookup():
    asked: list[set[str]] = []

    def known(refs: set[str]):
        asked.append(refs)
        return {"pay_old": pay("pay_old", 500, status="settled")}

    result = match_lines([debit("L1", 500, "pay_old"), debit("L2", 900, "nothing")], [], known=known)
    assert [(e.kind, e.line_id) for e in result.exceptions] == [
        (ExceptionKind.DUPLICATE_LINE, "L1"), (ExceptionKind.UNMATCHED_LINE, "L2")]
    assert asked == [{"pay_old", "nothing"}]


def test_without_references_the_only_payment_of_that_amount_in_the_window_matches():
    result = match_lines([debit("L1", 12500)], [pay("pay_a", 12500), pay("pay_far", 12500, sent=date(2026, 8, 1))])
    [m] = result.matches
    assert (m.method, m.payment_ids, m.confidence_pct) == (MatchMethod.AMOUNT_DATE, ("pay_a",), 80)


def test_two_payments_of_the_same_amount_in_the_window_are_ambiguous_not_guessed():
    result = match_lines([debit("L1", 12500)], [pay("pay_a", 12500), pay("pay_b", 12500)])
    assert result.matches == []
    [e] = result.exceptions
    assert (e.kind, set(e.candidates)) == (ExceptionKind.AMBIGUOUS_MATCH, {"pay_a", "pay_b"})


def test_a_bank_fee_and_an_incoming_wire_are_unmatched_lines():
    result = match_lines([debit("FEE", 2500, "SVC CHG"), credit("WIRE", 10000000, "FW123")], [pay("pay_a", 745000)])
    assert {(e.kind, e.line_id, e.amount_minor) for e in result.exceptions} == {
        (ExceptionKind.UNMATCHED_LINE, "FEE", -2500), (ExceptionKind.UNMATCHED_LINE, "WIRE", 10000000)}


def test_a_return_credit_is_matched_to_the_recorded_return_by_reference_then_by_amount():
    returned = RecordedReturn("ret_1", "pay_a", 745000, "USD", TUE, "231380100000001")
    [m] = match_lines([credit("L9", 745000, "RTN0001", "pay_a", is_return=True)], [], returns=[returned]).matches
    assert (m.method, m.return_id, m.payment_ids) == (MatchMethod.RETURN_CREDIT, "ret_1", ("pay_a",))
    [m] = match_lines([credit("L9", 745000, "RTN0001", is_return=True)], [], returns=[returned]).matches
    assert m.note == "by amount and date"


def test_a_return_credit_with_no_recorded_return_asks_for_the_returns_file():
    [e] = match_lines([credit("L9", 745000, "pay_a", is_return=True)], [pay("pay_a", 745000)]).exceptions
    assert e.kind is ExceptionKind.UNMATCHED_LINE and "import the returns file" in e.detail


def test_every_line_ends_in_exactly_one_match_or_exception():
    payments = [pay(f"pay_{i}", 1000 + i, trace=f"23138010{i:07d}") for i in range(50)]
    lines = [debit(f"L{i}", 1000 + i, f"23138010{i:07d}") for i in range(0, 50, 2)]
    lines += [debit("X1", 1), credit("X2", 2)]
    result = match_lines(lines, payments)
    seen = [m.line_id for m in result.matches] + [e.line_id for e in result.exceptions]
    assert sorted(seen) == sorted(line.line_id for line in lines)


def test_a_batch_entry_listing_each_items_trace_settles_all_of_them_by_trace():
    payments = [pay("pay_a", 745000, trace="231380100000001"), pay("pay_b", 1999, trace="231380100000002")]
    [m] = match_lines([debit("L1", 746999, "SANDBOX-1", "231380100000001", "231380100000002")], payments).matches
    assert (m.method, set(m.payment_ids)) == (MatchMethod.TRACE, {"pay_a", "pay_b"})


def test_a_payments_id_truncated_to_the_nacha_identification_field_still_names_it():
    payment = pay("pay_01J9Z8K2M3N4P5Q6R7S8T9V0W1", 500)
    [m] = match_lines([debit("L1", 500, e2e=("4P5Q6R7S8T9V0W1",))], [payment]).matches
    assert m.payment_ids == ("pay_01J9Z8K2M3N4P5Q6R7S8T9V0W1",)


def test_a_reference_in_our_format_that_names_nothing_is_flagged_not_matched_by_amount():
    result = match_lines([debit("L1", 500, "231380109999999")], [pay("pay_a", 500, trace="231380100000001")])
    assert result.matches == []
    assert [e.kind for e in result.exceptions] == [ExceptionKind.REFERENCE_UNKNOWN]


def test_a_line_booked_before_the_payment_could_leave_is_flagged():
    result = match_lines([debit("L1", 500, "pay_a", on=date(2026, 9, 14))], [pay("pay_a", 500)])
    assert [e.kind for e in result.exceptions] == [ExceptionKind.DATE_OUT_OF_WINDOW]


def test_every_settlement_names_its_payments_and_the_day_the_bank_booked_it():
    # Applying a match needs the payments' amounts and funds and the line's booking date: the match carries them.
    a, b, c = pay("pay_a", 745000, trace="231380100000001"), pay("pay_b", 1999, batch="run_1"), \
        pay("pay_c", 500, batch="run_1")
    lines = [debit("L1", 745000, "231380100000001"), debit("L2", 2499, "run_1", on=date(2026, 9, 24))]
    result = match_lines(lines, [a, b, c])
    assert [(m.line_id, m.payments, m.booked_on) for m in result.matches] == [
        ("L1", (a,), WED), ("L2", (b, c), date(2026, 9, 24))]
    assert all(m.payment_ids == tuple(p.payment_id for p in m.payments) for m in result.matches)


def test_a_line_naming_one_payment_twice_settles_it_once_named_by_its_first_reference():
    redwood = pay("pay_redwood", 745000, trace="231380104567890")
    [by_trace] = match_lines([debit("L1", 745000, "231380104567890", "pay_redwood")], [redwood]).matches
    [by_id] = match_lines([debit("L1", 745000, "pay_redwood", "231380104567890")], [redwood]).matches
    assert (by_trace.method, by_trace.payment_ids) == (MatchMethod.TRACE, ("pay_redwood",))
    assert (by_id.method, by_id.payments) == (MatchMethod.BANK_REFERENCE, (redwood,))
    # A third reference naming a second payment makes the line a batch entry of both, in the order named.
    oak = pay("pay_oak", 5000, trace="231380104567891")
    [both] = match_lines([debit("L1", 750000, "NOTOURS", "231380104567890", "pay_redwood", "231380104567891")],
                         [oak, redwood]).matches
    assert both.payment_ids == ("pay_redwood", "pay_oak")
