"""Run selection as worked examples: what a run on a given day pays, in which payments, on which date."""

import datetime as dt
from decimal import Decimal

from payments.disbursements.ach_dates import effective_entry_date
from payments.disbursements.payment_runs import PayableInvoice, PayeeAccount, PrenoteRecord, plan_run
from payments.disbursements.payment_states import (PayeeAccountStatus, PayeeKind, PaymentKind, PaymentStatus,
                                                   SkipReason)
from payments.disbursements.rails import RailAccountType, RailSec
from payments.ap.terms import parse_terms
from tests.payment_fakes import FakeAccounts, policy

MONDAY = dt.date(2026, 11, 2)
MORNING = dt.datetime(2026, 11, 2, 14, 0, tzinfo=dt.timezone.utc)  # 09:00 in New York, before the cut-off


def invoice(n: int, vendor: str = "ven_A", due: dt.date = dt.date(2026, 11, 4), amount: int = 125_000, **kw):
    return PayableInvoice(f"inv_{n}", vendor, f"INV-{n}", "USD", amount, due, **kw)


def plan(invoices, accounts=None, prenotes=None, **kw):
    fake = FakeAccounts()
    accounts = accounts if accounts is not None else {i.vendor_id: fake.for_vendor(i.vendor_id) for i in invoices}
    return plan_run(invoices, accounts, prenotes or {}, run_date=MONDAY, now=MORNING, policy=policy(**kw))


def test_an_invoice_due_in_two_days_is_paid_today_and_one_due_next_week_waits():
    result = plan([invoice(1, due=dt.date(2026, 11, 4)), invoice(2, due=dt.date(2026, 11, 12))])
    assert [i.invoice_id for p in result.payments for i in p.items] == ["inv_1"]
    assert result.skipped[0].invoice_id == "inv_2" and result.skipped[0].reason is SkipReason.NOT_YET_DUE


def test_three_invoices_of_one_vendor_make_one_ctx_payment_and_a_single_invoice_a_ccd():
    result = plan([invoice(1), invoice(2), invoice(3), invoice(4, vendor="ven_B")])
    by_vendor = {p.vendor_id: p for p in result.payments}
    assert by_vendor["ven_A"].sec_code is RailSec.CTX and len(by_vendor["ven_A"].items) == 3
    assert by_vendor["ven_A"].amount_minor == 375_000
    assert by_vendor["ven_B"].sec_code is RailSec.CCD


def test_an_individual_is_paid_by_ppd():
    person = PayeeAccount("ba_P", "ven_P", "JANE ROE", "231380104", RailAccountType.SAVINGS,
                          PayeeAccountStatus.ACTIVE, PayeeKind.INDIVIDUAL)
    result = plan([invoice(1, vendor="ven_P")], accounts={"ven_P": person})
    assert result.payments[0].sec_code is RailSec.PPD


def test_held_invoices_and_unverified_accounts_are_skipped_with_the_reason():
    pending = PayeeAccount("ba_B", "ven_B", "B", "231380104", RailAccountType.CHECKING, PayeeAccountStatus.PENDING)
    result = plan([invoice(1, holds=("price",)), invoice(2, vendor="ven_B")],
                  accounts={"ven_A": FakeAccounts().for_vendor("ven_A"), "ven_B": pending})
    assert not result.payments
    assert {(s.invoice_id, s.reason) for s in result.skipped} == {
        ("inv_1", SkipReason.HELD), ("inv_2", SkipReason.BANK_ACCOUNT_UNVERIFIED)}


def test_a_worthwhile_discount_is_taken_by_paying_early():
    # 2/10 net 30 from 24 October: the discount lasts to 3 November, so with a 2-day lead it is paid by the 1st.
    terms = parse_terms("2/10 net 30")
    inv = invoice(1, due=dt.date(2026, 11, 23), amount=1_000_000, terms=terms, terms_base_date=dt.date(2026, 10, 24))
    result = plan([inv])
    item = result.payments[0].items[0]
    assert item.discount_minor == 20_000 and item.paid_minor == 980_000
    assert item.pay_date == dt.date(2026, 11, 1)
    # Two days later the same terms from 26 October wait for their own pay date, 3 November.
    later = invoice(2, due=dt.date(2026, 11, 25), terms=terms, terms_base_date=dt.date(2026, 10, 26))
    assert plan([later]).skipped[0].reason is SkipReason.NOT_YET_DUE


def test_a_late_invoice_carries_prompt_pay_interest():
    result = plan([invoice(1, due=dt.date(2026, 9, 2), amount=1_000_000)])
    item = result.payments[0].items[0]
    assert item.interest_minor > 0
    assert result.payments[0].amount_minor == 1_000_000 + item.interest_minor


def test_the_effective_date_is_the_next_business_day_and_honours_the_cut_off():
    cal = policy().calendar
    # Veterans Day (Wednesday 11 November 2026) is a Fed holiday: the 12th.
    assert effective_entry_date(dt.date(2026, 11, 11), MORNING, cal) == dt.date(2026, 11, 12)
    after_cutoff = dt.datetime(2026, 11, 2, 20, 0, tzinfo=dt.timezone.utc)  # 15:00 New York
    assert effective_entry_date(MONDAY, after_cutoff, cal) == dt.date(2026, 11, 3)


def test_a_new_account_gets_a_prenote_first_and_its_invoices_wait():
    fresh = PayeeAccount("ba_N", "ven_A", "NEW VENDOR", "231380104", RailAccountType.CHECKING,
                         PayeeAccountStatus.ACTIVE, prenote_required=True)
    first = plan([invoice(1)], accounts={"ven_A": fresh})
    assert [p.kind for p in first.payments] == [PaymentKind.PRENOTE]
    assert first.payments[0].amount_minor == 0
    assert first.skipped[0].reason is SkipReason.PRENOTE_PENDING
    sent = {"ba_N": PrenoteRecord("ba_N", "pay_x", PaymentStatus.SENT, dt.date(2026, 10, 29))}
    waiting = plan([invoice(1)], accounts={"ven_A": fresh}, prenotes=sent)  # 2 business days: too soon
    assert not waiting.payments and waiting.skipped[0].reason is SkipReason.PRENOTE_PENDING
    cleared = {"ba_N": PrenoteRecord("ba_N", "pay_x", PaymentStatus.SENT, dt.date(2026, 10, 27))}
    paid = plan([invoice(1)], accounts={"ven_A": fresh}, prenotes=cleared)
    assert [p.kind for p in paid.payments] == [PaymentKind.LIVE]
    returned = {"ba_N": PrenoteRecord("ba_N", "pay_x", PaymentStatus.RETURNED, dt.date(2026, 10, 27))}
    refused = plan([invoice(1)], accounts={"ven_A": fresh}, prenotes=returned)
    assert not refused.payments and refused.skipped[0].reason is SkipReason.BANK_ACCOUNT_UNVERIFIED


def test_planning_is_deterministic():
    invoices = [invoice(n, vendor=f"ven_{n % 3}") for n in range(9)]
    assert plan(invoices) == plan(list(reversed(invoices)))


def test_discount_threshold_keeps_a_poor_discount_untaken():
    terms = parse_terms("0.1/10 net 30")  # worth about 1.8% a year: below the 4.5% threshold
    inv = invoice(1, due=dt.date(2026, 11, 4), terms=terms, terms_base_date=dt.date(2026, 10, 5))
    assert plan([inv]).payments[0].items[0].discount_minor == 0
    assert Decimal("0.045") == policy().prompt_pay.discount_threshold_rate


def test_an_account_finishing_its_cooling_off_gets_its_prenote_even_with_nothing_to_pay():
    new = PayeeAccount("ba_C", "ven_C", "CHANGED VENDOR", "231380104", RailAccountType.CHECKING,
                       PayeeAccountStatus.PENDING, prenote_due=True, change_id="chg_1")
    result = plan_run([], {}, {}, run_date=MONDAY, now=MORNING, policy=policy(), awaiting_prenote=[new])
    assert [(p.account_id, p.kind, p.amount_minor) for p in result.payments] == [("ba_C", PaymentKind.PRENOTE, 0)]
    sent = {"ba_C": PrenoteRecord("ba_C", "pay_y", PaymentStatus.SENT, MONDAY)}
    assert not plan_run([], {}, sent, run_date=MONDAY, now=MORNING, policy=policy(), awaiting_prenote=[new]).payments


def test_the_rails_capabilities_shape_the_plan():
    from payments.disbursements.rails import RailCapabilities

    iso_like = RailCapabilities(frozenset({RailSec.CCD, RailSec.PPD}), prenotes=False, max_payment_minor=300_000)
    fresh = PayeeAccount("ba_N", "ven_A", "NEW VENDOR", "231380104", RailAccountType.CHECKING,
                         PayeeAccountStatus.ACTIVE, prenote_required=True)
    result = plan_run([invoice(1), invoice(2)], {"ven_A": fresh}, {}, run_date=MONDAY, now=MORNING, policy=policy(),
                      capabilities=iso_like)
    assert [(p.kind, p.sec_code) for p in result.payments] == [(PaymentKind.LIVE, RailSec.CCD)]  # no CTX, no prenote
    big = plan_run([invoice(3, amount=400_000)], {"ven_A": fresh}, {}, run_date=MONDAY, now=MORNING,
                   policy=policy(), capabilities=iso_like)
    assert not big.payments and big.skipped[0].reason is SkipReason.OVER_RAIL_LIMIT
