"""Florida Local Government Prompt Payment Act, F.S. 218.70-218.80, worked from the statute's words."""

from datetime import date

from payments.ap.prompt_pay_rules import (
    ClockEvents,
    DisputeFacts,
    due_date,
    late_interest,
    load_rule_set,
    rule_set_on,
)
from payments.business_days import BusinessCalendar

FLORIDA = load_rule_set("florida_local")
CAL = BusinessCalendar()
INVOICE = ClockEvents(invoice_date=date(2026, 2, 27), invoice_received_on=date(2026, 3, 2),
                      goods_received_on=date(2026, 3, 10))


def test_goods_are_due_45_days_after_the_proper_invoice_and_earn_interest_only_30_days_after_that():
    # 218.73, 218.74(2): the proper invoice is stamped received March 2 (goods accepted later do not move it):
    # due April 16. 218.74(4): interest from 30 days after the due date, May 16.
    clock = due_date(FLORIDA, INVOICE, calendar=CAL)
    assert (clock.started_by, clock.due_date) == ("invoice_received", date(2026, 4, 16))
    assert late_interest(FLORIDA, 1_000_000, due_date=clock.due_date, paid_on=date(2026, 5, 16)).payable_minor == 0
    # One day into the interest period: "any overdue period of less than 1 month is considered as 1 month":
    # $10,000 x 1% = $100.00.
    one_day = late_interest(FLORIDA, 1_000_000, due_date=clock.due_date, paid_on=date(2026, 5, 17))
    assert (one_day.days_charged, one_day.interest_minor) == (1, 10_000)
    # May 16 to June 20: one month to June 16 and 4 days, so two months, compounded monthly:
    # $10,000 x (1.01^2 - 1) = $201.00.
    assert late_interest(FLORIDA, 1_000_000, due_date=clock.due_date, paid_on=date(2026, 6, 20)).interest_minor == 20_100
    assert FLORIDA.base.interest_claim_required  # "The vendor must invoice the local governmental entity"


def test_construction_is_due_in_20_business_days_and_earns_2_percent_a_month_from_the_next_day():
    # 218.735(1)(b): a payment request stamped received Wednesday March 4, 2026 with no agent's approval is due
    # 20 business days later, Wednesday April 1; (a) with an agent's approval, 25: Wednesday April 8.
    request = ClockEvents(invoice_date=date(2026, 3, 3), invoice_received_on=date(2026, 3, 4))
    clock = due_date(FLORIDA, request, calendar=CAL, category="construction")
    assert (clock.counting, clock.due_date) == ("business", date(2026, 4, 1))
    approved = due_date(FLORIDA, request, calendar=CAL, category="construction_agent_approval")
    assert approved.due_date == date(2026, 4, 8)
    # Paid April 16, 15 days late: $100,000 x 2% x 15/30 = $1,000.00. The same request billed as goods would be
    # due April 18 (45 days after March 4), earn interest only from May 18, and owe nothing yet.
    owed = late_interest(FLORIDA, 10_000_000, due_date=clock.due_date, paid_on=date(2026, 4, 16),
                         category="construction")
    assert (owed.days_charged, owed.rate.describe(), owed.interest_minor) == (15, "2% a month", 100_000)
    as_goods = due_date(FLORIDA, request, calendar=CAL)
    assert late_interest(FLORIDA, 10_000_000, due_date=as_goods.due_date, paid_on=date(2026, 4, 16)).payable_minor == 0


def test_the_2021_amendment_changed_the_construction_rate_from_1_to_2_percent_a_month():
    # Version in force for a payment request received in 2020 keeps 1% a month: $100,000 x 1% x 15/30 = $500.00.
    before = rule_set_on("florida_local", date(2020, 3, 4))
    after = rule_set_on("florida_local", date(2021, 7, 1))
    assert (before.version, after.version) == ("fs-218", "fs-218-2021.07")
    args = {"due_date": date(2020, 4, 1), "paid_on": date(2020, 4, 16), "category": "construction"}
    assert late_interest(before, 10_000_000, **args).interest_minor == 50_000
    assert late_interest(after, 10_000_000, **args).interest_minor == 100_000


def test_a_dispute_resolved_for_the_local_government_accrues_15_days_after_its_final_decision():
    # 218.76(2)(a). Goods due April 16; final decision for the county April 20: interest from May 5. Paid May 15:
    # 10 days, a part month counts as one: $10,000 x 1% = $100.00. Resolved for the vendor: the act's own clock
    # (interest only from May 16), so nothing yet on May 15.
    late = {"due_date": date(2026, 4, 16), "paid_on": date(2026, 5, 15)}
    for_county = DisputeFacts(date(2026, 3, 20), date(2026, 4, 20), "agency")
    owed = late_interest(FLORIDA, 1_000_000, dispute=for_county, **late)
    assert (owed.accrues_after, owed.days_charged, owed.interest_minor) == (date(2026, 5, 5), 10, 10_000)
    for_vendor = DisputeFacts(date(2026, 3, 20), date(2026, 4, 20), "vendor")
    assert late_interest(FLORIDA, 1_000_000, dispute=for_vendor, **late).payable_minor == 0


def test_a_purchase_contingent_on_federal_funds_counts_from_their_receipt_and_no_waiver():
    events = ClockEvents(invoice_date=date(2026, 3, 1), invoice_received_on=date(2026, 3, 2),
                         funds_received_on=date(2026, 4, 1))
    assert due_date(FLORIDA, events, calendar=CAL, category="federal_funds_contingent").due_date == date(2026, 5, 16)
    assert FLORIDA.base.waiver_allowed is False
