"""The invoice pages over HTTP: the list (filters, sort, keyset pages, CSV and XLSX downloads with neutralised
cells), the invoice page (holds with expected, actual and the tolerated limit; lines beside the PO and receipts),
and the journeys: a clerk enters an invoice that lands on hold, an approver releases the hold and approves it,
and a large invoice needs a second approver. Every action posts a form to the API's own use case."""

from __future__ import annotations

import csv
import io
import re

import openpyxl

from tests.e2e.web import _riverton_template, csrf_of, riverton_web, web_sign_in  # noqa: F401


def _signed_in(riverton_web, username: str):  # noqa: ANN001, ANN202
    client = riverton_web.client()
    web_sign_in(client, username, riverton_web.passwords[username])
    return client


def _api_invoice(client, number: str) -> dict:  # noqa: ANN001
    found = [i for i in client.get("/v1/invoices?limit=200").json()["items"] if i["invoice_number"] == number]
    assert len(found) == 1, number
    return client.get(f"/v1/invoices/{found[0]['id']}").json()


def _po_id(client, number: str) -> str:  # noqa: ANN001
    return next(p["id"] for p in client.get("/v1/purchase-orders?limit=100").json()["items"] if p["number"] == number)


def _release_every_hold(client, invoice_id: str, reason: str) -> list[str]:  # noqa: ANN001
    """Each open hold's own form on the invoice page, filled and sent; the holds released, in order."""
    released = []
    while found := re.search(r'action="/invoices/[^/]+/release-hold">.*?name="hold_id" value="([^"]+)"',
                             client.get(f"/invoices/{invoice_id}").text, re.S):
        answer = client.post(f"/invoices/{invoice_id}/release-hold", data={
            "csrf_token": csrf_of(client), "hold_id": found.group(1), f"reason-{found.group(1)}": reason})
        assert answer.status_code == 303 and answer.headers["location"].endswith("?done=released"), answer.text
        released.append(found.group(1))
    return released


def _numbers(html: str) -> list[str]:
    return re.findall(r'<td><a href="/invoices/inv_[0-9A-Z]+">([^<]+)</a></td>', html)


def test_the_list_filters_by_status_and_hold_and_sorts_like_the_api_lists(riverton_web):
    clerk = _signed_in(riverton_web, "clerk")
    held = clerk.get("/invoices?status=held")
    assert held.status_code == 200
    api_held = {i["invoice_number"] for i in clerk.get("/v1/invoices?status=held&limit=100").json()["items"]}
    assert set(_numbers(held.text)) == api_held and len(api_held) > 5
    dup = _numbers(clerk.get("/invoices?hold=duplicate_suspected").text)
    assert dup == ["a 2002"]
    by_total = _numbers(clerk.get("/invoices?status=held&sort=total&order=desc").text)
    totals = {i["invoice_number"]: int(i["total_minor"]) for i in
              clerk.get("/v1/invoices?status=held&limit=100").json()["items"]}
    assert [totals[n] for n in by_total] == sorted(totals.values(), reverse=True)
    assert clerk.get("/invoices?status=nonsense").status_code == 422
    assert clerk.get("/invoices?cursor=not-a-cursor").status_code == 422  # invalid_cursor, as the API says


def test_pages_follow_the_keyset_cursor_to_the_end_without_repeating(riverton_web, monkeypatch):
    import adapters.http.web.invoice_list_routes as routes

    monkeypatch.setattr(routes, "PAGE_SIZE", 3)
    clerk = _signed_in(riverton_web, "clerk")
    url, seen, pages = "/invoices?sort=due&order=desc", [], 0
    while url:
        html = clerk.get(url).text
        seen += _numbers(html)
        found = re.search(r'<a href="([^"]+)" rel="next">', html)
        url = found.group(1).replace("&amp;", "&") if found else None
        pages += 1
    everything = clerk.get("/v1/invoices?limit=200").json()["items"]
    assert sorted(seen) == sorted(i["invoice_number"] for i in everything) and pages == -(-len(everything) // 3)
    assert "offset" not in url_or_empty(url)


def url_or_empty(url: str | None) -> str:
    return url or ""


def test_downloads_carry_the_filtered_rows_with_formula_cells_neutralised(riverton_web):
    clerk = _signed_in(riverton_web, "clerk")
    acme = _api_invoice(clerk, "A-2001")["vendor_id"]
    po = _po_id(clerk, "PO-2027-0001")
    form = {"csrf_token": csrf_of(clerk), "vendor_id": acme, "invoice_number": "=HYPERLINK(\"https://x\")",
            "line1_po_id": po, "line1_po_line_no": "1", "line1_quantity": "1", "line1_unit_price": "1.00"}
    assert clerk.post("/invoices/new", data=form).status_code == 303
    sheet = clerk.get("/invoices.csv?status=held")
    assert sheet.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'attachment; filename="invoices.csv"' == sheet.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(sheet.text)))
    assert rows[0][:3] == ["invoice_id", "invoice_number", "vendor_id"]
    numbers = [r[1] for r in rows[1:]]
    assert "'=HYPERLINK(\"https://x\")" in numbers and "=HYPERLINK(\"https://x\")" not in numbers
    assert all(r[10] == "held" for r in rows[1:])
    book = openpyxl.load_workbook(io.BytesIO(clerk.get("/invoices.xlsx?status=held").content))
    cells = [c for row in book.active.iter_rows(min_row=2) for c in row]
    assert not any(c.data_type == "f" for c in cells)
    assert "'=HYPERLINK(\"https://x\")" in [c.value for c in cells]
    assert sorted(r[1] for r in rows[1:]) == sorted(str(r[1].value) for r in book.active.iter_rows(min_row=2))


def test_a_held_invoice_shows_each_finding_beside_the_po_line_and_receipts(riverton_web):
    clerk = _signed_in(riverton_web, "clerk")
    invoice = _api_invoice(clerk, "A-2001")
    page = clerk.get(f"/invoices/{invoice['id']}").text
    finding = re.search(r'<tr class="finding">(.*?)</tr>', page, re.S).group(1)
    cells = re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", finding)
    assert cells[:4] == ["More billed than received", "8", "10", "8"]  # kind, expected, actual, tolerated
    assert "PO-2027-0001</a> · line 1: stacking chair" in page
    assert "Receipts on purchase order PO-2027-0001" in page
    assert "Release hold" not in page and "Approve for payment" not in page  # a clerk may do neither
    assert "Cancel invoice" in page
    assert clerk.get("/invoices/inv_01ZZZZZZZZZZZZZZZZZZZZZZZZ").status_code == 404


def test_journey_a_clerk_enters_an_invoice_that_lands_on_hold_and_an_approver_releases_and_approves_it(riverton_web):
    clerk = _signed_in(riverton_web, "clerk")
    acme = _api_invoice(clerk, "A-2001")["vendor_id"]
    po = _po_id(clerk, "PO-2027-0001")
    bad = clerk.post("/invoices/new", data={"csrf_token": csrf_of(clerk), "vendor_id": acme, "invoice_number": "",
                                            "line1_quantity": "ten", "line1_unit_price": "120"})
    assert bad.status_code == 422 and 'href="#invoice_number"' in bad.text and 'href="#line1_quantity"' in bad.text
    assert bad.text.count('aria-invalid="true"') == 2
    entered = clerk.post("/invoices/new", data={
        "csrf_token": csrf_of(clerk), "vendor_id": acme, "invoice_number": "A-2101", "invoice_date": "2026-10-30",
        "terms": "net 30", "total": "1080.00", "line1_po_id": po, "line1_po_line_no": "1", "line1_quantity": "9",
        "line1_unit_price": "120.00"})
    assert entered.status_code == 303
    url = entered.headers["location"]
    assert url.endswith("?done=entered")
    page = clerk.get(url).text
    assert "The invoice is entered and was matched at once." in page and "More billed than received" in page
    invoice_id = url.split("/")[2].split("?")[0]
    assert _api_invoice(clerk, "A-2101")["status"] == "held"
    assert clerk.post(f"/invoices/{invoice_id}/approve", data={"csrf_token": csrf_of(clerk)}).status_code == 403

    approver = _signed_in(riverton_web, "approver")
    page = approver.get(f"/invoices/{invoice_id}").text
    hold_id = re.search(r'name="hold_id" value="([^"]+)"', page).group(1)
    no_reason = approver.post(f"/invoices/{invoice_id}/release-hold",
                              data={"csrf_token": csrf_of(approver), "hold_id": hold_id, f"reason-{hold_id}": ""})
    assert no_reason.status_code in (400, 422) and 'role="alert"' in no_reason.text
    assert _api_invoice(approver, "A-2101")["status"] == "held"  # nothing changed
    assert _release_every_hold(approver, invoice_id, "ninth chair seen on the dock")[0] == hold_id
    assert _api_invoice(approver, "A-2101")["status"] == "matched"
    approved = approver.post(f"/invoices/{invoice_id}/approve", data={"csrf_token": csrf_of(approver)})
    assert approved.headers["location"].endswith("?done=approved")
    api = _api_invoice(approver, "A-2101")
    assert api["status"] == "approved" and len(api["approvals"]) == 1
    page = approver.get(approved.headers["location"]).text
    assert "Approved for payment." in page and "ninth chair seen on the dock" in page


def test_journey_a_large_invoice_needs_a_second_approver(riverton_web):
    approver = _signed_in(riverton_web, "approver")
    invoice = _api_invoice(approver, "IT-0913")  # $32,500: above the $25,000 dual-approval threshold
    assert len(_release_every_hold(approver, invoice["id"], "13th month agreed by letter")) == 3
    first = approver.post(f"/invoices/{invoice['id']}/approve", data={"csrf_token": csrf_of(approver)})
    assert first.headers["location"].endswith("?done=approval_added")
    page = approver.get(first.headers["location"]).text
    assert "needs another approver" in page and "1 of 2 approvals given" in page
    assert "Approve for payment" not in page  # not twice by the same person
    again = approver.post(f"/invoices/{invoice['id']}/approve", data={"csrf_token": csrf_of(approver)})
    assert again.status_code == 403 and 'role="alert"' in again.text
    second = _signed_in(riverton_web, "approver2")
    done = second.post(f"/invoices/{invoice['id']}/approve", data={"csrf_token": csrf_of(second)})
    assert done.headers["location"].endswith("?done=approved")
    assert _api_invoice(second, "IT-0913")["status"] == "approved"


def test_a_duplicate_is_overridden_with_a_reason_and_an_invoice_cancelled(riverton_web):
    approver = _signed_in(riverton_web, "approver")
    dup = _api_invoice(approver, "a 2002")
    page = approver.get(f"/invoices/{dup['id']}").text
    assert "Override duplicate" in page
    hold_id = next(h["id"] for h in dup["holds"] if h["hold"] == "duplicate_suspected")
    done = approver.post(f"/invoices/{dup['id']}/override-duplicate", data={
        "csrf_token": csrf_of(approver), "hold_id": hold_id, f"reason-{hold_id}": "a second desk, delivered twice"})
    assert done.headers["location"].endswith("?done=overridden")
    assert all(h["hold"] != "duplicate_suspected" for h in _api_invoice(approver, "a 2002")["holds"])
    clerk = _signed_in(riverton_web, "clerk")
    cancel = clerk.post(f"/invoices/{dup['id']}/cancel", data={"csrf_token": csrf_of(clerk), "reason": "withdrawn"})
    assert cancel.headers["location"].endswith("?done=cancelled")
    assert _api_invoice(clerk, "a 2002")["status"] == "cancelled"
