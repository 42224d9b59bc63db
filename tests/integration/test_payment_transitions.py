"""One table drives every run and payment transition (issue 11, defect 10), on SQLite and PostgreSQL.

Before the fix ``RUN_TRANSITIONS`` / ``PAYMENT_TRANSITIONS`` were documentation: the guards were hand-written
``(expected, target)`` pairs at each call site, and two of them disagreed with the tables. Now each move is a named
step; the store's guarded ``UPDATE ... WHERE status IN (:sources)`` reads its states from the table, and a caller's
narrower ``expected`` outside the table is refused before any SQL runs.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update

from adapters.db.disbursements.payment_tables import payment_runs, payments
from payments.disbursements.payment_rules import (PAYMENT_TRANSITIONS, RUN_TRANSITIONS, IllegalTransition, PaymentStep,
                                                  RunStep)
from payments.disbursements.payment_runs import PayableInvoice
from payments.disbursements.payment_states import PaymentStatus, RunStatus
from payments.disbursements.payment_service import PaymentService
from payments.identity import Principal, Role
from tests.payment_fakes import FakeAccounts, FakePayables, MemoryRail, policy

TREASURER = Principal("usr_tina", frozenset({Role.TREASURER}))


def service(container) -> tuple[PaymentService, MemoryRail]:  # noqa: ANN001
    rail = MemoryRail()
    invoices = FakePayables([PayableInvoice("inv_0001", "ven_A", "INV-1", "USD", 125_000, dt.date(2026, 11, 4),
                                            approver_ids=frozenset({"usr_ann"}))])
    return PaymentService(container.uow, vault=container.vault, clock=container.clock, policy=policy(),
                          invoices=invoices, accounts=FakeAccounts(), rails=lambda _name: rail,
                          default_rail="memory"), rail


def test_an_illegal_transition_is_refused_a_sent_run_cannot_be_cancelled_or_released_again(container):
    svc, rail = service(container)
    run = svc.create_run().run
    svc.release(TREASURER, run.id)
    assert [o.result for o in svc.submit_released()] == ["accepted"]
    for attempt, step in ((lambda: svc.cancel(TREASURER, run.id, reason="withdrawn in a test"), "cancelled"),
                          (lambda: svc.release(TREASURER, run.id), "released")):
        with pytest.raises(IllegalTransition) as refused:
            attempt()
        assert (refused.value.code, refused.value.details["current"], refused.value.details["target"]) == (
            "illegal_transition", "sent", step)
    assert svc.get_run(run.id).status is RunStatus.SENT and rail.submits == 1
    (payment,) = svc.payments_of_run(run.id)
    assert payment.status is PaymentStatus.SENT


def test_a_callers_expected_state_outside_the_table_is_refused_before_any_update(container):
    svc, _ = service(container)
    run = svc.create_run().run
    (payment,) = svc.payments_of_run(run.id)
    with container.uow() as uow, pytest.raises(IllegalTransition):
        uow.payments.transition_payments([payment.id], PaymentStep.SETTLE, expected=PaymentStatus.SCHEDULED,
                                         at=container.clock.now())
    with container.uow() as uow, pytest.raises(IllegalTransition):
        uow.payments.transition_run(run.id, RunStep.FINISH, expected=RunStatus.DRAFT, at=container.clock.now())
    assert svc.get_payment(payment.id).status is PaymentStatus.SCHEDULED


@pytest.mark.parametrize("step", list(PaymentStep))
def test_each_payment_step_moves_exactly_the_states_its_table_row_names(container, step):
    svc, _ = service(container)
    run = svc.create_run().run
    (payment,) = svc.payments_of_run(run.id)
    move = PAYMENT_TRANSITIONS[step]
    for status in PaymentStatus:
        with container.uow() as uow:
            uow.conn.execute(update(payments).where(payments.c.id == payment.id).values(status=status.value))
            moved = uow.payments.transition_payments([payment.id], step, at=container.clock.now())
            after = uow.payments.get_payment(payment.id).status
            uow.rollback()
        assert (moved, after) == ((1, move.target) if status in move.sources else (0, status)), status


@pytest.mark.parametrize("step", list(RunStep))
def test_each_run_step_moves_exactly_the_states_its_table_row_names(container, step):
    svc, _ = service(container)
    run = svc.create_run().run
    move = RUN_TRANSITIONS[step]
    for status in RunStatus:
        with container.uow() as uow:
            uow.conn.execute(update(payment_runs).where(payment_runs.c.id == run.id).values(status=status.value))
            moved = uow.payments.transition_run(run.id, step, at=container.clock.now())
            after = uow.payments.get_run(run.id).status
            uow.rollback()
        assert (moved, after) == ((True, move.target) if status in move.sources else (False, status)), status
