"""A vendor downloads, from the portal, the proof that its payment is in the City's signed journal, and checks
it with the JavaScript verifier and with `disburse ledger verify --proof`, trusting only the City's published
keys. Before a checkpoint covers the payment the portal says so; another vendor's payment is not found."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from fastapi.testclient import TestClient

from ledger.keys import import_keys
from ledger.proofs import check_inclusion
from tests.e2e.test_portal_api import _build, _token
from tests.unit.ledger.test_js_verifier import run_js


@pytest.fixture
def riverton(db_url, tmp_path):  # noqa: ANN001, ANN201
    import main
    from payments.example.demo import run_demo

    c = _build(db_url, tmp_path, dt.datetime(2026, 10, 1, 13, tzinfo=dt.timezone.utc))
    result = run_demo(main.demo_services(c), say=lambda _line: None)
    with TestClient(main.create_app(c), base_url="https://testserver") as client:
        yield c, client, result.facts
    c.engine.dispose()


def test_acme_downloads_the_proof_of_its_payment_and_checks_it_without_us(riverton, tmp_path):
    c, client, facts = riverton
    acme, summit = _token(c, "acme-furniture-co"), _token(c, "summit-office-supply")
    url = f"/v1/portal/payments/{facts['returned']}/proof"
    before = client.get(url, headers=acme).json()
    assert before["available"] is False and "checkpoint" in before["why"] and before["bundle"] is None

    c.ledger.checkpoint()  # the nightly job
    answer = client.get(url, headers=acme).json()
    assert answer["available"] is True and "node verify.js --proof" in answer["how_to_check"]
    download = client.get(url, params={"download": "true"}, headers=acme)
    assert download.status_code == 200 and "attachment" in download.headers["content-disposition"]
    bundle = tmp_path / "proof.json"
    bundle.write_bytes(download.content)
    doc = json.loads(download.content)
    assert doc["entry"]["code"] == "payment_sent" and doc["entry"]["references"]["payment_id"] == facts["returned"]

    # What the City publishes, and the only thing the vendor trusts.
    published = [k.public_key.hex() for k in import_keys(c.ledger.export_public_keys()).values()]
    keys = [a for k in published for a in ("--public-key", k)]
    code, out, err = run_js("--proof", bundle, *keys, "--json", cwd=tmp_path)
    assert code == 0, err
    assert json.loads(out)["ok"] and check_inclusion(doc, [bytes.fromhex(k) for k in published]).ok

    doc["entry"]["postings"][0]["amount_minor"] += 1  # an amount the vendor was not paid
    bundle.write_text(json.dumps(doc))
    code, out, _err = run_js("--proof", bundle, *keys, "--json", cwd=tmp_path)
    assert code == 1 and json.loads(out)["fault"]["code"] == "canonical_mismatch"

    other = client.get(url, headers=summit)
    missing = client.get("/v1/portal/payments/pay_01JZ0000000000000000000000/proof", headers=summit)
    assert other.status_code == missing.status_code == 404
    assert other.json()["code"] == missing.json()["code"]
