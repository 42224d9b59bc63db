"""Texas Government Code chapter 2251, worked from the statute's words and the Comptroller's own example."""

from datetime import date
from decimal import Decimal

import pytest

from payments.ap.prompt_pay import ClockNotStarted, NoRateInEffect
from payments.ap.prompt_pay_rules import (
    ClockEvents,
    DisputeFacts,
    RateRow,
    Stop,
    due_date,
    late_interest,
    load_rule_set,
)
from payments.business_days import BusinessCalendar

TEXAS = load_rule_set("texas")
CAL = BusinessCalendar()


def test_the_comptrollers_example_500_dollars_34_days_late_in_fiscal_2025_is_4_42():
    # eXpendit, "How to Calculate Interest": goods received Sept. 24, invoice received Oct. 6, distribution date
    # Dec. 9, $500.00. Due Nov. 5 (30 days from the day after receipt); overdue Nov. 6 (2251.021(a): the 31st
    # day); 34 days late. Overdue in FY2025: prime 8.50% on July 1, 2024 + 1% = 9.50% (2251.025(b)).
    # 34 / 365 x 9.50% x $500.00 = $4.4246... -> $4.42.
    clock = due_date(TEXAS, ClockEvents(invoice_date=date(2024, 10, 1), invoice_received_on=date(2024, 10, 6),
                                        goods_received_on=date(2024, 9, 24)), calendar=CAL)
    assert (clock.started_by, clock.due_date) == ("invoice_received", date(2024, 11, 5))
    owed = late_interest(TEXAS, 50_000, due_date=clock.due_date, paid_on=date(2024, 12, 9))
    assert (owed.days_late, owed.rate.pct, owed.interest_minor) == (34, Decimal("9.50"), 442)
    assert owed.rate.describe() == "9.5% a year (prime 8.5% plus 1%)"


def test_goods_received_after_the_invoice_start_the_clock():
    clock = due_date(TEXAS, ClockEvents(invoice_date=date(2024, 10, 1), invoice_received_on=date(2024, 10, 6),
                                        goods_received_on=date(2024, 10, 20)), calendar=CAL)
    assert (clock.started_by, clock.due_date) == ("goods_received", date(2024, 11, 19))
    with pytest.raises(ClockNotStarted):
        due_date(TEXAS, ClockEvents(invoice_date=date(2024, 10, 1)), calendar=CAL)


def test_one_rate_for_the_whole_period_the_rate_of_the_fiscal_year_it_became_overdue():
    # Overdue Aug. 21, 2024 (FY2024, 9.25%), paid Oct. 4, 2024 (FY2025 is 9.50%): 45 days, all at 9.25%.
    # 45 / 365 x 9.25% x $10,000.00 = $114.0410... -> $114.04.
    owed = late_interest(TEXAS, 1_000_000, due_date=date(2024, 8, 20), paid_on=date(2024, 10, 4))
    assert (owed.days_charged, owed.rate.pct, owed.interest_minor) == (45, Decimal("9.25"), 11404)


def test_a_fiscal_year_whose_rate_the_comptroller_has_not_been_recorded_for_is_refused_until_policy_adds_it():
    with pytest.raises(NoRateInEffect) as err:
        late_interest(TEXAS, 1_000_000, due_date=date(2026, 10, 1), paid_on=date(2026, 10, 31))
    assert err.value.code == "no_interest_rate"
    # The agency's policy adds FY2027 (a made-up prime of 6.75% for the example): 30/365 x 7.75% x $10,000 = $63.70.
    fy2027 = (RateRow(date(2026, 9, 1), Decimal("6.75"), date(2027, 8, 31)),)
    owed = late_interest(TEXAS, 1_000_000, due_date=date(2026, 10, 1), paid_on=date(2026, 10, 31),
                         agency_rows=fy2027)
    assert (owed.rate.pct, owed.interest_minor) == (Decimal("7.75"), 6370)


def test_a_construction_invoice_runs_on_the_same_thirty_days_but_a_monthly_board_has_forty_five():
    events = ClockEvents(invoice_date=date(2025, 3, 1), invoice_received_on=date(2025, 3, 3),
                         goods_received_on=date(2025, 2, 28))
    assert due_date(TEXAS, events, calendar=CAL, category="construction").due_date == date(2025, 4, 2)
    monthly = due_date(TEXAS, events, calendar=CAL, category="political_subdivision_monthly_board")
    assert monthly.due_date == date(2025, 4, 17)  # overdue on the 46th day (2251.021(b))


def test_a_state_agency_is_no_vendor_and_federal_terms_or_a_misaddressed_invoice_take_the_payment_out():
    late = {"due_date": date(2024, 11, 5), "paid_on": date(2024, 12, 9)}
    assert late_interest(TEXAS, 50_000, payee_kind="state_agency", **late).why_none == "exempt_payee:state_agency"
    federal = late_interest(TEXAS, 50_000, stops=[Stop("federal_funds_terms", date(2024, 11, 6))], **late)
    assert (federal.payable_minor, federal.why_none) == (0, "exempt:federal_funds_terms")
    # A reason the act does not name changes nothing.
    assert late_interest(TEXAS, 50_000, stops=[Stop("weather", date(2024, 11, 6))], **late).payable_minor == 442


def test_a_dispute_noticed_by_the_21st_day_and_resolved_for_the_entity_restarts_on_the_corrected_invoice():
    # $1,000 invoice received Oct. 6, 2024 (due Nov. 5); the entity notices the dispute on Oct. 20 (14th day).
    # Resolved for the entity: the corrected invoice received Nov. 15 is due Dec. 15; paid Dec. 20, 5 days late:
    # 5/365 x 9.50% x $1,000 = $1.3013... -> $1.30. Resolved for the vendor: interest from the original overdue
    # date, Nov. 6 to Dec. 20 = 45 days: $11.7123... -> $11.71.
    corrected = due_date(TEXAS, ClockEvents(invoice_date=date(2024, 11, 14), invoice_received_on=date(2024, 11, 15),
                                            goods_received_on=date(2024, 10, 1)), calendar=CAL)
    args = {"due_date": date(2024, 11, 5), "paid_on": date(2024, 12, 20), "received_on": date(2024, 10, 6)}
    for_entity = DisputeFacts(date(2024, 10, 20), date(2024, 11, 10), "agency", corrected.due_date)
    for_vendor = DisputeFacts(date(2024, 10, 20), date(2024, 11, 10), "vendor")
    assert late_interest(TEXAS, 100_000, dispute=for_entity, **args).interest_minor == 130
    assert late_interest(TEXAS, 100_000, dispute=for_vendor, **args).interest_minor == 1171
    # Noticed on the 22nd day: too late to count; interest runs from the original overdue date.
    late_notice = DisputeFacts(date(2024, 10, 28), date(2024, 11, 10), "agency", corrected.due_date)
    assert late_interest(TEXAS, 100_000, dispute=late_notice, **args).interest_minor == 1171
    assert late_interest(TEXAS, 100_000, dispute=DisputeFacts(date(2024, 10, 20)), **args).why_none == "dispute_open"


def test_higher_education_institutional_funds_pay_no_interest_of_five_dollars_or_less():
    # 30/365 x 9.50% x $100 = $0.78: nothing; 30 days on $1,000 = $7.81 is paid.
    args = {"due_date": date(2024, 11, 5), "paid_on": date(2024, 12, 5),
            "category": "higher_education_institutional_funds"}
    assert late_interest(TEXAS, 10_000, **args).payable_minor == 0
    assert late_interest(TEXAS, 100_000, **args).payable_minor == 781
    assert late_interest(TEXAS, 10_000, due_date=date(2024, 11, 5), paid_on=date(2024, 12, 5)).payable_minor == 78


def test_no_waiver_under_chapter_2251():
    assert TEXAS.base.waiver_allowed is False


def test_a_payment_that_meets_a_missing_rate_says_what_the_policy_must_add():
    from payments.ap.prompt_pay_rules.agency import agency_rules

    rules = agency_rules({"prompt_pay": {"rule_set": "texas"}})
    with pytest.raises(NoRateInEffect) as err:
        rules.interest("texas@tx-2251", 1_000_000, due_date=date(2026, 10, 1), paid_on=date(2026, 10, 31), calendar=None)
    assert err.value.code == "no_interest_rate"
    assert err.value.message.startswith("No prompt-payment interest rate is in effect on 2026-10-02. The Texas Prompt")
    assert "[prompt_pay.rule_set_rates] texas = " in err.value.message
