"""Leader lease and run keys in SQL. PostgreSQL uses a session advisory lock; SQLite a lease row."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading

from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from adapters.db.scheduler.scheduler_tables import job_runs, scheduler_leases
from ledger.journal import format_time


_iso = format_time  # the one RFC 3339 form the journal stores too


class SqlLeaderLock:
    """One process leads the scheduler. APScheduler 3 must not share a job store between processes."""

    def __init__(self, engine: Engine, holder: str, name: str = "scheduler", lease_s: int = 60) -> None:
        self._engine = engine
        self.holder = holder
        self._name = name
        self._lease_s = lease_s
        self._pg_conn: Connection | None = None
        # Jobs due in the same second fire at once from the scheduler's threads: they share this process's
        # leadership (one session, one lease row) instead of racing each other for it.
        self._mutex = threading.Lock()

    def try_acquire(self, now: dt.datetime) -> bool:
        """Take or renew leadership; False while another live process holds it."""
        with self._mutex:
            return self._pg_try() if self._engine.dialect.name == "postgresql" else self._row_try(now)

    def _row_try(self, now: dt.datetime) -> bool:
        expires = _iso(now + dt.timedelta(seconds=self._lease_s))
        with self._engine.begin() as conn:
            row = conn.execute(select(scheduler_leases).where(scheduler_leases.c.name == self._name)).first()
            if row is None:
                conn.execute(insert(scheduler_leases).values(name=self._name, holder=self.holder, expires_at=expires))
                return True
            if row.holder == self.holder or row.expires_at < _iso(now):
                # Guarded on what we read: if someone renewed in between, we do not steal the lease.
                won = conn.execute(update(scheduler_leases).where(
                    scheduler_leases.c.name == self._name, scheduler_leases.c.holder == row.holder,
                    scheduler_leases.c.expires_at == row.expires_at).values(holder=self.holder, expires_at=expires))
                return won.rowcount == 1
            return False

    def release(self) -> None:
        with self._mutex:
            self._release()

    def _release(self) -> None:
        if self._pg_conn is not None:
            # Closing returns the connection to the pool, where its session (and a session advisory lock) lives
            # on: unlock explicitly, and should that fail, discard the connection so that the session ends.
            conn, self._pg_conn = self._pg_conn, None
            try:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self._pg_key()})
                conn.commit()
                conn.close()
            except Exception:  # noqa: BLE001 - whatever went wrong, the session must not keep the lock
                conn.invalidate()
            return
        if self._engine.dialect.name != "postgresql":
            with self._engine.begin() as conn:
                conn.execute(delete(scheduler_leases).where(scheduler_leases.c.name == self._name,
                                                            scheduler_leases.c.holder == self.holder))

    def _pg_key(self) -> int:
        return int.from_bytes(hashlib.sha256(self._name.encode()).digest()[:8], "big", signed=True)

    def _pg_try(self) -> bool:
        if self._pg_conn is not None:
            try:
                self._pg_conn.execute(text("SELECT 1"))
                # Ended at once: left open, the leader's session would sit "idle in transaction" between fires,
                # and idle_in_transaction_session_timeout (DISBURSE_DB_*) would end it, and the lock with it.
                self._pg_conn.commit()
                return True
            except Exception:  # the session died: so did our lock
                self._pg_conn = None
        conn = self._engine.connect()
        got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self._pg_key()}).scalar()
        conn.commit()
        if got:
            self._pg_conn = conn
            return True
        conn.close()
        return False


class SqlRunKeys:
    """Claims a job fire by its run key: the first claimant runs it, every other one skips."""

    def __init__(self, engine: Engine, holder: str, lease_s: int = 900) -> None:
        self._engine = engine
        self._holder = holder
        self._lease_s = lease_s  # a run still "running" after this was left by a process that died

    def claim(self, job: str, run_key: str, now: dt.datetime) -> bool:
        """True: run it. A run still ``running`` past its lease was left by a process that died: taken over, by
        an update guarded on the holder and start time read, so of several takers exactly one runs it."""
        try:
            with self._engine.begin() as conn:
                conn.execute(insert(job_runs).values(run_key=run_key, job=job, holder=self._holder,
                                                     started_at=_iso(now), status="running"))
            return True
        except IntegrityError:
            pass
        t = job_runs.c
        with self._engine.begin() as conn:
            row = conn.execute(select(t.holder, t.started_at, t.status).where(t.run_key == run_key)).first()
            expired = _iso(now - dt.timedelta(seconds=self._lease_s))
            if row is None or row.status != "running" or row.started_at >= expired:
                return False
            taken = conn.execute(update(job_runs).where(t.run_key == run_key, t.status == "running",
                                                        t.holder == row.holder, t.started_at == row.started_at)
                                 .values(holder=self._holder, started_at=_iso(now),
                                         detail=f"taken over from {row.holder}, started {row.started_at}"))
            return taken.rowcount == 1

    def recent(self, job: str, limit: int = 20) -> list[tuple[str, str]]:
        """The job's latest runs by start time, newest first, as (run key, status): where catching up starts."""
        t = job_runs.c
        with self._engine.connect() as conn:
            rows = conn.execute(select(t.run_key, t.status).where(t.job == job)
                                .order_by(t.started_at.desc()).limit(limit)).all()
        return [(r.run_key, r.status) for r in rows]

    def running(self, job: str) -> list[str]:
        """Run keys of the job still ``running``: live ones, or ones a dead process left behind."""
        t = job_runs.c
        with self._engine.connect() as conn:
            return list(conn.execute(select(t.run_key).where(t.job == job, t.status == "running")).scalars())

    def statuses(self, run_keys: list[str]) -> dict[str, str]:
        """The status of each of these run keys that has a row."""
        if not run_keys:
            return {}
        t = job_runs.c
        with self._engine.connect() as conn:
            return {r.run_key: r.status for r in conn.execute(select(t.run_key, t.status)
                                                               .where(t.run_key.in_(run_keys)))}

    def finish(self, run_key: str, now: dt.datetime, status: str, detail: str = "") -> None:
        with self._engine.begin() as conn:
            conn.execute(update(job_runs).where(job_runs.c.run_key == run_key, job_runs.c.holder == self._holder)
                         .values(finished_at=_iso(now), status=status, detail=detail[:2000]))
