"""APScheduler 3 wiring: triggers live here, job bodies in payments/ (the same functions the CLI calls).

APScheduler 3 must not share a job store between processes, so each process keeps an in-memory store
and only the leader (a database lock) fires jobs. Leadership alone is not enough when a lease
expires mid-run, so every fire is also claimed by a unique run key (job name + scheduled time):
two `disburse serve` processes started together produce one effect per fire time.

A tick does not only fire "now": the leader catches up. Ticks get lost (no leader while a dead one's session lingers,
a fire dropped by APScheduler while the previous one still runs, a late fire), and a leader can die mid-body, leaving
its slot ``running``. So each tick runs, oldest first, every slot since the job's last finished one (within a bounded
window, [schedule] catch_up_window_s) that has no finished run; a ``running`` one is taken over only once its run lease
expired, by the guarded claim, so exactly one process runs it. Job bodies must be idempotent for a slot.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
from dataclasses import dataclass
from typing import Callable, Protocol

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from ulid import ULID

from adapters.request_ids import request_id

log = logging.getLogger("disburse.scheduler")


class LeaderLock(Protocol):
    holder: str

    def try_acquire(self, now: dt.datetime) -> bool: ...

    def release(self) -> None: ...


class RunKeys(Protocol):
    def claim(self, job: str, run_key: str, now: dt.datetime) -> bool: ...

    def finish(self, run_key: str, now: dt.datetime, status: str, detail: str = "") -> None: ...

    def recent(self, job: str, limit: int = 20) -> list[tuple[str, str]]: ...

    def running(self, job: str) -> list[str]: ...

    def statuses(self, run_keys: list[str]) -> dict[str, str]: ...


@dataclass(frozen=True)
class Job:
    """A named job: its trigger (cron text or an interval in seconds) and its thin body."""

    name: str
    body: Callable[[], object]
    cron: str | None = None
    every_s: int | None = None


def holder_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run_key(job: str, scheduled_for: dt.datetime) -> str:
    return f"{job}@{scheduled_for.astimezone(dt.timezone.utc).isoformat()}"


def slot_of(key: str) -> dt.datetime:
    return dt.datetime.fromisoformat(key.split("@", 1)[1])


FINISHED = ("done", "failed")  # a failed run is finished too: it is recorded, and the next slot runs, not a retry
# A day and an hour: a daily job's missed slot is still in the window when the next day's tick comes.
DEFAULT_CATCH_UP_WINDOW = dt.timedelta(hours=25)
DEFAULT_CATCH_UP_SLOTS = 100  # at most this many slots a tick; the rest, oldest first, at the next tick


class JobRunner:
    """Runs one fire of a job at most once across processes; usable without APScheduler (tests, CLI)."""

    def __init__(self, leader: LeaderLock, run_keys: RunKeys, clock,  # noqa: ANN001
                 catch_up_window: dt.timedelta = DEFAULT_CATCH_UP_WINDOW,
                 catch_up_slots: int = DEFAULT_CATCH_UP_SLOTS) -> None:
        self._leader = leader
        self._keys = run_keys
        self._clock = clock
        self._window = catch_up_window
        self._max_slots = catch_up_slots
        # One catch-up of a job at a time in this process (its own tick and the sweep may overlap): two threads
        # would not run a slot twice (the run key sees to that) but would run two slots of one job at once.
        self._catching_up: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    def due_slots(self, job: Job, trigger, now: dt.datetime) -> list[dt.datetime]:  # noqa: ANN001
        """Oldest first: the slots at or before ``now`` that have no finished run, from the job's last finished slot
        on (within the window), and the ``running`` ones in the window (a dead process's, taken over after their
        lease). A job with no finished run in the window is owed only its current slot: a new system, or one back
        from an outage longer than the window, does not replay the past."""
        floor = now - self._window
        finished = [slot_of(k) for k, status in self._keys.recent(job.name) if status in FINISHED]
        anchor = max((s for s in finished if floor <= s <= now), default=None)
        running = {s for s in map(slot_of, self._keys.running(job.name)) if floor <= s <= now}
        slots: set[dt.datetime] = set(running)
        if anchor is None:
            slots.add(scheduled_time(trigger, now, lookback(job)))
        else:
            fire = trigger.get_next_fire_time(anchor, anchor + dt.timedelta(microseconds=1))
            while fire is not None and fire <= now and len(slots) < self._max_slots + len(running):
                slots.add(fire)
                fire = trigger.get_next_fire_time(fire, fire + dt.timedelta(microseconds=1))
        keys = {s: run_key(job.name, s) for s in slots}
        statuses = self._keys.statuses(list(keys.values()))
        return sorted(s for s, k in keys.items() if statuses.get(k) not in FINISHED)[:self._max_slots]

    def catch_up(self, job: Job, trigger) -> list[tuple[dt.datetime, str]]:  # noqa: ANN001
        """One tick of the job: every due slot fired in turn (see due_slots), with its outcome."""
        with self._locks_guard:
            lock = self._catching_up.setdefault(job.name, threading.Lock())
        if not lock.acquire(blocking=False):
            return []  # this process is catching the job up already; what it misses, the next tick finds
        try:
            now = self._clock.now()
            if not self._leader.try_acquire(now):
                from adapters import metrics

                metrics.JOBS.labels(job.name, "not_leader").inc()
                return []
            outcomes = []
            for slot in self.due_slots(job, trigger, now):
                outcome = self.fire(job, slot)
                outcomes.append((slot, outcome))
                if outcome == "not_leader":
                    break  # leadership lost mid catch-up: the new leader carries on
            return outcomes
        finally:
            lock.release()

    def fire(self, job: Job, scheduled_for: dt.datetime) -> str:
        """Fire once, counted by outcome in the metrics; the fire's log lines carry a request id of their own."""
        from adapters import metrics  # here: prometheus_client must be imported after `serve` chose its storage

        token = request_id.set(f"job-{job.name}-{ULID()}")
        try:
            outcome = self._fire(job, scheduled_for)
        finally:
            request_id.reset(token)
        metrics.JOBS.labels(job.name, outcome).inc()
        return outcome

    def _fire(self, job: Job, scheduled_for: dt.datetime) -> str:
        now = self._clock.now()
        if not self._leader.try_acquire(now):
            return "not_leader"
        key = run_key(job.name, scheduled_for)
        if not self._keys.claim(job.name, key, now):
            return "already_ran"
        started = time.perf_counter()
        try:
            result = job.body()
        except Exception as exc:  # a job failure is recorded and logged, never kills the scheduler
            log.exception("job %s failed", job.name)
            self._keys.finish(key, self._clock.now(), "failed", f"{type(exc).__name__}: {exc}")
            return "failed"
        finally:
            from adapters import metrics

            metrics.JOB_SECONDS.labels(job.name).observe(time.perf_counter() - started)
        self._keys.finish(key, self._clock.now(), "done", str(result)[:2000] if result is not None else "")
        return "done"


_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)


def make_trigger(job: Job, timezone: str = "UTC"):  # noqa: ANN201
    if job.cron:
        return CronTrigger.from_crontab(job.cron, timezone=timezone)
    # A fixed start date makes every process compute the same fire times.
    return IntervalTrigger(seconds=job.every_s or 3600, start_date=_EPOCH, timezone=timezone)


def scheduled_time(trigger, now: dt.datetime, lookback: dt.timedelta) -> dt.datetime:  # noqa: ANN001
    """The trigger's latest fire time at or before ``now``: what two processes firing late agree on."""
    fire = trigger.get_next_fire_time(None, now - lookback)
    last = fire
    while fire is not None and fire <= now:
        last = fire
        fire = trigger.get_next_fire_time(fire, fire + dt.timedelta(microseconds=1))
    return last if last is not None and last <= now else now


def lookback(job: Job) -> dt.timedelta:
    """How far back a job's latest slot is looked for: two intervals, or eight days for a cron (weekly at most)."""
    return dt.timedelta(seconds=2 * job.every_s) if job.every_s else dt.timedelta(days=8)


def build_scheduler(jobs: list[Job], runner: JobRunner, clock, timezone: str = "UTC",  # noqa: ANN001
                    sweep_every_s: int | None = 60) -> BackgroundScheduler:
    """Each job's trigger ticks its catch-up; a sweep every ``sweep_every_s`` catches up every job, so that a daily
    job's lost or abandoned slot is run within a minute rather than at the next day's tick."""
    scheduler = BackgroundScheduler(timezone=timezone, job_defaults={"coalesce": True, "max_instances": 1,
                                                                      "misfire_grace_time": 300})
    triggers = [(job, make_trigger(job, timezone)) for job in jobs]
    for job, trigger in triggers:
        def tick(job: Job = job, trigger=trigger) -> None:  # noqa: ANN001
            runner.catch_up(job, trigger)

        scheduler.add_job(tick, trigger, id=job.name, name=job.name, replace_existing=True)
    if sweep_every_s:
        def sweep() -> None:
            for job, trigger in triggers:
                try:
                    runner.catch_up(job, trigger)
                except Exception:  # noqa: BLE001 - the database away for a moment: the next sweep tries again
                    log.exception("catching up %s failed", job.name)

        scheduler.add_job(sweep, IntervalTrigger(seconds=sweep_every_s, timezone=timezone), id="_catch_up",
                          name="catch_up", replace_existing=True)
    return scheduler
