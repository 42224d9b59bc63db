"""Over HTTP, an order names the fiscal year it is charged to, and availability is asked per year."""

import pytest

from tests.e2e.test_ap_api import APPROVER, AUDITOR, CLERK, TREASURER, acme, chair_line, ok  # noqa: F401


@pytest.fixture(autouse=True)
def last_year_open(container):  # noqa: ANN001, ANN201
    """Riverton still charges last year's appropriation while it closes that year (before the app is built)."""
    container.policy.setdefault("budget", {})["po_fiscal_years_before"] = 1


def test_an_order_charged_to_last_year_shows_in_last_years_availability(api, acme):  # noqa: ANN001, F811
    ok(api.post("/v1/budgets", json={"fiscal_year": 2026, "fund": "100", "department": "PW", "object_code": "5710",
                                     "amount": "5000.00"}, headers=TREASURER), 201)
    po = ok(api.post("/v1/purchase-orders", json={"number": "PO-FY26", "vendor_id": acme, "fiscal_year": 2026,
                                                   "lines": [chair_line()]}, headers=CLERK), 201)
    assert po["fiscal_year"] == 2026
    ok(api.post(f"/v1/purchase-orders/{po['id']}:approve", headers=APPROVER))

    query = "/v1/budgets/availability?fund=100&department=PW&object_code=5710"
    last = ok(api.get(query + "&fiscal_year=2026", headers=AUDITOR))
    this = ok(api.get(query, headers=AUDITOR))
    assert (last["fiscal_year"], last["encumbered_minor"], last["available_minor"]) == (2026, 120_000, 380_000)
    assert (this["fiscal_year"], this["encumbered_minor"], this["available_minor"]) == (2027, 0, 30_000_000)


def test_an_order_for_a_year_not_open_is_refused_with_its_code(api, acme):  # noqa: ANN001, F811
    problem = api.post("/v1/purchase-orders", json={"number": "PO-FY40", "vendor_id": acme, "fiscal_year": 2040,
                                                     "lines": [chair_line()]}, headers=CLERK)
    assert problem.status_code == 422 and problem.json()["code"] == "fiscal_year_not_open"
