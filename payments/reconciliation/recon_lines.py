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
from collections.abc import Callable
from datetime import date

from payments.reconciliation.recon_rows import LineState, StatementRecord, StoredLine
from payments.reconciliation.statements import CreditDebit, EntryStatus, ImportedFile, StatementLine

_NOT_REFERENCES = frozenset({"", "NOTPROVIDED", "NONREF", "NONE", "N/A"})


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
    ref = line.bank_reference
    return ref is not None and bool(ref) and ref.strip().upper() not in _NOT_REFERENCES


def identity_text(account_id: str, booked: date, line: StatementLine) -> str:
    """The identity before any occurrence number (see the module docstring)."""
    if has_bank_reference(line):
        return f"{account_id}|{booked}|ref|{(line.bank_reference or '').strip()}|{line.direction}|{line.amount_minor}"
    return (f"{account_id}|{booked}|{line.direction}|{line.amount_minor}|{line.customer_reference or ''}|"
            f"{' '.join(line.end_to_end_ids)}|{line.text or ''}")


def prepare(imported: ImportedFile, file_id: str, new_id: Callable[[str], str]
            ) -> tuple[list[StatementRecord], list[StoredLine], set[str], int]:
    """Statements and booked lines of a file (with identities), the ids of the lines that repeat an earlier line
    of the same file (stored, flagged, never matched), and how many unbooked lines were left out.

    One pass, written for a million lines: the identity is ``identity_text`` spelled inline, and a line without
    batch details (every BAI2 line) takes its references and end-to-end id without the general helpers.
    """
    statements: list[StatementRecord] = []
    lines: list[StoredLine] = []
    repeated: set[str] = set()
    unbooked = 0
    seen: set[bytes] = set()
    days: dict[date, str] = {}
    sha256 = hashlib.sha256
    booked_status, credit, unmatched, not_refs = EntryStatus.BOOKED, CreditDebit.CREDIT, LineState.UNMATCHED, \
        _NOT_REFERENCES
    append = lines.append
    for statement in imported.statements:
        record = StatementRecord(new_id("stm"), file_id, statement.account_id, statement.currency,
                                 statement.statement_date, statement.opening_balance_minor,
                                 statement.closing_balance_minor, statement.statement_id, statement.interim)
        statements.append(record)
        account, statement_id = statement.account_id, record.id
        occurrences: dict[str, int] = {}
        for line in statement.lines:
            if line.status is not booked_status:
                unbooked += 1
                continue
            booked = line.booking_date or line.value_date or statement.statement_date
            if booked is None:
                unbooked += 1  # the reader guarantees a date for booked lines; this is a belt to its braces
                continue
            day = days.get(booked)
            if day is None:
                day = days[booked] = booked.isoformat()
            direction = "credit" if line.direction is credit else "debit"
            bank_reference, customer_reference, details = line.bank_reference, line.customer_reference, line.details
            ref = bank_reference.strip() if bank_reference else ""
            by_reference = bool(ref) and ref.upper() not in not_refs
            if details:
                references, end_to_end_ids = references_of(line), end_to_end_ids_of(line)
            else:
                references = _references(customer_reference, bank_reference, line.payment_info_id)
                e2e = line.end_to_end_id
                end_to_end_ids = (e2e,) if e2e and e2e.strip().upper() not in not_refs and " " not in e2e else ()
            if by_reference:
                text = f"{account}|{day}|ref|{ref}|{direction}|{line.amount_minor}"
            else:
                text = (f"{account}|{day}|{direction}|{line.amount_minor}|{customer_reference or ''}|"
                        f"{' '.join(line.end_to_end_ids) if details else line.end_to_end_id or ''}|{line.text or ''}")
            occurrence = occurrences[text] = occurrences.get(text, 0) + 1
            if not by_reference:
                text = f"{text}#{occurrence}"
            identity = sha256(text.encode()).digest()
            line_id = new_id("sln")
            if identity in seen:
                # Stored (the bank did send it) under an identity of its own, and flagged, never matched.
                identity = sha256(f"{text}|dup{occurrence}".encode()).digest()
                repeated.add(line_id)
            seen.add(identity)
            # Positional: this runs once per line of a statement that may hold a million.
            append(StoredLine(line_id, account, direction, line.amount_minor, line.currency, booked, references,
                              end_to_end_ids, line.is_return, line.return_reason, str(line.kind), identity, file_id,
                              statement_id, line.line_ref, line.type_code, bank_reference, customer_reference,
                              line.text, unmatched))
    return statements, lines, repeated, unbooked


def _references(*values: str | None) -> tuple[str, ...]:
    """``references_of`` for a line without batch details."""
    refs: list[str] = []
    for value in values:
        if value:
            text = value.strip()
            if text and " " not in text and text not in refs and text.upper() not in _NOT_REFERENCES:
                refs.append(text)
    return tuple(refs)
