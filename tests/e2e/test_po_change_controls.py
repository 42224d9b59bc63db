"""Issue 12, item 3: a change order cannot commit more money without a second person (SQLite and PostgreSQL).

The attack, as it was run: a user holding both ap_clerk and ap_approver raised an approved $1,000 purchase order
to $100,000 with ``POST /v1/purchase-orders/{id}/versions``, and it stayed approved. Now a version that raises the
commitment, a unit price or a quantity, or adds a line, goes back to approval by someone other than its author,
with a funds check; until then the order keeps only what was approved encumbered and takes no receipts. A version
that only lowers stands at once.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import as_role

CLERK = as_role("ap_clerk", user="usr_ann")
BUYER = as_role("ap_clerk,ap_approver", user="usr_dee")  # enters and approves, never her own
APPROVER = as_role("ap_approver", user="usr_bob")
TREASURER = as_role("treasurer", user="usr_tess")
VENDOR_ADMIN = as_role("vendor_admin", user="usr_val")
AUDITOR = as_role("auditor", user="usr_aud")


def ok(response, status=200):  # noqa: ANN001, ANN201
    assert response.status_code == status, response.text
    return response.json()


def refused(response, status: int, code: str):  # noqa: ANN001, ANN201
    assert (response.status_code, response.json().get("code")) == (status, code), response.text
    return response.json()


def chairs(qty="10", price="100.00", line_no=1, object_code="5710"):  # noqa: ANN201
    return {"line_no": line_no, "item": "stacking chair", "quantity": qty, "unit_of_measure": "each",
            "unit_price": price, "fund": "100", "department": "PW", "object_code": object_code}


@pytest.fixture
def po(api):  # noqa: ANN001, ANN201
    """A $1,000 order for ten chairs, entered by the buyer and approved by Bob; $300,000 budgeted."""
    ok(api.post("/v1/budgets", json={"fiscal_year": 2027, "fund": "100", "department": "PW", "object_code": "5710",
                                     "amount": "300000.00"}, headers=TREASURER), 201)
    vendor = ok(api.post("/v1/vendors", json={"legal_name": "Acme Furniture", "terms": "net 30"},
                         headers=VENDOR_ADMIN), 201)
    ok(api.post(f"/v1/vendors/{vendor['id']}:activate", headers=VENDOR_ADMIN))
    made = ok(api.post("/v1/purchase-orders", json={"number": "PO-2027-0100", "vendor_id": vendor["id"],
                                                     "lines": [chairs()]}, headers=BUYER), 201)
    approved = ok(api.post(f"/v1/purchase-orders/{made['id']}:approve", headers=APPROVER))
    assert (approved["status"], approved["encumbered_minor"]) == ("approved", 100_000)
    return approved


def change(api, po, version, *lines, headers=BUYER, reason="more chairs", **extra):  # noqa: ANN001, ANN201
    return api.post(f"/v1/purchase-orders/{po['id']}/versions", headers=headers,
                    json={"expected_version": version, "reason": reason, "lines": list(lines), **extra})


def encumbered(api) -> int:  # noqa: ANN001
    rows = ok(api.get("/v1/ledger/balances?account=100-8030-PW-5710", headers=AUDITOR))["items"]
    return rows[0]["balance_minor"] if rows else 0


def test_a_raise_to_100000_goes_back_to_approval_by_someone_else(api, po, clock):
    raised = ok(change(api, po, 1, chairs(qty="1000")), 201)
    assert (raised["status"], raised["version"], raised["total_minor"]) == ("pending_approval", 2, 10_000_000)
    assert raised["encumbered_minor"] == 100_000 and encumbered(api) == 100_000  # only what was approved
    # Meanwhile nothing is received or billed against the raise.
    refused(api.post("/v1/receipts", json={"po_id": po["id"], "received_on": "2026-11-02",
                                           "lines": [{"po_line_no": 1, "quantity_received": "10"}]},
                     headers=CLERK), 409, "po_not_open")
    # The buyer cannot approve her own raise, though she may approve other people's orders.
    refused(api.post(f"/v1/purchase-orders/{po['id']}:approve", headers=BUYER), 403, "self_approval_forbidden")

    clock.advance(hours=1)
    approved = ok(api.post(f"/v1/purchase-orders/{po['id']}:approve", headers=APPROVER))
    assert (approved["status"], approved["encumbered_minor"]) == ("approved", 10_000_000)
    assert encumbered(api) == 10_000_000
    assert approved["approved"]["by"] == "usr_bob"


def test_the_raise_is_checked_against_the_budget_when_approved(api, po, clock):
    ok(change(api, po, 1, chairs(qty="4000")), 201)  # $400,000 against $300,000
    clock.advance(hours=1)
    problem = refused(api.post(f"/v1/purchase-orders/{po['id']}:approve", headers=APPROVER), 422,
                      "insufficient_funds")
    assert problem["available_minor"] == 29_900_000
    assert ok(api.get(f"/v1/purchase-orders/{po['id']}", headers=AUDITOR))["status"] == "pending_approval"
    assert encumbered(api) == 100_000


def test_a_dearer_price_or_a_new_line_goes_back_even_when_the_total_does_not_rise(api, po):
    # Four chairs at $120 ($480) instead of ten at $100 ($1,000): cheaper overall, but each chair costs more.
    dearer = ok(change(api, po, 1, chairs(qty="4", price="120.00")), 201)
    assert dearer["status"] == "pending_approval"
    # What the line no longer commits is released at once; the dearer price waits for someone else.
    assert encumbered(api) == 48_000


def test_a_new_line_goes_back_and_a_coding_change_on_an_approved_line_is_refused(api, po):
    ok(api.post("/v1/budgets", json={"fiscal_year": 2027, "fund": "100", "department": "PW", "object_code": "5720",
                                     "amount": "1000.00"}, headers=TREASURER), 201)
    refused(change(api, po, 1, chairs(object_code="5720")), 409, "po_line_has_activity")
    added = ok(change(api, po, 1, chairs(qty="5"), chairs(qty="1", line_no=2)), 201)
    assert added["status"] == "pending_approval"
    # Lowering line 1 from ten chairs to five stands at once; the new line waits.
    assert added["encumbered_minor"] == 50_000 and encumbered(api) == 50_000


def test_a_version_that_only_lowers_stands_without_anyone_else(api, po):
    lowered = ok(change(api, po, 1, chairs(qty="6", price="95.00"), headers=CLERK, reason="fewer, cheaper"), 201)
    assert (lowered["status"], lowered["encumbered_minor"]) == ("approved", 57_000)
    assert encumbered(api) == 57_000
    ceiling = ok(change(api, po, 2, chairs(qty="6", price="95.00"), headers=CLERK, max_total="600.00"), 201)
    assert ceiling["status"] == "approved"  # a new ceiling only limits
    raised_ceiling = ok(change(api, po, 3, chairs(qty="6", price="95.00"), headers=CLERK, max_total="900.00"), 201)
    assert raised_ceiling["status"] == "pending_approval"


def test_versions_written_while_it_waits_keep_every_author_from_approving(api, po, clock):
    ok(change(api, po, 1, chairs(qty="20")), 201)
    clock.advance(minutes=5)
    ok(change(api, po, 2, chairs(qty="15"), headers=CLERK, reason="fifteen will do"), 201)
    clock.advance(minutes=5)
    refused(api.post(f"/v1/purchase-orders/{po['id']}:approve", headers=BUYER), 403, "self_approval_forbidden")
    approved = ok(api.post(f"/v1/purchase-orders/{po['id']}:approve", headers=APPROVER))
    assert (approved["status"], approved["encumbered_minor"]) == ("approved", 150_000)
    history = ok(api.get(f"/v1/audit?object_id={po['id']}", headers=as_role("auditor", user="usr_aud")))
    assert [e["action"] for e in history["items"]][-1] == "po_change_approved"
