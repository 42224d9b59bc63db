"""What a bank file says, checked after reading and before anything is stored: its dates within the one date
policy, and every text we keep within what its column holds (a 5 MiB reference is a refusal, not a database error)."""

from __future__ import annotations

from datetime import date
from typing import Any

from payments.dates import DateOutOfRange, DatePolicy
from payments.errors import InvalidInput

# The longest text stored for each field of a file, a statement and a line (the recon tables' columns).
FILE_LIMITS = {"message_id": 200}
STATEMENT_LIMITS = {"account_id": 64, "statement_id": 200}
LINE_LIMITS = {"line_ref": 60, "type_code": 40, "bank_reference": 200, "customer_reference": 200, "text": 500,
               "return_reason": 40}


class TextTooLong(InvalidInput):
    code = "text_too_long"

    def __init__(self, where: str, field: str, length: int, most: int) -> None:
        super().__init__(f"{where}: {field} is {length} characters, more than the {most} it may have",
                         location=where, field=field)


def check_file_lengths(parsed: Any) -> None:
    """Every text we store from the file within its column; the first one over is refused with where it is."""
    for field, most in FILE_LIMITS.items():
        _within(parsed, field, most, "the file")
    for statement in getattr(parsed, "statements", ()):
        for field, most in STATEMENT_LIMITS.items():
            _within(statement, field, most, statement.location or "statement")
        for line in statement.lines:
            for field, most in LINE_LIMITS.items():
                _within(line, field, most, f"{statement.location or 'statement'} {line.line_ref[:60]}")


def _within(item: Any, field: str, most: int, where: str) -> None:
    value = getattr(item, field, None)
    if isinstance(value, str) and len(value) > most:
        raise TextTooLong(where, field, len(value), most)


def check_file_dates(parsed: Any, dates: DatePolicy, today: date, *, history: bool = False) -> None:
    """Every date a statement, returns or NOC file gives us is inside ``dates``; the first one outside is refused
    with where it is (a camt booking date of 9999-12-31 is a refusal, not a crash). ``history``: an import of
    older history, asked for explicitly, reaches back to the policy's ``history_from``."""
    found: list[tuple[str, date | None]] = []
    for statement in getattr(parsed, "statements", ()):
        found.append((f"{statement.location or 'statement'} statement date", statement.statement_date))
        for line in statement.lines:
            where = line.line_ref or "line"
            found += [(f"{where} booking date", line.booking_date), (f"{where} value date", line.value_date)]
    for notice in (*getattr(parsed, "returns", ()), *getattr(parsed, "changes", ())):
        found.append((f"{notice.location or 'notice'} effective date", notice.effective_date))
    earliest, latest = dates.window(today, history=history)
    why = "the bank file is refused; nothing was imported" + (
        "" if history and dates.history_from else " (older history: set [dates] history_from and import with --history)")
    for where, day in found:
        if day is not None and not earliest <= day <= latest:
            raise DateOutOfRange(where, day, earliest, latest, why)
