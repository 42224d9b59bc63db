"""What operators read from the database: the gauges /metrics adds at scrape time, and /readyz's checks.

Both are handed to the HTTP app by the composition root (the HTTP adapter does not import this one).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from typing import Any

from alembic.script import ScriptDirectory
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine

from adapters.db.ap.ap_tables import open_hold_counts
from adapters.db.disbursements.payment_tables import payments
from adapters.db.ledger.ledger_tables import LEDGER, checkpoints
from adapters.db.migrate import alembic_config, current_revisions
from adapters.db.reconciliation.recon_tables import recon_exceptions
from adapters.db.scheduler.scheduler_tables import job_runs

_script: list[Any] = []
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
            k = open_hold_counts.c  # kept by triggers (0025): a few rows a kind, not a pass over every open hold
            for kind, n in conn.execute(select(k.hold, func.sum(k.holds)).group_by(k.hold)):
                holds.add_metric([kind], int(n or 0))
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


def _scripts() -> Any:
    """The code's migration scripts, read once per process."""
    with _heads_lock:
        if not _script:
            _script.append(ScriptDirectory.from_config(alembic_config()))
        return _script[0]


def schema_state(engine: Engine) -> tuple[list[str], list[str]]:
    """(missing, newer): the code's heads the database has not reached, and the database's heads the code does not
    know (a newer release migrated it). A known database head counts with everything it revises."""
    script = _scripts()
    known = {r.revision for r in script.walk_revisions()}
    current = current_revisions(engine)
    reached = {r.revision for r in script.iterate_revisions(tuple(current & known), "base")} if current & known else set()
    return sorted(set(script.get_heads()) - reached), sorted(current - known)


def database_checks(engine: Engine) -> dict[str, Any]:
    """``database``: it answers (and how fast); ``migrations``: its schema has every migration the code has (newer
    ones are allowed: a rolling upgrade); ``last_job_fire``: when any process last started a scheduled job (the
    scheduler's pulse across hosts)."""
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
    # Behind the code: not ready. Ahead of it (a rolling upgrade ran `disburse db upgrade` while this older code
    # still serves; migrations are written so that the code before them keeps working): ready, and said.
    missing, newer = schema_state(engine)
    checks["migrations"] = {"ok": not missing, "missing": missing, "newer": newer}
    checks["last_job_fire"] = last_fire
    return checks
