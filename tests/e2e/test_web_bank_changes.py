"""The bank-account change pages over HTTP, on the morning a run is due (``treasury_world``): a vendor admin asks
for a new account for Summit, an approver records the call-back to the number on file by form, a treasurer
approves and the page counts down the cooling-off; the prenote's status of an account already active; whoever asked
cannot call back, the caller cannot approve (no button, and the server refuses); a blank outcome comes back as the
form with its error, nothing changed."""

from __future__ import annotations

import re

from tests.e2e.treasury_world import _treasury_template, treasury_web, treasury_world  # noqa: F401
from tests.e2e.web import csrf_of, web_sign_in


def _signed_in(world, username: str):  # noqa: ANN001, ANN202
    client = world.client()
    assert web_sign_in(client, username, world.passwords[username]).status_code == 303
    return client


def _summit(client) -> str:  # noqa: ANN001
    return next(v["id"] for v in client.get("/v1/vendors").json()["items"] if v["number"] == "V-1004")


def test_a_change_is_called_back_approved_and_cools_off(treasury_web):
    admin = _signed_in(treasury_web, "vendoradmin")
    summit = _summit(admin)
    asked = admin.post(f"/v1/vendors/{summit}/bank-account-changes", json={
        "routing_number": "021000021", "account_number": "55501234", "account_type": "checking"},
        headers={"X-CSRF-Token": csrf_of(admin)})
    assert asked.status_code == 201, asked.text
    change_id = asked.json()["id"]
    listed = admin.get("/bank-changes?status=requested").text
    assert f'href="/bank-changes/{change_id}"' in listed and "Account ending 1234" in listed
    mine = admin.get(f"/bank-changes/{change_id}").text
    assert "someone else must call the vendor back" in mine and "Record the call-back" not in mine
    assert "55501234" not in mine  # never the whole number

    approver = _signed_in(treasury_web, "approver")
    form = approver.get(f"/bank-changes/{change_id}").text
    phone = re.search(r'id="number_called" name="number_called" type="text" value="([^"]+)"', form).group(1)
    blank = approver.post(f"/bank-changes/{change_id}/callback", data={
        "csrf_token": csrf_of(approver), "number_called": phone, "outcome": ""})
    assert blank.status_code == 422 and "Choose what the call established." in blank.text
    assert 'aria-invalid="true"' in blank.text
    assert approver.get(f"/v1/bank-account-changes/{change_id}").json()["status"] == "requested"
    called = approver.post(f"/bank-changes/{change_id}/callback", data={
        "csrf_token": csrf_of(approver), "number_called": phone, "outcome": "confirmed", "note": "spoke to the owner"})
    assert called.headers["location"] == f"/bank-changes/{change_id}?done=callback_recorded"
    page = approver.get(called.headers["location"]).text
    assert "The call-back is recorded." in page and "spoke to the owner" in page and phone in page

    treasurer = _signed_in(treasury_web, "treasurer")
    approved = treasurer.post(f"/bank-changes/{change_id}/approve", data={"csrf_token": csrf_of(treasurer)})
    assert approved.headers["location"] == f"/bank-changes/{change_id}?done=approved"
    page = treasurer.get(approved.headers["location"]).text
    api = treasurer.get(f"/v1/bank-account-changes/{change_id}").json()
    assert api["status"] == "cooling_off"
    assert "for 10 days and 0 hours more: the cooling-off ends" in page
    auditor = _signed_in(treasury_web, "auditor")
    actions = {e["action"] for e in auditor.get(f"/v1/audit?object_id={change_id}").json()["items"]}
    assert {"bank_change_callback_recorded", "bank_change_approved"} <= actions


def test_separation_of_duties_shows_and_holds(treasury_web):
    admin = _signed_in(treasury_web, "vendoradmin")
    change_id = admin.post(f"/v1/vendors/{_summit(admin)}/bank-account-changes", json={
        "routing_number": "021000021", "account_number": "55501234", "account_type": "checking"},
        headers={"X-CSRF-Token": csrf_of(admin)}).json()["id"]
    refused = admin.post(f"/bank-changes/{change_id}/callback", data={
        "csrf_token": csrf_of(admin), "number_called": "+1 555 0104", "outcome": "confirmed"})
    assert refused.status_code == 403 and "Nothing was changed." in refused.text
    approver = _signed_in(treasury_web, "approver")
    approver.post(f"/bank-changes/{change_id}/callback", data={
        "csrf_token": csrf_of(approver), "number_called": "+1 555 0104", "outcome": "confirmed"})
    page = admin.get(f"/bank-changes/{change_id}").text  # the vendor admin asked: a third person approves
    assert "a third person must approve it" in page and "Approve this change" not in page
    assert admin.post(f"/bank-changes/{change_id}/approve", data={"csrf_token": csrf_of(admin)}).status_code == 403
    clerk = _signed_in(treasury_web, "clerk")  # reads; may not act
    page = clerk.get(f"/bank-changes/{change_id}").text
    assert "Approve this change" not in page and "Block this account" not in page
    treasurer = _signed_in(treasury_web, "treasurer")
    blank = treasurer.post(f"/bank-changes/{change_id}/reject", data={"csrf_token": csrf_of(treasurer)})
    assert blank.status_code in (400, 422) and "Nothing was changed." in blank.text
    done = treasurer.post(f"/bank-changes/{change_id}/reject", data={
        "csrf_token": csrf_of(treasurer), "reject_reason": "the owner says the letter was forged"})
    assert done.headers["location"].endswith("?done=rejected")
    assert treasurer.get(f"/v1/bank-account-changes/{change_id}").json()["status"] == "rejected"
    assert treasurer.post(f"/bank-changes/{change_id}/nonsense", data={"csrf_token": csrf_of(treasurer)}
                          ).status_code == 404


def test_an_active_account_shows_its_prenote_cleared(treasury_web):
    treasurer = _signed_in(treasury_web, "treasurer")
    active = treasurer.get("/v1/bank-account-changes?status=active").json()["items"]
    assert len(active) == 3
    page = treasurer.get(f"/bank-changes/{active[0]['id']}").text
    assert "A zero-dollar prenote was sent" in page and "it cleared." in page and "The cooling-off ended" in page
    assert "Active since" in page
    vendor = _signed_in(treasury_web, "summit-office-supply")
    assert vendor.get(f"/bank-changes/{active[0]['id']}").status_code == 403


def test_the_vendor_page_tells_its_history_from_the_audit_trail_to_auditors(treasury_web):
    auditor = _signed_in(treasury_web, "auditor")
    summit = _summit(auditor)
    change = auditor.get(f"/v1/bank-account-changes?vendor_id={summit}").json()["items"][0]
    events = auditor.get(f"/v1/audit?object_id={change['id']}").json()["items"]
    page = auditor.get(f"/vendors/{summit}").text
    history = page.split("<h2>History</h2>")[1]
    assert all(e["action"] in history for e in events) and f'href="/bank-changes/{change["id"]}"' in history
    assert f'href="/audit/{summit}"' in history
    clerk = _signed_in(treasury_web, "clerk")
    assert "<h2>History</h2>" not in clerk.get(f"/vendors/{summit}").text
