"""A vendor, or one contract (purchase order), may follow its own prompt-payment rule set where the law says so
(issue 18), set over HTTP; the contract's wins over the vendor's, the vendor's over the agency's. SQLite and
PostgreSQL.

The City's own act is Washington's (RCW 39.76). Acme's contracts follow the federal rule (its terms adopt 5 CFR
1315 — the vendor's rule set); one construction contract follows Florida's local act (the order's rule set), for
illustration. Every invoice is the chairs': received Oct. 6, goods Oct. 1.
"""

from tests.e2e.prompt_pay_world import APPROVER, AUDITOR, VENDOR_ADMIN, WASHINGTON, agency  # noqa: F401


def _rule(city, invoice_id: str) -> tuple[str, str]:  # noqa: ANN001
    pp = city.api.get(f"/v1/invoices/{invoice_id}", headers=AUDITOR).json()["prompt_pay"]
    return pp["rule"], pp["due_date"]


def test_the_contracts_rule_set_wins_over_the_vendors_and_the_vendors_over_the_agencys(agency, clock):
    city = agency(WASHINGTON)
    acme = city.vendor()
    approved = city.invoice(acme, city.po(acme), number="INV-A")
    city.approve(approved["id"])
    waiting = city.invoice(acme, city.po(acme, number="PO-2027-0002", chairs=9), number="INV-B", chairs=9)
    assert _rule(city, approved["id"]) == _rule(city, waiting["id"]) == ("washington@rcw-39.76", "2026-11-05")

    r = city.api.put(f"/v1/vendors/{acme}/prompt-pay", headers=VENDOR_ADMIN,
                     json={"rule_set": "federal", "expected_version": 0})
    assert r.status_code == 200 and r.json()["rule_set"] == "federal", r.text
    # The invoice not yet approved follows the vendor's rule at once (5 CFR 1315.4: acceptance deemed Oct. 8,
    # due Nov. 7); the approved one keeps the rule and date it was approved with.
    assert _rule(city, waiting["id"]) == ("federal@5cfr1315", "2026-11-07")
    assert _rule(city, approved["id"]) == ("washington@rcw-39.76", "2026-11-05")

    contract = city.po(acme, category="construction", number="PO-2027-0003", chairs=8)
    r = city.api.put(f"/v1/purchase-orders/{contract}/prompt-pay", headers=APPROVER,
                     json={"rule_set": "florida_local", "expected_version": 0})
    assert r.status_code == 200, r.text
    third = city.invoice(acme, contract, number="INV-C", chairs=8)
    # F.S. 218.735(1): 20 business days after Oct. 6 (Columbus Day is not one): Nov. 4.
    assert _rule(city, third["id"]) == ("florida_local@fs-218-2021.07/construction", "2026-11-04")
    assert city.api.get(f"/v1/purchase-orders/{contract}/prompt-pay", headers=AUDITOR).json()["rule_set"] == (
        "florida_local")
    # The staff list carries each invoice's rule: what the prompt-pay performance report groups by.
    listed = city.api.get("/v1/invoices", params={"vendor_id": acme}, headers=AUDITOR).json()["items"]
    assert {i["invoice_number"]: i["prompt_pay"]["rule"] for i in listed} == {
        "INV-A": "washington@rcw-39.76", "INV-B": "federal@5cfr1315",
        "INV-C": "florida_local@fs-218-2021.07/construction"}
