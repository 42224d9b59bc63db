"""Three scheduler processes on one PostgreSQL database (issue 17), the way three ``disburse serve`` processes run
them: each with APScheduler's own in-memory store and three jobs due every second, all started together; the leader
is SIGKILLed in the middle of a job body and the others carry on.

Each body writes when it starts and when it ends, with the slot (the job's scheduled time) it was fired for. Then:
no slot's body ran to its end twice; the bodies that never ended are those a kill cut short; after the kill a new
leader ran the following slots, without waiting for a lease; no slot was skipped at the failover (each tick catches up
the slots since the last finished one), and the slot the leader died in was finished by another process once its run
lease ran out. ``DISBURSE_SOAK=1`` runs it longer, killing each new leader in turn.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import signal
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

import main
from adapters.clock import SystemClock
from adapters.db.engine import make_engine
from adapters.db.scheduler.scheduler_store import SqlLeaderLock, SqlRunKeys
from adapters.db.scheduler.scheduler_tables import job_runs
from adapters.scheduler import Job, JobRunner, build_scheduler
from tests.conftest import _pg_database, make_settings

SOAK = os.environ.get("DISBURSE_SOAK") == "1"
JOBS = ("payments_submit", "payments_prenote_relay", "ledger_checkpoint")  # three due in the same second
BODY_S = 0.3  # long enough to be killed in the middle of
RUN_LEASE_S = 2


class SlotRunner(JobRunner):
    """Tells the body which slot it was fired for (the body runs in the firing thread)."""

    current = threading.local()

    def fire(self, job: Job, scheduled_for: dt.datetime) -> str:
        SlotRunner.current.slot = scheduled_for.isoformat()
        return super().fire(job, scheduled_for)


def scheduler_process(db_url: str, log_dir: str) -> None:
    """One ``serve``'s scheduler (forked), until it is killed."""
    holder = f"proc:{os.getpid()}"
    engine = make_engine(db_url)
    log = open(Path(log_dir) / f"{os.getpid()}.log", "a", buffering=1)  # noqa: SIM115 - lives as long as we do

    def body(name: str) -> None:
        slot = SlotRunner.current.slot
        log.write(json.dumps(["start", name, slot, os.getpid()]) + "\n")
        time.sleep(BODY_S)
        log.write(json.dumps(["end", name, slot, os.getpid()]) + "\n")

    runner = SlotRunner(SqlLeaderLock(engine, holder), SqlRunKeys(engine, holder, lease_s=RUN_LEASE_S), SystemClock())
    jobs = [Job(name, lambda name=name: body(name), every_s=1) for name in JOBS]
    build_scheduler(jobs, runner, SystemClock()).start()
    while True:
        time.sleep(3600)


def events(log_dir: Path) -> list[list]:
    return [json.loads(line) for path in log_dir.glob("*.log") for line in path.read_text().splitlines() if line]


def kill_a_leader_mid_job(procs: list, log_dir: Path, deadline: float) -> int:
    """SIGKILL the process that is in the middle of a body now; its pid."""
    alive = {p.pid: p for p in procs if p.is_alive()}
    while time.monotonic() < deadline:
        open_bodies = Counter()
        for kind, name, slot, pid in events(log_dir):
            open_bodies[(name, slot, pid)] += 1 if kind == "start" else -1
        running = [key for key, n in open_bodies.items() if n > 0 and key[2] in alive]
        if running:
            pid = running[0][2]
            os.kill(pid, signal.SIGKILL)
            alive[pid].join(10)
            return pid
        time.sleep(0.02)
    raise AssertionError("no leader was ever seen in the middle of a body")


@pytest.fixture(scope="module")
def history(tmp_path_factory):  # noqa: ANN001, ANN201
    """Run the three processes, kill leaders, stop; yields (events, job-run rows, killed pids, window)."""
    tmp = tmp_path_factory.mktemp("sched3")
    for url in _pg_database():
        c = main.build(make_settings(url, tmp), migrate=True)
        c.engine.dispose()
        log_dir = tmp / "logs"
        log_dir.mkdir()
        ctx = multiprocessing.get_context("fork")
        procs = [ctx.Process(target=scheduler_process, args=(url, str(log_dir))) for _ in range(3)]
        started = dt.datetime.now(dt.timezone.utc)
        for p in procs:
            p.start()
        killed: list[int] = []
        try:
            for _ in range(len(procs) - 1 if SOAK else 1):  # one process must be left to take over
                time.sleep(8 if SOAK else 2.5)
                killed.append(kill_a_leader_mid_job(procs, log_dir, time.monotonic() + 10))
            time.sleep(20 if SOAK else RUN_LEASE_S + 2)  # the run lease runs out, then a tick takes the slot over
        finally:
            stopped = dt.datetime.now(dt.timezone.utc)
            for p in procs:
                if p.is_alive():
                    os.kill(p.pid, signal.SIGKILL)
                p.join(10)
        engine = make_engine(url)
        with engine.connect() as conn:
            rows = conn.execute(select(job_runs)).all()
        engine.dispose()
        yield events(log_dir), rows, killed, (started, stopped)


def slots_between(rows, name: str) -> list[str]:  # noqa: ANN001
    """Every whole second from the job's first recorded slot to its last: what must each have a row."""
    mine = sorted(dt.datetime.fromisoformat(r.run_key.split("@", 1)[1]) for r in rows if r.job == name)
    first, last = mine[0], mine[-1]
    return [(first + dt.timedelta(seconds=s)).isoformat() for s in range(int((last - first).total_seconds()) + 1)]


@pytest.mark.postgres
def test_each_slot_runs_once_across_three_processes_and_a_killed_leader(history):
    evts, rows, killed, _window = history
    ends = Counter((name, slot) for kind, name, slot, _pid in evts if kind == "end")
    assert ends and max(ends.values()) == 1, f"a slot's body ran to its end twice: {ends.most_common(2)}"
    # Every body that started ended in the same process, but for those a SIGKILL cut short (the jobs due that
    # second, at each kill); another process may then have run the slot again, from its start.
    bodies = Counter((name, slot, pid) for kind, name, slot, pid in evts if kind == "start")
    bodies.subtract(Counter((name, slot, pid) for kind, name, slot, pid in evts if kind == "end"))
    cut = {key for key, n in bodies.items() if n > 0}
    by_kills = {key for key in cut if key[2] in killed}
    assert len(killed) <= len(by_kills) <= len(killed) * len(JOBS), (by_kills, killed)
    # The survivors are SIGKILLed too when the test stops: that may cut the last body each of them started, no other.
    last_start = {(name, pid): slot for kind, name, slot, pid in evts if kind == "start"}
    assert all(last_start[(name, pid)] == slot for name, slot, pid in cut - by_kills), (cut - by_kills)
    # After each kill, a surviving process led: it ran slots later than the killed one's last.
    for pid in killed:
        last = max(slot for kind, _n, slot, p in evts if p == pid)
        assert any(slot > last and p not in killed for kind, _n, slot, p in evts if kind == "end"), \
            "no process took over after the leader was killed"
    print(f"scheduler: {len(ends)} slot bodies ended, {len(killed)} leaders killed mid-job, "
          f"{len({p for *_x, p in evts})} processes led in turn")


@pytest.mark.postgres
def test_no_slot_is_skipped_across_the_failover(history):
    _evts, rows, _killed, _window = history
    for name in JOBS:
        recorded = {r.run_key.split("@", 1)[1] for r in rows if r.job == name}
        missing = [s for s in slots_between(rows, name) if s not in recorded]
        assert missing == [], f"{name}: slots that never ran: {missing}"


@pytest.mark.postgres
def test_the_slot_a_leader_was_killed_in_is_finished_by_another_process(history):
    evts, rows, killed, _window = history
    cut = {(name, slot) for kind, name, slot, pid in evts if kind == "start" and pid in killed}
    ended = {(name, slot) for kind, name, slot, pid in evts if kind == "end" and pid not in killed}
    status = {(r.job, r.run_key.split("@", 1)[1]): r.status for r in rows}
    assert all(key in ended or status.get(key) == "done" for key in cut), \
        {key: status.get(key) for key in cut}
