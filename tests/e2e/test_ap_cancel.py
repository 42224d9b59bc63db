"""Over HTTP: an invoice keyed in error is cancelled with a reason."""

from tests.e2e.test_ap_api import CLERK, acme, bill, new_po, ok  # noqa: F401 - acme is a fixture


def test_a_clerk_cancels_a_held_invoice_with_a_reason(api, acme):  # noqa: ANN001, F811
    po = new_po(api, acme)
    held = ok(bill(api, acme, po["id"]), 201)  # nothing received yet: held
    assert held["status"] == "held"

    blank = api.post(f"/v1/invoices/{held['id']}:cancel", json={"reason": " "}, headers=CLERK)
    assert (blank.status_code, blank.json()["code"]) == (422, "invalid_document")
    cancelled = ok(api.post(f"/v1/invoices/{held['id']}:cancel", json={"reason": "keyed twice"}, headers=CLERK))
    assert cancelled["status"] == "cancelled"
    again = api.post(f"/v1/invoices/{held['id']}:cancel", json={"reason": "once more"}, headers=CLERK)
    assert (again.status_code, again.json()["code"]) == (409, "transition_not_allowed")
