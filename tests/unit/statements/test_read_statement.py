"""One entry point for every statement file: it recognizes the format, or says plainly what it is not."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.statements import read_bank_file, read_statement, sniff_format
from payments.reconciliation.statements import FormatError, ImportedFile, StatementFormat, StatusReport, UnsupportedFormat

DATA = Path(__file__).resolve().parents[2] / "data"
BAI2 = (DATA / "statements" / "bai2-city-operating-account.bai2").read_bytes()
CAMT053 = (DATA / "statements" / "camt053-v08-city-ach-batch.xml").read_bytes()
CAMT054 = (DATA / "statements" / "camt054-v02-ach-return-notification.xml").read_bytes()
PAIN002 = (DATA / "iso20022" / "pain002-v03-ac04-rejected.xml").read_bytes()


@pytest.mark.parametrize(("data", "expected"), [(BAI2, "bai2"), (CAMT053, "camt.053"), (CAMT054, "camt.054"),
                                                (PAIN002, "pain.002"), (b"\xef\xbb\xbf\r\n  " + BAI2, "bai2")])
def test_the_format_is_recognized_from_the_first_bytes(data: bytes, expected: str) -> None:
    assert sniff_format(data) == expected


@pytest.mark.parametrize(("data", "expected"), [(BAI2, StatementFormat.BAI2), (CAMT053, StatementFormat.CAMT_053),
                                                (CAMT054, StatementFormat.CAMT_054)])
def test_each_format_is_read_without_being_named(data: bytes, expected: StatementFormat) -> None:
    assert read_statement(data).format is expected


def test_a_named_format_skips_sniffing_and_must_match() -> None:
    assert read_statement(CAMT053, "camt.053").format is StatementFormat.CAMT_053
    assert read_statement(CAMT053, "CAMT").format is StatementFormat.CAMT_053
    assert read_statement(BAI2, " BAI2 ").format is StatementFormat.BAI2
    with pytest.raises(UnsupportedFormat, match="camt.053 message, not the camt.054"):
        read_statement(CAMT053, "camt.054")
    with pytest.raises(UnsupportedFormat, match="unknown statement format 'mt940'") as refused:
        read_statement(BAI2, "mt940")
    assert refused.value.code == "unsupported_format"


@pytest.mark.parametrize(("data", "says"), [
    (b"", "empty"),
    (b"   \n", "empty"),
    (b"101 021000021 1234567892609230600A094101CITY BANK              CITY OF SPRINGFIELD            " + b"\n",
     "NACHA"),
    (b"Date,Description,Amount\n2026-09-23,CHECK 10045,-1250.00\n", "neither BAI2"),
    (b"<html><body>statement</body></html>", "not a camt.052/053/054 message: found html"),
    (PAIN002, "pain.002 payment status report, not a statement"),
])
def test_what_is_not_a_statement_is_refused_saying_what_it_is(data: bytes, says: str) -> None:
    with pytest.raises(UnsupportedFormat, match=says):
        read_statement(data)


def test_every_refusal_shares_one_error_root_with_a_stable_code() -> None:
    for data in (b"", BAI2.replace(b"16,466,", b"16,4X6,"), CAMT053[:500]):
        with pytest.raises(FormatError) as refused:
            read_statement(data)
        assert refused.value.code in {"unsupported_format", "malformed_bai2", "malformed_camt"}


def test_read_bank_file_takes_status_reports_too() -> None:
    assert isinstance(read_bank_file(PAIN002), StatusReport)
    assert isinstance(read_bank_file(BAI2), ImportedFile)
