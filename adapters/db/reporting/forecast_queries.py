"""The cash forecast's read port in SQL (payments/reporting/cash_forecast.py says what it forecasts)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import case, func, select
from sqlalchemy.engine import Engine

from adapters.db.disbursements.payment_tables import payment_items, payment_runs, payments
from adapters.db.ledger.ledger_tables import LEDGER, accounts
from payments.reporting.cash_forecast import ScheduledOutflow

LIVE = ("scheduled", "submitted", "sent", "settled")
NOT_SENT = ("scheduled", "submitted")


class SqlCashForecastSource:
    def __init__(self, engine: Engine, cash_codes: Iterable[str]) -> None:
        self._engine = engine
        self._cash_codes = frozenset(cash_codes)  # the chart's Cash codes, one per bank account ("1010", …)

    def live_invoice_ids(self) -> set[str]:
        query = (select(payment_items.c.invoice_id).select_from(payments.join(
            payment_items, payment_items.c.payment_id == payments.c.id))
            .where(payments.c.kind == "live", payments.c.status.in_(LIVE)))
        with self._engine.connect().execution_options(disburse_read_only=True) as conn:
            return {r.invoice_id for r in conn.execute(query)}

    def scheduled_outflows(self) -> list[ScheduledOutflow]:
        p, i, r = payments, payment_items, payment_runs
        query = (select(p.c.id, r.c.rail, p.c.effective_date, p.c.currency, i.c.fund, i.c.amount_minor,
                        i.c.discount_minor, i.c.interest_minor)
                 .select_from(p.join(i, i.c.payment_id == p.c.id).join(r, r.c.id == p.c.run_id))
                 .where(p.c.kind == "live", p.c.status.in_(NOT_SENT)).order_by(p.c.effective_date, p.c.id))
        with self._engine.connect().execution_options(disburse_read_only=True) as conn:
            return [ScheduledOutflow(row.id, row.rail, dt.date.fromisoformat(str(row.effective_date)[:10]), row.fund,
                                     int(row.amount_minor) - int(row.discount_minor) + int(row.interest_minor),
                                     row.currency) for row in conn.execute(query)]

    def cash_balances(self, as_of: dt.date) -> dict[tuple[str, str], int]:
        p, a = LEDGER.postings, accounts
        net = func.coalesce(func.sum(case((p.c.direction == "debit", p.c.amount_minor), else_=-p.c.amount_minor)), 0)
        query = (select(a.c.code, a.c.fund, net.label("net")).select_from(p.join(a, a.c.code == p.c.account))
                 .where(p.c.effective_date <= as_of).group_by(a.c.code, a.c.fund))
        out: dict[tuple[str, str], int] = {}
        with self._engine.connect().execution_options(disburse_read_only=True) as conn:
            for row in conn.execute(query):
                fund, _, cash = str(row.code).rpartition("-")
                if cash in self._cash_codes and fund:
                    out[(cash, row.fund or fund)] = int(row.net)
        return out
