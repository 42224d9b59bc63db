"""`disburse jobs list|run NAME`: every scheduled job from the command line, so cron can drive them.

An agency that runs its servers with the scheduler off (`DISBURSE_SCHEDULER=false`) calls the same job bodies
from cron or a systemd timer: `disburse jobs run payments_submit`. The body is the one the scheduler fires
(main.jobs), and every body is safe to run again (runs are keyed, submissions claimed, imports deduplicated).
"""

from __future__ import annotations

import argparse
import json
import sys
from functools import partial
from typing import Any


def _trigger(job: Any) -> str:
    return f"cron {job.cron}" if job.cron else f"every {job.every_s} s"


def cmd_jobs(args: argparse.Namespace, wiring: Any) -> int:
    jobs = {job.name: job for job in wiring.jobs(wiring.build())}
    if args.jobs_cmd == "list":
        rows = [{"name": name, "trigger": _trigger(job)} for name, job in sorted(jobs.items())]
        print(json.dumps(rows) if args.json else "\n".join(f"{r['name']:<28} {r['trigger']}" for r in rows))
        return 0
    job = jobs.get(args.name or "")
    if job is None:
        print(f"error: unknown_job: no job named {args.name!r}; `disburse jobs list` names them", file=sys.stderr)
        return 2
    try:
        result = job.body()
    except Exception as exc:  # noqa: BLE001 - reported as the scheduler reports a failed fire
        code = getattr(exc, "code", type(exc).__name__)
        print(f"error: {code}: job {job.name} failed: {getattr(exc, 'message', str(exc))}", file=sys.stderr)
        return 1
    print(json.dumps({"job": job.name, "result": result}, default=str) if args.json
          else f"{job.name}: {result if result is not None else 'done'}")
    return 0


def register(sub: Any, wiring: Any) -> None:
    s = sub.add_parser("jobs", help="the scheduled jobs: list them, or run one now (for cron, scheduler off)")
    s.add_argument("jobs_cmd", choices=["list", "run"])
    s.add_argument("name", nargs="?", help="the job to run (see `disburse jobs list`)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=partial(cmd_jobs, wiring=wiring))
