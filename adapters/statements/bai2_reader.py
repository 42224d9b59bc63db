"""BAI2 importer: the ``bai2`` package where it reads the file correctly, our tolerant reader where it does not.

Both paths produce the same intermediate records (bai2_records), which become one ``ImportedFile`` here, so the
caller cannot tell them apart except by ``ImportedFile.parser``. The package is trusted only when it parses with
``check_integrity=True`` *and* its view lines up record for record with our own tokenization: it silently stops
after the first file trailer of a concatenated transmission, so agreement is checked, not assumed.

A large file (``STREAM_FROM_RECORDS`` physical lines or more) is first offered to the streaming reader
(bai2_stream), which reads the common well-formed case in one pass and gives up on anything else; the package
and the tolerant reader then read it as above. Reading it twice (package, then our tokenizer to check the
package) costs about 75 µs a line, most of a million-line import; the streaming reader returns what those paths
return for the same file, which the tests check file by file.
"""

from __future__ import annotations

from datetime import datetime, time
from importlib.metadata import version

from bai2 import bai2 as bai2_package

from payments.reconciliation.statements import (
    EntryStatus,
    Finding,
    FindingCode,
    ImportedFile,
    Severity,
    Statement,
    StatementFormat,
    StatementLine,
)

from . import bai2_records as rec
from .bai2_codes import CLOSING_LEDGER, OPENING_LEDGER, TOTAL_CREDITS, TOTAL_DEBITS, classify
from .bai2_stream import read_stream
from .bai2_tolerant import read_structure

LIBRARY = f"bai2 {version('bai2')}"
TOLERANT = "disburse.bai2-tolerant"
STREAM = "disburse.bai2-stream"
STREAM_FROM_RECORDS = 5_000  # below this the package's cost does not matter (0.2 s), and it stays the reference
INTERIM_MODIFIERS = ("1", "3")  # interim previous-day, interim same-day


def read_bai2(data: bytes, digest: str, *, prefer_library: bool = True,
              stream_from_records: int = STREAM_FROM_RECORDS) -> ImportedFile:
    """Every account report in a BAI2 transmission, or ``MalformedFile``/``UnsupportedFormat`` and nothing.

    ``prefer_library=False`` skips the ``bai2`` package (tests use it to show both paths read alike);
    ``stream_from_records`` is the size from which the streaming reader is tried first (tests set 0).
    """
    text = _decode(data)
    if text.count("\n") + 1 >= stream_from_records:
        streamed = _streamed(text, digest)
        if streamed is not None:
            return streamed
    records, shared_lines = rec.tokenize(text)
    files = _with_library(text, records) if prefer_library and not shared_lines else None
    findings: list[Finding] = []
    parser = LIBRARY
    if files is None:
        parser = TOLERANT
        if shared_lines:
            findings.append(Finding(FindingCode.RECORDS_SHARE_LINE, "several records share a physical line; they "
                                    "were split at their '/' delimiters: " + ", ".join(shared_lines),
                                    shared_lines[0], Severity.WARNING))
        files, structural = read_structure(records)
        findings.extend(structural)
    statements = _statements(files, findings)
    findings.sort(key=_line_number)  # file order, whichever check raised them
    return ImportedFile(
        format=StatementFormat.BAI2,
        digest=digest,
        statements=tuple(statements),
        findings=tuple(findings),
        format_version="2",
        message_id=files[0].file_id or None,
        created_at=files[0].created_at,
        parser=parser,
    )


def _streamed(text: str, digest: str) -> ImportedFile | None:
    read = read_stream(text)
    if read is None:
        return None
    file, accounts = read
    statements = []
    for group, account, lines in accounts:
        summaries: dict[str, int | None] = {}
        for summary in account.summaries:
            summaries.setdefault(summary.code, summary.amount)
        findings: list[Finding] = []
        currency = account.currency or group.currency
        _check_summary_balance(account, currency, summaries, findings)
        if findings:
            return None  # the full path reports it, with the rest of what it finds
        statements.append(Statement(
            account_id=account.number, currency=currency, statement_date=group.as_of_date,
            opening_balance_minor=summaries.get(OPENING_LEDGER), closing_balance_minor=summaries.get(CLOSING_LEDGER),
            lines=tuple(lines), statement_id=file.file_id or None, location=account.record.ref,
            interim=group.modifier in INTERIM_MODIFIERS))
    return ImportedFile(format=StatementFormat.BAI2, digest=digest, statements=tuple(statements), findings=(),
                        format_version="2", message_id=file.file_id or None, created_at=file.created_at,
                        parser=STREAM)


def _line_number(finding: Finding) -> int:
    # Locations read "line 12 (...)" or "line 3.2 (...)".
    return int(finding.location.split()[1].split(".")[0])


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # BAI2 is ASCII; a stray Latin-1 byte in free text must not lose the whole statement.
        return data.decode("latin-1")


class _Misread(Exception):
    """The package's reading does not line up with the records: do not trust it."""


def _with_library(text: str, records: list[rec.Record]) -> list[rec.File] | None:
    codes = [record.code for record in records]
    # bai2 0.15.0 never returns when the input ends on a record one of its loops can re-read (a file cut
    # after a 16 spins forever, growing memory), and it reads only the first of concatenated files. So it is
    # only given one complete file: a single 01 first and a single 99 last.
    if codes[0] != "01" or codes[-1] != "99" or codes.count("01") != 1 or codes.count("99") != 1:
        return None
    try:
        parsed = bai2_package.parse_from_string(text, check_integrity=True)
    except Exception:  # noqa: BLE001 - ParsingException, IntegrityException, ValueError, IndexError ...: any
        return None    # failure of the package means "read it ourselves", never "give up"
    try:
        return [_align(parsed, iter(records))]
    except _Misread:
        return None


def _align(parsed, records) -> rec.File:  # noqa: ANN001 - the package ships no type hints
    def expect(code: str) -> rec.Record:
        record = next(records, None)
        if record is None or record.code != code:
            raise _Misread(code)
        return record

    header = parsed.header
    file = rec.File(expect("01"), sender=header.sender_id, file_id=header.file_id or "",
                    created_at=datetime.combine(header.creation_date, header.creation_time or time()),
                    version=str(header.version_number))
    for group in parsed.children:
        modifier = group.header.as_of_date_modifier
        new_group = rec.Group(expect("02"), status=group.header.group_status.value,
                              as_of_date=group.header.as_of_date, modifier=modifier.value if modifier else "",
                              currency=group.header.currency)
        file.groups.append(new_group)
        for account in group.children:
            identifier = account.header
            new_account = rec.Account(expect("03"), number=identifier.customer_account_number,
                                      currency=identifier.currency or None,
                                      summaries=[rec.Summary(s.type_code.code, s.amount, s.item_count)
                                                 for s in identifier.summary_items if s.type_code])
            new_group.accounts.append(new_account)
            for detail in account.children:
                new_account.details.append(_detail(detail, expect("16")))
            new_account.control_total = account.trailer.account_control_total
            expect("49")
        new_group.control_total = group.trailer.group_control_total
        expect("98")
    expect("99")
    if next(records, None) is not None:
        raise _Misread("records after the file trailer")  # a concatenated transmission
    return file


def _detail(detail, record: rec.Record) -> rec.Detail:  # noqa: ANN001
    ours = rec.transaction_detail(record)
    theirs = (detail.type_code.code, detail.amount, _clean(detail.bank_reference), _clean(detail.customer_reference))
    if theirs != (ours.type_code, ours.amount, ours.bank_reference, ours.customer_reference):
        raise _Misread(record.ref)
    availability = detail.availability or {}
    # The text is ours: the package joins continuation lines with ' ' or ',' depending on a trailing '/'.
    return rec.Detail(record, detail.type_code.code, detail.amount,
                      detail.funds_type.value if detail.funds_type else "",
                      availability.get("date") if detail.funds_type and detail.funds_type.value == "V" else None,
                      theirs[2], theirs[3], ours.text)


def _clean(value: str | None) -> str | None:
    return value.strip() or None if value else None


def _statements(files: list[rec.File], findings: list[Finding]) -> list[Statement]:
    statements = []
    for file in files:
        for group in file.groups:
            if group.status != "1":
                kind = {"2": "a deletion", "3": "a correction", "4": "test data only"}[group.status]
                findings.append(Finding(FindingCode.GROUP_NOT_AN_UPDATE, f"the group is marked as {kind} "
                                        f"(group status {group.status})", group.record.ref, Severity.WARNING))
            for account in group.accounts:
                statements.append(_statement(file, group, account, findings))
    return statements


def _statement(file: rec.File, group: rec.Group, account: rec.Account, findings: list[Finding]) -> Statement:
    # An account reports in its own currency when it names one, else in its group's (FORMATS.md §4.1).
    currency = account.currency or group.currency
    lines = []
    for detail in account.details:
        code = classify(detail.type_code)
        where = f"{detail.record.ref} (transaction detail 16)"
        if code.is_status:
            findings.append(Finding(FindingCode.STATUS_CODE_IN_DETAIL, f"type code {detail.type_code} is a status "
                                    f"code, not a transaction; amount {detail.amount} skipped", where,
                                    Severity.WARNING))
            continue
        if code.direction is None:
            findings.append(Finding(FindingCode.DIRECTION_UNKNOWN, f"type code {detail.type_code} is neither a "
                                    f"credit nor a debit code; {detail.amount} {currency} left out for review",
                                    where))
            continue
        lines.append(StatementLine(
            line_ref=detail.record.ref, direction=code.direction, amount_minor=detail.amount, currency=currency,
            booking_date=group.as_of_date, value_date=detail.value_date, status=EntryStatus.BOOKED,
            kind=code.kind, type_code=detail.type_code, type_description=code.description,
            bank_reference=detail.bank_reference, customer_reference=detail.customer_reference, text=detail.text,
            is_return=code.is_return, is_reversal=code.is_reversal,
        ))
    summaries: dict[str, int | None] = {}
    for summary in account.summaries:
        summaries.setdefault(summary.code, summary.amount)
    _check_summary_balance(account, currency, summaries, findings)
    return Statement(
        account_id=account.number,
        currency=currency,
        statement_date=group.as_of_date,
        opening_balance_minor=summaries.get(OPENING_LEDGER),
        closing_balance_minor=summaries.get(CLOSING_LEDGER),
        lines=tuple(lines),
        statement_id=file.file_id or None,
        location=account.record.ref,
        interim=group.modifier in INTERIM_MODIFIERS,
    )


def _check_summary_balance(account: rec.Account, currency: str, summaries: dict[str, int | None],
                           findings: list[Finding]) -> None:
    # Only the 03's own arithmetic: detail records need not cover every summarized item, so they are not used.
    values = [summaries.get(code) for code in (OPENING_LEDGER, TOTAL_CREDITS, TOTAL_DEBITS, CLOSING_LEDGER)]
    if any(value is None for value in values):
        return
    opening, credits, debits, closing = values
    assert opening is not None and credits is not None and debits is not None and closing is not None
    if opening + credits - debits != closing:
        findings.append(Finding(
            FindingCode.BALANCE_MISMATCH,
            f"account {account.number}: opening ledger (010) {opening} + total credits (100) {credits} - total "
            f"debits (400) {debits} = {opening + credits - debits} {currency}, but closing ledger (015) is {closing}",
            f"{account.record.ref} (account identifier 03)", Severity.WARNING))
