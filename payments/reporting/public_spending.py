"""Where the money goes: the open checkbook's rows, totalled for the public by department, fund, object, payee and
month for a fiscal year, and filtered for a search.

Every figure here is made from ``checkbook.public_row``'s output, never from the raw paid items: the redaction rule
(a person's name and invoice number withheld) is that function's alone, so a page cannot show what the published
checkbook withholds. Payees who are people are all one payee, ``Redacted payee``: a reader can see how much went to
people, never which person.

A returned payment is listed (its status says so) but is not spend: the money came back, so it counts in no total,
as in the manager's spend report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from payments.reporting.checkbook import CheckbookRow, CheckbookStatus, PaidItem, public_row

DIMENSIONS = ("department", "fund", "object_code", "payee")
MAX_TEXT = 80  # the longest search or filter value a reader may send


class PaidItemsInPeriod(Protocol):
    def paid_items_between(self, since: dt.date, until: dt.date, *, fund: str | None = None,
                           department: str | None = None, object_code: str | None = None) -> Iterator[PaidItem]:
        """As ``CheckbookSource.paid_items``, only payments dated in [since, until] charged to the coding asked for
        (None: any). The coding is published as it is, so narrowing by it in the query changes nothing the
        redaction decides; the payee is narrowed only after it (a name the public cannot see is never searched)."""
        ...

    def paid_items_of(self, payment_id: str) -> Iterator[PaidItem]:
        """As ``CheckbookSource.paid_items``, only the one payment's (nothing for one that never left)."""
        ...


def fiscal_year_of(day: dt.date, start_month: int) -> int:
    """A fiscal year is named for the calendar year it ends in (July 2026 - June 2027 is 2027)."""
    return day.year + 1 if start_month > 1 and day.month >= start_month else day.year


def fiscal_year_bounds(fiscal_year: int, start_month: int) -> tuple[dt.date, dt.date]:
    first = dt.date(fiscal_year - 1 if start_month > 1 else fiscal_year, start_month, 1)
    following = dt.date(first.year + 1, start_month, 1)
    return first, following - dt.timedelta(days=1)


def fiscal_months(fiscal_year: int, start_month: int) -> list[dt.date]:
    """The first day of each month of the fiscal year, in order."""
    first, _ = fiscal_year_bounds(fiscal_year, start_month)
    return [dt.date(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1, 1) for i in range(12)]


@dataclass(frozen=True, slots=True)
class SpendingFilter:
    """What a reader narrowed the year to; ``None`` is everything. ``month`` is ``YYYY-MM`` within the year."""

    fiscal_year: int
    month: str | None = None
    department: str | None = None
    fund: str | None = None
    object_code: str | None = None
    payee: str | None = None
    text: str | None = None  # matched, ignoring case, in the payee, description and PO number

    def keeps(self, row: CheckbookRow) -> bool:
        if self.month is not None and row.payment_date.strftime("%Y-%m") != self.month:
            return False
        for name in ("department", "fund", "object_code", "payee"):
            wanted = getattr(self, name)
            if wanted is not None and (getattr(row, name) or "") != wanted:
                return False
        if self.text:
            needle = self.text.casefold()
            return any(needle in (v or "").casefold() for v in (row.payee, row.description, row.po_number))
        return True


@dataclass(slots=True)
class Total:
    key: str
    currency: str
    amount_minor: int = 0
    payments: set[str] = field(default_factory=set)

    @property
    def count(self) -> int:
        return len(self.payments)


@dataclass(slots=True)
class SpendingSummary:
    """Totals of the rows a filter keeps (returned payments excluded), by each dimension and by month."""

    filter: SpendingFilter
    total: dict[str, int]  # currency -> amount
    payments: int
    returned: int  # payments listed as returned, not counted
    redacted_minor: dict[str, int]  # currency -> what went to people (already inside ``total``)
    by: dict[str, list[Total]]  # dimension -> totals, largest first
    by_month: list[Total]  # every month of the fiscal year, in order, zero where nothing was paid


def _sorted(totals: dict[tuple[str, str], Total]) -> list[Total]:
    return sorted(totals.values(), key=lambda t: (-t.amount_minor, t.key, t.currency))


def summarise(rows: Iterable[CheckbookRow], wanted: SpendingFilter, *, start_month: int) -> SpendingSummary:
    """Totals of the year's public rows that ``wanted`` keeps."""
    dims: dict[str, dict[tuple[str, str], Total]] = {d: {} for d in DIMENSIONS}
    months = {m.strftime("%Y-%m"): m for m in fiscal_months(wanted.fiscal_year, start_month)}
    by_month: dict[tuple[str, str], Total] = {}
    total: dict[str, int] = {}
    redacted: dict[str, int] = {}
    paid: set[str] = set()
    returned: set[str] = set()
    for row in rows:
        if not wanted.keeps(row):
            continue
        if row.status is CheckbookStatus.RETURNED:
            returned.add(row.payment_id)
            continue
        paid.add(row.payment_id)
        total[row.currency] = total.get(row.currency, 0) + row.amount_minor
        if row.payee_redacted:
            redacted[row.currency] = redacted.get(row.currency, 0) + row.amount_minor
        for d in DIMENSIONS:
            key = getattr(row, d) or ""
            t = dims[d].setdefault((key, row.currency), Total(key, row.currency))
            t.amount_minor += row.amount_minor
            t.payments.add(row.payment_id)
        period = row.payment_date.strftime("%Y-%m")
        t = by_month.setdefault((period, row.currency), Total(period, row.currency))
        t.amount_minor += row.amount_minor
        t.payments.add(row.payment_id)
    currencies = sorted(total) or ["USD"]
    month_list = [by_month.get((m, c), Total(m, c)) for m in months for c in currencies]
    return SpendingSummary(wanted, total, len(paid), len(returned), redacted,
                           {d: _sorted(v) for d, v in dims.items()}, month_list)


class PublicSpending:
    """The public pages' service: the year's rows through the one redaction rule, summarised or listed."""

    def __init__(self, source: PaidItemsInPeriod, *, fiscal_year_start_month: int = 7) -> None:
        self._source, self.start_month = source, fiscal_year_start_month

    def rows(self, wanted: SpendingFilter) -> Iterator[CheckbookRow]:
        """The public rows of the year that ``wanted`` keeps, in payment-date order."""
        since, until = fiscal_year_bounds(wanted.fiscal_year, self.start_month)
        if wanted.month is not None:
            since = dt.date.fromisoformat(wanted.month + "-01")
            until = (since.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        items = self._source.paid_items_between(since, until, fund=wanted.fund, department=wanted.department,
                                                object_code=wanted.object_code)
        return (r for r in map(public_row, items) if wanted.keeps(r))

    def summary(self, wanted: SpendingFilter) -> SpendingSummary:
        return summarise(self.rows(wanted), wanted, start_month=self.start_month)

    def payment(self, payment_id: str) -> list[CheckbookRow]:
        """The public rows of one payment that left (one per invoice it paid); empty for any other id."""
        return [public_row(item) for item in self._source.paid_items_of(payment_id)]
