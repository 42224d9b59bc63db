"""The bank test's world, clients, nemesis and checker (issue 17), in the Jepsen style.

Several clients (threads, each with its own HTTP client and so its own pooled PostgreSQL connections) create payment
runs, release and submit them through the API with Idempotency-Keys, retrying with the same key as a real client
does when the answer is a 5xx or "still in flight". Meanwhile a nemesis terminates their database sessions at random
(``pg_terminate_backend``, mid-transaction or idle in the pool) and holds the journal's chain head and the runs
table locked past the application's ``statement_timeout``, so statements are cancelled half way through a use case.

Every request is recorded (invoked, answered or failed, with status and body). Afterwards the world is healed (the
retries finish, the service submits what is released, a last run picks up whatever is left) and the checker holds
the history and the database to what must be true whatever the faults:

* no Idempotency-Key is ever answered with two different results;
* every 2xx had its effect (a run created exists; a submission answered ``accepted`` reached the bank);
* the bank (a rail that does not deduplicate) was handed each submission once and each payment once;
* every invoice was paid exactly once, none lost; the journal verifies and posts one ``payment_sent`` a payment.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import psycopg
from fastapi.testclient import TestClient
from sqlalchemy import select

from adapters.db.disbursements.payment_tables import payment_items, payments
from adapters.db.idempotency import SqlIdempotencyStore
from payments.disbursements.payment_runs import PayableInvoice
from payments.disbursements.payment_states import PaymentStatus, RunStatus
from payments.identity import Principal, Role
from tests.e2e.conftest import HeaderAuthenticator, as_role
from tests.payment_fakes import FakeAccounts, FakePayables, MemoryRail

TREASURER = Principal("usr_tina", frozenset({Role.TREASURER}))
STATEMENT_TIMEOUT_MS = 400  # the application's sessions; the nemesis holds its locks longer than this
LOCK_HOLD_S = 0.5
LEASE_S = 2.0  # the Idempotency-Key lease: far longer than any request runs here, short enough to heal quickly


@dataclass
class CountingRail(MemoryRail):
    """A rail that does not deduplicate: every ``submit`` call is recorded, so a second one is seen."""

    calls: list[str] = field(default_factory=list)

    def submit(self, batch):  # noqa: ANN001, ANN201
        with self.lock:
            self.calls.append(batch.submission_id)
        return super().submit(batch)


class LockedPayables(FakePayables):
    """Approved invoices, added by the controller while the clients' runs read them."""

    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.Lock()

    def add(self, *invoices: PayableInvoice) -> None:
        with self.lock:
            super().add(*invoices)

    def find(self, *, through: dt.date, currency: str | None = None) -> list[PayableInvoice]:
        with self.lock:
            return super().find(through=through, currency=currency)


@dataclass
class Op:
    """One request of the history: what was asked, under which key, and what came back (None: no answer)."""

    client: int
    kind: str
    key: str | None
    run_id: str | None
    status: int | None = None
    body: Any = None
    error: str | None = None


@dataclass
class World:
    container: Any
    app: Any
    rail: CountingRail
    payables: LockedPayables
    dsn: str  # libpq form, for the nemesis
    history: list[Op] = field(default_factory=list)
    runs: list[str] = field(default_factory=list)
    invoices: int = 0
    faults: Counter = field(default_factory=Counter)
    nemesis_error: BaseException | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def approve(self, count: int) -> None:
        """The controller approves more invoices (5 vendors, so runs have several payments)."""
        with self.lock:
            start, self.invoices = self.invoices, self.invoices + count
        self.payables.add(*(PayableInvoice(f"inv_{n:05d}", f"ven_{n % 5:03d}", f"INV-{n}", "USD", 1_000 + n,
                                           dt.date(2026, 11, 4), approver_ids=frozenset()) for n in range(start, start + count)))


def timeout_url(pg_url: str) -> str:
    """The database URL with a statement timeout on every session the application opens."""
    return f"{pg_url}?options=-cstatement_timeout%3D{STATEMENT_TIMEOUT_MS}"


def make_world(container, pg_url: str) -> World:  # noqa: ANN001
    import main

    rail, payables = CountingRail(name="nacha"), LockedPayables()
    main.wire_payments(container, invoices=payables, accounts=FakeAccounts(), rails=lambda _name: rail)
    app = main.create_app(container)
    app.state.authenticator = HeaderAuthenticator()
    app.state.idempotency = SqlIdempotencyStore(container.engine, lease_s=LEASE_S)
    return World(container, app, rail, payables, pg_url)


def definitive(op: Op) -> bool:
    """An answer the client may act on: not a server error, not 'still being processed', not a lost connection."""
    if op.status is None or op.status >= 500:
        return False
    return not (op.status == 409 and isinstance(op.body, dict) and op.body.get("code") == "idempotency_key_in_flight")


def request(world: World, http: TestClient, client: int, kind: str, path: str, headers: dict, key: str | None,
            run_id: str | None, *, tries: int = 6) -> Op:
    """One logical request, retried with the same key while the answer is not definitive."""
    op = Op(client, kind, key, run_id)
    for attempt in range(tries):
        op = Op(client, kind, key, run_id)
        try:
            response = http.post(path, json={} if kind == "create" else None,
                                 headers={**headers, **({"Idempotency-Key": key} if key else {})})
            op.status = response.status_code
            op.body = response.json() if response.content else None
        except Exception as exc:  # noqa: BLE001 - the connection died under the client: no answer
            op.error = f"{type(exc).__name__}: {exc}"[:200]
        with world.lock:
            world.history.append(op)
        if definitive(op):
            return op
        time.sleep(0.02 * (attempt + 1))
    return op


def client_loop(world: World, client: int, until: float, seed: int) -> None:
    rng = random.Random(seed)
    http = TestClient(world.app, raise_server_exceptions=False)
    started = time.monotonic()
    while time.monotonic() < until:
        kind = rng.choices(["create", "release", "submit"], weights=[2, 2, 3])[0]
        if kind == "create" or not world.runs:
            # A few keys per half second, shared by the clients: the same key arrives concurrently.
            key = f"create-{int((time.monotonic() - started) * 2)}-{rng.randrange(2)}" if rng.random() < 0.9 else None
            op = request(world, http, client, "create", "/v1/payment-runs", as_role("ap_clerk"), key, None)
            if op.status == 201:
                with world.lock:
                    world.runs.append(op.body["id"])
            continue
        run_id = rng.choice(world.runs)
        if kind == "release":
            request(world, http, client, "release", f"/v1/payment-runs/{run_id}:release", as_role("treasurer"),
                    f"release-{run_id}", run_id)
        else:
            request(world, http, client, "submit", f"/v1/payment-runs/{run_id}:submit", as_role("treasurer"),
                    f"submit-{run_id}-{rng.randrange(2)}", run_id)


def nemesis(world: World, stop: threading.Event, seed: int) -> None:
    """Terminates the application's sessions at random, and holds hot rows locked past its statement timeout."""
    try:
        _nemesis(world, stop, seed)
    except BaseException as exc:  # the checker must hear of it: a nemesis that died tested nothing
        world.faults["nemesis died"] += 1
        world.nemesis_error = exc
        raise


def _nemesis(world: World, stop: threading.Event, seed: int) -> None:
    rng = random.Random(seed)
    with psycopg.connect(world.dsn, autocommit=True) as conn:
        while not stop.wait(rng.uniform(0.03, 0.12)):
            if rng.random() < 0.9:
                # Rather a session in the middle of a transaction than one idle in the pool (which the pool's
                # pre-ping would notice before use): that is the fault a use case has to survive.
                rows = conn.execute(
                    "SELECT pid, state <> 'idle' FROM pg_stat_activity WHERE datname = current_database()"
                    " AND pid <> pg_backend_pid() AND backend_type = 'client backend'").fetchall()
                busy = [pid for pid, working in rows if working]
                if rows:
                    victim = rng.choice(busy or [pid for pid, _ in rows])
                    if conn.execute("SELECT pg_terminate_backend(%s)", (victim,)).fetchone() == (True,):
                        world.faults["sessions terminated"] += 1
                continue
            target = rng.choice(["SELECT 1 FROM ledger_head WHERE id = 1 FOR UPDATE",
                                 "LOCK TABLE payment_runs IN SHARE ROW EXCLUSIVE MODE",
                                 "LOCK TABLE idempotency_keys IN SHARE ROW EXCLUSIVE MODE"])
            with conn.transaction():
                conn.execute(target)
                stop.wait(LOCK_HOLD_S)
            world.faults["locks held past the statement timeout"] += 1


def run_chaos(world: World, *, clients: int, seconds: float, seed: int = 17) -> None:
    world.approve(30)
    stop = threading.Event()
    until = time.monotonic() + seconds
    threads = [threading.Thread(target=client_loop, args=(world, c, until, seed + c)) for c in range(clients)]
    feeder_rng = random.Random(seed)
    nem = threading.Thread(target=nemesis, args=(world, stop, seed))
    nem.start()
    for t in threads:
        t.start()
    while time.monotonic() < until:
        time.sleep(feeder_rng.uniform(0.1, 0.3))
        world.approve(feeder_rng.randrange(3, 10))
    for t in threads:
        t.join(60)
    stop.set()
    nem.join(30)
    assert not any(t.is_alive() for t in threads + [nem]), "a client or the nemesis hung"
    assert world.nemesis_error is None, f"the nemesis died: {world.nemesis_error!r}"


def heal(world: World) -> None:
    """Faults over: the clients' unanswered keys are retried once leases run out, the service finishes what is
    released, and a last run pays whatever is still approved, so nothing may be left unpaid."""
    http = TestClient(world.app, raise_server_exceptions=False)
    time.sleep(LEASE_S + 0.2)
    answered = {(op.kind, op.key) for op in world.history if op.key and definitive(op)}
    for op in list(world.history):
        if op.key and (op.kind, op.key) not in answered:
            path = "/v1/payment-runs" if op.kind == "create" else f"/v1/payment-runs/{op.run_id}:{op.kind}"
            role = "ap_clerk" if op.kind == "create" else "treasurer"
            request(world, http, -1, op.kind, path, as_role(role), op.key, op.run_id)
            answered.add((op.kind, op.key))
    svc = world.container.payments
    # A submission whose attempt lost its session mid-delivery stays leased to that attempt (300 s): it may still
    # be running as far as anyone can tell. The clock moves past the lease, then the service finishes everything.
    world.container.clock.advance(minutes=6)
    finish_everything(svc)
    svc.create_run(run_key="after-the-storm")
    for run in svc.list_runs(status=RunStatus.DRAFT, limit=10_000):
        svc.release(TREASURER, run.id)
    finish_everything(svc)


def finish_everything(svc) -> None:  # noqa: ANN001
    """What the submit job does, tick after tick, until no run is left released or submitted."""
    for _ in range(100):
        if not svc.submit_released():
            return
    raise AssertionError("the submit job never finished")


def check(world: World) -> dict[str, int]:
    """Every invariant of the module's docstring; returns the counts the soak prints."""
    answers: dict[tuple[str, str], set[str]] = defaultdict(set)
    for op in world.history:
        if op.key and definitive(op):
            answers[(op.kind, op.key)].add(json.dumps([op.status, op.body], sort_keys=True))
    two_answers = {k: v for k, v in answers.items() if len(v) > 1}
    assert not two_answers, f"keys answered two ways: {two_answers}"

    svc = world.container.payments
    calls = Counter(world.rail.calls)
    assert not calls or max(calls.values()) == 1, f"the rail was handed a submission twice: {calls.most_common(3)}"
    at_bank = Counter(p for b in world.rail.received.values() for p in (x.payment_id for x in b.payments))
    assert not at_bank or max(at_bank.values()) == 1, "a payment reached the bank twice"
    for op in world.history:
        if op.kind == "create" and op.status == 201:
            assert svc.get_run(op.body["id"]).payment_count == op.body["payment_count"]
        if op.kind == "submit" and op.status == 200 and op.body["result"] in ("accepted", "already_recorded"):
            assert op.body["submission_id"] in world.rail.received, op.body
            assert svc.get_run(op.run_id).status is RunStatus.SENT

    with world.container.engine.connect() as conn:
        rows = conn.execute(select(payments.c.id, payments.c.status, payment_items.c.invoice_id)
                            .join(payment_items, payment_items.c.payment_id == payments.c.id)).all()
    left = [(r.id, r.status.value) for r in svc.list_runs(limit=10_000)
            if r.status in (RunStatus.DRAFT, RunStatus.RELEASED, RunStatus.SUBMITTED)]
    assert left == [], f"runs left behind after healing: {left[:5]}"
    sent = {r.id for r in rows if r.status == PaymentStatus.SENT.value}
    status_of = {r.id: r.status for r in rows}
    assert sent == set(at_bank), ("the books and the bank disagree on what was sent: at the bank only "
                                  f"{[(p, status_of.get(p)) for p in sorted(set(at_bank) - sent)][:8]}, "
                                  f"sent in the books only {sorted(sent - set(at_bank))[:8]}; runs "
                                  f"{[(r.id, r.status.value) for r in svc.list_runs(limit=10_000)]}")
    paid = Counter(r.invoice_id for r in rows if r.id in sent)
    assert set(paid) == {f"inv_{n:05d}" for n in range(world.invoices)}, "an approved invoice was never paid"
    assert max(paid.values()) == 1, f"paid twice: {[i for i, n in paid.items() if n > 1][:5]}"
    with world.container.uow(read_only=True) as uow:
        posted = uow.ledger_queries.list_entries(code="payment_sent", limit=len(sent) + 10)
    assert len(posted) == len(sent), (len(posted), len(sent))
    assert world.container.ledger.verify().ok
    return {"requests": len(world.history), "runs": len(svc.list_runs(limit=10_000)), "payments sent": len(sent),
            "invoices paid": len(paid), "rail calls": len(world.rail.calls),
            "answers 5xx or lost": sum(1 for op in world.history if op.status is None or op.status >= 500),
            **world.faults}
