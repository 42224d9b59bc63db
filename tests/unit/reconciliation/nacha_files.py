"""Small NACHA returns/NOC files for reconciliation tests, written with the project's own builder.

The City of Riverton (ODFI 231380104) paid vendors at the Vendors' Bank (RDFI 091000019); the vendors' bank
sends returns and notifications of change back. ``original(k, amount)`` is the k-th payment's entry as we sent it.
"""

from __future__ import annotations

from datetime import date, time

from adapters.formats.nacha import (Batch, CorrectedData, Entry, NachaFile, noc_batch, noc_entry, return_batch,
                                  return_entry, write)

ODFI_ROUTING = "231380104"
ODFI = ODFI_ROUTING[:8]
RDFI_ROUTING = "091000019"
RDFI = RDFI_ROUTING[:8]
SENT = date(2026, 9, 22)


def trace(k: int) -> str:
    return f"{ODFI}{k:07d}"


def original(k: int, amount: int, *, account: str = "4400019921", tc: int = 22) -> Entry:
    return Entry(transaction_code=tc, rdfi_routing=RDFI_ROUTING, account_number=account, amount_cents=amount,
                 identification=f"VEN{k:04d}", receiver_name=f"VENDOR {k}", trace_number=trace(k))


def original_batch(entries: list[Entry]) -> Batch:
    return Batch(service_class=220, company_name="CITY OF RIVERTON", company_id="1234567890", sec_code="CCD",
                 entry_description="VENDOR PAY", effective_date=SENT, odfi_id=ODFI, entries=tuple(entries))


def returns_file(items: list[tuple[int, int, str]], *, date_of_death: date | None = None,
                 on: date = date(2026, 9, 24)) -> bytes:
    """``items``: (k, amount, reason code) of payments coming back."""
    originals = [original(k, amount) for k, amount, _ in items]
    entries = [return_entry(o, reason_code=code, trace_number=f"{RDFI}{9000 + i:07d}", original_odfi_routing=ODFI_ROUTING,
                            date_of_death=date_of_death if code in ("R14", "R15") else None)
               for i, (o, (_, _, code)) in enumerate(zip(originals, items), 1)]
    batch = return_batch(original_batch(originals), entries, odfi_id=RDFI, effective_date=on)
    return write(_file([batch], on))


def noc_file(items: list[tuple[int, str, CorrectedData]], *, on: date = date(2026, 9, 24)) -> bytes:
    """``items``: (k, change code, corrected data) for payments whose details need correcting."""
    originals = [original(k, 1000 + k) for k, _, _ in items]
    entries = [noc_entry(o, change_code=code, corrected=data, trace_number=f"{RDFI}{8000 + i:07d}",
                         original_odfi_routing=ODFI_ROUTING)
               for i, (o, (_, code, data)) in enumerate(zip(originals, items), 1)]
    return write(_file([noc_batch(original_batch(originals), entries, odfi_id=RDFI, effective_date=on)], on))


def _file(batches: list[Batch], on: date) -> NachaFile:
    return NachaFile(immediate_destination=ODFI_ROUTING, immediate_origin=RDFI_ROUTING, creation_date=on,
                     creation_time=time(6, 15), file_id_modifier="R", immediate_destination_name="CITY BANK",
                     immediate_origin_name="VENDORS BANK", batches=batches)
