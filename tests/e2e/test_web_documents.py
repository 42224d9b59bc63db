"""The vendor, purchase-order and receipt review pages over HTTP: what the API says, shown; the vendor's TIN and
bank accounts masked; a missing one is the 404 page; a vendor cannot open them."""

from __future__ import annotations

import re

from tests.e2e.test_web_portal import after_demo  # noqa: F401


def test_a_vendor_record_shows_masked_accounts_the_1099_flag_and_recent_invoices(after_demo):
    clerk = after_demo("clerk")
    summit = next(v for v in clerk.get("/v1/vendors").json()["items"] if v["number"] == "V-1004")
    page = clerk.get(f"/vendors/{summit['id']}").text
    assert "<h1>Summit Office Supply</h1>" in page and f"*****{summit['tin_last4']}" in page
    assert re.search(r"Account ending \d{4} at routing number \d{9}", page)
    accounts = clerk.get(f"/v1/vendors/{summit['id']}/bank-accounts").json()["items"]
    assert accounts and all(a["account_mask"][-4:] in page for a in accounts)
    assert not re.search(r"\d{8,}", re.sub(r"routing number \d{9}|inv_\w+|ven_\w+|\d{15}", "", page.split("<main")[1]))
    assert "Reported on Form 1099" in page and 'href="/invoices?vendor=' in page and "S-1001" in page
    assert clerk.get("/vendors/ven_01ZZZZZZZZZZZZZZZZZZZZZZZZ").status_code == 404
    assert after_demo("acme-furniture-co").get(f"/vendors/{summit['id']}").status_code == 403


def test_a_purchase_order_shows_its_lines_receipts_and_change_orders(after_demo):
    clerk = after_demo("clerk")
    po = next(p for p in clerk.get("/v1/purchase-orders?limit=100").json()["items"] if p["number"] == "PO-2027-0003")
    page = clerk.get(f"/purchase-orders/{po['id']}").text
    assert "Purchase order PO-2027-0003" in page and "copy paper" in page and "100-FIN-5110" in page
    receipts = clerk.get(f"/v1/receipts?po_id={po['id']}").json()["items"]
    assert all(f'href="/receipts/{r["id"]}"' in page for r in receipts) and receipts
    versions = clerk.get(f"/v1/purchase-orders/{po['id']}/versions").json()["items"]
    assert len(re.findall(r"<li>Version \d+", page)) == len(versions)
    receipt = clerk.get(f"/receipts/{receipts[0]['id']}").text
    assert f'href="/purchase-orders/{po["id"]}">PO-2027-0003</a>' in receipt
