"""A create that loses a race for a unique key is answered 409 with a stable code, never 500."""

from adapters.db.ap.ap_po_repo import SqlPurchaseOrderRepository
from tests.e2e.test_ap_api import CLERK, acme, chair_line, ok  # noqa: F401 - acme is a fixture


def test_the_loser_of_a_race_for_a_po_number_gets_a_409_problem(api, acme, monkeypatch):  # noqa: ANN001, F811
    body = {"number": "PO-2027-0099", "vendor_id": acme, "lines": [chair_line()]}
    ok(api.post("/v1/purchase-orders", json=body, headers=CLERK), 201)
    # The second request's look-up ran before the first committed (what two concurrent requests do).
    monkeypatch.setattr(SqlPurchaseOrderRepository, "get_by_number", lambda self, number: None)

    r = api.post("/v1/purchase-orders", json=body, headers=CLERK)

    assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json"
    assert (r.json()["code"], r.json()["number"]) == ("duplicate_number", "PO-2027-0099")
