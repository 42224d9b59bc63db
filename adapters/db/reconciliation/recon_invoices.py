"""The AP side of a return (``payments.reconciliation.recon_ports.ReturnedInvoices``): each invoice goes back from ``paid`` to
``approved`` (guarded) and gets a ``payment_returned`` hold.

The payment leaving the live set (its guarded move to ``returned``) already frees the invoices for another
payment; the hold keeps the next payment run from paying them to the same bad account until a person releases it
with a reason, through the AP module's ordinary hold release. The vendor sees the reason in plain words.

The payment flow (a return reported by the rail) reopens invoices through the same adapter
(``payment_invoices.SqlPaidInvoices``), so both paths leave an invoice in the same state.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from adapters.db.disbursements.payment_invoices import SqlPaidInvoices

HOLD = "payment_returned"


class SqlReturnedInvoices:
    def reopen(self, uow: Any, invoice_ids: Sequence[str], *, payment_id: str, reason_code: str,
               vendor_reason: str, at: datetime) -> int:
        return SqlPaidInvoices(uow.conn).reopen(invoice_ids, payment_id=payment_id, hold=HOLD,
                                                reason_code=reason_code, message=vendor_reason, at=at)
