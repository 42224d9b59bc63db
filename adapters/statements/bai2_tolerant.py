"""The tolerant BAI2 reader: nests records into files, groups and accounts, then checks each trailer.

It is used when the ``bai2`` package cannot read a file: several records on one line, trailer counts or totals
that disagree with the records, a blank version, an 03 summary continued in an 88. Structure is strict (a
record out of place, a missing trailer, a second file header inside an open file: the file is refused, naming
the line); arithmetic is reported, never fixed: each 49/98/99 is checked against what it covers and a
disagreement becomes a ``Finding``.
"""

from __future__ import annotations

from payments.reconciliation.statements import CreditDebit, Finding, FindingCode, Severity, UnsupportedFormat

from . import bai2_records as rec
from .bai2_codes import classify


def read_structure(records: list[rec.Record]) -> tuple[list[rec.File], list[Finding]]:
    """Files in order (a transmission may concatenate several), with every trailer mismatch as a finding."""
    reader = _Reader()
    for record in records:
        reader.take(record)
    reader.finish(records[-1])
    return reader.files, reader.findings


class _Reader:
    def __init__(self) -> None:
        self.files: list[rec.File] = []
        self.findings: list[Finding] = []
        self.file: rec.File | None = None
        self.group: rec.Group | None = None
        self.account: rec.Account | None = None
        self.file_records = self.group_records = self.account_records = 0

    def take(self, record: rec.Record) -> None:
        handler = {"01": self.file_header, "02": self.group_header, "03": self.account_identifier,
                   "16": self.detail, "49": self.account_trailer, "98": self.group_trailer,
                   "99": self.file_trailer}[record.code]
        handler(record)
        self.file_records += record.count
        self.group_records += record.count
        self.account_records += record.count

    def open_unit(self) -> str | None:
        """The innermost unit still waiting for its trailer, described for an error message."""
        if self.account is not None:
            return (f"account {self.account.number} ({self.account.record.ref}) has no account trailer (49)")
        if self.group is not None:
            return f"the group at {self.group.record.ref} has no group trailer (98)"
        if self.file is not None:
            return f"the file at {self.file.record.ref} has no file trailer (99)"
        return None

    def misplaced(self, record: rec.Record, expected: str) -> None:
        missing = self.open_unit()
        record.fail(f"a {rec.RECORD_NAMES[record.code]} ({record.code}) cannot come here: "
                    + (missing or f"it must follow {expected}"), "record code")

    def file_header(self, record: rec.Record) -> None:
        if self.file is not None:
            self.misplaced(record, "")
        header = rec.file_header(record)
        if header.version == "":
            self.finding(FindingCode.VERSION_MISSING, "the file header leaves the version number blank; read as "
                         "BAI version 2", record, Severity.WARNING)
        elif header.version != "2":
            raise UnsupportedFormat(f"BAI version {header.version!r}; only version 2 is read",
                                    location=record.ref, field="version number")
        self.file, self.file_records = header, 0
        self.files.append(header)

    def group_header(self, record: rec.Record) -> None:
        if self.file is None or self.group is not None:
            self.misplaced(record, "a file header (01) or a group trailer (98)")
        assert self.file is not None
        self.group, self.group_records = rec.group_header(record), 0
        self.file.groups.append(self.group)

    def account_identifier(self, record: rec.Record) -> None:
        if self.group is None or self.account is not None:
            self.misplaced(record, "a group header (02) or an account trailer (49)")
        assert self.group is not None
        self.account, self.account_records = rec.account_identifier(record), 0
        self.group.accounts.append(self.account)

    def detail(self, record: rec.Record) -> None:
        if self.account is None:
            self.misplaced(record, "an account identifier (03)")
        assert self.account is not None
        self.account.details.append(rec.transaction_detail(record))

    def account_trailer(self, record: rec.Record) -> None:
        account = self.account
        if account is None:
            self.misplaced(record, "an account identifier (03)")
        assert account is not None
        total, count = rec.trailer(record, ("account control total", "number of records"))
        details = sum(d.amount for d in account.details)
        computed = sum(s.amount or 0 for s in account.summaries) + details
        if total != computed:
            net = sum(_signed(d) for d in account.details)
            if total == net:
                self.finding(FindingCode.CONTROL_TOTAL_NET_OF_DETAILS,
                             f"account {account.number}: control total {total} is the credits minus debits of its "
                             f"16 records, a bank convention; BAI2 defines it as the sum of every 03 and 16 amount "
                             f"({computed})", record, Severity.WARNING)
            else:
                self.finding(FindingCode.CONTROL_TOTAL_MISMATCH,
                             f"account {account.number}: control total {total}, but its 03 and 16 amounts add up "
                             f"to {computed}", record)
        self.check_count(record, "account", count, self.account_records + record.count)
        account.control_total = total
        self.account = None

    def group_trailer(self, record: rec.Record) -> None:
        group = self.group
        if group is None or self.account is not None:
            self.misplaced(record, "an account trailer (49)")
        assert group is not None
        total, accounts, count = rec.trailer(record, ("group control total", "number of accounts",
                                                      "number of records"))
        stated = sum(a.control_total or 0 for a in group.accounts)
        if total != stated:
            self.finding(FindingCode.CONTROL_TOTAL_MISMATCH, f"group control total {total}, but its account "
                         f"trailers add up to {stated}", record)
        if accounts != len(group.accounts):
            self.finding(FindingCode.ACCOUNT_COUNT_MISMATCH, f"the group trailer counts {accounts} accounts, "
                         f"the group holds {len(group.accounts)}", record)
        self.check_count(record, "group", count, self.group_records + record.count)
        group.control_total = total
        self.group = None

    def file_trailer(self, record: rec.Record) -> None:
        file = self.file
        if file is None or self.group is not None:
            self.misplaced(record, "a group trailer (98)")
        assert file is not None
        total, groups, count = rec.trailer(record, ("file control total", "number of groups", "number of records"))
        stated = sum(g.control_total or 0 for g in file.groups)
        if total != stated:
            self.finding(FindingCode.CONTROL_TOTAL_MISMATCH, f"file control total {total}, but its group "
                         f"trailers add up to {stated}", record)
        if groups != len(file.groups):
            self.finding(FindingCode.GROUP_COUNT_MISMATCH, f"the file trailer counts {groups} groups, the file "
                         f"holds {len(file.groups)}", record)
        self.check_count(record, "file", count, self.file_records + record.count)
        self.file = None

    def finish(self, last: rec.Record) -> None:
        missing = self.open_unit()
        if missing:
            last.fail(f"the data ends but {missing}")

    def check_count(self, record: rec.Record, unit: str, stated: int, actual: int) -> None:
        if stated != actual:
            self.finding(FindingCode.RECORD_COUNT_MISMATCH, f"the {unit} trailer counts {stated} records, the "
                         f"{unit} has {actual} (counting its 88 continuations and both ends)", record)

    def finding(self, code: FindingCode, message: str, record: rec.Record,
                severity: Severity = Severity.ERROR) -> None:
        location = f"{record.ref} ({rec.RECORD_NAMES[record.code]} {record.code})"
        self.findings.append(Finding(code, message, location, severity))


def _signed(detail: rec.Detail) -> int:
    direction = classify(detail.type_code).direction
    if direction is CreditDebit.CREDIT:
        return detail.amount
    return -detail.amount if direction is CreditDebit.DEBIT else 0
