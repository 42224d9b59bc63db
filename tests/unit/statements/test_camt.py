"""camt.053/054 import, as worked examples on the City of Springfield's operating account."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import xmlschema

from adapters.statements import read_statement
from payments.reconciliation.statements import (
    CreditDebit,
    EntryStatus,
    FindingCode,
    MalformedFile,
    Severity,
    StatementFormat,
    TransactionKind,
    XmlEntitiesForbidden,
)
from tests.corpus import corpus_dir

DATA = Path(__file__).resolve().parents[2] / "data" / "statements"
BATCH = "camt053-v08-city-ach-batch.xml"
NOTIFICATION = "camt054-v02-ach-return-notification.xml"
REDWOOD, ACME = "pay_01J9Z8K2M3N4P5Q6R7S8T9V0W1", "pay_01J9Z8K2M3N4P5Q6R7S8T9V0W2"


def raw(name: str) -> bytes:
    return (DATA / name).read_bytes()


def test_the_authored_statement_is_valid_against_the_official_xsd() -> None:
    schema = corpus_dir("xsd") / "camt.053.001.08.xsd"
    xmlschema.XMLSchema(str(schema)).validate(str(DATA / BATCH))


def test_a_clean_statement_reads_with_no_findings_and_balances() -> None:
    imported = read_statement(raw(BATCH))
    assert (imported.format, imported.format_version) == (StatementFormat.CAMT_053, "camt.053.001.08")
    assert imported.message_id == "STMT-20260923-4412345678" and imported.findings == ()
    assert imported.created_at == datetime(2026, 9, 24, 5, 30, tzinfo=timezone(timedelta(hours=-5)))
    (statement,) = imported.statements
    assert (statement.account_id, statement.currency, statement.statement_date) == ("4412345678", "USD",
                                                                                    date(2026, 9, 23))
    assert (statement.opening_balance_minor, statement.closing_balance_minor) == (25_000_000, 24_873_001)
    assert statement.statement_id == "4412345678-20260923"
    assert statement.location == "/Document/BkToCstmrStmt/Stmt[1]"


def test_a_batch_booked_ach_debit_exposes_its_batch_and_every_end_to_end_id() -> None:
    batch = read_statement(raw(BATCH)).lines[0]
    assert (batch.direction, batch.amount_minor, batch.kind) == (CreditDebit.DEBIT, 746_999,
                                                                 TransactionKind.ACH_SETTLEMENT)
    assert (batch.payment_info_id, batch.batch_count) == ("run_2026-09-23_ccd", 2)
    assert batch.end_to_end_id is None  # two payments: no single id stands for the entry
    assert batch.end_to_end_ids == (REDWOOD, ACME)
    assert [(d.amount_minor, d.counterparty_name) for d in batch.details] == [
        (745_000, "Redwood Hardware Supply LLC"), (1_999, "Acme Office Supply & Co <West>")]
    assert batch.details[0].remittance == "INV 2026-0912 PO 7781"
    assert (batch.bank_reference, batch.type_code, batch.line_ref) == ("ACH20260923CCD", "PMNT/ICDT/ASET",
                                                                       "stmt 1 entry 1")


def test_a_returned_payment_carries_its_reason_and_end_to_end_id() -> None:
    returned = read_statement(raw(BATCH)).lines[1]
    assert returned.is_return and returned.kind is TransactionKind.ACH_RETURN
    assert (returned.direction, returned.end_to_end_id, returned.return_reason) == (CreditDebit.CREDIT, REDWOOD,
                                                                                    "AC04")
    assert returned.details[0].return_info == "R02 ACCOUNT CLOSED"
    assert returned.customer_reference is None  # InstrId NOTPROVIDED is a placeholder, not a reference


def test_a_check_and_a_pending_wire() -> None:
    _, _, check, wire = read_statement(raw(BATCH)).lines
    assert (check.kind, check.customer_reference) == (TransactionKind.CHECK_PAID, "10045")
    assert wire.status is EntryStatus.PENDING and wire.type_code == "FEDWIRE-IN"
    assert wire.booking_date == wire.value_date == date(2026, 9, 24)


def test_a_v02_notification_reads_the_older_shapes() -> None:
    imported = read_statement(raw(NOTIFICATION))
    assert (imported.format, imported.findings) == (StatementFormat.CAMT_054, ())
    (statement,) = imported.statements
    assert (statement.opening_balance_minor, statement.closing_balance_minor) == (None, None)
    (line,) = statement.lines
    assert (line.status, line.is_return, line.is_reversal, line.return_reason) == (EntryStatus.BOOKED, True,
                                                                                   True, "R03")
    assert (line.end_to_end_id, line.payment_info_id) == (ACME, "run_2026-09-23_ccd")
    assert line.details[0].counterparty_name == "Acme Office Supply"
    assert line.details[0].amount_minor == 1_999


def test_a_closing_balance_that_does_not_follow_is_an_error_finding() -> None:
    imported = read_statement(raw(BATCH).replace(b">248730.01<", b">248730.02<"))
    (finding,) = imported.findings
    assert (finding.code, finding.severity) == (FindingCode.BALANCE_MISMATCH, Severity.ERROR)
    assert finding.location == "/Document/BkToCstmrStmt/Stmt[1]"
    assert "248730.01 USD" in finding.message and "248730.02 USD" in finding.message


def test_a_transaction_summary_that_disagrees_is_an_error_finding() -> None:
    imported = read_statement(raw(BATCH).replace(b"<NbOfNtries>2</NbOfNtries><Sum>8719.99",
                                                 b"<NbOfNtries>3</NbOfNtries><Sum>8719.98"))
    assert [(f.code, f.location) for f in imported.findings] == [
        (FindingCode.TRANSACTION_SUMMARY_MISMATCH, "/Document/BkToCstmrStmt/Stmt[1]/TxsSummry/TtlDbtNtries"),
        (FindingCode.TRANSACTION_SUMMARY_MISMATCH, "/Document/BkToCstmrStmt/Stmt[1]/TxsSummry/TtlDbtNtries/Sum"),
    ]


def test_a_corrupted_amount_rejects_the_whole_file_naming_the_element() -> None:
    with pytest.raises(MalformedFile) as refused:
        read_statement(raw(BATCH).replace(b'<Amt Ccy="USD">1250.00</Amt>', b'<Amt Ccy="USD">1,250.00</Amt>'))
    assert refused.value.code == "malformed_camt"
    assert refused.value.location == "/Document/BkToCstmrStmt/Stmt[1]/Ntry[3]/Amt"
    assert "'1,250.00'" in str(refused.value)


@pytest.mark.parametrize(("before", "after", "location", "field"), [
    (b"<CdtDbtInd>CRDT</CdtDbtInd>\n        <Sts><Cd>BOOK", b"<CdtDbtInd>CR</CdtDbtInd>\n        <Sts><Cd>BOOK",
     "/Document/BkToCstmrStmt/Stmt[1]/Ntry[2]", "CdtDbtInd"),
    (b"<Cd>PDNG</Cd>", b"<Cd>MAYBE</Cd>", "/Document/BkToCstmrStmt/Stmt[1]/Ntry[4]", "Sts"),
    (b'<Amt Ccy="USD">19.99</Amt>', b'<Amt Ccy="USD">19.999</Amt>',
     "/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/NtryDtls[1]/TxDtls[2]/Amt", None),
    (b'<Amt Ccy="USD">7469.99</Amt>', b'<Amt Ccy="XYZ">7469.99</Amt>',
     "/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/Amt", "@Ccy"),
    (b"<Dt>2026-09-23</Dt></BookgDt>", b"<Dt>2026-02-30</Dt></BookgDt>",
     "/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/BookgDt", None),
])
def test_each_bad_field_is_refused_with_its_path(before: bytes, after: bytes, location: str,
                                                  field: str | None) -> None:
    assert before in raw(BATCH)
    with pytest.raises(MalformedFile) as refused:
        read_statement(raw(BATCH).replace(before, after, 1))
    assert (refused.value.location, refused.value.field) == (location, field)


def test_a_truncated_file_is_rejected_with_line_and_column() -> None:
    with pytest.raises(MalformedFile, match=r"^malformed_camt: line \d+, column \d+: not well-formed XML"):
        read_statement(raw(BATCH)[:3000])


def test_billion_laughs_is_refused() -> None:
    bomb = b"""<?xml version="1.0"?>
<!DOCTYPE Document [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><GrpHdr><MsgId>&d;</MsgId>
</GrpHdr></BkToCstmrStmt></Document>"""
    with pytest.raises(XmlEntitiesForbidden) as refused:
        read_statement(bomb)
    assert refused.value.code == "xml_entities_forbidden"


def test_an_external_entity_is_refused() -> None:
    xxe = b"""<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<Document><BkToCstmrStmt><GrpHdr><MsgId>&x;</MsgId></GrpHdr></BkToCstmrStmt></Document>"""
    with pytest.raises(XmlEntitiesForbidden):
        read_statement(xxe, "camt")


def test_a_statement_without_any_account_identifier_is_rejected() -> None:
    with pytest.raises(MalformedFile, match="Stmt.1.*Acct/Id"):
        read_statement(raw(BATCH).replace(b"<Othr>\n            <Id>4412345678</Id>\n          </Othr>", b""))


def test_an_intraday_camt052_report_is_read_as_interim() -> None:
    report = (raw(BATCH).replace(b"camt.053.001.08", b"camt.052.001.08")
              .replace(b"BkToCstmrStmt>", b"BkToCstmrAcctRpt>").replace(b"Stmt>", b"Rpt>"))
    imported = read_statement(report)
    assert (imported.format, imported.findings) == (StatementFormat.CAMT_052, ())
    (statement,) = imported.statements
    assert statement.interim and statement.location == "/Document/BkToCstmrAcctRpt/Rpt[1]"
    assert len(statement.lines) == 4


def test_a_statement_missing_its_closing_balance_is_warned_not_guessed() -> None:
    start = raw(BATCH).index(b"<Bal>\n        <Tp><CdOrPrtry><Cd>CLBD")
    end = raw(BATCH).index(b"</Bal>", start) + len(b"</Bal>")
    imported = read_statement(raw(BATCH)[:start] + raw(BATCH)[end:])
    assert [(f.code, f.severity) for f in imported.findings] == [(FindingCode.BALANCE_MISSING, Severity.WARNING)]
    assert imported.statements[0].closing_balance_minor is None
    assert imported.statements[0].statement_date == date(2026, 9, 23)  # the opening balance's day
