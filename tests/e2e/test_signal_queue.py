"""The assist signals' review queue over HTTP: split purchases and the other signals in one list, dismissed with a
reason as a signed audit event, and back when their facts change.

Two-approver threshold $25,000. October 2026: Acme bills $15,000 (A-1, the 5th) and $12,000 (B-1, the 20th):
a split purchase, both listed. Beta bills $24,500 (R-7, the 12th): just under the threshold. Gamma bills $800 also
numbered R-7 (the 14th): the number is used by two vendors, so Beta's and Gamma's R-7 are both listed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from tests.e2e.conftest import as_role

AUDITOR = as_role("auditor", user="usr_aud")
APPROVER = as_role("ap_approver", user="usr_amy")
OCTOBER = {"from": "2026-10-01", "to": "2026-10-31"}


def _october(container) -> dict[str, str]:  # noqa: ANN001
    from tests.integration.ap_story import ap, approved_po, budget, inv_line, invoice, po_line, receive, vendor

    s = ap(container)
    budget(s, dollars=1_000_000)
    ids: dict[str, str] = {}
    for n, (name, tin) in enumerate((("Acme Furniture", "11-1111111"), ("Beta Paving", "22-2222222"),
                                     ("Gamma Supply", "33-3333333"), ("Delta Tools", "44-4444444"))):
        ids[name] = vendor(s, name, tin)
        po = approved_po(s, ids[name], po_line(1, 100, 50_000), number=f"PO-2027-000{n + 1}")
        receive(s, po, (1, 100, 100))
        ids[f"po:{name}"] = po

    def bill(name: str, number: str, qty: int, day: int) -> str:
        return invoice(s, ids[name], inv_line(1, ids[f"po:{name}"], qty, 50_000), number=number,
                       invoice_date=dt.date(2026, 10, day)).invoice.id

    ids |= {"a1": bill("Acme Furniture", "A-1", 30, 5), "b1": bill("Acme Furniture", "B-1", 24, 20),
            "beta_r7": bill("Beta Paving", "R-7", 49, 12), "gamma_r7": bill("Gamma Supply", "R-7", 1, 14)}
    ids["bill"] = bill  # type: ignore[assignment]
    return ids


def _kinds(api, **params) -> set[tuple[str, str]]:  # noqa: ANN001
    r = api.get("/v1/reports/signals", params=OCTOBER | params, headers=AUDITOR)
    assert r.status_code == 200, r.text
    return {(i["signal"], i["subject_id"]) for i in r.json()["items"]}


def test_one_queue_dismissal_with_a_reason_audited_and_back_when_the_facts_change(api, container, monkeypatch,
                                                                                    capsys):
    ids = _october(container)
    assert _kinds(api) == {("split_suspected", ids["a1"]), ("split_suspected", ids["b1"]),
                           ("just_under_threshold", ids["beta_r7"]), ("invoice_number_reused", ids["beta_r7"]),
                           ("invoice_number_reused", ids["gamma_r7"])}
    items = {(i["signal"], i["subject_id"]): i for i in
             api.get("/v1/reports/signals", params=OCTOBER, headers=AUDITOR).json()["items"]}
    under = items[("just_under_threshold", ids["beta_r7"])]
    assert under["explanation"] == "Invoice R-7 of 24,500.00 USD is just under the approval threshold of 25,000.00 USD."
    assert under["evidence"] == {"amount_minor": 2_450_000, "threshold_minor": 2_500_000}
    # An invoice page asks for its own signals.
    assert _kinds(api, about=ids["beta_r7"]) == {("just_under_threshold", ids["beta_r7"]),
                                                 ("invoice_number_reused", ids["beta_r7"])}

    url = f"/v1/reports/signals/{under['key']}:dismiss"
    body = {"date": under["date"], "reason": "Beta's paving contract price, quoted in May"}
    assert api.post(url, json={**body, "reason": "   "}, headers=APPROVER).json()["code"] == "reason_required"
    assert api.post(url, json={"date": under["date"]}, headers=APPROVER).status_code == 422
    assert api.post(url, json=body, headers=AUDITOR).status_code == 403  # auditors read; approvers dismiss
    assert api.post(url.replace(under["key"], "0" * 32), json=body, headers=APPROVER).json()["code"] == (
        "signal_not_found")
    done = api.post(url, json=body, headers=APPROVER)
    assert done.status_code == 200, done.text
    assert done.json()["dismissed"]["reason"] == body["reason"]
    assert api.post(url, json=body, headers=APPROVER).status_code == 200  # again: the first dismissal stands
    (event,) = container.audit.search(action="assist_signal_dismissed")
    assert (event.actor, event.object_id, event.detail["reason"], event.detail["subject_id"]) == (
        "usr_amy", under["key"], body["reason"], ids["beta_r7"])
    assert ("just_under_threshold", ids["beta_r7"]) not in _kinds(api)
    assert ("just_under_threshold", ids["beta_r7"]) in _kinds(api, include_dismissed="true")

    reused = items[("invoice_number_reused", ids["gamma_r7"])]
    assert api.post(f"/v1/reports/signals/{reused['key']}:dismiss", headers=APPROVER,
                    json={"date": reused["date"], "reason": "Different sequences"}).status_code == 200
    assert ("invoice_number_reused", ids["gamma_r7"]) not in _kinds(api)
    ids["bill"]("Delta Tools", "R-7", 1, 16)  # type: ignore[operator]  # a third vendor: new facts
    back = {(i["signal"], i["subject_id"]): i for i in
            api.get("/v1/reports/signals", params=OCTOBER, headers=AUDITOR).json()["items"]}
    assert back[("invoice_number_reused", ids["gamma_r7"])]["key"] != reused["key"]
    assert ("just_under_threshold", ids["beta_r7"]) not in back  # its facts did not change: still dismissed

    as_csv = api.get("/v1/reports/signals", params=OCTOBER | {"format": "csv"}, headers=AUDITOR)
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert {r["signal"] for r in rows} == {"split_suspected", "invoice_number_reused"}
    vendor = {"Authorization": f"Bearer test:vendor:usr_v:{ids['Beta Paving']}"}
    assert api.get("/v1/reports/signals", params=OCTOBER, headers=vendor).status_code == 403

    import json

    import main
    from tests.integration.test_open_checkbook import _env

    _env(monkeypatch, container)
    assert main.cli(["reports", "signals", "--from", "2026-10-01", "--to", "2026-10-31", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == api.get("/v1/reports/signals", params=OCTOBER,
                                                          headers=AUDITOR).json()
