"""The manager reports as pages (``/reports/…``) over HTTP, on the manager reports' worked example
(tests/e2e/test_manager_reports.py: Riverton pays Acme $1,200.00, returned, Jane $150.00 and Summit $166.65 in
November 2026, fund 100, PW, 5710, FY 2027; Summit is a WBE on the day it is paid; two Acme invoices are unpaid)."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from payments.identity import Action, Role, is_allowed
from tests.e2e.conftest import as_role
from tests.e2e.test_manager_reports import _story

MANAGER = as_role("auditor", user="usr_aud")
NOVEMBER = {"from": "2026-11-01", "to": "2026-11-30"}


def test_each_report_page_shows_the_apis_figures_with_a_chart_and_downloads(api, container):
    _story(container)
    spend = api.get("/reports/spend", params={"fiscal_year": 2027}, headers=MANAGER)
    assert spend.status_code == 200, spend.text
    assert "$100,000.00" in spend.text and "$316.65" in spend.text  # the line's appropriation; paid, not returned
    assert 'role="img"' in spend.text and "<caption>Paid by month</caption>" in spend.text
    assert ">Summit Office Supply</a>" in spend.text and "style=" not in spend.text

    aging = api.get("/reports/aging", params={"as_of": "2026-12-31"}, headers=MANAGER)
    assert "31 to 60 days" in aging.text and "$1,240.00" in aging.text and "$30.00" in aging.text
    rows = list(csv.DictReader(io.StringIO(api.get("/reports/aging.csv", params={"as_of": "2026-12-31"},
                                                   headers=MANAGER).text)))
    assert {r["bucket"]: (r["amount_minor"], r["invoices"]) for r in rows}["31-60"] == ("124000", "2")

    pp = api.get("/reports/prompt-pay", params=NOVEMBER, headers=MANAGER)
    assert "federal@5cfr1315" in pp.text and "100.0 %" in pp.text

    div = api.get("/reports/diversity", params=NOVEMBER, headers=MANAGER)
    assert "WBE" in div.text and "MBE" not in div.text  # Jane's MBE had lapsed when she was paid
    book = load_workbook(io.BytesIO(api.get("/reports/diversity.xlsx", params=NOVEMBER, headers=MANAGER).content))
    header, *cells = [[c.value for c in row] for row in book.active.iter_rows()]
    assert header == ["certification", "paid_minor", "payments", "amount_share", "count_share"]
    assert cells[0][:3] == ["WBE", 16_665, 1]

    split = api.get("/reports/split-purchases", params=NOVEMBER, headers=MANAGER)
    assert split.status_code == 200 and "Invoices the split-purchase rule suspects" in split.text

    # A vendor named like a formula: escaped on the page, text in either download.
    from payments.ap.vendor_service import VendorDetails
    from tests.integration.ap_story import VENDOR_ADMIN, ap

    s = ap(container)
    summit = next(r for r in s.vendors.list(after=None, limit=10) if r.vendor.legal_name == "Summit Office Supply")
    s.vendors.update(VENDOR_ADMIN, summit.vendor.id, VendorDetails(legal_name="=cmd|' /C calc'!A0", terms="net 30"),
                     expected_version=summit.version)
    page = api.get("/reports/spend", params={"fiscal_year": 2027}, headers=MANAGER)
    assert "=cmd|&#39; /C calc&#39;!A0" in page.text  # escaped on the page
    vendors = api.get("/reports/spend.csv", params={"fiscal_year": 2027, "table": 4}, headers=MANAGER).text
    assert vendors.splitlines()[0] == '"vendor","paid_minor","invoices"'
    assert '"\'=cmd|\' /C calc\'!A0",16665,1' in vendors  # text in a spreadsheet, never a formula
    book = load_workbook(io.BytesIO(api.get("/reports/spend.xlsx", params={"fiscal_year": 2027, "table": 4},
                                            headers=MANAGER).content))
    assert book.active["A2"].value == "'=cmd|' /C calc'!A0" and book.active["A2"].data_type == "s"


def test_only_those_the_api_allows_see_the_reports_and_bad_filters_are_422(api, container):
    for role in Role:
        headers = ({"Authorization": "Bearer test:vendor:usr_v:ven_1"} if role is Role.VENDOR else as_role(role.value))
        for path in ("/reports", "/reports/spend", "/reports/aging.csv"):
            assert api.get(path, headers=headers).status_code == (200 if is_allowed(role, Action.LEDGER_READ)
                                                                  else 403), (role, path)
    for path, params in (("/reports/spend", {"fiscal_year": "20x7"}), ("/reports/aging", {"as_of": "yesterday"}),
                         ("/reports/diversity", {"from": "2026-12-01", "to": "2026-11-01"}),
                         ("/reports/prompt-pay.csv", {"from": "2000-01-01", "to": "2026-01-01"})):
        assert api.get(path, params=params, headers=MANAGER).status_code == 422, path
    assert api.get("/reports/nothing", headers=MANAGER).status_code == 404
    assert api.get("/reports/spend.pdf", headers=MANAGER).status_code == 404
    assert api.get("/reports/spend.csv?table=9", headers=MANAGER).status_code == 404
