"""APScheduler 3 wiring: triggers live here, job bodies in payments/ (the same functions the CLI calls).

APScheduler 3 must not share a job store between processes, so each process keeps an in-memory store
and only the leader (a database lock) fires jobs. Leadership alone is not enough when a lease
expires mid-run, so every fire is also claimed by a unique run key (job name + scheduled time):
two `disburse serve` processes started together produce one effect per fire time.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
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


@dataclass(frozen=True)
class Job:
    """A named job: its trigger (cron text or an interval in seconds) and its thin body."""

    name: str
    body: Callable[[], object]
    cron: str | None = None
    every_s: int | None = None


def holder_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class JobRunner:
    """Runs one fire of a job at most once across processes; usable without APScheduler (tests, CLI)."""

    def __init__(self, leader: LeaderLock, run_keys: RunKeys, clock) -> None:  # noqa: ANN001
        self._leader = leader
        self._keys = run_keys
        self._clock = clock

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
        run_key = f"{job.name}@{scheduled_for.astimezone(dt.timezone.utc).isoformat()}"
        if not self._keys.claim(job.name, run_key, now):
            return "already_ran"
        started = time.perf_counter()
        try:
            result = job.body()
        except Exception as exc:  # a job failure is recorded and logged, never kills the scheduler
            log.exception("job %s failed", job.name)
            self._keys.finish(run_key, self._clock.now(), "failed", f"{type(exc).__name__}: {exc}")
            return "failed"
        finally:
            from adapters import metrics

            metrics.JOB_SECONDS.labels(job.name).observe(time.perf_counter() - started)
        self._keys.finish(run_key, self._clock.now(), "done", str(result)[:2000] if result is not None else "")
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


def build_scheduler(jobs: list[Job], runner: JobRunner, clock, timezone: str = "UTC") -> BackgroundScheduler:  # noqa: ANN001
    scheduler = BackgroundScheduler(timezone=timezone, job_defaults={"coalesce": True, "max_instances": 1,
                                                                      "misfire_grace_time": 300})
    for job in jobs:
        trigger = make_trigger(job, timezone)
        lookback = dt.timedelta(seconds=2 * job.every_s) if job.every_s else dt.timedelta(days=8)

        def fire(job: Job = job, trigger=trigger, lookback: dt.timedelta = lookback) -> None:  # noqa: ANN001
            runner.fire(job, scheduled_time(trigger, clock.now(), lookback))

        scheduler.add_job(fire, trigger, id=job.name, name=job.name, replace_existing=True)
    return scheduler
