"""The AP side of a payment (``payments.disbursements.payment_ports.PaidInvoices``): invoices become ``paid`` when their
payment is sent, and ``approved`` again, with a hold, when it comes back (a return) or is refused (a rejection).

Every status change is a guarded ``UPDATE invoices SET status = :new WHERE id = :id AND status = :expected``
in the payment's own transaction, so an invoice is paid exactly when its payment is, and never twice.

The AP tables are named here as lightweight tables (only the columns used), so the payment flow depends on the
AP feature's schema, not on its code; a database without them simply has no invoices to move.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from typing import Any

from adapters.db.chunks import chunks
from sqlalchemy import String, Text, column, insert, select, table, update
from sqlalchemy.engine import Connection
from ulid import ULID

invoices = table("invoices", column("id", String), column("status", String))
invoice_holds = table(
    "invoice_holds", column("id", String), column("invoice_id", String), column("hold", String),
    column("rule", String), column("subject", String), column("fingerprint", String), column("finding_json", Text),
    column("status", String), column("raised_at", String), column("match_result_id", String))

class SqlPaidInvoices:
    def __init__(self, conn: Connection) -> None:
        self._c = conn
        self._present: bool | None = None

    def _has_ap(self) -> bool:
        if self._present is None:
            from sqlalchemy import inspect

            self._present = inspect(self._c).has_table("invoices") and inspect(self._c).has_table("invoice_holds")
        return self._present

    def _states(self, invoice_ids: Sequence[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for chunk in chunks(sorted(set(invoice_ids))):
            out.update((r[0], r[1]) for r in self._c.execute(select(invoices.c.id, invoices.c.status)
                                                              .where(invoices.c.id.in_(chunk))))
        return out

    def _open_holds(self, invoice_ids: Sequence[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for chunk in chunks(sorted(set(invoice_ids))):
            for invoice_id, hold in self._c.execute(select(invoice_holds.c.invoice_id, invoice_holds.c.hold).where(
                    invoice_holds.c.invoice_id.in_(chunk), invoice_holds.c.status == "open")):
                out.setdefault(invoice_id, []).append(hold)
        return out

    def not_payable(self, invoice_ids: Sequence[str]) -> dict[str, str]:
        if not invoice_ids or not self._has_ap():
            return {}
        states = self._states(invoice_ids)
        holds = self._open_holds(list(states))
        out = {i: f"invoice is {s}" for i, s in states.items() if s != "approved"}
        out.update({i: f"invoice is held: {', '.join(sorted(h))}" for i, h in holds.items() if i not in out})
        return out

    def mark_paid(self, invoice_ids: Sequence[str], *, payment_id: str, at: dt.datetime) -> list[str]:
        if not invoice_ids or not self._has_ap():
            return []
        known = self._states(invoice_ids)
        moved: set[str] = set()
        for chunk in chunks(sorted(known)):
            moved.update(r[0] for r in self._c.execute(
                update(invoices).where(invoices.c.id.in_(chunk), invoices.c.status == "approved")
                .values(status="paid").returning(invoices.c.id)))
        # Not moved: someone held or cancelled it after the run was planned, or it is already paid (a replay).
        return sorted(i for i, s in known.items() if i not in moved and s != "paid")

    def reopen(self, invoice_ids: Sequence[str], *, payment_id: str, hold: str, reason_code: str, message: str,
               at: dt.datetime) -> int:
        if not invoice_ids or not self._has_ap():
            return 0
        known = sorted(self._states(invoice_ids))
        if not known:
            return 0
        for chunk in chunks(known):
            self._c.execute(update(invoices).where(invoices.c.id.in_(chunk), invoices.c.status == "paid")
                            .values(status="approved"))
        return self._hold(known, payment_id=payment_id, hold=hold, reason_code=reason_code, message=message, at=at)

    def hold(self, invoice_ids: Sequence[str], *, payment_id: str, hold: str, reason_code: str, message: str,
             at: dt.datetime) -> int:
        if not invoice_ids or not self._has_ap():
            return 0
        return self._hold(sorted(self._states(invoice_ids)), payment_id=payment_id, hold=hold,
                          reason_code=reason_code, message=message, at=at)

    def _hold(self, known: list[str], *, payment_id: str, hold: str, reason_code: str, message: str,
              at: dt.datetime) -> int:
        if not known:
            return 0
        held = {i for i, names in self._open_holds(known).items() if hold in names}
        rows = []
        for invoice_id in known:
            if invoice_id in held:
                continue  # one open hold of this kind per invoice is enough; a replay adds nothing to do
            finding: dict[str, Any] = {"rule": hold, "hold": hold, "subject": f"payment {payment_id}",
                                       "reason_code": reason_code, "message": message, "payment_id": payment_id}
            rows.append({"id": f"hold_{ULID()}", "invoice_id": invoice_id, "hold": hold, "rule": hold,
                         "subject": f"payment {payment_id}",
                         "fingerprint": hashlib.sha256(f"{hold}:{payment_id}:{invoice_id}".encode()).hexdigest(),
                         "finding_json": json.dumps(finding, sort_keys=True), "status": "open",
                         "raised_at": at.isoformat(), "match_result_id": payment_id[:40]})
        if rows:
            self._c.execute(insert(invoice_holds), rows)
        return len(rows)
