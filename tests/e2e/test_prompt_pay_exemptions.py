"""Payments an act does not cover, and purchases paid with federal money, over HTTP (issue 18). SQLite and PostgreSQL.

A vendor admin says what kind of payee a vendor is; an approver says an order is paid with federal or grant money
and when that money arrived. The story is the chairs': $1,200.00, received Thursday 1 October 2026, invoiced
Tuesday 6 October, paid by the run of Thursday 10 December as ACH dated Friday 11 December.
"""

import datetime as dt

from tests.e2e.prompt_pay_world import APPROVER, AUDITOR, CLERK, FLORIDA, TEXAS, VENDOR_ADMIN, agency  # noqa: F401

DEC_10 = dt.datetime(2026, 12, 10, 15)


def _interest(city, clock):  # noqa: ANN001, ANN202
    """Approve every matched invoice, run and pay on Dec. 10: {invoice number: (interest, rule)}."""
    clock.set(DEC_10)
    run = city.pay()
    return {i["invoice_number"]: (i["interest_minor"], i["interest_rule"]) for p in run["payments"]
            for i in p["remittance"]}


def _payee(city, vendor_id: str, kind: str | None) -> dict:  # noqa: ANN001
    r = city.api.put(f"/v1/vendors/{vendor_id}/prompt-pay", headers=VENDOR_ADMIN,
                     json={"payee_kind": kind, "expected_version": 0})
    assert r.status_code == 200, r.text
    return r.json()


def _funds(city, po_id: str, received: str | None, version: int = 0) -> dict:  # noqa: ANN001
    r = city.api.put(f"/v1/purchase-orders/{po_id}/prompt-pay", headers=APPROVER,
                     json={"federally_funded": True, "funds_received_on": received, "expected_version": version})
    assert r.status_code == 200, r.text
    return r.json()


def test_texas_pays_no_interest_to_a_state_agency_but_pays_a_county_like_any_vendor(agency, clock):
    city = agency(TEXAS)
    university = city.vendor("Texas State University Surplus", "74-1111111")
    county = city.vendor("Travis County", "74-2222222")
    assert _payee(city, university, "state_agency")["payee_kind"] == "state_agency"
    _payee(city, county, "government")
    for n, who in enumerate((university, county), start=1):
        bill = city.invoice(who, city.po(who, number=f"PO-2027-000{n}"), number=f"INV-{n}")
        city.approve(bill["id"])
    # Gov't Code 2251.001: a state agency is not a "vendor"; a county is a "person" that is. Nov. 6 - Dec. 11,
    # 36 days at 7.75%: $9.17 for the county.
    assert _interest(city, clock) == {"INV-1": (0, "texas@tx-2251"), "INV-2": (917, "texas@tx-2251")}
    (entry,) = city.interest_posted()
    assert {p.amount_minor for p in entry.draft.postings} == {917}


def test_texas_pays_no_interest_when_the_federal_money_came_after_the_due_date(agency, clock):
    city = agency(TEXAS)
    acme = city.vendor()
    late_money, early_money = city.po(acme), city.po(acme, number="PO-2027-0002", chairs=9)
    _funds(city, late_money, None)
    _funds(city, early_money, "2026-10-30")
    city.approve(city.invoice(acme, late_money, number="INV-1")["id"])
    city.approve(city.invoice(acme, early_money, number="INV-2", chairs=9)["id"])
    clock.set(dt.datetime(2026, 11, 20, 15))
    assert _funds(city, late_money, "2026-11-20", version=1)["version"] == 2
    # 2251.002(a)(3): the money for PO 1 arrived Nov. 20, after the Nov. 5 due date: the federal terms kept the county
    # from paying on time, no interest. PO 2's money (9 chairs, $1,080) came Oct. 30: late anyway, 36 days at 7.75%:
    # 36/365 x 7.75% x $1,080 = $8.2553 -> $8.26.
    assert _interest(city, clock) == {"INV-1": (0, "texas@tx-2251"), "INV-2": (826, "texas@tx-2251")}


def test_florida_reads_a_payment_to_another_government_as_outside_its_act(agency, clock):
    city = agency(FLORIDA)
    school_board = city.vendor("Leon County School Board", "59-1111111")
    _payee(city, school_board, "government")
    contractor = city.vendor("Acme Builders", "59-2222222")
    bills = [city.invoice(who, city.po(who, category="construction", number=f"PO-2027-000{n}"), number=f"INV-{n}")
             for n, who in enumerate((school_board, contractor), start=1)]
    # What each vendor's portal says on Dec. 10 of its invoice, matched and awaiting approval: the school board earns
    # nothing; the contractor, due Nov. 4, has earned one month and 6 days at 2%: 2% x (1 + 6/30) x $1,200 = $28.80.
    clock.set(DEC_10)
    seen = {}
    for who in (school_board, contractor):
        (mine,) = city.api.get("/v1/portal/invoices", headers={"Authorization": f"Bearer test:vendor:usr_v:{who}"}).json()[
            "items"]
        seen[mine["invoice_number"]] = (mine["prompt_pay"]["state"], mine["prompt_pay"]["accrued_interest_minor"])
    assert seen == {"INV-1": ("not_accruing", 0), "INV-2": ("accruing", 2880)}
    for bill in bills:
        city.approve(bill["id"])
    # Construction due Nov. 4; paid Dec. 11: $29.60 to the contractor, nothing to the school board (218.72, 1.01(3)).
    rule = "florida_local@fs-218-2021.07/construction"
    assert _interest(city, clock) == {"INV-1": (0, rule), "INV-2": (2960, rule)}


def test_florida_a_federally_funded_order_waits_for_the_money_and_the_approved_invoice_is_dated_when_it_comes(
        agency, clock):
    city = agency(FLORIDA)
    acme = city.vendor()
    po = city.po(acme, category="construction")
    _funds(city, po, None)  # 218.77: the contract says payment waits for the federal money
    bill = city.invoice(acme, po)
    assert (bill["prompt_pay"]["due_date"], bill["prompt_pay"]["rule"]) == (
        None, "florida_local@fs-218-2021.07/construction")
    city.approve(bill["id"])
    # The money arrives Monday Nov. 2: due 20 business days later (Veterans Day and Thanksgiving are not business
    # days): Dec. 2. Paid Dec. 11: 9 days at 2% a month, pro rata: 2% x 9/30 x $1,200 = $7.20.
    _funds(city, po, "2026-11-02", version=1)
    dated = city.api.get(f"/v1/invoices/{bill['id']}", headers=AUDITOR).json()
    assert (dated["status"], dated["prompt_pay"]["receipt_date"], dated["prompt_pay"]["due_date"]) == (
        "approved", "2026-11-02", "2026-12-02")
    assert _interest(city, clock) == {"INV-1001": (720, "florida_local@fs-218-2021.07/construction")}


def test_who_may_set_prompt_pay_terms_and_what_is_refused(agency, clock):
    city = agency(FLORIDA)
    acme = city.vendor()
    po = city.po(acme)
    assert city.api.put(f"/v1/vendors/{acme}/prompt-pay", headers=CLERK,
                        json={"payee_kind": "government", "expected_version": 0}).status_code == 403
    bad = city.api.put(f"/v1/vendors/{acme}/prompt-pay", headers=VENDOR_ADMIN,
                       json={"payee_kind": "church", "expected_version": 0})
    assert bad.status_code == 422 and bad.json()["code"] == "unknown_payee_kind"
    ohio = city.api.put(f"/v1/vendors/{acme}/prompt-pay", headers=VENDOR_ADMIN,
                        json={"rule_set": "ohio", "expected_version": 0})
    assert ohio.status_code == 422 and ohio.json()["code"] == "unknown_prompt_pay_rule_set"
    _payee(city, acme, "government")
    stale = city.api.put(f"/v1/vendors/{acme}/prompt-pay", headers=VENDOR_ADMIN,
                         json={"payee_kind": None, "expected_version": 0})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_state"
    assert city.api.get(f"/v1/vendors/{acme}/prompt-pay", headers=AUDITOR).json()["version"] == 1
    unfunded = city.api.put(f"/v1/purchase-orders/{po}/prompt-pay", headers=APPROVER,
                            json={"funds_received_on": "2026-10-30", "expected_version": 0})
    assert unfunded.status_code == 422 and unfunded.json()["code"] == "not_federally_funded"
    assert city.api.put(f"/v1/purchase-orders/{po}/prompt-pay", headers=CLERK,
                        json={"federally_funded": True, "expected_version": 0}).status_code == 403
    assert city.api.get("/v1/vendors/ven_nope/prompt-pay", headers=AUDITOR).status_code == 404
    trail = city.api.get("/v1/audit", params={"action": "vendor_prompt_pay_set"}, headers=AUDITOR).json()["items"]
    assert [(e["actor"], e["object_id"]) for e in trail] == [("usr_val", acme)]
    assert trail[0]["before_digest"] != trail[0]["after_digest"]
