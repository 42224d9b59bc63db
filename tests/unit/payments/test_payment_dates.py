"""The date a released run really goes out with, decided when it is claimed: worked examples on the Fed calendar of
November 2026. Monday 2 November; the ODFI takes same-day files until 13:00 and ordinary ones until 14:00 (New
York). Veterans Day, Wednesday 11 November, is a Fed holiday."""

import datetime as dt

from payments.disbursements.payment_dates import DATE_PASSED, SAME_DAY_MISSED, redate_for_submission, repricing
from payments.disbursements.payment_records import PaymentItemRecord, PaymentRecord, PaymentRunRecord
from payments.disbursements.payment_runs import PayableInvoice
from payments.disbursements.payment_states import PaymentKind, PaymentStatus, RunStatus
from payments.disbursements.rails import RailCapabilities, RailSec
from payments.ap.terms import parse_terms
from tests.payment_fakes import policy

NY = dt.timezone(dt.timedelta(hours=-5))
MONDAY, TUESDAY, WEDNESDAY = dt.date(2026, 11, 2), dt.date(2026, 11, 3), dt.date(2026, 11, 4)
ACH = RailCapabilities(frozenset(RailSec), same_day=True, same_day_cutoff=dt.time(13, 0),
                       same_day_max_payment_minor=100_000_000, settlement_lag_business_days=1)
ISO = RailCapabilities(frozenset(RailSec), settlement_lag_business_days=0)
CALENDAR = policy().calendar


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=NY)


def payment(pid: str, effective: dt.date, same_day: bool) -> PaymentRecord:
    return PaymentRecord(pid, "run_1", "ven_1", "ba_1", "BIRCH", "USD", 30_000, PaymentKind.LIVE, RailSec.CCD,
                         PaymentStatus.SCHEDULED, effective, at(MONDAY, 9), same_day=same_day)


RUN = PaymentRunRecord("run_1", MONDAY, MONDAY, RunStatus.RELEASED, "USD", "nacha", at(MONDAY, 9), "usr_sam",
                       30_000, 1, same_day=True)
SAME_DAY = [payment("pay_birch", MONDAY, True), payment("pay_granite", TUESDAY, False)]  # granite: over the SD limit


def test_a_same_day_run_claimed_before_the_cut_off_keeps_its_dates():
    assert redate_for_submission(RUN, SAME_DAY, at(MONDAY, 12, 59), CALENDAR, ACH) is None


def test_at_the_cut_off_the_same_day_payment_moves_to_tuesday_and_the_next_day_one_stays():
    moved = redate_for_submission(RUN, SAME_DAY, at(MONDAY, 13, 0), CALENDAR, ACH)
    assert (moved.code, moved.to, moved.moved) == (SAME_DAY_MISSED, TUESDAY, (("pay_birch", MONDAY, True),))
    assert moved.reason == ("released for same-day settlement but submitted when it is 13:00, past the 13:00 same-day "
                            "cut-off: sent as ordinary ACH settling 2026-11-03")


def test_after_the_daily_cut_off_too_the_file_is_processed_tuesday_and_settles_wednesday():
    moved = redate_for_submission(RUN, SAME_DAY, at(MONDAY, 14, 30), CALENDAR, ACH)
    assert moved.to == WEDNESDAY and [m[0] for m in moved.moved] == ["pay_birch", "pay_granite"]


def test_a_rail_that_lost_its_same_day_service_sends_next_day():
    moved = redate_for_submission(RUN, SAME_DAY, at(MONDAY, 10), CALENDAR, RailCapabilities(frozenset(RailSec)))
    assert moved.code == SAME_DAY_MISSED and "no same-day service" in moved.reason and moved.to == TUESDAY


def test_an_ordinary_run_claimed_the_day_it_was_to_settle_moves_to_the_next_settlement():
    ordinary = [payment("pay_oak", TUESDAY, False)]
    assert redate_for_submission(RUN, ordinary, at(MONDAY, 13, 59), CALENDAR, ACH) is None  # before the cut-off
    late = redate_for_submission(RUN, ordinary, at(MONDAY, 14), CALENDAR, ACH)  # processed Tuesday: too late for it
    assert (late.code, late.to) == (DATE_PASSED, WEDNESDAY)
    moved = redate_for_submission(RUN, ordinary, at(TUESDAY, 9), CALENDAR, ACH)
    assert (moved.code, moved.to) == (DATE_PASSED, WEDNESDAY)
    assert moved.reason == "dated 2026-11-03 but submitted 2026-11-03 09:00 EST: a file sent now settles " \
                           "2026-11-04 at the earliest"


def test_a_credit_transfer_executes_on_the_day_so_only_a_past_date_moves():
    assert redate_for_submission(RUN, [payment("pay_elm", MONDAY, False)], at(MONDAY, 10), CALENDAR, ISO) is None
    moved = redate_for_submission(RUN, [payment("pay_elm", MONDAY, False)], at(TUESDAY, 10), CALENDAR, ISO)
    assert moved.to == TUESDAY


def test_the_detail_the_run_shows_names_each_moved_payment_and_its_old_date():
    detail = redate_for_submission(RUN, SAME_DAY, at(MONDAY, 13, 30), CALENDAR, ACH).as_detail()
    assert detail == {"code": SAME_DAY_MISSED, "reason": detail["reason"], "to": "2026-11-03",
                      "at": "2026-11-02T18:30:00Z",
                      "payments": [{"payment_id": "pay_birch", "from": "2026-11-02", "same_day": True}],
                      "withdrawn": []}  # the claim names here any payment the new date would price differently


# -- repricing: would the new date change what a moved payment pays? ------------------------------------------
FRIDAY, NEXT_TUESDAY = dt.date(2026, 11, 6), dt.date(2026, 11, 10)
LEAD_5 = policy(lead_days=5)


def priced_payment(*items: PaymentItemRecord, effective: dt.date = FRIDAY) -> PaymentRecord:
    return PaymentRecord("pay_1", "run_1", "ven_1", "ba_1", "BIRCH", "USD", sum(i.paid_minor for i in items),
                         PaymentKind.LIVE, RailSec.CCD, PaymentStatus.SCHEDULED, effective, at(FRIDAY, 9),
                         items=items)


def test_an_invoice_already_late_owes_more_interest_on_a_later_date():
    # Due Monday 2 November; priced for Friday the 6th with 4 days' interest on $300,000 ($145.83).
    invoice = PayableInvoice("inv_1", "ven_1", "I-1", "USD", 30_000_000, MONDAY)
    item = PaymentItemRecord("inv_1", "I-1", 30_000_000, interest_minor=14_583, due_date=MONDAY)
    assert repricing(priced_payment(item), {"inv_1": invoice}, to=FRIDAY, run_date=FRIDAY, policy=LEAD_5) == ()
    assert repricing(priced_payment(item), {"inv_1": invoice}, to=NEXT_TUESDAY, run_date=FRIDAY, policy=LEAD_5) == (
        "inv_1: prompt-pay interest 145.83 USD priced for 2026-11-06, 291.67 USD settling 2026-11-10 "
        "(due 2026-11-02)",)


def test_a_discount_still_open_on_the_new_date_and_an_invoice_the_source_does_not_list_change_nothing():
    # 2/10 net 30 from 31 October: discount date Tuesday 10 November, $1,000 off $50,000.
    open_discount = PayableInvoice("inv_1", "ven_1", "I-1", "USD", 5_000_000, dt.date(2026, 11, 30),
                                   terms=parse_terms("2/10 net 30"), terms_base_date=dt.date(2026, 10, 31))
    items = (PaymentItemRecord("inv_1", "I-1", 5_000_000, discount_minor=100_000, due_date=dt.date(2026, 11, 30)),
             PaymentItemRecord("inv_far", "F-1", 1_000, due_date=dt.date(2026, 12, 31)))
    assert repricing(priced_payment(*items), {"inv_1": open_discount}, to=NEXT_TUESDAY, run_date=FRIDAY,
                     policy=LEAD_5) == ()


def test_a_discount_whose_date_has_passed_is_named_with_its_date():
    # 2/10 net 30 from 27 October: discount date Friday 6 November; due 26 November, within 5 days' lead of
    # the 21st, so a run on the 23rd would pay it: priced on the new date it is simply paid in full.
    ended = PayableInvoice("inv_1", "ven_1", "I-1", "USD", 10_000_000, dt.date(2026, 11, 26),
                           terms=parse_terms("2/10 net 30"), terms_base_date=dt.date(2026, 10, 27))
    item = PaymentItemRecord("inv_1", "I-1", 10_000_000, discount_minor=200_000, due_date=dt.date(2026, 11, 26))
    late_run = dt.date(2026, 11, 23)
    assert repricing(priced_payment(item), {"inv_1": ended}, to=dt.date(2026, 11, 24), run_date=late_run,
                     policy=LEAD_5) == (
        "inv_1: discount 2,000.00 USD priced for 2026-11-06, 0.00 USD settling 2026-11-24 "
        "(its discount date is 2026-11-06)",)
    assert repricing(priced_payment(item), {"inv_1": ended}, to=NEXT_TUESDAY, run_date=FRIDAY, policy=LEAD_5) == (
        "inv_1: settling 2026-11-10 it would not be paid now (not_yet_due: 2026-11-21)",)
