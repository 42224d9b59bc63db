"""One large agency for every benchmark that needs one: the example agency (its chart, budgets, people and their
passwords) plus, bulk-inserted straight into the tables the migrations made, a large year of accounts payable.

    python benchmarks/large_agency.py [--invoices 1000000] [--payments 200000] [--vendors 20000] [--pg [URL]]

prints what it made and how long it took; benchmarks import ``build`` (see ``benchmarks/web_pages.py``).

What is made (``--invoices`` N, ``--payments`` P, every figure scaled from the defaults):

* vendors: ``--vendors`` active vendors (net 30), plus the example's four;
* invoices: N, one line each (a non-PO service invoice), received over the last year, due 30 days later, in the
  statuses an agency's year leaves them: paid (2 per payment: 2·P), approved, matched, held, entered, cancelled
  (the shares in ``STATUS_SHARES``); the example vendor Summit Office Supply gets ``--portal-invoices`` of them, so
  its portal user has a long list;
* a match result for every invoice that was matched, one open hold per held invoice (price, quantity received,
  duplicate: ``HOLD_KINDS``), one approval per approved or paid invoice;
* payment runs of 200 payments, P payments of two invoices each (settled, the newest runs still sent), their
  items holding the invoices live, as the payment store's unique ``live_invoice_id`` requires.

Rows are consistent with the real schema (every NOT NULL column, the foreign keys, the live-invoice rule, the
statuses the services write) but are not journal-backed: no ledger entry is posted for them, so a benchmark of
ledger figures must not use this agency. Times are stored in the journal's fixed-width RFC 3339 form; ids are
ULIDs with their prefixes, in time order as the services make them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as C  # noqa: E402

STATUS_SHARES = {"approved": 0.15, "matched": 0.15, "held": 0.10, "entered": 0.05, "cancelled": 0.05}  # rest: paid
HOLD_KINDS = ("price", "qty_received", "duplicate_suspected", "qty_ordered", "invoice_not_proper")
RUN_SIZE = 200
ENTERED_BY, APPROVED_BY = "usr_bench_clerk", "usr_bench_approver"
PORTAL_VENDOR = "V-1004"  # Summit Office Supply, whose portal user is summit-office-supply


@dataclass
class Agency:
    """What ``build`` made: the container (closed by the caller), the example people's passwords, and counts."""

    container: Any
    url: str
    work: Path
    passwords: dict[str, str]
    portal_vendor_id: str
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def _stamp(moment: dt.datetime) -> str:
    from ledger.journal import format_time

    return format_time(moment)


class _Ids:
    """ULIDs in time order (as the services make them), with their prefix."""

    def __init__(self, start: dt.datetime, rnd: random.Random) -> None:
        self._t = start.timestamp()
        self._rnd = rnd

    def __call__(self, prefix: str, at: dt.datetime | None = None) -> str:
        from ulid import ULID

        if at is not None:
            self._t = max(self._t, at.timestamp())
        self._t += 0.001
        ms = int(self._t * 1000)
        return f"{prefix}_{ULID.from_bytes(ms.to_bytes(6, 'big') + self._rnd.randbytes(10))}"


def _digest(*parts: object) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()


def _rows(table: Any, dicts: Iterator[dict[str, Any]]) -> Iterator[tuple]:
    names = [c.name for c in table.columns if not (c.primary_key and c.autoincrement is True)]
    for d in dicts:
        yield tuple(d.get(n) for n in names)


def _statuses(n: int, paid: int, days: list[int], rnd: random.Random) -> list[str]:
    """``paid`` invoices among those received more than 35 days before the end of the year (a run pays them
    after their 30 days), the rest in ``STATUS_SHARES``' proportions, shuffled."""
    old_enough = [i for i in range(n) if days[i] < 365 - 35]
    chosen = set(rnd.sample(old_enough, min(paid, len(old_enough))))
    rest: list[str] = []
    shares = sum(STATUS_SHARES.values())
    for status, share in STATUS_SHARES.items():
        rest += [status] * int((n - len(chosen)) * share / shares)
    rest += ["approved"] * (n - len(chosen) - len(rest))
    rnd.shuffle(rest)
    others = iter(rest)
    return ["paid" if i in chosen else next(others) for i in range(n)]


def build(url: str, work: Path, *, invoices: int = 1_000_000, payments: int = 200_000, vendors: int = 20_000,
          portal_invoices: int = 2_000, today: dt.date | None = None, seed: int = 14,
          say: Any = print) -> Agency:
    """The example agency at ``url`` (a fresh database), then the large year bulk-inserted into it."""
    import main
    from adapters.keys.passwords import PasswordHasher

    t0 = time.perf_counter()
    work.mkdir(parents=True, exist_ok=True)
    c = main.build(C.settings_for(url, work), migrate=True,
                   password_hasher=PasswordHasher(time_cost=1, memory_cost_kib=8, parallelism=1))
    main.initialize(c, example=True)
    passwords = {username: password for username, _name, password in c.example_sign_ins}
    rnd = random.Random(seed)
    today = today or dt.date.today()
    year_ago = dt.datetime.combine(today - dt.timedelta(days=365), dt.time(13), tzinfo=dt.timezone.utc)
    ids = _Ids(year_ago, rnd)
    with c.engine.begin() as conn:
        counts, portal_vendor = _fill(conn, ids, rnd, today=today, year_ago=year_ago, n_invoices=invoices,
                                      n_payments=payments, n_vendors=vendors, portal_invoices=portal_invoices)
    if c.engine.dialect.name == "postgresql":
        with c.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    else:
        with c.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    agency = Agency(c, url, work, passwords, portal_vendor, counts, time.perf_counter() - t0)
    say(f"large agency: {', '.join(f'{v:,} {k}' for k, v in counts.items())} in {agency.seconds:.1f} s "
        f"({c.engine.dialect.name})")
    return agency


def _fill(conn: Any, ids: _Ids, rnd: random.Random, *, today: dt.date, year_ago: dt.datetime, n_invoices: int,
          n_payments: int, n_vendors: int, portal_invoices: int) -> tuple[dict[str, int], str]:
    from sqlalchemy import select

    from adapters.db.ap.ap_tables import (invoice_approvals, invoice_holds, invoice_lines, invoices, match_results,
                                          vendors)
    from adapters.db.bulk import bulk_insert
    from adapters.db.disbursements.payment_tables import payment_items, payment_runs, payments
    from payments.ap.matching.duplicates import normalize_invoice_number

    made = _stamp(year_ago)
    portal_vendor = conn.execute(select(vendors.c.id).where(vendors.c.number == PORTAL_VENDOR)).scalar_one()
    vendor_ids = [ids("ven", year_ago) for _ in range(n_vendors)]
    names = {v: f"Bench Vendor {n:05d} LLC" for n, v in enumerate(vendor_ids, start=1)}
    names[portal_vendor] = "Summit Office Supply"
    bulk_insert(conn, vendors, _rows(vendors, ({
        "id": v, "number": f"VB-{n:06d}", "legal_name": names[v], "addresses_json": "[]", "contacts_json": "[]",
        "terms": "net 30", "is_1099": n % 7 == 0, "is_individual": False, "certifications_json": "[]",
        "status": "active", "version": 1, "create_digest": _digest("vendor", v), "created_by": ENTERED_BY,
        "created_at": made, "updated_by": ENTERED_BY, "updated_at": made} for n, v in enumerate(vendor_ids, 1))),
        n_vendors)

    owners = [portal_vendor if i < portal_invoices else vendor_ids[rnd.randrange(n_vendors)]
              for i in range(n_invoices)]
    rnd.shuffle(owners)
    days = sorted(rnd.randrange(0, 365) for _ in range(n_invoices))  # received in time order, as ids are
    statuses = _statuses(n_invoices, 2 * n_payments, days, rnd)
    inv: list[tuple[str, str, str, dt.date, int, str]] = []  # id, vendor, number, received, total, status
    for i in range(n_invoices):
        received = year_ago.date() + dt.timedelta(days=days[i])
        at = dt.datetime.combine(received, dt.time(14), tzinfo=dt.timezone.utc)
        inv.append((ids("inv", at), owners[i], f"B{i:07d}", received, 10_000 + rnd.randrange(5_000_000),
                    statuses[i]))
    def invoice_rows() -> Iterator[dict[str, Any]]:
        for invoice_id, vendor_id, number, received, total, status in inv:
            at = _stamp(dt.datetime.combine(received, dt.time(14), tzinfo=dt.timezone.utc))
            matched = status not in ("entered",)
            yield {"id": invoice_id, "vendor_id": vendor_id, "invoice_number": number,
                   "number_normalized": normalize_invoice_number(number), "invoice_date": received - dt.timedelta(days=2),
                   "received_on": received, "currency": "USD", "terms": "net 30", "stated_total_minor": total,
                   "total_minor": total, "remit_to": "", "defect_contact": "", "status": status, "version": 1,
                   "create_digest": _digest("invoice", invoice_id), "entered_by": ENTERED_BY, "entered_at": at,
                   "last_changed_by": ENTERED_BY, "last_changed_at": at,
                   "match_result_id": f"mr_{invoice_id[4:]}" if matched else None,
                   "match_digest": _digest("match", invoice_id) if matched else None,
                   "policy_version": "default-2026.1" if matched else None,
                   "pp_acceptance_date": received if matched else None, "pp_receipt_date": received if matched else None,
                   "pp_due_date": received + dt.timedelta(days=30) if matched else None,
                   "pp_policy_version": "default-2026.1" if matched else None,
                   "approved_at": at if status in ("approved", "paid") else None}
    bulk_insert(conn, invoices, _rows(invoices, invoice_rows()), n_invoices)
    bulk_insert(conn, invoice_lines, _rows(invoice_lines, ({
        "invoice_id": r[0], "line_no": 1, "quantity": 1_000_000, "unit_price_minor": str(r[4]),
        "amount_minor": r[4], "description": "services rendered"} for r in inv)), n_invoices)
    matched_rows = [r for r in inv if r[5] != "entered"]
    bulk_insert(conn, match_results, _rows(match_results, ({
        "id": f"mr_{r[0][4:]}", "invoice_id": r[0], "invoice_version": 1,
        "matched_at": _stamp(dt.datetime.combine(r[3], dt.time(14), tzinfo=dt.timezone.utc)), "trigger": "entered",
        "policy_version": "default-2026.1", "digest": _digest("match", r[0]), "findings_json": "[]",
        "status_after": "held" if r[5] == "held" else "matched"} for r in matched_rows)), len(matched_rows))
    held = [r for r in inv if r[5] == "held"]
    bulk_insert(conn, invoice_holds, _rows(invoice_holds, ({
        "id": f"hld_{r[0][4:]}", "invoice_id": r[0], "hold": (kind := HOLD_KINDS[n % len(HOLD_KINDS)]),
        "rule": kind, "subject": "line 1", "fingerprint": _digest("hold", r[0], kind),
        "finding_json": json.dumps({"rule": kind, "expected": "1", "actual": "2", "line_no": 1}), "status": "open",
        "raised_at": _stamp(dt.datetime.combine(r[3], dt.time(14), tzinfo=dt.timezone.utc)),
        "match_result_id": f"mr_{r[0][4:]}"} for n, r in enumerate(held))), len(held))
    approved = [r for r in inv if r[5] in ("approved", "paid")]
    bulk_insert(conn, invoice_approvals, _rows(invoice_approvals, ({
        "invoice_id": r[0], "invoice_version": 1, "approver_id": APPROVED_BY,
        "approved_at": _stamp(dt.datetime.combine(r[3], dt.time(16), tzinfo=dt.timezone.utc))} for r in approved)),
        len(approved))

    paid = sorted((r for r in inv if r[5] == "paid"), key=lambda r: r[3])
    by_vendor: dict[str, list[tuple]] = {}
    for r in paid:
        by_vendor.setdefault(r[1], []).append(r)
    pairs: list[list[tuple]] = []
    for rows in by_vendor.values():
        pairs += [rows[i:i + 2] for i in range(0, len(rows), 2)]
    pairs.sort(key=lambda p: p[-1][3])
    run_rows, payment_rows, item_rows = [], [], []
    for start in range(0, len(pairs), RUN_SIZE):
        group = pairs[start:start + RUN_SIZE]
        day = group[-1][-1][3] + dt.timedelta(days=31)
        at = dt.datetime.combine(day, dt.time(15), tzinfo=dt.timezone.utc)
        run_id = ids("run", at)
        sent = day >= today - dt.timedelta(days=3)
        total = 0
        for pair in group:
            payment_id = ids("pay", at)
            amount = sum(r[4] for r in pair)
            total += amount
            payment_rows.append({
                "id": payment_id, "run_id": run_id, "vendor_id": pair[0][1], "account_id": f"bac_{pair[0][1][4:]}",
                "payee_name": names.get(pair[0][1], pair[0][1]), "currency": "USD", "amount_minor": amount,
                "kind": "live", "sec_code": "CCD" if len(pair) == 1 else "CTX", "status": "sent" if sent else "settled",
                "effective_date": (day + dt.timedelta(days=1)).isoformat(),
                "trace_number": f"23138010{len(payment_rows):07d}", "submission_id": f"sub_{run_id[4:]}",
                "same_day": False, "created_at": _stamp(at), "updated_at": _stamp(at)})
            item_rows += [{"payment_id": payment_id, "invoice_id": r[0], "live_invoice_id": r[0], "invoice_number": r[2],
                           "invoice_date": (r[3] - dt.timedelta(days=2)).isoformat(),
                           "due_date": (r[3] + dt.timedelta(days=30)).isoformat(), "amount_minor": r[4],
                           "discount_minor": 0, "interest_minor": 0, "fund": "100",
                           "approver_ids": json.dumps([APPROVED_BY])} for r in pair]
        run_rows.append({"id": run_id, "run_date": day.isoformat(), "effective_date": (day + dt.timedelta(days=1)).isoformat(),
                         "status": "sent" if sent else "closed", "currency": "USD", "rail": "nacha",
                         "created_at": _stamp(at), "created_by": ENTERED_BY, "total_minor": total,
                         "payment_count": len(group), "required_releases": 1, "submission_id": f"sub_{run_id[4:]}",
                         "skipped": "[]", "same_day": False, "updated_at": _stamp(at)})
    bulk_insert(conn, payment_runs, _rows(payment_runs, iter(run_rows)), len(run_rows))
    bulk_insert(conn, payments, _rows(payments, iter(payment_rows)), len(payment_rows))
    bulk_insert(conn, payment_items, _rows(payment_items, iter(item_rows)), len(item_rows))
    counts = {"vendors": n_vendors, "invoices": n_invoices, "holds": len(held), "payments": len(payment_rows),
              "payment runs": len(run_rows), "portal vendor's invoices": portal_invoices}
    return counts, portal_vendor


def main() -> None:
    import tempfile

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--invoices", type=int, default=1_000_000)
    p.add_argument("--payments", type=int, default=200_000)
    p.add_argument("--vendors", type=int, default=20_000)
    p.add_argument("--pg", nargs="?", const="", default=None, help="PostgreSQL (URL, or DISBURSE_TEST_POSTGRES_URL)")
    args = p.parse_args()
    C.header("large agency generator")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if args.pg is None:
            agency = build(C.sqlite_url(work / "agency.db"), work, invoices=args.invoices, payments=args.payments,
                           vendors=args.vendors)
            agency.container.engine.dispose()
            return
        with C.pg_database(C.pg_url_from(args.pg or None)) as url:
            agency = build(url, work, invoices=args.invoices, payments=args.payments, vendors=args.vendors)
            agency.container.engine.dispose()


if __name__ == "__main__":
    main()
