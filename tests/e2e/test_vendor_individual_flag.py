"""A vendor who is a person: vendor_admin says so over HTTP (``is_individual``), and it sticks through an update.
The open checkbook publishes such a vendor's payments as "Redacted payee" (tests/integration/test_open_checkbook.py).
"""

from tests.e2e.conftest import as_role

VENDOR_ADMIN = as_role("vendor_admin", user="usr_val")


def test_a_vendor_flagged_as_a_person_reads_back_flagged_and_a_business_does_not(api):
    jane = api.post("/v1/vendors", json={"legal_name": "Jane Q. Public", "tin": "987-65-4321",
                                         "is_individual": True}, headers=VENDOR_ADMIN)
    assert jane.status_code == 201, jane.text
    assert jane.json()["is_individual"] is True
    assert api.get(f"/v1/vendors/{jane.json()['id']}", headers=VENDOR_ADMIN).json()["is_individual"] is True
    acme = api.post("/v1/vendors", json={"legal_name": "Acme Furniture"}, headers=VENDOR_ADMIN).json()
    assert acme["is_individual"] is False
    changed = api.put(f"/v1/vendors/{acme['id']}", json={"legal_name": "Acme Furniture", "is_individual": True,
                                                         "expected_version": 1}, headers=VENDOR_ADMIN)
    assert changed.status_code == 200, changed.text
    assert api.get(f"/v1/vendors/{acme['id']}", headers=VENDOR_ADMIN).json()["is_individual"] is True
    refused = api.post("/v1/vendors", json={"legal_name": "X", "is_individual": "maybe"}, headers=VENDOR_ADMIN)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "is_individual"
