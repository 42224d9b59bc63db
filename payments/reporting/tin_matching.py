"""IRS TIN Matching results per vendor, and what they do to the 1099 filing.

An agency checks each payee's name and TIN with the IRS's TIN Matching program (Publication 2108A, *On-Line
Taxpayer Identification Number (TIN) Matching Program*) before filing; the program answers with a code:

====  =====================================================  ==========
code  meaning                                                here
====  =====================================================  ==========
0     TIN and name combination matches IRS records            match
1     TIN was missing or not a nine-digit number              mismatch
2     TIN entered is not currently issued                     mismatch
3     TIN and name combination does not match IRS records     mismatch
4     invalid TIN matching request                            not checked
5     duplicate TIN matching request                          not checked
6     matched on SSN                                          match
7     matched on EIN                                          match
8     matched on both SSN and EIN                             match
====  =====================================================  ==========

A result is recorded per vendor as a signed audit event (``tin_match_recorded``, with the code, the day it was
checked and the last four digits of the TIN checked): the audit journal is its record. The latest result counts,
and only for the TIN it checked: once the vendor's TIN changes, the old result no longer says anything about it.
A mismatch on the vendor's current TIN holds the vendor out of the 1099 filing file (hold ``tin_mismatch``) and
lists it in the pre-filing worklist until a new check matches (or the TIN is corrected and checked again).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from payments.audit import AuditTrail
from payments.errors import InvalidInput, NotFound
from payments.identity import Principal
from payments.ports import UowFactory

RECORDED = "tin_match_recorded"
TIN_MISMATCH = "tin_mismatch"
MEANINGS = {0: "TIN and name match IRS records", 1: "TIN missing or not nine digits",
            2: "TIN not currently issued", 3: "TIN and name do not match IRS records",
            4: "invalid TIN matching request", 5: "duplicate TIN matching request", 6: "matched on SSN",
            7: "matched on EIN", 8: "matched on both SSN and EIN"}
MISMATCH_CODES = frozenset({1, 2, 3})
MATCH_CODES = frozenset({0, 6, 7, 8})


class UnknownTinMatchCode(InvalidInput):
    code = "tin_match_code_unknown"

    def __init__(self, value: int) -> None:
        super().__init__(f"{value} is not an IRS TIN Matching result code (0-8, Publication 2108A)", field="code")


class VendorHasNoTin(InvalidInput):
    code = "vendor_has_no_tin"

    def __init__(self, vendor_id: str) -> None:
        super().__init__(f"vendor {vendor_id} has no TIN on file to have been checked; enter its TIN first",
                         vendor_id=vendor_id)


@dataclass(frozen=True, slots=True)
class TinCheck:
    vendor_id: str
    code: int
    checked_on: dt.date
    tin_last4: str
    recorded_by: str

    @property
    def meaning(self) -> str:
        return MEANINGS[self.code]

    def blocks(self, current_last4: str | None) -> bool:
        """A mismatch of the TIN the vendor still has."""
        return self.code in MISMATCH_CODES and current_last4 == self.tin_last4

    def problem(self) -> str:
        return f"TIN mismatch: IRS TIN Matching code {self.code}, {self.meaning} (checked {self.checked_on.isoformat()})"


class TinMatching:
    def __init__(self, uow_factory: UowFactory[Any], audit: AuditTrail) -> None:
        self._uow, self._audit = uow_factory, audit

    def record(self, principal: Principal, vendor_id: str, code: int, checked_on: dt.date) -> TinCheck:
        if code not in MEANINGS:
            raise UnknownTinMatchCode(code)
        with self._uow() as uow:
            vendor = uow.vendors.get(vendor_id)
            if vendor is None:
                raise NotFound(f"vendor {vendor_id} does not exist.", kind="vendor", object_id=vendor_id)
            if not vendor.tin_last4:
                raise VendorHasNoTin(vendor_id)
            check = TinCheck(vendor_id, code, checked_on, vendor.tin_last4, principal.user_id)
            self._audit.record(uow, principal, RECORDED, vendor_id, object_type="vendor",
                               detail={"code": code, "meaning": check.meaning, "checked_on": checked_on.isoformat(),
                                       "tin_last4": check.tin_last4})
            uow.commit()
        return check

    def latest(self) -> Mapping[str, TinCheck]:
        """Each vendor's latest recorded result."""
        out: dict[str, TinCheck] = {}
        after = 0
        with self._uow(read_only=True) as uow:
            while True:
                page = uow.audit_index.search(action=RECORDED, object_type="vendor", after_sequence=after, limit=500)
                for entry in page:
                    data = entry.draft.data
                    d = dict(data.get("detail", {}))
                    out[str(data["object_id"])] = TinCheck(str(data["object_id"]), int(d["code"]),
                                                           dt.date.fromisoformat(d["checked_on"]),
                                                           str(d["tin_last4"]), str(data.get("actor", "")))
                if len(page) < 500:
                    return out
                after = page[-1].sequence
