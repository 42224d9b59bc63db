"""Issue 12, item 1: the call-back number cannot be swapped just before a bank change (SQLite and PostgreSQL).

The attack, as it was run: a vendor admin put a new phone on Acme's contact and, 14 ms later, asked for a bank
change; the call-back was "confirmed" on the new phone and the change notice went to it too. Now a contact change
waits for a second person, tells the previous contact, and cools off; until it has, call-backs and bank-change
notices use the contact on file before it, and a bank change asked for meanwhile waits for it.
"""

from __future__ import annotations

import pytest

from payments.identity import Role
from tests.e2e.people import ON_FILE, ROUTING, client, people, set_contact, stack  # noqa: F401

ACME = "ven_01ACMECONTACT00000000000"
THIEF_PHONE, THIEF_EMAIL = "+1 (555) 066-6999", "billing@acme-payments.example"


@pytest.fixture
def cast(stack, people):  # noqa: ANN001, ANN201
    set_contact(stack, ACME, email="ap@acme.example")
    return {name: people.headers(name, role) for name, role in (
        ("val", Role.VENDOR_ADMIN), ("vic", Role.VENDOR_ADMIN), ("vera", Role.VENDOR_ADMIN),
        ("tess", Role.TREASURER))}


def refused(response, status: int, code: str) -> None:  # noqa: ANN001
    assert (response.status_code, response.json().get("code")) == (status, code), response.text


def swap_contact(client, headers, phone=THIEF_PHONE, email=THIEF_EMAIL):  # noqa: ANN001, ANN201
    r = client.put(f"/v1/vendors/{ACME}/contact", headers=headers, json={"phone": phone, "email": email})
    assert r.status_code == 202, r.text
    return r.json()


def bank_change(client, headers):  # noqa: ANN001, ANN201
    r = client.post(f"/v1/vendors/{ACME}/bank-account-changes", headers=headers,
                    json={"routing_number": ROUTING, "account_number": "000123456789", "account_type": "checking"})
    assert r.status_code == 201, r.text
    return r.json()


def call_back(client, headers, change_id, number):  # noqa: ANN001, ANN201
    return client.post(f"/v1/bank-account-changes/{change_id}/callback", headers=headers,
                       json={"number_called": number, "outcome": "confirmed"})


def notices(stack, kind):  # noqa: ANN001, ANN201
    with stack.uow(read_only=True) as uow:
        return [m for m in uow.outbox.list(vendor_id=ACME) if m.kind.value == kind]


def test_a_swapped_phone_then_an_immediate_bank_change_is_called_back_on_the_old_number(stack, client, cast, clock):
    # The swap is only a request: nothing is on file until someone else approves it.
    change = swap_contact(client, cast["val"])
    assert (change["status"], change["previous"]["phone"]) == ("requested", ON_FILE)
    assert client.get(f"/v1/vendors/{ACME}/contact", headers=cast["vic"]).json()["phone"] == ON_FILE

    bank = bank_change(client, cast["val"])  # the very next request
    assert bank["phone_on_file"] == ON_FILE
    # The requester cannot approve his own contact change; a second request cannot pile on the first.
    refused(client.post(f"/v1/vendor-contact-changes/{change['id']}/approve", headers=cast["val"]), 403,
            "self_approval_forbidden")
    refused(client.put(f"/v1/vendors/{ACME}/contact", headers=cast["vic"], json={"phone": "555-010-0000"}), 409,
            "contact_change_pending")
    # The bank change waits for the contact change, whatever number is called.
    refused(call_back(client, cast["vic"], bank["id"], ON_FILE), 409, "contact_change_pending")

    approved = client.post(f"/v1/vendor-contact-changes/{change['id']}/approve", headers=cast["vic"])
    assert approved.status_code == 200, approved.text
    assert approved.json()["cooling_off_until"] == "2026-11-12T15:00:00+00:00"
    assert client.get(f"/v1/vendors/{ACME}/contact", headers=cast["vic"]).json()["phone"] == THIEF_PHONE
    # The previous contact is told, at its own address, while there is time to object.
    [told] = notices(stack, "contact_details_changed")
    assert (told.recipient, told.channel.value, told.facts["new_phone_ending"]) == ("ap@acme.example", "email", "6999")

    # Approved, but cooling off: the bank change still waits, and never on the new number.
    refused(call_back(client, cast["vic"], bank["id"], THIEF_PHONE), 409, "contact_change_cooling_off")
    clock.advance(days=3)
    again = bank_change(client, cast["val"])  # asked for inside the window: verified on the old number too
    assert again["phone_on_file"] == ON_FILE
    clock.advance(days=7)
    refused(call_back(client, cast["vic"], bank["id"], THIEF_PHONE), 403, "callback_number_not_on_file")
    ok = call_back(client, cast["vic"], bank["id"], "555-010-4477")
    assert ok.status_code == 200, ok.text
    ok = client.post(f"/v1/bank-account-changes/{bank['id']}/approve", headers=cast["tess"])
    assert ok.status_code == 200, ok.text
    # The "bank details changed" notice goes to the contact on file when the change was asked for: Acme's own.
    [bank_notice] = notices(stack, "bank_details_changed")
    assert bank_notice.recipient == "ap@acme.example"
    assert THIEF_EMAIL not in {m.recipient for m in notices(stack, "bank_details_changed")}

    # Once the window is over, the new contact is the one on file for a new request.
    assert bank_change(client, cast["vic"])["phone_on_file"] == THIEF_PHONE


def test_two_quick_changes_cannot_launder_a_number_through_the_first(stack, client, cast, clock):
    first = swap_contact(client, cast["val"], phone="+1 (555) 011-1111", email="first@example.org")
    assert client.post(f"/v1/vendor-contact-changes/{first['id']}/approve", headers=cast["vic"]).status_code == 200
    clock.advance(days=1)
    second = swap_contact(client, cast["vic"], phone=THIEF_PHONE, email=THIEF_EMAIL)
    assert second["previous"]["phone"] == "+1 (555) 011-1111"
    assert client.post(f"/v1/vendor-contact-changes/{second['id']}/approve", headers=cast["val"]).status_code == 200
    [to_first, to_second] = notices(stack, "contact_details_changed")
    assert (to_first.recipient, to_second.recipient) == ("ap@acme.example", "first@example.org")
    clock.advance(days=9)  # the first change has cooled off; the second has not
    bank = bank_change(client, cast["vera"])
    assert bank["phone_on_file"] == "+1 (555) 011-1111"
    clock.advance(days=30)
    assert bank_change(client, cast["vera"])["phone_on_file"] == THIEF_PHONE


def test_a_rejected_contact_change_leaves_the_contact_and_lets_the_bank_change_go_on(stack, client, cast):
    change = swap_contact(client, cast["val"])
    bank = bank_change(client, cast["val"])
    r = client.post(f"/v1/vendor-contact-changes/{change['id']}/reject", headers=cast["tess"],
                    json={"reason": "Acme's controller says they did not ask for this"})
    assert (r.status_code, r.json()["status"]) == (200, "rejected")
    refused(client.post(f"/v1/vendor-contact-changes/{change['id']}/approve", headers=cast["vic"]), 409,
            "contact_change_wrong_state")
    assert client.get(f"/v1/vendors/{ACME}/contact", headers=cast["vic"]).json()["phone"] == ON_FILE
    assert call_back(client, cast["vic"], bank["id"], ON_FILE).status_code == 200
    listed = client.get(f"/v1/vendors/{ACME}/contact-changes", headers=cast["vic"]).json()["items"]
    assert [(c["id"], c["status"], c["closed_by"]) for c in listed] == [(change["id"], "rejected", r.json()["closed_by"])]
    assert notices(stack, "contact_details_changed") == []


def test_every_step_of_a_contact_change_is_in_the_audit_trail(stack, client, cast):
    change = swap_contact(client, cast["val"])
    client.post(f"/v1/vendor-contact-changes/{change['id']}/approve", headers=cast["vic"])
    with stack.uow(read_only=True) as uow:
        actions = [e.draft.code for e in uow.audit_index.search(object_id=change["id"])]
    assert actions == ["vendor_contact_change_requested", "vendor_contact_change_approved"]
