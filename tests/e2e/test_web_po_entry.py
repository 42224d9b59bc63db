"""Purchase orders and receipts by form, over HTTP on the example agency: a clerk enters an order (draft), an
approver approves it (encumbered), the clerk records what arrived, then a change order that commits more sends it
back to approval, which the approver gives again; the person who entered it sees no approve button and is refused;
bad input comes back as the form, 422, each field named, nothing written."""

from __future__ import annotations

import re

from tests.e2e.web import _riverton_template, csrf_of, riverton_web, web_sign_in  # noqa: F401


def _signed_in(world, username: str):  # noqa: ANN001, ANN202
    client = world.client()
    assert web_sign_in(client, username, world.passwords[username]).status_code == 303
    return client


def _post(client, url: str, **fields: str):  # noqa: ANN001, ANN202
    return client.post(url, data={"csrf_token": csrf_of(client), **fields})


LINE = {"line1_item": "toner cartridges", "line1_quantity": "10", "line1_unit_of_measure": "each",
        "line1_unit_price": "45.00", "line1_fund": "100", "line1_department": "FIN", "line1_object_code": "5110",
        "line1_kind": "goods"}


def test_an_order_is_entered_approved_received_and_changed(riverton_web):
    clerk = _signed_in(riverton_web, "clerk")
    summit = next(v["id"] for v in clerk.get("/v1/vendors").json()["items"] if v["number"] == "V-1004")
    assert clerk.get("/purchase-orders/new").status_code == 200
    entered = _post(clerk, "/purchase-orders/new", vendor_id=summit, number="PO-2027-0100",
                    description="printer supplies", **LINE)
    assert entered.status_code == 303, entered.text
    po_id = re.fullmatch(r"/purchase-orders/(po_\w+)\?done=entered", entered.headers["location"]).group(1)
    api = clerk.get(f"/v1/purchase-orders/{po_id}").json()
    assert (api["status"], api["total_minor"], api["lines"][0]["item"]) == ("draft", 45000, "toner cartridges")
    page = clerk.get(entered.headers["location"]).text
    assert "entered as a draft" in page and "Approve this purchase order" not in page

    approver = _signed_in(riverton_web, "approver")
    assert "Approve this purchase order" in approver.get(f"/purchase-orders/{po_id}").text
    approved = _post(approver, f"/purchase-orders/{po_id}/approve")
    assert approved.headers["location"] == f"/purchase-orders/{po_id}?done=approved"
    assert approver.get(f"/v1/purchase-orders/{po_id}").json()["encumbered_minor"] == 45000
    assert _post(clerk, f"/purchase-orders/{po_id}/approve").status_code == 403

    form = clerk.get(f"/receipts/new?po_id={po_id}").text
    assert "Line 1: toner cartridges, 10 each ordered" in form
    received = _post(clerk, "/receipts/new", po_id=po_id, received_on="2026-11-02", line1_received="10")
    assert received.status_code == 303, received.text
    receipt_id = re.fullmatch(r"/receipts/(rct_\w+)\?done=entered", received.headers["location"]).group(1)
    assert clerk.get(f"/v1/receipts/{receipt_id}").json()["lines"][0]["quantity_received"] == "10"

    change = clerk.get(f"/purchase-orders/{po_id}/change").text
    assert 'value="toner cartridges"' in change and 'value="45"' in change
    changed = _post(clerk, f"/purchase-orders/{po_id}/change", expected_version="1", reason="two more boxes",
                    **{**LINE, "line1_line_no": "1", "line1_quantity": "12"})
    assert changed.headers["location"] == f"/purchase-orders/{po_id}?done=changed_needs_approval", changed.text
    assert clerk.get(f"/v1/purchase-orders/{po_id}").json()["status"] == "pending_approval"
    again = _post(approver, f"/purchase-orders/{po_id}/approve")
    assert again.headers["location"].endswith("?done=approved")
    api = approver.get(f"/v1/purchase-orders/{po_id}").json()
    assert (api["status"], api["version"], api["total_minor"]) == ("approved", 2, 54000)
    assert "two more boxes" in approver.get(f"/purchase-orders/{po_id}").text


def test_bad_input_comes_back_as_the_form_and_nothing_is_written(riverton_web):
    clerk = _signed_in(riverton_web, "clerk")
    before = len(clerk.get("/v1/purchase-orders?limit=500").json()["items"])
    empty = _post(clerk, "/purchase-orders/new")
    assert empty.status_code == 422 and "The purchase order was not entered" in empty.text
    assert 'href="#vendor_id"' in empty.text and 'href="#number"' in empty.text
    summit = next(v["id"] for v in clerk.get("/v1/vendors").json()["items"] if v["number"] == "V-1004")
    bad = _post(clerk, "/purchase-orders/new", vendor_id=summit, number="PO-2027-0101",
                **{**LINE, "line1_unit_price": "forty-five"})
    assert bad.status_code == 422 and 'href="#line1_unit_price"' in bad.text
    assert 'value="toner cartridges"' in bad.text  # what was typed stays
    assert len(clerk.get("/v1/purchase-orders?limit=500").json()["items"]) == before
    no_date = _post(clerk, "/receipts/new", po_id=clerk.get("/v1/purchase-orders?limit=1").json()["items"][0]["id"],
                    received_on="", line1_received="1")
    assert no_date.status_code == 422 and 'href="#received_on"' in no_date.text
    assert _signed_in(riverton_web, "approver").get("/purchase-orders/new").status_code == 403
