"""Accounts payable over HTTP: a clerk buys chairs, the dock receives them, an invoice is matched, held, released
and approved; problems are RFC 9457; creates are idempotent; lists page with a cursor."""

import pytest

from tests.e2e.conftest import as_role

CLERK = as_role("ap_clerk", user="usr_ann")
APPROVER = as_role("ap_approver", user="usr_bob")
APPROVER_2 = as_role("ap_approver", user="usr_cy")
TREASURER = as_role("treasurer", user="usr_tess")
VENDOR_ADMIN = as_role("vendor_admin", user="usr_val")
AUDITOR = as_role("auditor", user="usr_aud")


def ok(response, status=200):  # noqa: ANN001, ANN201
    assert response.status_code == status, response.text
    return response.json()


def chair_line(qty="10", price="120.00", **extra):  # noqa: ANN201
    return {"line_no": 1, "item": "stacking chair", "quantity": qty, "unit_of_measure": "each", "unit_price": price,
            "fund": "100", "department": "PW", "object_code": "5710", **extra}


@pytest.fixture
def acme(api):  # noqa: ANN001, ANN201
    ok(api.post("/v1/budgets", json={"fiscal_year": 2027, "fund": "100", "department": "PW", "object_code": "5710",
                                     "amount": "300000.00"}, headers=TREASURER), 201)
    vendor = ok(api.post("/v1/vendors", json={"legal_name": "Acme Furniture", "tin": "12-3456789",
                                              "terms": "2/10 net 30", "number": "V-1001"}, headers=VENDOR_ADMIN), 201)
    assert vendor["status"] == "pending" and vendor["tin"] == "*****6789" and "3456789" not in str(vendor)
    ok(api.post(f"/v1/vendors/{vendor['id']}:activate", headers=VENDOR_ADMIN))
    return vendor["id"]


def new_po(api, vendor_id, number="PO-2027-0001", **line):  # noqa: ANN001, ANN201
    po = ok(api.post("/v1/purchase-orders", json={"number": number, "vendor_id": vendor_id,
                                                   "lines": [chair_line(**line)]}, headers=CLERK), 201)
    return ok(api.post(f"/v1/purchase-orders/{po['id']}:approve", headers=APPROVER))


def bill(api, vendor_id, po_id, qty="10", price="120.00", number="INV-1001", **extra):  # noqa: ANN001, ANN201
    total = f"{float(qty) * float(price):.2f}"
    body = {"vendor_id": vendor_id, "invoice_number": number, "invoice_date": "2026-10-05", "received_on": "2026-10-06",
            "terms": "net 30", "total": total, "remit_to": "Acme, 1 Main St", "defect_contact": "Pat Lee",
            "lines": [{"line_no": 1, "po_id": po_id, "po_line_no": 1, "quantity": qty, "unit_price": price}], **extra}
    return api.post("/v1/invoices", json=body, headers=CLERK)


def test_the_chair_story_end_to_end_with_the_ledger_verifying_after(api, acme):
    po = new_po(api, acme)
    assert po["status"] == "approved" and po["encumbered_minor"] == 120_000
    ok(api.post("/v1/receipts", json={"po_id": po["id"], "received_on": "2026-10-01",
                                      "lines": [{"po_line_no": 1, "quantity_received": "8"}]}, headers=CLERK), 201)
    invoice = ok(bill(api, acme, po["id"]), 201)
    assert invoice["status"] == "held" and [h["hold"] for h in invoice["holds"]] == ["qty_received"]
    assert invoice["ready_for_approval"] is False

    result = ok(api.get(f"/v1/invoices/{invoice['id']}/match-result", headers=AUDITOR))["result"]
    assert result["findings"][0]["rule"] == "billed_qty_within_received" and len(result["digest"]) == 64

    ok(api.post("/v1/receipts", json={"po_id": po["id"], "received_on": "2026-10-09",
                                      "lines": [{"po_line_no": 1, "quantity_received": "2"}]}, headers=CLERK), 201)
    invoice = ok(api.get(f"/v1/invoices/{invoice['id']}", headers=AUDITOR))
    assert invoice["status"] == "matched" and invoice["ready_for_approval"] and invoice["holds"] == []
    released = ok(api.get(f"/v1/invoices/{invoice['id']}/holds?status=released", headers=AUDITOR))["items"]
    assert released[0]["release_kind"] == "auto"

    # The clerk who entered it may not approve; an approver may.
    assert api.post(f"/v1/invoices/{invoice['id']}:approve", headers=CLERK).json()["code"] == "action_not_allowed"
    approved = ok(api.post(f"/v1/invoices/{invoice['id']}:approve", headers=APPROVER))
    assert approved["status"] == "approved" and approved["fully_approved"]
    entry = ok(api.get(f"/v1/ledger/entries/{approved['entry_id']}", headers=AUDITOR))
    assert entry["code"] == "invoice_approved" and entry["data"]["match_digest"] == invoice["match"]["digest"]
    assert entry["data"]["policy_version"] == invoice["match"]["policy_version"]
    assert ok(api.post("/v1/ledger/verify", headers=AUDITOR))["ok"] is True


def test_manual_release_needs_an_approver_and_a_reason(api, acme):
    po = new_po(api, acme)
    invoice = ok(bill(api, acme, po["id"], price="123.60", total="1236.00"), 201)
    (hold,) = [h for h in invoice["holds"] if h["hold"] == "price"]
    path = f"/v1/invoices/{invoice['id']}:release-hold"
    assert api.post(path, json={"hold_id": hold["id"], "reason": "ok"}, headers=CLERK).status_code == 403
    blank = api.post(path, json={"hold_id": hold["id"], "reason": " "}, headers=APPROVER)
    assert blank.status_code == 422 and blank.json()["code"] == "hold_release_reason_required"
    after = ok(api.post(path, json={"hold_id": hold["id"], "reason": "price rise agreed by phone"}, headers=APPROVER))
    # The price hold is released; the amount over the order and nothing received yet still hold it.
    assert [h["hold"] for h in after["holds"]] == ["amount_ordered", "max_total", "qty_received"]


def test_insufficient_funds_is_a_problem_and_the_po_stays_draft(api, acme):
    po = ok(api.post("/v1/purchase-orders", json={"number": "PO-BIG", "vendor_id": acme,
                                                   "lines": [chair_line(qty="3000", price="120.00")]},
                     headers=CLERK), 201)
    r = api.post(f"/v1/purchase-orders/{po['id']}:approve", headers=APPROVER)
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == "insufficient_funds" and r.json()["available_minor"] == 30_000_000
    assert ok(api.get(f"/v1/purchase-orders/{po['id']}", headers=AUDITOR))["status"] == "draft"


def test_creates_replay_by_idempotency_key_and_by_client_id(api, acme):
    headers = {**CLERK, "Idempotency-Key": "po-2027-0002"}
    body = {"number": "PO-2027-0002", "vendor_id": acme, "lines": [chair_line()]}
    first = ok(api.post("/v1/purchase-orders", json=body, headers=headers), 201)
    again = api.post("/v1/purchase-orders", json=body, headers=headers)
    assert again.headers.get("Idempotent-Replayed") == "true" and again.json()["id"] == first["id"]
    assert api.post("/v1/purchase-orders", json={**body, "number": "X"}, headers=headers).status_code == 409

    vendor_body = {"id": "ven_01JD0000000000000000000000", "legal_name": "Bolt Supply"}
    made = ok(api.post("/v1/vendors", json=vendor_body, headers=VENDOR_ADMIN), 201)
    same = ok(api.post("/v1/vendors", json=vendor_body, headers=VENDOR_ADMIN), 200)
    assert made["id"] == same["id"] == vendor_body["id"]
    other = api.post("/v1/vendors", json={**vendor_body, "legal_name": "Other"}, headers=VENDOR_ADMIN)
    assert other.status_code == 409 and other.json()["code"] == "document_exists_with_different_body"


def test_requests_may_not_set_status_or_approver_and_a_correction_may_not_change_the_vendor(api, acme):
    r = api.post("/v1/purchase-orders", json={"number": "P", "vendor_id": acme, "status": "approved",
                                              "lines": [chair_line()]}, headers=CLERK)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "status"
    po = new_po(api, acme)
    invoice = ok(bill(api, acme, po["id"]), 201)
    body = {"expected_version": 1, "invoice_number": "INV-1001", "vendor_id": "ven_other", "lines": []}
    r = api.put(f"/v1/invoices/{invoice['id']}", json=body, headers=CLERK)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "vendor_id"
    r = api.post("/v1/invoices", json={"vendor_id": acme, "invoice_number": "N", "approved_by": "usr_ann"},
                 headers=CLERK)
    assert r.status_code == 422


def test_lists_page_with_a_cursor(api, acme):
    for n in range(5):
        ok(api.post("/v1/purchase-orders", json={"number": f"PO-{n}", "vendor_id": acme, "lines": [chair_line()]},
                    headers=CLERK), 201)
    first = ok(api.get("/v1/purchase-orders?limit=2", headers=AUDITOR))
    second = ok(api.get(f"/v1/purchase-orders?limit=2&cursor={first['next_cursor']}", headers=AUDITOR))
    third = ok(api.get(f"/v1/purchase-orders?limit=2&cursor={second['next_cursor']}", headers=AUDITOR))
    numbers = [p["number"] for p in first["items"] + second["items"] + third["items"]]
    assert sorted(numbers) == [f"PO-{n}" for n in range(5)] and third["next_cursor"] is None


def test_close_releases_the_rest_and_change_orders_make_versions(api, acme):
    po = new_po(api, acme)
    change = {"expected_version": 1, "reason": "two more chairs", "lines": [chair_line(qty="12")]}
    # Committing more money on an approved order goes back to approval by someone other than its author.
    changed = ok(api.post(f"/v1/purchase-orders/{po['id']}/versions", json=change, headers=CLERK), 201)
    assert (changed["version"], changed["status"], changed["encumbered_minor"]) == (2, "pending_approval", 120_000)
    changed = ok(api.post(f"/v1/purchase-orders/{po['id']}:approve", headers=APPROVER))
    assert (changed["status"], changed["encumbered_minor"]) == ("approved", 144_000)
    versions = ok(api.get(f"/v1/purchase-orders/{po['id']}/versions", headers=AUDITOR))["items"]
    assert [v["version"] for v in versions] == [1, 2] and versions[1]["reason"] == "two more chairs"
    closed = ok(api.post(f"/v1/purchase-orders/{po['id']}:close", json={"reason": "project cancelled"},
                         headers=CLERK))
    assert closed["status"] == "closed" and closed["encumbered_minor"] == 0
    balances = ok(api.get("/v1/ledger/balances?account=100-8030-PW-5710", headers=AUDITOR))["items"]
    assert balances[0]["balance_minor"] == 0


def test_a_credit_memo_over_http(api, acme):
    po = new_po(api, acme)
    ok(api.post("/v1/receipts", json={"po_id": po["id"], "received_on": "2026-10-01",
                                      "lines": [{"po_line_no": 1, "quantity_received": "10"}]}, headers=CLERK), 201)
    invoice = ok(bill(api, acme, po["id"]), 201)
    memo = ok(api.post("/v1/credit-memos", json={
        "vendor_id": acme, "memo_number": "CM-7", "memo_date": "2026-10-20", "invoice_id": invoice["id"],
        "lines": [{"po_id": po["id"], "po_line_no": 1, "quantity": "1", "amount": "120.00"}]}, headers=CLERK), 201)
    assert memo["status"] == "applied" and memo["total_minor"] == 12_000
    too_much = api.post("/v1/credit-memos", json={
        "vendor_id": acme, "memo_number": "CM-8", "memo_date": "2026-10-21",
        "lines": [{"po_id": po["id"], "po_line_no": 1, "quantity": "20", "amount": "2400.00"}]}, headers=CLERK)
    assert too_much.status_code == 422 and too_much.json()["code"] == "exceeds_billed_quantity"
    listed = ok(api.get(f"/v1/credit-memos?vendor_id={acme}", headers=AUDITOR))["items"]
    assert [m["memo_number"] for m in listed] == ["CM-7"]


def test_every_ap_route_declares_an_action(api):
    from adapters.http.auth import route_action

    try:  # FastAPI 0.16x includes routers lazily: app.routes holds the routers, not their routes
        from fastapi.routing import iter_route_contexts
        routes = list(iter_route_contexts(api.app.routes))
    except ImportError:
        routes = list(api.app.routes)
    ap_routes = [r for r in routes if getattr(r, "path", "").startswith(
        ("/v1/vendors", "/v1/budgets", "/v1/purchase-orders", "/v1/receipts", "/v1/invoices", "/v1/credit-memos"))]
    assert len(ap_routes) >= 25
    assert all(route_action(r) not in (None, "public") for r in ap_routes)
