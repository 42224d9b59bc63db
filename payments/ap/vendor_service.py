"""Vendors: the basic master. The TIN is stored encrypted (bound to the vendor's row) and shown as its last 4.

Bank accounts and their change controls belong to the bank-account module; here a vendor is created pending,
activated by a vendor administrator, and its details changed under optimistic versioning.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from payments.ap.ap_deps import APDeps, client_id, replay, require
from payments.ap.ap_errors import DuplicateNumber, InvalidDocument, InvalidTIN, TinStorageUnavailable
from payments.ap.ap_ports import APUnitOfWork
from payments.ap.ap_records import VendorRecord, content_digest, new_id, plain
from payments.ap.documents import DiversityCertification, Vendor, VendorStatus, transition
from payments.errors import InvalidInput
from payments.identity import Action, Principal, authorize
from payments.ap.terms import TermsNotUnderstood, parse_terms

TIN_COLUMN = "vendors.tin"
_TIN = re.compile(r"^\d{9}$")


@dataclass(frozen=True, slots=True)
class VendorDetails:
    """What a person may set on a vendor (never its status, id or TIN ciphertext)."""

    legal_name: str
    number: str | None = None
    tin: str | None = None
    addresses: tuple[Mapping[str, str], ...] = ()
    contacts: tuple[Mapping[str, str], ...] = ()
    terms: str = ""
    is_1099: bool = False
    certifications: tuple[DiversityCertification, ...] = ()
    is_individual: bool = False


def _check(details: VendorDetails) -> str | None:
    if not details.legal_name.strip():
        raise InvalidDocument("legal_name may not be blank", field="legal_name")
    if details.terms.strip():
        try:
            parse_terms(details.terms)
        except TermsNotUnderstood as exc:
            raise InvalidDocument(exc.message, field="terms", code=exc.code) from None
    for i, cert in enumerate(details.certifications):
        if cert.valid_to < cert.valid_from:
            raise InvalidDocument("a certification must end on or after it starts",
                                  field=f"certifications[{i}].valid_to")
    if details.tin is None:
        return None
    tin = details.tin.replace("-", "").replace(" ", "")
    if not _TIN.match(tin):
        raise InvalidTIN("a TIN is nine digits (EIN 12-3456789 or SSN 123-45-6789)", field="tin")
    return tin


class VendorService:
    def __init__(self, deps: APDeps) -> None:
        self._d = deps

    def _seal_tin(self, vendor_id: str, tin: str | None) -> tuple[bytes | None, str | None]:
        if tin is None:
            return None, None
        if self._d.cipher is None:
            raise TinStorageUnavailable()
        return (base64.b64encode(self._d.cipher.encrypt(tin, row_id=vendor_id, column=TIN_COLUMN)),
                self._d.cipher.fingerprint(tin))

    def create(self, principal: Principal, details: VendorDetails, *, id: str | None = None) -> tuple[VendorRecord, bool]:
        with self._d.uow() as uow:
            record, created = self.create_in(uow, principal, details, id=id)
            uow.commit()
        return record, created

    def create_in(self, uow: APUnitOfWork, principal: Principal, details: VendorDetails, *,
                  id: str | None = None) -> tuple[VendorRecord, bool]:
        authorize(principal, Action.VENDOR_CREATE)
        vendor_id = client_id("vendor", id)
        tin = _check(details)
        digest = content_digest({"details": details})
        if vendor_id is not None and (existing := uow.vendors.get(vendor_id)) is not None:
            return replay("vendor", existing, digest), False
        if details.number and uow.vendors.get_by_number(details.number) is not None:
            raise DuplicateNumber("vendor", details.number, field="number")
        vendor_id = vendor_id or new_id("vendor")
        ciphertext, fingerprint = self._seal_tin(vendor_id, tin)
        stamp = self._d.stamp(principal)
        record = VendorRecord(
            vendor=Vendor(vendor_id, details.legal_name.strip(), VendorStatus.PENDING, details.terms.strip(),
                          details.is_1099, details.certifications, details.is_individual),
            number=details.number, tin_last4=tin[-4:] if tin else None, addresses=details.addresses,
            contacts=details.contacts, version=1, created=stamp, updated=stamp, create_digest=digest)
        uow.vendors.add(record, tin_ciphertext=ciphertext, tin_fingerprint=fingerprint)
        self._d.record(uow, principal, "vendor_created", vendor_id, None, _snapshot(record))
        return record, True

    def update(self, principal: Principal, vendor_id: str, details: VendorDetails, *,
               expected_version: int) -> VendorRecord:
        authorize(principal, Action.VENDOR_UPDATE)
        tin = _check(details)
        with self._d.uow() as uow:
            before = require(uow.vendors.get(vendor_id), "vendor", vendor_id)
            ciphertext, fingerprint = self._seal_tin(vendor_id, tin)
            after = replace(
                before, vendor=replace(before.vendor, legal_name=details.legal_name.strip(), terms=details.terms.strip(),
                                       is_1099=details.is_1099, certifications=details.certifications,
                                       is_individual=details.is_individual),
                number=details.number, addresses=details.addresses, contacts=details.contacts,
                tin_last4=tin[-4:] if tin else before.tin_last4, version=expected_version + 1,
                updated=self._d.stamp(principal))
            uow.vendors.update(after, expected_version=expected_version, tin_ciphertext=ciphertext,
                               tin_fingerprint=fingerprint)
            self._d.record(uow, principal, "vendor_updated", vendor_id, _snapshot(before), _snapshot(after),
                           detail={"tin_changed": tin is not None})
            uow.commit()
        return after

    def set_status(self, principal: Principal, vendor_id: str, target: VendorStatus) -> VendorRecord:
        authorize(principal, Action.VENDOR_UPDATE)
        with self._d.uow() as uow:
            before = require(uow.vendors.get(vendor_id), "vendor", vendor_id)
            transition(before.vendor.status, target)
            stamp = self._d.stamp(principal)
            uow.vendors.set_status(vendor_id, before.vendor.status, target, stamp)
            self._d.record(uow, principal, f"vendor_{target.value}", vendor_id,
                           {"status": before.vendor.status.value}, {"status": target.value})
            uow.commit()
        return replace(before, vendor=replace(before.vendor, status=target), updated=stamp)

    def get(self, vendor_id: str) -> VendorRecord:
        with self._d.uow(read_only=True) as uow:
            return require(uow.vendors.get(vendor_id), "vendor", vendor_id)

    def list(self, *, after: str | None, limit: int, status: str | None = None) -> list[VendorRecord]:
        with self._d.uow(read_only=True) as uow:
            return uow.vendors.list(after=after, limit=limit, status=status)

def _snapshot(record: VendorRecord) -> dict[str, Any]:
    v = record.vendor
    return {"legal_name": v.legal_name, "number": record.number, "status": v.status.value, "terms": v.terms,
            "is_1099": v.is_1099, "is_individual": v.is_individual, "tin_last4": record.tin_last4, "version": record.version,
            "certifications": plain(v.certifications)}
