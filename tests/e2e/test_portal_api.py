"""The vendor portal over HTTP, as the City of Riverton's vendors see it (SQLite and PostgreSQL).

The story is ``disburse demo``'s: Acme Furniture's desk invoice A-2002 is held for its price, released by an
approver, approved, paid in the 10 November run through the sandbox bank, and returned R03 (no such account) by
Acme's bank; Summit Office Supply's S-1001 is paid a week late, with prompt-pay interest. Then Acme and Summit look.
"""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from adapters.clock import FixedClock
from payments.identity import Principal
from payments.people.users_service import CLI_OPERATOR
from tests.conftest import make_settings
from tests.e2e.people import FAST_HASHER

AUDITOR = "auditor"


def _build(db_url, tmp_path, start: dt.datetime):  # noqa: ANN001, ANN202
    import main

    c = main.build(make_settings(db_url, tmp_path), clock=FixedClock(start), migrate=True, password_hasher=FAST_HASHER)
    main.initialize(c, example=True)
    return c


def _token(c, username: str) -> dict:  # noqa: ANN001
    with c.uow(read_only=True) as uow:
        user_id = uow.users.by_username(username).user_id
    return {"Authorization": f"Bearer {c.users.issue_token(CLI_OPERATOR, user_id).secret}"}


@pytest.fixture
def riverton(db_url, tmp_path):  # noqa: ANN001, ANN201
    """The example agency after the demo's story, and a client on its API."""
    import main
    from payments.example.demo import run_demo

    c = _build(db_url, tmp_path, dt.datetime(2026, 10, 1, 13, tzinfo=dt.timezone.utc))
    result = run_demo(main.demo_services(c), say=lambda _line: None)
    with TestClient(main.create_app(c), base_url="https://testserver") as client:
        yield c, client, result.facts
    c.engine.dispose()


def _by_number(client, headers: dict, number: str) -> dict:  # noqa: ANN001
    items = client.get("/v1/portal/invoices", headers=headers).json()["items"]
    (found,) = [i for i in items if i["invoice_number"] == number]
    return client.get(f"/v1/portal/invoices/{found['id']}", headers=headers).json()


def test_acme_follows_its_desk_invoice_from_a_price_hold_to_a_returned_payment(riverton):
    c, client, facts = riverton
    acme = _token(c, "acme-furniture-co")
    a2002 = _by_number(client, acme, "A-2002")

    assert a2002["status"] == "returned"
    assert [e["event"] for e in a2002["timeline"]] == [
        "received", "held", "hold_released", "matched", "approved", "scheduled", "sent", "paid", "returned"]
    events = {e["event"]: e for e in a2002["timeline"]}
    # Held: the price in the vendor's words, with the purchase order as Acme knows it, never our tolerance.
    assert "470.00 USD" in events["held"]["message"] and "450.00 USD" in events["held"]["message"]
    assert "PO-2027-0001 line 2" in events["held"]["message"] and events["held"]["holds"] == ["price"]
    assert "accept" not in events["held"]["message"]
    # Released by a person: said so, but not who, nor the internal reason.
    released = events["hold_released"]["message"]
    assert "our accounts payable staff" in released
    assert "avery" not in a2002.__repr__().lower() and "quote on file" not in a2002.__repr__()
    # Scheduled with the expected pay date, sent with the trace number, paid when the statement showed it settled,
    # returned with the reason in plain words.
    payment = client.get(f"/v1/portal/payments/{facts['returned']}", headers=acme).json()
    assert events["scheduled"]["payment_id"] == facts["returned"]
    assert events["scheduled"]["expected_pay_date"] == payment["expected_pay_date"] == "2026-11-12"
    assert events["paid"]["trace_number"] == payment["trace_number"] and len(payment["trace_number"]) == 15
    assert events["paid"]["end_to_end_id"] == facts["returned"]
    assert events["paid"]["settled_on"] == facts["settled_on"]
    assert (events["returned"]["reason_code"], events["returned"]["on"]) == ("R03", facts["returned_on"])
    assert "could not find the account" in events["returned"]["message"]
    # What stands in the way now: the return, and no verified account (Acme's was blocked after the R03).
    assert [h["code"] for h in a2002["holds"]] == ["payment_returned", "bank_account_unverified"]
    assert a2002["prompt_pay"]["state"] == "on_hold"

    # The payment's remittance: which invoice, how much, the account masked to its last four.
    assert payment["status"] == "returned" and payment["account"] == "****9921"
    assert payment["returned"]["reason_code"] == "R03"
    assert [(r["invoice_number"], r["amount"], r["discount"], r["interest"], r["paid"])
            for r in payment["remittance"]] == [("A-2002", "470.00", "0.00", "0.00", "470.00")]
    assert "4400019921" not in payment.__repr__()  # the full number never


def test_summit_sees_the_interest_it_was_paid_for_a_week_late(riverton):
    """S-1001 (3,905.00) was due 5 November and paid effective 12 November: 7 days at 4.5 % a year,
    3,905.00 x 0.045 / 360 x 7 = 3.417 -> 3.42, carried in the payment's remittance."""
    c, client, _facts = riverton
    summit = _token(c, "summit-office-supply")
    s1001 = _by_number(client, summit, "S-1001")
    assert s1001["status"] == "paid"
    assert [e["event"] for e in s1001["timeline"]] == ["received", "matched", "approved", "scheduled", "sent", "paid"]
    pp = s1001["prompt_pay"]
    assert (pp["state"], pp["due_date"], pp["days_late"], pp["accrued_interest"]) == ("paid", "2026-11-05", 7, "3.42")
    (payment,) = [p for p in client.get("/v1/portal/payments", headers=summit).json()["items"] if p["kind"] == "live"]
    assert payment["remittance"][0]["interest"] == "3.42" and payment["totals"]["paid"] == "3908.42"


def test_interest_accrues_day_by_day_on_an_approved_invoice_nobody_has_paid(riverton):
    """S-1002 (2,000.00), due 5 November, approved and unpaid. On 21 December it is 46 days late: one whole 30-day
    period and 16 days at the 4.5 % in effect on 6 November (5 CFR 1315.10):
    200,000 x ((1 + 0.045/12) x (1 + 0.045/360 x 16) - 1) = 200,000 x 0.0057575 = 1,151.5 -> 11.52."""
    import main

    from payments.example.demo import APPROVER, APPROVER2

    c, client, _facts = riverton
    summit = _token(c, "summit-office-supply")
    s1002 = _by_number(client, summit, "S-1002")
    ap = main.ap_services(c)
    for hold in [h for h in ap.invoices.view(s1002["id"]).holds if h.status == "open"]:
        ap.approvals.release_hold(APPROVER, s1002["id"], hold.id, "blanket order raised by change order CO-22")
    ap.approvals.approve(APPROVER2, s1002["id"])
    c.clock.set(dt.datetime(2026, 12, 21, 12, tzinfo=dt.timezone.utc))

    pp = client.get(f"/v1/portal/invoices/{s1002['id']}", headers=summit).json()["prompt_pay"]
    assert (pp["state"], pp["due_date"], pp["as_of"], pp["days_late"]) == ("accruing", "2026-11-05", "2026-12-21", 46)
    assert (pp["annual_rate_pct"], pp["accrued_interest"], pp["payable_interest"]) == ("4.5", "11.52", "11.52")
    c.clock.set(dt.datetime(2026, 12, 22, 12, tzinfo=dt.timezone.utc))  # a day later it has grown
    later = client.get(f"/v1/portal/invoices/{s1002['id']}", headers=summit).json()["prompt_pay"]
    assert later["accrued_interest_minor"] > pp["accrued_interest_minor"]


def test_a_vendor_sees_only_its_own_invoices_and_payments(riverton):
    c, client, facts = riverton
    acme, summit = _token(c, "acme-furniture-co"), _token(c, "summit-office-supply")
    mine = client.get("/v1/portal/invoices", headers=acme).json()["items"]
    theirs = client.get("/v1/portal/invoices", headers=summit).json()["items"]
    assert {i["id"] for i in mine}.isdisjoint({i["id"] for i in theirs})
    assert all(i["invoice_number"].upper().startswith("A") for i in mine)
    assert client.get(f"/v1/portal/payments/{facts['returned']}", headers=summit).status_code == 404
    # Summit billed a line of Acme's purchase order (S-1005): told so, without Acme's order being named.
    s1005 = _by_number(client, summit, "S-1005")
    assert [h["code"] for h in s1005["holds"]] == ["vendor_mismatch"]
    assert "PO-2027-0001" not in s1005.__repr__() and "Acme" not in s1005.__repr__()
    assert all(line["po_number"] is None for line in s1005["lines"])


def test_pages_follow_the_cursor_through_every_invoice_once(riverton):
    c, client, _facts = riverton
    acme = _token(c, "acme-furniture-co")
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = client.get("/v1/portal/invoices", headers=acme, params=params).json()
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    everything = client.get("/v1/portal/invoices", headers=acme).json()["items"]
    assert seen == [i["id"] for i in everything] and len(seen) == 5


# -- submitting an invoice -----------------------------------------------------------------------------------

@pytest.fixture
def agency(db_url, tmp_path):  # noqa: ANN001, ANN201
    import main

    c = _build(db_url, tmp_path, dt.datetime(2026, 10, 28, 15, tzinfo=dt.timezone.utc))
    with TestClient(main.create_app(c), base_url="https://testserver") as client:
        yield c, client
    c.engine.dispose()


DESKS = {"invoice_number": "A-3001", "invoice_date": "2026-10-27", "terms": "net 30", "total": "900.00",
         "remit_to": "Acme Furniture Co., PO Box 1", "defect_contact": "Pat Lee, 555-0100",
         "lines": [{"line_no": 1, "po_number": "PO-2027-0001", "po_line_no": 2, "quantity": "2",
                    "unit_price": "450.00", "description": "standing desk", "unit_of_measure": "each"}]}


def _acme_invoices(c) -> list:  # noqa: ANN001
    with c.uow(read_only=True) as uow:
        vendor_id = uow.users.by_username("acme-furniture-co").vendor_id
        return uow.invoices.list(after=None, limit=100, vendor_id=vendor_id)


def test_acme_submits_an_invoice_that_is_received_today_and_matched_like_any_other(agency):
    """Two desks were received on 15 September; A-2002 billed one of them (held for its price, so not counted):
    A-3001 for both at the PO's price matches clean, and is ready for approval like a clerk's entry."""
    c, client = agency
    acme = _token(c, "acme-furniture-co")
    before = len(_acme_invoices(c))
    r = client.post("/v1/portal/invoices", headers={**acme, "Idempotency-Key": "acme-a3001"}, json=DESKS)
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["status"], body["received_on"], body["total"]) == ("matched", "2026-10-28", "900.00")
    assert [e["event"] for e in body["timeline"]] == ["received", "matched"]
    assert body["lines"][0]["po_number"] == "PO-2027-0001"

    # The same request again (a retry): the first answer, nothing entered twice.
    again = client.post("/v1/portal/invoices", headers={**acme, "Idempotency-Key": "acme-a3001"}, json=DESKS)
    assert again.status_code == 201 and again.json()["id"] == body["id"]
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert len(_acme_invoices(c)) == before + 1
    changed = {**DESKS, "total": "901.00"}
    assert client.post("/v1/portal/invoices", headers={**acme, "Idempotency-Key": "acme-a3001"},
                       json=changed).status_code == 409

    # Staff see it as Acme's, entered by Acme's portal user, and the audit trail says so.
    staff = _token(c, "clerk")
    seen = client.get(f"/v1/invoices/{body['id']}", headers=staff).json()
    with c.uow(read_only=True) as uow:
        acme_user = uow.users.by_username("acme-furniture-co")
    assert (seen["vendor_id"], seen["entered"]["by"]) == (acme_user.vendor_id, acme_user.user_id)
    events = client.get("/v1/audit", params={"action": "invoice_submitted"}, headers=_token(c, AUDITOR)).json()
    assert [(e["actor"], e["object_id"]) for e in events["items"]] == [(acme_user.user_id, body["id"])]


def test_a_submission_goes_through_matching_and_its_holds_are_explained(agency):
    c, client = agency
    acme = _token(c, "acme-furniture-co")
    dear = {**DESKS, "invoice_number": "A-3002", "total": "980.00",
            "lines": [{**DESKS["lines"][0], "unit_price": "490.00"}]}
    body = client.post("/v1/portal/invoices", headers=acme, json=dear).json()
    holds = {h["code"]: h["message"] for h in body["holds"]}
    assert body["status"] == "held" and sorted(holds) == ["amount_ordered", "price"]
    assert "490.00 USD" in holds["price"] and "450.00 USD" in holds["price"]
    assert "900.00 USD" in holds["amount_ordered"] and "980.00 USD" in holds["amount_ordered"]
    # Matching's own sentence for staff names the most we would accept; the vendor's never does.
    staff = client.get(f"/v1/invoices/{body['id']}/holds", headers=_token(c, "clerk")).json()["items"]
    assert any("accept" in h["explanation"] for h in staff)
    assert not any("accept" in m for m in holds.values())


def test_another_vendors_purchase_order_is_refused_exactly_like_one_that_does_not_exist(agency):
    c, client = agency
    acme = _token(c, "acme-furniture-co")
    answers = []
    for po_number in ("PO-2027-0003", "PO-2027-9999"):  # Summit's paper order; nobody's
        body = {**DESKS, "invoice_number": f"A-{po_number[-4:]}",
                "lines": [{**DESKS["lines"][0], "po_number": po_number}]}
        r = client.post("/v1/portal/invoices", headers=acme, json=body)
        answers.append((r.status_code, r.json()["code"], r.json()["detail"].replace(po_number, "PO")))
    assert answers[0] == answers[1] == (422, "unknown_purchase_order",
                                        "line 1: 'PO' is not a purchase order we issued to you")


@pytest.mark.parametrize("field, value", [
    ("vendor_id", "ven_01HBQ1AAAAAAAAAAAAAAAAAAAA"), ("status", "approved"), ("approved_by", "usr_me"),
    ("bank_verified", True), ("received_on", "2026-09-01"), ("file_digest", "0" * 64), ("id", "inv_01X"),
    ("entered_by", "usr_clerk"), ("is_admin", True)])
def test_a_submission_that_smuggles_a_field_is_refused_and_enters_nothing(agency, field, value):
    c, client = agency
    acme = _token(c, "acme-furniture-co")
    before = len(_acme_invoices(c))
    r = client.post("/v1/portal/invoices", headers=acme, json={**DESKS, field: value})
    assert (r.status_code, r.json()["code"]) == (422, "invalid_request") and field in r.json()["detail"]
    line = {**DESKS, "lines": [{**DESKS["lines"][0], field: value}]}
    assert client.post("/v1/portal/invoices", headers=acme, json=line).status_code == 422
    assert len(_acme_invoices(c)) == before


def test_staff_cannot_submit_through_the_portal_and_a_vendor_cannot_use_the_staff_route(agency):
    c, client = agency
    assert client.post("/v1/portal/invoices", headers=_token(c, "clerk"), json=DESKS).status_code == 403
    staff_body = {**DESKS, "vendor_id": "ven_01HBQ1AAAAAAAAAAAAAAAAAAAA"}
    staff_body["lines"] = [{k: v for k, v in DESKS["lines"][0].items() if k != "po_number"}]
    assert client.post("/v1/invoices", headers=_token(c, "acme-furniture-co"), json=staff_body).status_code == 403
    # And in the service itself: a vendor principal may not submit for another vendor.
    import main

    from payments.errors import Forbidden
    from payments.ap.invoice_service import NewInvoice

    with pytest.raises(Forbidden):
        main.ap_services(c).invoices.submit_by_vendor(
            Principal.vendor_user("usr_x", "ven_01HBQ1AAAAAAAAAAAAAAAAAAAA"),
            NewInvoice("ven_01HBQ1BBBBBBBBBBBBBBBBBBBB", "X-1", dt.date(2026, 10, 1), "USD", ()))
