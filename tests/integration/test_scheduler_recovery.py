"""The scheduler under faults (issue 17): jobs due in the same second all run on the leader (APScheduler fires them
from its thread pool at once), and a job-run left ``running`` by a process that died is taken over once its lease
has run out, guarded so that only one taker runs it."""

import datetime as dt
import threading

from adapters.db.scheduler.scheduler_store import SqlLeaderLock, SqlRunKeys
from adapters.scheduler import DEFAULT_CATCH_UP_WINDOW, Job, JobRunner, make_trigger


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


def at(h: int, m: int, s: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, 3, h, m, s, tzinfo=dt.timezone.utc)


def test_a_tick_catches_up_the_slots_lost_since_the_last_finished_one(container):
    r = runner(container, "host-a:1")
    ran: list[dt.datetime] = []
    job = Job("payments_submit", lambda: ran.append(r.slot), every_s=60)
    trigger = make_trigger(job)
    r.slot = at(7, 0)
    assert r.fire(job, at(7, 0)) == "done"
    # Three ticks lost (no leader for a while, a fire dropped while the previous one ran): the next one owes them.
    container.clock.set(at(7, 3, 30))
    r.fire = _remember_slot(r)
    assert [o for _s, o in r.catch_up(job, trigger)] == ["done", "done", "done"]
    assert ran == [at(7, 0), at(7, 1), at(7, 2), at(7, 3)]  # oldest first
    assert r.catch_up(job, trigger) == []  # nothing is owed twice
    r._leader.release()


def test_the_slot_a_dead_leader_left_running_is_finished_by_a_later_tick_once_its_lease_ran_out(container):
    a, b = runner(container, "host-a:1", run_lease_s=300), runner(container, "host-b:2", run_lease_s=300)
    ran: list[dt.datetime] = []

    def dies() -> None:
        raise Killed()
    container.clock.set(at(7, 0, 1))
    with_slot = Job("ledger_checkpoint", lambda: ran.append(b.slot), every_s=60)
    try:
        a.fire(Job("ledger_checkpoint", dies, every_s=60), at(7, 0))
    except Killed:
        pass
    a._leader.release()  # the dead process's session ends, and its leadership with it
    b.fire = _remember_slot(b)
    container.clock.set(at(7, 1, 1))
    assert b.catch_up(with_slot, make_trigger(with_slot)) == [(at(7, 0), "already_ran"), (at(7, 1), "done")]
    container.clock.set(at(7, 5, 30))  # the 07:00 run's lease has run out: taken over, with the slots since
    assert [s for s, o in b.catch_up(with_slot, make_trigger(with_slot)) if o == "done"] == \
        [at(7, 0), at(7, 2), at(7, 3), at(7, 4), at(7, 5)]
    assert ran == [at(7, 1), at(7, 0), at(7, 2), at(7, 3), at(7, 4), at(7, 5)]
    assert b.catch_up(with_slot, make_trigger(with_slot)) == []
    b._leader.release()


def test_without_a_finished_run_in_the_window_only_the_current_slot_runs(container):
    r = runner(container, "host-a:1")
    job = Job("recon_match", lambda: None, every_s=60)
    container.clock.set(at(7, 0, 5))
    assert r.catch_up(job, make_trigger(job)) == [(at(7, 0), "done")]  # a new system does not replay the past
    container.clock.set(at(7, 0, 5) + DEFAULT_CATCH_UP_WINDOW + dt.timedelta(minutes=1))  # back from a long outage
    assert len(r.catch_up(job, make_trigger(job))) == 1
    r._leader.release()


def _remember_slot(r: JobRunner):  # noqa: ANN202
    """The runner's fire, telling the body which slot it runs (as r.slot)."""
    fire = r.fire

    def fire_with_slot(job: Job, scheduled_for: dt.datetime) -> str:
        r.slot = scheduled_for
        return fire(job, scheduled_for)
    return fire_with_slot
