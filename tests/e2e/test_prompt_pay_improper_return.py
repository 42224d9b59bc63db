"""An improper invoice entered over HTTP carries the return-by date of the act in force when it was received (issue
18), and the rule that set it: not the federal 7 days everywhere. SQLite and PostgreSQL.

Acme's invoice for 10 chairs reaches the City on Tuesday 6 October 2026 without a total: it is improper.
"""

import datetime as dt

from tests.e2e.prompt_pay_world import FLORIDA, TEXAS, WASHINGTON, agency  # noqa: F401


def _improper(city, **po):  # noqa: ANN001, ANN202
    acme = city.vendor()
    bill = city.invoice(acme, city.po(acme, **po), total=None)
    assert bill["status"] == "held" and {d["defect"] for d in bill["improper"]["defects"]} == {"missing_total"}
    return bill


def test_a_texas_invoice_goes_back_by_the_21st_day(agency):
    bill = _improper(agency(TEXAS))
    assert (bill["improper"]["return_by"], bill["prompt_pay"]["rule"]) == ("2026-10-27", "texas@tx-2251")
    assert bill["prompt_pay"]["due_date"] is None  # an improper invoice starts no clock


def test_a_florida_construction_request_is_rejected_within_20_business_days(agency):
    bill = _improper(agency(FLORIDA), category="construction")
    assert bill["improper"]["return_by"] == "2026-11-04"
    assert bill["prompt_pay"]["rule"] == "florida_local@fs-218-2021.07/construction"


def test_washington_public_works_go_back_in_eight_working_days_and_other_contracts_by_the_agencys_policy(agency):
    city = agency(WASHINGTON + "improper_return_days = 5\n")
    assert _improper(city, category="public_works")["improper"]["return_by"] == "2026-10-19"
    acme = city.vendor("Globex Supply", "98-7654321")
    other = city.invoice(acme, city.po(acme, number="PO-2027-0002"), total=None, number="INV-2")
    assert other["improper"]["return_by"] == (dt.date(2026, 10, 6) + dt.timedelta(days=5)).isoformat()


def test_the_federal_rule_keeps_the_policys_seven_days(agency):
    bill = _improper(agency("[prompt_pay]\n"))
    assert (bill["improper"]["return_by"], bill["prompt_pay"]["rule"]) == ("2026-10-13", "federal@5cfr1315")
