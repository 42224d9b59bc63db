"""The bank's own reference for payments (``payments.reconciliation.bank_references.BankReferences``): the
statement line each settlement match names, read back with the payment ids; else what a status report gave."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.engine import Connection

from adapters.db.chunks import chunks
from adapters.db.disbursements.bank_reference_log import SqlBankReferenceLog
from adapters.db.reconciliation.recon_tables import recon_lines, recon_matches
from payments.reconciliation.bank_references import BankReference


class SqlBankReferences:
    def __init__(self, conn: Connection) -> None:
        self._c = conn

    def for_payments(self, payment_ids: Iterable[str]) -> dict[str, BankReference]:
        ids = sorted(set(payment_ids))
        out: dict[str, BankReference] = {}
        m, line = recon_matches, recon_lines
        for chunk in chunks(ids, 500):
            rows = self._c.execute(
                select(m.c.payment_id, line.c.bank_reference, line.c.booking_date, line.c.id)
                .select_from(m.join(line, line.c.id == m.c.line_id))
                .where(m.c.payment_id.in_(chunk), m.c.role == "settlement", line.c.bank_reference.is_not(None),
                       line.c.bank_reference != "")
                .order_by(m.c.id))
            for payment_id, reference, booked, line_id in rows:
                out[payment_id] = BankReference(payment_id, reference.strip(), dt.date.fromisoformat(booked), line_id)
        waiting = [pid for pid in ids if pid not in out]
        for pid, (reference, _at) in SqlBankReferenceLog(self._c).learned(waiting).items():
            out[pid] = BankReference(pid, reference, source="status_report")
        return out
