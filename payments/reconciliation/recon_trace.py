"""The common statement line, decided by the database: a new debit that names one sent payment by its trace.

At a million lines, reading every open payment into Python to match lines that each carry one payment's trace
number is most of an import. The database can make that decision itself, set-based, joining the lines to the
payments by the trace index; what it decides must be exactly what the matcher (``payments.reconciliation.recon_matcher``)
would have decided, and taking those lines and payments out must not change a single other decision.

So the database decides a line only when (``adapters/db/reconciliation/recon_trace.py`` spells each condition in SQL):

* the line is new (not an open line from an earlier file), a debit, with no end-to-end ids and one to three
  references (``candidates`` below);
* exactly one of its references is a payment's trace number, that trace is no other payment's (of any status)
  and no payment's id, and the line's other references are no payment's id or trace; no reference of the line
  is the last 15 characters of any payment's id (the matcher's fourth key);
* the payment is ``sent``, live, effective on or after the look-back day and on or before the line's booking
  date (earlier needs the business calendar: left to the matcher), of the line's amount and currency, and its
  invoices are all of one fund (or it has none);
* no other line of the run (every line the matcher would see, open lines from earlier files included) names the
  payment by any key, no line names it by its id or the id's last 15 characters, and no line names its batch
  (``run:sec``), run or submission, which a group look-up would otherwise find.

Then the matcher, run on the other lines and the other payments, would have matched that line in its first pass
by trace, with the payment unused, and nothing else changes, given two things it is told: the prefixes of the
taken payments' traces (still ``ours``) and the batches that had a payment taken (no longer whole: the amount
pass must treat them as it treats a batch with a used payment). Its first-pass matches and the database's are
merged back in line order, so the match rows come out in the order the matcher alone would have stored them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple, TypeVar

from payments.reconciliation.recon_records import StatementLine


class TracePicks(NamedTuple):
    """Lines the database decided, in line order: position in the matcher's line list, the payment, its amount,
    and its fund ('' when the payment has no invoices: the book's default fund)."""

    positions: list[int]
    payment_ids: list[str]
    amounts: list[int]
    funds: list[str]
    trace_prefixes: frozenset[str]
    taken_batches: frozenset[str]

    def __bool__(self) -> bool:
        return bool(self.positions)


NO_PICKS = TracePicks([], [], [], [], frozenset(), frozenset())
"""Nothing decided by the database (the matcher decides every line)."""

_L = TypeVar("_L", bound=StatementLine)


def candidates(lines: Sequence[StatementLine], first_new: int) -> list[int]:
    """Positions of the lines the database may decide: new debits with references and no end-to-end ids."""
    return [pos for pos in range(first_new, len(lines))
            if (line := lines[pos]).references and not line.end_to_end_ids and line.direction == "debit"]


def without(lines: Sequence[_L], positions: Sequence[int]) -> tuple[list[_L], dict[str, int]]:
    """The lines not at ``positions`` (ascending), and their positions by line id."""
    rest: list[_L] = []
    where: dict[str, int] = {}
    start = 0
    for end in (*positions, len(lines)):
        for pos in range(start, end):
            line = lines[pos]
            rest.append(line)
            where[line.line_id] = pos
        start = end + 1
    return rest, where
