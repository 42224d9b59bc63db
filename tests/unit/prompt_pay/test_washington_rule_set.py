"""Washington, RCW 39.76.011 and 39.76.020, worked from the statute's words."""

from datetime import date

from payments.ap.prompt_pay_rules import ClockEvents, DisputeFacts, Stop, due_date, late_interest, load_rule_set
from payments.business_days import BusinessCalendar

WASHINGTON = load_rule_set("washington")
CAL = BusinessCalendar()


def test_one_percent_a_month_from_the_thirtieth_day_after_the_later_of_invoice_and_goods():
    # Goods received Feb. 20, properly completed invoice received March 2, 2026: timely through April 1.
    # Paid May 16: one month (April 1 to May 1) and 15 days: $10,000 x 1% x (1 + 15/30) = $150.00.
    clock = due_date(WASHINGTON, ClockEvents(invoice_date=date(2026, 2, 27), invoice_received_on=date(2026, 3, 2),
                                             goods_received_on=date(2026, 2, 20)), calendar=CAL)
    assert clock.due_date == date(2026, 4, 1)
    owed = late_interest(WASHINGTON, 1_000_000, due_date=clock.due_date, paid_on=date(2026, 5, 16))
    assert (owed.days_charged, owed.rate.describe(), owed.interest_minor) == (45, "1% a month", 15_000)


def test_at_least_one_dollar_per_month():
    # $50.00 ten days late: 1% x 10/30 x $50 = $0.17, but at least one dollar for the month begun.
    owed = late_interest(WASHINGTON, 5_000, due_date=date(2026, 4, 1), paid_on=date(2026, 4, 11))
    assert owed.interest_minor == 100
    # 40 days late on $50: $0.67 computed, two months begun: at least $2.00.
    assert late_interest(WASHINGTON, 5_000, due_date=date(2026, 4, 1), paid_on=date(2026, 5, 11)).interest_minor == 200


def test_a_grant_funded_contract_counts_from_the_later_of_the_request_and_the_money_arriving():
    events = ClockEvents(invoice_date=date(2026, 3, 1), invoice_received_on=date(2026, 3, 2),
                         funds_received_on=date(2026, 3, 20))
    clock = due_date(WASHINGTON, events, calendar=CAL, category="grant_funded")
    assert (clock.started_by, clock.due_date) == ("funds_received", date(2026, 4, 19))


def test_a_public_works_invoice_runs_on_the_same_thirty_days():
    events = ClockEvents(invoice_date=date(2026, 3, 1), invoice_received_on=date(2026, 3, 2),
                         goods_received_on=date(2026, 3, 2))
    assert due_date(WASHINGTON, events, calendar=CAL, category="construction").due_date == date(2026, 4, 1)


def test_intergovernmental_payments_and_delays_beyond_the_agencys_control_owe_nothing():
    late = {"due_date": date(2026, 4, 1), "paid_on": date(2026, 5, 16)}
    assert late_interest(WASHINGTON, 1_000_000, payee_kind="government", **late).payable_minor == 0
    storm = late_interest(WASHINGTON, 1_000_000, stops=[Stop("beyond_control", date(2026, 3, 30))], **late)
    assert (storm.payable_minor, storm.why_none) == (0, "exempt:beyond_control")


def test_a_good_faith_dispute_noticed_before_the_date_of_timely_payment_takes_the_claim_out():
    late = {"due_date": date(2026, 4, 1), "paid_on": date(2026, 5, 16)}
    in_time = DisputeFacts(date(2026, 3, 25), date(2026, 5, 1), "vendor")
    assert late_interest(WASHINGTON, 1_000_000, dispute=in_time, **late).why_none == "dispute_noticed_in_time"
    too_late = DisputeFacts(date(2026, 4, 2), date(2026, 5, 1), "vendor")
    assert late_interest(WASHINGTON, 1_000_000, dispute=too_late, **late).interest_minor == 15_000


def test_the_rate_is_the_statutes_one_percent_whenever_the_period_falls():
    # No published rate: a period spanning a year end earns the same 1% a month.
    owed = late_interest(WASHINGTON, 1_000_000, due_date=date(2025, 12, 15), paid_on=date(2026, 2, 15))
    assert owed.interest_minor == 20_000
