"""The database decides the common statement line (``payments.reconciliation.recon_trace``) exactly as the Python matcher does.

Every scenario runs twice, on two databases seeded alike: once with the set-based path (the default) and once
with every line through the matcher (``set_based=False``). After each file, both must hold the same line states,
the same match rows in the same order (method, confidence, amounts, whether and into which entry they posted),
the same exceptions, the same ``payment_settled`` entries and the same payment statuses. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace

import pytest
from sqlalchemy import select

from adapters.db.disbursements.payment_tables import payments as payments_table
from adapters.db.reconciliation.recon_tables import recon_exceptions, recon_lines, recon_matches
from payments.disbursements.payment_records import PaymentItemRecord, PaymentRecord, PaymentRunRecord
from payments.disbursements.payment_states import PaymentKind, PaymentStatus, RunStatus
from payments.disbursements.rails import RailSec
from tests.conftest import _pg_database, make_settings
from tests.unit.reconciliation.nacha_files import returns_file
from tests.unit.reconciliation.statement_files import bai2

from .recon_support import FakeBankAccounts, FakeInvoices, pid, recon_service, trace

TUE, WED, THU = dt.date(2026, 9, 22), dt.date(2026, 9, 23), dt.date(2026, 9, 24)


@pytest.fixture
def twins(db_url, tmp_path, clock):  # noqa: ANN001, ANN201
    """Two wired Disburse on two fresh databases of the same kind: (set-based, matcher only)."""
    import main
    from payments.example.example_agency import example_accounts

    extra = None
    if db_url.startswith("sqlite"):
        urls = [db_url, f"sqlite:///{tmp_path / 'twin.db'}"]
    else:
        extra = _pg_database()
        urls = [db_url, next(extra)]
    out = []
    for n, url in enumerate(urls):
        c = main.build(make_settings(url, tmp_path / f"twin{n}"), clock=clock, migrate=True)
        main.initialize(c, example=False)
        c.ledger.add_accounts(example_accounts())
        out.append(c)
    try:
        yield out
    finally:
        for c in out:
            c.engine.dispose()
        if extra is not None:
            extra.close()


class Twins:
    """The same payments and files into both databases; ``check`` compares what each stored."""

    def __init__(self, containers) -> None:  # noqa: ANN001
        self.containers = containers
        self.set_based: list[int] = []  # per file, the lines the database decided
        self.services = [recon_service(c, invoices=FakeInvoices(), bank_accounts=FakeBankAccounts(), set_based=s)
                         for c, s in zip(containers, (True, False))]

    def run(self, run_id: str, payments: list[PaymentRecord], *, submission: str | None = None) -> None:
        payments = [replace(p, submission_id=submission) for p in payments]
        for c in self.containers:
            total = sum(p.amount_minor for p in payments)
            run = PaymentRunRecord(run_id, TUE, TUE, RunStatus.SENT, payments[0].currency, "nacha",
                                   dt.datetime(2026, 9, 22, 15, tzinfo=dt.timezone.utc), "usr_clerk", total,
                                   len(payments), submission_id=submission)
            with c.uow() as uow:
                uow.payments.add_run(run, payments)
                uow.commit()

    def import_file(self, data: bytes) -> None:
        results = [s.import_file(data) for s in self.services]
        keep = ("lines_new", "lines_already_imported", "duplicate_lines", "lines_matched", "payments_settled",
                "payments_confirmed", "return_credits", "returns_posted", "exceptions_opened", "exceptions_resolved",
                "methods")
        got = [{k: getattr(r, k) for k in keep} for r in results]
        assert got[0] == got[1]
        assert results[1].lines_set_based == 0
        self.set_based.append(results[0].lines_set_based)
        self.check()

    def check(self) -> None:
        set_based, matcher = (self._state(c) for c in self.containers)
        for part in set_based:
            assert set_based[part] == matcher[part], part

    @staticmethod
    def _state(c) -> dict:  # noqa: ANN001
        with c.uow(read_only=True) as uow:
            conn = uow.conn
            ident = {r.id: bytes(r.identity).hex() for r in conn.execute(select(recon_lines.c.id,
                                                                                  recon_lines.c.identity))}
            entries = {e.draft.id: e.draft for e in uow.ledger_queries.list_entries(limit=100_000)}

            def entry(entry_id):  # noqa: ANN001, ANN202
                if entry_id is None:
                    return None
                d = entries[entry_id]
                return (d.effective_date, d.code, d.references.get("fund"))

            return {
                "lines": sorted((ident[r.id], r.state) for r in conn.execute(select(recon_lines))),
                "matches": [(ident[r.line_id], r.payment_id, r.role, r.method, r.confidence_pct, r.amount_minor,
                             r.currency, r.booking_date, bool(r.posted), entry(r.entry_id), r.matched_by, r.reason)
                            for r in conn.execute(select(recon_matches).order_by(recon_matches.c.id))],
                "exceptions": sorted((r.kind, r.status, ident.get(r.line_id), r.payment_ids, r.candidates,
                                      r.amount_minor, r.currency, r.detail, r.resolution)
                                     for r in conn.execute(select(recon_exceptions))),
                "entries": sorted((d.effective_date, d.code, tuple((p.account, p.direction.value, p.amount_minor,
                                                                     p.currency) for p in d.postings),
                                   sorted(d.data.items()), d.references.get("fund"))
                                  for d in entries.values() if d.code in ("payment_settled", "payment_returned")),
                "payments": sorted(conn.execute(select(payments_table.c.id, payments_table.c.status)).all()),
            }


def payment(name: str, amount: int, k: int | None, run: str, *, status: PaymentStatus = PaymentStatus.SENT,
            on: dt.date = TUE, currency: str = "USD", funds: tuple[tuple[str, int], ...] = (("100", 0),),
            sec: RailSec = RailSec.CCD, payment_id: str | None = None) -> PaymentRecord:
    p = payment_id or pid(name)
    items = tuple(PaymentItemRecord(f"inv_{p}_{n}", f"INV-{name}-{n}", share or amount, fund=fund)
                  for n, (fund, share) in enumerate(funds))
    return PaymentRecord(id=p, run_id=run, vendor_id=f"ven_{name}", account_id=f"bac_{name}", payee_name=name,
                         currency=currency, amount_minor=amount, kind=PaymentKind.LIVE, sec_code=sec, status=status,
                         effective_date=on, created_at=dt.datetime(2026, 9, 22, 15, tzinfo=dt.timezone.utc),
                         trace_number=trace(k) if k is not None else None, items=items)


def eur(data: bytes) -> bytes:
    return data.replace(b",USD,", b",EUR,")


@pytest.mark.parametrize("runs", ["in runs", "in one ordered insert"])
def test_the_worked_cases_decide_alike(twins, runs, monkeypatch):
    if runs == "in one ordered insert":  # as for a statement whose decided lines interleave throughout
        monkeypatch.setattr("adapters.db.reconciliation.recon_trace._SEGMENTS", 0)
    t = Twins(twins)
    t.run("run_solo1", [payment("solo1", 10000, 1, "run_solo1")])
    t.run("run_solo2", [payment("solo2", 20000, 2, "run_solo2")])
    t.run("run_twice", [payment("twice", 30000, 3, "run_twice")])  # two lines name it
    # A batch of three: one named by trace, then a line of the batch's total (no longer a whole batch).
    t.run("run_b", [payment("b1", 1000, 4, "run_b"), payment("b2", 2000, 5, "run_b"), payment("b3", 3000, 6, "run_b")])
    # A batch named by its run id, with a member also named by trace on another line.
    t.run("run_c", [payment("c1", 4000, 7, "run_c"), payment("c2", 5000, 8, "run_c")])
    t.run("run_early", [payment("early", 6000, 9, "run_early", on=THU)])  # booked before its effective date
    t.run("run_tail", [payment("tail", 7000, 10, "run_tail")])  # another line carries its id's last 15 characters
    t.run("run_suffix", [payment("suffix", 7500, 11, "run_suffix")])  # its line also carries another's id tail
    t.run("run_credit", [payment("credited", 8000, 12, "run_credit")])  # a credit names its trace
    t.run("run_eur", [payment("euro", 9000, 13, "run_eur", currency="EUR")])
    t.run("run_eur2", [payment("euro2", 9100, 14, "run_eur2", currency="EUR")])  # a USD line for a EUR payment
    t.run("run_funds", [payment("funds", 9500, 15, "run_funds", funds=(("100", 4500), ("400", 5000)))])
    t.run("run_fund4", [payment("fund4", 9600, 16, "run_fund4", funds=(("400", 0),))])
    t.run("run_mismatch", [payment("mismatch", 9700, 17, "run_mismatch")])
    t.run("run_settled", [payment("settled", 9800, 18, "run_settled", status=PaymentStatus.SETTLED)])
    t.run("run_sub", [payment("sub", 9900, 19, "run_sub")], submission="sub_1")  # a line names its submission
    t.run("run_amount", [payment("amount", 12345, None, "run_amount")])  # matched by amount and date
    t.run("run_old", [payment("old", 11000, 20, "run_old")])  # an open line from an earlier file names it
    t.run("run_idref", [payment("idref", 11100, 21, "run_idref")])  # another line names it by id
    t.run("run_no_items", [payment("noitems", 11200, 22, "run_no_items", funds=())])

    # An earlier file: a line for trace 20 whose amount is wrong stays open (an exception) ...
    t.import_file(bai2([("466", 999, "E1", trace(20), "ACH")], file_id="EARLY"))
    tail = pid("tail")[-15:]
    t.import_file(bai2([
        ("466", 10000, "R1", trace(1), "ACH"),
        ("466", 20000, "R2", trace(2), "ACH"),
        ("466", 30000, "R3a", trace(3), "ACH"),
        ("466", 30000, "R3b", trace(3), "ACH"),
        ("466", 1000, "R4", trace(4), "ACH"),
        ("466", 5000, "R4T", "", "ACH BATCH TOTAL"),  # b2 + b3: the batch is no longer whole
        ("466", 9000, "R5", "run_c", "ACH BATCH"),
        ("466", 4000, "R6", trace(7), "ACH"),
        ("466", 6000, "R7", trace(9), "ACH"),
        ("466", 7000, "R8", trace(10), "ACH"),
        ("466", 1, "R8T", tail, "ACH"),
        ("466", 7500, tail, trace(11), "ACH"),
        ("466", 8000, "R9", trace(12), "ACH"),
        ("166", 8000, "R9C", trace(12), "CREDIT"),
        ("466", 9100, "R10", trace(14), "ACH"),
        ("466", 9500, "R11", trace(15), "ACH"),
        ("466", 9600, "R12", trace(16), "ACH"),
        ("466", 9701, "R13", trace(17), "ACH"),
        ("466", 9800, "R14", trace(18), "ACH"),
        ("466", 9900, "R15", trace(19), "ACH"),
        ("466", 5, "R15S", "sub_1", "ACH"),
        ("466", 12345, "R16", "", "NO REFERENCE"),
        ("466", 11000, "R17", trace(20), "ACH"),
        ("466", 11100, "R18", trace(21), "ACH"),
        ("466", 1, "R18I", pid("idref"), "ACH"),
        ("466", 11200, "R19", trace(22), "ACH"),
        ("466", 77, "R20", "231380109999999", "ACH"),  # our format, naming nothing
        ("469", 2500, "SVC1", "", "SERVICE CHARGE"),
    ], file_id="MAIN"))
    t.import_file(eur(bai2([("466", 9000, "E13", trace(13), "ACH")], file_id="EURO")))
    # A return comes back, then its credit; a later statement names a payment the first left open.
    t.import_file(returns_file([(1, 10000, "R01")]))
    t.import_file(bai2([("166", 10000, "RC1", "", "ACH RETURN"), ("466", 11000, "L2", "", "LATE")], on=THU,
                       file_id="LATER"))
    # Of the main file, only the lines naming solo1, solo2, b1, fund4 and noitems by trace meet every condition.
    assert t.set_based == [0, 5, 1, 0, 0]


def _generated(rng: random.Random, round_: int, t: Twins) -> bytes:
    """Payments in small runs (some sharing a run, a few settled or returned by another path, some EUR, some of
    two funds, a few without trace) and a statement naming them every way the matcher knows, and wrongly."""
    base = 1000 * (round_ + 1)
    payments: list[PaymentRecord] = []
    for r in range(rng.randint(10, 18)):
        run = f"run_g{round_}_{r}"
        members = []
        for m in range(rng.choice((1, 1, 1, 2, 3))):
            k = base + len(payments) + len(members)
            status = rng.choice([PaymentStatus.SENT] * 8 + [PaymentStatus.SETTLED, PaymentStatus.RETURNED])
            members.append(payment(f"g{round_}_{k}", rng.choice((500, 700, 900, 1100)) * (1 + rng.randint(0, 2)),
                                   k if rng.random() > 0.1 else None, run, status=status,
                                   on=rng.choice((TUE, TUE, TUE, THU)),
                                   currency="EUR" if rng.random() < 0.1 else "USD",
                                   funds=(("100", 0),) if rng.random() > 0.15 else (("100", 100), ("400", 0)),
                                   sec=rng.choice((RailSec.CCD, RailSec.CCD, RailSec.PPD))))
        members = [p if len(p.items) == 1 else _split(p) for p in members]
        t.run(run, members, submission=f"sub_g{round_}_{r}" if rng.random() < 0.3 else None)
        payments += members
    lines = []
    for n in range(rng.randint(10, 24)):
        p = rng.choice(payments)
        how = rng.random()
        amount = p.amount_minor if rng.random() > 0.1 else p.amount_minor + 1
        if how < 0.55 and p.trace_number:
            refs = [p.trace_number]
        elif how < 0.62:
            refs = [p.id]
        elif how < 0.68:
            refs = [p.id[-15:]]
        elif how < 0.74:
            refs = [p.run_id]
            amount = sum(q.amount_minor for q in payments if q.run_id == p.run_id)
        elif how < 0.77:
            refs = [p.submission_id or f"{p.run_id}:{p.sec_code}"]
        elif how < 0.8:
            refs = []
        elif how < 0.85:
            refs = [rng.choice(payments).trace_number or "X"]
            if p.trace_number:
                refs.append(p.trace_number)
        else:
            refs = [f"REF{round_}{n}"]
        type_code = "166" if rng.random() < 0.08 else "469" if rng.random() < 0.05 else "466"
        lines.append((type_code, amount, f"B{round_}_{n}", refs[0] if refs else "", "ACH"))
        if len(refs) > 1:
            lines[-1] = (type_code, amount, refs[1], refs[0], "ACH")
    return bai2(lines, file_id=f"GEN{round_}", on=rng.choice((WED, WED, THU)))


def _split(p: PaymentRecord) -> PaymentRecord:
    first = p.items[0]
    return replace(p, items=(replace(first, amount_minor=100),
                             replace(p.items[1], amount_minor=p.amount_minor - 100)))


def test_generated_statements_decide_alike(twins):
    rng = random.Random(20261126)
    t = Twins(twins)
    for round_ in range(30):
        t.import_file(_generated(rng, round_, t))
    assert sum(t.set_based) > 40, t.set_based  # the database decided some lines, the matcher the others, alike


def test_picked_and_matched_rows_are_stored_in_runs_in_line_order():
    from adapters.db.reconciliation.recon_trace import _PAST, _segments

    # Picked lines at 0, 1, 5, 6; the matcher's first-pass rows for lines 3 (two payments) and 7, then a later one.
    keys = [(0, 3, 0), (0, 3, 1), (0, 7, 0), (1, 9, 0)]
    assert _segments([0, 1, 5, 6], keys) == [("picks", 0, 3), ("rows", 0, 2), ("picks", 3, 7), ("rows", 2, 4)]
    assert _segments([0, 1], []) == [("picks", 0, _PAST)]
    assert _segments([], keys) == [("rows", 0, 4)]
    assert _segments([8], [(0, 3, 0), (0, 7, 0)]) == [("rows", 0, 2), ("picks", 7, _PAST)]
