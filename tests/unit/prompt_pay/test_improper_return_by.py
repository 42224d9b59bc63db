"""By when an improper invoice goes back to the vendor, with every defect listed, under each act (issue 18).

Each example counts from the day the invoice (or payment request) reached the agency: Tuesday 6 October 2026.
Monday 12 October (Columbus Day) is not a business day on the Federal Reserve calendar the agency keeps.
"""

import datetime as dt

from payments.ap.prompt_pay_rules import improper_return_by, load_rule_set
from payments.business_days import BusinessCalendar

RECEIVED = dt.date(2026, 10, 6)
CAL = BusinessCalendar()


def by(name: str, category: str | None = None) -> dt.date | None:
    return improper_return_by(load_rule_set(name), RECEIVED, calendar=CAL, category=category)


def test_5_cfr_1315_9_returns_an_improper_invoice_within_7_days():
    assert by("federal") == dt.date(2026, 10, 13)


def test_texas_notifies_an_error_or_disputed_amount_by_the_21st_day_after_receipt():
    # Gov't Code 2251.042(a): Oct. 6 + 21 days.
    assert by("texas") == dt.date(2026, 10, 27)
    assert by("texas", "political_subdivision_monthly_board") == dt.date(2026, 10, 27)


def test_florida_notifies_an_improper_invoice_within_10_days_and_rejects_a_construction_request_in_20_business_days():
    # F.S. 218.76(1): Oct. 6 + 10 days. 218.735(2): 20 business days after the request is stamped received:
    # Oct. 7-9 (3), Oct. 13-16 (7), 19-23 (12), 26-30 (17), Nov. 2-4 (20).
    assert by("florida_local") == dt.date(2026, 10, 16)
    assert by("florida_local", "construction") == dt.date(2026, 11, 4)
    assert by("florida_local", "construction_agent_approval") == dt.date(2026, 11, 4)


def test_washington_sets_eight_working_days_for_public_works_and_no_period_otherwise():
    # RCW 39.76.011(2)(b): Oct. 7, 8, 9, 13, 14, 15, 16, 19.
    assert by("washington", "public_works") == dt.date(2026, 10, 19)
    assert by("washington") is None  # the agency's own policy period applies


def test_new_york_notifies_defects_within_15_days():
    assert by("new_york_state") == dt.date(2026, 10, 21)
