"""The sandbox bank: settles after its business days, returns and NOCs on request, real files back."""

import datetime as dt
from dataclasses import replace

import pytest
import xmlschema
from bai2 import bai2

from adapters.clock import FixedClock
from adapters.rails.nacha.rail import NachaRail
from adapters.formats.nacha.reader import read
from adapters.rails.sandbox import SandboxBank
from payments.disbursements.rails import RailOutcome, RailRejected
from tests.corpus import corpus_dir
from tests.unit.rails.test_nacha_rail import EXAMPLES, ORIGINATOR


@pytest.fixture
def bank_and_rail(tmp_path):
    clock = FixedClock(dt.datetime(2026, 11, 2, 15, tzinfo=dt.timezone.utc))
    bank = SandboxBank(tmp_path / "bank", clock=clock, settle_days=1)
    rail = NachaRail(ORIGINATOR, tmp_path / "out", transport=bank, name="sandbox")
    return clock, bank, rail


def test_entries_settle_one_business_day_after_their_effective_date(bank_and_rail):
    clock, bank, rail = bank_and_rail
    receipt = rail.submit(EXAMPLES["ctx_six_invoices"])  # effective Tuesday 3 November
    assert {s.outcome for s in rail.status(receipt)} == {RailOutcome.ACCEPTED}
    clock.set(dt.datetime(2026, 11, 4, 15, tzinfo=dt.timezone.utc))
    assert {s.outcome for s in rail.status(receipt)} == {RailOutcome.SETTLED}
    assert rail.lookup(receipt.submission_id).reference == receipt.reference


def test_a_chosen_return_and_a_noc_come_back_as_a_real_nacha_file(bank_and_rail):
    clock, bank, rail = bank_and_rail
    rail.submit(EXAMPLES["ccd_plain_and_prenote"])
    paving, prenote = sorted(bank.entries(), key=lambda e: e.original.amount_cents, reverse=True)
    bank.return_entry(paving.original.trace_number, "R02")
    bank.notify_change(prenote.original.trace_number, "C01", "1234567890")
    data = bank.returns_file()
    result = read(data, strict=True)
    assert result.ok, result.problems
    assert [(r.reason_code, r.original_trace, r.amount_cents) for r in result.returns] == [
        ("R02", paving.original.trace_number, 98_000)]
    assert [(c.change_code, c.original_trace) for c in result.changes] == [("C01", prenote.original.trace_number)]
    assert bank.returns_file() is None  # each return is sent once


def test_statements_balance_and_read_back(bank_and_rail):
    clock, bank, rail = bank_and_rail
    rail.submit(EXAMPLES["ctx_six_invoices"])
    rail.submit(replace(EXAMPLES["ppd_individual"], submission_id="sub_01JD8Z3K4M5N6P7Q8R9S0TCCCC"))
    settle_day = dt.date(2026, 11, 4)
    text = bank.bai2(settle_day)
    parsed = bai2.parse_from_string(text, check_integrity=True)
    account = parsed.children[0].children[0]
    amounts = sorted(t.amount for t in account.children)
    assert amounts == sorted([EXAMPLES["ctx_six_invoices"].total_minor, 4_250])
    assert {t.type_code.code for t in account.children} == {"466"}
    xsd = corpus_dir("xsd") / "camt.053.001.02.xsd"
    xmlschema.XMLSchema(str(xsd)).validate(bank.camt053(settle_day).decode())


def test_the_bank_refuses_a_file_its_reader_faults(bank_and_rail):
    _clock, bank, _rail = bank_and_rail
    with pytest.raises(RailRejected):
        bank.deliver("junk.ach", b"101 not a nacha file\n")
