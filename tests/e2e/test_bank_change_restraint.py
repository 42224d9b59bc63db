"""Issue 12, item 4: the bank-change restraint starts at the request (SQLite and PostgreSQL).

The attack, as it was run: someone holding vendor_admin and ap_approver asked to change Acme's bank account, then
approved Acme's invoice before anyone had approved the change. Whoever asks to redirect a vendor's money may not
approve that vendor's invoices (or release its payments) from the request on, until the change has cooled off.
"""

from __future__ import annotations

from tests.e2e.ap_controls_world import (APPROVER, ROUTING, TREASURER, VENDOR_ADMIN, approve, bill, ok, refused,
                                         world)  # noqa: F401
from tests.e2e.conftest import as_role

VEE = as_role("vendor_admin,ap_approver", user="usr_vee")


def ask_for_a_new_account(api, vendor: str, headers=VEE):  # noqa: ANN001, ANN201
    ok(api.put(f"/v1/vendors/{vendor}/contact", headers=VENDOR_ADMIN, json={"phone": "+1 555 010 4477"}))
    return ok(api.post(f"/v1/vendors/{vendor}/bank-account-changes", headers=headers, json={
        "routing_number": ROUTING, "account_number": "000123456789", "account_type": "checking"}), 201)


def test_the_requester_cannot_approve_the_vendors_invoice_while_the_change_is_only_requested(api, world, clock):
    invoice = ok(bill(api, world, "10"), 201)
    change = ask_for_a_new_account(api, world["vendor"])
    assert change["status"] == "requested"
    problem = refused(approve(api, invoice["id"], VEE), 403, "bank_change_cooling_off")
    assert problem["vendor_id"] == world["vendor"]
    # Someone who did not touch the bank account approves as usual.
    assert ok(approve(api, invoice["id"], APPROVER))["status"] == "approved"

    # However long the request stays open, the restraint holds.
    clock.advance(days=30)
    later = ok(bill(api, world, "5", number="INV-2"), 201)
    refused(approve(api, later["id"], VEE), 403, "bank_change_cooling_off")


def test_a_rejected_request_restrains_its_requester_for_a_cooling_off_counted_from_the_request(api, world, clock):
    change = ask_for_a_new_account(api, world["vendor"])
    ok(api.post(f"/v1/bank-account-changes/{change['id']}/reject", headers=TREASURER,
                json={"reason": "Acme says it did not ask"}))
    invoice = ok(bill(api, world, "10"), 201)
    refused(approve(api, invoice["id"], VEE), 403, "bank_change_cooling_off")
    clock.advance(days=10)
    assert ok(approve(api, invoice["id"], VEE))["status"] == "approved"
