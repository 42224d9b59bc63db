"""What every AP use case is built with, and the few steps they all share.

Each service method ``x(...)`` opens one unit of work, calls ``x_in(uow, ...)`` and commits once; the ``_in``
form lets the CSV importer run a whole file inside one transaction (all or nothing).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from ledger.entries import EntryDraft
from ledger.journal import Journal, format_time
from ledger.money import UnknownCurrency, check_currency
from payments.ap.ap_errors import (DocumentExistsWithDifferentBody, DocumentNotFound, InvalidId,
                                   UnknownDocumentCurrency, UnknownVendor, VendorNotActive)
from payments.ap.ap_policy import APPolicies
from payments.ap.ap_postings import budget_effects
from payments.ap.ap_ports import APUnitOfWork, AuditRecorder
from payments.ap.documents import VendorStatus
from payments.ap.ap_records import Stamp, VendorRecord, valid_id
from payments.controls import BankChangeRestraint
from payments.identity import Principal
from payments.ports import Clock, FieldCipher, UnitOfWork, UowFactory


def _no_restraints(_uow: APUnitOfWork, _vendor_id: str) -> Iterable[BankChangeRestraint]:
    return ()


@dataclass
class APDeps:
    """``journal_for(uow)`` gives a Journal with the active signer (``LedgerService.journal_for``)."""

    uow: UowFactory[APUnitOfWork]
    journal_for: Callable[[UnitOfWork], Journal]
    clock: Clock
    policies: APPolicies
    audit: AuditRecorder | None = None
    cipher: FieldCipher | None = None  # vendor TINs
    # Who changed a vendor's bank account recently (the bank-account module supplies it).
    restraints: Callable[[APUnitOfWork, str], Iterable[BankChangeRestraint]] = field(default=_no_restraints)

    def now(self) -> dt.datetime:
        return self.clock.now()

    def today(self) -> dt.date:
        return self.clock.now().date()

    def now_text(self) -> str:
        """Now, as RFC 3339 UTC text (what records store)."""
        return format_time(self.clock.now())

    def stamp(self, principal: Principal) -> Stamp:
        return Stamp(principal.user_id, self.now_text())

    def post(self, uow: APUnitOfWork, drafts: Iterable[EntryDraft | None]) -> list[str]:
        """Post the non-empty drafts in this unit of work; return their ids."""
        wanted = [d for d in drafts if d is not None]
        if not wanted:
            return []
        posted = self.journal_for(uow).post_many(wanted)
        # Each fiscal year's budget line keeps what its orders encumbered and expended, from the very entries
        # just posted (appropriations are the budget service's own, set with the line). Only from entries this
        # call created: one the journal already held (a replayed id) was counted when it was first posted.
        effects = budget_effects(p.entry.draft for p in posted if p.created)
        if effects:
            uow.budgets.add_effects(effects)
        return [d.id for d in wanted]

    def record(self, uow: UnitOfWork, principal: Principal | str, action: str, object_id: str, before: Any = None,
               after: Any = None, detail: Mapping[str, Any] | None = None) -> None:
        """An audit event for a state change, when the audit trail is wired in."""
        if self.audit is not None:
            self.audit.record(uow, principal, action, object_id, before, after, detail=detail)


def client_id(kind: str, value: str | None) -> str | None:
    """A client-chosen id must be ours in form (prefix + ULID), so it can never collide with another kind."""
    if value is None:
        return None
    if not valid_id(kind, value):
        raise InvalidId(f"id {value!r} must be the {kind.replace('_', ' ')} prefix and a ULID", field="id")
    return value


class _Created(Protocol):
    @property
    def create_digest(self) -> str: ...


_R = TypeVar("_R", bound=_Created)
_T = TypeVar("_T")


def replay(kind: str, existing: _R, digest: str) -> _R:
    """The stored document when a create is repeated with the same content; refuse different content."""
    if existing.create_digest != digest:
        raise DocumentExistsWithDifferentBody(kind, _id_of(existing))
    return existing


def _id_of(record: object) -> str:
    for attr in ("po", "invoice", "receipt", "memo", "vendor"):
        doc = getattr(record, attr, None)
        if doc is not None:
            return str(doc.id)
    return str(getattr(record, "id", "?"))


def require(record: _T | None, kind: str, object_id: str) -> _T:
    if record is None:
        raise DocumentNotFound(kind, object_id)
    return record


def document_vendor(uow: APUnitOfWork, vendor_id: str, currency: str, *,
                    refused: Collection[VendorStatus] = ()) -> VendorRecord:
    """The checks every AP document makes of its header, in one place: a known ISO 4217 currency and a vendor on
    file, not in one of the ``refused`` statuses (a PO needs an active vendor, an invoice one not inactive)."""
    try:
        check_currency(currency)
    except UnknownCurrency as exc:
        raise UnknownDocumentCurrency(exc.message, field="currency") from None
    vendor = uow.vendors.get(vendor_id)
    if vendor is None:
        raise UnknownVendor(f"vendor {vendor_id} does not exist", field="vendor_id")
    if vendor.vendor.status in refused:
        raise VendorNotActive(vendor_id, vendor.vendor.status.value)
    return vendor
