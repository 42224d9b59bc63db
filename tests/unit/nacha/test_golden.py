"""Golden files: the builder's output for fixed inputs is pinned byte for byte, and reads back clean."""

from __future__ import annotations

from datetime import date

import pytest

from adapters.formats.nacha import join_addenda_text, parse_rmr, read, write
from adapters.formats.nacha.remittance import ctx_segments, split_segments

from .golden import DATA_DIR, GOLDEN, ctx_remittance


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_regenerating_a_golden_file_gives_identical_bytes(name):
    assert write(GOLDEN[name]()) == (DATA_DIR / name).read_bytes(), (
        f"{name} changed; if intended, regenerate with: .venv/bin/python -m tests.unit.nacha.golden"
    )


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_golden_files_are_clean_in_strict_mode_and_well_formed(name):
    data = (DATA_DIR / name).read_bytes()
    result = read(data, strict=True)
    assert result.ok, result.problems
    assert result.warnings == []
    lines = data.split(b"\n")
    assert lines[-1] == b"" and b"\r" not in data
    assert all(len(line) == 94 for line in lines[:-1])
    assert (len(lines) - 1) % 10 == 0
    assert data == data.upper()


def test_ccd_credit_totals_and_hash_are_computed():
    result = read((DATA_DIR / "ccd_credit.ach").read_bytes())
    (batch,) = result.batches
    assert [e.amount_cents for e in batch.entries] == [1_250_000, 87_315, 4_999_999_999]
    assert result.summary()["credit_cents"] == 5_001_337_314
    # entry hash: 23138010 + 12104288 + 07100030 = 42342328
    assert batch.control.entry_hash == "0042342328"
    assert result.file_control.block_count == "000001"


def test_ccd_plus_carries_one_rmr_per_entry_naming_the_invoice():
    result = read((DATA_DIR / "ccd_plus_rmr.ach").read_bytes())
    (batch,) = result.batches
    rmrs = [parse_rmr(e.addenda[0].payment_related_information)[0] for e in batch.entries]
    assert [r.reference for r in rmrs] == ["INV-1001", "88231", "GP-2025-117"]
    first = rmrs[0]
    assert (first.paid_cents, first.gross_cents, first.discount_cents) == (1_250_000, 1_300_000, 50_000)
    assert [r.paid_cents for r in rmrs] == [e.amount_cents for e in batch.entries]


def test_ctx_820_spans_several_addenda_and_reads_back_to_the_same_segments():
    result = read((DATA_DIR / "ctx_820.ach").read_bytes())
    (entry,) = result.batches[0].entries
    assert len(entry.addenda) == 13
    assert entry.raw[54:58] == "0013"  # CTX number of addenda records
    assert [a.addenda_sequence_number for a in entry.addenda] == [f"{i:04d}" for i in range(1, 14)]
    text = join_addenda_text([a.payment_related_information for a in entry.addenda])
    assert split_segments(text) == [s.rstrip("\\").upper() for s in ctx_segments(ctx_remittance())]
    segments = split_segments(text)
    assert segments[0].startswith("ISA*") and segments[-1] == "IEA*1*000001001"
    assert "SE*31*0001" in segments  # ST..SE: 31 segments
    bpr = next(s for s in segments if s.startswith("BPR"))
    assert bpr.split("*")[2] == "7800.78"
    assert sum(r.paid_cents for r in parse_rmr(text)) == entry.amount_cents == 780_078


def test_prenotes_are_zero_dollar_with_prenote_codes():
    result = read((DATA_DIR / "prenote.ach").read_bytes())
    assert [(e.transaction_code, e.amount_cents) for e in result.entries()] == [(23, 0), (33, 0)]


def test_return_file_yields_typed_returns_keyed_by_original_trace():
    result = read((DATA_DIR / "return.ach").read_bytes())
    assert result.ok and result.changes == []
    r03, r02, r15 = result.returns
    assert (r03.reason_code, r03.reason) == ("R03", "No account/unable to locate account")
    assert r03.original_trace == "091000010000001"
    assert r03.original_rdfi == "23138010"
    assert r03.amount_cents == 1_250_000 and r03.transaction_code == 21
    assert r03.trace_number == "231380100000101"
    assert r03.information == "NO ACCOUNT UNDER THIS NUMBER"
    assert (r02.reason_code, r02.original_trace, r02.transaction_code) == ("R02", "091000010000002", 31)
    assert r15.date_of_death == date(2025, 12, 28) and r15.sec_code == "PPD"


def test_noc_file_yields_typed_changes_with_corrected_data_split_by_code():
    result = read((DATA_DIR / "noc.ach").read_bytes())
    assert result.ok and result.returns == []
    c01, c07 = result.changes
    assert (c01.change_code, c01.original_trace, c01.corrected.account_number) == ("C01", "091000010000001", "4400019922")
    assert c07.corrected.routing_number == "231380104"
    assert c07.corrected.account_number == "9000124"
    assert c07.corrected.transaction_code == 32
    assert c07.reason.startswith("Incorrect routing number, bank account number")
    assert all(e.amount_cents == 0 for e in result.entries())
