"""The federal rule (5 CFR part 1315) as a rule set: Treasury's own worked examples, through the rule-set engine."""

from datetime import date

from payments.ap.prompt_pay_rules import ClockEvents, RateRow, due_date, late_interest, load_rule_set
from payments.business_days import BusinessCalendar
from decimal import Decimal

FEDERAL = load_rule_set("federal")
FED = BusinessCalendar()


def rates(pct: str) -> tuple[RateRow, ...]:
    """The agency's policy supplies Treasury's rate, as [prompt_pay] interest_rates always has."""
    return (RateRow(date(2000, 1, 1), Decimal(pct)),)


def test_1500_at_6_5_percent_for_10_days_is_2_71():
    # 5 CFR 1315.17: "$1,500 (.065/360*10) = $2.71": due April 1, paid April 11 (April 2 through 11 = 10 days).
    owed = late_interest(FEDERAL, 150_000, due_date=date(2026, 4, 1), paid_on=date(2026, 4, 11),
                         agency_rows=rates("6.5"))
    assert (owed.days_late, owed.days_charged, owed.interest_minor, owed.payable_minor) == (10, 10, 271, 271)
    assert owed.rule_label == "federal@5cfr1315"


def test_monthly_compounding_example_is_18_83():
    # "$1,500(1+.06/12)^2 * (1+(0.06/360*15)) - $1,500 = $18.83": due April 1, paid June 15: 75 days.
    owed = late_interest(FEDERAL, 150_000, due_date=date(2026, 4, 1), paid_on=date(2026, 6, 15),
                         agency_rows=rates("6"))
    assert (owed.days_charged, owed.interest_minor) == (75, 1883)


def test_interest_stops_after_a_year_and_under_a_dollar_is_not_paid():
    year = late_interest(FEDERAL, 150_000, due_date=date(2025, 1, 1), paid_on=date(2026, 6, 1),
                         agency_rows=rates("6"))
    assert (year.days_late, year.days_charged, year.interest_minor) == (516, 365, 9384)
    small = late_interest(FEDERAL, 10_000, due_date=date(2026, 4, 1), paid_on=date(2026, 4, 4),
                          agency_rows=rates("6.5"))
    assert (small.interest_minor, small.payable_minor, small.why_none) == (5, 0, "below_minimum")


def test_the_rate_is_the_one_in_effect_on_the_first_day_of_lateness():
    table = (RateRow(date(2026, 1, 1), Decimal("4")), RateRow(date(2026, 7, 1), Decimal("5")))
    late_july = late_interest(FEDERAL, 1_000_000, due_date=date(2026, 6, 30), paid_on=date(2026, 7, 10),
                              agency_rows=table)
    late_june = late_interest(FEDERAL, 1_000_000, due_date=date(2026, 6, 29), paid_on=date(2026, 7, 10),
                              agency_rows=table)
    assert late_july.rate.pct == Decimal("5") and late_june.rate.pct == Decimal("4")


def test_a_saturday_due_date_paid_on_monday_is_on_time_but_tuesday_counts_from_saturday():
    args = {"due_date": date(2026, 7, 4), "calendar": FED, "agency_rows": rates("6.5")}
    assert late_interest(FEDERAL, 150_000, paid_on=date(2026, 7, 6), **args).why_none == "on_time"
    assert late_interest(FEDERAL, 150_000, paid_on=date(2026, 7, 7), **args).days_charged == 3


def test_clock_is_the_later_of_invoice_receipt_and_acceptance_deemed_seven_days_after_delivery():
    clock = due_date(FEDERAL, ClockEvents(invoice_date=date(2026, 3, 2), invoice_received_on=date(2026, 3, 4),
                                          goods_received_on=date(2026, 3, 1)), calendar=FED)
    assert (clock.acceptance_on, clock.acceptance_deemed) == (date(2026, 3, 8), True)
    assert (clock.start_date, clock.started_by, clock.due_date) == (date(2026, 3, 8), "acceptance", date(2026, 4, 7))


def test_a_late_defect_notice_and_a_contracts_longer_period_move_the_federal_due_date():
    events = ClockEvents(invoice_date=date(2026, 3, 16), invoice_received_on=date(2026, 3, 18),
                         goods_received_on=date(2026, 3, 1), accepted_on=date(2026, 3, 2))
    assert due_date(FEDERAL, events, calendar=FED, late_notice_days=3).due_date == date(2026, 4, 14)
    assert due_date(FEDERAL, events, calendar=FED, contract_due_days=45).due_date == date(2026, 5, 2)


def test_the_rule_set_computes_exactly_what_the_federal_module_always_has():
    from payments.ap.prompt_pay import InterestRate, PromptPayPolicy, RateTable, late_payment_interest

    policy, table = PromptPayPolicy("v"), RateTable([InterestRate(date(2000, 1, 1), Decimal("0.04625"))])
    for principal in (999, 150_000, 12_345_678):
        for days in (1, 29, 30, 31, 59, 60, 200, 364, 365, 366, 500):
            due = date(2026, 1, 15)
            paid = date.fromordinal(due.toordinal() + days)
            old = late_payment_interest(principal, due_date=due, paid_on=paid, rates=table, policy=policy,
                                        calendar=FED)
            new = late_interest(FEDERAL, principal, due_date=due, paid_on=paid, calendar=FED,
                                agency_rows=rates("4.625"))
            assert (new.interest_minor, new.payable_minor) == (old.interest_minor, old.payable_minor), (principal,
                                                                                                        days)
