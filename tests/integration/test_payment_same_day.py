"""A same-day run end to end on SQLite and PostgreSQL: planned at 10:00 in New York on Monday 2 November 2026,
sent through the NACHA rail, dated and posted for the day each payment really settles."""

import datetime as dt

import pytest

from adapters.rails.nacha.rail import NachaOriginator, NachaRail
from adapters.formats.nacha.reader import read
from config.policy import load_policy
from payments.identity import Principal, Role
from payments.disbursements.ach_dates import SameDayUnavailable
from payments.disbursements.payment_runs import PayableInvoice
from payments.disbursements.payment_service import PaymentService
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


NEW_YORK = dt.timezone(dt.timedelta(hours=-5))  # EST: 2 November 2026 is after the clocks went back


def _released_same_day_run(container, tmp_path, crash=lambda _name: None):  # noqa: ANN001, ANN202
    """Planned at 10:00 for same-day settlement and released by two treasurers ($1.5M)."""
    svc, rail = service(container, tmp_path, same_day=True)
    rail._crash = crash
    run = svc.create_run(same_day=True, created_by="usr_sam").run
    svc.release(TREASURER, run.id)
    svc.release(Principal("usr_ray", frozenset({Role.TREASURER})), run.id)
    return svc, rail, run


def test_a_same_day_run_released_before_the_cut_off_still_goes_out_same_day(container, tmp_path):
    svc, rail, run = _released_same_day_run(container, tmp_path)
    container.clock.set(dt.datetime(2026, 11, 2, 12, 59, tzinfo=NEW_YORK))  # a minute to spare
    assert [o.result for o in svc.submit_released()] == ["accepted"]
    assert svc.get_run(run.id).redated is None and svc.get_run(run.id).same_day
    data = rail.transport.read(f"{svc.get_run(run.id).submission_id}.ach")
    assert [(b.effective_date, b.header.company_descriptive_date) for b in read(data, strict=True).batches] == \
        [(MONDAY, "SD1700"), (TUESDAY, "NOV 03")]


def test_a_same_day_run_submitted_after_the_cut_off_goes_out_as_next_day_ach_and_says_why(container, tmp_path):
    class Killed(Exception):
        pass

    crashes = ["after_writing_file"]

    def crash(name: str) -> None:
        if name in crashes:
            crashes.remove(name)
            raise Killed(name)

    svc, rail, run = _released_same_day_run(container, tmp_path, crash)
    container.clock.set(dt.datetime(2026, 11, 2, 13, 30, tzinfo=NEW_YORK))  # the 13:00 same-day cut-off has passed
    with pytest.raises(Killed):  # the process dies right after writing the file, before handing it over
        svc.submit_released()
    redated = svc.get_run(run.id)
    assert (redated.same_day, redated.effective_date) == (False, TUESDAY)
    assert redated.redated["code"] == "same_day_cutoff_passed"
    assert "it is 13:30, past the 13:00 same-day cut-off" in redated.redated["reason"]
    by_vendor = {p.vendor_id: p for p in svc.payments_of_run(run.id)}
    assert {(p.effective_date, p.same_day) for p in by_vendor.values()} == {(TUESDAY, False)}
    assert [m["payment_id"] for m in redated.redated["payments"]] == [by_vendor["ven_birch"].id]  # granite was
    written = (tmp_path / "nacha" / "pending" / f"{redated.submission_id}.ach").read_bytes()  # already next-day
    traces = {p.id: p.trace_number for p in by_vendor.values()}

    container.clock.set(dt.datetime(2026, 11, 2, 15, 45, tzinfo=NEW_YORK))  # recovery, later still
    assert [o.result for o in svc.submit_released()] == ["accepted"]
    sent = rail.transport.read(f"{redated.submission_id}.ach")
    assert sent == written  # the file written before the crash, byte for byte: no second decision
    assert [(b.effective_date, b.header.company_descriptive_date) for b in read(sent, strict=True).batches] == \
        [(TUESDAY, "NOV 03")]
    assert {p.id: p.trace_number for p in svc.payments_of_run(run.id)} == traces
    assert svc.get_run(run.id).redated == redated.redated
    with container.uow(read_only=True) as uow:
        events = uow.payments.outbox("payment_run.redated")
        sent_on = {e.draft.effective_date for e in uow.ledger_queries.list_entries(code="payment_sent")}
    assert len(events) == 1 and events[0]["payload"]["to"] == "2026-11-03" and sent_on == {TUESDAY}
    assert container.ledger.verify().ok
