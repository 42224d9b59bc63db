"""The open checkbook streams: publishing five times the payments takes no more memory.

A year of N settled payments (one invoice each, 200 vendors) is written straight into the payment tables (a size
fixture, not a story), then `publish_checkbook` — the job's body — runs under tracemalloc. The peak Python memory
of 15,000 payments stays within 1.5x that of 3,000, more than one read window (it would be about 5x if the rows were held), and every row is
published.
"""

from __future__ import annotations

import datetime as dt
import tracemalloc

from sqlalchemy import insert

from adapters.db.ap.ap_tables import vendors
from adapters.db.disbursements.payment_tables import payment_items, payment_runs, payments

STAMP = "2026-11-02T15:00:00+00:00"


def _year_of_payments(engine, n: int, start: int = 0) -> None:  # noqa: ANN001
    run = f"run_{start}"
    with engine.begin() as conn:
        if start == 0:
            conn.execute(insert(vendors), [
                {"id": f"ven_{v:04d}", "legal_name": f"Vendor {v}", "status": "active", "create_digest": "x",
                 "is_individual": v % 10 == 0} for v in range(200)])
        conn.execute(insert(payment_runs).values(
            id=run, run_date="2026-01-02", effective_date="2026-01-02", status="closed", currency="USD",
            rail="nacha", created_at=STAMP, created_by="system", total_minor=0, payment_count=n,
            required_releases=1, updated_at=STAMP))
        for chunk in range(start, start + n, 5_000):
            ids = range(chunk, min(chunk + 5_000, start + n))
            conn.execute(insert(payments), [
                {"id": f"pay_{i:08d}", "run_id": run, "vendor_id": f"ven_{i % 200:04d}", "account_id": "ba_1",
                 "payee_name": "x", "currency": "USD", "amount_minor": 10_000 + i, "kind": "live", "sec_code": "CCD",
                 "status": "settled", "effective_date": (dt.date(2026, 1, 1) + dt.timedelta(days=i % 365)).isoformat(),
                 "created_at": STAMP, "updated_at": STAMP} for i in ids])
            conn.execute(insert(payment_items), [
                {"payment_id": f"pay_{i:08d}", "invoice_id": f"inv_{i:08d}", "invoice_number": f"N-{i}",
                 "amount_minor": 10_000 + i, "discount_minor": 0, "interest_minor": 0, "fund": "100",
                 "approver_ids": "[]"} for i in ids])


def _peak_publishing(container, out) -> tuple[int, int]:  # noqa: ANN001
    import main

    tracemalloc.start()
    try:
        result = main.publish_checkbook(container, str(out))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result.rows, peak


def test_five_times_the_year_takes_no_more_memory(container, tmp_path):
    _year_of_payments(container.engine, 3_000)
    rows_small, peak_small = _peak_publishing(container, tmp_path / "small")
    _year_of_payments(container.engine, 12_000, start=3_000)
    rows_large, peak_large = _peak_publishing(container, tmp_path / "large")
    assert (rows_small, rows_large) == (3_000, 15_000)
    assert peak_large < 1.5 * peak_small, (peak_small, peak_large)
    assert (tmp_path / "large" / "checkbook" / "checkbook.csv").read_bytes().count(b"\r\n") == 15_001
    print(f"peak traced memory: 3,000 payments {peak_small:,} B; 15,000 payments {peak_large:,} B")
