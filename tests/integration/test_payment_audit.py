"""Every bank account number opened to write a payment file is in the signed audit trail, recorded and committed
before the number is decrypted, on SQLite and PostgreSQL. Birch and Granite are paid; Cedar's new account gets its
prenote in the same run."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

import main
from payments.identity import Principal, Role
from payments.disbursements.payment_runs import PayableInvoice, PayeeAccount
from payments.disbursements.payment_states import PayeeAccountStatus, PaymentKind
from payments.disbursements.rails import RailAccountType, RailBatch, RailSubmission
from tests.payment_fakes import FakeAccounts, FakePayables, MemoryRail

TREASURER = Principal("usr_tina", frozenset({Role.TREASURER}))
ACTION = "bank_account_used_for_payment"


class Killed(Exception):
    """The process dies while the rail is being handed the batch."""


@dataclass
class DyingRail(MemoryRail):
    deaths: int = 0

    def submit(self, batch: RailBatch) -> RailSubmission:
        if self.deaths:
            self.deaths -= 1
            raise Killed("SIGKILL while the numbers were in memory")
        return super().submit(batch)


def _service(container, rail):  # noqa: ANN001, ANN202
    bills = FakePayables([PayableInvoice("inv_birch", "ven_birch", "B-1", "USD", 30_000, dt.date(2026, 11, 4)),
                          PayableInvoice("inv_granite", "ven_granite", "G-1", "USD", 45_000, dt.date(2026, 11, 4))])
    accounts = FakeAccounts()
    accounts.awaiting.append(PayeeAccount("ba_ven_cedar", "ven_cedar", "CEDAR", "231380104", RailAccountType.CHECKING,
                                          PayeeAccountStatus.PENDING, prenote_due=True, change_id="chg_cedar"))
    return main.wire_payments(container, invoices=bills, accounts=accounts, rails=lambda _name: rail), accounts


def _events(container) -> list:  # noqa: ANN001
    return container.audit.search(action=ACTION, limit=1000)


def test_each_account_number_opened_for_a_run_is_an_audit_event_by_the_submitter(container, tmp_path, monkeypatch):
    rail = MemoryRail(name="nacha")
    svc, accounts = _service(container, rail)
    run = svc.create_run().run
    svc.release(TREASURER, run.id)
    assert _events(container) == []  # planning and releasing open no account number
    assert svc.submit_run(TREASURER, run.id).result == "accepted"
    payments = svc.payments_of_run(run.id)
    assert sorted(p.kind.value for p in payments) == ["live", "live", "prenote"]
    events = _events(container)
    submission = svc.get_run(run.id).submission_id
    assert sorted((e.object_id, e.detail["payment_id"], e.detail["submission_id"], e.actor) for e in events) == \
        sorted((p.account_id, p.id, submission, "usr_tina") for p in payments)
    assert {e.detail["kind"] for e in events if e.object_id == "ba_ven_cedar"} == {PaymentKind.PRENOTE.value}
    numbers = {accounts.account_number(p.account_id) for p in payments}
    assert not any(n in repr(e) for e in events for n in numbers)  # the trail names the account, never its number
    assert svc.submit_released() == [] and len(_events(container)) == 3  # a later pass opens nothing
    monkeypatch.setenv("DISBURSE_DATABASE_URL", container.settings.database_url)
    monkeypatch.setenv("DISBURSE_KEY_DIR", str(tmp_path / "keys"))
    assert main.cli(["audit", "verify"]) == 0


def test_a_crash_after_the_numbers_were_opened_still_leaves_the_record_and_a_retry_is_recorded_again(container):
    rail = DyingRail(name="nacha", deaths=1)
    svc, _ = _service(container, rail)
    run = svc.create_run().run
    svc.release(TREASURER, run.id)
    with pytest.raises(Killed):
        svc.submit_released()
    assert len(_events(container)) == 3 and {e.actor for e in _events(container)} == {"system"}
    assert [o.result for o in svc.submit_released()] == ["busy"]  # the dead attempt's lease still holds
    container.clock.advance(minutes=6)  # it runs out (a real SIGKILL frees it at once on this host: its pid is gone)
    assert [o.result for o in svc.submit_released()] == ["accepted"]  # the rail had nothing: built and opened again
    assert len(_events(container)) == 6
    assert svc.submit_released() == [] and len(_events(container)) == 6
    assert sorted(rail.payments_sent()) == sorted(p.id for p in svc.payments_of_run(run.id))  # sent once
    assert container.audit.verify().ok
