"""Absurd dates and numbers (issue 12, items 11 and 12): each was a 500; each is now a 422 naming the field and the
window, and nothing is written, above all nothing reaches the signed journal.

Today is 2026-11-02 (the suite's clock); the date policy accepts 2019-11-02 to 2027-11-02 by default.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import as_role
from tests.e2e.hostile_files import Entry, camt053
from tests.e2e.test_ap_api import APPROVER, AUDITOR, CLERK, TREASURER, acme, bill, new_po, ok  # noqa: F401

ABSURD = ("9999-12-31", "0001-01-01")


def journal_size(api) -> int:  # noqa: ANN001
    return len(api.get("/v1/ledger/entries?limit=500", headers=AUDITOR).json()["items"])


def refused(response, field: str, latest: str = "2027-11-02") -> dict:  # noqa: ANN001
    """``latest`` is the policy's end, or a narrower setting of it (a payment run's horizon)."""
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == "date_out_of_range" and field in body["detail"], body
    assert (body["earliest"], body["latest"]) == ("2019-11-02", latest)
    return body


@pytest.mark.parametrize("day", ABSURD)
def test_invoices_receipts_and_credit_memos_refuse_absurd_dates_and_post_nothing(api, acme, day):
    po = new_po(api, acme)
    before = journal_size(api)
    refused(bill(api, acme, po["id"], invoice_date=day), "invoice_date")
    refused(bill(api, acme, po["id"], received_on=day), "received_on")
    refused(api.post("/v1/receipts", json={"po_id": po["id"], "received_on": day,
                                           "lines": [{"po_line_no": 1, "quantity_received": "8"}]}, headers=CLERK),
            "received_on")
    refused(api.post("/v1/credit-memos", json={"vendor_id": acme, "memo_number": "CM-1", "memo_date": day,
                                               "lines": [{"po_id": po["id"], "po_line_no": 1, "quantity": "1",
                                                          "amount": "120.00"}]}, headers=CLERK), "memo_date")
    assert journal_size(api) == before
    assert api.get("/v1/invoices", headers=AUDITOR).json()["items"] == []
    assert api.get("/v1/receipts", headers=AUDITOR).json()["items"] == []


@pytest.mark.parametrize("day", ABSURD)
def test_payment_runs_reconciliation_runs_and_report_paths_refuse_absurd_dates(api, day):
    # A payment run's dates are the same policy narrowed to [payments] run_horizon_days (10) ahead.
    refused(api.post("/v1/payment-runs", json={"run_date": day}, headers=TREASURER), "run_date", latest="2026-11-12")
    refused(api.post("/v1/reconciliation/runs", json={"date": day}, headers=TREASURER), "date")
    refused(api.get(f"/v1/reconciliation/reports/{day}", headers=AUDITOR), "date")
    refused(api.get(f"/v1/reconciliation/reports/{day}?format=csv", headers=AUDITOR), "date")
    assert api.get("/v1/payment-runs", headers=AUDITOR).json()["items"] == []


@pytest.mark.parametrize("day", ABSURD)
def test_a_journal_entry_dated_outside_the_policy_is_never_posted(api, day):
    before = journal_size(api)
    entry = {"effective_date": day, "code": "manual_adjustment", "memo": "absurd",
             "postings": [{"account": "100-1010", "direction": "debit", "amount": "1.00", "currency": "USD"},
                          {"account": "100-3000", "direction": "credit", "amount": "1.00", "currency": "USD"}]}
    body = refused(api.post("/v1/ledger/entries", json=entry, headers=TREASURER), "effective_date")
    assert "journal" in body["detail"]
    refused(api.post("/v1/ledger/entries:batch", json={"entries": [entry]}, headers=TREASURER), "effective_date")
    assert journal_size(api) == before
    assert ok(api.post("/v1/ledger/verify", headers=AUDITOR))["ok"] is True


@pytest.mark.parametrize("day", ABSURD)
def test_a_camt_booking_date_outside_the_policy_refuses_the_whole_file(api, day):
    statement = camt053([Entry("15.00"), Entry("2.50", credit=False, booked=day)])
    r = api.post("/v1/statements", content=statement, headers=TREASURER)
    refused(r, "booking date")
    assert "entry 2" in r.json()["detail"]
    report = api.get("/v1/reconciliation/reports/2026-09-23", headers=AUDITOR).json()
    assert report["unmatched_lines"] == [] and report["matched"] == []


def test_integers_beyond_what_the_columns_hold_are_refused_not_500(api, acme):
    from tests.e2e.test_ap_api import VENDOR_ADMIN, chair_line

    po = new_po(api, acme)
    huge = api.post("/v1/purchase-orders", json={"number": "PO-HUGE", "vendor_id": acme, "lines": [
        chair_line(qty="999999999999", price="9999999999999")]}, headers=CLERK)
    assert (huge.status_code, huge.json()["code"]) == (422, "amount_too_large")
    line = {"line_no": 1, "po_id": po["id"], "po_line_no": 2**63, "quantity": "1", "unit_price": "1.00"}
    r = bill(api, acme, po["id"], number="INV-2-63", lines=[line])
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "lines.0.po_line_no"
    line.update(po_line_no=1, quantity="999999999999", unit_price="9999999999999")
    r = bill(api, acme, po["id"], number="INV-QXP", lines=[line], total=None)
    assert (r.status_code, r.json()["code"]) == (422, "amount_too_large")
    r = api.put(f"/v1/vendors/{acme}", json={"legal_name": "Acme", "expected_version": 2**63}, headers=VENDOR_ADMIN)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "expected_version"
    assert api.get(f"/v1/budgets?fiscal_year={2**63}", headers=AUDITOR).status_code == 422
    import base64
    forged = base64.urlsafe_b64encode(b'{"after": 99999999999999999999999}').decode().rstrip("=")
    r = api.get(f"/v1/invoices?cursor={forged}", headers=AUDITOR)
    assert (r.status_code, r.json()["code"]) == (422, "invalid_cursor")
    assert api.get("/v1/invoices", headers=AUDITOR).json()["items"] == []
