"""The vendor portal says only what has happened (issue 11, defects 5 and 6), over HTTP, on SQLite and PostgreSQL.

Before the fix the portal said "paid" the moment the rail took the file — five weeks before the money moved for a
run dated ahead — a cancelled duplicate read "hold cleared: what we were waiting for arrived", and an ISO 20022
payment was shown with an ACH trace number we had made up and no bank would ever show.
"""

from __future__ import annotations

import datetime as dt

from payments.identity import Role

from tests.e2e.paying import acme, approved_invoice, pay  # noqa: F401
from tests.e2e.people import client, people, stack  # noqa: F401

RUN_DAY = dt.date(2026, 12, 14)
EFFECTIVE = "2026-12-15"


def seen(client, acme, invoice_id: str) -> dict:  # noqa: ANN001
    return client.get(f"/v1/portal/invoices/{invoice_id}", headers=acme["cast"]["acme"]).json()


def test_defect_5_scheduled_then_sent_then_paid_only_when_the_bank_shows_it(stack, client, clock, acme):
    invoice_id = approved_invoice(acme, "INV-1950")
    scheduled = pay(client, clock, acme, rail="sandbox", on=RUN_DAY, submit=False)
    view = seen(client, acme, invoice_id)
    assert (view["status"], view["status_text"]) == ("scheduled", f"scheduled for {EFFECTIVE}")
    cast = acme["cast"]
    client.post(f"/v1/payment-runs/{scheduled['run_id']}:release", headers=cast["tess"])
    assert client.post(f"/v1/payment-runs/{scheduled['run_id']}:submit", headers=cast["tess"]).json()["result"] == \
        "accepted"
    view = seen(client, acme, invoice_id)
    assert (view["status"], view["status_text"]) == ("sent", f"sent, expected {EFFECTIVE}")
    events = [e["event"] for e in view["timeline"]]
    assert "sent" in events and "paid" not in events
    assert f"expected in your account on {EFFECTIVE}" in next(e["message"] for e in view["timeline"]
                                                                 if e["event"] == "sent")
    # The bank's statement of the 15th shows the payment settled: now, and only now, it is paid.
    import main

    clock.set(dt.datetime(2026, 12, 15, 20, tzinfo=dt.timezone.utc))
    statement = main.wire_payments(stack).core.rails("sandbox").transport.bai2(dt.date(2026, 12, 15))
    imported = client.post("/v1/statements", headers=cast["tess"], content=statement.encode(),
                           params={"format": "bai2", "name": "statement-2026-12-15.bai2"})
    assert imported.status_code == 201, imported.text
    view = seen(client, acme, invoice_id)
    assert (view["status"], view["status_text"]) == ("paid", f"paid: settled {EFFECTIVE}")
    assert [e["event"] for e in view["timeline"]][-2:] == ["sent", "paid"]


def test_defect_5_paid_once_the_effective_date_has_passed_with_no_return_and_it_says_so(stack, client, clock, acme):
    invoice_id = approved_invoice(acme, "INV-1950")
    pay(client, clock, acme, on=RUN_DAY)
    assert seen(client, acme, invoice_id)["status"] == "sent"
    clock.set(dt.datetime(2026, 12, 16, 15, tzinfo=dt.timezone.utc))
    view = seen(client, acme, invoice_id)
    assert (view["status"], view["status_text"]) == (
        "paid", f"paid: {EFFECTIVE} has passed and your bank has returned nothing")
    listed = client.get("/v1/portal/invoices", params={"status": "paid"}, headers=acme["cast"]["acme"]).json()
    assert [i["id"] for i in listed["items"]] == [invoice_id]


def test_defect_5_a_cancelled_duplicate_says_duplicate_of_the_first_not_hold_cleared(stack, client, clock, acme):
    first = approved_invoice(acme, "INV-1950")
    again = client.post("/v1/portal/invoices", headers={**acme["cast"]["acme"], "Idempotency-Key": "dup-1"}, json={
        "invoice_number": "INV-1950", "invoice_date": "2026-11-15", "currency": "USD", "terms": "net 30",
        "lines": [{"line_no": 1, "po_number": "PO-2027-0001", "po_line_no": 1, "quantity": "10",
                   "unit_price": "195.00"}]})
    assert again.status_code == 201, again.text
    duplicate = again.json()["id"]
    assert "duplicate_suspected" in [h["code"] for h in seen(client, acme, duplicate)["holds"]]
    cancelled = client.post(f"/v1/invoices/{duplicate}:cancel", headers=acme["cast"]["cat"],
                            json={"reason": "entered twice through the portal"})
    assert cancelled.status_code == 200, cancelled.text
    view = seen(client, acme, duplicate)
    assert (view["status"], view["status_text"]) == ("cancelled", "cancelled: duplicate of your invoice INV-1950")
    messages = " ".join(e["message"] for e in view["timeline"])
    assert "what we were waiting for arrived" not in messages and "Cancelled: duplicate of your invoice" in messages
    assert seen(client, acme, first)["status"] == "approved"


def test_defect_6_an_iso20022_payment_is_shown_by_its_end_to_end_id_never_an_invented_trace(
        stack, client, clock, acme):
    invoice_id = approved_invoice(acme, "INV-1950")
    payment = pay(client, clock, acme, rail="iso20022", on=RUN_DAY)
    staff = client.get(f"/v1/payments/{payment['id']}", headers=acme["cast"]["aud"]).json()
    assert staff["trace_number"] is None
    assert staff["bank_reference"] == {"kind": "end_to_end_id", "value": payment["id"]}
    portal = client.get(f"/v1/portal/payments/{payment['id']}", headers=acme["cast"]["acme"]).json()
    assert (portal["trace_number"], portal["bank_reference"]["value"]) == (None, payment["id"])
    sent = next(e for e in seen(client, acme, invoice_id)["timeline"] if e["event"] == "sent")
    assert f"end-to-end reference {payment['id']}" in sent["message"] and "trace" not in sent["message"]


def test_defect_6_an_ach_payment_keeps_its_trace_number(stack, client, clock, acme):
    approved_invoice(acme, "INV-1950")
    payment = pay(client, clock, acme, on=RUN_DAY)
    staff = client.get(f"/v1/payments/{payment['id']}", headers=acme["cast"]["aud"]).json()
    assert staff["bank_reference"] == {"kind": "trace_number", "value": staff["trace_number"]}
    assert len(staff["trace_number"]) == 15


def test_defect_6_the_banks_own_reference_for_a_credit_transfer_is_shown_once_a_statement_books_it(
        stack, client, clock, acme, people):
    """Until the debtor bank books the transfer, the EndToEndId is all anyone has; the camt.053 that books it gives
    the bank's own reference (AcctSvcrRef), which is what the bank's people ask for: staff, the run and the vendor
    are shown it from then on, beside the EndToEndId."""
    from adapters.rails.sandbox_statements import Statement, StatementItem, camt053_xml

    approved_invoice(acme, "INV-1950")
    payment = pay(client, clock, acme, rail="iso20022", on=RUN_DAY)
    cast = acme["cast"]
    before = client.get(f"/v1/payments/{payment['id']}", headers=cast["aud"]).json()
    assert before["bank_own_reference"] is None and before["bank_reference"]["value"] == payment["id"]

    day = dt.date(2026, 12, 15)
    clock.set(dt.datetime(2026, 12, 15, 22, tzinfo=dt.timezone.utc))
    booked = Statement("000123456789", "USD", day, 10_000_000, (StatementItem(
        False, payment["amount_minor"], "495", "2026121500042731", payment["id"], "credit transfer", day),))
    imported = client.post("/v1/statements", headers=cast["tess"], params={"format": "camt.053", "name": "s.xml"},
                           content=camt053_xml(booked, created=clock.now(), message_id="STMT-1215"))
    assert imported.status_code == 201, imported.text
    staff = client.get(f"/v1/payments/{payment['id']}", headers=cast["aud"]).json()
    assert staff["status"] == "settled"
    assert (staff["bank_own_reference"]["value"], staff["bank_own_reference"]["booked_on"]) == (
        "2026121500042731", "2026-12-15")
    assert staff["bank_reference"] == {"kind": "end_to_end_id", "value": payment["id"]}  # still the EndToEndId
    [listed] = client.get("/v1/payments", params={"run_id": payment["run_id"]}, headers=cast["aud"]).json()["items"]
    [in_run] = client.get(f"/v1/payment-runs/{payment['run_id']}", headers=cast["aud"]).json()["payments"]
    assert listed["bank_own_reference"] == in_run["bank_own_reference"] == staff["bank_own_reference"]
    portal = client.get(f"/v1/portal/payments/{payment['id']}", headers=cast["acme"]).json()
    assert portal["bank_own_reference"] == staff["bank_own_reference"]

    # The pages say it too: the staff payment page and the vendor's own payment page, each after a web sign-in.
    from tests.e2e.people import client_for
    from tests.e2e.web import web_sign_in

    people.add("audra", Role.AUDITOR, password=PAGE_PASSWORD)
    people.add("acme-web", Role.VENDOR, vendor_id=acme["vendor"], password=PAGE_PASSWORD)
    for user, path in (("audra", f"/payments/{payment['id']}"), ("acme-web", f"/portal/payments/{payment['id']}")):
        with client_for(stack) as browser:
            assert web_sign_in(browser, user, PAGE_PASSWORD).status_code == 200
            page = browser.get(path)
            assert page.status_code == 200, (user, page.status_code)
            assert "own reference" in page.text and "2026121500042731" in page.text and "2026-12-15" in page.text


PAGE_PASSWORD = "correct horse battery staple"


def accepted(submission: str, payment_id: str, reference: str, message_id: str = "STS-1") -> bytes:
    """The bank's pain.002: our message accepted, settlement in process, with its own reference for the payment."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03"><CstmrPmtStsRpt>
<GrpHdr><MsgId>{message_id}</MsgId><CreDtTm>2026-12-14T16:00:00</CreDtTm></GrpHdr>
<OrgnlGrpInfAndSts><OrgnlMsgId>{submission}</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId>
</OrgnlGrpInfAndSts><OrgnlPmtInfAndSts><OrgnlPmtInfId>B1</OrgnlPmtInfId>
<TxInfAndSts><OrgnlEndToEndId>{payment_id}</OrgnlEndToEndId><TxSts>ACSP</TxSts>
<AcctSvcrRef>{reference}</AcctSvcrRef></TxInfAndSts>
</OrgnlPmtInfAndSts></CstmrPmtStsRpt></Document>""".encode()


def test_defect_6_a_status_reports_bank_reference_is_kept_and_shown_until_a_statement_books_the_payment(
        stack, client, clock, acme):
    """The bank's pain.002 accepts the transfer and gives its own reference (TxInfAndSts/AcctSvcrRef): the status
    poll keeps it and staff and the vendor see it beside the EndToEndId, before any statement; the statement line
    that books the payment has the last word."""
    import main

    approved_invoice(acme, "INV-1950")
    payment = pay(client, clock, acme, rail="iso20022", on=RUN_DAY)
    cast = acme["cast"]
    submission = client.get(f"/v1/payment-runs/{payment['run_id']}", headers=cast["aud"]).json()["submission_id"]
    status_dir = stack.settings.path("outbox_dir") / "iso20022" / "status"
    status_dir.mkdir(parents=True, exist_ok=True)
    (status_dir / "sts-1.xml").write_bytes(accepted(submission, payment["id"], "BK-20261214-000731"))
    main.wire_payments(stack).poll_status()
    staff = client.get(f"/v1/payments/{payment['id']}", headers=cast["aud"]).json()
    assert staff["status"] == "sent"  # an acceptance moves nothing: the statement settles
    assert staff["bank_own_reference"] == {"value": "BK-20261214-000731", "source": "status_report",
                                           "booked_on": None, "line_id": None}
    assert staff["bank_reference"] == {"kind": "end_to_end_id", "value": payment["id"]}
    portal = client.get(f"/v1/portal/payments/{payment['id']}", headers=cast["acme"]).json()
    assert portal["bank_own_reference"] == staff["bank_own_reference"]
    [mine] = client.get("/v1/portal/payments", headers=cast["acme"]).json()["items"]
    assert mine["bank_own_reference"] == staff["bank_own_reference"]
    main.wire_payments(stack).poll_status()  # the same report read again changes nothing
    with stack.uow(read_only=True) as uow:
        assert list(uow.bank_reference_log.learned([payment["id"]]).values())[0][0] == "BK-20261214-000731"

    # The same report uploaded by treasury (as a bank file) is read the same way; a corrected reference replaces it.
    uploaded = client.post("/v1/statements", headers=cast["tess"], params={"name": "sts-2.xml"},
                           content=accepted(submission, payment["id"], "BK-20261214-000732", "STS-2"))
    assert uploaded.status_code == 201, uploaded.text
    again = client.get(f"/v1/payments/{payment['id']}", headers=cast["aud"]).json()
    assert (again["status"], again["bank_own_reference"]["value"]) == ("sent", "BK-20261214-000732")
