"""Split purchases: the one rule for "invoices from one vendor that together cross the two-approver threshold".

Above ``ApprovalPolicy``'s threshold an invoice needs two approvers; a bill cut in two, each part at or below the
threshold, would need only one each. So: an invoice at or below the threshold is *split suspected* when, with
the vendor's other invoices in the same currency, each also at or below the threshold and not cancelled or
returned, dated within ``window_days`` of it (either side), the sum crosses the threshold. Approval then requires
the second approver (``payments.ap.invoice_approval``) and a ``split_suspected`` hold explains why.

Pure: callers pass the invoices. The approval path asks about one invoice (``split_signal``); reports and review
queues ask about many (``split_signals``), with exactly the same answer for each.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

SPLIT_SUSPECTED = "split_suspected"
"""The hold (and assist signal) an invoice gets when it may be part of a split purchase."""


@dataclass(frozen=True, slots=True)
class SplitCandidate:
    """What the rule needs to know of an invoice."""

    invoice_id: str
    vendor_id: str
    currency: str
    invoice_date: dt.date
    amount_minor: int


@dataclass(frozen=True, slots=True)
class SplitSignal:
    """Why an invoice is suspected: the invoices it crosses the threshold with, their sum, and the window."""

    invoice_id: str
    vendor_id: str
    currency: str
    together_with: tuple[str, ...]
    total_minor: int
    threshold_minor: int
    window_from: dt.date
    window_to: dt.date

    def explanation(self) -> str:
        others = ", ".join(self.together_with[:5]) + (f" and {len(self.together_with) - 5} more"
                                                      if len(self.together_with) > 5 else "")
        return (f"With {others}, this vendor's invoices dated {self.window_from.isoformat()} to "
                f"{self.window_to.isoformat()} come to {self.total_minor} {self.currency} (minor units), above the "
                f"two-approver threshold of {self.threshold_minor}, though each is at or below it: a second "
                f"approver is needed")

    def facts(self) -> dict[str, object]:
        return {"together_with": list(self.together_with), "total_minor": self.total_minor,
                "expected": str(self.threshold_minor), "actual": str(self.total_minor),
                "threshold_minor": self.threshold_minor, "window_from": self.window_from.isoformat(),
                "window_to": self.window_to.isoformat(), "explanation": self.explanation()}


def split_signal(invoice: SplitCandidate, others: Iterable[SplitCandidate], *,
                 thresholds_minor: Mapping[str, int], window_days: int) -> SplitSignal | None:
    """The signal for ``invoice`` given the vendor's other invoices, or None when it is not suspected."""
    threshold = thresholds_minor.get(invoice.currency)
    if threshold is None or invoice.amount_minor > threshold or window_days < 0:
        return None  # an unpriced currency or an amount above the threshold needs two approvers anyway
    low = invoice.invoice_date - dt.timedelta(days=window_days)
    high = invoice.invoice_date + dt.timedelta(days=window_days)
    near = sorted((o for o in others if o.invoice_id != invoice.invoice_id and o.vendor_id == invoice.vendor_id
                   and o.currency == invoice.currency and o.amount_minor <= threshold
                   and low <= o.invoice_date <= high), key=lambda o: (o.invoice_date, o.invoice_id))
    total = invoice.amount_minor + sum(o.amount_minor for o in near)
    if total <= threshold:
        return None
    dates = [invoice.invoice_date, *(o.invoice_date for o in near)]
    return SplitSignal(invoice.invoice_id, invoice.vendor_id, invoice.currency,
                       tuple(o.invoice_id for o in near), total, threshold, min(dates), max(dates))


def split_signals(invoices: Iterable[SplitCandidate], *, thresholds_minor: Mapping[str, int],
                  window_days: int) -> list[SplitSignal]:
    """Every suspected invoice among ``invoices`` (a year's, a vendor's), each judged exactly as ``split_signal``
    would judge it; a sliding window over each vendor's invoices in date order, so a year streams in one pass."""
    by_vendor: dict[tuple[str, str], list[SplitCandidate]] = defaultdict(list)
    for inv in invoices:
        threshold = thresholds_minor.get(inv.currency)
        if threshold is not None and inv.amount_minor <= threshold and window_days >= 0:
            by_vendor[(inv.vendor_id, inv.currency)].append(inv)
    out = []
    for (_, currency), group in by_vendor.items():
        threshold = thresholds_minor[currency]
        group.sort(key=lambda o: (o.invoice_date, o.invoice_id))
        dates = [o.invoice_date for o in group]
        sums = [0]
        for o in group:
            sums.append(sums[-1] + o.amount_minor)
        for inv in group:
            low, high = window(inv.invoice_date, window_days)
            first, last = bisect_left(dates, low), bisect_right(dates, high)
            total = sums[last] - sums[first]
            if total <= threshold:
                continue
            near = [o for o in group[first:last] if o.invoice_id != inv.invoice_id]
            out.append(SplitSignal(inv.invoice_id, inv.vendor_id, currency, tuple(o.invoice_id for o in near),
                                   total, threshold, dates[first], dates[last - 1]))
    return sorted(out, key=lambda s: s.invoice_id)


def window(invoice_date: dt.date, window_days: int) -> tuple[dt.date, dt.date]:
    """The dates whose invoices can count with one dated ``invoice_date`` (what a repository loads)."""
    return invoice_date - dt.timedelta(days=window_days), invoice_date + dt.timedelta(days=window_days)
