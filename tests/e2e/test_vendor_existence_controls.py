"""Issue 12, item 7: contacts and bank-account changes only for vendors that exist, and none for a deactivated
vendor (SQLite and PostgreSQL).

The attack, as it was run: ``PUT /v1/vendors/totally-not-a-vendor/contact`` answered 200 and a bank account could
then be requested and listed for that id; and a deactivated vendor's portal user could still open a bank change.
"""

from __future__ import annotations

from payments.ap.documents import VendorStatus
from payments.identity import Principal, Role
from tests.e2e.people import ROUTING, client, people, set_contact, stack  # noqa: F401

GHOST = "totally-not-a-vendor"
ACME = "ven_01ACMEGONE0000000000000000"
CHANGE = {"routing_number": ROUTING, "account_number": "000123456789", "account_type": "checking"}


def refused(response, status: int, code: str) -> None:  # noqa: ANN001
    assert (response.status_code, response.json().get("code")) == (status, code), response.text


def test_no_contact_or_bank_account_for_a_vendor_that_does_not_exist(stack, client, people):
    val = people.headers("val", Role.VENDOR_ADMIN)
    refused(client.put(f"/v1/vendors/{GHOST}/contact", headers=val, json={"phone": "+1 555 010 4477"}), 404,
            "vendor_not_found")
    refused(client.post(f"/v1/vendors/{GHOST}/bank-account-changes", headers=val, json=CHANGE), 404,
            "vendor_not_found")
    refused(client.post("/v1/portal/bank-account-changes", headers=people.vendor("ghost", GHOST), json=CHANGE), 404,
            "vendor_not_found")
    assert client.get(f"/v1/vendors/{GHOST}/bank-accounts", headers=val).json()["items"] == []
    with stack.uow(read_only=True) as uow:
        assert uow.vendor_contacts.get(GHOST) is None
        assert uow.bank_accounts.list_changes(vendor_id=GHOST) == []


def test_a_deactivated_vendors_portal_user_cannot_open_a_bank_change(stack, client, people):
    set_contact(stack, ACME)
    acme = people.vendor("acme", ACME)
    assert client.post("/v1/portal/bank-account-changes", headers=acme, json=CHANGE).status_code == 201
    import main

    # Deactivated through the vendor service, as a vendor admin would.
    main.ap_services(stack).vendors.set_status(Principal.staff("usr_val", Role.VENDOR_ADMIN), ACME,
                                               VendorStatus.INACTIVE)
    refused(client.post("/v1/portal/bank-account-changes", headers=acme, json=CHANGE), 409, "vendor_deactivated")
    refused(client.post(f"/v1/vendors/{ACME}/bank-account-changes", headers=people.headers("val", Role.VENDOR_ADMIN),
                        json=CHANGE), 409, "vendor_deactivated")
    with stack.uow(read_only=True) as uow:
        assert len(uow.bank_accounts.list_changes(vendor_id=ACME)) == 1  # only the one asked for while active
