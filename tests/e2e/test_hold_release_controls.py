"""Issue 12, item 5: whoever entered or last changed an invoice cannot waive its controls (SQLite and PostgreSQL).

The attack, as it was run: a user holding ap_clerk and ap_approver entered an invoice, then released its own price
hold and overrode its own duplicate hold. Now the person who entered or last changed an invoice may not release
its holds or override its duplicate signal; another approver may, with a reason.
"""

from __future__ import annotations

from tests.e2e.ap_controls_world import APPROVER, APPROVER_2, CLERK, approve, bill, ok, refused, world  # noqa: F401
from tests.e2e.conftest import as_role

DEE = as_role("ap_clerk,ap_approver", user="usr_dee")


def release(api, invoice, hold, headers, reason="price rise agreed by phone"):  # noqa: ANN001, ANN201
    return api.post(f"/v1/invoices/{invoice['id']}:release-hold", headers=headers,
                    json={"hold_id": hold["id"], "reason": reason})


def test_the_enterer_cannot_release_her_own_price_hold(api, world):
    invoice = ok(bill(api, world, "10", price="123.60", headers=DEE), 201)
    [price] = [h for h in invoice["holds"] if h["hold"] == "price"]
    problem = refused(release(api, invoice, price, DEE), 403, "self_release_forbidden")
    assert problem["user_id"] == "usr_dee"
    still_open = ok(api.get(f"/v1/invoices/{invoice['id']}/holds?status=open", headers=APPROVER))["items"]
    assert price["id"] in {h["id"] for h in still_open}
    released = ok(release(api, invoice, price, APPROVER))
    assert "price" not in [h["hold"] for h in released["holds"]]


def test_the_enterer_cannot_override_her_own_duplicate(api, world):
    ok(bill(api, world, "10", number="A-2002", headers=DEE), 201)
    copy = ok(bill(api, world, "10", number="A 2002", headers=DEE), 201)
    assert [h["hold"] for h in copy["holds"]] == ["duplicate_suspected"]
    path = f"/v1/invoices/{copy['id']}:override-duplicate"
    refused(api.post(path, headers=DEE, json={"reason": "a second delivery"}), 403, "self_release_forbidden")
    assert ok(api.post(path, headers=APPROVER, json={"reason": "a second delivery"}))["status"] == "matched"


def test_whoever_last_changed_it_cannot_either(api, world):
    invoice = ok(bill(api, world, "10", price="123.60"), 201)  # entered by the clerk
    corrected = {"expected_version": 1, "invoice_number": "INV-1", "invoice_date": "2026-10-05",
                 "received_on": "2026-10-06", "terms": "net 30", "total": "1237.00", "remit_to": "Acme, 1 Main St",
                 "defect_contact": "Pat Lee", "lines": [{"line_no": 1, "po_id": world["po"], "po_line_no": 1,
                                                         "quantity": "10", "unit_price": "123.70"}]}
    changed = ok(api.put(f"/v1/invoices/{invoice['id']}", headers=DEE, json=corrected))
    [price] = [h for h in changed["holds"] if h["hold"] == "price"]
    refused(release(api, changed, price, DEE), 403, "self_release_forbidden")
    assert "price" not in [h["hold"] for h in ok(release(api, changed, price, APPROVER_2))["holds"]]
