"""Soak: match 100,000 invoices / 300,000 lines from pre-loaded facts in well under 20 s of CPU.

Opt-in (DISBURSE_SOAK=1): a timing is a measurement, not a unit test, and a busy CI machine would make it
flaky. Measured on a shared, busy 2-core machine: about 7 s, and about 9 s with the in-memory duplicate
index (data generation not counted).
"""

from __future__ import annotations

import os
import random
import time
from datetime import date, timedelta
from decimal import Decimal

import pytest

from payments.ap.documents import Invoice, InvoiceLine, MatchLevel, POStatus
from payments.ap.matching.duplicates import DuplicateIndex
from payments.ap.matching.match_context import MatchContext, POFacts, POLineFacts
from payments.ap.matching.matching import match_batch
from payments.ap.matching.tolerance import Tolerance, TolerancePolicy, Tolerances

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.environ.get("DISBURSE_SOAK") != "1", reason="soak test: set DISBURSE_SOAK=1 to run"),
]


def _facts_and_invoices(n_invoices: int, rng: random.Random) -> tuple[MatchContext, list[Invoice]]:
    n_pos = n_invoices * 3 // 5
    pos, lines = [], []
    for p in range(n_pos):
        po_id = f"PO-{p}"
        pos.append(POFacts(po_id, f"ven_{p % 2000}", "USD", POStatus.APPROVED, 10**9))
        for line_no in range(1, 6):
            received = Decimal(rng.choice([100] * 9 + [2]))
            lines.append(POLineFacts(
                po_id, line_no, "item", "each", Decimal(100), Decimal(rng.choice([1234, 999, "12.5"])),
                match_level=rng.choice(list(MatchLevel)), category=rng.choice(["a", "b", None]),
                quantity_received=received, quantity_accepted=received,
            ))
    context = MatchContext.of(pos, lines)
    invoices = []
    for i in range(n_invoices):
        po_id = f"PO-{rng.randrange(n_pos)}"
        picked = [rng.randint(1, 5) for _ in range(3)]
        inv_lines = tuple(
            InvoiceLine(k + 1, po_id, n, Decimal(rng.randint(1, 3)), context.lines[(po_id, n)].unit_price_minor)
            for k, n in enumerate(picked)
        )
        day = date(2026, 1, 1) + timedelta(days=i % 300)
        invoices.append(Invoice(
            f"inv_{i:06}", context.pos[po_id].vendor_id, f"INV-{i}", day, "USD", inv_lines, day + timedelta(days=2),
            "net 30", sum(line.amount_minor for line in inv_lines), "remit to", "contact",
        ))
    return context, invoices


@pytest.mark.parametrize("with_duplicates", [False, True])
def test_100k_invoices_300k_lines_match_in_well_under_20_s_of_cpu(with_duplicates):
    context, invoices = _facts_and_invoices(100_000, random.Random(7))
    policy = TolerancePolicy("soak", Tolerances(price=Tolerance(pct=Decimal(2)), quantity=Tolerance(pct=Decimal(5))))
    index = DuplicateIndex(policy.duplicate_window_days) if with_duplicates else None

    started = time.process_time()
    results = match_batch(invoices, context, policy, duplicate_index=index)
    elapsed_s = time.process_time() - started

    assert len(results) == 100_000 and sum(len(i.lines) for i in invoices) == 300_000
    assert any(not r.is_clean for r in results.values())  # the data does exercise the finding paths
    print(f"match_batch: {elapsed_s:.2f} s of CPU (duplicates: {with_duplicates})")
    assert elapsed_s < 20, f"{elapsed_s:.1f} s of CPU"
