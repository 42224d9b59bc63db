"""Assist signals for a review queue: explainable in one sentence with their evidence; they never decide.

So far one signal: **split purchases**, the controls' own rule (``payments.ap.split_purchases.split_signals``, the
one implementation: the approval path's ``split_suspected`` hold gives the same answer for each invoice). The queue
lists every invoice dated in a period that the rule suspects, judged with the vendor's invoices up to
``window_days`` either side of the period, so an invoice near its edge is judged as approval judged it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from payments.ap.split_purchases import SPLIT_SUSPECTED, SplitCandidate, split_signals


class SignalSource(Protocol):
    def split_candidates(self, since: dt.date, until: dt.date) -> Iterable[SplitCandidate]:
        """Every invoice dated in [since, until] that is not cancelled or returned."""
        ...


def split_purchase_queue(source: SignalSource, start: dt.date, end: dt.date, *, thresholds_minor: Mapping[str, int],
                         window_days: int) -> dict[str, Any]:
    since, until = start - dt.timedelta(days=window_days), end + dt.timedelta(days=window_days)
    signals = split_signals(source.split_candidates(since, until), thresholds_minor=thresholds_minor,
                            window_days=window_days)
    dated = {c.invoice_id: c.invoice_date for c in source.split_candidates(start, end)}
    return {"signal": SPLIT_SUSPECTED, "from": start.isoformat(), "to": end.isoformat(), "window_days": window_days,
            "items": [{"invoice_id": s.invoice_id, "vendor_id": s.vendor_id, "invoice_date": dated[s.invoice_id].isoformat(),
                       **s.facts()} for s in signals if s.invoice_id in dated]}
