"""A payment run for a large state (issue 17): N approved invoices for V vendors through preview, create, release
and submit, on PostgreSQL and SQLite in one run.

    python benchmarks/payment_run.py [--invoices 100000] [--vendors 20000] [--db both|sqlite|pg] [--pg URL]

Setup (not timed): the large agency's generator (``large_agency.py``) with every invoice approved (received over
the last year, due 30 days later, so most are payable today), then one active, prenoted bank account per vendor
(account numbers sealed with the field cipher, as the bank-account flow stores them).

Timed, each a use case the API and the jobs call, through the real sources (``SqlPayableInvoices``,
``SqlPayeeAccounts``) and the NACHA rail: ``PaymentService.preview`` (plans, writes nothing), ``create_run``
(plans and stores the run, its payments and items), ``release`` (two treasurers: the run is above the dual-release
threshold), ``submit_released`` (claims the run, opens every account number, writes the NACHA file and posts one
``payment_sent`` a payment). Target: <= 30 s from preview to submitted, on PostgreSQL.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as C  # noqa: E402
import large_agency  # noqa: E402

TARGET_S = 30.0
ROUTING = "021000021"


def give_accounts(container) -> int:  # noqa: ANN001
    """One active, prenoted checking account per vendor without one."""
    from sqlalchemy import select

    from adapters.db.ap.ap_tables import vendors
    from adapters.db.bulk import bulk_insert
    from adapters.db.disbursements.payment_sources import ACCOUNT_NUMBER_COLUMN
    from adapters.db.people.identity_tables import bank_account_changes, vendor_bank_accounts
    from adapters.keys.field_cipher import AesGcmFieldCipher

    cipher = AesGcmFieldCipher.open(container.settings.path("key_dir"))
    at = large_agency._stamp(container.clock.now() - dt.timedelta(days=400))
    with container.engine.begin() as conn:
        have = {r[0] for r in conn.execute(select(vendor_bank_accounts.c.vendor_id))}
        ids = [r[0] for r in conn.execute(select(vendors.c.id)) if r[0] not in have]
        accounts, changes = [], []
        for n, vendor_id in enumerate(ids):
            account_id, change_id, number = f"bac_{vendor_id[4:]}", f"bch_{vendor_id[4:]}", f"{40000000 + n}"
            fingerprint = hashlib.sha256(f"{ROUTING}:{number}".encode()).hexdigest()
            accounts.append((account_id, vendor_id, ROUTING, "checking",
                             cipher.encrypt(number, row_id=account_id, column=ACCOUNT_NUMBER_COLUMN), number[-4:],
                             fingerprint, "active", change_id, at, at, at))
            changes.append(dict(id=change_id, vendor_id=vendor_id, bank_account_id=account_id, routing_number=ROUTING,
                                account_type="checking", account_mask=f"****{number[-4:]}",
                                account_fingerprint=fingerprint, phone_on_file="+1 555 0100", status="active",
                                requested_by="usr_bench_vendor_admin", requested_at=at, callback_by="usr_bench_clerk",
                                callback_at=at, callback_number="+1 555 0100", callback_outcome="confirmed",
                                approved_by="usr_bench_approver", approved_at=at, cooling_off_until=at,
                                prenote_sent_at=at, activated_at=at, shared_with_json="[]"))
        bulk_insert(conn, vendor_bank_accounts, iter(accounts), len(accounts))
        names = [c.name for c in bank_account_changes.columns]
        bulk_insert(conn, bank_account_changes, (tuple(d.get(k) for k in names) for d in changes), len(changes))
    return len(ids)


def run_once(url: str, work: Path, invoices: int, vendors: int) -> dict[str, float]:
    import main
    from payments.identity import Principal, Role

    large_agency.STATUS_SHARES = {}  # every invoice approved: the day a large state pays them all
    agency = large_agency.build(url, work, invoices=invoices, payments=0, vendors=vendors, portal_invoices=0)
    c = agency.container
    print(f"  accounts given: {give_accounts(c):,}", flush=True)
    svc = main.wire_payments(c)
    times: dict[str, float] = {}
    cpu = time.process_time()
    with C.Timer() as t:
        plan = svc.preview()
    times["preview"] = t.seconds
    with C.Timer() as t:
        result = svc.create_run(created_by="usr_bench_clerk")
    times["create"] = t.seconds
    run = result.run
    assert run is not None, "nothing payable"
    with C.Timer() as t:
        for who in ("usr_bench_tr1", "usr_bench_tr2")[:run.required_releases]:
            svc.release(Principal(who, frozenset({Role.TREASURER})), run.id)
    times["release"] = t.seconds
    with C.Timer() as t:
        outcomes = svc.submit_released()
    times["submit"] = t.seconds
    times["client CPU"] = time.process_time() - cpu
    assert [o.result for o in outcomes] == ["accepted"], outcomes
    files = list((work / "outbox").rglob("*.ach"))
    paid = sum(len(p.items) for p in svc.payments_of_run(run.id))
    print(f"  planned {len(plan.payments):,} payments; run {run.payment_count:,} payments of {paid:,} invoices "
          f"({len(plan.skipped):,} skipped), {len(files)} file(s) of {sum(f.stat().st_size for f in files):,} bytes",
          flush=True)
    c.engine.dispose()
    times["total"] = times["preview"] + times["create"] + times["release"] + times["submit"]
    times["invoices paid"] = paid
    return times


def main_() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--invoices", type=int, default=100_000)
    p.add_argument("--vendors", type=int, default=20_000)
    p.add_argument("--db", choices=("both", "sqlite", "pg"), default="both")
    p.add_argument("--pg", default=None, help="PostgreSQL URL (default: $DISBURSE_TEST_POSTGRES_URL or local)")
    args = p.parse_args()
    C.header(f"payment run: {args.invoices:,} approved invoices, {args.vendors:,} vendors, preview -> create -> "
             "release -> submit")
    rows = []
    for name in (("PostgreSQL", "SQLite") if args.db == "both" else ("PostgreSQL",) if args.db == "pg" else ("SQLite",)):
        with tempfile.TemporaryDirectory(prefix="payrun-bench-") as tmp:
            work = Path(tmp)
            if name == "SQLite":
                times = run_once(C.sqlite_url(work / "bench.db"), work, args.invoices, args.vendors)
            else:
                with C.pg_database(C.pg_url_from(args.pg)) as url:
                    times = run_once(url, work, args.invoices, args.vendors)
        rows.append((name, times))
        print(f"{name:<10} " + "  ".join(f"{k} {v:,.1f} s" if k != "invoices paid" else f"{k} {v:,.0f}"
                                         for k, v in times.items())
              + f"  (target <= {TARGET_S:.0f} s: {'met' if times['total'] <= TARGET_S else 'MISSED'})", flush=True)
    if len(rows) == 2:
        print(f"PostgreSQL / SQLite total time: {rows[0][1]['total'] / rows[1][1]['total']:.2f}x")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {rss:,.0f} MiB (generator included) - {C.machine()}")


if __name__ == "__main__":
    main_()
