"""Same-day ACH and the dates of a run, as worked examples on the Federal Reserve calendar of November 2026.

Monday 2 November, 10:00 in New York. The City's bank (ODFI) takes same-day files until 13:00 and, like Nacha,
up to $1,000,000 per payment. Veterans Day, Wednesday 11 November, is a Fed holiday.
"""

import datetime as dt

import pytest

from payments.disbursements.ach_dates import SameDayUnavailable, same_day_refusal, settlement_date
from payments.disbursements.payment_runs import PayableInvoice, PrenoteRecord, plan_run
from payments.disbursements.payment_states import PaymentKind, PaymentStatus, SkipReason
from payments.disbursements.rails import RailCapabilities, RailSec
from tests.payment_fakes import FakeAccounts, policy

NY = dt.timezone(dt.timedelta(hours=-5))  # EST: daylight time ended on 1 November
MONDAY = dt.date(2026, 11, 2)
TEN_AM = dt.datetime(2026, 11, 2, 10, 0, tzinfo=NY)
ACH = RailCapabilities(frozenset(RailSec), same_day=True, same_day_cutoff=dt.time(13, 0),
                       same_day_max_payment_minor=100_000_000, settlement_lag_business_days=1)


def invoice(n: int, amount: int, vendor: str | None = None, due: dt.date = dt.date(2026, 11, 4)) -> PayableInvoice:
    return PayableInvoice(f"inv_{n}", vendor or f"ven_{n}", f"INV-{n}", "USD", amount, due)


def plan(invoices, *, now=TEN_AM, run_date=MONDAY, same_day=False, capabilities=ACH, prenotes=None, accounts=None):  # noqa: ANN001, ANN201
    fake = FakeAccounts()
    accounts = accounts or {i.vendor_id: fake.for_vendor(i.vendor_id) for i in invoices}
    return plan_run(invoices, accounts, prenotes or {}, run_date=run_date, now=now, policy=policy(),
                    capabilities=capabilities, same_day=same_day)


def test_an_ordinary_ach_run_sent_on_monday_is_dated_tuesday():
    # An ACH entry dated the day it is sent asks for same-day settlement (and its fee): ordinary runs never do.
    result = plan([invoice(1, 250_000)])
    assert result.effective_date == dt.date(2026, 11, 3) and not result.same_day
    assert [p.same_day for p in result.payments] == [False]


def test_a_same_day_run_before_the_cut_off_is_dated_today():
    result = plan([invoice(1, 250_000)], same_day=True)
    assert result.effective_date == MONDAY and result.same_day
    (payment,) = result.payments
    assert payment.same_day and payment.effective_date is None  # the run's own date: today


def test_at_the_cut_off_same_day_is_refused_with_the_reason():
    with pytest.raises(SameDayUnavailable) as refused:
        plan([invoice(1, 250_000)], same_day=True, now=dt.datetime(2026, 11, 2, 13, 0, tzinfo=NY))
    assert refused.value.code == "same_day_unavailable"
    assert "past the 13:00 same-day cut-off" in refused.value.message
    # A minute earlier it is still open.
    assert plan([invoice(1, 250_000)], same_day=True, now=dt.datetime(2026, 11, 2, 12, 59, tzinfo=NY)).same_day


def test_same_day_needs_a_rail_that_offers_it_and_a_run_for_today():
    assert same_day_refusal(MONDAY, TEN_AM, policy().calendar, RailCapabilities(frozenset(RailSec))) == \
        "the rail offers no same-day service"
    with pytest.raises(SameDayUnavailable):
        plan([invoice(1, 250_000)], same_day=True, run_date=dt.date(2026, 11, 3))
    holiday = dt.datetime(2026, 11, 11, 9, 0, tzinfo=NY)  # Veterans Day: the run's processing day is the 12th
    with pytest.raises(SameDayUnavailable):
        plan([invoice(1, 250_000)], same_day=True, now=holiday, run_date=dt.date(2026, 11, 11))


def test_a_payment_over_the_same_day_limit_rides_in_the_run_dated_for_the_next_day():
    # Granite is owed $1,200,000.00 (two invoices), Birch $300,000.00: only Birch's can settle today.
    result = plan([invoice(1, 60_000_000, "ven_granite"), invoice(2, 60_000_000, "ven_granite"),
                   invoice(3, 30_000_000, "ven_birch")], same_day=True)
    by_vendor = {p.vendor_id: p for p in result.payments}
    assert (by_vendor["ven_birch"].same_day, by_vendor["ven_birch"].effective_date) == (True, None)
    assert (by_vendor["ven_granite"].same_day, by_vendor["ven_granite"].effective_date) == \
        (False, dt.date(2026, 11, 3))
    assert by_vendor["ven_granite"].amount_minor == 120_000_000 and not result.skipped
    # Exactly $1,000,000.00 is within the limit.
    assert plan([invoice(4, 100_000_000)], same_day=True).payments[0].same_day


def test_ordinary_dates_step_over_weekends_and_fed_holidays():
    cal = policy().calendar
    assert settlement_date(dt.date(2026, 11, 6), cal, ACH) == dt.date(2026, 11, 9)    # Friday -> Monday
    assert settlement_date(dt.date(2026, 11, 10), cal, ACH) == dt.date(2026, 11, 12)  # over Veterans Day
    transfer = RailCapabilities(frozenset(RailSec), settlement_lag_business_days=0)   # pain.001: executed that day
    assert settlement_date(dt.date(2026, 11, 10), cal, transfer) == dt.date(2026, 11, 10)


def test_the_prenote_wait_is_three_business_days_not_calendar_days():
    # The prenote settled Friday 6 November. Tuesday the 10th is 4 calendar days later but only 2 business days
    # (Monday, Tuesday); Thursday the 12th is the third business day (Veterans Day does not count).
    fresh = FakeAccounts().for_vendor("ven_new")
    from dataclasses import replace

    fresh = replace(fresh, prenote_required=True)
    prenote = {fresh.account_id: PrenoteRecord(fresh.account_id, "pay_pre", PaymentStatus.SENT, dt.date(2026, 11, 6))}
    bill = [invoice(9, 500_000, "ven_new", due=dt.date(2026, 11, 12))]
    tuesday = plan(bill, accounts={"ven_new": fresh}, prenotes=prenote, run_date=dt.date(2026, 11, 10),
                   now=dt.datetime(2026, 11, 10, 9, 0, tzinfo=NY))
    assert not tuesday.payments and tuesday.skipped[0].reason is SkipReason.PRENOTE_PENDING
    thursday = plan(bill, accounts={"ven_new": fresh}, prenotes=prenote, run_date=dt.date(2026, 11, 12),
                    now=dt.datetime(2026, 11, 12, 9, 0, tzinfo=NY))
    assert [p.kind for p in thursday.payments] == [PaymentKind.LIVE]
