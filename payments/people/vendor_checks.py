"""Whether a vendor id names a vendor we have, and whether it may still change where it is paid.

The vendor master is accounts payable's (``uow.vendors``); people and controls read it through the shared unit of
work and know only the status's value, so the two features stay independent of each other.
"""

from __future__ import annotations

from payments.errors import Conflict, NotFound
from payments.people.identity_ports import IdentityUnitOfWork

INACTIVE = "inactive"


class VendorNotFound(NotFound):
    """Contacts and bank accounts are kept only for vendors that exist."""

    code = "vendor_not_found"

    def __init__(self, vendor_id: str) -> None:
        super().__init__(f"vendor {vendor_id} does not exist", vendor_id=vendor_id)


class VendorDeactivated(Conflict):
    """A deactivated vendor is paid nowhere, so nobody opens a bank-account change for it."""

    code = "vendor_deactivated"

    def __init__(self, vendor_id: str) -> None:
        super().__init__(f"vendor {vendor_id} is deactivated; its bank account cannot be changed",
                         vendor_id=vendor_id)


def vendor_status(uow: IdentityUnitOfWork, vendor_id: str) -> str | None:
    """The vendor's status value, or None when no such vendor exists."""
    record = uow.vendors.get(vendor_id) if vendor_id else None
    return None if record is None else str(getattr(record.vendor.status, "value", record.vendor.status))


def require_vendor(uow: IdentityUnitOfWork, vendor_id: str) -> str:
    """Raise ``vendor_not_found`` unless the vendor exists; return its status."""
    status = vendor_status(uow, vendor_id)
    if status is None:
        raise VendorNotFound(vendor_id)
    return status


def require_vendor_for_bank_change(uow: IdentityUnitOfWork, vendor_id: str) -> None:
    """The vendor exists and is not deactivated."""
    if require_vendor(uow, vendor_id) == INACTIVE:
        raise VendorDeactivated(vendor_id)
