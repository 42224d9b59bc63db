"""Re-dating never changes what a payment pays: a payment the later date would price differently is withdrawn.

A same-day run planned at 10:00 in New York on Friday 6 November 2026 and released for same-day settlement is
submitted too late for that: its payments go out as ordinary ACH. Each invoice is priced again for the day it
now settles. A discount whose date has passed is no longer ours to take (taking it would short-pay the vendor);
an invoice now paid late owes prompt-pay interest (5 CFR 1315), which the released amount does not carry. Those
payments are withdrawn at claim time and the next run prices their invoices afresh; the rest go out re-dated.
"""

import datetime as dt

from adapters.rails.nacha.rail import NachaOriginator, NachaRail
from adapters.formats.nacha.reader import read
from config.policy import load_policy
from payments.identity import Principal, Role
from payments.disbursements.payment_runs import PayableInvoice
from payments.disbursements.payment_states import PaymentStatus
from payments.disbursements.payment_service import PaymentService
from payments.ap.terms import parse_terms
from tests.payment_fakes import FakeAccounts, FakePayables, policy

TREASURER = Principal("usr_tina", frozenset({Role.TREASURER}))
NEW_YORK = dt.timezone(dt.timedelta(hours=-5))  # EST in November
FRIDAY, SATURDAY, MONDAY, TUESDAY = dt.date(2026, 11, 6), dt.date(2026, 11, 7), dt.date(2026, 11, 9), \
    dt.date(2026, 11, 10)
TWO_TEN_NET_30 = parse_terms("2/10 net 30")

# (a) 2/10 net 30 counted from 27 October: the discount (2% of $100,000) may be taken through Friday 6 November.
BIRCH = PayableInvoice("inv_birch", "ven_birch", "B-1", "USD", 10_000_000, dt.date(2026, 11, 26),
                       terms=TWO_TEN_NET_30, terms_base_date=dt.date(2026, 10, 27))
# (b) $300,000 due Saturday 7 November: paid on time through Monday 9 November (the next business day).
SATURDAY_DUE = PayableInvoice("inv_spruce", "ven_spruce", "S-1", "USD", 30_000_000, SATURDAY)
# (c) no discount, due Wednesday 11 November (Veterans Day: on time through Thursday 12 November).
CEDAR = PayableInvoice("inv_cedar", "ven_cedar", "C-1", "USD", 5_000_000, dt.date(2026, 11, 11))
# (c) 2/10 net 30 from 31 October: the discount may still be taken on Tuesday 10 November.
DOGWOOD = PayableInvoice("inv_dogwood", "ven_dogwood", "D-1", "USD", 5_000_000, dt.date(2026, 11, 30),
                         terms=TWO_TEN_NET_30, terms_base_date=dt.date(2026, 10, 31))


def _released_friday_run(container, tmp_path, invoices=(BIRCH, SATURDAY_DUE, CEDAR, DOGWOOD)):  # noqa: ANN001, ANN202
    """Planned and released at 10:00 on Friday for same-day settlement; 5 days' lead time selects all four."""
    rail = NachaRail(NachaOriginator({**load_policy()["nacha"], "same_day": True, "same_day_cutoff": "13:00"}),
                     tmp_path / "nacha")
    svc = PaymentService(container.uow, vault=container.vault, clock=container.clock, policy=policy(lead_days=5),
                         invoices=FakePayables(invoices), accounts=FakeAccounts(),
                         rails=lambda _name: rail, default_rail="nacha")
    container.clock.set(dt.datetime(2026, 11, 6, 10, 0, tzinfo=NEW_YORK))
    run = svc.create_run(same_day=True, created_by="usr_sam").run
    svc.release(TREASURER, run.id)
    # Priced for settlement on Friday: birch's and dogwood's discounts taken, nothing late.
    priced = {"inv_birch": (200_000, 0), "inv_spruce": (0, 0), "inv_cedar": (0, 0), "inv_dogwood": (100_000, 0)}
    assert {i.invoice_id: (i.discount_minor, i.interest_minor) for p in svc.payments_of_run(run.id)
            for i in p.items} == {i.invoice_id: priced[i.invoice_id] for i in invoices}
    assert {(p.effective_date, p.same_day) for p in svc.payments_of_run(run.id)} == {(FRIDAY, True)}
    return svc, rail, run


def _by_invoice(svc, run_id):  # noqa: ANN001, ANN202
    return {p.items[0].invoice_id: p for p in svc.payments_of_run(run_id)}


def test_past_both_cut_offs_the_lost_discount_and_the_late_invoice_are_withdrawn_and_repriced_by_the_next_runs(
        container, tmp_path):
    svc, rail, run = _released_friday_run(container, tmp_path)
    # 15:30: past the 13:00 same-day cut-off and the 14:00 daily cut-off: sent Monday, settling Tuesday.
    container.clock.set(dt.datetime(2026, 11, 6, 15, 30, tzinfo=NEW_YORK))
    assert [o.result for o in svc.submit_released()] == ["accepted"]

    paid = _by_invoice(svc, run.id)
    # (a) Tuesday is after birch's discount date, and without the discount it is not due for a while: withdrawn.
    # (b) Tuesday is after the Saturday due date and the Monday grace day: interest is owed: withdrawn.
    assert paid["inv_birch"].status is PaymentStatus.CANCELLED
    assert paid["inv_spruce"].status is PaymentStatus.CANCELLED
    assert "inv_birch: settling 2026-11-10 it would not be paid now (not_yet_due" in paid["inv_birch"].status_reason
    assert paid["inv_spruce"].status_reason == (
        "withdrawn at submission: inv_spruce: prompt-pay interest 0.00 USD priced for 2026-11-06, 109.37 USD "
        "settling 2026-11-10 (due 2026-11-07)")
    # (c) Their pricing is the same on Tuesday: sent re-dated, dogwood still with its discount.
    assert {k: (paid[k].status, paid[k].effective_date, paid[k].amount_minor) for k in ("inv_cedar", "inv_dogwood")} \
        == {"inv_cedar": (PaymentStatus.SENT, TUESDAY, 5_000_000),
            "inv_dogwood": (PaymentStatus.SENT, TUESDAY, 4_900_000)}
    data = rail.transport.read(f"{svc.get_run(run.id).submission_id}.ach")
    batches = read(data, strict=True).batches
    assert [b.effective_date for b in batches] == [TUESDAY]
    assert sorted(e.amount_cents for b in batches for e in b.entries) == [4_900_000, 5_000_000]

    # The run says what happened, and each withdrawal is an event for whoever follows the payments.
    redated = svc.get_run(run.id).redated
    assert redated["to"] == "2026-11-10"
    assert "2 payments withdrawn instead" in redated["reason"]
    assert {w["payment_id"] for w in redated["withdrawn"]} == {paid["inv_birch"].id, paid["inv_spruce"].id}
    assert {m["payment_id"] for m in redated["payments"]} == {paid["inv_cedar"].id, paid["inv_dogwood"].id}
    with container.uow(read_only=True) as uow:
        events = uow.payments.outbox("payment.withdrawn")
    assert sorted((e["payload"]["payment_id"], e["payload"]["cause"]) for e in events) == sorted(
        [(paid["inv_birch"].id, "repriced_by_redating"), (paid["inv_spruce"].id, "repriced_by_redating")])

    # (b) Monday's run pays the Saturday invoice settling Tuesday with interest for 8-10 November:
    # $300,000 x (4.375% / 360 x 3 days): the daily rate is a repeating decimal, so a hair under $109.375: $109.37.
    container.clock.set(dt.datetime(2026, 11, 9, 10, 0, tzinfo=NEW_YORK))
    monday = svc.create_run(created_by="usr_sam").run
    [late] = svc.payments_of_run(monday.id)
    assert [(i.invoice_id, i.discount_minor, i.interest_minor) for i in late.items] == [("inv_spruce", 0, 10_937)]
    assert (late.effective_date, late.amount_minor) == (TUESDAY, 30_010_937)

    # (a) Birch is paid in full, without the discount, in the run that reaches its pay date (due 26 November
    # less the 5 days' lead time).
    container.clock.set(dt.datetime(2026, 11, 23, 10, 0, tzinfo=NEW_YORK))
    later = svc.create_run(created_by="usr_sam").run
    full = [p for p in svc.payments_of_run(later.id) if p.vendor_id == "ven_birch"]
    assert [(i.invoice_id, i.amount_minor, i.discount_minor, i.interest_minor) for p in full for i in p.items] == \
        [("inv_birch", 10_000_000, 0, 0)]
    assert full[0].amount_minor == 10_000_000
    assert container.ledger.verify().ok


def test_a_saturday_due_date_paid_on_monday_is_on_time_so_that_payment_goes_out_re_dated(container, tmp_path):
    svc, rail, run = _released_friday_run(container, tmp_path)
    # 13:30: past the same-day cut-off only: sent Friday as next-day ACH, settling Monday.
    container.clock.set(dt.datetime(2026, 11, 6, 13, 30, tzinfo=NEW_YORK))
    assert [o.result for o in svc.submit_released()] == ["accepted"]
    paid = _by_invoice(svc, run.id)
    # Due Saturday and paid the next business day: no interest (5 CFR 1315.4(g)), so its pricing is unchanged.
    assert (paid["inv_spruce"].status, paid["inv_spruce"].effective_date, paid["inv_spruce"].amount_minor) == \
        (PaymentStatus.SENT, MONDAY, 30_000_000)
    # Birch's discount ended on Friday all the same: withdrawn.
    assert paid["inv_birch"].status is PaymentStatus.CANCELLED
    assert [w["payment_id"] for w in svc.get_run(run.id).redated["withdrawn"]] == [paid["inv_birch"].id]
    assert {paid[k].status for k in ("inv_cedar", "inv_dogwood")} == {PaymentStatus.SENT}
    assert container.ledger.verify().ok


def test_when_every_payment_is_withdrawn_the_run_closes_with_nothing_handed_over(container, tmp_path):
    svc, rail, run = _released_friday_run(container, tmp_path, invoices=(BIRCH, SATURDAY_DUE))
    container.clock.set(dt.datetime(2026, 11, 6, 15, 30, tzinfo=NEW_YORK))
    assert [o.result for o in svc.submit_released()] == ["withdrawn"]
    closed = svc.get_run(run.id)
    assert closed.status.value == "closed" and closed.submission_id is None
    assert {p.status for p in svc.payments_of_run(run.id)} == {PaymentStatus.CANCELLED}
    assert len(closed.redated["withdrawn"]) == 2 and closed.redated["payments"] == []
    assert list((tmp_path / "nacha").rglob("*.ach")) == []
    assert svc.submit_released() == []  # a second pass finds nothing to claim: no file, ever


def test_the_decision_is_made_once_when_claimed_and_a_recovery_later_sends_what_was_decided(container, tmp_path):
    svc, rail, run = _released_friday_run(container, tmp_path)

    class Killed(Exception):
        pass

    def die_after_claiming(name: str) -> None:
        if name == "after_claiming":
            raise Killed(name)

    svc.core.crash = die_after_claiming
    container.clock.set(dt.datetime(2026, 11, 6, 13, 30, tzinfo=NEW_YORK))  # settles Monday: only birch withdrawn
    try:
        svc.submit_released()
    except Killed:
        pass
    decided = svc.get_run(run.id).redated
    svc.core.crash = lambda _name: None
    # The recovery runs on Monday afternoon: priced now, the Saturday invoice would be late too; but the claim
    # already decided, and the pending submission is delivered as stored.
    container.clock.set(dt.datetime(2026, 11, 9, 15, 0, tzinfo=NEW_YORK))
    assert [o.result for o in svc.submit_released()] == ["accepted"]
    paid = _by_invoice(svc, run.id)
    assert {k: p.status for k, p in paid.items()} == {
        "inv_birch": PaymentStatus.CANCELLED, "inv_spruce": PaymentStatus.SENT, "inv_cedar": PaymentStatus.SENT,
        "inv_dogwood": PaymentStatus.SENT}
    assert {p.effective_date for p in paid.values() if p.status is PaymentStatus.SENT} == {MONDAY}
    assert svc.get_run(run.id).redated == decided
    with container.uow(read_only=True) as uow:
        assert [e["payload"]["payment_id"] for e in uow.payments.outbox("payment.withdrawn")] == [paid["inv_birch"].id]
        assert len(uow.payments.outbox("payment_run.redated")) == 1
    assert container.ledger.verify().ok


def test_an_ap_invoice_in_a_run_left_released_for_five_weeks_is_withdrawn_and_paid_with_its_interest(container):
    """The same decision over the real AP tables: the claim reads the invoice's due date and terms from them."""
    import main

    from tests.integration.ap_story import APPROVER, ap, approved_po, budget, inv_line, invoice, receive, vendor
    from tests.payment_fakes import MemoryRail

    s = ap(container)
    acme = vendor(s)
    budget(s)
    po = approved_po(s, acme)
    receive(s, po, (1, 10, 10))
    chairs = invoice(s, acme, inv_line(1, po, 10)).invoice.id  # $1,200, due Saturday 7 November
    s.approvals.approve(APPROVER, chairs)
    svc = main.wire_payments(container, accounts=FakeAccounts(), rails=lambda _name: MemoryRail(name="nacha"))
    run = svc.create_run(run_date=dt.date(2026, 11, 5)).run
    (stale,) = svc.payments_of_run(run.id)
    assert (stale.effective_date, stale.amount_minor) == (FRIDAY, 120_000)
    svc.release(TREASURER, run.id)

    # Submitted on Monday 14 December at 10:00: the file settles Tuesday the 15th, 38 days after the due date.
    container.clock.set(dt.datetime(2026, 12, 14, 10, 0, tzinfo=NEW_YORK))
    assert [o.result for o in svc.submit_released()] == ["withdrawn"]
    withdrawn = svc.get_payment(stale.id)
    assert withdrawn.status is PaymentStatus.CANCELLED
    assert "prompt-pay interest 0.00 USD priced for 2026-11-06" in withdrawn.status_reason
    assert svc.get_run(run.id).redated["to"] == "2026-12-15"

    (repriced,) = svc.payments_of_run(svc.create_run().run.id)
    (item,) = repriced.items
    assert (item.invoice_id, repriced.effective_date) == (chairs, dt.date(2026, 12, 15))
    # 38 days late at the 4.5% rate in effect on 8 November: one 30-day period compounded, then 8 days simple:
    # $1,200 x ((1 + 4.5%/12) x (1 + 4.5%/360 x 8) - 1) = $5.70.
    assert (item.interest_minor, repriced.amount_minor) == (570, 120_570)
    assert "5.70 USD settling 2026-12-15 (due 2026-11-07)" in withdrawn.status_reason
    assert container.ledger.verify().ok
