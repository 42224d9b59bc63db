"""The split-purchase rule (issue 12, item 6) as worked examples, and the batch form that reports and review queues
use agreeing with the one-invoice form the approval path uses, on a random year."""

from __future__ import annotations

import datetime as dt
import random

from payments.ap.split_purchases import SplitCandidate, split_signal, split_signals

THRESHOLDS = {"USD": 2_500_000}
OCT_5 = dt.date(2026, 10, 5)


def inv(n: int, amount_minor: int, day: dt.date = OCT_5, vendor: str = "ven_acme", currency: str = "USD"):  # noqa: ANN201
    return SplitCandidate(f"inv_{n}", vendor, currency, day, amount_minor)


def test_two_halves_of_a_bill_cross_the_threshold_together():
    a, b = inv(1, 2_000_000), inv(2, 1_990_000)
    signal = split_signal(b, [a, b], thresholds_minor=THRESHOLDS, window_days=30)
    assert (signal.together_with, signal.total_minor, signal.threshold_minor) == (("inv_1",), 3_990_000, 2_500_000)
    assert split_signal(a, [a], thresholds_minor=THRESHOLDS, window_days=30) is None


def test_what_does_not_count():
    b = inv(2, 1_990_000)
    others = [inv(3, 2_000_000, vendor="ven_other"),  # another vendor
              inv(4, 2_000_000, currency="EUR"),  # another currency
              inv(5, 3_000_000),  # above the threshold: it needed two approvers on its own
              inv(6, 2_000_000, OCT_5 + dt.timedelta(days=31))]  # outside the window
    assert split_signal(b, [b, *others], thresholds_minor=THRESHOLDS, window_days=30) is None
    assert split_signal(inv(7, 3_000_000), [b], thresholds_minor=THRESHOLDS, window_days=30) is None
    assert split_signal(b, [inv(1, 2_000_000)], thresholds_minor={}, window_days=30) is None  # unpriced: two anyway


def test_the_batch_form_judges_every_invoice_as_the_single_form_does():
    rng = random.Random(12)
    year = [inv(n, rng.randint(1, 3_000_000), dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 364)),
                vendor=f"ven_{rng.randint(1, 8)}", currency=rng.choice(["USD", "USD", "EUR"])) for n in range(800)]
    thresholds = {"USD": 2_500_000, "EUR": 2_000_000}
    batch = {s.invoice_id: s for s in split_signals(year, thresholds_minor=thresholds, window_days=14)}
    single = {i.invoice_id: s for i in year
              if (s := split_signal(i, year, thresholds_minor=thresholds, window_days=14)) is not None}
    assert batch == single and 0 < len(batch) < len(year)
