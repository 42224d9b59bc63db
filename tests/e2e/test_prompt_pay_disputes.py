"""A disputed invoice, over HTTP, priced by the act that binds the agency (issue 18). SQLite and PostgreSQL.

Acme's 10 chairs ($1,200.00) were received on Thursday 1 October 2026 and its invoice on Tuesday 6 October. An
approver records the dispute noticed to Acme (the invoice is held ``invoice_disputed``: no run pays it), later its
resolution; the payment run of Thursday 10 December pays it as ordinary ACH dated Friday 11 December with the
interest the act allows, and posts that interest.
"""

import datetime as dt

from tests.e2e.prompt_pay_world import APPROVER, AUDITOR, CLERK, FLORIDA, TEXAS, agency  # noqa: F401

NOV_12, DEC_10 = dt.datetime(2026, 11, 12, 15), dt.datetime(2026, 12, 10, 15)


def _disputed(city, clock, noticed_on: str, **po):  # noqa: ANN001, ANN202
    """The chairs invoice, approved, with a dispute noticed to Acme on ``noticed_on``."""
    acme = city.vendor()
    bill = city.invoice(acme, city.po(acme, **po))
    city.approve(bill["id"])
    r = city.api.post(f"/v1/invoices/{bill['id']}/disputes", headers=APPROVER,
                      json={"noticed_on": noticed_on, "reason": "billed 10 chairs; 2 arrived scratched"})
    assert r.status_code == 201, r.text
    return bill, r.json()


def _resolve(city, bill, dispute, **body):  # noqa: ANN001, ANN202
    r = city.api.post(f"/v1/invoices/{bill['id']}/disputes/{dispute['id']}:resolve", headers=APPROVER,
                      json={"resolved_on": "2026-11-12", **body})
    assert r.status_code == 200, r.text
    return r.json()


def _paid(city, clock):  # noqa: ANN001, ANN202
    clock.set(DEC_10)
    run = city.pay()
    ((item,),) = [p["remittance"] for p in run["payments"]]
    assert run["payments"][0]["effective_date"] == "2026-12-11"
    return item


def test_texas_a_dispute_noticed_in_time_holds_the_invoice_and_resolved_for_the_county_restarts_the_clock(
        agency, clock):
    city = agency(TEXAS)
    bill, dispute = _disputed(city, clock, "2026-10-20")
    # Gov't Code 2251.042(a): notice by the 21st day after receipt (Oct. 6): Oct. 27.
    assert (dispute["rule"], dispute["notice_deadline"], dispute["noticed_in_time"]) == (
        "texas@tx-2251", "2026-10-27", True)
    held = city.api.get(f"/v1/invoices/{bill['id']}", headers=AUDITOR).json()
    assert "invoice_disputed" in held["stands_in_the_way"]
    acme = {"Authorization": f"Bearer test:vendor:usr_acme:{bill['vendor_id']}"}
    told = city.api.get(f"/v1/portal/invoices/{bill['id']}", headers=acme).json()
    assert [h["message"] for h in told["holds"] if h["code"] == "invoice_disputed"] == [
        "On 2026-10-20 we told you we dispute this invoice: billed 10 chairs; 2 arrived scratched. We will pay it once "
        "the dispute is resolved."]
    clock.set(NOV_12)
    run = city.api.post("/v1/payment-runs", json={}, headers=CLERK).json()
    assert {"invoice_id": bill["id"], "reason": "held", "detail": "invoice_disputed"} in run["skipped"]
    # Only the resolution releases the dispute's hold, and saying for whom.
    hold = held["holds"][0]
    refused = city.api.post(f"/v1/invoices/{bill['id']}:release-hold", headers=APPROVER,
                            json={"hold_id": hold["id"], "reason": "paying anyway"})
    assert refused.status_code == 409 and refused.json()["code"] == "resolve_the_dispute"

    # Resolved for the county: 2251.042(c), the corrected invoice (received Nov. 12) is paid under 2251.021, due on
    # the 30th day after it: Dec. 12. Paid Dec. 11: on time, no interest (undisputed it would owe $9.17).
    missing = city.api.post(f"/v1/invoices/{bill['id']}/disputes/{dispute['id']}:resolve", headers=APPROVER,
                            json={"resolved_on": "2026-11-12", "resolved_for": "agency"})
    assert missing.status_code == 422 and missing.json()["code"] == "dispute_needs_corrected_invoice"
    resolved = _resolve(city, bill, dispute, resolved_for="agency", corrected_invoice_received_on="2026-11-12",
                        resolution="Acme re-billed 10 chairs after replacing the two")
    assert (resolved["status"], resolved["corrected_due_date"]) == ("resolved", "2026-12-12")
    item = _paid(city, clock)
    assert (item["interest_minor"], item["interest_rule"], item["paid_minor"]) == (0, "texas@tx-2251", 120_000)
    assert city.interest_posted() == []
    trail = city.api.get("/v1/audit", params={"object_id": bill["id"]}, headers=AUDITOR).json()["items"]
    assert {"invoice_dispute_opened", "invoice_dispute_resolved"} <= {e["action"] for e in trail}


def test_texas_resolved_for_the_vendor_or_noticed_too_late_owes_interest_from_the_original_due_date(agency, clock):
    city = agency(TEXAS)
    bill, dispute = _disputed(city, clock, "2026-10-20")
    clock.set(NOV_12)
    _resolve(city, bill, dispute, resolved_for="vendor")
    # 2251.042(b): from the original overdue date, Nov. 6 (due Nov. 5), as if no dispute: Nov. 6 - Dec. 11, 36 days
    # at FY2027's 6.75% + 1% = 7.75%: 36/365 x 7.75% x $1,200 = $9.1726 -> $9.17.
    item = _paid(city, clock)
    assert (item["interest_minor"], item["paid_minor"]) == (917, 120_917)
    (entry,) = city.interest_posted()
    assert sorted((p.account, p.amount_minor) for p in entry.draft.postings) == [("100-2010", 917), ("100-5900", 917)]


def test_texas_a_dispute_noticed_after_the_21st_day_does_not_move_the_clock(agency, clock):
    city = agency(TEXAS)
    bill, dispute = _disputed(city, clock, "2026-10-30")
    assert (dispute["notice_deadline"], dispute["noticed_in_time"]) == ("2026-10-27", False)
    clock.set(NOV_12)
    _resolve(city, bill, dispute, resolved_for="agency", corrected_invoice_received_on="2026-11-12")
    assert _paid(city, clock)["interest_minor"] == 917  # the act's own clock: $9.17, as undisputed


def test_florida_construction_resolved_for_the_county_accrues_from_15_days_after_its_decision(agency, clock):
    city = agency(FLORIDA)
    bill, dispute = _disputed(city, clock, "2026-10-20", category="construction")
    # F.S. 218.76(2) sets no notice deadline: any notice counts.
    assert (dispute["rule"], dispute["notice_deadline"], dispute["noticed_in_time"]) == (
        "florida_local@fs-218-2021.07/construction", None, True)
    clock.set(NOV_12)
    _resolve(city, bill, dispute, resolved_for="agency", resolution="county engineer's final decision")
    # Due Nov. 4 (20 business days, 218.735(1)); decided for the county Nov. 12: interest begins 15 days after, from
    # Nov. 28. Nov. 27 - Dec. 11 is 14 days at 2% a month, pro rata: 2% x 14/30 x $1,200 = $11.20 (not $29.60).
    item = _paid(city, clock)
    assert (item["interest_minor"], item["interest_rule"]) == (1120, "florida_local@fs-218-2021.07/construction")
    (entry,) = city.interest_posted()
    assert {p.amount_minor for p in entry.draft.postings} == {1120}


def test_florida_construction_resolved_for_the_contractor_accrues_from_the_original_due_date(agency, clock):
    city = agency(FLORIDA)
    bill, dispute = _disputed(city, clock, "2026-10-20", category="construction")
    clock.set(NOV_12)
    _resolve(city, bill, dispute, resolved_for="vendor")
    # As undisputed: Nov. 4 - Dec. 4 one month, then 7 days, at 2%: 2% x (1 + 7/30) x $1,200 = $29.60.
    assert _paid(city, clock)["interest_minor"] == 2960


def test_who_may_record_a_dispute_and_what_is_refused(agency, clock):
    city = agency(TEXAS)
    acme = city.vendor()
    bill = city.invoice(acme, city.po(acme))
    url = f"/v1/invoices/{bill['id']}/disputes"
    body = {"noticed_on": "2026-10-20", "reason": "wrong price"}
    assert city.api.post(url, headers=CLERK, json=body).status_code == 403
    future = city.api.post(url, headers=APPROVER, json={**body, "noticed_on": "2026-11-03"})
    assert future.status_code == 422 and future.json()["code"] == "date_in_future"
    early = city.api.post(url, headers=APPROVER, json={**body, "noticed_on": "2026-10-05"})
    assert early.status_code == 422 and early.json()["code"] == "notice_before_receipt"
    assert city.api.post(url, headers=APPROVER, json={**body, "extra": 1}).status_code == 422
    assert city.api.post(url, headers=APPROVER, json=body).status_code == 201
    again = city.api.post(url, headers=APPROVER, json=body)
    assert again.status_code == 409 and again.json()["code"] == "dispute_already_open"
    assert city.api.post("/v1/invoices/inv_nope/disputes", headers=APPROVER, json=body).status_code == 404
    listed = city.api.get(url, headers=AUDITOR).json()["items"]
    assert [(d["status"], d["reason"]) for d in listed] == [("open", "wrong price")]
