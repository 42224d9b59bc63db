"""Batches a (simulated) RDFI sends back: returns and notifications of change.

With :func:`.addenda99.return_entry` and :func:`.addenda98.noc_entry` these let the sandbox bank and the
tests produce real return and NOC files with the same builder that writes payments, so the reader and the
reconciliation are exercised on the bytes a bank would send.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from .batch_header import Batch
from .entry_detail import Entry
from .transaction_codes import CREDIT_CODES


def _service_class(entries: Sequence[Entry]) -> int:
    credits = {e.transaction_code in CREDIT_CODES for e in entries}
    return 200 if len(credits) > 1 else 220 if credits == {True} else 225


def return_batch(original: Batch, entries: Sequence[Entry], *, odfi_id: str, effective_date: date) -> Batch:
    """Return entries in a batch that keeps the original's company, SEC code and description.

    ``odfi_id`` is the returning bank's 8-digit prefix: it originates the return, so the return entries'
    traces start with it. The service class follows the entries' directions.
    """
    return replace(
        original,
        service_class=_service_class(entries),
        odfi_id=odfi_id,
        effective_date=effective_date,
        entries=tuple(entries),
    )


def noc_batch(original: Batch, entries: Sequence[Entry], *, odfi_id: str, effective_date: date) -> Batch:
    """Zero-dollar COR entries (each with one Addenda98) in a COR batch for the original company."""
    return replace(
        original,
        service_class=_service_class(entries),
        sec_code="COR",
        odfi_id=odfi_id,
        effective_date=effective_date,
        entries=tuple(entries),
    )


__all__ = ["noc_batch", "return_batch"]
