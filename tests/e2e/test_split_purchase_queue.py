"""The split-purchase review queue (an assist signal): the controls' own rule, listed for a period.

Two-approver threshold $25,000, window 30 days. Acme bills $15,000 on 5 October and $12,000 on 20 October, each
below the threshold, together $27,000 above it: both are listed, each naming the other, the sum and the window.
Acme's $9,000 invoice of 15 December is 56 days from the nearest: not listed. The same rule holds the approval
(tests/e2e/test_split_purchase.py); the queue only shows.
"""

from __future__ import annotations

import datetime as dt
import json

from tests.e2e.conftest import as_role

MANAGER = as_role("auditor", user="usr_aud")


def _bills(container) -> dict[str, str]:  # noqa: ANN001
    from tests.integration.ap_story import ap, approved_po, budget, inv_line, invoice, po_line, receive, vendor

    s = ap(container)
    budget(s)
    acme = vendor(s)
    po = approved_po(s, acme, po_line(1, 60, 100_000))
    receive(s, po, (1, 60, 60))
    a = invoice(s, acme, inv_line(1, po, 15, 100_000), number="A-1", invoice_date=dt.date(2026, 10, 5)).invoice.id
    b = invoice(s, acme, inv_line(1, po, 12, 100_000), number="B-1", invoice_date=dt.date(2026, 10, 20)).invoice.id
    c = invoice(s, acme, inv_line(1, po, 9, 100_000), number="C-1", invoice_date=dt.date(2026, 12, 15),
                received_on=dt.date(2026, 12, 16)).invoice.id
    return {"a": a, "b": b, "c": c, "acme": acme}


def test_the_two_halves_are_listed_with_their_evidence_and_the_lone_invoice_is_not(api, container, monkeypatch,
                                                                                   capsys):
    import main
    from tests.integration.test_open_checkbook import _env

    ids = _bills(container)
    r = api.get("/v1/reports/signals/split-purchases", params={"from": "2026-10-01", "to": "2026-10-31"},
                headers=MANAGER)
    assert r.status_code == 200, r.text
    items = {i["invoice_id"]: i for i in r.json()["items"]}
    assert set(items) == {ids["a"], ids["b"]}
    assert (items[ids["a"]]["together_with"], items[ids["a"]]["total_minor"], items[ids["a"]]["threshold_minor"]) == (
        [ids["b"]], 2_700_000, 2_500_000)
    assert (items[ids["b"]]["window_from"], items[ids["b"]]["window_to"]) == ("2026-10-05", "2026-10-20")
    assert "above the two-approver threshold of 2500000" in items[ids["a"]]["explanation"]

    december = api.get("/v1/reports/signals/split-purchases", params={"from": "2026-12-01", "to": "2026-12-31"},
                       headers=MANAGER).json()
    assert december["items"] == []

    _env(monkeypatch, container)
    assert main.cli(["reports", "split-purchases", "--from", "2026-10-01", "--to", "2026-10-31", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == r.json()
