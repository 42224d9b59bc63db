"""Hostile text (issue 12, items 13 and 14): digits from other scripts as money, control and bidirectional
characters in names and numbers, an e-mail that is a script tag, text longer than its column, an empty invoice
number, the currency that is no currency (XXX) and an account number of zeros. Each is a 422 naming the field;
nothing is stored. On PostgreSQL a NUL or an over-long value would otherwise reach the database and fail there."""

from __future__ import annotations

import pytest

from adapters.http.fields import find_forbidden
from tests.e2e.conftest import as_role
from tests.e2e.hostile_files import Entry, camt053
from tests.e2e.test_ap_api import AUDITOR, CLERK, TREASURER, VENDOR_ADMIN, acme, bill, chair_line, new_po  # noqa: F401

ARABIC_INDIC_100 = "\u0661\u0660\u0660.\u0660\u0660"  # "١٠٠.٠٠"
FULLWIDTH_100 = "\uff11\uff10\uff10"  # "１００"


def problem(response, status=422) -> dict:  # noqa: ANN001
    assert response.status_code == status, response.text
    return response.json()


def fields_of(body: dict) -> list[str]:
    return [e["field"] for e in body.get("errors", [])]


@pytest.mark.parametrize("digits", [ARABIC_INDIC_100, FULLWIDTH_100])
def test_money_and_quantities_are_ascii_digits_only(api, acme, digits):
    r = api.post("/v1/purchase-orders", json={"number": "PO-1", "vendor_id": acme,
                                              "lines": [chair_line(qty=digits)]}, headers=CLERK)
    assert fields_of(problem(r)) == ["lines.0.quantity"]
    r = api.post("/v1/purchase-orders", json={"number": "PO-1", "vendor_id": acme,
                                              "lines": [chair_line(price=digits)]}, headers=CLERK)
    assert fields_of(problem(r)) == ["lines.0.unit_price"]
    po = new_po(api, acme)
    assert fields_of(problem(bill(api, acme, po["id"], total=digits))) == ["total"]
    entry = {"effective_date": "2026-10-01", "code": "manual_adjustment",
             "postings": [{"account": "100-1010", "direction": "debit", "amount": digits, "currency": "USD"},
                          {"account": "100-3000", "direction": "credit", "amount": "100.00", "currency": "USD"}]}
    assert fields_of(problem(api.post("/v1/ledger/entries", json=entry, headers=TREASURER))) == [
        "postings.0.amount"]
    assert api.get("/v1/purchase-orders", headers=AUDITOR).json()["items"][0]["number"] == "PO-2027-0001"


@pytest.mark.parametrize("evil", ["Acme\x00Furniture", "Acme \u202eerutinruF", "Acme\u2066 Furniture",
                                  "Acme\x1b[31m", "Acme\x85"])
def test_names_and_numbers_refuse_control_and_bidi_characters(api, acme, evil):
    r = api.post("/v1/vendors", json={"legal_name": evil}, headers=VENDOR_ADMIN)
    assert problem(r)["code"] == "forbidden_character" and "legal_name" in r.json()["detail"]
    po = new_po(api, acme)
    r = bill(api, acme, po["id"], number=evil)
    assert problem(r)["code"] == "forbidden_character" and "invoice_number" in r.json()["detail"]
    bad = next(ch for ch in evil if find_forbidden(ch))
    r = api.put(f"/v1/vendors/{acme}/contact", json={"phone": "+1 555 010" + bad + "4477"}, headers=VENDOR_ADMIN)
    assert problem(r)["code"] == "forbidden_character"
    assert api.get("/v1/invoices", headers=AUDITOR).json()["items"] == []
    assert [v["legal_name"] for v in api.get("/v1/vendors", headers=AUDITOR).json()["items"]] == ["Acme Furniture"]


def test_one_line_fields_refuse_line_breaks_where_free_text_keeps_them(api, acme):
    r = api.post("/v1/vendors", json={"legal_name": "Acme\nFurniture"}, headers=VENDOR_ADMIN)
    assert fields_of(problem(r)) == ["legal_name"]
    po = new_po(api, acme)
    assert fields_of(problem(bill(api, acme, po["id"], number="INV\t1"))) == ["invoice_number"]
    ok = bill(api, acme, po["id"], number="INV-77", remit_to="Acme Furniture\n1 Main St\nRiverton")
    assert ok.status_code == 201, ok.text


def test_an_empty_invoice_number_xxx_and_an_oversized_address_are_refused(api, acme):
    po = new_po(api, acme)
    assert fields_of(problem(bill(api, acme, po["id"], number=""))) == ["invoice_number"]
    assert fields_of(problem(bill(api, acme, po["id"], number="   "))) == ["invoice_number"]
    assert fields_of(problem(bill(api, acme, po["id"], currency="XXX"))) == ["currency"]
    r = api.post("/v1/vendors", json={"legal_name": "Big Address Co",
                                      "addresses": [{"line1": "x" * (900 * 1024)}]}, headers=VENDOR_ADMIN)
    assert fields_of(problem(r)) == ["addresses.0.line1"]
    entry = {"effective_date": "2026-10-01", "code": "manual_adjustment",
             "postings": [{"account": "100-1010", "direction": "debit", "amount": "1.00", "currency": "XXX"},
                          {"account": "100-3000", "direction": "credit", "amount": "1.00", "currency": "XXX"}]}
    assert problem(api.post("/v1/ledger/entries", json=entry, headers=TREASURER))["code"] == "unknown_currency"
    assert api.get("/v1/invoices", headers=AUDITOR).json()["items"] == []


@pytest.mark.parametrize("email", ["<script>alert(1)</script>", "not an email", "a@b", "x@@example.gov"])
def test_a_contact_email_must_be_an_email_address(api, acme, email):
    r = api.put(f"/v1/vendors/{acme}/contact", json={"phone": "+1 555 010 4477", "email": email},
                headers=VENDOR_ADMIN)
    assert fields_of(problem(r)) == ["email"]


def test_an_account_number_of_zeros_is_no_account(api, acme):
    api.put(f"/v1/vendors/{acme}/contact", json={"phone": "+1 555 010 4477", "email": "ap@acme.example"},
            headers=VENDOR_ADMIN)
    r = api.post(f"/v1/vendors/{acme}/bank-account-changes",
                 json={"routing_number": "021000021", "account_number": "0000", "account_type": "checking"},
                 headers=VENDOR_ADMIN)
    assert problem(r)["code"] == "account_number_invalid"
    assert api.get(f"/v1/vendors/{acme}/bank-accounts", headers=VENDOR_ADMIN).json()["items"] == []


def test_a_5_mib_camt_message_id_is_refused_naming_the_element(api):
    statement = camt053([Entry("15.00")], msg_id="M" * (5 * 2**20))
    r = api.post("/v1/statements", content=statement, headers=TREASURER)
    body = problem(r)
    assert "MsgId" in body["detail"] and body["code"].startswith("malformed_"), body
    assert api.get("/v1/reconciliation/reports/2026-09-23", headers=as_role("auditor")).json()[
        "unmatched_lines"] == []
