"""Search over HTTP, after the demo's story: by vendor name, PO or invoice number, amount, trace number and
EndToEndId; what was typed is taken literally (a % finds nothing); a vendor cannot use it."""

from __future__ import annotations

import re

from tests.e2e.test_web_portal import after_demo  # noqa: F401


def _hits(html: str) -> list[tuple[str, str]]:
    rows = re.findall(r"<tr>\s*<td>([^<]+)</td>\s*<td>(?:<a [^>]+>)?([^<]+)", html)
    return [(kind.strip(), label.strip()) for kind, label in rows]


def test_one_box_finds_vendors_pos_invoices_and_payments(after_demo):
    clerk = after_demo("clerk")
    assert ("Vendor", "V-1004") in _hits(clerk.get("/search?q=summit").text)
    assert ("Purchase order", "PO-2027-0003") in _hits(clerk.get("/search?q=po-2027-0003").text)
    assert ("Invoice", "S-1001") in _hits(clerk.get("/search?q=S-1001").text)
    assert ("Invoice", "S-1001") in _hits(clerk.get("/search?q=%243,905.00").text)  # "$3,905.00"
    payment = clerk.get("/v1/payments?limit=100").json()["items"]
    paid = next(p for p in payment if p["trace_number"] and p["amount_minor"] > 0)
    by_trace = clerk.get(f"/search?q={paid['trace_number']}").text
    assert ("Payment", paid["trace_number"]) in _hits(by_trace) and "trace number" in by_trace
    by_e2e = clerk.get(f"/search?q={paid['id']}").text
    assert ("Payment", paid["trace_number"]) in _hits(by_e2e) and "EndToEndId" in by_e2e
    assert _hits(clerk.get("/search?q=%25").text) == []  # "%" is a character, not a wildcard
    assert "Nothing found" in clerk.get("/search?q=%25").text
    assert after_demo("acme-furniture-co").get("/search?q=summit").status_code == 403
