"""Reconciliation's exceptions queue as the payments feature's ``TreasuryQueue``.

Payments (a payment over the rail's limit, a bank refusal that contradicts the books) hand an item over through
the port they own; this turns it into an exception row in the same unit of work, opened once per dedup key.
"""

from __future__ import annotations

import datetime as dt

from ulid import ULID

from payments.disbursements.payment_ports import TreasuryIssue
from payments.reconciliation.recon_apply import exception_record
from payments.reconciliation.recon_ports import ReconRepository
from payments.reconciliation.recon_records import ExceptionKind, ReconException


def _new_id(prefix: str) -> str:
    return f"{prefix}_{ULID()}"


class ReconTreasuryQueue:
    def __init__(self, recon: ReconRepository) -> None:
        self._recon = recon

    def open(self, issue: TreasuryIssue, detail: str, amount_minor: int, currency: str, *, dedup_key: str,
             now: dt.datetime, payment_ids: tuple[str, ...] = ()) -> bool:
        exception = ReconException(ExceptionKind(issue.value), detail, amount_minor, currency, payment_ids=payment_ids)
        return bool(self._recon.add_exceptions([exception_record(exception, new_id=_new_id, now=now,
                                                                 dedup_key=dedup_key)]))
