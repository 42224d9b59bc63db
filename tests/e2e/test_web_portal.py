"""The vendor portal's pages over HTTP, after the demo's story: a vendor sees its invoice paid with the trace
number and EndToEndId, its payment's remittance (page and PDF), in English and Spanish, and the proof that the
payment is in the signed journal, which it checks offline with the JavaScript verifier; another vendor's invoice,
payment or proof is the same 404 page as a missing one; a bank-account change is asked for by form and nothing
of the number comes back."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import pytest
from fastapi.testclient import TestClient

from adapters.clock import FixedClock
from tests.conftest import make_settings
from tests.e2e.people import FAST_HASHER
from tests.e2e.statements import statements
from tests.e2e.web import csrf_of, web_sign_in


@pytest.fixture(scope="module")
def after_demo(tmp_path_factory):  # noqa: ANN001, ANN201
    """The example agency after ``disburse demo``'s story: invoices paid, a payment returned."""
    import main
    from payments.example.demo import run_demo

    where = tmp_path_factory.mktemp("portal-web")
    c = main.build(make_settings(f"sqlite:///{where / 'disburse.db'}", where), migrate=True,
                   clock=FixedClock(dt.datetime(2026, 10, 1, 13, tzinfo=dt.timezone.utc)), password_hasher=FAST_HASHER)
    main.initialize(c, example=True)
    run_demo(main.demo_services(c), say=lambda _line: None)
    passwords = {username: password for username, _name, password in c.example_sign_ins}

    def client(username: str) -> TestClient:
        browser = TestClient(main.create_app(c), base_url="https://testserver", follow_redirects=False)
        web_sign_in(browser, username, passwords[username])
        return browser

    client.container = c  # type: ignore[attr-defined]  # for the nightly checkpoint
    yield client
    c.engine.dispose()


def _invoice_id(client, number: str) -> str:  # noqa: ANN001
    return next(i["id"] for i in client.get("/v1/portal/invoices?limit=100").json()["items"]
                if i["invoice_number"] == number)


def test_a_vendor_sees_its_invoice_paid_with_the_trace_number_and_downloads_the_remittance(after_demo):
    summit = after_demo("summit-office-supply")
    invoice_id = _invoice_id(summit, "S-1001")
    api = summit.get(f"/v1/portal/invoices/{invoice_id}").json()
    paid = next(e for e in api["timeline"] if e["event"] == "paid")
    page = summit.get(f"/portal/invoices/{invoice_id}").text
    assert '<span class="badge badge--paid">Paid</span>' in page
    assert f"trace number {paid['trace_number']}" in page and f"EndToEndId {paid['end_to_end_id']}" in page
    assert "Paid with this interest." in page
    listed = summit.get("/portal/invoices").text
    assert f'href="/portal/invoices/{invoice_id}">S-1001</a>' in listed

    payment = summit.get(f"/portal/payments/{paid['payment_id']}").text
    assert "Remittance advice" in payment and paid["trace_number"] in payment and "S-1001" in payment
    pdf = summit.get(f"/portal/payments/{paid['payment_id']}/remittance.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-") and b"attachment" in pdf.headers["content-disposition"].encode()
    from fpdf import FPDF  # noqa: F401 - the library that wrote it is pure Python, installed by pip alone
    text = _pdf_text(pdf.content)
    assert paid["trace_number"] in text and "S-1001" in text and "Remittance advice" in text


def _pdf_text(content: bytes) -> str:
    """The text drawn in an fpdf2 PDF (its content streams are zlib-compressed)."""
    import zlib

    out = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", content, re.S):
        try:
            out.append(zlib.decompress(stream).decode("latin-1"))
        except zlib.error:
            continue
    return "".join(re.findall(r"\((.*?)\) ?Tj", "".join(out)))


def test_the_portal_speaks_spanish_with_the_same_facts(after_demo):
    summit = after_demo("summit-office-supply")
    summit.get("/language/es?next=/")
    invoice_id = _invoice_id(summit, "S-1001")
    page = summit.get(f"/portal/invoices/{invoice_id}").text
    assert '<html lang="es">' in page and "Pagada" in page and "número de rastreo" in page
    assert "We received invoice" not in page  # the service's English sentences are left out in Spanish
    payment_id = re.search(r'href="/portal/payments/(pay_\w+)"', page).group(1)
    assert "Aviso de remesa" in summit.get(f"/portal/payments/{payment_id}").text
    assert "Aviso de remesa" in _pdf_text(summit.get(f"/portal/payments/{payment_id}/remittance.pdf").content)


def test_another_vendors_invoice_or_payment_is_the_same_not_found_as_a_missing_one(after_demo):
    summit = after_demo("summit-office-supply")
    theirs = _invoice_id(summit, "S-1001")
    their_payment = summit.get("/v1/portal/payments").json()["items"][0]["id"]
    acme = after_demo("acme-furniture-co")
    answers = [acme.get(f"/portal/invoices/{theirs}"), acme.get("/portal/invoices/inv_01ZZZZZZZZZZZZZZZZZZZZZZZZ"),
               acme.get(f"/portal/payments/{their_payment}"), acme.get("/portal/payments/pay_nothing"),
               acme.get(f"/portal/payments/{their_payment}/remittance.pdf")]
    assert {a.status_code for a in answers} == {404}
    bodies = [re.sub(r'value="[^"]*"|next=[^"]*', "", a.text) for a in answers]
    # Word for word the same page (but for the address the language switch returns to), invoice for invoice and
    # payment for payment (the menu marks the section the address is in).
    assert bodies[0] == bodies[1] and bodies[2] == bodies[3] == bodies[4]
    assert "S-1001" not in answers[0].text
    assert after_demo("clerk").get("/portal/invoices").status_code == 403  # staff use the staff pages


def test_a_vendor_asks_for_a_bank_account_change_by_form(after_demo):
    acme = after_demo("acme-furniture-co")
    bad = acme.post("/portal/bank-account", data={"csrf_token": csrf_of(acme), "routing_number": "12",
                                                  "account_number": "98765432101", "account_type": "checking"})
    assert bad.status_code == 422 and 'href="#routing_number"' in bad.text and "98765432101" not in bad.text
    done = acme.post("/portal/bank-account", data={"csrf_token": csrf_of(acme), "routing_number": "091000019",
                                                   "account_number": "98765432101", "account_type": "checking"})
    assert done.status_code == 303 and done.headers["location"] == "/portal/bank-account?requested=1"
    page = acme.get(done.headers["location"]).text
    assert "we call you back on the phone number we have on file" in page and "Account ending 2101" in page
    assert "98765432101" not in page
    changes = acme.get("/v1/portal/bank-account-changes").json()["items"]
    assert any(c["account_mask"].endswith("2101") and c["status"] == "requested" for c in changes)


def _paid_payment(client, number: str) -> str:  # noqa: ANN001
    invoice = client.get(f"/v1/portal/invoices/{_invoice_id(client, number)}").json()
    return next(e for e in invoice["timeline"] if e["event"] == "paid")["payment_id"]


def test_a_vendor_downloads_the_proof_of_its_payment_and_checks_it_offline(after_demo, tmp_path):
    from ledger.keys import import_keys
    from ledger.proofs import check_inclusion
    from tests.unit.ledger.test_js_verifier import run_js

    summit = after_demo("summit-office-supply")
    payment_id = _paid_payment(summit, "S-1001")
    assert f'href="/portal/payments/{payment_id}/proof"' in summit.get(f"/portal/payments/{payment_id}").text
    # Paid today, signed tonight: until a checkpoint covers the entry the page says so and there is no file.
    before = summit.get(f"/portal/payments/{payment_id}/proof")
    assert before.status_code == 200 and "we have not signed the journal since it was added" in before.text
    assert "proof.json" not in before.text and "What it does not prove" in before.text
    early = summit.get(f"/portal/payments/{payment_id}/proof.json")
    assert early.status_code == 303 and early.headers["location"] == f"/portal/payments/{payment_id}/proof"

    after_demo.container.ledger.checkpoint()  # the nightly job
    page = summit.get(f"/portal/payments/{payment_id}/proof").text
    assert f'href="/portal/payments/{payment_id}/proof.json"' in page
    assert f"node verify.js --proof proof-{payment_id}.json --public-key PUBLISHED_KEY" in page
    assert "That the money reached your bank account" in page  # what it does not prove, in plain words
    download = summit.get(f"/portal/payments/{payment_id}/proof.json")
    assert download.status_code == 200 and f'filename="proof-{payment_id}.json"' in download.headers[
        "content-disposition"]
    bundle = json.loads(download.content)
    assert bundle["entry"]["code"] == "payment_sent" and bundle["entry"]["references"]["payment_id"] == payment_id

    # The vendor trusts only the keys the City publishes; the page shows the signing key's fingerprint to compare.
    published = [k.public_key.hex() for k in import_keys(after_demo.container.ledger.export_public_keys()).values()]
    assert bundle["public_key"] in published and "Key fingerprint" in page
    (tmp_path / f"proof-{payment_id}.json").write_bytes(download.content)
    code, out, err = run_js("--proof", f"proof-{payment_id}.json", "--public-key", bundle["public_key"], "--json",
                            cwd=tmp_path)
    assert code == 0 and json.loads(out)["ok"], err
    assert check_inclusion(bundle, [bytes.fromhex(k) for k in published]).ok

    spanish = after_demo("summit-office-supply")
    spanish.get("/language/es?next=/")
    page = spanish.get(f"/portal/payments/{payment_id}/proof").text
    assert "Compruebe este pago usted mismo" in page and "--public-key CLAVE_PUBLICADA" in page
    assert "Qué no prueba" in page and "How to check it" not in page


def test_another_vendors_proof_is_the_same_not_found_as_a_missing_payment(after_demo):
    summit = after_demo("summit-office-supply")
    theirs = _paid_payment(summit, "S-1001")
    acme = after_demo("acme-furniture-co")
    answers = [acme.get(f"/portal/payments/{theirs}/proof"), acme.get("/portal/payments/pay_nothing/proof"),
               acme.get(f"/portal/payments/{theirs}/proof.json"), acme.get("/portal/payments/pay_nothing/proof.json")]
    assert [a.status_code for a in answers] == [404] * 4
    bodies = {re.sub(r'value="[^"]*"|next=[^"]*', "", a.text) for a in answers}
    assert len(bodies) == 1 and theirs not in bodies.pop()


def test_a_longer_page_sends_no_more_statements(after_demo, monkeypatch):
    """A page reads each kind of fact (holds, match steps, payments, their facts, prompt-pay terms...) for all its
    rows at once: Summit's four invoices on one page cost what one does (read one by one, 25 cost 342)."""
    from adapters.http.web import portal_pages

    after_demo.container.clock.advance(minutes=1)  # a new minute of sign-ins from 127.0.0.1 (the clock stands still)
    summit = after_demo("summit-office-supply")
    for path, link, sizes in (("/portal/invoices", "/portal/invoices/inv_", (1, 2, 4)),
                              ("/portal/payments", "/portal/payments/pay_", (1, 2))):
        sent_for = {}
        for size in sizes:
            monkeypatch.setattr(portal_pages, "PAGE_SIZE", size)
            with statements(after_demo.container.engine) as sent:
                page = summit.get(path)
            assert page.status_code == 200 and page.text.count(f'href="{link}') == size
            sent_for[size] = len(sent)
        assert len(set(sent_for.values())) == 1, (path, sent_for)
