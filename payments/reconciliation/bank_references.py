"""The bank's own reference for a payment, learned from the statement line that settled it (issue 11, defect 6).

An ISO 20022 credit transfer has no ACH trace: staff and the vendor are shown the EndToEndId we sent. Once the
debtor bank's statement books the payment, its line carries the bank's own reference for it (camt.053/054
``AcctSvcrRef``, else ``NtryRef``; BAI2's bank reference), which is what the bank's people will ask for. The line
is stored with the import and the settlement match ties it to the payment, so the reference is read from there:
nothing to keep in step. Before any statement, a rail's status report may already give it (pain.002
``TxInfAndSts/AcctSvcrRef``): the payment follow-up keeps that one (``BankReferenceLog``), and it is shown until a
statement line names the payment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class BankReference:
    """What the bank called the payment on the statement line that settled it."""

    payment_id: str
    reference: str
    booked_on: dt.date | None = None  # a statement's booking date (None: from a status report)
    line_id: str | None = None
    source: str = "bank_statement"  # or "status_report"


class BankReferences(Protocol):
    def for_payments(self, payment_ids: Iterable[str]) -> dict[str, BankReference]:
        """The bank's reference of each of ``payment_ids`` a statement line with a reference settled."""
        ...


def bank_reference_view(found: BankReference | None) -> dict[str, Any] | None:
    """As staff and the vendor are shown it (``None`` until a statement books the payment)."""
    if found is None:
        return None
    return {"value": found.reference, "source": found.source,
            "booked_on": found.booked_on.isoformat() if found.booked_on else None, "line_id": found.line_id}


__all__ = ["BankReference", "BankReferences", "bank_reference_view"]
