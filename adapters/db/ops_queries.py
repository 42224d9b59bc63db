"""What operators read from the database: the gauges /metrics adds at scrape time, and /readyz's checks.

Both are handed to the HTTP app by the composition root (the HTTP adapter does not import this one).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from typing import Any

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine

from adapters.db.ap.ap_tables import invoice_holds
from adapters.db.disbursements.payment_tables import payments
from adapters.db.ledger.ledger_tables import LEDGER, checkpoints
from adapters.db.migrate import current_revisions, head_revisions
from adapters.db.reconciliation.recon_tables import recon_exceptions
from adapters.db.scheduler.scheduler_tables import job_runs

_heads: set[str] = set()
_heads_lock = threading.Lock()


class DatabaseCollector(Collector):
    """Gauges read from the database at scrape time: a handful of grouped counts on indexed columns."""

    def __init__(self, engine: Engine, clock: Any = None) -> None:
        self._engine = engine
        self._clock = clock

    def collect(self) -> Iterator[GaugeMetricFamily]:
        by_status = GaugeMetricFamily("disburse_payments", "payments by status", labels=["status"])
        holds = GaugeMetricFamily("disburse_holds_open", "open invoice holds by kind", labels=["kind"])
        exceptions = GaugeMetricFamily("disburse_reconciliation_exceptions_open", "open reconciliation exceptions "
                                       "by kind", labels=["kind"])
        head = GaugeMetricFamily("disburse_journal_head_sequence", "the ledger journal's last sequence")
        age = GaugeMetricFamily("disburse_checkpoint_age_seconds", "seconds since the last signed ledger checkpoint "
                                "(absent before the first)")
        with self._engine.connect() as conn:
            for status, n in conn.execute(select(payments.c.status, func.count()).group_by(payments.c.status)):
                by_status.add_metric([status], n)
            for kind, n in conn.execute(select(invoice_holds.c.hold, func.count())
                                        .where(invoice_holds.c.status == "open").group_by(invoice_holds.c.hold)):
                holds.add_metric([kind], n)
            e = recon_exceptions.c
            for kind, n in conn.execute(select(e.kind, func.count()).where(e.status == "open").group_by(e.kind)):
                exceptions.add_metric([kind], n)
            head.add_metric([], conn.execute(select(func.coalesce(func.max(LEDGER.head.c.sequence), 0))).scalar_one())
            last = conn.execute(select(func.max(checkpoints.c.created_at))
                                .where(checkpoints.c.journal == LEDGER.name)).scalar()
        yield from (by_status, holds, exceptions, head)
        if last:
            now = self._clock.now() if self._clock else dt.datetime.now(dt.timezone.utc)
            when = dt.datetime.fromisoformat(str(last).replace("Z", "+00:00"))
            age.add_metric([], max(0.0, (now - when).total_seconds()))
            yield age


def _code_heads() -> set[str]:
    """The migrations the code expects, read from the migration scripts once per process."""
    with _heads_lock:
        if not _heads:
            _heads.update(head_revisions())
        return set(_heads)


def database_checks(engine: Engine) -> dict[str, Any]:
    """``database``: it answers (and how fast); ``migrations``: its schema is the code's; ``last_job_fire``: when any
    process last started a scheduled job (the scheduler's pulse across hosts)."""
    checks: dict[str, Any] = {}
    started = time.perf_counter()
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            last_fire = conn.execute(select(func.max(job_runs.c.started_at))).scalar()
        checks["database"] = {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}
    except Exception as exc:  # noqa: BLE001 - unreachable, refused, timed out: all say "not ready"
        checks["database"] = {"ok": False, "error": type(exc).__name__}
        return checks
    heads, current = _code_heads(), current_revisions(engine)
    checks["migrations"] = {"ok": current == heads, "missing": sorted(heads - current),
                            "unknown": sorted(current - heads)}
    checks["last_job_fire"] = last_fire
    return checks
