"""The open holds by kind that the home page reads (``open_hold_counts``, kept by the triggers of migration
0025_open_hold_counts) always equal a recount of the open holds, on SQLite and PostgreSQL.

Worked example: invoice A gets two price holds and invoice B one; price counts 3 holds on 2 invoices. Releasing
one of A's leaves 2 holds on 2 invoices; releasing A's other leaves 1 on 1. The histories below do such steps at
random, through the invoice repository (as the services raise and release holds) and through the raw statements
other writers use (several rows at once, a kind changed, a row deleted, a transaction rolled back), and compare
after every step. Upgrading a database that already has holds fills the counts from a recount.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import random
import threading

import pytest
from sqlalchemy import delete, func, insert, select, text, update

from adapters.db.ap.ap_invoice_repo import SqlInvoiceRepository
from adapters.db.ap.ap_tables import invoice_holds, invoices, open_hold_counts
from payments.ap.ap_records import HoldRecord
from tests.conftest import make_settings
from tests.e2e.people import FAST_HASHER

KINDS = ("price", "qty_received", "duplicate_suspected")
_SERIAL = itertools.count(1)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def agency(request, tmp_path_factory):  # noqa: ANN001, ANN201
    """The example agency (its invoices to hang holds on), migrated to the current schema; one per module and
    database, since every test compares with a recount whatever the others left."""
    import main
    from adapters.clock import FixedClock
    from tests.conftest import _pg_database

    where = tmp_path_factory.mktemp("hold-counts")
    urls = _pg_database() if request.param == "postgres" else iter([f"sqlite:///{where / 'disburse.db'}"])
    url = next(urls)
    c = main.build(make_settings(url, where), clock=FixedClock(dt.datetime(2026, 11, 2, 15, tzinfo=dt.timezone.utc)),
                   migrate=True, password_hasher=FAST_HASHER)
    main.initialize(c, example=True)
    yield c
    c.engine.dispose()
    next(urls, None)  # drops the PostgreSQL database


def recount(conn) -> dict[str, tuple[int, int]]:  # noqa: ANN001
    h = invoice_holds.c
    return {r.hold: (r.n, r.inv) for r in conn.execute(
        select(h.hold, func.count().label("n"), func.count(func.distinct(h.invoice_id)).label("inv"))
        .where(h.status == "open").group_by(h.hold))}


def maintained(conn) -> dict[str, tuple[int, int]]:  # noqa: ANN001
    k = open_hold_counts.c
    rows = conn.execute(select(k.hold, func.sum(k.holds).label("n"), func.sum(k.invoices).label("inv"))
                        .group_by(k.hold)).all()
    assert all(r.n >= 0 and r.inv >= 0 for r in rows), rows
    return {r.hold: (int(r.n), int(r.inv)) for r in rows if r.n or r.inv}


def _hold(rnd: random.Random, invoice_id: str, n: int) -> dict:
    kind = rnd.choice(KINDS)
    return {"id": f"hld_t{next(_SERIAL):07d}", "invoice_id": invoice_id, "hold": kind, "rule": kind, "subject": f"line {n}",
            "fingerprint": f"fp{n}", "finding_json": "{}", "status": "open", "raised_at": f"2026-11-0{1 + n % 9}T10:00:00Z",
            "match_result_id": f"mr_t{n}"}


class _Rollback(Exception):
    pass


def _step(conn, rnd: random.Random, invoice_ids: list[str], n: int) -> None:  # noqa: ANN001, C901
    """One change to the holds, as one of their writers makes it."""
    h = invoice_holds.c
    ids = list(conn.execute(select(h.id).order_by(h.id)).scalars())
    open_ids = list(conn.execute(select(h.id).where(h.status == "open").order_by(h.id)).scalars())
    move = rnd.randrange(9)
    if move == 0 or not ids:  # the repository raises one, as matching and disputes do
        row = _hold(rnd, rnd.choice(invoice_ids), n)
        SqlInvoiceRepository(conn).add_hold(HoldRecord(
            row["id"], row["invoice_id"], row["hold"], row["rule"], row["subject"], row["fingerprint"], {}, "open",
            row["raised_at"], row["match_result_id"]))
    elif move == 1 and open_ids:  # the repository releases one (the guarded transition)
        SqlInvoiceRepository(conn).release_hold(rnd.choice(open_ids), released_by="usr_t", at="2026-11-10T00:00:00Z",
                                                reason="checked", kind="manual")
    elif move == 2:  # several in one executemany, often the same invoice and kind twice
        invoice_id = rnd.choice(invoice_ids)
        conn.execute(insert(invoice_holds), [_hold(rnd, invoice_id, n * 10 + i) for i in range(rnd.randint(2, 4))])
    elif move == 3:  # every open hold of an invoice released by one statement
        conn.execute(update(invoice_holds).where(h.invoice_id == rnd.choice(invoice_ids), h.status == "open")
                     .values(status="released", release_kind="cancel"))
    elif move == 4 and ids:  # a released hold opened again, or an open one re-kinded
        conn.execute(update(invoice_holds).where(h.id == rnd.choice(ids)).values(status="open", hold=rnd.choice(KINDS)))
    elif move == 5 and ids:
        conn.execute(delete(invoice_holds).where(h.id == rnd.choice(ids)))
    elif move == 6:  # several in one INSERT ... VALUES (...), (...): one statement, often one invoice and kind
        invoice_id = rnd.choice(invoice_ids)
        conn.execute(insert(invoice_holds).values([_hold(rnd, invoice_id, n * 10 + i) for i in range(3)]))
    elif move == 7:  # every hold of every invoice released, then some opened again, one statement each
        conn.execute(update(invoice_holds).values(status="released"))
        conn.execute(update(invoice_holds).where(h.id.in_(rnd.sample(ids, min(3, len(ids))))).values(status="open"))
    else:  # a change that is rolled back leaves the counts as they were
        conn.execute(insert(invoice_holds), [_hold(rnd, rnd.choice(invoice_ids), n * 10 + i) for i in range(3)])
        raise _Rollback


@pytest.mark.parametrize("seed", [1, 2])
def test_the_counts_equal_a_recount_after_any_history_of_holds(agency, seed):
    rnd = random.Random(seed)
    with agency.engine.connect() as conn:
        invoice_ids = list(conn.execute(select(invoices.c.id).order_by(invoices.c.id).limit(4)).scalars())
    assert len(invoice_ids) == 4
    changed = 0
    for n in range(30):
        try:
            with agency.engine.begin() as conn:
                _step(conn, rnd, invoice_ids, n)
        except _Rollback:
            pass
        with agency.engine.connect() as conn:
            counts = recount(conn)
            assert maintained(conn) == counts, f"seed {seed}, step {n}"
            changed += bool(counts)
    assert changed > 5  # the histories did keep holds open, not only an empty table


def test_the_worked_example_two_holds_of_one_kind_count_one_invoice(agency):
    with agency.engine.begin() as conn:
        conn.execute(delete(invoice_holds))
        a, b = conn.execute(select(invoices.c.id).order_by(invoices.c.id).limit(2)).scalars()
        rnd = random.Random(0)
        rows = [{**_hold(rnd, a, 1), "hold": "price"}, {**_hold(rnd, a, 2), "hold": "price"},
                {**_hold(rnd, b, 3), "hold": "price"}]
        conn.execute(insert(invoice_holds), rows)
    with agency.engine.begin() as conn:
        assert maintained(conn) == {"price": (3, 2)}
        SqlInvoiceRepository(conn).release_hold(rows[0]["id"], released_by="u", at="x", reason="r", kind="manual")
        assert maintained(conn) == {"price": (2, 2)}
        SqlInvoiceRepository(conn).release_hold(rows[1]["id"], released_by="u", at="x", reason="r", kind="manual")
        assert maintained(conn) == {"price": (1, 1)}


def test_upgrading_a_database_with_holds_fills_the_counts_from_a_recount(agency):
    import importlib

    from alembic.operations import Operations
    from alembic.runtime.migration import MigrationContext

    migration = importlib.import_module("adapters.db.migrations.versions.0025_open_hold_counts")
    rnd = random.Random(7)
    with agency.engine.begin() as conn:
        context = MigrationContext.configure(conn)
        with Operations.context(context):
            migration.downgrade()  # the database as 0024 left it
        invoice_ids = list(conn.execute(select(invoices.c.id).order_by(invoices.c.id).limit(3)).scalars())
        conn.execute(insert(invoice_holds), [_hold(rnd, rnd.choice(invoice_ids), 900 + i) for i in range(12)])
        with Operations.context(context):
            migration.upgrade()
    with agency.engine.connect() as conn:
        assert maintained(conn) == recount(conn) and sum(n for n, _ in recount(conn).values()) >= 12


def test_two_writers_adding_the_same_kind_to_one_invoice_at_once_count_it_once(agency):
    """PostgreSQL: each sees no other open hold of its kind when it starts; the second waits on the counter the
    first locked, then looks again and sees the first's hold."""
    if agency.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time (BEGIN IMMEDIATE): no two writers to race")
    c = agency
    with c.engine.begin() as conn:
        conn.execute(delete(invoice_holds))
        invoice_id = conn.execute(select(invoices.c.id).order_by(invoices.c.id).limit(1)).scalar_one()
    rnd = random.Random(5)
    first = c.engine.connect()
    tx = first.begin()
    first.execute(insert(invoice_holds).values({**_hold(rnd, invoice_id, 1), "hold": "price"}))
    done = threading.Event()

    def second() -> None:
        with c.engine.begin() as conn:
            conn.execute(insert(invoice_holds).values({**_hold(rnd, invoice_id, 2), "hold": "price"}))
        done.set()

    t = threading.Thread(target=second)
    t.start()
    assert not done.wait(1.0)  # waiting on the counter the first holds
    tx.commit()
    first.close()
    t.join(30)
    assert done.is_set()
    with c.engine.connect() as conn:
        assert maintained(conn) == recount(conn) == {"price": (2, 1)}


def test_a_change_that_moves_no_count_leaves_the_counts_alone(agency):
    """A change that moves no count (the finding rewritten) leaves the counts alone."""
    with agency.engine.begin() as conn:
        before = maintained(conn)
        conn.execute(update(invoice_holds).values(finding_json=json.dumps({"x": 1})))
        assert maintained(conn) == before == recount(conn)
