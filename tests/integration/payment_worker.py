"""A real payment process for the crash and concurrency tests.

``python -m tests.integration.payment_worker DB_URL TMP_DIR submit|create [RUN_KEY]`` builds Disburse the
way ``disburse`` does (main.build + wire_payments, the NACHA rail writing into TMP_DIR/outbox), with approved
invoices read from TMP_DIR/invoices.json and one active account per vendor. DISBURSE_CRASH_POINT makes it
SIGKILL itself at that named point.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

from adapters.clock import FixedClock
from payments.disbursements.payment_runs import PayableInvoice
from tests.conftest import make_settings
from tests.payment_fakes import FakeAccounts

NOW = dt.datetime(2026, 11, 2, 15, 0, tzinfo=dt.timezone.utc)


class JsonPayables:
    """Approved invoices in a JSON file that the test appends to between rounds."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def find(self, *, through: dt.date, currency: str | None = None) -> list[PayableInvoice]:
        rows = json.loads(self.path.read_text()) if self.path.exists() else []
        return [PayableInvoice(r["id"], r["vendor"], r["number"], "USD", r["amount"], dt.date.fromisoformat(r["due"]),
                               approver_ids=frozenset(r.get("approvers", ["usr_ann"]))) for r in rows]


def write_invoices(tmp: Path, rows: list[dict]) -> None:
    path = tmp / "invoices.json"
    tmp_path = tmp / "invoices.json.tmp"
    tmp_path.write_text(json.dumps(rows))
    tmp_path.replace(path)


def invoice_rows(start: int, count: int, vendors: int = 5) -> list[dict]:
    return [{"id": f"inv_{n:05d}", "vendor": f"ven_{n % vendors:03d}", "number": f"INV-{n}", "amount": 1_000 + n,
             "due": "2026-11-04"} for n in range(start, start + count)]


def container_for(db_url: str, tmp: Path):  # noqa: ANN201
    import main

    c = main.build(make_settings(db_url, tmp), clock=FixedClock(NOW), migrate=False)
    main.wire_payments(c, invoices=JsonPayables(tmp / "invoices.json"), accounts=FakeAccounts())
    return c


def race_rounds(db_url: str, tmp: str, index: int, rounds: int, barrier) -> None:  # noqa: ANN001
    """One of the concurrency test's processes: each round, wait for the others, then trigger the run."""
    c = container_for(db_url, Path(tmp))
    try:
        for r in range(rounds):
            barrier.wait(timeout=60)
            # Half the processes trigger the scheduled run (same key), half an ad-hoc run: both must be safe.
            c.payments.create_run(run_key=f"round-{r}" if index % 2 == 0 else None, attempts=50)
            barrier.wait(timeout=60)
    finally:
        c.engine.dispose()


def main_(argv: list[str]) -> int:
    db_url, tmp, command = argv[0], Path(argv[1]), argv[2]
    c = container_for(db_url, tmp)
    if command == "submit":
        out = [o.result for o in c.payments.submit_released()]
    else:
        result = c.payments.create_run(run_key=argv[3] if len(argv) > 3 else None)
        out = result.run.id if result.run else None
    print(json.dumps(out))
    c.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main_(sys.argv[1:]))
