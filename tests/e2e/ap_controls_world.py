"""A small accounts-payable world over HTTP for the separation-of-duties tests (issue 12, items 4-6): a budget,
an active vendor, an approved order for chairs with everything received, and helpers to bill against it.

Requests carry the test stand-in authenticator's headers (``tests.e2e.conftest.as_role``), so each test names
exactly who holds which roles.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import as_role

CLERK = as_role("ap_clerk", user="usr_ann")
APPROVER = as_role("ap_approver", user="usr_bob")
APPROVER_2 = as_role("ap_approver", user="usr_cy")
TREASURER = as_role("treasurer", user="usr_tess")
VENDOR_ADMIN = as_role("vendor_admin", user="usr_val")
AUDITOR = as_role("auditor", user="usr_aud")
ROUTING = "021000021"


def ok(response, status=200):  # noqa: ANN001, ANN201
    assert response.status_code == status, response.text
    return response.json()


def refused(response, status: int, code: str):  # noqa: ANN001, ANN201
    assert (response.status_code, response.json().get("code")) == (status, code), response.text
    return response.json()


@pytest.fixture
def world(api):  # noqa: ANN001, ANN201
    """Acme, and an approved order for 1,000 chairs at $120 (all received on 1 August); $300,000 budgeted."""
    ok(api.post("/v1/budgets", json={"fiscal_year": 2027, "fund": "100", "department": "PW", "object_code": "5710",
                                     "amount": "300000.00"}, headers=TREASURER), 201)
    vendor = ok(api.post("/v1/vendors", json={"legal_name": "Acme Furniture", "terms": "net 30"},
                         headers=VENDOR_ADMIN), 201)["id"]
    ok(api.post(f"/v1/vendors/{vendor}:activate", headers=VENDOR_ADMIN))
    po = ok(api.post("/v1/purchase-orders", json={"number": "PO-2027-0200", "vendor_id": vendor, "lines": [{
        "line_no": 1, "item": "stacking chair", "quantity": "1000", "unit_of_measure": "each",
        "unit_price": "120.00", "fund": "100", "department": "PW", "object_code": "5710"}]}, headers=CLERK), 201)
    ok(api.post(f"/v1/purchase-orders/{po['id']}:approve", headers=APPROVER))
    ok(api.post("/v1/receipts", json={"po_id": po["id"], "received_on": "2026-08-01",
                                      "lines": [{"po_line_no": 1, "quantity_received": "1000"}]}, headers=CLERK), 201)
    return {"vendor": vendor, "po": po["id"]}


def bill(api, world, qty: str, price: str = "120.00", number: str = "INV-1", headers=CLERK,  # noqa: ANN001, ANN201
         invoice_date: str = "2026-10-05", received_on: str | None = None, **extra):
    total = f"{int(qty) * float(price):.2f}"
    body = {"vendor_id": world["vendor"], "invoice_number": number, "invoice_date": invoice_date,
            "received_on": received_on or invoice_date, "terms": "net 30", "total": total, "remit_to": "Acme, 1 Main St",
            "defect_contact": "Pat Lee", "lines": [{"line_no": 1, "po_id": world["po"], "po_line_no": 1,
                                                    "quantity": qty, "unit_price": price}], **extra}
    return api.post("/v1/invoices", json=body, headers=headers)


def approve(api, invoice_id: str, headers):  # noqa: ANN001, ANN201
    return api.post(f"/v1/invoices/{invoice_id}:approve", headers=headers)
