"""Staff worklists over invoices: a filtered, sorted list paged by keyset (never OFFSET), the open holds by kind
with their counts and age, the invoices awaiting a given approver, and the late ones.

Read only. The rules stay where they are: "awaiting my approval" is the approval control's own test asked ahead
(``payments.controls``: never the person who entered or last changed it, never twice by the same person); the
server checks again when the approval is posted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from payments.ap.ap_errors import InvalidLimit
from payments.ports import UowFactory


class InvoiceSort(Enum):
    """The orders an invoice list can be read in; each pages by (value, id)."""

    RECEIVED = "received"
    """the order they were entered in (their ids are ULIDs)"""
    DUE = "due"
    """the prompt-pay due date; invoices without one come last"""
    TOTAL = "total"
    """the invoice total in minor units"""
    NUMBER = "number"
    """the vendor's invoice number, as text"""


@dataclass(frozen=True, slots=True)
class InvoiceFilter:
    status: str | None = None
    vendor_id: str | None = None
    hold: str | None = None  # has an open hold of this kind
    late_on: dt.date | None = None  # matched or approved, unpaid, due before this day
    awaiting_approval_by: str | None = None  # matched, and this user may add an approval
    number: str | None = None  # the vendor's invoice number, exactly
    total_minor: int | None = None  # the total, exactly


@dataclass(frozen=True, slots=True)
class Position:
    """Where a page ends: the sort value of its last row and that row's id."""

    value: str | int | None
    id: str


@dataclass(frozen=True, slots=True)
class InvoiceRow:
    id: str
    vendor_id: str
    vendor_name: str
    invoice_number: str
    invoice_date: dt.date | None
    received_on: dt.date | None
    currency: str
    total_minor: int
    status: str
    due_date: dt.date | None
    prompt_pay_rule: str | None
    open_holds: int

    def position(self, sort: InvoiceSort) -> Position:
        value: str | int | None = {
            InvoiceSort.RECEIVED: None, InvoiceSort.TOTAL: self.total_minor, InvoiceSort.NUMBER: self.invoice_number,
            InvoiceSort.DUE: self.due_date.isoformat() if self.due_date else None}[sort]
        return Position(value, self.id)


@dataclass(frozen=True, slots=True)
class HoldCount:
    """Open holds of one kind: how many, on how many invoices, and the oldest one's raise time (RFC 3339)."""

    hold: str
    holds: int
    invoices: int
    oldest_raised_at: str


class WorklistQueries(Protocol):
    def invoices(self, where: InvoiceFilter, *, sort: InvoiceSort, descending: bool, after: Position | None,
                 limit: int) -> list[InvoiceRow]:
        """Up to ``limit`` invoices matching ``where`` after ``after`` in the order asked, keyset-paged."""
        ...

    def count(self, where: InvoiceFilter, *, cap: int) -> int:
        """How many invoices match ``where``, counting no further than ``cap``."""
        ...

    def hold_summary(self) -> list[HoldCount]:
        """Every kind of hold that is open on some invoice, most invoices first."""
        ...


class WorklistUnitOfWork(Protocol):
    worklist: WorklistQueries

    def __enter__(self) -> WorklistUnitOfWork: ...

    def __exit__(self, *exc: object) -> None: ...


MAX_PAGE = 500


class Worklist:
    def __init__(self, uow: UowFactory[WorklistUnitOfWork]) -> None:
        self._uow = uow

    def invoices(self, where: InvoiceFilter, *, sort: InvoiceSort = InvoiceSort.RECEIVED, descending: bool = False,
                 after: Position | None = None, limit: int = 50) -> list[InvoiceRow]:
        if not 1 <= limit <= MAX_PAGE + 1:
            raise InvalidLimit(f"limit is 1 to {MAX_PAGE}")
        with self._uow(read_only=True) as uow:
            return uow.worklist.invoices(where, sort=sort, descending=descending, after=after, limit=limit)

    def count(self, where: InvoiceFilter, *, cap: int) -> int:
        """How many invoices match ``where``, up to ``cap`` (a count at the cap means "at least")."""
        with self._uow(read_only=True) as uow:
            return uow.worklist.count(where, cap=cap)

    def hold_summary(self) -> list[HoldCount]:
        with self._uow(read_only=True) as uow:
            return uow.worklist.hold_summary()
