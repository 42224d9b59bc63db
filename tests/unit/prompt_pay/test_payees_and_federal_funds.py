"""Who an act covers, and purchases paid with federal or grant money (issue 18), as worked examples.

$10,000 of goods received and invoiced on Tuesday 6 October 2026, paid on Monday 14 December 2026.
"""

import datetime as dt
from decimal import Decimal

from payments.ap.prompt_pay_rules import ClockEvents, RateRow, due_date, late_interest, load_rule_set
from payments.business_days import BusinessCalendar

CAL = BusinessCalendar()
RECEIVED, PAID = dt.date(2026, 10, 6), dt.date(2026, 12, 14)
# The Comptroller's FY2027 row, as an agency adds it to its policy (6.75% prime: a figure for these examples).
FY2027 = (RateRow(dt.date(2026, 9, 1), Decimal("6.75"), dt.date(2027, 8, 31)),)


def test_florida_reads_a_payment_to_another_government_as_outside_the_act():
    # F.S. 218.72: a vendor is a "person"; 1.01(3) names no government. Due Nov. 20 (45 days), interest only from
    # Dec. 20: a business paid Dec. 14 is owed nothing yet either, so pay it in January to see the difference.
    late = late_interest(load_rule_set("florida_local"), 1_000_000, due_date=dt.date(2026, 11, 20),
                         paid_on=dt.date(2027, 1, 4), calendar=CAL, payee_kind="government")
    assert (late.payable_minor, late.why_none) == (0, "exempt_payee:government")
    business = late_interest(load_rule_set("florida_local"), 1_000_000, due_date=dt.date(2026, 11, 20),
                             paid_on=dt.date(2027, 1, 4), calendar=CAL)
    assert business.payable_minor == 10_000  # one month begun at 1%: $100.00


def test_texas_exempts_a_state_agency_but_pays_a_county_like_any_vendor():
    # Gov't Code 2251.001: a state agency is no "vendor"; a county is a "person" (Code Construction Act 311.005(2)).
    # Overdue from Nov. 6 (due Nov. 5), paid Dec. 14: 39 days at FY2027's prime + 1% = 7.75%, simple.
    def tx(kind: str | None) -> tuple[int, str | None]:
        late = late_interest(load_rule_set("texas"), 1_000_000, due_date=dt.date(2026, 11, 5), paid_on=PAID,
                             calendar=CAL, payee_kind=kind, agency_rows=FY2027)
        return late.payable_minor, late.why_none

    assert tx("state_agency") == (0, "exempt_payee:state_agency")
    assert tx("government") == (8_281, None)  # 39/365 x 7.75% x $10,000 = $82.808... -> $82.81
    assert tx(None) == (8_281, None)


def test_washington_exempts_every_intergovernmental_payment_a_state_agency_included():
    late = late_interest(load_rule_set("washington"), 1_000_000, due_date=dt.date(2026, 11, 5), paid_on=PAID,
                         calendar=CAL, payee_kind="state_agency")
    assert (late.payable_minor, late.why_none) == (0, "exempt_payee:state_agency")


def test_a_federally_funded_purchase_waits_for_the_money_where_the_act_says_so():
    events = ClockEvents(dt.date(2026, 10, 5), RECEIVED, goods_received_on=dt.date(2026, 10, 1),
                         funds_received_on=dt.date(2026, 11, 2), federally_funded=True)
    # F.S. 218.77 and 218.74(2): 45 days from the later of the invoice and the federal money: Nov. 2 + 45 = Dec. 17.
    assert due_date(load_rule_set("florida_local"), events, calendar=CAL).due_date == dt.date(2026, 12, 17)
    # RCW 39.76.011(2)(a): thirty days after the money actually arrived: Dec. 2.
    washington = due_date(load_rule_set("washington"), events, calendar=CAL)
    assert (washington.due_date, washington.started_by) == (dt.date(2026, 12, 2), "funds_received")
    # Texas has no such clock (its federal-funds exception is about interest, see the payment tests): Nov. 5.
    assert due_date(load_rule_set("texas"), events, calendar=CAL).due_date == dt.date(2026, 11, 5)
    # Not flagged as federally funded: the ordinary clock.
    plain = ClockEvents(dt.date(2026, 10, 5), RECEIVED, goods_received_on=dt.date(2026, 10, 1))
    assert due_date(load_rule_set("florida_local"), plain, calendar=CAL).due_date == dt.date(2026, 11, 20)
