"""A same-day run end to end on SQLite and PostgreSQL: planned at 10:00 in New York on Monday 2 November 2026,
sent through the NACHA rail, dated and posted for the day each payment really settles."""

import datetime as dt

import pytest

from adapters.rails.nacha.rail import NachaOriginator, NachaRail
from adapters.rails.nacha.reader import read
from config.policy import load_policy
from payments.identity import Principal, Role
from payments.payment_runs import PayableInvoice, SameDayUnavailable
from payments.payment_submission import PaymentService
from tests.payment_fakes import FakeAccounts, FakePayables, policy

TREASURER = Principal("usr_tina", frozenset({Role.TREASURER}))
MONDAY, TUESDAY = dt.date(2026, 11, 2), dt.date(2026, 11, 3)


def service(container, tmp_path, *, same_day: bool):  # noqa: ANN001, ANN202
    rail = NachaRail(NachaOriginator({**load_policy()["nacha"], "same_day": same_day, "same_day_cutoff": "13:00"}),
                     tmp_path / "nacha")
    bills = FakePayables([PayableInvoice("inv_birch", "ven_birch", "B-1", "USD", 30_000_000, dt.date(2026, 11, 4)),
                          PayableInvoice("inv_granite", "ven_granite", "G-1", "USD", 120_000_000,
                                         dt.date(2026, 11, 4))])
    svc = PaymentService(container.uow, vault=container.vault, clock=container.clock, policy=policy(),
                         invoices=bills, accounts=FakeAccounts(), rails=lambda _name: rail, default_rail="nacha")
    return svc, rail


def test_a_same_day_run_settles_today_except_the_payment_over_the_limit(container, tmp_path):
    svc, rail = service(container, tmp_path, same_day=True)
    run = svc.create_run(same_day=True, created_by="usr_sam").run
    assert run.same_day and run.effective_date == MONDAY
    by_vendor = {p.vendor_id: p for p in svc.payments_of_run(run.id)}
    assert (by_vendor["ven_birch"].same_day, by_vendor["ven_birch"].effective_date) == (True, MONDAY)
    assert (by_vendor["ven_granite"].same_day, by_vendor["ven_granite"].effective_date) == (False, TUESDAY)
    svc.release(TREASURER, run.id)
    svc.release(Principal("usr_ray", frozenset({Role.TREASURER})), run.id)  # $1.5M: above the dual threshold
    assert [o.result for o in svc.submit_released()] == ["accepted"]
    data = rail.transport.read(f"{svc.get_run(run.id).submission_id}.ach")
    batches = read(data, strict=True).batches
    assert [(b.effective_date, b.header.company_descriptive_date) for b in batches] == \
        [(MONDAY, "SD1700"), (TUESDAY, "NOV 03")]
    with container.uow(read_only=True) as uow:
        sent = {e.draft.references["payment_id"]: e.draft.effective_date
                for e in uow.ledger_queries.list_entries(code="payment_sent")}
    assert sent == {by_vendor["ven_birch"].id: MONDAY, by_vendor["ven_granite"].id: TUESDAY}
    assert container.ledger.verify().ok


def test_an_ordinary_run_is_dated_the_next_business_day_and_same_day_is_refused_without_the_service(
        container, tmp_path):
    svc, _ = service(container, tmp_path, same_day=False)
    with pytest.raises(SameDayUnavailable):
        svc.create_run(same_day=True)
    run = svc.create_run().run
    assert not run.same_day and run.effective_date == TUESDAY
    assert {p.effective_date for p in svc.payments_of_run(run.id)} == {TUESDAY}
