"""The scheduler under faults (issue 17): jobs due in the same second all run on the leader (APScheduler fires them
from its thread pool at once), and a job-run left ``running`` by a process that died is taken over once its lease
has run out, guarded so that only one taker runs it."""

import datetime as dt
import threading

from adapters.db.scheduler.scheduler_store import SqlLeaderLock, SqlRunKeys
from adapters.scheduler import Job, JobRunner


class Killed(BaseException):
    """SIGKILL mid-job, in process: nothing after this point runs, the job-run row stays ``running``."""


def runner(container, holder: str, run_lease_s: int = 600) -> JobRunner:
    return JobRunner(SqlLeaderLock(container.engine, holder, lease_s=60),
                     SqlRunKeys(container.engine, holder, lease_s=run_lease_s), container.clock)


def test_jobs_fired_in_the_same_second_by_the_leader_all_run(container):
    r = runner(container, "host-a:1")
    at = dt.datetime(2026, 11, 3, 7, 0, tzinfo=dt.timezone.utc)
    ran: list[str] = []
    names = ["payments_submit", "payments_prenote_relay", "payments_poll_status", "ledger_checkpoint", "recon_match"]
    gate = threading.Barrier(len(names))
    outcomes: dict[str, str] = {}

    def fire(name: str) -> None:
        gate.wait()  # one tick: every due job at the same instant, as the scheduler's workers do
        outcomes[name] = r.fire(Job(name, lambda: ran.append(name), every_s=60), at)

    threads = [threading.Thread(target=fire, args=(n,)) for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    r._leader.release()
    assert outcomes == dict.fromkeys(names, "done")
    assert sorted(ran) == sorted(names)


def test_a_job_run_left_running_by_a_dead_process_is_taken_over_after_its_lease(container):
    a, b = runner(container, "host-a:1", run_lease_s=300), runner(container, "host-b:2", run_lease_s=300)
    at = dt.datetime(2026, 11, 3, 7, 0, tzinfo=dt.timezone.utc)
    calls: list[str] = []

    def dies() -> None:
        calls.append("a")
        raise Killed()
    try:
        a.fire(Job("payments_submit", dies, every_s=60), at)
    except Killed:
        pass
    a._leader.release()  # the dead process's session ends, and its leadership with it
    job = Job("payments_submit", lambda: calls.append("b"), every_s=60)
    assert b.fire(job, at) == "already_ran"  # still within its lease: it may be running yet
    container.clock.advance(minutes=6)
    assert b.fire(job, at) == "done"  # the lease ran out: the slot is finished by the new leader
    assert b.fire(job, at) == "already_ran"
    assert calls == ["a", "b"]
    b._leader.release()
