"""Prometheus metrics (``prometheus_client``), correct with one process or several.

Counters and histograms are plain module-level ``prometheus_client`` metrics. With several workers
(``disburse serve --workers N``) each worker counts its own and ``PROMETHEUS_MULTIPROC_DIR`` makes the library
keep them in per-process files that ``/metrics`` adds up (``MultiProcessCollector``), so any worker the load
balancer asks answers for all of them. The library picks its storage when it is first imported, which is why
``disburse serve`` sets that variable (``adapters/cli/serve_command.py``) before anything imports this module.

What the database already knows (payments by status, open holds by kind, open reconciliation exceptions, the
journal head, the last checkpoint's age) is not counted in memory but read at scrape time
(``adapters/db/ops_queries.py``): the same answer from every worker and every host, and it survives restarts.

Labels never carry a raw path or an id: requests are labelled by their route template (``/v1/payments/{payment_id}``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.registry import REGISTRY, Collector
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

# Latency buckets for an API answering in milliseconds, with room for a slow report or an upload.
_HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
_FAST_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0)

HTTP_REQUESTS = Counter("disburse_http_requests", "HTTP requests answered, by method, route template and status",
                        ["method", "route", "status"])
HTTP_LATENCY = Histogram("disburse_http_request_duration_seconds", "time to answer, by method and route template",
                         ["method", "route"], buckets=_HTTP_BUCKETS)
PAYMENTS_MOVED = Counter("disburse_payments_moved", "payments moved into a status (sent, settled, returned ...), "
                         "counted when the transaction that moved them commits", ["status"])
JOBS = Counter("disburse_jobs", "scheduled job fires by outcome (done, failed, already_ran, not_leader)",
               ["job", "outcome"])
JOB_SECONDS = Histogram("disburse_job_duration_seconds", "time a job body ran (fires this process ran)", ["job"],
                        buckets=(0.01, 0.1, 0.5, 1, 5, 15, 60, 300, 900))
LEDGER_APPEND = Histogram("disburse_ledger_append_seconds", "time to append a batch of journal entries under the "
                          "chain-head lock", ["journal"], buckets=_FAST_BUCKETS)
LEDGER_ENTRIES = Counter("disburse_ledger_entries_appended", "journal entries appended (of committed and rolled-back "
                         "transactions alike)", ["journal"])
HEAD_LOCK_WAIT = Histogram("disburse_ledger_head_lock_wait_seconds", "time waited for the chain-head lock",
                           ["journal"], buckets=_FAST_BUCKETS)

_PENDING = "disburse_metrics_pending"


def count_on_commit(conn: Connection, status: str, amount: int) -> None:
    """Count ``amount`` payments moved into ``status`` once this connection's transaction commits (see
    ``watch_commits``); a rolled-back move is never counted."""
    if amount:
        conn.info.setdefault(_PENDING, []).append((status, amount))


def watch_commits(engine: Engine) -> None:
    """Turn the counts a transaction left (``count_on_commit``) into metrics when it commits; drop them on rollback."""
    if getattr(engine, "_disburse_metrics_watched", False):
        return
    engine._disburse_metrics_watched = True  # type: ignore[attr-defined]

    @event.listens_for(engine, "commit")
    def _commit(conn: Connection) -> None:
        for status, amount in conn.info.pop(_PENDING, ()):
            PAYMENTS_MOVED.labels(status).inc(amount)

    @event.listens_for(engine, "rollback")
    def _rollback(conn: Connection) -> None:
        conn.info.pop(_PENDING, None)


class _ProcessLocal(Collector):
    """This process's own counters, for a single-process server (no ``PROMETHEUS_MULTIPROC_DIR``)."""

    def collect(self) -> Iterable[Any]:
        return REGISTRY.collect()


def render(collectors: Iterable[Collector] = ()) -> bytes:
    """The exposition text: every worker's counters (or this process's), and what ``collectors`` read at scrape
    time (the database's gauges, ``adapters/db/ops_queries.py``, handed in by the composition root)."""
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get(MULTIPROC_ENV):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ProcessLocal())
    for collector in collectors:
        registry.register(collector)
    return generate_latest(registry)
