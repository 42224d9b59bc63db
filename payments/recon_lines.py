"""Imported statements to stored lines: which lines count, what each one is called, what it may be matched by.

**Line identity** makes a re-sent or overlapping statement idempotent even when its bytes (and so its digest)
differ, such as an intraday report followed by the end-of-day statement, or a bank re-sending a corrected file:

* with a bank reference: (account, booking date, bank reference, direction, amount), so the same bank entry
  is recognized whatever file it arrives in, and two lines with one bank reference in one file are duplicates;
* without one: (account, booking date, direction, amount, customer reference, end-to-end ids, text) plus its
  occurrence number among identical lines of the same statement, so that two genuine $25.00 fees on one day
  stay two lines.

Only booked lines are stored; pending and information-only entries do not move the balance.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from datetime import date
from typing import NamedTuple

from payments.recon_rows import LineState, StatementRecord, StoredLine
from payments.statements import EntryStatus, ImportedFile, Statement, StatementLine

_NOT_REFERENCES = frozenset({"", "NOTPROVIDED", "NONREF", "NONE", "N/A"})


class PreparedLine(NamedTuple):
    """A booked line ready to store, and whether the same file already carried a line of the same identity."""

    line: StoredLine
    duplicate_in_file: bool = False


def references_of(line: StatementLine) -> tuple[str, ...]:
    """References the matcher tries, most specific first: bank and customer references, then batch ids."""
    values = [line.customer_reference, line.bank_reference, line.payment_info_id]
    for d in line.details:
        values += (d.instruction_id, d.transaction_id, d.payment_info_id)
    refs: list[str] = []
    for value in values:
        if value:
            text = value.strip()
            if text and " " not in text and text not in refs and text.upper() not in _NOT_REFERENCES:
                refs.append(text)
    return tuple(refs)


def end_to_end_ids_of(line: StatementLine) -> tuple[str, ...]:
    if not line.end_to_end_id and not line.details:
        return ()
    return tuple(e for e in line.end_to_end_ids if e.strip().upper() not in _NOT_REFERENCES and " " not in e)


def has_bank_reference(line: StatementLine) -> bool:
    return bool(line.bank_reference) and line.bank_reference.strip().upper() not in _NOT_REFERENCES


def identity_text(account_id: str, booked: date, line: StatementLine) -> str:
    """The identity before any occurrence number (see the module docstring)."""
    if has_bank_reference(line):
        return f"{account_id}|{booked}|ref|{line.bank_reference.strip()}|{line.direction}|{line.amount_minor}"
    return (f"{account_id}|{booked}|{line.direction}|{line.amount_minor}|{line.customer_reference or ''}|"
            f"{' '.join(line.end_to_end_ids)}|{line.text or ''}")


def prepare(imported: ImportedFile, file_id: str, new_id: Callable[[str], str]
            ) -> tuple[list[StatementRecord], list[PreparedLine], int]:
    """Statements and booked lines of a file (with identities), and how many unbooked lines were left out."""
    statements: list[StatementRecord] = []
    prepared: list[PreparedLine] = []
    unbooked = 0
    seen: set[str] = set()
    for statement in imported.statements:
        record = StatementRecord(new_id("stm"), file_id, statement.account_id, statement.currency,
                                 statement.statement_date, statement.opening_balance_minor,
                                 statement.closing_balance_minor, statement.statement_id, statement.interim)
        statements.append(record)
        occurrences: dict[str, int] = {}
        for line in statement.lines:
            if line.status is not EntryStatus.BOOKED:
                unbooked += 1
                continue
            booked = line.booking_date or line.value_date or statement.statement_date
            if booked is None:
                unbooked += 1  # the reader guarantees a date for booked lines; this is a belt to its braces
                continue
            text = identity_text(statement.account_id, booked, line)
            occurrence = occurrences[text] = occurrences.get(text, 0) + 1
            if not has_bank_reference(line):
                text = f"{text}#{occurrence}"
            identity = hashlib.sha256(text.encode()).hexdigest()
            duplicate = identity in seen
            if duplicate:
                # Stored (the bank did send it) under an identity of its own, and flagged, never matched.
                identity = hashlib.sha256(f"{text}|dup{occurrence}".encode()).hexdigest()
            seen.add(identity)
            prepared.append(PreparedLine(_stored(line, statement, record.id, file_id, booked, identity,
                                                 new_id("sln")), duplicate))
    return statements, prepared, unbooked


def _stored(line: StatementLine, statement: Statement, statement_id: str, file_id: str, booked: date,
            identity: str, line_id: str) -> StoredLine:
    # Positional: this runs once per line of a statement that may hold a million.
    return StoredLine(
        line_id, statement.account_id, line.direction.value, line.amount_minor, line.currency, booked,
        references_of(line), end_to_end_ids_of(line), line.is_return, line.return_reason, line.kind.value,
        identity, file_id, statement_id, line.line_ref, line.type_code, line.bank_reference,
        line.customer_reference, line.text, LineState.UNMATCHED)


def iter_new(prepared: list[PreparedLine], existing: set[str]) -> Iterator[PreparedLine]:
    """The prepared lines not already stored by an earlier file."""
    return (p for p in prepared if p.line.identity not in existing)
