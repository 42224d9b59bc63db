"""A vendor's bank account changes, over HTTP, on SQLite and PostgreSQL: the honest path, and every shortcut a
fraudster (or a hurried colleague) might try, each refused by name.

Acme Paving asks, through the portal, to be paid at a new account. Val (vendor admin) entered Acme's phone number
months ago; Vic (vendor admin) calls back; Tess (treasurer) approves; ten days of cooling-off pass, a prenote goes
out and clears, and only then is Acme payable at the new account.
"""

from __future__ import annotations

import pytest

from payments.people.bank_account_records import BANK_ACCOUNT_SHARED
from payments.people.bank_accounts import BANK_ACCOUNT_UNVERIFIED
from payments.controls import RunItem, check_can_release_run
from payments.errors import DomainError
from payments.identity import Role
from tests.e2e.people import ON_FILE, ROUTING, client, ensure_vendor, people, set_contact, stack  # noqa: F401

NEW_ACCOUNT = "000123456789"
ACME = "ven_01ACMEPAVING0000000000000"


@pytest.fixture
def cast(stack, people):  # noqa: ANN001, ANN201
    set_contact(stack, ACME, email="ap@acme.example")
    return {
        "val": people.headers("val", Role.VENDOR_ADMIN),
        "vic": people.headers("vic", Role.VENDOR_ADMIN),
        "cat": people.headers("cat", Role.AP_APPROVER),
        "tess": people.headers("tess", Role.TREASURER),
        "aud": people.headers("aud", Role.AUDITOR),
        "acme": people.vendor("acme", ACME),
    }


def refused(response, status: int, code: str) -> None:
    assert (response.status_code, response.json().get("code")) == (status, code), response.text


def portal_request(client, cast, number=NEW_ACCOUNT):  # noqa: ANN001, ANN201
    r = client.post("/v1/portal/bank-account-changes", headers=cast["acme"],
                    json={"routing_number": ROUTING, "account_number": number, "account_type": "checking"})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def walk_to_cooling_off(client, cast, change_id):  # noqa: ANN001, ANN201
    ok = client.post(f"/v1/bank-account-changes/{change_id}/callback", headers=cast["vic"],
                     json={"number_called": "555-010-4477", "outcome": "confirmed"})
    assert ok.status_code == 200, ok.text
    ok = client.post(f"/v1/bank-account-changes/{change_id}/approve", headers=cast["tess"])
    assert ok.status_code == 200, ok.text
    return ok.json()


def holds(stack, vendor_id=ACME):  # noqa: ANN001, ANN201
    with stack.uow(read_only=True) as uow:
        return stack.bank_accounts.payment_holds(uow, vendor_id)


def test_the_honest_path_from_portal_request_to_an_active_account(stack, client, cast, people, clock):
    change_id = portal_request(client, cast)
    mine = client.get(f"/v1/portal/bank-account-changes/{change_id}", headers=cast["acme"]).json()
    assert (mine["status"], mine["account_mask"]) == ("requested", "****6789")
    assert "requested_by" not in mine and "callback" not in mine  # the vendor sees its timeline, not our staff
    assert holds(stack) == [BANK_ACCOUNT_UNVERIFIED]  # a first account is not payable until it is active

    approved = walk_to_cooling_off(client, cast, change_id)
    assert (approved["status"], approved["approved_by"]) == ("cooling_off", people.ids["tess"])
    # The previous contact is told, with the mask only, while there is time to object.
    with stack.uow(read_only=True) as uow:
        [notice] = uow.outbox.list(vendor_id=ACME)
    assert (notice.recipient, notice.facts["account_mask"], notice.kind.value) == (
        "ap@acme.example", "****6789", "bank_details_changed")
    assert NEW_ACCOUNT not in str(dict(notice.facts))

    clock.advance(days=10)
    stack.bank_accounts.prenote_sent("system", change_id)
    assert stack.bank_accounts.activate_cleared() == []  # the prenote's return window is still open
    clock.advance(days=3)
    [activated] = stack.bank_accounts.activate_cleared()
    assert activated.change.status.value == "active"
    assert holds(stack) == []  # a payment run paying this account: tests/e2e/test_payment_bank_holds.py
    accounts = client.get("/v1/portal/bank-accounts", headers=cast["acme"]).json()["items"]
    assert [(a["status"], a["account_mask"]) for a in accounts] == [("active", "****6789")]


def test_the_same_person_cannot_request_and_call_back(client, cast):
    r = client.post(f"/v1/vendors/{ACME}/bank-account-changes", headers=cast["val"],
                    json={"routing_number": ROUTING, "account_number": NEW_ACCOUNT, "account_type": "savings"})
    change_id = r.json()["id"]
    refused(client.post(f"/v1/bank-account-changes/{change_id}/callback", headers=cast["val"],
                        json={"number_called": ON_FILE, "outcome": "confirmed"}), 403, "callback_by_requester")
    # ... nor approve it, once someone else has called back.
    client.post(f"/v1/bank-account-changes/{change_id}/callback", headers=cast["cat"],
                json={"number_called": ON_FILE, "outcome": "confirmed"})
    refused(client.post(f"/v1/bank-account-changes/{change_id}/approve", headers=cast["val"]),
            403, "self_approval_forbidden")


def test_approval_before_a_call_back_is_refused(client, cast):
    change_id = portal_request(client, cast)
    refused(client.post(f"/v1/bank-account-changes/{change_id}/approve", headers=cast["tess"]), 409,
            "callback_required")


def test_a_call_back_to_a_number_not_on_file_is_refused(client, cast):
    change_id = portal_request(client, cast)
    refused(client.post(f"/v1/bank-account-changes/{change_id}/callback", headers=cast["vic"],
                        json={"number_called": "555-999-0000", "outcome": "confirmed"}),
            403, "callback_number_not_on_file")


def test_whoever_called_back_cannot_also_approve(client, cast):
    change_id = portal_request(client, cast)
    client.post(f"/v1/bank-account-changes/{change_id}/callback", headers=cast["vic"],
                json={"number_called": ON_FILE, "outcome": "confirmed"})
    refused(client.post(f"/v1/bank-account-changes/{change_id}/approve", headers=cast["vic"]),
            403, "approver_made_callback")


def test_a_denied_call_back_rejects_the_change(client, cast):
    change_id = portal_request(client, cast)
    r = client.post(f"/v1/bank-account-changes/{change_id}/callback", headers=cast["cat"],
                    json={"number_called": ON_FILE, "outcome": "denied", "note": "they never asked"})
    assert r.json()["status"] == "rejected"
    refused(client.post(f"/v1/bank-account-changes/{change_id}/approve", headers=cast["tess"]), 409,
            "bank_change_wrong_state")


def test_no_payment_prenote_or_release_during_cooling_off(stack, client, cast, people):
    change_id = portal_request(client, cast)
    walk_to_cooling_off(client, cast, change_id)
    assert holds(stack) == [BANK_ACCOUNT_UNVERIFIED]  # and the run skips it: tests/e2e/test_payment_bank_holds.py
    with pytest.raises(DomainError) as err:
        stack.bank_accounts.prenote_sent("system", change_id)
    assert err.value.code == "bank_change_cooling_off"
    # Tess approved the change: she may not release Acme's payments until the cooling-off ends.
    with stack.uow(read_only=True) as uow:
        restraints = stack.bank_accounts.restraints(uow, [ACME])
    with pytest.raises(DomainError) as err:
        check_can_release_run(people.principal("tess"), [RunItem("inv_1", ACME, frozenset({"usr_someone"}))],
                              restraints=restraints, now=stack.clock.now())
    assert err.value.code == "bank_change_cooling_off"


def test_an_account_already_on_file_for_another_vendor_is_a_fraud_signal_that_holds_payment(
        stack, client, cast, people, clock):
    first = portal_request(client, cast)
    walk_to_cooling_off(client, cast, first)
    other = "ven_01GLOBEX00000000000000000"
    set_contact(stack, other)
    r = client.post("/v1/portal/bank-account-changes", headers=people.vendor("globex", other),
                    json={"routing_number": ROUTING, "account_number": NEW_ACCOUNT, "account_type": "checking"})
    change_id = r.json()["id"]
    staff_view = client.get(f"/v1/bank-account-changes/{change_id}", headers=cast["aud"]).json()
    assert staff_view["fraud_signals"]["shared_with_vendors"] == [ACME]
    walk_to_cooling_off(client, cast, change_id)
    clock.advance(days=10)
    stack.bank_accounts.prenote_sent("system", change_id)
    clock.advance(days=3)
    stack.bank_accounts.activate_cleared()
    assert holds(stack, other) == [BANK_ACCOUNT_SHARED]
    cleared = client.post(f"/v1/bank-account-changes/{change_id}/clear-shared-signal", headers=cast["val"],
                          json={"reason": "Globex factors its receivables through Acme; confirmed by phone"})
    assert cleared.status_code == 200, cleared.text
    assert holds(stack, other) == []


def test_a_newer_active_account_supersedes_the_older_and_blocking_stops_payment(stack, client, cast, clock):
    for number in (NEW_ACCOUNT, "000987654321"):
        change_id = portal_request(client, cast, number)
        walk_to_cooling_off(client, cast, change_id)
        clock.advance(days=10)
        stack.bank_accounts.prenote_sent("system", change_id)
        clock.advance(days=3)
        stack.bank_accounts.activate_cleared()
    accounts = client.get(f"/v1/vendors/{ACME}/bank-accounts", headers=cast["aud"]).json()["items"]
    assert [(a["status"], a["account_mask"]) for a in accounts] == [("active", "****4321"),
                                                                    ("superseded", "****6789")]
    r = client.post(f"/v1/bank-account-changes/{change_id}/block", headers=cast["tess"],
                    json={"reason": "the vendor's controller reports a compromised mailbox"})
    assert r.json()["status"] == "blocked"
    assert holds(stack) == [BANK_ACCOUNT_UNVERIFIED]


def test_a_reveal_needs_the_reveal_action_and_a_reason_and_is_audited(client, cast):
    change_id = portal_request(client, cast)
    account_id = client.get(f"/v1/bank-account-changes/{change_id}", headers=cast["val"]).json()["bank_account_id"]
    refused(client.post(f"/v1/bank-accounts/{account_id}/reveal", headers=cast["aud"], json={"reason": "look"}),
            403, "action_not_allowed")
    assert client.post(f"/v1/bank-accounts/{account_id}/reveal", headers=cast["val"], json={}).status_code == 422
    r = client.post(f"/v1/bank-accounts/{account_id}/reveal", headers=cast["val"],
                    json={"reason": "vendor asked which account we hold"})
    assert (r.status_code, r.json()["account_number"], r.headers["cache-control"]) == (200, NEW_ACCOUNT, "no-store")
    events = client.get("/v1/audit", params={"action": "bank_account_revealed"}, headers=cast["aud"]).json()
    [event] = events["items"]
    assert (event["object_id"], event["detail"]["reason"]) == (account_id, "vendor asked which account we hold")


def test_a_request_without_a_phone_on_file_cannot_be_verified(stack, client, people):
    ensure_vendor(stack, "ven_NOPHONE")
    r = client.post("/v1/portal/bank-account-changes", headers=people.vendor("nobody", "ven_NOPHONE"),
                    json={"routing_number": ROUTING, "account_number": NEW_ACCOUNT, "account_type": "checking"})
    refused(r, 422, "no_phone_on_file")


def test_a_bad_routing_number_is_refused_without_echoing_the_account(client, cast):
    r = client.post("/v1/portal/bank-account-changes", headers=cast["acme"],
                    json={"routing_number": "021000022", "account_number": NEW_ACCOUNT, "account_type": "checking"})
    refused(r, 422, "routing_number_invalid")
    assert NEW_ACCOUNT not in r.text


def test_whoever_approved_the_change_may_not_approve_the_vendors_invoices_while_it_cools_off(
        stack, client, cast, people, clock):
    import main
    from payments.controls import InvoiceForApproval, check_can_approve_invoice

    both = people.headers("bo", Role.VENDOR_ADMIN, Role.AP_APPROVER)
    change_id = portal_request(client, cast)
    client.post(f"/v1/bank-account-changes/{change_id}/callback", headers=cast["vic"],
                json={"number_called": ON_FILE, "outcome": "confirmed"})
    assert client.post(f"/v1/bank-account-changes/{change_id}/approve", headers=both).status_code == 200
    invoice = InvoiceForApproval("inv_1", ACME, 50_000, "USD", entered_by="usr_clerk")
    deps = main.ap_services(stack).deps  # what the AP invoice approval consults
    with stack.uow(read_only=True) as uow:
        restraints = list(deps.restraints(uow, ACME))
    with pytest.raises(DomainError) as err:
        check_can_approve_invoice(people.principal("bo"), invoice, policy=deps.policies.approval,
                                  restraints=restraints, now=clock.now())
    assert err.value.code == "bank_change_cooling_off"
    clock.advance(days=10)
    with stack.uow(read_only=True) as uow:
        assert list(deps.restraints(uow, ACME)) == []
