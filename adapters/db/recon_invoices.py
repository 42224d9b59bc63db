"""The AP side of a return (``payments.recon_ports.ReturnedInvoices``): a ``payment_returned`` hold on each invoice.

The payment leaving the live set (its guarded move to ``returned``) already makes the invoices payable again; the
hold keeps the next payment run from paying them to the same bad account until a person releases it with a
reason, through the AP module's ordinary hold release. The vendor sees the reason in plain words.

The AP tables are named here as lightweight tables (only the columns written), so reconciliation depends on the AP
feature's schema, not on its code.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import String, Text, column, insert, select, table
from ulid import ULID

HOLD = "payment_returned"
invoice_holds = table(
    "invoice_holds", column("id", String), column("invoice_id", String), column("hold", String),
    column("rule", String), column("subject", String), column("fingerprint", String), column("finding_json", Text),
    column("status", String), column("raised_at", String), column("match_result_id", String))
invoices = table("invoices", column("id", String))


class SqlReturnedInvoices:
    def reopen(self, uow: Any, invoice_ids: Sequence[str], *, payment_id: str, reason_code: str,
               vendor_reason: str, at: datetime) -> int:
        conn = uow.conn
        wanted = sorted(set(invoice_ids))
        # Only invoices the AP module knows get a hold (a payment may carry an external reference instead).
        ids = [r[0] for r in conn.execute(select(invoices.c.id).where(invoices.c.id.in_(wanted)))] if wanted else []
        if not ids:
            return 0
        held = {r[0] for r in conn.execute(select(invoice_holds.c.invoice_id).where(
            invoice_holds.c.invoice_id.in_(ids), invoice_holds.c.hold == HOLD, invoice_holds.c.status == "open"))}
        rows = []
        for invoice_id in ids:
            if invoice_id in held:
                continue  # one open hold per invoice is enough; a second return adds nothing to do
            finding = {"rule": HOLD, "hold": HOLD, "subject": f"payment {payment_id}", "reason_code": reason_code,
                       "message": vendor_reason, "payment_id": payment_id}
            rows.append({"id": f"hold_{ULID()}", "invoice_id": invoice_id, "hold": HOLD, "rule": HOLD,
                         "subject": f"payment {payment_id}",
                         "fingerprint": hashlib.sha256(f"{HOLD}:{payment_id}:{invoice_id}".encode()).hexdigest(),
                         "finding_json": json.dumps(finding, sort_keys=True), "status": "open",
                         "raised_at": at.isoformat(), "match_result_id": payment_id[:40]})
        if rows:
            conn.execute(insert(invoice_holds), rows)
        return len(rows)
