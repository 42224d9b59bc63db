"""Writing off an unexplained statement line takes two people, through the real ``ReconExceptions`` on the
in-memory ``ReconRepository`` (tests/recon_fakes.py): no database.

The city's operating account shows a $12.50 bank fee nobody booked. A treasurer asks to write it off; the same
treasurer cannot approve it; a second one does, and the ledger gets a signed ``write_off`` entry that brings the
books to the bank: the fee is an expenditure, cash goes down.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from adapters.clock import FixedClock
from ledger.accounts import fund_chart
from ledger.journal import Journal
from ledger.verify import verify_journal
from payments.audit import AuditTrail
from payments.errors import CodedError
from payments.identity import Principal, Role
from payments.reconciliation.recon_exceptions_service import ReconExceptions
from payments.reconciliation.recon_records import ExceptionKind, ExceptionStatus
from payments.reconciliation.recon_rows import ExceptionRecord, LineState, StoredLine
from tests.fakes import InMemoryJournalStore
from tests.kernel_fakes import MemoryKeyVault
from tests.recon_fakes import InMemoryReconDatabase

NOW = datetime(2026, 11, 4, 16, 0, tzinfo=UTC)
FEE_DAY = date(2026, 11, 3)
tess = Principal.staff("usr_tess", Role.TREASURER)
theo = Principal.staff("usr_theo", Role.TREASURER)


@pytest.fixture
def desk():
    clock, vault = FixedClock(NOW), MemoryKeyVault()
    ledger = InMemoryJournalStore(fund_chart("100", "General Fund"))
    Journal(ledger, vault.create("ledger"), clock).genesis()
    db = InMemoryReconDatabase(ledger)
    db.recon.add_lines([StoredLine("lin_fee", "acct_operating", "debit", 1250, "USD", FEE_DAY, kind="fee",
                                   state=LineState.EXCEPTED)])
    db.recon.add_exceptions([ExceptionRecord("rex_fee", "line:lin_fee", ExceptionKind.UNMATCHED_LINE,
                                             ExceptionStatus.OPEN, 1250, "USD", "bank fee, no payment", NOW,
                                             line_id="lin_fee")])
    service = ReconExceptions(db, vault, clock, default_fund="100", audit=AuditTrail(db, vault, clock))
    return db, service


def test_a_write_off_needs_a_second_person_and_then_posts_the_bank_fee(desk):
    db, service = desk
    service.request_write_off(tess, "rex_fee", reason="monthly account analysis fee")
    commits = db.commits

    with pytest.raises(CodedError) as refused:
        service.approve_write_off(tess, "rex_fee")
    assert refused.value.code == "self_approval_forbidden"
    assert (db.commits, db.recon.get_exception("rex_fee").status, len(db.ledger.rows)) == (
        commits, ExceptionStatus.OPEN, 1)  # only the genesis entry

    done = service.approve_write_off(theo, "rex_fee")
    assert (done.status, done.approved_by, done.write_off_requested_by) == (
        ExceptionStatus.WRITTEN_OFF, "usr_theo", "usr_tess")
    assert db.recon.get_line("lin_fee").state == LineState.WRITTEN_OFF
    assert db.recon.count_open_exceptions() == {}
    entry = db.ledger.rows[-1]
    assert (entry.id, entry.draft.code, entry.draft.effective_date) == (done.entry_id, "write_off", FEE_DAY)
    legs = {(p.account, p.direction.value, p.amount_minor) for p in entry.draft.postings}
    assert legs == {("100-5000", "debit", 1250), ("100-1010", "credit", 1250)}
    assert verify_journal(db.ledger.rows, {k.key_id: k for k in db.ledger.keys()}, workers=1).ok
    assert [e.draft.code for e in db.audit_index.search(object_id="rex_fee")] == [
        "recon_write_off_requested", "recon_write_off_approved"]

    with pytest.raises(CodedError) as again:
        service.approve_write_off(theo, "rex_fee")
    assert again.value.code == "recon_exception_not_open"
