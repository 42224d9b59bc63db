"""The vendor portal's invoice submission (by form and as a CSV file) and credits, over HTTP on the example
agency: what is sent becomes the vendor's invoice, received today and matched, the same as through
``POST /v1/portal/invoices``; a file's problems are named by row and column and nothing is sent; another vendor's
purchase order is refused in the same words as one that does not exist; a vendor sees its own credits only."""

from __future__ import annotations

import re

from tests.e2e.web import _riverton_template, csrf_of, riverton_web, web_sign_in  # noqa: F401

SUMMIT = "summit-office-supply"
HEADER = "invoice_number,invoice_date,terms,total,po_number,po_line_no,quantity,unit_price,description\n"


def _signed_in(world, username: str):  # noqa: ANN001, ANN202
    client = world.client()
    assert web_sign_in(client, username, world.passwords[username]).status_code == 303
    return client


def _send(client, **fields: str):  # noqa: ANN001, ANN202
    return client.post("/portal/invoices/new", data={"csrf_token": csrf_of(client), "how": "form", **fields})


def _send_file(client, text: str):  # noqa: ANN001, ANN202
    return client.post("/portal/invoices/new", data={"csrf_token": csrf_of(client), "how": "file"},
                       files={"file": ("invoice.csv", text.encode(), "text/csv")})


def _mine(client) -> dict[str, dict]:  # noqa: ANN001
    return {i["invoice_number"]: i for i in client.get("/v1/portal/invoices?limit=200").json()["items"]}


def test_a_vendor_sends_an_invoice_by_form_and_sees_where_it_stands(riverton_web):
    summit = _signed_in(riverton_web, SUMMIT)
    assert summit.get("/portal/invoices/new").status_code == 200
    sent = _send(summit, invoice_number="S-2001", invoice_date="2026-10-30", total="42.50",
                 line1_po_number="PO-2027-0003", line1_po_line_no="1", line1_quantity="10", line1_unit_price="4.25",
                 line1_description="copy paper")
    assert sent.status_code == 303, sent.text
    invoice_id = re.fullmatch(r"/portal/invoices/(inv_\w+)\?sent=1", sent.headers["location"]).group(1)
    mine = _mine(summit)["S-2001"]
    assert mine["id"] == invoice_id and mine["total_minor"] == 4250
    page = summit.get(sent.headers["location"]).text
    assert "We received your invoice." in page and "S-2001" in page
    clerk = _signed_in(riverton_web, "clerk")
    staff = clerk.get(f"/v1/invoices/{invoice_id}").json()
    assert staff["received_on"] == "2026-11-02" and staff["lines"][0]["po_line_no"] == 1


def test_a_vendor_sends_an_invoice_as_a_file(riverton_web):
    summit = _signed_in(riverton_web, SUMMIT)
    text = (HEADER + "S-2002,2026-10-30,net 30,131.50,PO-2027-0003,1,10,4.25,copy paper\n"
            + "S-2002,,,,PO-2027-0003,2,1,89.00,toner\n")
    sent = _send_file(summit, text)
    assert sent.status_code == 303, sent.text
    mine = _mine(summit)["S-2002"]
    assert mine["total_minor"] == 13150


def test_a_files_problems_are_named_by_row_and_column_and_nothing_is_sent(riverton_web):
    summit = _signed_in(riverton_web, SUMMIT)
    before = set(_mine(summit))
    wrong_columns = _send_file(summit, "number,amount\nS-3,1\n")
    assert wrong_columns.status_code == 422 and "must name these columns: invoice_number, invoice_date" in wrong_columns.text
    bad = _send_file(summit, HEADER + "S-2003,2026-10-30,,,PO-2027-0003,1,ten,4.25,\n"
                     + "S-2004,2026-10-30,,,PO-2027-0003,1,1,4.25,\n")
    assert bad.status_code == 422
    assert "Row 2, column quantity: not readable" in bad.text
    assert "Row 3, column invoice_number: differs from the first row" in bad.text
    empty = summit.post("/portal/invoices/new", data={"csrf_token": csrf_of(summit), "how": "file"})
    assert empty.status_code == 422 and "Choose the invoice file (CSV)." in empty.text
    typed = _send(summit, invoice_number="", line1_quantity="1", line1_unit_price="x")
    assert typed.status_code == 422 and 'href="#invoice_number"' in typed.text and 'href="#line1_unit_price"' in typed.text
    assert set(_mine(summit)) == before


def test_another_vendors_purchase_order_is_refused_like_a_missing_one(riverton_web):
    summit = _signed_in(riverton_web, SUMMIT)
    line = {"invoice_number": "S-2005", "line1_po_line_no": "1", "line1_quantity": "1", "line1_unit_price": "120.00"}
    acmes = _send(summit, line1_po_number="PO-2027-0001", **line)  # Acme's order
    missing = _send(summit, line1_po_number="PO-9999-0001", **line)
    assert acmes.status_code == missing.status_code == 422
    said = [re.search(r"is not a purchase order we issued to you", r.text) is not None for r in (acmes, missing)]
    assert said == [True, True] and "S-2005" not in _mine(summit)


def test_a_vendor_sees_its_own_credits_only(riverton_web):
    summit = _signed_in(riverton_web, SUMMIT)
    api = summit.get("/v1/portal/credits").json()["items"]
    page = summit.get("/portal/credits").text
    assert api and all(f"<th scope=\"row\">{c['memo_number']}</th>" in page for c in api)
    acme = _signed_in(riverton_web, "acme-furniture-co")
    theirs = acme.get("/portal/credits").text
    assert all(c["memo_number"] not in theirs for c in api)
    assert _signed_in(riverton_web, "clerk").get("/portal/credits").status_code == 403
