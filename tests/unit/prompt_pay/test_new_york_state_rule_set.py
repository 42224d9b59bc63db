"""New York State Finance Law article 11-A: calendar days less legal holidays, and a daily-compounded rate
fixed on the payment date — worked from the statute's words."""

from datetime import date
from decimal import Decimal

import pytest

from payments.ap.prompt_pay import NoRateInEffect
from payments.ap.prompt_pay_rules import ClockEvents, RateRow, Stop, due_date, late_interest, load_rule_set
from payments.business_days import BusinessCalendar

NEW_YORK = load_rule_set("new_york_state")
CAL = BusinessCalendar()


def test_thirty_calendar_days_excluding_legal_holidays_from_the_later_of_invoice_and_goods():
    # 179-e(6), 179-f(2): proper invoice received Monday June 10, 2019, goods May 28. June 11 - July 10 is 30
    # calendar days, but July 4 is a legal holiday and does not count: the required payment date is July 11.
    # Weekends count.
    clock = due_date(NEW_YORK, ClockEvents(invoice_date=date(2019, 6, 7), invoice_received_on=date(2019, 6, 10),
                                           goods_received_on=date(2019, 5, 28)), calendar=CAL)
    assert (clock.counting, clock.due_date) == ("calendar_excluding_holidays", date(2019, 7, 11))


def test_daily_compounded_at_the_overpayment_rate_in_effect_on_the_payment_date():
    # 179-g: from July 12 to the check dated August 12, 2019 (32 days), at the Tax Law 1096(e) overpayment rate
    # for July-September 2019, 4% a year compounded daily: $10,000 x ((1 + .04/365)^32 - 1) = $35.1281... -> $35.13.
    owed = late_interest(NEW_YORK, 1_000_000, due_date=date(2019, 7, 11), paid_on=date(2019, 8, 12))
    assert (owed.days_charged, owed.rate.pct, owed.rate.fixed_on, owed.interest_minor) == (
        32, Decimal("4"), date(2019, 8, 12), 3513)


def test_a_period_that_begins_in_one_quarter_takes_the_rate_of_the_quarter_it_is_paid_in():
    # Late from June 21, 2019 (second quarter) and paid July 15 (third quarter, 4%): all 25 days at 4%:
    # $10,000 x ((1 + .04/365)^25 - 1) = $27.4274... -> $27.43. Paid in a quarter whose rate the agency has not
    # added yet, the computation is refused rather than guessed.
    owed = late_interest(NEW_YORK, 1_000_000, due_date=date(2019, 6, 20), paid_on=date(2019, 7, 15))
    assert (owed.rate.pct, owed.interest_minor) == (Decimal("4"), 2743)
    with pytest.raises(NoRateInEffect):
        late_interest(NEW_YORK, 1_000_000, due_date=date(2019, 9, 20), paid_on=date(2019, 10, 15))
    q4 = (RateRow(date(2019, 10, 1), Decimal("3"), date(2019, 12, 31)),)
    assert late_interest(NEW_YORK, 1_000_000, due_date=date(2019, 9, 20), paid_on=date(2019, 10, 15),
                         agency_rows=q4).rate.pct == Decimal("3")


def test_interest_under_ten_dollars_is_not_paid():
    # $1,000 five days late at 4%: $0.5479... -> $0.55, less than ten dollars (179-f(1)).
    owed = late_interest(NEW_YORK, 100_000, due_date=date(2019, 7, 11), paid_on=date(2019, 7, 16))
    assert (owed.interest_minor, owed.payable_minor, owed.why_none) == (55, 0, "below_minimum")


def test_governments_are_not_paid_interest_nor_is_a_payment_held_by_legal_process():
    late = {"due_date": date(2019, 7, 11), "paid_on": date(2019, 8, 12)}
    assert late_interest(NEW_YORK, 1_000_000, payee_kind="government", **late).payable_minor == 0
    levy = late_interest(NEW_YORK, 1_000_000, stops=[Stop("legal_process", date(2019, 7, 1))], **late)
    assert levy.why_none == "exempt:legal_process"


def test_a_small_business_invoicing_electronically_is_due_in_fifteen_days_excluding_holidays():
    clock = due_date(NEW_YORK, ClockEvents(invoice_date=date(2019, 6, 25), invoice_received_on=date(2019, 6, 26),
                                           goods_received_on=date(2019, 6, 20)),
                     calendar=CAL, category="small_business_electronic")
    assert clock.due_date == date(2019, 7, 12)  # June 27 - July 11 is 15 days; July 4 does not count
