"""The streaming BAI2 reader: one pass over a large, well-formed file, straight to statement lines.

A million-line statement spends most of its import in reading when it goes through the ``bai2`` package (one
object per field) and then through our own tokenizer to check the package's view: about 75 µs a line. This
reader handles the common case of a large file in one pass at a few microseconds a line: one file (01 ... 99),
one record per physical line, no 88 continuations, 16 records without availability fields (funds type blank,
Z, 0, 1 or 2), and nothing to report. The first thing it does not handle, or anything it would have to report
(a control total, a record count, a balance, a status code in a detail, a group that is not an update, a field
that does not parse), makes it give up and return ``None``: the caller then reads the file with the package and
the tolerant reader, which name the line and field of every error and every finding. So what this reader
returns is exactly what those paths return for the same file; tests hold it to that.

Header and trailer records (a handful per file) are parsed by the same functions the tolerant reader uses; only
the 16 records take the short path, which checks what ``bai2_records.transaction_detail`` checks.
"""

from __future__ import annotations

from functools import lru_cache

from payments.reconciliation.statements import EntryStatus, MalformedFile, StatementLine, UnsupportedFormat

from . import bai2_records as rec
from .bai2_codes import TypeCode, classify

_PLAIN_FUNDS = frozenset({"", "Z", "0", "1", "2"})  # funds types without availability fields
_BOOKED = EntryStatus.BOOKED


class _GiveUp(Exception):
    """Not the common case: let the package and the tolerant reader read this file."""


@lru_cache(maxsize=1024)
def _line_code(code: str) -> TypeCode | None:
    """The type code, when a 16 record carrying it becomes a line without a finding; else None."""
    known = classify(code)
    return None if known.is_status or known.direction is None else known


def read_stream(text: str) -> tuple[rec.File, list[tuple[rec.Group, rec.Account, list[StatementLine]]]] | None:
    """The file header and, per account in file order, its group, account and lines; ``None`` to give up."""
    try:
        return _read(text)
    except (_GiveUp, MalformedFile, UnsupportedFormat):
        return None


def _record(code: str, number: int, body: str) -> rec.Record:
    return rec.Record(code, number, f"line {number}",
                      [rec.Piece(number, (body[:-1] if body.endswith("/") else body).split(","))])


def _read(text: str):  # noqa: ANN202, C901 - one loop, kept flat on purpose: it runs once per line
    file: rec.File | None = None
    group: rec.Group | None = None
    account: rec.Account | None = None
    accounts: list[tuple[rec.Group, rec.Account, list[StatementLine]]] = []
    lines: list[StatementLine] = []
    append = lines.append
    done = False
    detail_sum = account_records = group_records = file_records = 0
    currency = ""
    booked = None
    line_code = _line_code
    plain_funds = _PLAIN_FUNDS
    status = _BOOKED
    make = StatementLine
    number = 0
    for raw in text.splitlines():
        number += 1
        line = raw.rstrip()
        if not line:
            continue
        if done:
            raise _GiveUp  # something after the file trailer: a concatenated transmission
        slash = line.find("/")
        if slash != -1 and slash != len(line) - 1 and len(rec._split(line)) > 1:
            raise _GiveUp  # several records on one line
        code = line[:2]
        if line[2:3] != ",":
            raise _GiveUp
        if code == "16":
            if account is None:
                raise _GiveUp
            body = line[3:-1] if line[-1] == "/" else line[3:]
            fields = body.split(",")
            if len(fields) < 3:
                raise _GiveUp
            type_code, amount, funds = fields[0], fields[1], fields[2]
            known = line_code(type_code) if len(type_code) == 3 and type_code.isascii() and type_code.isdigit() \
                else None
            if known is None or known.direction is None or funds not in plain_funds \
                    or not (amount.isascii() and amount.isdigit()):
                raise _GiveUp
            value = int(amount)
            detail_sum += value
            account_records += 1
            n = len(fields)
            bank_reference = fields[3].strip() or None if n > 3 else None
            customer_reference = fields[4].strip() or None if n > 4 else None
            note = (",".join(fields[5:]).strip() or None) if n > 5 else None
            append(make(f"line {number}", known.direction, value, currency, booked, None, status, known.kind,
                        type_code, known.description, bank_reference, customer_reference, None, None, None, note,
                        None, known.is_return, known.is_reversal))
            continue
        record = _record(code, number, line[3:])
        if code == "01":
            if file is not None:
                raise _GiveUp
            file = rec.file_header(record)
            if file.version != "2":
                raise _GiveUp  # blank (a warning) or another version (refused): the tolerant reader says which
            file_records = 1
        elif code == "02":
            if file is None or group is not None:
                raise _GiveUp
            group = rec.group_header(record)
            if group.status != "1":
                raise _GiveUp  # a deletion, correction or test group: a finding
            file.groups.append(group)
            group_records = 1
        elif code == "03":
            if group is None or account is not None:
                raise _GiveUp
            account = rec.account_identifier(record)
            group.accounts.append(account)
            currency = account.currency or group.currency
            booked = group.as_of_date
            lines = []
            append = lines.append
            accounts.append((group, account, lines))
            detail_sum, account_records = 0, 1
        elif code == "49":
            if account is None:
                raise _GiveUp
            total, count = rec.trailer(record, ("account control total", "number of records"))
            account_records += 1
            if total != sum(s.amount or 0 for s in account.summaries) + detail_sum or count != account_records:
                raise _GiveUp
            account.control_total = total
            group_records += account_records
            account = None
        elif code == "98":
            if group is None or account is not None:
                raise _GiveUp
            total, count_accounts, count = rec.trailer(record, ("group control total", "number of accounts",
                                                                "number of records"))
            group_records += 1
            if (total != sum(a.control_total or 0 for a in group.accounts) or count_accounts != len(group.accounts)
                    or count != group_records):
                raise _GiveUp
            group.control_total = total
            file_records += group_records
            group = None
        elif code == "99":
            if file is None or group is not None:
                raise _GiveUp
            total, groups, count = rec.trailer(record, ("file control total", "number of groups", "number of records"))
            file_records += 1
            if total != sum(g.control_total or 0 for g in file.groups) or groups != len(file.groups) \
                    or count != file_records:
                raise _GiveUp
            done = True
        else:
            raise _GiveUp  # an 88 continuation, or not a record code
    if not done or file is None:
        raise _GiveUp
    return file, accounts
