"""The prompt-pay clock and interest, with the Treasury's own worked examples (5 CFR 1315.17)."""

from datetime import date
from decimal import Decimal

import pytest

from payments.business_days import BusinessCalendar
from payments.ap.matching.match_defects import Defect, InvoiceDefect, intrinsic_defects
from payments.ap.prompt_pay import (
    ClockNotStarted,
    InterestRate,
    NoRateInEffect,
    PromptPayPolicy,
    RateTable,
    decide_discount,
    defect_notice,
    late_defect_notice_days,
    late_payment_interest,
    start_clock,
)
from payments.ap.terms import parse_terms

from .stories import inv_line, invoice

POLICY = PromptPayPolicy("pp-2026", due_days_by_category={"perishables": 10},
                         discount_threshold_rate=Decimal("0.04"))


def flat(rate: str) -> RateTable:
    return RateTable([InterestRate(date(2000, 1, 1), Decimal(rate))])


def test_treasury_simple_interest_example_1500_at_6_5_percent_for_10_days_is_2_71():
    # "$1,500 (.065/360*10) = $2.71": due April 1, paid April 11 (April 2 through April 11 = 10 days).
    result = late_payment_interest(150_000, due_date=date(2026, 4, 1), paid_on=date(2026, 4, 11),
                                   rates=flat("0.065"), policy=POLICY)
    assert (result.days_late, result.periods, result.extra_days) == (10, 0, 10)
    assert result.interest_minor == 271 and result.payable_minor == 271


def test_treasury_monthly_compounding_example_of_5_cfr_1315_17_is_18_83():
    # "$1,500(1+.06/12)^2 * (1+(0.06/360*15)) - $1,500 = $18.83": $1,500 due April 1, paid June 15, 6%.
    # April 2 through June 15 is 75 days: two 30-day periods compounded, then 15 days of simple interest.
    result = late_payment_interest(150_000, due_date=date(2026, 4, 1), paid_on=date(2026, 6, 15),
                                   rates=flat("0.06"), policy=POLICY)
    assert (result.days_late, result.periods, result.extra_days) == (75, 2, 15)
    assert result.interest_minor == 1883


def test_exactly_thirty_days_late_is_one_period_and_equals_simple_interest():
    result = late_payment_interest(150_000, due_date=date(2026, 4, 1), paid_on=date(2026, 5, 1),
                                   rates=flat("0.065"), policy=POLICY)
    assert (result.periods, result.extra_days, result.interest_minor) == (1, 0, 813)  # 8.125 -> 8.13


def test_the_rate_is_the_one_in_effect_on_the_first_day_of_lateness():
    rates = RateTable([
        InterestRate(date(2026, 1, 1), Decimal("0.04")),
        InterestRate(date(2026, 7, 1), Decimal("0.05")),
    ])
    due_june_30 = late_payment_interest(1_000_000, due_date=date(2026, 6, 30), paid_on=date(2026, 7, 10),
                                        rates=rates, policy=POLICY)
    due_june_29 = late_payment_interest(1_000_000, due_date=date(2026, 6, 29), paid_on=date(2026, 7, 10),
                                        rates=rates, policy=POLICY)
    assert due_june_30.rate.annual_rate == Decimal("0.05")  # late from July 1
    assert due_june_29.rate.annual_rate == Decimal("0.04")  # late from June 30, even though paid in July
    with pytest.raises(NoRateInEffect) as err:
        late_payment_interest(100, due_date=date(2025, 6, 1), paid_on=date(2025, 7, 1), rates=rates, policy=POLICY)
    assert err.value.code == "no_interest_rate"


def test_interest_stops_after_one_year():
    result = late_payment_interest(150_000, due_date=date(2025, 1, 1), paid_on=date(2026, 6, 1),
                                   rates=flat("0.06"), policy=POLICY)
    assert result.days_late == 516 and result.days_charged == 365
    assert (result.periods, result.extra_days) == (12, 5)
    # 1500 x 1.005^12 x (1 + .06/360 x 5) - 1500 = 93.8438...
    assert result.interest_minor == 9384


def test_interest_under_one_dollar_is_not_paid():
    result = late_payment_interest(10_000, due_date=date(2026, 4, 1), paid_on=date(2026, 4, 4),
                                   rates=flat("0.065"), policy=POLICY)
    assert result.interest_minor == 5 and result.payable_minor == 0


def test_a_due_date_on_a_weekend_may_be_paid_on_the_next_business_day_without_interest():
    fed = BusinessCalendar()
    saturday = date(2026, 7, 4)  # Independence Day on a Saturday; Monday July 6 is open
    on_monday = late_payment_interest(150_000, due_date=saturday, paid_on=date(2026, 7, 6), rates=flat("0.065"),
                                      policy=POLICY, calendar=fed)
    on_tuesday = late_payment_interest(150_000, due_date=saturday, paid_on=date(2026, 7, 7), rates=flat("0.065"),
                                       policy=POLICY, calendar=fed)
    assert on_monday.payable_minor == 0 and on_monday.interest_minor == 0
    assert on_tuesday.days_late == 3  # still counted from the day after the original due date


def test_receipt_date_is_the_later_of_invoice_receipt_and_deemed_acceptance_seven_days_after_delivery():
    clock = start_clock(invoice_date=date(2026, 3, 2), invoice_received_on=date(2026, 3, 4),
                        delivered_on=date(2026, 3, 1), accepted_on=None, policy=POLICY)
    assert (clock.acceptance_on, clock.acceptance_deemed) == (date(2026, 3, 8), True)
    assert clock.receipt_date == date(2026, 3, 8) and clock.due_date == date(2026, 4, 7)
    assert clock.policy_version == "pp-2026"


def test_an_earlier_recorded_acceptance_starts_the_clock_at_invoice_receipt():
    clock = start_clock(invoice_date=date(2026, 3, 2), invoice_received_on=date(2026, 3, 4),
                        delivered_on=date(2026, 3, 1), accepted_on=date(2026, 3, 2), policy=POLICY)
    assert clock.receipt_date == date(2026, 3, 4) and clock.due_date == date(2026, 4, 3)


def test_a_late_recorded_acceptance_does_not_delay_the_deemed_one():
    clock = start_clock(invoice_date=date(2026, 3, 2), invoice_received_on=date(2026, 3, 4),
                        delivered_on=date(2026, 3, 1), accepted_on=date(2026, 3, 20), policy=POLICY)
    assert clock.acceptance_on == date(2026, 3, 8) and clock.acceptance_deemed


def test_an_unannotated_invoice_counts_from_its_invoice_date_and_categories_have_their_own_period():
    clock = start_clock(invoice_date=date(2026, 3, 2), invoice_received_on=None, delivered_on=None,
                        accepted_on=date(2026, 2, 27), policy=POLICY, category="perishables")
    assert clock.invoice_received_on == date(2026, 3, 2)
    assert clock.due_days == 10 and clock.due_date == date(2026, 3, 12)


def test_nothing_delivered_means_no_clock():
    with pytest.raises(ClockNotStarted) as err:
        start_clock(invoice_date=date(2026, 3, 2), invoice_received_on=date(2026, 3, 4), delivered_on=None,
                    accepted_on=None, policy=POLICY)
    assert err.value.code == "clock_not_started"


def test_an_improper_invoice_is_returned_within_seven_days_with_every_defect():
    bad = invoice("inv-1", inv_line(1, 2), inv_line(2, 0, po="PO-1"), number=" ", stated_total_minor=999,
                  terms="whenever")
    defects = intrinsic_defects(bad)
    notice = defect_notice(date(2026, 3, 4), defects, POLICY)
    assert notice.return_by == date(2026, 3, 11)
    assert [d.defect for d in notice.defects] == [
        Defect.MISSING_INVOICE_NUMBER, Defect.QUANTITY_NOT_POSITIVE, Defect.TOTAL_DOES_NOT_ADD_UP,
        Defect.TERMS_NOT_UNDERSTOOD,
    ]
    assert notice.lines("USD")[2] == "The invoice total is 9.99 USD, but its lines add up to 240.00 USD."
    assert late_defect_notice_days(notice, date(2026, 3, 11)) == 0


def test_a_late_defect_notice_shortens_the_time_to_pay_the_corrected_invoice():
    notice = defect_notice(date(2026, 3, 4), [InvoiceDefect(Defect.MISSING_REMIT_TO)], POLICY)
    late = late_defect_notice_days(notice, date(2026, 3, 14))  # sent 3 days after the return-by date
    clock = start_clock(invoice_date=date(2026, 3, 16), invoice_received_on=date(2026, 3, 18),
                        delivered_on=date(2026, 3, 1), accepted_on=date(2026, 3, 2), policy=POLICY,
                        late_notice_days=late)
    assert late == 3 and clock.due_days == 27 and clock.due_date == date(2026, 4, 14)


def test_discounts_are_taken_only_when_worth_more_than_the_money_and_only_by_the_discount_date():
    worth_it = parse_terms("2/10 net 30")  # 36.7% a year
    not_worth_it = parse_terms("0.1/10 net 30")  # 1.8% a year
    args = {"base_date": date(2026, 3, 2), "amount_minor": 1_000_000, "policy": POLICY}

    take = decide_discount(worth_it, today=date(2026, 3, 12), **args)
    assert take.take and take.discount_minor == 20_000 and take.discount_date == date(2026, 3, 12)

    assert not decide_discount(not_worth_it, today=date(2026, 3, 5), **args).take
    too_late = decide_discount(worth_it, today=date(2026, 3, 13), **args)
    assert not too_late.take and too_late.discount_minor == 0 and "ended" in too_late.why
    assert not decide_discount(parse_terms("net 30"), today=date(2026, 3, 5), **args).take
