"""Every BAI2 and camt file of the external conformance corpus gets the verdict its README gives.

valid -> read, no findings; lenient -> read, warnings only (each the README's named deviation); invalid -> refused
whole naming the line, or read with the error finding for the rule the README names. Files are read in place
from ../shared/testdata (never copied); the tests skip, saying why, when it is absent.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from adapters.statements import read_statement
from adapters.statements.bai2_reader import LIBRARY, TOLERANT
from payments.reconciliation.statements import CreditDebit, FindingCode, ImportedFile, MalformedFile, Severity, TransactionKind
from tests.corpus import corpus_dir


def read(folder: str, name: str) -> ImportedFile:
    return read_statement((corpus_dir(folder) / name).read_bytes())


def codes(imported: ImportedFile, severity: Severity) -> set[FindingCode]:
    return {f.code for f in imported.findings if f.severity is severity}


# --- BAI2 -------------------------------------------------------------------------------------------------


def test_bai2_valid_eod_wire_without_as_of_time() -> None:
    imported = read("bai2", "eod-wire-no-as-of-time.bai2")
    assert imported.findings == () and imported.parser == LIBRARY
    (wire,) = imported.lines
    assert (wire.type_code, wire.kind, wire.direction, wire.amount_minor, wire.currency) == (
        "195", TransactionKind.WIRE, CreditDebit.CREDIT, 8_325_982, "USD")
    assert wire.text is not None and len(wire.text.splitlines()) == 11  # the 16 text plus ten 88 lines
    assert wire.text.splitlines()[-1] == "OBI:=INVOICE 123456"
    assert imported.statements[0].statement_date == date(2010, 8, 31)


def test_bai2_lenient_net_control_total_is_read_with_a_warning() -> None:
    imported = read("bai2", "gs-eur-sepa-instant-net-control-total.bai2")
    assert imported.parser == TOLERANT and not imported.has_errors
    (finding,) = imported.findings
    assert (finding.code, finding.severity) == (FindingCode.CONTROL_TOTAL_NET_OF_DETAILS, Severity.WARNING)
    assert finding.location == "line 36 (account trailer 49)" and "6835" in finding.message
    (statement,) = imported.statements
    assert (statement.account_id, statement.currency) == ("3000000651", "EUR")  # the account's, not the group's
    assert [(l.type_code, l.direction, l.amount_minor) for l in statement.lines] == [
        ("495", CreditDebit.DEBIT, 65), ("447", CreditDebit.DEBIT, 6_600), ("447", CreditDebit.DEBIT, 6_500),
        ("195", CreditDebit.CREDIT, 20_000)]
    assert "EREF: GS8ZYYJFNZ" in (statement.lines[1].text or "").splitlines()


def test_bai2_invalid_two_file_headers_is_refused_at_line_38() -> None:
    with pytest.raises(MalformedFile) as refused:
        read("bai2", "gs-gbp-two-file-headers.bai2")
    assert refused.value.code == "malformed_bai2"
    assert refused.value.location == "line 38 (file header 01)"
    assert "account 10001193 (line 3) has no account trailer (49)" in refused.value.reason


def test_bai2_invalid_concatenation_with_an_unclosed_account_is_refused_at_line_111() -> None:
    with pytest.raises(MalformedFile) as refused:
        read("bai2", "gs-usd-gbp-concatenated-files.bai2")
    assert refused.value.location == "line 111 (file header 01)"
    assert "account 10001193 (line 73) has no account trailer (49)" in refused.value.reason


def test_bai2_invalid_multi_group_reads_with_error_findings_and_inherits_currency() -> None:
    imported = read("bai2", "multi-group-currency-inheritance.bai2")
    assert imported.has_errors
    assert {FindingCode.CONTROL_TOTAL_MISMATCH, FindingCode.RECORD_COUNT_MISMATCH,
            FindingCode.DIRECTION_UNKNOWN} <= codes(imported, Severity.ERROR)
    assert {FindingCode.VERSION_MISSING, FindingCode.STATUS_CODE_IN_DETAIL} <= codes(imported, Severity.WARNING)
    counts = [(f.location.split()[1], *re.search(r"counts (\d+) records, the \w+ has (\d+)", f.message).groups())
              for f in imported.findings if f.code is FindingCode.RECORD_COUNT_MISMATCH]
    assert counts == [("7", "4", "5"), ("12", "10", "11"), ("18", "3", "5"), ("19", "5", "7"), ("20", "18", "20")]
    # ACC200 says EUR over the group's USD; ACC300 leaves it blank and inherits the second group's GBP.
    assert [(s.account_id, s.currency) for s in imported.statements] == [
        ("ACC100", "USD"), ("ACC200", "EUR"), ("ACC300", "GBP")]
    # 905 is a bank-defined status code (skipped, warned); 710 has no defined sign (left out, an error).
    assert [(l.type_code, l.amount_minor) for l in imported.lines] == [
        ("142", 500_000), ("475", 125_000), ("301", 200_000), ("501", 75_000)]
    assert imported.lines[0].text == "Payroll deposit\nfrom ACME Corp run 2026-06"


def test_bai2_invalid_spec_fragment_reads_with_every_trailer_mismatch() -> None:
    imported = read("bai2", "spec-fragment-funds-types.bai2")
    assert codes(imported, Severity.ERROR) == {FindingCode.CONTROL_TOTAL_MISMATCH,
                                               FindingCode.RECORD_COUNT_MISMATCH,
                                               FindingCode.ACCOUNT_COUNT_MISMATCH, FindingCode.GROUP_COUNT_MISMATCH}
    account_total = next(f for f in imported.findings if f.location == "line 8 (account trailer 49)"
                         and f.code is FindingCode.CONTROL_TOTAL_MISMATCH)
    assert "18650000" in account_total.message and "82000000" in account_total.message
    dealer, lockbox = imported.lines
    assert (dealer.bank_reference, dealer.text) == ("DD1620", "DEALER PAYMENTS")
    # Funds type S: three availability amounts, then the references and text run on into the 88s.
    assert (lockbox.amount_minor, lockbox.bank_reference, lockbox.customer_reference) == (
        10_000_000, "AX13612", "B096132")
    assert lockbox.text == "AMALGAMATED CORP. LOCKBOX\nDEPOSIT-MISC. RECEIVABLES"
    assert imported.statements[0].currency == "USD"  # neither group nor account names one


# --- camt ---------------------------------------------------------------------------------------------------

MONTHS = [("camt053-v02-2024-10-314-entries.xml", 314, 308, 3_344_303, 5_937_037),
          ("camt053-v02-2024-11-268-entries.xml", 268, 264, 5_937_037, 8_753_912),
          ("camt053-v02-2024-12-264-entries.xml", 264, 261, 8_753_912, 4_196_511)]


@pytest.mark.parametrize(("name", "entries", "debits", "opening", "closing"), MONTHS)
def test_camt_valid_monthly_statements_balance_with_no_findings(name: str, entries: int, debits: int,
                                                                opening: int, closing: int) -> None:
    imported = read("camt", name)
    assert imported.findings == ()
    (statement,) = imported.statements
    assert (statement.account_id, statement.currency) == ("BE68793230773034", "EUR")
    assert (len(statement.lines), sum(l.direction is CreditDebit.DEBIT for l in statement.lines)) == (entries, debits)
    assert (statement.opening_balance_minor, statement.closing_balance_minor) == (opening, closing)
    assert opening + sum(l.signed_amount_minor for l in statement.lines) == closing
    assert all(l.end_to_end_id for l in statement.lines)
    assert len({l.line_ref for l in statement.lines}) == entries


def test_camt_three_monthly_statements_are_continuous() -> None:
    statements = [read("camt", name).statements[0] for name, *_ in MONTHS]
    for earlier, later in zip(statements, statements[1:]):
        assert earlier.closing_balance_minor == later.opening_balance_minor


def test_camt_the_314_entry_statement_in_detail() -> None:
    (statement,) = read("camt", "camt053-v02-2024-10-314-entries.xml").statements
    amounts = [l.amount_minor for l in statement.lines]
    assert (min(amounts), max(amounts)) == (3, 5_000_000)
    assert statement.lines[-1].line_ref == "stmt 1 entry 314"


def test_camt_v02_three_entries_zero_balance() -> None:
    imported = read("camt", "camt053-v02-three-entries-zero-balance.xml")
    assert imported.findings == () and imported.format_version == "camt.053.001.02"
    (statement,) = imported.statements
    assert (statement.account_id, statement.opening_balance_minor, statement.closing_balance_minor) == (
        "BE86463768548050", 0, 0)
    assert statement.statement_date == date(2024, 10, 1)
    assert [(l.direction, l.amount_minor, l.type_code, l.end_to_end_id) for l in statement.lines] == [
        (CreditDebit.DEBIT, 78_990_341, "PMNT/ICDT/ESCT", "E2EXRUHYXKX58020423"),
        (CreditDebit.DEBIT, 99, "PMNT/ICDT/ISCT", "E2EPPXJNWYI50546873"),
        (CreditDebit.CREDIT, 78_990_440, "PMNT/RCDT/ISCT", "E2EAIQSQMYP21018099")]
    first = statement.lines[0].details[0]
    assert (first.instruction_id, first.transaction_id, first.counterparty_name) == (None, "390176",
                                                                                     "Sigma Solutions")


@pytest.mark.parametrize(("name", "statements", "entries"), [
    ("camt053-v08-lenient-two-accounts.xml", 2, 3), ("camt053-v08-lenient-one-account.xml", 1, 10)])
def test_camt_lenient_v08_reads_with_warnings_and_balances(name: str, statements: int, entries: int) -> None:
    imported = read("camt", name)
    assert not imported.has_errors  # balances reconcile once missing indicators are read as CRDT
    assert codes(imported, Severity.WARNING) == {FindingCode.BALANCE_INDICATOR_MISSING,
                                                 FindingCode.ENTRY_STATUS_MISSING, FindingCode.BOOKING_DATE_MISSING}
    assert (len(imported.statements), len(imported.lines)) == (statements, entries)
    for statement in imported.statements:
        assert statement.opening_balance_minor + sum(l.signed_amount_minor for l in statement.lines) == \
            statement.closing_balance_minor


def test_camt_lenient_batch_entries_keep_their_transaction_counts() -> None:
    imported = read("camt", "camt053-v08-lenient-two-accounts.xml")
    first = imported.statements[0]
    assert (first.opening_balance_minor, first.closing_balance_minor) == (2_108_122_258, 2_190_396_039)
    assert [l.batch_count for l in first.lines] == [86, 1, 3]
    assert [l.type_code for l in first.lines] == ["ATSISK", "ATSISK", "KLIRNG"]
    assert imported.statements[1].lines == ()
    assert sum(l.batch_count or 0 for l in read("camt", "camt053-v08-lenient-one-account.xml").lines) == 257
