"""BAI2 import, as worked examples on the City of Springfield's operating account at its bank."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import date
from pathlib import Path

import pytest

from adapters.statements import read_statement
from adapters.statements.bai2_reader import LIBRARY, TOLERANT, read_bai2
from payments.reconciliation.statements import (
    CreditDebit,
    FindingCode,
    MalformedFile,
    Severity,
    TransactionKind,
    UnsupportedFormat,
)

DATA = Path(__file__).resolve().parents[2] / "data" / "statements"
CITY = "bai2-city-operating-account.bai2"


def raw(name: str) -> bytes:
    return (DATA / name).read_bytes()


def test_a_clean_day_reads_through_the_bai2_package_with_no_findings() -> None:
    imported = read_statement(raw(CITY))
    assert imported.parser == LIBRARY
    assert imported.findings == () and not imported.has_errors
    assert imported.digest == hashlib.sha256(raw(CITY)).hexdigest()
    operating, sweep = imported.statements
    assert (operating.account_id, operating.currency, operating.statement_date) == ("4412345678", "USD",
                                                                                    date(2026, 9, 23))
    assert (operating.opening_balance_minor, operating.closing_balance_minor) == (25_000_000, 25_873_001)
    assert (sweep.account_id, sweep.lines) == ("4412345999", ())


def test_each_detail_maps_to_a_line_with_direction_kind_and_references() -> None:
    settlement, returned, check, wire = read_statement(raw(CITY)).statements[0].lines
    # One ACH settlement debit for the whole CCD file we sent: reconciliation matches it one-to-many.
    assert (settlement.line_ref, settlement.direction, settlement.amount_minor) == ("line 4", CreditDebit.DEBIT,
                                                                                    746_999)
    assert settlement.kind is TransactionKind.ACH_SETTLEMENT and settlement.type_code == "466"
    assert settlement.customer_reference == "run_2026-09-23_ccd"
    # Redwood's payment came back: an ACH return credit, its 88 continuation on a line of its own.
    assert returned.direction is CreditDebit.CREDIT and returned.is_return
    assert returned.kind is TransactionKind.ACH_RETURN
    assert returned.text == "ACH RETURN R02 ACCOUNT CLOSED\nREDWOOD HARDWARE SUPPLY LLC"
    assert (check.kind, check.type_code, check.customer_reference) == (TransactionKind.CHECK_PAID, "475", "10045")
    assert (wire.kind, wire.direction, wire.value_date) == (TransactionKind.WIRE, CreditDebit.CREDIT, date(2026, 9, 23))
    assert wire.text == "FEDWIRE IN STATE OF ILLINOIS\nOBI:=GRANT 2026-17, FIRST TRANCHE"
    assert wire.type_description == "Incoming Money Transfer"
    opening = read_statement(raw(CITY)).statements[0]
    assert opening.opening_balance_minor + sum(l.signed_amount_minor for l in opening.lines) == \
        opening.closing_balance_minor


@pytest.mark.parametrize("name", [CITY, "bai2-two-files-concatenated.bai2",
                                  "bai2-summary-continued-blank-balances.bai2"])
def test_the_package_and_the_tolerant_reader_agree(name: str) -> None:
    with_package = read_bai2(raw(name), "digest")
    ours = read_bai2(raw(name), "digest", prefer_library=False)
    assert ours.parser == TOLERANT
    assert dataclasses.replace(with_package, parser="") == dataclasses.replace(ours, parser="")


def test_concatenated_files_are_all_read_although_the_package_stops_after_the_first() -> None:
    imported = read_statement(raw("bai2-two-files-concatenated.bai2"))
    assert imported.parser == TOLERANT and imported.findings == ()
    first, second = imported.statements
    assert (first.statement_date, second.statement_date) == (date(2026, 9, 24), date(2026, 9, 25))
    assert first.closing_balance_minor == second.opening_balance_minor
    assert [line.line_ref for line in imported.lines] == ["line 4", "line 11"]


def test_records_on_one_line_are_split_but_a_slash_in_text_is_not_a_record_end() -> None:
    imported = read_statement(raw("bai2-records-on-one-line.bai2"))
    (fee,) = imported.lines
    assert (fee.line_ref, fee.type_code, fee.amount_minor) == ("line 1.4", "469", 20_000)
    assert fee.text == "ACH FEES 11/01,11/02"
    (finding,) = imported.findings
    assert (finding.code, finding.severity, finding.location) == (FindingCode.RECORDS_SHARE_LINE,
                                                                  Severity.WARNING, "line 1")


def test_an_03_summary_continued_in_an_88_and_blank_balances_read_correctly() -> None:
    imported = read_statement(raw("bai2-summary-continued-blank-balances.bai2"))
    assert imported.findings == ()
    taxed, blank = imported.statements
    assert (taxed.opening_balance_minor, taxed.closing_balance_minor) == (25_000_000, 24_900_000)
    assert (blank.opening_balance_minor, blank.closing_balance_minor) == (None, None)


def test_a_wrong_control_total_is_a_finding_naming_the_trailer() -> None:
    tampered = raw(CITY).replace(b"16,475,125000,", b"16,475,125001,")
    imported = read_statement(tampered)
    assert imported.parser == TOLERANT and imported.has_errors
    (finding,) = imported.findings
    assert finding.code is FindingCode.CONTROL_TOTAL_MISMATCH
    assert finding.location == "line 10 (account trailer 49)"
    assert "56106999" in finding.message and "56107000" in finding.message


def test_a_wrong_record_count_is_a_finding() -> None:
    imported = read_statement(raw(CITY).replace(b"49,56106999,8/", b"49,56106999,7/"))
    assert [(f.code, f.location) for f in imported.findings] == [
        (FindingCode.RECORD_COUNT_MISMATCH, "line 10 (account trailer 49)")]


def test_a_corrupted_amount_rejects_the_whole_file_naming_line_and_field() -> None:
    with pytest.raises(MalformedFile) as refused:
        read_statement(raw(CITY).replace(b"16,475,125000,", b"16,475,12500O,"))
    assert refused.value.code == "malformed_bai2"
    assert (refused.value.location, refused.value.field) == ("line 7 (transaction detail 16)", "amount")
    assert "'12500O'" in str(refused.value)


def test_a_file_cut_short_is_rejected_saying_what_is_missing() -> None:
    truncated = b"\n".join(raw(CITY).splitlines()[:-1])
    with pytest.raises(MalformedFile, match=r"line 13 .*the file at line 1 has no file trailer \(99\)"):
        read_statement(truncated)


def test_a_file_cut_after_a_detail_is_refused_promptly() -> None:
    # Regression: handed to bai2 0.15.0, this input loops forever; it must never reach the package.
    cut = b"\n".join(raw(CITY).splitlines()[:4])
    with pytest.raises(MalformedFile, match=r"line 4 .*account 4412345678 \(line 3\) has no account trailer"):
        read_statement(cut)


def test_a_missing_account_trailer_is_rejected_at_the_next_account() -> None:
    broken = raw(CITY).replace(b"49,56106999,8/\n", b"")
    with pytest.raises(MalformedFile) as refused:
        read_statement(broken)
    assert refused.value.location == "line 10 (account identifier 03)"
    assert "account 4412345678 (line 3) has no account trailer (49)" in str(refused.value)


def test_an_unknown_record_code_is_rejected() -> None:
    with pytest.raises(MalformedFile, match="line 4, field record code"):
        read_statement(raw(CITY).replace(b"16,466,", b"17,466,"))


def test_a_bai_version_other_than_2_is_unsupported() -> None:
    with pytest.raises(UnsupportedFormat, match="BAI version '3'"):
        read_statement(raw("bai2-two-files-concatenated.bai2").replace(b"80,1,2/", b"80,1,3/", 1))
