"""Refusals of the vendor portal's own requests, each with a stable code (the HTTP table maps them)."""

from __future__ import annotations

from payments.ap.ap_errors import InvalidDocument
from payments.errors import InvalidInput


class InvalidStatusFilter(InvalidInput):
    """A vendor's invoice list filtered by a status that is not one a vendor sees."""

    code = "invalid_status"


class UnknownPurchaseOrder(InvalidDocument):
    """A vendor's invoice names a purchase order that was not issued to that vendor (or does not exist: the same
    answer, so a vendor learns nothing of another's orders)."""

    code = "unknown_purchase_order"
