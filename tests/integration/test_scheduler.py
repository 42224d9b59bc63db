"""Two schedulers at once: one leader, one effect per fire time; a job body failing is recorded, not fatal."""

import datetime as dt

from adapters.db.scheduler.scheduler_store import SqlLeaderLock, SqlRunKeys
from adapters.scheduler import Job, JobRunner, make_trigger, scheduled_time


def runner(container, holder):
    return JobRunner(SqlLeaderLock(container.engine, holder, lease_s=60), SqlRunKeys(container.engine, holder),
                     container.clock)


def test_two_processes_firing_the_same_job_produce_one_checkpoint(container):
    a, b = runner(container, "host-a:1"), runner(container, "host-b:2")
    job = Job("ledger_checkpoint", container.ledger.checkpoint, cron="0 2 * * *")
    at = dt.datetime(2026, 11, 3, 7, 0, tzinfo=dt.timezone.utc)
    outcomes = sorted([a.fire(job, at), b.fire(job, at)])
    assert outcomes[0] == "done" and outcomes[1] in ("already_ran", "not_leader")
    assert a.fire(job, at) == "already_ran"
    with container.uow(read_only=True) as uow:
        assert len(uow.ledger_queries.checkpoints()) == 1
    a._leader.release()


def test_a_dead_leader_passes_leadership_but_the_run_key_still_holds(container, tmp_path):
    a, b = runner(container, "host-a:1"), runner(container, "host-b:2")
    calls = []
    job = Job("demo", lambda: calls.append(1), every_s=60)
    at = dt.datetime(2026, 11, 3, 7, 0, tzinfo=dt.timezone.utc)
    assert a.fire(job, at) == "done"
    assert b.fire(job, at) == "not_leader"
    if container.engine.dialect.name == "postgresql":
        a._leader.release()  # leadership is a session advisory lock: it ends with the leader's session
    else:
        container.clock.advance(minutes=5)  # the leader stopped renewing: its lease expires
    assert b.fire(job, at) == "already_ran"  # b leads now, but that fire already happened
    assert len(calls) == 1
    b._leader.release()


def test_a_failing_job_is_recorded_and_the_next_fire_runs(container):
    r = runner(container, "host-a:1")
    boom = Job("boom", lambda: 1 / 0, every_s=60)
    assert r.fire(boom, dt.datetime(2026, 11, 3, 7, 0, tzinfo=dt.timezone.utc)) == "failed"
    assert r.fire(boom, dt.datetime(2026, 11, 3, 7, 1, tzinfo=dt.timezone.utc)) == "failed"
    r._leader.release()


def test_processes_agree_on_the_scheduled_time_even_when_they_fire_late():
    trigger = make_trigger(Job("x", lambda: None, cron="0 7 * * 1-5"))
    late = dt.datetime(2026, 11, 3, 7, 0, 41, tzinfo=dt.timezone.utc)
    assert scheduled_time(trigger, late, dt.timedelta(days=8)) == dt.datetime(2026, 11, 3, 7, 0, tzinfo=dt.timezone.utc)
    every = make_trigger(Job("y", lambda: None, every_s=300))
    t = scheduled_time(every, dt.datetime(2026, 11, 3, 7, 7, 3, tzinfo=dt.timezone.utc), dt.timedelta(seconds=600))
    assert t == dt.datetime(2026, 11, 3, 7, 5, tzinfo=dt.timezone.utc)
