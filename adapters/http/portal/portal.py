"""The vendor portal's mechanism: routers under /v1/portal tagged ``portal``, scoped to the caller's own vendor.

A portal route takes the vendor from the authenticated principal, never from the path or the body, and answers
another vendor's object exactly as it answers a missing one (404, no detail). Every route tagged ``portal`` joins
the BOLA matrix in tests/e2e/test_bola_matrix.py automatically; a route with an object id in its path needs a
fixture there that creates one such object for a given vendor.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from payments.errors import NotFound
from payments.identity import Principal

PORTAL_PREFIX = "/v1/portal"
PORTAL_TAG = "portal"


def portal_router(**kwargs: Any) -> APIRouter:
    """A router for vendor-scoped routes; later features (invoices, payments, remittances) make their own."""
    return APIRouter(prefix=PORTAL_PREFIX, tags=[PORTAL_TAG], **kwargs)


def own_vendor(principal: Principal) -> str:
    """The vendor a portal request acts for: the caller's binding, and only that."""
    if not principal.is_vendor or not principal.vendor_id:
        # The authorization table grants portal actions to the vendor role alone; this is a second lock.
        raise NotFound("not found")
    return principal.vendor_id

