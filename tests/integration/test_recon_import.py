"""Importing bank files end to end on SQLite and PostgreSQL: statements settle payments, returns come back,
NOCs become proposals, and nothing is ever posted twice."""

from __future__ import annotations

import datetime as dt

import pytest

from payments.reconciliation.recon_records import ExceptionKind, ExceptionStatus
from payments.reconciliation.statements import FormatError
from tests.unit.reconciliation.nacha_files import returns_file
from tests.unit.reconciliation.statement_files import bai2

from .recon_support import FakeBankAccounts, FakeInvoices, pid, recon_service, seed_payments, trace

WED = dt.date(2026, 9, 23)


def _entries(container, code=None) -> list:  # noqa: ANN001
    with container.uow(read_only=True) as uow:
        return uow.ledger_queries.list_entries(limit=10_000, code=code)


def _statement(file_id: str = "STMT1") -> bytes:
    return bai2([("466", 746999, "ACH20260923CCD", "run_1", "ACH SETTLEMENT CCD 2 ITEMS"),
                 ("466", 125000, "ACH20260923PPD", trace(3), "ACH SETTLEMENT"),
                 ("469", 2500, "SVC0923", "", "ACCOUNT SERVICE CHARGE")], file_id=file_id, opening=100_000_000)


@pytest.fixture
def city(container):  # noqa: ANN001, ANN201
    seed_payments(container, "run_1", [("redwood", 745000, 1), ("acme", 1999, 2)])
    seed_payments(container, "run_2", [("blue", 125000, 3)])
    return container


def test_a_statement_settles_a_whole_batch_and_a_single_payment_and_flags_the_fee(city):
    service = recon_service(city)
    result = service.import_file(_statement())
    assert (result.lines_new, result.lines_matched, result.payments_settled) == (3, 2, 3)
    assert result.methods == {"batch_reference": 1, "trace": 1}
    assert result.exceptions_opened == 1
    [settled] = _entries(city, "payment_settled")
    legs = {(p.account, p.direction.value): p.amount_minor for p in settled.draft.postings}
    assert legs == {("100-1050", "debit"): 871999, ("100-1010", "credit"): 871999}
    assert settled.draft.data["payments"] == 3 and settled.draft.data["lines"] == 2
    with city.uow(read_only=True) as uow:
        assert {p.status.value for p in uow.payments.list_payments(limit=10)} == {"settled"}
        [fee] = uow.recon.list_exceptions(status=ExceptionStatus.OPEN)
    assert (fee.kind, fee.amount_minor) == (ExceptionKind.UNMATCHED_LINE, -2500)


def test_the_same_file_twice_posts_nothing_twice_and_an_overlapping_file_skips_known_lines(city):
    service = recon_service(city)
    first = service.import_file(_statement())
    entries = len(_entries(city))
    again = service.import_file(_statement())
    assert again.duplicate_file and again.file_id == first.file_id
    resent = service.import_file(_statement(file_id="STMT1-RESENT"))  # other bytes, the same bank entries
    assert not resent.duplicate_file
    assert (resent.lines_new, resent.lines_already_imported, resent.payments_settled) == (0, 3, 0)
    assert len(_entries(city)) == entries


def test_a_dry_run_says_what_would_happen_and_writes_nothing(city):
    service = recon_service(city)
    preview = service.import_file(_statement(), dry_run=True)
    assert preview.dry_run and preview.payments_settled == 3
    assert _entries(city, "payment_settled") == []
    assert not service.import_file(_statement()).duplicate_file


def test_a_corrupted_statement_is_rejected_whole(city):
    data = _statement().replace(b"16,466,125000", b"16,466,12X000")
    with pytest.raises(FormatError) as caught:
        recon_service(city).import_file(data)
    assert caught.value.location
    with city.uow(read_only=True) as uow:
        assert uow.recon.open_lines() == [] and uow.recon.list_exceptions() == []
    assert _entries(city, "payment_settled") == []


def test_a_return_after_settlement_posts_to_cash_blocks_the_account_and_reopens_the_invoice(city):
    invoices, banks = FakeInvoices(), FakeBankAccounts()
    service = recon_service(city, invoices=invoices, bank_accounts=banks)
    service.import_file(_statement())
    result = service.import_file(returns_file([(1, 745000, "R02")]))
    assert (result.returns_posted, result.accounts_blocked) == (1, 1)
    [entry] = _entries(city, "payment_returned")
    assert {(p.account, p.direction.value) for p in entry.draft.postings} == {("100-1010", "debit"),
                                                                           ("100-2010", "credit")}
    assert invoices.reopened == [(f"inv_{pid('redwood')}", "R02", invoices.reopened[0][2])]
    assert "closed" in invoices.reopened[0][2]
    assert banks.blocked == [(f"ven_{pid('redwood')}", f"bac_{pid('redwood')}", "R02")]
    with city.uow(read_only=True) as uow:
        assert uow.payments.get_payment(pid("redwood")).status.value == "returned"
    assert service.import_file(returns_file([(1, 745000, "R02")])).duplicate_file


def test_a_return_before_settlement_clears_in_transit_and_the_later_batch_debit_posts_only_the_rest(city):
    service = recon_service(city, invoices=FakeInvoices(), bank_accounts=FakeBankAccounts())
    service.import_file(returns_file([(2, 1999, "R03")]))
    [entry] = _entries(city, "payment_returned")
    assert ("100-1050", "debit") in {(p.account, p.direction.value) for p in entry.draft.postings}
    result = service.import_file(_statement())
    assert (result.payments_settled, result.payments_confirmed) == (2, 1)
    [settled] = _entries(city, "payment_settled")
    assert settled.draft.postings[0].amount_minor == 745000 + 125000


def test_a_return_for_a_trace_we_never_sent_goes_to_a_person(city):
    result = recon_service(city).import_file(returns_file([(99, 100, "R01")]))
    assert (result.returns_posted, result.exceptions_opened) == (0, 1)
    with city.uow(read_only=True) as uow:
        [exc] = uow.recon.list_exceptions()
    assert exc.kind is ExceptionKind.RETURN_UNMATCHED


def test_a_payment_of_invoices_from_two_funds_settles_in_each_fund(container):
    from payments.disbursements.payment_records import PaymentItemRecord, PaymentRecord, PaymentRunRecord
    from payments.disbursements.payment_states import PaymentKind, PaymentStatus, RunStatus
    from payments.disbursements.rails import RailSec

    now = dt.datetime(2026, 9, 22, 15, tzinfo=dt.timezone.utc)
    payment = PaymentRecord(
        id=pid("paving"), run_id="run_9", vendor_id="ven_paving", account_id="bac_paving", payee_name="Paving",
        currency="USD", amount_minor=150000, kind=PaymentKind.LIVE, sec_code=RailSec.CCD, status=PaymentStatus.SENT,
        effective_date=now.date(), created_at=now, trace_number=trace(9),
        items=(PaymentItemRecord("inv_general", "G-1", 50000, fund="100"),
               PaymentItemRecord("inv_capital", "C-1", 100000, fund="400")))
    with container.uow() as uow:
        uow.payments.add_run(PaymentRunRecord("run_9", now.date(), now.date(), RunStatus.SENT, "USD", "nacha", now,
                                              "usr_clerk", 150000, 1), [payment])
        uow.commit()
    result = recon_service(container).import_file(bai2([("466", 150000, "ACH9", trace(9), "ACH")]))
    assert result.payments_settled == 1
    entries = _entries(container, "payment_settled")
    legs = {(p.account, p.direction.value): p.amount_minor for e in entries for p in e.draft.postings}
    assert legs == {("100-1050", "debit"): 50000, ("100-1010", "credit"): 50000,
                    ("400-1050", "debit"): 100000, ("400-1010", "credit"): 100000}


def test_a_noc_becomes_a_proposal_in_the_quarantine_and_only_its_mask_is_stored(city):
    from adapters.formats.nacha import CorrectedData
    from tests.unit.reconciliation.nacha_files import noc_file

    banks = FakeBankAccounts()
    service = recon_service(city, bank_accounts=banks)
    result = service.import_file(noc_file([(3, "C01", CorrectedData(account_number="4400019922"))]))
    assert result.changes_proposed == 1
    [(vendor, code, corrected)] = banks.proposed
    assert (vendor, code, corrected.account_number) == (f"ven_{pid('blue')}", "C01", "4400019922")
    with city.uow(read_only=True) as uow:
        [stored] = uow.recon.changes_between(dt.date(2026, 1, 1), dt.date(2027, 1, 1))
    assert stored.state == "proposed" and stored.corrected["account_mask"] == "****9922"
    assert "4400019922" not in str(stored.corrected)
    assert service.import_file(noc_file([(3, "C01", CorrectedData(account_number="4400019922"))])).duplicate_file


def test_an_account_level_return_blocks_and_a_funds_return_does_not(city):
    banks = FakeBankAccounts()
    service = recon_service(city, bank_accounts=banks, invoices=FakeInvoices())
    service.import_file(returns_file([(3, 125000, "R01"), (1, 745000, "R16")]))
    assert [code for _, _, code in banks.blocked] == ["R16"]


def test_a_bank_entry_twice_in_one_file_is_flagged_once_even_when_the_file_is_sent_again(city):
    lines = [("466", 125000, "ACH20260923PPD", trace(3), "ACH"), ("466", 125000, "ACH20260923PPD", trace(3), "ACH")]
    service = recon_service(city)
    first = service.import_file(bai2(lines))
    assert (first.duplicate_lines, first.payments_settled, first.exceptions_opened) == (1, 1, 1)
    resent = service.import_file(bai2(lines, file_id="RESENT"))
    assert (resent.lines_new, resent.lines_already_imported, resent.exceptions_opened) == (0, 2, 0)
