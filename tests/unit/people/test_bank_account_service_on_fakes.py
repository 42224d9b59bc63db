"""A vendor's new bank account from request to first payment, through the real ``BankAccountService`` on the
in-memory fakes of ``IdentityUnitOfWork`` (tests/people_fakes.py): no database anywhere.

Acme Paving asks on the portal to be paid into a new checking account. An AP approver calls Acme back on the
phone on file (not one the request supplied), a treasurer approves, the change cools off for ten days while Acme's
contact is told, the prenote goes out, and three quiet days later the account is where Acme is paid.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from adapters.clock import FixedClock
from adapters.keys.field_cipher import AesGcmFieldCipher
from ledger.verify import verify_journal
from payments.ap.documents import VendorStatus
from payments.audit import AuditTrail
from payments.errors import CodedError
from payments.identity import Principal, Role
from payments.notices import NoticeKind
from payments.people.bank_account_records import AccountStatus
from payments.people.bank_account_service import BankAccountService
from payments.people.bank_accounts import BankChangePolicy, BankChangeStatus
from tests.kernel_fakes import MemoryKeyVault
from tests.people_fakes import InMemoryIdentityDatabase, as_identity_uow_factory

ROOT = Path(__file__).resolve().parents[3]
MONDAY = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
ACME = "ven_acme"
PHONE_ON_FILE = "(555) 010-2000"

vera = Principal.staff("usr_vera", Role.VENDOR_ADMIN)  # keeps the vendor master; may request, call back, approve
cal = Principal.staff("usr_cal", Role.AP_APPROVER)  # may call vendors back
tess = Principal.staff("usr_tess", Role.TREASURER)  # may approve a bank change
acme = Principal.vendor_user("usr_acme", ACME)


@pytest.fixture
def world(tmp_path: Path) -> tuple[InMemoryIdentityDatabase, BankAccountService, FixedClock, AuditTrail]:
    db, clock = InMemoryIdentityDatabase(), FixedClock(MONDAY)
    db.committed.vendors.add(ACME, VendorStatus.ACTIVE)
    factory = as_identity_uow_factory(db)
    audit = AuditTrail(factory, MemoryKeyVault(), clock)
    service = BankAccountService(factory, audit, AesGcmFieldCipher.open(tmp_path / "keys"), clock,
                                 BankChangePolicy(cooling_off_days=10, prenote_wait_days=3))
    service.set_contact(vera, ACME, phone=PHONE_ON_FILE, email="ap@acme.example", name="Dana Ortiz")
    return db, service, clock, audit


def test_a_new_account_is_called_back_approved_cooled_off_prenoted_and_then_paid(world):
    db, service, clock, audit = world
    change = service.request_change(acme, ACME, routing_number="231380104", account_number="0012 3456 789",
                                    account_type="checking").change
    account_id = service.get_change(vera, change.change_id).bank_account_id
    assert (change.status, change.account_mask, change.phone_on_file) == (
        BankChangeStatus.REQUESTED, "****6789", PHONE_ON_FILE)
    assert [a.status for a in service.list_accounts(acme)] == [AccountStatus.PENDING]
    with db(read_only=True) as uow:
        assert service.payment_holds(uow, ACME) == ["bank_account_unverified"]

    service.record_callback(cal, change.change_id, number_called="555-010-2000", outcome="confirmed",
                            note="Dana confirmed the new account")
    approved = service.approve(tess, change.change_id).change
    assert approved.status is BankChangeStatus.COOLING_OFF
    assert approved.cooling_off_until == MONDAY + timedelta(days=10)
    (notice,) = db.committed.outbox.messages
    assert (notice.kind, notice.recipient, notice.vendor_id) == (
        NoticeKind.BANK_DETAILS_CHANGED, "ap@acme.example", ACME)

    clock.set(MONDAY + timedelta(days=9, hours=23))
    with pytest.raises(CodedError) as early:
        service.prenote_sent("system", change.change_id)
    assert early.value.code == "bank_change_cooling_off"

    clock.set(MONDAY + timedelta(days=10))
    assert service.prenote_sent("system", change.change_id).change.status is BankChangeStatus.PRENOTE_PENDING
    clock.set(MONDAY + timedelta(days=12, hours=23))
    assert service.activate_cleared() == []  # the prenote could still come back
    clock.set(MONDAY + timedelta(days=13))
    (active,) = service.activate_cleared()

    assert active.change.status is BankChangeStatus.ACTIVE
    (account,) = service.list_accounts(vera, ACME)
    assert (account.account_id, account.status, account.activated_at) == (
        account_id, AccountStatus.ACTIVE, MONDAY + timedelta(days=13))
    with db(read_only=True) as uow:
        assert service.payment_holds(uow, ACME) == []
    assert service.reveal(vera, account_id, reason="Acme asked which account we pay")[1] == "00123456789"

    events = [e.action for e in audit.search(object_id=change.change_id)]
    assert events == ["bank_change_requested", "bank_change_callback_recorded", "bank_change_approved",
                      "bank_change_prenote_sent", "bank_change_activated"]
    with db(read_only=True) as uow:
        keys = {k.key_id: k for k in uow.audit.keys()}
        assert verify_journal(uow.audit.iter_entries(), keys, workers=1).ok


def test_the_person_who_asked_for_a_change_cannot_approve_it_and_nothing_is_written(world):
    db, service, _, audit = world
    change_id = service.request_change(vera, ACME, routing_number="231380104", account_number="555000111",
                                       account_type="savings").change.change_id
    service.record_callback(cal, change_id, number_called=PHONE_ON_FILE, outcome="confirmed")
    commits, audited = db.commits, len(audit.search())

    with pytest.raises(CodedError) as refused:
        service.approve(vera, change_id)

    assert refused.value.code == "self_approval_forbidden"
    assert service.get_change(tess, change_id).change.status is BankChangeStatus.CALLBACK_RECORDED
    assert (db.commits, len(audit.search()), db.committed.outbox.messages) == (commits, audited, [])
    assert service.approve(tess, change_id).change.approved_by == "usr_tess"  # a second person may


def test_a_unit_of_work_that_does_not_commit_leaves_nothing_behind(world):
    db, service, _, _ = world
    with pytest.raises(CodedError) as bad:  # the check digit is wrong: refused before anything is stored
        service.request_change(acme, ACME, routing_number="231380105", account_number="123456789",
                               account_type="checking")
    assert bad.value.code == "routing_number_invalid"
    assert service.list_changes(vera, vendor_id=ACME) == [] and service.list_accounts(vera, ACME) == []

    contact = service.get_contact(vera, ACME)
    with db() as uow:
        uow.vendor_contacts.put(contact.__class__(ACME, "555-999-0000", None, None, MONDAY, "usr_mallory"))
        assert uow.vendor_contacts.get(ACME).phone == "555-999-0000"  # seen inside its own unit of work only
        with db(read_only=True) as other:
            assert other.vendor_contacts.get(ACME).phone == PHONE_ON_FILE
    assert service.get_contact(vera, ACME).phone == PHONE_ON_FILE  # never committed, so never happened


def test_mypy_accepts_the_fakes_as_the_ports_they_stand_for():
    # InMemoryIdentityUnitOfWork declares each repository as its Protocol and people_fakes returns the database as
    # UowFactory[IdentityUnitOfWork]; recon_fakes returns its repository as ReconRepository; ap_fakes declares its
    # unit of work's repositories as AP's ports: a fake missing a method, or with a different signature, fails here.
    cache = Path(tempfile.gettempdir()) / "disburse-mypy-cache"
    result = subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", str(cache), "--follow-imports=silent",
                             "tests/people_fakes.py", "tests/kernel_fakes.py", "tests/recon_fakes.py",
                             "tests/ap_fakes.py"],
                            cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-4000:]
