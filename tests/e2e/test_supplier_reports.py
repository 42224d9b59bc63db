"""Supplier performance and local-vendor utilization over HTTP, on the checkbook story (tests/e2e/test_manager_reports):
Riverton's run of 5 November (dated the 6th) pays Acme $1,200.00 (returned on the 9th), Jane $150.00 and Summit
$166.65. Summit holds a local-business (LBE) certification valid 1 June 2026 - 31 May 2027; Jane's lapsed on 31
October 2026, before she was paid.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from openpyxl import load_workbook

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


def test_supplier_performance_and_local_share_worked_example(api, container, monkeypatch, capsys):
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

    # The CLI gives the same figures.
    import json

    import main
    from tests.integration.test_open_checkbook import _env

    _env(monkeypatch, container)
    for command, route in ((["suppliers", "--from", "2026-01-01", "--to", "2026-12-31"], "/v1/reports/suppliers"),
                           (["local", "--from", "2026-11-01", "--to", "2026-11-30"], "/v1/reports/local")):
        assert main.cli(["reports", *command, "--json"]) == 0
        params = {"from": command[2], "to": command[4]}
        assert json.loads(capsys.readouterr().out) == api.get(route, params=params, headers=MANAGER).json()


def test_the_supplier_and_local_pages_show_the_apis_figures(api, container):
    ids = _story(container)
    year = {"from": "2026-01-01", "to": "2026-12-31"}
    page = api.get("/reports/suppliers", params=year, headers=MANAGER)
    assert page.status_code == 200, page.text
    assert f'<a href="/vendors/{ids["Acme Furniture"]}">Acme Furniture</a>' in page.text
    assert "payment_returned=1" in page.text and "33.3 %" in page.text  # all vendors: 1 of 3 held, 1 of 3 returned
    total = list(csv.DictReader(io.StringIO(api.get("/reports/suppliers.csv", params={**year, "table": 2},
                                                    headers=MANAGER).text)))
    assert [(t["invoices"], t["invoiced_minor"], t["held"], t["hold_rate"], t["returned"]) for t in total] == [
        ("3", "151665", "1", "0.3333", "1")]

    november = {"from": "2026-11-01", "to": "2026-11-30"}
    local = api.get("/reports/local", params=november, headers=MANAGER)
    assert local.status_code == 200, local.text
    assert "$166.65" in local.text and "$316.65" in local.text and "52.6 %" in local.text and "50.0 %" in local.text
    assert "LBE certification valid on the payment date" in local.text and 'role="img"' in local.text
    assert "Jane Q. Public" not in local.text  # her LBE had lapsed when she was paid
    book = load_workbook(io.BytesIO(api.get("/reports/local.xlsx", params={**november, "table": 2},
                                            headers=MANAGER).content))
    assert [[c.value for c in row] for row in book.active.iter_rows()] == [
        ["vendor", "paid_minor", "why"], ["Summit Office Supply", 16_665, "LBE certification valid on the payment date"]]
    vendor = {"Authorization": f"Bearer test:vendor:usr_v:{ids['Summit Office Supply']}"}
    for path in ("/reports/suppliers", "/reports/local.csv"):
        assert api.get(path, params=november, headers=vendor).status_code == 403
    assert api.get("/reports/local", params={"from": "2026-11-01", "to": "nope"}, headers=MANAGER).status_code == 422
