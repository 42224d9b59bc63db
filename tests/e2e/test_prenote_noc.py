"""Issue 11, defect 2: a notification of change that answers a prenote is matched to it, not lost.

Acme's new account goes through the quarantine; once it has cooled off, the day's run (sandbox rail) sends the
zero-dollar prenote. Acme's bank answers it with a C01 (the account number is wrong) naming the trace that
``GET /v1/payments`` shows for the prenote. Imported through ``POST /v1/statements``, the NOC becomes a proposed
bank-account change like a NOC on a live payment — finding a wrong account before money moves is what prenotes
are for — and no ``noc_unmatched`` exception is opened.
"""

from __future__ import annotations

import datetime as dt

from adapters.formats.nacha.change_codes import CorrectedData, format_corrected_data
from adapters.rails.sandbox import SandboxBank
from payments.identity import Role
from tests.e2e.people import ON_FILE, ROUTING, client, people, set_contact, stack  # noqa: F401

ACME = "ven_01ACMEPRENOTE00000000000"


def test_defect_2_a_noc_naming_a_prenotes_trace_proposes_the_change(stack, client, people, clock):
    set_contact(stack, ACME)
    val, vic, tess = (people.headers(n, r) for n, r in (("val", Role.VENDOR_ADMIN), ("vic", Role.VENDOR_ADMIN),
                                                         ("tess", Role.TREASURER)))
    clerk, tom = people.headers("cal", Role.AP_CLERK), people.headers("tom", Role.TREASURER)
    asked = client.post(f"/v1/vendors/{ACME}/bank-account-changes", headers=val,
                        json={"routing_number": ROUTING, "account_number": "000123456789", "account_type": "checking"})
    assert asked.status_code == 201, asked.text
    change_id = asked.json()["id"]
    assert client.post(f"/v1/bank-account-changes/{change_id}/callback", headers=vic,
                       json={"number_called": ON_FILE, "outcome": "confirmed"}).status_code == 200
    assert client.post(f"/v1/bank-account-changes/{change_id}/approve", headers=tess).status_code == 200
    clock.advance(days=10)

    run = client.post("/v1/payment-runs", json={"rail": "sandbox"}, headers={**clerk, "Idempotency-Key": "prenotes"})
    assert run.status_code == 201, run.text
    run_id = run.json()["id"]
    assert client.post(f"/v1/payment-runs/{run_id}:release", headers=tom).status_code == 200
    assert client.post(f"/v1/payment-runs/{run_id}:submit", headers=tom).json()["result"] == "accepted"
    [prenote] = client.get("/v1/payments", params={"run_id": run_id}, headers=tom).json()["items"]
    assert (prenote["kind"], prenote["amount_minor"], prenote["vendor_id"]) == ("prenote", 0, ACME)

    # Acme's bank, two days later: C01, the account number is 000123456780.
    bank = SandboxBank(stack.settings.path("outbox_dir") / "sandbox" / "bank", clock=clock)
    answered_on = clock.now().date() + dt.timedelta(days=2)
    bank.notify_change(prenote["trace_number"], "C01",
                       format_corrected_data("C01", CorrectedData(account_number="000123456780")), on=answered_on)
    noc_file = bank.returns_file(answered_on)
    imported = client.post("/v1/statements?format=nacha", content=noc_file, headers=tom)
    assert imported.status_code == 201, imported.text
    result = imported.json()
    assert (result["changes_proposed"], result["exceptions_opened"]) == (1, 0), result
    [action] = result["bank_actions"]
    assert action.startswith("proposed bch_") and ACME in action
    proposed = action.split()[1]
    change = client.get(f"/v1/bank-account-changes/{proposed}", headers=tess).json()
    assert (change["status"], change["account_mask"], change["vendor_id"]) == ("requested", "****6780", ACME)
    assert client.get("/v1/reconciliation/exceptions", headers=tom).json()["items"] == []
