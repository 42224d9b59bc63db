"""The public "where the money goes" pages over HTTP, on the checkbook story (tests/integration/test_open_checkbook.py):
Riverton's run of 5 November 2026 pays Acme Furniture $1,200.00 (returned on the 9th), Jane Q. Public, a person,
$150.00 and Summit Office Supply $166.65, all charged to fund 100, department PW, object 5710 (fiscal year 2027).
No one signs in."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from adapters.http.web.spending_pages import PageCache, PublicRateLimit
from tests.e2e.conftest import as_role


@pytest.fixture
def story(api, container):  # noqa: ANN001, ANN201
    from tests.integration.test_open_checkbook import _pay_everything

    return _pay_everything(container)


def test_the_year_by_department_fund_category_and_payee_without_signing_in(api, story):
    page = api.get("/spending?fiscal_year=2027")
    assert page.status_code == 200, page.text
    text = page.text
    # Acme's payment came back: listed as returned, never spend. $150.00 + $166.65 = $316.65 in two payments.
    assert "$316.65" in text and "Payments: 2" in text
    assert "Payments the payee's bank sent back: 1." in text
    assert "Jane" not in text and "Redacted payee" in text
    assert text.count("<svg class=\"chart\"") == 7 and 'role="img"' in text and "style=" not in text
    assert '<caption>Spending by department</caption>' in text
    assert 'href="/spending?fiscal_year=2027&amp;department=PW"' in text
    assert 'href="/spending/payments?fiscal_year=2027&amp;payee=Summit+Office+Supply"' in text
    assert "What is withheld, and why" in text
    assert page.headers["cache-control"] == "public, max-age=300" and page.headers["etag"]
    assert "Signed in as" not in text

    month = api.get("/spending?fiscal_year=2027&month=2026-12")
    assert "No payment was made in this period." in month.text
    november = api.get("/spending?fiscal_year=2027&month=2026-11&fund=100&object_code=5710")
    assert "$316.65" in november.text and "Payments: 2" in november.text
    assert "Month: November 2026" in " ".join(november.text.split())  # months as a reader says them
    assert "No payment was made" in api.get("/spending?fiscal_year=2027&fund=999").text
    drilled = api.get("/spending?fiscal_year=2027&department=PW&payee=Redacted+payee")
    assert "$150.00" in drilled.text and "Payments: 1" in drilled.text

    # The payments behind the figures, searchable, and one payment.
    listed = api.get("/spending/payments?fiscal_year=2027&department=PW")
    assert listed.status_code == 200
    assert listed.text.count("/spending/payments/pay_") == 3  # the returned one is listed, marked returned
    assert "returned" in listed.text and "Jane" not in listed.text and "JQP-1" not in listed.text
    found = api.get("/spending/payments?fiscal_year=2027&q=copy+paper")
    assert found.text.count("/spending/payments/pay_") == 1 and "Summit Office Supply" in found.text
    assert "No payment matches this search." in api.get("/spending/payments?fiscal_year=2027&q=nothing").text

    jane = api.get(f"/spending/payments/{story['jane']}")
    assert jane.status_code == 200 and "Redacted payee" in jane.text and "$150.00" in jane.text
    assert "Jane" not in jane.text and "JQP-1" not in jane.text and "withheld" in jane.text
    acme = api.get(f"/spending/payments/{story['acme']}")
    assert "A-77" in acme.text and "bank sent the money back" in acme.text
    assert api.get("/spending/payments/pay_NOPE").status_code == 404


def test_downloads_are_the_checkbook_rows_neutralised_and_the_published_files_are_served(api, story, container,
                                                                                        tmp_path):
    import dataclasses

    import main

    got = api.get("/spending/payments.csv?fiscal_year=2027")
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    rows = {r["payee"]: r for r in csv.DictReader(io.StringIO(got.text))}
    assert set(rows) == {"Acme Furniture", "Redacted payee", "Summit Office Supply"}
    assert rows["Redacted payee"]["invoice_number"] == "" and rows["Acme Furniture"]["status"] == "returned"
    assert rows["Summit Office Supply"]["description"].startswith("'=HYPERLINK")  # a formula is text
    book = load_workbook(io.BytesIO(api.get("/spending/payments.xlsx?fiscal_year=2027").content))
    cells = [c.value for row in book.active.iter_rows() for c in row]
    assert "Jane Q. Public" not in cells and "'=HYPERLINK(\"x\") copy paper" in cells
    totals = list(csv.DictReader(io.StringIO(api.get("/spending/totals.csv?fiscal_year=2027").text)))
    assert {"dimension": "department", "value": "PW", "currency": "USD", "amount_minor": "31665",
            "payments": "2"} in totals
    assert {"dimension": "payee", "value": "Redacted payee", "currency": "USD", "amount_minor": "15000",
            "payments": "1"} in totals

    folder = tmp_path / "public"
    api.app.state.settings = dataclasses.replace(container.settings, publish_dir=str(folder))
    assert api.get("/spending/open-data/checkbook.csv").status_code == 404
    main.publish_checkbook(container, out=str(folder))
    got = api.get("/spending/open-data/checkbook.csv")
    assert got.status_code == 200 and "Redacted payee" in got.text and "Jane" not in got.text
    held = api.get("/spending/open-data/checkbook.csv", headers={"If-None-Match": got.headers["etag"]})
    assert held.status_code == 304
    assert api.get("/spending/open-data/secrets.txt").status_code == 404


BAD_QUERIES = ("fiscal_year=1999", "fiscal_year=abc", "fiscal_year=2027&month=2027-07", "page=0", "page=99999",
               "q=" + "x" * 81, "fiscal_year=2027&fiscal_year=2026", "sort=amount", "month=13")


def test_bad_queries_are_400_pages_an_unchanged_page_is_304_and_a_flood_is_429(api, story):
    for query in BAD_QUERIES:
        for path in ("/spending", "/spending/payments", "/spending/payments.csv"):
            got = api.get(f"{path}?{query}")
            assert (got.status_code, "That did not work" in got.text) == (400, True), (path, query)
    assert api.get("/spending/payments?fiscal_year=2027&page=2").status_code == 404  # past the last page

    first = api.get("/spending?fiscal_year=2027")
    again = api.get("/spending?fiscal_year=2027", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    spanish = api.get("/spending?fiscal_year=2027", headers={"Accept-Language": "es"})
    assert spanish.headers["etag"] != first.headers["etag"] and "Adónde va el dinero" in spanish.text
    assert "Beneficiario reservado" in spanish.text and "Redacted payee" not in spanish.text
    assert "noviembre 2026" in spanish.text

    # The same address again within the minute is answered from what was built: no second pass over the year.
    service, passes = api.app.state.public_spending, []
    summary = service.summary
    service.summary = lambda wanted: passes.append(wanted) or summary(wanted)
    assert api.get("/spending?fiscal_year=2027&month=2026-11").text == api.get(
        "/spending?month=2026-11&fiscal_year=2027").text
    assert len(passes) == 1

    api.app.state.public_rate_limit = PublicRateLimit(2)
    assert [api.get("/spending").status_code for _ in range(3)] == [200, 200, 429]


def test_a_kept_page_expires_and_the_cache_stays_bounded():
    from starlette.responses import Response

    now = [0.0]
    cache = PageCache(60, max_entries=2, max_body=10, clock=lambda: now[0])
    cache.put(("a",), Response(b"page a"))
    cache.put(("big",), Response(b"more than ten bytes"))
    cache.put(("gone",), Response(b"x", status_code=404))
    assert cache.get(("a",)).body == b"page a" and cache.get(("big",)) is None and cache.get(("gone",)) is None
    cache.put(("b",), Response(b"b"))
    cache.put(("c",), Response(b"c"))  # two at most: the least recently used goes
    assert cache.get(("a",)) is None and cache.get(("c",)).body == b"c"
    now[0] = 61
    assert cache.get(("c",)) is None


def test_the_rate_limit_forgets_after_a_minute():
    now = [100.0]
    limit = PublicRateLimit(2, clock=lambda: now[0])
    assert [limit.retry_after("a"), limit.retry_after("a"), limit.retry_after("b")] == [None, None, None]
    assert limit.retry_after("a") == 61
    now[0] += 60.5
    assert limit.retry_after("a") is None


def test_the_share_to_certified_and_local_vendors_and_the_on_time_rate(api, container):
    """Summit holds a local-business (LBE) certification valid when paid, Jane's had lapsed (tests/e2e/
    test_supplier_reports.py); LBE is local by the example's [local_vendors]. The figures are the staff reports'."""
    from tests.e2e.test_supplier_reports import _story

    _story(container)
    text = api.get("/spending", params={"fiscal_year": 2027, "department": "PW"}).text
    section = text[text.index('id="shares"'):text.index("Download the data")]
    # $166.65 of $316.65 (Acme's returned payment is in no total): 52.6 % of the amount, one payment of two.
    assert "<caption>Paid to certified and local vendors</caption>" in section
    assert section.count("$166.65") >= 3 and "52.6 %" in section and "50.0 %" in section and "$316.65" in section
    assert "Local vendors (the agency" in section and "Jane" not in section
    assert "<caption>Invoices paid on time and late</caption>" in section and section.count('<svg class="chart"') == 2
    staff = api.get("/v1/reports/prompt-pay", params={"from": "2026-07-01", "to": "2027-06-30"},
                    headers=as_role("auditor", user="usr_aud")).json()["by_rule_set"]
    on_time, paid = sum(g["on_time"] for g in staff), sum(g["invoices"] for g in staff)
    assert paid > 0 and f"<td class=\"num\">{on_time}</td>" in section  # the staff report's count, not a second rule
    rows = list(csv.DictReader(io.StringIO(api.get("/spending/shares.csv", params={"fiscal_year": 2027}).text)))
    by = {(r["measure"], r["group"]): r for r in rows}
    assert (by["vendors", "LBE"]["amount_minor"], by["vendors", "LBE"]["amount_share"]) == ("16665", "0.5263")
    assert (by["vendors", "local"]["count"], by["vendors", "all"]["amount_minor"]) == ("1", "31665")
    assert int(by["prompt_payment", "on_time"]["count"]) == on_time
    assert int(by["prompt_payment", "late"]["count"]) == paid - on_time
    spanish = api.get("/spending", params={"fiscal_year": 2027}, headers={"Accept-Language": "es"}).text
    assert "Pagadas a tiempo" in spanish and "Proveedores locales (según la definición de la entidad)" in spanish
    assert api.get("/spending/shares.pdf").status_code == 404
    assert api.get("/spending/shares.csv", params={"fiscal_year": "20x7"}).status_code == 400
