"""Supplier performance and local-vendor utilization over HTTP, on the checkbook story (tests/e2e/test_manager_reports):
Riverton's run of 5 November (dated the 6th) pays Acme $1,200.00 (returned on the 9th), Jane $150.00 and Summit
$166.65. Summit holds a local-business (LBE) certification valid 1 June 2026 - 31 May 2027; Jane's lapsed on 31
October 2026, before she was paid.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from payments.ap.documents import DiversityCertification
from tests.e2e.conftest import as_role

MANAGER = as_role("auditor", user="usr_aud")


def _story(container) -> dict[str, str]:  # noqa: ANN001
    from payments.ap.vendor_service import VendorDetails
    from tests.integration.ap_story import VENDOR_ADMIN, ap
    from tests.integration.test_open_checkbook import _pay_everything

    paid = _pay_everything(container)
    s = ap(container)
    by_name = {r.vendor.legal_name: r for r in s.vendors.list(after=None, limit=10)}
    for name, since, until in (("Summit Office Supply", dt.date(2026, 6, 1), dt.date(2027, 5, 31)),
                               ("Jane Q. Public", dt.date(2025, 11, 1), dt.date(2026, 10, 31))):
        r = by_name[name]
        s.vendors.update(VENDOR_ADMIN, r.vendor.id, VendorDetails(
            legal_name=name, terms="net 30", is_individual=r.vendor.is_individual,
            certifications=(DiversityCertification("LBE", "Riverton LBE", since, until),)),
            expected_version=r.version)
    return paid | {name: r.vendor.id for name, r in by_name.items()}


def test_supplier_performance_and_local_share_worked_example(api, container):
    ids = _story(container)
    r = api.get("/v1/reports/suppliers", params={"from": "2026-01-01", "to": "2026-12-31"}, headers=MANAGER)
    assert r.status_code == 200, r.text
    report = r.json()
    acme, jane, summit = ids["Acme Furniture"], ids["Jane Q. Public"], ids["Summit Office Supply"]
    by_vendor = {v["vendor_id"]: v for v in report["by_vendor"]}
    # Acme's chairs invoice is held once its payment comes back: one invoice, held, one payment, returned.
    assert (by_vendor[acme]["invoices"], by_vendor[acme]["held"], by_vendor[acme]["holds_by_kind"]) == (
        1, 1, {"payment_returned": 1})
    assert (by_vendor[acme]["payments"], by_vendor[acme]["returned"], by_vendor[acme]["return_rate"]) == (
        1, 1, "1.0000")
    assert (by_vendor[jane]["hold_rate"], by_vendor[jane]["return_rate"]) == ("0.0000", "0.0000")
    total = report["total"]
    assert (total["invoices"], total["invoiced_minor"], total["held"], total["hold_rate"]) == (3, 151_665, 1, "0.3333")
    assert (total["payments"], total["returned"], total["return_rate"]) == (3, 1, "0.3333")
    assert summit in by_vendor

    loc = api.get("/v1/reports/local", params={"from": "2026-11-01", "to": "2026-11-30"}, headers=MANAGER).json()
    # Acme's payment came back (not spend); Jane's LBE had lapsed before she was paid: Summit alone is local.
    assert (loc["paid_minor"], loc["payments"], loc["local_paid_minor"], loc["local_payments"]) == (
        31_665, 2, 16_665, 1)
    assert (loc["amount_share"], loc["count_share"]) == ("0.5263", "0.5000")
    assert loc["local_vendors"] == [{"vendor_id": summit, "paid_minor": 16_665,
                                     "why": "LBE certification valid on the payment date"}]

    as_csv = api.get("/v1/reports/suppliers", params={"from": "2026-01-01", "to": "2026-12-31", "format": "csv"},
                     headers=MANAGER)
    rows = {x["vendor_id"]: x for x in csv.DictReader(io.StringIO(as_csv.text))}
    assert (rows[acme]["return_rate"], rows[acme]["holds_by_kind"]) == ("1.0000", "payment_returned=1")
    local_csv = api.get("/v1/reports/local", params={"from": "2026-11-01", "to": "2026-11-30", "format": "csv"},
                        headers=MANAGER)
    assert list(csv.reader(io.StringIO(local_csv.text)))[1] == [summit, "16665",
                                                                 "LBE certification valid on the payment date"]

    vendor = {"Authorization": f"Bearer test:vendor:usr_v:{summit}"}
    assert api.get("/v1/reports/suppliers", params={"from": "2026-01-01", "to": "2026-12-31"},
                   headers=vendor).status_code == 403
    assert api.get("/v1/reports/local", params={"from": "2026-11-01", "to": "nope"}, headers=MANAGER).status_code == 422
