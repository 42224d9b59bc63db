"""Manager reports over HTTP and the CLI, on the checkbook story: Riverton's run of 5 November (dated the 6th) pays
Acme $1,200.00 (returned on the 9th), Jane $150.00 and Summit $166.65, all charged to fund 100, PW, object 5710
(FY 2027 budget $100,000). Summit holds a WBE certification valid 1 June 2026 - 31 May 2027; Jane held an MBE
certification that lapsed on 31 October 2026, before she was paid. Two more invoices are entered and not paid.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from payments.ap.documents import DiversityCertification
from tests.e2e.conftest import as_role

MANAGER = as_role("auditor", user="usr_aud")


def _story(container) -> dict[str, str]:  # noqa: ANN001
    from tests.integration.ap_story import VENDOR_ADMIN, ap, inv_line, invoice, po_line, receive
    from tests.integration.test_open_checkbook import _pay_everything
    from payments.ap.po_service import NewPurchaseOrder
    from tests.integration.ap_story import APPROVER, CLERK

    paid = _pay_everything(container)
    s = ap(container)
    by_name = {r.vendor.legal_name: r for r in s.vendors.list(after=None, limit=10)}
    for name, cert in (("Summit Office Supply", DiversityCertification("WBE", "NY MWBE", dt.date(2026, 6, 1),
                                                                       dt.date(2027, 5, 31))),
                       ("Jane Q. Public", DiversityCertification("MBE", "NY MWBE", dt.date(2025, 11, 1),
                                                                 dt.date(2026, 10, 31)))):
        r = by_name[name]
        from payments.ap.vendor_service import VendorDetails
        s.vendors.update(VENDOR_ADMIN, r.vendor.id, VendorDetails(
            legal_name=name, terms="net 30", certifications=(cert,), is_individual=r.vendor.is_individual),
            expected_version=r.version)
    acme = by_name["Acme Furniture"].vendor.id
    po, _ = s.purchase_orders.create(CLERK, NewPurchaseOrder("PO-2027-0009", acme, "USD", (po_line(1, 10, 1_000),)))
    s.purchase_orders.approve(APPROVER, po.po.id)
    receive(s, po.po.id, (1, 10, 10))
    old = invoice(s, acme, inv_line(1, po.po.id, 4, 1_000), number="OLD-1", invoice_date=dt.date(2026, 9, 1),
                  received_on=dt.date(2026, 9, 2)).invoice.id
    new = invoice(s, acme, inv_line(1, po.po.id, 3, 1_000), number="NEW-1", invoice_date=dt.date(2026, 12, 20),
                  received_on=dt.date(2026, 12, 21)).invoice.id
    return paid | {"old": old, "new": new, "acme_id": acme, "summit_id": by_name["Summit Office Supply"].vendor.id}


def test_spend_aging_prompt_pay_and_diversity_worked_example(api, container):
    ids = _story(container)

    spend = api.get("/v1/reports/spend", params={"fiscal_year": 2027}, headers=MANAGER)
    assert spend.status_code == 200, spend.text
    (line,) = spend.json()["lines"]
    assert (line["fund"], line["department"], line["object_code"], line["appropriation_minor"]) == (
        "100", "PW", "5710", 10_000_000)
    assert line["paid_minor"] == 15_000 + 16_665  # Acme's returned payment is not spend
    assert line["available_minor"] == line["appropriation_minor"] - line["encumbered_minor"] - line["expended_minor"]
    assert spend.json()["by_month"] == [{"period": "2026-11", "paid_minor": 31_665}]
    assert [v["paid_minor"] for v in spend.json()["by_vendor"]] == [16_665, 15_000]

    aging = api.get("/v1/reports/aging", params={"as_of": "2026-12-31"}, headers=MANAGER).json()
    buckets = aging["total_minor"]
    # The prompt-pay clock runs from the later of receipt and acceptance: the chairs were received 1 October, so
    # OLD-1 and Acme's chairs invoice (approved again after its payment came back) are both due 7 November, 54
    # days late on 31 December; NEW-1, received 21 December, is due 20 January: current.
    assert (buckets["31-60"], buckets["current"], buckets["61-90"], buckets["90+"]) == (124_000, 3_000, 0, 0)
    assert (aging["count"]["31-60"], aging["count"]["current"]) == (2, 1)
    assert aging["by_vendor"] == [{"vendor_id": ids["acme_id"], **dict.fromkeys(aging["buckets"], 0),
                                   "31-60": 124_000, "current": 3_000}]

    pp = api.get("/v1/reports/prompt-pay", params={"from": "2026-11-01", "to": "2026-11-30"}, headers=MANAGER).json()
    (federal,) = pp["by_rule_set"]  # the rule set each invoice's clock ran under, as recorded on it
    assert (federal["rule_set"], federal["invoices"]) == ("federal@5cfr1315", 2)  # Acme's payment came back
    # Both due 7 November, paid 6 November: on time; 29 days from the prompt-pay receipt date (8 October).
    assert (federal["on_time"], federal["late"], federal["on_time_rate"]) == (2, 0, "1.0000")
    assert federal["days_to_pay"] == {"min": 29, "median": 29, "max": 29}
    assert (federal["late_interest_minor"], federal["discounts_taken_minor"]) == (0, 0)

    div = api.get("/v1/reports/diversity", params={"from": "2026-11-01", "to": "2026-11-30"}, headers=MANAGER).json()
    assert (div["paid_minor"], div["payments"]) == (31_665, 2)
    assert div["by_certification"] == [{"certification": "WBE", "paid_minor": 16_665, "payments": 1,
                                        "amount_share": "0.5263", "count_share": "0.5000"}]  # Jane's MBE had lapsed

    vendor = api.get("/v1/reports/spend", params={"fiscal_year": 2027},
                     headers={"Authorization": f"Bearer test:vendor:usr_v:{ids['summit_id']}"})
    assert vendor.status_code == 403
    assert api.get("/v1/reports/prompt-pay", params={"from": "nope", "to": "2026-11-30"},
                   headers=MANAGER).status_code == 422


def test_the_cli_gives_the_same_figures(api, container, monkeypatch, capsys):
    import main
    from tests.integration.test_open_checkbook import _env

    _story(container)
    _env(monkeypatch, container)
    assert main.cli(["reports", "diversity", "--from", "2026-11-01", "--to", "2026-11-30", "--json"]) == 0
    from_cli = json.loads(capsys.readouterr().out)
    from_http = api.get("/v1/reports/diversity", params={"from": "2026-11-01", "to": "2026-11-30"},
                        headers=MANAGER).json()
    assert from_cli == from_http and from_cli["paid_minor"] == 31_665
    with pytest.raises(SystemExit) as refused:  # argparse refuses it: usage and exit 2
        main.cli(["reports", "aging", "--as-of", "31/12/2026"])
    assert refused.value.code == 2 and "is not a date (YYYY-MM-DD)" in capsys.readouterr().err
